//go:build !linux || !cgo

package egloff

// Disable does nothing outside Linux (or without cgo): WebKitGTK and its
// EGL are Linux's. It reports false.
func Disable() bool { return false }
