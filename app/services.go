package app

import (
	"context"
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
	return s.app.listView(s.app.context(), ws, q.Normalize())
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

// Run applies command ("done", "inbox", "later [when]", "snooze when";
// see triage.go) to ids.
func (s *Triage) Run(command string, ids []string) (TriageResult, error) {
	return s.app.runTriage(s.app.context(), command, ids, false)
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
