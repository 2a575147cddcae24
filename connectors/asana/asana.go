// Package asana is the Asana connector: comments on the tasks the user is
// assigned or follows, in the workspaces they choose, over Asana's REST API
// with net/http (no client library).
//
// Each poll lists, per workspace, the tasks modified since the last poll
// (GET /tasks?assignee=me&modified_since=…, which counts a new comment as a
// modification, and, on premium workspaces, the search API for followed
// tasks): an idle poll is one or two requests per workspace. A changed
// task's new comments come from the events API with a per-task sync token;
// when the token is missing or expired (412, with a fresh token in the
// answer) the task's stories are read again and compared with the comments
// already held, so a resync neither duplicates nor loses any.
//
// Item ids are "<account>/<story gid>": one item per comment, the task gid
// as thread, the task name as title.
package asana

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/secret"
)

func init() {
	connectors.Register("asana", New)
}

// Options are what tests (and the account form) set beyond the settings.
type Options struct {
	// Token returns the personal access token; nil resolves the account's
	// "token" secret (token_cmd, LULL_TOKEN_<ACCOUNT>, the OS keychain).
	Token func(ctx context.Context) (string, error)
	// Transport carries the requests; nil is http.DefaultTransport.
	Transport http.RoundTripper
	Logger    *slog.Logger
	Now       func() time.Time
	// MaxWait is the longest 429 wait Sync sits out itself; a longer one
	// returns an error saying until when, which the engine retries. 0 is
	// one minute.
	MaxWait time.Duration
}

// Connector syncs one Asana account's task comments.
type Connector struct {
	account string
	s       Settings
	opts    Options

	mu  sync.Mutex
	api *api // built on first use, dropped when Asana rejects the token
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Validator = (*Connector)(nil)
)

// New builds the connector for a configured account.
func New(acct connectors.Account) (connectors.Connector, error) {
	s, err := ParseSettings(acct.Settings)
	if err != nil {
		return nil, err
	}
	settings := acct.Settings
	name := acct.Name
	return NewWith(acct.Name, s, Options{
		Now: acct.Now,
		Token: func(ctx context.Context) (string, error) {
			return secret.Resolve(ctx, name, "token", settings)
		},
	}), nil
}

// NewWith builds a connector from parsed settings.
func NewWith(account string, s Settings, opts Options) *Connector {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = time.Minute
	}
	if opts.Token == nil {
		opts.Token = func(ctx context.Context) (string, error) {
			return secret.Resolve(ctx, account, "token", nil)
		}
	}
	return &Connector{account: account, s: s, opts: opts}
}

// client returns the account's API client, resolving the token once.
func (c *Connector) client(ctx context.Context) (*api, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api != nil {
		return c.api, nil
	}
	token, err := c.opts.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("asana: %s: %w", c.account, err)
	}
	c.api = newAPI(c.s.BaseURL, token, c.opts.Transport, c.opts.MaxWait)
	return c.api, nil
}

// forget drops the client so the next use resolves the token again.
func (c *Connector) forget() {
	c.mu.Lock()
	c.api = nil
	c.mu.Unlock()
}

// user is the token's owner.
type user struct {
	GID        string      `json:"gid"`
	Name       string      `json:"name"`
	Workspaces []workspace `json:"workspaces"`
}

// workspace is an Asana workspace or organization.
type workspace struct {
	GID  string `json:"gid"`
	Name string `json:"name"`
}

// me reads the token's user and their workspaces.
func (c *Connector) me(ctx context.Context, a *api) (user, error) {
	var out struct {
		Data user `json:"data"`
	}
	q := url.Values{"opt_fields": {"name,workspaces.name"}}
	if _, err := a.get(ctx, "/users/me", q, &out); err != nil {
		return user{}, fmt.Errorf("asana: %s: reading the signed-in user: %w", c.account, err)
	}
	if out.Data.GID == "" {
		return user{}, fmt.Errorf("asana: %s: /users/me answered without a user", c.account)
	}
	return out.Data, nil
}

// pick returns the workspaces the settings choose, by gid or by name
// (case-insensitive); none chosen is all of them. A name that matches none
// is a permanent error: retrying will not create the workspace.
func pick(want []string, have []workspace) ([]workspace, error) {
	if len(want) == 0 {
		return have, nil
	}
	var out []workspace
	for _, w := range want {
		found := false
		for _, h := range have {
			if h.GID == w || strings.EqualFold(strings.TrimSpace(h.Name), w) {
				out = append(out, h)
				found = true
				break
			}
		}
		if !found {
			names := make([]string, len(have))
			for i, h := range have {
				names[i] = fmt.Sprintf("%q (%s)", h.Name, h.GID)
			}
			return nil, fmt.Errorf("asana: setting workspaces: no workspace %q; this token sees %s: %w",
				w, strings.Join(names, ", "), connectors.ErrPermanent)
		}
	}
	return out, nil
}

// Validate checks the token and that every chosen workspace exists.
func (c *Connector) Validate(ctx context.Context) error {
	a, err := c.client(ctx)
	if err != nil {
		return err
	}
	me, err := c.me(ctx, a)
	if err != nil {
		c.dropIfRejected(err)
		return err
	}
	_, err = pick(c.s.Workspaces, me.Workspaces)
	return err
}
