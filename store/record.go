package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/lullhq/lull/app/inbox"
)

// record is what i/<id> holds: the item without its bodies, which live under
// b/<id> so that listing a window of rows decodes only small headers.
type record struct {
	inbox.Item
	// HasBody says whether b/<id> exists, so writers know what to replace
	// without reading it.
	HasBody bool `json:"hasBody,omitempty"`
}

// bodyRecord is what b/<id> holds.
type bodyRecord struct {
	Body string `json:"body,omitempty"`
	HTML string `json:"html,omitempty"`
}

// splitItem separates an item into its header record and its bodies.
func splitItem(it inbox.Item) (record, bodyRecord) {
	body := bodyRecord{Body: it.Body, HTML: it.HTML}
	it.Body, it.HTML = "", ""
	return record{Item: it, HasBody: body.Body != "" || body.HTML != ""}, body
}

func decodeRecord(id inbox.ID, val []byte) (record, error) {
	var rec record
	if err := json.Unmarshal(val, &rec); err != nil {
		return record{}, fmt.Errorf("failed to decode item %s: %w", id, err)
	}
	return rec, nil
}

func decodeCount(key, val []byte) (int64, error) {
	if len(val) != 8 {
		return 0, fmt.Errorf("counter %q has %d bytes, want 8", key, len(val))
	}
	return int64(binary.BigEndian.Uint64(val)), nil
}

func encodeCount(n int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}
