package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/lullhq/lull/app/inbox"
)

// Blob names of the triage queues (see blob.go for the others).
const (
	// BlobSnoozeWoken maps the items that came back from snooze to their
	// wake-up time, so the inbox can show them on top.
	BlobSnoozeWoken = "snooze-woken"
	// BlobDueAnnounced holds the respond-by time up to which due items
	// were announced in a digest.
	BlobDueAnnounced = "due-announced"
)

// timePrefix is the time index of a state: respond-by for Later, wake-up
// for Snoozed.
func timePrefix(st inbox.State) (string, bool) {
	switch st {
	case inbox.StateLater:
		return prefixDue, true
	case inbox.StateSnoozed:
		return prefixSnoozed, true
	}
	return "", false
}

// idFromTimeKey returns the id part of a key made by timeKey.
func idFromTimeKey(prefixLen int, key []byte) inbox.ID {
	return inbox.ID(key[prefixLen+8+1:])
}

// timeFromTimeKey returns the time part of a key made by timeKey.
func timeFromTimeKey(prefixLen int, key []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(key[prefixLen:prefixLen+8])))
}

// ListByTime returns one window of the Later or Snoozed items in the order
// their views show them: Later by respond-by time, Snoozed by wake-up time,
// soonest first, so overdue items lead. Items of the state without a time
// (none are written that way, but a hand-edited or older store may hold
// them) follow, newest received first.
//
// Unlike List it reads the index up to the end of the window key by key:
// these queues hold what a person means to come back to, hundreds at most,
// not the whole mail archive.
func (s *Store) ListByTime(ctx context.Context, q inbox.Query) (inbox.Page, error) {
	q = q.Normalize()
	if err := s.enter(ctx); err != nil {
		return inbox.Page{}, fmt.Errorf("store: list %s: %w", q.State, err)
	}
	defer s.life.RUnlock()
	prefix, ok := timePrefix(q.State)
	if !ok {
		return inbox.Page{}, fmt.Errorf("store: list by time: state %q has no time index", q.State)
	}
	if q.Source != "" && !q.Source.Valid() {
		return inbox.Page{}, fmt.Errorf("store: list: unknown source %q", q.Source)
	}
	page := inbox.Page{Offset: q.Offset, Items: []inbox.Summary{}}
	err := s.db.View(func(txn *badger.Txn) error {
		all, err := readCount(txn, countKey(q.State))
		if err != nil {
			return err
		}
		page.Total = int(all)
		if q.Source != "" {
			n, err := readCount(txn, sourceCountKey(q.Source, q.State))
			if err != nil {
				return err
			}
			page.Total = int(n)
		}
		ids, err := timeOrder(ctx, txn, prefix, q.State, int(all))
		if err != nil {
			return err
		}
		skipped := 0
		for _, id := range ids {
			if len(page.Items) == q.Limit {
				break
			}
			if q.Source == "" && skipped < q.Offset {
				skipped++
				continue
			}
			rec, err := getRecord(txn, id)
			if err != nil {
				return err
			}
			if q.Source != "" {
				if rec.Source != q.Source {
					continue
				}
				if skipped < q.Offset {
					skipped++
					continue
				}
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

// timeOrder lists the ids of a state in time-index order, then those the
// index lacks; all is how many items the state holds.
func timeOrder(ctx context.Context, txn *badger.Txn, prefix string, st inbox.State, all int) ([]inbox.ID, error) {
	ids := make([]inbox.ID, 0, all)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
	for it.Rewind(); it.Valid(); it.Next() {
		if len(ids)%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				it.Close()
				return nil, err
			}
		}
		ids = append(ids, idFromTimeKey(len(prefix), it.Item().Key()))
	}
	it.Close()
	if len(ids) >= all {
		return ids, nil
	}
	timed := make(map[inbox.ID]bool, len(ids))
	for _, id := range ids {
		timed[id] = true
	}
	rp := receivedPrefix(st)
	rit := txn.NewIterator(badger.IteratorOptions{Prefix: rp})
	defer rit.Close()
	for rit.Rewind(); rit.Valid(); rit.Next() {
		if id := idFromReceivedKey(len(rp), rit.Item().Key()); !timed[id] {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// DueBetween returns the Later items whose respond-by time is in
// (after, upto], soonest first, without bodies: the replies that came due in
// that span.
func (s *Store) DueBetween(ctx context.Context, after, upto time.Time) ([]inbox.Item, error) {
	var out []inbox.Item
	err := s.scanTimes(ctx, prefixDue, after, upto, 0, func(txn *badger.Txn, id inbox.ID) error {
		rec, err := getRecord(txn, id)
		if err != nil {
			return err
		}
		out = append(out, rec.Item)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: due items: %w", err)
	}
	return out, nil
}

// SnoozedUntil returns up to limit ids of snoozed items whose wake-up time
// is at or before upto, soonest first: the items to bring back now.
func (s *Store) SnoozedUntil(ctx context.Context, upto time.Time, limit int) ([]inbox.ID, error) {
	var out []inbox.ID
	err := s.scanTimes(ctx, prefixSnoozed, time.Time{}, upto, limit, func(_ *badger.Txn, id inbox.ID) error {
		out = append(out, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: snoozed items: %w", err)
	}
	return out, nil
}

// scanTimes calls fn for the ids of a time index whose time is in
// (after, upto] (from the start when after is zero), at most limit (0: no
// limit) of them.
func (s *Store) scanTimes(ctx context.Context, prefix string, after, upto time.Time, limit int, fn func(*badger.Txn, inbox.ID) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.life.RUnlock()
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
		defer it.Close()
		start := []byte(prefix)
		if !after.IsZero() {
			start = binary.BigEndian.AppendUint64([]byte(prefix), uint64(clampNano(after)+1))
		}
		n := 0
		for it.Seek(start); it.Valid(); it.Next() {
			key := it.Item().Key()
			if timeFromTimeKey(len(prefix), key).After(upto) {
				return nil
			}
			if n%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := fn(txn, idFromTimeKey(len(prefix), key)); err != nil {
				return err
			}
			if n++; limit > 0 && n >= limit {
				return nil
			}
		}
		return nil
	})
}
