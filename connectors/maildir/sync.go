package maildir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

// Batch bounds: the store takes at most connectors' 500 items a batch, and
// a batch of parsed messages is held in memory until it commits.
const (
	batchItems = 500
	batchBytes = 16 << 20 // bytes of message files read for one batch
)

// sinceSlack widens the "changed since the last scan" test for file systems
// that keep whole seconds (HFS+, ext3) or two (FAT).
const sinceSlack = 2 * time.Second

// session is one run of Sync: the folders it follows and what it knows about
// them. It is owned by Sync's goroutine.
type session struct {
	c    *Connector
	sink connectors.Sink
	cur  *cursor // what the last committed batch carried; nil before the first

	folders     []*folderState // in discovery order
	byName      map[string]*folderState
	since       time.Time // start of the last full scan whose result the known sets hold
	gen         uint32    // numbers scans, to find what a listing no longer holds
	parseLogged int       // malformed messages logged this session

	// Live phase (watch.go).
	w             *fsnotify.Watcher
	byDir         map[string]watched                   // cur/ and new/ directories watched
	polling       bool                                 // some folder is polled instead of watched
	pending       map[*folderState]map[string]struct{} // "sub/name" touched since the last window
	dirty         map[*folderState]bool                // folders to list again in full
	needFull      bool                                 // rediscover and rescan everything
	missingLogged map[string]bool                      // configured folders not found, and folders that failed to list, logged once
	lastCursor    time.Time                            // when a live batch last carried the cursor
	cursorDirty   bool                                 // the known sets changed since then
}

// folderState is what a session knows about one folder.
type folderState struct {
	folder
	// msgs are the messages the sink holds, by unique name.
	msgs map[string]msg
	// ignored are files out of scope (older than sync_days, not regular,
	// unreadable), by unique name, so rescans skip them without a stat.
	ignored map[string]uint32 // unique → gen of the last scan that saw it
	// silent: the folder is new to the cursor (added to the folders
	// setting, or created since), so what it holds is added as backfill.
	silent bool
	// renamed are messages the initial sync listed but found gone when it
	// came to read them: renamed by a mail reader meanwhile. Found again,
	// they are old mail, added silently.
	renamed map[string]bool
}

// msg is one known message.
type msg struct {
	sub  string // where its file was last seen: "new" or "cur"; "" before the first scan
	name string
	seen bool
	gen  uint32
}

func (m msg) located() bool { return m.sub != "" }

func newFolderState(f folder) *folderState {
	return &folderState{folder: f, msgs: map[string]msg{}, ignored: map[string]uint32{}}
}

// Sync runs the initial sync (or resumes it), then follows the tree until ctx
// ends.
func (c *Connector) Sync(ctx context.Context, sink connectors.Sink) error {
	err := c.sync(ctx, sink)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (c *Connector) sync(ctx context.Context, sink connectors.Sink) error {
	raw, err := sink.Cursor(ctx)
	if err != nil {
		return fmt.Errorf("maildir: read cursor: %w", err)
	}
	cur, err := decodeCursor(raw)
	if err != nil {
		// A lost cursor costs a new initial sync, never a duplicate: the
		// ids are the same.
		c.log.Warn("maildir: unreadable cursor; syncing again from the start", "err", err)
		cur = nil
	}
	s := &session{
		c: c, sink: sink, cur: cur,
		byName:        map[string]*folderState{},
		byDir:         map[string]watched{},
		pending:       map[*folderState]map[string]struct{}{},
		dirty:         map[*folderState]bool{},
		missingLogged: map[string]bool{},
	}
	if cur != nil && cur.Backfilled {
		if err := s.resume(); err != nil {
			c.log.Warn("maildir: unreadable cursor; syncing again from the start", "err", err)
			s.reset()
		}
	}
	if s.cur == nil || !s.cur.Backfilled {
		if err := s.backfill(ctx); err != nil {
			return err
		}
	}
	return s.live(ctx)
}

// discover finds the configured folders; a configured name that matches no
// maildir is logged once per session, since it may be created later.
func (s *session) discover() ([]folder, error) {
	sel, missing, err := s.c.folderSet()
	if err != nil {
		return nil, err
	}
	for _, name := range missing {
		if !s.missingLogged[name] {
			s.missingLogged[name] = true
			s.c.log.Warn("maildir: configured folder not found", "folder", name, "path", s.c.root)
		}
	}
	return sel, nil
}

// id is the item id of the message unique in f.
func (s *session) id(f *folderState, unique string) inbox.ID {
	return inbox.NewID(s.c.account, f.Name+"/"+unique)
}

// todo is a message file to read into an item.
type todo struct {
	f   *folderState
	e   entry
	add bool // new to the sink, rather than an update of an item it holds
}

// backfill runs the initial sync, or resumes one from s.cur. It commits
// batches newest first, each with a cursor naming how far it got, and
// finishes with the known sets.
func (s *session) backfill(ctx context.Context) error {
	cur := s.cur
	if cur == nil {
		cur = &cursor{V: cursorVersion, Started: s.c.now().UnixNano()}
	}
	if cur.Folders == nil {
		cur.Folders = map[string]*folderCursor{}
	}
	started := cur.started()
	s.sink.Progress(connectors.Progress{Phase: "listing folders"})

	found, err := s.discover()
	if err != nil {
		return err
	}
	cutoff := s.c.cutoff()
	var work []todo
	for _, fo := range found {
		f := newFolderState(fo)
		s.folders = append(s.folders, f)
		s.byName[f.Name] = f
		entries, err := listFolder(f.Dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since discovery; the live phase sees it gone
			}
			return err
		}
		pos := cur.Folders[f.Name]
		for i, e := range entries {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if e.trashed {
				continue
			}
			if err := e.stat(f.Dir); err != nil {
				continue // gone meanwhile
			}
			if !e.regular || (!cutoff.IsZero() && e.mtime.Before(cutoff)) {
				f.ignored[e.unique] = 0
				continue
			}
			if e.mtime.After(started) {
				if s.cur != nil {
					continue // arrived while away: new mail, found by the live phase's first scan
				}
			} else if pos.committed(e) {
				f.msgs[e.unique] = msg{sub: e.sub, name: e.name, seen: e.seen}
				continue
			}
			work = append(work, todo{f: f, e: e, add: true})
		}
	}
	slices.SortFunc(work, func(a, b todo) int {
		return cmp.Or(b.e.mtime.Compare(a.e.mtime), strings.Compare(a.f.Name, b.f.Name), strings.Compare(a.e.unique, b.e.unique))
	})

	total := len(work)
	if total > 0 {
		s.sink.Progress(connectors.Progress{Done: 0, Total: total, Phase: "reading mail"})
	}
	for start := 0; start < total || start == 0; {
		end := start
		if total > 0 {
			end = chunkEnd(work, start, 0)
		}
		chunk := work[start:end]
		items, vanished, err := s.readItems(ctx, chunk)
		if err != nil {
			return err
		}
		var upserts []inbox.Item
		for i, t := range chunk {
			fc := cur.Folders[t.f.Name]
			if fc == nil {
				fc = &folderCursor{}
				cur.Folders[t.f.Name] = fc
			}
			fc.MTime, fc.After = t.e.mtime.UnixNano(), t.e.unique
			if vanished[i] {
				if t.f.renamed == nil {
					t.f.renamed = map[string]bool{}
				}
				t.f.renamed[t.e.unique] = true
			}
			if items[i].ID == "" {
				continue // vanished or unreadable
			}
			t.f.msgs[t.e.unique] = msg{sub: t.e.sub, name: t.e.name, seen: t.e.seen}
			upserts = append(upserts, items[i])
		}
		next := *cur
		if end == total {
			next = s.finalCursor(cur, started)
		}
		b := connectors.Batch{Upserts: upserts, Cursor: next.encode(), Backfill: true}
		if err := s.sink.Apply(ctx, b); err != nil {
			return fmt.Errorf("maildir: commit initial sync %d-%d of %d: %w", start, end, total, err)
		}
		s.cur = &next
		if end == total {
			break
		}
		s.sink.Progress(connectors.Progress{Done: end, Total: total, Phase: "reading mail"})
		start = end
	}
	s.sink.Progress(connectors.Progress{Done: total, Total: total, Phase: "reading mail", Finished: true})
	s.since = started
	s.lastCursor = s.c.now()
	return nil
}

// finalCursor is the cursor that ends the initial sync: positions dropped,
// known sets in.
func (s *session) finalCursor(cur *cursor, since time.Time) cursor {
	next := cursor{V: cursorVersion, Started: cur.Started, Backfilled: true, Since: since.UnixNano()}
	next.Folders = s.knownSets()
	return next
}

// knownSets encodes every folder's known set for the cursor.
func (s *session) knownSets() map[string]*folderCursor {
	out := make(map[string]*folderCursor, len(s.folders))
	for _, f := range s.folders {
		out[f.Name] = &folderCursor{Known: encodeKnown(f.msgs)}
	}
	return out
}

// chunkEnd returns the end of the batch that starts at work[start]: at most
// batchItems files less reserved (slots taken by removals), and about
// batchBytes read.
func chunkEnd(work []todo, start, reserved int) int {
	var bytes int64
	end := start
	for end < len(work) && end-start < batchItems-reserved {
		bytes += min(work[end].e.size, readLimit)
		if end > start && bytes > batchBytes {
			break
		}
		end++
	}
	return end
}

// reset forgets the cursor and the folders, for a fresh initial sync.
func (s *session) reset() {
	s.cur = nil
	s.folders = nil
	s.byName = map[string]*folderState{}
}

// resume loads the known sets of a finished initial sync. Folders are
// matched to the tree by the live phase's first scan, which also removes
// the items of folders that are gone.
func (s *session) resume() error {
	for _, name := range slices.Sorted(maps.Keys(s.cur.Folders)) {
		msgs, err := decodeKnown(s.cur.Folders[name].Known)
		if err != nil {
			return fmt.Errorf("maildir: cursor of folder %s: %w", name, err)
		}
		f := newFolderState(folder{Name: name})
		f.msgs = msgs
		s.folders = append(s.folders, f)
		s.byName[name] = f
	}
	s.since = time.Unix(0, s.cur.Since)
	s.lastCursor = s.c.now()
	return nil
}
