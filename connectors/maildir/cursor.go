package maildir

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// cursorVersion changes when the cursor's meaning does; an older cursor is
// dropped and the account syncs again from the start (idempotently: same ids).
const cursorVersion = 1

// cursor is the connector's resume point, stored as JSON by the engine.
//
// During the initial sync it is small whatever the mailbox size: the sync
// goes newest first in the order (mtime descending, folder, unique name),
// and each folder records the position of the last file committed (MTime
// and After). A restart re-lists the folders and skips every file at or
// above its folder's position, and no newer than Started: a file newer than
// that arrived while Lull was away and is picked up as new mail instead.
//
// Once the initial sync is over, each folder records Known: the set of
// messages the sink holds and whether each was seen. Without it a restart
// could not name the messages deleted, nor the flags changed, while Lull was
// not running. It is the unique names sorted, front-coded and
// flate-compressed, 5 to 15 bytes a message, and it is written with live
// batches (rate-limited for large mailboxes; see cursorEvery).
//
// What this cannot see: a message committed by an interrupted initial sync
// and deleted before it resumed stays in the inbox (the positions do not
// name it), as does one added in the last cursorEvery before a crash of a
// mailbox past cursorSmall and deleted before the restart.
type cursor struct {
	V int `json:"v"`
	// Started is when the initial sync first listed the tree (Unix ns).
	Started int64 `json:"started"`
	// Backfilled says the initial sync is over and Known is authoritative.
	Backfilled bool `json:"backfilled,omitempty"`
	// Since is the start of the last full scan whose result Known holds
	// (Unix ns). An unknown file changed after it is new mail; one changed
	// before it is old mail coming into view (a longer sync_days, say) and
	// is added silently.
	Since   int64                    `json:"since,omitempty"`
	Folders map[string]*folderCursor `json:"folders,omitempty"`
}

// folderCursor is one folder's part of the cursor.
type folderCursor struct {
	// MTime (Unix ns) and After (a unique name) are the initial sync's
	// position in this folder; After is empty before its first file.
	MTime int64  `json:"mtime,omitempty"`
	After string `json:"after,omitempty"`
	// Known is the encoded known set (encodeKnown), after the initial sync.
	Known []byte `json:"known,omitempty"`
}

// committed reports whether the initial sync's position in this folder is
// at or past e, in newest-first order.
func (fc *folderCursor) committed(e entry) bool {
	if fc == nil || fc.After == "" {
		return false
	}
	t := e.mtime.UnixNano()
	return t > fc.MTime || (t == fc.MTime && e.unique <= fc.After)
}

func (c *cursor) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("maildir: encode cursor: %v", err)) // strings, ints and bytes cannot fail
	}
	return b
}

// decodeCursor parses raw; nil raw is no cursor.
func decodeCursor(raw []byte) (*cursor, error) {
	if raw == nil {
		return nil, nil
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("maildir: decode cursor: %w", err)
	}
	if c.V != cursorVersion {
		return nil, fmt.Errorf("maildir: cursor version %d, want %d", c.V, cursorVersion)
	}
	if c.Started <= 0 {
		return nil, errors.New("maildir: cursor has no start time")
	}
	for name, fc := range c.Folders {
		if fc == nil {
			delete(c.Folders, name)
		}
	}
	return &c, nil
}

func (c *cursor) started() time.Time { return time.Unix(0, c.Started) }

// maxKnown bounds what decodeKnown accepts, so a corrupt cursor cannot make
// it allocate without end.
const maxKnown = 10_000_000

// encodeKnown encodes a folder's known set: the count, then for each unique
// name in sorted order uvarint(shared<<1 | seen), uvarint(len(rest)), rest,
// where shared is the length of the prefix it shares with the name before.
// Maildir names share long prefixes (the delivery time, the host), so the
// front coding and flate together keep 100k messages near a megabyte.
func encodeKnown(msgs map[string]msg) []byte {
	names := make([]string, 0, len(msgs))
	for u := range msgs {
		names = append(names, u)
	}
	slices.Sort(names)
	var raw bytes.Buffer
	raw.Grow(len(names) * 16)
	var tmp [binary.MaxVarintLen64]byte
	put := func(v uint64) { raw.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	put(uint64(len(names)))
	prev := ""
	for _, u := range names {
		shared := commonPrefix(prev, u)
		head := uint64(shared) << 1
		if msgs[u].seen {
			head |= 1
		}
		put(head)
		put(uint64(len(u) - shared))
		raw.WriteString(u[shared:])
		prev = u
	}
	var out bytes.Buffer
	zw, _ := flate.NewWriter(&out, flate.BestSpeed) // only fails for a bad level
	zw.Write(raw.Bytes())
	zw.Close()
	return out.Bytes()
}

// decodeKnown is the inverse of encodeKnown. The messages it returns have no
// location yet: the first scan finds their files.
func decodeKnown(b []byte) (map[string]msg, error) {
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b)), maxKnown*64))
	if err != nil {
		return nil, fmt.Errorf("maildir: decode known set: %w", err)
	}
	r := bytes.NewReader(raw)
	n, err := binary.ReadUvarint(r)
	if err != nil || n > maxKnown || n > uint64(len(raw)) {
		return nil, fmt.Errorf("maildir: decode known set: bad count")
	}
	out := make(map[string]msg, n)
	var prev string
	for range n {
		head, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("maildir: decode known set: %w", err)
		}
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("maildir: decode known set: %w", err)
		}
		shared := head >> 1
		if shared > uint64(len(prev)) || size > uint64(r.Len()) {
			return nil, errors.New("maildir: decode known set: corrupt entry")
		}
		var sb strings.Builder
		sb.Grow(int(shared + size))
		sb.WriteString(prev[:shared])
		rest := make([]byte, size)
		r.Read(rest)
		sb.Write(rest)
		u := sb.String()
		if u == "" || u <= prev && prev != "" {
			return nil, errors.New("maildir: decode known set: names out of order")
		}
		out[u] = msg{seen: head&1 == 1}
		prev = u
	}
	return out, nil
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
