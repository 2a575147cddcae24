package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/lullhq/lull/app/engine"
	"github.com/lullhq/lull/app/inbox"
)

// Inbox is the bound service that reads the list. The frontend asks for
// windows of it, never the whole inbox.
type Inbox struct{ app *App }

// List returns one window of the list.
func (s *Inbox) List(q inbox.Query) (inbox.Page, error) {
	ws, err := s.app.current()
	if err != nil {
		return inbox.Page{}, err
	}
	return s.app.frozenList(s.app.context(), ws, q.Normalize())
}

// Get returns one item with its body.
func (s *Inbox) Get(id string) (inbox.Item, error) {
	ws, err := s.app.current()
	if err != nil {
		return inbox.Item{}, err
	}
	return ws.store.Get(s.app.context(), inbox.ID(id))
}

// Counts returns how many items each view holds.
func (s *Inbox) Counts() (map[inbox.State]int, error) {
	ws, err := s.app.current()
	if err != nil {
		return nil, err
	}
	counts, err := ws.store.Counts(s.app.context())
	if err != nil {
		return nil, err
	}
	// Held items are not in the (frozen) inbox view yet; count them there
	// once they are released.
	counts[inbox.StateInbox] = max(0, counts[inbox.StateInbox]-len(ws.focus.heldIDs()))
	return counts, nil
}

// TriageResult says what a triage command changed.
type TriageResult struct {
	Changed   []inbox.ID `json:"changed"`
	UndoDepth int        `json:"undoDepth"`
	Message   string     `json:"message"`
}

// Triage is the bound service that runs triage commands and undoes them.
type Triage struct{ app *App }

// Run applies command ("done", "inbox") to ids.
func (s *Triage) Run(command string, ids []string) (TriageResult, error) {
	return s.app.runTriage(s.app.context(), command, ids)
}

// Undo reverts the most recent triage command.
func (s *Triage) Undo() (TriageResult, error) {
	return s.app.undoTriage(s.app.context())
}

// WorkspaceStatus is what the window needs to decide what to show.
type WorkspaceStatus struct {
	Mode       Mode                   `json:"mode"`
	DataDir    string                 `json:"dataDir"`
	ConfigPath string                 `json:"configPath"`
	Accounts   []engine.AccountStatus `json:"accounts"`
}

// Workspace is the bound service for the open workspace and its accounts.
type Workspace struct{ app *App }

// Status returns the open workspace and its accounts' sync state.
func (s *Workspace) Status() (WorkspaceStatus, error) {
	return s.app.status()
}

// OpenDemo switches the window to the sample workspace.
func (s *Workspace) OpenDemo() (WorkspaceStatus, error) {
	if err := s.app.switchTo(ModeDemo); err != nil {
		return WorkspaceStatus{}, err
	}
	return s.app.status()
}

// OpenURL opens an http, https or mailto link in the system browser. Any
// other scheme (javascript:, file:, data:) is refused.
func (s *Workspace) OpenURL(raw string) error {
	if err := CheckExternalURL(raw); err != nil {
		return err
	}
	runtime.BrowserOpenURL(s.app.context(), raw)
	return nil
}

// CheckExternalURL accepts only the link schemes Lull hands to the OS.
func CheckExternalURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("open link: %w", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return fmt.Errorf("open link: %q has no host", raw)
		}
		return nil
	case "mailto":
		return nil
	}
	return fmt.Errorf("open link: scheme %q is not allowed (http, https and mailto only)", u.Scheme)
}

func (a *App) status() (WorkspaceStatus, error) {
	ws, err := a.current()
	if err != nil {
		return WorkspaceStatus{}, err
	}
	st := ws.engine.Statuses()
	if st == nil {
		st = []engine.AccountStatus{}
	}
	return WorkspaceStatus{Mode: ws.mode, DataDir: ws.dir, ConfigPath: a.opts.Paths.Config, Accounts: st}, nil
}

// context is the window's context, or Background before it starts (tests).
func (a *App) context() context.Context {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.ctx == nil {
		return context.Background()
	}
	return a.ctx
}

// commandState maps a triage command to the state it sets.
func commandState(command string) (inbox.State, error) {
	switch strings.TrimSpace(command) {
	case "done":
		return inbox.StateDone, nil
	case "inbox", "undone":
		return inbox.StateInbox, nil
	}
	return "", fmt.Errorf("triage: unknown command %q", command)
}

func (a *App) runTriage(ctx context.Context, command string, ids []string) (TriageResult, error) {
	state, err := commandState(command)
	if err != nil {
		return TriageResult{}, err
	}
	if len(ids) == 0 {
		return TriageResult{}, errors.New("triage: no items selected")
	}
	ws, err := a.current()
	if err != nil {
		return TriageResult{}, err
	}
	now := a.opts.Now()
	var step undoStep
	var changed []inbox.ID
	for _, raw := range ids {
		id := inbox.ID(raw)
		next := inbox.Triage{State: state, Changed: now}
		prev, err := ws.store.SetTriage(ctx, id, next)
		if err == nil {
			ws.engine.WriteBack(id, prev, next)
		}
		if err != nil {
			a.recordUndo(step)
			a.emitter.Count(EventItemsChanged, len(changed))
			return TriageResult{Changed: changed, UndoDepth: a.undo.depth()}, fmt.Errorf("triage: %s %s: %w", command, id, err)
		}
		step.entries = append(step.entries, undoEntry{id: id, prev: prev})
		changed = append(changed, id)
	}
	step.label = command
	a.recordUndo(step)
	a.emitter.Count(EventItemsChanged, len(changed))
	return TriageResult{Changed: changed, UndoDepth: a.undo.depth(), Message: describe(command, len(changed))}, nil
}

func (a *App) recordUndo(step undoStep) {
	if len(step.entries) > 0 {
		a.undo.push(step)
	}
}

func (a *App) undoTriage(ctx context.Context) (TriageResult, error) {
	ws, err := a.current()
	if err != nil {
		return TriageResult{}, err
	}
	step, ok := a.undo.pop()
	if !ok {
		return TriageResult{}, errors.New("nothing to undo")
	}
	var changed []inbox.ID
	for i := len(step.entries) - 1; i >= 0; i-- {
		e := step.entries[i]
		cur, err := ws.store.SetTriage(ctx, e.id, e.prev)
		if err != nil {
			return TriageResult{Changed: changed, UndoDepth: a.undo.depth()}, fmt.Errorf("undo %s: %w", e.id, err)
		}
		ws.engine.WriteBack(e.id, cur, e.prev)
		changed = append(changed, e.id)
	}
	a.emitter.Count(EventItemsChanged, len(changed))
	return TriageResult{Changed: changed, UndoDepth: a.undo.depth(), Message: "Undid " + describe(step.label, len(changed))}, nil
}

func describe(command string, n int) string {
	noun := "item"
	if n != 1 {
		noun = "items"
	}
	switch command {
	case "done":
		return fmt.Sprintf("%d %s marked done", n, noun)
	case "inbox", "undone":
		return fmt.Sprintf("%d %s moved to the inbox", n, noun)
	}
	return fmt.Sprintf("%s: %d %s", command, n, noun)
}
