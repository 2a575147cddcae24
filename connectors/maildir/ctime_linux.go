package maildir

import (
	"io/fs"
	"syscall"
	"time"
)

// changeTime is fi's status change time (ctime): a rename or link into the
// folder sets it to now even when the tool that moved the file kept, or set,
// an old modification time.
func changeTime(fi fs.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Unix())
	}
	return fi.ModTime()
}
