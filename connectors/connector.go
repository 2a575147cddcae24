// Package connectors defines how sources feed Lull: the Connector a source
// implements, the Sink the engine hands it, optional capabilities found by
// type assertion, and the registry connectors join in init().
package connectors

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// Connector pulls one account's items into a Sink.
//
// Sync does the initial sync, then streams changes until ctx ends. It resumes
// from sink.Cursor(), so a restart continues where the last committed batch
// left off. A returned error is retried by the engine with backoff; return
// ctx.Err() (or nil) when ctx ends.
type Connector interface {
	Sync(ctx context.Context, sink Sink) error
}

// Batch is one atomic step of a sync: its upserts, removals and the cursor
// that follows them commit in one transaction, so a crash never loses an
// acknowledged item nor replays one as a duplicate.
type Batch struct {
	Upserts []inbox.Item
	Removes []inbox.ID
	// Marks change the read state of items the store already holds, without
	// the connector fetching them again (an IMAP flag change).
	Marks []Mark
	// Purge makes Removes delete items the user marked done too; without
	// it a done item stays in the user's history when its source goes
	// (an email archived on done leaves the synced folder).
	Purge bool
	// Cursor is the connector's resume point after this batch; nil leaves
	// the stored cursor as it is.
	Cursor []byte
	// Backfill marks items found by the initial sync (or a resync): they are
	// stored silently and never notify.
	Backfill bool
}

// ErrPermanent marks a failure that retrying cannot fix (a revoked or
// wrong token, an account that no longer exists). Sync wraps it, e.g.
// fmt.Errorf("slack: token revoked: %w", connectors.ErrPermanent); the
// engine then shows the error and stops that account instead of retrying.
var ErrPermanent = errors.New("connectors: permanent failure")

// MaxBatchRemoves bounds the removes and the marks of one batch each, as
// the store bounds the items of one transaction.
const MaxBatchRemoves = 500

// Mark sets the source's read state of an item.
type Mark struct {
	ID     inbox.ID
	Unread bool
}

// Progress reports how far an initial sync has come. Total is 0 when unknown.
//
// A connector must say when its initial sync is over, either with a report
// whose Done reaches a non-zero Total or with Finished set (an empty
// mailbox has nothing to count): the engine shows the account as up to date
// and `lull sync --once` exits on it.
type Progress struct {
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Phase    string `json:"phase,omitempty"`
	Finished bool   `json:"finished,omitempty"`
}

// Complete reports whether p says the initial sync is over.
func (p Progress) Complete() bool {
	return p.Finished || (p.Total > 0 && p.Done >= p.Total)
}

// Sink is where a connector writes. It is safe for use by one goroutine.
type Sink interface {
	// Cursor returns the cursor committed with the last batch, or nil.
	Cursor(ctx context.Context) ([]byte, error)
	// Apply commits b atomically.
	Apply(ctx context.Context, b Batch) error
	// Progress reports initial-sync progress for the UI and CLI.
	Progress(p Progress)
}

// Actor is implemented by connectors that can write a triage action back to
// the source (mark read, archive, mark a notification done).
type Actor interface {
	Act(ctx context.Context, id inbox.ID, from, to inbox.Triage) error
}

// BodyFetcher is implemented by connectors that load full bodies on demand.
type BodyFetcher interface {
	FetchBody(ctx context.Context, id inbox.ID) (inbox.Item, error)
}

// Validator is implemented by connectors that can check their configuration
// and credentials before an account is saved.
type Validator interface {
	Validate(ctx context.Context) error
}

// StatusSetter is implemented by sources that can show the user's focus
// (for example a Slack status).
type StatusSetter interface {
	SetFocus(ctx context.Context, until time.Time) error
	ClearFocus(ctx context.Context) error
}

// Account is one configured account as a connector factory sees it.
type Account struct {
	Name     string
	Kind     string
	Settings map[string]any // the account's config table, keys as written
	// Now is the clock; tests inject one.
	Now func() time.Time
}

// Factory builds a connector for an account, or says what is wrong with its settings.
type Factory func(acct Account) (Connector, error)

// Registry maps account kinds to factories.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
}

// NewRegistry returns an empty registry; tests use their own.
func NewRegistry() *Registry {
	return &Registry{factories: map[string]Factory{}}
}

// Register adds a factory for kind. A duplicate or nil registration is a
// programming error and panics at start, as caddy's module registry does.
func (r *Registry) Register(kind string, f Factory) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f == nil {
		panic("connectors: nil factory for " + kind)
	}
	if _, dup := r.factories[kind]; dup {
		panic("connectors: duplicate registration of " + kind)
	}
	r.factories[kind] = f
}

// New builds the connector for acct.
func (r *Registry) New(acct Account) (Connector, error) {
	r.mu.RLock()
	f, ok := r.factories[acct.Kind]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("connectors: account %q: unknown kind %q (known: %v)", acct.Name, acct.Kind, r.Kinds())
	}
	if acct.Now == nil {
		acct.Now = time.Now
	}
	c, err := f(acct)
	if err != nil {
		return nil, fmt.Errorf("connectors: account %q: %w", acct.Name, err)
	}
	return c, nil
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.factories))
	for k := range r.factories {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Default is the registry connectors join from init(); it is the one piece of
// package state Lull allows, in the caddy tradition, because registration is
// static and happens before main.
var Default = NewRegistry()

// Register adds f to the Default registry.
func Register(kind string, f Factory) { Default.Register(kind, f) }
