package app

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone cases must not depend on the machine's zoneinfo

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// local reads "2006-01-02 15:04" in loc.
func local(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestResolveWhen(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	ny := mustZone(t, "America/New_York")
	// Batch times 09:00, 12:30 and 16:30 every day, as the focus defaults.
	batches := func(loc *time.Location) func(time.Time) (time.Time, bool) {
		return func(now time.Time) (time.Time, bool) {
			n := now.In(loc)
			for d := 0; d < 2; d++ {
				for _, hm := range [][2]int{{9, 0}, {12, 30}, {16, 30}} {
					b := time.Date(n.Year(), n.Month(), n.Day()+d, hm[0], hm[1], 0, 0, loc)
					if b.After(now) {
						return b, true
					}
				}
			}
			return time.Time{}, false
		}
	}
	none := func(time.Time) (time.Time, bool) { return time.Time{}, false }

	tests := []struct {
		name    string
		loc     *time.Location
		now     string // local "2006-01-02 15:04"; 2026-06-15 is a Monday
		spec    string
		batch   func(time.Time) (time.Time, bool)
		want    string // local "2006-01-02 15:04"
		wantErr string
	}{
		{name: "next batch in the morning", loc: berlin, now: "2026-06-15 10:05", spec: "next-batch", want: "2026-06-15 12:30"},
		{name: "next batch in the evening is tomorrow", loc: berlin, now: "2026-06-15 17:00", spec: "next-batch", want: "2026-06-16 09:00"},
		{name: "next batch exactly at a batch time is the next one", loc: berlin, now: "2026-06-15 12:30", spec: "next-batch", want: "2026-06-15 16:30"},
		{name: "no batch times", loc: berlin, now: "2026-06-15 10:00", spec: "next-batch", batch: none, wantErr: "no batch time"},
		{name: "this afternoon before two", loc: berlin, now: "2026-06-15 10:00", spec: "this-afternoon", want: "2026-06-15 14:00"},
		{name: "this afternoon after two is three hours on", loc: berlin, now: "2026-06-15 15:10", spec: "this-afternoon", want: "2026-06-15 18:10"},
		{name: "this afternoon at two exactly", loc: berlin, now: "2026-06-15 14:00", spec: "this-afternoon", want: "2026-06-15 17:00"},
		{name: "tomorrow morning", loc: berlin, now: "2026-06-15 23:30", spec: "tomorrow-morning", want: "2026-06-16 09:00"},
		{name: "tomorrow morning just after midnight is the next day", loc: berlin, now: "2026-06-16 00:10", spec: "tomorrow-morning", want: "2026-06-17 09:00"},
		{name: "tomorrow is tomorrow morning", loc: berlin, now: "2026-06-15 10:00", spec: "tomorrow", want: "2026-06-16 09:00"},
		{name: "in 3 days", loc: berlin, now: "2026-06-15 10:00", spec: "in-3-days", want: "2026-06-18 09:00"},
		{name: "in 3 days across month end", loc: berlin, now: "2026-06-29 22:00", spec: "in-3-days", want: "2026-07-02 09:00"},
		{name: "tomorrow morning across spring forward", loc: berlin, now: "2026-03-28 20:00", spec: "tomorrow-morning", want: "2026-03-29 09:00"},
		{name: "a clock time later today", loc: ny, now: "2026-06-15 10:00", spec: "15:00", want: "2026-06-15 15:00"},
		{name: "a clock time that passed is tomorrow", loc: ny, now: "2026-06-15 16:00", spec: "15:00", want: "2026-06-16 15:00"},
		{name: "today with a time", loc: berlin, now: "2026-06-15 10:00", spec: "today 17:30", want: "2026-06-15 17:30"},
		{name: "today in the past", loc: berlin, now: "2026-06-15 18:00", spec: "today 17:30", wantErr: "in the past"},
		{name: "tomorrow with a time", loc: berlin, now: "2026-06-15 10:00", spec: "Tomorrow 15:00", want: "2026-06-16 15:00"},
		{name: "a weekday", loc: berlin, now: "2026-06-15 10:00", spec: "fri", want: "2026-06-19 09:00"},
		{name: "the same weekday is next week", loc: berlin, now: "2026-06-15 08:00", spec: "monday", want: "2026-06-22 09:00"},
		{name: "a weekday with a time", loc: berlin, now: "2026-06-15 10:00", spec: "wed 14:15", want: "2026-06-17 14:15"},
		{name: "a date", loc: berlin, now: "2026-06-15 10:00", spec: "2026-07-01", want: "2026-07-01 09:00"},
		{name: "a date and time", loc: berlin, now: "2026-06-15 10:00", spec: "2026-07-01 16:45", want: "2026-07-01 16:45"},
		{name: "a date and time with T", loc: berlin, now: "2026-06-15 10:00", spec: "2026-07-01T16:45", want: "2026-07-01 16:45"},
		{name: "a date in the past", loc: berlin, now: "2026-06-15 10:00", spec: "2026-06-01", wantErr: "in the past"},
		{name: "RFC 3339 keeps its instant", loc: berlin, now: "2026-06-15 10:00", spec: "2026-06-15T12:00:00Z", want: "2026-06-15 14:00"},
		{name: "a length", loc: berlin, now: "2026-06-15 10:00", spec: "2h", want: "2026-06-15 12:00"},
		{name: "a length in days", loc: berlin, now: "2026-06-15 10:00", spec: "3d", want: "2026-06-18 10:00"},
		{name: "a week", loc: berlin, now: "2026-06-15 10:00", spec: "1w", want: "2026-06-22 10:00"},
		{name: "nonsense", loc: berlin, now: "2026-06-15 10:00", spec: "someday", wantErr: "not a time I know"},
		{name: "bad clock", loc: berlin, now: "2026-06-15 10:00", spec: "tomorrow 25:00", wantErr: "not a clock time"},
		{name: "bare number", loc: berlin, now: "2026-06-15 10:00", spec: "9", wantErr: "not a time I know"},
		{name: "empty", loc: berlin, now: "2026-06-15 10:00", spec: " ", wantErr: "no time given"},
		{name: "today without a time", loc: berlin, now: "2026-06-15 10:00", spec: "today", wantErr: "needs a time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batch := tt.batch
			if batch == nil {
				batch = batches(tt.loc)
			}
			env := whenEnv{now: local(t, tt.loc, tt.now), loc: tt.loc, nextBatch: batch}
			got, err := resolveWhen(tt.spec, env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("resolveWhen(%q) = %v, %v; want error containing %q", tt.spec, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolveWhen(%q): %v", tt.spec, err)
			}
			if want := local(t, tt.loc, tt.want); !got.Equal(want) {
				t.Fatalf("resolveWhen(%q) at %s = %s, want %s", tt.spec, tt.now, got.In(tt.loc).Format("2006-01-02 15:04 MST"), tt.want)
			}
		})
	}
}

func TestPresetNameSaysWhatThisAfternoonMeansNow(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	tests := []struct {
		now, preset, want string
	}{
		{now: "2026-06-15 10:00", preset: PresetThisAfternoon, want: ""},
		{now: "2026-06-15 13:59", preset: PresetThisAfternoon, want: ""},
		{now: "2026-06-15 14:00", preset: PresetThisAfternoon, want: "Later today"},
		{now: "2026-06-15 18:35", preset: PresetThisAfternoon, want: "Later today"},
		{now: "2026-06-15 20:59", preset: PresetThisAfternoon, want: "Later today"},
		{now: "2026-06-15 21:00", preset: PresetThisAfternoon, want: "In 3 hours"},
		{now: "2026-06-15 23:30", preset: PresetThisAfternoon, want: "In 3 hours"},
		{now: "2026-06-15 18:35", preset: PresetTomorrowMorning, want: ""},
		{now: "2026-06-15 18:35", preset: "fri 15:00", want: ""},
	}
	for _, tt := range tests {
		env := whenEnv{now: local(t, berlin, tt.now), loc: berlin}
		if got := presetName(tt.preset, env); got != tt.want {
			t.Errorf("presetName(%q) at %s = %q, want %q", tt.preset, tt.now, got, tt.want)
		}
	}
}

func TestLaterByNorm(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	now := local(t, berlin, "2026-06-15 10:00")
	env := whenEnv{now: now, loc: berlin}
	custom := config.Norms{Email: 48 * time.Hour, SlackDM: 30 * time.Minute}
	tests := []struct {
		name  string
		it    inbox.Item
		norms config.Norms
		want  time.Duration
	}{
		{"email default", inbox.Item{Source: inbox.SourceEmail}, config.Norms{}, 24 * time.Hour},
		{"slack dm default", inbox.Item{Source: inbox.SourceSlack, Signals: []inbox.Signal{inbox.SignalDM}}, config.Norms{}, 4 * time.Hour},
		{"slack channel default", inbox.Item{Source: inbox.SourceSlack, Signals: []inbox.Signal{inbox.SignalMention}}, config.Norms{}, 8 * time.Hour},
		{"github default", inbox.Item{Source: inbox.SourceGitHub}, config.Norms{}, 24 * time.Hour},
		{"asana default", inbox.Item{Source: inbox.SourceAsana}, config.Norms{}, 24 * time.Hour},
		{"email from config", inbox.Item{Source: inbox.SourceEmail}, custom, 48 * time.Hour},
		{"slack dm from config", inbox.Item{Source: inbox.SourceSlack, Signals: []inbox.Signal{inbox.SignalDM}}, custom, 30 * time.Minute},
		{"slack channel keeps its default", inbox.Item{Source: inbox.SourceSlack}, custom, 8 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, command := range []string{"later", "later norm", "later  NORM"} {
				c, err := parseTriage(command)
				if err != nil {
					t.Fatal(err)
				}
				got := c.next(&tt.it, time.Time{}, env, tt.norms)
				if got.State != inbox.StateLater || !got.RespondBy.Equal(now.Add(tt.want)) || !got.SnoozeUntil.IsZero() {
					t.Fatalf("%s: %+v, want later by %s", command, got, now.Add(tt.want))
				}
			}
		})
	}
}

func TestParseTriage(t *testing.T) {
	tests := []struct {
		in      string
		verb    string
		when    string
		wantErr string
	}{
		{in: "done", verb: "done"},
		{in: " inbox ", verb: "inbox"},
		{in: "undone", verb: "inbox"},
		{in: "later", verb: "later"},
		{in: "later norm", verb: "later"},
		{in: "later tomorrow-morning", verb: "later", when: "tomorrow-morning"},
		{in: "snooze 2026-03-14 15:00", verb: "snooze", when: "2026-03-14 15:00"},
		{in: "snooze", wantErr: "until when"},
		{in: "snooze norm", wantErr: "until when"},
		{in: "snooze someday", wantErr: "not a time I know"},
		{in: "done now", wantErr: "takes no time"},
		{in: "explode", wantErr: "unknown command"},
		{in: "", wantErr: "empty"},
	}
	for _, tt := range tests {
		c, err := parseTriage(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseTriage(%q) = %+v, %v; want error %q", tt.in, c, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.verb != tt.verb || c.when != tt.when {
			t.Errorf("parseTriage(%q) = %+v, %v; want %s %q", tt.in, c, err, tt.verb, tt.when)
		}
	}
}

func TestWhenLabel(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	now := local(t, berlin, "2026-06-15 10:00") // Monday
	for _, tt := range []struct{ at, want string }{
		{"2026-06-15 14:00", "14:00"},
		{"2026-06-16 09:00", "tomorrow 09:00"},
		{"2026-06-19 09:00", "Fri 09:00"},
		{"2026-06-25 09:00", "Jun 25 09:00"},
		{"2027-01-05 09:00", "Jan 5 2027 09:00"},
	} {
		if got := whenLabel(now, local(t, berlin, tt.at)); got != tt.want {
			t.Errorf("whenLabel(%s) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	now := local(t, berlin, "2026-06-15 10:00")
	tomorrow := local(t, berlin, "2026-06-16 09:00")
	for _, tt := range []struct {
		verb  string
		n     int
		times []time.Time
		want  string
	}{
		{"done", 1, nil, "1 item marked done"},
		{"inbox", 2, nil, "2 items moved to the inbox"},
		{"snooze", 3, []time.Time{tomorrow, tomorrow, tomorrow}, "3 items snoozed until tomorrow 09:00"},
		{"later", 1, []time.Time{tomorrow}, "1 item for later, respond by tomorrow 09:00"},
		{"later", 2, []time.Time{tomorrow, now.Add(4 * time.Hour)}, "2 items for later, respond by their usual reply times"},
	} {
		if got := describe(triageCmd{verb: tt.verb}, tt.n, tt.times, now); got != tt.want {
			t.Errorf("describe(%s, %d) = %q, want %q", tt.verb, tt.n, got, tt.want)
		}
	}
}
