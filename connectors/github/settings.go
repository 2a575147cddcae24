package github

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lullhq/lull/connectors"
)

// What happens on GitHub when the user marks an item done in Lull.
const (
	OnDoneDone = "done" // DELETE /notifications/threads/{id}: the thread leaves the GitHub inbox
	OnDoneRead = "read" // PATCH /notifications/threads/{id}: the thread stays, read
	OnDoneNone = "none" // GitHub is left as it is
)

// DefaultPoll is the shortest time between two polls unless poll says
// otherwise; GitHub's X-Poll-Interval (usually 60 s) can only lengthen it.
const DefaultPoll = 60 * time.Second

// DefaultSyncDays is how far back the initial sync reaches, and how far back
// a thread that leaves the notification list is noticed as gone.
const DefaultSyncDays = 30

// Reasons GitHub gives for a notification
// (https://docs.github.com/rest/activity/notifications#about-notification-reasons).
var knownReasons = []string{
	"approval_requested", "assign", "author", "ci_activity", "comment", "invitation",
	"manual", "member_feature_requested", "mention", "review_requested",
	"security_advisory_credit", "security_alert", "state_change", "subscribed", "team_mention",
}

// defaultReasons are the reasons where the user takes part: threads they
// wrote, were assigned, commented on, were mentioned in or asked to review.
// Watching a repository ("subscribed"), CI runs and security alerts are left
// out: they are the noise a focus inbox exists to hold back.
var defaultReasons = []string{
	"approval_requested", "assign", "author", "comment", "manual", "mention",
	"review_requested", "state_change", "team_mention",
}

// allReasons in the reasons setting takes every notification.
const allReasons = "all"

// Settings is a GitHub account's config table:
//
//	[accounts.gh]
//	kind = "github"
//	token_cmd = "pass show lull/github"  # else env LULL_TOKEN_GH, else the OS keychain ("gh/token")
//	base_url = "https://ghe.example.com/api/v3/"  # GitHub Enterprise Server; default api.github.com
//	reasons = ["review_requested", "mention", "team_mention", "assign", "author", "comment"]
//	                                     # default defaultReasons; ["all"] keeps every notification
//	on_done = "done"                     # "done" | "read" | "none"
//	poll = "60s"                         # shortest poll interval; X-Poll-Interval can only lengthen it
//	sync_days = 30                       # initial-sync depth; 0 = all GitHub keeps
type Settings struct {
	BaseURL  string   `json:"base_url"`
	Reasons  []string `json:"reasons"`
	OnDone   string   `json:"on_done"`
	Poll     Duration `json:"poll"`
	SyncDays *int     `json:"sync_days"`

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
	if err := connectors.DecodeSettings("github", raw, &s); err != nil {
		return s, err
	}
	return s, s.normalise()
}

func (s *Settings) normalise() error {
	s.BaseURL = strings.TrimSpace(s.BaseURL)
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("github: setting base_url: want an address such as https://ghe.example.com/api/v3/, got %q", s.BaseURL)
		}
		if u.Scheme == "http" && !connectors.IsLoopback(u.Hostname()) {
			return fmt.Errorf("github: setting base_url: %q is plain http; the token would cross the network in the clear (use https)", s.BaseURL)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		s.BaseURL = u.String()
	}

	if len(s.Reasons) == 0 {
		s.Reasons = slices.Clone(defaultReasons)
	}
	for i, r := range s.Reasons {
		r = strings.ToLower(strings.TrimSpace(r))
		s.Reasons[i] = r
		if r == allReasons {
			if len(s.Reasons) > 1 {
				return fmt.Errorf("github: setting reasons: %q stands alone", allReasons)
			}
			continue
		}
		if !slices.Contains(knownReasons, r) {
			return fmt.Errorf("github: setting reasons: unknown reason %q (GitHub's reasons: %s, or \"all\")", r, strings.Join(knownReasons, ", "))
		}
	}

	switch s.OnDone {
	case "":
		s.OnDone = OnDoneDone
	case OnDoneDone, OnDoneRead, OnDoneNone:
	default:
		return fmt.Errorf("github: setting on_done: want \"done\", \"read\" or \"none\", got %q", s.OnDone)
	}

	switch {
	case s.Poll == 0:
		s.Poll = Duration(DefaultPoll)
	case s.Poll < 0:
		return fmt.Errorf("github: setting poll: must be positive, got %v", time.Duration(s.Poll))
	}

	if s.SyncDays == nil {
		d := DefaultSyncDays
		s.SyncDays = &d
	}
	if *s.SyncDays < 0 {
		return fmt.Errorf("github: setting sync_days: must not be negative, got %d", *s.SyncDays)
	}
	return nil
}

// wants reports whether a notification with reason becomes an item.
func (s Settings) wants(reason string) bool {
	return slices.Contains(s.Reasons, allReasons) || slices.Contains(s.Reasons, reason)
}

// horizon is the oldest thread update the connector looks at, or zero for all.
func (s Settings) horizon(now time.Time) time.Time {
	if s.SyncDays == nil || *s.SyncDays == 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -*s.SyncDays)
}
