package conformance

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

// MemorySink is an in-memory connectors.Sink that behaves like the store:
// a batch's upserts, removals and cursor commit together or not at all, an
// invalid item rejects its whole batch, a re-upsert replaces the connector's
// fields but keeps the user's Triage, and Apply refuses to commit once its
// context has ended. It also records every committed batch and progress
// report, and counts upserts of ids already present, for tests to inspect.
// It is safe for concurrent use.
type MemorySink struct {
	mu        sync.Mutex
	items     map[inbox.ID]inbox.Item
	cursor    []byte
	batches   []connectors.Batch
	progress  []connectors.Progress
	reupserts int
	failNext  error
	// backfilling is true between an initial-sync batch and the report
	// (a complete Progress or a live batch) that the initial sync is over.
	backfilling bool
	// complete is true from a complete Progress report until an
	// incomplete one; lateBackfill counts the backfill batches applied
	// while it held.
	complete     bool
	lateBackfill int
}

var _ connectors.Sink = (*MemorySink)(nil)

// NewMemorySink returns an empty sink with no cursor.
func NewMemorySink() *MemorySink {
	return &MemorySink{items: map[inbox.ID]inbox.Item{}}
}

// Cursor returns a copy of the cursor committed with the last batch that
// carried one, or nil.
func (s *MemorySink) Cursor(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.cursor), nil
}

// Apply commits b atomically.
func (s *MemorySink) Apply(ctx context.Context, b connectors.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i := range b.Upserts {
		if err := b.Upserts[i].Validate(); err != nil {
			return fmt.Errorf("conformance: batch rejected: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failNext; err != nil {
		s.failNext = nil
		return err
	}
	for _, it := range b.Upserts {
		it = cloneItem(it)
		if old, ok := s.items[it.ID]; ok {
			s.reupserts++
			it.Triage = old.Triage
		}
		s.items[it.ID] = it
	}
	for _, m := range b.Marks {
		if it, ok := s.items[m.ID]; ok {
			it.Unread = m.Unread
			s.items[m.ID] = it
		}
	}
	for _, id := range b.Removes {
		// As the store does: a done item outlives its source unless purged.
		if it, ok := s.items[id]; ok && it.Triage.State == inbox.StateDone && !b.Purge {
			continue
		}
		delete(s.items, id)
	}
	if b.Cursor != nil {
		s.cursor = bytes.Clone(b.Cursor)
	}
	s.batches = append(s.batches, cloneBatch(b))
	s.backfilling = b.Backfill
	if b.Backfill && s.complete {
		s.lateBackfill++
	}
	return nil
}

// LateBackfill returns how many initial-sync batches were applied after a
// Progress report said the initial sync was complete (and before another
// said it was under way again). The UI takes that report as "all synced",
// and the conformance suite stops waiting at it.
func (s *MemorySink) LateBackfill() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lateBackfill
}

// Backfilling reports whether the connector is inside its initial sync: its
// last batch was a backfill batch and it has not said the sync is complete.
func (s *MemorySink) Backfilling() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.backfilling
}

// idle reports whether the sink has heard nothing that shows a sync under
// way or done: no batch and no complete progress report.
func (s *MemorySink) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.batches) > 0 {
		return false
	}
	for _, p := range s.progress {
		if p.Complete() {
			return false
		}
	}
	return true
}

// Progress records p.
func (s *MemorySink) Progress(p connectors.Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.progress = append(s.progress, p)
	if p.Complete() {
		s.backfilling = false
	}
	s.complete = p.Complete()
}

// SetCursor replaces the committed cursor; nil makes the next Sync start
// over, as a user's "resync" would.
func (s *MemorySink) SetCursor(c []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursor = bytes.Clone(c)
}

// FailNextApply makes the next Apply return err without committing anything,
// as a full disk or a failed transaction would.
func (s *MemorySink) FailNextApply(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = err
}

// Len returns the number of items held.
func (s *MemorySink) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// Item returns the item with id, if held.
func (s *MemorySink) Item(id inbox.ID) (inbox.Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	return cloneItem(it), ok
}

// Items returns copies of the items held, sorted by ID.
func (s *MemorySink) Items() []inbox.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]inbox.Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, cloneItem(it))
	}
	slices.SortFunc(out, func(a, b inbox.Item) int { return cmpID(a.ID, b.ID) })
	return out
}

// IDs returns the ids held, sorted.
func (s *MemorySink) IDs() []inbox.ID {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]inbox.ID, 0, len(s.items))
	for id := range s.items {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Batches returns copies of the committed batches, oldest first.
func (s *MemorySink) Batches() []connectors.Batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]connectors.Batch, len(s.batches))
	for i, b := range s.batches {
		out[i] = cloneBatch(b)
	}
	return out
}

// Reupserts returns how many upserts replaced an item already held.
func (s *MemorySink) Reupserts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reupserts
}

// ProgressReports returns the progress reports received, oldest first.
func (s *MemorySink) ProgressReports() []connectors.Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.progress)
}

func cmpID(a, b inbox.ID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cloneItem(it inbox.Item) inbox.Item {
	it.To = slices.Clone(it.To)
	it.Signals = slices.Clone(it.Signals)
	it.Attachments = slices.Clone(it.Attachments)
	return it
}

func cloneBatch(b connectors.Batch) connectors.Batch {
	ups := make([]inbox.Item, len(b.Upserts))
	for i, it := range b.Upserts {
		ups[i] = cloneItem(it)
	}
	b.Upserts = ups
	b.Removes = slices.Clone(b.Removes)
	b.Cursor = bytes.Clone(b.Cursor)
	return b
}

// SetTriage records a user's decision on id, as the store's SetTriage does,
// so tests can see how a connector treats triaged items.
func (s *MemorySink) SetTriage(id inbox.ID, t inbox.Triage) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	if ok {
		it.Triage = t
		s.items[id] = it
	}
	return ok
}
