// Package store is Lull's Badger-backed local inbox: items, their state,
// thread and time indexes, per-state counters and each account's sync cursor.
//
// One Store owns one Badger database. Writes (Apply, SetTriage,
// DeleteAccount) are serialised by a single writer mutex, so counters kept in
// the same transaction as the items they count can never drift; reads run
// concurrently on Badger snapshots. A connector's batch and its cursor commit
// in one transaction, so a crash never loses an acknowledged item nor makes a
// resumed sync duplicate one.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// ErrNotFound is returned, wrapped, for an item id the store does not hold.
var ErrNotFound = errors.New("store: not found")

// ErrClosed is returned by every method called after Close.
var ErrClosed = errors.New("store: closed")

// ErrBatchTooLarge is returned, wrapped, when a Batch does not fit in one
// transaction; nothing of it was written. See MaxBatchItems.
var ErrBatchTooLarge = errors.New("store: batch too large for one transaction")

// defaultGCInterval is how often value-log GC runs when Options leaves it 0.
const defaultGCInterval = 5 * time.Minute

// Options configures Open.
type Options struct {
	Dir        string        // required unless InMemory
	InMemory   bool          // tests only
	GCInterval time.Duration // value-log GC ticker; 0 = 5 minutes; <0 disables
	Logger     *slog.Logger  // nil = slog.Default()
}

// Store is the local inbox. It is safe for concurrent use.
type Store struct {
	db  *badger.DB
	log *slog.Logger
	now func() time.Time

	// writeMu serialises writers; see the package comment.
	writeMu sync.Mutex

	// life guards db against use after Close: methods hold it for reading,
	// Close takes it for writing.
	life   sync.RWMutex
	closed bool

	stopGC chan struct{}
	gcDone chan struct{}
}

// Open opens (creating if needed) the store in opts.Dir, brings its schema up
// to date and starts value-log GC.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	switch {
	case opts.InMemory && opts.Dir != "":
		return nil, errors.New("store: open: Dir must be empty when InMemory is set")
	case !opts.InMemory && opts.Dir == "":
		return nil, errors.New("store: open: no data folder given")
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "store")
	if !opts.InMemory {
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
		}
	}
	db, err := openBadger(ctx, opts, log)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, log: log, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		if cerr := db.Close(); cerr != nil {
			log.Warn("failed to close database after failed open", "err", cerr)
		}
		return nil, err
	}
	interval := opts.GCInterval
	if interval == 0 {
		interval = defaultGCInterval
	}
	if interval > 0 && !opts.InMemory {
		s.stopGC = make(chan struct{})
		s.gcDone = make(chan struct{})
		go s.gcLoop(interval)
	}
	return s, nil
}

// ErrLocked means another process has the data folder open. Open waits
// LockWait for it before giving up, so a `lull focus` that briefly opened the
// store does not stop the app from starting, and the other way round.
var ErrLocked = errors.New("store: the data folder is in use by another Lull process")

// LockWait is how long Open waits for another process to release the folder.
const LockWait = 5 * time.Second

func openBadger(ctx context.Context, opts Options, log *slog.Logger) (*badger.DB, error) {
	deadline := time.Now().Add(LockWait)
	for {
		db, err := badger.Open(badgerOptions(opts, log))
		if err == nil {
			return db, nil
		}
		// Badger reports the directory lock only in its message.
		if !strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("store: open %s: %w", opts.Dir, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("store: open %s: %w", opts.Dir, ErrLocked)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("store: open %s: %w", opts.Dir, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Close stops value-log GC and closes the database. It waits for running
// calls to finish. Calling it again does nothing.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.stopGC != nil {
		close(s.stopGC)
		<-s.gcDone
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// enter starts a call: it fails once the store is closed or ctx is done.
// The caller must call s.life.RUnlock when it returns nil.
func (s *Store) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return ErrClosed
	}
	return nil
}

// gcLoop runs value-log GC on every tick until Close. Each round rewrites
// files while Badger finds one worth rewriting (at least half garbage).
func (s *Store) gcLoop(interval time.Duration) {
	defer close(s.gcDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stopGC:
			return
		case <-t.C:
		}
		for {
			select {
			case <-s.stopGC:
				return
			default:
			}
			err := s.db.RunValueLogGC(0.5)
			if err == nil {
				continue
			}
			if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
				s.log.Warn("value-log GC failed", "err", err)
			}
			break
		}
	}
}
