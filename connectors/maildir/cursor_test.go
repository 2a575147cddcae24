package maildir

import (
	"fmt"
	"maps"
	"testing"
)

func TestKnownRoundTrip(t *testing.T) {
	msgs := map[string]msg{
		"1700000000.M1P2.host":                  {seen: true},
		"1700000000.M1P2.host,S=12":             {},
		"1700000001.M3P4.host":                  {seen: true},
		"a":                                     {},
		"\xff\xfe not UTF-8":                    {seen: true},
		"1700000000.M1P2.host,S=12,W=13 longer": {},
	}
	got, err := decodeKnown(encodeKnown(msgs))
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, msgs) {
		t.Errorf("round trip: got %v, want %v", got, msgs)
	}
	empty, err := decodeKnown(encodeKnown(nil))
	if err != nil || len(empty) != 0 {
		t.Errorf("empty set: %v, %v", empty, err)
	}
	for _, bad := range [][]byte{nil, []byte("not flate"), encodeKnown(msgs)[:5]} {
		if _, err := decodeKnown(bad); err == nil {
			t.Errorf("decodeKnown(%q) accepted garbage", bad)
		}
	}
}

// TestKnownSize keeps the cursor of a big mailbox small enough to commit
// with live batches: about 14 bytes a message, 1.4 MB for 100k.
func TestKnownSize(t *testing.T) {
	msgs := map[string]msg{}
	const n = 20_000
	for i := range n {
		msgs[fmt.Sprintf("%d.M%dP%dQ%d.mail.example.org,S=%d,W=%d", 1600000000+i*37, i*7919%1000000, 1000+i%30000, i%50, 2000+i%40000, 2050+i%40000)] = msg{seen: i%3 != 0}
	}
	b := encodeKnown(msgs)
	t.Logf("%d Dovecot-style names: %d bytes, %.1f bytes each", n, len(b), float64(len(b))/n)
	if len(b) > 20*n {
		t.Errorf("known set of %d messages is %d bytes", n, len(b))
	}
}
