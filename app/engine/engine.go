// Package engine runs one supervisor goroutine per account: it starts the
// account's connector, hands it a Sink backed by the store, retries failures
// with jittered exponential backoff, and publishes what changed.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/store"
)

// AccountState is what an account's supervisor is doing.
type AccountState string

// The states an account moves through.
const (
	StateStarting AccountState = "starting"
	StateSyncing  AccountState = "syncing"
	StateIdle     AccountState = "idle"
	StateError    AccountState = "error"
	StateStopped  AccountState = "stopped"
)

// AccountStatus is one account's state as the UI and CLI show it.
type AccountStatus struct {
	Name     string              `json:"name"`
	Kind     string              `json:"kind"`
	State    AccountState        `json:"state"`
	Error    string              `json:"error,omitempty"`
	Progress connectors.Progress `json:"progress"`
	Retry    time.Time           `json:"retry,omitzero"` // next attempt after an error
}

// Change is one committed batch, as published to listeners.
type Change struct {
	Account  string
	New      []inbox.ID
	Updated  []inbox.ID
	Removed  []inbox.ID
	Backfill bool
}

// Options configure an Engine.
type Options struct {
	Store    *store.Store
	Registry *connectors.Registry
	Logger   *slog.Logger
	Now      func() time.Time
	// OnChange is called after every committed batch, from the account's goroutine.
	OnChange func(Change)
	// OnStatus is called whenever an account's status changes.
	OnStatus func([]AccountStatus)
	// MinBackoff and MaxBackoff bound the retry delay; zero means 1 s and 5 min.
	MinBackoff, MaxBackoff time.Duration
}

// Engine supervises the accounts of one store.
type Engine struct {
	opts   Options
	mu     sync.Mutex
	status map[string]*AccountStatus
	conns  map[string]connectors.Connector
	wg     sync.WaitGroup
	cancel context.CancelFunc
	// writes queues triage write-backs, applied in order by one goroutine.
	writes chan writeBack
	// wantFocus is the focus end sources should show (zero: none); a
	// send on focusKick asks runShowFocus to apply it.
	wantFocus time.Time
	focusKick chan struct{}
}

// writeBack is one triage change to send to the item's source.
type writeBack struct {
	id       inbox.ID
	from, to inbox.Triage
}

// New returns an engine; Start launches it.
func New(opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OnChange == nil {
		opts.OnChange = func(Change) {}
	}
	if opts.OnStatus == nil {
		opts.OnStatus = func([]AccountStatus) {}
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	return &Engine{opts: opts, status: map[string]*AccountStatus{}, conns: map[string]connectors.Connector{},
		writes: make(chan writeBack, 4096), focusKick: make(chan struct{}, 1)}
}

// ShowFocus tells the sources that can show focus (a Slack status and
// snoozed Slack notifications) that focus runs until until, or, with a
// zero until, that it ended. Calls are cheap and may repeat: one goroutine
// applies only the latest wish, in order, and only when it changed. A
// failure is logged and shown in the account's status; focus itself is
// never affected.
func (e *Engine) ShowFocus(until time.Time) {
	if e == nil {
		return
	}
	e.mu.Lock()
	e.wantFocus = until
	e.mu.Unlock()
	select {
	case e.focusKick <- struct{}{}:
	default: // a wish is already pending; it will read the latest value
	}
}

func (e *Engine) runShowFocus(ctx context.Context) {
	var shown time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.focusKick:
		}
		e.mu.Lock()
		until := e.wantFocus
		setters := map[string]connectors.StatusSetter{}
		for name, conn := range e.conns {
			if ss, ok := conn.(connectors.StatusSetter); ok {
				setters[name] = ss
			}
		}
		e.mu.Unlock()
		if until.Equal(shown) {
			continue
		}
		shown = until
		for name, ss := range setters {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			var err error
			if until.IsZero() {
				err = ss.ClearFocus(cctx)
			} else {
				err = ss.SetFocus(cctx, until)
			}
			cancel()
			if err != nil && ctx.Err() == nil {
				e.opts.Logger.Warn("engine: focus status not shown", "account", name, "err", err)
				e.setStatus(name, func(s *AccountStatus) { s.Error = "focus status: " + err.Error() })
			}
		}
	}
}

// WriteBack queues a triage change for the item's source (mark read,
// archive, and their undo), when its connector is an Actor. Changes are
// sent in order, off the caller's goroutine; a failure shows in the
// account's status and the log, and never undoes the user's decision.
func (e *Engine) WriteBack(id inbox.ID, from, to inbox.Triage) {
	select {
	case e.writes <- writeBack{id: id, from: from, to: to}:
	default:
		e.opts.Logger.Warn("engine: write-back queue full; change kept in Lull only", "id", id)
	}
}

func (e *Engine) runWriteBacks(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-e.writes:
			e.writeBackOne(ctx, w)
		}
	}
}

func (e *Engine) writeBackOne(ctx context.Context, w writeBack) {
	acct, _, err := w.id.Split()
	if err != nil {
		return
	}
	e.mu.Lock()
	conn := e.conns[acct]
	e.mu.Unlock()
	actor, ok := conn.(connectors.Actor)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := actor.Act(ctx, w.id, w.from, w.to); err != nil && ctx.Err() == nil {
		e.opts.Logger.Warn("engine: write-back failed", "id", w.id, "err", err)
		e.setStatus(acct, func(s *AccountStatus) { s.Error = "write-back failed: " + err.Error() })
	}
}

// Start builds each account's connector and runs it until Stop or ctx ends.
// An account whose connector cannot be built is reported in error; the others run.
func (e *Engine) Start(ctx context.Context, accounts []connectors.Account) {
	ctx, e.cancel = context.WithCancel(ctx)
	for _, acct := range accounts {
		if acct.Now == nil {
			acct.Now = e.opts.Now
		}
		e.setStatus(acct.Name, func(s *AccountStatus) { s.Kind = acct.Kind; s.State = StateStarting })
		conn, err := e.opts.Registry.New(acct)
		if err != nil {
			e.opts.Logger.Error("engine: account cannot start", "account", acct.Name, "err", err)
			e.setStatus(acct.Name, func(s *AccountStatus) { s.State = StateError; s.Error = err.Error() })
			continue
		}
		e.mu.Lock()
		e.conns[acct.Name] = conn
		e.mu.Unlock()
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.supervise(ctx, acct, conn)
		}()
	}
	e.wg.Add(2)
	go func() {
		defer e.wg.Done()
		e.runWriteBacks(ctx)
	}()
	go func() {
		defer e.wg.Done()
		e.runShowFocus(ctx)
	}()
	// A focus wish from before the accounts existed applies now.
	e.ShowFocus(e.wantFocusNow())
}

func (e *Engine) wantFocusNow() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.wantFocus
}

// Stop cancels every account and waits for their goroutines to return.
func (e *Engine) Stop() {
	if e.cancel != nil {
		e.cancel()
	}
	e.wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, conn := range e.conns {
		if c, ok := conn.(io.Closer); ok {
			if err := c.Close(); err != nil {
				e.opts.Logger.Warn("engine: closing connector", "account", name, "err", err)
			}
		}
	}
}

// Statuses returns every account's status, sorted by name.
func (e *Engine) Statuses() []AccountStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snapshotLocked()
}

func (e *Engine) snapshotLocked() []AccountStatus {
	out := make([]AccountStatus, 0, len(e.status))
	for _, s := range e.status {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (e *Engine) setStatus(name string, f func(*AccountStatus)) {
	e.mu.Lock()
	s, ok := e.status[name]
	if !ok {
		s = &AccountStatus{Name: name}
		e.status[name] = s
	}
	before := *s
	f(s)
	changed := before != *s
	snap := e.snapshotLocked()
	e.mu.Unlock()
	if changed {
		e.opts.OnStatus(snap)
	}
}

// supervise runs conn until ctx ends, restarting it after errors with
// jittered exponential backoff. A clean return (nil) before ctx ends is
// treated like an error: connectors are meant to stream until cancelled.
func (e *Engine) supervise(ctx context.Context, acct connectors.Account, conn connectors.Connector) {
	log := e.opts.Logger.With("account", acct.Name)
	delay := e.opts.MinBackoff
	for {
		e.setStatus(acct.Name, func(s *AccountStatus) { s.State = StateSyncing; s.Retry = time.Time{} })
		sink := &sink{engine: e, account: acct.Name}
		started := e.opts.Now()
		err := conn.Sync(ctx, sink)
		if ctx.Err() != nil {
			e.setStatus(acct.Name, func(s *AccountStatus) { s.State = StateStopped })
			return
		}
		if err == nil {
			err = errors.New("connector stopped unexpectedly")
		}
		if errors.Is(err, connectors.ErrPermanent) {
			// Retrying a revoked token only hammers the server: the account
			// waits, in error, until the user fixes it and restarts it.
			log.Error("engine: account stopped; it needs the user's attention", "err", err)
			e.setStatus(acct.Name, func(s *AccountStatus) {
				s.State = StateError
				s.Error = err.Error()
				s.Retry = time.Time{}
			})
			return
		}
		// A connector that ran for a while before failing has earned a fresh start.
		if e.opts.Now().Sub(started) > 10*e.opts.MaxBackoff {
			delay = e.opts.MinBackoff
		}
		wait := jitter(delay)
		log.Warn("engine: sync failed; retrying", "err", err, "in", wait.Round(time.Millisecond))
		e.setStatus(acct.Name, func(s *AccountStatus) {
			s.State = StateError
			s.Error = err.Error()
			s.Retry = e.opts.Now().Add(wait)
		})
		select {
		case <-ctx.Done():
			e.setStatus(acct.Name, func(s *AccountStatus) { s.State = StateStopped })
			return
		case <-time.After(wait):
		}
		delay = min(delay*2, e.opts.MaxBackoff)
	}
}

// jitter returns a duration in [d/2, d) so reconnecting clients spread out.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(half)
}

// sink is the connectors.Sink of one account.
type sink struct {
	engine  *Engine
	account string
}

func (s *sink) Cursor(ctx context.Context) ([]byte, error) {
	return s.engine.opts.Store.Cursor(ctx, s.account)
}

func (s *sink) Apply(ctx context.Context, b connectors.Batch) error {
	applied, err := s.engine.opts.Store.Apply(ctx, store.Batch{
		Account: s.account, Upserts: b.Upserts, Removes: b.Removes, Cursor: b.Cursor,
		Marks: marks(b.Marks), Purge: b.Purge,
	})
	if err != nil {
		return fmt.Errorf("engine: %s: %w", s.account, err)
	}
	if len(applied.New)+len(applied.Updated)+len(applied.Removed) > 0 {
		s.engine.opts.OnChange(Change{
			Account: s.account, New: applied.New, Updated: applied.Updated,
			Removed: applied.Removed, Backfill: b.Backfill,
		})
	}
	// Once a connector commits live (non-backfill) work it has caught up.
	if !b.Backfill {
		s.engine.setStatus(s.account, func(st *AccountStatus) {
			st.State = StateIdle
			st.Error = ""
		})
	}
	return nil
}

func (s *sink) Progress(p connectors.Progress) {
	s.engine.setStatus(s.account, func(st *AccountStatus) {
		st.Progress = p
		if p.Complete() {
			st.State = StateIdle
		} else {
			st.State = StateSyncing
		}
		st.Error = ""
	})
}

func marks(in []connectors.Mark) []store.Mark {
	if len(in) == 0 {
		return nil
	}
	out := make([]store.Mark, len(in))
	for i, m := range in {
		out[i] = store.Mark{ID: m.ID, Unread: m.Unread}
	}
	return out
}
