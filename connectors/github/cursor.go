package github

import (
	"encoding/json"
	"maps"
	"time"
)

// cursorVersion changes when the cursor's meaning does; an older cursor
// starts a fresh (silent) sync rather than being misread.
const cursorVersion = 1

// cursor is the account's resume point, committed with every batch. As
// JSON:
//
//	{"v":1,"ready":true,"etag":"W/\"…\"","last_modified":"Tue, 02 Jan 2024 15:04:05 GMT",
//	 "poll":60,"threads":{"1234":{"u":"2024-01-02T15:04:05Z","c":"https://api.github.com/…/comments/9","r":true}}}
//
// ETag and LastModified belong to the first page of the notification list
// and are committed only once every thread of that list is in the store,
// so a crash mid-poll repeats the poll instead of skipping it.
type cursor struct {
	V int `json:"v"`
	// Ready is set when the initial sync is complete; batches before it
	// are backfill.
	Ready        bool   `json:"ready,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Poll is the last X-Poll-Interval GitHub asked for, in seconds.
	Poll int `json:"poll,omitempty"`
	// Threads are the notification threads whose items the store holds.
	Threads map[string]threadState `json:"threads"`
}

// threadState is what the store's item of one thread was built from.
type threadState struct {
	// Updated is the thread's updated_at: a change means new activity.
	Updated time.Time `json:"u"`
	// Comment is the API address of the comment or review the item shows;
	// a new one means someone said something new.
	Comment string `json:"c,omitempty"`
	Unread  bool   `json:"r,omitempty"`
}

// decodeCursor reads a committed cursor; nil, unreadable or older cursors
// give a fresh one (a full, silent resync).
func decodeCursor(raw []byte) *cursor {
	fresh := &cursor{V: cursorVersion, Threads: map[string]threadState{}}
	if len(raw) == 0 {
		return fresh
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.V != cursorVersion {
		return fresh
	}
	if c.Threads == nil {
		c.Threads = map[string]threadState{}
	}
	return &c
}

// encode returns the cursor as committed.
func (c *cursor) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("github: encoding cursor: " + err.Error()) // plain data: cannot fail
	}
	return b
}

// clone returns a deep copy.
func (c *cursor) clone() *cursor {
	out := *c
	out.Threads = maps.Clone(c.Threads)
	return &out
}
