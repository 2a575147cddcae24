package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/lullhq/lull/connectors"
)

// requestTimeout caps one HTTP exchange; ctx still ends it sooner.
const requestTimeout = time.Minute

// maxRateWaits bounds how many rate-limit waits one request sits out
// before it gives up and lets the engine retry.
const maxRateWaits = 3

// errNotModified is a 304 to a conditional request: nothing changed.
var errNotModified = errors.New("github: not modified")

// api is one authenticated GitHub (or GitHub Enterprise) client.
type api struct {
	gh   *gh.Client
	base *url.URL

	mu sync.Mutex
	// quietUntil is when the last rate limit ends: no request goes out
	// before it, whichever goroutine (Sync, Act) asks.
	quietUntil time.Time
}

// newAPI builds a client for base (empty: api.github.com) that sends token.
func newAPI(base, token string, rt http.RoundTripper) (*api, error) {
	if rt == nil {
		rt = http.DefaultTransport
	}
	opts := []gh.ClientOptionsFunc{
		// Each client gets its own http.Client: WithAuthToken wraps its transport.
		gh.WithHTTPClient(&http.Client{Transport: rt, Timeout: requestTimeout}),
		gh.WithAuthToken(token),
		gh.WithUserAgent("lull"),
	}
	if base != "" {
		opts = append(opts, gh.WithEnterpriseURLs(base, base))
	}
	c, err := gh.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("github client: %w", err)
	}
	u, err := url.Parse(c.BaseURL())
	if err != nil {
		return nil, fmt.Errorf("github client: base URL: %w", err)
	}
	return &api{gh: c, base: u}, nil
}

// ours reports whether an absolute address the API returned points at the
// API itself, so following it never sends the token to another host.
func (a *api) ours(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return u.Scheme == a.base.Scheme && u.Host == a.base.Host
}

// send makes one request (a path relative to the base, or one of the API's
// own absolute addresses), decoding a JSON answer into v when v is not nil.
// Rate limits (primary, and secondary 403/429 with Retry-After) are sat out
// when the wait is at most maxWait and fits ctx; otherwise send returns a
// *rateLimitedError. A 304 is errNotModified; a 401 wraps
// connectors.ErrPermanent; other failures are *apiError or transport errors.
func (a *api) send(ctx context.Context, method, path string, hdr http.Header, v any, maxWait time.Duration) (*gh.Response, error) {
	for waits := 0; ; waits++ {
		if wait := a.quiet(); wait > 0 {
			if err := a.sitOut(ctx, wait, maxWait, waits, nil); err != nil {
				return nil, err
			}
			continue
		}
		req, err := a.gh.NewRequest(ctx, method, path, nil)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		for k, vs := range hdr {
			req.Header[k] = vs
		}
		resp, err := a.gh.Do(req, v)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return resp, ctx.Err()
		}
		status := 0
		if resp != nil && resp.Response != nil {
			status = resp.StatusCode
		}
		if status == http.StatusNotModified {
			return resp, errNotModified
		}
		if wait, ok := rateLimitWait(err, resp, time.Now()); ok {
			a.mu.Lock()
			a.quietUntil = later(a.quietUntil, time.Now().Add(wait))
			a.mu.Unlock()
			if err := a.sitOut(ctx, wait, maxWait, waits, err); err != nil {
				return resp, err
			}
			continue
		}
		return resp, classify(method, req.URL, status, err)
	}
}

// quiet returns how long requests must still wait for a rate limit.
func (a *api) quiet() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return time.Until(a.quietUntil)
}

// sitOut waits out a rate limit of wait, or returns a *rateLimitedError
// when the wait is longer than maxWait, does not fit ctx, or this request
// has waited maxRateWaits times already.
func (a *api) sitOut(ctx context.Context, wait, maxWait time.Duration, waits int, cause error) error {
	limit := maxWait
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	if waits >= maxRateWaits || wait > limit {
		return &rateLimitedError{Until: time.Now().Add(wait), err: cause}
	}
	return sleep(ctx, wait)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// apiError is a GitHub answer other than success, a rate limit or 401.
type apiError struct {
	Status  int
	Method  string
	Path    string
	Message string
	err     error
}

func (e *apiError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, msg)
}

func (e *apiError) Unwrap() error { return e.err }

// statusOf returns the HTTP status behind err, or 0.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// rateLimitedError says GitHub asked for a longer pause than Sync sits out.
type rateLimitedError struct {
	Until time.Time
	err   error
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited by GitHub until %s", e.Until.Local().Format("15:04:05"))
}

func (e *rateLimitedError) Unwrap() error { return e.err }

// classify turns a failed exchange into the error Sync returns.
func classify(method string, u *url.URL, status int, err error) error {
	var er *gh.ErrorResponse
	msg := ""
	if errors.As(err, &er) {
		msg = er.Message
	}
	switch {
	case status == http.StatusUnauthorized:
		if msg == "" {
			msg = "Bad credentials"
		}
		return fmt.Errorf("token rejected (401 %s): check token_cmd or the keychain entry: %w", msg, connectors.ErrPermanent)
	case status != 0:
		return &apiError{Status: status, Method: method, Path: u.Path, Message: msg, err: err}
	}
	return fmt.Errorf("%s %s: %w", method, u.Path, err)
}

// notificationsError explains a failure to read the notification list: a
// 403 there is a token that may not (a fine-grained token, or a classic
// one without the notifications or repo scope), a 404 a wrong base_url;
// retrying fixes neither.
func notificationsError(err error) error {
	switch statusOf(err) {
	case http.StatusForbidden:
		return fmt.Errorf("the token may not read notifications (%v): use a classic personal access token with the notifications scope (fine-grained tokens cannot read notifications; see docs/github.md): %w",
			err, connectors.ErrPermanent)
	case http.StatusNotFound:
		return fmt.Errorf("no notifications API at this address (%v): check base_url (GitHub Enterprise: https://HOST/api/v3/): %w",
			err, connectors.ErrPermanent)
	}
	return err
}

// rateLimitWait says how long GitHub asked the client to wait, following
// its documented order: Retry-After; else, with X-RateLimit-Remaining 0,
// until X-RateLimit-Reset; else, for a secondary limit, at least a minute.
func rateLimitWait(err error, resp *gh.Response, now time.Time) (time.Duration, bool) {
	var primary *gh.RateLimitError
	if errors.As(err, &primary) {
		if h := primary.Response; h != nil {
			if d, ok := retryAfter(h.Header); ok {
				return d, true
			}
		}
		return untilReset(primary.Rate.Reset.Time, now), true
	}
	var secondary *gh.AbuseRateLimitError
	if errors.As(err, &secondary) {
		if secondary.RetryAfter != nil && *secondary.RetryAfter > 0 {
			return *secondary.RetryAfter, true
		}
		return time.Minute, true
	}
	if resp == nil || resp.Response == nil {
		return 0, false
	}
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	if d, ok := retryAfter(resp.Header); ok {
		return d, true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return untilReset(time.Unix(reset, 0), now), true
		}
	}
	var er *gh.ErrorResponse
	if resp.StatusCode == http.StatusTooManyRequests ||
		(errors.As(err, &er) && strings.Contains(strings.ToLower(er.Message), "rate limit")) {
		return time.Minute, true
	}
	return 0, false
}

// retryAfter reads a Retry-After header in seconds.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// untilReset is the wait until a rate-limit window resets, plus a second
// for clock skew (X-RateLimit-Reset has one-second resolution).
func untilReset(reset, now time.Time) time.Duration {
	return max(reset.Sub(now), 0) + time.Second
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// nextLink returns the rel="next" address of a Link header, or "".
func nextLink(h http.Header) string {
	return linkRel(h, "next")
}

// linkRel returns the address of a Link header entry with rel, or "".
func linkRel(h http.Header, rel string) string {
	for _, line := range h.Values("Link") {
		for part := range strings.SplitSeq(line, ",") {
			segs := strings.Split(part, ";")
			if len(segs) < 2 {
				continue
			}
			target := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range segs[1:] {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.TrimSpace(k) == "rel" {
					for r := range strings.FieldsSeq(strings.Trim(v, `"`)) {
						if r == rel {
							return target[1 : len(target)-1]
						}
					}
				}
			}
		}
	}
	return ""
}

// hasScope reports whether a comma-separated X-OAuth-Scopes list holds scope.
func hasScope(list, scope string) bool {
	for s := range strings.SplitSeq(list, ",") {
		if strings.TrimSpace(s) == scope {
			return true
		}
	}
	return false
}
