package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/store"
)

// scripted is a connector whose Sync runs a test-supplied function.
type scripted struct {
	calls atomic.Int32
	run   func(ctx context.Context, call int, sink connectors.Sink) error
}

func (c *scripted) Sync(ctx context.Context, sink connectors.Sink) error {
	return c.run(ctx, int(c.calls.Add(1)), sink)
}

func item(acct string, n int) inbox.Item {
	return inbox.Item{
		ID: inbox.NewID(acct, fmt.Sprintf("m%d", n)), Account: acct, Source: inbox.SourceEmail,
		Title: fmt.Sprintf("message %d", n), Received: time.Unix(1_700_000_000+int64(n), 0),
	}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Dir: t.TempDir(), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type changes struct {
	mu  sync.Mutex
	all []Change
}

func (c *changes) add(ch Change) { c.mu.Lock(); c.all = append(c.all, ch); c.mu.Unlock() }
func (c *changes) snapshot() []Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Change(nil), c.all...)
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

func TestEngineRetriesWithBackoffAndResumesFromCursor(t *testing.T) {
	st := openStore(t)
	reg := connectors.NewRegistry()
	var cursors []string
	var mu sync.Mutex
	conn := &scripted{run: func(ctx context.Context, call int, sink connectors.Sink) error {
		cur, err := sink.Cursor(ctx)
		if err != nil {
			return err
		}
		mu.Lock()
		cursors = append(cursors, string(cur))
		mu.Unlock()
		switch call {
		case 1:
			if err := sink.Apply(ctx, connectors.Batch{Upserts: []inbox.Item{item("a", 1), item("a", 2)}, Cursor: []byte("2"), Backfill: true}); err != nil {
				return err
			}
			return errors.New("server dropped the connection")
		case 2:
			return errors.New("still down")
		default:
			if err := sink.Apply(ctx, connectors.Batch{Upserts: []inbox.Item{item("a", 3)}, Cursor: []byte("3")}); err != nil {
				return err
			}
			<-ctx.Done()
			return ctx.Err()
		}
	}}
	reg.Register("scripted", func(connectors.Account) (connectors.Connector, error) { return conn, nil })

	var ch changes
	var sawError atomic.Bool
	e := New(Options{
		Store: st, Registry: reg, OnChange: ch.add,
		OnStatus: func(s []AccountStatus) {
			if len(s) == 1 && s[0].State == StateError && s[0].Error != "" {
				sawError.Store(true)
			}
		},
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond,
	})
	e.Start(context.Background(), []connectors.Account{{Name: "a", Kind: "scripted"}})
	waitFor(t, "third attempt to go idle", func() bool {
		s := e.Statuses()
		return len(s) == 1 && s[0].State == StateIdle
	})
	e.Stop()

	if got := e.Statuses()[0].State; got != StateStopped {
		t.Fatalf("state after Stop = %s", got)
	}
	if !sawError.Load() {
		t.Fatal("the failure was never reported as an error status")
	}
	mu.Lock()
	gotCursors := fmt.Sprint(cursors)
	mu.Unlock()
	if gotCursors != "[ 2 2]" {
		t.Fatalf("cursors seen by each attempt = %s, want [ 2 2]", gotCursors)
	}
	n, err := st.AccountItemCount(context.Background(), "a")
	if err != nil || n != 3 {
		t.Fatalf("items = %d, %v; want 3", n, err)
	}
	got := ch.snapshot()
	if len(got) != 2 || !got[0].Backfill || got[1].Backfill || len(got[0].New) != 2 || len(got[1].New) != 1 {
		t.Fatalf("changes = %+v", got)
	}
}

func TestEngineReportsUnknownKind(t *testing.T) {
	st := openStore(t)
	e := New(Options{Store: st, Registry: connectors.NewRegistry()})
	e.Start(context.Background(), []connectors.Account{{Name: "mail", Kind: "pigeon"}})
	defer e.Stop()
	s := e.Statuses()
	if len(s) != 1 || s[0].State != StateError || s[0].Error == "" {
		t.Fatalf("statuses = %+v", s)
	}
}

func TestJitterStaysInRange(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 2, time.Second, time.Minute} {
		for i := 0; i < 100; i++ {
			j := jitter(d)
			if d > 1 && (j < d/2 || j >= d) {
				t.Fatalf("jitter(%v) = %v, want in [%v, %v)", d, j, d/2, d)
			}
		}
	}
}

// acting is a scripted connector that records write-backs.
type acting struct {
	scripted
	mu     sync.Mutex
	acts   []string
	fail   error
	closed atomic.Bool
}

func (c *acting) Act(_ context.Context, id inbox.ID, from, to inbox.Triage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.acts = append(c.acts, fmt.Sprintf("%s %s>%s", id, from.State, to.State))
	return c.fail
}

func (c *acting) Close() error { c.closed.Store(true); return nil }

func (c *acting) log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.acts...)
}

func TestWriteBackReachesTheActorInOrderAndFailuresShow(t *testing.T) {
	conn := &acting{scripted: scripted{run: func(ctx context.Context, _ int, _ connectors.Sink) error {
		<-ctx.Done()
		return nil
	}}}
	reg := connectors.NewRegistry()
	reg.Register("acting", func(connectors.Account) (connectors.Connector, error) { return conn, nil })
	var statuses atomic.Value
	e := New(Options{Store: openStore(t), Registry: reg, OnStatus: func(s []AccountStatus) { statuses.Store(s) }})
	e.Start(context.Background(), []connectors.Account{{Name: "mail", Kind: "acting"}})

	inboxT, doneT := inbox.Triage{State: inbox.StateInbox}, inbox.Triage{State: inbox.StateDone}
	e.WriteBack("mail/1", inboxT, doneT)
	e.WriteBack("mail/1", doneT, inboxT)
	e.WriteBack("other/9", inboxT, doneT) // no such account: ignored
	waitFor(t, "two write-backs", func() bool { return len(conn.log()) == 2 })
	if got := conn.log(); got[0] != "mail/1 inbox>done" || got[1] != "mail/1 done>inbox" {
		t.Fatalf("write-backs %v, want done then its undo, in order", got)
	}

	conn.mu.Lock()
	conn.fail = errors.New("server said no")
	conn.mu.Unlock()
	e.WriteBack("mail/2", inboxT, doneT)
	waitFor(t, "failure in status", func() bool {
		s, _ := statuses.Load().([]AccountStatus)
		return len(s) == 1 && s[0].Error == "write-back failed: server said no"
	})
	e.Stop()
	if !conn.closed.Load() {
		t.Fatal("Stop did not close the connector")
	}
}

func TestPermanentErrorStopsRetrying(t *testing.T) {
	conn := &scripted{run: func(ctx context.Context, _ int, _ connectors.Sink) error {
		return fmt.Errorf("slack: token revoked: %w", connectors.ErrPermanent)
	}}
	reg := connectors.NewRegistry()
	reg.Register("scripted", func(connectors.Account) (connectors.Connector, error) { return conn, nil })
	var statuses atomic.Value
	e := New(Options{Store: openStore(t), Registry: reg, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		OnStatus: func(s []AccountStatus) { statuses.Store(s) }})
	e.Start(context.Background(), []connectors.Account{{Name: "chat", Kind: "scripted"}})
	defer e.Stop()
	waitFor(t, "error status", func() bool {
		s, _ := statuses.Load().([]AccountStatus)
		return len(s) == 1 && s[0].State == StateError
	})
	time.Sleep(50 * time.Millisecond) // fifty backoffs' worth
	if n := conn.calls.Load(); n != 1 {
		t.Fatalf("Sync ran %d times after a permanent error, want 1", n)
	}
}

// showing is a connector that records focus shown on its source.
type showing struct {
	scripted
	mu   sync.Mutex
	seen []string
}

func (c *showing) SetFocus(_ context.Context, until time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, "set "+until.UTC().Format("15:04"))
	return nil
}

func (c *showing) ClearFocus(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, "clear")
	return nil
}

func (c *showing) log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

func TestShowFocusTellsStatusSettersOncePerChange(t *testing.T) {
	conn := &showing{scripted: scripted{run: func(ctx context.Context, _ int, _ connectors.Sink) error {
		<-ctx.Done()
		return nil
	}}}
	reg := connectors.NewRegistry()
	reg.Register("showing", func(connectors.Account) (connectors.Connector, error) { return conn, nil })
	e := New(Options{Store: openStore(t), Registry: reg})
	until := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	e.ShowFocus(until) // before Start: nobody to tell, so it is tried again later
	e.Start(context.Background(), []connectors.Account{{Name: "chat", Kind: "showing"}})
	defer e.Stop()
	e.ShowFocus(until)
	e.ShowFocus(until) // the same again: nothing
	waitFor(t, "set", func() bool { return len(conn.log()) == 1 })
	e.ShowFocus(time.Time{})
	waitFor(t, "clear", func() bool { return len(conn.log()) == 2 })
	time.Sleep(20 * time.Millisecond)
	if got := conn.log(); len(got) != 2 || got[0] != "set 12:00" || got[1] != "clear" {
		t.Fatalf("sources were told %v, want [set 12:00 clear]", got)
	}
}
