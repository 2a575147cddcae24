package maildir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// entry is one message file found in a folder.
type entry struct {
	unique  string
	name    string // the file name: unique plus info
	sub     string // "new" or "cur"
	seen    bool   // the S flag
	trashed bool   // the T flag

	// From lstat; statted says they are filled in.
	statted bool
	regular bool
	mtime   time.Time
	ctime   time.Time // status change: a rename or link sets it, utime cannot
	size    int64
}

func newEntry(sub, name string) entry {
	n := parseName(name)
	return entry{unique: n.Unique, name: name, sub: sub, seen: n.Has('S'), trashed: n.Has('T')}
}

// path is e's file in the maildir at dir.
func (e entry) path(dir string) string { return filepath.Join(dir, e.sub, e.name) }

// stat fills in e's file metadata.
func (e *entry) stat(dir string) error {
	fi, err := os.Lstat(e.path(dir))
	if err != nil {
		return err
	}
	e.setStat(fi)
	return nil
}

func (e *entry) setStat(fi fs.FileInfo) {
	e.statted = true
	e.regular = fi.Mode().IsRegular()
	e.mtime = fi.ModTime()
	e.ctime = changeTime(fi)
	e.size = fi.Size()
}

// listFolder lists the messages of the maildir at dir: new/ first, then
// cur/, one entry per unique name. Messages only ever move from new/ to cur/,
// so listing in that order never misses one that moves meanwhile; a name in
// both (a move seen half-way) keeps its cur/ entry. Dot files (lock files,
// NFS leftovers) are skipped, as the spec asks readers to.
func listFolder(dir string) ([]entry, error) {
	var out []entry
	index := map[string]int{}
	for _, sub := range []string{"new", "cur"} {
		names, err := readNames(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if strings.HasPrefix(name, ".") {
				continue
			}
			e := newEntry(sub, name)
			if e.unique == "" {
				continue
			}
			if i, dup := index[e.unique]; dup {
				out[i] = e
				continue
			}
			index[e.unique] = len(out)
			out = append(out, e)
		}
	}
	return out, nil
}

// readNames lists dir without sorting and without a stat per entry, which is
// what keeps a rescan of a 100k-message folder cheap.
func readNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("maildir: list %s: %w", dir, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("maildir: list %s: %w", dir, err)
	}
	return names, nil
}

// locate finds the file of the message unique in the maildir at dir,
// reading the directories in chunks so it stops once found.
func locate(dir, unique string) (entry, error) {
	for _, sub := range []string{"new", "cur"} {
		e, err := locateIn(filepath.Join(dir, sub), sub, unique)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return entry{}, err
		}
	}
	return entry{}, fmt.Errorf("maildir: message %s not found in %s: %w", unique, dir, fs.ErrNotExist)
}

func locateIn(dir, sub, unique string) (entry, error) {
	d, err := os.Open(dir)
	if err != nil {
		return entry{}, fmt.Errorf("maildir: list %s: %w", dir, err)
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(1024)
		for _, name := range names {
			if strings.HasPrefix(name, unique) && parseName(name).Unique == unique {
				return newEntry(sub, name), nil
			}
		}
		if errors.Is(err, io.EOF) {
			return entry{}, fs.ErrNotExist
		}
		if err != nil {
			return entry{}, fmt.Errorf("maildir: list %s: %w", dir, err)
		}
	}
}
