package store

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// Every Badger key the store writes is built here, so the layout can be read
// (and migrated) in one place. Keys are a one-letter prefix and a slash; the
// parts after it are plain strings except where a fixed-width big-endian
// number keeps byte order equal to time order.
//
// Account names never contain a slash (inbox.ID relies on it) and states and
// sources are closed sets without slashes, so "x/<account>/" style prefixes
// never match a longer account name. Thread keys are source-native and may
// contain anything, so they end with a NUL instead of a slash.
const (
	// keySchema holds the schema version as an 8-byte big-endian number.
	keySchema = "v"

	// i/<id> → item header: JSON of the item without Body and HTML (see record).
	// Because an id starts with "<account>/", i/<account>/ lists an account.
	prefixItem = "i/"
	// b/<id> → JSON of the item's Body and HTML, present only when one is
	// non-empty. Kept apart so List never decodes message bodies.
	prefixBody = "b/"

	// r/<state>/<rev received>/<id> → empty. The received-time index per
	// state; rev is math.MaxInt64-receivedUnixNano, so forward iteration is
	// newest first.
	prefixReceived = "r/"
	// s/<source>/<state>/<rev received>/<id> → empty. The same index per
	// source, so a source-filtered list is a plain prefix scan.
	prefixSourceReceived = "s/"

	// t/<account>/<thread>\x00<id> → empty. Items of a thread.
	prefixThread = "t/"
	// h/<account>/<thread> → 8-byte count of items in the thread, so a list
	// row's thread count is one point read.
	prefixThreadCount = "h/"

	// d/<unix nano respond-by>/<id> → empty. Later items that have a
	// respond-by time, soonest first, to find what came due.
	prefixDue = "d/"
	// z/<unix nano snooze-until>/<id> → empty. Snoozed items with a wake-up
	// time, soonest first.
	prefixSnoozed = "z/"

	// g/<name> → an app-level state blob, such as the focus engine's held set.
	prefixBlob = "g/"

	// c/<account> → the connector's opaque sync cursor.
	prefixCursor = "c/"

	// n/<state> → 8-byte count of items in the state.
	prefixCount = "n/"
	// m/<source>/<state> → 8-byte count of items of the source in the state.
	prefixSourceCount = "m/"

	// p/<level>/<index prefix><8-byte bucket> → 8-byte count of the keys of
	// a received index (r/<state>/ or s/<source>/<state>/) whose rev falls
	// in bucket rev>>bucketShift(level). They let List skip to a deep offset
	// by summing a few hundred counters instead of walking every key before
	// it; see windowIDs.
	prefixBucket = "p/"
)

// The received-index counters have bucketLevels levels, coarse to fine.
// Level L counts keys by rev>>bucketShift(L): buckets of 2^47 ns (about 39
// hours), 2^41 ns (37 minutes) and 2^35 ns (34 seconds). A level has at most
// 64 buckets inside one bucket of the level above, so a skip reads a few
// hundred counters for years of mail, then walks at most one fine bucket.
const (
	bucketLevels   = 3
	bucketTopShift = 47
	bucketStep     = 6
)

func bucketShift(level int) uint { return bucketTopShift - bucketStep*uint(level) }

func itemKey(id inbox.ID) []byte { return join(prefixItem, string(id)) }

func bodyKey(id inbox.ID) []byte { return join(prefixBody, string(id)) }

// accountItemPrefix is the prefix of every item key of account.
func accountItemPrefix(account string) []byte { return join(prefixItem, account, "/") }

func receivedPrefix(state inbox.State) []byte {
	return join(prefixReceived, string(state), "/")
}

func sourceReceivedPrefix(src inbox.Source, state inbox.State) []byte {
	return join(prefixSourceReceived, string(src), "/", string(state), "/")
}

// receivedKey appends the reverse-time part and the id to an index prefix.
func receivedKey(prefix []byte, received time.Time, id inbox.ID) []byte {
	k := make([]byte, 0, len(prefix)+8+1+len(id))
	k = append(k, prefix...)
	k = binary.BigEndian.AppendUint64(k, uint64(math.MaxInt64-clampNano(received)))
	k = append(k, '/')
	return append(k, id...)
}

// revKey is the first possible key of an index prefix at or after rev.
func revKey(prefix []byte, rev uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), rev)
}

// idFromReceivedKey returns the id part of a key made by receivedKey.
func idFromReceivedKey(prefixLen int, key []byte) inbox.ID {
	return inbox.ID(key[prefixLen+8+1:])
}

func threadPrefix(account, thread string) []byte {
	return join(prefixThread, account, "/", thread, "\x00")
}

func threadKey(account, thread string, id inbox.ID) []byte {
	return append(threadPrefix(account, thread), id...)
}

func threadCountKey(account, thread string) []byte {
	return join(prefixThreadCount, account, "/", thread)
}

func dueKey(at time.Time, id inbox.ID) []byte { return timeKey(prefixDue, at, id) }

func snoozedKey(at time.Time, id inbox.ID) []byte { return timeKey(prefixSnoozed, at, id) }

func timeKey(prefix string, at time.Time, id inbox.ID) []byte {
	k := make([]byte, 0, len(prefix)+8+1+len(id))
	k = append(k, prefix...)
	k = binary.BigEndian.AppendUint64(k, uint64(clampNano(at)))
	k = append(k, '/')
	return append(k, id...)
}

// bucketPrefix is the prefix of the level's bucket counters of an index.
func bucketPrefix(level int, indexPrefix []byte) []byte {
	return join(prefixBucket, string(rune('0'+level)), "/", string(indexPrefix))
}

func bucketKey(level int, indexPrefix []byte, received time.Time) []byte {
	rev := uint64(math.MaxInt64 - clampNano(received))
	return binary.BigEndian.AppendUint64(bucketPrefix(level, indexPrefix), rev>>bucketShift(level))
}

func cursorKey(account string) []byte { return join(prefixCursor, account) }

func blobKey(name string) []byte { return join(prefixBlob, name) }

func countKey(state inbox.State) []byte { return join(prefixCount, string(state)) }

func sourceCountKey(src inbox.Source, state inbox.State) []byte {
	return join(prefixSourceCount, string(src), "/", string(state))
}

// clampNano is t in Unix nanoseconds, clamped to be non-negative so the
// big-endian encoding sorts; times before 1970 are not real message times.
func clampNano(t time.Time) int64 {
	n := t.UnixNano()
	if n < 0 {
		return 0
	}
	return n
}

func join(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// indexKeys are the empty-valued index keys that point at rec.
func indexKeys(rec *record) [][]byte {
	it := &rec.Item
	st := it.Triage.State
	keys := [][]byte{
		receivedKey(receivedPrefix(st), it.Received, it.ID),
		receivedKey(sourceReceivedPrefix(it.Source, st), it.Received, it.ID),
	}
	if it.Thread != "" {
		keys = append(keys, threadKey(it.Account, it.Thread, it.ID))
	}
	if st == inbox.StateLater && !it.Triage.RespondBy.IsZero() {
		keys = append(keys, dueKey(it.Triage.RespondBy, it.ID))
	}
	if st == inbox.StateSnoozed && !it.Triage.SnoozeUntil.IsZero() {
		keys = append(keys, snoozedKey(it.Triage.SnoozeUntil, it.ID))
	}
	return keys
}

// counterKeys are the counters rec adds one to.
func counterKeys(rec *record) [][]byte {
	it := &rec.Item
	keys := [][]byte{
		countKey(it.Triage.State),
		sourceCountKey(it.Source, it.Triage.State),
	}
	for _, p := range [][]byte{receivedPrefix(it.Triage.State), sourceReceivedPrefix(it.Source, it.Triage.State)} {
		for level := range bucketLevels {
			keys = append(keys, bucketKey(level, p, it.Received))
		}
	}
	if it.Thread != "" {
		keys = append(keys, threadCountKey(it.Account, it.Thread))
	}
	return keys
}
