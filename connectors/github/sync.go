package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

// maxPages bounds one walk of the notification list.
const maxPages = 200

// fetchBatch is how many threads' comments are fetched per committed batch.
const fetchBatch = 20

// listPath is the first page of the notification list: read and unread
// threads (all=true), so a thread read on github.com becomes read in Lull
// instead of vanishing, and only a thread marked done leaves. Its address
// never changes, so If-None-Match / If-Modified-Since apply to it.
// (per_page=50 is GitHub's maximum for this list.)
const listPath = "notifications?all=true&per_page=50"

// Sync polls the notification list until ctx ends: at most every poll
// setting, never faster than GitHub's X-Poll-Interval.
func (c *Connector) Sync(ctx context.Context, sink connectors.Sink) error {
	raw, err := sink.Cursor(ctx)
	if err != nil {
		return c.stop(ctx, fmt.Errorf("github: %s: reading the cursor: %w", c.account, err))
	}
	cur := decodeCursor(raw)
	for {
		a, err := c.client(ctx)
		if err != nil {
			return c.stop(ctx, err)
		}
		next, err := c.poll(ctx, sink, a, cur)
		if err != nil {
			return c.stop(ctx, err)
		}
		cur = next
		wait := max(time.Duration(c.s.Poll), time.Duration(cur.Poll)*time.Second)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// stop is the error Sync returns: ctx's own when it has ended, so a
// cancelled Sync reports context.Canceled and not a torn request.
func (c *Connector) stop(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.dropIfRejected(err)
	return err
}

// dropIfRejected forgets the client when GitHub rejected its token.
func (c *Connector) dropIfRejected(err error) {
	if errors.Is(err, connectors.ErrPermanent) {
		c.forget()
	}
}

// listing is one walk of the notification list.
type listing struct {
	threads       []*gh.Notification // wanted threads inside the horizon, newest first
	etag, lastMod string             // of the first page
	pages         int
	poll          int // X-Poll-Interval, seconds
}

// poll makes one conditional request for the notification list and, when
// it changed, brings the store up to date:
//
//   - a thread new to the cursor, or whose updated_at moved, gets its
//     newest comment or review fetched and its item upserted;
//   - after the initial sync, a thread with a new comment (or one that
//     comes back after leaving the list) is first removed with Purge, then
//     upserted: the store keeps a user's triage across upserts, so this is
//     the only way new activity on a thread the user marked done or
//     snoozed returns it to the inbox as new, as GitHub's own inbox does;
//   - a thread whose only change is read/unread gets a Mark;
//   - a thread that left the list (marked done on GitHub) is removed,
//     unless it is older than the horizon (it only aged out of the walk).
//
// It returns the cursor to continue from.
func (c *Connector) poll(ctx context.Context, sink connectors.Sink, a *api, cur *cursor) (*cursor, error) {
	horizon := c.s.horizon(c.opts.Now())
	l, err := c.list(ctx, a, cur, horizon)
	next := cur.clone()
	if l.poll > 0 {
		next.Poll = l.poll
	}
	if errors.Is(err, errNotModified) {
		return next, nil
	}
	if err != nil {
		return cur, err
	}
	backfill := !cur.Ready

	listed := make(map[string]bool, len(l.threads))
	var fetch []*gh.Notification
	var marks []connectors.Mark
	for _, n := range l.threads {
		id := n.GetID()
		listed[id] = true
		st, known := cur.Threads[id]
		switch {
		case !known || !st.Updated.Equal(n.GetUpdatedAt().Time):
			fetch = append(fetch, n)
		case st.Unread != n.GetUnread():
			st.Unread = n.GetUnread()
			next.Threads[id] = st
			marks = append(marks, connectors.Mark{ID: inbox.NewID(c.account, id), Unread: st.Unread})
		}
	}

	// A walk over several pages can miss a thread that moved to the first
	// page meanwhile; asking for the first page again settles it.
	stable := true
	if l.pages > 1 {
		stable, err = c.unchanged(ctx, a, l)
		if err != nil {
			return cur, err
		}
	}

	// Threads that left the list leave the cursor with the batch that
	// removes their items, never before.
	var removes []inbox.ID
	var gone, kept []string
	if stable {
		for id, st := range cur.Threads {
			if listed[id] {
				continue
			}
			gone = append(gone, id)
			if !horizon.IsZero() && st.Updated.Before(horizon) {
				continue // aged out of the walk, not gone
			}
			if c.isUndone(id) {
				kept = append(kept, id) // the user undid a done Lull wrote to GitHub: keep the item
				continue
			}
			removes = append(removes, inbox.NewID(c.account, id))
		}
	}

	if err := c.fetchAll(ctx, sink, a, next, fetch, backfill); err != nil {
		return cur, err
	}

	for _, id := range gone {
		delete(next.Threads, id)
	}
	if stable {
		next.ETag, next.LastModified = l.etag, l.lastMod
	}
	next.Ready = true
	if err := c.commitTail(ctx, sink, next, marks, removes, backfill); err != nil {
		return cur, err
	}
	c.forgetUndone(kept)
	if backfill {
		sink.Progress(connectors.Progress{Done: len(fetch), Total: len(fetch), Phase: "notifications", Finished: true})
	}
	return next, nil
}

// list walks the notification list newest first, down to horizon. Only the
// first page is conditional; errNotModified means nothing changed.
func (c *Connector) list(ctx context.Context, a *api, cur *cursor, horizon time.Time) (listing, error) {
	var l listing
	hdr := http.Header{}
	if cur.Ready {
		if cur.ETag != "" {
			hdr.Set("If-None-Match", cur.ETag)
		}
		if cur.LastModified != "" {
			hdr.Set("If-Modified-Since", cur.LastModified)
		}
	}
	seen := map[string]bool{}
	path := listPath
	for path != "" {
		if l.pages >= maxPages {
			return l, fmt.Errorf("github: %s: the notification list is longer than %d pages", c.account, maxPages)
		}
		var page []*gh.Notification
		resp, err := a.send(ctx, http.MethodGet, path, hdr, &page, c.opts.MaxWait)
		if resp != nil && resp.Response != nil {
			if p, perr := strconv.Atoi(resp.Header.Get("X-Poll-Interval")); perr == nil && p > 0 {
				l.poll = p
			}
		}
		if err != nil {
			if errors.Is(err, errNotModified) {
				return l, err
			}
			return l, fmt.Errorf("github: %s: listing notifications: %w", c.account, notificationsError(err))
		}
		if l.pages == 0 {
			l.etag, l.lastMod = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			hdr = nil
		}
		l.pages++
		pastHorizon := false
		for _, n := range page {
			id := n.GetID()
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			if !horizon.IsZero() && n.GetUpdatedAt().Before(horizon) {
				pastHorizon = true // the list is newest first: the rest is older
				continue
			}
			if c.s.wants(n.GetReason()) {
				l.threads = append(l.threads, n)
			}
		}
		if pastHorizon {
			break
		}
		path = nextLink(resp.Header)
		if path != "" && !a.ours(path) {
			return l, fmt.Errorf("github: %s: refusing to follow a next page on another host (%s)", c.account, path)
		}
	}
	return l, nil
}

// unchanged asks for the first page again with the ETag the walk started
// from: a 304 says no thread moved while the later pages were read.
func (c *Connector) unchanged(ctx context.Context, a *api, l listing) (bool, error) {
	if l.etag == "" && l.lastMod == "" {
		return true, nil
	}
	hdr := http.Header{}
	if l.etag != "" {
		hdr.Set("If-None-Match", l.etag)
	}
	if l.lastMod != "" {
		hdr.Set("If-Modified-Since", l.lastMod)
	}
	_, err := a.send(ctx, http.MethodGet, listPath, hdr, nil, c.opts.MaxWait)
	switch {
	case errors.Is(err, errNotModified):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("github: %s: listing notifications: %w", c.account, err)
	}
	return false, nil
}

// fetchAll fetches the newest comment of each thread in fetch and commits
// their items in batches, each with the cursor that includes them.
func (c *Connector) fetchAll(ctx context.Context, sink connectors.Sink, a *api, next *cursor, fetch []*gh.Notification, backfill bool) error {
	for start := 0; start < len(fetch); start += fetchBatch {
		chunk := fetch[start:min(start+fetchBatch, len(fetch))]
		items := make([]inbox.Item, 0, len(chunk))
		var fresh []inbox.ID
		for _, n := range chunk {
			d, err := c.describe(ctx, a, n)
			if err != nil {
				return err
			}
			it := c.item(n, d)
			id := n.GetID()
			prev, known := next.Threads[id]
			if !backfill && (!known || prev.Comment != d.Key) {
				fresh = append(fresh, it.ID)
			}
			next.Threads[id] = threadState{Updated: n.GetUpdatedAt().Time, Comment: d.Key, Unread: n.GetUnread()}
			items = append(items, it)
		}
		if len(fresh) > 0 {
			// No cursor: a crash before the upserts repeats both.
			if err := sink.Apply(ctx, connectors.Batch{Removes: fresh, Purge: true}); err != nil {
				return fmt.Errorf("github: %s: %w", c.account, err)
			}
		}
		if err := sink.Apply(ctx, connectors.Batch{Upserts: items, Cursor: next.encode(), Backfill: backfill}); err != nil {
			return fmt.Errorf("github: %s: %w", c.account, err)
		}
		// The last chunk's report waits for the tail (marks, removals, the
		// final cursor): a report of every thread done says the initial
		// sync is complete.
		if backfill && start+len(chunk) < len(fetch) {
			sink.Progress(connectors.Progress{Done: start + len(chunk), Total: len(fetch), Phase: "notifications"})
		}
	}
	return nil
}

// commitTail commits the marks and removals of a poll, the last batch
// carrying the cursor with the list's new ETag.
func (c *Connector) commitTail(ctx context.Context, sink connectors.Sink, next *cursor, marks []connectors.Mark, removes []inbox.ID, backfill bool) error {
	for {
		b := connectors.Batch{Backfill: backfill}
		n := min(len(marks), connectors.MaxBatchRemoves)
		b.Marks, marks = marks[:n], marks[n:]
		n = min(len(removes), connectors.MaxBatchRemoves)
		b.Removes, removes = removes[:n], removes[n:]
		last := len(marks) == 0 && len(removes) == 0
		if last {
			b.Cursor = next.encode()
		}
		if err := sink.Apply(ctx, b); err != nil {
			return fmt.Errorf("github: %s: %w", c.account, err)
		}
		if last {
			return nil
		}
	}
}

// isUndone reports whether the user undid a done Lull wrote to thread id.
func (c *Connector) isUndone(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.undone[id]
}

// forgetUndone drops threads whose item has been kept once, as they left
// the list: the cursor no longer tracks them.
func (c *Connector) forgetUndone(ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		delete(c.undone, id)
	}
}
