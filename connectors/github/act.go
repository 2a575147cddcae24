package github

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/lullhq/lull/app/inbox"
)

// Act writes a done back to GitHub as on_done says: "done" marks the
// notification thread done (DELETE /notifications/threads/{id}), "read"
// marks it read (PATCH), "none" leaves GitHub alone. Other triage changes
// stay in Lull.
//
// Undoing a done returns nil and changes nothing on GitHub: its API has no
// way to mark a thread unread or to bring back a thread marked done. The
// item stays in Lull's inbox, and when a thread Lull marked done leaves
// the notification list the item is kept rather than removed (until this
// connector restarts). GitHub shows the thread again at its next activity,
// and so does Lull. docs/github.md says the same to users.
func (c *Connector) Act(ctx context.Context, id inbox.ID, from, to inbox.Triage) error {
	wasDone, isDone := from.State == inbox.StateDone, to.State == inbox.StateDone
	if wasDone == isDone || c.s.OnDone == OnDoneNone {
		return nil
	}
	acct, thread, err := id.Split()
	if err != nil {
		return fmt.Errorf("github: %w", err)
	}
	if acct != c.account {
		return fmt.Errorf("github: %s: item %s belongs to account %q", c.account, id, acct)
	}
	if _, err := strconv.ParseUint(thread, 10, 64); err != nil {
		return fmt.Errorf("github: %s: item %s is not a notification thread", c.account, id)
	}
	if !isDone {
		if c.s.OnDone == OnDoneDone {
			c.mu.Lock()
			c.undone[thread] = true
			c.mu.Unlock()
		}
		return nil
	}
	c.mu.Lock()
	delete(c.undone, thread)
	c.mu.Unlock()

	a, err := c.client(ctx)
	if err != nil {
		return err
	}
	method, what := http.MethodDelete, "mark thread done"
	if c.s.OnDone == OnDoneRead {
		method, what = http.MethodPatch, "mark thread read"
	}
	_, err = a.send(ctx, method, "notifications/threads/"+thread, nil, nil, c.opts.MaxWait)
	switch {
	case err == nil:
		return nil
	case statusOf(err) == http.StatusNotFound:
		return nil // already done on GitHub, or gone
	}
	c.dropIfRejected(err)
	return fmt.Errorf("github: %s: %s %s: %w", c.account, what, thread, err)
}
