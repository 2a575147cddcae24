package notify_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/app/notify/notifytest"
)

func newDBus(t *testing.T, addr string, onAction func(string)) *notify.DBus {
	t.Helper()
	d, err := notify.NewDBus(t.Context(), addr, onAction)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestDBusNotifyWhatTheBusSees(t *testing.T) {
	addr := notifytest.StartBus(t)
	srv := notifytest.NewServer(t, addr)
	d := newDBus(t, addr, nil)

	tests := []struct {
		name        string
		n           notify.Notification
		wantUrgency byte
		wantActions []string
	}{
		{
			name:        "breakthrough is critical",
			n:           notify.Notification{Title: "Ana Ruiz", Body: "Prod is down", Kind: notify.Breakthrough, Action: "open-item:work/42"},
			wantUrgency: 2,
			wantActions: []string{"default", "Open Lull"},
		},
		{
			name:        "alert without action has no actions",
			n:           notify.Notification{Title: "Ben", Body: "Lunch?", Kind: notify.Alert},
			wantUrgency: 1,
		},
		{
			name:        "digest is normal and clickable",
			n:           notify.Notification{Title: "12 held items", Body: "Mail 9 · Slack 3", Kind: notify.Digest, Action: "open-batch:7"},
			wantUrgency: 1,
			wantActions: []string{"default", "Open Lull"},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			if err := d.Notify(t.Context(), tt.n); err != nil {
				t.Fatal(err)
			}
			calls := srv.Calls()
			if len(calls) != i+1 {
				t.Fatalf("bus saw %d Notify calls, want %d", len(calls), i+1)
			}
			c := calls[i]
			if c.AppName != "Lull" || c.Summary != tt.n.Title || c.Body != tt.n.Body {
				t.Errorf("bus saw app %q summary %q body %q, want Lull %q %q", c.AppName, c.Summary, c.Body, tt.n.Title, tt.n.Body)
			}
			if c.Urgency != tt.wantUrgency {
				t.Errorf("urgency = %d, want %d", c.Urgency, tt.wantUrgency)
			}
			if !slices.Equal(c.Actions, tt.wantActions) {
				t.Errorf("actions = %q, want %q", c.Actions, tt.wantActions)
			}
			if c.ExpireTimeout != -1 || c.Icon != "" || c.ReplacesID != 0 {
				t.Errorf("expire %d icon %q replaces %d, want -1 \"\" 0", c.ExpireTimeout, c.Icon, c.ReplacesID)
			}
			if c.At.Before(before) || c.At.After(time.Now()) {
				t.Errorf("call recorded at %v, outside the Notify call", c.At)
			}
		})
	}
}

func TestDBusClickCallsOnAction(t *testing.T) {
	addr := notifytest.StartBus(t)
	srv := notifytest.NewServer(t, addr)
	actions := make(chan string, 4)
	d := newDBus(t, addr, func(a string) { actions <- a })

	ctx := t.Context()
	for _, n := range []notify.Notification{
		{Title: "12 held items", Kind: notify.Digest, Action: "open-batch:7"},
		{Title: "Not clickable", Kind: notify.Alert},
		{Title: "Closed unclicked", Kind: notify.Digest, Action: "open-batch:8"},
	} {
		if err := d.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	calls := srv.Calls()
	digest, plain, closed := calls[0].ID, calls[1].ID, calls[2].ID

	srv.Close(closed, 2)               // dismissed: the click below must be ignored
	srv.InvokeAction(plain, "default") // no Action: nothing to open
	srv.InvokeAction(4242, "default")  // another app's notification
	srv.InvokeAction(closed, "default")
	srv.InvokeAction(digest, "default")

	select {
	case got := <-actions:
		if got != "open-batch:7" {
			t.Fatalf("OnAction(%q), want open-batch:7", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnAction not called within 5s of ActionInvoked")
	}
	// Signals arrive in order, so anything the ignored clicks caused is
	// already queued; a second click on the same notification is stale too.
	srv.InvokeAction(digest, "default")
	select {
	case got := <-actions:
		t.Fatalf("unexpected OnAction(%q)", got)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestDBusEscapesBodyWhenServerRendersMarkup(t *testing.T) {
	addr := notifytest.StartBus(t)
	srv := notifytest.NewServer(t, addr)
	srv.SetCapabilities("actions", "body", "body-markup")
	d := newDBus(t, addr, nil)

	if err := d.Notify(t.Context(), notify.Notification{Title: "a < b", Body: "Q&A <b>now</b>"}); err != nil {
		t.Fatal(err)
	}
	c := srv.Calls()[0]
	if want := "Q&amp;A &lt;b&gt;now&lt;/b&gt;"; c.Body != want {
		t.Errorf("body = %q, want %q", c.Body, want)
	}
	if c.Summary != "a < b" {
		t.Errorf("summary = %q, want it unescaped (the spec has no markup in summaries)", c.Summary)
	}
}

func TestNewSystemUsesDBusWhenServerAnswers(t *testing.T) {
	addr := notifytest.StartBus(t)
	srv := notifytest.NewServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	actions := make(chan string, 1)
	n := notify.NewSystem(func(a string) { actions <- a })
	d, ok := n.(*notify.DBus)
	if !ok {
		t.Fatalf("NewSystem returned %T, want *notify.DBus", n)
	}
	defer d.Close()
	if err := n.Notify(t.Context(), notify.Notification{Title: "Digest", Kind: notify.Digest, Action: "open-batch:1"}); err != nil {
		t.Fatal(err)
	}
	srv.InvokeAction(srv.Calls()[0].ID, "default")
	select {
	case got := <-actions:
		if got != "open-batch:1" {
			t.Errorf("OnAction(%q), want open-batch:1", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnAction not called")
	}
}

func TestNewSystemFallsBackWithoutServer(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", notifytest.StartBus(t))
	if n := notify.NewSystem(nil); !isBeeep(n) {
		t.Errorf("NewSystem on a bus without a notification server returned %T, want notify.Beeep", n)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	if n := notify.NewSystem(nil); !isBeeep(n) {
		t.Errorf("NewSystem without a bus returned %T, want notify.Beeep", n)
	}
}

func isBeeep(n notify.Notifier) bool {
	_, ok := n.(notify.Beeep)
	return ok
}

// TestBeeepOnBus checks the fallback names the app and passes the text as is;
// beeep talks to the session bus named by the environment.
func TestBeeepOnBus(t *testing.T) {
	addr := notifytest.StartBus(t)
	srv := notifytest.NewServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := notify.NewBeeep().Notify(ctx, notify.Notification{Title: "Lunch?", Body: "Ben, 12:30", Kind: notify.Alert}); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 1 {
		t.Fatalf("bus saw %d Notify calls, want 1", len(calls))
	}
	if c := calls[0]; c.AppName != "Lull" || c.Summary != "Lunch?" || c.Body != "Ben, 12:30" || c.Urgency != 1 {
		t.Errorf("bus saw %+v", c)
	}
}
