package app

import (
	"context"
	"fmt"
	"time"

	"github.com/lullhq/lull/app/focus"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/store"
)

// Respond later: an item in Later has a respond-by time, chosen by a preset
// or from [norms] (config.Norms). When that time passes the item is due: the
// Later view shows it overdue, and the next digest announces it, once.
//
// When is "next": due items are announced like held items are released,
// so they never interrupt focus. During focus, or under policy batched,
// they wait for the next release moment (a release of held items carries
// them; with nothing held they go out alone at that moment). Outside focus
// under policy immediate they go out at once, as new items would.

// dueTracker remembers, in the store, the respond-by time up to which due
// items were announced: a restart neither repeats an announcement nor loses
// one that came due while the app was closed.
type dueTracker struct {
	mark time.Time
}

// loadDue reads the mark; on first use it starts at now, so items that were
// overdue before Lull tracked them are not announced all at once.
func loadDue(ctx context.Context, st *store.Store, now time.Time) (dueTracker, error) {
	raw, err := st.Blob(ctx, store.BlobDueAnnounced)
	if err != nil {
		return dueTracker{}, err
	}
	if raw != nil {
		var t time.Time
		if err := t.UnmarshalText(raw); err == nil {
			return dueTracker{mark: t}, nil
		}
	}
	d := dueTracker{mark: now}
	return d, d.save(ctx, st)
}

func (d *dueTracker) save(ctx context.Context, st *store.Store) error {
	raw, err := d.mark.UTC().MarshalText()
	if err != nil {
		return err
	}
	if err := st.SetBlob(ctx, store.BlobDueAnnounced, raw); err != nil {
		return fmt.Errorf("later: due mark not saved: %w", err)
	}
	return nil
}

// pending returns the items that came due after the mark and by now.
func (d *dueTracker) pending(ctx context.Context, st *store.Store, now time.Time) ([]inbox.Item, error) {
	if !now.After(d.mark) {
		return nil, nil
	}
	return st.DueBetween(ctx, d.mark, now)
}

// takeDueLocked returns the items due by now that no digest announced yet
// and marks them announced: the caller puts them in the digest it sends.
// The caller holds f.mu.
func (f *focusRunner) takeDueLocked(ctx context.Context, now time.Time) []inbox.Item {
	due, err := f.due.pending(ctx, f.store, now)
	if err != nil {
		f.log.Warn("later: reading due items", "err", err)
		return nil
	}
	f.due.mark = now
	if err := f.due.save(ctx, f.store); err != nil {
		f.log.Warn("later: due mark", "err", err)
	}
	return due
}

// announceDueLocked sends a digest of due items when their moment has come
// and no release carried them; see the top of this file. The caller holds f.mu.
func (f *focusRunner) announceDueLocked(ctx context.Context, now time.Time) {
	due, err := f.due.pending(ctx, f.store, now)
	if err != nil || len(due) == 0 {
		if err != nil && ctx.Err() == nil {
			f.log.Warn("later: reading due items", "err", err)
		}
		return
	}
	if in, _ := f.eng.InFocus(now); in {
		return
	}
	if f.eng.Policy() == focus.PolicyBatched {
		first := due[0].Triage.RespondBy
		if m := f.eng.ReleaseMoment(first); m.IsZero() || now.Before(m) {
			return
		}
	}
	due = f.takeDueLocked(ctx, now)
	d := focus.BuildDigest(focus.Release{At: now}, nil, due)
	if d.Empty() {
		return
	}
	n := notify.Notification{Title: d.Title, Body: d.Body, Kind: notify.Digest, Action: "open-later"}
	if err := f.notifier.Notify(ctx, n); err != nil {
		f.log.Warn("later: due digest not shown", "err", err)
	}
}

// holdIfFocusing holds items that came back from snooze during focus, so
// the frozen inbox stays as it was and the next digest counts them.
func (f *focusRunner) holdIfFocusing(ctx context.Context, now time.Time, ids []inbox.ID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	held := false
	for _, id := range ids {
		held = f.eng.HoldIfFocusing(now, id) || held
	}
	if !held {
		return
	}
	if err := f.save(ctx); err != nil {
		f.log.Error("focus: held state not saved", "err", err)
	}
	f.publishLocked(now, true)
}

// engine is the focus engine in force (reconfigure swaps it).
func (f *focusRunner) engine() *focus.Engine {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.eng
}
