package app

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/store"
)

// The Inbox view shows one row per thread: the newest item of each thread
// in the inbox stands for the others, and carries the thread's size. Items
// that came back from snooze count as new as their wake-up time, so they
// (and their thread) show at the top. Held items (focus) stay out until
// released, as in the frozen list.
//
// The row order is worked out from a keys-only scan of the store
// (store.ScanThreads) and kept until the store changes, so moving through
// the list and paging re-read only the rows shown. A change costs one scan,
// about 150 ms at 100,000 items on a slow machine, except the most common
// one: triage moving whole threads out of the view the cache holds (e, l
// and s in the Inbox) drops their rows from the cache instead
// (threadCache.dropMoved).

// threadCache keeps the thread heads of the last (state, source) asked for.
type threadCache struct {
	mu    sync.Mutex
	key   threadKey
	heads []inbox.ID
	scans int // how many scans filled it: what dropMoved saves, for tests
}

type threadKey struct {
	version uint64 // store version
	woken   uint64 // snoozeRunner version
	held    string // fingerprint of the held set
	state   inbox.State
	source  inbox.Source
}

// dropMoved updates the cached rows after triage moved items out of the
// cached state with whole threads at a time (Triage.RunThreads), so the
// next List needs no scan: the moved items leave the rows and the rest keep
// their order. It only does so when the cache was current at before, the
// store's version when the triage began, and the triage's own commits (one
// per item) are all that happened since; otherwise the next List scans as
// usual. Rows never gain an item here: any move into the cached state
// leaves the cache stale.
func (c *threadCache) dropMoved(before, after uint64, moved []inbox.ID, from []inbox.State, to inbox.State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.heads == nil || c.key.version != before || after != before+uint64(len(moved)) || to == c.key.state {
		return
	}
	for _, st := range from {
		if st != c.key.state {
			return
		}
	}
	gone := make(map[inbox.ID]bool, len(moved))
	for _, id := range moved {
		gone[id] = true
	}
	heads := make([]inbox.ID, 0, len(c.heads))
	for _, id := range c.heads {
		if !gone[id] {
			heads = append(heads, id)
		}
	}
	c.heads = heads
	c.key.version = after
}

// WarmList works out the Inbox's thread rows in the background, so that
// the window's first Inbox.List finds them ready instead of scanning the
// store while the user waits. main calls it right after Open, while the
// window is still being made: at 100,000 items the scan is the longest step
// between launch and the first painted list. It does nothing for an empty
// workspace or once closed.
func (a *App) WarmList() {
	ws, err := a.current()
	if err != nil || ws.mode == ModeEmpty {
		return
	}
	ws.warm.start(func(ctx context.Context) {
		if _, err := ws.threadHeads(ctx, inbox.StateInbox, ""); err != nil && ctx.Err() == nil {
			a.log.Debug("app: working out the inbox rows ahead of the window", "err", err)
		}
	})
}

// warmer runs one piece of background work that closing the workspace
// cancels and waits for.
type warmer struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

func (w *warmer) start(work func(ctx context.Context)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go func() {
		defer close(w.done)
		work(ctx)
	}()
}

func (w *warmer) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done == nil {
		return
	}
	w.cancel()
	<-w.done
}

// listView answers Inbox.List: Later and Snoozed in time order, the Inbox
// by thread when asked, anything else newest first.
func (a *App) listView(ctx context.Context, ws *workspace, q inbox.Query) (inbox.Page, error) {
	switch {
	case q.State == inbox.StateLater || q.State == inbox.StateSnoozed:
		return ws.store.ListByTime(ctx, q)
	case q.Threads:
		return a.threadList(ctx, ws, q)
	}
	return a.frozenList(ctx, ws, q)
}

func (a *App) threadList(ctx context.Context, ws *workspace, q inbox.Query) (inbox.Page, error) {
	heads, err := ws.threadHeads(ctx, q.State, q.Source)
	if err != nil {
		return inbox.Page{}, err
	}
	page := inbox.Page{Offset: q.Offset, Total: len(heads), Items: []inbox.Summary{}}
	if q.Offset >= len(heads) {
		return page, nil
	}
	rows, err := ws.store.Summaries(ctx, heads[q.Offset:min(len(heads), q.Offset+q.Limit)])
	if err != nil {
		return inbox.Page{}, err
	}
	page.Items = rows
	return page, nil
}

// threadHeads returns the items that stand for their thread in state (and
// source), in list order.
func (ws *workspace) threadHeads(ctx context.Context, st inbox.State, src inbox.Source) ([]inbox.ID, error) {
	version, err := ws.store.Version(ctx)
	if err != nil {
		return nil, err
	}
	held := ws.focus.heldIDs()
	if st != inbox.StateInbox {
		held = nil
	}
	woken, wokenVersion := ws.snooze.wokenAt()
	key := threadKey{version: version, woken: wokenVersion, held: fingerprint(held), state: st, source: src}
	c := &ws.threads
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == key && c.heads != nil {
		return c.heads, nil
	}
	scan, err := ws.store.ScanThreads(ctx, st, src)
	if err != nil {
		return nil, err
	}
	c.scans++
	if st != inbox.StateInbox {
		woken = nil
	}
	heads := collapse(scan, held, woken)
	if st == inbox.StateInbox && src == "" && len(woken) > 0 {
		in := make(map[inbox.ID]bool, len(scan.IDs))
		for _, id := range scan.IDs {
			in[id] = true
		}
		ws.snooze.forget(ctx, func(id inbox.ID) bool { return in[id] })
	}
	// The scan saw the store at scan.Version, which may be newer than version.
	key.version = scan.Version
	c.key, c.heads = key, heads
	return heads, nil
}

// collapse picks the thread heads of a scan: held items left out, woken
// items moved to where their wake-up time puts them, then the first item of
// each thread in that order.
func collapse(scan store.ThreadScan, held map[inbox.ID]bool, woken map[inbox.ID]time.Time) []inbox.ID {
	order := scan.IDs
	if len(woken) > 0 {
		order = withWoken(scan, woken)
	}
	heads := make([]inbox.ID, 0, len(order))
	seen := map[string]bool{}
	for _, id := range order {
		if held[id] {
			continue
		}
		if t, ok := scan.Threads[id]; ok {
			if seen[t] {
				continue
			}
			seen[t] = true
		}
		heads = append(heads, id)
	}
	return heads
}

// withWoken merges the woken items of the scan, newest wake-up first, into
// the rest of the scan, which is newest received first.
func withWoken(scan store.ThreadScan, woken map[inbox.ID]time.Time) []inbox.ID {
	var up []inbox.ID
	rest := make([]int, 0, len(scan.IDs)) // indexes into scan.IDs
	for i, id := range scan.IDs {
		if _, ok := woken[id]; ok {
			up = append(up, id)
		} else {
			rest = append(rest, i)
		}
	}
	if len(up) == 0 {
		return scan.IDs
	}
	sortWoken(up, woken)
	out := make([]inbox.ID, 0, len(scan.IDs))
	j := 0
	for _, i := range rest {
		for j < len(up) && !woken[up[j]].Before(scan.Received[i]) {
			out = append(out, up[j])
			j++
		}
		out = append(out, scan.IDs[i])
	}
	return append(out, up[j:]...)
}

// fingerprint names a held set for the cache key.
func fingerprint(held map[inbox.ID]bool) string {
	if len(held) == 0 {
		return ""
	}
	ids := make([]string, 0, len(held))
	for id := range held {
		ids = append(ids, string(id))
	}
	slices.Sort(ids)
	return strings.Join(ids, "\x00")
}

// threadTargets expands ids to every item of their threads that is in the
// same state as the item named, and not held: what a triage command on a
// thread row acts on. Order is kept, duplicates dropped.
func (ws *workspace) threadTargets(ctx context.Context, ids []inbox.ID) ([]inbox.ID, error) {
	held := ws.focus.heldIDs()
	seen := map[inbox.ID]bool{}
	var out []inbox.ID
	for _, id := range ids {
		members, err := ws.store.ThreadItems(ctx, id)
		if err != nil {
			return nil, err
		}
		var state inbox.State
		for _, m := range members {
			if m.ID == id {
				state = m.Triage.State
			}
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
		for _, m := range members {
			if m.Triage.State == state && !seen[m.ID] && !held[m.ID] {
				seen[m.ID] = true
				out = append(out, m.ID)
			}
		}
	}
	return out, nil
}
