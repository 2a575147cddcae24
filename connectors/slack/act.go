package slack

import (
	"context"
	"fmt"

	"github.com/lullhq/lull/app/inbox"
)

// Act writes a done back to Slack when the account sets mark_read_on_done:
// the conversation is marked read up to that message (conversations.mark).
// The read mark only moves forward: marking an older message done never
// makes newer ones unread again, so Slack's own mark is read first. Undoing
// a done, and every other triage change, stays in Lull: Slack has no
// "unread from here" to go back to.
func (c *Connector) Act(ctx context.Context, id inbox.ID, from, to inbox.Triage) error {
	if !c.s.MarkReadOnDone || to.State != inbox.StateDone || from.State == inbox.StateDone {
		return nil
	}
	channel, ts, err := splitID(id)
	if err != nil {
		return err
	}
	a, _, err := c.session(ctx)
	if err != nil {
		return err
	}
	info, err := a.conversationInfo(ctx, channel)
	switch {
	case isGone(err):
		return nil // nothing left to mark
	case err != nil:
		return fmt.Errorf("slack: %s: mark %s read: %w", c.account, id, err)
	}
	mark, _ := parseTS(info.LastRead)
	if at, _ := parseTS(ts); mark >= at {
		return nil
	}
	if err := a.mark(ctx, channel, ts); err != nil && !isGone(err) {
		return fmt.Errorf("slack: %s: mark %s read: %w", c.account, id, err)
	}
	return nil
}
