// Package search is Lull's full-text index: a bleve v2 index in
// <data dir>/search.bleve beside the Badger store, the query syntax of the /
// view and `lull search`, and the loop that keeps the index in step with the
// store.
//
// The store is the truth; the index only says which ids match. It records,
// in the same bleve batch as the documents, the store version (Badger commit
// timestamp) up to which it reflects every item write. On open it catches up
// by indexing the items written after that version and dropping documents
// whose items are gone, or rebuilds when the index is missing, unreadable,
// of another format or built from another store. So a crash between a store
// write and the index write it causes costs a catch-up at the next start,
// never a wrong search for long.
package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/store"
)

// DirName is the index's folder inside the data folder.
const DirName = "search.bleve"

// Internal keys the index keeps beside its documents (bleve SetInternal).
var (
	// keyFormat holds formatVersion.
	keyFormat = []byte("lull:format")
	// keyStore holds the store's ID.
	keyStore = []byte("lull:store")
	// keyVersion holds the store version (8 bytes, big-endian) up to which
	// every item write is reflected in the index. Absent: nothing is.
	keyVersion = []byte("lull:version")
)

// Options configure Open.
type Options struct {
	Logger *slog.Logger     // nil: slog.Default()
	Now    func() time.Time // nil: time.Now; fixes "today" in queries
}

// Index is the full-text index of one store. It is safe for concurrent use.
type Index struct {
	idx  bleve.Index
	st   *store.Store
	path string
	log  *slog.Logger
	now  func() time.Time

	// writeMu serialises index writes, so the version marker only moves
	// forward and only past writes that are indexed.
	writeMu sync.Mutex
	// version is the marker's value; it is written under writeMu.
	version atomic.Uint64
	// persisted yields when the last batch written is on disk (guarded by
	// writeMu; nil before the first).
	persisted chan error

	// pending collects what the store watch reported, for the worker.
	mu             sync.Mutex
	pending        map[inbox.ID]struct{}
	pendingVersion uint64
	caughtUp       bool // the worker finished its start-up catch-up
	wake           chan struct{}

	cancel context.CancelFunc
	done   chan struct{} // closed when the worker returns; nil before Start

	// last is what the last search found, for the next page of the same
	// search (see RunPage); guarded by mu.
	last searchMark
}

// searchMark is what a search found besides its ids: how many match, and
// where its page ended, with what it was asked and the index's version it
// ran on. The next page of the same search on the same index starts from it.
type searchMark struct {
	query         string
	after, before time.Time // q's bounds as parsed then: "yesterday" moves
	version       uint64
	total         int
	start, end    int      // the page's first offset, and the one just past it
	startSort     []string // the sort values of the page's first hit
	endSort       []string // and of its last
}

// same reports whether m is of the same search on the same index as o.
func (m searchMark) same(o searchMark) bool {
	return m.query == o.query && m.after.Equal(o.after) && m.before.Equal(o.before) && m.version == o.version
}

// Open opens the index in dir (the store's data folder), creating it, or
// rebuilding it from scratch when it is unreadable, of another format or
// built from another store. It does not catch up: call CatchUp (once, for a
// command) or Start (to keep it in step, in the app).
func Open(ctx context.Context, st *store.Store, dir string, opts Options) (*Index, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	x := &Index{
		st: st, path: filepath.Join(dir, DirName), log: opts.Logger.With("component", "search"),
		now: opts.Now, pending: map[inbox.ID]struct{}{}, wake: make(chan struct{}, 1),
	}
	storeID, err := st.ID(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: open: %w", err)
	}
	idx, err := bleve.OpenUsing(x.path, scorchConfig())
	switch {
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		idx, err = x.create(storeID)
	case err != nil:
		x.log.Warn("search index unreadable; rebuilding it", "path", x.path, "err", err)
		idx, err = x.recreate(storeID)
	default:
		if why := stale(idx, storeID); why != "" {
			x.log.Info("rebuilding search index", "reason", why)
			if cerr := idx.Close(); cerr != nil {
				x.log.Warn("failed to close stale search index", "err", cerr)
			}
			idx, err = x.recreate(storeID)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("search: open %s: %w", x.path, err)
	}
	x.idx = idx
	raw, err := idx.GetInternal(keyVersion)
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("search: open %s: %w", x.path, err)
	}
	if len(raw) == 8 {
		x.version.Store(binary.BigEndian.Uint64(raw))
	}
	return x, nil
}

// stale says why an open index cannot be caught up, "" when it can.
func stale(idx bleve.Index, storeID string) string {
	format, err := idx.GetInternal(keyFormat)
	if err != nil {
		return "cannot read its format: " + err.Error()
	}
	if string(format) != formatVersion {
		return fmt.Sprintf("format %q, want %q", format, formatVersion)
	}
	id, err := idx.GetInternal(keyStore)
	if err != nil {
		return "cannot read its store id: " + err.Error()
	}
	if string(id) != storeID {
		return "it was built from another data folder"
	}
	return ""
}

func (x *Index) recreate(storeID string) (bleve.Index, error) {
	if err := os.RemoveAll(x.path); err != nil {
		return nil, err
	}
	return x.create(storeID)
}

func (x *Index) create(storeID string) (bleve.Index, error) {
	idx, err := bleve.NewUsing(x.path, newMapping(), scorch.Name, scorch.Name, scorchConfig())
	if err != nil {
		return nil, err
	}
	b := idx.NewBatch()
	b.SetInternal(keyFormat, []byte(formatVersion))
	b.SetInternal(keyStore, []byte(storeID))
	// Without these on disk the index would be rebuilt at every open.
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	err = idx.Batch(b)
	if err == nil {
		err = <-persisted
	}
	if err != nil {
		idx.Close()
		return nil, err
	}
	return idx, nil
}

// scorchConfig lets a batch return once it is searchable, before it is on
// disk: scorch then writes batches in the background, in order, and a crash
// can only lose a suffix of them. That keeps the index consistent with its
// version marker, which travels in the same batches, and the catch-up on
// the next open redoes what was lost. Waiting for every batch to reach the
// disk would make a rebuild a third slower. CatchUp and Close wait for what
// was written to reach the disk (see write).
func scorchConfig() map[string]interface{} {
	return map[string]interface{}{"unsafe_batch": true}
}

// closePersistWait bounds how long Close waits for written batches to
// reach the disk; what does not is redone by the next catch-up.
const closePersistWait = 10 * time.Second

// Close stops the worker, waits for what was indexed to reach the disk and
// closes the index. The store stays open.
func (x *Index) Close() error {
	x.mu.Lock()
	cancel, done := x.cancel, x.done
	x.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	ctx, cancel := context.WithTimeout(context.Background(), closePersistWait)
	defer cancel()
	x.writeMu.Lock()
	err := x.waitPersistedLocked(ctx)
	x.writeMu.Unlock()
	if err != nil {
		x.log.Warn("search index closed before its last writes reached the disk; the next start redoes them", "err", err)
	}
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("search: close: %w", err)
	}
	return nil
}

// Version is the store version up to which the index reflects every item
// write.
func (x *Index) Version() uint64 { return x.version.Load() }

// DocCount is the number of items in the index.
func (x *Index) DocCount() (int, error) {
	n, err := x.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("search: count: %w", err)
	}
	return int(n), nil
}

// Results is one page of search results, newest first.
type Results struct {
	Items []inbox.Summary `json:"items"`
	// Offset is the place of Items[0] among all the matches.
	Offset int `json:"offset"`
	// Total is how many items match in all.
	Total int `json:"total"`
	// TookMS is how long the search took, in milliseconds.
	TookMS float64 `json:"tookMs"`
	// Indexing says the index is still catching up with the store (after
	// a crash, an upgrade or on first start, or behind a big sync), so
	// results may be missing: at least BacklogBehind items wait.
	Indexing bool `json:"indexing,omitempty"`
	// Backlog is how many items written to the store the index has yet to
	// take in (new or changed since), as far as known: a moment after a
	// write it is a few, and the results may lack them.
	Backlog int `json:"backlog,omitempty"`
}

// DefaultLimit is the number of results when the caller asks for none;
// MaxLimit the most one search returns.
const (
	DefaultLimit = 50
	MaxLimit     = 10000
)

// Run parses query, searches and returns up to limit list rows read from
// the store (DefaultLimit when limit <= 0, MaxLimit at most).
func (x *Index) Run(ctx context.Context, query string, limit int) (Results, error) {
	return x.RunPage(ctx, query, 0, limit)
}

// RunPage is Run from the offset-th match on, newest first: the window
// pages through a long result this way, one screenful at a time.
func (x *Index) RunPage(ctx context.Context, query string, offset, limit int) (Results, error) {
	start := time.Now()
	q, err := Parse(query, x.now())
	if err != nil {
		return Results{}, err
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	if offset < 0 {
		return Results{}, fmt.Errorf("search: offset %d is negative", offset)
	}
	// How far behind the index is, before it is searched: the answer then
	// holds at least what was indexed by now, so the backlog bounds what
	// it may lack. Taken after, a batch indexed in between would be
	// neither in the answer nor in the backlog.
	backlog, indexing := x.lag(ctx)
	// The same search on the same index said how many match and where its
	// page ended (the window's first search and the page before did): the
	// next page starts after that page's last hit, and one deep in a long
	// result is read from its end. G in 100,000 matches then sorts 100 hits,
	// not all of them, and so does each page while the list scrolls.
	mark := searchMark{query: query, after: q.After, before: q.Before, version: x.version.Load()}
	x.mu.Lock()
	last := x.last
	x.mu.Unlock()
	var known *searchMark
	if last.same(mark) {
		known = &last
	}
	pg, err := x.search(ctx, q, offset, min(limit, MaxLimit), known)
	if err != nil {
		return Results{}, err
	}
	if x.version.Load() == mark.version {
		mark.total, mark.start, mark.end = pg.total, offset, offset+len(pg.ids)
		mark.startSort, mark.endSort = pg.startSort, pg.endSort
		x.mu.Lock()
		x.last = mark
		x.mu.Unlock()
	}
	ids, total := pg.ids, pg.total
	rows, err := x.st.Summaries(ctx, ids)
	if err != nil {
		return Results{}, fmt.Errorf("search: %w", err)
	}
	// The store has the last word: drop rows the index is behind on.
	items := rows[:0]
	for _, r := range rows {
		if q.Matches(r) {
			items = append(items, r)
		}
	}
	total -= len(ids) - len(items)
	if len(items) > 0 {
		total = max(total, offset+len(items))
	}
	return Results{
		Items: items, Offset: offset, Total: max(total, 0), Indexing: indexing, Backlog: backlog,
		TookMS: float64(time.Since(start).Microseconds()) / 1000,
	}, nil
}

// BacklogBehind is how many written items the index may still have to
// take in before results say it is behind: a triage or a few new messages
// are indexed in a moment, a first sync's thousands are not.
const BacklogBehind = 100

// lag returns how many items the index has yet to take in, and whether that
// makes it behind (see behind). An index that is not following the store
// (a command's, caught up just before) is never behind.
func (x *Index) lag(ctx context.Context) (backlog int, indexing bool) {
	x.mu.Lock()
	started, caughtUp := x.done != nil, x.caughtUp
	backlog = len(x.pending) // reported, not yet taken by the worker
	x.mu.Unlock()
	if !started {
		return 0, false
	}
	// The watch reports writes a moment after they land: count them in the
	// store, unless the store has had no write since the index's version.
	// The start-up catch-up is behind anyway, and counting would read the
	// whole store's keys.
	if caughtUp {
		if v, err := x.st.Version(ctx); err == nil && v > x.version.Load() {
			if n, err := x.Backlog(ctx); err == nil {
				backlog = max(backlog, n)
			}
		}
	}
	return backlog, behind(caughtUp, backlog)
}

// behind reports that results may be missing many items: the start-up
// catch-up runs, or at least BacklogBehind items wait (a big first sync
// outruns the index).
func behind(caughtUp bool, backlog int) bool {
	return !caughtUp || backlog >= BacklogBehind
}

// Backlog counts the items written to the store since the index last took
// them in: 0 when every item the store holds is indexed as it is now. It
// reads only the store's keys newer than the index's version.
func (x *Index) Backlog(ctx context.Context) (int, error) {
	n := 0
	if _, _, err := x.st.ChangedItems(ctx, x.version.Load(), func(inbox.ID, uint64) error {
		n++
		return nil
	}); err != nil {
		return 0, fmt.Errorf("search: backlog: %w", err)
	}
	return n, nil
}

// Search returns the ids of the items matching q, newest first, from offset,
// at most limit, and how many match in all.
func (x *Index) Search(ctx context.Context, q Query, offset, limit int) ([]inbox.ID, int, error) {
	pg, err := x.search(ctx, q, offset, limit, nil)
	return pg.ids, pg.total, err
}

// page is one page of hits: their ids, newest first, how many hits there
// are in all, and the sort values of the page's first and last hits (nil
// if it is empty).
type page struct {
	ids                []inbox.ID
	total              int
	startSort, endSort []string
}

// newestFirst is the order of results; oldestFirst is its exact reverse.
var (
	newestFirst = []string{"-" + fieldSort, "_id"}
	oldestFirst = []string{fieldSort, "-_id"}
)

// search is Search, helped by what an earlier search of q on this index
// found (nil: nothing). bleve keeps the hits before the page's end in a
// heap to sort them, so a page deep in a long result costs a sort of all
// of them; with known it costs a sort of one page:
//   - the page that follows known's starts after known's last hit, and
//     the one before it ends before known's first (the list scrolls);
//   - a page in the second half of the matches is read from the end,
//     oldest first, and turned round.
//
// If the count has changed since known, it reads from the start.
func (x *Index) search(ctx context.Context, q Query, offset, limit int, known *searchMark) (page, error) {
	counts, err := x.st.Counts(ctx)
	if err != nil {
		return page{}, fmt.Errorf("search: %w", err)
	}
	bq := x.compile(q, counts)
	if known != nil && offset < known.total {
		total := known.total
		switch {
		case offset == known.end && known.endSort != nil:
			req := request(bq, 0, limit, newestFirst)
			req.SearchAfter = known.endSort
			pg, err := x.hits(ctx, req)
			if err != nil || pg.total == total {
				return pg, err
			}
		case offset+limit == known.start && known.startSort != nil:
			req := request(bq, 0, limit, newestFirst)
			req.SearchBefore = known.startSort
			pg, err := x.hits(ctx, req)
			if err != nil || pg.total == total {
				return pg, err
			}
		case offset > total/2:
			n := min(limit, total-offset)
			pg, err := x.hits(ctx, request(bq, total-offset-n, n, oldestFirst))
			if err != nil {
				return page{}, err
			}
			if pg.total == total {
				slices.Reverse(pg.ids)
				// Its sort values are of the same fields either way round.
				pg.startSort, pg.endSort = pg.endSort, pg.startSort
				return pg, nil
			}
		}
	}
	return x.hits(ctx, request(bq, offset, limit, newestFirst))
}

// request asks for size hits of bq from the from-th on, in the order of sortBy.
func request(bq query.Query, from, size int, sortBy []string) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(bq, size, from, false)
	req.SortBy(sortBy)
	req.Score = "none" // sorted by time: relevance would be computed for nothing
	return req
}

// hits runs req; the page is in the order bleve answered it.
func (x *Index) hits(ctx context.Context, req *bleve.SearchRequest) (page, error) {
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return page{}, fmt.Errorf("search: %w", err)
	}
	pg := page{ids: make([]inbox.ID, len(res.Hits)), total: int(res.Total)}
	for i, h := range res.Hits {
		pg.ids[i] = inbox.ID(h.ID)
	}
	if n := len(res.Hits); n > 0 {
		pg.startSort, pg.endSort = res.Hits[0].Sort, res.Hits[n-1].Sort
	}
	return pg, nil
}
