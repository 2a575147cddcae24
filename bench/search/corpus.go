package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// hamDirs are the SpamAssassin folders holding legitimate mail. The spam
// folders beside them are never read.
var hamDirs = []string{"easy-ham-1", "easy-ham-2", "hard-ham-1"}

// loadCorpus reads every message file of the ham folders under dir, in
// path order, without the mbox "From " line the corpus keeps.
func loadCorpus(dir string) ([][]byte, error) {
	var msgs [][]byte
	for _, h := range hamDirs {
		folder := filepath.Join(dir, h)
		entries, err := os.ReadDir(folder)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		var names []string
		for _, e := range entries {
			// The npm package has NNNNN.MD5.txt (the message) beside
			// NNNNN.MD5.json (metadata).
			if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), ".json") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, name := range names {
			data, err := os.ReadFile(filepath.Join(folder, name))
			if err != nil {
				return nil, fmt.Errorf("corpus: %w", err)
			}
			if data = stripMboxFrom(data); len(data) > 0 {
				msgs = append(msgs, data)
			}
		}
	}
	if len(msgs) == 0 {
		return nil, fmt.Errorf("corpus %s: no messages in %s", dir, strings.Join(hamDirs, ", "))
	}
	return msgs, nil
}

func stripMboxFrom(msg []byte) []byte {
	if !bytes.HasPrefix(msg, []byte("From ")) {
		return msg
	}
	if i := bytes.IndexByte(msg, '\n'); i >= 0 {
		return msg[i+1:]
	}
	return nil
}

// withMessageID returns msg with every Message-ID header (and its folded
// continuation lines) dropped and one "Message-ID: id" put first, so each
// copy of a cycled message is a distinct message to both indexers.
func withMessageID(msg []byte, id string) []byte {
	out := make([]byte, 0, len(msg)+len(id)+16)
	out = append(out, "Message-ID: "+id+"\n"...)
	rest := msg
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break // the header block ends; the body follows untouched
		}
		if len(line) > 11 && bytes.EqualFold(line[:11], []byte("message-id:")) {
			for len(next) > 0 && (next[0] == ' ' || next[0] == '\t') {
				_, next = cutLine(next)
			}
			rest = next
			continue
		}
		out = append(out, line...)
		rest = next
	}
	return append(out, rest...)
}

func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], b[i+1:]
	}
	return b, nil
}
