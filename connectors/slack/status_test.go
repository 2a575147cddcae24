package slack

import (
	"context"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

// untilNoon is a focus end well in the future, at a round local time.
func untilNoon() time.Time {
	t := time.Now().Add(3 * time.Hour)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, time.Local)
}

func TestFocusStatusSetAndCleared(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	c := newConn(t, srv, nil, testOptions(defaultEnv()))
	ctx := context.Background()
	until := untilNoon()
	if err := c.SetFocus(ctx, until); err != nil {
		t.Fatal(err)
	}
	text, emoji, exp := srv.Status(meID)
	if want := "Focusing until " + until.Format("15:04"); text != want || emoji != ":no_bell:" || exp != until.Unix() {
		t.Errorf("status = %q %q %d, want %q :no_bell: %d", text, emoji, exp, want, until.Unix())
	}
	if on, end := srv.Snooze(meID); !on || end.Before(until) || end.After(until.Add(time.Minute)) {
		t.Errorf("snooze = %v until %v, want until %v", on, end, until)
	}

	if err := c.ClearFocus(ctx); err != nil {
		t.Fatal(err)
	}
	if text, emoji, _ := srv.Status(meID); text != "" || emoji != "" {
		t.Errorf("status after focus = %q %q, want cleared", text, emoji)
	}
	if on, _ := srv.Snooze(meID); on {
		t.Error("notifications still snoozed after focus")
	}
}

// TestFocusNeverOverwritesAStatusSetByHand: a status the user set stays,
// whether it was there before focus or set during it.
func TestFocusNeverOverwritesAStatusSetByHand(t *testing.T) {
	ctx := context.Background()
	t.Run("set before focus", func(t *testing.T) {
		srv := newWorkspace(t, slackfake.Options{})
		srv.SetStatus(meID, "Out sick", ":face_with_thermometer:", 0)
		c := newConn(t, srv, nil, testOptions(defaultEnv()))
		if err := c.SetFocus(ctx, untilNoon()); err != nil {
			t.Fatal(err)
		}
		if text, emoji, _ := srv.Status(meID); text != "Out sick" || emoji != ":face_with_thermometer:" {
			t.Errorf("SetFocus overwrote the user's status: %q %q", text, emoji)
		}
		if on, _ := srv.Snooze(meID); !on {
			t.Error("notifications not snoozed")
		}
		if err := c.ClearFocus(ctx); err != nil {
			t.Fatal(err)
		}
		if text, _, _ := srv.Status(meID); text != "Out sick" {
			t.Errorf("ClearFocus cleared the user's status: %q", text)
		}
	})
	t.Run("set during focus", func(t *testing.T) {
		srv := newWorkspace(t, slackfake.Options{})
		c := newConn(t, srv, nil, testOptions(defaultEnv()))
		if err := c.SetFocus(ctx, untilNoon()); err != nil {
			t.Fatal(err)
		}
		srv.SetStatus(meID, "In a meeting", ":calendar:", 0)
		if err := c.ClearFocus(ctx); err != nil {
			t.Fatal(err)
		}
		if text, emoji, _ := srv.Status(meID); text != "In a meeting" || emoji != ":calendar:" {
			t.Errorf("ClearFocus cleared a status set during focus: %q %q", text, emoji)
		}
	})
	t.Run("same emoji, other words", func(t *testing.T) {
		srv := newWorkspace(t, slackfake.Options{})
		srv.SetStatus(meID, "Focusing on taxes", ":no_bell:", 0)
		c := newConn(t, srv, nil, testOptions(defaultEnv()))
		if err := c.SetFocus(ctx, untilNoon()); err != nil {
			t.Fatal(err)
		}
		if err := c.ClearFocus(ctx); err != nil {
			t.Fatal(err)
		}
		if text, _, _ := srv.Status(meID); text != "Focusing on taxes" {
			t.Errorf("status = %q", text)
		}
	})
}

// TestClearFocusAfterRestart: a new process recognises the status an
// earlier one set (same template and emoji) and clears it.
func TestClearFocusAfterRestart(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	extra := map[string]any{"status_text": "Heads down until {until}", "status_emoji": ":headphones:"}
	ctx := context.Background()
	if err := newConn(t, srv, extra, testOptions(defaultEnv())).SetFocus(ctx, untilNoon()); err != nil {
		t.Fatal(err)
	}
	if text, emoji, _ := srv.Status(meID); emoji != ":headphones:" || text[:16] != "Heads down until" {
		t.Fatalf("status = %q %q", text, emoji)
	}
	if err := newConn(t, srv, extra, testOptions(defaultEnv())).ClearFocus(ctx); err != nil {
		t.Fatal(err)
	}
	if text, emoji, _ := srv.Status(meID); text != "" || emoji != "" {
		t.Errorf("status after restart and ClearFocus = %q %q", text, emoji)
	}
}

// TestFocusKeepsTheUsersOwnSnooze: a snooze the user started that lasts
// past the block is neither shortened nor ended.
func TestFocusKeepsTheUsersOwnSnooze(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	ctx := context.Background()
	c := newConn(t, srv, nil, testOptions(defaultEnv()))
	a, _, err := c.session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.setSnooze(ctx, 8*60); err != nil { // the user's own, 8 hours
		t.Fatal(err)
	}
	_, before := srv.Snooze(meID)
	if err := c.SetFocus(ctx, untilNoon()); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearFocus(ctx); err != nil {
		t.Fatal(err)
	}
	if on, end := srv.Snooze(meID); !on || !end.Equal(before) {
		t.Errorf("the user's snooze changed: on %v until %v, was until %v", on, end, before)
	}
}

// TestDoneMarksRead: with mark_read_on_done, done moves Slack's read mark
// up to the message, never back.
func TestDoneMarksRead(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	s := seed(srv)
	ctx := context.Background()
	inboxState, done := inbox.Triage{State: inbox.StateInbox}, inbox.Triage{State: inbox.StateDone}

	off := newConn(t, srv, nil, testOptions(defaultEnv()))
	// s.want[0] and [1] are Alice's DMs, [2] and [3] the group DM.
	if err := off.Act(ctx, s.want[1], inboxState, done); err != nil || srv.LastRead(dmAlice, meID) != "" {
		t.Fatalf("without mark_read_on_done: %v, read mark %q", err, srv.LastRead(dmAlice, meID))
	}

	c := newConn(t, srv, map[string]any{"mark_read_on_done": true}, testOptions(defaultEnv()))
	_, newer, _ := splitID(s.want[1])
	_, older, _ := splitID(s.want[0])
	if err := c.Act(ctx, s.want[1], inboxState, done); err != nil {
		t.Fatal(err)
	}
	if got := srv.LastRead(dmAlice, meID); got != newer {
		t.Errorf("read mark = %q, want %q", got, newer)
	}
	if err := c.Act(ctx, s.want[0], inboxState, done); err != nil {
		t.Fatal(err)
	}
	if got := srv.LastRead(dmAlice, meID); got != newer {
		t.Errorf("marking an older message done moved the read mark back to %q (older %s)", got, older)
	}
	if err := c.Act(ctx, s.want[1], done, inboxState); err != nil {
		t.Errorf("undo: %v", err)
	}

	// A backfill takes Slack's read mark: what was read there is read here.
	sink := conformance.NewMemorySink()
	start(t, c, sink)
	synced(t, sink)
	for _, want := range []struct {
		i      int
		unread bool
	}{{0, false}, {1, false}, {2, true}, {3, true}} {
		it, _ := sink.Item(s.want[want.i])
		if it.Unread != want.unread {
			t.Errorf("%s unread = %v, want %v", it.ID, it.Unread, want.unread)
		}
	}
}
