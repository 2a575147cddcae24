package dovecottest

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Dial returns a logged-in client on a new connection, for tests that poke
// the server themselves. ctx bounds only the dial and login; the caller
// closes the client.
func (s *Server) Dial(ctx context.Context) (*imapclient.Client, error) {
	return s.DialWith(ctx, nil)
}

// DialWith is Dial with client options, e.g. an UnilateralDataHandler to see
// what the server pushes during IDLE.
func (s *Server) DialWith(ctx context.Context, opts *imapclient.Options) (*imapclient.Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr())
	if err != nil {
		return nil, fmt.Errorf("dovecottest: dial: %w", err)
	}
	c := imapclient.New(conn, opts)
	stop := context.AfterFunc(ctx, func() { c.Close() })
	err = c.WaitGreeting()
	if err == nil {
		err = c.Login(s.User, s.Password).Wait()
	}
	if !stop() || ctx.Err() != nil {
		c.Close()
		return nil, fmt.Errorf("dovecottest: dial: %w", ctx.Err())
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("dovecottest: dial: %w", err)
	}
	return c, nil
}

// session runs fn on a fresh logged-in connection, with folder selected
// unless it is empty, and logs out. Cancelling ctx closes the connection,
// which unblocks whatever fn waits for.
func (s *Server) session(ctx context.Context, folder string, fn func(c *imapclient.Client) error) error {
	c, err := s.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if folder != "" {
		if _, err := c.Select(folder, nil).Wait(); err != nil {
			return orCtx(ctx, fmt.Errorf("select %s: %w", folder, err))
		}
	}
	if err := fn(c); err != nil {
		return orCtx(ctx, err)
	}
	_ = c.Logout().Wait()
	return nil
}

// orCtx prefers the context's error: a closed connection is only the
// symptom of a cancellation.
func orCtx(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// Append stores msg in folder with a real IMAP APPEND on its own connection
// and returns the UID from APPENDUID. The folder is created if missing.
func (s *Server) Append(ctx context.Context, folder string, msg []byte, flags ...string) (uint32, error) {
	opts := &imap.AppendOptions{Flags: toFlags(flags)}
	var uid imap.UID
	err := s.session(ctx, "", func(c *imapclient.Client) error {
		data, err := appendOnce(c, folder, msg, opts)
		var imapErr *imap.Error
		if errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeTryCreate {
			if err := c.Create(folder, nil).Wait(); err != nil {
				return fmt.Errorf("create %s: %w", folder, err)
			}
			data, err = appendOnce(c, folder, msg, opts)
		}
		if err != nil {
			return err
		}
		if data.UID == 0 {
			return errors.New("server sent no APPENDUID")
		}
		uid = data.UID
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("dovecottest: append to %s: %w", folder, err)
	}
	return uint32(uid), nil
}

func appendOnce(c *imapclient.Client, folder string, msg []byte, opts *imap.AppendOptions) (*imap.AppendData, error) {
	cmd := c.Append(folder, int64(len(msg)), opts)
	if _, err := cmd.Write(msg); err != nil {
		cmd.Close()
		return nil, err
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	return cmd.Wait()
}

// SetFlags adds (add=true) or removes flags such as `\Seen` or a keyword on
// one message, as another client would.
func (s *Server) SetFlags(ctx context.Context, folder string, uid uint32, add bool, flags ...string) error {
	op := imap.StoreFlagsDel
	if add {
		op = imap.StoreFlagsAdd
	}
	err := s.session(ctx, folder, func(c *imapclient.Client) error {
		store := &imap.StoreFlags{Op: op, Silent: true, Flags: toFlags(flags)}
		return c.Store(imap.UIDSetNum(imap.UID(uid)), store, nil).Close()
	})
	if err != nil {
		return fmt.Errorf("dovecottest: set flags in %s: %w", folder, err)
	}
	return nil
}

// Expunge deletes the given messages for good (\Deleted, then UID EXPUNGE
// of exactly those UIDs).
func (s *Server) Expunge(ctx context.Context, folder string, uids ...uint32) error {
	if len(uids) == 0 {
		return nil
	}
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	err := s.session(ctx, folder, func(c *imapclient.Client) error {
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
		if err := c.Store(set, store, nil).Close(); err != nil {
			return err
		}
		return c.UIDExpunge(set).Close()
	})
	if err != nil {
		return fmt.Errorf("dovecottest: expunge in %s: %w", folder, err)
	}
	return nil
}

// UIDValidity is the folder's current UIDVALIDITY (from STATUS).
func (s *Server) UIDValidity(ctx context.Context, folder string) (uint32, error) {
	var v uint32
	err := s.session(ctx, "", func(c *imapclient.Client) error {
		data, err := c.Status(folder, &imap.StatusOptions{UIDValidity: true}).Wait()
		if err != nil {
			return err
		}
		v = data.UIDValidity
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("dovecottest: status %s: %w", folder, err)
	}
	return v, nil
}

func toFlags(flags []string) []imap.Flag {
	out := make([]imap.Flag, len(flags))
	for i, f := range flags {
		out[i] = imap.Flag(f)
	}
	return out
}
