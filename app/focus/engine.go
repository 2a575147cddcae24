// Package focus decides, for every new item, whether Lull notifies now,
// holds it for the next digest or stays silent, and when held items are
// released. It is pure logic: every method takes the current time, so the
// app drives it with the wall clock and tests with a simulated one. It
// imports neither Wails nor the store; the caller persists State.
package focus

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// Action is what to do about a new item.
type Action int

// The actions, in the order DESIGN.md's focus semantics name them.
const (
	// Silent: no alert; the item is in the inbox as usual.
	Silent Action = iota
	// Notify: alert now.
	Notify
	// Hold: no alert now; the item goes out in the next release's digest.
	Hold
)

// String returns the action as a word: "silent", "notify" or "hold".
func (a Action) String() string {
	switch a {
	case Silent:
		return "silent"
	case Notify:
		return "notify"
	case Hold:
		return "hold"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// MarshalText makes Actions read as words in JSON ("hold").
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Decision is the verdict on one new item.
type Decision struct {
	Action Action `json:"action"`
	Urgent bool   `json:"urgent,omitempty"`
	Rule   string `json:"rule,omitempty"`   // the urgency rule that matched
	Reason string `json:"reason,omitempty"` // one line for logs and `lull focus status`
}

// HeldItem is an item waiting for the next release.
type HeldItem struct {
	ID     inbox.ID  `json:"id"`
	Urgent bool      `json:"urgent,omitempty"`
	HeldAt time.Time `json:"heldAt"`
	// Focus is set when the item was held because of focus (rather than the
	// batched policy or the breakthrough cap outside focus).
	Focus bool `json:"focus,omitempty"`
}

// Release is one digest's worth of held items.
type Release struct {
	At        time.Time  `json:"at"`                 // when it went out
	Scheduled time.Time  `json:"scheduled,omitzero"` // the release moment it stands for; zero for ReleaseNow
	Since     time.Time  `json:"since"`              // the previous release, or the first held item if none
	Items     []HeldItem `json:"items"`              // oldest first
	Focused   bool       `json:"focused,omitempty"`  // some item was held during focus
	CatchUp   bool       `json:"catchUp,omitempty"`  // the moment passed while the app was closed or asleep
	Manual    bool       `json:"manual,omitempty"`   // "Release now"
}

// IDs returns the released item ids, oldest first.
func (r Release) IDs() []inbox.ID {
	ids := make([]inbox.ID, len(r.Items))
	for i, h := range r.Items {
		ids[i] = h.ID
	}
	return ids
}

// DefaultTickInterval is how often the app is expected to call Tick.
const DefaultTickInterval = time.Second

// Option tunes an Engine.
type Option func(*Engine)

// WithTickInterval tells the engine how often Tick is called; a gap of more
// than twice that between ticks is a sleep or a closed app, and the release
// it causes is marked CatchUp.
func WithTickInterval(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.tick = d
		}
	}
}

// Engine is the focus state machine: schedule, urgency rules, breakthrough
// budget, thread cooldowns and the held set. It is safe for concurrent use.
//
// Release moments are worked out from the held set, not from a timer: the
// pending moment is the schedule's NextRelease from the time the first
// still-held item was held. So a moment missed while the app was closed or
// asleep is simply in the past at the next Tick, Wake or Release, which
// sends one release with every held item and clears the set: exactly one
// digest however many moments were missed. No release ever goes out inside
// focus; a missed moment found during focus waits for that block's end.
// Only ReleaseNow, which the user asks for, ignores both rules.
type Engine struct {
	mu    sync.Mutex
	cfg   *compiled
	sched *Schedule
	tick  time.Duration

	held    []HeldItem
	heldIdx map[inbox.ID]int
	anchor  time.Time // earliest HeldAt (or now, after the clock went back)

	breaks      []time.Time // breakthrough times in the last hour, ascending
	lastAlert   map[threadKey]time.Time
	lastPrune   time.Time
	lastTick    time.Time
	lastRelease time.Time

	// The pending moment, cached for the anchor and schedule version.
	mOK      bool
	mAnchor  time.Time
	mVersion uint64
	mValue   time.Time

	silentReason string
}

type threadKey struct{ account, thread string }

// New validates cfg and returns an engine with nothing held.
func New(cfg Config, opts ...Option) (*Engine, error) {
	k, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:       k,
		sched:     newSchedule(k),
		tick:      DefaultTickInterval,
		heldIdx:   map[inbox.ID]int{},
		lastAlert: map[threadKey]time.Time{},
	}
	for _, o := range opts {
		o(e)
	}
	e.silentReason = fmt.Sprintf("thread alerted less than %v ago: no alert, the item is in the inbox", k.cooldown)
	return e, nil
}

// Policy is the delivery policy outside focus.
func (e *Engine) Policy() Policy { return e.cfg.policy }

// Urgent reports whether it matches an urgency rule, and which.
func (e *Engine) Urgent(it inbox.Item) (bool, string) {
	return e.urgent(&it)
}

func (e *Engine) urgent(it *inbox.Item) (bool, string) {
	for i := range e.cfg.rules {
		if e.cfg.rules[i].match(it) {
			return true, e.cfg.rules[i].name
		}
	}
	return false, ""
}

// Decide classifies a new item (first seen) at now, following DESIGN.md:
//
//  1. backfill (initial sync) → Silent, always;
//  2. urgent (an urgency rule matches) → Notify, even in focus, at most
//     MaxBreakthroughsPerHour in any rolling hour — a breakthrough at t
//     counts until t+1h. Beyond the cap the item is held with Urgent set.
//     The cap counts every urgent notification, in focus or not;
//  3. in focus, or policy batched → Hold;
//  4. otherwise Notify, at most once per (account, thread) per
//     ThreadCooldown: a later item of the same thread within the cooldown
//     is Silent, and is in the inbox like any other.
//
// An item without a thread is its own thread. Urgent alerts start a
// thread's cooldown too. Held items go into the engine's held set.
func (e *Engine) Decide(now time.Time, it inbox.Item, backfill bool) Decision {
	if backfill {
		return Decision{Action: Silent, Reason: "initial sync: backfill is always silent"}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pruneAlerts(now)

	inFocus, _ := e.sched.InFocus(now)
	if urgent, rule := e.urgent(&it); urgent {
		if e.breakthrough(now) {
			e.alerted(&it, now)
			reason := "urgent: notify now"
			if inFocus {
				reason = "urgent: breaks through focus"
			}
			return Decision{Action: Notify, Urgent: true, Rule: rule, Reason: reason}
		}
		e.hold(it.ID, true, now, inFocus)
		return Decision{Action: Hold, Urgent: true, Rule: rule,
			Reason: "urgent, but the breakthrough cap for the last hour is used up: held and marked urgent"}
	}
	if inFocus {
		e.hold(it.ID, false, now, true)
		return Decision{Action: Hold, Reason: "in focus: held for the next release"}
	}
	if e.cfg.policy == PolicyBatched {
		e.hold(it.ID, false, now, false)
		return Decision{Action: Hold, Reason: "policy batched: held for the next batch time"}
	}
	if e.cfg.cooldown > 0 {
		if last, ok := e.lastAlert[keyOf(&it)]; ok && now.Sub(last) < e.cfg.cooldown && !now.Before(last) {
			return Decision{Action: Silent, Reason: e.silentReason}
		}
	}
	e.alerted(&it, now)
	return Decision{Action: Notify, Reason: "outside focus: notify now"}
}

func keyOf(it *inbox.Item) threadKey {
	if it.Thread == "" {
		return threadKey{it.Account, string(it.ID)}
	}
	return threadKey{it.Account, it.Thread}
}

// breakthrough spends one of the hour's breakthroughs if any is left.
func (e *Engine) breakthrough(now time.Time) bool {
	if e.cfg.maxBreak < 0 {
		return false
	}
	i := 0
	for i < len(e.breaks) && now.Sub(e.breaks[i]) >= time.Hour {
		i++
	}
	e.breaks = e.breaks[i:]
	if len(e.breaks) >= e.cfg.maxBreak {
		return false
	}
	e.breaks = append(e.breaks, now)
	return true
}

func (e *Engine) alerted(it *inbox.Item, now time.Time) {
	if e.cfg.cooldown > 0 {
		e.lastAlert[keyOf(it)] = now
	}
}

// pruneAlerts forgets threads whose cooldown is over, at most once per
// cooldown, so the map holds only the last few minutes of threads.
func (e *Engine) pruneAlerts(now time.Time) {
	if e.cfg.cooldown <= 0 || now.Sub(e.lastPrune) < e.cfg.cooldown {
		return
	}
	for k, t := range e.lastAlert {
		if now.Sub(t) >= e.cfg.cooldown {
			delete(e.lastAlert, k)
		}
	}
	e.lastPrune = now
}

func (e *Engine) hold(id inbox.ID, urgent bool, now time.Time, inFocus bool) {
	if i, ok := e.heldIdx[id]; ok {
		e.held[i].Urgent = e.held[i].Urgent || urgent
		e.held[i].Focus = e.held[i].Focus || inFocus
		return
	}
	if len(e.held) == 0 || now.Before(e.anchor) {
		e.anchor = now
	}
	e.heldIdx[id] = len(e.held)
	e.held = append(e.held, HeldItem{ID: id, Urgent: urgent, HeldAt: now, Focus: inFocus})
}

// Held returns the held set, oldest first.
func (e *Engine) Held() []HeldItem {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.held)
}

// moment is the pending release moment of the held set, zero if nothing is
// held or no release is in sight.
func (e *Engine) moment(now time.Time) time.Time {
	if len(e.held) == 0 {
		return time.Time{}
	}
	if now.Before(e.anchor) {
		// The clock went back: count the held items as held now rather
		// than keep them until the clock catches up.
		e.anchor = now
	}
	if e.mOK && e.mAnchor.Equal(e.anchor) && e.mVersion == e.sched.version {
		return e.mValue
	}
	e.mValue = e.sched.NextRelease(e.anchor)
	e.mOK, e.mAnchor, e.mVersion = true, e.anchor, e.sched.version
	return e.mValue
}

func (e *Engine) due(now time.Time) (time.Time, bool) {
	m := e.moment(now)
	if m.IsZero() || now.Before(m) {
		return m, false
	}
	inFocus, _ := e.sched.InFocus(now)
	return m, !inFocus
}

// Due reports whether held items should be released at now: something is
// held, its release moment has come, and now is outside focus.
func (e *Engine) Due(now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.due(now)
	return ok
}

// Release releases every held item when Due, as one Release, and clears the
// held set, so no item is ever released twice.
func (e *Engine) Release(now time.Time) (Release, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.release(now, false)
}

// Tick is the app's periodic call (every tick interval, and after each
// batch of new items). It releases when due. A tick more than two tick
// intervals after the previous one means the app was closed or the machine
// slept; the release it makes, if any, is marked CatchUp.
func (e *Engine) Tick(now time.Time) (Release, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	gap := !e.lastTick.IsZero() && now.Sub(e.lastTick) > 2*e.tick
	e.lastTick = now
	e.pruneAlerts(now)
	return e.release(now, gap)
}

// Wake is Tick for a resume-from-sleep or start-up event: whatever is due
// goes out now as one catch-up release.
func (e *Engine) Wake(now time.Time) (Release, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastTick = now
	return e.release(now, true)
}

func (e *Engine) release(now time.Time, gap bool) (Release, bool) {
	m, ok := e.due(now)
	if !ok {
		return Release{}, false
	}
	r := e.take(now)
	r.Scheduled = m
	r.CatchUp = gap || now.Sub(m) > 2*e.tick
	return r, true
}

// ReleaseNow releases every held item at once, in focus or not: the user
// asked ("Release now" in the tray, `lull release`). False if nothing is held.
func (e *Engine) ReleaseNow(now time.Time) (Release, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.held) == 0 {
		return Release{}, false
	}
	r := e.take(now)
	r.Manual = true
	return r, true
}

func (e *Engine) take(now time.Time) Release {
	r := Release{At: now, Since: e.lastRelease, Items: e.held}
	if r.Since.IsZero() {
		r.Since = e.anchor
	}
	r.Since = r.Since.In(e.sched.loc)
	for _, h := range e.held {
		r.Focused = r.Focused || h.Focus
	}
	e.held = nil
	clear(e.heldIdx)
	e.lastRelease = now
	e.mOK = false
	return r
}

// InFocus reports whether now is inside a focus block, and the block.
func (e *Engine) InFocus(now time.Time) (bool, Block) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.InFocus(now)
}

// BlockEnd returns the end of the current focus block, zero outside focus.
func (e *Engine) BlockEnd(now time.Time) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.BlockEnd(now)
}

// Blocks returns the merged focus blocks overlapping [from, to).
func (e *Engine) Blocks(from, to time.Time) []Block {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.Blocks(from, to)
}

// NextRelease is when the held items will go out (or, with nothing held,
// when something held now would). A moment missed during focus shows as the
// end of the current block. Zero: no release in sight.
func (e *Engine) NextRelease(now time.Time) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nextRelease(now)
}

func (e *Engine) nextRelease(now time.Time) time.Time {
	if len(e.held) == 0 {
		return e.sched.NextRelease(now)
	}
	m := e.moment(now)
	if m.IsZero() || !m.Before(now) {
		return m
	}
	if in, b := e.sched.InFocus(now); in {
		return b.End
	}
	return now
}

// NextBatch is the first batch time strictly after now, in the focus time
// zone; false when there is none within a week.
func (e *Engine) NextBatch(now time.Time) (time.Time, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.sched.nextBatch(now)
	return t.In(e.sched.loc), ok
}

// ReleaseMoment is the first release moment at or after t, whatever is
// held: the next batch time outside focus or, under policy immediate, the
// end of a focus block. Zero when there is none within a week. Respond-later
// items that come due at t are announced then.
func (e *Engine) ReleaseMoment(t time.Time) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.NextRelease(t)
}

// HoldIfFocusing holds id when now is inside focus, never alerting, and
// reports whether it did. An item that comes back from snooze during focus
// waits for the next release like a new one, so the frozen inbox does not
// change under the user; outside focus it simply returns to the inbox.
func (e *Engine) HoldIfFocusing(now time.Time, id inbox.ID) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if in, _ := e.sched.InFocus(now); !in {
		return false
	}
	e.hold(id, false, now, true)
	return true
}

// StartSession starts an ad-hoc focus session of length d.
func (e *Engine) StartSession(now time.Time, d time.Duration) (Block, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.StartSession(now, d)
}

// StartUntil starts a session ending at the next local clock time hhmm.
func (e *Engine) StartUntil(now time.Time, hhmm string) (Block, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.StartUntil(now, hhmm)
}

// StartUntilNextBatch starts a session ending at the next batch time.
func (e *Engine) StartUntilNextBatch(now time.Time) (Block, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.StartUntilNextBatch(now)
}

// Stop ends the session and the rest of the current scheduled or calendar
// block. Held items stay held; under policy immediate they are due at once,
// since the block has ended.
func (e *Engine) Stop(now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.Stop(now)
}

// Location is the time zone clock times are read in.
func (e *Engine) Location() *time.Location {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sched.loc
}

// SetLocation changes the time zone from now on (the machine moved zones).
// Held items stay held; their release moment is worked out again.
func (e *Engine) SetLocation(now time.Time, loc *time.Location) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sched.SetLocation(now, loc)
}

// SetCalendar parses an ICS feed and makes its events whose SUMMARY matches
// the title pattern focus blocks, replacing the previous feed. On error the
// previous feed stays.
func (e *Engine) SetCalendar(data []byte) error {
	events, err := ParseICS(data)
	if err != nil {
		return err
	}
	events = slices.DeleteFunc(events, func(ev Event) bool { return !e.cfg.title(ev.Summary) })
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sched.SetEvents(events)
	return nil
}

// Status is the focus header: "Focusing · 38 min left · 12 held · next
// release 12:30".
type Status struct {
	Focusing    bool      `json:"focusing"`
	Until       time.Time `json:"until,omitzero"` // end of the current block
	Held        int       `json:"held"`
	NextRelease time.Time `json:"nextRelease,omitzero"`
	Source      string    `json:"source,omitempty"` // schedule, session or calendar
}

// Status reports the state at now; times are in the focus time zone.
func (e *Engine) Status(now time.Time) Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	loc := e.sched.loc
	in, b := e.sched.InFocus(now)
	st := Status{Focusing: in, Held: len(e.held)}
	if in {
		st.Until, st.Source = b.End.In(loc), b.Source
	}
	// Outside focus with nothing held, a release "now" (a block just
	// stopped) has nothing to release: say nothing rather than "now".
	quiet := !in && len(e.held) == 0
	if nr := e.nextRelease(now); !nr.IsZero() && !(quiet && !nr.After(now)) {
		st.NextRelease = nr.In(loc)
	}
	return st
}

// Line is the status in words, as the header and `lull focus status` show
// it: "Focusing · 38 min left · 12 held · next release 12:30", or "Not
// focusing · next release 12:30". The held count appears only when items
// are held; a release on another day names it ("tomorrow 09:00", "Mon 09:00").
func (s Status) Line(now time.Time) string {
	line := "Not focusing"
	if s.Focusing {
		line = "Focusing"
		if !s.Until.IsZero() {
			line += " · " + humanLeft(s.Until.Sub(now)) + " left"
		}
	}
	if s.Held > 0 {
		line += fmt.Sprintf(" · %d held", s.Held)
	}
	if !s.NextRelease.IsZero() {
		line += " · next release " + humanWhen(now, s.NextRelease)
	}
	return line
}

// humanLeft rounds up: with 30 s to go the header says "1 min left".
func humanLeft(d time.Duration) string {
	m := int((max(d, 0) + time.Minute - 1) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

// humanWhen names t relative to now, in t's time zone.
func humanWhen(now, t time.Time) string {
	if !t.After(now) {
		return "now"
	}
	today := dateOf(now.In(t.Location()))
	day := dateOf(t)
	switch {
	case day == today:
		return t.Format("15:04")
	case day == today.addDays(1):
		return "tomorrow " + t.Format("15:04")
	case t.Sub(now) < 6*24*time.Hour:
		return t.Format("Mon 15:04")
	}
	return t.Format("Jan 2 15:04")
}

// State is everything the engine must keep across a restart or kill -9. It
// is plain JSON; the store saves it after every change. The time zone is not
// part of it: it comes from the config, or from the machine, at start.
type State struct {
	Version       int           `json:"version"`
	Held          []HeldItem    `json:"held"`
	Session       *Block        `json:"session,omitempty"`
	Suppressed    []Block       `json:"suppressed,omitempty"`
	Breakthroughs []time.Time   `json:"breakthroughs,omitempty"`
	LastAlerts    []ThreadAlert `json:"lastAlerts,omitempty"`
	LastTick      time.Time     `json:"lastTick,omitzero"`
	LastRelease   time.Time     `json:"lastRelease,omitzero"`
}

// ThreadAlert is the last alert of one thread, for the thread cooldown.
type ThreadAlert struct {
	Account string    `json:"account"`
	Thread  string    `json:"thread"`
	At      time.Time `json:"at"`
}

const stateVersion = 1

// State returns a snapshot for persistence.
func (e *Engine) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := State{
		Version:       stateVersion,
		Held:          slices.Clone(e.held),
		Suppressed:    slices.Clone(e.sched.suppress),
		Breakthroughs: slices.Clone(e.breaks),
		LastTick:      e.lastTick,
		LastRelease:   e.lastRelease,
	}
	if st.Held == nil {
		st.Held = []HeldItem{}
	}
	if s := e.sched.session; s.End.After(s.Start) {
		st.Session = &s
	}
	for k, t := range e.lastAlert {
		st.LastAlerts = append(st.LastAlerts, ThreadAlert{Account: k.account, Thread: k.thread, At: t})
	}
	slices.SortFunc(st.LastAlerts, func(a, b ThreadAlert) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Account, b.Account), cmp.Compare(a.Thread, b.Thread))
	})
	return st
}

// Restore replaces the engine's state with st, as saved by State. Held items
// stay held and go out once, at their release moment; if that moment passed
// while the app was down, at the first Tick or Wake outside focus.
func (e *Engine) Restore(st State) error {
	if st.Version > stateVersion {
		return fmt.Errorf("focus: state version %d is newer than this Lull (%d)", st.Version, stateVersion)
	}
	for i, h := range st.Held {
		if h.ID == "" || h.HeldAt.IsZero() {
			return fmt.Errorf("focus: state: held[%d]: missing id or time", i)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.held, e.anchor = nil, time.Time{}
	clear(e.heldIdx)
	for _, h := range st.Held {
		e.hold(h.ID, h.Urgent, h.HeldAt, h.Focus)
	}
	e.sched.session = Block{}
	if st.Session != nil {
		e.sched.session = *st.Session
		e.sched.session.Source = SourceSession
	}
	e.sched.suppress = slices.Clone(st.Suppressed)
	e.sched.version++
	e.breaks = slices.Clone(st.Breakthroughs)
	slices.SortFunc(e.breaks, time.Time.Compare)
	clear(e.lastAlert)
	for _, a := range st.LastAlerts {
		e.lastAlert[threadKey{a.Account, a.Thread}] = a.At
	}
	e.lastTick, e.lastRelease = st.LastTick, st.LastRelease
	e.mOK = false
	return nil
}
