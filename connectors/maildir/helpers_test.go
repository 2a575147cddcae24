package maildir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
)

const account = "local"

// tree is a maildir tree in a temporary directory.
type tree struct {
	t    *testing.T
	root string
	seq  atomic.Int64
}

func newTree(t *testing.T) *tree {
	t.Helper()
	return &tree{t: t, root: t.TempDir()}
}

// maildir creates the maildir at rel below the root ("" is the root).
func (tr *tree) maildir(rel string) string {
	tr.t.Helper()
	dir := filepath.Join(tr.root, filepath.FromSlash(rel))
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			tr.t.Fatal(err)
		}
	}
	return dir
}

// unique returns a fresh unique name in the shape deliver agents use.
func (tr *tree) unique() string {
	return fmt.Sprintf("1700000000.M%06dP42Q%d.testhost", tr.seq.Add(1), tr.seq.Load())
}

// put writes raw as file sub/name of the maildir at rel, with mtime set
// unless it is zero, the way a delivery agent does: into tmp/, then renamed.
func (tr *tree) put(rel, sub, name string, raw []byte, mtime time.Time) string {
	tr.t.Helper()
	dir := filepath.Join(tr.root, filepath.FromSlash(rel))
	tmp := filepath.Join(dir, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		tr.t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(tmp, mtime, mtime); err != nil {
			tr.t.Fatal(err)
		}
	}
	path := filepath.Join(dir, sub, name)
	if err := os.Rename(tmp, path); err != nil {
		tr.t.Fatal(err)
	}
	return path
}

// mail is a well-formed message.
func mail(subject string, date time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Ada Lovelace <ada@example.org>\r\nTo: you@example.org\r\nSubject: %s\r\n", subject)
	if !date.IsZero() {
		fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	}
	fmt.Fprintf(&b, "Message-ID: <%s@example.org>\r\n\r\nHello about %s.\r\n", strings.ReplaceAll(subject, " ", "."), subject)
	return []byte(b.String())
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newConn builds a connector on root with extra settings.
func newConn(t *testing.T, root string, settings map[string]any) *Connector {
	t.Helper()
	s := map[string]any{"path": root, "sync_days": 0}
	maps.Copy(s, settings)
	c, err := NewWith(connectors.Account{Name: account, Kind: "maildir", Settings: s, Now: time.Now}, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// running is a Sync running in the background.
type running struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan error
}

// start runs c.Sync on sink until stop (or the test's end).
func start(t *testing.T, c *Connector, sink connectors.Sink) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- c.Sync(ctx, sink) }()
	t.Cleanup(func() { r.stop() })
	return r
}

// stop cancels Sync and checks it returns promptly and cleanly.
func (r *running) stop() {
	r.t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			r.t.Errorf("Sync returned %v", err)
		}
	case <-time.After(time.Second):
		r.t.Fatal("Sync still running 1s after cancellation")
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// caughtUp waits for the initial sync to report it is over.
func caughtUp(t *testing.T, sink *conformance.MemorySink) {
	t.Helper()
	caughtUpAfter(t, sink, 0)
}

// caughtUpAfter waits for a report after the first mark ones that says the
// sync has caught up.
func caughtUpAfter(t *testing.T, sink *conformance.MemorySink, mark int) {
	t.Helper()
	waitFor(t, 10*time.Second, "the initial sync", func() bool {
		for _, p := range sink.ProgressReports()[mark:] {
			if p.Complete() {
				return true
			}
		}
		return false
	})
}

func id(folder, unique string) inbox.ID { return inbox.NewID(account, folder+"/"+unique) }

// upsertedIn returns the ids upserted by batches, split by Backfill.
func upsertedIn(batches []connectors.Batch) (backfill, live map[inbox.ID]int) {
	backfill, live = map[inbox.ID]int{}, map[inbox.ID]int{}
	for _, b := range batches {
		for _, it := range b.Upserts {
			if b.Backfill {
				backfill[it.ID]++
			} else {
				live[it.ID]++
			}
		}
	}
	return backfill, live
}

func removedIn(batches []connectors.Batch) map[inbox.ID]bool {
	out := map[inbox.ID]bool{}
	for _, b := range batches {
		for _, id := range b.Removes {
			out[id] = true
		}
	}
	return out
}

func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
