package slack

import (
	"context"
	"errors"
	"math"
	"slices"

	"github.com/slack-go/slack"
)

// maxRefreshPages bounds one refresh of a conversation: the pages read back
// over held items and followed thread roots. Threads whose roots lie
// deeper are checked one by one.
const maxRefreshPages = 3

// step reads one page of a conversation's history and commits what it
// found with the cursor: the next page of a scan, or a poll for what came
// after the newest message read. A poll due a refresh becomes a scan back
// over the items Lull holds and the roots of the threads it follows, so
// edits, deletions and new replies among them show.
func (r *run) step(ctx context.Context, id string) error {
	ci, st := r.convs[id], r.cur.Convs[id]
	now := r.c.now()
	wasDirty := r.dirty[id]
	delete(r.dirty, id)
	r.stepped[id] = now

	refresh := false // a poll that also re-reads everything held above Latest
	if st.Scan == nil && r.refreshing[id] == nil && r.refreshDue(id, now) {
		if from := refreshFrom(st); from > 0 && from <= st.Latest {
			// Not kept in the cursor: after a restart the refresh simply
			// starts over, and re-reading unchanged messages writes nothing.
			r.refreshing[id] = &scan{Oldest: from - 1, Refresh: true}
		} else {
			refresh = true // all that is held is newer than Latest: a poll covers it
		}
	}
	sc := st.Scan
	if sc == nil {
		sc = r.refreshing[id]
	}
	p := slack.GetConversationHistoryParameters{ChannelID: id, Limit: pageSize}
	var lower int64            // exclusive lower bound of the read
	hi := int64(math.MaxInt64) // exclusive upper bound of what this page covers
	if sc != nil {
		p.Limit = scanPageSize
		lower = sc.Oldest
		if sc.Upper > 0 {
			p.Latest, hi = formatTS(sc.Upper), sc.Upper
		}
		if sc.Cursor != "" {
			p.Cursor, hi = sc.Cursor, sc.Hi
		}
		if sc.Backfill && sc.Cursor == "" && sc.Pages == 0 && sc.LastRead == 0 {
			if err := r.readMark(ctx, id, sc); err != nil || r.cur.Convs[id] == nil {
				return err
			}
		}
	} else {
		lower = st.Latest
		if lower == 0 {
			lower = r.floor
		}
	}
	if lower > 0 {
		p.Oldest = formatTS(lower)
	}

	resp, err := r.api.history(ctx, p, true)
	var rl *rateLimited
	switch {
	case errors.As(err, &rl):
		if wasDirty {
			r.dirty[id] = true
		}
		return nil // the scheduler waits out the limit, doing other work
	case isGone(err):
		r.c.log.Info("slack: conversation gone; no longer followed", "account", r.c.account, "channel", id, "err", err)
		r.forget(id, st)
		return r.commit(ctx, &batch{})
	case isBadCursor(err) && sc != nil:
		sc.Cursor, sc.Hi = "", 0 // read the scan again from its first page
		return nil
	case err != nil:
		return err
	}

	b := &batch{backfill: sc != nil && sc.Backfill}
	seen := map[int64]bool{}
	var newest, oldest int64
	for i := range resp.Messages {
		m := &resp.Messages[i].Msg
		t, ok := parseTS(m.Timestamp)
		if !ok {
			continue
		}
		newest = max(newest, t)
		if oldest == 0 || t < oldest {
			oldest = t
		}
		if m.SubType != "tombstone" {
			seen[t] = true
			if err := r.keep(ctx, b, ci, st, &st.Held, sc, m, t, r.threadOf(st, m), false); err != nil {
				return err
			}
		}
		if isRoot(m) || st.Threads[t] != nil {
			if err := r.followThread(ctx, b, ci, st, sc, m, t); err != nil {
				return err
			}
		}
	}

	// Held items inside the range this page covers and not on it were deleted.
	lo := lower + 1
	if resp.HasMore {
		lo = oldest
	}
	for _, e := range slices.Clone(st.Held) {
		if e.TS >= lo && e.TS < hi && !seen[e.TS] {
			b.remove(r.itemID(id, e.TS))
			st.Held = st.Held.drop(e.TS)
		}
	}

	next := resp.ResponseMetaData.NextCursor
	more := resp.HasMore && next != ""
	switch {
	case sc != nil && more && !(sc.Refresh && sc.Pages+1 >= maxRefreshPages):
		sc.Cursor, sc.Hi, sc.Pages = next, oldest, sc.Pages+1
		if sc.Top == 0 {
			sc.Top = newest
		}
	case sc != nil && sc.Refresh:
		// Done, or as deep as a refresh goes: what lies below lo was read
		// before, except a gap above Latest that a catch-up scan reads.
		top := max(sc.Top, newest)
		delete(r.refreshing, id)
		if lo > st.Latest+1 {
			st.Scan = &scan{Oldest: st.Latest, Upper: lo, Top: top}
		} else {
			st.Latest = max(st.Latest, top)
		}
		refresh = true
	case sc != nil:
		st.Latest = max(st.Latest, sc.Top, newest)
		if st.Latest == 0 {
			st.Latest = sc.Oldest // an empty conversation: poll from the floor
		}
		st.Scan = nil
		if sc.Backfill {
			if r.counted[id] {
				r.done++
			}
			r.refreshed[id] = now
			if !r.backfilling() {
				r.cur.Ready = true
			}
		}
	case more:
		// More new messages than a page: read on from Slack's cursor.
		st.Scan = &scan{Oldest: lower, Cursor: next, Hi: oldest, Top: newest, Pages: 1}
	default:
		st.Latest = max(st.Latest, newest)
	}
	if refresh {
		r.refreshed[id] = now
		if err := r.probeThreads(ctx, b, ci, st, lo); err != nil {
			return err
		}
	}
	r.lastPoll[id] = now
	if err := r.commit(ctx, b); err != nil {
		return err
	}
	if sc != nil && sc.Backfill {
		r.progress()
	}
	return nil
}

// refreshFrom is the oldest ts a refresh re-reads: the oldest held item or
// followed thread root.
func refreshFrom(st *convState) int64 {
	from := st.Held.oldest()
	for root := range st.Threads {
		if from == 0 || root < from {
			from = root
		}
	}
	return from
}

// readMark reads the user's read mark of a conversation before its
// backfill, so the items it finds are unread only where Slack says so.
func (r *run) readMark(ctx context.Context, id string, sc *scan) error {
	info, err := r.api.conversationInfo(ctx, id)
	switch {
	case isGone(err):
		r.forget(id, r.cur.Convs[id])
		return r.commit(ctx, &batch{})
	case err != nil:
		return err
	}
	sc.LastRead, _ = parseTS(info.LastRead)
	sc.LastRead = max(sc.LastRead, 1) // read once, even when Slack has no mark
	return nil
}

// threadOf returns the followed thread a reply (or a broadcast reply on
// the channel) belongs to, or nil.
func (r *run) threadOf(st *convState, m *slack.Msg) *threadState {
	if !isReply(m) {
		return nil
	}
	root, _ := parseTS(m.ThreadTimestamp)
	return st.Threads[root]
}

// wants reports whether message m of conversation ci is an inbox item:
// everything in a followed conversation, elsewhere what mentions the user
// or their groups and the replies of their threads; never the user's own
// messages nor housekeeping (joins, topic changes).
func (r *run) wants(ci *convInfo, m *slack.Msg, th *threadState) bool {
	if skipSubtype(m.SubType) || m.Hidden {
		return false
	}
	if m.User != "" && m.User == r.me.UserID {
		return false
	}
	if ci.followed || mentions(m.Text, r.me.UserID, r.groups) {
		return true
	}
	return th != nil && th.Mine
}

// live reports whether a message found now is news (notified as the focus
// rules say) rather than history stored silently.
func live(sc *scan, t int64) bool {
	if sc == nil || !sc.Backfill {
		return true
	}
	return sc.LiveAfter > 0 && t > sc.LiveAfter
}

// keep adds message m to b when it is wanted and new or changed, and
// records it in h.
//
// A message older than every held one, already read before, is skipped
// unless force says it changed.
func (r *run) keep(ctx context.Context, b *batch, ci *convInfo, st *convState, h *held, sc *scan, m *slack.Msg, t int64, th *threadState, force bool) error {
	if !r.wants(ci, m, th) {
		return nil
	}
	fp := fingerprint(m)
	old, ok := h.get(t)
	switch {
	case ok && old == fp:
		return nil
	case !ok && !force && (sc == nil || !sc.Backfill) && t <= st.Latest && h.full() && t < h.oldest():
		return nil // read before, older than what Lull tracks for edits
	}
	isLive := live(sc, t)
	unread := isLive || sc == nil || t > sc.LastRead
	it, err := r.item(ctx, ci, m, unread)
	if err != nil {
		return err
	}
	b.add(it, isLive || ok)
	*h = h.put(t, fp)
	return nil
}

// followThread reads the replies of a thread root when the thread is one
// the inbox follows (any thread of a followed conversation, elsewhere the
// user's own) and it changed since last read. A thread that lost replies
// is read whole, so the deleted ones are removed.
func (r *run) followThread(ctx context.Context, b *batch, ci *convInfo, st *convState, sc *scan, root *slack.Msg, rootTS int64) error {
	th := st.Threads[rootTS]
	if root.ReplyCount == 0 {
		if th != nil { // every reply was deleted
			for _, e := range th.Held {
				b.remove(r.itemID(ci.id, e.TS))
			}
			delete(st.Threads, rootTS)
		}
		return nil
	}
	mine := root.User == r.me.UserID || contains(root.ReplyUsers, r.me.UserID) || (th != nil && th.Mine)
	if !ci.followed && !mine && th == nil {
		return nil
	}
	last, _ := parseTS(root.LatestReply)
	if th == nil && (sc == nil || !sc.Backfill) && last > 0 && last < r.c.now().Add(-threadWindow).UnixMicro() {
		// Quiet for longer than threads are followed: its replies were
		// read when they were new (the backfill reads them all).
		return nil
	}
	if th != nil && th.Count == root.ReplyCount && th.Last == last {
		return nil
	}
	full := th == nil || root.ReplyCount < th.Count
	var oldest int64
	if !full {
		oldest = th.Last
	}
	msgs, err := r.api.replies(ctx, ci.id, root.Timestamp, oldest)
	switch {
	case isGone(err):
		delete(st.Threads, rootTS)
		return nil
	case err != nil:
		return err
	}
	if th == nil {
		th = &threadState{}
		if st.Threads == nil {
			st.Threads = map[int64]*threadState{}
		}
		st.Threads[rootTS] = th
	}
	th.Mine = mine
	count := root.ReplyCount
	if len(msgs) > 0 && msgs[0].Timestamp == root.Timestamp {
		// The root as replies returns it is fresher than the one on the page.
		count, last = msgs[0].ReplyCount, max(last, parseTSOr0(msgs[0].LatestReply))
		msgs = msgs[1:]
	}
	for i := range msgs {
		if msgs[i].User == r.me.UserID {
			th.Mine = true
		}
	}
	seen := map[int64]bool{}
	for i := range msgs {
		m := &msgs[i].Msg
		t, ok := parseTS(m.Timestamp)
		if !ok {
			continue
		}
		seen[t] = true
		last = max(last, t)
		if err := r.keep(ctx, b, ci, st, &th.Held, sc, m, t, th, false); err != nil {
			return err
		}
	}
	if full {
		for _, e := range slices.Clone(th.Held) {
			if !seen[e.TS] {
				b.remove(r.itemID(ci.id, e.TS))
				th.Held = th.Held.drop(e.TS)
			}
		}
	}
	th.Count, th.Last = count, last
	return nil
}

func parseTSOr0(ts string) int64 {
	t, _ := parseTS(ts)
	return t
}

// probeThreads checks, one call each, the followed threads whose roots lie
// below lo, the part of the conversation the refresh did not re-read.
func (r *run) probeThreads(ctx context.Context, b *batch, ci *convInfo, st *convState, lo int64) error {
	cutoff := r.c.now().Add(-threadWindow).UnixMicro()
	var roots []int64
	for root, th := range st.Threads {
		if root < lo && th.Last >= cutoff {
			roots = append(roots, root)
		}
	}
	slices.Sort(roots)
	if len(roots) > threadProbes {
		roots = roots[len(roots)-threadProbes:]
	}
	for _, root := range roots {
		if err := r.checkThread(ctx, b, ci, st, root); err != nil {
			return err
		}
	}
	return nil
}

// checkThread reads a thread's root (with the replies after the last one
// read) and follows the thread if it changed.
func (r *run) checkThread(ctx context.Context, b *batch, ci *convInfo, st *convState, root int64) error {
	var oldest int64
	if th := st.Threads[root]; th != nil {
		oldest = th.Last
	}
	msgs, err := r.api.replies(ctx, ci.id, formatTS(root), oldest)
	switch {
	case isGone(err):
		delete(st.Threads, root)
		return nil
	case err != nil:
		return err
	case len(msgs) == 0:
		return nil
	}
	m := &msgs[0].Msg
	if m.ReplyCount == 0 && isReply(m) {
		return nil // not a root
	}
	return r.followThread(ctx, b, ci, st, nil, m, root)
}

// threadJob checks a thread Socket Mode flagged (the user replied in a
// thread Lull did not follow yet) and commits what it found.
func (r *run) threadJob(ctx context.Context, conv string, root int64) error {
	delete(r.dirtyThreads, threadKey{conv, root})
	ci, st := r.convs[conv], r.cur.Convs[conv]
	if ci == nil || st == nil {
		return nil
	}
	b := &batch{}
	if err := r.checkThread(ctx, b, ci, st, root); err != nil {
		return err
	}
	return r.commit(ctx, b)
}
