package tray

// Available is always true: macOS has a menu bar.
func Available() bool { return true }
