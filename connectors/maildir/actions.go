package maildir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lullhq/lull/app/inbox"
)

// maxSeenAtDone bounds the memory of messages found already seen at done.
const maxSeenAtDone = 10_000

// Act writes a triage change back to the maildir when on_done is "seen":
// marking an item done sets the S flag on its file (moving it from new/ to
// cur/ as mail readers do), and taking it out of done clears the flag again,
// unless the message was already seen before it was marked done. The
// connector's own watcher then reports the change, so the item's Unread
// follows.
func (c *Connector) Act(ctx context.Context, id inbox.ID, from, to inbox.Triage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.onDone != onDoneSeen {
		return nil
	}
	var seen bool
	switch {
	case to.State == inbox.StateDone && from.State != inbox.StateDone:
		seen = true
	case from.State == inbox.StateDone && to.State != inbox.StateDone:
		seen = false
	default:
		return nil
	}
	acct, native, err := id.Split()
	if err != nil {
		return fmt.Errorf("maildir: act on %s: %w", id, err)
	}
	if acct != c.account {
		return fmt.Errorf("maildir: act on %s: not an item of account %q", id, c.account)
	}
	i := strings.LastIndexByte(native, '/')
	if i <= 0 || i == len(native)-1 {
		return fmt.Errorf("maildir: act on %s: malformed id", id)
	}
	folderName, unique := native[:i], native[i+1:]
	folders, _, err := c.folderSet()
	if err != nil {
		return fmt.Errorf("maildir: act on %s: %w", id, err)
	}
	var dir string
	for _, f := range folders {
		if f.Name == folderName {
			dir = f.Dir
		}
	}
	if dir == "" {
		return fmt.Errorf("maildir: act on %s: folder %q not found under %s", id, folderName, c.root)
	}
	// A mail reader may rename the file between our look and our rename;
	// one more look settles it.
	for attempt := 0; ; attempt++ {
		err := c.setSeen(ctx, id, dir, unique, seen)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || attempt == 1 {
			return err
		}
	}
}

// setSeen sets or clears the S flag of message unique in the maildir at dir.
func (c *Connector) setSeen(ctx context.Context, id inbox.ID, dir, unique string, seen bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := locate(dir, unique)
	if err != nil {
		return fmt.Errorf("maildir: act on %s: %w", id, err)
	}
	name := parseName(e.name)
	c.mu.Lock()
	if seen {
		if name.Has('S') {
			if len(c.seenAtDone) >= maxSeenAtDone {
				clear(c.seenAtDone)
			}
			c.seenAtDone[id] = true
		}
	} else if c.seenAtDone[id] {
		delete(c.seenAtDone, id)
		c.mu.Unlock()
		return nil // it was read before it was done: leave it read
	}
	c.mu.Unlock()
	if name.Has('S') == seen && (e.sub == "cur" || !seen) {
		return nil
	}
	next, err := name.WithFlag('S', seen, infoSep())
	if err != nil {
		return fmt.Errorf("maildir: act on %s: %w", id, err)
	}
	from := e.path(dir)
	to := filepath.Join(dir, "cur", next.String())
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("maildir: rename %s to %s: %w", from, next.String(), err)
	}
	return nil
}
