package focus

import (
	"fmt"
	"time"
)

// clock is a local wall-clock time of day, in seconds since midnight.
type clock int

// parseClock reads "HH:MM" (or "H:MM"), 00:00 to 23:59.
func parseClock(s string) (clock, error) {
	var h, m int
	if len(s) < 4 || len(s) > 5 || s[len(s)-3] != ':' {
		return 0, fmt.Errorf("%q is not a clock time; want HH:MM", s)
	}
	for i, c := range s {
		if i == len(s)-3 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a clock time; want HH:MM", s)
		}
	}
	for _, c := range s[:len(s)-3] {
		h = h*10 + int(c-'0')
	}
	for _, c := range s[len(s)-2:] {
		m = m*10 + int(c-'0')
	}
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a clock time; want HH:MM from 00:00 to 23:59", s)
	}
	return clock(h*3600 + m*60), nil
}

func (c clock) hms() (h, m, s int) {
	return int(c) / 3600, int(c) / 60 % 60, int(c) % 60
}

// String formats c as HH:MM.
func (c clock) String() string {
	h, m, _ := c.hms()
	return fmt.Sprintf("%02d:%02d", h, m)
}

// date is a calendar day in some time zone, without the zone.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

// addDays normalizes through time.Date, so month and year ends roll over.
func (d date) addDays(n int) date {
	return dateOf(time.Date(d.y, d.m, d.d+n, 12, 0, 0, 0, time.UTC))
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (d date) before(o date) bool {
	if d.y != o.y {
		return d.y < o.y
	}
	if d.m != o.m {
		return d.m < o.m
	}
	return d.d < o.d
}

// at returns the instant at which the wall clock in loc reads c on day d.
// Clock times are what the user wrote, so the two daylight-saving edge cases
// need a rule each, and the rules are the same for focus blocks, batch times,
// "focus until HH:MM" and floating calendar events:
//
//   - A clock time that does not exist that day (spring forward: 02:30 in
//     Berlin on 2026-03-29, in New York on 2026-03-08) maps to the first
//     instant after the gap, the transition itself: 03:00 local. So a batch
//     time of 02:30 releases at 03:00, once, and a block starting at 02:30
//     starts at 03:00.
//   - A clock time that happens twice (fall back: 02:00–03:00 in Berlin on
//     2026-10-25, 01:00–02:00 in New York on 2026-11-01) maps to its first
//     occurrence, so a batch time there releases once, not twice.
func at(loc *time.Location, d date, c clock) time.Time {
	h, m, s := c.hms()
	t := time.Date(d.y, d.m, d.d, h, m, s, 0, loc)
	want := time.Date(d.y, d.m, d.d, h, m, s, 0, time.UTC)
	got := wall(t)
	if !got.Equal(want) {
		// In a gap: time.Date moved the clock by the size of the gap, one way
		// or the other; the transition is the edge of t's zone on that side.
		start, end := t.ZoneBounds()
		if got.After(want) {
			return start
		}
		return end
	}
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, off := t.Zone()
	_, prev := start.Add(-time.Second).Zone()
	if prev > off {
		if u := t.Add(-time.Duration(prev-off) * time.Second); wall(u).Equal(want) {
			return u // the first of two occurrences
		}
	}
	return t
}

// wall is t's wall clock reading as if it were UTC, for comparing readings.
func wall(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, m, s := t.Clock()
	return time.Date(y, mo, d, h, m, s, 0, time.UTC)
}
