package demo

import (
	"encoding/json"
	"fmt"
	"time"
)

// cursor is the demo's resume point, stored as JSON by the engine.
type cursor struct {
	// Base is the workspace's "now" at first sync, in Unix seconds: the
	// backfill spreads over the three days before it, so a resumed sync
	// regenerates the same timeline.
	Base int64 `json:"base"`
	// Backfilled is set once every backfill item is committed.
	Backfilled bool `json:"backfilled"`
	// Done counts the backfill items committed so far, so an interrupted
	// backfill resumes after them.
	Done int `json:"done,omitempty"`
	// Seq is the number of the next live item.
	Seq int `json:"seq"`
}

func (c cursor) base() time.Time { return time.Unix(c.Base, 0) }

func (c cursor) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("demo: failed to encode cursor: %v", err)) // a struct of ints cannot fail
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
		return nil, fmt.Errorf("demo: failed to decode cursor %q: %w", raw, err)
	}
	if c.Base <= 0 || c.Seq < 0 || c.Done < 0 {
		return nil, fmt.Errorf("demo: invalid cursor %q", raw)
	}
	return &c, nil
}
