package imap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/mailparse"
)

// Tuning of the sync. Chunks are fetched newest first, each in one UID
// FETCH whose responses stream back in one round trip.
const (
	fetchChunk   = 500
	pollInterval = 5 * time.Minute
	// bodyLimit is how much of a message is downloaded for the item: enough
	// for any real text and HTML body; the rest of a 30 MB message (its
	// attachments) stays on the server, named by BODYSTRUCTURE.
	bodyLimit = mailparse.DefaultMaxHeader + mailparse.DefaultMaxBody
)

// Connector syncs one IMAP account.
type Connector struct {
	account string
	s       Settings
	now     func() time.Time
	log     *slog.Logger
	dialer  *dialer

	// actMu guards the action connection and the archived map.
	actMu   sync.Mutex
	actConn *imapclient.Client
	// archived remembers where done-archived messages went, for undo.
	archived map[inbox.ID]archivedAt

	// retMu guards returning: messages an undo moved back, by their new
	// native id, with the id of the item they were. The sync swaps the
	// item quietly when the message shows up.
	retMu     sync.Mutex
	returning map[string]inbox.ID
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Actor     = (*Connector)(nil)
	_ connectors.Validator = (*Connector)(nil)
)

// sync is one run of Sync: its connection, sink and cursor.
type syncRun struct {
	c     *Connector
	sink  connectors.Sink
	conn  *imapclient.Client
	cur   *cursor
	caps  imap.CapSet
	total int // initial-sync messages planned
	done  int // initial-sync messages fetched
}

// Sync does the initial sync of every folder, newest first, then keeps them
// current: IDLE on a dedicated connection per folder for push, a poll every
// few minutes as a safety net.
func (c *Connector) Sync(ctx context.Context, sink connectors.Sink) error {
	raw, err := sink.Cursor(ctx)
	if err != nil {
		return fmt.Errorf("imap: %s: %w", c.account, err)
	}
	cur, err := parseCursor(raw)
	if err != nil {
		c.log.Warn("imap: unreadable cursor, syncing afresh", "account", c.account, "err", err)
		cur, _ = parseCursor(nil)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conn, err := c.dialer.dial(ctx, nil)
	if err != nil {
		return quiet(ctx, err)
	}
	defer conn.Close()
	r := &syncRun{c: c, sink: sink, conn: conn, cur: cur, caps: conn.Caps()}

	if err := r.initial(ctx); err != nil {
		return quiet(ctx, err)
	}

	changed := make(chan string, len(c.s.Folders))
	watchErr := make(chan error, len(c.s.Folders))
	if r.caps.Has(imap.CapIdle) {
		for _, f := range c.s.Folders {
			go func() { watchErr <- c.watch(ctx, f, changed) }()
		}
	}
	poll := time.NewTicker(pollInterval)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-conn.Closed():
			return quiet(ctx, fmt.Errorf("imap: %s: connection closed by the server", c.account))
		case err := <-watchErr:
			return quiet(ctx, err)
		case f := <-changed:
			todo := map[string]bool{f: true}
			for drained := false; !drained; {
				select {
				case f := <-changed:
					todo[f] = true
				default:
					drained = true
				}
			}
			for _, f := range c.s.Folders {
				if todo[f] {
					if err := r.update(ctx, f); err != nil {
						return quiet(ctx, err)
					}
				}
			}
		case <-poll.C:
			for _, f := range c.s.Folders {
				if err := r.update(ctx, f); err != nil {
					return quiet(ctx, err)
				}
			}
		}
	}
}

// quiet turns the errors of a cancelled run into nil: stopping is no failure.
func quiet(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// initial plans every folder (SELECT, UID SEARCH), then fetches what is
// pending, reporting progress over all folders, then catches each folder up.
func (r *syncRun) initial(ctx context.Context) error {
	for _, f := range r.c.s.Folders {
		if err := r.plan(ctx, f); err != nil {
			return err
		}
	}
	for _, f := range r.c.s.Folders {
		r.total += len(r.cur.Folders[f].Pending)
	}
	r.progress()
	for _, f := range r.c.s.Folders {
		if err := r.backfill(ctx, f); err != nil {
			return err
		}
	}
	for _, f := range r.c.s.Folders {
		if err := r.update(ctx, f); err != nil {
			return err
		}
	}
	r.sink.Progress(connectors.Progress{Done: r.total, Total: r.total, Phase: "up to date", Finished: true})
	return nil
}

func (r *syncRun) progress() {
	r.sink.Progress(connectors.Progress{Done: r.done, Total: r.total, Phase: "downloading mail"})
}

// selectFolder selects f, with CONDSTORE when the server has it.
func (r *syncRun) selectFolder(ctx context.Context, f string) (*imap.SelectData, error) {
	opts := &imap.SelectOptions{CondStore: r.caps.Has(imap.CapCondStore)}
	data, err := r.conn.Select(f, opts).Wait()
	if err != nil {
		return nil, fmt.Errorf("imap: %s: select %q: %w", r.c.account, f, ctxOr(ctx, err))
	}
	return data, nil
}

// plan makes sure folder f has a state for the current UIDVALIDITY, and on
// first sight searches the UIDs within the sync depth into Pending.
func (r *syncRun) plan(ctx context.Context, f string) error {
	data, err := r.selectFolder(ctx, f)
	if err != nil {
		return err
	}
	st := r.cur.Folders[f]
	if st != nil && st.UIDValidity != data.UIDValidity {
		if err := r.dropFolder(ctx, f, st); err != nil {
			return err
		}
		st = nil
	}
	if st != nil && st.Planned {
		return nil
	}
	st = &folderState{UIDValidity: data.UIDValidity}
	crit := &imap.SearchCriteria{}
	if since := r.c.s.Since(r.c.now()); !since.IsZero() {
		crit.Since = since
	}
	found, err := r.conn.UIDSearch(crit, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap: %s: search %q: %w", r.c.account, f, ctxOr(ctx, err))
	}
	uids := found.AllUIDs()
	st.Pending = make(uidList, 0, len(uids))
	for _, u := range uids {
		st.Pending = append(st.Pending, uint32(u))
	}
	slices.Sort(st.Pending)
	st.Pending = slices.Compact(st.Pending)
	st.MaxUID = max(uint32(data.UIDNext), 1) - 1
	st.ModSeq = data.HighestModSeq
	st.Planned = true
	r.cur.Folders[f] = st
	return r.sink.Apply(ctx, connectors.Batch{Cursor: r.cur.encode(), Backfill: true})
}

// dropFolder removes every item of a folder whose UIDVALIDITY changed: its
// UIDs now mean other messages, so the folder is synced again from scratch.
func (r *syncRun) dropFolder(ctx context.Context, f string, st *folderState) error {
	r.c.log.Info("imap: UIDVALIDITY changed, resyncing folder", "account", r.c.account, "folder", f,
		"old", st.UIDValidity)
	known := st.Known
	for len(known) > 0 {
		n := min(len(known), connectors.MaxBatchRemoves)
		ids := make([]inbox.ID, n)
		for i, u := range known[:n] {
			ids[i] = r.c.id(f, st.UIDValidity, u)
		}
		known = known[n:]
		st.Known = known
		if len(known) == 0 {
			delete(r.cur.Folders, f)
		}
		if err := r.sink.Apply(ctx, connectors.Batch{Removes: ids, Purge: true, Cursor: r.cur.encode(), Backfill: true}); err != nil {
			return err
		}
	}
	delete(r.cur.Folders, f)
	return nil
}

// backfill fetches f's Pending UIDs, newest first, a chunk per batch.
func (r *syncRun) backfill(ctx context.Context, f string) error {
	st := r.cur.Folders[f]
	if len(st.Pending) == 0 {
		return nil
	}
	if _, err := r.selectFolder(ctx, f); err != nil {
		return err
	}
	return r.fetchInto(ctx, f, st, st.Pending, true)
}

// fetchInto downloads uids (ascending) newest chunk first and commits each
// chunk with the cursor. Pending loses, and Known gains, what each commit holds.
func (r *syncRun) fetchInto(ctx context.Context, f string, st *folderState, uids uidList, backfill bool) error {
	chunks := make([]uidList, 0, len(uids)/fetchChunk+1)
	for end := len(uids); end > 0; end -= fetchChunk {
		chunks = append(chunks, slices.Clone(uids[max(0, end-fetchChunk):end]))
	}
	// One UID FETCH per chunk streams the chunk in one round trip. The next
	// chunk is not sent before this one completes: Dovecot runs pipelined
	// FETCHes concurrently, and their interleaved responses would wait on
	// a reader that is still on this chunk. What overlaps instead is the
	// commit: chunk i is written to the store while chunk i+1 downloads.
	type commit struct {
		batches []connectors.Batch
		done    int // initial-sync messages committed with it
	}
	commits := make(chan commit, 1)
	committed := make(chan error, 1)
	go func() {
		var err error
		for c := range commits {
			if err != nil {
				continue // drain after a failure
			}
			for _, b := range c.batches {
				if err = r.sink.Apply(ctx, b); err != nil {
					break
				}
			}
			if err == nil && backfill {
				r.done += c.done
				r.progress()
			}
		}
		committed <- err
	}()
	finish := func(err error) error {
		close(commits)
		if cerr := <-committed; cerr != nil {
			return cerr
		}
		return err
	}
	for _, chunk := range chunks {
		items, got, big, err := r.c.readMessages(ctx, f, st.UIDValidity, r.fetch(chunk))
		if err != nil {
			return finish(fmt.Errorf("imap: %s: fetch %q %d messages: %w", r.c.account, f, len(chunk), ctxOr(ctx, err)))
		}
		if err := r.attachBigOnes(ctx, f, items, got, big); err != nil {
			return finish(err)
		}
		// What the server no longer has is simply not pending any more.
		drop := make(map[uint32]bool, len(chunk))
		for _, u := range chunk {
			drop[u] = true
		}
		st.Pending = st.Pending.without(drop)
		st.Known = st.Known.add(got...)
		for _, u := range got {
			st.MaxUID = max(st.MaxUID, u)
		}
		var c commit
		if backfill {
			c.done = len(chunk)
		} else {
			var back []inbox.Item
			var old []inbox.ID
			items, back, old = r.c.takeReturning(items)
			if len(back) > 0 {
				// An undone archive: the old item goes, the message comes
				// back under its new UID, and nobody is notified.
				c.batches = append(c.batches, connectors.Batch{Upserts: back, Removes: old, Purge: true, Backfill: true})
			}
		}
		// The cursor is encoded now, so it describes exactly the items
		// committed with it, whatever the next chunk does.
		c.batches = append(c.batches, connectors.Batch{Upserts: items, Cursor: r.cur.encode(), Backfill: backfill})
		select {
		case commits <- c:
		case <-ctx.Done():
			return finish(ctx.Err())
		}
	}
	return finish(nil)
}

// takeReturning splits off the items an undo moved back, with the ids of
// the items they replace.
func (c *Connector) takeReturning(items []inbox.Item) (rest, back []inbox.Item, old []inbox.ID) {
	c.retMu.Lock()
	defer c.retMu.Unlock()
	if len(c.returning) == 0 {
		return items, nil, nil
	}
	rest = items[:0:0]
	for _, it := range items {
		_, native, _ := it.ID.Split()
		if prev, ok := c.returning[native]; ok {
			delete(c.returning, native)
			back = append(back, it)
			old = append(old, prev)
			continue
		}
		rest = append(rest, it)
	}
	return rest, back, old
}

// fetch sends one UID FETCH for uids: flags, dates, size and the first
// bodyLimit bytes of the message (BODY.PEEK, so nothing is marked read).
func (r *syncRun) fetch(uids uidList) *imapclient.FetchCommand {
	set := imap.UIDSet{}
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	return r.conn.Fetch(set, &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: bodyLimit}}},
	})
}

// message is one fetched message before parsing.
type message struct {
	uid      uint32
	seen     bool
	internal time.Time
	size     int64
	raw      []byte
}

// readMessages reads cmd's responses and parses them on every core, in
// the order the server sent them. It returns the items, their UIDs, and
// the indexes of messages only partly downloaded (bigger than bodyLimit).
func (c *Connector) readMessages(ctx context.Context, folder string, validity uint32, cmd *imapclient.FetchCommand) ([]inbox.Item, []uint32, []int, error) {
	workers := max(1, runtime.GOMAXPROCS(0))
	type job struct {
		i   int
		msg message
	}
	jobs := make(chan job, workers*2)
	var (
		mu    sync.Mutex
		items []inbox.Item
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				it := c.item(folder, validity, j.msg)
				mu.Lock()
				for len(items) <= j.i {
					items = append(items, inbox.Item{})
				}
				items[j.i] = it
				mu.Unlock()
			}
		})
	}
	var uids []uint32
	var big []int
	var readErr error
	for n := 0; ; n++ {
		data := cmd.Next()
		if data == nil {
			break
		}
		msg, err := readMessage(data)
		if err != nil {
			readErr = err
			break
		}
		if msg.uid == 0 {
			n--
			continue
		}
		uids = append(uids, msg.uid)
		if msg.size > int64(len(msg.raw)) {
			big = append(big, n)
		}
		jobs <- job{i: n, msg: msg}
	}
	close(jobs)
	wg.Wait()
	if readErr != nil {
		cmd.Close()
		return nil, nil, nil, readErr
	}
	if err := cmd.Close(); err != nil {
		return nil, nil, nil, err
	}
	return items[:len(uids)], uids, big, ctx.Err()
}

// readMessage drains one FETCH response into memory (at most bodyLimit
// bytes of body: the FETCH asked for no more).
func readMessage(data *imapclient.FetchMessageData) (message, error) {
	var m message
	for {
		item := data.Next()
		if item == nil {
			return m, nil
		}
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			m.uid = uint32(item.UID)
		case imapclient.FetchItemDataFlags:
			m.seen = slices.Contains(item.Flags, imap.FlagSeen)
		case imapclient.FetchItemDataInternalDate:
			m.internal = item.Time
		case imapclient.FetchItemDataRFC822Size:
			m.size = item.Size
		case imapclient.FetchItemDataBodySection:
			if item.Literal == nil {
				continue
			}
			b := make([]byte, min(item.Literal.Size(), bodyLimit))
			if _, err := io.ReadFull(item.Literal, b); err != nil {
				return m, fmt.Errorf("read body of uid %d: %w", m.uid, err)
			}
			// Anything past the limit (a server ignoring the partial) is drained, not kept.
			if _, err := io.Copy(io.Discard, item.Literal); err != nil {
				return m, fmt.Errorf("read body of uid %d: %w", m.uid, err)
			}
			m.raw = b
		}
	}
}

// item parses m into an inbox item. A malformed message keeps what could be
// read; its problems are logged once, here, never its content.
func (c *Connector) item(folder string, validity uint32, m message) inbox.Item {
	msg, err := mailparse.Parse(bytes.NewReader(m.raw), mailparse.Limits{})
	var perr *mailparse.ParseError
	if errors.As(err, &perr) {
		c.log.Warn("imap: malformed message kept with what could be read", "account", c.account,
			"folder", folder, "uid", m.uid, "problems", len(perr.Problems), "first", perr.Problems[0].Error())
	}
	native := nativeID(folder, validity, m.uid)
	it := msg.Item(c.account, native)
	it.Unread = !m.seen
	it.Received = received(msg.Date, m.internal, c.now())
	if it.Title == "" && it.Snippet == "" && len(m.raw) == 0 {
		it.Title = "(message could not be downloaded)"
	}
	return it
}

// received picks the time shown for a message: its Date header unless that
// is missing or implausibly in the future, else the server's arrival time.
func received(date, internal, now time.Time) time.Time {
	switch {
	case !date.IsZero() && date.Before(now.Add(24*time.Hour)):
		return date
	case !internal.IsZero():
		return internal
	case !date.IsZero():
		return date
	default:
		return now
	}
}

// attachBigOnes lists the attachments of partly downloaded messages (the
// items at indexes big) from their BODYSTRUCTURE, in one FETCH for all.
func (r *syncRun) attachBigOnes(ctx context.Context, f string, items []inbox.Item, uids []uint32, big []int) error {
	if len(big) == 0 {
		return nil
	}
	byUID := make(map[uint32]int, len(big))
	set := imap.UIDSet{}
	for _, i := range big {
		byUID[uids[i]] = i
		set.AddNum(imap.UID(uids[i]))
	}
	msgs, err := r.conn.Fetch(set, &imap.FetchOptions{UID: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}}).Collect()
	if err != nil {
		return fmt.Errorf("imap: %s: fetch structure in %q: %w", r.c.account, f, ctxOr(ctx, err))
	}
	for _, m := range msgs {
		i, ok := byUID[uint32(m.UID)]
		if !ok || m.BodyStructure == nil {
			continue
		}
		items[i].Attachments = attachments(m.BodyStructure)
	}
	return nil
}

// attachments lists the named parts of a body structure with their sizes.
func attachments(bs imap.BodyStructure) []inbox.Attachment {
	var out []inbox.Attachment
	bs.Walk(func(path []int, part imap.BodyStructure) bool {
		single, ok := part.(*imap.BodyStructureSinglePart)
		if !ok {
			return true
		}
		name := single.Filename()
		disp := single.Disposition()
		isAttachment := disp != nil && strings.EqualFold(disp.Value, "attachment")
		if name == "" && !isAttachment {
			return true
		}
		if name == "" {
			name = strings.ToLower(single.Type + "/" + single.Subtype)
		}
		out = append(out, inbox.Attachment{Name: name, Size: int64(single.Size)})
		return true
	})
	return out
}

// update catches folder f up: a changed UIDVALIDITY resyncs it, new UIDs
// are fetched as new mail, flag changes (CONDSTORE CHANGEDSINCE when the
// server has it) and expunges are applied.
func (r *syncRun) update(ctx context.Context, f string) error {
	st := r.cur.Folders[f]
	data, err := r.selectFolder(ctx, f)
	if err != nil {
		return err
	}
	if st == nil || st.UIDValidity != data.UIDValidity || !st.Planned {
		// Resync: plan afresh, then backfill silently.
		if err := r.plan(ctx, f); err != nil {
			return err
		}
		st = r.cur.Folders[f]
		r.total += len(st.Pending)
		if err := r.backfill(ctx, f); err != nil {
			return err
		}
		if data, err = r.selectFolder(ctx, f); err != nil {
			return err
		}
	}
	if len(st.Pending) > 0 { // an interrupted initial sync
		r.total += len(st.Pending)
		if err := r.backfill(ctx, f); err != nil {
			return err
		}
	}
	modseq := data.HighestModSeq

	// New mail: UIDs above the highest seen.
	if uint32(data.UIDNext) == 0 || uint32(data.UIDNext) > st.MaxUID+1 {
		found, err := r.conn.UIDSearch(&imap.SearchCriteria{
			UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(st.MaxUID + 1), Stop: 0}}},
		}, nil).Wait()
		if err != nil {
			return fmt.Errorf("imap: %s: search new in %q: %w", r.c.account, f, ctxOr(ctx, err))
		}
		var fresh uidList
		for _, u := range found.AllUIDs() {
			if uint32(u) > st.MaxUID {
				fresh = append(fresh, uint32(u))
			}
		}
		slices.Sort(fresh)
		if len(fresh) > 0 {
			if err := r.fetchInto(ctx, f, st, fresh, false); err != nil {
				return err
			}
		}
	}
	if len(st.Known) == 0 {
		st.ModSeq = modseq
		return nil
	}

	// Expunges: which known UIDs are gone.
	known := imap.UIDSet{}
	for _, u := range st.Known {
		known.AddNum(imap.UID(u))
	}
	var removes []inbox.ID
	{
		found, err := r.conn.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{known}}, nil).Wait()
		if err != nil {
			return fmt.Errorf("imap: %s: search expunged in %q: %w", r.c.account, f, ctxOr(ctx, err))
		}
		still := map[uint32]bool{}
		for _, u := range found.AllUIDs() {
			still[uint32(u)] = true
		}
		gone := map[uint32]bool{}
		for _, u := range st.Known {
			if !still[u] {
				gone[u] = true
				removes = append(removes, r.c.id(f, st.UIDValidity, u))
			}
		}
		st.Known = st.Known.without(gone)
	}

	// Flags: what changed since the last modseq, or all known flags.
	opts := &imap.FetchOptions{UID: true, Flags: true}
	if r.caps.Has(imap.CapCondStore) && st.ModSeq > 0 {
		if modseq == st.ModSeq && len(removes) == 0 {
			return nil
		}
		opts.ChangedSince = st.ModSeq
	}
	msgs, err := r.conn.Fetch(known, opts).Collect()
	if err != nil {
		return fmt.Errorf("imap: %s: fetch flags in %q: %w", r.c.account, f, ctxOr(ctx, err))
	}
	var marks []connectors.Mark
	for _, m := range msgs {
		if m.UID == 0 || !slices.Contains(st.Known, uint32(m.UID)) {
			continue
		}
		marks = append(marks, connectors.Mark{
			ID: r.c.id(f, st.UIDValidity, uint32(m.UID)), Unread: !slices.Contains(m.Flags, imap.FlagSeen),
		})
	}
	if modseq > 0 {
		st.ModSeq = modseq
	}
	for len(removes) > 0 || len(marks) > 0 {
		b := connectors.Batch{}
		n := min(len(removes), connectors.MaxBatchRemoves)
		b.Removes, removes = removes[:n], removes[n:]
		n = min(len(marks), connectors.MaxBatchRemoves)
		b.Marks, marks = marks[:n], marks[n:]
		if len(removes) == 0 && len(marks) == 0 {
			b.Cursor = r.cur.encode()
		}
		if err := r.sink.Apply(ctx, b); err != nil {
			return err
		}
	}
	return r.sink.Apply(ctx, connectors.Batch{Cursor: r.cur.encode()})
}

// id is the item id of uid in folder at validity.
func (c *Connector) id(folder string, validity, uid uint32) inbox.ID {
	return inbox.NewID(c.account, nativeID(folder, validity, uid))
}

// nativeID is "<folder>/<uidvalidity>/<uid>"; the folder may hold slashes.
func nativeID(folder string, validity, uid uint32) string {
	return folder + "/" + strconv.FormatUint(uint64(validity), 10) + "/" + strconv.FormatUint(uint64(uid), 10)
}

// splitID parses an item id back into folder, validity and uid.
func splitID(itemID inbox.ID) (folder string, validity, uid uint32, err error) {
	_, id, err := itemID.Split()
	if err != nil {
		return "", 0, 0, err
	}
	rest, u, ok1 := cutLast(id)
	folder, v, ok2 := cutLast(rest)
	if !ok1 || !ok2 || folder == "" {
		return "", 0, 0, fmt.Errorf("imap: not an IMAP item id: %q", id)
	}
	uv, err1 := strconv.ParseUint(v, 10, 32)
	uu, err2 := strconv.ParseUint(u, 10, 32)
	if err1 != nil || err2 != nil || uu == 0 {
		return "", 0, 0, fmt.Errorf("imap: not an IMAP item id: %q", id)
	}
	return folder, uint32(uv), uint32(uu), nil
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}
