// Command uiseed writes a Lull workspace of -n items (default 100,000) in
// steady state, as the app holds it after a sync: the Badger store (items,
// indexes, counters, the account's cursor) and the bleve search index caught
// up with it, so the app starts without syncing or indexing anything. It is
// the fixture of the UI benchmark (scripts/bench-ui.sh) and of memory
// measurements on a large inbox.
//
//	go run ./bench/uiseed -n 100000 -dir /tmp/lull-100k
//	build/bin/lull --data /tmp/lull-100k/data --config /tmp/lull-100k/config.toml
//
// ROOT/data is the data folder and ROOT/config.toml the config (the layout
// e2e/tests/harness.js starts the dev binary on). Email comes from the
// SpamAssassin ham corpus (bench/corpus), each copy its own message; Slack,
// GitHub and Asana items are generated in the shapes those connectors write.
// All items are in the Inbox, newest about a minute old, one every ten
// minutes before that. They belong to one account, "bench", of the sample
// workspace's connector (kind "demo"): it finds its cursor complete and,
// with interval = "1h", adds nothing while a benchmark runs, so the app
// sees no sync traffic and no connection errors.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/bench/corpus"
	"github.com/lullhq/lull/connectors"
	_ "github.com/lullhq/lull/connectors/demo" // the account's kind
	"github.com/lullhq/lull/search"
	"github.com/lullhq/lull/store"
)

// account is the one account the seeded items belong to.
const account = "bench"

// configText is ROOT/config.toml. The demo connector reads a cursor whose
// backfill is complete and then only adds one item per interval.
const configText = `# Written by bench/uiseed: the account that owns the seeded items. It is the
# sample workspace's connector, which finds its sync complete and adds one
# item an hour, so the app shows the seeded store in steady state.
[accounts.bench]
kind = "demo"
interval = "1h"
`

// Marker is ROOT/uiseed.json: what was seeded, so a script can reuse it.
type Marker struct {
	Items   int       `json:"items"`
	Created time.Time `json:"created"`
	Newest  time.Time `json:"newest"`
	Data    string    `json:"data"`
	Config  string    `json:"config"`
	// Format changes when the generated items change; a script reseeds
	// when it differs.
	Format int `json:"format"`
}

// markerFormat is Marker.Format of this version.
const markerFormat = 2

type options struct {
	n      int
	dir    string
	corpus string
	force  bool
	reuse  bool
	step   time.Duration
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "uiseed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("uiseed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 100000, "items to write")
	fs.StringVar(&o.dir, "dir", "", "workspace root to create: ROOT/data (data folder), ROOT/config.toml, ROOT/uiseed.json")
	fs.StringVar(&o.corpus, "corpus", corpus.DefaultDir, "SpamAssassin data folder (ham folders are read)")
	fs.BoolVar(&o.force, "force", false, "replace ROOT if it exists")
	fs.BoolVar(&o.reuse, "reuse", false, "keep ROOT if it holds -n items seeded by this version; replace it otherwise")
	fs.DurationVar(&o.step, "step", 10*time.Minute, "mean time between two items")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./bench/uiseed -n 100000 -dir ROOT\n\nthen: lull --data ROOT/data --config ROOT/config.toml\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.dir == "" || o.n <= 0 || o.step <= 0 || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-dir is required; -n and -step must be positive")
	}
	root, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if o.reuse && seeded(root, o.n) {
		fmt.Fprintf(stdout, "reusing %d items in %s\n", o.n, root)
		return nil
	}
	if _, err := os.Stat(root); err == nil {
		if !o.force && !o.reuse {
			return fmt.Errorf("%s exists (use -force to replace it)", root)
		}
		if err := os.RemoveAll(root); err != nil {
			return err
		}
	}
	m := Marker{Items: o.n, Created: time.Now().UTC(), Data: filepath.Join(root, "data"),
		Config: filepath.Join(root, "config.toml"), Format: markerFormat}
	m.Newest = m.Created.Add(-time.Minute)
	if err := os.MkdirAll(m.Data, 0o700); err != nil {
		return err
	}
	if err := writeConfig(m.Config); err != nil {
		return err
	}

	start := time.Now()
	msgs, err := corpus.Load(o.corpus)
	if err != nil {
		return err
	}
	g := &generator{account: account, emails: parseTemplates(msgs), newest: m.Newest, step: o.step, n: o.n}
	fmt.Fprintf(stderr, "uiseed: parsed %d ham messages in %.1fs\n", len(msgs), time.Since(start).Seconds())

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(ctx, store.Options{Dir: m.Data, Logger: log, GCInterval: -1})
	if err != nil {
		return err
	}
	defer st.Close()
	start = time.Now()
	if err := fill(ctx, st, g, m.Newest); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "uiseed: wrote %d items to the store in %.1fs\n", o.n, time.Since(start).Seconds())
	// The items come from this version's parsers: the one-time repairs of
	// older stores have nothing to do, and marking them run keeps the app
	// from reading all n items for them in the middle of a benchmark.
	start = time.Now()
	if _, err := app.Repair(ctx, st, log); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "uiseed: ran the store's one-time repairs in %.1fs\n", time.Since(start).Seconds())

	start = time.Now()
	x, err := search.Open(ctx, st, m.Data, search.Options{Logger: log})
	if err != nil {
		return err
	}
	if err := x.CatchUp(ctx); err != nil {
		x.Close()
		return err
	}
	if err := x.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "uiseed: built the search index in %.1fs\n", time.Since(start).Seconds())
	if err := st.Close(); err != nil {
		return err
	}
	raw, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(root, "uiseed.json"), append(raw, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d items in %s\nrun: lull --data %s --config %s\n", o.n, root, m.Data, m.Config)
	return nil
}

// seeded reports whether root holds a complete workspace of n items
// written by this version: its marker is written last.
func seeded(root string, n int) bool {
	raw, err := os.ReadFile(filepath.Join(root, "uiseed.json"))
	if err != nil {
		return false
	}
	var m Marker
	if json.Unmarshal(raw, &m) != nil || m.Items != n || m.Format != markerFormat {
		return false
	}
	_, err = os.Stat(filepath.Join(root, "config.toml"))
	return err == nil
}

// writeConfig writes config.toml and checks that the app will accept it.
func writeConfig(path string) error {
	if err := os.WriteFile(path, []byte(configText), 0o600); err != nil {
		return err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	a := cfg.Accounts[account]
	_, err = connectors.Default.New(connectors.Account{Name: account, Kind: a.Kind, Settings: a.Settings})
	return err
}

// fill writes the items in store-sized batches, newest first as a
// newest-first initial sync does, and the account's cursor with the last.
// Items are made on every core while the previous batch commits.
func fill(ctx context.Context, st *store.Store, g *generator, newest time.Time) error {
	batches := make(chan []inbox.Item, 2)
	var genErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(batches)
		for lo := 0; lo < g.n; lo += store.MaxBatchItems {
			hi := min(lo+store.MaxBatchItems, g.n)
			b := make([]inbox.Item, hi-lo)
			var inner sync.WaitGroup
			workers := runtime.GOMAXPROCS(0)
			for w := range workers {
				inner.Go(func() {
					for i := lo + w; i < hi; i += workers {
						b[i-lo] = g.item(i)
					}
				})
			}
			inner.Wait()
			select {
			case batches <- b:
			case <-ctx.Done():
				genErr = ctx.Err()
				return
			}
		}
	})
	defer wg.Wait()
	// The sample connector's cursor, backfill complete: it resumes with
	// live items only.
	cursor, _ := json.Marshal(map[string]any{"base": newest.Unix(), "backfilled": true, "seq": 0})
	written := 0
	for b := range batches {
		written += len(b)
		batch := store.Batch{Account: account, Upserts: b}
		if written == g.n {
			batch.Cursor = cursor
		}
		if _, err := st.Apply(ctx, batch); err != nil {
			for range batches {
			}
			return err
		}
	}
	wg.Wait()
	return genErr
}
