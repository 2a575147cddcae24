// Package imap is the IMAP connector: an initial sync newest first within a
// configurable depth, pipelined UID FETCH over ranges, then push through
// IDLE on a dedicated connection per folder, with UIDVALIDITY, CONDSTORE,
// flag and expunge changes applied, and done written back as \Seen or a
// MOVE to the archive folder.
//
// Item ids are "<account>/<folder>/<uidvalidity>/<uid>": stable for as long
// as the server keeps the UID, and void (the folder resyncs) when
// UIDVALIDITY changes.
package imap

import (
	"context"
	"log/slog"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

func init() {
	connectors.Register("imap", New)
}

// Options are what tests (and the account form) set beyond the settings.
type Options struct {
	// Auth logs in; nil uses the account's configured method and secrets.
	Auth   Authenticator
	Logger *slog.Logger
	Now    func() time.Time
}

// New builds the connector for a configured account.
func New(acct connectors.Account) (connectors.Connector, error) {
	s, err := ParseSettings(acct.Settings)
	if err != nil {
		return nil, err
	}
	return NewWith(acct.Name, s, Options{Now: acct.Now, Auth: ConfiguredAuth(acct.Name, s, acct.Settings)}), nil
}

// NewWith builds a connector from parsed settings.
func NewWith(account string, s Settings, opts Options) *Connector {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Connector{
		account:   account,
		s:         s,
		now:       opts.Now,
		log:       opts.Logger,
		dialer:    &dialer{settings: s, auth: opts.Auth},
		archived:  map[inbox.ID]archivedAt{},
		returning: map[string]inbox.ID{},
	}
}

// Validate connects, logs in and opens every folder.
func (c *Connector) Validate(ctx context.Context) error {
	return Check(ctx, c.s, c.dialer.auth)
}
