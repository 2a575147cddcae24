package main

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/lullhq/lull/app/egloff"
	"github.com/lullhq/lull/app/memtrim"
)

// windowMemoryLimit is the soft limit on the Go side of the window process.
//
// Lull's live heap is a few tens of MB (Badger's memtable and caches, the
// search index's working set, a page of the list), but with the default
// GOGC the heap may grow to twice that before a collection, and the pages
// a start-up burst touched stay resident long after. The window is a
// long-running desktop process that shares the machine with a browser
// engine, so it trades a little GC work for memory: the runtime collects
// sooner as the total nears this limit and returns freed pages to the OS.
// It is a soft limit: a heap that needs more (a big first sync) still gets
// it, at the price of more frequent collections while it lasts. scripts/pss.sh
// measures the effect (docs/BENCHMARKS.md).
const windowMemoryLimit = 64 << 20

// limitWindowMemory applies windowMemoryLimit unless the user chose a limit
// with GOMEMLIMIT. The command-line tools keep the runtime's defaults.
func limitWindowMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(windowMemoryLimit)
	}
}

// skipUnusedGL turns off GTK's OpenGL support in the window process on
// Linux, unless the user set GDK_GL. Lull's web view paints without the GPU
// (WebviewGpuPolicyNever in window.go), so nothing in the window draws with
// GL, yet GDK probes GLX when it opens the display: that loads the Mesa
// driver and its LLVM, about 80 ms of gtk_init and 2 MB of memory on a
// machine without a GPU (docs/BENCHMARKS.md). WebKit still opens its own
// EGL display; only GDK's probe is skipped. It must run before wails.Run
// starts GTK.
func skipUnusedGL() {
	if runtime.GOOS == "linux" && os.Getenv("GDK_GL") == "" {
		os.Setenv("GDK_GL", "disable")
	}
}

// skipUnusedEGL keeps Lull's own process from loading an EGL driver on an
// X11 desktop (egloff). WebKitGTK opens an EGL display in the UI process
// as it makes the web view, even with the GPU off, and on Linux that loads
// Mesa and LLVM: about 20 MB of private memory and tens of milliseconds of
// start-up CPU, for nothing, since the window paints in software
// (docs/BENCHMARKS.md). The web process, a child, still gets its EGL. It
// runs only where skipUnusedGL turned GDK's GL off (the user did not choose
// GDK_GL), and only on X11, where it is tested; on Wayland GTK's own drawing
// may use EGL. It must run before wails.Run starts GTK, and before any C
// thread.
func skipUnusedEGL(log *slog.Logger) {
	if runtime.GOOS != "linux" || os.Getenv("GDK_GL") != "disable" || !x11Session(os.Getenv) {
		return
	}
	if !egloff.Disable() {
		log.Debug("window: EGL left on in the UI process (already in use, chosen by the user, or no libglvnd)")
	}
}

// x11Session reports whether GTK will draw on X11: what the environment
// asks for, with Wails' rule when it asks nothing (GDK_BACKEND=x11 unless
// the session says it is not X11).
func x11Session(getenv func(string) string) bool {
	switch backend := getenv("GDK_BACKEND"); backend {
	case "x11":
		return true
	case "":
		switch getenv("XDG_SESSION_TYPE") {
		case "", "unspecified", "x11":
			return true
		}
	}
	return false
}

// trimWhenIdle returns the Go heap's spare pages to the OS each time the
// window process goes quiet after a burst of work (start-up, a sync, a
// search index merge), until ctx is done. Between bursts the heap then holds
// about its live size instead of the collector's goal, twice that
// (docs/BENCHMARKS.md, Memory). Run it in its own goroutine.
func trimWhenIdle(ctx context.Context, log *slog.Logger) {
	memtrim.New(memtrim.DefaultPolicy).Run(ctx, func(before, after memtrim.Sample) {
		log.Debug("memory: gave the heap's spare pages back", "before_kb", before.Spare>>10, "after_kb", after.Spare>>10)
	})
}
