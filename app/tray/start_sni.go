//go:build linux || darwin

package tray

import "fyne.io/systray"

// Start shows the tray with an external loop. On Linux systray speaks D-Bus
// StatusNotifierItem and needs no GTK loop of its own, so any goroutine
// will do; on macOS it must be called on the main thread before wails.Run,
// which then runs the loop.
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
