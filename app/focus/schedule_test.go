package focus

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// workday is the schedule most tests use: Berlin, weekday blocks
// 09:30–11:30 and 14:00–16:00, batch times 09:00, 12:30, 16:30.
// 2026-06-15 is a Monday.
func workday(t testing.TB, policy Policy) Config {
	return Config{
		Location: mustLoc(t, "Europe/Berlin"),
		Weekly: []WeeklyBlock{
			{Days: []string{"weekdays"}, Start: "09:30", End: "11:30"},
			{Days: []string{"weekdays"}, Start: "14:00", End: "16:00"},
		},
		Policy: policy,
	}
}

func mustSchedule(t testing.TB, cfg Config) *Schedule {
	t.Helper()
	s, err := NewSchedule(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInFocus(t *testing.T) {
	cfg := workday(t, PolicyImmediate)
	cfg.Weekly = append(cfg.Weekly, WeeklyBlock{Days: []string{"fri"}, Start: "22:00", End: "01:00"})
	s := mustSchedule(t, cfg)
	loc := cfg.Location
	tests := []struct {
		at      string
		want    bool
		wantEnd string
	}{
		{"2026-06-15 09:29:59", false, ""},
		{"2026-06-15 09:30", true, "2026-06-15 11:30"},
		{"2026-06-15 11:29:59", true, "2026-06-15 11:30"},
		{"2026-06-15 11:30", false, ""}, // blocks are [start, end)
		{"2026-06-15 15:00", true, "2026-06-15 16:00"},
		{"2026-06-20 10:00", false, ""}, // Saturday
		{"2026-06-19 23:00", true, "2026-06-20 01:00"},
		{"2026-06-20 00:30", true, "2026-06-20 01:00"}, // Friday's block runs into Saturday
		{"2026-06-20 01:00", false, ""},
	}
	for _, tt := range tests {
		in, b := s.InFocus(lt(t, loc, tt.at))
		if in != tt.want {
			t.Errorf("InFocus(%s) = %v, want %v", tt.at, in, tt.want)
			continue
		}
		if in && (!b.End.Equal(lt(t, loc, tt.wantEnd)) || b.Source != SourceSchedule) {
			t.Errorf("InFocus(%s) block %v–%v %s, want end %s", tt.at, b.Start, b.End, b.Source, tt.wantEnd)
		}
		if got := s.BlockEnd(lt(t, loc, tt.at)); in != !got.IsZero() {
			t.Errorf("BlockEnd(%s) = %v", tt.at, got)
		}
	}
}

func TestBlocksMerge(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	s := mustSchedule(t, Config{Location: loc, Weekly: []WeeklyBlock{
		{Days: []string{"mon"}, Start: "09:00", End: "10:00"},
		{Days: []string{"mon"}, Start: "10:00", End: "11:00"}, // touches: merges
		{Days: []string{"mon"}, Start: "10:30", End: "12:00"}, // overlaps: merges
		{Days: []string{"mon"}, Start: "13:00", End: "14:00"},
	}})
	day := lt(t, loc, "2026-06-15 00:00")
	got := s.Blocks(day, day.Add(24*time.Hour))
	if want := "06-15T07:00/06-15T10:00 06-15T11:00/06-15T12:00"; spans(got) != want {
		t.Errorf("Blocks = %s, want %s", spans(got), want)
	}
	// A session that overlaps a block joins it, and labels the result.
	if _, err := s.StartSession(lt(t, loc, "2026-06-15 11:45"), 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	got = s.Blocks(day, day.Add(24*time.Hour))
	if want := "06-15T07:00/06-15T10:15 06-15T11:00/06-15T12:00"; spans(got) != want || got[0].Source != SourceSession || got[1].Source != SourceSchedule {
		t.Errorf("Blocks with session = %s %v", spans(got), got)
	}
}

func TestNextRelease(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	lunchBlock := func(p Policy) Config {
		c := workday(t, p)
		c.Weekly = append(c.Weekly, WeeklyBlock{Days: []string{"mon"}, Start: "12:00", End: "13:00"})
		return c
	}
	noBatch := workday(t, PolicyBatched)
	noBatch.BatchTimes = map[string][]string{"default": {}}
	tests := []struct {
		name string
		cfg  Config
		now  string
		want string // "" for none
	}{
		{"immediate: batch time outside focus", workday(t, PolicyImmediate), "2026-06-15 08:00", "2026-06-15 09:00"},
		{"immediate: batch time exactly now", workday(t, PolicyImmediate), "2026-06-15 12:30", "2026-06-15 12:30"},
		{"immediate: in focus, block end", workday(t, PolicyImmediate), "2026-06-15 10:00", "2026-06-15 11:30"},
		{"immediate: between blocks, block end comes before the batch", workday(t, PolicyImmediate), "2026-06-15 09:10", "2026-06-15 11:30"},
		{"immediate: batch before the next block's end", workday(t, PolicyImmediate), "2026-06-15 12:00", "2026-06-15 12:30"},
		{"immediate: evening, tomorrow 09:00", workday(t, PolicyImmediate), "2026-06-15 17:00", "2026-06-16 09:00"},
		{"batched: outside focus, next batch time", workday(t, PolicyBatched), "2026-06-15 12:45", "2026-06-15 16:30"},
		{"batched: in focus, the block end is no release", workday(t, PolicyBatched), "2026-06-15 10:00", "2026-06-15 12:30"},
		{"batched: batch inside a block waits for its end", lunchBlock(PolicyBatched), "2026-06-15 11:50", "2026-06-15 13:00"},
		{"immediate: batch inside a block waits for its end", lunchBlock(PolicyImmediate), "2026-06-15 11:50", "2026-06-15 13:00"},
		{"batched: Friday evening to Monday", workday(t, PolicyBatched), "2026-06-19 17:00", "2026-06-20 09:00"},
		{"batched without batch times: never", noBatch, "2026-06-15 10:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustSchedule(t, tt.cfg).NextRelease(lt(t, loc, tt.now))
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("NextRelease = %v, want none", got.In(loc))
				}
				return
			}
			if !got.Equal(lt(t, loc, tt.want)) {
				t.Fatalf("NextRelease = %v, want %s", got.In(loc), tt.want)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	sat := func(s string) time.Time { return lt(t, loc, "2026-06-20 "+s) }
	tests := []struct {
		name    string
		start   func(s *Schedule, now time.Time) (Block, error)
		now     string
		wantEnd string
		wantErr bool
	}{
		{"25 min", func(s *Schedule, n time.Time) (Block, error) { return s.StartSession(n, 25*time.Minute) }, "10:00", "2026-06-20 10:25", false},
		{"90 min", func(s *Schedule, n time.Time) (Block, error) { return s.StartSession(n, 90*time.Minute) }, "10:00", "2026-06-20 11:30", false},
		{"zero length", func(s *Schedule, n time.Time) (Block, error) { return s.StartSession(n, 0) }, "10:00", "", true},
		{"until later today", func(s *Schedule, n time.Time) (Block, error) { return s.StartUntil(n, "12:00") }, "10:00", "2026-06-20 12:00", false},
		{"until a passed time: tomorrow", func(s *Schedule, n time.Time) (Block, error) { return s.StartUntil(n, "09:00") }, "10:00", "2026-06-21 09:00", false},
		{"until now: tomorrow", func(s *Schedule, n time.Time) (Block, error) { return s.StartUntil(n, "10:00") }, "10:00", "2026-06-21 10:00", false},
		{"until a bad time", func(s *Schedule, n time.Time) (Block, error) { return s.StartUntil(n, "10h") }, "10:00", "", true},
		{"until next batch", func(s *Schedule, n time.Time) (Block, error) { return s.StartUntilNextBatch(n) }, "10:00", "2026-06-20 12:30", false},
		{"until next batch, at a batch time", func(s *Schedule, n time.Time) (Block, error) { return s.StartUntilNextBatch(n) }, "12:30", "2026-06-20 16:30", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, workday(t, PolicyImmediate))
			now := sat(tt.now)
			b, err := tt.start(s, now)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				if in, _ := s.InFocus(now); in {
					t.Fatal("failed start left focus on")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := lt(t, loc, tt.wantEnd)
			if !b.Start.Equal(now) || !b.End.Equal(want) || b.Source != SourceSession {
				t.Fatalf("session %v–%v %s, want until %v", b.Start, b.End, b.Source, want)
			}
			if in, blk := s.InFocus(now); !in || blk.Source != SourceSession {
				t.Fatal("not in focus at session start")
			}
			if in, _ := s.InFocus(want); in {
				t.Fatal("in focus at session end")
			}
			if got := s.NextRelease(now); !got.Equal(want) {
				t.Fatalf("NextRelease = %v, want the session end %v", got, want)
			}
		})
	}
}

func TestStartUntilDST(t *testing.T) {
	// "until 02:30" on the night Berlin skips 02:00–03:00 ends at 03:00 CEST.
	loc := mustLoc(t, "Europe/Berlin")
	s := mustSchedule(t, Config{Location: loc})
	b, err := s.StartUntil(lt(t, loc, "2026-03-29 01:00"), "02:30")
	if err != nil {
		t.Fatal(err)
	}
	if want := utc(t, "2026-03-29T01:00:00Z"); !b.End.Equal(want) || b.End.Sub(b.Start) != time.Hour {
		t.Errorf("end %v, want %v (one real hour)", b.End.In(loc), want.In(loc))
	}
}

func TestStop(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }

	t.Run("scheduled block: rest of its span, later blocks untouched", func(t *testing.T) {
		s := mustSchedule(t, workday(t, PolicyImmediate))
		if !s.Stop(at("10:00")) {
			t.Fatal("Stop reported nothing stopped")
		}
		for _, c := range []struct {
			t    string
			want bool
		}{{"09:45", true}, {"10:00", false}, {"11:00", false}, {"14:00", true}} {
			if in, _ := s.InFocus(at(c.t)); in != c.want {
				t.Errorf("InFocus(%s) = %v, want %v", c.t, in, c.want)
			}
		}
		if in, _ := s.InFocus(lt(t, loc, "2026-06-16 10:00")); !in {
			t.Error("tomorrow's block was suppressed")
		}
		if got := s.NextRelease(at("10:00")); !got.Equal(at("10:00")) {
			t.Errorf("NextRelease after Stop = %v, want now (the block ended)", got)
		}
	})
	t.Run("session and block together", func(t *testing.T) {
		s := mustSchedule(t, workday(t, PolicyImmediate))
		_, _ = s.StartSession(at("09:00"), 50*time.Minute)
		s.Stop(at("09:40"))
		if in, _ := s.InFocus(at("09:41")); in {
			t.Error("still in focus after Stop")
		}
		if _, running := s.Session(at("09:41")); running {
			t.Error("session still running")
		}
	})
	t.Run("a new session after Stop is focus again", func(t *testing.T) {
		s := mustSchedule(t, workday(t, PolicyImmediate))
		s.Stop(at("10:00"))
		_, _ = s.StartSession(at("10:30"), 25*time.Minute)
		for _, c := range []struct {
			t    string
			want bool
		}{{"10:20", false}, {"10:30", true}, {"10:54", true}, {"10:55", false}, {"11:10", false}} {
			if in, _ := s.InFocus(at(c.t)); in != c.want {
				t.Errorf("InFocus(%s) = %v, want %v", c.t, in, c.want)
			}
		}
	})
	t.Run("outside focus: nothing to stop", func(t *testing.T) {
		s := mustSchedule(t, workday(t, PolicyImmediate))
		if s.Stop(at("12:00")) {
			t.Error("Stop outside focus reported a stop")
		}
	})
	t.Run("calendar block", func(t *testing.T) {
		e, err := New(Config{Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join("testdata", "basic.ics"))
		if err := e.SetCalendar(data); err != nil {
			t.Fatal(err)
		}
		if in, b := e.InFocus(at("10:00")); !in || b.Source != SourceCalendar {
			t.Fatal("calendar event not in focus")
		}
		e.Stop(at("10:00"))
		if in, _ := e.InFocus(at("10:30")); in {
			t.Error("calendar block not stopped")
		}
	})
}

// TestDSTBlocks states how a 01:30–03:30 block behaves on the four change
// days: on spring-forward days it is one real hour shorter, on fall-back
// days one hour longer, and 01:30 (New York) or 02:30 (Berlin) on a
// fall-back day is the first occurrence.
func TestDSTBlocks(t *testing.T) {
	tests := []struct {
		zone, day string
		want      string
		hours     time.Duration
	}{
		{"Europe/Berlin", "2026-03-29", "03-29T00:30/03-29T01:30", 1},
		{"Europe/Berlin", "2026-10-25", "10-24T23:30/10-25T02:30", 3},
		{"America/New_York", "2026-03-08", "03-08T06:30/03-08T07:30", 1},
		{"America/New_York", "2026-11-01", "11-01T05:30/11-01T08:30", 3},
		{"Europe/Berlin", "2026-06-14", "06-13T23:30/06-14T01:30", 2},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.day, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			s := mustSchedule(t, Config{Location: loc, Weekly: []WeeklyBlock{{Days: []string{"sun"}, Start: "01:30", End: "03:30"}}})
			day := lt(t, loc, tt.day+" 00:00")
			got := s.Blocks(day, day.Add(24*time.Hour))
			if spans(got) != tt.want {
				t.Fatalf("Blocks = %s, want %s", spans(got), tt.want)
			}
			if d := got[0].End.Sub(got[0].Start); d != tt.hours*time.Hour {
				t.Errorf("block lasts %v, want %vh", d, tt.hours)
			}
		})
	}
	// A block wholly inside the skipped hour does not happen that day.
	loc := mustLoc(t, "Europe/Berlin")
	s := mustSchedule(t, Config{Location: loc, Weekly: []WeeklyBlock{{Days: []string{"sun"}, Start: "02:10", End: "02:50"}}})
	day := lt(t, loc, "2026-03-29 00:00")
	if got := s.Blocks(day, day.Add(24*time.Hour)); len(got) != 0 {
		t.Errorf("block in the gap = %s, want none", spans(got))
	}
}

// TestDSTBatchTimes: a batch time that does not exist that day releases at
// the first instant after the gap, once; one that happens twice releases at
// its first occurrence, once.
func TestDSTBatchTimes(t *testing.T) {
	tests := []struct {
		zone, day string
		batch     []string
		want      []string
	}{
		{"Europe/Berlin", "2026-03-29", []string{"02:30"}, []string{"2026-03-29T01:00:00Z"}},
		{"Europe/Berlin", "2026-03-29", []string{"02:15", "02:45", "03:00"}, []string{"2026-03-29T01:00:00Z"}},
		{"Europe/Berlin", "2026-10-25", []string{"02:30"}, []string{"2026-10-25T00:30:00Z"}},
		{"America/New_York", "2026-03-08", []string{"02:30", "09:00"}, []string{"2026-03-08T07:00:00Z", "2026-03-08T13:00:00Z"}},
		{"America/New_York", "2026-11-01", []string{"01:30", "09:00"}, []string{"2026-11-01T05:30:00Z", "2026-11-01T14:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.day, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			s := mustSchedule(t, Config{Location: loc, BatchTimes: map[string][]string{"default": tt.batch}})
			day := lt(t, loc, tt.day+" 00:00")
			got := s.BatchTimes(day, lt(t, loc, tt.day+" 23:59"))
			if len(got) != len(tt.want) {
				t.Fatalf("BatchTimes = %v, want %v", got, tt.want)
			}
			for i := range got {
				if !got[i].Equal(utc(t, tt.want[i])) {
					t.Errorf("BatchTimes[%d] = %v, want %v", i, got[i].UTC(), tt.want[i])
				}
			}
		})
	}
}

// TestSetLocation: clock times are read in the new zone from the change on;
// the block in progress under the old zone ends at the change.
func TestSetLocation(t *testing.T) {
	berlin, ny := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	s := mustSchedule(t, Config{Location: berlin, Weekly: []WeeklyBlock{{Start: "09:00", End: "12:00"}}})
	change := lt(t, berlin, "2026-06-15 11:00") // 05:00 in New York
	if in, _ := s.InFocus(change.Add(-time.Minute)); !in {
		t.Fatal("not in focus before the change")
	}
	s.SetLocation(change, ny)
	tests := []struct {
		at   time.Time
		want bool
	}{
		{lt(t, berlin, "2026-06-15 10:00"), true}, // the past keeps the old zone
		{change, false},
		{lt(t, ny, "2026-06-15 08:59"), false},
		{lt(t, ny, "2026-06-15 09:00"), true},
		{lt(t, ny, "2026-06-15 11:59"), true},
		{lt(t, ny, "2026-06-15 12:00"), false},
	}
	for _, tt := range tests {
		if in, _ := s.InFocus(tt.at); in != tt.want {
			t.Errorf("InFocus(%v) = %v, want %v", tt.at.UTC(), in, tt.want)
		}
	}
	// Items held at 10:00 Berlin: under policy immediate their block ended
	// at the change.
	if got := s.NextRelease(lt(t, berlin, "2026-06-15 10:00")); !got.Equal(change) {
		t.Errorf("NextRelease from before the change = %v, want the change %v", got.UTC(), change.UTC())
	}
	// Batch times from the change on are New York times.
	if got := s.NextRelease(lt(t, ny, "2026-06-15 12:10")); !got.Equal(lt(t, ny, "2026-06-15 12:30")) {
		t.Errorf("NextRelease = %v, want 12:30 New York", got.In(ny))
	}
}

func TestCalendarOverride(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	e, err := New(Config{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join("testdata", "recurring.ics"))
	if err := e.SetCalendar(data); err != nil {
		t.Fatal(err)
	}
	got := e.Blocks(lt(t, loc, "2026-06-03 00:00"), lt(t, loc, "2026-06-04 00:00"))
	if want := "06-03T11:00/06-03T12:00"; spans(got) != want {
		t.Errorf("3 June = %s, want only the moved instance %s", spans(got), want)
	}
}
