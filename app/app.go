// Package app wires Lull together for the desktop window: it owns the open
// workspace (store plus engine), binds small services to the frontend
// (Inbox, Triage, Workspace) and coalesces events to the webview. It is the
// only package that imports the Wails runtime.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/control"
	"github.com/lullhq/lull/app/engine"
	"github.com/lullhq/lull/app/focus"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/store"
)

// Mode says which workspace the window shows.
type Mode string

// The workspaces.
const (
	// ModeEmpty: no accounts configured; the first-run screen offers a choice.
	ModeEmpty Mode = "empty"
	// ModeAccounts: the user's own accounts from config.toml.
	ModeAccounts Mode = "accounts"
	// ModeDemo: the sample workspace, in its own data folder.
	ModeDemo Mode = "demo"
)

// Event names sent to the webview.
const (
	EventItemsChanged  = "items:changed"
	EventAccountStatus = "account:status"
)

// DemoAccount is the account name of the sample workspace's connector.
const DemoAccount = "sample"

// Options configure an App.
type Options struct {
	Paths    config.Paths
	Config   config.Config
	Registry *connectors.Registry
	Logger   *slog.Logger
	Now      func() time.Time
	// Demo opens the sample workspace instead of the user's accounts.
	Demo bool
	// DemoInterval is how often the sample workspace receives a new item.
	DemoInterval time.Duration
	// Emit sends an event to the webview; nil uses the Wails runtime once
	// the window has started.
	Emit func(ctx context.Context, name string, data any)
	// EventInterval bounds how often each event goes to the webview.
	EventInterval time.Duration
	// Notifier shows desktop notifications; nil picks the system's.
	Notifier notify.Notifier
	// NoControl skips the local IPC endpoint (tests that run two apps).
	NoControl bool
	// OnFocus is told of every focus status change (the tray listens).
	OnFocus func(FocusStatus)
	// OnAction is called when the user clicks a notification.
	OnAction func(action string)
}

// App is the running application behind the window.
type App struct {
	opts    Options
	log     *slog.Logger
	emitter *Emitter

	mu      sync.RWMutex
	ctx     context.Context // the Wails context, set by Startup
	ws      *workspace
	undo    undoStack
	closed  bool
	opening chan struct{} // closed when OpenAsync's Open has finished
}

// workspace is one open store and the engine syncing into it.
type workspace struct {
	mode    Mode
	dir     string
	store   *store.Store
	engine  *engine.Engine
	focus   *focusRunner
	snooze  *snoozeRunner // brings snoozed items back (snooze.go)
	threads threadCache   // the Inbox view's thread rows (threads.go)
	search  searchState   // the full-text index (search_service.go)
	control *control.Server
	cancel  context.CancelFunc
	runners sync.WaitGroup // the focus and snooze loops; close waits for them
	warm    warmer         // works out the Inbox's rows ahead of the window (threads.go)
}

// New returns an App; Open opens its workspace.
func New(opts Options) *App {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Registry == nil {
		opts.Registry = connectors.Default
	}
	if opts.DemoInterval <= 0 {
		opts.DemoInterval = 6 * time.Second
	}
	if opts.EventInterval <= 0 {
		opts.EventInterval = 200 * time.Millisecond
	}
	a := &App{opts: opts, log: opts.Logger}
	a.emitter = NewEmitter(opts.EventInterval, a.emit)
	if a.opts.Notifier == nil {
		a.opts.Notifier = notify.NewSystem(a.onAction)
	}
	return a
}

// Services are the structs bound to the frontend.
func (a *App) Services() []any {
	return []any{&Inbox{app: a}, &Triage{app: a}, &Workspace{app: a}, &Focus{app: a}, &Settings{app: a}, &Accounts{app: a}, &Reader{app: a}, &Search{app: a}}
}

// Open opens the workspace the options ask for, without starting any sync.
// main calls it before the window exists so that a broken data folder is a
// clear error on the command line, not a blank window.
func (a *App) Open(ctx context.Context) error {
	if err := checkKeyCommands(a.opts.Config.Keys); err != nil {
		return err
	}
	mode := ModeEmpty
	switch {
	case a.opts.Demo:
		mode = ModeDemo
	case len(a.opts.Config.Accounts) > 0:
		mode = ModeAccounts
	}
	ws, err := a.openWorkspace(ctx, mode)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.ws = ws
	a.mu.Unlock()
	return nil
}

// OpenAsync runs Open in the background and, once it succeeded, WarmList;
// the returned channel gets Open's error. Until Open has finished, the
// bound services wait for it rather than fail. The window opens the store
// this way while GTK and WebKit start, and so that a second launch on the
// same data folder reaches the window's single-instance check (which raises
// the first window) instead of waiting for the store's lock.
func (a *App) OpenAsync(ctx context.Context) <-chan error {
	done := make(chan struct{})
	a.mu.Lock()
	a.opening = done
	a.mu.Unlock()
	out := make(chan error, 1)
	go func() {
		err := a.Open(ctx)
		close(done)
		if err == nil {
			a.WarmList()
		}
		out <- err
	}()
	return out
}

// waitOpen returns once the last OpenAsync's Open has finished (at once
// without one).
func (a *App) waitOpen() {
	a.mu.RLock()
	opening := a.opening
	a.mu.RUnlock()
	if opening != nil {
		<-opening
	}
}

// Startup is the Wails OnStartup hook: it keeps the window's context and
// starts syncing.
func (a *App) Startup(ctx context.Context) {
	a.mu.Lock()
	a.ctx = ctx
	ws := a.ws
	a.mu.Unlock()
	if ws != nil {
		a.startEngine(ctx, ws)
	}
}

// Shutdown is the Wails OnShutdown hook.
func (a *App) Shutdown(context.Context) {
	if err := a.Close(); err != nil {
		a.log.Error("app: shutdown", "err", err)
	}
}

// Close stops syncing and closes the store, waiting for an OpenAsync in
// flight first. It is safe to call twice.
func (a *App) Close() error {
	a.waitOpen() // a store still opening is closed, not left open
	a.mu.Lock()
	ws := a.ws
	a.ws = nil
	a.closed = true
	a.mu.Unlock()
	a.emitter.Close()
	if ws == nil {
		return nil
	}
	return ws.close()
}

func (a *App) emit(name string, data any) {
	a.mu.RLock()
	ctx := a.ctx
	a.mu.RUnlock()
	if ctx == nil {
		return
	}
	if a.opts.Emit != nil {
		a.opts.Emit(ctx, name, data)
		return
	}
	runtime.EventsEmit(ctx, name, data)
}

func (a *App) openWorkspace(ctx context.Context, mode Mode) (*workspace, error) {
	dir := WorkspaceDir(mode, a.opts.Paths)
	st, err := store.Open(ctx, store.Options{Dir: dir, Logger: a.log})
	if err != nil {
		return nil, fmt.Errorf("app: open %s workspace: %w", mode, err)
	}
	ws := &workspace{mode: mode, dir: dir, store: st}
	ws.focus, err = newFocusRunner(ctx, a.opts.Config.Focus, st, a.opts.Notifier, a.opts.Now, a.log)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("app: open %s workspace: %w", mode, err)
	}
	ws.focus.onStatus = func(s FocusStatus) {
		a.emitter.Latest(EventFocusState, s)
		until := time.Time{}
		if s.Focusing {
			until = s.Until
		}
		ws.engine.ShowFocus(until)
		if a.opts.OnFocus != nil {
			a.opts.OnFocus(s)
		}
	}
	ws.focus.onRelease = func(r focus.Release) {
		a.emitter.Latest(EventFocusReleased, r)
		a.emitter.Count(EventItemsChanged, len(r.Items))
	}
	ws.engine = engine.New(engine.Options{
		Store:    st,
		Registry: a.opts.Registry,
		Logger:   a.log,
		Now:      a.opts.Now,
		OnChange: func(c engine.Change) {
			ws.focus.onChange(ctx, c)
			a.emitter.Count(EventItemsChanged, len(c.New)+len(c.Updated)+len(c.Removed))
		},
		OnStatus: func(s []engine.AccountStatus) { a.emitter.Latest(EventAccountStatus, s) },
	})
	if err := a.openQueues(ctx, ws); err != nil {
		st.Close()
		return nil, fmt.Errorf("app: open %s workspace: %w", mode, err)
	}
	ws.search.open(ctx, st, dir, a.log, a.opts.Now)
	return ws, nil
}

func (a *App) startEngine(ctx context.Context, ws *workspace) {
	ctx, ws.cancel = context.WithCancel(ctx)
	if !a.opts.NoControl {
		srv, err := control.Serve(ctx, ws.dir, searchControl{app: a, next: &controlHandler{app: a}})
		if err != nil {
			// The window still works; only `lull focus …` cannot reach it.
			a.log.Warn("app: command-line control unavailable", "err", err)
		} else {
			ws.control = srv
		}
	}
	ws.runners.Go(func() { ws.focus.run(ctx) })
	ws.runners.Go(func() { ws.snooze.run(ctx) })
	ws.runners.Go(func() { a.runRepairs(ctx, ws) })
	ws.engine.Start(ctx, ConnectorAccounts(ws.mode, a.opts.Config, a.opts.DemoInterval))
}

// ConnectorAccounts lists the accounts a workspace in mode syncs.
func ConnectorAccounts(mode Mode, cfg config.Config, demoInterval time.Duration) []connectors.Account {
	switch mode {
	case ModeDemo:
		settings := map[string]any{}
		if demoInterval > 0 {
			settings["interval"] = demoInterval.String()
		}
		return []connectors.Account{{Name: DemoAccount, Kind: "demo", Settings: settings}}
	case ModeAccounts:
		var out []connectors.Account
		for _, name := range cfg.AccountNames() {
			acct := cfg.Accounts[name]
			out = append(out, connectors.Account{Name: name, Kind: acct.Kind, Settings: acct.Settings})
		}
		return out
	}
	return nil
}

// WorkspaceDir is the data folder of a workspace in mode.
func WorkspaceDir(mode Mode, paths config.Paths) string {
	if mode == ModeDemo {
		return paths.Demo
	}
	return paths.Data
}

func (ws *workspace) close() error {
	if ws.cancel != nil {
		ws.cancel()
	}
	// A runner mid-tick finishes its write before the store closes under it.
	ws.runners.Wait()
	if ws.control != nil {
		ws.control.Close()
	}
	ws.warm.stop()
	ws.engine.Stop()
	ws.search.close()
	if err := ws.store.Close(); err != nil {
		return fmt.Errorf("app: close %s workspace: %w", ws.mode, err)
	}
	return nil
}

// errClosed is returned by services called after Close.
var errClosed = errors.New("lull is shutting down")

// current returns the open workspace or an error once closed.
func (a *App) current() (*workspace, error) {
	a.waitOpen() // an OpenAsync in flight: wait for it, not fail
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.ws == nil {
		return nil, errClosed
	}
	return a.ws, nil
}

// switchTo closes the current workspace and opens one in mode.
func (a *App) switchTo(mode Mode) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errClosed
	}
	if a.ws != nil && a.ws.mode == mode {
		return nil
	}
	ctx := a.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ws, err := a.openWorkspace(ctx, mode)
	if err != nil {
		return err
	}
	if a.ws != nil {
		if err := a.ws.close(); err != nil {
			a.log.Error("app: switching workspace", "err", err)
		}
	}
	a.ws = ws
	a.undo.clear()
	a.startEngine(ctx, ws)
	a.emitter.Count(EventItemsChanged, 1)
	return nil
}
