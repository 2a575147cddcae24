package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/focus"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/store"
)

// fakeDemo stands in for the sample connector: it writes n items, then waits.
type fakeDemo struct{ n int }

func (f fakeDemo) Sync(ctx context.Context, sink connectors.Sink) error {
	var items []inbox.Item
	for i := 0; i < f.n; i++ {
		items = append(items, inbox.Item{
			ID: inbox.NewID(DemoAccount, fmt.Sprintf("m%02d", i)), Account: DemoAccount,
			Source: inbox.SourceEmail, Title: fmt.Sprintf("message %d", i),
			Received: time.Date(2026, 11, 1, 9, i, 0, 0, time.UTC),
		})
	}
	if err := sink.Apply(ctx, connectors.Batch{Upserts: items, Cursor: []byte("done"), Backfill: true}); err != nil {
		return err
	}
	sink.Progress(connectors.Progress{Done: f.n, Total: f.n})
	<-ctx.Done()
	return ctx.Err()
}

type events struct {
	mu    sync.Mutex
	names []string
}

func (e *events) emit(_ context.Context, name string, _ any) {
	e.mu.Lock()
	e.names = append(e.names, name)
	e.mu.Unlock()
}

func (e *events) has(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range e.names {
		if n == name {
			return true
		}
	}
	return false
}

func newTestApp(t *testing.T, demo bool) (*App, *events) {
	t.Helper()
	reg := connectors.NewRegistry()
	reg.Register("demo", func(connectors.Account) (connectors.Connector, error) { return fakeDemo{n: 10}, nil })
	dir := t.TempDir()
	var ev events
	a := New(Options{
		Paths:    config.Paths{Config: filepath.Join(dir, "config.toml"), Data: filepath.Join(dir, "data"), Demo: filepath.Join(dir, "data-demo")},
		Registry: reg, Demo: demo, Emit: ev.emit, EventInterval: 5 * time.Millisecond,
		Notifier: &notify.Recorder{},
	})
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.Startup(context.Background())
	return a, &ev
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFirstRunThenSampleWorkspace(t *testing.T) {
	a, ev := newTestApp(t, false)
	ws := &Workspace{app: a}
	st, err := ws.Status()
	if err != nil || st.Mode != ModeEmpty || len(st.Accounts) != 0 {
		t.Fatalf("status = %+v, %v", st, err)
	}
	st, err = ws.OpenDemo()
	if err != nil || st.Mode != ModeDemo || !strings.HasSuffix(st.DataDir, "data-demo") {
		t.Fatalf("OpenDemo = %+v, %v", st, err)
	}
	in := &Inbox{app: a}
	waitFor(t, "sample items", func() bool {
		c, err := in.Counts()
		return err == nil && c[inbox.StateInbox] == 10
	})
	waitFor(t, "items:changed event", func() bool { return ev.has(EventItemsChanged) })
	waitFor(t, "account:status event", func() bool { return ev.has(EventAccountStatus) })
}

func TestTriageDoneAndMultiLevelUndo(t *testing.T) {
	a, _ := newTestApp(t, true)
	in, tr := &Inbox{app: a}, &Triage{app: a}
	waitFor(t, "sample items", func() bool {
		c, err := in.Counts()
		return err == nil && c[inbox.StateInbox] == 10
	})
	page, err := in.List(inbox.Query{State: inbox.StateInbox, Limit: 3})
	if err != nil || len(page.Items) != 3 || page.Total != 10 {
		t.Fatalf("List = %+v, %v", page, err)
	}
	first, second := string(page.Items[0].ID), string(page.Items[1].ID)
	if _, err := tr.Run("done", []string{first}); err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run("done", []string{second})
	if err != nil || res.UndoDepth != 2 || res.Message != "1 item marked done" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	counts, _ := in.Counts()
	if counts[inbox.StateDone] != 2 || counts[inbox.StateInbox] != 8 {
		t.Fatalf("counts = %v", counts)
	}
	res, err = tr.Undo()
	if err != nil || len(res.Changed) != 1 || string(res.Changed[0]) != second {
		t.Fatalf("Undo = %+v, %v", res, err)
	}
	res, err = tr.Undo()
	if err != nil || string(res.Changed[0]) != first || res.UndoDepth != 0 {
		t.Fatalf("second Undo = %+v, %v", res, err)
	}
	if _, err := tr.Undo(); err == nil || err.Error() != "nothing to undo" {
		t.Fatalf("third Undo err = %v", err)
	}
	it, err := in.Get(first)
	if err != nil || it.Triage.State != inbox.StateInbox {
		t.Fatalf("after undo: %+v, %v", it.Triage, err)
	}
	if _, err := tr.Run("explode", []string{first}); err == nil {
		t.Fatal("unknown command accepted")
	}
	if _, err := tr.Run("done", []string{"sample/does-not-exist"}); err == nil {
		t.Fatal("missing item accepted")
	}
}

func TestCheckExternalURL(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://example.com/x", true},
		{"http://example.com", true},
		{"mailto:a@example.com", true},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{"file:///etc/passwd", false},
		{"data:text/html,hi", false},
		{"https://", false},
		{"slack://open", false},
	} {
		if err := CheckExternalURL(tt.url); (err == nil) != tt.ok {
			t.Errorf("CheckExternalURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestSettingsSetFocusSavesAndApplies(t *testing.T) {
	a, _ := newTestApp(t, false)
	s := &Settings{app: a}
	got, err := s.Focus()
	if err != nil || got.Policy != "immediate" || got.MaxBreakthroughsPerHour != 3 || got.ThreadCooldown != "2m0s" {
		t.Fatalf("defaults = %+v, %v", got, err)
	}
	now := time.Now()
	got.Weekly = []focus.WeeklyBlock{{Start: now.Add(-time.Hour).Format("15:04"), End: now.Add(2 * time.Hour).Format("15:04")}}
	got.Policy = "batched"
	if _, err := s.SetFocus(got); err != nil {
		t.Fatal(err)
	}
	st, err := a.FocusService().Status()
	if err != nil || !st.Focusing {
		t.Fatalf("the new weekly block is not in force: %+v, %v", st, err)
	}
	saved, err := config.Load(a.opts.Paths.Config)
	if err != nil || saved.Focus.Policy != "batched" || len(saved.Focus.Weekly) != 1 {
		t.Fatalf("saved = %+v, %v", saved.Focus, err)
	}
	got.Weekly[0].Start = "25:00"
	if _, err := s.SetFocus(got); err == nil || !strings.Contains(err.Error(), "focus.weekly[0].start") {
		t.Fatalf("bad start accepted: %v", err)
	}
}

// TestOpenAsyncServicesWaitForTheStore checks that a bound service called
// while OpenAsync is still opening the store waits for it instead of
// failing, that a second App on the same folder gets the store's lock error
// from its channel, and that Close waits for an open in flight.
func TestOpenAsyncServicesWaitForTheStore(t *testing.T) {
	dir := t.TempDir()
	opts := func() Options {
		reg := connectors.NewRegistry()
		reg.Register("demo", func(connectors.Account) (connectors.Connector, error) { return fakeDemo{n: 10}, nil })
		return Options{
			Paths:    config.Paths{Config: filepath.Join(dir, "config.toml"), Data: filepath.Join(dir, "data"), Demo: filepath.Join(dir, "data-demo")},
			Registry: reg, Demo: true, Emit: func(context.Context, string, any) {}, Notifier: &notify.Recorder{},
		}
	}
	a := New(opts())
	opened := a.OpenAsync(context.Background())
	// Asked before the store is open: the answer waits for it.
	st, err := (&Workspace{app: a}).Status()
	if err != nil || st.Mode != ModeDemo {
		t.Fatalf("Status while opening = %+v, %v", st, err)
	}
	if err := <-opened; err != nil {
		t.Fatal(err)
	}

	b := New(opts())
	if err := <-b.OpenAsync(context.Background()); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second OpenAsync on the same folder: %v, want the store's lock error", err)
	}
	if _, err := (&Workspace{app: b}).Status(); err == nil {
		t.Fatal("the second App answers without a store")
	}
	b.Close()

	closing := New(opts())
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	opening := closing.OpenAsync(context.Background())
	if err := closing.Close(); err != nil { // waits for the open, then closes it
		t.Fatal(err)
	}
	if err := <-opening; err != nil {
		t.Fatal(err)
	}
	again := New(opts())
	if err := again.Open(context.Background()); err != nil {
		t.Fatalf("the folder is still locked after Close: %v", err)
	}
	again.Close()
}
