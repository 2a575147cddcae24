package tray

import (
	"fyne.io/systray"
	"github.com/godbus/dbus/v5"
)

// Start shows the tray. On Linux systray speaks D-Bus StatusNotifierItem and
// needs no GTK loop of its own, so it may start on any goroutine.
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

// Available reports whether a tray host is listening (a StatusNotifierWatcher
// owns its name on the session bus). Without one, hiding the window on close
// would strand the user, so the app keeps the window instead.
func Available() bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
