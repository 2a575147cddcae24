package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/lullhq/lull/app"
)

// runWindow opens the store, then runs the desktop window until it closes.
func runWindow(ctx context.Context, opts app.Options) error {
	a := app.New(opts)
	if !bindingsBuild {
		// Under -tags bindings the Wails CLI runs this binary only to read
		// the bound methods: touch no store.
		if err := a.Open(ctx); err != nil {
			return err
		}
	}
	defer a.Close()

	var (
		mu     sync.Mutex
		winCtx context.Context
	)
	stop := quitOnSignal(func() {
		mu.Lock()
		defer mu.Unlock()
		if winCtx != nil {
			runtime.Quit(winCtx)
		}
	})
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
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 250, G: 250, B: 248, A: 255},
		OnStartup: func(ctx context.Context) {
			mu.Lock()
			winCtx = ctx
			mu.Unlock()
			a.Startup(ctx)
		},
		OnShutdown: a.Shutdown,
		Bind:       a.Services(),
		// One window per data folder: a second launch raises the first.
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: "lull-" + hex.EncodeToString(sum[:8]),
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				mu.Lock()
				defer mu.Unlock()
				if winCtx != nil {
					runtime.WindowUnminimise(winCtx)
					runtime.Show(winCtx)
				}
			},
		},
		Linux: &linux.Options{ProgramName: "lull"},
	})
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	return nil
}
