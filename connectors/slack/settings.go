package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/lullhq/lull/connectors"
)

// DefaultAPIURL is the public Slack Web API base.
const DefaultAPIURL = "https://slack.com/api/"

// DefaultSyncDays is how far back the initial sync reaches by default:
// Slack is a stream; a focus inbox wants the last weeks, not the archive.
const DefaultSyncDays = 14

// Defaults of the focus status Lull sets on Slack.
const (
	DefaultStatusText  = "Focusing until {until}"
	DefaultStatusEmoji = ":no_bell:"
)

// Settings is a Slack account's config table:
//
//	[accounts.acme]
//	kind = "slack"
//	token_cmd = "pass show lull/acme-slack"   # else `lull auth token acme` (OS keychain)
//	app_token_cmd = "pass show lull/acme-xapp" # optional: Socket Mode push
//	watched = ["#incidents", "C0123456"]      # channels to take every message from
//	mark_read_on_done = false                  # done marks the conversation read in Slack
//	sync_days = 14                             # initial-sync depth; 0 = everything
//	team = ""                                  # optional: expected workspace (T… id or domain)
//	status_text = "Focusing until {until}"     # focus status; {until} is the end, 15:04
//	status_emoji = ":no_bell:"
//	api_url = "https://slack.com/api/"         # tests and proxies only
type Settings struct {
	Watched        []string `json:"watched"`
	MarkReadOnDone bool     `json:"mark_read_on_done"`
	SyncDays       *int     `json:"sync_days"`
	APIURL         string   `json:"api_url"`
	Team           string   `json:"team"`
	StatusText     string   `json:"status_text"`
	StatusEmoji    string   `json:"status_emoji"`

	// Secret commands are read by the secret resolver, not here; they are
	// listed so the strict decoder accepts them.
	TokenCmd    string `json:"token_cmd"`
	AppTokenCmd string `json:"app_token_cmd"`
}

// ParseSettings reads and checks an account's settings, filling defaults.
// Unknown keys are an error that names the key.
func ParseSettings(raw map[string]any) (Settings, error) {
	var s Settings
	if err := connectors.DecodeSettings("slack", raw, &s); err != nil {
		return s, err
	}
	return s, s.normalise()
}

func (s *Settings) normalise() error {
	if s.APIURL == "" {
		s.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(s.APIURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("slack: setting api_url: %q is not a URL", s.APIURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !connectors.IsLoopback(u.Hostname()) {
			return fmt.Errorf("slack: setting api_url: plain http is only allowed to a loopback host, not %q: the token would cross the network in the clear", u.Host)
		}
	default:
		return fmt.Errorf("slack: setting api_url: want an https URL, got %q", s.APIURL)
	}
	if !strings.HasSuffix(s.APIURL, "/") {
		s.APIURL += "/"
	}
	seen := map[string]bool{}
	for i, w := range s.Watched {
		w = strings.TrimPrefix(strings.TrimSpace(w), "#")
		if w == "" || strings.ContainsAny(w, " ,") {
			return fmt.Errorf("slack: setting watched: bad channel %q", s.Watched[i])
		}
		if seen[w] {
			return fmt.Errorf("slack: setting watched: %q listed twice", w)
		}
		seen[w] = true
		s.Watched[i] = w
	}
	if s.SyncDays == nil {
		d := DefaultSyncDays
		s.SyncDays = &d
	}
	if *s.SyncDays < 0 {
		return fmt.Errorf("slack: setting sync_days: must not be negative, got %d", *s.SyncDays)
	}
	s.Team = strings.TrimSpace(s.Team)
	if s.StatusText == "" {
		s.StatusText = DefaultStatusText
	}
	if len([]rune(s.StatusText)) > 100 {
		return errors.New("slack: setting status_text: Slack allows at most 100 characters")
	}
	if s.StatusEmoji == "" {
		s.StatusEmoji = DefaultStatusEmoji
	}
	if !strings.HasPrefix(s.StatusEmoji, ":") || !strings.HasSuffix(s.StatusEmoji, ":") || len(s.StatusEmoji) < 3 {
		return fmt.Errorf("slack: setting status_emoji: want an emoji code like \":no_bell:\", got %q", s.StatusEmoji)
	}
	return nil
}

// watches reports whether the channel (by id or name) is watched.
func (s Settings) watches(id, name string) bool {
	for _, w := range s.Watched {
		if w == id || (name != "" && strings.EqualFold(w, name)) {
			return true
		}
	}
	return false
}
