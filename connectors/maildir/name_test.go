package maildir

import (
	"slices"
	"strings"
	"testing"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		name, unique, flags string
		seen, trashed       bool
	}{
		{"1700000000.M1P2.host", "1700000000.M1P2.host", "", false, false},
		{"1700000000.M1P2.host:2,", "1700000000.M1P2.host", "", false, false},
		{"1700000000.M1P2.host:2,S", "1700000000.M1P2.host", "S", true, false},
		{"1700000000.M1P2.host,S=1234,W=1260:2,FRS", "1700000000.M1P2.host,S=1234,W=1260", "FRS", true, false},
		{"1700000000.M1P2.host:2,ST", "1700000000.M1P2.host", "ST", true, true},
		{"1700000000.M1P2.host;2,S", "1700000000.M1P2.host", "S", true, false}, // mbsync on Windows
		{"1700000000.M1P2.host:1,S", "1700000000.M1P2.host", "", false, false}, // experimental info: no flags
		{"odd;name:2,S", "odd;name", "S", true, false},
	}
	for _, tc := range tests {
		n := parseName(tc.name)
		if n.Unique != tc.unique || n.Flags() != tc.flags || n.Has('S') != tc.seen || n.Has('T') != tc.trashed {
			t.Errorf("parseName(%q) = %+v flags %q", tc.name, n, n.Flags())
		}
		if n.String() != tc.name {
			t.Errorf("parseName(%q).String() = %q", tc.name, n.String())
		}
	}
}

func TestWithFlag(t *testing.T) {
	tests := []struct {
		name string
		flag byte
		on   bool
		want string
	}{
		{"u", 'S', true, "u:2,S"},
		{"u:2,", 'S', true, "u:2,S"},
		{"u:2,FR", 'S', true, "u:2,FRS"},
		{"u:2,T", 'S', true, "u:2,ST"},
		{"u:2,SRF", 'S', true, "u:2,FRS"}, // sorted, no repeat
		{"u:2,FRS", 'S', false, "u:2,FR"},
		{"u:2,S", 'S', false, "u:2,"},
		{"u;2,S", 'R', true, "u;2,RS"},  // keeps its separator
		{"u:2,Sa", 'S', false, "u:2,a"}, // Dovecot keyword letters kept
	}
	for _, tc := range tests {
		got, err := parseName(tc.name).WithFlag(tc.flag, tc.on, ':')
		if err != nil || got.String() != tc.want {
			t.Errorf("%q with %c=%v = %q, %v; want %q", tc.name, tc.flag, tc.on, got.String(), err, tc.want)
		}
	}
	if _, err := parseName("u:1,foo").WithFlag('S', true, ':'); err == nil {
		t.Error("rewrote version-1 info")
	}
}

// FuzzMaildirName checks that every file name splits, joins back unchanged,
// and that setting or clearing a flag keeps the unique part (the item id)
// and leaves sorted flags that split the same way again.
func FuzzMaildirName(f *testing.F) {
	for _, seed := range []string{
		"1700000000.M1P2.host", "1700000000.M1P2.host:2,S", "u,S=1:2,FRS", "u;2,S", "u:1,x", ":2,S",
		"a;2,b:2,S", "x;2,y;2,", "", ":", ";2,", "u:2,\x00S", "u:2,:;2,S",
	} {
		f.Add(seed, byte('S'), true)
	}
	f.Fuzz(func(t *testing.T, name string, flag byte, on bool) {
		n := parseName(name)
		if n.String() != name {
			t.Fatalf("parseName(%q).String() = %q", name, n.String())
		}
		if strings.IndexByte(n.Unique, ':') >= 0 {
			t.Fatalf("unique %q holds the separator", n.Unique)
		}
		if parseName(n.String()) != n {
			t.Fatalf("parseName is not stable on %q", name)
		}
		if !('A' <= flag && flag <= 'Z') {
			flag = 'S'
		}
		for _, sep := range []byte{':', ';'} {
			m, err := n.WithFlag(flag, on, sep)
			if err != nil {
				if n.Sep != 0 && !strings.HasPrefix(n.Info, "2,") {
					continue
				}
				t.Fatalf("WithFlag on %q: %v", name, err)
			}
			again := parseName(m.String())
			if again.Unique != n.Unique {
				t.Fatalf("%q with %c=%v is %q, which splits to unique %q", name, flag, on, m.String(), again.Unique)
			}
			if again.Has(flag) != on {
				t.Fatalf("%q with %c=%v is %q", name, flag, on, m.String())
			}
			flags := []byte(again.Flags())
			if !slices.IsSorted(flags) || len(slices.Compact(slices.Clone(flags))) != len(flags) {
				t.Fatalf("%q: flags %q not sorted and unique", m.String(), flags)
			}
		}
	})
}
