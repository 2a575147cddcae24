package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/dgraph-io/badger/v4"
	"github.com/lullhq/lull/app/inbox"
)

// ctxCheckEvery is how many keys a long scan reads between context checks.
const ctxCheckEvery = 4096

// Get returns the whole item, bodies included. A missing id is ErrNotFound.
func (s *Store) Get(ctx context.Context, id inbox.ID) (inbox.Item, error) {
	if err := s.enter(ctx); err != nil {
		return inbox.Item{}, fmt.Errorf("store: get %s: %w", id, err)
	}
	defer s.life.RUnlock()
	var it inbox.Item
	err := s.db.View(func(txn *badger.Txn) error {
		rec, err := getRecord(txn, id)
		if err != nil {
			return err
		}
		it = rec.Item
		if !rec.HasBody {
			return nil
		}
		bi, err := txn.Get(bodyKey(id))
		if err != nil {
			return fmt.Errorf("failed to read body: %w", err)
		}
		return bi.Value(func(val []byte) error {
			var body bodyRecord
			if err := json.Unmarshal(val, &body); err != nil {
				return fmt.Errorf("failed to decode body: %w", err)
			}
			it.Body, it.HTML = body.Body, body.HTML
			return nil
		})
	})
	if err != nil {
		return inbox.Item{}, fmt.Errorf("store: get %s: %w", id, err)
	}
	return it, nil
}

// List returns one window of a state's items, newest first, as list rows.
// Total is the number of items the window is cut from (of q.Source, when
// set). Only the index keys before the window are read, never their items.
func (s *Store) List(ctx context.Context, q inbox.Query) (inbox.Page, error) {
	q = q.Normalize()
	if err := s.enter(ctx); err != nil {
		return inbox.Page{}, fmt.Errorf("store: list %s: %w", q.State, err)
	}
	defer s.life.RUnlock()
	if !q.State.Valid() {
		return inbox.Page{}, fmt.Errorf("store: list: unknown state %q", q.State)
	}
	if q.Source != "" && !q.Source.Valid() {
		return inbox.Page{}, fmt.Errorf("store: list: unknown source %q", q.Source)
	}
	prefix, total := receivedPrefix(q.State), countKey(q.State)
	if q.Source != "" {
		prefix, total = sourceReceivedPrefix(q.Source, q.State), sourceCountKey(q.Source, q.State)
	}
	page := inbox.Page{Offset: q.Offset}
	err := s.db.View(func(txn *badger.Txn) error {
		n, err := readCount(txn, total)
		if err != nil {
			return err
		}
		page.Total = int(n)
		ids, err := windowIDs(ctx, txn, prefix, q.Offset, q.Limit)
		if err != nil {
			return err
		}
		page.Items = make([]inbox.Summary, 0, len(ids))
		for _, id := range ids {
			rec, err := getRecord(txn, id)
			if err != nil {
				return err
			}
			tc, err := threadCount(txn, &rec.Item)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, rec.Summarize(tc))
		}
		return nil
	})
	if err != nil {
		return inbox.Page{}, fmt.Errorf("store: list %s: %w", q.State, err)
	}
	return page, nil
}

// windowIDs returns the ids of the limit keys after the first offset keys
// of a received index, reading keys only. The bucket counters take it close
// to the offset (see skipBuckets); only the rest of one fine bucket is
// walked key by key.
func windowIDs(ctx context.Context, txn *badger.Txn, prefix []byte, offset, limit int) ([]inbox.ID, error) {
	start, skip := prefix, offset
	if offset > 0 {
		rev, rest, ok, err := skipBuckets(txn, prefix, int64(offset))
		if err != nil {
			return nil, err
		}
		if ok {
			start, skip = revKey(prefix, rev), int(rest)
		}
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	it.Seek(start)
	for i := 0; i < skip && it.Valid(); i++ {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		it.Next()
	}
	var ids []inbox.ID
	for ; it.Valid() && len(ids) < limit; it.Next() {
		ids = append(ids, idFromReceivedKey(len(prefix), it.Item().Key()))
	}
	return ids, nil
}

// skipBuckets finds the finest bucket of a received index that holds the
// key at offset, by summing bucket counters level by level. It returns the
// first rev of that bucket and how many keys of the index lie between it and
// offset. ok is false when the counters do not add up (offset past the end,
// or counters out of step), and the caller walks from the start instead.
func skipBuckets(txn *badger.Txn, prefix []byte, offset int64) (rev uint64, rest int64, ok bool, err error) {
	lo, hi := uint64(0), uint64(math.MaxUint64) // rev range of the parent bucket
	rest = offset
	for level := range bucketLevels {
		shift := bucketShift(level)
		bp := bucketPrefix(level, prefix)
		found := false
		err = func() error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: bp})
			defer it.Close()
			for it.Seek(binary.BigEndian.AppendUint64(bytes.Clone(bp), lo>>shift)); it.Valid(); it.Next() {
				key := it.Item().Key()
				b := binary.BigEndian.Uint64(key[len(bp):])
				if b<<shift >= hi {
					return nil
				}
				var n int64
				if err := it.Item().Value(func(val []byte) error {
					var err error
					n, err = decodeCount(key, val)
					return err
				}); err != nil {
					return err
				}
				if rest >= n {
					rest -= n
					continue
				}
				lo, hi, found = b<<shift, (b+1)<<shift, true
				return nil
			}
			return nil
		}()
		if err != nil || !found {
			return 0, 0, false, err
		}
	}
	return lo, rest, true, nil
}

// Counts returns the number of items in every state, 0 for an empty one.
func (s *Store) Counts(ctx context.Context) (map[inbox.State]int, error) {
	if err := s.enter(ctx); err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	defer s.life.RUnlock()
	var counts map[inbox.State]int
	err := s.db.View(func(txn *badger.Txn) (err error) {
		counts, err = readCounts(txn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	return counts, nil
}

// readCounts reads how many items each state holds in txn.
func readCounts(txn *badger.Txn) (map[inbox.State]int, error) {
	counts := make(map[inbox.State]int, len(inbox.States))
	for _, st := range inbox.States {
		n, err := readCount(txn, countKey(st))
		if err != nil {
			return nil, err
		}
		counts[st] = int(n)
	}
	return counts, nil
}

// Cursor returns the sync cursor last committed for account, nil if none.
// An empty cursor that was set comes back as an empty, non-nil slice.
func (s *Store) Cursor(ctx context.Context, account string) ([]byte, error) {
	cur, err := s.value(ctx, cursorKey(account))
	if err != nil {
		return nil, fmt.Errorf("store: cursor %s: %w", account, err)
	}
	return cur, nil
}

// value reads one key: nil when it is absent, a non-nil slice (maybe empty)
// when it is set.
func (s *Store) value(ctx context.Context, key []byte) ([]byte, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	var val []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if val, err = item.ValueCopy(nil); val == nil {
			val = []byte{}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return val, nil
}

// AccountItemCount returns how many items account has, in every state.
func (s *Store) AccountItemCount(ctx context.Context, account string) (int, error) {
	if err := s.enter(ctx); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", account, err)
	}
	defer s.life.RUnlock()
	if err := checkAccount(account); err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: accountItemPrefix(account)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if n%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: count %s: %w", account, err)
	}
	return n, nil
}

func getRecord(txn *badger.Txn, id inbox.ID) (record, error) {
	item, err := txn.Get(itemKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return record{}, ErrNotFound
	}
	if err != nil {
		return record{}, err
	}
	var rec record
	err = item.Value(func(val []byte) error {
		rec, err = decodeRecord(id, val)
		return err
	})
	return rec, err
}

// threadCount is the number of items in it's thread, 1 when it has none.
func threadCount(txn *badger.Txn, it *inbox.Item) (int, error) {
	if it.Thread == "" {
		return 1, nil
	}
	n, err := readCount(txn, threadCountKey(it.Account, it.Thread))
	if err != nil {
		return 0, err
	}
	return max(int(n), 1), nil
}

// readCount reads an 8-byte counter; a missing one is 0.
func readCount(txn *badger.Txn, key []byte) (int64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	err = item.Value(func(val []byte) error {
		n, err = decodeCount(key, val)
		return err
	})
	return n, err
}
