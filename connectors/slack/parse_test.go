package slack

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

func TestParseSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  map[string]any
		err  string
	}{
		{"defaults", map[string]any{}, ""},
		{"everything", map[string]any{
			"token_cmd": "pass show slack", "app_token_cmd": "pass show xapp", "watched": []any{"#incidents", "C0123"},
			"mark_read_on_done": true, "sync_days": int64(30), "team": "acme", "status_text": "Deep work until {until}",
			"status_emoji": ":headphones:", "api_url": "https://slack.example.com/api",
		}, ""},
		{"unknown key", map[string]any{"tokn_cmd": "x"}, "unknown setting \"tokn_cmd\""},
		{"wrong type", map[string]any{"watched": "incidents"}, "setting watched"},
		{"plain http to a remote host", map[string]any{"api_url": "http://slack.example.com/api/"}, "loopback"},
		{"plain http to loopback", map[string]any{"api_url": "http://127.0.0.1:8080/api/"}, ""},
		{"not a URL", map[string]any{"api_url": "slack"}, "api_url"},
		{"watched twice", map[string]any{"watched": []any{"#ops", "ops"}}, "listed twice"},
		{"negative days", map[string]any{"sync_days": -1}, "sync_days"},
		{"bad emoji", map[string]any{"status_emoji": "bell"}, "status_emoji"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSettings(tc.raw)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(s.APIURL, "/") || *s.SyncDays < 0 || s.StatusEmoji == "" || s.StatusText == "" {
					t.Errorf("defaults not filled: %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error = %v, want one containing %q", err, tc.err)
			}
		})
	}
	s, _ := ParseSettings(map[string]any{})
	if s.APIURL != DefaultAPIURL || *s.SyncDays != DefaultSyncDays || s.StatusEmoji != ":no_bell:" || s.MarkReadOnDone {
		t.Errorf("defaults: %+v", s)
	}
	s, _ = ParseSettings(map[string]any{"watched": []any{" #Incidents ", "C0123"}})
	if !s.watches("C9", "incidents") || !s.watches("C0123", "") || s.watches("C9", "general") {
		t.Errorf("watches: %v", s.Watched)
	}
}

func TestTimestamps(t *testing.T) {
	for _, tc := range []struct {
		in string
		us int64
		ok bool
	}{
		{"1700000000.000100", 1700000000000100, true},
		{"1700000000.1", 1700000000100000, true},
		{"1700000000", 1700000000000000, true},
		{"", 0, false},
		{"17000x0000.000100", 0, false},
		{"1700000000.0001000", 0, false},
		{"-1.000000", 0, false},
	} {
		us, ok := parseTS(tc.in)
		if us != tc.us || ok != tc.ok {
			t.Errorf("parseTS(%q) = %d, %v", tc.in, us, ok)
		}
	}
	if s := formatTS(1700000000000100); s != "1700000000.000100" {
		t.Errorf("formatTS = %q", s)
	}
}

func TestHeldListRoundTrip(t *testing.T) {
	var h held
	for i := int64(0); i < heldMax+20; i++ {
		h = h.put(1700000000000000+i*1_000_123, uint32(i*2654435761))
	}
	if len(h) != heldMax || h.oldest() != 1700000000000000+20*1_000_123 {
		t.Fatalf("held keeps %d, oldest %d", len(h), h.oldest())
	}
	h = h.put(1600000000000000, 1) // older than all, held full: let go at once
	if len(h) != heldMax || h.oldest() == 1600000000000000 {
		t.Errorf("an entry older than a full list stayed")
	}
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if per := float64(len(data)) / heldMax; per > 14 {
		t.Errorf("%.1f bytes an item: %s", per, data)
	}
	var back held
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(h) {
		t.Fatalf("round trip: %d of %d", len(back), len(h))
	}
	for i := range h {
		if back[i] != h[i] {
			t.Fatalf("entry %d: %+v, want %+v", i, back[i], h[i])
		}
	}
	if fp, ok := back.get(h[5].TS); !ok || fp != h[5].FP {
		t.Error("get after round trip")
	}
	back = back.drop(h[5].TS)
	if _, ok := back.get(h[5].TS); ok {
		t.Error("drop")
	}
	for _, bad := range []string{`"x"`, `"1.2,0.3"`, `"zz.1,-1.2"`, `5`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestCursorFromAnotherUserIsDropped(t *testing.T) {
	c := newCursor("U1", "T1")
	c.Convs["D1"] = &convState{Latest: 5}
	raw := c.encode()
	if got, ok, err := parseCursor(raw, "U1", "T1"); !ok || err != nil || got.Convs["D1"].Latest != 5 {
		t.Errorf("same user: %+v %v %v", got, ok, err)
	}
	if got, ok, _ := parseCursor(raw, "U2", "T1"); ok || len(got.Convs) != 0 {
		t.Error("another user's cursor was used")
	}
	if _, ok, err := parseCursor([]byte("{"), "U1", "T1"); ok || err == nil {
		t.Error("a broken cursor was used")
	}
}

func TestMentions(t *testing.T) {
	groups := map[string]bool{"S1": true}
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"<@U1> hi", true},
		{"hi <@U1|me>", true},
		{"<@U10> hi", false},
		{"<!subteam^S1|@oncall> ping", true},
		{"<!subteam^S1> ping", true},
		{"<!subteam^S2|@design> ping", false},
		{"<!subteam^S2> and <!subteam^S1>", true},
		{"<!here> everyone", false},
		{"<!subteam^S1", false},
	} {
		if got := mentions(tc.text, "U1", groups); got != tc.want {
			t.Errorf("mentions(%q) = %v", tc.text, got)
		}
	}
}

func TestRender(t *testing.T) {
	r := &run{c: &Connector{names: nameCache{users: map[string]string{"U1": "Alice"}}},
		convs: map[string]*convInfo{"C1": {id: "C1", name: "ops"}}, handles: map[string]string{"S1": "oncall"}}
	for in, want := range map[string]string{
		"<@U1> look":                              "@Alice look",
		"<@U9|bob> look":                          "@bob look",
		"see <#C1> and <#C2|dev>":                 "see #ops and #dev",
		"<!subteam^S1> and <!subteam^S2|@design>": "@oncall and @design",
		"<!here> <!channel> <!date^1392734382^{date}|Feb 18>": "@here @channel Feb 18",
		"<https://a.example/x|the doc> <https://b.example>":   "the doc (https://a.example/x) https://b.example",
		"<mailto:a@b.example|a@b.example>":                    "a@b.example",
		"1 &lt; 2 &amp;&amp; 3 &gt; 2":                        "1 < 2 && 3 > 2",
	} {
		got, err := r.render(context.Background(), in)
		if err != nil || got != want {
			t.Errorf("render(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNamesAndLinks(t *testing.T) {
	for name, want := range map[string]string{
		"mpdm-me--alice--bob-1":     "alice,bob",
		"mpdm-mary-jane--me--bob-1": "mary-jane,bob",
		"mpdm-alice--me-2":          "alice",
		"not-an-mpdm":               "not-an",
	} {
		if got := strings.Join(mpimMembers(name, "me"), ","); got != want {
			t.Errorf("mpimMembers(%q) = %q, want %q", name, got, want)
		}
	}
	if got := Permalink("https://acme.slack.com/", "C1", "1700000000.000100", ""); got != "https://acme.slack.com/archives/C1/p1700000000000100" {
		t.Errorf("Permalink = %q", got)
	}
	if got := Permalink("https://acme.slack.com/", "C1", "1700000001.000200", "1700000000.000100"); got != "https://acme.slack.com/archives/C1/p1700000001000200?thread_ts=1700000000.000100&cid=C1" {
		t.Errorf("reply Permalink = %q", got)
	}
	if got := DeepLink("T1", "C1", "1700000000.000100"); got != "slack://channel?id=C1&message=1700000000.000100&team=T1" {
		t.Errorf("DeepLink = %q", got)
	}
	if got := workspaceDomain("https://acme.slack.com/"); got != "acme" {
		t.Errorf("workspaceDomain = %q", got)
	}
}

func TestFingerprintSeesEditsOnly(t *testing.T) {
	m := slack.Msg{User: "U1", Text: "hello", Timestamp: "1.000001"}
	same := m
	same.Channel = "C1" // events carry the channel; history does not
	same.ReplyCount, same.ThreadTimestamp, same.LatestReply = 3, "1.000001", "2.000000"
	if fingerprint(&m) != fingerprint(&same) {
		t.Error("a root gaining replies looks edited")
	}
	edited := m
	edited.Text = "hello!"
	edited.Edited = &slack.Edited{Timestamp: "3.000000"}
	if fingerprint(&m) == fingerprint(&edited) {
		t.Error("an edit was not seen")
	}
}

func TestStatusText(t *testing.T) {
	until := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	if got := statusText("Focusing until {until}", until); got != "Focusing until 12:00" {
		t.Errorf("statusText = %q", got)
	}
	if got := statusText(strings.Repeat("x", 120), until); len(got) != 100 {
		t.Errorf("statusText kept %d characters", len(got))
	}
}

// TestManifestScopes keeps docs/slack/manifest.yaml, the scopes the code
// checks and the fake's grants in step.
func TestManifestScopes(t *testing.T) {
	data, err := os.ReadFile("../../docs/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	inUser := false
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "user:":
			inUser = true
		case inUser && strings.HasPrefix(trimmed, "- "):
			scopes = append(scopes, strings.TrimPrefix(trimmed, "- "))
		case inUser && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			inUser = false
		}
	}
	want := RequiredScopes()
	for s := range OptionalScopes() {
		want = append(want, s)
	}
	slices.Sort(scopes)
	slices.Sort(want)
	if !slices.Equal(scopes, want) {
		t.Errorf("manifest user scopes %v\n  code knows %v", scopes, want)
	}
	fake := slackfake.DefaultScopes()
	slices.Sort(fake)
	if !slices.Equal(scopes, fake) {
		t.Errorf("manifest user scopes %v\n  the fake grants %v", scopes, fake)
	}
	readme, err := os.ReadFile("../../docs/slack/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scopes {
		if !strings.Contains(string(readme), "`"+s+"`") {
			t.Errorf("docs/slack/README.md does not explain %s", s)
		}
	}
}

func TestRegisteredAsSlack(t *testing.T) {
	c, err := connectors.Default.New(connectors.Account{Name: "w", Kind: "slack", Settings: map[string]any{"watched": []any{"ops"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(connectors.StatusSetter); !ok {
		t.Error("the registered connector is no StatusSetter")
	}
	_, err = connectors.Default.New(connectors.Account{Name: "w", Kind: "slack", Settings: map[string]any{"wathced": []any{"ops"}}})
	if err == nil || !strings.Contains(err.Error(), "wathced") {
		t.Errorf("unknown key: %v", err)
	}
}

// TestTokenFromTokenCmd: token_cmd is where Resolve looks first, under the
// same key ("token") `lull auth token` stores in the keychain.
func TestTokenFromTokenCmd(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	c := newConn(t, srv, map[string]any{"token_cmd": "echo " + userTok}, testOptions(map[string]string{}))
	if err := c.Validate(context.Background()); err != nil {
		t.Fatalf("Validate with token_cmd: %v", err)
	}
}
