package app

import (
	"sync"
	"time"
)

// Emitter coalesces change notices into at most one event per name every
// interval, so a burst of a thousand new items costs the webview one
// re-query, not a thousand. The payload of a coalesced event is the number of
// notices folded into it.
type Emitter struct {
	emit     func(name string, data any)
	interval time.Duration

	mu      sync.Mutex
	pending map[string]int
	latest  map[string]any // events whose payload is replaced, not counted
	timer   *time.Timer
	closed  bool
}

// CountPayload is the payload of a coalesced counting event such as items:changed.
type CountPayload struct {
	Count int `json:"count"`
}

// NewEmitter returns an Emitter that calls emit at most once per interval per event.
func NewEmitter(interval time.Duration, emit func(name string, data any)) *Emitter {
	return &Emitter{emit: emit, interval: interval, pending: map[string]int{}, latest: map[string]any{}}
}

// Count records n notices for event name; they go out as one event.
func (e *Emitter) Count(name string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.pending[name] += n
	e.armLocked()
}

// Latest queues data for event name, replacing any payload not yet sent.
func (e *Emitter) Latest(name string, data any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.latest[name] = data
	e.armLocked()
}

func (e *Emitter) armLocked() {
	if e.timer == nil {
		e.timer = time.AfterFunc(e.interval, e.flush)
	}
}

func (e *Emitter) flush() {
	e.mu.Lock()
	pending, latest := e.pending, e.latest
	e.pending, e.latest = map[string]int{}, map[string]any{}
	e.timer = nil
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return
	}
	for name, n := range pending {
		e.emit(name, CountPayload{Count: n})
	}
	for name, data := range latest {
		e.emit(name, data)
	}
}

// Close drops anything pending and stops future events.
func (e *Emitter) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
}
