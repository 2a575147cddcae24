package notify

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Recorder is a test double: a Notifier that shows nothing and records each
// Notification with the time it was sent, for the tests of packages that
// notify (focus, engine, app). It is safe for concurrent use; its zero value
// records with time.Now. Tests of the real desktop path use notifytest.
type Recorder struct {
	// Now stamps each recorded Notification; nil means time.Now. Set it
	// before the first Notify, e.g. to the fake clock of the code under test.
	Now func() time.Time

	mu      sync.Mutex
	records []Record
	err     error
	changed chan struct{} // closed and replaced on every record
}

// Record is one Notification a Recorder received.
type Record struct {
	Notification
	At time.Time
}

var _ Notifier = (*Recorder)(nil)

// Notify records n, or returns the error set by FailWith without recording.
func (r *Recorder) Notify(ctx context.Context, n Notification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.records = append(r.records, Record{Notification: n, At: now()})
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	return nil
}

// FailWith makes every later Notify return err; nil makes Notify succeed again.
func (r *Recorder) FailWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// Records returns a copy of what was recorded, oldest first.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.records)
}

// Reset forgets everything recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = nil
}

// WaitFor blocks until at least n Notifications are recorded and returns them,
// for code that notifies from its own goroutine. It fails when ctx ends first.
func (r *Recorder) WaitFor(ctx context.Context, n int) ([]Record, error) {
	for {
		r.mu.Lock()
		if len(r.records) >= n {
			recs := slices.Clone(r.records)
			r.mu.Unlock()
			return recs, nil
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed := r.changed
		got := len(r.records)
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("got %d of %d notifications: %w", got, n, ctx.Err())
		}
	}
}
