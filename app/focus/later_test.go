package focus

import (
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// The hooks the respond-later and snooze machinery (app/norms.go,
// app/snooze.go) uses: next batch time, release moments without held items,
// and holding an item that comes back from snooze during focus.
func TestLaterHooks(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) } // a Monday
	e := mustEngine(t, workday(t, PolicyBatched))

	for _, tt := range []struct{ now, want string }{
		{"08:00", "2026-06-15 09:00"},
		{"09:00", "2026-06-15 12:30"}, // strictly after
		{"12:45", "2026-06-15 16:30"},
		{"17:00", "2026-06-16 09:00"},
	} {
		got, ok := e.NextBatch(at(tt.now))
		if !ok || !got.Equal(lt(t, loc, tt.want)) || got.Location().String() != "Europe/Berlin" {
			t.Errorf("NextBatch(%s) = %v, %v; want %s", tt.now, got, ok, tt.want)
		}
	}

	// A reply due at 10:00 (inside the 09:30–11:30 block) is announced at
	// 12:30, the first batch time outside focus; one due at 15:00 waits for
	// the 16:00 end of the afternoon block, which swallowed no batch time,
	// so for policy batched it is the 16:30 batch.
	for _, tt := range []struct{ due, want string }{
		{"10:00", "12:30"},
		{"12:30", "12:30"},
		{"15:00", "16:30"},
	} {
		if got := e.ReleaseMoment(at(tt.due)); !got.Equal(at(tt.want)) {
			t.Errorf("ReleaseMoment(%s) = %v, want %s", tt.due, got, tt.want)
		}
	}

	if e.HoldIfFocusing(at("12:00"), "a/out") {
		t.Fatal("held outside focus")
	}
	if !e.HoldIfFocusing(at("10:00"), "a/in") {
		t.Fatal("not held in focus")
	}
	held := e.Held()
	if len(held) != 1 || held[0].ID != inbox.ID("a/in") || !held[0].Focus || held[0].Urgent {
		t.Fatalf("held = %+v", held)
	}
	if r := tickUntilRelease(t, e, at("11:00"), at("13:00")); !r.At.Equal(at("12:30")) || len(r.Items) != 1 {
		t.Fatalf("release = %+v", r)
	}
}
