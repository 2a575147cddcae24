package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/store"
)

// A bleve batch becomes one segment, and the fewer segments the less
// merging: a 2,000-document batch builds an index a third faster than a
// 500-document one. A batch also holds its documents' text until it is
// written, so it is cut at batchBytes of text too.
const (
	batchDocs  = 2000
	batchBytes = 16 << 20
	// readChunk is how many items are read from the store at a time.
	readChunk = 250
)

// retryDelay is how long the worker waits after a failed write to retry.
const retryDelay = time.Second

// CatchUp brings the index up to date with the store as it is now: it
// indexes every item written after the index's version, drops documents
// whose items are gone, and records the store version it reached. On a new
// (or rebuilt) index that is every item. It is what Start runs first, and
// what `lull search` runs before searching.
func (x *Index) CatchUp(ctx context.Context) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	start := time.Now()
	since := x.version.Load()
	cur, err := x.st.Version(ctx)
	if err != nil {
		return fmt.Errorf("search: catch up: %w", err)
	}
	if since > cur {
		// Versions only grow, unless the store's newest keys were deleted
		// and compacted away: versions here mean nothing, redo everything.
		x.log.Warn("search index is ahead of the store; reindexing everything", "index", since, "store", cur)
		since = 0
	}
	// Only items written after since are read: at start-up after a quiet
	// spell that is a few tables, not the 100k item headers of the store.
	var changed []inbox.ID
	readTs, total, err := x.st.ChangedItems(ctx, since, func(id inbox.ID, _ uint64) error {
		changed = append(changed, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("search: catch up: %w", err)
	}
	if err := x.indexLocked(ctx, changed, 0); err != nil {
		return fmt.Errorf("search: catch up: %w", err)
	}
	n, err := x.idx.DocCount()
	if err != nil {
		return fmt.Errorf("search: catch up: %w", err)
	}
	// Every item is now in the index (those written after since were just
	// indexed, the older ones were already), so a count other than the
	// store's means documents of deleted items are left: list every item
	// and drop the rest.
	dropped := 0
	if int(n) != total {
		var all []inbox.ID
		if _, err := x.st.ItemVersions(ctx, func(id inbox.ID, _ uint64) error {
			all = append(all, id)
			return nil
		}); err != nil {
			return fmt.Errorf("search: catch up: %w", err)
		}
		if dropped, err = x.dropMissingLocked(ctx, all); err != nil {
			return fmt.Errorf("search: catch up: %w", err)
		}
	}
	if err := x.setVersionLocked(readTs); err != nil {
		return fmt.Errorf("search: catch up: %w", err)
	}
	// A catch-up can be minutes of work: have it on disk before saying
	// it is done, so a crash right after does not redo it.
	if err := x.waitPersistedLocked(ctx); err != nil {
		return fmt.Errorf("search: catch up: %w", err)
	}
	if len(changed) > 0 || dropped > 0 {
		x.log.Info("search index caught up", "indexed", len(changed), "dropped", dropped,
			"items", total, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// Refresh indexes ids as the store holds them now (dropping those it no
// longer holds), without waiting for the store watch. A caller that wants
// its own write searchable before it returns calls it; Start's watch makes
// it unnecessary otherwise.
func (x *Index) Refresh(ctx context.Context, ids ...inbox.ID) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	if err := x.indexLocked(ctx, ids, 0); err != nil {
		return fmt.Errorf("search: refresh: %w", err)
	}
	return nil
}

// indexLocked reads ids from the store and writes their documents (or
// deletes them) in batches. When version is past the index's, the last
// batch records it, so it commits with the documents or not at all.
func (x *Index) indexLocked(ctx context.Context, ids []inbox.ID, version uint64) error {
	b := x.idx.NewBatch()
	docs, size := 0, 0
	for start := 0; start < len(ids); start += readChunk {
		items, missing, err := x.st.Items(ctx, ids[start:min(start+readChunk, len(ids))])
		if err != nil {
			return err
		}
		for i := range items {
			doc := newDocument(&items[i])
			if err := b.Index(doc.ID, doc); err != nil {
				return fmt.Errorf("failed to index %s: %w", doc.ID, err)
			}
			docs++
			size += len(doc.Body) + len(doc.Snippet) + len(doc.Title)
		}
		for _, id := range missing {
			b.Delete(string(id))
			docs++
		}
		if docs >= batchDocs || size >= batchBytes {
			if err := x.writeLocked(b); err != nil {
				return err
			}
			b = x.idx.NewBatch()
			docs, size = 0, 0
		}
	}
	if version > x.version.Load() {
		b.SetInternal(keyVersion, encodeVersion(version))
	}
	if b.Size() == 0 {
		return nil
	}
	if err := x.writeLocked(b); err != nil {
		return err
	}
	if version > x.version.Load() {
		x.version.Store(version)
	}
	return nil
}

// writeLocked applies b. It is searchable when writeLocked returns and on
// disk once x.persisted yields.
func (x *Index) writeLocked(b *bleve.Batch) error {
	ch := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { ch <- err })
	if err := x.idx.Batch(b); err != nil {
		return err
	}
	x.persisted = ch
	return nil
}

// waitPersistedLocked waits until every batch written so far is on disk:
// scorch persists in order, so the last one is enough.
func (x *Index) waitPersistedLocked(ctx context.Context) error {
	if x.persisted == nil {
		return nil
	}
	select {
	case err := <-x.persisted:
		if err == nil {
			x.persisted = nil
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dropMissingLocked deletes the documents whose ids are not in all (sorted,
// as the store lists them). It returns how many it deleted.
func (x *Index) dropMissingLocked(ctx context.Context, all []inbox.ID) (int, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return 0, err
	}
	r, err := adv.Reader()
	if err != nil {
		return 0, err
	}
	var gone []string
	err = func() error {
		defer r.Close()
		docs, err := r.DocIDReaderAll()
		if err != nil {
			return err
		}
		defer docs.Close()
		for n := 0; ; n++ {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			iid, err := docs.Next()
			if err != nil {
				return err
			}
			if iid == nil {
				return nil
			}
			ext, err := r.ExternalID(iid)
			if err != nil {
				return err
			}
			id := inbox.ID(ext)
			if i := sort.Search(len(all), func(i int) bool { return all[i] >= id }); i == len(all) || all[i] != id {
				gone = append(gone, ext)
			}
		}
	}()
	if err != nil {
		return 0, err
	}
	for chunk := range slices.Chunk(gone, batchDocs) {
		b := x.idx.NewBatch()
		for _, id := range chunk {
			b.Delete(id)
		}
		if err := x.writeLocked(b); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

func (x *Index) setVersionLocked(v uint64) error {
	if v == x.version.Load() {
		return nil
	}
	b := x.idx.NewBatch()
	b.SetInternal(keyVersion, encodeVersion(v))
	if err := x.writeLocked(b); err != nil {
		return err
	}
	x.version.Store(v)
	return nil
}

func encodeVersion(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// Start keeps the index in step with the store until Close (call it once): it starts
// watching the store's item writes, then, in the background, catches up
// and indexes each write as it commits. Searches work meanwhile; their
// Results say Indexing until the catch-up is done. ctx bounds the whole run.
func (x *Index) Start(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	// Watch before catching up: a write between the catch-up's snapshot
	// and the watch would be seen by neither.
	watchDone, err := x.st.WatchItems(ctx, x.enqueue)
	if err != nil {
		cancel()
		return fmt.Errorf("search: start: %w", err)
	}
	x.mu.Lock()
	x.cancel, x.done = cancel, make(chan struct{})
	x.mu.Unlock()
	go x.work(ctx, watchDone)
	return nil
}

// enqueue is the store watch's callback: it must not block.
func (x *Index) enqueue(ids []inbox.ID, version uint64) {
	x.mu.Lock()
	for _, id := range ids {
		x.pending[id] = struct{}{}
	}
	x.pendingVersion = max(x.pendingVersion, version)
	x.mu.Unlock()
	x.signal()
}

func (x *Index) signal() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// work is the one goroutine that writes the index for the watch. It
// returns once the watch has ended too, so nothing is queued after Close.
func (x *Index) work(ctx context.Context, watchDone <-chan error) {
	defer close(x.done)
	defer func() {
		for range watchDone {
		}
	}()
	for delay := retryDelay; ; delay = min(2*delay, time.Minute) {
		err := x.CatchUp(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil || errors.Is(err, store.ErrClosed) {
			return
		}
		x.log.Error("search index catch-up failed; retrying", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
	x.mu.Lock()
	x.caughtUp = true
	x.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-watchDone:
			if err != nil && ctx.Err() == nil {
				x.log.Error("search index stopped following the store", "err", err)
			}
			return
		case <-x.wake:
		}
		if err := x.flush(ctx); err != nil && ctx.Err() == nil {
			x.log.Warn("search index update failed; retrying", "err", err, "in", retryDelay)
			time.AfterFunc(retryDelay, x.signal)
		}
	}
}

// flush indexes what the watch reported so far. The version goes with the
// last batch: only once every reported write is indexed.
func (x *Index) flush(ctx context.Context) error {
	x.mu.Lock()
	ids := make([]inbox.ID, 0, len(x.pending))
	for id := range x.pending {
		ids = append(ids, id)
	}
	version := x.pendingVersion
	clear(x.pending)
	x.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	x.writeMu.Lock()
	err := x.indexLocked(ctx, ids, version)
	x.writeMu.Unlock()
	if err != nil {
		x.mu.Lock()
		for _, id := range ids {
			x.pending[id] = struct{}{}
		}
		x.mu.Unlock()
		return err
	}
	return nil
}
