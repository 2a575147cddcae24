package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/connectors/imap"
	"github.com/lullhq/lull/connectors/imap/dovecottest"
	"github.com/lullhq/lull/connectors/secret"
)

// newAccountsApp is a first-run app (no config file) with the real
// connectors registry, started like the window starts it.
func newAccountsApp(t *testing.T) (*App, *Accounts) {
	t.Helper()
	return newAccountsAppIn(t, false)
}

func newAccountsAppIn(t *testing.T, demo bool) (*App, *Accounts) {
	t.Helper()
	dir := t.TempDir()
	a := New(Options{
		Demo:          demo,
		Paths:         config.Paths{Config: filepath.Join(dir, "config.toml"), Data: filepath.Join(dir, "data"), Demo: filepath.Join(dir, "data-demo")},
		Emit:          (&events{}).emit,
		EventInterval: 5 * time.Millisecond,
		Notifier:      &notify.Recorder{},
		NoControl:     true,
	})
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.Startup(context.Background())
	return a, &Accounts{app: a}
}

func seedMail(t *testing.T, srv *dovecottest.Server, n int) {
	t.Helper()
	var msgs [][]byte
	for i := range n {
		msgs = append(msgs, fmt.Appendf(nil, "From: Ada <ada@example.com>\r\nTo: lull@example.com\r\nSubject: Note %d\r\n"+
			"Date: %s\r\nMessage-ID: <note-%d@example.com>\r\n\r\nBody %d\r\n",
			i, time.Now().Add(-time.Duration(i+1)*time.Hour).Format(time.RFC1123Z), i, i))
	}
	if err := srv.Seed("INBOX", msgs); err != nil {
		t.Fatal(err)
	}
}

func dovecotForm(srv *dovecottest.Server) AccountForm {
	return AccountForm{Kind: "imap", Host: srv.Host, Port: srv.Port, TLS: imap.TLSNone, Username: srv.User, Password: srv.Password}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestAccountsTestNamesTheFailingStep(t *testing.T) {
	srv := dovecottest.New(t)
	_, acc := newAccountsApp(t)
	for _, tc := range []struct {
		name   string
		edit   func(*AccountForm)
		step   string
		field  string
		inText string
	}{
		{"ok", func(*AccountForm) {}, "", "", "Connected · INBOX opened"},
		{"two folders", func(f *AccountForm) { f.Folders = []string{"INBOX", "Archive"} }, "", "", "Connected · 2 folders opened"},
		{"password command", func(f *AccountForm) { f.Password = ""; f.PasswordCmd = "printf %s " + srv.Password }, "", "", "Connected"},
		{"failing password command", func(f *AccountForm) { f.PasswordCmd = "exit 3" }, StepPassword, "passwordCmd", "password command failed"},
		{"closed port", func(f *AccountForm) { f.Port = closedPort(t) }, imap.StepConnect, "port", "Nothing accepts connections"},
		{"unknown folder", func(f *AccountForm) { f.Folders = []string{"Nope"} }, imap.StepFolder, "folders", `"Nope"`},
		{"unknown host", func(f *AccountForm) { f.Host = "imap.nowhere.invalid"; f.TLS = imap.TLSImplicit }, imap.StepDNS, "host", "Cannot find imap.nowhere.invalid"},
		{"plaintext to a remote host", func(f *AccountForm) { f.Host = "imap.example.com" }, StepForm, "tls", "only for a server on this computer"},
		{"no host", func(f *AccountForm) { f.Host = " " }, StepForm, "host", "IMAP server"},
		{"no password", func(f *AccountForm) { f.Password = "" }, StepForm, "password", "password"},
		{"bad port", func(f *AccountForm) { f.Port = 70000 }, StepForm, "port", "70000"},
		{"bad name", func(f *AccountForm) { f.Name = "my mail" }, StepForm, "name", "account name"},
		{"bad on done", func(f *AccountForm) { f.OnDone = "delete" }, StepForm, "onDone", "on_done"},
		{"no kind", func(f *AccountForm) { f.Kind = "" }, StepForm, "kind", "IMAP, Maildir, GitHub, Asana or Slack"},
		// Last: Dovecot slows every login from an address after a failed one.
		{"wrong password", func(f *AccountForm) { f.Password = "not-it" }, imap.StepAuth, "password", "refused the user name or password"},
		{"wrong password from a command", func(f *AccountForm) { f.PasswordCmd = "echo nope" }, imap.StepAuth, "passwordCmd", "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := dovecotForm(srv)
			tc.edit(&form)
			start := time.Now()
			r, err := acc.Test(form)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != (tc.step == "") || r.Step != tc.step || r.Field != tc.field || !strings.Contains(r.Message, tc.inText) {
				t.Fatalf("Test = %+v\nwant step %q field %q, message containing %q", r, tc.step, tc.field, tc.inText)
			}
			if strings.Contains(r.Message+r.Detail, srv.Password) {
				t.Fatalf("the result repeats the password: %+v", r)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			t.Logf("%s: %s — %s (%s)", r.Field, r.Step, r.Message, r.Detail)
		})
	}
}

func TestAccountsTestReportsTheServersWords(t *testing.T) {
	srv := dovecottest.New(t)
	_, acc := newAccountsApp(t)
	form := dovecotForm(srv)
	form.Password = "wrong"
	r, err := acc.Test(form)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Detail, "AUTHENTICATIONFAILED") || r.Name != srv.User {
		t.Fatalf("Test = %+v; want Dovecot's AUTHENTICATIONFAILED as the detail and the name %q", r, srv.User)
	}
}

func TestAccountsAddWithPasswordCommandSyncs(t *testing.T) {
	srv := dovecottest.New(t)
	seedMail(t, srv, 5)
	a, acc := newAccountsApp(t)
	ws := &Workspace{app: a}
	if st, _ := ws.Status(); st.Mode != ModeEmpty {
		t.Fatalf("mode = %s, want empty", st.Mode)
	}

	form := dovecotForm(srv)
	form.Name = "home"
	form.Password = ""
	form.PasswordCmd = "printf %s " + srv.Password
	r, err := acc.Add(form)
	if err != nil || !r.OK || r.Name != "home" {
		t.Fatalf("Add = %+v, %v", r, err)
	}

	cfg, err := config.Load(a.opts.Paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	home, ok := cfg.Accounts["home"]
	if !ok || home.Kind != "imap" || home.Settings["host"] != srv.Host || home.Settings["tls"] != "none" ||
		home.Settings["password_cmd"] != form.PasswordCmd {
		t.Fatalf("config accounts = %+v", cfg.Accounts)
	}
	if _, ok := a.opts.Config.Accounts["home"]; !ok {
		t.Fatalf("the running app's config lacks the account: %+v", a.opts.Config.Accounts)
	}
	st, err := ws.Status()
	if err != nil || st.Mode != ModeAccounts || len(st.Accounts) != 1 || st.Accounts[0].Name != "home" {
		t.Fatalf("status = %+v, %v", st, err)
	}
	in := &Inbox{app: a}
	waitFor(t, "the 5 seeded messages", func() bool {
		c, err := in.Counts()
		return err == nil && c[inbox.StateInbox] == 5
	})

	// The same name again is refused before anything is contacted.
	r, err = acc.Add(form)
	if err != nil || r.OK || r.Field != "name" || !strings.Contains(r.Message, "already exists") {
		t.Fatalf("second Add = %+v, %v", r, err)
	}

	// A second account joins the running ones: the workspace restarts
	// with both, and the first keeps its messages.
	md := filepath.Join(t.TempDir(), "Mail")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(md, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	r, err = acc.Add(AccountForm{Kind: "maildir", Path: md})
	if err != nil || !r.OK || r.Name != "mail" {
		t.Fatalf("Add maildir = %+v, %v", r, err)
	}
	st, err = ws.Status()
	if err != nil || st.Mode != ModeAccounts || len(st.Accounts) != 2 {
		t.Fatalf("status after the second account = %+v, %v", st, err)
	}
	if c, err := in.Counts(); err != nil || c[inbox.StateInbox] != 5 {
		t.Fatalf("counts after restart = %v, %v", c, err)
	}
}

func TestAccountsAddFromTheSampleWorkspace(t *testing.T) {
	a, acc := newAccountsAppIn(t, true)
	ws := &Workspace{app: a}
	if st, _ := ws.Status(); st.Mode != ModeDemo {
		t.Fatalf("mode = %s, want demo", st.Mode)
	}
	md := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(md, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	r, err := acc.Add(AccountForm{Kind: "maildir", Path: md, Name: "local"})
	if err != nil || !r.OK {
		t.Fatalf("Add = %+v, %v", r, err)
	}
	st, err := ws.Status()
	if err != nil || st.Mode != ModeAccounts || st.DataDir != a.opts.Paths.Data || len(st.Accounts) != 1 || st.Accounts[0].Name != "local" {
		t.Fatalf("status = %+v, %v", st, err)
	}
}

func TestAccountsAddKeepsThePasswordInTheKeychain(t *testing.T) {
	secret.MockOSKeychain(nil)
	srv := dovecottest.New(t)
	a, acc := newAccountsApp(t)

	form := dovecotForm(srv)
	form.Port = closedPort(t)
	r, err := acc.Add(form)
	if err != nil || r.OK || r.Step != imap.StepConnect {
		t.Fatalf("Add to a closed port = %+v, %v", r, err)
	}
	if _, err := os.Stat(a.opts.Paths.Config); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed test wrote the config: %v", err)
	}
	if _, err := (secret.OSKeychain{}).Get("lull", srv.User+"/password"); err == nil {
		t.Fatal("a failed test stored a password")
	}

	r, err = acc.Add(dovecotForm(srv))
	if err != nil || !r.OK {
		t.Fatalf("Add = %+v, %v", r, err)
	}
	if pw, err := (secret.OSKeychain{}).Get("lull", srv.User+"/password"); err != nil || pw != srv.Password {
		t.Fatalf("keychain holds %q, %v", pw, err)
	}
	data, err := os.ReadFile(a.opts.Paths.Config)
	if err != nil || strings.Contains(string(data), srv.Password) || !strings.Contains(string(data), "[accounts."+srv.User+"]") {
		t.Fatalf("config:\n%s\n%v", data, err)
	}
}

func TestAccountsAddWithoutAKeychainSaysUsePasswordCommand(t *testing.T) {
	secret.MockOSKeychain(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(func() { secret.MockOSKeychain(nil) })
	srv := dovecottest.New(t)
	a, acc := newAccountsApp(t)
	r, err := acc.Add(dovecotForm(srv))
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || r.Step != StepKeychain || r.Field != "password" || !strings.Contains(r.Message, "“Command”") {
		t.Fatalf("Add = %+v", r)
	}
	if _, err := os.Stat(a.opts.Paths.Config); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("config written without a password source: %v", err)
	}
	if st, _ := (&Workspace{app: a}).Status(); st.Mode != ModeEmpty {
		t.Fatalf("mode = %s", st.Mode)
	}
}

func TestAccountsTestMaildir(t *testing.T) {
	_, acc := newAccountsApp(t)
	root := filepath.Join(t.TempDir(), "Mail")
	for _, sub := range []string{"cur", "new", "tmp", ".Lists/cur", ".Lists/new", ".Lists/tmp"} {
		if err := os.MkdirAll(filepath.Join(root, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name        string
		form        AccountForm
		step, field string
	}{
		{"every folder", AccountForm{Kind: "maildir", Path: root}, "", ""},
		{"some folders", AccountForm{Kind: "maildir", Path: root, Folders: []string{"INBOX", "Lists"}}, "", ""},
		{"missing folder", AccountForm{Kind: "maildir", Path: root, Folders: []string{"Nope"}}, imap.StepFolder, "folders"},
		{"missing path", AccountForm{Kind: "maildir", Path: root + "-not-there"}, StepMaildir, "path"},
		{"no path", AccountForm{Kind: "maildir"}, StepForm, "path"},
		{"archive is IMAP only", AccountForm{Kind: "maildir", Path: root, OnDone: "archive"}, StepForm, "onDone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := acc.Test(tc.form)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != (tc.step == "") || r.Step != tc.step || r.Field != tc.field || r.Message == "" {
				t.Fatalf("Test = %+v, want step %q field %q", r, tc.step, tc.field)
			}
		})
	}
}

func TestSuggestName(t *testing.T) {
	taken := map[string]config.Account{"gmail": {}, "gmail-2": {}}
	for _, tc := range []struct {
		form AccountForm
		want string
	}{
		{AccountForm{Kind: "imap", Username: "me@gmail.com"}, "gmail-3"},
		{AccountForm{Kind: "imap", Username: "ada@work.example.org"}, "work"},
		{AccountForm{Kind: "imap", Username: "Ada Lovelace"}, "ada-lovelace"},
		{AccountForm{Kind: "imap", Username: "@"}, "mail"},
		{AccountForm{Kind: "maildir", Path: "~/Mail/Work/"}, "work"},
		{AccountForm{Kind: "maildir", Path: "/"}, "mail"},
		{AccountForm{Kind: "github", Username: "left@over.example"}, "github"},
		{AccountForm{Kind: "Slack"}, "slack"},
	} {
		if got := uniqueName(suggestName(tc.form), taken); got != tc.want {
			t.Errorf("name for %+v = %q, want %q", tc.form, got, tc.want)
		}
	}
}

func TestPresets(t *testing.T) {
	p := (&Accounts{}).Presets()
	for domain, host := range map[string]string{
		"gmail.com": "imap.gmail.com", "outlook.com": "outlook.office365.com", "hotmail.com": "outlook.office365.com",
		"fastmail.com": "imap.fastmail.com", "icloud.com": "imap.mail.me.com", "yahoo.com": "imap.mail.yahoo.com",
	} {
		if got := p[domain]; got.Host != host || got.Port != 993 || got.TLS != imap.TLSImplicit {
			t.Errorf("preset %s = %+v", domain, got)
		}
	}
	if !strings.Contains(p["gmail.com"].Note, "app password") {
		t.Errorf("gmail note = %q", p["gmail.com"].Note)
	}
}
