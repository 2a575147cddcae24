package tray

import "fyne.io/systray"

// Start registers the tray with an external loop. On macOS it must be
// called on the main thread before wails.Run, which then runs the loop.
func (t *Tray) Start() {
	start, end := systray.RunWithExternalLoop(t.onReady, t.onExit)
	t.end = end
	start()
}

// Stop removes the icon.
func (t *Tray) Stop() {
	if t.end != nil {
		t.end()
	}
}

// Available is always true: macOS has a menu bar.
func Available() bool { return true }
