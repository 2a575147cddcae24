//go:build !linux

package notify

// NewSystem returns the platform's Notifier: beeep on Windows and macOS.
// onAction is never called there, because beeep cannot report clicks. The
// returned Notifier is also an io.Closer.
func NewSystem(onAction func(action string)) Notifier {
	return NewBeeep()
}
