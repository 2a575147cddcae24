package config

import (
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

func TestNorms(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
		want    map[string]time.Duration // source (slack_dm for DMs) → norm
	}{
		{name: "defaults", in: "", want: map[string]time.Duration{
			"email": 24 * time.Hour, "slack_dm": 4 * time.Hour, "slack": 8 * time.Hour, "github": 24 * time.Hour, "asana": 24 * time.Hour}},
		{name: "all set", in: "[norms]\nemail = \"2d\"\nslack_dm = \"30m\"\nslack = \"1h30m\"\ngithub = \"1w\"\nasana = \"12h\"\n", want: map[string]time.Duration{
			"email": 48 * time.Hour, "slack_dm": 30 * time.Minute, "slack": 90 * time.Minute, "github": 7 * 24 * time.Hour, "asana": 12 * time.Hour}},
		{name: "some set", in: "[norms]\nslack = \"2h\"\n", want: map[string]time.Duration{
			"email": 24 * time.Hour, "slack_dm": 4 * time.Hour, "slack": 2 * time.Hour}},
		{name: "unknown key", in: "[norms]\nteams = \"1h\"\n", wantErr: `unknown key "norms.teams"`},
		{name: "bad duration", in: "[norms]\nemail = \"soon\"\n", wantErr: `norms.email: "soon" is not a length of time`},
		{name: "zero", in: "[norms]\nslack_dm = \"0s\"\n", wantErr: "norms.slack_dm: \"0s\" must be more than zero"},
		{name: "negative", in: "[norms]\ngithub = \"-1h\"\n", wantErr: "norms.github"},
		{name: "not a string", in: "[norms]\nemail = 24\n", wantErr: "norms.email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("test.toml", []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for src, want := range tt.want {
				got := c.Norms.For(inbox.Source(src), false)
				if src == "slack_dm" {
					got = c.Norms.For(inbox.SourceSlack, true)
				}
				if got != want {
					t.Errorf("%s: %v, want %v", src, got, want)
				}
			}
		})
	}
	// DMs are a Slack notion: an email marked DM keeps the email norm.
	if got := (Norms{}).For(inbox.SourceEmail, true); got != 24*time.Hour {
		t.Fatalf("email dm = %v", got)
	}
}

func TestParseSpan(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90m", 90 * time.Minute, true},
		{"4h30m", 4*time.Hour + 30*time.Minute, true},
		{"3d", 72 * time.Hour, true},
		{"1w", 168 * time.Hour, true},
		{" 2h ", 2 * time.Hour, true},
		{"0d", 0, false},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"tomorrow", 0, false},
		{"", 0, false},
	} {
		got, err := ParseSpan(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
