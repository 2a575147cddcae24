package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/lullhq/lull/app/inbox"
)

// ThreadScan is a state's items newest first with the threads they belong
// to, read from one snapshot: what a view that shows one row per thread is
// built from.
type ThreadScan struct {
	// Version is the store's Version when the scan was read.
	Version uint64
	// IDs are the state's items (of one source, if asked), newest received first.
	IDs []inbox.ID
	// Received are the received times of IDs, index for index.
	Received []time.Time
	// Threads holds "<account>/<thread>" for the items whose thread has more
	// than one item (in any state); an item not in it is a thread of its own.
	Threads map[inbox.ID]string
}

// ScanThreads reads the ids of a state (and source, when not empty) in list
// order and the thread of each one that shares its thread. It reads index
// keys only, never items: a scan of 100,000 items costs about as much as
// iterating that many keys twice.
func (s *Store) ScanThreads(ctx context.Context, st inbox.State, src inbox.Source) (ThreadScan, error) {
	if err := s.enter(ctx); err != nil {
		return ThreadScan{}, fmt.Errorf("store: scan threads: %w", err)
	}
	defer s.life.RUnlock()
	if !st.Valid() || (src != "" && !src.Valid()) {
		return ThreadScan{}, fmt.Errorf("store: scan threads: bad state %q or source %q", st, src)
	}
	var out ThreadScan
	err := s.db.View(func(txn *badger.Txn) error {
		out.Version = txn.ReadTs()
		threads, err := multiThreads(ctx, txn)
		if err != nil {
			return err
		}
		out.Threads = threads
		prefix, count := receivedPrefix(st), countKey(st)
		if src != "" {
			prefix, count = sourceReceivedPrefix(src, st), sourceCountKey(src, st)
		}
		// Sized once from the state's counter: growing them by doubling
		// allocated three times as much at 100,000 items.
		n, err := readCount(txn, count)
		if err != nil {
			return err
		}
		out.IDs = make([]inbox.ID, 0, max(0, n))
		out.Received = make([]time.Time, 0, max(0, n))
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if len(out.IDs)%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			key := it.Item().Key()
			rev := binary.BigEndian.Uint64(key[len(prefix) : len(prefix)+8])
			out.IDs = append(out.IDs, idFromReceivedKey(len(prefix), key))
			out.Received = append(out.Received, time.Unix(0, math.MaxInt64-int64(rev)))
		}
		return nil
	})
	if err != nil {
		return ThreadScan{}, fmt.Errorf("store: scan threads: %w", err)
	}
	return out, nil
}

// multiThreads maps every item whose thread has more than one item to
// "<account>/<thread>", from the thread index keys t/<account>/<thread>\x00<id>.
func multiThreads(ctx context.Context, txn *badger.Txn) (map[inbox.ID]string, error) {
	out := map[inbox.ID]string{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixThread)})
	defer it.Close()
	var group []byte // the current thread's key prefix, up to and with the NUL
	// The current thread's member ids, back to back in buf with their ends
	// in ends: most threads have one item, whose id needs no string.
	var buf []byte
	var ends []int
	var sep []byte
	flush := func() {
		if len(ends) > 1 {
			name := string(group[len(prefixThread) : len(group)-1])
			start := 0
			for _, end := range ends {
				out[inbox.ID(buf[start:end])] = name
				start = end
			}
		}
		buf, ends = buf[:0], ends[:0]
	}
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		if n++; n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		key := it.Item().Key()
		// t/<account>/<thread>\x00<account>/<native>: the account has no
		// slash, and the id starts with it again after the last such NUL.
		rest := key[len(prefixThread):]
		slash := bytes.IndexByte(rest, '/')
		if slash < 0 {
			continue // not a thread key this code wrote
		}
		sep = append(append(sep[:0], 0), rest[:slash+1]...)
		nul := bytes.LastIndex(rest, sep)
		if nul < 0 {
			continue
		}
		end := len(prefixThread) + nul + 1
		if group == nil || !bytes.Equal(key[:end], group) {
			flush()
			group = append(group[:0], key[:end]...)
		}
		buf = append(buf, key[end:]...)
		ends = append(ends, len(buf))
	}
	flush()
	return out, nil
}

// ThreadItems returns every item of id's thread, id's included, without
// bodies; an item without a thread is a thread of one.
func (s *Store) ThreadItems(ctx context.Context, id inbox.ID) ([]inbox.Item, error) {
	if err := s.enter(ctx); err != nil {
		return nil, fmt.Errorf("store: thread of %s: %w", id, err)
	}
	defer s.life.RUnlock()
	var out []inbox.Item
	err := s.db.View(func(txn *badger.Txn) error {
		rec, err := getRecord(txn, id)
		if err != nil {
			return err
		}
		if rec.Thread == "" {
			out = []inbox.Item{rec.Item}
			return nil
		}
		prefix := threadPrefix(rec.Account, rec.Thread)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			m, err := getRecord(txn, inbox.ID(it.Item().Key()[len(prefix):]))
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, m.Item)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: thread of %s: %w", id, err)
	}
	return out, nil
}
