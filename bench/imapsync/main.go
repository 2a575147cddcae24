// Command imapsync times Lull's initial IMAP sync against mbsync, the speed
// peer, on a private Dovecot seeded with real ham from the SpamAssassin
// corpus. Runs alternate (lull, mbsync, lull, ...) so both see the same
// machine state; each starts from an empty data folder or Maildir.
//
//	go run ./bench/imapsync -lull build/bin/lull -n 20000 -runs 3
//
// It exits 2 on setup errors, 1 when a client fails or Lull ends with the
// wrong number of items, and 0 otherwise, whether or not the speed goal is
// met.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/lullhq/lull/bench/corpus"
	"github.com/lullhq/lull/connectors/imap/dovecottest"
)

type options struct {
	lull, mbsync, corpus, jsonPath, tmpdir string
	n, runs, warmup                        int
	timeout                                time.Duration
	keepMboxFrom, mbsyncFsync              bool
	keep                                   bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("imapsync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.lull, "lull", "build/bin/lull", "the lull binary")
	fs.StringVar(&o.mbsync, "mbsync", "mbsync", "the mbsync binary (isync)")
	fs.StringVar(&o.corpus, "corpus", corpus.DefaultDir, "SpamAssassin data folder (its ham folders are read), or one folder of messages")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.IntVar(&o.n, "n", 20000, "messages in INBOX")
	fs.IntVar(&o.runs, "runs", 3, "timed runs of each client")
	fs.IntVar(&o.warmup, "warmup", 1, "untimed runs of each client first, so neither pays for Dovecot indexing the seeded Maildir")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "limit for one client run")
	fs.BoolVar(&o.keepMboxFrom, "keep-mbox-from", false, "keep the corpus's leading mbox \"From \" line in each message")
	fs.BoolVar(&o.mbsyncFsync, "mbsync-fsync", false, "let mbsync fsync every message (its default; off here because Lull's store does not fsync per message either)")
	fs.StringVar(&o.tmpdir, "tmpdir", os.TempDir(), "where the server's Maildir, lull's data and mbsync's Maildir go (e.g. /dev/shm to leave the disk out)")
	fs.BoolVar(&o.keep, "keep", false, "keep the scratch folder (server, config) for inspection")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.n <= 0 || o.runs <= 0 || o.warmup < 0 {
		return o, errors.New("-n and -runs must be positive, -warmup not negative")
	}
	return o, nil
}

// clientStats collects one client's timed runs.
type clientStats struct {
	Name    string    `json:"name"`
	Version string    `json:"version,omitempty"`
	Wall    []float64 `json:"wall_seconds"`
	MaxRSS  []int64   `json:"max_rss_kib"`
	// RSSSampled counts runs whose peak RSS was sampled from /proc
	// because ru_maxrss was masked by this program's own size.
	RSSSampled int           `json:"rss_sampled_runs,omitempty"`
	Items      []int         `json:"items"`
	Error      string        `json:"error,omitempty"`
	median     time.Duration // of Wall
}

type report struct {
	Messages int          `json:"messages"`
	Runs     int          `json:"runs"`
	Warmup   int          `json:"warmup_runs"`
	Corpus   int          `json:"corpus_messages"`
	SeedSecs float64      `json:"seed_seconds"`
	Lull     *clientStats `json:"lull"`
	Mbsync   *clientStats `json:"mbsync"`
	Ratio    float64      `json:"ratio_lull_mbsync,omitempty"`
	Goal     float64      `json:"goal_ratio"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "imapsync:", err)
		return 2
	}
	rep, err := bench(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "imapsync: setup:", err)
		return 2
	}
	printReport(stdout, rep)
	if o.jsonPath != "" {
		data, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonPath, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "imapsync:", err)
			return 2
		}
	}
	if rep.Lull.Error != "" || rep.Mbsync.Error != "" {
		return 1
	}
	return 0
}

// bench sets up the server and runs both clients. An error is a setup
// error; client failures are recorded in the report.
func bench(ctx context.Context, o options, logw io.Writer) (*report, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(logw, format+"\n", a...) }
	rep := &report{Messages: o.n, Runs: o.runs, Warmup: o.warmup, Goal: 1.0,
		Lull: &clientStats{Name: "lull"}, Mbsync: &clientStats{Name: "mbsync"}}

	ham, err := corpus.Load(o.corpus)
	if err != nil {
		return nil, err
	}
	rep.Corpus = len(ham)

	scratch, err := os.MkdirTemp(o.tmpdir, "lull-bench-imap-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		logf("scratch folder kept: %s", scratch)
	} else {
		defer os.RemoveAll(scratch)
	}
	// Dovecot's mail processes run unprivileged and must reach the Maildir.
	if err := os.Chmod(scratch, 0o711); err != nil {
		return nil, err
	}
	srv, err := dovecottest.Start(ctx, dovecottest.Options{Dir: filepath.Join(scratch, "dovecot")})
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	logf("dovecot on %s, log %s", srv.Addr(), srv.LogPath)

	start := time.Now()
	id := func(i int) string { return fmt.Sprintf("<bench-%06d@imapsync.lull.invalid>", i) }
	err = corpus.Cycle(ham, o.n, 1000, o.keepMboxFrom, id, func(batch [][]byte) error {
		return srv.Seed("INBOX", batch)
	})
	if err != nil {
		return nil, err
	}
	rep.SeedSecs = time.Since(start).Seconds()
	logf("seeded %d messages (cycling %d ham) in %.2fs", o.n, rep.Corpus, rep.SeedSecs)
	start = time.Now()
	if err := checkInbox(ctx, srv, o.n); err != nil {
		return nil, err
	}
	logf("dovecot indexed INBOX in %.2fs", time.Since(start).Seconds())

	mb, err := newMbsyncRunner(ctx, o.mbsync, scratch, srv, o.mbsyncFsync)
	if err != nil {
		return nil, err
	}
	rep.Mbsync.Version = mb.version
	lr, err := newLullRunner(o.lull, scratch, srv)
	if err != nil {
		return nil, err
	}
	lullOK := true
	if _, err := os.Stat(lr.bin); err != nil {
		rep.Lull.Error = fmt.Sprintf("lull binary: %v", err)
		logf("lull: %s", rep.Lull.Error)
		lullOK = false
	}

	runOne := func(ctx context.Context, name string, st *clientStats, fn func(context.Context, int) runResult, i int, timedRun bool) bool {
		ctx, cancel := context.WithTimeout(ctx, o.timeout)
		defer cancel()
		r := fn(ctx, i)
		label := fmt.Sprintf("run %d/%d", i+1-o.warmup, o.runs)
		if !timedRun {
			label = fmt.Sprintf("warm-up %d/%d", i+1, o.warmup)
		}
		if r.Err != nil {
			st.Error = fmt.Sprintf("%s: %v", label, r.Err)
			logf("%-6s %s failed after %.2fs: %v", name, label, r.Wall.Seconds(), r.Err)
			if out := tail(r.Stderr, 40); out != "" {
				logf("--- %s stderr (last lines):\n%s\n---", name, out)
			}
			if line := lastLine(r.Stdout); line != "" {
				logf("--- %s last stdout line: %s", name, line)
			}
			return false
		}
		logf("%-6s %-12s %6.2fs  peak RSS %5.1f MB  count %d", name, label, r.Wall.Seconds(), float64(r.MaxRSS)/1024, r.Items)
		if r.Items < 0 {
			logf("--- %s: no item count in its output; last stdout line: %s", name, lastLine(r.Stdout))
		}
		if timedRun {
			st.Wall = append(st.Wall, r.Wall.Seconds())
			st.MaxRSS = append(st.MaxRSS, r.MaxRSS)
			if r.RSSSampled {
				st.RSSSampled++
			}
			st.Items = append(st.Items, r.Items)
		}
		return true
	}

	mbsyncOK := true
	for i := 0; i < o.warmup+o.runs; i++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		timedRun := i >= o.warmup
		if lullOK {
			lullOK = runOne(ctx, "lull", rep.Lull, lr.run, i, timedRun)
		}
		if mbsyncOK {
			mbsyncOK = runOne(ctx, "mbsync", rep.Mbsync, mb.run, i, timedRun)
		}
		if !lullOK && !mbsyncOK {
			break
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, st := range []*clientStats{rep.Lull, rep.Mbsync} {
		st.median = medianDuration(st.Wall)
	}
	if rep.Lull.Error == "" {
		for _, n := range rep.Lull.Items {
			if n >= 0 && n != o.n { // -1: no count printed, already logged
				rep.Lull.Error = fmt.Sprintf("synced %d items, want %d", n, o.n)
				break
			}
		}
	}
	if rep.Lull.Error == "" && rep.Mbsync.Error == "" && rep.Mbsync.median > 0 {
		rep.Ratio = rep.Lull.median.Seconds() / rep.Mbsync.median.Seconds()
	}
	return rep, nil
}

// checkInbox SELECTs INBOX once, which makes Dovecot index the seeded
// files, and checks the count.
func checkInbox(ctx context.Context, srv *dovecottest.Server, want int) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	c, err := srv.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	data, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		return fmt.Errorf("select INBOX: %w", err)
	}
	if int(data.NumMessages) != want {
		return fmt.Errorf("INBOX has %d messages after seeding %d", data.NumMessages, want)
	}
	return c.Logout().Wait()
}

func medianDuration(secs []float64) time.Duration {
	if len(secs) == 0 {
		return 0
	}
	s := append([]float64(nil), secs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return time.Duration(m * float64(time.Second))
}

func medianInt(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]int64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

func printReport(w io.Writer, rep *report) {
	warm := ""
	if rep.Warmup > 0 {
		warm = fmt.Sprintf(", after %d untimed warm-up run(s) each", rep.Warmup)
	}
	fmt.Fprintf(w, "imap initial sync, %d messages, %d runs each (alternating%s)\n", rep.Messages, rep.Runs, warm)
	line := func(st *clientStats, unit string) {
		if len(st.Wall) == 0 {
			fmt.Fprintf(w, "%-6s failed: %s\n", st.Name, st.Error)
			return
		}
		runs := make([]string, len(st.Wall))
		for i, s := range st.Wall {
			runs[i] = fmt.Sprintf("%.2fs", s)
		}
		sampled := ""
		if st.RSSSampled > 0 {
			sampled = "*"
		}
		fmt.Fprintf(w, "%-6s median %.2fs  peak RSS %s%s  %s %s/%d  (runs %s)\n",
			st.Name, st.median.Seconds(), megabytes(medianInt(st.MaxRSS)), sampled, unit, countRange(st.Items), rep.Messages, strings.Join(runs, " "))
		if st.Error != "" {
			fmt.Fprintf(w, "%-6s FAILED: %s\n", "", st.Error)
		}
	}
	line(rep.Lull, "items")
	line(rep.Mbsync, "messages")
	if rep.Lull.RSSSampled+rep.Mbsync.RSSSampled > 0 {
		fmt.Fprintln(w, "* peak RSS sampled from /proc every 10 ms: ru_maxrss only showed this program's own size")
	}
	if rep.Ratio > 0 {
		fmt.Fprintf(w, "ratio lull/mbsync %.2f (goal <= %.2f)\n", rep.Ratio, rep.Goal)
	} else {
		fmt.Fprintf(w, "ratio lull/mbsync n/a (goal <= %.2f)\n", rep.Goal)
	}
}

// megabytes formats KiB as MB, with a decimal for small values.
func megabytes(kib int64) string {
	mb := float64(kib) / 1024
	if mb < 10 {
		return fmt.Sprintf("%.1f MB", mb)
	}
	return fmt.Sprintf("%.0f MB", mb)
}

// countRange prints the counts of all runs: one number when they agree.
func countRange(items []int) string {
	if len(items) == 0 {
		return "?"
	}
	lo, hi := items[0], items[0]
	for _, n := range items {
		lo, hi = min(lo, n), max(hi, n)
	}
	if lo < 0 {
		return "?"
	}
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d..%d", lo, hi)
}
