package focus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readEvents(t *testing.T, name string) []Event {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	events, err := ParseICS(data)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// spans renders blocks as "start/end" in UTC for compact comparisons.
func spans(bs []Block) string {
	var s []string
	for _, b := range bs {
		s = append(s, b.Start.UTC().Format("01-02T15:04")+"/"+b.End.UTC().Format("01-02T15:04"))
	}
	return strings.Join(s, " ")
}

func TestParseICS(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	from, to := utc(t, "2026-03-01T00:00:00Z"), utc(t, "2026-07-01T00:00:00Z")
	tests := []struct {
		file, uid string
		from, to  time.Time
		summary   string
		want      string
	}{
		{"basic.ics", "writing@lull", from, to, "Focus: writing", "06-15T07:00/06-15T09:00"},
		{"basic.ics", "lunch@lull", from, to, "Lunch", "06-15T10:00/06-15T11:00"},
		{"basic.ics", "utc@lull", from, to, "Deep FOCUS", "06-16T12:00/06-16T13:00"},
		// Floating time is read in the focus time zone.
		{"basic.ics", "floating@lull", from, to, "focus block", "06-17T12:00/06-17T13:00"},
		// All-day: local midnight to midnight.
		{"basic.ics", "allday@lull", from, to, "Focus day", "06-18T22:00/06-19T22:00"},
		{"basic.ics", "folded@lull", from, to, "Focus, no meetings; really. This summary is long enough that a calendar server folds it onto a second line", "06-18T14:00/06-18T15:00"},
		{"basic.ics", "duration@lull", from, to, "Focus sprint", "06-18T14:00/06-18T15:30"},
		// COUNT=6 counts the overridden 3 June instance, which the override replaces.
		{"recurring.ics", "mwf@lull", from, to, "Focus", "06-01T06:00/06-01T07:00 06-05T06:00/06-05T07:00 06-08T06:00/06-08T07:00 06-10T06:00/06-10T07:00 06-12T06:00/06-12T07:00"},
		{"recurring.ics", "biweekly@lull", from, utc(t, "2026-12-31T00:00:00Z"), "Focus review", "06-02T08:00/06-02T09:00 06-16T08:00/06-16T09:00 06-30T08:00/06-30T09:00"},
		{"recurring.ics", "daily@lull", from, to, "Focus hour", "06-22T05:00/06-22T06:00 06-23T05:00/06-23T06:00 06-25T05:00/06-25T06:00 06-26T05:00/06-26T06:00"},
		// 02:30 does not exist on 29 March: the instance starts at 03:00 CEST and keeps its hour.
		{"recurring.ics", "dst@lull", from, to, "Focus early", "03-22T01:30/03-22T02:30 03-29T01:00/03-29T02:00 04-05T00:30/04-05T01:30"},
		// Unsupported frequencies keep their first occurrence only.
		{"recurring.ics", "monthly@lull", from, to, "Focus monthly", "06-05T15:00/06-05T16:00"},
		// FREQ=DAILY with BYDAY skips the weekend, and COUNT counts only matching days.
		{"recurring.ics", "weekdays@lull", from, to, "Focus weekdays", "06-12T04:00/06-12T04:30 06-15T04:00/06-15T04:30 06-16T04:00/06-16T04:30 06-17T04:00/06-17T04:30"},
		// An endless rule started years ago, asked about one June week.
		{"recurring.ics", "forever@lull", utc(t, "2026-06-08T00:00:00Z"), utc(t, "2026-06-16T00:00:00Z"), "Focus forever", "06-08T18:00/06-08T19:00 06-15T18:00/06-15T19:00"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.uid, func(t *testing.T) {
			var found bool
			for _, ev := range readEvents(t, tt.file) {
				if ev.UID != tt.uid || ev.Summary == "Focus (moved)" {
					continue
				}
				found = true
				if ev.Summary != tt.summary {
					t.Errorf("summary %q, want %q", ev.Summary, tt.summary)
				}
				if got := spans(ev.Occurrences(berlin, tt.from, tt.to)); got != tt.want {
					t.Errorf("occurrences\n got %s\nwant %s", got, tt.want)
				}
			}
			if !found {
				t.Fatal("event not found")
			}
		})
	}
}

func TestParseICSDropsCancelledAndAlarms(t *testing.T) {
	for _, ev := range readEvents(t, "basic.ics") {
		if ev.UID == "cancelled@lull" {
			t.Error("cancelled event kept")
		}
		if strings.Contains(ev.Summary, "alarm") {
			t.Error("VALARM read as an event")
		}
	}
	if n := len(readEvents(t, "basic.ics")); n != 7 {
		t.Errorf("basic.ics: %d events, want 7", n)
	}
}

func TestParseICSErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bad date", "BEGIN:VEVENT\nSUMMARY:Focus\nDTSTART:2026061\nEND:VEVENT\n", "DTSTART"},
		{"no start", "BEGIN:VEVENT\nSUMMARY:Focus\nEND:VEVENT\n", "no DTSTART"},
		{"no end", "BEGIN:VEVENT\nSUMMARY:Focus\nDTSTART:20260601T100000Z\n", "no END:VEVENT"},
		{"no colon", "BEGIN:VEVENT\nSUMMARY Focus\n", "no ':'"},
		{"bad rrule", "BEGIN:VEVENT\nDTSTART:20260601T100000Z\nRRULE:FREQ=WEEKLY;BYDAY=XX\nEND:VEVENT\n", "BYDAY"},
		{"bad duration", "BEGIN:VEVENT\nDTSTART:20260601T100000Z\nDURATION:1H\nEND:VEVENT\n", "DURATION"},
	}
	for _, tt := range tests {
		_, err := ParseICS([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	data, _ := os.ReadFile(filepath.Join("testdata", "bad.ics"))
	if _, err := ParseICS(data); err == nil {
		t.Error("bad.ics parsed")
	}
}

func TestCalendarBlocks(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	data, err := os.ReadFile(filepath.Join("testdata", "basic.ics"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    string
	}{
		// Lunch is not focus; the sprint and the folded event overlap and merge.
		{"", "06-15T07:00/06-15T09:00 06-16T12:00/06-16T13:00 06-17T12:00/06-17T13:00 06-18T14:00/06-18T15:30 06-18T22:00/06-19T22:00"},
		{"/^Focus[:,]/", "06-15T07:00/06-15T09:00 06-18T14:00/06-18T15:00"},
		{"lunch", "06-15T10:00/06-15T11:00"},
	}
	for _, tt := range tests {
		e, err := New(Config{Location: berlin, Calendar: Calendar{TitlePattern: tt.pattern}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.SetCalendar(data); err != nil {
			t.Fatal(err)
		}
		got := e.Blocks(utc(t, "2026-06-14T00:00:00Z"), utc(t, "2026-06-21T00:00:00Z"))
		if spans(got) != tt.want {
			t.Errorf("pattern %q:\n got %s\nwant %s", tt.pattern, spans(got), tt.want)
		}
		for _, b := range got {
			if b.Source != SourceCalendar {
				t.Errorf("source %q, want calendar", b.Source)
			}
		}
	}
	// A bad feed leaves the previous one in place.
	e, _ := New(Config{Location: berlin})
	_ = e.SetCalendar(data)
	if err := e.SetCalendar([]byte("BEGIN:VEVENT\nDTSTART:x\nEND:VEVENT\n")); err == nil {
		t.Fatal("bad feed accepted")
	}
	if in, b := e.InFocus(utc(t, "2026-06-15T08:00:00Z")); !in || b.Source != SourceCalendar {
		t.Error("previous feed lost after a bad one")
	}
}
