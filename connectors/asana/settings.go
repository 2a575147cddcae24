package asana

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
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

// Duration is a setting written as a Go duration string ("90s", "2m") or
// a number of seconds.
type Duration time.Duration

// UnmarshalJSON reads "90s" or 90.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case float64:
		*d = Duration(v * float64(time.Second))
	case string:
		p, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want a duration such as \"60s\" or \"2m\", got %q", v)
		}
		*d = Duration(p)
	case nil:
		*d = 0
	default:
		return fmt.Errorf("want a duration such as \"60s\", got %s", b)
	}
	return nil
}

// ParseSettings reads and checks an account's settings, filling defaults.
// Unknown keys are an error that names the key.
func ParseSettings(raw map[string]any) (Settings, error) {
	var s Settings
	data, err := json.Marshal(raw)
	if err != nil {
		return s, fmt.Errorf("asana: settings: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			return s, fmt.Errorf("asana: setting %s: want %s, got %s", typeErr.Field, typeErr.Type, typeErr.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return s, fmt.Errorf("asana: unknown setting %s (known: base_url, poll, sync_days, token_cmd, workspaces)",
				strings.TrimPrefix(err.Error(), "json: unknown field "))
		case strings.Contains(err.Error(), "duration"):
			return s, fmt.Errorf("asana: setting poll: %w", err)
		}
		return s, fmt.Errorf("asana: settings: %w", err)
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
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
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

// isLoopback reports whether host names this machine without leaving it.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
