package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lullhq/lull/app/control"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/search"
	"github.com/lullhq/lull/store"
)

// CmdSearch is the control command `lull search` sends to a running app,
// which holds the data folder: args SearchArgs, result search.Results.
const CmdSearch = "search"

// SearchArgs are the args of CmdSearch.
type SearchArgs struct {
	Query string `json:"query"`
	Limit int    `json:"limit,omitempty"`
}

// Search is the bound service behind the / view: full-text search over the
// open workspace (see package search for the query syntax).
type Search struct{ app *App }

// Run returns the items matching query, newest first: at most limit of them
// (search.DefaultLimit when limit <= 0, never more than inbox.MaxLimit),
// how many match in all and how long it took. A malformed query (a bad
// date, an unknown source) is an error meant for the user.
func (s *Search) Run(query string, limit int) (search.Results, error) {
	ws, err := s.app.current()
	if err != nil {
		return search.Results{}, err
	}
	return ws.search.run(s.app.context(), query, 0, min(limit, inbox.MaxLimit))
}

// Page returns the matches of query from the offset-th on, newest first,
// at most limit (as in Run): the window asks for the part of a long result
// the list scrolls to.
func (s *Search) Page(query string, offset, limit int) (search.Results, error) {
	ws, err := s.app.current()
	if err != nil {
		return search.Results{}, err
	}
	return ws.search.run(s.app.context(), query, offset, min(limit, inbox.MaxLimit))
}

// Backlog returns how many items the store holds that the index has not
// taken in as they are now (new or changed since): 0 once search is in step
// with the inbox. Results say only whether the index is far behind
// (search.Results.Indexing); this is the exact count.
func (s *Search) Backlog() (int, error) {
	ws, err := s.app.current()
	if err != nil {
		return 0, err
	}
	if ws.search.index == nil {
		return 0, ws.search.unavailable()
	}
	return ws.search.index.Backlog(s.app.context())
}

// searchState is a workspace's full-text index, or why it has none.
// Search trouble never keeps the inbox from opening: it is logged, and
// every search returns the reason.
type searchState struct {
	// index and err are set by open, before the workspace is shared, and
	// never change after; a search racing close gets the index's error.
	index *search.Index
	err   error
	log   *slog.Logger
	once  sync.Once
}

// open opens the index beside the store in dir and starts it following
// the store; the catch-up runs in the background.
func (s *searchState) open(ctx context.Context, st *store.Store, dir string, log *slog.Logger, now func() time.Time) {
	s.log = log
	x, err := search.Open(ctx, st, dir, search.Options{Logger: log, Now: now})
	if err == nil {
		if err = x.Start(ctx); err != nil {
			x.Close()
		}
	}
	if err != nil {
		s.err = err
		log.Error("app: search is unavailable", "err", err)
		return
	}
	s.index = x
}

func (s *searchState) run(ctx context.Context, query string, offset, limit int) (search.Results, error) {
	if s.index == nil {
		return search.Results{}, s.unavailable()
	}
	return s.index.RunPage(ctx, query, offset, limit)
}

// unavailable says why there is no index to search.
func (s *searchState) unavailable() error {
	if s.err == nil {
		return errors.New("search is unavailable")
	}
	return fmt.Errorf("search is unavailable: %w", s.err)
}

// close stops following the store and closes the index; the store must
// still be open.
func (s *searchState) close() {
	if s.index == nil {
		return
	}
	s.once.Do(func() {
		if err := s.index.Close(); err != nil {
			s.log.Warn("app: closing the search index", "err", err)
		}
	})
}

// searchControl answers CmdSearch over local IPC and passes every other
// command on.
type searchControl struct {
	app  *App
	next control.Handler
}

func (h searchControl) Handle(ctx context.Context, cmd string, args json.RawMessage) (any, error) {
	if cmd != CmdSearch {
		return h.next.Handle(ctx, cmd, args)
	}
	var a SearchArgs
	if len(args) > 0 {
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	ws, err := h.app.current()
	if err != nil {
		return nil, err
	}
	return ws.search.run(ctx, a.Query, 0, a.Limit)
}
