package focus

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file reads just enough of iCalendar (RFC 5545) to turn a calendar
// feed into focus blocks: VEVENTs with DTSTART, DTEND or DURATION (TZID,
// UTC "Z", floating and all-day VALUE=DATE forms), SUMMARY, STATUS, EXDATE,
// RECURRENCE-ID overrides and RRULE with FREQ=DAILY or WEEKLY, INTERVAL,
// BYDAY, UNTIL and COUNT. Other recurrences keep their first occurrence
// only. VTIMEZONE blocks are ignored: TZIDs are looked up as IANA names, and
// an unknown TZID is read as floating time (the focus time zone), which is
// right for the common case of a feed in the user's own zone.

// Event is one calendar event, possibly recurring.
type Event struct {
	UID     string
	Summary string
	AllDay  bool

	start, end   icsTime
	dur          time.Duration // timed events: end - start
	days         int           // all-day events: length in days
	rule         *rrule
	exdates      []icsTime
	recurrenceID *icsTime
	cancelled    bool
}

// icsTime is a DATE or DATE-TIME as written: a wall-clock reading plus the
// zone it is in, or no zone (floating: the focus time zone applies).
type icsTime struct {
	d    date
	c    clock
	loc  *time.Location // nil: floating
	date bool           // VALUE=DATE
}

// in is the instant t stands for when floating times are read in loc.
func (t icsTime) in(loc *time.Location) time.Time {
	if t.loc != nil {
		loc = t.loc
	}
	return at(loc, t.d, t.c)
}

type rrule struct {
	freq     string // DAILY or WEEKLY
	interval int
	byday    []time.Weekday // sorted Monday first
	count    int
	until    *icsTime
}

// ParseICS reads every VEVENT of an iCalendar feed. Overrides of single
// instances (RECURRENCE-ID) replace the instance they name.
func ParseICS(data []byte) ([]Event, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.ReplaceAll(text, "\n ", "")
	text = strings.ReplaceAll(text, "\n\t", "")

	var (
		events []Event
		ev     *Event
		depth  int // components nested inside the VEVENT (VALARM)
		endSet bool
		durSet time.Duration
	)
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, params, value, err := contentLine(line)
		if err != nil {
			return nil, fmt.Errorf("ics: line %d: %v", n+1, err)
		}
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT") && ev == nil:
			ev, depth, endSet, durSet = &Event{}, 0, false, -1
			continue
		case name == "BEGIN" && ev != nil:
			depth++
			continue
		case name == "END" && ev != nil && depth > 0:
			depth--
			continue
		case name == "END" && strings.EqualFold(value, "VEVENT") && ev != nil:
			if err := ev.finish(endSet, durSet); err != nil {
				return nil, fmt.Errorf("ics: event %q ending line %d: %v", ev.Summary, n+1, err)
			}
			events = append(events, *ev)
			ev = nil
			continue
		}
		if ev == nil || depth > 0 {
			continue
		}
		switch name {
		case "UID":
			ev.UID = value
		case "SUMMARY":
			ev.Summary = unescapeText(value)
		case "STATUS":
			ev.cancelled = strings.EqualFold(value, "CANCELLED")
		case "DTSTART":
			if ev.start, err = parseICSTime(value, params); err != nil {
				return nil, fmt.Errorf("ics: line %d: DTSTART: %v", n+1, err)
			}
		case "DTEND":
			if ev.end, err = parseICSTime(value, params); err != nil {
				return nil, fmt.Errorf("ics: line %d: DTEND: %v", n+1, err)
			}
			endSet = true
		case "DURATION":
			if durSet, err = parseDuration(value); err != nil {
				return nil, fmt.Errorf("ics: line %d: DURATION: %v", n+1, err)
			}
		case "RRULE":
			if ev.rule, err = parseRRule(value); err != nil {
				return nil, fmt.Errorf("ics: line %d: RRULE: %v", n+1, err)
			}
		case "EXDATE":
			for _, v := range strings.Split(value, ",") {
				t, err := parseICSTime(v, params)
				if err != nil {
					return nil, fmt.Errorf("ics: line %d: EXDATE: %v", n+1, err)
				}
				ev.exdates = append(ev.exdates, t)
			}
		case "RECURRENCE-ID":
			t, err := parseICSTime(value, params)
			if err != nil {
				return nil, fmt.Errorf("ics: line %d: RECURRENCE-ID: %v", n+1, err)
			}
			ev.recurrenceID = &t
		}
	}
	if ev != nil {
		return nil, fmt.Errorf("ics: event %q has no END:VEVENT", ev.Summary)
	}

	// An override replaces one instance of the recurring event with its UID.
	masters := map[string]int{}
	for i, e := range events {
		if e.recurrenceID == nil && e.rule != nil {
			masters[e.UID] = i
		}
	}
	for _, e := range events {
		if e.recurrenceID == nil {
			continue
		}
		if i, ok := masters[e.UID]; ok {
			events[i].exdates = append(events[i].exdates, *e.recurrenceID)
		}
	}
	events = slices.DeleteFunc(events, func(e Event) bool { return e.cancelled })
	return events, nil
}

func (ev *Event) finish(endSet bool, dur time.Duration) error {
	if ev.start.d.y == 0 {
		return fmt.Errorf("no DTSTART")
	}
	ev.AllDay = ev.start.date
	switch {
	case ev.AllDay && endSet:
		ev.days = daysBetween(ev.start.d, ev.end.d)
	case ev.AllDay && dur >= 0:
		ev.days = int(dur / (24 * time.Hour))
	case ev.AllDay:
		ev.days = 1
	case endSet:
		// Both ends read in one zone, so floating events keep their length.
		loc := time.UTC
		if ev.start.loc != nil {
			loc = ev.start.loc
		}
		ev.dur = ev.end.in(loc).Sub(ev.start.in(loc))
	case dur >= 0:
		ev.dur = dur
	}
	return nil
}

func daysBetween(a, b date) int {
	ta := time.Date(a.y, a.m, a.d, 0, 0, 0, 0, time.UTC)
	tb := time.Date(b.y, b.m, b.d, 0, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta) / (24 * time.Hour))
}

// Occurrences returns the instances of e that overlap [from, to), as
// calendar blocks, reading floating times in loc.
func (e Event) Occurrences(loc *time.Location, from, to time.Time) []Block {
	var out []Block
	emit := func(d date) bool { // false: stop, past the window or the rule's end
		st := icsTime{d: d, c: e.start.c, loc: e.start.loc, date: e.AllDay}
		start := st.in(loc)
		if e.rule != nil && e.rule.until != nil {
			until := *e.rule.until
			if until.date {
				until.d, until.c = until.d.addDays(1), 0
				if start.Compare(until.in(loc)) >= 0 {
					return false
				}
			} else if start.After(until.in(loc)) {
				return false
			}
		}
		if !start.Before(to) {
			return false
		}
		for _, x := range e.exdates {
			if (x.date && x.d == d) || (!x.date && x.in(loc).Equal(start)) {
				return true
			}
		}
		end := start.Add(e.dur)
		if e.AllDay {
			end = icsTime{d: d.addDays(e.days), loc: e.start.loc}.in(loc)
		}
		if end.After(from) && end.After(start) {
			out = append(out, Block{Start: start, End: end, Source: SourceCalendar})
		}
		return true
	}

	if e.rule == nil {
		emit(e.start.d)
		return out
	}
	r := e.rule
	step := 1
	days := []time.Weekday{e.start.d.weekday()}
	if r.freq == "WEEKLY" {
		step = 7
		if len(r.byday) > 0 {
			days = r.byday
		}
	}
	// Periods are days (DAILY) or Monday-first weeks (WEEKLY) from DTSTART.
	first := e.start.d
	if r.freq == "WEEKLY" {
		first = first.addDays(-((int(first.weekday()) + 6) % 7))
	}
	k := 0
	if r.count == 0 {
		// Without COUNT nothing before the window matters: skip ahead,
		// staying on the INTERVAL grid, to a period just before it.
		skip := daysBetween(first, dateOf(from.In(loc)).addDays(-8)) / (step * r.interval)
		k = max(0, skip) * r.interval
	}
	n := 0
	for ; ; k += r.interval {
		base := first.addDays(k * step)
		for _, wd := range days {
			d := base
			if r.freq == "WEEKLY" {
				d = base.addDays((int(wd) + 6) % 7)
			} else if len(r.byday) > 0 && !slices.Contains(r.byday, d.weekday()) {
				continue // FREQ=DAILY;BYDAY=MO,…,FR: BYDAY filters the days
			}
			if d.before(e.start.d) {
				continue
			}
			n++
			if r.count > 0 && n > r.count {
				return out
			}
			if !emit(d) {
				return out
			}
		}
	}
}

// contentLine splits `NAME;PARAM=VALUE;PARAM="V:V":value`.
func contentLine(line string) (name string, params map[string]string, value string, err error) {
	i := strings.IndexAny(line, ";:")
	if i < 0 {
		return "", nil, "", fmt.Errorf("no ':' in %q", line)
	}
	name = strings.ToUpper(line[:i])
	rest := line[i:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return "", nil, "", fmt.Errorf("bad parameter in %q", line)
		}
		key := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			q := strings.IndexByte(rest[1:], '"')
			if q < 0 {
				return "", nil, "", fmt.Errorf("unterminated quote in %q", line)
			}
			val, rest = rest[1:q+1], rest[q+2:]
		} else {
			j := strings.IndexAny(rest, ";:")
			if j < 0 {
				return "", nil, "", fmt.Errorf("no ':' in %q", line)
			}
			val, rest = rest[:j], rest[j:]
		}
		if params == nil {
			params = map[string]string{}
		}
		params[key] = val
	}
	if !strings.HasPrefix(rest, ":") {
		return "", nil, "", fmt.Errorf("no ':' in %q", line)
	}
	return name, params, rest[1:], nil
}

// parseICSTime reads 20260330, 20260330T090000 or 20260330T090000Z, in the
// TZID parameter's zone when there is one.
func parseICSTime(v string, params map[string]string) (icsTime, error) {
	var t icsTime
	v = strings.TrimSpace(v)
	num := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad date %q", v)
		}
		return n, nil
	}
	if len(v) < 8 {
		return t, fmt.Errorf("bad date %q", v)
	}
	y, err1 := num(v[:4])
	m, err2 := num(v[4:6])
	d, err3 := num(v[6:8])
	if err := firstErr(err1, err2, err3); err != nil {
		return t, err
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return t, fmt.Errorf("bad date %q", v)
	}
	t.d = date{y, time.Month(m), d}
	if len(v) == 8 {
		t.date = true
		return t, nil
	}
	if len(v) < 15 || v[8] != 'T' {
		return t, fmt.Errorf("bad date-time %q", v)
	}
	hh, err1 := num(v[9:11])
	mm, err2 := num(v[11:13])
	ss, err3 := num(v[13:15])
	if err := firstErr(err1, err2, err3); err != nil {
		return t, err
	}
	if hh > 23 || mm > 59 || ss > 60 {
		return t, fmt.Errorf("bad date-time %q", v)
	}
	t.c = clock(hh*3600 + mm*60 + min(ss, 59))
	switch {
	case len(v) == 16 && v[15] == 'Z':
		t.loc = time.UTC
	case len(v) != 15:
		return t, fmt.Errorf("bad date-time %q", v)
	case params["TZID"] != "":
		if loc, err := time.LoadLocation(strings.TrimPrefix(params["TZID"], "/")); err == nil {
			t.loc = loc
		}
	}
	return t, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parseDuration reads the RFC 5545 subset P[n]W or P[n]D[T[n]H[n]M[n]S].
func parseDuration(v string) (time.Duration, error) {
	s, ok := strings.CutPrefix(strings.TrimPrefix(v, "+"), "P")
	if !ok {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	var d time.Duration
	inTime := false
	n := -1
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			n = max(n, 0)*10 + int(c-'0')
			continue
		case c == 'T':
			inTime = true
			continue
		}
		if n < 0 {
			return 0, fmt.Errorf("bad duration %q", v)
		}
		unit := map[rune]time.Duration{'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour}
		if inTime {
			unit = map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}
		}
		u, ok := unit[c]
		if !ok {
			return 0, fmt.Errorf("bad duration %q", v)
		}
		d += time.Duration(n) * u
		n = -1
	}
	if n >= 0 {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	return d, nil
}

var icsDays = map[string]time.Weekday{
	"MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday,
	"FR": time.Friday, "SA": time.Saturday, "SU": time.Sunday,
}

// parseRRule reads FREQ=DAILY|WEEKLY with INTERVAL, BYDAY, UNTIL and COUNT.
// Any other frequency returns a nil rule: the event keeps its first
// occurrence only, which is better than guessing.
func parseRRule(v string) (*rrule, error) {
	r := &rrule{interval: 1}
	for part := range strings.SplitSeq(v, ";") {
		key, val, _ := strings.Cut(part, "=")
		switch strings.ToUpper(key) {
		case "FREQ":
			r.freq = strings.ToUpper(val)
		case "INTERVAL":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("bad INTERVAL %q", val)
			}
			r.interval = n
		case "COUNT":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("bad COUNT %q", val)
			}
			r.count = n
		case "UNTIL":
			t, err := parseICSTime(val, nil)
			if err != nil {
				return nil, fmt.Errorf("UNTIL: %v", err)
			}
			r.until = &t
		case "BYDAY":
			for d := range strings.SplitSeq(val, ",") {
				d = strings.ToUpper(strings.TrimLeft(d, "+-0123456789"))
				wd, ok := icsDays[d]
				if !ok {
					return nil, fmt.Errorf("bad BYDAY %q", val)
				}
				if !slices.Contains(r.byday, wd) {
					r.byday = append(r.byday, wd)
				}
			}
		}
	}
	if r.freq != "DAILY" && r.freq != "WEEKLY" {
		return nil, nil
	}
	slices.SortFunc(r.byday, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	return r, nil
}

// unescapeText undoes RFC 5545 TEXT escaping (\, \; \\ \n).
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
