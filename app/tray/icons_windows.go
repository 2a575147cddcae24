package tray

import _ "embed"

// Windows wants ICO bytes for the notification-area icon.
var (
	//go:embed icons/idle.ico
	iconIdle []byte
	//go:embed icons/focus.ico
	iconFocus []byte
)
