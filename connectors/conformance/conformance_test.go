package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

// fakeServer is a tiny polled source with the failure modes the optional
// hooks ask for, so the whole suite, hooks included, runs here.
type fakeServer struct {
	mu         sync.Mutex
	objects    map[string]string // native id -> text
	failures   int
	retryAfter time.Duration
}

type rateLimitError struct{ retryAfter time.Duration }

func (e rateLimitError) Error() string {
	return fmt.Sprintf("rate limited, retry after %v", e.retryAfter)
}

func newFakeServer(n int) *fakeServer {
	s := &fakeServer{objects: map[string]string{}}
	for i := range n {
		s.objects[fmt.Sprintf("obj-%02d", i)] = fmt.Sprintf("message %d", i)
	}
	return s
}

func (s *fakeServer) list() (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		return nil, errors.New("503 service unavailable")
	}
	if d := s.retryAfter; d > 0 {
		s.retryAfter = 0
		return nil, rateLimitError{d}
	}
	out := make(map[string]string, len(s.objects))
	for k, v := range s.objects {
		out[k] = v
	}
	return out, nil
}

// pollConnector polls a fakeServer; its cursor is the list of ids it holds.
type pollConnector struct {
	account string
	srv     *fakeServer
	every   time.Duration
}

func (c *pollConnector) Sync(ctx context.Context, sink connectors.Sink) error {
	raw, err := sink.Cursor(ctx)
	if err != nil {
		return err
	}
	var known []string
	first := raw == nil
	if !first {
		if err := json.Unmarshal(raw, &known); err != nil {
			return fmt.Errorf("fake: bad cursor: %w", err)
		}
	}
	for {
		objs, err := c.srv.list()
		var rl rateLimitError
		switch {
		case errors.As(err, &rl):
			if err := sleep(ctx, rl.retryAfter); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("fake: failed to list: %w", err)
		}
		var b connectors.Batch
		b.Backfill = first
		for id, text := range objs {
			if !slices.Contains(known, id) {
				b.Upserts = append(b.Upserts, inbox.Item{
					ID: inbox.NewID(c.account, id), Account: c.account, Source: inbox.SourceEmail,
					Title: text, Received: time.Unix(1700000000, 0),
				})
			}
		}
		for _, id := range known {
			if _, ok := objs[id]; !ok {
				b.Removes = append(b.Removes, inbox.NewID(c.account, id))
			}
		}
		if first || len(b.Upserts) > 0 || len(b.Removes) > 0 {
			now := make([]string, 0, len(objs))
			for id := range objs {
				now = append(now, id)
			}
			slices.Sort(now)
			b.Cursor, _ = json.Marshal(now)
			if err := sink.Apply(ctx, b); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("fake: failed to apply: %w", err)
			}
			if first {
				sink.Progress(connectors.Progress{Done: len(b.Upserts), Total: len(b.Upserts), Finished: true})
			}
			known, first = now, false
		}
		if err := sleep(ctx, c.every); err != nil {
			return err
		}
	}
}

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

func TestRunFake(t *testing.T) {
	srv := newFakeServer(12)
	Run(t, Harness{
		Account: "fake",
		New: func(t *testing.T) connectors.Connector {
			return &pollConnector{account: "fake", srv: srv, every: 20 * time.Millisecond}
		},
		Settle:      200 * time.Millisecond,
		MinItems:    12,
		ExactResume: true,
		Delete: func(t *testing.T, id inbox.ID) {
			_, native, err := id.Split()
			if err != nil {
				t.Fatal(err)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			delete(srv.objects, native)
		},
		FailRequests: func(t *testing.T, n int) {
			srv.mu.Lock()
			defer srv.mu.Unlock()
			srv.failures = n
		},
		RateLimit: func(t *testing.T, d time.Duration) {
			srv.mu.Lock()
			defer srv.mu.Unlock()
			srv.retryAfter = d
		},
	})
}

func item(id string) inbox.Item {
	return inbox.Item{ID: inbox.ID("a/" + id), Account: "a", Source: inbox.SourceSlack, Received: time.Unix(1, 0)}
}

func TestMemorySink(t *testing.T) {
	ctx := context.Background()
	s := NewMemorySink()
	if c, err := s.Cursor(ctx); c != nil || err != nil {
		t.Fatalf("new sink cursor = %q, %v", c, err)
	}
	x := item("x")
	x.Triage.State = inbox.StateDone
	if err := s.Apply(ctx, connectors.Batch{Upserts: []inbox.Item{x, item("y")}, Cursor: []byte("1"), Backfill: true}); err != nil {
		t.Fatal(err)
	}
	// A re-sync replaces the connector's fields but keeps the user's triage.
	x2 := item("x")
	x2.Title = "new title"
	if err := s.Apply(ctx, connectors.Batch{Upserts: []inbox.Item{x2}, Removes: []inbox.ID{"a/y", "a/absent"}}); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Item("a/x")
	if !ok || got.Title != "new title" || got.Triage.State != inbox.StateDone {
		t.Errorf("after re-upsert: %+v", got)
	}
	if ids := s.IDs(); !slices.Equal(ids, []inbox.ID{"a/x"}) {
		t.Errorf("IDs = %v", ids)
	}
	if c, _ := s.Cursor(ctx); string(c) != "1" {
		t.Errorf("a batch without a cursor changed it to %q", c)
	}
	if s.Reupserts() != 1 || len(s.Batches()) != 2 {
		t.Errorf("Reupserts = %d, batches = %d", s.Reupserts(), len(s.Batches()))
	}

	// An invalid item rejects the whole batch.
	bad := item("bad")
	bad.Account = "other"
	if err := s.Apply(ctx, connectors.Batch{Upserts: []inbox.Item{item("z"), bad}, Cursor: []byte("2")}); err == nil {
		t.Error("invalid item accepted")
	}
	// So does a failing commit, and a cancelled context.
	boom := errors.New("boom")
	s.FailNextApply(boom)
	if err := s.Apply(ctx, connectors.Batch{Upserts: []inbox.Item{item("z")}, Cursor: []byte("3")}); !errors.Is(err, boom) {
		t.Errorf("FailNextApply: Apply returned %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Apply(cancelled, connectors.Batch{Upserts: []inbox.Item{item("z")}, Cursor: []byte("4")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Apply returned %v", err)
	}
	if _, ok := s.Item("a/z"); ok || s.Len() != 1 {
		t.Error("a rejected batch was partly committed")
	}
	if c, _ := s.Cursor(ctx); string(c) != "1" {
		t.Errorf("a rejected batch moved the cursor to %q", c)
	}
	s.SetCursor(nil)
	if c, _ := s.Cursor(ctx); c != nil {
		t.Errorf("SetCursor(nil) left %q", c)
	}
}

// TestMemorySinkCountsLateBackfill: an initial-sync batch after a complete
// Progress report is counted, until an incomplete report starts a new one.
func TestMemorySinkCountsLateBackfill(t *testing.T) {
	ctx := context.Background()
	s := NewMemorySink()
	apply := func(id string, backfill bool) {
		t.Helper()
		if err := s.Apply(ctx, connectors.Batch{Upserts: []inbox.Item{item(id)}, Backfill: backfill}); err != nil {
			t.Fatal(err)
		}
	}
	apply("a", true)
	s.Progress(connectors.Progress{Done: 1, Total: 2})
	apply("b", true)
	if n := s.LateBackfill(); n != 0 {
		t.Fatalf("LateBackfill = %d during the sync, want 0", n)
	}
	s.Progress(connectors.Progress{Done: 2, Total: 2}) // complete, yet one more batch follows
	apply("c", true)
	apply("d", false) // a live batch after it is fine
	if n := s.LateBackfill(); n != 1 {
		t.Fatalf("LateBackfill = %d, want 1", n)
	}
	s.Progress(connectors.Progress{Done: 0, Total: 5}) // a new initial sync (a new folder, say)
	apply("e", true)
	if n := s.LateBackfill(); n != 1 {
		t.Errorf("LateBackfill = %d after a new sync began, want still 1", n)
	}
}

func TestHelpers(t *testing.T) {
	a := []inbox.ID{"a/1", "a/2", "a/3"}
	b := []inbox.ID{"a/2", "a/3", "a/4"}
	if got := subtract(a, b); !slices.Equal(got, []inbox.ID{"a/1"}) {
		t.Errorf("subtract = %v", got)
	}
	if nested(a, b) || !nested(a, a[:2]) || !nested(a[:1], a) {
		t.Error("nested is wrong")
	}
	if diff(a, a) != "" || diff(a, b) == "" {
		t.Error("diff is wrong")
	}
	batches := []connectors.Batch{
		{Backfill: true, Upserts: []inbox.Item{item("2"), item("9")}},
		{Upserts: []inbox.Item{item("8")}},
	}
	if got := newIDs(a, batches, true); !slices.Equal(got, []inbox.ID{"a/9"}) {
		t.Errorf("newIDs backfill only = %v", got)
	}
	if got := newIDs(a, batches, false); !slices.Equal(got, []inbox.ID{"a/9", "a/8"}) {
		t.Errorf("newIDs = %v", got)
	}
	if got := backfillIDs(batches); !slices.Equal(got, []inbox.ID{"a/2", "a/9"}) {
		t.Errorf("backfillIDs = %v", got)
	}
}

// quitter returns nil at once, which the suite must report.
type quitter struct{}

func (quitter) Sync(context.Context, connectors.Sink) error { return nil }

func TestSyncForReportsEarlyReturn(t *testing.T) {
	if err := syncFor(t, quitter{}, NewMemorySink(), time.Second); !errors.Is(err, errReturnedEarly) {
		t.Errorf("syncFor = %v, want errReturnedEarly", err)
	}
}
