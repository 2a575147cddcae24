package imap

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// watch keeps a dedicated connection in IDLE on folder and sends the
// folder's name on changed whenever the server reports new mail, an
// expunge or a flag change. It returns when ctx ends (nil) or the
// connection fails (an error: the engine reconnects with backoff).
func (c *Connector) watch(ctx context.Context, folder string, changed chan<- string) error {
	notify := make(chan struct{}, 1)
	poke := func() {
		select {
		case notify <- struct{}{}:
		default:
		}
	}
	handler := &imapclient.UnilateralDataHandler{
		Expunge: func(uint32) { poke() },
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				poke()
			}
		},
		Fetch: func(m *imapclient.FetchMessageData) {
			for m.Next() != nil { // drain: only the fact of a change matters
			}
			poke()
		},
	}
	conn, err := c.dialer.dial(ctx, handler)
	if err != nil {
		return quiet(ctx, err)
	}
	defer conn.Close()
	if _, err := conn.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return quiet(ctx, fmt.Errorf("imap: %s: idle: examine %q: %w", c.account, folder, err))
	}
	// The selection may race a delivery; one look after IDLE starts costs little.
	poke()
	idle, err := conn.Idle()
	if err != nil {
		return quiet(ctx, fmt.Errorf("imap: %s: idle on %q: %w", c.account, folder, err))
	}
	idleDone := make(chan error, 1)
	go func() { idleDone <- idle.Wait() }()
	for {
		select {
		case <-ctx.Done():
			idle.Close()
			return nil
		case err := <-idleDone:
			if err == nil {
				err = fmt.Errorf("idle ended")
			}
			return quiet(ctx, fmt.Errorf("imap: %s: idle on %q: %w", c.account, folder, err))
		case <-conn.Closed():
			return quiet(ctx, fmt.Errorf("imap: %s: idle connection for %q dropped", c.account, folder))
		case <-notify:
			select {
			case changed <- folder:
			default: // a change for this folder is already queued
			}
		}
	}
}
