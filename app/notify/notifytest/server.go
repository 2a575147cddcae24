package notifytest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	name  = "org.freedesktop.Notifications"
	path  = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface = "org.freedesktop.Notifications"
)

// Call is one Notify call as the server received it over the bus.
type Call struct {
	ID            uint32 // the id the server returned
	AppName       string
	ReplacesID    uint32
	Icon          string
	Summary       string
	Body          string
	Actions       []string // key, label, key, label, …
	Urgency       byte     // hint "urgency": 0 low, 1 normal, 2 critical; 1 if absent
	ExpireTimeout int32
	At            time.Time
}

// Server is a notification server that owns org.freedesktop.Notifications
// on a bus and records every Notify call instead of showing it.
type Server struct {
	t    testing.TB
	conn *dbus.Conn

	mu      sync.Mutex
	calls   []Call
	nextID  uint32
	caps    []string
	changed chan struct{} // closed and replaced on every call
}

// NewServer connects to the bus at addr, exports the notification interface
// and takes the name. Create it before anything notifies: a Notify sent
// before the name is owned fails. The server stops when the test ends.
func NewServer(t testing.TB, addr string) *Server {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("failed to connect to %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &Server{t: t, conn: conn, caps: []string{"actions", "body"}, changed: make(chan struct{})}
	if err := conn.Export(handler{s}, path, iface); err != nil {
		t.Fatalf("failed to export the notification interface: %v", err)
	}
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		t.Fatalf("failed to request %s: %v", name, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("%s is already owned on %s", name, addr)
	}
	return s
}

// SetCapabilities sets what GetCapabilities answers (default "actions",
// "body"); add "body-markup" to test markup escaping.
func (s *Server) SetCapabilities(caps ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.caps = slices.Clone(caps)
}

// Calls returns a copy of the Notify calls received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// WaitForCalls waits until at least n Notify calls arrived and returns them;
// it fails the test after timeout.
func (s *Server) WaitForCalls(n int, timeout time.Duration) []Call {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		calls, changed := slices.Clone(s.calls), s.changed
		s.mu.Unlock()
		if len(calls) >= n {
			return calls
		}
		select {
		case <-changed:
		case <-deadline.C:
			s.t.Fatalf("got %d Notify calls within %v, want %d", len(calls), timeout, n)
		}
	}
}

// InvokeAction emits ActionInvoked for notification id, as a server does
// when the user clicks it ("default") or one of its buttons.
func (s *Server) InvokeAction(id uint32, action string) {
	s.t.Helper()
	if err := s.conn.Emit(path, iface+".ActionInvoked", id, action); err != nil {
		s.t.Fatalf("failed to emit ActionInvoked: %v", err)
	}
}

// Close emits NotificationClosed for notification id with reason (1 expired,
// 2 dismissed by the user, 3 closed by CloseNotification, 4 other).
func (s *Server) Close(id, reason uint32) {
	s.t.Helper()
	if err := s.conn.Emit(path, iface+".NotificationClosed", id, reason); err != nil {
		s.t.Fatalf("failed to emit NotificationClosed: %v", err)
	}
}

// handler holds the methods exported on the bus; Server's own methods must
// not be, so they live on a separate type.
type handler struct{ s *Server }

func (h handler) Notify(appName string, replacesID uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
	urgency := byte(1)
	if v, ok := hints["urgency"]; ok {
		u, ok := v.Value().(byte)
		if !ok {
			return 0, dbus.MakeFailedError(fmt.Errorf("urgency hint has type %s, want byte", v.Signature()))
		}
		urgency = u
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replacesID
	if id == 0 {
		s.nextID++
		id = s.nextID
	}
	s.calls = append(s.calls, Call{
		ID: id, AppName: appName, ReplacesID: replacesID, Icon: icon,
		Summary: summary, Body: body, Actions: actions, Urgency: urgency,
		ExpireTimeout: expire, At: time.Now(),
	})
	close(s.changed)
	s.changed = make(chan struct{})
	return id, nil
}

func (h handler) CloseNotification(id uint32) *dbus.Error {
	if err := h.s.conn.Emit(path, iface+".NotificationClosed", id, uint32(3)); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

func (h handler) GetCapabilities() ([]string, *dbus.Error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return slices.Clone(h.s.caps), nil
}

func (h handler) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "notifytest", "Lull", "1.0", "1.2", nil
}
