package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/focus"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/connectors"
)

// focusAllDay is a weekly block covering now, whatever the time of day.
func focusAllDay(now time.Time) focus.Config {
	return focus.Config{
		Location: time.Local,
		Weekly: []focus.WeeklyBlock{{
			Start: now.Add(-time.Hour).Format("15:04"),
			End:   now.Add(2 * time.Hour).Format("15:04"),
		}},
	}
}

// TestRestartMidFocusKeepsHeld closes the app in the middle of focus and
// opens it again: the held items are still held and go out once, in one digest.
func TestRestartMidFocusKeepsHeld(t *testing.T) {
	dir := t.TempDir()
	paths := config.Paths{Config: filepath.Join(dir, "c.toml"), Data: filepath.Join(dir, "d"), Demo: filepath.Join(dir, "d-demo")}
	rec := &notify.Recorder{}
	open := func(interval time.Duration) *App {
		a := New(Options{
			Paths: paths, Config: config.Config{Focus: focusAllDay(time.Now())},
			Registry: connectors.Default, Demo: true, DemoInterval: interval,
			Emit: func(context.Context, string, any) {}, Notifier: rec, NoControl: true,
		})
		if err := a.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		a.Startup(context.Background())
		return a
	}
	a := open(50 * time.Millisecond)
	waitFor(t, "held items", func() bool {
		st, err := a.FocusService().Status()
		return err == nil && st.Held >= 5
	})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open(time.Hour)
	defer a.Close()
	before, err := a.FocusService().Status()
	if err != nil || !before.Focusing || before.Held < 5 {
		t.Fatalf("after restart: %+v, %v", before, err)
	}
	if n := len(rec.Records()); n != 0 {
		t.Fatalf("%d notifications during focus", n)
	}
	n, err := a.FocusService().ReleaseNow()
	if err != nil || n != before.Held {
		t.Fatalf("released %d, %v; want %d", n, err, before.Held)
	}
	if n, _ := a.FocusService().ReleaseNow(); n != 0 {
		t.Fatalf("second release sent %d items again", n)
	}
	recs := rec.Records()
	if len(recs) != 1 || recs[0].Notification.Kind != notify.Digest {
		t.Fatalf("notifications = %+v, want one digest", recs)
	}
}

func TestMachineZoneFollowsTZ(t *testing.T) {
	t.Setenv("TZ", "America/New_York")
	if loc := machineZone(); loc == nil || loc.String() != "America/New_York" {
		t.Fatalf("machineZone = %v", loc)
	}
	t.Setenv("TZ", ":Europe/Berlin")
	if loc := machineZone(); loc == nil || loc.String() != "Europe/Berlin" {
		t.Fatalf("machineZone = %v", loc)
	}
	t.Setenv("TZ", "Not/AZone")
	if loc := machineZone(); loc != nil {
		t.Fatalf("machineZone for a bad zone = %v, want nil", loc)
	}
}
