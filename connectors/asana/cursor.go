package asana

import (
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// cursorVersion changes when the cursor's meaning does; an older cursor
// starts a fresh (silent) sync rather than being misread.
const cursorVersion = 1

// cursor is the account's resume point, committed with every batch. As
// JSON:
//
//	{"v":1,"ready":true,"me":"1200…",
//	 "workspaces":{"1100…":"2024-05-02T09:00:00Z"},
//	 "tasks":{"1300…":{"mod":"2024-05-02T08:59:12.345Z","sync":"de4774f6915eae04714ca93bb2f5ee81","seen":["1400…"]}}}
//
// A workspace's time is the server's Date of its last complete task
// listing: the next listing asks for tasks modified since then (less an
// overlap). Per task: the modified_at its comments were read at, the
// events-API sync token (taken the first time the task changes after the
// initial sync), and the comment stories whose items the store holds.
type cursor struct {
	V     int    `json:"v"`
	Ready bool   `json:"ready,omitempty"`
	Me    string `json:"me,omitempty"`
	// Workspaces maps a workspace gid to the server time of its last listing.
	Workspaces map[string]time.Time  `json:"workspaces"`
	Tasks      map[string]*taskState `json:"tasks"`
}

// taskState is what Lull knows of one followed or assigned task.
type taskState struct {
	Mod  time.Time `json:"mod"`
	Sync string    `json:"sync,omitempty"`
	Seen []string  `json:"seen,omitempty"`
}

// freshCursor is the cursor of a first sync for user me.
func freshCursor(me string) *cursor {
	return &cursor{V: cursorVersion, Me: me, Workspaces: map[string]time.Time{}, Tasks: map[string]*taskState{}}
}

// decodeCursor reads a committed cursor for user me; nil, unreadable,
// older cursors, or one of another user, give a fresh one (a full, silent
// resync).
func decodeCursor(raw []byte, me string) *cursor {
	if len(raw) == 0 {
		return freshCursor(me)
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.V != cursorVersion || c.Me != me {
		return freshCursor(me)
	}
	if c.Workspaces == nil {
		c.Workspaces = map[string]time.Time{}
	}
	if c.Tasks == nil {
		c.Tasks = map[string]*taskState{}
	}
	return &c
}

// encode returns the cursor as committed.
func (c *cursor) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("asana: encoding cursor: " + err.Error()) // plain data: cannot fail
	}
	return b
}

// clone returns a deep copy.
func (c *cursor) clone() *cursor {
	out := *c
	out.Workspaces = maps.Clone(c.Workspaces)
	out.Tasks = make(map[string]*taskState, len(c.Tasks))
	for k, v := range c.Tasks {
		st := *v
		st.Seen = slices.Clone(v.Seen)
		out.Tasks[k] = &st
	}
	return &out
}
