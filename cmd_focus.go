package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/control"
	"github.com/lullhq/lull/store"
)

// runFocus is `lull focus start [DURATION | --until HH:MM] | stop | status [--json]`
// and, with sub == "release", `lull release`. It asks the running app over
// local IPC; with no app running it acts on the store directly.
func runFocus(ctx context.Context, opts app.Options, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("focus: say start, stop or status (see lull --help)")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("focus "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	until := fs.String("until", "", "focus until this local time (HH:MM)")
	asJSON := fs.Bool("json", false, "print status as JSON")
	nextBatch := fs.Bool("next-batch", false, "focus until the next batch time")
	// Accept `start 50m --until x` and `start --until x` alike.
	var positional []string
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			positional = append(positional, rest[0])
			rest = rest[1:]
		}
	}

	var cmd string
	var cmdArgs any
	switch sub {
	case "start":
		a := control.FocusStartArgs{Until: *until}
		if len(positional) > 1 {
			return fmt.Errorf("focus start: one duration, not %q", strings.Join(positional, " "))
		}
		if len(positional) == 1 {
			if *until != "" {
				return errors.New("focus start: give a duration or --until, not both")
			}
			if _, err := time.ParseDuration(positional[0]); err != nil {
				return fmt.Errorf("focus start: %q is not a duration (try 25m, 50m, 1h30m)", positional[0])
			}
			a.Duration = positional[0]
		}
		if *nextBatch && (a.Duration != "" || a.Until != "") {
			return errors.New("focus start: --next-batch takes no duration or --until")
		}
		a.NextBatch = *nextBatch
		cmd, cmdArgs = control.CmdFocusStart, a
	case "stop":
		cmd = control.CmdFocusStop
	case "status":
		cmd = control.CmdFocusStatus
	case "release":
		cmd = control.CmdRelease
	default:
		return fmt.Errorf("focus: unknown command %q (start, stop, status)", sub)
	}
	if len(positional) > 0 && sub != "start" {
		return fmt.Errorf("focus %s: unexpected %q", sub, positional[0])
	}

	dir := app.WorkspaceDir(modeOf(opts), opts.Paths)
	ask := func() error {
		client, err := control.Dial(ctx, dir)
		if err != nil {
			return err
		}
		defer client.Close()
		var result json.RawMessage
		if err := client.Call(ctx, cmd, cmdArgs, &result); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		return printFocusResult(stdout, cmd, result, *asJSON)
	}
	err := ask()
	if !errors.Is(err, control.ErrNoApp) {
		return err
	}
	// No app answers: act on the store ourselves.
	err = runFocusOnStore(ctx, opts, func(f *app.Focus) (any, error) {
		var a control.FocusStartArgs
		if cmdArgs != nil {
			a = cmdArgs.(control.FocusStartArgs)
		}
		raw, _ := json.Marshal(a)
		return app.HandleControl(ctx, f, cmd, raw)
	}, stdout, *asJSON)
	if !errors.Is(err, store.ErrLocked) {
		return err
	}
	// The store is held by an app that is still starting: ask it once it listens.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ask()
		if !errors.Is(err, control.ErrNoApp) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func modeOf(opts app.Options) app.Mode {
	if opts.Demo {
		return app.ModeDemo
	}
	return app.ModeAccounts
}

// runFocusOnStore opens the workspace without a window, runs do and prints.
func runFocusOnStore(ctx context.Context, opts app.Options, do func(*app.Focus) (any, error), stdout io.Writer, asJSON bool) error {
	opts.NoControl = true
	a := app.New(opts)
	if err := a.Open(ctx); err != nil {
		return err
	}
	defer a.Close()
	res, err := do(a.FocusService())
	if err != nil {
		return err
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return printFocusResult(stdout, "", raw, asJSON)
}

func printFocusResult(w io.Writer, cmd string, raw json.RawMessage, asJSON bool) error {
	if asJSON {
		_, err := fmt.Fprintf(w, "%s\n", raw)
		return err
	}
	var st app.FocusStatus
	if err := json.Unmarshal(raw, &st); err == nil && st.Line != "" {
		_, err := fmt.Fprintln(w, st.Line)
		return err
	}
	var rel struct {
		Released *int `json:"released"`
	}
	if err := json.Unmarshal(raw, &rel); err == nil && rel.Released != nil {
		_, err := fmt.Fprintf(w, "released %d held items\n", *rel.Released)
		return err
	}
	_, err := fmt.Fprintf(w, "%s\n", raw)
	return err
}
