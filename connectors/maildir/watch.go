package maildir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

// Cursor writes in the live phase: every batch carries the known sets while
// they are small; past cursorSmall messages, at most one cursor every
// cursorEvery, so a big archive does not rewrite a megabyte per new mail.
// A crash in between costs at most a re-read of the messages since.
const (
	cursorSmall = 20_000
	cursorEvery = 30 * time.Second
)

// maxPending is how many touched names a folder collects before a full
// listing of it becomes the cheaper way to settle them.
const maxPending = 5000

// kqueueMaxFiles: fsnotify's kqueue backend (macOS, BSD) opens every file of
// a watched directory, so bigger folders are polled instead.
const kqueueMaxFiles = 2000

// watched is a watched cur/ or new/ directory.
type watched struct {
	f   *folderState
	sub string
}

// live follows the tree until ctx ends: one full scan to catch up with what
// changed while nobody watched, then fsnotify events collected for a short
// window and settled name by name, and a full rescan every rescanEvery (or on
// a watcher overflow) for what fsnotify missed.
func (s *session) live(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err == nil && s.c.noWatch {
		w.Close()
		err = errors.New("watching disabled")
	}
	if err != nil {
		s.c.log.Warn("maildir: cannot watch for changes; polling instead", "every", s.c.pollEvery, "err", err)
		s.polling = true
	} else {
		s.w = w
		defer w.Close()
	}
	if err := s.fullScan(ctx); err != nil {
		return err
	}
	s.sink.Progress(connectors.Progress{Phase: "up to date", Finished: true})

	every := s.interval()
	tick := time.NewTicker(every)
	defer tick.Stop()
	var events <-chan fsnotify.Event
	var errs <-chan error
	if s.w != nil {
		events, errs = s.w.Events, s.w.Errors
	}
	var window, flush <-chan time.Time
	for {
		if window == nil && (len(s.pending) > 0 || len(s.dirty) > 0 || s.needFull) {
			window = time.After(s.c.debounce)
		}
		if flush == nil && s.cursorDirty {
			flush = time.After(s.cursorWait())
		}
		if d := s.interval(); d != every {
			every = d
			tick.Reset(every)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				events, errs = nil, nil
				s.polling = true
				continue
			}
			s.note(ev)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				s.c.log.Warn("maildir: watcher error; rescanning", "err", err)
			}
			s.needFull = true
		case <-window:
			window = nil
			if err := s.settleEvents(ctx); err != nil {
				return err
			}
		case <-tick.C:
			if err := s.fullScan(ctx); err != nil {
				return err
			}
		case <-flush:
			flush = nil
			if err := s.writeCursor(ctx); err != nil {
				return err
			}
		}
	}
}

// interval is the full-rescan period: short when some folder is polled.
func (s *session) interval() time.Duration {
	if s.polling {
		return s.c.pollEvery
	}
	return s.c.rescanEvery
}

// fullScan rediscovers the tree and lists every folder.
func (s *session) fullScan(ctx context.Context) error {
	start := s.c.now()
	s.needFull = false
	clear(s.pending)
	clear(s.dirty)
	found, err := s.discover()
	if err != nil {
		return err
	}
	ch := newChanges()
	s.reconcile(found, ch)
	for _, f := range s.folders {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.scanFolder(f, ch)
	}
	if err := s.apply(ctx, ch); err != nil {
		return err
	}
	s.since = start
	return nil
}

// reconcile makes found the session's folders: new ones are watched and
// start silent; the items of vanished ones (deleted, renamed, or dropped from
// the folders setting) are removed.
func (s *session) reconcile(found []folder, ch *changes) {
	keep := map[string]bool{}
	next := make([]*folderState, 0, len(found))
	for _, fo := range found {
		keep[fo.Name] = true
		f, ok := s.byName[fo.Name]
		switch {
		case !ok:
			f = newFolderState(fo)
			f.silent = true
			s.byName[fo.Name] = f
		case f.Dir != fo.Dir:
			s.unwatch(f)
			f.folder = fo
		}
		next = append(next, f)
	}
	for _, f := range s.folders {
		if keep[f.Name] {
			continue
		}
		s.unwatch(f)
		for u := range f.msgs {
			ch.remove(s.id(f, u), f, u)
		}
		delete(s.byName, f.Name)
	}
	s.folders = next
	for _, f := range s.folders {
		s.watch(f)
	}
}

// watch adds f's new/ and cur/ to the watcher, or leaves f to polling.
func (s *session) watch(f *folderState) {
	if s.w == nil {
		return
	}
	for _, sub := range []string{"new", "cur"} {
		dir := filepath.Join(f.Dir, sub)
		if _, ok := s.byDir[dir]; ok {
			continue
		}
		if kqueue() && len(f.msgs)+len(f.ignored) > kqueueMaxFiles {
			if !s.polling {
				s.c.log.Info("maildir: folder too big to watch here; polling it", "folder", f.Name, "every", s.c.pollEvery)
			}
			s.polling = true
			continue
		}
		if err := s.w.Add(dir); err != nil {
			if !s.polling {
				s.c.log.Warn("maildir: cannot watch folder; polling it", "folder", f.Name, "every", s.c.pollEvery, "err", err)
			}
			s.polling = true
			continue
		}
		s.byDir[dir] = watched{f: f, sub: sub}
	}
}

func (s *session) unwatch(f *folderState) {
	for _, sub := range []string{"new", "cur"} {
		dir := filepath.Join(f.Dir, sub)
		if _, ok := s.byDir[dir]; ok {
			delete(s.byDir, dir)
			s.w.Remove(dir) // the directory may be gone already
		}
	}
	delete(s.pending, f)
	delete(s.dirty, f)
}

// kqueue reports whether fsnotify uses kqueue here.
func kqueue() bool {
	switch runtime.GOOS {
	case "darwin", "freebsd", "openbsd", "netbsd", "dragonfly":
		return true
	}
	return false
}

// note records the file an event names, to be settled when the window closes.
func (s *session) note(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return
	}
	if _, ok := s.byDir[ev.Name]; ok {
		s.needFull = true // a watched directory itself was removed or moved
		return
	}
	wd, ok := s.byDir[filepath.Dir(ev.Name)]
	if !ok {
		return
	}
	base := filepath.Base(ev.Name)
	if strings.HasPrefix(base, ".") || s.dirty[wd.f] {
		return
	}
	p := s.pending[wd.f]
	if p == nil {
		p = map[string]struct{}{}
		s.pending[wd.f] = p
	}
	p[wd.sub+"/"+base] = struct{}{}
	if len(p) > maxPending {
		delete(s.pending, wd.f)
		s.dirty[wd.f] = true
	}
}

// settleEvents acts on the names touched during the window.
func (s *session) settleEvents(ctx context.Context) error {
	if s.needFull {
		return s.fullScan(ctx)
	}
	pending, dirty := s.pending, s.dirty
	s.pending, s.dirty = map[*folderState]map[string]struct{}{}, map[*folderState]bool{}
	ch := newChanges()
	for _, f := range s.folders {
		if err := ctx.Err(); err != nil {
			return err
		}
		if dirty[f] {
			s.scanFolder(f, ch)
		} else if names, ok := pending[f]; ok {
			s.settle(f, names, ch)
		}
	}
	return s.apply(ctx, ch)
}

// settle looks at the files touched in f by name. A message found under a
// touched name is observed; one that is known but found under none of them
// was deleted or renamed to a name whose event is still to come, which only a
// listing of the folder can tell.
func (s *session) settle(f *folderState, names map[string]struct{}, ch *changes) {
	groups := map[string][]entry{}
	for key := range names {
		sub, name, _ := strings.Cut(key, "/")
		e := newEntry(sub, name)
		if e.unique != "" {
			groups[e.unique] = append(groups[e.unique], e)
		}
	}
	suspect := false
	for u, es := range groups {
		slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.sub, b.sub) }) // cur/ before new/
		found := false
		for _, e := range es {
			if err := e.stat(f.Dir); err == nil {
				s.observe(f, e, s.gen, ch)
				found = true
				break
			}
		}
		if found {
			continue
		}
		m, known := f.msgs[u]
		if !known {
			continue // a file that came and went
		}
		if m.located() {
			if _, err := os.Lstat(filepath.Join(f.Dir, m.sub, m.name)); err == nil {
				continue
			}
		}
		suspect = true
	}
	if suspect {
		s.scanFolder(f, ch)
	}
}

// scanFolder lists f and observes every message in it; known messages no
// longer there are removed.
func (s *session) scanFolder(f *folderState, ch *changes) {
	s.gen++
	gen := s.gen
	entries, err := listFolder(f.Dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			s.needFull = true // the folder went away: rediscover
		} else if key := "list " + f.Name; !s.missingLogged[key] {
			s.missingLogged[key] = true
			s.c.log.Warn("maildir: cannot list folder", "folder", f.Name, "err", err)
		}
		return
	}
	for _, e := range entries {
		s.observe(f, e, gen, ch)
	}
	var missing []string
	for u, m := range f.msgs {
		if m.gen != gen {
			missing = append(missing, u)
		}
	}
	if len(missing) > 0 {
		// POSIX leaves open whether a file renamed while its directory is
		// read shows up under either name; a second listing settles it, so
		// a flag change is never taken for a deletion.
		again, err := listFolder(f.Dir)
		if err != nil {
			return
		}
		for _, e := range again {
			if m, ok := f.msgs[e.unique]; ok && m.gen != gen {
				s.observe(f, e, gen, ch)
			}
		}
		for _, u := range missing {
			if m, ok := f.msgs[u]; ok && m.gen != gen {
				delete(f.msgs, u)
				ch.remove(s.id(f, u), f, u)
			}
		}
	}
	for u, g := range f.ignored {
		if g != gen {
			delete(f.ignored, u)
		}
	}
	f.silent = false
	f.renamed = nil // the first scan has settled them
}

// observe takes note of message file e in f: a new message is added, a
// known one whose S flag changed is updated, a trashed one removed.
func (s *session) observe(f *folderState, e entry, gen uint32, ch *changes) {
	id := s.id(f, e.unique)
	if m, known := f.msgs[e.unique]; known {
		if e.trashed {
			delete(f.msgs, e.unique)
			ch.remove(id, f, e.unique)
			return
		}
		changed := m.seen != e.seen
		if changed && !e.statted {
			if err := e.stat(f.Dir); err != nil {
				m.gen = gen // renamed again meanwhile: look once more soon
				f.msgs[e.unique] = m
				s.dirty[f] = true
				return
			}
		}
		f.msgs[e.unique] = msg{sub: e.sub, name: e.name, seen: e.seen, gen: gen}
		if changed {
			ch.upsert(id, action{todo: todo{f: f, e: e}})
		}
		return
	}
	if e.trashed {
		return
	}
	if _, ok := f.ignored[e.unique]; ok {
		f.ignored[e.unique] = gen
		return
	}
	if !e.statted {
		if err := e.stat(f.Dir); err != nil {
			return // gone again; its own event follows
		}
	}
	if cutoff := s.c.cutoff(); !e.regular || (!cutoff.IsZero() && e.mtime.Before(cutoff)) {
		f.ignored[e.unique] = gen
		return
	}
	f.msgs[e.unique] = msg{sub: e.sub, name: e.name, seen: e.seen, gen: gen}
	silent := f.silent || f.renamed[e.unique] || e.ctime.Before(s.since.Add(-sinceSlack))
	delete(f.renamed, e.unique)
	ch.upsert(id, action{todo: todo{f: f, e: e, add: true}, silent: silent})
}

// action is what a round of observation decided for one item.
type action struct {
	todo
	remove bool
	unique string // of a removal
	// silent: add it as backfill (old mail coming into view), not as new mail.
	silent bool
}

// changes collects one round's actions, the last one per id winning.
type changes struct {
	acts map[inbox.ID]action
}

func newChanges() *changes { return &changes{acts: map[inbox.ID]action{}} }

func (c *changes) upsert(id inbox.ID, a action) {
	if old, ok := c.acts[id]; ok && old.add && !old.remove {
		a.add, a.silent = true, old.silent // an update of a message added this round is still an add
	}
	c.acts[id] = a
}

func (c *changes) remove(id inbox.ID, f *folderState, unique string) {
	c.acts[id] = action{todo: todo{f: f}, remove: true, unique: unique}
}

// batchPlan is one batch to commit.
type batchPlan struct {
	todos    []todo
	removes  []inbox.ID
	backfill bool
}

// apply reads the messages ch adds or updates and commits everything in
// batches: first the silent additions as backfill, then removals and live
// additions and updates. A message removed from one folder and added to
// another in the same round was moved: it is added silently, not announced
// as new mail again.
func (s *session) apply(ctx context.Context, ch *changes) error {
	if len(ch.acts) == 0 {
		return nil
	}
	moved := map[string]bool{}
	for _, a := range ch.acts {
		if a.remove {
			moved[a.unique] = true
		}
	}
	var silent, live []todo
	var removes []inbox.ID
	for _, id := range slices.Sorted(maps.Keys(ch.acts)) {
		a := ch.acts[id]
		switch {
		case a.remove:
			removes = append(removes, id)
		case a.add && (a.silent || moved[a.e.unique]):
			silent = append(silent, a.todo)
		default:
			live = append(live, a.todo)
		}
	}
	newestFirst := func(a, b todo) int {
		return cmp.Or(b.e.mtime.Compare(a.e.mtime), strings.Compare(a.f.Name, b.f.Name), strings.Compare(a.e.unique, b.e.unique))
	}
	slices.SortStableFunc(silent, newestFirst)
	slices.SortStableFunc(live, newestFirst)

	plans := planBatches(silent, live, removes)
	for k, p := range plans {
		items, vanished, err := s.readItems(ctx, p.todos)
		if err != nil {
			return err
		}
		b := connectors.Batch{Removes: p.removes, Backfill: p.backfill}
		for i, t := range p.todos {
			switch {
			case vanished[i]:
				s.dirty[t.f] = true
				if t.add {
					delete(t.f.msgs, t.e.unique) // never committed; found again under its new name
				} else if m, ok := t.f.msgs[t.e.unique]; ok {
					m.seen = !t.e.seen // not committed: make the next look see the change again
					t.f.msgs[t.e.unique] = m
				}
			case items[i].ID == "":
				if t.add {
					delete(t.f.msgs, t.e.unique) // unreadable: ignored until it changes
				}
			default:
				b.Upserts = append(b.Upserts, items[i])
			}
		}
		if k == len(plans)-1 && s.cursorDue() {
			next := s.liveCursor()
			b.Cursor = next.encode()
			s.cur = &next
		}
		if len(b.Upserts) == 0 && len(b.Removes) == 0 && b.Cursor == nil {
			continue
		}
		if err := s.sink.Apply(ctx, b); err != nil {
			return fmt.Errorf("maildir: commit changes: %w", err)
		}
		if b.Cursor != nil {
			s.lastCursor, s.cursorDirty = s.c.now(), false
		} else {
			s.cursorDirty = true
		}
		if k == len(plans)-1 && b.Backfill {
			// Only silent additions: say the account is up to date again.
			s.sink.Progress(connectors.Progress{Phase: "up to date", Finished: true})
		}
	}
	return nil
}

// planBatches cuts one round into batches of at most batchItems upserts and
// removals: silent additions first (as backfill), then removals riding with
// the first live upserts.
func planBatches(silent, live []todo, removes []inbox.ID) []batchPlan {
	var out []batchPlan
	for i := 0; i < len(silent); {
		j := chunkEnd(silent, i, 0)
		out = append(out, batchPlan{todos: silent[i:j], backfill: true})
		i = j
	}
	for len(removes) > batchItems {
		out = append(out, batchPlan{removes: removes[:batchItems]})
		removes = removes[batchItems:]
	}
	for i := 0; i < len(live) || len(removes) > 0; {
		j := chunkEnd(live, i, len(removes))
		out = append(out, batchPlan{todos: live[i:j], removes: removes})
		removes = nil
		i = j
	}
	return out
}

// cursorDue reports whether a batch now should carry the known sets.
func (s *session) cursorDue() bool {
	n := 0
	for _, f := range s.folders {
		n += len(f.msgs)
	}
	return n <= cursorSmall || s.c.now().Sub(s.lastCursor) >= cursorEvery
}

// cursorWait is how long until a held-back cursor may be written.
func (s *session) cursorWait() time.Duration {
	return max(0, cursorEvery-s.c.now().Sub(s.lastCursor))
}

// liveCursor is the cursor for the session's current knowledge.
func (s *session) liveCursor() cursor {
	return cursor{
		V: cursorVersion, Started: s.cur.Started, Backfilled: true,
		Since: s.since.UnixNano(), Folders: s.knownSets(),
	}
}

// writeCursor commits a held-back cursor on its own.
func (s *session) writeCursor(ctx context.Context) error {
	if !s.cursorDirty {
		return nil
	}
	next := s.liveCursor()
	if err := s.sink.Apply(ctx, connectors.Batch{Cursor: next.encode()}); err != nil {
		return fmt.Errorf("maildir: commit cursor: %w", err)
	}
	s.cur = &next
	s.lastCursor, s.cursorDirty = s.c.now(), false
	return nil
}
