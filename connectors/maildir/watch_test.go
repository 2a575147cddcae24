package maildir

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/conformance"
)

func TestLiveChanges(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.maildir(".Work")
	old := time.Now().Add(-time.Hour)
	for range 3 {
		tr.put("", "cur", tr.unique()+":2,S", mail("old", old), old)
	}
	sink := conformance.NewMemorySink()
	start(t, newConn(t, tr.root, nil), sink)
	caughtUp(t, sink)

	item := func(wid inbox.ID) (inbox.Item, bool) { return sink.Item(wid) }
	rename := func(from, to string) {
		t.Helper()
		if err := os.Rename(filepath.Join(tr.root, from), filepath.Join(tr.root, to)); err != nil {
			t.Fatal(err)
		}
	}

	u := tr.unique()
	wid := id("INBOX", u)
	t.Run("new mail within a second", func(t *testing.T) {
		mark := len(sink.Batches())
		began := time.Now()
		tr.put("", "new", u, mail("hot off the press", time.Now()), time.Time{})
		waitFor(t, 2*time.Second, "the new message", func() bool { _, ok := item(wid); return ok })
		if took := time.Since(began); took >= time.Second {
			t.Errorf("new mail took %v to reach the sink, want < 1s", took)
		} else {
			t.Logf("new mail reached the sink in %v", took.Round(time.Millisecond))
		}
		if it, _ := item(wid); !it.Unread || it.Title != "hot off the press" {
			t.Errorf("new mail: unread %v, title %q", it.Unread, it.Title)
		}
		if _, live := upsertedIn(sink.Batches()[mark:]); live[wid] != 1 {
			t.Errorf("new mail was not one live upsert: %v", live)
		}
	})
	t.Run("move from new to cur keeps the id", func(t *testing.T) {
		mark := len(sink.Batches())
		rename("new/"+u, "cur/"+u+":2,S")
		waitFor(t, 2*time.Second, "the item to be read", func() bool { it, _ := item(wid); return !it.Unread })
		if removedIn(sink.Batches()[mark:])[wid] {
			t.Error("moving the file to cur/ removed the item")
		}
		if sink.Len() != 4 {
			t.Errorf("%d items, want 4: the move created a new one", sink.Len())
		}
	})
	t.Run("flag renames update Unread", func(t *testing.T) {
		rename("cur/"+u+":2,S", "cur/"+u+":2,RS")
		rename("cur/"+u+":2,RS", "cur/"+u+":2,R")
		waitFor(t, 2*time.Second, "the item to be unread", func() bool { it, _ := item(wid); return it.Unread })
		if _, ok := item(wid); !ok || sink.Len() != 4 {
			t.Errorf("flag change lost the item or added one: %d items", sink.Len())
		}
	})
	t.Run("a move to another folder is not new mail", func(t *testing.T) {
		mark := len(sink.Batches())
		rename("cur/"+u+":2,R", ".Work/cur/"+u+":2,R")
		moved := id("Work", u)
		waitFor(t, 2*time.Second, "the move", func() bool {
			_, there := item(moved)
			_, here := item(wid)
			return there && !here
		})
		backfill, live := upsertedIn(sink.Batches()[mark:])
		if live[moved] != 0 || backfill[moved] != 1 {
			t.Errorf("moved message: live %d, backfill %d upserts; want it added silently", live[moved], backfill[moved])
		}
		wid = moved
	})
	t.Run("trash flag removes", func(t *testing.T) {
		rename(".Work/cur/"+u+":2,R", ".Work/cur/"+u+":2,RT")
		waitFor(t, 2*time.Second, "the removal", func() bool { _, ok := item(wid); return !ok })
	})
	t.Run("deletion removes", func(t *testing.T) {
		v := tr.unique()
		vid := id("INBOX", v)
		path := tr.put("", "cur", v+":2,", mail("doomed", time.Now()), time.Time{})
		waitFor(t, 2*time.Second, "the message", func() bool { _, ok := item(vid); return ok })
		mark := len(sink.Batches())
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 2*time.Second, "the removal", func() bool { _, ok := item(vid); return !ok })
		if !removedIn(sink.Batches()[mark:])[vid] {
			t.Error("no batch removed it")
		}
	})
	t.Run("a burst of 500 is seen completely in a few batches", func(t *testing.T) {
		mark := len(sink.Batches())
		before := sink.Len()
		const n = 500
		payload := mail("burst", time.Now())
		// Written to tmp/ first, then all renamed at once, as a fetch of a
		// big batch of mail does.
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("%s.burst%d", tr.unique(), i)
			if err := os.WriteFile(filepath.Join(tr.root, "tmp", names[i]), payload, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range names {
			rename("tmp/"+name, "new/"+name)
		}
		waitFor(t, 5*time.Second, "the burst", func() bool { return sink.Len() == before+n })
		time.Sleep(300 * time.Millisecond) // let any straggling window close
		batches := sink.Batches()[mark:]
		if len(batches) > 10 {
			t.Errorf("%d batches for a burst of %d files, want a few", len(batches), n)
		}
		_, live := upsertedIn(batches)
		if len(live) != n {
			t.Errorf("%d live upserts for %d new files", len(live), n)
		}
		for got, k := range live {
			if k > 1 {
				t.Errorf("%s upserted %d times", got, k)
			}
		}
		t.Logf("%d files in %d batches", n, len(batches))
	})
}

// TestRescanCatchesMissedEvents covers what fsnotify can miss (an overflow,
// a network file system): with no watcher at all, the periodic rescan still
// finds new, changed and deleted messages.
func TestRescanCatchesMissedEvents(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	keep, gone := tr.unique(), tr.unique()
	tr.put("", "new", keep, mail("keep", time.Now()), time.Time{})
	tr.put("", "new", gone, mail("gone", time.Now()), time.Time{})
	c := newConn(t, tr.root, nil)
	c.noWatch = true
	c.pollEvery = 150 * time.Millisecond
	sink := conformance.NewMemorySink()
	start(t, c, sink)
	caughtUp(t, sink)

	fresh := tr.unique()
	tr.put("", "new", fresh, mail("fresh", time.Now()), time.Time{})
	if err := os.Rename(filepath.Join(tr.root, "new", keep), filepath.Join(tr.root, "cur", keep+":2,S")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(tr.root, "new", gone)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the rescan", func() bool {
		_, added := sink.Item(id("INBOX", fresh))
		_, stays := sink.Item(id("INBOX", gone))
		it, _ := sink.Item(id("INBOX", keep))
		return added && !stays && !it.Unread
	})
}
