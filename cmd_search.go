package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/control"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/search"
	"github.com/lullhq/lull/store"
)

// runSearch is `lull search [--json] [--limit N] QUERY`. It uses the
// window's search engine: it asks the running app, which holds the data
// folder, or, with none running, opens the store and its index itself and
// brings the index up to date first.
func runSearch(ctx context.Context, opts app.Options, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON array of items")
	limit := fs.Int("limit", search.DefaultLimit, "print at most this many items")
	// Flags may come before or after the query words; after "--" every
	// argument is a word, so a query can start with "-" (a negated word).
	flagArgs, words := args, []string(nil)
	if i := slices.Index(args, "--"); i >= 0 {
		flagArgs, words = args[:i], slices.Clone(args[i+1:])
	}
	var before []string
	for len(flagArgs) > 0 {
		if err := fs.Parse(flagArgs); err != nil {
			return err
		}
		flagArgs = fs.Args()
		if len(flagArgs) > 0 {
			before = append(before, flagArgs[0])
			flagArgs = flagArgs[1:]
		}
	}
	words = append(before, words...)
	if *limit <= 0 {
		return fmt.Errorf("search: --limit must be at least 1, not %d", *limit)
	}
	if len(words) == 0 {
		return errors.New("search: give a query, e.g. lull search from:ann invoice (see lull --help)")
	}
	query := joinQuery(words)

	dir := app.WorkspaceDir(modeOf(opts), opts.Paths)
	res, err := searchApp(ctx, dir, query, *limit)
	if errors.Is(err, control.ErrNoApp) {
		res, err = searchStore(ctx, opts, dir, query, *limit, stderr)
		if errors.Is(err, store.ErrLocked) {
			// An app holds the folder but does not answer yet: it is
			// starting. Ask it once it listens.
			deadline := time.Now().Add(10 * time.Second)
			for {
				res, err = searchApp(ctx, dir, query, *limit)
				if !errors.Is(err, control.ErrNoApp) || time.Now().After(deadline) {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printSearchJSON(stdout, res)
	}
	printSearchText(stdout, res)
	fmt.Fprintf(stderr, "%d of %d · %.1f ms\n", len(res.Items), res.Total, res.TookMS)
	if res.Indexing {
		fmt.Fprintln(stderr, "the search index is still catching up: results may be missing")
	}
	return nil
}

// joinQuery rebuilds the query from shell words. A word with spaces was
// quoted in the shell, so it is quoted again: `lull search "next steps"`
// is a phrase, `lull search from:"Ann Lee"` a sender.
func joinQuery(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w
		if !strings.ContainsFunc(w, unicode.IsSpace) || strings.Contains(w, `"`) {
			continue
		}
		if key, value, ok := strings.Cut(w, ":"); ok && !strings.ContainsFunc(key, unicode.IsSpace) {
			parts[i] = key + `:"` + value + `"`
			continue
		}
		parts[i] = `"` + w + `"`
	}
	return strings.Join(parts, " ")
}

// searchApp asks the running app; control.ErrNoApp means none answers.
func searchApp(ctx context.Context, dir, query string, limit int) (search.Results, error) {
	client, err := control.Dial(ctx, dir)
	if err != nil {
		return search.Results{}, err
	}
	defer client.Close()
	var res search.Results
	if err := client.Call(ctx, app.CmdSearch, app.SearchArgs{Query: query, Limit: limit}, &res); err != nil {
		return search.Results{}, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// searchStore opens the data folder itself: the store, then its index,
// which it brings up to date before searching.
func searchStore(ctx context.Context, opts app.Options, dir, query string, limit int, stderr io.Writer) (search.Results, error) {
	// A malformed query should not cost opening the store.
	if _, err := search.Parse(query, time.Now()); err != nil {
		return search.Results{}, fmt.Errorf("search: %w", err)
	}
	st, err := store.Open(ctx, store.Options{Dir: dir, Logger: opts.Logger})
	if err != nil {
		return search.Results{}, err
	}
	defer st.Close()
	x, err := search.Open(ctx, st, dir, search.Options{Logger: opts.Logger, Now: opts.Now})
	if err != nil {
		return search.Results{}, err
	}
	defer x.Close()
	if x.Version() == 0 {
		fmt.Fprintln(stderr, "building the search index: once, a minute or two per 100,000 items…")
	}
	if err := x.CatchUp(ctx); err != nil {
		return search.Results{}, err
	}
	res, err := x.Run(ctx, query, limit)
	if err != nil {
		return search.Results{}, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// searchItem is one element of `lull search --json`.
type searchItem struct {
	ID       inbox.ID     `json:"id"`
	Source   inbox.Source `json:"source"`
	Account  string       `json:"account"`
	From     string       `json:"from"`
	Subject  string       `json:"subject"`
	Received time.Time    `json:"received"`
	State    inbox.State  `json:"state"`
}

func printSearchJSON(w io.Writer, res search.Results) error {
	items := make([]searchItem, len(res.Items))
	for i, it := range res.Items {
		items[i] = searchItem{ID: it.ID, Source: it.Source, Account: it.Account, From: it.From,
			Subject: it.Title, Received: it.Received, State: it.State}
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", raw)
	return err
}

// printSearchText prints one line per item: received (local time), source,
// sender and subject.
func printSearchText(w io.Writer, res search.Results) {
	for _, it := range res.Items {
		fmt.Fprintf(w, "%s  %-6s  %s  %s\n", it.Received.Local().Format("2006-01-02 15:04"), it.Source,
			column(it.From, 24), oneLine(it.Title))
	}
}

// column cuts or pads s to width runes.
func column(s string, width int) string {
	r := []rune(oneLine(s))
	if len(r) > width {
		return string(r[:width-1]) + "…"
	}
	return string(r) + strings.Repeat(" ", width-len(r))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
