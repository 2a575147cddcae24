package notify

import (
	"context"
	"fmt"
	"sync"

	"github.com/gen2brain/beeep"
)

// Beeep shows notifications through github.com/gen2brain/beeep: toast on
// Windows, Notification Center on macOS, D-Bus or notify-send on Linux. It
// cannot report clicks, so Notification.Action is ignored.
type Beeep struct{}

var _ Notifier = Beeep{}

// setAppName guards the one write to beeep.AppName, a global of that
// package: writing it on every Notify would race with notifications in flight.
var setAppName sync.Once

// NewBeeep returns a Notifier backed by beeep, naming the app "Lull".
func NewBeeep() Beeep {
	setAppName.Do(func() { beeep.AppName = appName })
	return Beeep{}
}

// Notify shows n. beeep cannot be cancelled, so when ctx ends first Notify
// returns ctx.Err() and the notification may still appear.
func (Beeep) Notify(ctx context.Context, n Notification) error {
	setAppName.Do(func() { beeep.AppName = appName })
	done := make(chan error, 1)
	go func() {
		// The icon must be "" rather than nil: beeep rejects a nil icon.
		done <- beeep.Notify(n.Title, n.Body, "")
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("failed to notify: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close does nothing; it lets callers close any Notifier from NewSystem.
func (Beeep) Close() error { return nil }
