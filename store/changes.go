package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/lullhq/lull/app/inbox"
)

// What this file offers is for indexes kept beside the store (the full-text
// index in package search): they need to know what changed since they last
// looked, cheaply, and to hear about changes as they commit.
//
// A "version" here is Badger's commit timestamp. Every committed transaction
// gets one, they only grow (Badger restarts from the highest version it
// holds), and every key remembers the version that last wrote it. So "the
// items written after version v" is a keys-only scan of i/ comparing each
// key's version, and nothing extra is written on the item path.

// Blob names used by this file; see blob.go for the others.
const (
	// blobStoreID holds a random identifier of this data folder, so an index
	// can tell that it was built from another store (whose versions mean
	// nothing here).
	blobStoreID = "store-id"
	// blobWatch is written by WatchItems until its subscription sees it.
	blobWatch = "watch"
)

// watchReadyTimeout bounds how long WatchItems waits for its subscription.
const watchReadyTimeout = 10 * time.Second

// ID returns the random identifier of this store, creating it on first use.
// It changes only when the data folder is replaced.
func (s *Store) ID(ctx context.Context) (string, error) {
	if err := s.enter(ctx); err != nil {
		return "", fmt.Errorf("store: id: %w", err)
	}
	defer s.life.RUnlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var id string
	err := s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(blobKey(blobStoreID))
		if err == nil {
			return item.Value(func(val []byte) error { id = string(val); return nil })
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		id = hex.EncodeToString(b[:])
		return txn.Set(blobKey(blobStoreID), []byte(id))
	})
	if err != nil {
		return "", fmt.Errorf("store: id: %w", err)
	}
	return id, nil
}

// Version returns the version of the latest committed write: every write so
// far has a version at most this.
func (s *Store) Version(ctx context.Context) (uint64, error) {
	if err := s.enter(ctx); err != nil {
		return 0, fmt.Errorf("store: version: %w", err)
	}
	defer s.life.RUnlock()
	txn := s.db.NewTransaction(false)
	defer txn.Discard()
	return txn.ReadTs(), nil
}

// ChangedItems calls fn, in id order and from one snapshot, with the id and
// version of every item whose last write is newer than since, and returns
// the snapshot's version and how many items it holds. Badger skips whole
// tables with nothing newer than since, so after a quiet spell it reads
// little of a large store; since 0 visits every item. An item deleted
// after since is not visited: the total tells a caller that it is gone.
func (s *Store) ChangedItems(ctx context.Context, since uint64, fn func(id inbox.ID, version uint64) error) (version uint64, total int, err error) {
	if err := s.enter(ctx); err != nil {
		return 0, 0, fmt.Errorf("store: changed items: %w", err)
	}
	defer s.life.RUnlock()
	err = s.db.View(func(txn *badger.Txn) error {
		version = txn.ReadTs()
		counts, err := readCounts(txn)
		if err != nil {
			return err
		}
		for _, n := range counts {
			total += n
		}
		return eachItemVersion(ctx, txn, since, fn)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: changed items: %w", err)
	}
	return version, total, nil
}

// ItemVersions calls fn with the id of every item and the version of the
// write that last changed it, in id order, from one snapshot. It reads keys
// only, so it is cheap even for 100k items. It returns the snapshot's
// version: every item write up to it was seen.
func (s *Store) ItemVersions(ctx context.Context, fn func(id inbox.ID, version uint64) error) (uint64, error) {
	if err := s.enter(ctx); err != nil {
		return 0, fmt.Errorf("store: item versions: %w", err)
	}
	defer s.life.RUnlock()
	var readTs uint64
	err := s.db.View(func(txn *badger.Txn) error {
		readTs = txn.ReadTs()
		return eachItemVersion(ctx, txn, 0, fn)
	})
	if err != nil {
		return 0, fmt.Errorf("store: item versions: %w", err)
	}
	return readTs, nil
}

// eachItemVersion calls fn with the id and version of every item in txn
// whose last write is newer than since (0: every item), in id order.
func eachItemVersion(ctx context.Context, txn *badger.Txn, since uint64, fn func(id inbox.ID, version uint64) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixItem), SinceTs: since})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		n++
		item := it.Item()
		if err := fn(inbox.ID(item.Key()[len(prefixItem):]), item.Version()); err != nil {
			return err
		}
	}
	return nil
}

// Items returns the items of ids that the store holds, bodies included, in
// the order of ids, from one snapshot; missing lists the ids it does not
// hold (deleted, or never there).
func (s *Store) Items(ctx context.Context, ids []inbox.ID) (items []inbox.Item, missing []inbox.ID, err error) {
	if err := s.enter(ctx); err != nil {
		return nil, nil, fmt.Errorf("store: items: %w", err)
	}
	defer s.life.RUnlock()
	err = s.db.View(func(txn *badger.Txn) error {
		items = make([]inbox.Item, 0, len(ids))
		for i, id := range ids {
			if i%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			it, err := getItem(txn, id)
			if errors.Is(err, ErrNotFound) {
				missing = append(missing, id)
				continue
			}
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: items: %w", err)
	}
	return items, missing, nil
}

// getItem reads the header and bodies of id.
func getItem(txn *badger.Txn, id inbox.ID) (inbox.Item, error) {
	rec, err := getRecord(txn, id)
	if err != nil {
		return inbox.Item{}, err
	}
	it := rec.Item
	if !rec.HasBody {
		return it, nil
	}
	bi, err := txn.Get(bodyKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return it, nil // a missing body is not worth failing a whole scan for
	}
	if err != nil {
		return inbox.Item{}, fmt.Errorf("failed to read body of %s: %w", id, err)
	}
	err = bi.Value(func(val []byte) error {
		var body bodyRecord
		if err := json.Unmarshal(val, &body); err != nil {
			return fmt.Errorf("failed to decode body of %s: %w", id, err)
		}
		it.Body, it.HTML = body.Body, body.HTML
		return nil
	})
	return it, err
}

// Summaries returns the list rows of the ids the store holds, in the order
// of ids, skipping missing ones. It reads headers only.
func (s *Store) Summaries(ctx context.Context, ids []inbox.ID) ([]inbox.Summary, error) {
	if err := s.enter(ctx); err != nil {
		return nil, fmt.Errorf("store: summaries: %w", err)
	}
	defer s.life.RUnlock()
	out := make([]inbox.Summary, 0, len(ids))
	err := s.db.View(func(txn *badger.Txn) error {
		for _, id := range ids {
			rec, err := getRecord(txn, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			tc, err := threadCount(txn, &rec.Item)
			if err != nil {
				return err
			}
			out = append(out, rec.Summarize(tc))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: summaries: %w", err)
	}
	return out, nil
}

// WatchItems arranges for fn to be called with the ids of the items that
// each commit created, changed or deleted, with the highest version among
// them, in commit order, from one goroutine, until ctx ends or the store
// closes. It returns once the watch is in place: every item write that
// commits after it returns is reported. done yields the reason the watch
// ended (ctx's error, or nil when the store closed) and is then closed.
//
// fn must return quickly: Badger delivers every watcher's updates from one
// goroutine, and a slow fn holds up writers once its queue fills. That is
// why fn gets ids, never items, so fn queues them and reads them later.
//
// Deliveries are at least once: Badger's value-log GC rewrites keys it
// moves, which reports them again.
func (s *Store) WatchItems(ctx context.Context, fn func(ids []inbox.ID, version uint64)) (done <-chan error, err error) {
	if err := s.enter(ctx); err != nil {
		return nil, fmt.Errorf("store: watch: %w", err)
	}
	db := s.db
	// The subscription lives on after this call, but a held read lock would
	// keep Close from ever running: Close ends the subscription instead.
	s.life.RUnlock()

	sentinel := blobKey(blobWatch)
	ready := make(chan struct{})
	var once sync.Once
	cb := func(kvs *badger.KVList) error {
		var ids []inbox.ID
		var version uint64
		for _, kv := range kvs.GetKv() {
			if bytes.Equal(kv.GetKey(), sentinel) {
				once.Do(func() { close(ready) })
				continue
			}
			ids = append(ids, inbox.ID(kv.GetKey()[len(prefixItem):]))
			version = max(version, kv.GetVersion())
		}
		if len(ids) > 0 {
			fn(ids, version)
		}
		return nil
	}
	subCtx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		defer cancel()
		err := db.Subscribe(subCtx, cb, []pb.Match{{Prefix: []byte(prefixItem)}, {Prefix: sentinel}})
		if errors.Is(err, context.Canceled) && ctx.Err() == nil {
			err = nil // ended by Close, not by the caller
		}
		errc <- err
		close(errc)
	}()

	// Subscribe registers itself from its goroutine; there is no signal
	// for it. Write a sentinel until the subscription reports one: from
	// then on it sees every write.
	deadline := time.After(watchReadyTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := s.SetBlob(ctx, blobWatch, []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil {
			cancel()
			return nil, fmt.Errorf("store: watch: %w", err)
		}
		select {
		case <-ready:
			return errc, nil
		case err := <-errc:
			cancel()
			if err == nil {
				err = ErrClosed
			}
			return nil, fmt.Errorf("store: watch: %w", err)
		case <-deadline:
			cancel()
			return nil, errors.New("store: watch: the subscription did not start")
		case <-tick.C:
		}
	}
}
