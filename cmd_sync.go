package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/engine"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/store"
)

// runSync is `lull sync --once`: sync every configured account until each
// has caught up (or failed), print what the store holds, and exit.
func runSync(ctx context.Context, opts app.Options, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("once", false, "sync once and exit")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*once {
		return errors.New("sync: only `lull sync --once` is supported; the window keeps accounts in sync")
	}
	accounts, dir := syncAccounts(opts)
	if len(accounts) == 0 {
		return fmt.Errorf("sync: no accounts configured in %s (or use --demo)", opts.Paths.Config)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	st, err := store.Open(ctx, store.Options{Dir: dir, Logger: opts.Logger})
	if err != nil {
		return err
	}
	defer st.Close()

	statuses := make(chan []engine.AccountStatus, 64)
	eng := engine.New(engine.Options{
		Store: st, Registry: connectors.Default, Logger: opts.Logger,
		OnStatus: func(s []engine.AccountStatus) {
			select {
			case statuses <- s:
			default: // the printer is behind; a later status supersedes this one
			}
		},
	})
	start := time.Now()
	eng.Start(ctx, accounts)
	defer eng.Stop()

	last := map[string]string{}
	for {
		var snapshot []engine.AccountStatus
		select {
		case <-ctx.Done():
			return fmt.Errorf("sync: %w", ctx.Err())
		case snapshot = <-statuses:
		case <-time.After(time.Second):
			snapshot = eng.Statuses()
		}
		settled := len(snapshot) == len(accounts)
		var failed []string
		for _, s := range snapshot {
			line := describeStatus(s)
			if last[s.Name] != line {
				fmt.Fprintf(stderr, "%s: %s\n", s.Name, line)
				last[s.Name] = line
			}
			switch s.State {
			case engine.StateIdle:
			case engine.StateError:
				failed = append(failed, fmt.Sprintf("%s: %s", s.Name, s.Error))
			default:
				settled = false
			}
		}
		if !settled {
			continue
		}
		eng.Stop()
		for _, a := range accounts {
			n, err := st.AccountItemCount(ctx, a.Name)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s\t%d items\n", a.Name, n)
		}
		counts, err := st.Counts(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "total\t%d in inbox, %d done\t%s\n", counts[inbox.StateInbox], counts[inbox.StateDone], time.Since(start).Round(time.Millisecond))
		if len(failed) > 0 {
			return fmt.Errorf("sync: %s", strings.Join(failed, "; "))
		}
		return nil
	}
}

func syncAccounts(opts app.Options) ([]connectors.Account, string) {
	mode := app.ModeAccounts
	if opts.Demo {
		mode = app.ModeDemo
	}
	// The sample workspace's live trickle never ends; sync --once stops
	// after its backfill, so the interval only matters to the window.
	return app.ConnectorAccounts(mode, opts.Config, 0), app.WorkspaceDir(mode, opts.Paths)
}

func describeStatus(s engine.AccountStatus) string {
	switch s.State {
	case engine.StateError:
		return "error: " + s.Error
	case engine.StateSyncing:
		if s.Progress.Total > 0 {
			return fmt.Sprintf("syncing %s %d/%d", s.Progress.Phase, s.Progress.Done, s.Progress.Total)
		}
		return "syncing"
	}
	return string(s.State)
}
