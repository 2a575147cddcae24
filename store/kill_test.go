package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

const (
	killEnv     = "LULL_KILL_CHILD_DIR"
	killAccount = "kill"
)

// killConnector is a deterministic fake connector: message seq is always
// the same item, and the cursor is the decimal next sequence number.
type killConnector struct{ s *Store }

func killItem(seq int) inbox.Item {
	native := fmt.Sprintf("msg-%d", seq)
	return inbox.Item{
		ID:       inbox.NewID(killAccount, native),
		Account:  killAccount,
		Source:   inbox.SourceEmail,
		Thread:   fmt.Sprintf("thread-%d", seq/4),
		Title:    "message " + native,
		From:     inbox.Person{Addr: "sender@example.com"},
		Body:     strings.Repeat(native+" ", 1+seq%300), // some bodies inline, some in the value log
		Received: t0.Add(time.Duration(seq) * time.Second),
	}
}

// next resumes from the stored cursor and applies one batch of 1–20 items,
// returning the last sequence number written.
func (c killConnector) next(ctx context.Context) (last int, err error) {
	cur, err := c.s.Cursor(ctx, killAccount)
	if err != nil {
		return 0, err
	}
	seq := 0
	if cur != nil {
		if seq, err = strconv.Atoi(string(cur)); err != nil {
			return 0, fmt.Errorf("bad cursor %q: %w", cur, err)
		}
	}
	n := 1 + (seq*7+3)%20
	b := Batch{Account: killAccount, Cursor: []byte(strconv.Itoa(seq + n))}
	for i := seq; i < seq+n; i++ {
		b.Upserts = append(b.Upserts, killItem(i))
	}
	if _, err := c.s.Apply(ctx, b); err != nil {
		return 0, err
	}
	return seq + n - 1, nil
}

// TestKillChild is the child half of TestKill9KeepsAcknowledged: it writes
// batches and acknowledges each on stdout until it is killed.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killEnv)
	if dir == "" {
		return
	}
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: dir, Logger: quietLogger(), GCInterval: 50 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stdout, "error", err)
		os.Exit(2)
	}
	c := killConnector{s: s}
	deadline := time.Now().Add(2 * time.Minute) // in case the parent is gone
	for time.Now().Before(deadline) {
		last, err := c.next(ctx)
		if err != nil {
			fmt.Fprintln(os.Stdout, "error", err)
			os.Exit(2)
		}
		// os.Stdout is unbuffered: the line is in the pipe when this returns.
		fmt.Fprintf(os.Stdout, "ack %d\n", last)
	}
	os.Exit(3)
}

func TestKill9KeepsAcknowledged(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL on Windows")
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	dir := t.TempDir()
	for round := range 3 {
		killAfter := 5 + rng.IntN(196)
		lastAck := runKillChild(t, dir, killAfter)
		t.Logf("round %d: killed after %d acks, last acked seq %d", round, killAfter, lastAck)

		ctx := context.Background()
		s := openAt(t, dir)
		for seq := 0; seq <= lastAck; seq++ {
			if _, err := s.Get(ctx, killItem(seq).ID); err != nil {
				t.Fatalf("round %d: acked seq %d lost: %v", round, seq, err)
			}
		}
		// Resume the connector in-process from the stored cursor.
		c := killConnector{s: s}
		for range 5 {
			if _, err := c.next(ctx); err != nil {
				t.Fatal(err)
			}
		}
		cur, err := s.Cursor(ctx, killAccount)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(string(cur))
		if err != nil {
			t.Fatal(err)
		}
		if n <= lastAck {
			t.Fatalf("round %d: cursor %d is behind last ack %d", round, n, lastAck)
		}
		got, err := s.AccountItemCount(ctx, killAccount)
		if err != nil || got != n {
			t.Fatalf("round %d: %d items, %v; want exactly %d (the cursor)", round, got, err, n)
		}
		wantCounts(t, s, map[inbox.State]int{inbox.StateInbox: n})
		seen := make([]int, n)
		for off := 0; off < n; off += inbox.MaxLimit {
			p, err := s.List(ctx, inbox.Query{Offset: off, Limit: inbox.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			for _, sm := range p.Items {
				seq, err := strconv.Atoi(strings.TrimPrefix(string(sm.ID), killAccount+"/msg-"))
				if err != nil || seq < 0 || seq >= n {
					t.Fatalf("round %d: unexpected item %s", round, sm.ID)
				}
				seen[seq]++
			}
		}
		for seq, k := range seen {
			if k != 1 {
				t.Fatalf("round %d: seq %d listed %d times", round, seq, k)
			}
		}
		checkIntegrity(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// runKillChild runs TestKillChild on dir, SIGKILLs it after killAfter acks
// and returns the highest sequence number it acknowledged.
func runKillChild(t *testing.T, dir string, killAfter int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	acks, last := 0, -1
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error ") {
			t.Errorf("child: %s", line)
			continue
		}
		v, ok := strings.CutPrefix(line, "ack ")
		if !ok {
			continue
		}
		seq, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("child wrote %q", line)
		}
		last = max(last, seq)
		// Acks read after the kill count too: the child wrote them after
		// their batch committed.
		if acks++; acks == killAfter && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child exited before %d acks (%d): %v", killAfter, acks, err)
	}
	return last
}
