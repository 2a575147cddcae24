package focus

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

func mustEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func item(account, native, thread string) inbox.Item {
	return inbox.Item{
		ID: inbox.NewID(account, native), Account: account, Source: inbox.SourceEmail,
		Thread: thread, Title: "Hello", From: inbox.Person{Name: "Ana", Addr: "ana@example.com"},
	}
}

func bossMail(native string) inbox.Item {
	it := item("work", native, native)
	it.From = inbox.Person{Name: "Boss", Addr: "boss@example.com"}
	return it
}

var bossRule = []Rule{{Name: "boss", Senders: []string{"boss@example.com"}}}

// tickUntilRelease ticks every second from from to to and returns the first
// release, failing if there is none.
func tickUntilRelease(t *testing.T, e *Engine, from, to time.Time) Release {
	t.Helper()
	for now := from; !now.After(to); now = now.Add(time.Second) {
		if r, ok := e.Tick(now); ok {
			return r
		}
	}
	t.Fatalf("no release between %v and %v", from, to)
	return Release{}
}

func TestDecide(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	type step struct {
		at       string
		it       inbox.Item
		backfill bool
		want     Action
		urgent   bool
		rule     string
		reason   string // substring
	}
	tests := []struct {
		name   string
		policy Policy
		steps  []step
	}{
		{"backfill is silent, even urgent, even in focus", PolicyImmediate, []step{
			{at: "10:00", it: bossMail("1"), backfill: true, want: Silent, reason: "backfill"},
			{at: "12:00", it: item("work", "2", "t"), backfill: true, want: Silent},
		}},
		{"urgent breaks through focus", PolicyImmediate, []step{
			{at: "10:00", it: bossMail("1"), want: Notify, urgent: true, rule: "boss", reason: "breaks through focus"},
		}},
		{"urgent outside focus notifies", PolicyBatched, []step{
			{at: "12:00", it: bossMail("1"), want: Notify, urgent: true, rule: "boss"},
		}},
		{"in focus: held", PolicyImmediate, []step{
			{at: "10:00", it: item("work", "1", "t"), want: Hold, reason: "in focus"},
		}},
		{"batched outside focus: held", PolicyBatched, []step{
			{at: "12:00", it: item("work", "1", "t"), want: Hold, reason: "policy batched"},
		}},
		{"immediate outside focus: notify", PolicyImmediate, []step{
			{at: "12:00", it: item("work", "1", "t"), want: Notify},
		}},
		{"thread coalescing", PolicyImmediate, []step{
			{at: "12:00:00", it: item("work", "1", "A"), want: Notify},
			{at: "12:01:00", it: item("work", "2", "A"), want: Silent, reason: "in the inbox"},
			{at: "12:01:59", it: item("work", "3", "A"), want: Silent},
			{at: "12:01:00", it: item("work", "4", "B"), want: Notify},                                                                           // another thread
			{at: "12:01:00", it: item("home", "5", "A"), want: Notify},                                                                           // same thread id, another account
			{at: "12:02:00", it: item("work", "6", "A"), want: Notify},                                                                           // cooldown over
			{at: "12:02:30", it: item("work", "7", ""), want: Notify},                                                                            // no thread: its own
			{at: "12:02:31", it: item("work", "8", ""), want: Notify},                                                                            // no thread: its own
			{at: "12:03:00", it: func() inbox.Item { i := bossMail("9"); i.Thread = "A"; return i }(), want: Notify, urgent: true, rule: "boss"}, // urgent is not coalesced
			{at: "12:03:30", it: item("work", "10", "A"), want: Silent},                                                                          // the urgent alert started a cooldown
		}},
		{"silent items of a thread do not extend its cooldown", PolicyImmediate, []step{
			{at: "12:00:00", it: item("work", "1", "A"), want: Notify},
			{at: "12:01:30", it: item("work", "2", "A"), want: Silent},
			{at: "12:02:10", it: item("work", "3", "A"), want: Notify},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := workday(t, tt.policy)
			cfg.Rules = bossRule
			e := mustEngine(t, cfg)
			held := 0
			for i, s := range tt.steps {
				d := e.Decide(at(s.at), s.it, s.backfill)
				if d.Action != s.want || d.Urgent != s.urgent || d.Rule != s.rule || !strings.Contains(d.Reason, s.reason) {
					t.Errorf("step %d (%s %s): %+v, want %v urgent=%v rule=%q reason~%q", i, s.at, s.it.ID, d, s.want, s.urgent, s.rule, s.reason)
				}
				if d.Action == Hold {
					held++
				}
			}
			if got := len(e.Held()); got != held {
				t.Errorf("Held() has %d items, want %d", got, held)
			}
		})
	}
}

// TestBreakthroughCap: at most three urgent notifications in any rolling
// hour; the fourth is held and marked urgent; a breakthrough at t counts
// until t+1h.
func TestBreakthroughCap(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	cfg := workday(t, PolicyImmediate)
	cfg.Rules = bossRule
	cfg.Weekly = []WeeklyBlock{{Start: "09:00", End: "17:00"}}
	e := mustEngine(t, cfg)
	steps := []struct {
		at   string
		want Action
	}{
		{"10:00", Notify}, {"10:10", Notify}, {"10:20", Notify},
		{"10:30", Hold},    // 4th in the hour
		{"10:59:59", Hold}, // 10:00 still counts
		{"11:00", Notify},  // 10:00 rolled out of the hour
		{"11:05", Hold},    // 10:10, 10:20, 11:00 in the hour
		{"11:10", Notify},  // 10:10 rolled out
	}
	for i, s := range steps {
		d := e.Decide(at(s.at), bossMail(fmt.Sprint(i)), false)
		if d.Action != s.want || !d.Urgent || d.Rule != "boss" {
			t.Errorf("%s: %+v, want %v urgent", s.at, d, s.want)
		}
		if d.Action == Hold && !strings.Contains(d.Reason, "cap") {
			t.Errorf("%s: reason %q does not mention the cap", s.at, d.Reason)
		}
	}
	held := e.Held()
	if len(held) != 3 {
		t.Fatalf("held %d, want 3", len(held))
	}
	for _, h := range held {
		if !h.Urgent || !h.Focus {
			t.Errorf("held item %+v not marked urgent and in focus", h)
		}
	}

	// A negative cap holds every urgent item; a cap of 1 allows one.
	for _, c := range []struct{ max, notified int }{{-1, 0}, {1, 1}, {5, 5}} {
		cfg.MaxBreakthroughsPerHour = c.max
		e := mustEngine(t, cfg)
		n := 0
		for i := range 10 {
			if e.Decide(at("10:00").Add(time.Duration(i)*time.Minute), bossMail(fmt.Sprint(i)), false).Action == Notify {
				n++
			}
		}
		if n != c.notified {
			t.Errorf("max %d: %d notified, want %d", c.max, n, c.notified)
		}
	}
}

// TestReleaseMoments pins the exact release instant, ticking every second.
func TestReleaseMoments(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	ny := mustLoc(t, "America/New_York")
	lunch := func(p Policy) Config {
		c := workday(t, p)
		c.Weekly = append(c.Weekly, WeeklyBlock{Days: []string{"mon"}, Start: "12:00", End: "13:00"})
		return c
	}
	urgentCapped := workday(t, PolicyImmediate)
	urgentCapped.Rules, urgentCapped.MaxBreakthroughsPerHour = bossRule, -1
	nightBlock := func(loc *time.Location) Config {
		return Config{Location: loc, Weekly: []WeeklyBlock{{Days: []string{"sun"}, Start: "01:30", End: "03:30"}}}
	}
	springBerlin := Config{Location: berlin, Policy: PolicyBatched, BatchTimes: map[string][]string{"default": {"02:30", "09:00"}}}
	fallNY := Config{Location: ny, Policy: PolicyBatched, BatchTimes: map[string][]string{"default": {"01:30", "09:00"}}}
	tests := []struct {
		name    string
		cfg     Config
		loc     *time.Location
		heldAt  string
		it      inbox.Item
		release string
	}{
		{"immediate: in focus → block end", workday(t, PolicyImmediate), berlin, "2026-06-15 10:00", item("w", "1", "t"), "2026-06-15 11:30"},
		{"batched: outside focus → next batch time", workday(t, PolicyBatched), berlin, "2026-06-15 12:45", item("w", "1", "t"), "2026-06-15 16:30"},
		{"batched: in focus → first batch time outside focus", workday(t, PolicyBatched), berlin, "2026-06-15 10:00", item("w", "1", "t"), "2026-06-15 12:30"},
		{"batched: batch time inside a block → block end", lunch(PolicyBatched), berlin, "2026-06-15 12:10", item("w", "1", "t"), "2026-06-15 13:00"},
		{"immediate: batch time inside a block → block end", lunch(PolicyImmediate), berlin, "2026-06-15 12:10", item("w", "1", "t"), "2026-06-15 13:00"},
		{"immediate: capped urgent outside focus → next block end", urgentCapped, berlin, "2026-06-15 12:40", bossMail("1"), "2026-06-15 16:00"},
		{"batched: Friday evening → Saturday 09:00", workday(t, PolicyBatched), berlin, "2026-06-19 18:00", item("w", "1", "t"), "2026-06-20 09:00"},
		{"spring forward: batch 02:30 releases at 03:00 CEST", springBerlin, berlin, "2026-03-29 01:10", item("w", "1", "t"), "2026-03-29 03:00"},
		{"fall back: batch 01:30 releases at the first 01:30 (EDT)", fallNY, ny, "2026-11-01 00:10", item("w", "1", "t"), "2026-11-01 01:30"},
		{"spring forward: block 01:30–03:30 ends at 03:30 CEST", nightBlock(berlin), berlin, "2026-03-29 01:45", item("w", "1", "t"), "2026-03-29 03:30"},
		{"fall back: block 01:30–03:30 ends at 03:30 CET, three hours on", nightBlock(berlin), berlin, "2026-10-25 01:45", item("w", "1", "t"), "2026-10-25 03:30"},
		{"New York spring forward: block ends 03:30 EDT", nightBlock(ny), ny, "2026-03-08 01:45", item("w", "1", "t"), "2026-03-08 03:30"},
		{"New York fall back: block ends 03:30 EST", nightBlock(ny), ny, "2026-11-01 02:10", item("w", "1", "t"), "2026-11-01 03:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEngine(t, tt.cfg)
			heldAt := lt(t, tt.loc, tt.heldAt)
			if d := e.Decide(heldAt, tt.it, false); d.Action != Hold {
				t.Fatalf("Decide = %+v, want Hold", d)
			}
			want := lt(t, tt.loc, tt.release)
			if got := e.NextRelease(heldAt); !got.Equal(want) {
				t.Errorf("NextRelease = %v, want %v", got.In(tt.loc), want)
			}
			r := tickUntilRelease(t, e, heldAt, heldAt.Add(48*time.Hour))
			if !r.At.Equal(want) || !r.Scheduled.Equal(want) || len(r.Items) != 1 || r.CatchUp {
				t.Fatalf("release at %v (scheduled %v, catch-up %v, %d items), want %v", r.At.In(tt.loc), r.Scheduled.In(tt.loc), r.CatchUp, len(r.Items), want)
			}
		})
	}

	// The second 01:30 of the New York fall-back night is not a batch time.
	e := mustEngine(t, fallNY)
	e.Decide(utc(t, "2026-11-01T06:00:00Z"), item("w", "2", "t"), false) // 01:00 EST, after the first 01:30
	r := tickUntilRelease(t, e, utc(t, "2026-11-01T06:00:00Z"), utc(t, "2026-11-02T00:00:00Z"))
	if want := lt(t, ny, "2026-11-01 09:00"); !r.At.Equal(want) {
		t.Errorf("release at %v, want %v (no second 01:30)", r.At.In(ny), want)
	}
}

func TestReleaseOnce(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	e := mustEngine(t, workday(t, PolicyImmediate))
	for i := range 5 {
		e.Decide(at("10:00").Add(time.Duration(i)*time.Minute), item("w", fmt.Sprint(i), fmt.Sprint(i)), false)
	}
	e.Decide(at("10:30"), item("w", "0", "0"), false) // the same item again: still one
	if e.Due(at("11:29:59")) {
		t.Fatal("due inside focus")
	}
	if _, ok := e.Release(at("11:00")); ok {
		t.Fatal("released inside focus")
	}
	r, ok := e.Release(at("11:30"))
	if !ok || len(r.Items) != 5 || !r.Focused || r.Manual {
		t.Fatalf("release %+v, %v", r, ok)
	}
	if ids := r.IDs(); ids[0] != "w/0" || ids[4] != "w/4" {
		t.Errorf("ids %v, want oldest first", ids)
	}
	if _, ok := e.Release(at("11:30")); ok {
		t.Fatal("released twice")
	}
	if _, ok := e.Tick(at("12:30")); ok {
		t.Fatal("empty release at a batch time")
	}
	if len(e.Held()) != 0 {
		t.Fatal("held set not cleared")
	}
}

func TestReleaseNow(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	e := mustEngine(t, workday(t, PolicyImmediate))
	if _, ok := e.ReleaseNow(at("10:00")); ok {
		t.Fatal("ReleaseNow with nothing held")
	}
	e.Decide(at("10:00"), item("w", "1", "t"), false)
	r, ok := e.ReleaseNow(at("10:05")) // in focus: the user asked
	if !ok || !r.Manual || len(r.Items) != 1 || !r.Scheduled.IsZero() {
		t.Fatalf("ReleaseNow = %+v, %v", r, ok)
	}
	if _, ok := tickOnce(e, at("11:30")); ok {
		t.Fatal("released again at the block end")
	}
}

func sameHeld(a, b []HeldItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Urgent != b[i].Urgent || a[i].Focus != b[i].Focus || !a[i].HeldAt.Equal(b[i].HeldAt) {
			return false
		}
	}
	return true
}

func tickOnce(e *Engine, now time.Time) (Release, bool) { return e.Tick(now) }

func TestStopReleases(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	for _, tt := range []struct {
		policy Policy
		want   string
	}{{PolicyImmediate, "10:20"}, {PolicyBatched, "12:30"}} {
		e := mustEngine(t, workday(t, tt.policy))
		e.Decide(at("10:00"), item("w", "1", "t"), false)
		e.Stop(at("10:20"))
		r := tickUntilRelease(t, e, at("10:20"), at("23:00"))
		if !r.At.Equal(at(tt.want)) {
			t.Errorf("%s: released at %v after Stop, want %s", tt.policy, r.At.In(loc), tt.want)
		}
	}
	// A session started over held items moves their release to its end.
	e := mustEngine(t, workday(t, PolicyBatched))
	e.Decide(at("12:00"), item("w", "1", "t"), false)
	if _, err := e.StartSession(at("12:10"), 50*time.Minute); err != nil {
		t.Fatal(err)
	}
	if r := tickUntilRelease(t, e, at("12:10"), at("23:00")); !r.At.Equal(at("13:00")) {
		t.Errorf("released at %v, want the session end 13:00", r.At.In(loc))
	}
}

// TestCatchUp: release moments missed while asleep produce exactly one
// release on the next tick outside focus, never inside focus.
func TestCatchUp(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	mon := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	tue := func(s string) time.Time { return lt(t, loc, "2026-06-16 "+s) }
	tests := []struct {
		name     string
		wake     time.Time
		useWake  bool
		releases time.Time // the one release
		catchUp  bool
	}{
		{"tick after sleeping through 11:30, 12:30, 16:30", tue("08:00"), false, tue("08:00"), true},
		{"Wake after sleeping", tue("08:00"), true, tue("08:00"), true},
		{"woken inside focus: waits for the block end", tue("10:00"), false, tue("11:30"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEngine(t, workday(t, PolicyImmediate))
			for i := range 20 {
				e.Decide(mon("10:00").Add(time.Duration(i)*time.Minute), item("w", fmt.Sprint(i), fmt.Sprint(i)), false)
			}
			for now := mon("10:00"); now.Before(mon("11:00")); now = now.Add(time.Second) {
				if _, ok := e.Tick(now); ok {
					t.Fatal("release during focus")
				}
			}
			// Asleep from 11:00 Monday.
			var releases []Release
			var r Release
			var ok bool
			if tt.useWake {
				r, ok = e.Wake(tt.wake)
			} else {
				r, ok = e.Tick(tt.wake)
			}
			if ok {
				releases = append(releases, r)
			}
			for now := tt.wake.Add(time.Second); now.Before(tt.wake.Add(8 * time.Hour)); now = now.Add(time.Second) {
				if r, ok := e.Tick(now); ok {
					releases = append(releases, r)
				}
			}
			if len(releases) != 1 {
				t.Fatalf("%d releases, want exactly 1", len(releases))
			}
			r = releases[0]
			if !r.At.Equal(tt.releases) || len(r.Items) != 20 || r.CatchUp != tt.catchUp {
				t.Fatalf("release at %v, %d items, catch-up %v; want %v, 20, %v", r.At.In(loc), len(r.Items), r.CatchUp, tt.releases, tt.catchUp)
			}
			if !r.Scheduled.Equal(mon("11:30")) {
				t.Errorf("scheduled %v, want the missed Monday 11:30", r.Scheduled.In(loc))
			}
		})
	}
}

// TestRestartMidFocus: held items survive a restart through State (as JSON)
// and go out once, at their release moment.
func TestRestartMidFocus(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	cfg := workday(t, PolicyImmediate)
	cfg.Rules = bossRule
	a := mustEngine(t, cfg)
	for i := range 3 {
		a.Decide(at("10:40"), bossMail(fmt.Sprint(i)), false) // three breakthroughs
	}
	a.Decide(at("10:45"), bossMail("capped"), false)
	for i := range 5 {
		a.Decide(at("10:00").Add(time.Duration(i)*time.Minute), item("w", fmt.Sprint(i), "t"), false)
	}
	if _, err := a.StartSession(at("11:00"), 90*time.Minute); err != nil { // extends focus to 12:30
		t.Fatal(err)
	}
	a.Tick(at("11:10"))
	data, err := json.Marshal(a.State())
	if err != nil {
		t.Fatal(err)
	}

	// kill -9 at 11:10; start again at 11:20.
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	b := mustEngine(t, cfg)
	if err := b.Restore(st); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Held(), a.Held(); !sameHeld(got, want) || len(got) != 6 {
		t.Fatalf("held after restore %v, want %v", got, want)
	}
	if in, blk := b.InFocus(at("11:20")); !in || blk.Source != SourceSession {
		t.Fatal("session lost in restart")
	}
	if d := b.Decide(at("11:20"), bossMail("again"), false); d.Action != Hold {
		t.Errorf("breakthrough budget lost in restart: %+v", d)
	}
	var releases []Release
	if r, ok := b.Wake(at("11:20")); ok {
		releases = append(releases, r)
	}
	for now := at("11:20"); now.Before(at("18:00")); now = now.Add(time.Second) {
		if r, ok := b.Tick(now); ok {
			releases = append(releases, r)
		}
	}
	if len(releases) != 1 || !releases[0].At.Equal(at("12:30")) || len(releases[0].Items) != 7 {
		t.Fatalf("releases %+v, want one at 12:30 with 7 items", releases)
	}
	urgent := 0
	for _, h := range releases[0].Items {
		if h.Urgent {
			urgent++
		}
	}
	if urgent != 2 {
		t.Errorf("%d urgent in the release, want 2", urgent)
	}

	// The thread cooldown survives too.
	c := mustEngine(t, cfg)
	c.Decide(at("12:40"), item("w", "x", "T"), false)
	st = c.State()
	d := mustEngine(t, cfg)
	_ = d.Restore(st)
	if got := d.Decide(at("12:41"), item("w", "y", "T"), false); got.Action != Silent {
		t.Errorf("cooldown lost in restart: %+v", got)
	}

	if err := d.Restore(State{Version: 99}); err == nil {
		t.Error("a newer state version was accepted")
	}
	if err := d.Restore(State{Held: []HeldItem{{ID: ""}}}); err == nil {
		t.Error("a held item without id was accepted")
	}
}

// TestSetLocationKeepsHeld: moving zones keeps the held items; under policy
// immediate the block cut short by the move ends at the move.
func TestSetLocationKeepsHeld(t *testing.T) {
	berlin, ny := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	e := mustEngine(t, Config{Location: berlin, Weekly: []WeeklyBlock{{Start: "09:00", End: "12:00"}}})
	e.Decide(lt(t, berlin, "2026-06-15 10:00"), item("w", "1", "t"), false)
	change := lt(t, berlin, "2026-06-15 10:30")
	e.SetLocation(change, ny)
	if e.Location() != ny {
		t.Fatal("location not changed")
	}
	if len(e.Held()) != 1 {
		t.Fatal("held item lost")
	}
	r := tickUntilRelease(t, e, change, change.Add(24*time.Hour))
	if !r.At.Equal(change) {
		t.Errorf("released at %v, want at the change", r.At.UTC())
	}
	// From now on New York's 09:00–12:00 is focus.
	e.Decide(lt(t, ny, "2026-06-15 09:30"), item("w", "2", "t"), false)
	r = tickUntilRelease(t, e, lt(t, ny, "2026-06-15 09:30"), lt(t, ny, "2026-06-16 00:00"))
	if want := lt(t, ny, "2026-06-15 12:00"); !r.At.Equal(want) {
		t.Errorf("released at %v, want %v", r.At.In(ny), want)
	}
}

func TestTickInterval(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	for _, tt := range []struct {
		name    string
		ticks   []string
		catchUp bool
	}{
		{"regular ticks", []string{"11:28", "11:29", "11:30"}, false},
		{"a 2 min gap is not sleep", []string{"11:28", "11:30"}, false},
		{"a 5 min gap is sleep", []string{"11:26", "11:31"}, true},
	} {
		e, err := New(workday(t, PolicyImmediate), WithTickInterval(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		e.Decide(at("10:00"), item("w", "1", "t"), false)
		var r Release
		var ok bool
		for _, tick := range tt.ticks {
			r, ok = e.Tick(at(tick))
		}
		if !ok || r.CatchUp != tt.catchUp || !r.Scheduled.Equal(at("11:30")) {
			t.Errorf("%s: release %+v, %v; want catch-up %v", tt.name, r, ok, tt.catchUp)
		}
	}
}

func TestClockGoesBack(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	e := mustEngine(t, workday(t, PolicyBatched))
	e.Decide(at("12:00"), item("w", "1", "t"), false)
	// The clock is set back a day: the item counts as held now, and goes
	// out at the next batch time rather than a day late.
	back := at("12:00").Add(-24 * time.Hour)
	r := tickUntilRelease(t, e, back, at("12:00"))
	if want := back.Add(30 * time.Minute); !r.At.Equal(want) {
		t.Errorf("released at %v, want %v", r.At.In(loc), want)
	}
}

func TestStatus(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	focusToLunch := workday(t, PolicyImmediate)
	focusToLunch.Weekly = []WeeklyBlock{{Days: []string{"weekdays"}, Start: "11:00", End: "12:30"}}
	tests := []struct {
		name   string
		cfg    Config
		held   []string // times items arrive
		now    string
		want   Status
		line   string
		lineAt string // if set, Line is evaluated then
	}{
		{"focusing with held items", focusToLunch, []string{"11:05", "11:06", "11:07", "11:08", "11:09", "11:10", "11:11", "11:12", "11:13", "11:14", "11:15", "11:16"}, "11:52",
			Status{Focusing: true, Until: at("12:30"), Held: 12, NextRelease: at("12:30"), Source: SourceSchedule},
			"Focusing · 38 min left · 12 held · next release 12:30", ""},
		{"not focusing", workday(t, PolicyImmediate), nil, "12:00",
			Status{NextRelease: at("12:30")}, "Not focusing · next release 12:30", ""},
		{"not focusing, batched, held", workday(t, PolicyBatched), []string{"12:40", "12:41", "12:42"}, "13:00",
			Status{Held: 3, NextRelease: at("16:30")}, "Not focusing · 3 held · next release 16:30", ""},
		{"focusing, nothing held", workday(t, PolicyImmediate), nil, "09:30",
			Status{Focusing: true, Until: at("11:30"), NextRelease: at("11:30"), Source: SourceSchedule},
			"Focusing · 2 h left · next release 11:30", ""},
		{"rounds up the last minute", workday(t, PolicyImmediate), nil, "11:29:30",
			Status{Focusing: true, Until: at("11:30"), NextRelease: at("11:30"), Source: SourceSchedule},
			"Focusing · 1 min left · next release 11:30", ""},
		{"hours and minutes", workday(t, PolicyImmediate), nil, "09:45",
			Status{Focusing: true, Until: at("11:30"), NextRelease: at("11:30"), Source: SourceSchedule},
			"Focusing · 1 h 45 min left · next release 11:30", ""},
		{"tomorrow", workday(t, PolicyImmediate), nil, "17:00",
			Status{NextRelease: lt(t, loc, "2026-06-16 09:00")}, "Not focusing · next release tomorrow 09:00", ""},
		{"over the weekend", workday(t, PolicyBatched), nil, "2026-06-19 17:00",
			Status{NextRelease: lt(t, loc, "2026-06-20 09:00")}, "Not focusing · next release tomorrow 09:00", ""},
		{"release overdue", workday(t, PolicyBatched), []string{"12:00"}, "12:00",
			Status{Held: 1, NextRelease: at("12:30")}, "Not focusing · 1 held · next release now", "12:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEngine(t, tt.cfg)
			for i, h := range tt.held {
				e.Decide(at(h), item("w", fmt.Sprint(i), fmt.Sprint(i)), false)
			}
			var now time.Time
			if strings.HasPrefix(tt.now, "2026") {
				now = lt(t, loc, tt.now)
			} else {
				now = at(tt.now)
			}
			got := e.Status(now)
			if got.Focusing != tt.want.Focusing || !got.Until.Equal(tt.want.Until) || got.Held != tt.want.Held ||
				!got.NextRelease.Equal(tt.want.NextRelease) || got.Source != tt.want.Source {
				t.Errorf("Status = %+v, want %+v", got, tt.want)
			}
			lineAt := now
			if tt.lineAt != "" {
				lineAt = at(tt.lineAt)
			}
			if line := got.Line(lineAt); line != tt.line {
				t.Errorf("Line = %q, want %q", line, tt.line)
			}
		})
	}
	// Later days name the weekday.
	s := Status{NextRelease: lt(t, loc, "2026-06-18 09:00")}
	if got := s.Line(at("12:00")); got != "Not focusing · next release Thu 09:00" {
		t.Errorf("Line = %q", got)
	}
	// Session shows as the source.
	e := mustEngine(t, workday(t, PolicyImmediate))
	_, _ = e.StartSession(at("12:40"), 25*time.Minute)
	if st := e.Status(at("12:45")); st.Source != SourceSession || st.Line(at("12:45")) != "Focusing · 20 min left · next release 13:05" {
		t.Errorf("session status %+v %q", st, st.Line(at("12:45")))
	}
}

func TestStateJSON(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	e := mustEngine(t, workday(t, PolicyImmediate))
	e.Decide(lt(t, loc, "2026-06-15 10:00"), item("w", "1", "t"), false)
	data, err := json.Marshal(e.State())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"version":1`, `"held":[{"id":"w/1","heldAt":"2026-06-15T10:00:00+02:00","focus":true}]`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("state JSON %s lacks %s", data, key)
		}
	}
	empty, _ := json.Marshal(mustEngine(t, Config{}).State())
	if string(empty) != `{"version":1,"held":[]}` {
		t.Errorf("empty state = %s", empty)
	}
	d, _ := json.Marshal(Decision{Action: Hold, Urgent: true})
	if string(d) != `{"action":"hold","urgent":true}` {
		t.Errorf("decision JSON = %s", d)
	}
}

// TestConcurrent runs the app's callers at once under the race detector.
func TestConcurrent(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	e := mustEngine(t, workday(t, PolicyImmediate))
	start := lt(t, loc, "2026-06-15 09:00")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				now := start.Add(time.Duration(i) * time.Minute)
				switch g {
				case 0:
					e.Decide(now, item("w", fmt.Sprint(i), "t"), false)
				case 1:
					e.Tick(now)
				case 2:
					_ = e.Status(now).Line(now)
				case 3:
					_ = e.State()
					e.Held()
				}
			}
		})
	}
	wg.Wait()
}
