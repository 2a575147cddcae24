// Command search benchmarks Lull's full-text search against notmuch on the
// same messages, in one invocation.
//
// It cycles the SpamAssassin ham corpus (never the spam folders) to -n
// messages, each with its own Message-ID, and writes them as one Maildir.
// notmuch indexes the Maildir (`notmuch new`, with a private
// NOTMUCH_CONFIG); Lull parses the same files into its Badger store, as the
// maildir connector does, and builds its bleve index from the store. Then
// the same queries run against both: Lull's in-process from Go (the path
// the window's / view takes), notmuch as `notmuch search` processes (the
// way notmuch is used). It prints build times, per-query and overall p50
// and p95, and the ratios.
//
//	go run ./bench/search -n 100000 -tmpdir /dev/shm
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
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/bench/corpus"
	"github.com/lullhq/lull/connectors/mailparse"
	"github.com/lullhq/lull/search"
	"github.com/lullhq/lull/store"
)

// queries run against both engines: words common and rare in the corpus,
// two-word ANDs, phrases, senders by address and by name. Each is written
// in the syntax both accept.
var queries = []string{
	"linux",
	"python",
	"razor",
	"spamassassin",
	"exmh",
	"kernel",
	"perl",
	"debian",
	"microsoft",
	"guinness",
	"ipv6",
	"linux kernel",
	"python perl",
	`"mailing list"`,
	`"open source"`,
	`"red hat"`,
	`"free software"`,
	"from:tim.one@comcast.net",
	"from:pudge@perl.org",
	"from:rssfeeds@spamassassin.taint.org",
	`from:"Justin Mason"`,
	"from:garym",
	"from:pudge@perl.org perl",
	"subject:razor",
}

type config struct {
	corpus      string
	n           int
	tmpdir      string
	runs        int
	notmuchRuns int
	limit       int
	keep        bool
	jsonOut     string
	notmuch     string
	lullOnly    bool
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench/search:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("bench/search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.corpus, "corpus", corpus.DefaultDir, "SpamAssassin data folder (ham folders are read)")
	fs.IntVar(&c.n, "n", 100000, "messages in the Maildir")
	fs.StringVar(&c.tmpdir, "tmpdir", "", "where to build the Maildir and both indexes (default the system temp folder)")
	fs.IntVar(&c.runs, "runs", 20, "timed runs of each query for Lull")
	fs.IntVar(&c.notmuchRuns, "notmuch-runs", 5, "timed runs of each query for notmuch")
	fs.IntVar(&c.limit, "limit", 50, "results per query, for both")
	fs.BoolVar(&c.keep, "keep", false, "keep the temp folder")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&c.notmuch, "notmuch", "notmuch", "the notmuch binary")
	fs.BoolVar(&c.lullOnly, "lull-only", false, "skip notmuch (no ratio): for profiling Lull alone")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.n <= 0 || c.runs <= 0 || c.notmuchRuns <= 0 || c.limit <= 0 {
		return errors.New("-n, -runs, -notmuch-runs and -limit must be positive")
	}
	if _, err := exec.LookPath(c.notmuch); err != nil && !c.lullOnly {
		return fmt.Errorf("notmuch not found (apt-get install notmuch): %w", err)
	}
	root, err := os.MkdirTemp(c.tmpdir, "lull-bench-search-")
	if err != nil {
		return err
	}
	if c.keep {
		fmt.Fprintln(stderr, "keeping", root)
	} else {
		defer os.RemoveAll(root)
	}

	msgs, err := corpus.Load(c.corpus)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "writing %d messages (cycled from %d ham messages) to a Maildir…\n", c.n, len(msgs))
	maildir := filepath.Join(root, "mail")
	files, bytesWritten, err := writeMaildir(maildir, msgs, c.n)
	if err != nil {
		return err
	}

	rep := report{Messages: c.n, CorpusMessages: len(msgs), MaildirBytes: bytesWritten, Limit: c.limit,
		LullRuns: c.runs, NotmuchRuns: c.notmuchRuns, CPUs: runtime.NumCPU()}

	// notmuch builds its index.
	nm := notmuchEnv{bin: c.notmuch, config: filepath.Join(root, "notmuch-config"), maildir: maildir}
	if err := nm.writeConfig(); err != nil {
		return err
	}
	if !c.lullOnly {
		fmt.Fprintln(stderr, "notmuch new…")
		start := time.Now()
		if out, err := nm.cmd(ctx, "new", "--quiet").CombinedOutput(); err != nil {
			return fmt.Errorf("notmuch new: %w: %s", err, out)
		}
		rep.NotmuchNewSec = time.Since(start).Seconds()
		rep.NotmuchIndexBytes = dirSize(filepath.Join(maildir, ".notmuch"))
	}

	// Lull parses the same files into its store, then builds its index.
	lullDir := filepath.Join(root, "lull")
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(ctx, store.Options{Dir: lullDir, Logger: log, GCInterval: -1})
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stderr, "lull: parsing into the store…")
	start := time.Now()
	if err := ingest(ctx, st, files); err != nil {
		return err
	}
	rep.LullIngestSec = time.Since(start).Seconds()
	fmt.Fprintln(stderr, "lull: building the search index…")
	start = time.Now()
	x, err := search.Open(ctx, st, lullDir, search.Options{Logger: log})
	if err != nil {
		return err
	}
	if err := x.CatchUp(ctx); err != nil {
		return err
	}
	rep.LullIndexSec = time.Since(start).Seconds()
	if err := x.Close(); err != nil {
		return err
	}
	rep.LullIndexBytes = dirSize(filepath.Join(lullDir, search.DirName))
	rep.LullStoreBytes = dirSize(lullDir) - rep.LullIndexBytes

	// Start-up cost when nothing changed: open and a no-op catch-up.
	start = time.Now()
	if x, err = search.Open(ctx, st, lullDir, search.Options{Logger: log}); err != nil {
		return err
	}
	if err := x.CatchUp(ctx); err != nil {
		return err
	}
	rep.LullReopenMS = ms(time.Since(start))
	defer x.Close()

	fmt.Fprintln(stderr, "running queries…")
	for _, q := range queries {
		qr := queryReport{Query: q}
		res, err := x.Run(ctx, q, c.limit) // warm-up; also the match count
		if err != nil {
			return fmt.Errorf("lull %s: %w", q, err)
		}
		qr.LullTotal = res.Total
		for range c.runs {
			start := time.Now()
			if _, err := x.Run(ctx, q, c.limit); err != nil {
				return fmt.Errorf("lull %s: %w", q, err)
			}
			qr.lull = append(qr.lull, time.Since(start))
		}
		if c.lullOnly {
			qr.summarize()
			rep.Queries = append(rep.Queries, qr)
			continue
		}
		if qr.NotmuchTotal, err = nm.count(ctx, q); err != nil {
			return err
		}
		for _, output := range []string{"messages", "threads"} {
			args := []string{"search", "--output=" + output, "--limit=" + fmt.Sprint(c.limit), q}
			if out, err := nm.cmd(ctx, args...).CombinedOutput(); err != nil { // warm-up
				return fmt.Errorf("notmuch search %s: %w: %s", q, err, out)
			}
			for range c.notmuchRuns {
				start := time.Now()
				if out, err := nm.cmd(ctx, args...).CombinedOutput(); err != nil {
					return fmt.Errorf("notmuch search %s: %w: %s", q, err, out)
				}
				d := time.Since(start)
				if output == "messages" {
					qr.nmMessages = append(qr.nmMessages, d)
				} else {
					qr.nmThreads = append(qr.nmThreads, d)
				}
			}
		}
		qr.summarize()
		rep.Queries = append(rep.Queries, qr)
	}
	rep.summarize()
	rep.print(stdout)
	if c.jsonOut != "" {
		raw, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.jsonOut, raw, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeMaildir writes n messages into dir/cur, cycling msgs, each with a
// unique Message-ID and the seen flag, and returns the file paths.
func writeMaildir(dir string, msgs [][]byte, n int) ([]string, int64, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, 0, err
		}
	}
	files := make([]string, n)
	var total int64
	for i := range n {
		msg := corpus.WithMessageID(corpus.StripMboxFrom(msgs[i%len(msgs)]), fmt.Sprintf("<bench-%d@lull.invalid>", i))
		files[i] = filepath.Join(dir, "cur", fmt.Sprintf("1700000000.B%07d.bench:2,S", i))
		if err := os.WriteFile(files[i], msg, 0o600); err != nil {
			return nil, 0, err
		}
		total += int64(len(msg))
	}
	return files, total, nil
}

// ingest parses files in parallel, as the maildir connector does, and
// writes them to the store in batches of store.MaxBatchItems.
func ingest(ctx context.Context, st *store.Store, files []string) error {
	items := make([]inbox.Item, len(files))
	var wg sync.WaitGroup
	errs := make([]error, runtime.GOMAXPROCS(0))
	for w := range errs {
		wg.Go(func() {
			for i := w; i < len(files); i += len(errs) {
				f, err := os.Open(files[i])
				if err != nil {
					errs[w] = err
					return
				}
				m, _ := mailparse.Parse(f, mailparse.Limits{}) // a partly parsed message is kept, as the connector does
				f.Close()
				it := m.Item("bench", "INBOX/"+filepath.Base(files[i]))
				if it.Received.IsZero() || it.Received.Year() < 1980 {
					it.Received = time.Unix(1700000000, 0)
				}
				items[i] = it
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for chunk := range slices.Chunk(items, store.MaxBatchItems) {
		if _, err := st.Apply(ctx, store.Batch{Account: "bench", Upserts: chunk}); err != nil {
			return err
		}
	}
	return nil
}

type notmuchEnv struct{ bin, config, maildir string }

func (n notmuchEnv) writeConfig() error {
	cfg := fmt.Sprintf(`[database]
path=%s
[user]
name=Bench
primary_email=bench@lull.invalid
[new]
tags=inbox;
ignore=
[search]
exclude_tags=
[maildir]
synchronize_flags=false
`, n.maildir)
	return os.WriteFile(n.config, []byte(cfg), 0o600)
}

func (n notmuchEnv) cmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, n.bin, args...)
	cmd.Env = append(os.Environ(), "NOTMUCH_CONFIG="+n.config)
	return cmd
}

func (n notmuchEnv) count(ctx context.Context, q string) (int, error) {
	out, err := n.cmd(ctx, "count", "--output=messages", q).Output()
	if err != nil {
		return 0, fmt.Errorf("notmuch count %s: %w", q, err)
	}
	var c int
	_, err = fmt.Sscan(strings.TrimSpace(string(out)), &c)
	return c, err
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
