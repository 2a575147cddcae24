package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/lullhq/lull/app/inbox"
)

// Batch is one atomic write from a connector for one account.
type Batch struct {
	Account string
	Upserts []inbox.Item // applied in order, before Removes
	Removes []inbox.ID
	// Marks set Unread on items already held; unknown ids are ignored.
	Marks  []Mark
	Cursor []byte // nil: leave the account cursor unchanged
	// Purge makes Removes delete items the user marked done too. Without
	// it a done item outlives its source (an email archived on done is
	// expunged from the inbox folder) and stays in the Done history.
	Purge bool
}

// Mark sets the read state of one item.
type Mark struct {
	ID     inbox.ID
	Unread bool
}

// Applied says what a batch changed.
type Applied struct {
	New     []inbox.ID // first seen in this batch (not present before)
	Updated []inbox.ID // present before, and their stored content changed
	Removed []inbox.ID // only ids that existed
}

// Apply writes b in one transaction: every upsert, every remove and the
// cursor become visible together or not at all.
//
// An upsert of an id the store already holds replaces what the connector
// owns and keeps the item's Triage, so the user's decisions survive a
// re-sync; an identical re-sync writes nothing and is not reported as
// Updated. A new item with no triage state lands in the inbox. An id both
// upserted and removed in one batch ends up removed.
//
// A batch must fit in one Badger transaction; keep it to MaxBatchItems
// items. A larger one may fail with ErrBatchTooLarge, writing nothing.
func (s *Store) Apply(ctx context.Context, b Batch) (Applied, error) {
	if err := s.enter(ctx); err != nil {
		return Applied{}, fmt.Errorf("store: apply %s: %w", b.Account, err)
	}
	defer s.life.RUnlock()
	if err := checkAccount(b.Account); err != nil {
		return Applied{}, fmt.Errorf("store: apply: %w", err)
	}
	for i := range b.Upserts {
		it := &b.Upserts[i]
		if err := it.Validate(); err != nil {
			return Applied{}, fmt.Errorf("store: apply %s: %w", b.Account, err)
		}
		if it.Account != b.Account {
			return Applied{}, fmt.Errorf("store: apply %s: item %s belongs to account %q", b.Account, it.ID, it.Account)
		}
	}
	for _, id := range append(slices.Clone(b.Removes), markIDs(b.Marks)...) {
		acct, _, err := id.Split()
		if err != nil {
			return Applied{}, fmt.Errorf("store: apply %s: %w", b.Account, err)
		}
		if acct != b.Account {
			return Applied{}, fmt.Errorf("store: apply %s: cannot remove %s of account %q", b.Account, id, acct)
		}
	}

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var res Applied
	err := s.db.Update(func(txn *badger.Txn) error {
		res = Applied{}
		w := newWriter(txn, s)
		// New ids are created by this batch; existed ids were there before.
		created := map[inbox.ID]bool{}
		updated := map[inbox.ID]bool{}
		for i := range b.Upserts {
			if i%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec, body := splitItem(b.Upserts[i])
			id := rec.ID
			old, found, err := w.load(id)
			if err != nil {
				return err
			}
			if !found {
				if rec.Triage.State == "" {
					rec.Triage.State = inbox.StateInbox
				}
				if err := w.put(nil, &rec, &body); err != nil {
					return err
				}
				created[id] = true
				res.New = append(res.New, id)
				continue
			}
			rec.Triage = old.Triage
			changed, err := w.replace(&old, &rec, &body)
			if err != nil {
				return err
			}
			if changed && !created[id] && !updated[id] {
				updated[id] = true
				res.Updated = append(res.Updated, id)
			}
		}
		for _, m := range b.Marks {
			old, found, err := w.load(m.ID)
			if err != nil {
				return err
			}
			if !found || old.Unread == m.Unread {
				continue
			}
			rec := old
			rec.Unread = m.Unread
			if _, err := w.replace(&old, &rec, nil); err != nil {
				return err
			}
			if !created[m.ID] && !updated[m.ID] {
				updated[m.ID] = true
				res.Updated = append(res.Updated, m.ID)
			}
		}
		removed := map[inbox.ID]bool{}
		for _, id := range b.Removes {
			old, found, err := w.load(id)
			if err != nil {
				return err
			}
			if !found || (old.Triage.State == inbox.StateDone && !b.Purge) {
				continue
			}
			if err := w.put(&old, nil, nil); err != nil {
				return err
			}
			removed[id] = true
			if !created[id] {
				res.Removed = append(res.Removed, id)
			}
		}
		if len(removed) > 0 {
			res.New = dropIDs(res.New, removed)
			res.Updated = dropIDs(res.Updated, removed)
		}
		if b.Cursor != nil {
			if err := w.set(cursorKey(b.Account), bytes.Clone(b.Cursor)); err != nil {
				return err
			}
		}
		return w.flushCounts()
	})
	if errors.Is(err, badger.ErrTxnTooBig) {
		return Applied{}, fmt.Errorf("store: apply %s: %w (%d upserts, %d removes; keep batches to %d items): %w",
			b.Account, ErrBatchTooLarge, len(b.Upserts), len(b.Removes), MaxBatchItems, err)
	}
	if err != nil {
		return Applied{}, fmt.Errorf("store: apply %s: %w", b.Account, err)
	}
	return res, nil
}

func markIDs(marks []Mark) []inbox.ID {
	ids := make([]inbox.ID, len(marks))
	for i, m := range marks {
		ids[i] = m.ID
	}
	return ids
}

// SetTriage records the user's decision about id and returns the one it
// replaces. A zero t.Changed becomes now.
func (s *Store) SetTriage(ctx context.Context, id inbox.ID, t inbox.Triage) (prev inbox.Triage, err error) {
	if err := s.enter(ctx); err != nil {
		return inbox.Triage{}, fmt.Errorf("store: set triage %s: %w", id, err)
	}
	defer s.life.RUnlock()
	if !t.State.Valid() {
		return inbox.Triage{}, fmt.Errorf("store: set triage %s: unknown state %q", id, t.State)
	}
	if t.Changed.IsZero() {
		t.Changed = s.now()
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	err = s.db.Update(func(txn *badger.Txn) error {
		w := newWriter(txn, s)
		old, found, err := w.load(id)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		prev = old.Triage
		rec := old
		rec.Triage = t
		if _, err := w.replace(&old, &rec, nil); err != nil {
			return err
		}
		return w.flushCounts()
	})
	if err != nil {
		return inbox.Triage{}, fmt.Errorf("store: set triage %s: %w", id, err)
	}
	return prev, nil
}

// deleteChunk bounds how many items DeleteAccount removes per transaction.
const deleteChunk = 256

// DeleteAccount removes every item of account with its indexes, and its
// cursor. Large accounts are removed in several transactions, cursor first:
// if it is interrupted, the items left are consistent, a new account of the
// same name starts a full sync, and calling DeleteAccount again finishes.
func (s *Store) DeleteAccount(ctx context.Context, account string) error {
	if err := s.enter(ctx); err != nil {
		return fmt.Errorf("store: delete account %s: %w", account, err)
	}
	defer s.life.RUnlock()
	if err := checkAccount(account); err != nil {
		return fmt.Errorf("store: delete account: %w", err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Delete(cursorKey(account))
	})
	if err != nil {
		return fmt.Errorf("store: delete account %s: %w", account, err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("store: delete account %s: %w", account, err)
		}
		ids, err := s.scanIDs(accountItemPrefix(account), deleteChunk)
		if err != nil {
			return fmt.Errorf("store: delete account %s: %w", account, err)
		}
		if len(ids) == 0 {
			break
		}
		err = s.db.Update(func(txn *badger.Txn) error {
			w := newWriter(txn, s)
			for _, id := range ids {
				old, found, err := w.load(id)
				if err != nil {
					return err
				}
				if found {
					if err := w.put(&old, nil, nil); err != nil {
						return err
					}
				}
			}
			return w.flushCounts()
		})
		if err != nil {
			return fmt.Errorf("store: delete account %s: %w", account, err)
		}
	}
	return nil
}

// scanIDs returns up to n ids of the item keys under prefix.
func (s *Store) scanIDs(prefix []byte, n int) ([]inbox.ID, error) {
	var ids []inbox.ID
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(ids) < n; it.Next() {
			ids = append(ids, inbox.ID(it.Item().Key()[len(prefixItem):]))
		}
		return nil
	})
	return ids, err
}

func checkAccount(account string) error {
	if account == "" || strings.Contains(account, "/") {
		return fmt.Errorf("invalid account name %q", account)
	}
	return nil
}

func dropIDs(ids []inbox.ID, drop map[inbox.ID]bool) []inbox.ID {
	out := ids[:0]
	for _, id := range ids {
		if !drop[id] {
			out = append(out, id)
		}
	}
	return out
}

// writer makes item changes inside one update transaction and keeps the
// counter changes they imply until flushCounts.
type writer struct {
	txn    *badger.Txn
	s      *Store
	deltas map[string]int64
}

func newWriter(txn *badger.Txn, s *Store) *writer {
	return &writer{txn: txn, s: s, deltas: map[string]int64{}}
}

func (w *writer) set(key, val []byte) error { return w.txn.Set(key, val) }

// load reads the header record of id, seeing this transaction's own writes.
func (w *writer) load(id inbox.ID) (record, bool, error) {
	item, err := w.txn.Get(itemKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, err
	}
	var rec record
	err = item.Value(func(val []byte) error {
		rec, err = decodeRecord(id, val)
		return err
	})
	return rec, err == nil, err
}

// replace writes rec over old, which must be its stored header. A nil body
// leaves the stored bodies alone. It reports whether anything changed.
func (w *writer) replace(old, rec *record, body *bodyRecord) (bool, error) {
	if body == nil {
		rec.HasBody = old.HasBody
	}
	oldVal, err := json.Marshal(old)
	if err != nil {
		return false, err
	}
	newVal, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	headerChanged := !bytes.Equal(oldVal, newVal)
	bodyChanged := false
	if body != nil {
		bodyChanged, err = w.bodyDiffers(old, rec, body)
		if err != nil {
			return false, err
		}
	}
	if !headerChanged && !bodyChanged {
		return false, nil
	}
	if !bodyChanged {
		body = nil
	}
	return true, w.write(old, rec, newVal, body)
}

// bodyDiffers reports whether body differs from the stored bodies of old.
func (w *writer) bodyDiffers(old, rec *record, body *bodyRecord) (bool, error) {
	if !old.HasBody || !rec.HasBody {
		return old.HasBody != rec.HasBody, nil
	}
	item, err := w.txn.Get(bodyKey(old.ID))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	var stored bodyRecord
	err = item.Value(func(val []byte) error { return json.Unmarshal(val, &stored) })
	if err != nil {
		return true, nil // unreadable: rewrite it
	}
	return stored != *body, nil
}

// put writes rec (nil: delete old) with its indexes and counters. old is the
// stored header or nil for a new item. A nil body leaves bodies alone.
func (w *writer) put(old, rec *record, body *bodyRecord) error {
	if rec == nil {
		return w.write(old, nil, nil, nil)
	}
	val, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return w.write(old, rec, val, body)
}

func (w *writer) write(old, rec *record, val []byte, body *bodyRecord) error {
	var oldIdx, newIdx [][]byte
	if old != nil {
		oldIdx = indexKeys(old)
		for _, k := range counterKeys(old) {
			w.deltas[string(k)]--
		}
	}
	if rec != nil {
		newIdx = indexKeys(rec)
		for _, k := range counterKeys(rec) {
			w.deltas[string(k)]++
		}
	}
	for _, k := range oldIdx {
		if !containsKey(newIdx, k) {
			if err := w.txn.Delete(k); err != nil {
				return err
			}
		}
	}
	for _, k := range newIdx {
		if !containsKey(oldIdx, k) {
			if err := w.txn.Set(k, nil); err != nil {
				return err
			}
		}
	}
	if rec == nil {
		if err := w.txn.Delete(itemKey(old.ID)); err != nil {
			return err
		}
		if old.HasBody {
			return w.txn.Delete(bodyKey(old.ID))
		}
		return nil
	}
	if err := w.txn.Set(itemKey(rec.ID), val); err != nil {
		return err
	}
	if body == nil {
		return nil
	}
	if rec.HasBody {
		bval, err := json.Marshal(body)
		if err != nil {
			return err
		}
		return w.txn.Set(bodyKey(rec.ID), bval)
	}
	if old != nil && old.HasBody {
		return w.txn.Delete(bodyKey(rec.ID))
	}
	return nil
}

// flushCounts applies the counter changes collected so far. A counter that
// reaches zero is deleted, so thread counters do not pile up.
func (w *writer) flushCounts() error {
	for k, d := range w.deltas {
		if d == 0 {
			continue
		}
		key := []byte(k)
		cur, err := readCount(w.txn, key)
		if err != nil {
			return err
		}
		n := cur + d
		if n < 0 {
			// Only a bug can get here; a clamped counter beats a store
			// that refuses every later write.
			w.s.log.Error("counter would go negative; clamped to 0", "key", k, "value", cur, "delta", d)
			n = 0
		}
		if n == 0 {
			err = w.txn.Delete(key)
		} else {
			err = w.txn.Set(key, encodeCount(n))
		}
		if err != nil {
			return err
		}
	}
	clear(w.deltas)
	return nil
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}
