package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/store"
)

// The time presets of "later" and "snooze" (the picker shows them in this
// order). "later" with no time, or "later norm", uses the item's [norms].
const (
	PresetNorm            = "norm"
	PresetNextBatch       = "next-batch"
	PresetThisAfternoon   = "this-afternoon"
	PresetTomorrowMorning = "tomorrow-morning"
	PresetIn3Days         = "in-3-days"
)

// The clock times the presets name: mornings start at 09:00 and "this
// afternoon" is 14:00, or three hours from now once 14:00 has passed (the
// picker then calls it "Later today", or "In 3 hours" when that is after
// midnight: see presetName).
const (
	morningHour   = 9
	afternoonHour = 14
	afternoonLate = 3 * time.Hour
)

// whenEnv is what turning a time spec into an instant needs: the clock, the
// time zone clock times are read in (the focus zone), and the next batch time.
type whenEnv struct {
	now       time.Time
	loc       *time.Location
	nextBatch func(time.Time) (time.Time, bool)
}

// whenKind is the form a time spec takes.
type whenKind int

const (
	whenPreset  whenKind = iota // next-batch, this-afternoon, tomorrow-morning, in-3-days
	whenSpan                    // 2h, 3d: from now
	whenClock                   // 15:00: the next time the clock shows it
	whenDay                     // tomorrow [15:00], today 15:00, fri [15:00]: a day, 09:00 unless a time is given
	whenDate                    // 2026-03-14 [15:00]: a date, 09:00 unless a time is given
	whenInstant                 // RFC 3339
)

// whenSpec is a parsed time spec; at resolves it against a clock.
type whenSpec struct {
	kind    whenKind
	preset  string
	span    time.Duration
	days    int          // whenDay: days after today (0 today, 1 tomorrow)
	weekday time.Weekday // whenDay when weekday is set: the next such day after today
	byDay   bool         // whenDay names a weekday
	date    time.Time    // whenDate: year, month and day (UTC midnight)
	hour    int          // clock time; -1: the default (09:00)
	minute  int
	instant time.Time
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday, "mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tuesday": time.Tuesday, "wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thursday": time.Thursday, "fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// errWhenHelp ends every "I do not understand this time" message.
const errWhenHelp = "use next-batch, this-afternoon, tomorrow-morning, in-3-days, a length (2h, 3d), a clock time (15:00), a day (tomorrow, fri 14:00) or a date (2026-03-14 15:00)"

// parseWhen reads a time spec. It never looks at the clock, so the config
// check can use it: whether the time is in the past is for at to say.
func parseWhen(spec string) (whenSpec, error) {
	s := strings.ToLower(strings.Join(strings.Fields(spec), " "))
	if s == "" {
		return whenSpec{}, errors.New("no time given; " + errWhenHelp)
	}
	switch s {
	case PresetNextBatch, PresetThisAfternoon, PresetTomorrowMorning, PresetIn3Days:
		return whenSpec{kind: whenPreset, preset: s}, nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err == nil {
		return whenSpec{kind: whenInstant, instant: t}, nil
	}
	if d, err := config.ParseSpan(s); err == nil {
		return whenSpec{kind: whenSpan, span: d}, nil
	}
	if h, m, ok := parseClockTime(s); ok {
		return whenSpec{kind: whenClock, hour: h, minute: m}, nil
	}
	// A day, a weekday or a date, then an optional clock time.
	day, clock, _ := strings.Cut(s, " ")
	if len(day) > 11 && day[10] == 't' && clock == "" {
		day, clock = day[:10], day[11:] // 2026-03-14T15:00
	}
	w := whenSpec{hour: -1}
	if clock != "" {
		h, m, ok := parseClockTime(clock)
		if !ok {
			return whenSpec{}, fmt.Errorf("%q: %q is not a clock time; %s", spec, clock, errWhenHelp)
		}
		w.hour, w.minute = h, m
	}
	switch {
	case day == "today":
		if clock == "" {
			return whenSpec{}, fmt.Errorf("%q: today needs a time, such as today 17:00", spec)
		}
		w.kind = whenDay
	case day == "tomorrow":
		w.kind, w.days = whenDay, 1
	default:
		if wd, ok := weekdays[day]; ok {
			w.kind, w.byDay, w.weekday = whenDay, true, wd
			break
		}
		d, err := time.Parse("2006-01-02", day)
		if err != nil {
			return whenSpec{}, fmt.Errorf("%q is not a time I know; %s", spec, errWhenHelp)
		}
		w.kind, w.date = whenDate, d
	}
	return w, nil
}

// parseClockTime reads "15:00" or "9:30". A bare "9" is not a clock time:
// it is too easy to mistake for a length.
func parseClockTime(s string) (h, m int, ok bool) {
	hs, ms, hasMin := strings.Cut(s, ":")
	if !hasMin || len(hs) == 0 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, false
	}
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || h > 23 {
		return 0, 0, false
	}
	m, err = strconv.Atoi(ms)
	if err != nil || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// at is the instant w names at env.now. A time that is not after now is an
// error: nothing can be snoozed into the past.
func (w whenSpec) at(env whenEnv) (time.Time, error) {
	now := env.now.In(env.loc)
	y, mo, d := now.Date()
	on := func(dayOffset, hour, minute int) time.Time {
		return time.Date(y, mo, d+dayOffset, hour, minute, 0, 0, env.loc)
	}
	hour, minute := w.hour, w.minute
	if hour < 0 {
		hour, minute = morningHour, 0
	}
	var t time.Time
	switch w.kind {
	case whenPreset:
		switch w.preset {
		case PresetNextBatch:
			if env.nextBatch == nil {
				return time.Time{}, errors.New("next-batch: no batch times are set")
			}
			b, ok := env.nextBatch(env.now)
			if !ok {
				return time.Time{}, errors.New("next-batch: no batch time in the next week")
			}
			t = b
		case PresetThisAfternoon:
			t = on(0, afternoonHour, 0)
			if !t.After(env.now) {
				t = env.now.Add(afternoonLate)
			}
		case PresetTomorrowMorning:
			t = on(1, morningHour, 0)
		case PresetIn3Days:
			t = on(3, morningHour, 0)
		}
	case whenSpan:
		t = env.now.Add(w.span)
	case whenClock:
		t = on(0, w.hour, w.minute)
		if !t.After(env.now) {
			t = on(1, w.hour, w.minute)
		}
	case whenDay:
		days := w.days
		if w.byDay {
			days = int(w.weekday-now.Weekday()+7) % 7
			if days == 0 {
				days = 7
			}
		}
		t = on(days, hour, minute)
	case whenDate:
		t = time.Date(w.date.Year(), w.date.Month(), w.date.Day(), hour, minute, 0, 0, env.loc)
	case whenInstant:
		t = w.instant
	}
	if !t.After(env.now) {
		return time.Time{}, fmt.Errorf("%s is in the past", whenLabel(env.now, t.In(env.loc)))
	}
	return t, nil
}

// resolveWhen parses spec and resolves it at env.
func resolveWhen(spec string, env whenEnv) (time.Time, error) {
	w, err := parseWhen(spec)
	if err != nil {
		return time.Time{}, err
	}
	return w.at(env)
}

// whenLabel names t for a message, relative to now and in t's zone:
// "14:00", "tomorrow 09:00", "Fri 09:00", "Mar 14 09:00", "Mar 14 2027 09:00".
func whenLabel(now, t time.Time) string {
	n := now.In(t.Location())
	ny, nm, nd := n.Date()
	ty, tm, td := t.Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)
	day := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	switch days := int(day.Sub(today).Hours() / 24); {
	case days == 0:
		return t.Format("15:04")
	case days == 1:
		return "tomorrow " + t.Format("15:04")
	case days > 1 && days < 7:
		return t.Format("Mon 15:04")
	case ty == ny:
		return t.Format("Jan 2 15:04")
	}
	return t.Format("Jan 2 2006 15:04")
}

// snoozeRunner brings snoozed items back to the inbox when their time comes.
// It reads the store's snoozed-by-time index (z/…), so a wake-up survives a
// restart, and its first tick on start catches up on every wake-up missed
// while the app was closed. Items that come back are remembered (in a blob)
// with their wake-up time, so the inbox shows them at the top, not at the
// place their received time would put them.
type snoozeRunner struct {
	store     *store.Store
	focus     *focusRunner
	now       func() time.Time
	log       *slog.Logger
	writeBack func(id inbox.ID, from, to inbox.Triage)
	onWake    func(ids []inbox.ID)

	mu      sync.Mutex
	woken   map[inbox.ID]time.Time
	version uint64 // moves whenever woken does
}

// wakeBatch bounds the items one tick brings back; the next tick does the rest.
const wakeBatch = 256

func newSnoozeRunner(ctx context.Context, st *store.Store, f *focusRunner, now func() time.Time, log *slog.Logger) (*snoozeRunner, error) {
	r := &snoozeRunner{store: st, focus: f, now: now, log: log, woken: map[inbox.ID]time.Time{},
		writeBack: func(inbox.ID, inbox.Triage, inbox.Triage) {}, onWake: func([]inbox.ID) {}}
	raw, err := st.Blob(ctx, store.BlobSnoozeWoken)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &r.woken); err != nil {
			// Only the order of a few rows depends on it: start afresh.
			log.Warn("snooze: list of woken items is corrupt; forgetting it", "err", err)
			r.woken = map[inbox.ID]time.Time{}
		}
	}
	return r, nil
}

// run ticks every second until ctx ends; the first tick catches up.
func (r *snoozeRunner) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		r.tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// tick brings back every snoozed item whose time has come.
func (r *snoozeRunner) tick(ctx context.Context) {
	for ctx.Err() == nil {
		now := r.now().Round(0)
		ids, err := r.store.SnoozedUntil(ctx, now, wakeBatch)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("snooze: reading snoozed items", "err", err)
			}
			return
		}
		if len(ids) == 0 {
			return
		}
		r.wake(ctx, now, ids)
		if len(ids) < wakeBatch {
			return
		}
	}
}

func (r *snoozeRunner) wake(ctx context.Context, now time.Time, ids []inbox.ID) {
	var woke []inbox.ID
	for _, id := range ids {
		next := inbox.Triage{State: inbox.StateInbox, Changed: now}
		prev, err := r.store.SetTriage(ctx, id, next)
		if err != nil {
			r.log.Warn("snooze: waking item", "id", id, "err", err)
			continue
		}
		if prev.State != inbox.StateSnoozed {
			// The user moved it in the instant between the read and the
			// write: their decision stands.
			if _, err := r.store.SetTriage(ctx, id, prev); err != nil {
				r.log.Warn("snooze: restoring item", "id", id, "err", err)
			}
			continue
		}
		r.writeBack(id, prev, next)
		woke = append(woke, id)
	}
	if len(woke) == 0 {
		return
	}
	r.focus.holdIfFocusing(ctx, now, woke)
	r.mu.Lock()
	next := maps.Clone(r.woken) // copy on write: readers hold the old map without a lock
	for _, id := range woke {
		next[id] = now
	}
	r.woken = next
	r.version++
	// The items are already back: their record is saved even if the app is
	// closing, or after a restart they would sort by received time.
	r.saveLocked(context.WithoutCancel(ctx))
	r.mu.Unlock()
	r.log.Info("snooze: items back in the inbox", "count", len(woke))
	r.onWake(woke)
}

func (r *snoozeRunner) saveLocked(ctx context.Context) {
	raw, err := json.Marshal(r.woken)
	if err == nil {
		err = r.store.SetBlob(ctx, store.BlobSnoozeWoken, raw)
	}
	if err != nil {
		r.log.Warn("snooze: list of woken items not saved", "err", err)
	}
}

// wokenAt returns the items back from snooze with their wake-up times, and
// a version that moves whenever they change.
func (r *snoozeRunner) wokenAt() (map[inbox.ID]time.Time, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.woken, r.version
}

// forget drops woken items that left the inbox (keep reports those that
// are still there), so the list stays as short as the user's inbox.
func (r *snoozeRunner) forget(ctx context.Context, keep func(inbox.ID) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var gone []inbox.ID
	for id := range r.woken {
		if !keep(id) {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return
	}
	// Copy on write: readers hold the old map without a lock.
	next := make(map[inbox.ID]time.Time, len(r.woken)-len(gone))
	for id, t := range r.woken {
		if !slices.Contains(gone, id) {
			next[id] = t
		}
	}
	r.woken = next
	r.version++
	r.saveLocked(ctx)
}

// sortWoken orders woken items newest wake-up first.
func sortWoken(ids []inbox.ID, at map[inbox.ID]time.Time) {
	slices.SortFunc(ids, func(a, b inbox.ID) int {
		return cmp.Or(at[b].Compare(at[a]), cmp.Compare(a, b))
	})
}

// openQueues starts the respond-later and snooze machinery of a workspace
// being opened: the snooze runner, wired to the engine's write-back, the
// focus runner and the items:changed event.
func (a *App) openQueues(ctx context.Context, ws *workspace) error {
	r, err := newSnoozeRunner(ctx, ws.store, ws.focus, a.opts.Now, a.log)
	if err != nil {
		return err
	}
	r.writeBack = ws.engine.WriteBack
	r.onWake = func(ids []inbox.ID) { a.emitter.Count(EventItemsChanged, len(ids)) }
	ws.snooze = r
	return nil
}

// presetName is what the picker calls preset at env.now when its fixed name
// would mislead: "this afternoon" after 14:00 means three hours on, so it
// reads "Later today", or "In 3 hours" once that falls on the next day. It
// is "" when the preset's usual name holds.
func presetName(preset string, env whenEnv) string {
	if preset != PresetThisAfternoon {
		return ""
	}
	now := env.now.In(env.loc)
	y, mo, d := now.Date()
	if time.Date(y, mo, d, afternoonHour, 0, 0, 0, env.loc).After(env.now) {
		return ""
	}
	if ly, lmo, ld := now.Add(afternoonLate).Date(); ly != y || lmo != mo || ld != d {
		return "In 3 hours"
	}
	return "Later today"
}
