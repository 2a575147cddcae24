package imap

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lullhq/lull/app/inbox"
)

// archivedAt is where an archive-on-done put a message.
type archivedAt struct {
	folder        string
	validity, uid uint32
}

// Act writes a done (or its undo) back to the server as on_done says: mark
// \Seen, or MOVE to the archive folder and back. Other triage changes stay
// in Lull.
func (c *Connector) Act(ctx context.Context, id inbox.ID, from, to inbox.Triage) error {
	wasDone, isDone := from.State == inbox.StateDone, to.State == inbox.StateDone
	if wasDone == isDone || c.s.OnDone == OnDoneNone {
		return nil
	}
	folder, validity, uid, err := splitID(id)
	if err != nil {
		return err
	}
	c.actMu.Lock()
	defer c.actMu.Unlock()
	err = c.act(ctx, id, folder, validity, uid, isDone)
	if err != nil && c.actConn != nil {
		c.actConn.Close() // a fresh connection for the next action
		c.actConn = nil
	}
	if err != nil {
		return fmt.Errorf("imap: %s: write back %s: %w", c.account, id, err)
	}
	return nil
}

func (c *Connector) act(ctx context.Context, id inbox.ID, folder string, validity, uid uint32, done bool) error {
	conn, err := c.actionConn(ctx)
	if err != nil {
		return err
	}
	switch c.s.OnDone {
	case OnDoneSeen:
		if err := selectAt(conn, folder, validity); err != nil {
			return err
		}
		op := imap.StoreFlagsAdd
		if !done {
			op = imap.StoreFlagsDel
		}
		return conn.Store(imap.UIDSetNum(imap.UID(uid)), &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	case OnDoneArchive:
		if done {
			archive, err := c.archiveFolder(conn)
			if err != nil {
				return err
			}
			if err := selectAt(conn, folder, validity); err != nil {
				return err
			}
			moved, err := conn.Move(imap.UIDSetNum(imap.UID(uid)), archive).Wait()
			if err != nil {
				return fmt.Errorf("move to %q: %w", archive, err)
			}
			if dest, ok := onlyUID(moved); ok {
				c.archived[id] = archivedAt{folder: archive, validity: moved.UIDValidity, uid: dest}
			}
			return nil
		}
		at, ok := c.archived[id]
		if !ok {
			return errors.New("the archived message is not known to this session; move it back in your mail client")
		}
		if err := selectAt(conn, at.folder, at.validity); err != nil {
			return err
		}
		moved, err := conn.Move(imap.UIDSetNum(imap.UID(at.uid)), folder).Wait()
		if err != nil {
			return fmt.Errorf("move back to %q: %w", folder, err)
		}
		delete(c.archived, id)
		if dest, ok := onlyUID(moved); ok {
			// The message returns under a new UID: the sync loop swaps the
			// item quietly instead of announcing it as new mail.
			c.retMu.Lock()
			c.returning[nativeID(folder, moved.UIDValidity, dest)] = id
			c.retMu.Unlock()
		}
		return nil
	}
	return nil
}

// onlyUID is the destination UID of a one-message MOVE (UIDPLUS).
func onlyUID(d *imapclient.MoveData) (uint32, bool) {
	if d == nil || d.DestUIDs == nil {
		return 0, false
	}
	set, ok := d.DestUIDs.(imap.UIDSet)
	if !ok {
		return 0, false
	}
	uids, ok := set.Nums()
	if !ok || len(uids) != 1 {
		return 0, false
	}
	return uint32(uids[0]), true
}

// selectAt selects folder read-write and makes sure its UIDs still mean
// what they meant when the item was synced.
func selectAt(conn *imapclient.Client, folder string, validity uint32) error {
	data, err := conn.Select(folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("select %q: %w", folder, err)
	}
	if data.UIDValidity != validity {
		return fmt.Errorf("folder %q changed its UIDVALIDITY; the next sync brings it up to date", folder)
	}
	return nil
}

// archiveFolder is archive_folder, else the \Archive special-use folder,
// else \All (Gmail), else "Archive", created when missing.
func (c *Connector) archiveFolder(conn *imapclient.Client) (string, error) {
	if c.s.ArchiveFolder != "" {
		return c.s.ArchiveFolder, nil
	}
	list, err := conn.List("", "*", &imap.ListOptions{ReturnSpecialUse: conn.Caps().Has(imap.CapSpecialUse)}).Collect()
	if err != nil {
		return "", fmt.Errorf("list folders: %w", err)
	}
	for _, attr := range []imap.MailboxAttr{imap.MailboxAttrArchive, imap.MailboxAttrAll} {
		for _, mb := range list {
			if slices.Contains(mb.Attrs, attr) {
				return mb.Mailbox, nil
			}
		}
	}
	for _, mb := range list {
		if mb.Mailbox == "Archive" {
			return mb.Mailbox, nil
		}
	}
	if err := conn.Create("Archive", nil).Wait(); err != nil {
		return "", fmt.Errorf("create the Archive folder: %w", err)
	}
	return "Archive", nil
}

// actionConn is the connection actions share, dialed on first use.
func (c *Connector) actionConn(ctx context.Context) (*imapclient.Client, error) {
	if c.actConn != nil {
		select {
		case <-c.actConn.Closed():
			c.actConn = nil
		default:
			return c.actConn, nil
		}
	}
	// The connection outlives this action's ctx: it is reused, and closed
	// by Close.
	conn, err := c.dialer.dial(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, err
	}
	c.actConn = conn
	return conn, nil
}

// Close releases the action connection.
func (c *Connector) Close() error {
	c.actMu.Lock()
	defer c.actMu.Unlock()
	if c.actConn != nil {
		c.actConn.Close()
		c.actConn = nil
	}
	return nil
}
