package asana

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

// overlap is how far back past the last listing each listing reaches, for
// clock skew and the search index catching up; a task seen again with the
// same modified_at costs nothing more.
const overlap = time.Minute

// flushItems is how many items gather before a batch is committed.
const flushItems = 100

// batchItems bounds the upserts of one batch (the store takes 500).
const batchItems = 200

// taskFields are the task fields a listing asks for.
const taskFields = "name,permalink_url,modified_at"

// task is a task as a listing returns it.
type task struct {
	GID          string    `json:"gid"`
	Name         string    `json:"name"`
	PermalinkURL string    `json:"permalink_url"`
	ModifiedAt   time.Time `json:"modified_at"`
}

// Sync polls every chosen workspace until ctx ends.
func (c *Connector) Sync(ctx context.Context, sink connectors.Sink) error {
	a, err := c.client(ctx)
	if err != nil {
		return c.stop(ctx, err)
	}
	me, err := c.me(ctx, a)
	if err != nil {
		return c.stop(ctx, err)
	}
	wss, err := pick(c.s.Workspaces, me.Workspaces)
	if err != nil {
		return c.stop(ctx, fmt.Errorf("asana: %s: %w", c.account, err))
	}
	raw, err := sink.Cursor(ctx)
	if err != nil {
		return c.stop(ctx, fmt.Errorf("asana: %s: reading the cursor: %w", c.account, err))
	}
	cur := decodeCursor(raw, me.GID)
	p := &poller{c: c, a: a, sink: sink, me: me, search: map[string]bool{}}
	for _, w := range wss {
		p.search[w.GID] = true // until a 402 says the workspace has no search
	}
	for {
		next, err := p.poll(ctx, wss, cur)
		if err != nil {
			return c.stop(ctx, err)
		}
		cur = next
		if err := sleep(ctx, time.Duration(c.s.Poll)); err != nil {
			return err
		}
	}
}

// stop is the error Sync returns: ctx's own when it has ended.
func (c *Connector) stop(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.dropIfRejected(err)
	return err
}

// dropIfRejected forgets the client when Asana rejected its token.
func (c *Connector) dropIfRejected(err error) {
	if errors.Is(err, connectors.ErrPermanent) {
		c.forget()
	}
}

// poller is one Sync's state between polls.
type poller struct {
	c    *Connector
	a    *api
	sink connectors.Sink
	me   user
	// search says whether a workspace answers the (premium) search API.
	search map[string]bool
}

// poll lists the tasks modified since the last poll in every workspace,
// brings their comments up to date, and returns the cursor to continue
// from. Items are committed every flushItems with the cursor of the tasks
// they complete; each workspace's listing time only after all its tasks.
func (p *poller) poll(ctx context.Context, wss []workspace, cur *cursor) (*cursor, error) {
	c := p.c
	horizon := c.s.horizon(c.opts.Now())
	backfill := !cur.Ready
	next := cur.clone()

	var work []task
	listed := map[string]time.Time{}
	for _, ws := range wss {
		since := horizon
		if last, ok := cur.Workspaces[ws.GID]; ok && last.Add(-overlap).After(horizon) {
			since = last.Add(-overlap)
		}
		tasks, at, err := p.discover(ctx, ws, since)
		if err != nil {
			return cur, err
		}
		if at.IsZero() {
			at = c.opts.Now()
		}
		listed[ws.GID] = at
		for _, t := range tasks {
			if st, ok := cur.Tasks[t.GID]; ok && st.Mod.Equal(t.ModifiedAt) {
				continue // seen at this modification already
			}
			work = append(work, t)
		}
	}

	var ups []inbox.Item
	var removes []inbox.ID
	// flush commits what has gathered, the last batch with the cursor of
	// the tasks it completes.
	flush := func() error {
		for {
			b := connectors.Batch{Backfill: backfill}
			n := min(len(ups), batchItems)
			b.Upserts, ups = ups[:n], ups[n:]
			n = min(len(removes), connectors.MaxBatchRemoves)
			b.Removes, removes = removes[:n], removes[n:]
			last := len(ups) == 0 && len(removes) == 0
			if last {
				b.Cursor = next.encode()
			}
			if err := p.sink.Apply(ctx, b); err != nil {
				return fmt.Errorf("asana: %s: %w", c.account, err)
			}
			if last {
				return nil
			}
		}
	}

	for i, t := range work {
		st := next.Tasks[t.GID]
		if st == nil {
			st = &taskState{}
			next.Tasks[t.GID] = st
		}
		u, r, gone, err := p.task(ctx, t, st, horizon, backfill)
		if err != nil {
			return cur, err
		}
		st.Mod = t.ModifiedAt
		if gone {
			delete(next.Tasks, t.GID)
		}
		ups = append(ups, u...)
		removes = append(removes, r...)
		if len(ups)+len(removes) >= flushItems {
			if err := flush(); err != nil {
				return cur, err
			}
		}
		// The last task's report waits for the final flush below: a
		// report of all tasks done says the initial sync is complete.
		if backfill && i+1 < len(work) {
			p.sink.Progress(connectors.Progress{Done: i + 1, Total: len(work), Phase: "tasks"})
		}
	}

	// Tasks quiet for longer than the window are no longer followed for
	// removals; their items stay.
	for gid, st := range next.Tasks {
		if st.Mod.Before(horizon) {
			delete(next.Tasks, gid)
		}
	}
	for ws, at := range listed {
		next.Workspaces[ws] = at
	}
	next.Ready = true
	if err := flush(); err != nil {
		return cur, err
	}
	if backfill {
		p.sink.Progress(connectors.Progress{Done: len(work), Total: len(work), Phase: "tasks", Finished: true})
	}
	return next, nil
}

// discover lists a workspace's tasks assigned to the user, or followed by
// them where the workspace has search, modified since since; it returns
// them once each, and the server time of the listing.
func (p *poller) discover(ctx context.Context, ws workspace, since time.Time) ([]task, time.Time, error) {
	c := p.c
	q := url.Values{
		"assignee":       {"me"},
		"workspace":      {ws.GID},
		"modified_since": {since.UTC().Format(time.RFC3339Nano)},
		"opt_fields":     {taskFields},
	}
	assigned, at, err := list[task](ctx, p.a, "/tasks", q)
	if err != nil {
		return nil, at, fmt.Errorf("asana: %s: listing tasks in %q: %w", c.account, ws.Name, err)
	}
	out := assigned
	if p.search[ws.GID] {
		followed, err := p.followed(ctx, ws, since)
		switch {
		case statusOf(err) == http.StatusPaymentRequired:
			// Search is a premium feature: assigned tasks only.
			c.opts.Logger.Info("asana: workspace has no search (not premium); following assigned tasks only",
				"account", c.account, "workspace", ws.Name)
			p.search[ws.GID] = false
		case err != nil:
			return nil, at, fmt.Errorf("asana: %s: searching followed tasks in %q: %w", c.account, ws.Name, err)
		}
		for _, t := range followed {
			if !slices.ContainsFunc(out, func(o task) bool { return o.GID == t.GID }) {
				out = append(out, t)
			}
		}
	}
	return out, at, nil
}

// followed searches a workspace for tasks the user follows modified since
// since. The search API has no offsets: it pages by modified_at, newest
// first.
func (p *poller) followed(ctx context.Context, ws workspace, since time.Time) ([]task, error) {
	q := url.Values{
		"followers.any":     {p.me.GID},
		"modified_at.after": {since.UTC().Format(time.RFC3339Nano)},
		"sort_by":           {"modified_at"},
		"sort_ascending":    {"false"},
		"opt_fields":        {taskFields},
		"limit":             {fmt.Sprint(pageLimit)},
	}
	var out []task
	seen := map[string]bool{}
	for range maxPages {
		var page struct {
			Data []task `json:"data"`
		}
		if _, err := p.a.get(ctx, "/workspaces/"+url.PathEscape(ws.GID)+"/tasks/search", q, &page); err != nil {
			return out, err
		}
		added := 0
		var oldest time.Time
		for _, t := range page.Data {
			if oldest.IsZero() || t.ModifiedAt.Before(oldest) {
				oldest = t.ModifiedAt
			}
			if !seen[t.GID] {
				seen[t.GID] = true
				out = append(out, t)
				added++
			}
		}
		if len(page.Data) < pageLimit || added == 0 {
			return out, nil
		}
		// Tasks modified in the same millisecond as the oldest are asked
		// for again and skipped above.
		q.Set("modified_at.before", oldest.Add(time.Millisecond).UTC().Format(time.RFC3339Nano))
	}
	return out, nil
}
