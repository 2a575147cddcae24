package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// inboxName is the folder name of the root maildir, as IMAP names it.
const inboxName = "INBOX"

// Discovery limits: a path pointed at a home directory by mistake must fail
// fast rather than walk the whole disk.
const (
	maxDepth   = 8
	maxVisited = 5000
)

// folder is one maildir in the tree.
type folder struct {
	// Name is how ids and the folders setting name it: "INBOX" for the root
	// maildir, else the path below the root with "/" between levels
	// (".Work.Projects" in a Maildir++ tree and Work/Projects in a nested
	// one are both "Work/Projects").
	Name string
	// Dir is the maildir's directory, holding cur/ new/ and tmp/.
	Dir string
	// aliases are other names the folders setting may use for it: the
	// Maildir++ name with dots (".Work.Projects", "Work.Projects") or the
	// nested path as written.
	aliases []string
}

// isMaildir reports whether dir holds cur/ and new/ directories. tmp/ is not
// required: readers never look in it, and some tools create it lazily.
func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// discover finds the maildirs under root: root itself (INBOX), Maildir++
// folders (".Work", ".Work.Projects" beside root's cur/), nested folders as
// mbsync's SubFolders Verbatim makes them (Work/, Work/Projects/, each a
// maildir or a plain directory holding some), and mbsync's Legacy layout
// (Work/.Projects). Hidden directories that are not maildirs (.notmuch,
// .git) are skipped, and symlinks to directories are followed within
// maxDepth.
func discover(root string) ([]folder, error) {
	fi, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("maildir: path %s does not exist: %w", root, fs.ErrNotExist)
	case err != nil:
		return nil, fmt.Errorf("maildir: path %s: %w", root, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("maildir: path %s is not a directory", root)
	}
	d := discoverer{seen: map[string]bool{}}
	rootIsMaildir := isMaildir(root)
	if rootIsMaildir {
		d.add(folder{Name: inboxName, Dir: root})
	}
	if err := d.walk(root, nil, rootIsMaildir); err != nil {
		return nil, err
	}
	if len(d.found) == 0 {
		return nil, fmt.Errorf("maildir: path %s holds no maildir (a directory with cur/ and new/ in it, or a tree of them)", root)
	}
	return d.found, nil
}

type discoverer struct {
	found   []folder
	seen    map[string]bool // folder names taken
	visited int
}

func (d *discoverer) add(f folder) {
	if d.seen[f.Name] {
		return // two layouts naming the same folder: the first found wins
	}
	d.seen[f.Name] = true
	d.found = append(d.found, f)
}

// walk looks for maildirs in dir, which is at path rel below the root.
func (d *discoverer) walk(dir string, rel []string, dirIsMaildir bool) error {
	d.visited++
	if d.visited > maxVisited {
		return fmt.Errorf("maildir: more than %d directories under the path: is it really a mail folder?", maxVisited)
	}
	if len(rel) >= maxDepth {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if len(rel) > 0 {
			return nil // an unreadable subdirectory hides only itself
		}
		return fmt.Errorf("maildir: read %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if dirIsMaildir && (name == "cur" || name == "new" || name == "tmp") {
			continue
		}
		child := filepath.Join(dir, name)
		if !isDir(e, child) {
			continue
		}
		mail := isMaildir(child)
		if hidden, ok := strings.CutPrefix(name, "."); ok {
			if !mail || hidden == "" || hidden == "." {
				continue
			}
			if len(rel) == 0 {
				// Maildir++: a flat list of ".A.B" beside the root's cur/.
				d.add(folder{
					Name:    strings.ReplaceAll(hidden, ".", "/"),
					Dir:     child,
					aliases: []string{hidden, name},
				})
				continue
			}
			// mbsync Legacy: A/.B is folder A/B.
			path := append(append([]string(nil), rel...), hidden)
			d.add(folder{Name: strings.Join(path, "/"), Dir: child})
			if err := d.walk(child, path, true); err != nil {
				return err
			}
			continue
		}
		path := append(append([]string(nil), rel...), name)
		if mail {
			f := folder{Name: strings.Join(path, "/"), Dir: child}
			if len(path) == 1 && strings.EqualFold(name, inboxName) && !d.seen[inboxName] {
				f.Name = inboxName // mbsync's "Inbox ~/Mail/work/INBOX"
			}
			d.add(f)
		}
		if err := d.walk(child, path, mail); err != nil {
			return err
		}
	}
	return nil
}

// isDir reports whether e is a directory or a symlink to one.
func isDir(e fs.DirEntry, path string) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// matches reports whether the folders setting's entry want names f.
func (f folder) matches(want string) bool {
	if want == f.Name || (f.Name == inboxName && strings.EqualFold(want, inboxName)) {
		return true
	}
	for _, a := range f.aliases {
		if want == a {
			return true
		}
	}
	return false
}

// selectFolders returns the folders of all that the folders setting names,
// in the order found, and the names that match none; want nil selects all.
func selectFolders(all []folder, want []string) (sel []folder, missing []string) {
	if want == nil {
		return all, nil
	}
	taken := map[string]bool{}
	for _, w := range want {
		hit := false
		for _, f := range all {
			if f.matches(w) {
				hit = true
				taken[f.Name] = true
			}
		}
		if !hit {
			missing = append(missing, w)
		}
	}
	for _, f := range all {
		if taken[f.Name] {
			sel = append(sel, f)
		}
	}
	return sel, missing
}
