package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/tray"
)

// runWindow runs the desktop window until it closes, opening the store while
// the window starts; a store that fails to open closes the window with its
// error.
func runWindow(ctx context.Context, opts app.Options, hidden bool) error {
	limitWindowMemory()
	skipUnusedGL()
	if !bindingsBuild {
		skipUnusedEGL(opts.Logger)
	}
	trimCtx, stopTrim := context.WithCancel(ctx)
	defer stopTrim()
	go trimWhenIdle(trimCtx, opts.Logger)
	var (
		mu     sync.Mutex
		winCtx context.Context
	)
	withWindow := func(f func(ctx context.Context)) {
		mu.Lock()
		ctx := winCtx
		mu.Unlock()
		if ctx != nil {
			f(ctx)
		}
	}
	var ti *tray.Tray
	opts.OnFocus = func(s app.FocusStatus) {
		if ti != nil {
			ti.SetStatus(s.Focusing, s.Line)
		}
	}
	a := app.New(opts)
	focus := a.FocusService()
	logErr := func(what string, err error) {
		if err != nil {
			opts.Logger.Warn("tray: "+what, "err", err)
		}
	}
	ti = tray.New(tray.Actions{
		StartFocus: func(d time.Duration) {
			_, err := focus.Start(app.FocusRequest{Duration: d.String()})
			logErr("start focus", err)
		},
		StartUntilNextBatch: func() {
			_, err := focus.Start(app.FocusRequest{NextBatch: true})
			logErr("start focus", err)
		},
		StopFocus:  func() { _, err := focus.Stop(); logErr("stop focus", err) },
		ReleaseNow: func() { _, err := focus.ReleaseNow(); logErr("release", err) },
		Open: func() {
			withWindow(func(ctx context.Context) { runtime.WindowShow(ctx); runtime.WindowUnminimise(ctx) })
		},
		Quit: func() { withWindow(runtime.Quit) },
	})
	// Hiding to the tray is only safe when something shows the tray.
	trayUp := !bindingsBuild && tray.Available()
	if hidden && !trayUp {
		opts.Logger.Warn("no system tray found; starting with the window shown")
		hidden = false
	}
	if goruntime.GOOS == "darwin" && !bindingsBuild {
		ti.Start() // macOS: the tray's loop must be set up on the main thread first
	}
	// The store opens while GTK and WebKit start (OnStartup waits for it).
	// Under -tags bindings the Wails CLI runs this binary only to read the
	// bound methods: touch no store.
	var opened <-chan error
	var openErr error // guarded by mu
	if !bindingsBuild {
		opened = a.OpenAsync(ctx)
	}
	defer a.Close()
	stop := quitOnSignal(func() { withWindow(runtime.Quit) })
	defer stop()

	mode := app.ModeAccounts
	if opts.Demo {
		mode = app.ModeDemo
	}
	abs, _ := filepath.Abs(app.WorkspaceDir(mode, opts.Paths))
	sum := sha256.Sum256([]byte(abs))

	err := wails.Run(&options.App{
		Title:            "Lull",
		Width:            1200,
		Height:           780,
		MinWidth:         720,
		MinHeight:        480,
		AssetServer:      &assetserver.Options{Assets: assets, Middleware: devAssetMiddleware()},
		BackgroundColour: &options.RGBA{R: 250, G: 250, B: 248, A: 255},
		OnStartup: func(ctx context.Context) {
			mu.Lock()
			winCtx = ctx
			mu.Unlock()
			probeFirstPaint(ctx, opts.Logger)
			probeKeys(ctx)
			if opened != nil {
				if err := <-opened; err != nil {
					// As if the store had failed before the window: say why and exit.
					mu.Lock()
					openErr = err
					mu.Unlock()
					runtime.Quit(ctx)
					return
				}
			}
			if goruntime.GOOS != "darwin" {
				ti.Start()
			}
			a.Startup(ctx)
		},
		OnShutdown: func(ctx context.Context) {
			ti.Stop()
			a.Shutdown(ctx)
		},
		StartHidden:       hidden,
		HideWindowOnClose: trayUp,
		Bind:              a.Services(),
		// One window per data folder: a second launch raises the first.
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: "lull-" + hex.EncodeToString(sum[:8]),
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				withWindow(func(ctx context.Context) { runtime.WindowUnminimise(ctx); runtime.WindowShow(ctx) })
			},
		},
		// Lull draws text and rows: WebKit's CPU renderer paints them as fast
		// and spares the GPU process memory (about 95 MB of PSS in the web
		// process under Xvfb; see docs/BENCHMARKS.md).
		Linux: &linux.Options{ProgramName: "lull", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return openErr
}

// probeFirstPaint serves scripts/startup.sh, which times the production
// binary from launch to its first painted list. With LULL_STARTUP_PROBE set,
// the window prints the wall-clock time (Unix nanoseconds) at which the
// frontend reported that frame on screen ("lull: first list painted at N"),
// then the page's navigation start and DOMContentLoaded ("lull: page marks
// navigation N dcl N"), and with LULL_STARTUP_PROBE=quit it then quits.
func probeFirstPaint(ctx context.Context, log *slog.Logger) {
	probe := os.Getenv("LULL_STARTUP_PROBE")
	if probe == "" {
		return
	}
	runtime.EventsOnce(ctx, "window:painted", func(data ...any) {
		fmt.Fprintf(os.Stderr, "lull: first list painted at %d\n", time.Now().UnixNano())
		// The page's own marks (Unix ms): when WebKit started the page and
		// when its scripts had run.
		if len(data) > 0 {
			if m, ok := data[0].(map[string]any); ok {
				nav, _ := m["navigationStart"].(float64)
				dcl, _ := m["domContentLoaded"].(float64)
				fmt.Fprintf(os.Stderr, "lull: page marks navigation %d dcl %d\n", int64(nav*1e6), int64(dcl*1e6))
			}
		}
		if probe == "quit" {
			log.Info("startup probe: quitting after the first paint")
			runtime.Quit(ctx)
		}
	})
}

// probeKeys serves scripts/keys-webkit.sh, which times keys in the
// production window. With LULL_KEY_PROBE set, once the first list is
// painted the window asks the frontend for key times (lib/keyprobe.ts) and
// prints each as it comes ("lull: key "j" 12.345 ms (dom 2.000, frame
// 3.000)": the whole time, then when the DOM showed the new selection and
// when the frame that paints it began).
func probeKeys(ctx context.Context) {
	if os.Getenv("LULL_KEY_PROBE") == "" {
		return
	}
	runtime.EventsOnce(ctx, "window:painted", func(...any) {
		runtime.EventsEmit(ctx, "probe:keys", nil)
		fmt.Fprintln(os.Stderr, "lull: key probe on")
	})
	runtime.EventsOn(ctx, "window:key", func(data ...any) {
		if len(data) == 0 {
			return
		}
		m, _ := data[0].(map[string]any)
		key, _ := m["key"].(string)
		ms, _ := m["ms"].(float64)
		dom, _ := m["domMs"].(float64)
		raf, _ := m["rafMs"].(float64)
		fmt.Fprintf(os.Stderr, "lull: key %q %.3f ms (dom %.3f, frame %.3f)\n", key, ms, dom, raf)
	})
}
