package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/imap/dovecottest"
	"github.com/lullhq/lull/store"
)

// TestMain lets a test re-execute this binary as `lull` (LULL_AS_CLI=1), so
// a real process can be killed with SIGKILL in the middle of a sync.
func TestMain(m *testing.M) {
	if os.Getenv("LULL_AS_CLI") == "1" {
		if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "lull:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func imapConfig(t *testing.T, dir string, srv *dovecottest.Server) string {
	t.Helper()
	cfg := filepath.Join(dir, "config.toml")
	body := fmt.Sprintf(`[accounts.mail]
kind = "imap"
host = %q
port = %d
tls = "none"
username = %q
password_cmd = "printf %%s %s"
sync_days = 0
`, srv.Host, srv.Port, srv.User, srv.Password)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestIMAPSyncSurvivesKill9 kills `lull sync --once` with SIGKILL after it
// has committed some batches, resumes, and finds every message exactly once.
func TestIMAPSyncSurvivesKill9(t *testing.T) {
	srv := dovecottest.New(t)
	const n = 3000
	msgs := make([][]byte, n)
	now := time.Now()
	for i := range msgs {
		msgs[i] = []byte(fmt.Sprintf("From: s%d@example.org\r\nSubject: Kill test %d\r\nDate: %s\r\nMessage-ID: <k%d@example.org>\r\n\r\nbody %d\r\n",
			i%9, i, now.Add(-time.Duration(n-i)*time.Minute).Format(time.RFC1123Z), i, i))
	}
	if err := srv.Seed("INBOX", msgs); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := imapConfig(t, dir, srv)
	data := filepath.Join(dir, "data")
	args := []string{"--config", cfg, "--data", data, "sync", "--once"}

	child := exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), "LULL_AS_CLI=1", "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus"))
	stderr, err := child.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	progress := regexp.MustCompile(`mail: syncing .* (\d+)/(\d+)`)
	killedAt := -1
	sc := bufio.NewScanner(stderr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		m := progress.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if done, _ := strconv.Atoi(m[1]); done >= 1000 {
			child.Process.Signal(syscall.SIGKILL)
			killedAt = done
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	err = child.Wait()
	if killedAt < 0 {
		t.Fatalf("the sync finished before it could be killed (%v): the test proves nothing\n%s", err, strings.Join(lines, "\n"))
	}
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want SIGKILL", child.ProcessState)
	}
	t.Logf("killed with -9 after %d of %d messages were reported committed", killedAt, n)

	// Resume, in-process this time.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))
	var out, errOut strings.Builder
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("resumed sync: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("mail\t%d items", n)) {
		t.Fatalf("resumed sync printed %q, want %d items", out.String(), n)
	}
	st, err := store.Open(context.Background(), store.Options{Dir: data, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seen := map[string]bool{}
	for off := 0; ; off += inbox.MaxLimit {
		page, err := st.List(context.Background(), inbox.Query{State: inbox.StateInbox, Offset: off, Limit: inbox.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Items {
			if seen[s.Title] {
				t.Fatalf("%q stored twice", s.Title)
			}
			seen[s.Title] = true
		}
		if len(page.Items) < inbox.MaxLimit {
			break
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct messages in the store, want %d", len(seen), n)
	}
}
