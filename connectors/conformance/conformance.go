// Package conformance is the test suite every connector passes. A
// connector's test builds a Harness around its fake or real backing server
// (an httptest server, a Dovecot, the demo corpus) and calls Run; the suite
// drives Sync against a MemorySink the way the engine drives it against the
// store: start, let it settle, cancel, start a new instance on the same sink.
//
// What every connector must do:
//
//   - initial sync produces valid items: every item passes Validate and
//     belongs to the account, no id appears twice in a batch or twice in one
//     initial sync, and a cursor is committed so a restart can resume;
//   - idempotent re-sync: two syncs from an empty cursor produce the same
//     initial-sync ids, and syncing again from a nil cursor into a sink that
//     already holds them adds no new initial-sync ids (no duplicates);
//   - resume from cursor: a new instance on the same sink continues from the
//     committed cursor, never re-emits initial-sync items as new ids, and
//     keeps every item the first run produced;
//   - honours cancellation: Sync returns within StopTimeout of its context
//     ending (before it starts, mid initial sync, while streaming), with nil
//     or context.Canceled;
//   - returns sink errors: when the sink fails to commit, Sync returns that
//     error instead of skipping the batch, and a later Sync recovers.
//
// Items from live (non-backfill) batches are compared by containment only,
// since how many arrive within Settle depends on timing.
//
// Sources with a server add the optional hooks (Delete, FailRequests,
// RateLimit) and get the "deletion", "server errors" and "rate limits"
// subtests; without a hook the subtest is skipped, so new cases can be added
// here without breaking connectors that cannot yet support them.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

// StopTimeout is how long Sync may take to return once its context ends.
const StopTimeout = time.Second

// Harness describes one connector under test.
type Harness struct {
	// Account is the account name New gives the connector; every item's
	// Account and id prefix must be this.
	Account string
	// New builds a fresh connector on the same backing data each call (so a
	// second instance resumes).
	New func(t *testing.T) connectors.Connector
	// Settle: how long to let Sync run before cancelling to observe a
	// steady state (e.g. 2s for demo with a fast interval). It must be long
	// enough for the initial sync to finish.
	Settle time.Duration
	// MinItems the connector must produce during Settle.
	MinItems int

	// ExactResume says a resumed Sync re-emits nothing it already committed
	// (no upsert of an id already held). Sources that re-fetch a window on
	// resume (IMAP flags via CONDSTORE, say) leave it false.
	ExactResume bool

	// Delete, if set, deletes at the source the object behind id (expunge
	// the message, delete the Slack message, dismiss the notification).
	// The "deletion" subtest then expects the connector, running again from
	// its cursor, to Remove that item and keep the others.
	Delete func(t *testing.T, id inbox.ID)
	// FailRequests, if set, makes the backing server fail its next n
	// requests as a server error would (HTTP 500/503, IMAP BYE or NO). The
	// "server errors" subtest runs Sync like the engine does, restarting it
	// after each returned error, and expects the same items as a clean sync.
	FailRequests func(t *testing.T, n int)
	// RateLimit, if set, makes the backing server refuse its next request
	// with a rate limit asking the client to wait retryAfter (HTTP 429 with
	// Retry-After, Slack's ratelimited). The "rate limits" subtest expects
	// the connector to wait (inside Sync, or by returning an error the engine
	// retries) and still produce the same items as a clean sync.
	RateLimit func(t *testing.T, retryAfter time.Duration)
}

// Run runs the suite against h.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Account == "" || h.New == nil || h.Settle <= 0 {
		t.Fatal("conformance: Harness needs Account, New and a positive Settle")
	}
	t.Run("initial sync produces valid items", func(t *testing.T) { testInitialSync(t, h) })
	t.Run("idempotent re-sync", func(t *testing.T) { testIdempotent(t, h) })
	t.Run("resume from cursor", func(t *testing.T) { testResume(t, h) })
	t.Run("honours cancellation", func(t *testing.T) { testCancellation(t, h) })
	t.Run("returns sink errors", func(t *testing.T) { testSinkErrors(t, h) })
	t.Run("deletion", func(t *testing.T) { testDeletion(t, h) })
	t.Run("server errors", func(t *testing.T) { testServerErrors(t, h) })
	t.Run("rate limits", func(t *testing.T) { testRateLimits(t, h) })
}

func testInitialSync(t *testing.T, h Harness) {
	sink := NewMemorySink()
	mustSync(t, h, sink, h.Settle)

	if n := sink.Len(); n < h.MinItems {
		t.Errorf("%d items after %v, want at least %d", n, h.Settle, h.MinItems)
	}
	for _, it := range sink.Items() {
		if err := it.Validate(); err != nil {
			t.Errorf("invalid item: %v", err)
		}
		if it.Account != h.Account {
			t.Errorf("item %s has account %q, want %q", it.ID, it.Account, h.Account)
		}
	}
	batches := sink.Batches()
	checkBatches(t, batches)
	seen := map[inbox.ID]bool{}
	for _, b := range batches {
		if !b.Backfill {
			continue
		}
		for _, it := range b.Upserts {
			if seen[it.ID] {
				t.Errorf("initial sync emitted %s twice", it.ID)
			}
			seen[it.ID] = true
		}
	}
	if len(batches) > 0 {
		if c, _ := sink.Cursor(context.Background()); c == nil {
			t.Error("no cursor committed: a restart could not resume")
		}
	}
	if n := sink.LateBackfill(); n > 0 {
		t.Errorf("%d initial-sync batches came after a Progress report said the sync was complete: the UI shows it synced before it is, and a stop at that moment loses them until the next sync", n)
	}
	if sink.Backfilling() {
		t.Error("the initial sync never said it was over (a Progress with Done reaching Total, or Finished): the UI would show it syncing forever")
	}
	for _, p := range sink.ProgressReports() {
		if p.Done < 0 || p.Total < 0 || (p.Total > 0 && p.Done > p.Total) {
			t.Errorf("bad progress report %+v", p)
		}
	}
}

func testIdempotent(t *testing.T, h Harness) {
	a, b := NewMemorySink(), NewMemorySink()
	mustSync(t, h, a, h.Settle)
	mustSync(t, h, b, h.Settle)
	if d := diff(backfillIDs(a.Batches()), backfillIDs(b.Batches())); d != "" {
		t.Errorf("two syncs from an empty cursor differ in initial-sync ids: %s", d)
	}
	if !nested(a.IDs(), b.IDs()) {
		t.Errorf("two syncs from an empty cursor produced unrelated ids: %s", diff(a.IDs(), b.IDs()))
	}

	before := a.IDs()
	mark := len(a.Batches())
	a.SetCursor(nil)
	mustSync(t, h, a, h.Settle)
	if added := newIDs(before, a.Batches()[mark:], true); len(added) > 0 {
		t.Errorf("re-sync from a nil cursor added initial-sync ids the first sync did not have: %s", some(added))
	}
	if missing := subtract(before, a.IDs()); len(missing) > 0 {
		t.Errorf("re-sync from a nil cursor lost %s", some(missing))
	}
}

func testResume(t *testing.T, h Harness) {
	sink := NewMemorySink()
	mustSync(t, h, sink, h.Settle)
	first := sink.IDs()
	mark := len(sink.Batches())
	upserts := sink.Reupserts()

	mustSync(t, h, sink, h.Settle)
	later := sink.Batches()[mark:]
	if added := newIDs(first, later, true); len(added) > 0 {
		t.Errorf("resumed sync emitted initial-sync items under new ids: %s", some(added))
	}
	if missing := subtract(first, sink.IDs()); len(missing) > 0 {
		t.Errorf("resumed sync lost %s", some(missing))
	}
	if h.ExactResume {
		if n := sink.Reupserts() - upserts; n > 0 {
			t.Errorf("resumed sync re-emitted %d items it had already committed", n)
		}
	}
}

func testCancellation(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name  string
		after time.Duration // -1: cancelled before Sync starts
	}{
		{"before start", -1},
		{"during initial sync", time.Millisecond},
		{"while streaming", h.Settle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := h.New(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.after < 0 {
				cancel()
			}
			done := make(chan error, 1)
			go func() { done <- c.Sync(ctx, NewMemorySink()) }()
			if tc.after >= 0 {
				select {
				case err := <-done:
					cancel()
					t.Fatalf("Sync returned before cancellation: %v", err)
				case <-time.After(tc.after):
				}
				cancel()
			}
			select {
			case err := <-done:
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("Sync returned %v after cancellation, want nil or context.Canceled", err)
				}
			case <-time.After(StopTimeout):
				t.Errorf("Sync still running %v after cancellation", StopTimeout)
			}
		})
	}
}

func testSinkErrors(t *testing.T, h Harness) {
	errDisk := errors.New("conformance: disk full")
	sink := NewMemorySink()
	sink.FailNextApply(errDisk)
	err := syncFor(t, h.New(t), sink, h.Settle)
	if !errors.Is(err, errDisk) {
		t.Errorf("Sync with a failing sink returned %v, want an error wrapping %v", err, errDisk)
	}
	mustSync(t, h, sink, h.Settle)
	if n := sink.Len(); n < h.MinItems {
		t.Errorf("%d items after recovering from a sink error, want at least %d", n, h.MinItems)
	}
}

func testDeletion(t *testing.T, h Harness) {
	if h.Delete == nil {
		t.Skip("Harness.Delete not set")
	}
	sink := NewMemorySink()
	mustSync(t, h, sink, h.Settle)
	ids := backfillIDs(sink.Batches())
	if len(ids) == 0 {
		t.Fatal("initial sync produced nothing to delete")
	}
	victim := ids[0]
	h.Delete(t, victim)
	mustSync(t, h, sink, h.Settle)
	if _, ok := sink.Item(victim); ok {
		t.Errorf("%s deleted at the source is still in the sink", victim)
	}
	if missing := subtract(subtract(ids, []inbox.ID{victim}), sink.IDs()); len(missing) > 0 {
		t.Errorf("deleting %s also lost %s", victim, some(missing))
	}
}

func testServerErrors(t *testing.T, h Harness) {
	if h.FailRequests == nil {
		t.Skip("Harness.FailRequests not set")
	}
	clean := NewMemorySink()
	mustSync(t, h, clean, h.Settle)

	sink := NewMemorySink()
	h.FailRequests(t, 3)
	errs := superviseFor(t, h, sink, 2*h.Settle)
	if len(errs) > 0 {
		t.Logf("Sync returned %d errors while the server failed: %v", len(errs), errors.Join(errs...))
	}
	checkSameInitial(t, clean, sink)
}

func testRateLimits(t *testing.T, h Harness) {
	if h.RateLimit == nil {
		t.Skip("Harness.RateLimit not set")
	}
	clean := NewMemorySink()
	mustSync(t, h, clean, h.Settle)

	const retryAfter = 300 * time.Millisecond
	sink := NewMemorySink()
	h.RateLimit(t, retryAfter)
	errs := superviseFor(t, h, sink, h.Settle+retryAfter)
	if len(errs) > 0 {
		t.Logf("Sync returned %d errors while rate limited: %v", len(errs), errors.Join(errs...))
	}
	checkSameInitial(t, clean, sink)
}

// checkSameInitial checks that got holds every initial-sync id of want and
// only valid items.
func checkSameInitial(t *testing.T, want, got *MemorySink) {
	t.Helper()
	if missing := subtract(backfillIDs(want.Batches()), got.IDs()); len(missing) > 0 {
		t.Errorf("missing initial-sync ids a clean sync has: %s", some(missing))
	}
	for _, it := range got.Items() {
		if err := it.Validate(); err != nil {
			t.Errorf("invalid item: %v", err)
		}
	}
}

// checkBatches checks what every batch must satisfy on its own.
func checkBatches(t *testing.T, batches []connectors.Batch) {
	t.Helper()
	for i, b := range batches {
		seen := map[inbox.ID]bool{}
		for _, it := range b.Upserts {
			if seen[it.ID] {
				t.Errorf("batch %d upserts %s twice", i, it.ID)
			}
			seen[it.ID] = true
		}
		for _, id := range b.Removes {
			if seen[id] {
				t.Errorf("batch %d both upserts and removes %s", i, id)
			}
		}
	}
}

// mustSync runs a new connector on sink for d and fails the test if Sync
// returns an error or returns before it is cancelled.
func mustSync(t *testing.T, h Harness, sink *MemorySink, d time.Duration) {
	t.Helper()
	if err := syncFor(t, h.New(t), sink, d); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync: %v", err)
	}
}

// errReturnedEarly marks a Sync that returned nil before its context ended.
var errReturnedEarly = errors.New("conformance: Sync returned nil before its context ended; it must stream until cancelled")

// maxInitialSync bounds how long syncFor lets an initial sync run past d.
const maxInitialSync = 60 * time.Second

// syncFor runs c.Sync on sink for d, cancels it and waits for it to return.
// If d ends inside the initial sync (a slow machine, the race detector), it
// waits for the initial sync to finish first, up to maxInitialSync, so the
// suite compares complete backfills rather than the machine's speed.
// It returns Sync's error, or errReturnedEarly.
func syncFor(t *testing.T, c connectors.Connector, sink connectors.Sink, d time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Sync(ctx, sink) }()
	select {
	case err := <-done:
		if err == nil {
			return errReturnedEarly
		}
		return err
	case <-time.After(d):
	}
	if ms, ok := sink.(*MemorySink); ok {
		deadline := time.Now().Add(maxInitialSync)
		// A loaded machine may not even have committed a first batch yet.
		for (ms.Backfilling() || ms.idle()) && time.Now().Before(deadline) {
			select {
			case err := <-done:
				if err == nil {
					return errReturnedEarly
				}
				return err
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(StopTimeout):
		t.Fatalf("Sync still running %v after cancellation", StopTimeout)
		return nil
	}
}

// superviseFor runs the connector for d the way the engine does: a new
// instance after each returned error, after a short pause. If d is over
// while the initial sync is not (an error late in it, on a loaded
// machine), it goes on restarting until that sync is, up to
// maxInitialSync more, as syncFor waits. It returns the errors Sync
// returned.
func superviseFor(t *testing.T, h Harness, sink *MemorySink, d time.Duration) []error {
	t.Helper()
	var errs []error
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			if !(sink.Backfilling() || sink.idle()) || left < -maxInitialSync {
				return errs
			}
			left = time.Millisecond // syncFor waits for the initial sync to end
		}
		err := syncFor(t, h.New(t), sink, left)
		if err == nil || errors.Is(err, context.Canceled) {
			continue
		}
		errs = append(errs, err)
		if len(errs) > 100 {
			t.Fatalf("Sync keeps failing: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// backfillIDs returns the ids upserted by backfill batches, sorted, once each.
func backfillIDs(batches []connectors.Batch) []inbox.ID {
	var ids []inbox.ID
	for _, b := range batches {
		if !b.Backfill {
			continue
		}
		for _, it := range b.Upserts {
			ids = append(ids, it.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// newIDs returns the ids upserted by batches that are not in before; with
// backfillOnly, only those from backfill batches.
func newIDs(before []inbox.ID, batches []connectors.Batch, backfillOnly bool) []inbox.ID {
	var out []inbox.ID
	for _, b := range batches {
		if backfillOnly && !b.Backfill {
			continue
		}
		for _, it := range b.Upserts {
			if _, found := slices.BinarySearch(before, it.ID); !found && !slices.Contains(out, it.ID) {
				out = append(out, it.ID)
			}
		}
	}
	return out
}

// subtract returns the ids of a (sorted) not in b (sorted).
func subtract(a, b []inbox.ID) []inbox.ID {
	var out []inbox.ID
	for _, id := range a {
		if _, found := slices.BinarySearch(b, id); !found {
			out = append(out, id)
		}
	}
	return out
}

// nested reports whether one sorted id list contains the other.
func nested(a, b []inbox.ID) bool {
	return len(subtract(a, b)) == 0 || len(subtract(b, a)) == 0
}

// diff describes how two sorted id lists differ, or returns "".
func diff(a, b []inbox.ID) string {
	onlyA, onlyB := subtract(a, b), subtract(b, a)
	if len(onlyA) == 0 && len(onlyB) == 0 {
		return ""
	}
	return fmt.Sprintf("only in the first: %s; only in the second: %s", some(onlyA), some(onlyB))
}

// some describes a list of ids briefly: its length and the first few.
func some(ids []inbox.ID) string {
	if len(ids) <= 3 {
		return fmt.Sprintf("%d ids %v", len(ids), ids)
	}
	return fmt.Sprintf("%d ids, e.g. %v", len(ids), ids[:3])
}
