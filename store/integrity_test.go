package store

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// checkIntegrity rebuilds every index and counter from the item records and
// fails t unless the database holds exactly those keys.
func checkIntegrity(t testing.TB, s *Store) {
	t.Helper()
	want := map[string][]byte{} // derived key → value (nil for empty)
	got := map[string][]byte{}
	counts := map[string]int64{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := string(it.Item().KeyCopy(nil))
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			switch {
			case k == keySchema, strings.HasPrefix(k, prefixCursor), strings.HasPrefix(k, prefixBody):
				continue // checked below or free-form
			case strings.HasPrefix(k, prefixItem):
				rec, err := decodeRecord("", v)
				if err != nil {
					return err
				}
				if got := string(itemKey(rec.ID)); got != k {
					return fmt.Errorf("item under %q has id %q", k, rec.ID)
				}
				if rec.Body != "" || rec.HTML != "" {
					return fmt.Errorf("item %s header holds a body", rec.ID)
				}
				if !rec.Triage.State.Valid() {
					return fmt.Errorf("item %s has state %q", rec.ID, rec.Triage.State)
				}
				for _, ik := range indexKeys(&rec) {
					want[string(ik)] = nil
				}
				for _, ck := range counterKeys(&rec) {
					counts[string(ck)]++
				}
				_, err = txn.Get(bodyKey(rec.ID))
				if rec.HasBody != (err == nil) {
					return fmt.Errorf("item %s: hasBody %v, body read: %v", rec.ID, rec.HasBody, err)
				}
			default:
				got[k] = v
			}
		}
		// Every body belongs to an item.
		bi := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixBody)})
		defer bi.Close()
		for bi.Rewind(); bi.Valid(); bi.Next() {
			id := bi.Item().Key()[len(prefixBody):]
			if _, err := txn.Get(append([]byte(prefixItem), id...)); err != nil {
				return fmt.Errorf("orphan body %q", id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("integrity: %v", err)
	}
	for k, n := range counts {
		want[k] = encodeCount(n)
	}
	var problems []string
	for k, v := range want {
		g, ok := got[k]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing %q", k))
		case !bytes.Equal(g, v) && !(len(g) == 0 && len(v) == 0):
			problems = append(problems, fmt.Sprintf("key %q = %x, want %x", k, g, v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			problems = append(problems, fmt.Sprintf("stray %q", k))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 20 {
			problems = append(problems[:20], "...")
		}
		t.Fatalf("integrity:\n%s", strings.Join(problems, "\n"))
	}
}
