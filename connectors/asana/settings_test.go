package asana

import (
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
		{name: "defaults", raw: map[string]any{"token_cmd": "pass show asana"}, check: func(t *testing.T, s Settings) {
			if s.BaseURL != DefaultBaseURL || time.Duration(s.Poll) != DefaultPoll || *s.SyncDays != DefaultSyncDays || len(s.Workspaces) != 0 {
				t.Errorf("defaults = %+v", s)
			}
		}},
		{name: "workspaces and poll", raw: map[string]any{"workspaces": []any{" Acme ", "1200"}, "poll": int64(120), "base_url": "https://app.asana.com/api/1.0/"}, check: func(t *testing.T, s Settings) {
			if len(s.Workspaces) != 2 || s.Workspaces[0] != "Acme" || time.Duration(s.Poll) != 2*time.Minute || s.BaseURL != DefaultBaseURL {
				t.Errorf("settings = %+v", s)
			}
		}},
		{name: "unknown key", raw: map[string]any{"workspace": "Acme"}, wantErr: `unknown setting "workspace"`},
		{name: "token in file", raw: map[string]any{"token": "x"}, wantErr: `unknown setting "token"`},
		{name: "empty workspace", raw: map[string]any{"workspaces": []any{""}}, wantErr: "empty workspace"},
		{name: "twice", raw: map[string]any{"workspaces": []any{"Acme", "acme"}}, wantErr: "listed twice"},
		{name: "plain http", raw: map[string]any{"base_url": "http://asana.example.com/api/1.0"}, wantErr: "plain http"},
		{name: "loopback http", raw: map[string]any{"base_url": "http://127.0.0.1:8080/api/1.0"}},
		{name: "days zero", raw: map[string]any{"sync_days": 0}, wantErr: "sync_days"},
		{name: "days too many", raw: map[string]any{"sync_days": 400}, wantErr: "sync_days"},
		{name: "bad poll", raw: map[string]any{"poll": "often"}, wantErr: "poll"},
		{name: "wrong type", raw: map[string]any{"workspaces": "Acme"}, wantErr: "setting workspaces"},
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
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	me := user{GID: "42", Name: "Dana Smith"}
	for _, tc := range []struct {
		text, html string
		want       bool
	}{
		{"Can you look @Dana Smith", `<body>Can you look <a data-asana-gid="42" href="https://app.asana.com/0/profile/42">@Dana Smith</a></body>`, true},
		{"hi", `<body><a href="https://app.asana.com/0/profile/42" data-asana-type="user">@D</a></body>`, true},
		{"@dana smith, thoughts?", "", true},
		{"@Dana Smithson knows", "", false},
		{"ask @Dana Smith2", "", false},
		{"pinging Dana", `<body><a data-asana-gid="421">@Other</a></body>`, false},
		{"email dana.smith@example.com", "", false},
	} {
		if got := mentions(story{Text: tc.text, HTMLText: tc.html}, me); got != tc.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tc.text, tc.html, got, tc.want)
		}
	}
}
