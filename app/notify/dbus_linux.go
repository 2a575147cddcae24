package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// The freedesktop.org Desktop Notifications interface.
const (
	busName   = "org.freedesktop.Notifications"
	busPath   = dbus.ObjectPath("/org/freedesktop/Notifications")
	busIface  = "org.freedesktop.Notifications"
	urgNormal = byte(1)
	urgCrit   = byte(2)
	// defaultAction is the action key a server invokes when the body of the
	// notification is clicked.
	defaultAction = "default"
	// callTimeout bounds a call when the caller's context has no deadline, so
	// a hung notification server cannot stall the focus engine.
	callTimeout = 5 * time.Second
	// maxPending bounds the clickable notifications remembered when a server
	// never reports them closed.
	maxPending = 256
)

// DBus talks to the session's notification server (org.freedesktop.Notifications)
// directly, so that clicks come back: when the user clicks a notification
// that carried an Action, OnAction is called with that Action.
type DBus struct {
	conn     *dbus.Conn
	obj      dbus.BusObject
	onAction func(string)
	markup   bool // server renders body markup, so the body must be escaped
	signals  chan *dbus.Signal
	done     chan struct{}

	mu      sync.Mutex
	pending map[uint32]string // notification id → Action
	order   []uint32          // ids in pending, oldest first
	closed  bool
}

var _ Notifier = (*DBus)(nil)

// NewDBus connects to the bus at address (the session bus when address is
// empty) and checks that a notification server answers. onAction, which may
// be nil, is called from a goroutine of DBus when the user clicks a
// notification that carried an Action; it should return quickly, as later
// clicks wait for it. Close the DBus when done.
func NewDBus(ctx context.Context, address string, onAction func(action string)) (*DBus, error) {
	var conn *dbus.Conn
	var err error
	if address == "" {
		conn, err = connectSession()
	} else {
		conn, err = dbus.Connect(address)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to connect to the session bus: %w", err)
	}
	d := &DBus{
		conn:     conn,
		obj:      conn.Object(busName, busPath),
		onAction: onAction,
		signals:  make(chan *dbus.Signal, 16),
		done:     make(chan struct{}),
		pending:  make(map[uint32]string),
	}
	if err := d.init(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	go d.listen()
	return d, nil
}

func (d *DBus) init(ctx context.Context) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var caps []string
	if err := d.obj.CallWithContext(ctx, busIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return fmt.Errorf("failed to reach a notification server: %w", err)
	}
	d.markup = slices.Contains(caps, "body-markup")
	// Subscribe only to signals from the server itself, so another client on
	// the bus cannot fake a click.
	for _, member := range []string{"ActionInvoked", "NotificationClosed"} {
		err := d.conn.AddMatchSignalContext(ctx,
			dbus.WithMatchSender(busName),
			dbus.WithMatchObjectPath(busPath),
			dbus.WithMatchInterface(busIface),
			dbus.WithMatchMember(member))
		if err != nil {
			return fmt.Errorf("failed to subscribe to %s: %w", member, err)
		}
	}
	d.conn.Signal(d.signals)
	return nil
}

// Notify asks the server to show n. Breakthroughs are critical, everything
// else normal; the server decides how long a notification stays.
func (d *DBus) Notify(ctx context.Context, n Notification) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var actions []string
	if n.Action != "" {
		actions = []string{defaultAction, "Open Lull"}
	}
	urgency := urgNormal
	if n.Kind == Breakthrough {
		urgency = urgCrit
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgency)}
	body := n.Body
	if d.markup {
		body = escapeMarkup(body)
	}
	var id uint32
	err := d.obj.CallWithContext(ctx, busIface+".Notify", 0,
		appName, uint32(0), "", n.Title, body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		return fmt.Errorf("failed to notify: %w", err)
	}
	if n.Action != "" {
		d.remember(id, n.Action)
	}
	return nil
}

// Close stops listening for clicks and disconnects from the bus.
func (d *DBus) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.conn.RemoveSignal(d.signals)
	close(d.done)
	return d.conn.Close()
}

func (d *DBus) remember(id uint32, action string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.pending[id]; !ok {
		d.order = append(d.order, id)
	}
	d.pending[id] = action
	for len(d.order) > maxPending {
		delete(d.pending, d.order[0])
		d.order = d.order[1:]
	}
}

// forget drops id and returns the Action it carried.
func (d *DBus) forget(id uint32) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	action, ok := d.pending[id]
	if ok {
		delete(d.pending, id)
		d.order = slices.DeleteFunc(d.order, func(x uint32) bool { return x == id })
	}
	return action, ok
}

func (d *DBus) listen() {
	for {
		select {
		case <-d.done:
			return
		case sig, ok := <-d.signals:
			if !ok {
				return
			}
			d.handle(sig)
		}
	}
}

func (d *DBus) handle(sig *dbus.Signal) {
	if sig.Path != busPath || len(sig.Body) < 2 {
		return
	}
	id, ok := sig.Body[0].(uint32)
	if !ok {
		return
	}
	switch sig.Name {
	case busIface + ".ActionInvoked":
		// Only ids this DBus created are in pending: clicks on other apps'
		// notifications are ignored. Any action key of ours means "open".
		if action, ok := d.forget(id); ok && d.onAction != nil {
			d.onAction(action)
		}
	case busIface + ".NotificationClosed":
		d.forget(id)
	}
}

// escapeMarkup escapes the characters a server that renders body markup
// would otherwise read as tags or entities (a subject like "a < b & c").
func escapeMarkup(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// connectSession connects to the session bus without autolaunching one:
// godbus would otherwise run dbus-launch on a headless machine and leave a
// bus daemon behind that no notification server listens on.
func connectSession() (*dbus.Conn, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, err
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, callTimeout)
}
