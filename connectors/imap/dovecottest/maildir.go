package dovecottest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// folderDir maps an IMAP folder name to its Maildir++ directory: INBOX is the
// root, "A/B" is .A.B (the namespace separator is "/").
func (s *Server) folderDir(folder string) (string, error) {
	if strings.EqualFold(folder, "INBOX") {
		return s.MaildirRoot, nil
	}
	if folder == "" || strings.HasPrefix(folder, "/") || strings.HasSuffix(folder, "/") || strings.Contains(folder, "//") {
		return "", fmt.Errorf("bad folder name %q", folder)
	}
	for _, r := range folder {
		// "." is Maildir++'s own separator on disk, and other names would
		// need modified UTF-7; tests do not need either.
		if r == '.' || r < 0x20 || r > 0x7e || r == '*' || r == '%' {
			return "", fmt.Errorf("folder name %q: use printable ASCII without '.', '*' or '%%'", folder)
		}
	}
	return filepath.Join(s.MaildirRoot, "."+strings.ReplaceAll(folder, "/", ".")), nil
}

// Seed writes msgs straight into the folder's Maildir cur/, unread, in order
// (so they get ascending UIDs), which is far faster than APPEND; Dovecot
// indexes them on next access. Each file's mtime, which Dovecot reports as
// INTERNALDATE, is the message's Date header when it parses. The folder is
// created if missing (through IMAP when the server runs, so it is also
// subscribed).
func (s *Server) Seed(folder string, msgs [][]byte) error {
	dir, err := s.folderDir(folder)
	if err != nil {
		return fmt.Errorf("dovecottest: seed: %w", err)
	}
	if err := s.ensureFolder(folder, dir); err != nil {
		return fmt.Errorf("dovecottest: seed: create %s: %w", folder, err)
	}
	s.mu.Lock()
	first := s.seq
	s.seq += uint64(len(msgs))
	s.mu.Unlock()

	now := time.Now()
	pid := os.Getpid()
	tmp, cur := filepath.Join(dir, "tmp"), filepath.Join(dir, "cur")
	for i, msg := range msgs {
		// Dovecot orders new files by the leading timestamp, then by the
		// rest of the name; the zero-padded counter keeps seed order.
		// S= and W= (size with CRLF line ends) spare Dovecot a read for
		// RFC822.SIZE.
		base := fmt.Sprintf("%d.M%012dP%d.dovecottest,S=%d,W=%d", now.Unix(), first+uint64(i), pid, len(msg), crlfSize(msg))
		tmpPath := filepath.Join(tmp, base)
		if err := os.WriteFile(tmpPath, msg, 0o644); err != nil {
			return fmt.Errorf("dovecottest: seed: %w", err)
		}
		if err := s.chown(tmpPath); err != nil {
			return fmt.Errorf("dovecottest: seed: %w", err)
		}
		if d, ok := headerDate(msg); ok {
			_ = os.Chtimes(tmpPath, d, d)
		}
		if err := os.Rename(tmpPath, filepath.Join(cur, base+":2,")); err != nil {
			return fmt.Errorf("dovecottest: seed: %w", err)
		}
	}
	return nil
}

func (s *Server) ensureFolder(folder, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "cur")); err == nil {
		return nil
	}
	if s.Running() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := s.session(ctx, "", func(c *imapclient.Client) error {
			if err := c.Create(folder, nil).Wait(); err != nil {
				return err
			}
			return c.Subscribe(folder).Wait()
		})
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(dir, "cur")); err == nil {
			return nil
		}
		// Dovecot may create the directories lazily; make them below.
	}
	for _, sub := range []string{"", "cur", "new", "tmp"} {
		if err := s.mkdirOwned(filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	if dir != s.MaildirRoot {
		marker := filepath.Join(dir, "maildirfolder")
		if err := os.WriteFile(marker, nil, 0o644); err != nil {
			return err
		}
		return s.chown(marker)
	}
	return nil
}

// crlfSize is the message size with every bare LF counted as CRLF, which is
// what IMAP reports.
func crlfSize(msg []byte) int {
	n := len(msg) + bytes.Count(msg, []byte("\n"))
	return n - bytes.Count(msg, []byte("\r\n"))
}

// headerDate finds and parses the Date header in the header block.
func headerDate(msg []byte) (time.Time, bool) {
	for len(msg) > 0 {
		line := msg
		if i := bytes.IndexByte(msg, '\n'); i >= 0 {
			line, msg = msg[:i], msg[i+1:]
		} else {
			msg = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break // end of header
		}
		if len(line) > 5 && strings.EqualFold(string(line[:5]), "date:") {
			v := string(line[5:])
			// Folded continuation lines.
			for len(msg) > 0 && (msg[0] == ' ' || msg[0] == '\t') {
				next := msg
				if i := bytes.IndexByte(msg, '\n'); i >= 0 {
					next, msg = msg[:i], msg[i+1:]
				} else {
					msg = nil
				}
				v += string(bytes.TrimRight(next, "\r"))
			}
			t, err := mail.ParseDate(strings.TrimSpace(v))
			return t, err == nil
		}
	}
	return time.Time{}, false
}

// ResetUIDValidity makes folder get a new UIDVALIDITY while keeping its
// messages and their flags, as a server does after rebuilding a mailbox.
// It stops the server if it runs, deletes the folder's dovecot-uidlist and
// indexes (and the mailbox list index that caches them), and starts it
// again: Dovecot then renumbers the messages from UID 1 under the next
// UIDVALIDITY. Open connections are dropped by the restart.
func (s *Server) ResetUIDValidity(ctx context.Context, folder string) error {
	dir, err := s.folderDir(folder)
	if err != nil {
		return fmt.Errorf("dovecottest: reset uidvalidity: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cur")); err != nil {
		return fmt.Errorf("dovecottest: reset uidvalidity: folder %s: %w", folder, err)
	}
	wasRunning := s.Running()
	if err := s.Stop(); err != nil {
		return fmt.Errorf("dovecottest: reset uidvalidity: %w", err)
	}
	var victims []string
	for _, pattern := range []string{
		filepath.Join(dir, "dovecot-uidlist"),
		filepath.Join(dir, "dovecot.index*"),
		filepath.Join(s.MaildirRoot, "dovecot.list.index*"),
	} {
		m, _ := filepath.Glob(pattern) // only ErrBadPattern, and these are fine
		victims = append(victims, m...)
	}
	for _, p := range victims {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dovecottest: reset uidvalidity: %w", err)
		}
	}
	if wasRunning {
		if err := s.start(ctx); err != nil {
			return fmt.Errorf("dovecottest: reset uidvalidity: restart: %w", err)
		}
	}
	return nil
}
