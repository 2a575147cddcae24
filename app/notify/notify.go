// Package notify shows desktop notifications: a breakthrough during focus, an
// alert outside it, or the digest that releases held items. It hides which
// mechanism the OS offers (D-Bus on Linux, beeep elsewhere) behind Notifier.
package notify

import (
	"context"
	"fmt"
)

// Kind says why a notification is shown; it sets its urgency.
type Kind int

// The kinds of notification Lull sends.
const (
	// Alert is a new item shown at once outside focus.
	Alert Kind = iota
	// Breakthrough is an urgent item shown even during focus.
	Breakthrough
	// Digest is the one notification that releases held items.
	Digest
)

func (k Kind) String() string {
	switch k {
	case Alert:
		return "alert"
	case Breakthrough:
		return "breakthrough"
	case Digest:
		return "digest"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Notification is one desktop notification.
type Notification struct {
	Title string
	Body  string
	Kind  Kind
	// Action is handed back to the app when the user clicks the notification,
	// e.g. "open-batch:<id>". Empty means the notification is not clickable.
	Action string
}

// Notifier shows notifications. Implementations are safe for concurrent use.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// appName is how Lull names itself to the notification server.
const appName = "Lull"
