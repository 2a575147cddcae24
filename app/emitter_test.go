package app

import (
	"sync"
	"testing"
	"time"
)

type recorder struct {
	mu     sync.Mutex
	events []struct {
		name string
		data any
	}
}

func (r *recorder) emit(name string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, struct {
		name string
		data any
	}{name, data})
}

func (r *recorder) snapshot() []struct {
	name string
	data any
} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append(r.events[:0:0], r.events...)
}

func TestEmitterCoalescesBurst(t *testing.T) {
	var rec recorder
	e := NewEmitter(50*time.Millisecond, rec.emit)
	defer e.Close()
	for i := 0; i < 1000; i++ {
		e.Count("items:changed", 1)
	}
	e.Latest("account:status", "first")
	e.Latest("account:status", "second")
	waitFor(t, "two events", func() bool { return len(rec.snapshot()) >= 2 })
	time.Sleep(120 * time.Millisecond) // a second flush would land in this window
	evs := rec.snapshot()
	if len(evs) != 2 {
		t.Fatalf("events = %d (%v), want 2", len(evs), evs)
	}
	for _, ev := range evs {
		switch ev.name {
		case "items:changed":
			if got := ev.data.(CountPayload).Count; got != 1000 {
				t.Fatalf("count = %d, want 1000", got)
			}
		case "account:status":
			if ev.data != "second" {
				t.Fatalf("status payload = %v, want the latest", ev.data)
			}
		default:
			t.Fatalf("unexpected event %q", ev.name)
		}
	}
}

func TestEmitterClosedIsSilent(t *testing.T) {
	var rec recorder
	e := NewEmitter(10*time.Millisecond, rec.emit)
	e.Count("items:changed", 1)
	e.Close()
	e.Count("items:changed", 1)
	time.Sleep(50 * time.Millisecond)
	if n := len(rec.snapshot()); n != 0 {
		t.Fatalf("closed emitter sent %d events", n)
	}
}
