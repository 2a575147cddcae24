package slack

import (
	"context"
	"math"
	"sync"
	"time"
)

// Slack limits each Web API method per workspace and app by "tier", in calls
// per minute (https://api.slack.com/apis/rate-limits). Lull spreads its calls
// under them instead of bursting into HTTP 429s.
const (
	tier1 = 1
	tier2 = 20
	tier3 = 50
	tier4 = 100
)

// perMinute is the published tier of each method Lull calls.
func perMinute(method string) float64 {
	switch method {
	case "apps.connections.open":
		return tier1
	case "conversations.list", "users.list", "usergroups.list", "dnd.setSnooze", "dnd.endSnooze", "search.messages":
		return tier2
	case "users.info", "users.profile.get", "auth.test":
		return tier4
	}
	// users.conversations, conversations.history/replies/info/mark,
	// users.profile.set, dnd.info.
	return tier3
}

// Bounds of the adaptive rate of one method.
const (
	// minRate is the slowest Lull ever calls a method: one call in five
	// minutes, below even the 1/min conversations.history allows some apps.
	minRate = 1.0 / 300
	// recoverAfter is how long a method stays slowed after a 429 before
	// Lull tries its published tier again.
	recoverAfter = 10 * time.Minute
)

// limiter paces calls per method with a token bucket filled at the
// method's tier, and honours Retry-After: after a 429 the method waits the
// time the server asked for and its rate drops to at most one call per that
// wait (so a conversations.history limited to 1/min is called once a
// minute, not hammered), recovering after recoverAfter without 429s.
//
// It is safe for concurrent use: Sync, Act and SetFocus share it, as they
// share the workspace's limits.
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	paced   bool // false: only Retry-After waits (tests, the benchmark)
	buckets map[string]*bucket
}

type bucket struct {
	base, rate float64 // calls per second: published, current
	burst      float64
	tokens     float64
	last       time.Time
	blocked    time.Time // no call before this (Retry-After)
	slowed     time.Time // when a 429 last lowered rate
}

func newLimiter(now func() time.Time, paced bool) *limiter {
	return &limiter{now: now, paced: paced, buckets: map[string]*bucket{}}
}

func (l *limiter) bucketLocked(method string, now time.Time) *bucket {
	b := l.buckets[method]
	if b == nil {
		rate := perMinute(method) / 60
		// A quarter of a minute's allowance may go at once: a sync starts
		// quickly, then settles to the tier's pace.
		burst := max(1, math.Floor(perMinute(method)/4))
		b = &bucket{base: rate, rate: rate, burst: burst, tokens: burst, last: now}
		l.buckets[method] = b
	}
	if !b.slowed.IsZero() && now.Sub(b.slowed) >= recoverAfter {
		b.rate, b.slowed = b.base, time.Time{}
	}
	limit := b.burst
	if !b.slowed.IsZero() {
		limit = 1 // a slowed method gets no burst
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(limit, b.tokens+el*b.rate)
	}
	b.last = now
	return b
}

// delay returns how long a call to method must wait now, without taking
// its turn: the scheduler uses it to do other work meanwhile.
func (l *limiter) delay(method string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.bucketLocked(method, now)
	if now.Before(b.blocked) {
		return b.blocked.Sub(now)
	}
	if !l.paced || b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// take takes a turn for method if one is free now, or says how long to wait.
func (l *limiter) take(method string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.bucketLocked(method, now)
	if now.Before(b.blocked) {
		return b.blocked.Sub(now)
	}
	if !l.paced {
		return 0
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// wait blocks until method may be called, or ctx ends.
func (l *limiter) wait(ctx context.Context, method string) error {
	for {
		d := l.take(method)
		if d <= 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// penalize records a 429 for method that asked to wait retryAfter.
func (l *limiter) penalize(method string, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.bucketLocked(method, now)
	if until := now.Add(retryAfter); until.After(b.blocked) {
		b.blocked = until
	}
	b.tokens = 0
	rate := b.rate / 2
	if s := retryAfter.Seconds(); s > 0 {
		rate = min(rate, 1/s)
	}
	b.rate = max(rate, minRate)
	b.slowed = now
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
