package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lullhq/lull/connectors/imap/dovecottest"
)

// runResult is one timed run of one client.
type runResult struct {
	Wall   time.Duration
	MaxRSS int64 // KiB
	// RSSSampled: MaxRSS is the largest VmHWM sampled while the child ran
	// (exact ru_maxrss was masked by this program's own size).
	RSSSampled bool
	Items      int // messages the client ended up with, -1 if unknown
	Stdout     string
	Stderr     string
	Err        error
}

// timed runs cmd and measures its wall time and peak RSS.
func timed(cmd *exec.Cmd) runResult {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	quiesce()
	probe := newRSSProbe()
	start := time.Now()
	err := cmd.Start()
	if err == nil {
		probe.watch(cmd.Process.Pid)
		err = cmd.Wait()
	}
	r := runResult{Wall: time.Since(start), Items: -1, Err: err}
	r.MaxRSS, r.RSSSampled = probe.finish(cmd.ProcessState)
	r.Stdout, r.Stderr = stdout.String(), stderr.String()
	return r
}

// lullRunner runs `lull sync --once` against the test server, each time
// into a fresh data folder.
type lullRunner struct {
	bin     string
	config  string // TOML file
	account string
	scratch string // parent of the per-run data folders
}

func newLullRunner(bin, scratch string, srv *dovecottest.Server) (*lullRunner, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	r := &lullRunner{bin: abs, account: "bench", scratch: scratch, config: filepath.Join(scratch, "lull.toml")}
	toml := fmt.Sprintf(`[accounts.%s]
kind = "imap"
host = %q
port = %d
tls = "none"
username = %q
password_cmd = %q
folders = ["INBOX"]
sync_days = 0
`, r.account, srv.Host, srv.Port, srv.User, "printf %s "+srv.Password)
	if err := os.WriteFile(r.config, []byte(toml), 0o600); err != nil {
		return nil, err
	}
	return r, nil
}

var lullItemsLine = regexp.MustCompile(`(?m)^(\S+)\s+(\d+) items\s*$`)

func (l *lullRunner) run(ctx context.Context, i int) runResult {
	// Left in place until the end: deleting files here would put the
	// file system's cleanup into the next run's time.
	data := filepath.Join(l.scratch, fmt.Sprintf("lull-data-%d", i))
	cmd := exec.CommandContext(ctx, l.bin, "--config", l.config, "--data", data, "sync", "--once")
	r := timed(cmd)
	// `lull sync --once` prints "ACCOUNT\tN items" per account.
	for _, m := range lullItemsLine.FindAllStringSubmatch(r.Stdout, -1) {
		if m[1] == l.account {
			r.Items, _ = strconv.Atoi(m[2])
		}
	}
	return r
}

// mbsyncRunner runs `mbsync -a` into a fresh Maildir each time.
type mbsyncRunner struct {
	bin     string
	version string
	farNear bool // isync >= 1.4 says Far/Near, older Master/Slave
	fsync   bool
	scratch string
	srv     *dovecottest.Server
}

func newMbsyncRunner(ctx context.Context, bin, scratch string, srv *dovecottest.Server, fsync bool) (*mbsyncRunner, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("mbsync not found (apt install isync): %w", err)
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("mbsync --version: %w", err)
	}
	version := strings.TrimSpace(string(out))
	return &mbsyncRunner{bin: path, version: version, farNear: isyncAtLeast(version, 1, 4), fsync: fsync, scratch: scratch, srv: srv}, nil
}

// isyncAtLeast parses "isync 1.4.4".
func isyncAtLeast(version string, major, minor int) bool {
	f := strings.Fields(version)
	if len(f) == 0 {
		return false
	}
	parts := strings.SplitN(f[len(f)-1], ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

func (m *mbsyncRunner) rc(dir string) string {
	far, near, create := "Far", "Near", "Near"
	if !m.farNear {
		far, near, create = "Master", "Slave", "Slave"
	}
	fsync := "no"
	if m.fsync {
		fsync = "yes"
	}
	mail := filepath.Join(dir, "mail")
	return fmt.Sprintf(`FSync %s

IMAPAccount bench
Host %s
Port %d
User %s
Pass "%s"
SSLType None
AuthMechs LOGIN

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path %s/
Inbox %s/INBOX

Channel bench
%s :bench-far:
%s :bench-near:
Patterns INBOX
Sync Pull
Create %s
SyncState *
`, fsync, m.srv.Host, m.srv.Port, m.srv.User, m.srv.Password, mail, mail, far, near, create)
}

func (m *mbsyncRunner) run(ctx context.Context, i int) runResult {
	dir := filepath.Join(m.scratch, fmt.Sprintf("mbsync-%d", i)) // kept, as lull's
	// mbsync creates the INBOX Maildir but not the store's root.
	if err := os.MkdirAll(filepath.Join(dir, "mail"), 0o700); err != nil {
		return runResult{Items: -1, Err: err}
	}
	rcPath := filepath.Join(dir, "mbsyncrc")
	if err := os.WriteFile(rcPath, []byte(m.rc(dir)), 0o600); err != nil {
		return runResult{Items: -1, Err: err}
	}
	cmd := exec.CommandContext(ctx, m.bin, "-c", rcPath, "-a")
	// mbsync reads nothing from HOME with -c and SyncState *, but keep it
	// away from the real one all the same.
	cmd.Env = append(os.Environ(), "HOME="+dir)
	r := timed(cmd)
	r.Items = countMaildir(filepath.Join(dir, "mail", "INBOX"))
	return r
}

// countMaildir counts message files in cur/ and new/.
func countMaildir(dir string) int {
	n := 0
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				n++
			}
		}
	}
	return n
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
