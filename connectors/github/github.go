// Package github is the GitHub connector: it polls the notification list
// (GET /notifications) with conditional requests, so an idle poll is one
// 304 that costs no rate limit, honours X-Poll-Interval and rate limits,
// turns each thread into one item that shows its newest comment or review
// (who said what, with a link to it), and writes done back as "mark thread
// done" or "mark thread read".
//
// Item ids are "<account>/<notification thread id>": one item per thread,
// updated as the thread moves. New activity on a thread the user already
// triaged brings it back to the inbox as new (see poll).
package github

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/secret"
)

func init() {
	connectors.Register("github", New)
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
	// MaxWait is the longest rate-limit wait Sync sits out itself; a
	// longer one returns an error saying until when, which the engine
	// retries. 0 is one minute.
	MaxWait time.Duration
}

// Connector syncs one GitHub account's notifications.
type Connector struct {
	account string
	s       Settings
	opts    Options

	mu  sync.Mutex
	api *api // built on first use, dropped when GitHub rejects the token
	// undone are threads Lull marked done on GitHub whose done the user
	// then undid: GitHub cannot bring a thread back, so when it leaves the
	// list the item is kept instead of removed.
	undone map[string]bool
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Actor     = (*Connector)(nil)
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
	return &Connector{account: account, s: s, opts: opts, undone: map[string]bool{}}
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
		return nil, fmt.Errorf("github: %s: %w", c.account, err)
	}
	a, err := newAPI(c.s.BaseURL, token, c.opts.Transport)
	if err != nil {
		return nil, fmt.Errorf("github: %s: %w", c.account, err)
	}
	c.api = a
	return a, nil
}

// forget drops the API client so the next use resolves the token again
// (after GitHub rejected it, the user may have fixed it).
func (c *Connector) forget() {
	c.mu.Lock()
	c.api = nil
	c.mu.Unlock()
}

// Validate checks the token can read notifications: one GET
// /notifications?per_page=1, and the token's scopes when GitHub lists them.
func (c *Connector) Validate(ctx context.Context) error {
	a, err := c.client(ctx)
	if err != nil {
		return err
	}
	resp, err := a.send(ctx, http.MethodGet, "notifications?per_page=1", nil, nil, c.opts.MaxWait)
	if err != nil {
		c.dropIfRejected(err)
		return fmt.Errorf("github: %s: %w", c.account, notificationsError(err))
	}
	// Classic tokens list their scopes; fine-grained ones never get here.
	if _, listed := resp.Header["X-Oauth-Scopes"]; listed {
		scopes := resp.Header.Get("X-OAuth-Scopes")
		if !hasScope(scopes, "notifications") && !hasScope(scopes, "repo") {
			return fmt.Errorf("github: %s: the token's scopes (%s) include neither notifications nor repo; see docs/github.md", c.account, scopes)
		}
	}
	return nil
}
