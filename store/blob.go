package store

import (
	"context"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// Blob names the app uses. They are listed here so the key space stays in
// one package.
const (
	// BlobFocus holds the focus engine's state: held items, ad-hoc session,
	// breakthrough history. It must survive restart and kill -9.
	BlobFocus = "focus"
)

// Blob returns the app-level state stored under name, nil if none.
func (s *Store) Blob(ctx context.Context, name string) ([]byte, error) {
	if err := s.enter(ctx); err != nil {
		return nil, fmt.Errorf("store: blob %s: %w", name, err)
	}
	defer s.life.RUnlock()
	var val []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(blobKey(name))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		val, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: blob %s: %w", name, err)
	}
	return val, nil
}

// SetBlob replaces the app-level state stored under name.
func (s *Store) SetBlob(ctx context.Context, name string, val []byte) error {
	if err := s.enter(ctx); err != nil {
		return fmt.Errorf("store: set blob %s: %w", name, err)
	}
	defer s.life.RUnlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(blobKey(name), val) }); err != nil {
		return fmt.Errorf("store: set blob %s: %w", name, err)
	}
	return nil
}
