//go:build !windows

package tray

import _ "embed"

// PNG icons for StatusNotifierItem (Linux) and the macOS menu bar.
var (
	//go:embed icons/idle.png
	iconIdle []byte
	//go:embed icons/focus.png
	iconFocus []byte
)
