// Command lull is the Lull desktop app and its command line. This file only
// parses the command line and wires wails.Run; the work lives in app/.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/config"
	_ "github.com/lullhq/lull/connectors/demo"    // registers kind "demo"
	_ "github.com/lullhq/lull/connectors/imap"    // registers kind "imap"
	_ "github.com/lullhq/lull/connectors/maildir" // registers kind "maildir"
	_ "github.com/lullhq/lull/connectors/slack"   // registers kind "slack"
)

//go:embed all:frontend/dist
var assets embed.FS

const usage = `Lull — a focus-protecting inbox for email, Slack and task comments.

Usage:
  lull [flags]                 open the desktop window (a second launch raises it)
  lull --demo                  open the sample workspace, in its own data folder
  lull sync --once             sync every configured account once, print counts, exit
  lull focus start [50m | --until 12:00 | --next-batch]
  lull focus stop | status [--json]
  lull release                 release held items now, as one digest
  lull search [--json] [--limit N] QUERY   search the local inbox (from: source: in: is: before: after: "phrases")
  lull auth login|password|token|logout ACCOUNT   OAuth sign-in, or a secret into the OS keychain
  (focus and release reach the running app; with none running they act on the store)

Flags (before the command):
  --config FILE   config file (env LULL_CONFIG; default %s)
  --data DIR      data folder (env LULL_DATA; default %s)
  --demo          use the sample workspace (its data lives in DIR-demo)
  --hidden        start in the system tray (for autostart at login)
  --help          show this help

Keys in the window: press ? to list them.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "lull:", err)
		os.Exit(1)
	}
}

// globalFlags are the flags every command shares.
type globalFlags struct {
	config, data string
	demo, hidden bool
}

func parseGlobal(args []string, stdout, stderr io.Writer) (globalFlags, []string, error) {
	var g globalFlags
	fs := flag.NewFlagSet("lull", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&g.config, "config", "", "config file")
	fs.StringVar(&g.data, "data", "", "data folder")
	fs.BoolVar(&g.demo, "demo", false, "sample workspace")
	fs.BoolVar(&g.hidden, "hidden", false, "start in the tray")
	registerDevFlags(fs)
	fs.Usage = func() {
		def := config.ResolvePaths(config.OSEnv(), "", "")
		fmt.Fprintf(stdout, usage, def.Config, def.Data)
	}
	if err := fs.Parse(args); err != nil {
		return g, nil, err
	}
	return g, fs.Args(), nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	g, rest, err := parseGlobal(args, stdout, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	paths := config.ResolvePaths(config.OSEnv(), g.config, g.data)
	cfg, err := config.Load(paths.Config)
	if err != nil {
		return err
	}
	opts := app.Options{
		Paths: paths, Config: cfg, Logger: logger, Demo: g.demo,
		DemoInterval: envDuration("LULL_DEMO_INTERVAL", 6*time.Second),
	}
	if len(rest) == 0 {
		return runWindow(ctx, opts, g.hidden)
	}
	switch rest[0] {
	case "sync":
		return runSync(ctx, opts, rest[1:], stdout, stderr)
	case "auth":
		return runAuth(ctx, opts, rest[1:], stdout, stderr)
	case "focus":
		return runFocus(ctx, opts, rest[1:], stdout, stderr)
	case "search":
		return runSearch(ctx, opts, rest[1:], stdout, stderr)
	case "release":
		return runFocus(ctx, opts, []string{"release"}, stdout, stderr)
	case "help":
		fmt.Fprintf(stdout, usage, paths.Config, paths.Data)
		return nil
	}
	return fmt.Errorf("unknown command %q (see lull --help)", rest[0])
}

// envDuration reads a duration from the environment; it exists so tests can
// make the sample workspace deliver faster or slower.
func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return def
}

// quitOnSignal ends the app cleanly on SIGINT/SIGTERM so the store closes.
func quitOnSignal(quit func()) func() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			quit()
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}
