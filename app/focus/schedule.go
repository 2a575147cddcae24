package focus

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Where a focus block comes from, as Block.Source and Status.Source say.
const (
	SourceSchedule = "schedule" // a weekly block from config
	SourceSession  = "session"  // an ad-hoc session from tray, keyboard or CLI
	SourceCalendar = "calendar" // an event of the calendar feed
)

// Block is a focus interval [Start, End).
type Block struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Source string    `json:"source"`
}

// Contains reports whether t is inside b: Start ≤ t < End.
func (b Block) Contains(t time.Time) bool {
	return !t.Before(b.Start) && t.Before(b.End)
}

// rank orders sources when overlapping blocks merge: the merged block is
// labelled with the most deliberate of them, so a session the user started
// inside a weekly block shows as "session".
func rank(source string) int {
	switch source {
	case SourceSession:
		return 2
	case SourceCalendar:
		return 1
	}
	return 0
}

// searchHorizon bounds how far ahead NextRelease looks. Weekly schedules
// repeat, so a week and a day finds every release there is.
const searchHorizon = 8 * 24 * time.Hour

// Schedule turns the weekly blocks, the calendar feed and the ad-hoc session
// into merged focus blocks, and batch times into instants. It is not safe
// for concurrent use; Engine serialises access.
//
// Clock times are read in the schedule's time zone with the daylight-saving
// rules of at: a skipped time is the first instant after the gap, a
// repeated time its first occurrence. A weekly block that lies wholly in a
// skipped hour does not happen that day. After SetLocation, clock times
// before the change keep the old zone and times from then on use the new
// one; blocks that run across the change are cut there and joined again if
// the new zone is in focus too.
type Schedule struct {
	cfg      *compiled
	loc      *time.Location
	prevLoc  *time.Location // zone before the last SetLocation, nil if none
	locSince time.Time      // when loc took over from prevLoc
	events   []Event
	session  Block   // zero when there is none
	suppress []Block // spans Stop took out of scheduled and calendar focus
	version  uint64  // bumped on every change, invalidates caches

	win window
}

// window caches the expanded schedule for a stretch of time.
type window struct {
	version uint64
	valid   bool
	lo, hi  time.Time   // queries at t with lo ≤ t and t+searchHorizon ≤ hi
	blocks  []Block     // merged focus, sorted
	fixed   []Block     // merged weekly and calendar focus, without the session
	batches []time.Time // batch instants, sorted, unique
}

// NewSchedule validates cfg and returns its schedule.
func NewSchedule(cfg Config) (*Schedule, error) {
	k, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	return newSchedule(k), nil
}

func newSchedule(k *compiled) *Schedule {
	return &Schedule{cfg: k, loc: k.loc}
}

// Location is the time zone clock times are read in now.
func (s *Schedule) Location() *time.Location { return s.loc }

// SetLocation switches the time zone from now on: batch times and weekly
// blocks from now are read in loc; the past keeps the old zone, so the
// release moment of items already held is worked out against what really
// happened (a block cut short by the change ends at the change).
func (s *Schedule) SetLocation(now time.Time, loc *time.Location) {
	if loc == nil || loc.String() == s.loc.String() {
		return
	}
	s.prevLoc, s.locSince, s.loc = s.loc, now, loc
	s.version++
}

// SetEvents replaces the calendar events (already filtered by title).
func (s *Schedule) SetEvents(events []Event) {
	s.events = events
	s.version++
}

// InFocus reports whether now is inside a focus block, and the block.
func (s *Schedule) InFocus(now time.Time) (bool, Block) {
	w := s.window(now)
	return w.at(now)
}

// BlockEnd returns the end of the focus block now is in, or the zero time
// when now is outside focus.
func (s *Schedule) BlockEnd(now time.Time) time.Time {
	if in, b := s.InFocus(now); in {
		return b.End
	}
	return time.Time{}
}

// Blocks returns the merged focus blocks that overlap [from, to).
func (s *Schedule) Blocks(from, to time.Time) []Block {
	var out []Block
	for _, b := range s.expand(from.Add(-48*time.Hour), to.Add(48*time.Hour)).blocks {
		if b.End.After(from) && b.Start.Before(to) {
			out = append(out, b)
		}
	}
	return out
}

// BatchTimes returns the batch instants in [from, to).
func (s *Schedule) BatchTimes(from, to time.Time) []time.Time {
	var out []time.Time
	for _, t := range s.expand(from, to).batches {
		if !t.Before(from) && t.Before(to) {
			out = append(out, t)
		}
	}
	return out
}

// NextRelease is the earliest instant ≥ now that is outside focus and is
// either a batch time or, under policy immediate, the end of a focus block.
// A batch time inside a block waits for the block's end, so under either
// policy the end of a block that swallowed a batch time is a release moment.
// The zero time means there is none within a week (no batch times and
// policy batched, or focus that never ends).
func (s *Schedule) NextRelease(now time.Time) time.Time {
	w := s.window(now)
	var best time.Time
	consider := func(t time.Time) {
		if !t.After(w.hi) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if i := sort.Search(len(w.batches), func(i int) bool { return !w.batches[i].Before(now) }); i < len(w.batches) {
		b := w.batches[i]
		if in, blk := w.at(b); in {
			consider(blk.End)
		} else {
			consider(b)
		}
	}
	if s.cfg.policy == PolicyImmediate {
		if j := sort.Search(len(w.blocks), func(j int) bool { return !w.blocks[j].End.Before(now) }); j < len(w.blocks) {
			consider(w.blocks[j].End)
		}
	}
	return best
}

// nextBatch is the first batch instant strictly after now.
func (s *Schedule) nextBatch(now time.Time) (time.Time, bool) {
	w := s.window(now)
	i := sort.Search(len(w.batches), func(i int) bool { return w.batches[i].After(now) })
	if i == len(w.batches) {
		return time.Time{}, false
	}
	return w.batches[i], true
}

// StartSession starts an ad-hoc focus session of length d (25, 50 or 90
// minutes from the tray; any length from the CLI). It replaces a running
// session.
func (s *Schedule) StartSession(now time.Time, d time.Duration) (Block, error) {
	if d <= 0 {
		return Block{}, fmt.Errorf("focus: session length %v: must be positive", d)
	}
	s.session = Block{Start: now, End: now.Add(d), Source: SourceSession}
	s.version++
	return s.session, nil
}

// StartUntil starts a session that ends at the next occurrence of the local
// clock time hhmm after now (tomorrow when it has passed today), with the
// daylight-saving rules of the schedule.
func (s *Schedule) StartUntil(now time.Time, hhmm string) (Block, error) {
	c, err := parseClock(hhmm)
	if err != nil {
		return Block{}, fmt.Errorf("focus: until: %v", err)
	}
	d := dateOf(now.In(s.loc))
	for i := range 3 {
		if t := at(s.loc, d.addDays(i), c); t.After(now) {
			return s.StartSession(now, t.Sub(now))
		}
	}
	return Block{}, fmt.Errorf("focus: until %s: no such time in the next days", hhmm)
}

// StartUntilNextBatch starts a session that ends at the next batch time.
func (s *Schedule) StartUntilNextBatch(now time.Time) (Block, error) {
	t, ok := s.nextBatch(now)
	if !ok {
		return Block{}, errors.New("focus: no batch time in the next week")
	}
	return s.StartSession(now, t.Sub(now))
}

// Stop ends the ad-hoc session and takes the rest of the current weekly or
// calendar block out of focus, so "stop" means stop whatever the source.
// Later blocks are untouched. It reports whether there was anything to stop.
func (s *Schedule) Stop(now time.Time) bool {
	stopped := false
	if s.session.Contains(now) {
		s.session.End = now
		stopped = true
	}
	w := s.window(now)
	if i := sort.Search(len(w.fixed), func(i int) bool { return w.fixed[i].End.After(now) }); i < len(w.fixed) && w.fixed[i].Contains(now) {
		s.suppress = append(s.suppress, Block{Start: now, End: w.fixed[i].End, Source: w.fixed[i].Source})
		stopped = true
	}
	// Suppressions and sessions older than the search horizon can no longer
	// change a release moment that matters.
	s.suppress = slices.DeleteFunc(s.suppress, func(b Block) bool { return b.End.Before(now.Add(-searchHorizon)) })
	s.version++
	return stopped
}

// Session returns the ad-hoc session, if one is running at now.
func (s *Schedule) Session(now time.Time) (Block, bool) {
	return s.session, s.session.Contains(now)
}

// window returns the expanded schedule around t, from the cache when it
// covers t and a week after.
func (s *Schedule) window(t time.Time) *window {
	w := &s.win
	if w.valid && w.version == s.version && !t.Before(w.lo) && !t.Add(searchHorizon).After(w.hi) {
		return w
	}
	// Expand two days wider than the window on each side: blocks are at most
	// a day and an hour long, so blocks crossing the window edges are whole.
	lo, hi := t.Add(-24*time.Hour), t.Add(searchHorizon+48*time.Hour)
	*w = s.expand(lo.Add(-48*time.Hour), hi.Add(48*time.Hour))
	w.lo, w.hi, w.valid, w.version = lo, hi, true, s.version
	return w
}

// at finds the block containing t.
func (w *window) at(t time.Time) (bool, Block) {
	i := sort.Search(len(w.blocks), func(i int) bool { return w.blocks[i].End.After(t) })
	if i < len(w.blocks) && !t.Before(w.blocks[i].Start) {
		return true, w.blocks[i]
	}
	return false, Block{}
}

// expand computes the merged blocks and batch instants for [lo, hi).
func (s *Schedule) expand(lo, hi time.Time) window {
	type piece struct {
		loc      *time.Location
		from, to time.Time
	}
	pieces := []piece{{s.loc, lo, hi}}
	if s.prevLoc != nil {
		switch {
		case !s.locSince.After(lo):
		case !s.locSince.Before(hi):
			pieces = []piece{{s.prevLoc, lo, hi}}
		default:
			pieces = []piece{{s.prevLoc, lo, s.locSince}, {s.loc, s.locSince, hi}}
		}
	}
	var w window
	var fixed []Block
	for _, p := range pieces {
		fixed = appendClipped(fixed, s.weeklyBlocks(p.loc, p.from, p.to), p.from, p.to)
		for _, ev := range s.events {
			fixed = appendClipped(fixed, ev.Occurrences(p.loc, p.from, p.to), p.from, p.to)
		}
		w.batches = append(w.batches, s.batchInstants(p.loc, p.from, p.to)...)
	}
	w.fixed = subtract(merge(fixed), s.suppress)
	all := slices.Clone(w.fixed)
	if s.session.End.After(s.session.Start) {
		all = append(all, s.session)
	}
	w.blocks = merge(all)
	slices.SortFunc(w.batches, time.Time.Compare)
	w.batches = slices.CompactFunc(w.batches, time.Time.Equal)
	return w
}

func (s *Schedule) weeklyBlocks(loc *time.Location, from, to time.Time) []Block {
	var out []Block
	last := dateOf(to.In(loc))
	for d := dateOf(from.In(loc)).addDays(-1); !last.before(d); d = d.addDays(1) {
		for _, sp := range s.cfg.weekly[d.weekday()] {
			endDay := d
			if sp.end <= sp.start {
				endDay = d.addDays(1)
			}
			b := Block{Start: at(loc, d, sp.start), End: at(loc, endDay, sp.end), Source: SourceSchedule}
			out = append(out, b)
		}
	}
	return out
}

func (s *Schedule) batchInstants(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	last := dateOf(to.In(loc))
	for d := dateOf(from.In(loc)); !last.before(d); d = d.addDays(1) {
		for _, c := range s.cfg.batch[d.weekday()] {
			if t := at(loc, d, c); !t.Before(from) && t.Before(to) {
				out = append(out, t)
			}
		}
	}
	return out
}

// appendClipped appends the parts of bs inside [from, to); empty blocks
// (say, one wholly inside a skipped daylight-saving hour) are dropped.
func appendClipped(dst, bs []Block, from, to time.Time) []Block {
	for _, b := range bs {
		if b.Start.Before(from) {
			b.Start = from
		}
		if b.End.After(to) {
			b.End = to
		}
		if b.End.After(b.Start) {
			dst = append(dst, b)
		}
	}
	return dst
}

// merge sorts bs and joins blocks that overlap or touch: [9:00, 10:00) and
// [10:00, 11:00) are one block, so 10:00 is never a moment outside focus.
func merge(bs []Block) []Block {
	if len(bs) == 0 {
		return nil
	}
	slices.SortFunc(bs, func(a, b Block) int { return a.Start.Compare(b.Start) })
	out := []Block{bs[0]}
	for _, b := range bs[1:] {
		cur := &out[len(out)-1]
		if b.Start.After(cur.End) {
			out = append(out, b)
			continue
		}
		if b.End.After(cur.End) {
			cur.End = b.End
		}
		if rank(b.Source) > rank(cur.Source) {
			cur.Source = b.Source
		}
	}
	return out
}

// subtract removes the spans cut from blocks.
func subtract(blocks, cut []Block) []Block {
	if len(cut) == 0 {
		return blocks
	}
	var out []Block
	for _, b := range blocks {
		parts := []Block{b}
		for _, c := range cut {
			var next []Block
			for _, p := range parts {
				if !c.Start.Before(p.End) || !c.End.After(p.Start) {
					next = append(next, p)
					continue
				}
				if p.Start.Before(c.Start) {
					next = append(next, Block{Start: p.Start, End: c.Start, Source: p.Source})
				}
				if c.End.Before(p.End) {
					next = append(next, Block{Start: c.End, End: p.End, Source: p.Source})
				}
			}
			parts = next
		}
		out = append(out, parts...)
	}
	return out
}
