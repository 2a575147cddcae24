//go:build !linux && !darwin && !freebsd && !netbsd

package maildir

import (
	"io/fs"
	"time"
)

// changeTime falls back to the modification time where Go's FileInfo carries
// no status change time (Windows among others).
func changeTime(fi fs.FileInfo) time.Time {
	return fi.ModTime()
}
