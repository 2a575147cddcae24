package maildir

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/conformance"
)

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Lstat(path)
	return err == nil
}

func TestActMarksSeenAndUndoes(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.maildir(".Work")
	fresh, replied, read := tr.unique(), tr.unique(), tr.unique()
	tr.put("", "new", fresh, mail("fresh", time.Now()), time.Time{})
	tr.put(".Work", "cur", replied+":2,FR", mail("replied", time.Now()), time.Time{})
	tr.put("", "cur", read+":2,S", mail("read", time.Now()), time.Time{})

	c := newConn(t, tr.root, map[string]any{"on_done": "seen"})
	sink := conformance.NewMemorySink()
	start(t, c, sink)
	caughtUp(t, sink)

	ctx := context.Background()
	inboxState := inbox.Triage{State: inbox.StateInbox}
	done := inbox.Triage{State: inbox.StateDone}
	tests := []struct {
		id              inbox.ID
		before, atDone  string // file below the root
		afterUndo       string
		unreadAfterDone bool
	}{
		{id("INBOX", fresh), "new/" + fresh, "cur/" + fresh + ":2,S", "cur/" + fresh + ":2,", false},
		{id("Work", replied), ".Work/cur/" + replied + ":2,FR", ".Work/cur/" + replied + ":2,FRS", ".Work/cur/" + replied + ":2,FR", false},
		// Read before it was done: undo leaves it read.
		{id("INBOX", read), "cur/" + read + ":2,S", "cur/" + read + ":2,S", "cur/" + read + ":2,S", false},
	}
	for _, tc := range tests {
		if err := c.Act(ctx, tc.id, inboxState, done); err != nil {
			t.Fatalf("Act done %s: %v", tc.id, err)
		}
		if !exists(t, filepath.Join(tr.root, tc.atDone)) {
			t.Errorf("after done: no %s", tc.atDone)
		}
		waitFor(t, 2*time.Second, "the item to be read", func() bool { it, _ := sink.Item(tc.id); return !it.Unread })
	}
	for _, tc := range tests {
		if err := c.Act(ctx, tc.id, done, inboxState); err != nil {
			t.Fatalf("Act undo %s: %v", tc.id, err)
		}
		if !exists(t, filepath.Join(tr.root, tc.afterUndo)) {
			t.Errorf("after undo: no %s", tc.afterUndo)
		}
	}
	waitFor(t, 2*time.Second, "undo to mark unread", func() bool {
		a, _ := sink.Item(id("INBOX", fresh))
		b, _ := sink.Item(id("Work", replied))
		return a.Unread && b.Unread
	})
	if it, _ := sink.Item(id("INBOX", read)); it.Unread {
		t.Error("undo marked unread a message read before it was done")
	}
	if sink.Len() != 3 {
		t.Errorf("%d items after acting, want 3", sink.Len())
	}
}

func TestActOff(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	u := tr.unique()
	tr.put("", "new", u, mail("m", time.Now()), time.Time{})
	c := newConn(t, tr.root, nil) // on_done defaults to none
	if err := c.Act(context.Background(), id("INBOX", u), inbox.Triage{State: inbox.StateInbox}, inbox.Triage{State: inbox.StateDone}); err != nil {
		t.Fatal(err)
	}
	if !exists(t, filepath.Join(tr.root, "new", u)) {
		t.Error("on_done = none changed the file")
	}
}

func TestActErrors(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	c := newConn(t, tr.root, map[string]any{"on_done": "seen"})
	ctx := context.Background()
	from, to := inbox.Triage{State: inbox.StateInbox}, inbox.Triage{State: inbox.StateDone}
	for _, bad := range []inbox.ID{
		inbox.NewID("other", "INBOX/x"),
		inbox.NewID(account, "INBOX/absent"),
		inbox.NewID(account, "Nope/x"),
		inbox.NewID(account, "noslash"),
	} {
		if err := c.Act(ctx, bad, from, to); err == nil {
			t.Errorf("Act on %s succeeded", bad)
		}
	}
	// Changes that do not touch done do nothing.
	if err := c.Act(ctx, inbox.NewID(account, "INBOX/absent"), from, inbox.Triage{State: inbox.StateLater}); err != nil {
		t.Errorf("inbox → later: %v", err)
	}
}
