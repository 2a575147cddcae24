// Package tray shows Lull in the system tray: an icon that changes with focus
// state and a menu to start and stop focus, release held items, open the
// window and quit. It wraps fyne.io/systray, whose state is process-wide, so
// a process runs at most one Tray.
package tray

import (
	"fmt"
	"sync"
	"time"

	"fyne.io/systray"
)

// Actions are what the menu items do. Each runs on the tray's goroutine and
// must not block for long.
type Actions struct {
	StartFocus          func(d time.Duration)
	StartUntilNextBatch func()
	StopFocus           func()
	ReleaseNow          func()
	Open                func()
	Quit                func()
}

// Tray is the running tray icon.
type Tray struct {
	actions Actions

	mu       sync.Mutex
	ready    bool
	focusing bool
	line     string

	status, start, stop, release *systray.MenuItem
	end                          func()
}

// sessions are the ad-hoc lengths the menu offers.
var sessions = []time.Duration{25 * time.Minute, 50 * time.Minute, 90 * time.Minute}

// New prepares a tray; Start (per platform) shows it.
func New(a Actions) *Tray {
	return &Tray{actions: a, line: "Not focusing"}
}

func (t *Tray) onReady() {
	systray.SetTitle("Lull")
	systray.SetTooltip("Lull")
	systray.SetTemplateIcon(iconIdle, iconIdle)

	t.mu.Lock()
	t.status = systray.AddMenuItem(t.line, "Focus status")
	t.status.Disable()
	systray.AddSeparator()
	t.start = systray.AddMenuItem("Start focus", "Hold notifications until the session ends")
	var subs []*systray.MenuItem
	for _, d := range sessions {
		subs = append(subs, t.start.AddSubMenuItem(label(d), ""))
	}
	untilBatch := t.start.AddSubMenuItem("Until next batch", "")
	t.stop = systray.AddMenuItem("Stop focus", "End focus now; held items go out as one digest")
	t.release = systray.AddMenuItem("Release now", "Send held items as one digest now")
	systray.AddSeparator()
	open := systray.AddMenuItem("Open Lull", "")
	quit := systray.AddMenuItem("Quit", "")
	t.ready = true
	t.applyLocked()
	t.mu.Unlock()

	systray.SetOnTapped(func() { call(t.actions.Open) })
	for i, item := range subs {
		d := sessions[i]
		go loop(item.ClickedCh, func() {
			if t.actions.StartFocus != nil {
				t.actions.StartFocus(d)
			}
		})
	}
	go loop(untilBatch.ClickedCh, func() { call(t.actions.StartUntilNextBatch) })
	go loop(t.stop.ClickedCh, func() { call(t.actions.StopFocus) })
	go loop(t.release.ClickedCh, func() { call(t.actions.ReleaseNow) })
	go loop(open.ClickedCh, func() { call(t.actions.Open) })
	go loop(quit.ClickedCh, func() { call(t.actions.Quit) })
}

func loop(ch <-chan struct{}, f func()) {
	for range ch {
		f()
	}
}

func call(f func()) {
	if f != nil {
		f()
	}
}

func label(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d.Minutes()))
}

// SetStatus shows the focus state: the icon, the status line and which
// items make sense.
func (t *Tray) SetStatus(focusing bool, line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.focusing, t.line = focusing, line
	if t.ready {
		t.applyLocked()
	}
}

func (t *Tray) applyLocked() {
	t.status.SetTitle(t.line)
	systray.SetTooltip("Lull · " + t.line)
	if t.focusing {
		systray.SetTemplateIcon(iconFocus, iconFocus)
		t.start.Disable()
		t.stop.Enable()
	} else {
		systray.SetTemplateIcon(iconIdle, iconIdle)
		t.start.Enable()
		t.stop.Disable()
	}
}

func (t *Tray) onExit() {}
