package maildir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/mailparse"
)

// readLimit is the most bytes read from one message file. mailparse keeps
// only the first MaxBody bytes of a body but reads the rest to discard it;
// stopping here spares reading a 30 MB attachment off the disk to throw it
// away, and still leaves more than MaxBody of body, so Parse sees that the
// message was cut and reports it Truncated.
const readLimit = mailparse.DefaultMaxHeader + mailparse.DefaultMaxBody + 1

// maxParseWarnings is how many malformed messages a session logs at warning
// level; the rest go to debug, so an archive of old spam cannot flood the log.
const maxParseWarnings = 10

// readItems parses the files of work in parallel. A file that vanished or
// cannot be read leaves a zero Item at its index; vanished reports which
// vanished (a rename or delete under way, which the watcher will report).
// It returns early with ctx's error when ctx ends.
func (s *session) readItems(ctx context.Context, work []todo) (items []inbox.Item, vanished []bool, err error) {
	items = make([]inbox.Item, len(work))
	vanished = make([]bool, len(work))
	errs := make([]error, len(work))
	workers := min(runtime.GOMAXPROCS(0), 4, len(work))
	var next atomic.Int64
	var logMu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(work) || ctx.Err() != nil {
					return
				}
				var perr error
				items[i], perr, errs[i] = s.readItem(work[i])
				if perr != nil {
					logMu.Lock()
					s.logParse(ctx, work[i].e.path(work[i].f.Dir), perr)
					logMu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		t := work[i]
		if errors.Is(err, fs.ErrNotExist) {
			vanished[i] = true
			continue
		}
		// Permission denied, a directory, an I/O error: keep it out of the
		// rescans until it changes, and say so once.
		t.f.ignored[t.e.unique] = s.gen
		s.c.log.Warn("maildir: cannot read message file", "err", err)
	}
	return items, vanished, nil
}

// readItem parses one message file into its item. perr reports a message
// only partly parsed (the item holds what was read); err a file that could
// not be read at all.
func (s *session) readItem(t todo) (it inbox.Item, perr, err error) {
	path := t.e.path(t.f.Dir)
	f, err := os.Open(path)
	if err != nil {
		return inbox.Item{}, nil, fmt.Errorf("maildir: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return inbox.Item{}, nil, fmt.Errorf("maildir: stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return inbox.Item{}, nil, fmt.Errorf("maildir: read %s: not a regular file", path)
	}
	m, perr := mailparse.Parse(io.LimitReader(f, readLimit), mailparse.Limits{})
	// A read error from the file surfaces inside perr; the partial message
	// is still worth keeping.
	it = m.Item(s.c.account, t.f.Name+"/"+t.e.unique)
	it.Unread = !t.e.seen
	it.Received = received(m.Date, fi.ModTime(), s.c.now())
	return it, perr, nil
}

// received picks an item's Received time: the Date header, unless it is
// missing or nonsense (before 1980, or more than two days ahead: spam and
// broken clocks), in which case the file's mtime, the arrival time.
func received(date, mtime, now time.Time) time.Time {
	if date.IsZero() || date.Year() < 1980 || date.After(now.Add(48*time.Hour)) {
		return mtime
	}
	return date
}

// logParse logs a malformed message: its file and what mailparse could not
// read (header problems, never body text).
func (s *session) logParse(ctx context.Context, path string, perr error) {
	s.parseLogged++
	level := slog.LevelWarn
	if s.parseLogged > maxParseWarnings {
		level = slog.LevelDebug
	}
	s.c.log.Log(ctx, level, "maildir: message partly parsed; kept what was readable", "file", path, "err", perr)
	if s.parseLogged == maxParseWarnings {
		s.c.log.Warn("maildir: more malformed messages are logged at debug level")
	}
}
