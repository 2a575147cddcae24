package slack

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cursorVersion changes when the cursor's meaning does; an older cursor
// starts a fresh sync rather than being misread.
const cursorVersion = 1

// Bounds that keep the cursor small (it is committed with every batch).
const (
	// heldMax is how many recent items per conversation (and per thread)
	// the cursor remembers with a fingerprint: edits and deletions among
	// them are found by polling; older ones only through Socket Mode.
	heldMax = 100
	// threadsMax is how many threads per conversation are followed.
	threadsMax = 100
	// threadWindow is how long a thread is followed after its last reply.
	threadWindow = 7 * 24 * time.Hour
)

// cursor is the account's resume point, committed with every batch.
//
// Timestamps are Slack ts as microseconds since the epoch. In JSON:
//
//	{"v":1,"u":"U1","t":"T1","ready":true,"listed":1700000000,
//	 "c":{"D1":{"l":1700000000000100,"h":"…","th":{"1699999000000000":{"n":3,"r":…,"h":"…","m":true}},
//	         "s":{"o":…,"u":…,"k":"<slack cursor>","hi":…,"n":…,"b":true,"r":…,"la":…}}}}
type cursor struct {
	V    int    `json:"v"`
	User string `json:"u"`
	Team string `json:"t"`
	// Ready says the initial sync finished once: conversations found
	// later are backfilled silently only up to Listed.
	Ready bool `json:"ready,omitempty"`
	// Listed is when (unix seconds) the conversation list was last read.
	Listed int64                 `json:"listed,omitempty"`
	Convs  map[string]*convState `json:"c"`
}

// convState is what Lull knows of one conversation.
type convState struct {
	// Latest is the newest top-level message read: polls ask for what
	// came after it.
	Latest int64 `json:"l,omitempty"`
	// Scan is a history read still under way (the initial backfill, or
	// more new messages than one page); nil when caught up.
	Scan *scan `json:"s,omitempty"`
	// Held are the newest top-level items Lull holds, with fingerprints.
	Held held `json:"h,omitempty"`
	// Threads followed, by root ts.
	Threads map[int64]*threadState `json:"th,omitempty"`
}

// scan is a paginated conversations.history read, newest first, resumable
// from Slack's own next_cursor.
type scan struct {
	Oldest int64  `json:"o,omitempty"` // exclusive lower bound; 0: none
	Upper  int64  `json:"u,omitempty"` // exclusive upper bound; 0: now
	Cursor string `json:"k,omitempty"` // Slack's next_cursor; "": first page
	// Hi is the oldest ts of the last page read: the next page covers
	// what lies below it, for finding deletions.
	Hi int64 `json:"hi,omitempty"`
	// Top is the newest ts of the first page: Latest once the scan ends.
	Top int64 `json:"n,omitempty"`
	// Backfill: an initial sync, whose items are stored silently up to LiveAfter.
	Backfill bool `json:"b,omitempty"`
	// Refresh: a re-read of what Lull holds, for edits and deletions.
	Refresh   bool  `json:"f,omitempty"`
	LiveAfter int64 `json:"la,omitempty"`
	// LastRead is the user's read mark in Slack, for the items' Unread.
	LastRead int64 `json:"r,omitempty"`
	Pages    int   `json:"p,omitempty"`
}

// threadState is what Lull knows of one followed thread.
type threadState struct {
	Count int   `json:"n"`           // reply_count when last read
	Last  int64 `json:"r,omitempty"` // latest_reply when last read
	Held  held  `json:"h,omitempty"`
	// Mine: the user started the thread or replied in it.
	Mine bool `json:"m,omitempty"`
}

func newCursor(user, team string) *cursor {
	return &cursor{V: cursorVersion, User: user, Team: team, Convs: map[string]*convState{}}
}

// parseCursor reads a committed cursor. One from another version, user or
// workspace is ignored (ok false): the sync starts over.
func parseCursor(raw []byte, user, team string) (c *cursor, ok bool, err error) {
	if len(raw) == 0 {
		return newCursor(user, team), true, nil
	}
	var got cursor
	if err := json.Unmarshal(raw, &got); err != nil {
		return newCursor(user, team), false, fmt.Errorf("slack: cursor: %w", err)
	}
	if got.V != cursorVersion || got.User != user || got.Team != team || got.Convs == nil {
		return newCursor(user, team), false, nil
	}
	for id, st := range got.Convs {
		if st == nil {
			delete(got.Convs, id)
		}
	}
	return &got, true, nil
}

func (c *cursor) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("slack: cursor: " + err.Error()) // plain data: cannot fail
	}
	return b
}

// prune drops threads that went quiet, keeping the cursor bounded.
func (st *convState) prune(now time.Time) {
	if len(st.Threads) == 0 {
		return
	}
	cutoff := now.Add(-threadWindow).UnixMicro()
	for ts, th := range st.Threads {
		if max(th.Last, ts) < cutoff {
			delete(st.Threads, ts)
		}
	}
	if len(st.Threads) <= threadsMax {
		return
	}
	roots := make([]int64, 0, len(st.Threads))
	for ts := range st.Threads {
		roots = append(roots, ts)
	}
	slices.SortFunc(roots, func(a, b int64) int {
		la, lb := max(st.Threads[a].Last, a), max(st.Threads[b].Last, b)
		switch {
		case la < lb:
			return 1
		case la > lb:
			return -1
		}
		return 0
	})
	for _, ts := range roots[threadsMax:] {
		delete(st.Threads, ts)
	}
}

// heldItem is one item Lull holds: its ts and a fingerprint of the
// message's content, to tell an edit from a re-read.
type heldItem struct {
	TS int64
	FP uint32
}

// held is a list of heldItems sorted by ts, at most heldMax long (the
// newest). In JSON it is one string, each entry the base-36 ts delta from
// the previous entry and the fingerprint: "lq2x9b3k.1kq2,2s.9zz1" — about
// ten bytes an item.
type held []heldItem

// get returns the fingerprint of ts, if held.
func (h held) get(ts int64) (uint32, bool) {
	i, ok := slices.BinarySearchFunc(h, ts, func(e heldItem, t int64) int { return cmp64(e.TS, t) })
	if !ok {
		return 0, false
	}
	return h[i].FP, true
}

// put records ts with fp, dropping the oldest entries beyond heldMax.
func (h held) put(ts int64, fp uint32) held {
	i, ok := slices.BinarySearchFunc(h, ts, func(e heldItem, t int64) int { return cmp64(e.TS, t) })
	if ok {
		h[i].FP = fp
		return h
	}
	h = slices.Insert(h, i, heldItem{TS: ts, FP: fp})
	if len(h) > heldMax {
		h = slices.Delete(h, 0, len(h)-heldMax)
	}
	return h
}

// drop removes ts.
func (h held) drop(ts int64) held {
	i, ok := slices.BinarySearchFunc(h, ts, func(e heldItem, t int64) int { return cmp64(e.TS, t) })
	if !ok {
		return h
	}
	return slices.Delete(h, i, i+1)
}

// full reports whether h holds heldMax items: then anything older than
// its first entry was let go.
func (h held) full() bool { return len(h) >= heldMax }

// oldest returns the first ts, or 0.
func (h held) oldest() int64 {
	if len(h) == 0 {
		return 0
	}
	return h[0].TS
}

// MarshalJSON writes h in its compact string form.
func (h held) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	var prev int64
	for i, e := range h {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(e.TS-prev, 36))
		b.WriteByte('.')
		b.WriteString(strconv.FormatUint(uint64(e.FP), 36))
		prev = e.TS
	}
	return json.Marshal(b.String())
}

// UnmarshalJSON reads the compact string form.
func (h *held) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	out := held{}
	var prev int64
	if s != "" {
		for _, part := range strings.Split(s, ",") {
			d, f, ok := strings.Cut(part, ".")
			delta, err1 := strconv.ParseInt(d, 36, 64)
			fp, err2 := strconv.ParseUint(f, 36, 32)
			if !ok || err1 != nil || err2 != nil || (len(out) > 0 && delta <= 0) {
				return fmt.Errorf("slack: bad held list entry %q", part)
			}
			prev += delta
			out = append(out, heldItem{TS: prev, FP: uint32(fp)})
		}
	}
	*h = out
	return nil
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseTS reads a Slack ts ("1700000000.000100") as microseconds.
func parseTS(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	if sec == "" || len(sec) > 12 || len(frac) > 6 {
		return 0, false
	}
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 {
		return 0, false
	}
	var f int64
	for i := 0; i < 6; i++ {
		f *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			f += int64(c - '0')
		}
	}
	return s*1e6 + f, true
}

// formatTS writes microseconds as a Slack ts.
func formatTS(us int64) string {
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// tsTime is the instant of a ts.
func tsTime(us int64) time.Time { return time.UnixMicro(us) }
