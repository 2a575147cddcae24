package notify

import (
	"context"
	"time"
)

// probeTimeout bounds how long NewSystem waits for a notification server.
const probeTimeout = 2 * time.Second

// NewSystem returns the platform's Notifier. On Linux that is DBus when the
// session bus is reachable and a notification server answers on it, so that
// clicks reach onAction; otherwise it is Beeep, which cannot report clicks.
// onAction may be nil. The returned Notifier is also an io.Closer.
func NewSystem(onAction func(action string)) Notifier {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if d, err := NewDBus(ctx, "", onAction); err == nil {
		return d
	}
	return NewBeeep()
}
