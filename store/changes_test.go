package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

func TestIDIsStable(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir)
	ctx := context.Background()
	id, err := s.ID(ctx)
	if err != nil || len(id) != 32 {
		t.Fatalf("ID = %q, %v", id, err)
	}
	if again, _ := s.ID(ctx); again != id {
		t.Fatalf("ID changed: %q then %q", id, again)
	}
	s.Close()
	s = openAt(t, dir)
	defer s.Close()
	if reopened, _ := s.ID(ctx); reopened != id {
		t.Fatalf("ID after reopen %q, want %q", reopened, id)
	}
	if other, _ := openTemp(t).ID(ctx); other == id {
		t.Fatal("two stores share an ID")
	}
}

func TestItemVersionsAndChangedItemsSeeWhatChanged(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	versions := func() map[inbox.ID]uint64 {
		t.Helper()
		m := map[inbox.ID]uint64{}
		var order []inbox.ID
		_, err := s.ItemVersions(ctx, func(id inbox.ID, v uint64) error {
			m[id] = v
			order = append(order, id)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(order) {
			t.Fatalf("ItemVersions not in id order: %v", order)
		}
		return m
	}
	mustApply(t, s, Batch{Account: "a", Upserts: []inbox.Item{
		item("a", "1", inbox.SourceEmail, 1, ""), item("a", "2", inbox.SourceEmail, 2, ""), item("a", "3", inbox.SourceEmail, 3, ""),
	}})
	before := versions()
	mark, err := s.Version(ctx)
	if err != nil || mark == 0 {
		t.Fatalf("Version = %d, %v", mark, err)
	}
	mustApply(t, s, Batch{Account: "a", Upserts: []inbox.Item{item("a", "4", inbox.SourceEmail, 4, "")}, Removes: []inbox.ID{"a/3"}})
	if _, err := s.SetTriage(ctx, "a/1", inbox.Triage{State: inbox.StateDone}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlob(ctx, "unrelated", []byte("x")); err != nil {
		t.Fatal(err)
	}
	after := versions()
	var changed []inbox.ID
	for id, v := range after {
		if v > mark {
			changed = append(changed, id)
		}
	}
	slices.Sort(changed)
	if !slices.Equal(changed, []inbox.ID{"a/1", "a/4"}) || after["a/2"] != before["a/2"] || len(after) != 3 {
		t.Fatalf("changed since %d: %v (versions %v)", mark, changed, after)
	}

	for _, c := range []struct {
		since uint64
		want  []inbox.ID
	}{{mark, []inbox.ID{"a/1", "a/4"}}, {0, []inbox.ID{"a/1", "a/2", "a/4"}}} {
		var got []inbox.ID
		version, total, err := s.ChangedItems(ctx, c.since, func(id inbox.ID, v uint64) error {
			if v != after[id] {
				t.Errorf("ChangedItems(%d): %s at version %d, ItemVersions says %d", c.since, id, v, after[id])
			}
			got = append(got, id)
			return nil
		})
		if err != nil || !slices.Equal(got, c.want) || total != 3 || version <= mark {
			t.Fatalf("ChangedItems(%d) = %v, total %d, version %d, %v; want %v, 3 items, past %d", c.since, got, total, version, err, c.want, mark)
		}
	}

	items, missing, err := s.Items(ctx, []inbox.ID{"a/4", "a/3", "a/1"})
	if err != nil || len(items) != 2 || items[0].ID != "a/4" || items[0].Body != "body of 4" ||
		items[1].Triage.State != inbox.StateDone || !slices.Equal(missing, []inbox.ID{"a/3"}) {
		t.Fatalf("Items = %+v, missing %v, %v", items, missing, err)
	}
	rows, err := s.Summaries(ctx, []inbox.ID{"a/2", "a/3", "a/1"})
	if err != nil || len(rows) != 2 || rows[0].ID != "a/2" || rows[1].State != inbox.StateDone {
		t.Fatalf("Summaries = %+v, %v", rows, err)
	}
}

// watcher records what WatchItems reports.
type watcher struct {
	mu      sync.Mutex
	ids     []inbox.ID
	version uint64
}

func (w *watcher) fn(ids []inbox.ID, v uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ids = append(w.ids, ids...)
	if v <= w.version {
		panic("versions went backwards")
	}
	w.version = v
}

func (w *watcher) waitFor(t *testing.T, id inbox.ID) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		w.mu.Lock()
		ok := slices.Contains(w.ids, id)
		w.mu.Unlock()
		if ok {
			return
		}
	}
	t.Fatalf("watch never reported %s", id)
}

func TestWatchItems(t *testing.T) {
	s := openAt(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var w watcher
	done, err := s.WatchItems(ctx, w.fn)
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, Batch{Account: "a", Upserts: []inbox.Item{item("a", "1", inbox.SourceEmail, 1, "")}})
	w.waitFor(t, "a/1")
	if _, err := s.SetTriage(ctx, "a/1", inbox.Triage{State: inbox.StateLater}); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, Batch{Account: "a", Upserts: []inbox.Item{item("a", "2", inbox.SourceEmail, 2, "")}})
	w.waitFor(t, "a/2")
	if err := s.DeleteAccount(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		w.mu.Lock()
		n := len(w.ids)
		w.mu.Unlock()
		// created 1, triaged 1, created 2, deleted both
		if n >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch saw %v", w.ids)
		}
	}
	w.mu.Lock()
	if v, _ := s.Version(ctx); w.version > v {
		t.Errorf("watched version %d past the store's %d", w.version, v)
	}
	w.mu.Unlock()

	// Closing the store ends the watch cleanly.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("watch ended with %v on Close", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch outlived Close")
	}
	if _, err := s.WatchItems(ctx, w.fn); !errors.Is(err, ErrClosed) {
		t.Fatalf("WatchItems after Close = %v", err)
	}
}

func TestWatchItemsEndsWithContext(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	done, err := s.WatchItems(ctx, func([]inbox.ID, uint64) {})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("watch ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch outlived its context")
	}
}
