package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// schemaVersion is the layout this code reads and writes (see keys.go).
const schemaVersion = 1

// migration rewrites the data of one schema version into the next. It may use
// several transactions; the version key moves on only after it returns nil,
// so a migration must be safe to run again after a crash.
type migration func(ctx context.Context, db *badger.DB) error

// migrations returns the upgrades in order: element v-1 upgrades version v
// to v+1, so there are schemaVersion-1 of them. Version 1 is the first
// layout: there is nothing to migrate yet.
func migrations() [schemaVersion - 1]migration {
	return [schemaVersion - 1]migration{}
}

// migrate writes the schema version into an empty database, upgrades an
// older one and refuses a newer one.
func (s *Store) migrate(ctx context.Context) error {
	v, err := readSchema(s.db)
	if err != nil {
		return err
	}
	switch {
	case v > schemaVersion:
		return fmt.Errorf("store: data folder was written by a newer Lull (schema %d > %d)", v, schemaVersion)
	case v == schemaVersion:
		return nil
	case v == 0:
		return s.db.Update(func(txn *badger.Txn) error {
			if err := txn.Set([]byte(keySchema), encodeSchema(schemaVersion)); err != nil {
				return fmt.Errorf("store: write schema version: %w", err)
			}
			return nil
		})
	}
	steps := migrations()
	for ; v < schemaVersion; v++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("store: migrate schema %d: %w", v, err)
		}
		s.log.Info("migrating store", "from", v, "to", v+1)
		if err := steps[v-1](ctx, s.db); err != nil {
			return fmt.Errorf("store: migrate schema %d to %d: %w", v, v+1, err)
		}
		err := s.db.Update(func(txn *badger.Txn) error {
			return txn.Set([]byte(keySchema), encodeSchema(v+1))
		})
		if err != nil {
			return fmt.Errorf("store: migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return nil
}

// readSchema returns the stored schema version, or 0 for an empty database.
func readSchema(db *badger.DB) (uint64, error) {
	var v uint64
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keySchema))
		if errors.Is(err, badger.ErrKeyNotFound) {
			it := txn.NewIterator(badger.IteratorOptions{})
			defer it.Close()
			if it.Rewind(); it.Valid() {
				return fmt.Errorf("store: data folder holds data but no schema version (first key %q)", it.Item().Key())
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: read schema version: %w", err)
		}
		return item.Value(func(val []byte) error {
			if len(val) != 8 {
				return fmt.Errorf("store: schema version has %d bytes, want 8", len(val))
			}
			v = binary.BigEndian.Uint64(val)
			if v == 0 {
				return errors.New("store: schema version is 0")
			}
			return nil
		})
	})
	return v, err
}

func encodeSchema(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
