// Package autostart installs or removes Lull's start at login: an XDG
// autostart entry on Linux, a LaunchAgent on macOS, a Run key on Windows.
// Lull starts there with --hidden, in the tray.
package autostart

// Entry describes what starts at login.
type Entry struct {
	// Exe is the absolute path of the lull binary.
	Exe string
	// Args follow Exe; --hidden keeps the window closed.
	Args []string
}

// DefaultArgs start Lull in the tray.
var DefaultArgs = []string{"--hidden"}
