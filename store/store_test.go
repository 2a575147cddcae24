package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/lullhq/lull/app/inbox"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func openAt(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir, GCInterval: -1, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func openTemp(t testing.TB) *Store {
	t.Helper()
	s := openAt(t, t.TempDir())
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// item builds a valid item; minute orders items by received time.
func item(account, native string, src inbox.Source, minute int, thread string) inbox.Item {
	return inbox.Item{
		ID:       inbox.NewID(account, native),
		Account:  account,
		Source:   src,
		Thread:   thread,
		Title:    "title " + native,
		From:     inbox.Person{Name: "Ann", Addr: "ann@example.com"},
		Snippet:  "snippet " + native,
		Body:     "body of " + native,
		Received: t0.Add(time.Duration(minute) * time.Minute),
		Unread:   true,
	}
}

func mustApply(t testing.TB, s *Store, b Batch) Applied {
	t.Helper()
	res, err := s.Apply(context.Background(), b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

func pageIDs(p inbox.Page) []inbox.ID {
	ids := make([]inbox.ID, len(p.Items))
	for i, it := range p.Items {
		ids[i] = it.ID
	}
	return ids
}

func ids(s ...string) []inbox.ID {
	out := make([]inbox.ID, len(s))
	for i, v := range s {
		out[i] = inbox.ID(v)
	}
	return out
}

func sortedIDs(in []inbox.ID) []inbox.ID {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

func wantCounts(t testing.TB, s *Store, want map[inbox.State]int) {
	t.Helper()
	got, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	for _, st := range inbox.States {
		if got[st] != want[st] {
			t.Errorf("Counts[%s] = %d, want %d (all: %v)", st, got[st], want[st], got)
		}
	}
	if len(got) != len(inbox.States) {
		t.Errorf("Counts has %d states, want %d", len(got), len(inbox.States))
	}
}

func TestRoundTrip(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	a := []inbox.Item{
		item("work", "m1", inbox.SourceEmail, 1, "th1"),
		item("work", "m2", inbox.SourceEmail, 2, "th1"),
		item("work", "m3", inbox.SourceEmail, 3, ""),
		item("work", "m4/with/slashes", inbox.SourceEmail, 4, "th1"),
	}
	a[2].HTML = "<p>html</p>"
	a[2].Title = ""
	a[2].Snippet = "\n  first line\nsecond"
	b := []inbox.Item{
		item("chat", "c1", inbox.SourceSlack, 5, "ch/1"),
		item("chat", "c2", inbox.SourceSlack, 6, "ch/1"),
		item("chat", "c3", inbox.SourceSlack, 7, "ch/12"),
	}
	b[1].Body = ""
	res := mustApply(t, s, Batch{Account: "work", Upserts: a})
	if len(res.New) != 4 || len(res.Updated) != 0 || len(res.Removed) != 0 {
		t.Fatalf("Applied = %+v, want 4 new", res)
	}
	mustApply(t, s, Batch{Account: "chat", Upserts: b})

	for _, want := range append(slices.Clone(a), b...) {
		got, err := s.Get(ctx, want.ID)
		if err != nil {
			t.Fatalf("Get %s: %v", want.ID, err)
		}
		if got.Triage.State != inbox.StateInbox {
			t.Errorf("Get %s: state %q, want inbox", want.ID, got.Triage.State)
		}
		want.Triage.State = inbox.StateInbox
		if !got.Received.Equal(want.Received) {
			t.Errorf("Get %s: received %v, want %v", want.ID, got.Received, want.Received)
		}
		got.Received = want.Received
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Get %s:\n got %+v\nwant %+v", want.ID, got, want)
		}
	}
	if _, err := s.Get(ctx, "work/nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get missing: err = %v, want ErrNotFound", err)
	}

	tests := []struct {
		name  string
		q     inbox.Query
		want  []string
		total int
	}{
		{"all newest first", inbox.Query{}, []string{"chat/c3", "chat/c2", "chat/c1", "work/m4/with/slashes", "work/m3", "work/m2", "work/m1"}, 7},
		{"limit", inbox.Query{State: inbox.StateInbox, Limit: 2}, []string{"chat/c3", "chat/c2"}, 7},
		{"offset", inbox.Query{Offset: 2, Limit: 3}, []string{"chat/c1", "work/m4/with/slashes", "work/m3"}, 7},
		{"offset at end", inbox.Query{Offset: 6, Limit: 3}, []string{"work/m1"}, 7},
		{"offset past end", inbox.Query{Offset: 70}, []string{}, 7},
		{"source email", inbox.Query{Source: inbox.SourceEmail, Offset: 1, Limit: 2}, []string{"work/m3", "work/m2"}, 4},
		{"source slack", inbox.Query{Source: inbox.SourceSlack}, []string{"chat/c3", "chat/c2", "chat/c1"}, 3},
		{"source empty", inbox.Query{Source: inbox.SourceGitHub}, []string{}, 0},
		{"other state empty", inbox.Query{State: inbox.StateDone}, []string{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.List(ctx, tc.q)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got := pageIDs(p); !slices.Equal(got, ids(tc.want...)) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
			if p.Total != tc.total || p.Offset != tc.q.Normalize().Offset {
				t.Errorf("total, offset = %d, %d; want %d, %d", p.Total, p.Offset, tc.total, tc.q.Offset)
			}
			if p.Items == nil {
				t.Error("Items is nil, want an empty slice")
			}
		})
	}

	p, err := s.List(ctx, inbox.Query{})
	if err != nil {
		t.Fatal(err)
	}
	threads := map[inbox.ID]int{}
	for _, sm := range p.Items {
		threads[sm.ID] = sm.ThreadCount
	}
	wantThreads := map[inbox.ID]int{
		"work/m1": 3, "work/m2": 3, "work/m4/with/slashes": 3, "work/m3": 1,
		"chat/c1": 2, "chat/c2": 2, "chat/c3": 1,
	}
	for id, n := range wantThreads {
		if threads[id] != n {
			t.Errorf("%s: ThreadCount = %d, want %d", id, threads[id], n)
		}
	}
	for _, sm := range p.Items {
		if sm.ID == "work/m3" && sm.Title != "first line" {
			t.Errorf("m3 title = %q, want the snippet's first line", sm.Title)
		}
	}
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 7})
	for acct, want := range map[string]int{"work": 4, "chat": 3, "cha": 0, "other": 0} {
		n, err := s.AccountItemCount(ctx, acct)
		if err != nil || n != want {
			t.Errorf("AccountItemCount(%s) = %d, %v; want %d", acct, n, err, want)
		}
	}
	if _, err := s.List(ctx, inbox.Query{State: "bogus"}); err == nil {
		t.Error("List of an unknown state succeeded")
	}
	checkIntegrity(t, s)
}

func TestResyncKeepsTriage(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	items := []inbox.Item{
		item("work", "a", inbox.SourceEmail, 1, "t1"),
		item("work", "b", inbox.SourceEmail, 2, "t1"),
		item("work", "c", inbox.SourceEmail, 3, "t2"),
		item("work", "d", inbox.SourceEmail, 4, ""),
	}
	items[3].Triage.State = inbox.StateDone // a connector may file an item as done
	mustApply(t, s, Batch{Account: "work", Upserts: items})
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 3, inbox.StateDone: 1})

	due := t0.Add(24 * time.Hour)
	wake := t0.Add(2 * time.Hour)
	now := t0.Add(time.Hour)
	s.now = func() time.Time { return now }
	triage := map[inbox.ID]inbox.Triage{
		"work/a": {State: inbox.StateLater, RespondBy: due},
		"work/b": {State: inbox.StateSnoozed, SnoozeUntil: wake},
		"work/c": {State: inbox.StateDone, Changed: t0},
	}
	for id, tr := range triage {
		prev, err := s.SetTriage(ctx, id, tr)
		if err != nil {
			t.Fatalf("SetTriage %s: %v", id, err)
		}
		if prev.State != inbox.StateInbox {
			t.Errorf("SetTriage %s: prev %q, want inbox", id, prev.State)
		}
	}
	checkIntegrity(t, s)
	wantCounts(t, s, map[inbox.State]int{inbox.StateLater: 1, inbox.StateSnoozed: 1, inbox.StateDone: 2})

	// Re-sync: new content for a (and a new received time and thread), b
	// unchanged, c moved to another source, plus one new item. The
	// connector's own triage is ignored for known items.
	resync := slices.Clone(items)
	resync[0].Title = "edited"
	resync[0].Received = t0.Add(10 * time.Minute)
	resync[0].Thread = "t3"
	resync[0].Body = ""
	resync[0].Triage.State = inbox.StateInbox
	resync[2].Source = inbox.SourceGitHub
	resync[2].HTML = "<b>x</b>"
	resync[3].Triage.State = inbox.StateInbox
	resync = append(resync, item("work", "e", inbox.SourceEmail, 5, "t1"))
	res := mustApply(t, s, Batch{Account: "work", Upserts: resync})
	if !slices.Equal(res.New, ids("work/e")) ||
		!slices.Equal(sortedIDs(res.Updated), ids("work/a", "work/c")) || len(res.Removed) != 0 {
		t.Errorf("Applied = %+v, want new [e], updated [a c]", res)
	}
	// The same batch again changes nothing.
	res = mustApply(t, s, Batch{Account: "work", Upserts: resync})
	if len(res.New)+len(res.Updated)+len(res.Removed) != 0 {
		t.Errorf("identical re-sync: Applied = %+v, want nothing", res)
	}
	checkIntegrity(t, s)
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 1, inbox.StateLater: 1, inbox.StateSnoozed: 1, inbox.StateDone: 2})

	a, err := s.Get(ctx, "work/a")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "edited" || a.Body != "" || a.Thread != "t3" {
		t.Errorf("a not updated: %+v", a)
	}
	if a.Triage.State != inbox.StateLater || !a.Triage.RespondBy.Equal(due) || !a.Triage.Changed.Equal(now) {
		t.Errorf("a triage = %+v, want later due %v changed %v", a.Triage, due, now)
	}
	c, err := s.Get(ctx, "work/c")
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != inbox.SourceGitHub || c.HTML != "<b>x</b>" || !c.Triage.Changed.Equal(t0) {
		t.Errorf("c = %+v", c)
	}
	for _, tc := range []struct {
		q    inbox.Query
		want []string
	}{
		{inbox.Query{State: inbox.StateLater}, []string{"work/a"}},
		{inbox.Query{State: inbox.StateSnoozed}, []string{"work/b"}},
		{inbox.Query{State: inbox.StateDone}, []string{"work/d", "work/c"}},
		{inbox.Query{State: inbox.StateDone, Source: inbox.SourceGitHub}, []string{"work/c"}},
		{inbox.Query{State: inbox.StateInbox}, []string{"work/e"}},
	} {
		p, err := s.List(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := pageIDs(p); !slices.Equal(got, ids(tc.want...)) || p.Total != len(tc.want) {
			t.Errorf("List %+v = %v (total %d), want %v", tc.q, got, p.Total, tc.want)
		}
	}
	// e joined t1 while a left it: b and e remain.
	p, _ := s.List(ctx, inbox.Query{State: inbox.StateInbox})
	if p.Items[0].ThreadCount != 2 {
		t.Errorf("e ThreadCount = %d, want 2", p.Items[0].ThreadCount)
	}
	if n, _ := s.AccountItemCount(ctx, "work"); n != 5 {
		t.Errorf("AccountItemCount = %d, want 5", n)
	}

	// Moving between states maintains the due and snooze indexes.
	if prev, err := s.SetTriage(ctx, "work/a", inbox.Triage{State: inbox.StateSnoozed, SnoozeUntil: wake}); err != nil || prev.State != inbox.StateLater {
		t.Errorf("SetTriage a: prev %+v, %v", prev, err)
	}
	if _, err := s.SetTriage(ctx, "work/b", inbox.Triage{State: inbox.StateInbox}); err != nil {
		t.Error(err)
	}
	checkIntegrity(t, s)
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 2, inbox.StateSnoozed: 1, inbox.StateDone: 2})
}

func TestSetTriageErrors(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	mustApply(t, s, Batch{Account: "work", Upserts: []inbox.Item{item("work", "a", inbox.SourceEmail, 1, "")}})
	if _, err := s.SetTriage(ctx, "work/zzz", inbox.Triage{State: inbox.StateDone}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing id: err = %v, want ErrNotFound", err)
	}
	for _, st := range []inbox.State{"", "archived"} {
		if _, err := s.SetTriage(ctx, "work/a", inbox.Triage{State: st}); err == nil {
			t.Errorf("state %q accepted", st)
		}
	}
	before := time.Now()
	if _, err := s.SetTriage(ctx, "work/a", inbox.Triage{State: inbox.StateDone}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, "work/a")
	if got.Triage.Changed.Before(before) {
		t.Errorf("Changed = %v, want now", got.Triage.Changed)
	}
	prev, err := s.SetTriage(ctx, "work/a", inbox.Triage{State: inbox.StateDone})
	if err != nil || prev.State != inbox.StateDone || !prev.Changed.Equal(got.Triage.Changed) {
		t.Errorf("prev = %+v, %v", prev, err)
	}
	checkIntegrity(t, s)
}

func TestRemoves(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	items := []inbox.Item{
		item("work", "a", inbox.SourceEmail, 1, "t"),
		item("work", "b", inbox.SourceEmail, 2, "t"),
		item("work", "c", inbox.SourceEmail, 3, "t"),
	}
	mustApply(t, s, Batch{Account: "work", Upserts: items})
	if _, err := s.SetTriage(ctx, "work/b", inbox.Triage{State: inbox.StateLater, RespondBy: t0}); err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, s, Batch{
		Account: "work",
		Upserts: []inbox.Item{item("work", "d", inbox.SourceEmail, 4, "t"), item("work", "c", inbox.SourceEmail, 9, "t")},
		Removes: ids("work/b", "work/missing", "work/d", "work/c"),
	})
	if len(res.New) != 0 || len(res.Updated) != 0 || !slices.Equal(res.Removed, ids("work/b", "work/c")) {
		t.Errorf("Applied = %+v, want removed [b c] only", res)
	}
	for _, id := range ids("work/b", "work/c", "work/d") {
		if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get %s after remove: %v", id, err)
		}
	}
	p, _ := s.List(ctx, inbox.Query{})
	if !slices.Equal(pageIDs(p), ids("work/a")) || p.Items[0].ThreadCount != 1 {
		t.Errorf("List after removes = %+v", p)
	}
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 1})
	checkIntegrity(t, s)

	res = mustApply(t, s, Batch{Account: "work", Removes: ids("work/b")})
	if len(res.Removed) != 0 {
		t.Errorf("removing a removed id: Applied = %+v", res)
	}
}

func TestCursor(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	cur, err := s.Cursor(ctx, "work")
	if err != nil || cur != nil {
		t.Fatalf("Cursor before any = %q, %v; want nil, nil", cur, err)
	}
	mustApply(t, s, Batch{Account: "work", Upserts: []inbox.Item{item("work", "a", inbox.SourceEmail, 1, "")}, Cursor: []byte("uid:1")})
	mustApply(t, s, Batch{Account: "work", Upserts: []inbox.Item{item("work", "b", inbox.SourceEmail, 2, "")}})
	if cur, _ := s.Cursor(ctx, "work"); string(cur) != "uid:1" {
		t.Errorf("Cursor after a nil-cursor batch = %q, want uid:1", cur)
	}
	// A failing batch writes neither its items nor its cursor.
	bad := item("work", "c", inbox.SourceEmail, 3, "")
	bad.Received = time.Time{}
	_, err = s.Apply(ctx, Batch{Account: "work", Upserts: []inbox.Item{item("work", "ok", inbox.SourceEmail, 3, ""), bad}, Cursor: []byte("uid:3")})
	if err == nil {
		t.Fatal("Apply of an invalid item succeeded")
	}
	if cur, _ := s.Cursor(ctx, "work"); string(cur) != "uid:1" {
		t.Errorf("Cursor after failed batch = %q, want uid:1", cur)
	}
	if _, err := s.Get(ctx, "work/ok"); !errors.Is(err, ErrNotFound) {
		t.Errorf("item of a failed batch was written: %v", err)
	}
	// A cursor alone is a valid batch; an empty one is not the same as none.
	mustApply(t, s, Batch{Account: "work", Cursor: []byte{}})
	if cur, err := s.Cursor(ctx, "work"); err != nil || cur == nil || len(cur) != 0 {
		t.Errorf("empty cursor read back as %q (nil %v), %v", cur, cur == nil, err)
	}
	if cur, _ := s.Cursor(ctx, "other"); cur != nil {
		t.Errorf("other account cursor = %q", cur)
	}
}

func TestApplyRejects(t *testing.T) {
	s := openTemp(t)
	ok := item("work", "a", inbox.SourceEmail, 1, "")
	noSource := ok
	noSource.Source = "fax"
	badState := ok
	badState.Triage.State = "archived"
	tests := []struct {
		name string
		b    Batch
		want string
	}{
		{"no account", Batch{Upserts: []inbox.Item{ok}}, "invalid account"},
		{"slash in account", Batch{Account: "a/b"}, "invalid account"},
		{"item of another account", Batch{Account: "home", Upserts: []inbox.Item{ok}}, `belongs to account "work"`},
		{"invalid source", Batch{Account: "work", Upserts: []inbox.Item{noSource}}, "unknown source"},
		{"invalid state", Batch{Account: "work", Upserts: []inbox.Item{badState}}, "unknown state"},
		{"remove of another account", Batch{Account: "home", Removes: ids("work/a")}, "cannot remove"},
		{"malformed remove", Batch{Account: "work", Removes: ids("work")}, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Apply(context.Background(), tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "store: apply") {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	wantCounts(t, s, nil)
}

func TestBatchTooLarge(t *testing.T) {
	s := openTemp(t)
	var items []inbox.Item
	for i := range 20000 {
		items = append(items, item("work", fmt.Sprint(i), inbox.SourceEmail, i, fmt.Sprint(i%7)))
	}
	_, err := s.Apply(context.Background(), Batch{Account: "work", Upserts: items, Cursor: []byte("x")})
	if !errors.Is(err, ErrBatchTooLarge) || !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("err = %v, want ErrBatchTooLarge", err)
	}
	t.Log(err)
	wantCounts(t, s, nil)
	if cur, _ := s.Cursor(context.Background(), "work"); cur != nil {
		t.Errorf("cursor written by a failed batch: %q", cur)
	}
	// MaxBatchItems items with bodies near the inline threshold fit.
	items = items[:MaxBatchItems]
	for i := range items {
		items[i].Body = strings.Repeat("x", 1000)
		items[i].To = []inbox.Person{{Name: strings.Repeat("n", 200), Addr: strings.Repeat("a", 200)}}
		items[i].Snippet = strings.Repeat("s", 300)
	}
	mustApply(t, s, Batch{Account: "work", Upserts: items})
	checkIntegrity(t, s)
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openAt(t, dir)
	mustApply(t, s, Batch{Account: "work", Cursor: []byte("c1"), Upserts: []inbox.Item{
		item("work", "a", inbox.SourceEmail, 1, "t"),
		item("work", "b", inbox.SourceEmail, 2, "t"),
	}})
	if _, err := s.SetTriage(ctx, "work/a", inbox.Triage{State: inbox.StateLater, RespondBy: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Get(ctx, "work/a"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}

	s = openAt(t, dir)
	defer s.Close()
	a, err := s.Get(ctx, "work/a")
	if err != nil || a.Triage.State != inbox.StateLater || !a.Triage.RespondBy.Equal(t0) || a.Body != "body of a" {
		t.Errorf("a after reopen = %+v, %v", a, err)
	}
	if cur, _ := s.Cursor(ctx, "work"); string(cur) != "c1" {
		t.Errorf("cursor after reopen = %q", cur)
	}
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 1, inbox.StateLater: 1})
	p, _ := s.List(ctx, inbox.Query{})
	if !slices.Equal(pageIDs(p), ids("work/b")) || p.Items[0].ThreadCount != 2 {
		t.Errorf("List after reopen = %+v", p)
	}
	checkIntegrity(t, s)
}

func TestSchemaVersion(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badgerOptions(Options{Dir: dir}, quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	v, err := readSchema(db)
	if err != nil || v != schemaVersion {
		t.Errorf("stored schema = %d, %v; want %d", v, err, schemaVersion)
	}
	err = db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte(keySchema), encodeSchema(schemaVersion+1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), Options{Dir: dir, Logger: quietLogger()})
	want := fmt.Sprintf("store: data folder was written by a newer Lull (schema %d > %d)", schemaVersion+1, schemaVersion)
	if err == nil || err.Error() != want {
		t.Fatalf("Open of a newer store: err = %v, want %q", err, want)
	}
	// The failed open released the folder.
	db, err = badger.Open(badgerOptions(Options{Dir: dir}, quietLogger()))
	if err != nil {
		t.Fatalf("folder still locked after failed Open: %v", err)
	}
	db.Close()
}

func TestDeleteAccount(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	for i := 0; i < 3*deleteChunk; i += MaxBatchItems / 2 {
		var items []inbox.Item
		for j := i; j < min(i+MaxBatchItems/2, 3*deleteChunk); j++ {
			items = append(items, item("old", fmt.Sprint(j), inbox.SourceSlack, j, fmt.Sprint(j%5)))
		}
		mustApply(t, s, Batch{Account: "old", Upserts: items, Cursor: []byte("x")})
	}
	mustApply(t, s, Batch{Account: "keep", Cursor: []byte("k"), Upserts: []inbox.Item{item("keep", "1", inbox.SourceEmail, 1, "0")}})
	// "ol" must not match "old".
	mustApply(t, s, Batch{Account: "ol", Upserts: []inbox.Item{item("ol", "1", inbox.SourceEmail, 1, "0")}})
	if _, err := s.SetTriage(ctx, "old/3", inbox.Triage{State: inbox.StateSnoozed, SnoozeUntil: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, s)
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 2})
	if n, _ := s.AccountItemCount(ctx, "old"); n != 0 {
		t.Errorf("old has %d items after delete", n)
	}
	if cur, _ := s.Cursor(ctx, "old"); cur != nil {
		t.Errorf("old cursor = %q after delete", cur)
	}
	if cur, _ := s.Cursor(ctx, "keep"); string(cur) != "k" {
		t.Errorf("keep cursor = %q", cur)
	}
	if err := s.DeleteAccount(ctx, "old"); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestContextAndClose(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Apply(ctx, Batch{Account: "w"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply: %v", err)
	}
	if _, err := s.List(ctx, inbox.Query{}); !errors.Is(err, context.Canceled) {
		t.Errorf("List: %v", err)
	}
	if _, err := Open(ctx, Options{Dir: t.TempDir()}); !errors.Is(err, context.Canceled) {
		t.Errorf("Open: %v", err)
	}
	if _, err := Open(context.Background(), Options{}); err == nil {
		t.Error("Open without a folder succeeded")
	}
}

func TestInMemory(t *testing.T) {
	s, err := Open(context.Background(), Options{InMemory: true, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustApply(t, s, Batch{Account: "w", Upserts: []inbox.Item{item("w", "1", inbox.SourceEmail, 1, "")}})
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: 1})
}

func TestBadgerOptions(t *testing.T) {
	o := badgerOptions(Options{Dir: "/x"}, quietLogger())
	if o.ValueLogFileSize != 64<<20 {
		t.Errorf("ValueLogFileSize = %d, want 64 MB", o.ValueLogFileSize)
	}
	if o.NumCompactors != 2 {
		t.Errorf("NumCompactors = %d, want 2", o.NumCompactors)
	}
	if o.MemTableSize != 8<<20 || o.NumMemtables != 2 || o.BlockCacheSize != 0 || o.IndexCacheSize != 16<<20 {
		t.Errorf("memory options = %d, %d, %d, %d", o.MemTableSize, o.NumMemtables, o.BlockCacheSize, o.IndexCacheSize)
	}
	// No block cache is only cheap when blocks need no decompressing.
	if o.Compression != options.None {
		t.Errorf("Compression = %v, want none (blocks read from the mapped tables)", o.Compression)
	}
	if _, ok := o.Logger.(badgerLogger); !ok {
		t.Errorf("Logger is %T, want the slog adapter", o.Logger)
	}
}

// TestOpensTablesAnOlderLullCompressed copies a store into tables written
// the way Lull wrote them before (Snappy, a block cache) and reads it back
// with today's options, which neither compress nor cache blocks.
func TestOpensTablesAnOlderLullCompressed(t *testing.T) {
	ctx := context.Background()
	src, dst := t.TempDir(), t.TempDir()
	s, err := Open(ctx, Options{Dir: src, Logger: quietLogger(), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	var items []inbox.Item
	for i := range 300 {
		items = append(items, item("old", fmt.Sprint(i), inbox.SourceEmail, i, fmt.Sprint(i%40)))
	}
	mustApply(t, s, Batch{Account: "old", Upserts: items})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	old := func(dir string) badger.Options {
		return badgerOptions(Options{Dir: dir}, quietLogger()).WithCompression(options.Snappy).WithBlockCacheSize(32 << 20)
	}
	from, err := badger.Open(old(src).WithReadOnly(true))
	if err != nil {
		t.Fatal(err)
	}
	to, err := badger.Open(old(dst))
	if err != nil {
		t.Fatal(err)
	}
	copied := 0
	err = from.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		wb := to.NewWriteBatch()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := wb.Set(it.Item().KeyCopy(nil), v); err != nil {
				return err
			}
			copied++
		}
		return wb.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	from.Close()
	if err := to.Close(); err != nil { // flushes the memtable into a Snappy table
		t.Fatal(err)
	}
	if copied < len(items) {
		t.Fatalf("copied %d keys for %d items", copied, len(items))
	}

	s, err = Open(ctx, Options{Dir: dst, Logger: quietLogger(), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	compressed := false
	for _, tab := range s.db.Tables() {
		compressed = compressed || uint64(tab.OnDiskSize) < uint64(tab.UncompressedSize)
	}
	if !compressed {
		t.Fatalf("the copy has no compressed table (%+v): the test would not read a Snappy block", s.db.Tables())
	}
	wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: len(items)})
	for _, want := range []inbox.Item{items[0], items[299]} {
		got, err := s.Get(ctx, want.ID)
		if err != nil || got.Title != want.Title {
			t.Fatalf("Get(%s) = %q, %v; want %q", want.ID, got.Title, err, want.Title)
		}
	}
	scan, err := s.ScanThreads(ctx, inbox.StateInbox, "")
	if err != nil || len(scan.IDs) != len(items) {
		t.Fatalf("ScanThreads = %d ids, %v; want %d", len(scan.IDs), err, len(items))
	}
}

func TestBadgerLoggerLevel(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	h := slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug})
	l := badgerLogger{log: slog.New(h), min: slog.LevelWarn}
	l.Infof("noisy %d\n", 1)
	l.Debugf("noisy %d", 2)
	l.Warningf("careful %d\n", 3)
	l.Errorf("broken %d", 4)
	out := buf.String()
	if strings.Contains(out, "noisy") || !strings.Contains(out, "careful 3") || !strings.Contains(out, "broken 4") {
		t.Errorf("log output:\n%s", out)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestConcurrent runs writers and readers together under -race.
func TestConcurrent(t *testing.T) {
	s, err := Open(context.Background(), Options{Dir: t.TempDir(), GCInterval: 5 * time.Millisecond, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		acct := fmt.Sprintf("acct%d", w)
		wg.Go(func() {
			for round := range 20 {
				var items []inbox.Item
				for i := range 20 {
					it := item(acct, fmt.Sprint(i+round*5), inbox.SourceEmail, i+round, fmt.Sprint(i%3))
					it.Body = strings.Repeat("b", 2000+round)
					items = append(items, it)
				}
				if _, err := s.Apply(ctx, Batch{Account: acct, Upserts: items, Removes: []inbox.ID{inbox.NewID(acct, fmt.Sprint(round*5-5))}}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.SetTriage(ctx, items[round%20].ID, inbox.Triage{State: inbox.States[round%4], RespondBy: t0, SnoozeUntil: t0}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			for range 50 {
				if _, err := s.List(ctx, inbox.Query{Offset: 10, Limit: 20}); err != nil {
					t.Error(err)
				}
				if _, err := s.Counts(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	checkIntegrity(t, s)
	counts, _ := s.Counts(ctx)
	total := 0
	for _, n := range counts {
		total += n
	}
	sum := 0
	for w := range 4 {
		n, _ := s.AccountItemCount(ctx, fmt.Sprintf("acct%d", w))
		sum += n
	}
	if sum != total {
		t.Errorf("accounts hold %d items, counters say %d", sum, total)
	}
	time.Sleep(20 * time.Millisecond) // let GC tick while idle
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestListOffsets checks every window against a sort of all items, for
// received times spread over years, packed into seconds and identical, so
// the bucket counters behind deep offsets are exercised at every level.
func TestListOffsets(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	sources := []inbox.Source{inbox.SourceEmail, inbox.SourceSlack, inbox.SourceGitHub}
	var all []inbox.Item
	for i := range 900 {
		var at time.Time
		switch i % 3 {
		case 0: // spread over three years
			at = t0.Add(-time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
		case 1: // a busy hour
			at = t0.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		default: // a bulk import: a handful of identical times
			at = t0.Add(time.Duration(rng.IntN(4)) * time.Second)
		}
		it := item("a", fmt.Sprintf("m%03d", i), sources[rng.IntN(len(sources))], 0, "")
		it.Received = at
		if i%10 == 0 {
			it.Triage.State = inbox.StateDone
		}
		all = append(all, it)
	}
	for i := 0; i < len(all); i += MaxBatchItems {
		mustApply(t, s, Batch{Account: "a", Upserts: all[i:min(i+MaxBatchItems, len(all))]})
	}
	// Move some items between states so counters are decremented too.
	for i := 5; i < len(all); i += 17 {
		if _, err := s.SetTriage(ctx, all[i].ID, inbox.Triage{State: inbox.StateDone}); err != nil {
			t.Fatal(err)
		}
		all[i].Triage.State = inbox.StateDone
	}
	checkIntegrity(t, s)

	expect := func(q inbox.Query) []inbox.ID {
		var sel []inbox.Item
		for _, it := range all {
			st := it.Triage.State
			if st == "" {
				st = inbox.StateInbox
			}
			if st == q.State && (q.Source == "" || it.Source == q.Source) {
				sel = append(sel, it)
			}
		}
		slices.SortFunc(sel, func(a, b inbox.Item) int {
			if c := b.Received.Compare(a.Received); c != 0 {
				return c
			}
			return strings.Compare(string(a.ID), string(b.ID))
		})
		var out []inbox.ID
		for _, it := range sel {
			out = append(out, it.ID)
		}
		return out
	}
	check := func(t *testing.T) {
		for _, st := range []inbox.State{inbox.StateInbox, inbox.StateDone} {
			for _, src := range []inbox.Source{"", inbox.SourceSlack} {
				want := expect(inbox.Query{State: st, Source: src})
				for off := 0; off <= len(want)+1; off += 7 {
					q := inbox.Query{State: st, Source: src, Offset: off, Limit: 9}
					p, err := s.List(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					w := want[min(off, len(want)):min(off+9, len(want))]
					if got := pageIDs(p); !slices.Equal(got, w) || p.Total != len(want) {
						t.Fatalf("List %+v = %v (total %d), want %v (total %d)", q, got, p.Total, w, len(want))
					}
				}
			}
		}
	}
	t.Run("buckets", check)
	err := s.db.View(func(txn *badger.Txn) error {
		n := len(expect(inbox.Query{State: inbox.StateInbox}))
		for off := 1; off < n; off += 13 {
			_, rest, ok, err := skipBuckets(txn, receivedPrefix(inbox.StateInbox), int64(off))
			if err != nil || !ok || rest < 0 || rest > 400 {
				t.Errorf("skipBuckets(%d) = rest %d, ok %v, %v", off, rest, ok, err)
			}
		}
		_, _, ok, err := skipBuckets(txn, receivedPrefix(inbox.StateInbox), int64(n))
		if ok || err != nil {
			t.Errorf("skipBuckets past the end: ok %v, %v", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Without bucket counters List walks the index and is still right.
	if err := s.db.DropPrefix([]byte(prefixBucket)); err != nil {
		t.Fatal(err)
	}
	t.Run("no buckets", check)
}
