package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/lullhq/lull/connectors"
)

// ErrAuth means Slack refused the account's token: revoked, wrong, of the
// wrong kind, for another workspace, or missing scopes the app needs.
// Retrying cannot help, so it wraps connectors.ErrPermanent: the engine
// shows the error and stops polling the account until the user fixes it.
var ErrAuth = fmt.Errorf("slack: token not accepted: %w", connectors.ErrPermanent)

// Retry policy of one call: 5xx and network failures are tried again a
// couple of times with a short pause; a 429 waits its Retry-After.
const (
	maxServerRetries = 2
	maxRateRetries   = 5
	serverRetryPause = 100 * time.Millisecond
)

// errorCode returns Slack's error string of an {"ok": false} answer, or "".
func errorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// isAuthError reports whether Slack refused the token itself.
func isAuthError(err error) bool {
	switch errorCode(err) {
	case "invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired",
		"not_allowed_token_type", "missing_scope", "team_access_not_granted", "org_login_required":
		return true
	}
	return false
}

// isGone reports whether a conversation (or thread) is no longer the
// user's to read: Lull stops following it and keeps its items.
func isGone(err error) bool {
	switch errorCode(err) {
	case "channel_not_found", "not_in_channel", "is_archived", "access_denied", "thread_not_found":
		return true
	}
	return false
}

func isBadCursor(err error) bool    { return errorCode(err) == "invalid_cursor" }
func isNotActive(err error) bool    { return errorCode(err) == "snooze_not_active" }
func isMissingScope(err error) bool { return errorCode(err) == "missing_scope" }

// rateLimited is returned by a call made with noWait when Slack asked to
// wait: the caller schedules other work and tries again after retryIn.
type rateLimited struct {
	method  string
	retryIn time.Duration
}

func (e *rateLimited) Error() string {
	return fmt.Sprintf("slack: %s rate limited, retry in %v", e.method, e.retryIn)
}

// CallStats counts Web API requests, retries included.
type CallStats struct {
	Total    int64            `json:"total"`
	ByMethod map[string]int64 `json:"byMethod"`
}

// callCounter counts requests per method; safe for concurrent use.
type callCounter struct {
	total atomic.Int64
	mu    sync.Mutex
	by    map[string]int64
}

func (c *callCounter) add(method string) {
	c.total.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by = map[string]int64{}
	}
	c.by[method]++
}

func (c *callCounter) stats() CallStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := CallStats{Total: c.total.Load(), ByMethod: make(map[string]int64, len(c.by))}
	for k, v := range c.by {
		s.ByMethod[k] = v
	}
	return s
}

// countingClient counts every HTTP request slack-go makes, by API method.
type countingClient struct {
	inner *http.Client
	count *callCounter
}

// Do counts req under its method's name and sends it.
func (c countingClient) Do(req *http.Request) (*http.Response, error) {
	c.count.add(path.Base(req.URL.Path))
	return c.inner.Do(req)
}

// api is the Web API as one account uses it: slack-go's client behind the
// account's pacing, call counting and error classification.
type api struct {
	client  *slack.Client
	lim     *limiter
	log     *slog.Logger
	account string

	mu     sync.Mutex
	scopes []string // X-OAuth-Scopes of the last answer that carried it
}

func (c *Connector) newAPI(token string) *api {
	a := &api{lim: c.lim, log: c.log, account: c.account}
	a.client = slack.New(token,
		slack.OptionAPIURL(c.s.APIURL),
		slack.OptionHTTPClient(countingClient{inner: c.http, count: &c.calls}),
		slack.OptionOnResponseHeaders(func(_ string, h http.Header) {
			if v := h.Get("X-OAuth-Scopes"); v != "" {
				a.mu.Lock()
				a.scopes = splitScopes(v)
				a.mu.Unlock()
			}
		}),
	)
	return a
}

func splitScopes(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// grantedScopes returns the token's scopes as Slack last reported them, or
// nil when it never said (some proxies strip the header).
func (a *api) grantedScopes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.scopes)
}

// do runs one Web API call under the account's pacing. A 429 makes the
// method wait its Retry-After (or, with noWait, returns *rateLimited at
// once); a 5xx or network failure is retried briefly; a rejected token
// becomes an error wrapping ErrAuth. Errors name the method and never the
// token.
func (a *api) do(ctx context.Context, method string, noWait bool, fn func(context.Context) error) error {
	rateRetries, serverRetries := 0, 0
	for {
		if noWait {
			if d := a.lim.take(method); d > 0 {
				return &rateLimited{method: method, retryIn: d}
			}
		} else if err := a.lim.wait(ctx, method); err != nil {
			return err
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var rl *slack.RateLimitedError
		switch {
		case errors.As(err, &rl) || errorCode(err) == "ratelimited":
			wait := time.Second
			if rl != nil && rl.RetryAfter > 0 {
				wait = rl.RetryAfter
			}
			a.lim.penalize(method, wait)
			a.log.Info("slack: rate limited; waiting", "account", a.account, "method", method, "retry_after", wait)
			if noWait {
				return &rateLimited{method: method, retryIn: wait}
			}
			if rateRetries++; rateRetries > maxRateRetries {
				return fmt.Errorf("slack: %s: still rate limited after %d waits: %w", method, maxRateRetries, err)
			}
		case isAuthError(err):
			return authError(a.account, method, err)
		case retryable(err) && serverRetries < maxServerRetries:
			serverRetries++
			if err := sleep(ctx, serverRetryPause<<(serverRetries-1)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("slack: %s: %w", method, err)
		}
	}
}

// retryable reports whether err is a server or network failure worth a
// quick second try (an {"ok": false} answer is not).
func retryable(err error) bool {
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500
	}
	return errorCode(err) == "" && !errors.Is(err, context.Canceled)
}

// authError words a rejected token for the account's status line.
func authError(account, method string, err error) error {
	code := errorCode(err)
	hint := fmt.Sprintf("create a user token (xoxp-) as docs/slack/README.md says and store it with `lull auth token %s` or token_cmd", account)
	if code == "missing_scope" {
		var se slack.SlackErrorResponse
		errors.As(err, &se)
		hint = "reinstall the Slack app from docs/slack/manifest.yaml so the token has every scope Lull needs"
		if se.Needed != "" {
			hint = fmt.Sprintf("the token lacks scope %s: %s", se.Needed, hint)
		}
	}
	return &refusedError{
		msg:   fmt.Sprintf("slack: account %q: Slack refused the token (%s on %s); %s", account, code, method, hint),
		cause: err,
	}
}

// refusedError reads well in the account's status line and still matches
// ErrAuth (so connectors.ErrPermanent) and the Slack error behind it.
type refusedError struct {
	msg   string
	cause error
}

func (e *refusedError) Error() string { return e.msg }
func (e *refusedError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrAuth}
	}
	return []error{ErrAuth, e.cause}
}

// identity is who the token belongs to, from auth.test.
type identity struct {
	UserID, User, TeamID, Team, URL string
}

func (a *api) authTest(ctx context.Context) (identity, error) {
	var r *slack.AuthTestResponse
	err := a.do(ctx, "auth.test", false, func(ctx context.Context) (err error) {
		r, err = a.client.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return identity{}, err
	}
	if r.BotID != "" && r.UserID == "" {
		return identity{}, &refusedError{msg: fmt.Sprintf("slack: account %q: the token is a bot token; Lull needs the user token (xoxp-) of the app", a.account)}
	}
	u := r.URL
	if u != "" && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return identity{UserID: r.UserID, User: r.User, TeamID: r.TeamID, Team: r.Team, URL: u}, nil
}

// conversations lists every conversation the user is a member of, all pages.
func (a *api) conversations(ctx context.Context, teamID string) ([]slack.Channel, error) {
	var all []slack.Channel
	cursor := ""
	for {
		var page []slack.Channel
		var next string
		err := a.do(ctx, "users.conversations", false, func(ctx context.Context) (err error) {
			page, next, err = a.client.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{
				Cursor: cursor, Types: []string{"im", "mpim", "public_channel", "private_channel"}, Limit: 200, ExcludeArchived: true, TeamID: teamID,
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}

func (a *api) history(ctx context.Context, p slack.GetConversationHistoryParameters, noWait bool) (*slack.GetConversationHistoryResponse, error) {
	var r *slack.GetConversationHistoryResponse
	err := a.do(ctx, "conversations.history", noWait, func(ctx context.Context) (err error) {
		r, err = a.client.GetConversationHistoryContext(ctx, &p)
		return err
	})
	return r, err
}

// replies reads a thread's replies after oldest (0: all), every page. The
// root comes first.
func (a *api) replies(ctx context.Context, channel, root string, oldest int64) ([]slack.Message, error) {
	var all []slack.Message
	cursor := ""
	for {
		var page []slack.Message
		var more bool
		var next string
		p := slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: root, Cursor: cursor, Limit: pageSize}
		if oldest > 0 {
			p.Oldest = formatTS(oldest)
		}
		err := a.do(ctx, "conversations.replies", false, func(ctx context.Context) (err error) {
			page, more, next, err = a.client.GetConversationRepliesContext(ctx, &p)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			// The root leads every page; keep it once.
			if len(all) > 0 && m.Timestamp == root {
				continue
			}
			all = append(all, m)
		}
		if !more || next == "" {
			return all, nil
		}
		cursor = next
	}
}

func (a *api) conversationInfo(ctx context.Context, channel string) (*slack.Channel, error) {
	var ch *slack.Channel
	err := a.do(ctx, "conversations.info", false, func(ctx context.Context) (err error) {
		ch, err = a.client.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
		return err
	})
	return ch, err
}

func (a *api) userInfo(ctx context.Context, id string) (*slack.User, error) {
	var u *slack.User
	err := a.do(ctx, "users.info", false, func(ctx context.Context) (err error) {
		u, err = a.client.GetUserInfoContext(ctx, id, slack.GetUserInfoOptionIncludeLocale(false))
		return err
	})
	return u, err
}

func (a *api) userGroups(ctx context.Context) ([]slack.UserGroup, error) {
	var gs []slack.UserGroup
	err := a.do(ctx, "usergroups.list", false, func(ctx context.Context) (err error) {
		gs, err = a.client.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeUsers(true))
		return err
	})
	return gs, err
}

func (a *api) mark(ctx context.Context, channel, ts string) error {
	return a.do(ctx, "conversations.mark", false, func(ctx context.Context) error {
		return a.client.MarkConversationContext(ctx, channel, ts)
	})
}

func (a *api) profile(ctx context.Context) (*slack.UserProfile, error) {
	var p *slack.UserProfile
	err := a.do(ctx, "users.profile.get", false, func(ctx context.Context) (err error) {
		p, err = a.client.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{})
		return err
	})
	return p, err
}

func (a *api) setStatus(ctx context.Context, text, emoji string, expiration int64) error {
	return a.do(ctx, "users.profile.set", false, func(ctx context.Context) error {
		return a.client.SetUserCustomStatusContext(ctx, text, emoji, expiration)
	})
}

func (a *api) dndInfo(ctx context.Context) (*slack.DNDStatus, error) {
	var st *slack.DNDStatus
	err := a.do(ctx, "dnd.info", false, func(ctx context.Context) (err error) {
		st, err = a.client.GetDNDInfoContext(ctx, nil)
		return err
	})
	return st, err
}

func (a *api) setSnooze(ctx context.Context, minutes int) (*slack.DNDStatus, error) {
	var st *slack.DNDStatus
	err := a.do(ctx, "dnd.setSnooze", false, func(ctx context.Context) (err error) {
		st, err = a.client.SetSnoozeContext(ctx, minutes)
		return err
	})
	return st, err
}

func (a *api) endSnooze(ctx context.Context) error {
	return a.do(ctx, "dnd.endSnooze", false, func(ctx context.Context) error {
		_, err := a.client.EndSnoozeContext(ctx)
		return err
	})
}
