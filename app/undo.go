package app

import (
	"sync"

	"github.com/lullhq/lull/app/inbox"
)

// maxUndo bounds the undo history; older steps fall off.
const maxUndo = 100

// undoStep is one triage command, undone as a whole.
type undoStep struct {
	label   string
	entries []undoEntry
}

type undoEntry struct {
	id   inbox.ID
	prev inbox.Triage
}

// undoStack is the multi-level undo history of the open workspace.
type undoStack struct {
	mu    sync.Mutex
	steps []undoStep
}

func (u *undoStack) push(s undoStep) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.steps = append(u.steps, s)
	if len(u.steps) > maxUndo {
		u.steps = append(u.steps[:0], u.steps[len(u.steps)-maxUndo:]...)
	}
}

func (u *undoStack) pop() (undoStep, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.steps) == 0 {
		return undoStep{}, false
	}
	s := u.steps[len(u.steps)-1]
	u.steps = u.steps[:len(u.steps)-1]
	return s, true
}

func (u *undoStack) depth() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.steps)
}

func (u *undoStack) clear() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.steps = nil
}
