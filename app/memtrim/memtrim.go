// Package memtrim gives the Go heap's spare pages back to the operating
// system once a long-running process has gone quiet.
//
// The Go runtime keeps the pages a burst of work touched (a start-up that
// reads 100,000 index keys, a sync, a search index merge) until its
// background scavenger slowly returns them, and it keeps enough to grow to
// the next collection's goal, which is twice the live heap. For a desktop
// app that spends most of its life idle in the tray, that is memory the user
// pays for while nothing runs. Trimmer watches the allocation rate and, once
// a whole interval allocated little, collects and returns every free page at
// once (debug.FreeOSMemory): once after each burst, and under a slow trickle
// of allocations at most once per Policy.MinSpare allocated.
package memtrim

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Sample is what Trimmer reads from the runtime each interval.
type Sample struct {
	// Allocs is the cumulative count of bytes allocated on the heap.
	Allocs uint64
	// Spare is what a trim could give back: heap pages that are free but
	// still held, plus objects allocated since the last collection that it
	// would find dead (objects minus the live heap it marked).
	Spare uint64
}

// Policy says when a process counts as quiet and a trim worth its cost.
type Policy struct {
	// Interval is how often the runtime is sampled.
	Interval time.Duration
	// QuietBelow is the most a quiet interval may allocate.
	QuietBelow uint64
	// MinSpare is the least Spare worth a trim: a full collection and
	// returning pages costs a few milliseconds of CPU.
	MinSpare uint64
}

// DefaultPolicy samples every 5 s, counts under 1 MB allocated in that time
// as quiet, and trims when at least 4 MB would come back.
var DefaultPolicy = Policy{Interval: 5 * time.Second, QuietBelow: 1 << 20, MinSpare: 4 << 20}

// ShouldTrim reports whether the interval from prev to cur was quiet and the
// heap holds enough spare memory to give back. Right after a trim Spare is
// near 0, so the next trim waits until the process has allocated (or a
// collection has freed) MinSpare more: a process that stays quiet is trimmed
// once, and a slow trickle of allocations at most once per MinSpare.
func (p Policy) ShouldTrim(prev, cur Sample) bool {
	return cur.Allocs-prev.Allocs < p.QuietBelow && cur.Spare >= p.MinSpare
}

// Trimmer applies a Policy to a process's heap.
type Trimmer struct {
	policy Policy
	read   func() Sample
	free   func()
	tick   func(time.Duration) (<-chan time.Time, func())
}

// New returns a Trimmer of this process's Go heap under policy.
func New(policy Policy) *Trimmer {
	return &Trimmer{policy: policy, read: ReadSample, free: debug.FreeOSMemory, tick: newTicker}
}

func newTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Run samples the heap every interval and trims it when the policy says so,
// until ctx is done. It calls onTrim (when not nil) after each trim with the
// samples from before and after it, and returns how many trims it made.
func (t *Trimmer) Run(ctx context.Context, onTrim func(before, after Sample)) int {
	prev := t.read()
	ticks, stop := t.tick(t.policy.Interval)
	defer stop()
	trims := 0
	for {
		select {
		case <-ctx.Done():
			return trims
		case <-ticks:
		}
		cur := t.read()
		if t.policy.ShouldTrim(prev, cur) {
			t.free()
			trims++
			before := cur
			cur = t.read()
			if onTrim != nil {
				onTrim(before, cur)
			}
		}
		prev = cur
	}
}

// metricNames are the runtime/metrics ReadSample reads, in this order.
var metricNames = [...]string{
	"/gc/heap/allocs:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/live:bytes",
}

// ReadSample reads a Sample of this process's heap from runtime/metrics.
func ReadSample() Sample {
	s := make([]metrics.Sample, len(metricNames))
	for i, name := range metricNames {
		s[i].Name = name
	}
	metrics.Read(s)
	v := func(i int) uint64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[i].Value.Uint64()
	}
	free, objects, live := v(1), v(2), v(3)
	dead := uint64(0)
	if objects > live {
		dead = objects - live
	}
	return Sample{Allocs: v(0), Spare: free + dead}
}
