package focus

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST tests must not depend on the machine's zoneinfo
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// lt reads "2006-01-02 15:04" or "2006-01-02 15:04:05" in loc.
func lt(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	v, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    clock
		wantErr bool
	}{
		{in: "09:00", want: 9 * 3600},
		{in: "9:05", want: 9*3600 + 5*60},
		{in: "23:59", want: 23*3600 + 59*60},
		{in: "00:00", want: 0},
		{in: "24:00", wantErr: true},
		{in: "12:60", wantErr: true},
		{in: "1200", wantErr: true},
		{in: "ab:cd", wantErr: true},
		{in: "", wantErr: true},
		{in: "-1:00", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseClock(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseClock(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestAtDST pins the two daylight-saving rules of at: a skipped clock time
// is the first instant after the gap, a repeated one its first occurrence.
func TestAtDST(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		name  string
		loc   *time.Location
		day   date
		clock string
		want  string
	}{
		{"Berlin ordinary day", berlin, date{2026, 3, 28}, "09:00", "2026-03-28T08:00:00Z"},
		{"Berlin spring forward, before the gap", berlin, date{2026, 3, 29}, "01:59", "2026-03-29T00:59:00Z"},
		{"Berlin spring forward, 02:00 is skipped: 03:00 CEST", berlin, date{2026, 3, 29}, "02:00", "2026-03-29T01:00:00Z"},
		{"Berlin spring forward, 02:30 is skipped: 03:00 CEST", berlin, date{2026, 3, 29}, "02:30", "2026-03-29T01:00:00Z"},
		{"Berlin spring forward, 03:00 exists", berlin, date{2026, 3, 29}, "03:00", "2026-03-29T01:00:00Z"},
		{"Berlin spring forward, 03:30", berlin, date{2026, 3, 29}, "03:30", "2026-03-29T01:30:00Z"},
		{"Berlin fall back, 01:30 once", berlin, date{2026, 10, 25}, "01:30", "2026-10-24T23:30:00Z"},
		{"Berlin fall back, 02:00 twice: first (CEST)", berlin, date{2026, 10, 25}, "02:00", "2026-10-25T00:00:00Z"},
		{"Berlin fall back, 02:30 twice: first (CEST)", berlin, date{2026, 10, 25}, "02:30", "2026-10-25T00:30:00Z"},
		{"Berlin fall back, 03:00 once (CET)", berlin, date{2026, 10, 25}, "03:00", "2026-10-25T02:00:00Z"},
		{"New York spring forward, 02:30 skipped: 03:00 EDT", ny, date{2026, 3, 8}, "02:30", "2026-03-08T07:00:00Z"},
		{"New York spring forward, 03:30", ny, date{2026, 3, 8}, "03:30", "2026-03-08T07:30:00Z"},
		{"New York fall back, 01:00 twice: first (EDT)", ny, date{2026, 11, 1}, "01:00", "2026-11-01T05:00:00Z"},
		{"New York fall back, 01:30 twice: first (EDT)", ny, date{2026, 11, 1}, "01:30", "2026-11-01T05:30:00Z"},
		{"New York fall back, 02:00 once (EST)", ny, date{2026, 11, 1}, "02:00", "2026-11-01T07:00:00Z"},
		{"UTC has no transitions", time.UTC, date{2026, 3, 29}, "02:30", "2026-03-29T02:30:00Z"},
		{"month end rolls over", berlin, date{2026, 1, 32}, "09:00", "2026-02-01T08:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseClock(tt.clock)
			if err != nil {
				t.Fatal(err)
			}
			if got := at(tt.loc, tt.day, c); !got.Equal(utc(t, tt.want)) {
				t.Errorf("at = %v (%v), want %v", got.UTC(), got, tt.want)
			}
		})
	}
}
