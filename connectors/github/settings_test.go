package github

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     map[string]any
		wantErr string
		check   func(*testing.T, Settings)
	}{
		{name: "defaults", raw: map[string]any{"token_cmd": "pass show gh"}, check: func(t *testing.T, s Settings) {
			if s.BaseURL != "" || s.OnDone != OnDoneDone || time.Duration(s.Poll) != DefaultPoll || *s.SyncDays != DefaultSyncDays {
				t.Errorf("defaults = %+v", s)
			}
			if !slices.Equal(s.Reasons, defaultReasons) {
				t.Errorf("reasons = %v", s.Reasons)
			}
		}},
		{name: "enterprise", raw: map[string]any{"base_url": "https://ghe.example.com/api/v3"}, check: func(t *testing.T, s Settings) {
			if s.BaseURL != "https://ghe.example.com/api/v3/" {
				t.Errorf("base_url = %q", s.BaseURL)
			}
		}},
		{name: "poll as a string", raw: map[string]any{"poll": "2m"}, check: func(t *testing.T, s Settings) {
			if time.Duration(s.Poll) != 2*time.Minute {
				t.Errorf("poll = %v", time.Duration(s.Poll))
			}
		}},
		{name: "poll in seconds", raw: map[string]any{"poll": int64(90)}, check: func(t *testing.T, s Settings) {
			if time.Duration(s.Poll) != 90*time.Second {
				t.Errorf("poll = %v", time.Duration(s.Poll))
			}
		}},
		{name: "reasons", raw: map[string]any{"reasons": []any{"Mention", "review_requested"}}, check: func(t *testing.T, s Settings) {
			if !s.wants("mention") || s.wants("subscribed") {
				t.Errorf("reasons = %v", s.Reasons)
			}
		}},
		{name: "all reasons", raw: map[string]any{"reasons": []any{"all"}}, check: func(t *testing.T, s Settings) {
			if !s.wants("subscribed") || !s.wants("ci_activity") {
				t.Errorf("reasons = %v", s.Reasons)
			}
		}},
		{name: "unknown key", raw: map[string]any{"token": "x"}, wantErr: `unknown setting "token"`},
		{name: "typo key", raw: map[string]any{"ondone": "read"}, wantErr: `unknown setting "ondone"`},
		{name: "bad on_done", raw: map[string]any{"on_done": "archive"}, wantErr: "on_done"},
		{name: "bad reason", raw: map[string]any{"reasons": []any{"mentions"}}, wantErr: `unknown reason "mentions"`},
		{name: "all with others", raw: map[string]any{"reasons": []any{"all", "mention"}}, wantErr: "stands alone"},
		{name: "plain http", raw: map[string]any{"base_url": "http://ghe.example.com/api/v3/"}, wantErr: "plain http"},
		{name: "not a url", raw: map[string]any{"base_url": "ghe.example.com"}, wantErr: "base_url"},
		{name: "bad poll", raw: map[string]any{"poll": "soon"}, wantErr: "poll"},
		{name: "negative poll", raw: map[string]any{"poll": "-1s"}, wantErr: "poll"},
		{name: "negative days", raw: map[string]any{"sync_days": -1}, wantErr: "sync_days"},
		{name: "wrong type", raw: map[string]any{"reasons": "mention"}, wantErr: "setting reasons"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSettings(tc.raw)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}

func TestSnippet(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Looks good", "Looks good"},
		{"<!-- PR template\nfill me -->\n## Summary\n- fixes the **crash**", "Summary fixes the crash"},
		{"> On Monday you wrote\n> stuff\n\nAgreed.", "Agreed."},
		{"See [the docs](https://example.com/docs) and ![shot](https://x/y.png)", "See the docs and shot"},
		{"```go\nfunc main() {}\n```\nThis breaks", "This breaks"},
		{"<details><summary>Log</summary>boom</details>", "Logboom"},
		{strings.Repeat("word ", 100), strings.TrimSpace(strings.Repeat("word ", 40)) + "…"},
		{"Run `make test` __now__", "Run make test now"},
		{"", ""},
	} {
		if got := Snippet(tc.in); got != tc.want {
			t.Errorf("Snippet(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSubjectNumber(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.github.com/repos/a/b/pulls/12":         "12",
		"https://ghe.example.com/api/v3/repos/a/b/issues/3": "3",
		"https://api.github.com/repos/a/b/releases/99":      "",
		"https://api.github.com/repos/a/b/commits/abc":      "",
		"": "",
	} {
		if got := subjectNumber(in); got != want {
			t.Errorf("subjectNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinkRel(t *testing.T) {
	h := map[string][]string{"Link": {`<https://api.github.com/notifications?page=2>; rel="next", <https://api.github.com/notifications?page=5>; rel="last"`}}
	if got := linkRel(h, "next"); got != "https://api.github.com/notifications?page=2" {
		t.Errorf("next = %q", got)
	}
	if got := linkRel(h, "last"); got != "https://api.github.com/notifications?page=5" {
		t.Errorf("last = %q", got)
	}
	if got := linkRel(h, "prev"); got != "" {
		t.Errorf("prev = %q", got)
	}
}
