package store

import (
	"context"
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
	val, err := s.value(ctx, blobKey(name))
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
