package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// MaxBatchItems is the largest batch a connector should hand to Apply. One
// Batch is one Badger transaction, and with the desktop memtable size a
// transaction holds about 1.2 MB of keys and inline values (see
// badgerOptions), which 500 items with their indexes stay under
// (TestBatchTooLarge writes 500 items of about 1.7 kB each). A batch
// that does not fit fails with ErrBatchTooLarge and writes nothing.
const MaxBatchItems = 500

// badgerOptions sizes Badger for a desktop app rather than a server.
//
// DefaultOptions assumes a database server: 64 MB memtables times five, a
// 256 MB block cache, 1 GB value-log files, four compactors and chatty info
// logs. A personal inbox of 100k items is a few hundred MB at most and shares
// the machine with a browser engine, so everything is scaled down:
//
//   - MemTableSize 8 MB, NumMemtables 2: at most ~16 MB of memtables. The
//     active memtable's arena is live Go heap the whole time the app runs, so
//     it is kept small. It also caps one transaction at 15% of a memtable
//     (~1.2 MB), hence MaxBatchItems.
//   - ValueThreshold 1 KB: item headers are small and stay in the LSM tree,
//     where List reads them; bodies (b/<id>) mostly go to the value log, which
//     keeps the tree and its compactions small. A 500-item batch then needs
//     well under 1.2 MB of transaction space whatever the bodies weigh.
//   - ValueLogFileSize 64 MB: value-log GC rewrites whole files, so small
//     files let it reclaim space from re-synced bodies in small steps.
//   - Compression off, BlockCacheSize 0: Badger then reads blocks straight
//     from its memory-mapped tables, pages the kernel shares and may drop,
//     instead of decompressing them into a block cache on the Go heap. With
//     Snappy and a 32 MB cache the live heap at 100k items was ~55 MB, over
//     the window's 64 MB soft limit, and the collector ran nonstop: a
//     Counts took 46 ms instead of 0.1 ms. Item headers are short, so the
//     tables grow by less than they would for bodies (which live in the
//     value log, never compressed). Tables an older Lull wrote stay Snappy
//     until compaction rewrites them; Badger reads both.
//   - IndexCacheSize 16 MB: bounds memory for table indexes that would
//     otherwise all sit in RAM.
//   - NumCompactors 2 (Badger refuses 1), NumLevelZeroTables 3: fewer
//     goroutines and less L0 build-up between compactions.
//   - DetectConflicts off: Store serialises writers with its own mutex.
//   - SyncWrites stays off: a batch and its cursor commit together, so after
//     a power cut the store can only fall back to an earlier consistent
//     point, which the connector fetches again; a process crash (kill -9)
//     loses nothing, since Badger's writes are already in the OS page cache.
func badgerOptions(opts Options, log *slog.Logger) badger.Options {
	o := badger.DefaultOptions(opts.Dir)
	if opts.InMemory {
		o = badger.DefaultOptions("").WithInMemory(true)
	}
	return o.
		WithLogger(badgerLogger{log: log, min: slog.LevelWarn}).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithValueThreshold(1 << 10).
		WithValueLogFileSize(64 << 20).
		WithCompression(options.None).
		WithBlockCacheSize(0).
		WithIndexCacheSize(16 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(8).
		WithDetectConflicts(false).
		WithMetricsEnabled(false)
}

// badgerLogger sends Badger's log lines to slog, dropping those below min.
type badgerLogger struct {
	log *slog.Logger
	min slog.Level
}

func (l badgerLogger) Errorf(f string, a ...any)   { l.logf(slog.LevelError, f, a...) }
func (l badgerLogger) Warningf(f string, a ...any) { l.logf(slog.LevelWarn, f, a...) }
func (l badgerLogger) Infof(f string, a ...any)    { l.logf(slog.LevelInfo, f, a...) }
func (l badgerLogger) Debugf(f string, a ...any)   { l.logf(slog.LevelDebug, f, a...) }

func (l badgerLogger) logf(level slog.Level, format string, args ...any) {
	if level < l.min || !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(format, args...)), "component", "badger")
}
