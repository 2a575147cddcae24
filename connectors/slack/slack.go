// Package slack is the Slack connector. With a user token (xoxp-) of the
// internal app in docs/slack/manifest.yaml it pulls into the inbox: direct
// and group messages, messages that mention the user or one of their user
// groups, replies in threads the user started or replied to, and every
// message of the channels the account watches.
//
// Each conversation is read with conversations.history, newest first,
// resumably (Slack's next_cursor is kept in the cursor), then polled for
// what came after the newest message read: one call per conversation when
// nothing changed. A refresh pass re-reads each conversation's recent page
// to find edits and deletions of the items Lull holds. With an app-level
// token (xapp-) Socket Mode pushes message events, which become items at
// once; polling then only backs them up. Calls are paced under Slack's
// per-method tiers and honour Retry-After, so a conversations.history
// limited to one call a minute makes the sync slower, never lossy.
//
// Item ids are "<account>/<channel>/<ts>"; an item's Thread is
// "<channel>/<thread_ts>" so replies group with their root.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/secret"
)

func init() {
	connectors.Register("slack", New)
}

// Secret keys the account's tokens are resolved under: token_cmd, the
// environment (LULL_TOKEN_<ACCOUNT>) or the keychain ("<account>/token",
// what `lull auth token ACCOUNT` stores); app_token likewise.
const (
	TokenKey    = "token"
	AppTokenKey = "app_token"
)

// Options are what tests and the benchmark set beyond the settings.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Secrets finds the tokens; the zero value uses the OS keychain and
	// the process environment.
	Secrets secret.Resolver
	// HTTPClient carries the Web API calls; nil is a client with a 60 s timeout.
	HTTPClient *http.Client
	// Unpaced turns off pacing under Slack's tiers (429s are still
	// honoured): for a test server that has no tiers.
	Unpaced bool
	// PollInterval is how often followed conversations (DMs, watched
	// channels) are polled without Socket Mode; other channels are polled
	// three times less often. Default one minute.
	PollInterval time.Duration
	// RefreshInterval is how often recent items are re-read for edits and
	// deletions, and the poll interval while Socket Mode is up. Default 15 minutes.
	RefreshInterval time.Duration
	// SocketPing is how often Slack must ping a Socket Mode connection
	// before it counts as dead; 0 is slack-go's default (30 s).
	SocketPing time.Duration
}

// Connector syncs one Slack account.
type Connector struct {
	account string
	s       Settings
	raw     map[string]any
	opts    Options
	now     func() time.Time
	log     *slog.Logger
	http    *http.Client
	lim     *limiter
	calls   callCounter

	// mu guards the fields below, shared by Sync, Act and the StatusSetter.
	mu     sync.Mutex
	cached *api      // the client of the last token resolved
	who    identity  // from the last auth.test
	names  nameCache // users, by id
	focus  focusState
}

var (
	_ connectors.Connector    = (*Connector)(nil)
	_ connectors.Actor        = (*Connector)(nil)
	_ connectors.Validator    = (*Connector)(nil)
	_ connectors.StatusSetter = (*Connector)(nil)
)

// New builds the connector for a configured account.
func New(acct connectors.Account) (connectors.Connector, error) {
	s, err := ParseSettings(acct.Settings)
	if err != nil {
		return nil, err
	}
	return NewWith(acct.Name, s, acct.Settings, Options{Now: acct.Now}), nil
}

// NewWith builds a connector from parsed settings; raw is the account's
// table, where the secret resolver finds token_cmd and app_token_cmd.
func NewWith(account string, s Settings, raw map[string]any, opts Options) *Connector {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Minute
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = 15 * time.Minute
	}
	return &Connector{
		account: account,
		s:       s,
		raw:     raw,
		opts:    opts,
		now:     opts.Now,
		log:     opts.Logger,
		http:    opts.HTTPClient,
		lim:     newLimiter(opts.Now, !opts.Unpaced),
		names:   nameCache{users: map[string]string{}},
	}
}

// Calls returns how many Web API requests the connector has made, in all.
// Each sync pass logs its own count.
func (c *Connector) Calls() CallStats { return c.calls.stats() }

// api resolves the token and returns a client for it, checking its kind.
func (c *Connector) api(ctx context.Context) (*api, error) {
	token, err := c.opts.Secrets.Resolve(ctx, c.account, TokenKey, c.raw)
	if err != nil {
		return nil, fmt.Errorf("slack: account %q: %w", c.account, err)
	}
	token = strings.TrimSpace(token)
	switch {
	case strings.HasPrefix(token, "xoxb-"):
		return nil, &refusedError{msg: fmt.Sprintf("slack: account %q: the token is a bot token (xoxb-); Lull needs the app's user token (xoxp-), see docs/slack/README.md", c.account)}
	case strings.HasPrefix(token, "xapp-"):
		return nil, &refusedError{msg: fmt.Sprintf("slack: account %q: the token is an app-level token (xapp-); it belongs in app_token_cmd, and token_cmd needs the user token (xoxp-)", c.account)}
	}
	a := c.newAPI(token)
	c.mu.Lock()
	c.cached = a
	c.mu.Unlock()
	return a, nil
}

// session returns the client and identity of the account, reusing what
// Sync found when it can: Act and SetFocus run beside it.
func (c *Connector) session(ctx context.Context) (*api, identity, error) {
	c.mu.Lock()
	a, who := c.cached, c.who
	c.mu.Unlock()
	if a != nil && who.UserID != "" {
		return a, who, nil
	}
	a, err := c.api(ctx)
	if err != nil {
		return nil, identity{}, err
	}
	who, err = c.identify(ctx, a)
	return a, who, err
}

// identify runs auth.test and checks the token is for the right workspace.
func (c *Connector) identify(ctx context.Context, a *api) (identity, error) {
	who, err := a.authTest(ctx)
	if err != nil {
		return identity{}, err
	}
	if t := c.s.Team; t != "" && !strings.EqualFold(t, who.TeamID) && !strings.EqualFold(t, who.Team) && !strings.EqualFold(t, workspaceDomain(who.URL)) {
		return identity{}, &refusedError{msg: fmt.Sprintf("slack: account %q: the token is for workspace %q (%s), but the account says team = %q", c.account, who.Team, who.TeamID, t)}
	}
	c.mu.Lock()
	c.who = who
	c.mu.Unlock()
	return who, nil
}

// workspaceDomain is "acme" of "https://acme.slack.com/".
func workspaceDomain(u string) string {
	host := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	name, _, _ := strings.Cut(host, ".")
	return name
}

// RequiredScopes are the user scopes sync cannot work without.
func RequiredScopes() []string {
	return []string{
		"channels:history", "groups:history", "im:history", "mpim:history",
		"channels:read", "groups:read", "im:read", "mpim:read", "users:read",
	}
}

// OptionalScopes are the user scopes of features that degrade without them.
func OptionalScopes() map[string]string {
	return map[string]string{
		"usergroups:read":     "mentions of your user groups",
		"users.profile:read":  "the focus status (checking a status you set by hand)",
		"users.profile:write": "the focus status",
		"dnd:read":            "snoozing Slack notifications during focus",
		"dnd:write":           "snoozing Slack notifications during focus",
		"channels:write":      "mark_read_on_done in channels",
		"groups:write":        "mark_read_on_done in private channels",
		"im:write":            "mark_read_on_done in DMs",
		"mpim:write":          "mark_read_on_done in group DMs",
	}
}

// missingScopes returns the required scopes the token lacks, or nil when
// Slack did not say which scopes it has.
func missingScopes(granted []string) []string {
	if granted == nil {
		return nil
	}
	var out []string
	for _, s := range RequiredScopes() {
		if !contains(granted, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Validate checks the token: that Slack accepts it, that it is a user
// token for the configured workspace, and that it has the scopes sync needs.
func (c *Connector) Validate(ctx context.Context) error {
	a, err := c.api(ctx)
	if err != nil {
		return err
	}
	if _, err := c.identify(ctx, a); err != nil {
		return err
	}
	if miss := missingScopes(a.grantedScopes()); len(miss) > 0 {
		return &refusedError{msg: fmt.Sprintf("slack: account %q: the token lacks the scopes %s; reinstall the app from docs/slack/manifest.yaml", c.account, strings.Join(miss, ", "))}
	}
	if _, err := c.opts.Secrets.Resolve(ctx, c.account, AppTokenKey, c.raw); err != nil && !errors.Is(err, secret.ErrNotFound) {
		return fmt.Errorf("slack: account %q: app token: %w", c.account, err)
	}
	return nil
}

// AppURL returns the slack:// deep link of an item's message, which opens
// it in the Slack app rather than the browser.
func (c *Connector) AppURL(id inbox.ID) (string, error) {
	channel, ts, err := splitID(id)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	team := c.who.TeamID
	c.mu.Unlock()
	if team == "" {
		return "", fmt.Errorf("slack: account %q: workspace not known yet", c.account)
	}
	return DeepLink(team, channel, ts), nil
}

// splitID returns the channel and ts of an item id of this connector.
func splitID(id inbox.ID) (channel, ts string, err error) {
	_, native, err := id.Split()
	if err != nil {
		return "", "", err
	}
	channel, ts, ok := strings.Cut(native, "/")
	if _, valid := parseTS(ts); !ok || channel == "" || !valid {
		return "", "", fmt.Errorf("slack: %q is not a Slack item id", id)
	}
	return channel, ts, nil
}
