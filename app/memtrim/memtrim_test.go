package memtrim

import (
	"context"
	"runtime"
	"testing"
	"time"
)

const mb = 1 << 20

func TestShouldTrim(t *testing.T) {
	p := Policy{Interval: time.Second, QuietBelow: 1 * mb, MinSpare: 4 * mb}
	tests := []struct {
		name      string
		prev, cur Sample
		want      bool
	}{
		{"busy interval", Sample{Allocs: 100 * mb}, Sample{Allocs: 110 * mb, Spare: 40 * mb}, false},
		{"just at the quiet bound is busy", Sample{Allocs: 0}, Sample{Allocs: 1 * mb, Spare: 40 * mb}, false},
		{"quiet with plenty spare", Sample{Allocs: 100 * mb}, Sample{Allocs: 100*mb + 512<<10, Spare: 12 * mb}, true},
		{"quiet, nothing allocated, spare exactly the minimum", Sample{Allocs: 5 * mb}, Sample{Allocs: 5 * mb, Spare: 4 * mb}, true},
		{"quiet but too little to give back", Sample{Allocs: 5 * mb}, Sample{Allocs: 5 * mb, Spare: 4*mb - 1}, false},
		{"quiet after a trim (spare near zero)", Sample{Allocs: 5 * mb, Spare: 64 << 10}, Sample{Allocs: 5*mb + 100, Spare: 64<<10 + 100}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.ShouldTrim(tt.prev, tt.cur); got != tt.want {
				t.Errorf("ShouldTrim(%+v, %+v) = %v, want %v", tt.prev, tt.cur, got, tt.want)
			}
		})
	}
}

type step struct{ alloc, spare uint64 }

// fakeHeap is a heap whose samples a test scripts. Run's first read is the
// start; each later read (one per tick) moves to the next step's
// allocations and spare bytes, except the read right after a trim, which
// sees the spare given back. Past the last step it cancels the run. It is
// used only from Run's goroutine.
type fakeHeap struct {
	steps         []step
	cancel        func()
	allocs, spare uint64
	next          int   // the step the next tick's read moves to (1-based)
	freed         bool  // the last call was free
	trims         []int // the steps at which free was called
}

func (h *fakeHeap) read() Sample {
	switch {
	case h.freed:
		h.freed = false
	case h.next == 0:
		h.next = 1
	case h.next > len(h.steps):
		h.cancel()
	default:
		s := h.steps[h.next-1]
		h.allocs += s.alloc
		h.spare = s.spare
		h.next++
	}
	return Sample{Allocs: h.allocs, Spare: h.spare}
}

func (h *fakeHeap) free() {
	h.trims = append(h.trims, h.next-1)
	h.spare = 0
	h.freed = true
}

func TestRunTrimsOncePerQuietBurst(t *testing.T) {
	steps := []step{ // bytes allocated during each interval, spare heap at its end
		{50 * mb, 30 * mb},          // 1: start-up burst
		{20 * mb, 35 * mb},          // 2: still busy
		{100 << 10, 35 * mb},        // 3: quiet: trim
		{50 << 10, 50 << 10},        // 4: quiet, nothing new to give back
		{0, 50 << 10},               // 5: idle
		{30 * mb, 20 * mb},          // 6: a sync
		{200 << 10, 20 * mb},        // 7: quiet again: trim
		{3 * mb, 3 * mb},            // 8: a trickle, busy
		{900 << 10, 3*mb + 900<<10}, // 9: quiet, under MinSpare
		{900 << 10, 4*mb + 800<<10}, // 10: quiet, over MinSpare: trim
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &fakeHeap{steps: steps, cancel: cancel}
	ticks := make(chan time.Time, len(steps)+1) // one more to read past the end
	for range cap(ticks) {
		ticks <- time.Time{}
	}
	tr := &Trimmer{
		policy: Policy{Interval: time.Second, QuietBelow: 1 * mb, MinSpare: 4 * mb},
		read:   h.read,
		free:   h.free,
		tick:   func(time.Duration) (<-chan time.Time, func()) { return ticks, func() {} },
	}
	var reports []Sample
	n := tr.Run(ctx, func(before, after Sample) { reports = append(reports, before, after) })
	if n != 3 {
		t.Errorf("Run made %d trims, want 3", n)
	}
	want := []int{3, 7, 10}
	if len(h.trims) != len(want) {
		t.Fatalf("trims at steps %v, want %v", h.trims, want)
	}
	for i := range want {
		if h.trims[i] != want[i] {
			t.Fatalf("trims at steps %v, want %v", h.trims, want)
		}
	}
	if len(reports) != 6 || reports[0].Spare != 35*mb || reports[1].Spare != 0 {
		t.Errorf("onTrim reports = %+v, want before/after pairs starting {Spare:35MB} {Spare:0}", reports)
	}
}

var sink [][]byte

// TestTrimReturnsARealBurst runs the trimmer on this process's own heap:
// after a burst of garbage it must find the heap quiet, trim it, and the
// pages must leave the heap's free-but-held class.
func TestTrimReturnsARealBurst(t *testing.T) {
	runtime.GC()
	for i := 0; i < 64; i++ {
		sink = append(sink, make([]byte, 1*mb))
		for j := range sink[i] {
			sink[i][j] = byte(j) // touch the pages so they are resident
		}
	}
	sink = nil
	runtime.GC() // the burst is now free but held by the heap
	before := ReadSample()
	if before.Spare < 32*mb {
		t.Fatalf("after a 64 MB burst the heap holds %d MB spare; want at least 32 to test a trim", before.Spare/mb)
	}
	tr := New(Policy{Interval: 20 * time.Millisecond, QuietBelow: 4 * mb, MinSpare: 8 * mb})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var after Sample
	trims := tr.Run(ctx, func(_, a Sample) { after = a; cancel() })
	if trims != 1 {
		t.Fatalf("Run made %d trims in 10 s of a quiet test process, want 1", trims)
	}
	if after.Spare > before.Spare/4 {
		t.Errorf("spare heap after the trim = %d MB, before = %d MB: the trim gave back less than 3/4", after.Spare/mb, before.Spare/mb)
	}
}
