package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/secret"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

// TestRevokedTokenStopsForGood: a revoked or wrong token ends Sync at once
// with an error the engine recognises as permanent, after one call.
func TestRevokedTokenStopsForGood(t *testing.T) {
	for _, code := range []string{"token_revoked", "invalid_auth", "account_inactive"} {
		t.Run(code, func(t *testing.T) {
			srv := newWorkspace(t, slackfake.Options{})
			seed(srv)
			srv.RevokeToken(userTok, code)
			c := newConn(t, srv, nil, testOptions(defaultEnv()))
			began := time.Now()
			err := c.Sync(context.Background(), conformance.NewMemorySink())
			if !errors.Is(err, connectors.ErrPermanent) || !errors.Is(err, ErrAuth) {
				t.Fatalf("Sync = %v, want an error wrapping connectors.ErrPermanent and ErrAuth", err)
			}
			if !strings.Contains(err.Error(), code) || !strings.Contains(err.Error(), "lull auth token "+acct) {
				t.Errorf("error does not say what happened and what to do: %v", err)
			}
			if took := time.Since(began); took > time.Second {
				t.Errorf("Sync took %v to give up", took)
			}
			if n := srv.TotalCalls(); n != 1 {
				t.Errorf("%d calls with a revoked token, want 1: %v", n, srv.Calls())
			}
		})
	}
}

// TestTokenRevokedWhileSyncing: a token revoked mid-stream ends the
// streaming Sync with the permanent error too.
func TestTokenRevokedWhileSyncing(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	seed(srv)
	sink := conformance.NewMemorySink()
	r := start(t, newConn(t, srv, nil, testOptions(defaultEnv())), sink)
	synced(t, sink)
	srv.RevokeToken(userTok, "token_revoked")
	select {
	case err := <-r.done:
		if !errors.Is(err, connectors.ErrPermanent) {
			t.Errorf("Sync = %v, want a permanent error", err)
		}
		r.once.Do(func() {})
	case <-time.After(3 * time.Second):
		t.Fatal("Sync kept going with a revoked token")
	}
}

func TestWrongKindsOfToken(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	for _, tc := range []struct{ token, want string }{
		{"xoxb-123", "bot token"},
		{"xapp-1-A1-123", "app-level token"},
	} {
		env := map[string]string{secret.EnvName(acct, TokenKey): tc.token}
		err := newConn(t, srv, nil, testOptions(env)).Sync(context.Background(), conformance.NewMemorySink())
		if !errors.Is(err, connectors.ErrPermanent) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("token %s: Sync = %v", tc.token, err)
		}
	}
	if n := srv.TotalCalls(); n != 0 {
		t.Errorf("a token of the wrong kind was sent to Slack (%d calls)", n)
	}

	err := newConn(t, srv, map[string]any{"team": "another-workspace"}, testOptions(defaultEnv())).
		Sync(context.Background(), conformance.NewMemorySink())
	if !errors.Is(err, connectors.ErrPermanent) || !strings.Contains(err.Error(), "another-workspace") {
		t.Errorf("wrong team: Sync = %v", err)
	}

	env := map[string]string{}
	err = newConn(t, srv, nil, testOptions(env)).Sync(context.Background(), conformance.NewMemorySink())
	if !errors.Is(err, secret.ErrNotFound) || errors.Is(err, connectors.ErrPermanent) {
		t.Errorf("no token: Sync = %v, want a retryable not-found error", err)
	}
}

func TestMissingScopesArePermanent(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{Scopes: []string{"channels:history", "users:read"}})
	c := newConn(t, srv, nil, testOptions(defaultEnv()))
	for name, err := range map[string]error{
		"Sync":     c.Sync(context.Background(), conformance.NewMemorySink()),
		"Validate": c.Validate(context.Background()),
	} {
		if !errors.Is(err, connectors.ErrPermanent) || !strings.Contains(err.Error(), "im:history") {
			t.Errorf("%s = %v, want a permanent error naming im:history", name, err)
		}
	}
	ok := newConn(t, newWorkspace(t, slackfake.Options{}), nil, testOptions(defaultEnv()))
	if err := ok.Validate(context.Background()); err != nil {
		t.Errorf("Validate of a good account: %v", err)
	}
}

// TestRetryAfterIsHonoured: after a 429 the same method is not called
// again before Retry-After has passed.
func TestRetryAfterIsHonoured(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	seed(srv)
	srv.RateLimitNext("users.conversations", time.Second)
	sink := conformance.NewMemorySink()
	began := time.Now()
	start(t, newConn(t, srv, nil, testOptions(defaultEnv())), sink)
	synced(t, sink)
	if took := time.Since(began); took < time.Second {
		t.Errorf("initial sync finished %v after a 429 asking for 1 s", took)
	}
	if n := srv.Calls()["users.conversations"]; n != 2 {
		t.Errorf("users.conversations called %d times, want 2 (the 429 and the retry)", n)
	}
}

// TestHistoryLimitedToOneCallPerWindow: with conversations.history held to
// one call per window and 15 messages a page (what Slack does to some apps
// since 2025, here with a 1 s window for the test's sake), the sync is
// slower but loses nothing, and does not hammer the limit.
func TestHistoryLimitedToOneCallPerWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 6 s")
	}
	srv := newWorkspace(t, slackfake.Options{})
	srv.Leave(general, meID)
	srv.Leave(private, meID)
	srv.Leave(mpimID, meID)
	base := time.Now().Add(-time.Hour)
	var want []string
	for i := range 40 {
		want = append(want, srv.PostAt(dmAlice, aliceID, fmt.Sprintf("dm %d", i), base.Add(time.Duration(i)*time.Second)))
	}
	for i := range 10 {
		want = append(want, srv.PostAt(watched, bobID, fmt.Sprintf("alert %d", i), base.Add(time.Duration(i)*time.Second)))
	}
	srv.Limit("conversations.history", 1, time.Second, 15)
	sink := conformance.NewMemorySink()
	opts := testOptions(defaultEnv())
	opts.PollInterval, opts.RefreshInterval = time.Hour, time.Hour
	start(t, newConn(t, srv, nil, opts), sink)
	synced(t, sink)
	for _, ts := range want[:40] {
		if !has(sink, id(dmAlice, ts)) {
			t.Errorf("DM %s lost", ts)
		}
	}
	for _, ts := range want[40:] {
		if !has(sink, id(watched, ts)) {
			t.Errorf("alert %s lost", ts)
		}
	}
	// 3 pages of the DM and 1 of the channel succeed; the first 429 teaches
	// the limiter the pace, so few calls are refused.
	if n := srv.Calls()["conversations.history"]; n > 4+3 {
		t.Errorf("%d history calls for 4 pages: the limit was hammered", n)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { return now }
	l := newLimiter(clock, true)
	const m = "conversations.history" // tier 3: 50 a minute, bursts of 12
	for i := range 12 {
		if d := l.take(m); d != 0 {
			t.Fatalf("call %d of the burst waits %v", i, d)
		}
	}
	if d := l.take(m); d < time.Second || d > 1300*time.Millisecond {
		t.Errorf("after the burst a call waits %v, want 1.2 s (50 a minute)", d)
	}
	now = now.Add(1200 * time.Millisecond)
	if d := l.take(m); d != 0 {
		t.Errorf("a call after 1.2 s waits %v", d)
	}
	if d := l.take("users.info"); d != 0 {
		t.Errorf("another method waits %v", d)
	}

	// A 429 asking for a minute: the method waits a minute, then goes at
	// one call a minute with no burst, until it recovers.
	l.penalize(m, time.Minute)
	if d := l.delay(m); d != time.Minute {
		t.Errorf("delay after a 429 = %v, want 1m", d)
	}
	now = now.Add(time.Minute)
	if d := l.take(m); d != 0 {
		t.Errorf("after Retry-After a call waits %v", d)
	}
	if d := l.take(m); d < 55*time.Second {
		t.Errorf("a slowed method's next call waits %v, want about a minute", d)
	}
	now = now.Add(recoverAfter)
	if d := l.take(m); d != 0 {
		t.Errorf("after recovering a call waits %v", d)
	}
	if d := l.take(m); d != 0 {
		t.Errorf("the burst did not come back: a call waits %v", d)
	}

	unpaced := newLimiter(clock, false)
	for range 100 {
		if d := unpaced.take(m); d != 0 {
			t.Fatal("unpaced limiter paced a call")
		}
	}
	unpaced.penalize(m, 2*time.Second)
	if d := unpaced.take(m); d != 2*time.Second {
		t.Errorf("unpaced limiter ignored Retry-After: %v", d)
	}
}
