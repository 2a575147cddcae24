package app

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/engine"
	"github.com/lullhq/lull/app/focus"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/connectors"
)

// fakeClock is a wall clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// mixedSource backfills items of every source, some in threads:
//
//	e1          email, its own thread
//	e2, e3      email thread "conv" (e3 newer)
//	dm          Slack direct message (norm 4h)
//	ch          Slack channel message (norm 8h)
//	g1, g2      GitHub pull request thread (g2 newer)
type mixedSource struct{ base time.Time }

func (m mixedSource) items() []inbox.Item {
	mk := func(native string, src inbox.Source, thread string, minutes int, signals ...inbox.Signal) inbox.Item {
		return inbox.Item{
			ID: inbox.NewID(DemoAccount, native), Account: DemoAccount, Source: src, Thread: thread,
			Title: "about " + native, From: inbox.Person{Name: "Sender " + native},
			URL:      "https://example.com/" + native,
			Received: m.base.Add(time.Duration(minutes) * time.Minute), Signals: signals,
		}
	}
	return []inbox.Item{
		mk("e1", inbox.SourceEmail, "", -90),
		mk("e2", inbox.SourceEmail, "conv", -80),
		mk("e3", inbox.SourceEmail, "conv", -20),
		mk("dm", inbox.SourceSlack, "D1/1", -70, inbox.SignalDM),
		mk("ch", inbox.SourceSlack, "C1/1", -60, inbox.SignalMention),
		mk("g1", inbox.SourceGitHub, "acme/x#1", -50),
		mk("g2", inbox.SourceGitHub, "acme/x#1", -10),
	}
}

func (m mixedSource) Sync(ctx context.Context, sink connectors.Sink) error {
	if err := sink.Apply(ctx, connectors.Batch{Upserts: m.items(), Cursor: []byte("done"), Backfill: true}); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

type triageFixture struct {
	app   *App
	clock *fakeClock
	rec   *notify.Recorder
	in    *Inbox
	tr    *Triage
	paths config.Paths
	cfg   config.Config
}

// newTriageApp opens the sample workspace, backed by mixedSource, at a fake
// clock reading 2026-06-15 10:00 in Berlin (a Monday).
func newTriageApp(t *testing.T, cfg config.Config) *triageFixture {
	t.Helper()
	berlin := mustZone(t, "Europe/Berlin")
	clock := &fakeClock{t: local(t, berlin, "2026-06-15 10:00")}
	if cfg.Focus.Location == nil {
		cfg.Focus.Location = berlin
	}
	dir := t.TempDir()
	f := &triageFixture{clock: clock, rec: &notify.Recorder{Now: clock.Now}, cfg: cfg,
		paths: config.Paths{Config: filepath.Join(dir, "config.toml"), Data: filepath.Join(dir, "data"), Demo: filepath.Join(dir, "data-demo")}}
	f.open(t)
	return f
}

func (f *triageFixture) open(t *testing.T) {
	t.Helper()
	reg := connectors.NewRegistry()
	base := local(t, mustZone(t, "Europe/Berlin"), "2026-06-15 10:00")
	reg.Register("demo", func(connectors.Account) (connectors.Connector, error) { return mixedSource{base: base}, nil })
	a := New(Options{
		Paths: f.paths, Config: f.cfg, Registry: reg, Demo: true, Now: f.clock.Now,
		Emit: func(context.Context, string, any) {}, EventInterval: 5 * time.Millisecond,
		Notifier: f.rec, NoControl: true,
	})
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.Startup(context.Background())
	f.app, f.in, f.tr = a, &Inbox{app: a}, &Triage{app: a}
	waitFor(t, "sample items", func() bool {
		c, err := f.in.Counts()
		return err == nil && c[inbox.StateInbox]+c[inbox.StateLater]+c[inbox.StateSnoozed]+c[inbox.StateDone] == 7
	})
}

func (f *triageFixture) get(t *testing.T, native string) inbox.Item {
	t.Helper()
	it, err := f.in.Get(DemoAccount + "/" + native)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func (f *triageFixture) run(t *testing.T, command string, natives ...string) TriageResult {
	t.Helper()
	var ids []string
	for _, n := range natives {
		ids = append(ids, DemoAccount+"/"+n)
	}
	res, err := f.tr.Run(command, ids)
	if err != nil {
		t.Fatalf("Run(%q, %v): %v", command, natives, err)
	}
	return res
}

// wokenRecorded reports whether the snooze runner has recorded native's
// wake-up (it does so just after moving the item back to the inbox).
func (f *triageFixture) wokenRecorded(native string) bool {
	ws, err := f.app.current()
	if err != nil {
		return false
	}
	woken, _ := ws.snooze.wokenAt()
	_, ok := woken[inbox.ID(DemoAccount+"/"+native)]
	return ok
}

func (f *triageFixture) list(t *testing.T, q inbox.Query) []string {
	t.Helper()
	p, err := f.in.List(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range p.Items {
		out = append(out, strings.TrimPrefix(string(it.ID), DemoAccount+"/"))
	}
	return out
}

func TestTriageLaterSnoozeAndUndo(t *testing.T) {
	f := newTriageApp(t, config.Config{})
	now := f.clock.Now()

	res := f.run(t, "later", "e1") // email norm: 24 h
	if res.Message != "1 item for later, respond by tomorrow 10:00" || res.UndoDepth != 1 {
		t.Fatalf("later: %+v", res)
	}
	f.run(t, "later norm", "dm")                  // Slack DM: 4 h
	f.run(t, "later tomorrow-morning", "ch")      // 09:00 tomorrow
	res = f.run(t, "snooze this-afternoon", "g1") // 14:00 today
	if res.Message != "1 item snoozed until 14:00" {
		t.Fatalf("snooze: %+v", res)
	}
	f.run(t, "snooze in-3-days", "e2")

	if it := f.get(t, "e1"); it.Triage.State != inbox.StateLater || !it.Triage.RespondBy.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("e1: %+v", it.Triage)
	}
	if it := f.get(t, "dm"); !it.Triage.RespondBy.Equal(now.Add(4 * time.Hour)) {
		t.Fatalf("dm: %+v", it.Triage)
	}
	if it := f.get(t, "g1"); it.Triage.State != inbox.StateSnoozed || it.Triage.SnoozeUntil.Format("15:04") != "14:00" {
		t.Fatalf("g1: %+v", it.Triage)
	}

	// Later is ordered by respond-by, soonest first; Snoozed by wake-up.
	if got := f.list(t, inbox.Query{State: inbox.StateLater}); !slices.Equal(got, []string{"dm", "ch", "e1"}) {
		t.Fatalf("later view = %v", got)
	}
	if got := f.list(t, inbox.Query{State: inbox.StateLater, Source: inbox.SourceSlack, Offset: 1}); !slices.Equal(got, []string{"ch"}) {
		t.Fatalf("later view, Slack from 1 = %v", got)
	}
	p, _ := f.in.List(inbox.Query{State: inbox.StateSnoozed})
	if len(p.Items) != 2 || p.Items[0].ID != DemoAccount+"/g1" || p.Items[0].SnoozeUntil.IsZero() || p.Total != 2 {
		t.Fatalf("snoozed view = %+v", p)
	}

	// A time in the past changes nothing.
	if _, err := f.tr.Run("snooze 2026-06-01", []string{DemoAccount + "/e3"}); err == nil || !strings.Contains(err.Error(), "in the past") {
		t.Fatalf("snooze into the past: %v", err)
	}
	if f.app.undo.depth() != 5 || f.get(t, "e3").Triage.State != inbox.StateInbox {
		t.Fatal("a failed command changed something")
	}

	// Undo goes back one step at a time, restoring times as they were.
	for _, want := range []string{"e2", "g1", "ch", "dm", "e1"} {
		res, err := f.tr.Undo()
		if err != nil || len(res.Changed) != 1 || res.Changed[0] != inbox.ID(DemoAccount+"/"+want) {
			t.Fatalf("undo: %+v, %v; want %s", res, err, want)
		}
		if it := f.get(t, want); it.Triage.State != inbox.StateInbox || !it.Triage.RespondBy.IsZero() || !it.Triage.SnoozeUntil.IsZero() {
			t.Fatalf("%s after undo: %+v", want, it.Triage)
		}
	}
	if !strings.HasPrefix(mustUndoErr(f.tr), "nothing to undo") {
		t.Fatal("undo past the start")
	}
}

func mustUndoErr(tr *Triage) string {
	_, err := tr.Undo()
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestInboxThreadRows(t *testing.T) {
	f := newTriageApp(t, config.Config{})
	threads := inbox.Query{State: inbox.StateInbox, Threads: true}
	if got := f.list(t, threads); !slices.Equal(got, []string{"g2", "e3", "ch", "dm", "e1"}) {
		t.Fatalf("thread rows = %v", got)
	}
	p, _ := f.in.List(threads)
	if p.Total != 5 || p.Items[0].ThreadCount != 2 {
		t.Fatalf("page = %+v", p)
	}
	if got := f.list(t, inbox.Query{State: inbox.StateInbox, Threads: true, Source: inbox.SourceEmail}); !slices.Equal(got, []string{"e3", "e1"}) {
		t.Fatalf("email thread rows = %v", got)
	}
	if got := f.list(t, inbox.Query{State: inbox.StateInbox, Threads: true, Offset: 3, Limit: 1}); !slices.Equal(got, []string{"dm"}) {
		t.Fatalf("window = %v", got)
	}
	// Without Threads every item is a row.
	if got := f.list(t, inbox.Query{State: inbox.StateInbox}); len(got) != 7 {
		t.Fatalf("item rows = %v", got)
	}

	// Done on a thread row marks the whole thread done; undo brings it back.
	res, err := f.tr.RunThreads("done", []string{DemoAccount + "/g2"})
	if err != nil || len(res.Changed) != 2 || res.Message != "2 items marked done" {
		t.Fatalf("RunThreads = %+v, %v", res, err)
	}
	if got := f.list(t, threads); !slices.Equal(got, []string{"e3", "ch", "dm", "e1"}) {
		t.Fatalf("after done = %v", got)
	}
	// A thread member elsewhere stays where it is: snooze e2, then done e3's thread.
	f.run(t, "snooze tomorrow", "e2")
	if res, err := f.tr.RunThreads("done", []string{DemoAccount + "/e3"}); err != nil || len(res.Changed) != 1 {
		t.Fatalf("RunThreads e3 = %+v, %v", res, err)
	}
	if st := f.get(t, "e2").Triage.State; st != inbox.StateSnoozed {
		t.Fatalf("e2 = %s", st)
	}
	f.tr.Undo()
	f.tr.Undo()
	if _, err := f.tr.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := f.list(t, threads); !slices.Equal(got, []string{"g2", "e3", "ch", "dm", "e1"}) {
		t.Fatalf("after undo = %v", got)
	}

	// Held items stay out of the rows until they are released.
	ws, _ := f.app.current()
	ws.focus.start(context.Background(), FocusRequest{Duration: "1h"})
	ws.focus.onChange(context.Background(), engine.Change{New: []inbox.ID{DemoAccount + "/g2"}})
	if got := f.list(t, threads); !slices.Equal(got, []string{"e3", "g1", "ch", "dm", "e1"}) {
		t.Fatalf("with g2 held = %v", got)
	}
}

// TestThreadRowsAfterTriageNeedNoScan checks that e, l and s on Inbox
// thread rows update the cached rows in place, that the rows are the ones a
// fresh scan finds, and that anything else (undo, a single item of a
// thread, a write in between) scans again.
func TestThreadRowsAfterTriageNeedNoScan(t *testing.T) {
	f := newTriageApp(t, config.Config{})
	ws, _ := f.app.current()
	threads := inbox.Query{State: inbox.StateInbox, Threads: true}
	scans := func() int {
		ws.threads.mu.Lock()
		defer ws.threads.mu.Unlock()
		return ws.threads.scans
	}
	// fresh lists the rows from a new scan, leaving the cache as it was.
	fresh := func() []string {
		ws.threads.mu.Lock()
		key, heads, n := ws.threads.key, ws.threads.heads, ws.threads.scans
		ws.threads.heads = nil
		ws.threads.mu.Unlock()
		got := f.list(t, threads)
		ws.threads.mu.Lock()
		ws.threads.key, ws.threads.heads, ws.threads.scans = key, heads, n
		ws.threads.mu.Unlock()
		return got
	}
	check := func(step string, want []string, wantScans int) {
		t.Helper()
		got := f.list(t, threads)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: rows = %v, want %v", step, got, want)
		}
		if fr := fresh(); !slices.Equal(got, fr) {
			t.Fatalf("%s: cached rows %v, a fresh scan finds %v", step, got, fr)
		}
		if n := scans(); n != wantScans {
			t.Fatalf("%s: %d scans, want %d", step, n, wantScans)
		}
	}
	check("start", []string{"g2", "e3", "ch", "dm", "e1"}, 1)

	for _, step := range []struct{ cmd, id string }{{"done", "g2"}, {"later tomorrow", "e3"}, {"snooze 2h", "dm"}} {
		if _, err := f.tr.RunThreads(step.cmd, []string{DemoAccount + "/" + step.id}); err != nil {
			t.Fatal(err)
		}
	}
	check("after done, later and snooze", []string{"ch", "e1"}, 1)

	if _, err := f.tr.Undo(); err != nil { // dm comes back: rows gain one
		t.Fatal(err)
	}
	check("after undo", []string{"ch", "dm", "e1"}, 2)

	f.run(t, "inbox", "g2", "g1") // both back
	check("after moving g1 and g2 back", []string{"g2", "ch", "dm", "e1"}, 3)
	f.run(t, "done", "g2") // one item of a thread: g1 stands for it now
	check("after done on one item", []string{"g1", "ch", "dm", "e1"}, 4)

	// A write between the triage's start and its end (here: one before the
	// triage, seen as the cache being stale) means a scan.
	if _, err := ws.store.SetTriage(context.Background(), DemoAccount+"/e1", inbox.Triage{State: inbox.StateDone}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tr.RunThreads("done", []string{DemoAccount + "/ch"}); err != nil {
		t.Fatal(err)
	}
	check("after a write the cache did not see", []string{"g1", "dm"}, 5)
}

func TestDropMovedOnlyWhenNothingElseChanged(t *testing.T) {
	ids := func(s ...string) []inbox.ID {
		out := make([]inbox.ID, len(s))
		for i, v := range s {
			out[i] = inbox.ID(v)
		}
		return out
	}
	in, done := inbox.StateInbox, inbox.StateDone
	tests := []struct {
		name          string
		before, after uint64
		from          []inbox.State
		to            inbox.State
		want          []inbox.ID
		wantVersion   uint64
	}{
		{name: "the triage's commits only", before: 10, after: 12, from: []inbox.State{in, in}, to: done, want: ids("a", "c"), wantVersion: 12},
		{name: "the cache was stale", before: 11, after: 13, from: []inbox.State{in, in}, to: done, want: ids("a", "b", "c", "d"), wantVersion: 10},
		{name: "another commit in between", before: 10, after: 13, from: []inbox.State{in, in}, to: done, want: ids("a", "b", "c", "d"), wantVersion: 10},
		{name: "an item came from another view", before: 10, after: 12, from: []inbox.State{in, done}, to: done, want: ids("a", "b", "c", "d"), wantVersion: 10},
		{name: "moved into the cached view", before: 10, after: 12, from: []inbox.State{in, in}, to: in, want: ids("a", "b", "c", "d"), wantVersion: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := threadCache{key: threadKey{version: 10, state: in}, heads: ids("a", "b", "c", "d")}
			c.dropMoved(tt.before, tt.after, ids("b", "d"), tt.from, tt.to)
			if !slices.Equal(c.heads, tt.want) || c.key.version != tt.wantVersion {
				t.Fatalf("heads %v at %d, want %v at %d", c.heads, c.key.version, tt.want, tt.wantVersion)
			}
		})
	}
}

func TestSnoozeWakesAtItsTimeAndAfterRestart(t *testing.T) {
	f := newTriageApp(t, config.Config{})
	f.run(t, "snooze 1h", "e1")
	f.run(t, "snooze 3h", "dm")
	ws, _ := f.app.current()
	ctx := context.Background()

	ws.snooze.tick(ctx)
	if st := f.get(t, "e1").Triage.State; st != inbox.StateSnoozed {
		t.Fatalf("e1 woke early: %s", st)
	}
	f.clock.Advance(time.Hour)
	ws.snooze.tick(ctx)
	// The app's own runner may have woken e1 first, and be between setting
	// its state and recording its wake-up.
	waitFor(t, "e1 recorded as woken", func() bool { return f.wokenRecorded("e1") })
	it := f.get(t, "e1")
	if it.Triage.State != inbox.StateInbox || !it.Triage.SnoozeUntil.IsZero() {
		t.Fatalf("e1 after its time: %+v", it.Triage)
	}
	// Back from snooze, e1 (the oldest item) is the top row of the inbox.
	if got := f.list(t, inbox.Query{State: inbox.StateInbox, Threads: true}); len(got) == 0 || got[0] != "e1" {
		t.Fatalf("inbox after wake = %v", got)
	}
	// dm's time has not come.
	if st := f.get(t, "dm").Triage.State; st != inbox.StateSnoozed {
		t.Fatalf("dm = %s", st)
	}

	// Closed across dm's time: the first tick after start catches up.
	if err := f.app.Close(); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Hour)
	f.open(t)
	// The runner sets dm's state, then records its wake-up: wait for both.
	waitFor(t, "dm back after restart", func() bool {
		return f.wokenRecorded("dm") && f.get(t, "dm").Triage.State == inbox.StateInbox
	})
	got := f.list(t, inbox.Query{State: inbox.StateInbox, Threads: true})
	if len(got) < 2 || got[0] != "dm" || got[1] != "e1" {
		t.Fatalf("inbox after restart = %v (want dm, then e1 on top)", got)
	}
	// Once e1 leaves the inbox it is forgotten; back again it sorts by received time.
	f.run(t, "done", "e1")
	f.list(t, inbox.Query{State: inbox.StateInbox, Threads: true})
	ws, _ = f.app.current()
	if w, _ := ws.snooze.wokenAt(); len(w) != 1 {
		t.Fatalf("woken = %v, want only dm", w)
	}
}

func TestSnoozeWakingDuringFocusIsHeld(t *testing.T) {
	f := newTriageApp(t, config.Config{})
	f.run(t, "snooze 30m", "e1")
	if _, err := f.app.FocusService().Start(FocusRequest{Duration: "2h"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(31 * time.Minute)
	ws, _ := f.app.current()
	ws.snooze.tick(context.Background())
	if st := f.get(t, "e1").Triage.State; st != inbox.StateInbox {
		t.Fatalf("e1 = %s", st)
	}
	if !ws.focus.heldIDs()[DemoAccount+"/e1"] {
		t.Fatal("e1 came back during focus but is not held")
	}
	if got := f.list(t, inbox.Query{State: inbox.StateInbox, Threads: true}); slices.Contains(got, "e1") {
		t.Fatalf("frozen inbox shows e1: %v", got)
	}
	if n := len(f.rec.Records()); n != 0 {
		t.Fatalf("%d notifications during focus", n)
	}
}

func TestDueItemsAnnounced(t *testing.T) {
	t.Run("outside focus, policy immediate: at once, once", func(t *testing.T) {
		f := newTriageApp(t, config.Config{})
		f.run(t, "later 30m", "e1")
		ws, _ := f.app.current()
		ctx := context.Background()
		ws.focus.tick(ctx)
		if n := len(f.rec.Records()); n != 0 {
			t.Fatalf("%d notifications before anything is due", n)
		}
		f.clock.Advance(31 * time.Minute)
		ws.focus.tick(ctx)
		ws.focus.tick(ctx)
		recs := f.rec.Records()
		if len(recs) != 1 || recs[0].Kind != notify.Digest || recs[0].Title != "1 respond-later item due" ||
			recs[0].Body != "Due: Sender e1: about e1" {
			t.Fatalf("notifications = %+v", recs)
		}
		// The Later view shows it first, overdue.
		p, _ := f.in.List(inbox.Query{State: inbox.StateLater})
		if len(p.Items) != 1 || !p.Items[0].RespondBy.Before(f.clock.Now()) {
			t.Fatalf("later = %+v", p.Items)
		}
		// A restart does not announce it again.
		f.app.Close()
		f.open(t)
		ws, _ = f.app.current()
		ws.focus.tick(ctx)
		if n := len(f.rec.Records()); n != 1 {
			t.Fatalf("%d notifications after restart, want the one from before", n)
		}
	})

	t.Run("during focus: in the next release's digest", func(t *testing.T) {
		f := newTriageApp(t, config.Config{})
		ctx := context.Background()
		f.run(t, "later 30m", "e1")
		f.run(t, "later 40m", "dm")
		if _, err := f.app.FocusService().Start(FocusRequest{Duration: "2h"}); err != nil {
			t.Fatal(err)
		}
		ws, _ := f.app.current()
		// A new item arrives during focus and is held.
		ws.focus.onChange(ctx, engine.Change{New: []inbox.ID{DemoAccount + "/g2"}})
		f.clock.Advance(time.Hour) // both came due while focusing
		ws.focus.tick(ctx)
		if n := len(f.rec.Records()); n != 0 {
			t.Fatalf("%d notifications during focus", n)
		}
		if _, err := f.app.FocusService().Stop(); err != nil {
			t.Fatal(err)
		}
		ws.focus.tick(ctx)
		recs := f.rec.Records()
		if len(recs) != 1 {
			t.Fatalf("notifications = %+v, want one digest", recs)
		}
		d := recs[0]
		want := "1 held while you focused"
		if d.Title != want || !strings.HasPrefix(d.Body, "2 respond-later items due\nDue: Sender e1: about e1\nDue: Sender dm: about dm\n") {
			t.Fatalf("digest %q / %q", d.Title, d.Body)
		}
	})

	t.Run("policy batched: at the next batch time", func(t *testing.T) {
		f := newTriageApp(t, config.Config{Focus: focus.Config{Policy: focus.PolicyBatched, BatchTimes: map[string][]string{"default": {"12:30"}}}})
		ctx := context.Background()
		f.run(t, "later 30m", "e1")
		ws, _ := f.app.current()
		f.clock.Advance(time.Hour) // 11:00: due, but the batch is at 12:30
		ws.focus.tick(ctx)
		if n := len(f.rec.Records()); n != 0 {
			t.Fatalf("%d notifications before the batch time", n)
		}
		f.clock.Advance(90 * time.Minute) // 12:30
		ws.focus.tick(ctx)
		if recs := f.rec.Records(); len(recs) != 1 || recs[0].Title != "1 respond-later item due" {
			t.Fatalf("notifications = %+v", recs)
		}
	})
}

func TestTimesForThePicker(t *testing.T) {
	f := newTriageApp(t, config.Config{Norms: config.Norms{SlackDM: 2 * time.Hour}})
	got, err := f.tr.Times("later", []string{"norm", "next-batch", "this-afternoon", "tomorrow-morning", "in-3-days", "fri 15:00", "nope"}, DemoAccount+"/dm")
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, c := range got {
		if c.Error != "" {
			labels = append(labels, "error: "+c.Error)
			continue
		}
		labels = append(labels, c.Label)
	}
	want := []string{"12:00", "12:30", "14:00", "tomorrow 09:00", "Thu 09:00", "Fri 15:00", `error: "nope" is not a time I know; ` + errWhenHelp}
	if !slices.Equal(labels, want) {
		t.Fatalf("labels\n%q\nwant\n%q", labels, want)
	}
	if got[2].Name != "" {
		t.Fatalf("this-afternoon at 10:00 is named %q; the usual name holds", got[2].Name)
	}
	f.clock.Advance(8 * time.Hour) // 18:00
	late, err := f.tr.Times("snooze", []string{"this-afternoon"}, "")
	if err != nil || late[0].Name != "Later today" || late[0].Label != "21:00" {
		t.Fatalf("this-afternoon at 18:00 = %+v, %v; want Later today at 21:00", late, err)
	}
	if _, err := f.tr.Times("done", nil, ""); err == nil {
		t.Fatal("times for done")
	}
}

func TestSettingsKeysAndBadBindings(t *testing.T) {
	keys := config.Keys{"list": {"done": {"d"}, "snooze tomorrow-morning": {"z"}}}
	f := newTriageApp(t, config.Config{Keys: keys})
	got, err := (&Settings{app: f.app}).Keys()
	if err != nil || len(got["list"]) != 2 || got["list"]["done"][0] != "d" {
		t.Fatalf("Keys = %v, %v", got, err)
	}

	bad := New(Options{Config: config.Config{Keys: config.Keys{"list": {"selection snooze tomorow": {"z"}}}}, Notifier: &notify.Recorder{}})
	err = bad.Open(context.Background())
	if err == nil || !strings.Contains(err.Error(), `keys.list."selection snooze tomorow"`) {
		t.Fatalf("Open with a bad binding: %v", err)
	}
}

// TestFrontendTriageCommandsParse reads the keymap and the palette: every
// later and snooze command the window can send parses here.
func TestFrontendTriageCommandsParse(t *testing.T) {
	lib := filepath.Join("..", "frontend", "src", "lib")
	n := 0
	for _, f := range []string{"keymap.ts", "commands.ts"} {
		data, err := os.ReadFile(filepath.Join(lib, f))
		if err != nil {
			t.Skipf("frontend sources not here: %v", err)
		}
		for _, m := range regexp.MustCompile(`command: '((?:selection )?(?:later|snooze|done|inbox)(?: [^']*)?)'`).FindAllStringSubmatch(string(data), -1) {
			n++
			if _, err := parseTriage(strings.TrimPrefix(m[1], "selection ")); err != nil {
				t.Errorf("%s: %q: %v", f, m[1], err)
			}
		}
	}
	if n < 10 {
		t.Fatalf("found only %d triage commands", n)
	}
}

// TestWarmListServesTheFirstList checks that WarmList leaves the Inbox's
// thread rows worked out for the store as it is, so the first List reads
// them instead of scanning, and that they are the rows a scan gives; and
// that closing the workspace while warming neither hangs nor fails.
func TestWarmListServesTheFirstList(t *testing.T) {
	f := newTriageApp(t, config.Config{})
	ws, err := f.app.current()
	if err != nil {
		t.Fatal(err)
	}
	ws.threads.mu.Lock()
	ws.threads.heads = nil // as after a launch: nothing worked out yet
	ws.threads.mu.Unlock()
	f.app.WarmList()
	waitFor(t, "warmed rows", func() bool {
		ws.threads.mu.Lock()
		defer ws.threads.mu.Unlock()
		return ws.threads.heads != nil
	})
	ws.threads.mu.Lock()
	warmed := slices.Clone(ws.threads.heads)
	key := ws.threads.key
	ws.threads.mu.Unlock()
	version, err := ws.store.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if key.version != version || key.state != inbox.StateInbox || key.source != "" {
		t.Fatalf("warmed rows are for %+v, want the Inbox at store version %d", key, version)
	}
	var ids []string
	for _, id := range warmed {
		ids = append(ids, strings.TrimPrefix(string(id), DemoAccount+"/"))
	}
	if want := []string{"g2", "e3", "ch", "dm", "e1"}; !slices.Equal(ids, want) {
		t.Fatalf("warmed rows = %v, want %v", ids, want)
	}
	if got := f.list(t, inbox.Query{State: inbox.StateInbox, Threads: true}); !slices.Equal(got, ids) {
		t.Fatalf("first list = %v, want the warmed rows %v", got, ids)
	}

	// A second App on another workspace: Close while warming returns.
	g := newTriageApp(t, config.Config{})
	g.app.WarmList()
	done := make(chan error, 1)
	go func() { done <- g.app.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("close while warming: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("close while warming did not return")
	}
}
