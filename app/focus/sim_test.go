package focus

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// The simulated day: Berlin, Monday 2026-06-15, weekday focus blocks
// 09:00–11:30 (it swallows the 09:00 batch time) and 14:00–16:00, batch
// times 09:00, 12:30 and 16:30, and two urgency rules: mail from the boss,
// and Slack DMs saying "prod down".
func simConfig(t testing.TB, policy Policy) Config {
	return Config{
		Location: mustLoc(t, "Europe/Berlin"),
		Weekly: []WeeklyBlock{
			{Days: []string{"weekdays"}, Start: "09:00", End: "11:30"},
			{Days: []string{"weekdays"}, Start: "14:00", End: "16:00"},
		},
		Policy: policy,
		Rules: []Rule{
			{Name: "boss", Senders: []string{"boss@example.com"}},
			{Name: "prod-down", Sources: []inbox.Source{inbox.SourceSlack}, Signals: []inbox.Signal{inbox.SignalDM}, Keywords: []string{"prod down"}},
		},
	}
}

// simInFocus is the test's own reading of the schedule, independent of the
// engine's.
func simInFocus(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	return (m >= 9*60 && m < 11*60+30) || (m >= 14*60 && m < 16*60)
}

// simReleaseMoments are the release moments of a weekday by the rules:
// block ends (policy immediate), batch times outside focus, and the end of
// the block that swallowed 09:00.
func simReleaseMoments(policy Policy) []string {
	if policy == PolicyImmediate {
		return []string{"11:30", "12:30", "16:00", "16:30"}
	}
	return []string{"11:30", "12:30", "16:30"}
}

// simEvent is one arriving item, kept small so a million fit in memory.
type simEvent struct {
	at     time.Duration // since the start of the day
	src    uint8         // index into simSources
	thread uint16
	sender uint16
	kind   uint8 // simNormal, simBoss, simProdDown, simDM
}

const (
	simNormal = iota
	simBoss
	simProdDown
	simDM
)

var simSources = []struct {
	src     inbox.Source
	account string
}{
	{inbox.SourceEmail, "mail"}, {inbox.SourceSlack, "slack"}, {inbox.SourceGitHub, "gh"}, {inbox.SourceAsana, "asana"},
}

// simWorld turns events into items without allocating per item.
type simWorld struct {
	events  []simEvent
	ids     []inbox.ID
	threads [4][]string
	senders [4][]inbox.Person
	boss    inbox.Person
}

func newSimWorld(n int, seed uint64) *simWorld {
	r := rand.New(rand.NewPCG(seed, 1))
	w := &simWorld{boss: inbox.Person{Name: "The Boss", Addr: "boss@example.com"}}
	for s, src := range simSources {
		for i := range 400 {
			w.threads[s] = append(w.threads[s], fmt.Sprintf("%s-thread-%d", src.account, i))
		}
		for i := range 60 {
			w.senders[s] = append(w.senders[s], inbox.Person{Name: fmt.Sprintf("Person %d", i), Addr: fmt.Sprintf("p%d@%s.example.com", i, src.account)})
		}
	}
	w.events = make([]simEvent, n)
	w.ids = make([]inbox.ID, n)
	for i := range w.events {
		ev := simEvent{at: time.Duration(r.Int64N(int64(24 * time.Hour)))}
		switch p := r.IntN(100); {
		case p < 40:
			ev.src = 0
			if r.IntN(100) < 2 {
				ev.kind = simBoss
			}
		case p < 75:
			ev.src = 1
			if r.IntN(100) < 20 {
				ev.kind = simDM
				if r.IntN(100) < 5 {
					ev.kind = simProdDown
				}
			}
		case p < 90:
			ev.src = 2
		default:
			ev.src = 3
		}
		ev.thread = uint16(r.IntN(400))
		ev.sender = uint16(r.IntN(60))
		w.events[i] = ev
	}
	slices.SortFunc(w.events, func(a, b simEvent) int { return int(a.at - b.at) })
	// One backing string for every id keeps a million ids one object for
	// the garbage collector, so the benchmark measures the engine.
	var all strings.Builder
	ends := make([]int, n)
	for i, ev := range w.events {
		fmt.Fprintf(&all, "%s/%d", simSources[ev.src].account, i)
		ends[i] = all.Len()
	}
	s, start := all.String(), 0
	for i, end := range ends {
		w.ids[i], start = inbox.ID(s[start:end]), end
	}
	return w
}

func (w *simWorld) item(i int, received time.Time) inbox.Item {
	ev := w.events[i]
	src := simSources[ev.src]
	it := inbox.Item{
		ID: w.ids[i], Account: src.account, Source: src.src,
		Thread: w.threads[ev.src][ev.thread], Title: "Quarterly numbers and the plan for next week",
		From: w.senders[ev.src][ev.sender], Received: received,
		Body: "Hi, here are the numbers we talked about; let me know what you think before Friday.",
	}
	switch ev.kind {
	case simBoss:
		it.From = w.boss
	case simDM:
		it.Signals = []inbox.Signal{inbox.SignalDM}
	case simProdDown:
		it.Signals = []inbox.Signal{inbox.SignalDM}
		it.Body = "hey, prod down since 5 minutes, can you look?"
	}
	return it
}

// TestSimulatedDay runs 10,000 items through 24 simulated hours, ticking
// every simulated second, then a second day without new items so everything
// held is released.
func TestSimulatedDay(t *testing.T) {
	for _, policy := range []Policy{PolicyImmediate, PolicyBatched} {
		t.Run(string(policy), func(t *testing.T) {
			cfg := simConfig(t, policy)
			loc := cfg.Location
			e := mustEngine(t, cfg)
			w := newSimWorld(10_000, 42)
			day := lt(t, loc, "2026-06-15 00:00")

			var moments []time.Time
			for d := range 3 {
				for _, m := range simReleaseMoments(policy) {
					moments = append(moments, lt(t, loc, day.AddDate(0, 0, d).Format("2006-01-02 ")+m))
				}
			}
			firstMomentAfter := func(at time.Time) time.Time {
				for _, m := range moments {
					if !m.Before(at) {
						return m
					}
				}
				t.Fatalf("no release moment after %v", at)
				return time.Time{}
			}

			held := map[inbox.ID]time.Time{}
			released := map[inbox.ID]int{}
			var urgentNotified []time.Time
			counts := map[string]int{}
			var releases []Release
			next := 0
			for s := time.Duration(0); s < 48*time.Hour; s += time.Second {
				now := day.Add(s)
				if r, ok := e.Tick(now); ok {
					releases = append(releases, r)
					if simInFocus(r.At) {
						t.Errorf("release inside focus at %v", r.At.In(loc))
					}
					earliest := r.Items[0].HeldAt
					for _, h := range r.Items {
						released[h.ID]++
						if h.HeldAt.Before(earliest) {
							earliest = h.HeldAt
						}
						if _, ok := held[h.ID]; !ok {
							t.Errorf("released %s, which was never held", h.ID)
						}
					}
					want := firstMomentAfter(earliest)
					if late := r.At.Sub(want); late < 0 || late > time.Second {
						t.Errorf("release at %v, %v after its moment %v", r.At.In(loc), late, want.In(loc))
					}
				}
				for next < len(w.events) && w.events[next].at < s+time.Second {
					at := day.Add(w.events[next].at)
					d := e.Decide(at, w.item(next, at), false)
					counts[d.Action.String()+map[bool]string{true: "/urgent", false: ""}[d.Urgent]]++
					switch {
					case d.Action == Notify && !d.Urgent && simInFocus(at):
						t.Errorf("non-urgent notify inside focus at %v", at.In(loc))
					case d.Action == Notify && !d.Urgent && policy == PolicyBatched:
						t.Errorf("non-urgent notify under policy batched at %v", at.In(loc))
					case d.Action == Notify && d.Urgent:
						urgentNotified = append(urgentNotified, at)
					case d.Action == Hold:
						held[w.ids[next]] = at
					}
					next++
				}
			}
			if next != len(w.events) {
				t.Fatalf("decided %d of %d items", next, len(w.events))
			}
			for id := range held {
				if released[id] != 1 {
					t.Errorf("%s released %d times, want exactly once", id, released[id])
				}
			}
			if n := len(e.Held()); n != 0 {
				t.Errorf("%d items still held after two days", n)
			}
			for i, at := range urgentNotified {
				n := 0
				for _, u := range urgentNotified[:i+1] {
					if at.Sub(u) < time.Hour {
						n++
					}
				}
				if n > DefaultMaxBreakthroughsPerHour {
					t.Errorf("%d urgent notifications in the hour up to %v", n, at.In(loc))
				}
			}
			if counts["hold/urgent"] == 0 || counts["notify/urgent"] == 0 || counts["hold"] == 0 {
				t.Errorf("the day did not exercise every path: %v", counts)
			}
			var when []string
			for _, r := range releases {
				when = append(when, fmt.Sprintf("%s(%d)", r.At.In(loc).Format("Mon 15:04"), len(r.Items)))
			}
			t.Logf("decisions %v; %d releases: %s", counts, len(releases), strings.Join(when, " "))
		})
	}
}

// BenchmarkSimulatedDay: a million items over one simulated day, ticking
// every simulated second (86,400 ticks, counted in the time per decision).
func BenchmarkSimulatedDay(b *testing.B) {
	const n = 1_000_000
	w := newSimWorld(n, 7)
	cfg := simConfig(b, PolicyImmediate)
	day := lt(b, cfg.Location, "2026-06-15 00:00")
	var mallocs uint64
	var decisions int
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		e := mustEngine(b, cfg)
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		next := 0
		for s := time.Duration(0); s < 24*time.Hour; s += time.Second {
			now := day.Add(s)
			e.Tick(now)
			for next < n && w.events[next].at < s+time.Second {
				at := day.Add(w.events[next].at)
				e.Decide(at, w.item(next, at), false)
				next++
			}
		}
		runtime.ReadMemStats(&ms1)
		mallocs += ms1.Mallocs - ms0.Mallocs
		decisions += n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(decisions), "ns/decision")
	b.ReportMetric(float64(mallocs)/float64(decisions), "allocs/decision")
}

// BenchmarkRelease10k: the latency of releasing 10,000 held items, and of
// wording their digest. Each round holds 10,000 items first; ns/op covers
// the whole round, ns/release and ns/digest the parts that matter.
func BenchmarkRelease10k(b *testing.B) {
	const n = 10_000
	w := newSimWorld(n, 9)
	cfg := simConfig(b, PolicyImmediate)
	cfg.Rules = nil
	loc := cfg.Location
	start, end := lt(b, loc, "2026-06-15 09:00"), lt(b, loc, "2026-06-15 11:30")
	items := make([]inbox.Item, n)
	for i := range items {
		items[i] = w.item(i, start)
	}
	var releaseNs, digestNs time.Duration
	for b.Loop() {
		e := mustEngine(b, cfg)
		for i := range items {
			e.Decide(start.Add(time.Duration(i)*time.Millisecond), items[i], false)
		}
		t0 := time.Now()
		r, ok := e.Release(end)
		t1 := time.Now()
		d := BuildDigest(r, items, nil)
		t2 := time.Now()
		if !ok || len(r.Items) != n || d.Title != "10000 held while you focused" {
			b.Fatalf("release of %d items, %v, %q", len(r.Items), ok, d.Title)
		}
		releaseNs += t1.Sub(t0)
		digestNs += t2.Sub(t1)
	}
	b.ReportMetric(float64(releaseNs.Nanoseconds())/float64(b.N), "ns/release")
	b.ReportMetric(float64(digestNs.Nanoseconds())/float64(b.N), "ns/digest")
}
