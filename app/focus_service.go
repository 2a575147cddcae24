package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/lullhq/lull/app/control"
	"github.com/lullhq/lull/app/inbox"
)

// Focus is the bound service that starts and stops focus and releases held items.
type Focus struct{ app *App }

// Status returns the focus state and its one-line summary for the header.
func (s *Focus) Status() (FocusStatus, error) {
	ws, err := s.app.current()
	if err != nil {
		return FocusStatus{}, err
	}
	return ws.focus.status(), nil
}

// Start begins focus: {duration: "50m"}, {until: "12:00"} or {nextBatch: true}.
func (s *Focus) Start(req FocusRequest) (FocusStatus, error) {
	ws, err := s.app.current()
	if err != nil {
		return FocusStatus{}, err
	}
	return ws.focus.start(s.app.context(), req)
}

// Stop ends focus now; held items go out as one digest (policy immediate).
func (s *Focus) Stop() (FocusStatus, error) {
	ws, err := s.app.current()
	if err != nil {
		return FocusStatus{}, err
	}
	return ws.focus.stop(s.app.context())
}

// ReleaseNow sends held items as one digest now, even during focus.
func (s *Focus) ReleaseNow() (int, error) {
	ws, err := s.app.current()
	if err != nil {
		return 0, err
	}
	return ws.focus.releaseNow(s.app.context())
}

// controlHandler answers `lull focus …` and `lull release` over local IPC.
type controlHandler struct{ app *App }

func (h *controlHandler) Handle(ctx context.Context, cmd string, args json.RawMessage) (any, error) {
	return HandleControl(ctx, &Focus{app: h.app}, cmd, args)
}

// FocusService is the Focus service of a, for the command line.
func (a *App) FocusService() *Focus { return &Focus{app: a} }

// HandleControl runs one control command against f: the running app answers
// IPC with it, and `lull focus` uses it directly when no app runs.
func HandleControl(_ context.Context, f *Focus, cmd string, args json.RawMessage) (any, error) {
	switch cmd {
	case control.CmdFocusStart:
		var a control.FocusStartArgs
		if len(args) > 0 {
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, fmt.Errorf("focus start: %w", err)
			}
		}
		return f.Start(FocusRequest{Duration: a.Duration, Until: a.Until, NextBatch: a.NextBatch})
	case control.CmdFocusStop:
		return f.Stop()
	case control.CmdFocusStatus:
		return f.Status()
	case control.CmdRelease:
		n, err := f.ReleaseNow()
		return map[string]int{"released": n}, err
	}
	return nil, fmt.Errorf("unknown command %q", cmd)
}

// onAction handles a click on a notification: show the window.
func (a *App) onAction(action string) {
	if a.opts.OnAction != nil {
		a.opts.OnAction(action)
	}
	a.mu.RLock()
	ctx := a.ctx
	a.mu.RUnlock()
	if ctx == nil {
		return
	}
	runtime.WindowShow(ctx)
	runtime.WindowUnminimise(ctx)
	if batch, ok := strings.CutPrefix(action, "open-batch:"); ok {
		a.emitter.Latest("focus:open-batch", batch)
	}
}

// frozenList returns the inbox as it was when focus began: held items are
// left out and counted apart. Held items are the newest, so the window is
// taken as if they sat at the top of the list; an older held item (a mail
// with an old Date header) may shift a row by one until the release.
func (a *App) frozenList(ctx context.Context, ws *workspace, q inbox.Query) (inbox.Page, error) {
	held := ws.focus.heldIDs()
	if len(held) == 0 || q.State != inbox.StateInbox {
		return ws.store.List(ctx, q)
	}
	wide := q
	if q.Offset == 0 {
		wide.Limit = q.Limit + len(held)
	} else {
		wide.Offset = q.Offset + len(held)
	}
	page, err := ws.store.List(ctx, wide)
	if err != nil {
		return page, err
	}
	kept := page.Items[:0]
	for _, it := range page.Items {
		if !held[it.ID] && len(kept) < q.Limit {
			kept = append(kept, it)
		}
	}
	page.Items = kept
	page.Offset = q.Offset
	page.Total = max(0, page.Total-len(held))
	return page, nil
}
