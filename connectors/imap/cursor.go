package imap

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// cursorVersion changes when the cursor's meaning does; an older cursor
// starts a fresh sync rather than being misread.
const cursorVersion = 1

// cursor is the account's resume point, committed with every batch.
type cursor struct {
	V       int                     `json:"v"`
	Folders map[string]*folderState `json:"folders"`
}

// folderState is what Lull knows of one folder.
type folderState struct {
	UIDValidity uint32 `json:"uidvalidity"`
	// Known are the UIDs whose items the store holds.
	Known uidList `json:"known"`
	// Pending are the UIDs the initial sync has still to fetch, newest
	// (highest) last so the next chunk is cut from the end.
	Pending uidList `json:"pending,omitempty"`
	// Planned says the initial search ran; Pending empty then means done.
	Planned bool `json:"planned"`
	// MaxUID is the highest UID seen: anything above it is new mail.
	MaxUID uint32 `json:"max"`
	// ModSeq is the HIGHESTMODSEQ flags are known up to (CONDSTORE).
	ModSeq uint64 `json:"modseq,omitempty"`
}

func parseCursor(raw []byte) (*cursor, error) {
	c := &cursor{V: cursorVersion, Folders: map[string]*folderState{}}
	if len(raw) == 0 {
		return c, nil
	}
	var got cursor
	if err := json.Unmarshal(raw, &got); err != nil {
		return nil, fmt.Errorf("imap: cursor: %w", err)
	}
	if got.V != cursorVersion || got.Folders == nil {
		return c, nil
	}
	return &got, nil
}

func (c *cursor) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("imap: cursor: " + err.Error()) // plain data: cannot fail
	}
	return b
}

// uidList is a sorted, duplicate-free list of UIDs, written in IMAP
// sequence-set form ("1:500,502,510:530") to stay small.
type uidList []uint32

// MarshalJSON writes l as a range string.
func (l uidList) MarshalJSON() ([]byte, error) { return json.Marshal(l.String()) }

// UnmarshalJSON reads a range string.
func (l *uidList) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	out, err := parseUIDList(s)
	if err != nil {
		return err
	}
	*l = out
	return nil
}

// String is the range form of l.
func (l uidList) String() string {
	var b strings.Builder
	for i := 0; i < len(l); {
		j := i
		for j+1 < len(l) && l[j+1] == l[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(l[i]), 10))
		if j > i {
			b.WriteByte(':')
			b.WriteString(strconv.FormatUint(uint64(l[j]), 10))
		}
		i = j + 1
	}
	return b.String()
}

func parseUIDList(s string) (uidList, error) {
	var out uidList
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := strconv.ParseUint(lo, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("imap: uid list %q: %w", s, err)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 32); err != nil {
				return nil, fmt.Errorf("imap: uid list %q: %w", s, err)
			}
		}
		if b < a || b-a > 1<<24 {
			return nil, fmt.Errorf("imap: uid list %q: bad range %s", s, part)
		}
		for u := a; u <= b; u++ {
			out = append(out, uint32(u))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// add returns l with uids merged in.
func (l uidList) add(uids ...uint32) uidList {
	l = append(l, uids...)
	slices.Sort(l)
	return slices.Compact(l)
}

// without returns l minus the uids in drop.
func (l uidList) without(drop map[uint32]bool) uidList {
	return slices.DeleteFunc(l, func(u uint32) bool { return drop[u] })
}
