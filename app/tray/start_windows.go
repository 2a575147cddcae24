package tray

import (
	"runtime"

	"fyne.io/systray"
)

// Start shows the tray. Windows needs the tray's message loop on a thread of
// its own, locked for its whole life.
func (t *Tray) Start() {
	go func() {
		runtime.LockOSThread()
		systray.Run(t.onReady, t.onExit)
	}()
}

// Stop removes the icon.
func (t *Tray) Stop() { systray.Quit() }

// Available is always true: Windows has a notification area.
func Available() bool { return true }
