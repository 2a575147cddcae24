package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/secret"
)

// Tuning of the sync.
const (
	// pageSize is the limit asked of polls and conversations.replies:
	// Slack's advice. An app limited to 15 a page simply gets more pages.
	pageSize = 200
	// scanPageSize is the limit of a backfill or catch-up read: Slack's
	// maximum, since the call count, not the bytes, is what is rationed.
	scanPageSize = 999
	// listInterval is how often the conversation list is read again (a
	// new DM is also found at once through Socket Mode).
	listInterval = 10 * time.Minute
	// groupsInterval is how often the user's user groups are read again.
	groupsInterval = time.Hour
	// threadProbes bounds the threads checked one by one per refresh of a
	// conversation (those whose root is older than the page re-read).
	threadProbes = 20
	// maxBatchUpserts keeps a batch within the store's transaction limit.
	maxBatchUpserts = 400
)

// Sync reads the account's conversations, then keeps them current until
// ctx ends: through Socket Mode events when an app token is configured,
// and by polling either way. It resumes from the sink's cursor.
func (c *Connector) Sync(ctx context.Context, sink connectors.Sink) error {
	raw, err := sink.Cursor(ctx)
	if err != nil {
		return quiet(ctx, fmt.Errorf("slack: %s: reading cursor: %w", c.account, err))
	}
	a, err := c.api(ctx)
	if err != nil {
		return quiet(ctx, err)
	}
	who, err := c.identify(ctx, a)
	if err != nil {
		return quiet(ctx, err)
	}
	if miss := missingScopes(a.grantedScopes()); len(miss) > 0 {
		return &refusedError{msg: fmt.Sprintf("slack: account %q: the token lacks the scopes %v; reinstall the app from docs/slack/manifest.yaml", c.account, miss)}
	}
	cur, ok, err := parseCursor(raw, who.UserID, who.TeamID)
	if err != nil || !ok {
		c.log.Info("slack: cursor unusable (another version, user or workspace); syncing afresh", "account", c.account, "err", err)
	}
	r := &run{
		c: c, api: a, sink: sink, cur: cur, me: who,
		groups: map[string]bool{}, handles: map[string]string{},
		convs:    map[string]*convInfo{},
		lastPoll: map[string]time.Time{}, refreshed: map[string]time.Time{}, stepped: map[string]time.Time{},
		dirty: map[string]bool{}, dirtyThreads: map[threadKey]bool{}, counted: map[string]bool{},
		refreshing: map[string]*scan{},
		committed:  bytes.Clone(raw),
	}
	if days := *c.s.SyncDays; days > 0 {
		r.floor = c.now().AddDate(0, 0, -days).UnixMicro()
	}

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	appToken, err := c.opts.Secrets.Resolve(ctx, c.account, AppTokenKey, c.raw)
	switch {
	case err == nil:
		events := make(chan socketEvent, 64)
		r.events = events
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.runSocket(ctx, appToken, events)
		}()
	case ctx.Err() != nil:
		return nil
	case !errors.Is(err, secret.ErrNotFound):
		c.log.Warn("slack: app token unavailable; polling without Socket Mode", "account", c.account, "err", err)
	}

	start := c.calls.total.Load()
	err = r.loop(ctx)
	c.log.Info("slack: sync stopped", "account", c.account, "api_calls", c.calls.total.Load()-start, "err", err)
	return quiet(ctx, err)
}

// quiet turns the errors of a cancelled run into nil: stopping is no failure.
func quiet(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// threadKey names a thread: its conversation and root ts.
type threadKey struct {
	conv string
	root int64
}

// run is one Sync: the account's session, cursor and schedule. Only Sync's
// goroutine touches it.
type run struct {
	c    *Connector
	api  *api
	sink connectors.Sink
	cur  *cursor
	me   identity
	// floor is how far back an initial sync reaches (µs); 0: everything.
	floor int64

	groups  map[string]bool   // user groups the user belongs to
	handles map[string]string // every user group's handle, by id
	convs   map[string]*convInfo
	order   []string // conversation ids, DMs first

	lastPoll, refreshed, stepped map[string]time.Time
	refreshing                   map[string]*scan // refresh scans under way
	dirty                        map[string]bool
	dirtyThreads                 map[threadKey]bool
	relist                       bool
	listedAt, groupsAt           time.Time

	events   <-chan socketEvent
	socketUp bool

	// Initial-sync progress: backfills found (counted) and finished.
	total, done int
	counted     map[string]bool
	finished    bool

	committed []byte    // the cursor last committed
	pass      passStats // work since the sync last went idle
}

// passStats is one sync pass, logged when the sync goes idle.
type passStats struct {
	start            time.Time
	calls            int64
	upserts, removes int
	busy             bool
}

// job is the next piece of work: a history step of a conversation, or a
// check of one thread (root != 0).
type job struct {
	conv string
	root int64
}

func (r *run) loop(ctx context.Context) error {
	if err := r.loadGroups(ctx); err != nil {
		return err
	}
	if err := r.list(ctx); err != nil {
		return err
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		now := r.c.now()
		if r.relist || now.Sub(r.listedAt) >= listInterval {
			if err := r.list(ctx); err != nil {
				return err
			}
		}
		if now.Sub(r.groupsAt) >= groupsInterval {
			if err := r.loadGroups(ctx); err != nil {
				return err
			}
		}
		j, wait := r.next(now)
		if j == nil {
			r.idle()
			if err := r.waitFor(ctx, wait); err != nil {
				return err
			}
			continue
		}
		r.busy()
		var err error
		if j.root != 0 {
			err = r.threadJob(ctx, j.conv, j.root)
		} else {
			err = r.step(ctx, j.conv)
		}
		if err != nil {
			return err
		}
		if err := r.drain(ctx); err != nil {
			return err
		}
	}
}

// waitFor sleeps d, waking early for a Socket Mode event.
func (r *run) waitFor(ctx context.Context, d time.Duration) error {
	d = max(d, 10*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil
	case ev := <-r.events:
		return r.handle(ctx, ev)
	case <-t.C:
		return nil
	}
}

// drain handles the Socket Mode events already waiting.
func (r *run) drain(ctx context.Context) error {
	for {
		select {
		case ev := <-r.events:
			if err := r.handle(ctx, ev); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// pollEvery is how often a caught-up conversation is read again.
func (r *run) pollEvery(ci *convInfo) time.Duration {
	switch {
	case r.socketUp:
		return r.c.opts.RefreshInterval
	case ci.followed:
		return r.c.opts.PollInterval
	}
	return 3 * r.c.opts.PollInterval
}

func (r *run) refreshDue(id string, now time.Time) bool {
	t, ok := r.refreshed[id]
	return !ok || now.Sub(t) >= r.c.opts.RefreshInterval
}

// next picks the next job: threads and conversations Socket Mode flagged,
// then unfinished scans (newest pages of every conversation before older
// ones, DMs first), then the conversations most overdue for a poll. With
// nothing to do it returns how long until something is due.
func (r *run) next(now time.Time) (*job, time.Duration) {
	wait := r.c.opts.RefreshInterval
	if len(r.dirtyThreads) > 0 {
		if d := r.api.lim.delay("conversations.replies"); d > 0 {
			wait = min(wait, d)
		} else {
			keys := make([]threadKey, 0, len(r.dirtyThreads))
			for k := range r.dirtyThreads {
				keys = append(keys, k)
			}
			slices.SortFunc(keys, func(a, b threadKey) int { return cmp64(a.root, b.root) })
			return &job{conv: keys[0].conv, root: keys[0].root}, 0
		}
	}
	var best string
	bestRank := [4]int64{}
	for _, id := range r.order {
		ci, st := r.convs[id], r.cur.Convs[id]
		if st == nil {
			continue
		}
		var rank [4]int64
		switch {
		case r.dirty[id]:
			rank = [4]int64{0, int64(ci.priority()), 0, 0}
		case st.Scan != nil:
			rank = [4]int64{1, int64(st.Scan.Pages), int64(ci.priority()), r.stepped[id].UnixNano()}
		case r.refreshing[id] != nil:
			rank = [4]int64{1, int64(r.refreshing[id].Pages), int64(ci.priority()), r.stepped[id].UnixNano()}
		default:
			due := r.lastPoll[id].Add(r.pollEvery(ci))
			if due.After(now) {
				wait = min(wait, due.Sub(now))
				continue
			}
			rank = [4]int64{2, int64(ci.priority()), r.lastPoll[id].UnixNano(), 0}
		}
		if best == "" || less(rank, bestRank) {
			best, bestRank = id, rank
		}
	}
	if best == "" {
		return nil, wait
	}
	if d := r.api.lim.delay("conversations.history"); d > 0 {
		return nil, min(wait, d)
	}
	return &job{conv: best}, 0
}

func less(a, b [4]int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func (r *run) busy() {
	if !r.pass.busy {
		r.pass = passStats{start: r.c.now(), calls: r.c.calls.total.Load(), busy: true}
	}
}

// idle reports the end of the initial sync and logs the pass just done.
func (r *run) idle() {
	if !r.finished && r.done >= r.total && !r.backfilling() {
		r.finished = true
		r.sink.Progress(connectors.Progress{Done: r.total, Total: r.total, Phase: "up to date", Finished: true})
	}
	if r.pass.busy {
		// A pass that found nothing is routine: it logs at debug level.
		level := slog.LevelDebug
		if r.pass.upserts > 0 || r.pass.removes > 0 {
			level = slog.LevelInfo
		}
		r.c.log.Log(context.Background(), level, "slack: synced", "account", r.c.account,
			"api_calls", r.c.calls.total.Load()-r.pass.calls, "upserts", r.pass.upserts, "removes", r.pass.removes,
			"took", r.c.now().Sub(r.pass.start).Round(time.Millisecond), "socket_mode", r.socketUp)
		r.pass.busy = false
	}
}

func (r *run) backfilling() bool {
	for _, st := range r.cur.Convs {
		if st.Scan != nil && st.Scan.Backfill {
			return true
		}
	}
	return false
}

// progress reports how many conversations the initial sync has read.
func (r *run) progress() {
	if r.finished || r.total == 0 {
		return
	}
	if r.done >= r.total && !r.backfilling() {
		r.finished = true
		r.sink.Progress(connectors.Progress{Done: r.total, Total: r.total, Phase: "up to date", Finished: true})
		return
	}
	r.sink.Progress(connectors.Progress{Done: min(r.done, r.total), Total: r.total, Phase: "downloading messages"})
}

// loadGroups reads which user groups the user is in, for group mentions.
// Without usergroups:read group mentions are missed, nothing else.
func (r *run) loadGroups(ctx context.Context) error {
	r.groupsAt = r.c.now()
	gs, err := r.api.userGroups(ctx)
	switch {
	case err == nil:
	case isMissingScope(err):
		r.c.log.Warn("slack: no usergroups:read scope; mentions of your user groups are not picked up", "account", r.c.account)
		return nil
	case errors.Is(err, ErrAuth), ctx.Err() != nil:
		return err
	default:
		r.c.log.Warn("slack: reading user groups failed; trying again later", "account", r.c.account, "err", err)
		return nil
	}
	groups, handles := map[string]bool{}, map[string]string{}
	for _, g := range gs {
		handles[g.ID] = g.Handle
		if contains(g.Users, r.me.UserID) {
			groups[g.ID] = true
		}
	}
	r.groups, r.handles = groups, handles
	return nil
}

// list reads the conversations the user is in: new ones get a backfill
// scan, ones the user left are no longer followed (their items stay).
func (r *run) list(ctx context.Context) error {
	team := ""
	if t := r.c.s.Team; len(t) > 1 && t[0] == 'T' && t == r.me.TeamID {
		team = t
	}
	chans, err := r.api.conversations(ctx, team)
	if err != nil {
		return err
	}
	now := r.c.now()
	r.convs = make(map[string]*convInfo, len(chans))
	for _, ch := range chans {
		if ch.IsIM && ch.IsUserDeleted {
			continue
		}
		ci := classify(ch, r.c.s)
		r.convs[ci.id] = ci
		if r.cur.Convs[ci.id] == nil {
			sc := &scan{Backfill: true, Oldest: r.floor}
			if r.cur.Ready {
				// Found after the initial sync: what was posted since the
				// list was last read is news (a first DM), the rest history.
				sc.LiveAfter = max(r.listedBefore()*1e6, 1)
			}
			r.cur.Convs[ci.id] = &convState{Scan: sc}
		}
		if st := r.cur.Convs[ci.id]; st.Scan != nil && st.Scan.Backfill && !r.counted[ci.id] {
			r.total++
			r.finished = false
			r.counted[ci.id] = true
		}
	}
	for id, st := range r.cur.Convs {
		if r.convs[id] == nil {
			r.forget(id, st)
		}
	}
	for id := range r.dirty {
		if r.convs[id] == nil {
			delete(r.dirty, id)
		}
	}
	r.order = r.order[:0]
	for id := range r.convs {
		r.order = append(r.order, id)
	}
	sort.Slice(r.order, func(i, j int) bool {
		a, b := r.convs[r.order[i]], r.convs[r.order[j]]
		if a.priority() != b.priority() {
			return a.priority() < b.priority()
		}
		return a.id < b.id
	})
	r.listedAt, r.relist = now, false
	return nil
}

// listedBefore is when (unix seconds) the conversation list was read
// before the current read: in this run, or as the cursor last recorded.
func (r *run) listedBefore() int64 {
	if !r.listedAt.IsZero() {
		return r.listedAt.Unix()
	}
	return r.cur.Listed
}

// forget stops following a conversation the user left or that is gone.
func (r *run) forget(id string, st *convState) {
	if st != nil && st.Scan != nil && st.Scan.Backfill && r.counted[id] {
		r.done++ // it will never finish; the progress must
	}
	delete(r.cur.Convs, id)
	delete(r.convs, id)
	delete(r.dirty, id)
	delete(r.refreshing, id)
	for k := range r.dirtyThreads {
		if k.conv == id {
			delete(r.dirtyThreads, k)
		}
	}
}

// batch collects one step's changes: items found by an initial sync
// (stored silently), live items, and removals.
type batch struct {
	backfill bool // a cursor-only commit belongs to the initial sync
	items    []inbox.Item
	live     []bool
	index    map[inbox.ID]int
	removes  []inbox.ID
}

func (b *batch) add(it inbox.Item, live bool) {
	if b.index == nil {
		b.index = map[inbox.ID]int{}
	}
	if i, ok := b.index[it.ID]; ok {
		b.items[i], b.live[i] = it, b.live[i] || live
		return
	}
	b.index[it.ID] = len(b.items)
	b.items = append(b.items, it)
	b.live = append(b.live, live)
}

func (b *batch) remove(id inbox.ID) {
	if i, ok := b.index[id]; ok {
		b.items = slices.Delete(b.items, i, i+1)
		b.live = slices.Delete(b.live, i, i+1)
		b.index = map[inbox.ID]int{}
		for j, it := range b.items {
			b.index[it.ID] = j
		}
	}
	if !slices.Contains(b.removes, id) {
		b.removes = append(b.removes, id)
	}
}

// commit applies b with the cursor, in as many store transactions as its
// size needs; the cursor goes with the last, so a crash in between only
// repeats work. Nothing is written when nothing changed.
func (r *run) commit(ctx context.Context, b *batch) error {
	now := r.c.now()
	for _, st := range r.cur.Convs {
		st.prune(now)
	}
	// The list time rides along with a commit; alone it is no reason for one.
	cur := r.cur.encode()
	if len(b.items) == 0 && len(b.removes) == 0 && bytes.Equal(cur, r.committed) {
		return nil
	}
	if !r.listedAt.IsZero() && r.cur.Listed != r.listedAt.Unix() {
		r.cur.Listed = r.listedAt.Unix()
		cur = r.cur.encode()
	}
	var old, live []inbox.Item
	for i, it := range b.items {
		if b.live[i] {
			live = append(live, it)
		} else {
			old = append(old, it)
		}
	}
	var out []connectors.Batch
	for len(old) > 0 {
		n := min(len(old), maxBatchUpserts)
		out = append(out, connectors.Batch{Upserts: old[:n], Backfill: true})
		old = old[n:]
	}
	for len(live) > 0 {
		n := min(len(live), maxBatchUpserts)
		out = append(out, connectors.Batch{Upserts: live[:n]})
		live = live[n:]
	}
	removes := b.removes
	for len(removes) > 0 {
		n := min(len(removes), connectors.MaxBatchRemoves)
		out = append(out, connectors.Batch{Removes: removes[:n]})
		removes = removes[n:]
	}
	if len(out) == 0 {
		out = append(out, connectors.Batch{Backfill: b.backfill})
	}
	out[len(out)-1].Cursor = cur
	for _, x := range out {
		if err := r.sink.Apply(ctx, x); err != nil {
			return fmt.Errorf("slack: %s: committing: %w", r.c.account, err)
		}
	}
	r.committed = cur
	r.pass.upserts += len(b.items)
	r.pass.removes += len(b.removes)
	return nil
}

// itemID is the id of message ts in channel.
func (r *run) itemID(channel string, ts int64) inbox.ID {
	return inbox.NewID(r.c.account, channel+"/"+formatTS(ts))
}
