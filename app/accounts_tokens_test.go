package app

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/asana/asanafake"
	"github.com/lullhq/lull/connectors/github/githubfake"
	"github.com/lullhq/lull/connectors/imap"
	"github.com/lullhq/lull/connectors/secret"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

// tokenCase is one Test of a token kind's form: edit changes the form
// (and may set the fake server up), the rest is what the result must say.
type tokenCase struct {
	name   string
	edit   func(*AccountForm)
	step   string
	field  string
	inText string
}

func runTokenCases(t *testing.T, acc *Accounts, base AccountForm, secrets []string, cases []tokenCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := base
			tc.edit(&form)
			start := time.Now()
			r, err := acc.Test(form)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != (tc.step == "") || r.Step != tc.step || r.Field != tc.field || !strings.Contains(r.Message, tc.inText) {
				t.Fatalf("Test = %+v\nwant step %q field %q, message containing %q", r, tc.step, tc.field, tc.inText)
			}
			for _, s := range append(secrets, form.Token, form.AppToken) {
				if len(s) >= 4 && strings.Contains(r.Message+r.Detail, s) {
					t.Fatalf("the result repeats a token: %+v", r)
				}
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			t.Logf("%s: %s — %s (%s)", r.Field, r.Step, r.Message, r.Detail)
		})
	}
}

func TestAccountsTestGitHub(t *testing.T) {
	srv := githubfake.New(githubfake.Options{})
	t.Cleanup(srv.Close)
	fineGrained := githubfake.New(githubfake.Options{})
	t.Cleanup(fineGrained.Close)
	fineGrained.ForbidNotifications(true)
	noScopes := githubfake.New(githubfake.Options{Scopes: "gist"})
	t.Cleanup(noScopes.Close)
	_, acc := newAccountsApp(t)
	// A typed token is tested as typed: the environment never stands in.
	t.Setenv("LULL_TOKEN_GITHUB", "ghp_test")

	runTokenCases(t, acc, AccountForm{Kind: "github", Token: "ghp_test", BaseURL: srv.BaseURL()}, []string{"ghp_test"}, []tokenCase{
		{"ok", func(*AccountForm) {}, "", "", "Token accepted"},
		{"token command", func(f *AccountForm) { f.Token = ""; f.TokenCmd = "printf '%s\\n' ghp_test" }, "", "", "Token accepted"},
		{"leave on github", func(f *AccountForm) { f.OnDone = "none" }, "", "", "Token accepted"},
		{"bad token", func(f *AccountForm) { f.Token = "ghp_wrong" }, StepToken, "token", "classic token with the notifications and repo scopes (docs/github.md)"},
		{"bad token from a command", func(f *AccountForm) { f.Token = ""; f.TokenCmd = "echo ghp_wrong" }, StepToken, "tokenCmd", "classic token"},
		{"failing command", func(f *AccountForm) { f.TokenCmd = "echo oops >&2; exit 3" }, StepCommand, "tokenCmd", "token command failed"},
		{"fine-grained token", func(f *AccountForm) { f.BaseURL = fineGrained.BaseURL() }, StepToken, "token", "Only classic tokens"},
		{"no scopes", func(f *AccountForm) { f.BaseURL = noScopes.BaseURL() }, StepToken, "token", "neither the notifications nor the repo scope"},
		{"rate limited", func(f *AccountForm) { srv.RateLimitNext(githubfake.Primary, 10*time.Minute) }, StepRate, "", "takes no more requests"},
		{"not the API", func(f *AccountForm) { f.BaseURL = srv.URL + "/nothing/here/" }, StepAPI, "baseUrl", "does not answer as the GitHub API"},
		{"nothing listens", func(f *AccountForm) { f.BaseURL = fmt.Sprintf("http://127.0.0.1:%d/api/v3/", closedPort(t)) }, imap.StepConnect, "baseUrl", "Cannot connect to 127.0.0.1"},
		{"unknown host", func(f *AccountForm) { f.BaseURL = "https://ghe.nowhere.invalid/api/v3/" }, imap.StepDNS, "baseUrl", "Cannot find ghe.nowhere.invalid"},
		{"plain http to a remote host", func(f *AccountForm) { f.BaseURL = "http://ghe.example.com/api/v3/" }, StepForm, "baseUrl", "plain http"},
		{"no token", func(f *AccountForm) { f.Token = " " }, StepForm, "token", "Paste the GitHub token"},
		{"bad on done", func(f *AccountForm) { f.OnDone = "archive" }, StepForm, "onDone", "on_done"},
	})
}

func TestAccountsTestAsana(t *testing.T) {
	srv := asanafake.New(asanafake.Options{})
	t.Cleanup(srv.Close)
	_, acc := newAccountsApp(t)
	runTokenCases(t, acc, AccountForm{Kind: "asana", Token: "asana_test", BaseURL: srv.BaseURL()}, []string{"asana_test"}, []tokenCase{
		{"ok", func(*AccountForm) {}, "", "", "Token accepted · every workspace"},
		{"a workspace by name", func(f *AccountForm) { f.Workspaces = []string{" acme "} }, "", "", "Token accepted · acme"},
		{"token command", func(f *AccountForm) { f.Token = ""; f.TokenCmd = "printf %s asana_test" }, "", "", "Token accepted"},
		{"on done is ignored", func(f *AccountForm) { f.OnDone = "seen" }, "", "", "Token accepted"},
		{"unknown workspace", func(f *AccountForm) { f.Workspaces = []string{"Nope"} }, StepWorkspace, "workspaces", `this token sees "Acme"`},
		{"bad token", func(f *AccountForm) { f.Token = "asana_wrong" }, StepToken, "token", "personal access token"},
		{"rate limited", func(f *AccountForm) { srv.RateLimitNext(10 * time.Minute) }, StepRate, "", "Asana takes no more requests"},
		{"sync depth out of range", func(f *AccountForm) { f.SyncDays = new(0) }, StepForm, "syncDays", "1 to 365"},
		{"no token", func(f *AccountForm) { f.Token = "" }, StepForm, "token", "Paste the Asana token"},
	})
}

func TestAccountsTestSlack(t *testing.T) {
	srv := slackfake.New(slackfake.Options{})
	t.Cleanup(srv.Close)
	srv.AddUser(slackfake.User{ID: "U0ME", Name: "me", RealName: "Morgan Example"}, "xoxp-good")
	srv.AddAppToken("xapp-good")
	_, acc := newAccountsApp(t)
	runTokenCases(t, acc, AccountForm{Kind: "slack", Token: "xoxp-good", BaseURL: srv.URL}, []string{"xoxp-good", "xapp-good"}, []tokenCase{
		{"ok", func(*AccountForm) {}, "", "", "Token accepted · polling"},
		{"with an app token", func(f *AccountForm) { f.AppToken = "xapp-good" }, "", "", "app token"},
		{"tokens from commands", func(f *AccountForm) {
			f.Token, f.TokenCmd, f.AppTokenCmd = "", "printf %s xoxp-good", "printf %s xapp-good"
		}, "", "", "Token accepted"},
		{"watched channels, mark read on done", func(f *AccountForm) { f.Watched = []string{"#incidents", " C0123 "}; f.OnDone = "read" }, "", "", "Token accepted"},
		{"bad token", func(f *AccountForm) { f.Token = "xoxp-wrong" }, StepToken, "token", "user token (xoxp-)"},
		{"bot token", func(f *AccountForm) { f.Token = "xoxb-123" }, StepToken, "token", "bot token"},
		{"app token in the token field", func(f *AccountForm) { f.Token = "xapp-good" }, StepToken, "token", "app-level token"},
		{"not an app token", func(f *AccountForm) { f.AppToken = "xoxp-good" }, StepForm, "appToken", "starts with xapp-"},
		{"failing app token command", func(f *AccountForm) { f.AppTokenCmd = "exit 2" }, StepCommand, "appTokenCmd", "app token command failed"},
		{"bad watched channel", func(f *AccountForm) { f.Watched = []string{"two words"} }, StepForm, "watched", "bad channel"},
		{"archive on done", func(f *AccountForm) { f.OnDone = "archive" }, StepForm, "onDone", "read"},
		{"no token", func(f *AccountForm) { f.Token = "" }, StepForm, "token", "user token (xoxp-)"},
	})
}

func TestAccountsAddGitHubWithTokenCommandSyncs(t *testing.T) {
	srv := githubfake.New(githubfake.Options{Token: "ghp_e2e"})
	t.Cleanup(srv.Close)
	srv.AddThread(githubfake.Thread{Repo: "lullhq/lull", Number: 7, Title: "Add the GitHub form", Reason: "review_requested", Unread: true})
	srv.AddThread(githubfake.Thread{Repo: "lullhq/lull", Type: "Issue", Number: 8, Title: "Slack too", Reason: "mention", Unread: true})
	a, acc := newAccountsApp(t)

	form := AccountForm{Kind: "github", TokenCmd: "printf %s ghp_e2e", BaseURL: srv.BaseURL(), OnDone: "read", SyncDays: new(30)}
	r, err := acc.Add(form)
	if err != nil || !r.OK || r.Name != "github" {
		t.Fatalf("Add = %+v, %v", r, err)
	}
	data, err := os.ReadFile(a.opts.Paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("\n[accounts.github]\nkind = \"github\"\ntoken_cmd = \"printf %%s ghp_e2e\"\nbase_url = %q\nsync_days = 30\non_done = \"read\"\n", srv.BaseURL())
	if !strings.HasSuffix(string(data), want) {
		t.Fatalf("config:\n%s\nwant it to end with:\n%s", data, want)
	}
	st, err := (&Workspace{app: a}).Status()
	if err != nil || st.Mode != ModeAccounts || len(st.Accounts) != 1 || st.Accounts[0].Name != "github" {
		t.Fatalf("status = %+v, %v", st, err)
	}
	in := &Inbox{app: a}
	waitFor(t, "the two GitHub threads", func() bool {
		c, err := in.Counts()
		return err == nil && c[inbox.StateInbox] == 2
	})

	// The second GitHub account gets its own name.
	r, err = acc.Test(form)
	if err != nil || !r.OK || r.Name != "github-2" {
		t.Fatalf("Test of a second account = %+v, %v", r, err)
	}
}

func TestAccountsAddKeepsTokensInTheKeychain(t *testing.T) {
	secret.MockOSKeychain(nil)
	gh := githubfake.New(githubfake.Options{})
	t.Cleanup(gh.Close)
	as := asanafake.New(asanafake.Options{Token: "2/asana-secret"})
	t.Cleanup(as.Close)
	sl := slackfake.New(slackfake.Options{})
	t.Cleanup(sl.Close)
	sl.AddUser(slackfake.User{ID: "U0ME", Name: "me"}, "xoxp-secret")
	a, acc := newAccountsApp(t)

	// A refused token saves nothing.
	r, err := acc.Add(AccountForm{Kind: "github", Token: "ghp_wrong", BaseURL: gh.BaseURL()})
	if err != nil || r.OK || r.Step != StepToken {
		t.Fatalf("Add with a bad token = %+v, %v", r, err)
	}
	if _, err := os.Stat(a.opts.Paths.Config); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed test wrote the config: %v", err)
	}
	if _, err := (secret.OSKeychain{}).Get("lull", "github/token"); err == nil {
		t.Fatal("a failed test stored a token")
	}

	r, err = acc.Add(AccountForm{Kind: "asana", Name: "tasks", Token: "2/asana-secret", BaseURL: as.BaseURL(), Workspaces: []string{"Acme"}})
	if err != nil || !r.OK {
		t.Fatalf("Add asana = %+v, %v", r, err)
	}
	if tok, err := (secret.OSKeychain{}).Get("lull", "tasks/token"); err != nil || tok != "2/asana-secret" {
		t.Fatalf("keychain holds %q, %v", tok, err)
	}

	r, err = acc.Add(AccountForm{Kind: "slack", Token: "xoxp-secret", AppToken: "xapp-secret", BaseURL: sl.URL,
		Watched: []string{"incidents"}, OnDone: "read"})
	if err != nil || !r.OK || r.Name != "slack" {
		t.Fatalf("Add slack = %+v, %v", r, err)
	}
	for key, want := range map[string]string{"slack/token": "xoxp-secret", "slack/app_token": "xapp-secret"} {
		if got, err := (secret.OSKeychain{}).Get("lull", key); err != nil || got != want {
			t.Fatalf("keychain %s holds %q, %v", key, got, err)
		}
	}

	data, err := os.ReadFile(a.opts.Paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, s := range []string{"asana-secret", "xoxp-secret", "xapp-secret"} {
		if strings.Contains(text, s) {
			t.Fatalf("config holds a token:\n%s", text)
		}
	}
	cfg, err := config.Load(a.opts.Paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	tasks, slk := cfg.Accounts["tasks"], cfg.Accounts["slack"]
	if tasks.Kind != "asana" || fmt.Sprint(tasks.Settings["workspaces"]) != "[Acme]" || tasks.Settings["on_done"] != nil {
		t.Fatalf("asana account = %+v", tasks)
	}
	if slk.Kind != "slack" || slk.Settings["mark_read_on_done"] != true || fmt.Sprint(slk.Settings["watched"]) != "[incidents]" ||
		slk.Settings["api_url"] != sl.URL || slk.Settings["on_done"] != nil {
		t.Fatalf("slack account = %+v", slk)
	}
	st, err := (&Workspace{app: a}).Status()
	if err != nil || st.Mode != ModeAccounts || len(st.Accounts) != 2 {
		t.Fatalf("status = %+v, %v", st, err)
	}
}

func TestAccountsAddTokenWithoutAKeychainSaysUseACommand(t *testing.T) {
	secret.MockOSKeychain(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(func() { secret.MockOSKeychain(nil) })
	srv := githubfake.New(githubfake.Options{})
	t.Cleanup(srv.Close)
	a, acc := newAccountsApp(t)
	r, err := acc.Add(AccountForm{Kind: "github", Token: "ghp_test", BaseURL: srv.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || r.Step != StepKeychain || r.Field != "token" || !strings.Contains(r.Message, "Switch the token to “Command”") {
		t.Fatalf("Add = %+v", r)
	}
	if _, err := os.Stat(a.opts.Paths.Config); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("config written without a token source: %v", err)
	}
}
