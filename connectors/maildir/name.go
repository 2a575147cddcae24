package maildir

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
)

// fileName is a maildir file name split the way the Maildir spec
// (cr.yp.to/proto/maildir.html) splits it: a unique part that names the
// message for as long as it lives in its folder, and an info part after a
// separator that carries the flags. Delivery writes "unique" into new/; a
// reader moves it to cur/ as "unique:2,FLAGS"; flag changes rename within
// cur/. Only the unique part is stable, so it is what item ids are made of.
type fileName struct {
	Unique string
	// Sep is the info separator: ':' as the spec says, or ';' where ':'
	// cannot appear in file names (mbsync's InfoDelimiter on Windows). Zero
	// when the name has no info, as in new/.
	Sep byte
	// Info is what follows Sep: "2,FLAGS" for version-2 info.
	Info string
}

// parseName splits name. Every string splits, so a reader never loses a
// message over a strange name; String gives name back unchanged.
func parseName(name string) fileName {
	i := strings.IndexByte(name, ':')
	if i < 0 {
		i = strings.LastIndex(name, ";2,")
	}
	if i < 0 {
		return fileName{Unique: name}
	}
	return fileName{Unique: name[:i], Sep: name[i], Info: name[i+1:]}
}

// String is the file name.
func (n fileName) String() string {
	if n.Sep == 0 {
		return n.Unique
	}
	return n.Unique + string(n.Sep) + n.Info
}

// Flags returns the version-2 flags, or "" for a name without them.
func (n fileName) Flags() string {
	flags, _ := strings.CutPrefix(n.Info, "2,")
	if len(flags) == len(n.Info) {
		return ""
	}
	return flags
}

// Has reports whether flag is set: 'S' seen, 'T' trashed, 'R' replied,
// 'F' flagged, 'D' draft, 'P' passed.
func (n fileName) Has(flag byte) bool {
	return strings.IndexByte(n.Flags(), flag) >= 0
}

// WithFlag returns n with flag set (on) or cleared, its flags in ASCII order
// without repeats as the spec asks. A name without info gets version-2 info
// after sep. Info of another version is refused rather than rewritten.
// Flags are letters (upper case from the spec, lower case for Dovecot
// keywords); anything else found among them is dropped, since it could make
// the new name split differently.
func (n fileName) WithFlag(flag byte, on bool, sep byte) (fileName, error) {
	if n.Sep != 0 && !strings.HasPrefix(n.Info, "2,") {
		return n, fmt.Errorf("maildir: %q has info of an unknown version", n.String())
	}
	flags := []byte(n.Flags())
	flags = slices.DeleteFunc(flags, func(b byte) bool {
		return b == flag || !('A' <= b && b <= 'Z' || 'a' <= b && b <= 'z')
	})
	if on {
		flags = append(flags, flag)
	}
	slices.Sort(flags)
	flags = slices.Compact(flags)
	if n.Sep != 0 {
		sep = n.Sep
	}
	return fileName{Unique: n.Unique, Sep: sep, Info: "2," + string(flags)}, nil
}

// infoSep is the separator for names this package writes: ':' as the spec
// says, except on Windows, where ':' is not allowed in file names and mbsync
// and others use ';'.
func infoSep() byte {
	if runtime.GOOS == "windows" {
		return ';'
	}
	return ':'
}
