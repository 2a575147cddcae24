// Package maildir is the connector for local Maildir trees, as mbsync,
// offlineimap, getmail, fdm or a local Dovecot keep them: an initial sync
// newest first, then changes pushed by file-system notifications (fsnotify)
// with a cheap periodic rescan behind them, and done written back as the S
// (seen) flag.
//
// Settings:
//
//	path      = "~/Mail/work"  # a maildir, or a tree of them (Maildir++ ".Folder"
//	                           # subdirectories, or nested directories as mbsync's
//	                           # SubFolders Verbatim or Legacy make them); required
//	folders   = ["INBOX"]      # default: every maildir in the tree; "INBOX" is the root maildir
//	sync_days = 90             # how far back the initial sync goes by file mtime; 0: all
//	on_done   = "none"         # or "seen": marking an item done sets its S flag
//
// Item ids are "<account>/<folder>/<unique>", where unique is the part of the
// file name before the info (":2,FLAGS"), so an id survives flag changes and
// the move from new/ to cur/. The initial sync's depth is measured by
// modification time, which Dovecot uses as the message's arrival date and
// mbsync and offlineimap can set to it: it costs a stat, not a read, per
// file. An item's Received time is its Date header, or the file's mtime when
// the header is missing, unparseable or in the future.
//
// New mail is told from old mail by the file's ctime, which delivery and
// renames set and utime cannot (mbsync, offlineimap and Dovecot may all set
// mtime to the server's arrival time): a message the cursor does not know,
// changed since the last full scan, is new mail. Everything else that comes
// into view (a folder added to the folders setting, a longer sync_days, a
// message moved from one folder to another) is added as backfill, silently.
package maildir

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

func init() {
	connectors.Register("maildir", New)
}

// DefaultSyncDays is how far back the initial sync goes when the account
// does not say.
const DefaultSyncDays = 90

// Timings of the live phase.
const (
	// debounce is how long events are collected before they are acted on,
	// so a burst of deliveries becomes a few batches, not one per file.
	debounce = 100 * time.Millisecond
	// rescanEvery is how often every folder is listed again, in case
	// fsnotify dropped or never saw an event (network file systems,
	// overflows).
	rescanEvery = 60 * time.Second
	// pollEvery replaces fsnotify where a folder cannot be watched.
	pollEvery = 5 * time.Second
)

// The values of the on_done setting.
const (
	onDoneNone = "none"
	onDoneSeen = "seen"
)

// Connector syncs one account's maildir tree.
type Connector struct {
	account  string
	root     string
	folders  []string // nil: every maildir found
	syncDays int
	onDone   string
	now      func() time.Time
	log      *slog.Logger

	// Timings, settable by tests.
	debounce    time.Duration
	rescanEvery time.Duration
	pollEvery   time.Duration
	// noWatch makes the live phase rely on rescans alone, as it does when
	// fsnotify fails; tests use it to exercise the rescan path.
	noWatch bool

	// seenAtDone records the messages that were already seen when Act
	// marked them done, so undoing the done leaves them read rather than
	// marking unread a message the user had read.
	mu         sync.Mutex
	seenAtDone map[inbox.ID]bool
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Validator = (*Connector)(nil)
	_ connectors.Actor     = (*Connector)(nil)
)

// Options are what the app and tests set beyond the account's settings.
type Options struct {
	// Logger receives the few lines the connector logs (unreadable files,
	// malformed messages, watch failures); nil is slog.Default().
	Logger *slog.Logger
}

// New builds the connector for acct, rejecting unknown or malformed
// settings. It does not touch the disk: a path on a drive not yet mounted is
// reported by Sync, which the engine retries, and by Validate.
func New(acct connectors.Account) (connectors.Connector, error) {
	return NewWith(acct, Options{})
}

// NewWith is New with options.
func NewWith(acct connectors.Account, opts Options) (*Connector, error) {
	c := &Connector{
		account:     acct.Name,
		syncDays:    DefaultSyncDays,
		onDone:      onDoneNone,
		now:         acct.Now,
		log:         opts.Logger,
		debounce:    debounce,
		rescanEvery: rescanEvery,
		pollEvery:   pollEvery,
		seenAtDone:  map[inbox.ID]bool{},
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.log = c.log.With("account", acct.Name)
	if err := c.configure(acct.Settings); err != nil {
		return nil, err
	}
	return c, nil
}

// configure applies the account's settings.
func (c *Connector) configure(settings map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(settings)) { // sorted: the same error every time
		v := settings[key]
		switch key {
		case "path":
			s, ok := v.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return fmt.Errorf("maildir: setting path: want a directory such as \"~/Mail/work\", got %T %v", v, v)
			}
			p, err := expandPath(s)
			if err != nil {
				return fmt.Errorf("maildir: setting path: %w", err)
			}
			c.root = p
		case "folders":
			list, err := stringsSetting(v)
			if err != nil {
				return fmt.Errorf("maildir: setting folders: %w", err)
			}
			c.folders = list
		case "sync_days":
			n, err := daysSetting(v)
			if err != nil {
				return fmt.Errorf("maildir: setting sync_days: %w", err)
			}
			c.syncDays = n
		case "on_done":
			s, _ := v.(string)
			switch s {
			case onDoneNone, onDoneSeen:
				c.onDone = s
			default:
				return fmt.Errorf("maildir: setting on_done: want %q or %q, got %v", onDoneNone, onDoneSeen, v)
			}
		default:
			return fmt.Errorf("maildir: unknown setting %q (known: folders, on_done, path, sync_days)", key)
		}
	}
	if c.root == "" {
		return fmt.Errorf("maildir: setting path is required (the maildir, e.g. \"~/Mail/work\")")
	}
	return nil
}

// expandPath expands a leading ~ to the home directory and makes p absolute.
func expandPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("expand %q: %w", p, err)
		}
		p = filepath.Join(home, p[1:])
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", p, err)
	}
	return abs, nil
}

func stringsSetting(v any) ([]string, error) {
	var raw []any
	switch v := v.(type) {
	case []string:
		for _, s := range v {
			raw = append(raw, s)
		}
	case []any:
		raw = v
	default:
		return nil, fmt.Errorf("want a list of folder names such as [\"INBOX\"], got %T %v", v, v)
	}
	out := make([]string, 0, len(raw))
	for _, x := range raw {
		s, ok := x.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("want folder names, got %T %v", x, x)
		}
		out = append(out, strings.Trim(strings.TrimSpace(s), "/"))
	}
	return out, nil
}

func daysSetting(v any) (int, error) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case float64: // JSON numbers
		if v != float64(int64(v)) {
			return 0, fmt.Errorf("want a whole number of days, got %v", v)
		}
		n = int64(v)
	default:
		return 0, fmt.Errorf("want a number of days, got %T %v", v, v)
	}
	if n < 0 {
		return 0, fmt.Errorf("must not be negative, got %d", n)
	}
	return int(min(n, 100*365)), nil
}

// cutoff is the oldest mtime in scope, or zero for no limit.
func (c *Connector) cutoff() time.Time {
	if c.syncDays == 0 {
		return time.Time{}
	}
	return c.now().AddDate(0, 0, -c.syncDays)
}

// folderSet discovers the tree and picks the configured folders; missing
// lists configured names that match no maildir.
func (c *Connector) folderSet() (sel []folder, missing []string, err error) {
	all, err := discover(c.root)
	if err != nil {
		return nil, nil, err
	}
	sel, missing = selectFolders(all, c.folders)
	return sel, missing, nil
}

// Validate checks that the path is a maildir or a tree of them and that
// every configured folder is there.
func (c *Connector) Validate(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	all, err := discover(c.root)
	if err != nil {
		return err
	}
	if _, missing := selectFolders(all, c.folders); len(missing) > 0 {
		names := make([]string, len(all))
		for i, f := range all {
			names[i] = f.Name
		}
		return fmt.Errorf("maildir: folders %q not found under %s (found: %s)", missing, c.root, strings.Join(names, ", "))
	}
	return nil
}
