package asana

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/connectors"
)

// requestTimeout caps one HTTP exchange; ctx still ends it sooner.
const requestTimeout = time.Minute

// maxRateWaits bounds how many 429 waits one request sits out before it
// gives up and lets the engine retry.
const maxRateWaits = 3

// pageLimit is the page size of list requests (Asana's maximum).
const pageLimit = 100

// maxPages bounds one paginated walk.
const maxPages = 500

// api is Asana's REST API over net/http.
type api struct {
	base    string // without a trailing slash
	token   string
	hc      *http.Client
	maxWait time.Duration

	mu sync.Mutex
	// quietUntil is when the last 429 ends: no request goes out before it.
	quietUntil time.Time
}

// newAPI builds a client for base that sends token, sitting out rate
// limits of at most maxWait.
func newAPI(base, token string, rt http.RoundTripper, maxWait time.Duration) *api {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &api{base: base, token: token, hc: &http.Client{Transport: rt, Timeout: requestTimeout}, maxWait: maxWait}
}

// apiError is an Asana answer other than success, 401, 412 or 429.
type apiError struct {
	Status  int
	Path    string
	Message string
}

func (e *apiError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("GET %s: %d %s", e.Path, e.Status, msg)
}

// statusOf returns the HTTP status behind err, or 0.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// syncExpiredError is the events API's 412: the sync token is missing,
// invalid or older than Asana keeps (24 hours at most). Sync is the fresh
// token the answer carries.
type syncExpiredError struct {
	Sync string
}

func (e *syncExpiredError) Error() string { return "events: sync token expired (412)" }

// rateLimitedError says Asana asked for a longer pause than Sync sits out.
type rateLimitedError struct {
	Until time.Time
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited by Asana until %s", e.Until.Local().Format("15:04:05"))
}

// errorBody is Asana's error envelope; a 412 from the events API adds sync.
type errorBody struct {
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
	Sync string `json:"sync"`
}

// get requests path (with q) and decodes the JSON answer into v. It sits
// out 429s whose Retry-After is at most maxWait (and fits ctx), and
// returns the server's Date.
func (a *api) get(ctx context.Context, path string, q url.Values, v any) (time.Time, error) {
	addr := a.base + path
	if len(q) > 0 {
		addr += "?" + q.Encode()
	}
	for waits := 0; ; waits++ {
		a.mu.Lock()
		quiet := time.Until(a.quietUntil)
		a.mu.Unlock()
		if quiet > 0 {
			if err := a.sitOut(ctx, quiet, waits); err != nil {
				return time.Time{}, err
			}
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
		if err != nil {
			return time.Time{}, fmt.Errorf("GET %s: %w", path, err)
		}
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "lull")
		resp, err := a.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return time.Time{}, ctx.Err()
			}
			return time.Time{}, fmt.Errorf("GET %s: %w", path, stripURL(err))
		}
		date, _ := http.ParseTime(resp.Header.Get("Date"))
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			if ctx.Err() != nil {
				return date, ctx.Err()
			}
			return date, fmt.Errorf("GET %s: reading the answer: %w", path, err)
		}
		if resp.StatusCode == http.StatusOK {
			if v != nil {
				if err := json.Unmarshal(body, v); err != nil {
					return date, fmt.Errorf("GET %s: decoding the answer: %w", path, err)
				}
			}
			return date, nil
		}

		var eb errorBody
		_ = json.Unmarshal(body, &eb)
		msg := ""
		if len(eb.Errors) > 0 {
			msg = eb.Errors[0].Message
		}
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			if msg == "" {
				msg = "Not Authorized"
			}
			return date, fmt.Errorf("token rejected (401 %s): check token_cmd or the keychain entry: %w", msg, connectors.ErrPermanent)
		case http.StatusPreconditionFailed:
			return date, &syncExpiredError{Sync: eb.Sync}
		case http.StatusTooManyRequests:
			wait := retryAfter(resp.Header)
			a.mu.Lock()
			if until := time.Now().Add(wait); until.After(a.quietUntil) {
				a.quietUntil = until
			}
			a.mu.Unlock()
			if err := a.sitOut(ctx, wait, waits); err != nil {
				return date, err
			}
			continue
		}
		return date, &apiError{Status: resp.StatusCode, Path: path, Message: msg}
	}
}

// sitOut waits out a rate limit of wait, or returns a *rateLimitedError
// when the wait is longer than maxWait, does not fit ctx, or this request
// has waited maxRateWaits times already.
func (a *api) sitOut(ctx context.Context, wait time.Duration, waits int) error {
	limit := a.maxWait
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	if waits >= maxRateWaits || wait > limit {
		return &rateLimitedError{Until: time.Now().Add(wait)}
	}
	return sleep(ctx, wait)
}

// page is one page of a list answer.
type page[T any] struct {
	Data     []T `json:"data"`
	NextPage *struct {
		Offset string `json:"offset"`
	} `json:"next_page"`
}

// list walks every page of a list request by its next_page offsets.
func list[T any](ctx context.Context, a *api, path string, q url.Values) ([]T, time.Time, error) {
	q.Set("limit", strconv.Itoa(pageLimit))
	q.Del("offset")
	var out []T
	var first time.Time
	for n := 0; ; n++ {
		if n >= maxPages {
			return out, first, fmt.Errorf("GET %s: more than %d pages", path, maxPages)
		}
		var p page[T]
		date, err := a.get(ctx, path, q, &p)
		if n == 0 {
			first = date
		}
		if err != nil {
			return out, first, err
		}
		out = append(out, p.Data...)
		if p.NextPage == nil || p.NextPage.Offset == "" {
			return out, first, nil
		}
		q.Set("offset", p.NextPage.Offset)
	}
}

// retryAfter reads a 429's Retry-After (seconds); Asana always sends it,
// and a minute is the safe guess when it does not.
func retryAfter(h http.Header) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	return time.Minute
}

// stripURL drops the request address from a transport error: it carries
// the query, and the error goes to the UI.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
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
