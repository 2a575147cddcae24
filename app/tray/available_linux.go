package tray

import (
	"github.com/godbus/dbus/v5"
)

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
