//go:build linux

package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/control"
	"github.com/lullhq/lull/app/notify/notifytest"
	"github.com/lullhq/lull/connectors"
	_ "github.com/lullhq/lull/connectors/demo"
)

// TestFocusOnRealBus runs the app with the system notifier on a real D-Bus
// session bus whose notification server records every Notify call: during
// focus the sample workspace's new items reach the bus not at all; stopping
// focus over the command-line IPC sends exactly one digest.
func TestFocusOnRealBus(t *testing.T) {
	addr := notifytest.StartBus(t)
	server := notifytest.NewServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	dir := t.TempDir()
	paths := config.Paths{Config: filepath.Join(dir, "c.toml"), Data: filepath.Join(dir, "d"), Demo: filepath.Join(dir, "d-demo")}
	a := New(Options{
		Paths: paths, Config: config.Config{Focus: focusAllDay(time.Now())},
		Registry: connectors.Default, Demo: true, DemoInterval: 100 * time.Millisecond,
		Emit: func(context.Context, string, any) {},
	})
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Startup(context.Background())

	f := a.FocusService()
	waitFor(t, "live items held during focus", func() bool {
		st, err := f.Status()
		return err == nil && st.Focusing && st.Held >= 10
	})
	if calls := server.Calls(); len(calls) != 0 {
		t.Fatalf("the bus saw %d notifications during focus: %+v", len(calls), calls)
	}
	// The running app answers `lull focus stop` over its socket.
	client, err := control.Dial(context.Background(), paths.Demo)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var st FocusStatus
	stopAt := time.Now()
	if err := client.Call(context.Background(), control.CmdFocusStop, nil, &st); err != nil {
		t.Fatal(err)
	}
	if st.Focusing || st.Held != 0 {
		t.Fatalf("after stop: %+v", st)
	}
	calls := server.WaitForCalls(1, 5*time.Second)
	digest := calls[0]
	if digest.AppName != "Lull" || !strings.Contains(digest.Summary, "held while you focused") || digest.Urgency != 1 {
		t.Fatalf("first notification after focus = %+v, want the digest", digest)
	}
	if digest.At.Before(stopAt) {
		t.Fatalf("digest at %v, before focus stopped at %v", digest.At, stopAt)
	}
	// Outside focus new items alert one by one again; none of them is a digest.
	time.Sleep(500 * time.Millisecond)
	digests := 0
	for _, c := range server.Calls() {
		if strings.Contains(c.Summary, "held") {
			digests++
		}
	}
	if digests != 1 {
		t.Fatalf("%d digests, want exactly 1: %+v", digests, server.Calls())
	}
}
