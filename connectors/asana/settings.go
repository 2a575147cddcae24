package asana

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lullhq/lull/connectors"
)

// DefaultBaseURL is Asana's public API.
const DefaultBaseURL = "https://app.asana.com/api/1.0"

// DefaultPoll is the time between two polls unless poll says otherwise.
const DefaultPoll = 60 * time.Second

// DefaultSyncDays is how far back the initial sync reaches: comments from
// the last two weeks on tasks modified in them.
const DefaultSyncDays = 14

// maxSyncDays bounds sync_days: every task modified in the window costs a
// request at the initial sync.
const maxSyncDays = 365

// Settings is an Asana account's config table:
//
//	[accounts.asana]
//	kind = "asana"
//	token_cmd = "pass show lull/asana"   # else env LULL_TOKEN_ASANA, else the OS keychain ("asana/token")
//	workspaces = ["Acme", "1200000000000001"]  # names or gids; default every workspace of the user
//	poll = "60s"
//	sync_days = 14                       # initial-sync depth, 1 to 365
//	base_url = "https://app.asana.com/api/1.0"
type Settings struct {
	BaseURL    string   `json:"base_url"`
	Workspaces []string `json:"workspaces"`
	Poll       Duration `json:"poll"`
	SyncDays   *int     `json:"sync_days"`

	// TokenCmd is read by the secret resolver, not here; it is listed so
	// the strict decoder accepts it.
	TokenCmd string `json:"token_cmd"`
}

// Duration is a setting written as a Go duration string or a number of seconds.
type Duration = connectors.Duration

// ParseSettings reads and checks an account's settings, filling defaults.
// Unknown keys are an error that names the key.
func ParseSettings(raw map[string]any) (Settings, error) {
	var s Settings
	if err := connectors.DecodeSettings("asana", raw, &s); err != nil {
		return s, err
	}
	return s, s.normalise()
}

func (s *Settings) normalise() error {
	s.BaseURL = strings.TrimSpace(s.BaseURL)
	if s.BaseURL == "" {
		s.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("asana: setting base_url: want an address such as %s, got %q", DefaultBaseURL, s.BaseURL)
	}
	if u.Scheme == "http" && !connectors.IsLoopback(u.Hostname()) {
		return fmt.Errorf("asana: setting base_url: %q is plain http; the token would cross the network in the clear (use https)", s.BaseURL)
	}
	s.BaseURL = strings.TrimSuffix(u.String(), "/")

	seen := map[string]bool{}
	for i, w := range s.Workspaces {
		w = strings.TrimSpace(w)
		if w == "" {
			return errors.New("asana: setting workspaces: empty workspace name")
		}
		if seen[strings.ToLower(w)] {
			return fmt.Errorf("asana: setting workspaces: %q listed twice", w)
		}
		seen[strings.ToLower(w)] = true
		s.Workspaces[i] = w
	}

	switch {
	case s.Poll == 0:
		s.Poll = Duration(DefaultPoll)
	case s.Poll < 0:
		return fmt.Errorf("asana: setting poll: must be positive, got %v", time.Duration(s.Poll))
	}

	if s.SyncDays == nil {
		d := DefaultSyncDays
		s.SyncDays = &d
	}
	if *s.SyncDays < 1 || *s.SyncDays > maxSyncDays {
		return fmt.Errorf("asana: setting sync_days: want 1 to %d, got %d", maxSyncDays, *s.SyncDays)
	}
	return nil
}

// horizon is the oldest comment (and task change) the connector looks at.
func (s Settings) horizon(now time.Time) time.Time {
	return now.AddDate(0, 0, -*s.SyncDays)
}
