package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/engine"
	"github.com/lullhq/lull/app/focus"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/store"
)

// EventFocusState carries FocusStatus whenever it changes; EventFocusReleased
// carries the ids of a release so the window can show that batch.
const (
	EventFocusState    = "focus:state"
	EventFocusReleased = "focus:released"
)

// FocusStatus is the focus engine's state for the header, tray and CLI.
type FocusStatus struct {
	focus.Status
	Line string `json:"line"`
}

// focusRunner connects the pure focus engine to the store, the notifier and
// the clock: it decides on every new item, persists the held set, ticks
// releases and sends the one digest per release.
type focusRunner struct {
	eng       *focus.Engine
	store     *store.Store
	notifier  notify.Notifier
	now       func() time.Time
	log       *slog.Logger
	onStatus  func(FocusStatus)
	onRelease func(focus.Release)

	mu       sync.Mutex // serialises decide/save/release so state on disk matches memory
	lastLine string
	// due tracks which respond-later items a digest announced (norms.go).
	due dueTracker
	// followZone is set when the config names no time zone: the engine then
	// follows the machine's zone, re-read every minute (a laptop that flies).
	followZone bool
	ticks      int
}

func newFocusRunner(ctx context.Context, cfg focus.Config, st *store.Store, n notify.Notifier, now func() time.Time, log *slog.Logger) (*focusRunner, error) {
	eng, err := buildEngine(cfg, log)
	if err != nil {
		return nil, err
	}
	raw, err := st.Blob(ctx, store.BlobFocus)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		var state focus.State
		if err := json.Unmarshal(raw, &state); err != nil {
			return nil, fmt.Errorf("focus: saved state is corrupt: %w", err)
		}
		if err := eng.Restore(state); err != nil {
			return nil, err
		}
	}
	// Focus decisions are about the wall clock: strip the monotonic reading,
	// which on Linux stops while the machine sleeps, so a suspend shows up
	// as the wall-clock jump the engine turns into one catch-up release.
	wall := func() time.Time { return now().Round(0) }
	due, err := loadDue(ctx, st, wall())
	if err != nil {
		return nil, err
	}
	return &focusRunner{eng: eng, store: st, notifier: n, now: wall, log: log, due: due,
		followZone: cfg.TimeZone == "" && cfg.Location == nil,
		onStatus:   func(FocusStatus) {}, onRelease: func(focus.Release) {}}, nil
}

// buildEngine makes the focus engine for cfg and loads its calendar.
func buildEngine(cfg focus.Config, log *slog.Logger) (*focus.Engine, error) {
	eng, err := focus.New(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Calendar.Source != "" {
		// Only local files for now: a URL feed needs a fetcher with caching.
		if data, err := os.ReadFile(cfg.Calendar.Source); err != nil {
			log.Warn("focus: calendar not read", "source", cfg.Calendar.Source, "err", err)
		} else if err := eng.SetCalendar(data); err != nil {
			log.Warn("focus: calendar not parsed", "source", cfg.Calendar.Source, "err", err)
		}
	}
	return eng, nil
}

// reconfigure swaps in an engine for cfg, carrying over the held set,
// session and breakthrough history.
func (f *focusRunner) reconfigure(ctx context.Context, cfg focus.Config) error {
	eng, err := buildEngine(cfg, f.log)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := eng.Restore(f.eng.State()); err != nil {
		return err
	}
	f.eng = eng
	f.followZone = cfg.TimeZone == "" && cfg.Location == nil
	f.publishLocked(f.now(), true)
	return nil
}

// save persists the engine state; the caller holds f.mu.
func (f *focusRunner) save(ctx context.Context) error {
	raw, err := json.Marshal(f.eng.State())
	if err != nil {
		return fmt.Errorf("focus: save: %w", err)
	}
	return f.store.SetBlob(ctx, store.BlobFocus, raw)
}

// onChange decides on every item a batch added.
func (f *focusRunner) onChange(ctx context.Context, c engine.Change) {
	if len(c.New) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	changed := false // the held set, breakthrough budget or cooldowns moved
	for _, id := range c.New {
		it, err := f.store.Get(ctx, id)
		if err != nil {
			f.log.Warn("focus: new item vanished", "id", id, "err", err)
			continue
		}
		d := f.eng.Decide(now, it, c.Backfill)
		switch d.Action {
		case focus.Hold:
			changed = true
		case focus.Notify:
			n := notify.Notification{Title: it.From.Display(), Body: inbox.FirstLine(it.Title+"\n"+it.Snippet, 200), Kind: notify.Alert, Action: "open-item:" + string(it.ID)}
			if d.Urgent {
				n.Kind = notify.Breakthrough
				n.Title = "Urgent · " + n.Title
			}
			if err := f.notifier.Notify(ctx, n); err != nil {
				f.log.Warn("focus: notify failed", "err", err)
			}
			changed = true
		}
	}
	if changed {
		if err := f.save(ctx); err != nil {
			f.log.Error("focus: held state not saved", "err", err)
		}
	}
	f.publishLocked(now, true)
}

// tick releases what is due; the app calls it every second.
func (f *focusRunner) tick(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.ticks++; f.followZone && f.ticks%60 == 0 {
		if loc := machineZone(); loc != nil && loc.String() != f.eng.Location().String() {
			f.log.Info("focus: time zone changed", "from", f.eng.Location(), "to", loc)
			f.eng.SetLocation(now, loc)
		}
	}
	if rel, ok := f.eng.Tick(now); ok {
		f.deliverLocked(ctx, rel)
	}
	f.announceDueLocked(ctx, now)
	f.publishLocked(now, false)
}

// machineZone reads the machine's current time zone afresh (Go's time.Local
// is fixed at start): $TZ, else the /etc/localtime link. Nil when unknown,
// as on Windows, where the zone then stays as it was at start.
func machineZone() *time.Location {
	name := os.Getenv("TZ")
	if name == "" {
		target, err := os.Readlink("/etc/localtime")
		if err != nil {
			return nil
		}
		_, name, _ = strings.Cut(target, "zoneinfo/")
	}
	if name == "" {
		return nil
	}
	loc, err := time.LoadLocation(strings.TrimPrefix(name, ":"))
	if err != nil {
		return nil
	}
	return loc
}

// deliverLocked sends the digest of rel and persists that it went out.
func (f *focusRunner) deliverLocked(ctx context.Context, rel focus.Release) {
	// Persist first: a crash after this never sends the same digest twice,
	// and the items are in the inbox either way.
	if err := f.save(ctx); err != nil {
		f.log.Error("focus: release not saved", "err", err)
	}
	items := make([]inbox.Item, 0, len(rel.Items))
	for _, h := range rel.Items {
		if it, err := f.store.Get(ctx, h.ID); err == nil {
			items = append(items, it)
		}
	}
	// Respond-later items that came due since the last digest go first.
	d := focus.BuildDigest(rel, items, f.takeDueLocked(ctx, rel.At))
	if !d.Empty() {
		n := notify.Notification{Title: d.Title, Body: d.Body, Kind: notify.Digest, Action: "open-batch:" + rel.At.UTC().Format(time.RFC3339)}
		if err := f.notifier.Notify(ctx, n); err != nil {
			f.log.Warn("focus: digest not shown", "err", err)
		}
	}
	f.onRelease(rel)
}

func (f *focusRunner) publishLocked(now time.Time, force bool) {
	st := f.statusLocked(now)
	if force || st.Line != f.lastLine {
		f.lastLine = st.Line
		f.onStatus(st)
	}
}

func (f *focusRunner) statusLocked(now time.Time) FocusStatus {
	st := f.eng.Status(now)
	return FocusStatus{Status: st, Line: st.Line(now)}
}

func (f *focusRunner) status() FocusStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.statusLocked(f.now())
}

// heldIDs are the items the frozen view hides.
func (f *focusRunner) heldIDs() map[inbox.ID]bool {
	held := f.eng.Held()
	out := make(map[inbox.ID]bool, len(held))
	for _, h := range held {
		out[h.ID] = true
	}
	return out
}

// FocusRequest starts focus: Duration ("50m"), Until ("12:00") or
// NextBatch; none of them means 50 minutes.
type FocusRequest struct {
	Duration  string `json:"duration,omitempty"`
	Until     string `json:"until,omitempty"`
	NextBatch bool   `json:"nextBatch,omitempty"`
}

func (f *focusRunner) start(ctx context.Context, req FocusRequest) (FocusStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	var err error
	switch {
	case req.Until != "":
		_, err = f.eng.StartUntil(now, req.Until)
	case req.NextBatch:
		_, err = f.eng.StartUntilNextBatch(now)
	default:
		d := 50 * time.Minute
		if req.Duration != "" {
			if d, err = time.ParseDuration(req.Duration); err != nil {
				return FocusStatus{}, fmt.Errorf("focus: duration %q: use a form like 25m or 1h30m", req.Duration)
			}
		}
		_, err = f.eng.StartSession(now, d)
	}
	if err != nil {
		return FocusStatus{}, err
	}
	if err := f.save(ctx); err != nil {
		return FocusStatus{}, err
	}
	// Starting focus notifies nobody: only breakthroughs, alerts and digests do.
	f.publishLocked(now, true)
	return f.statusLocked(now), nil
}

func (f *focusRunner) stop(ctx context.Context) (FocusStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	f.eng.Stop(now)
	if err := f.save(ctx); err != nil {
		return FocusStatus{}, err
	}
	// Under policy immediate the held items are due now; release them at once
	// rather than on the next tick so `lull focus stop` returns after the digest.
	if rel, ok := f.eng.Tick(now); ok {
		f.deliverLocked(ctx, rel)
	}
	f.publishLocked(now, true)
	return f.statusLocked(now), nil
}

func (f *focusRunner) releaseNow(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	rel, ok := f.eng.ReleaseNow(now)
	if !ok {
		f.publishLocked(now, true)
		return 0, nil
	}
	f.deliverLocked(ctx, rel)
	f.publishLocked(now, true)
	return len(rel.Items), nil
}

// run ticks until ctx ends. A wall-clock jump (suspend, resume) shows up as
// a gap between ticks; the engine turns it into one catch-up release.
func (f *focusRunner) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	f.tick(ctx) // a release missed while the app was closed goes out now
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.tick(ctx)
		}
	}
}
