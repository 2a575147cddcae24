package search

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/store"
)

// eventually waits for the index itself (not Run, which checks results
// against the store) to return want for query.
func (e *env) eventually(query string, want ...string) {
	e.t.Helper()
	q, err := Parse(query, t0)
	if err != nil {
		e.t.Fatal(err)
	}
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ids, _, err := e.x.Search(context.Background(), q, 0, 100)
		if err != nil {
			e.t.Fatal(err)
		}
		got = []string{}
		for _, id := range ids {
			_, native, _ := id.Split()
			got = append(got, native)
		}
		if want == nil {
			want = []string{}
		}
		if reflect.DeepEqual(got, want) {
			return
		}
	}
	e.t.Fatalf("index search %q = %v, want %v", query, got, want)
}

// TestStartFollowsTheStore: once started, every kind of store write reaches
// the index without anyone telling it: sync batches, triage, removal,
// account deletion.
func TestStartFollowsTheStore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.loadCorpus() // before Start: found by its catch-up
	if err := e.x.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.eventually("report", "c4", "m2", "m1")

	e.apply(store.Batch{Upserts: []inbox.Item{mail("m7", inbox.SourceEmail, bob, "Zebra migration", "north", time.Minute)}})
	e.eventually("zebra", "m7")
	e.triage("m7", inbox.StateLater)
	e.eventually("in:later", "m7", "m3")
	e.triage("m1", inbox.StateDone)
	e.eventually("report", "c4", "m2")
	e.eventually("is:done", "g5", "m1")
	e.apply(store.Batch{Removes: []inbox.ID{"acct/c4"}})
	e.eventually("report", "m2")
	e.apply(store.Batch{Marks: []store.Mark{{ID: "acct/m2", Unread: true}}})
	e.eventually("is:unread", "m2")

	res, err := e.x.Run(ctx, "", 10)
	if err != nil || res.Indexing {
		t.Fatalf("Run after catch-up: indexing %v, %v", res.Indexing, err)
	}
	if err := e.st.DeleteAccount(ctx, "acct"); err != nil {
		t.Fatal(err)
	}
	e.eventually("in:all")

	// The version marker followed: reopening finds nothing to catch up.
	e.apply(store.Batch{Upserts: []inbox.Item{mail("m8", inbox.SourceEmail, bob, "After", "all", time.Minute)}})
	v, err := e.st.Version(ctx) // the version of that write: nothing else writes
	if err != nil {
		t.Fatal(err)
	}
	e.eventually("after", "m8")
	// A batch is searchable a moment before its version is recorded.
	for deadline := time.Now().Add(5 * time.Second); e.x.Version() != v; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("index version %d, want the store's %d", e.x.Version(), v)
		}
	}
	e.reopen()
	if got := e.x.Version(); got != v {
		t.Fatalf("reopened at version %d, want %d", got, v)
	}
	e.assertInStep()
}

func TestCloseWhileFollowing(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.x.Start(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			it := mail(fmt.Sprintf("n%d", i), inbox.SourceEmail, ann, "busy", "busy", time.Minute)
			if _, err := e.st.Apply(ctx, store.Batch{Account: "acct", Upserts: []inbox.Item{it}}); err != nil {
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	if err := e.x.Close(); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	e.x = openIndex(t, e.st, e.dir)
	e.catchUp()
	e.assertInStep()
}

const (
	killEnv     = "LULL_SEARCH_KILL_DIR"
	killAccount = "kill"
)

// killTitle is the title of item n after its rev'th write: the rev word
// shows which write the index holds.
func killTitle(n, rev int) string { return fmt.Sprintf("message %d rev%d", n, rev) }

// TestKillChild is the child half of TestKill9CatchesUp: it runs a store
// and a following index, writing batches, triage and removals, and prints
// "ack" after each store write until it is killed.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killEnv)
	if dir == "" {
		return
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Dir: dir, Logger: quietLogger(), GCInterval: -1})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	x, err := Open(ctx, st, dir, Options{Logger: quietLogger()})
	if err == nil {
		err = x.Start(ctx)
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	revs := map[int]int{}
	deadline := time.Now().Add(time.Minute) // in case the parent is gone
	for seq := 0; time.Now().Before(deadline); seq++ {
		b := store.Batch{Account: killAccount}
		// Five new items and a rewrite of an older one.
		for n := seq * 5; n < seq*5+5; n++ {
			b.Upserts = append(b.Upserts, killItem(n, 0))
			revs[n] = 0
		}
		if seq > 0 {
			n := (seq * 7) % (seq * 5)
			revs[n]++
			b.Upserts = append(b.Upserts, killItem(n, revs[n]))
		}
		if seq%5 == 4 {
			b.Removes = []inbox.ID{inbox.NewID(killAccount, fmt.Sprint(seq*5-3))}
		}
		if _, err := st.Apply(ctx, b); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		if seq%3 == 2 {
			id := inbox.NewID(killAccount, fmt.Sprint(seq*5-1))
			if _, err := st.SetTriage(ctx, id, inbox.Triage{State: inbox.StateDone}); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
		}
		fmt.Println("ack", seq)
	}
	os.Exit(0)
}

func killItem(n, rev int) inbox.Item {
	native := fmt.Sprint(n)
	return inbox.Item{
		ID: inbox.NewID(killAccount, native), Account: killAccount, Source: inbox.SourceEmail,
		Title: killTitle(n, rev), From: ann, Body: strings.Repeat("word ", 1+n%50),
		Received: t0.Add(time.Duration(n) * time.Second),
	}
}

// TestKill9CatchesUp kills a process that writes the store while its index
// follows, at a random moment, several times over the same folder; each
// time the reopened index catches up to exactly what the store holds.
func TestKill9CatchesUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		dir := t.TempDir()
		acks := 5 + rand.IntN(30)
		cmd := exec.Command(exe, "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		seen := 0
		for seen < acks && sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				t.Fatalf("child: %s", line)
			}
			if strings.HasPrefix(line, "ack") {
				seen++
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if seen < acks {
			t.Fatalf("round %d: child acknowledged %d writes, want %d", round, seen, acks)
		}

		st := openStore(t, dir)
		x := openIndex(t, st, dir)
		behind := x.Version()
		e := &env{t: t, dir: dir, st: st, x: x}
		e.catchUp()
		t.Logf("round %d: killed after %d acks; index was at version %d, caught up to %d", round, acks, behind, x.Version())
		e.assertInStep()
		e.assertTitles()
		x.Close()
		st.Close()
	}
}

// assertTitles checks that every item's current title is what the index
// matches: the revision words find exactly the items at that revision.
func (e *env) assertTitles() {
	e.t.Helper()
	ctx := context.Background()
	var ids []inbox.ID
	if _, err := e.st.ItemVersions(ctx, func(id inbox.ID, _ uint64) error { ids = append(ids, id); return nil }); err != nil {
		e.t.Fatal(err)
	}
	items, _, err := e.st.Items(ctx, ids)
	if err != nil {
		e.t.Fatal(err)
	}
	byRev := map[string][]inbox.ID{}
	for _, it := range items {
		f := strings.Fields(it.Title)
		byRev[f[len(f)-1]] = append(byRev[f[len(f)-1]], it.ID)
	}
	for rev, want := range byRev {
		got, _, err := e.x.Search(ctx, Query{Subject: []Term{{Value: rev}}, States: inbox.States}, 0, len(items)+1)
		if err != nil {
			e.t.Fatal(err)
		}
		if !sameIDs(got, want) {
			e.t.Errorf("subject:%s finds %v, store has %v", rev, got, want)
		}
	}
}

// TestBehind: results say the index is behind while its start-up catch-up
// runs or while a backlog of at least BacklogBehind items waits, not for
// the few items a triage or a new message writes.
func TestBehind(t *testing.T) {
	for _, c := range []struct {
		name     string
		caughtUp bool
		backlog  int
		want     bool
	}{
		{name: "start-up catch-up running", want: true},
		{name: "following, nothing waits", caughtUp: true, want: false},
		{name: "a triage waits", caughtUp: true, backlog: 1, want: false},
		{name: "a backlog just under", caughtUp: true, backlog: BacklogBehind - 1, want: false},
		{name: "a backlog waits", caughtUp: true, backlog: BacklogBehind, want: true},
	} {
		if got := behind(c.caughtUp, c.backlog); got != c.want {
			t.Errorf("%s: behind = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestBehindABigSync: a sync batch of thousands of items makes results say
// the index is behind until they are all indexed, then not.
func TestBehindABigSync(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.x.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.eventually("in:all")
	// A first sync writes batches of 500 (the store's most per transaction).
	for b := range 6 {
		var batch store.Batch
		for i := b * 500; i < (b+1)*500; i++ {
			batch.Upserts = append(batch.Upserts, mail(fmt.Sprintf("b%d", i), inbox.SourceEmail, bob, fmt.Sprintf("Backlog %d", i), "words", time.Duration(i)*time.Second))
		}
		e.apply(batch)
	}
	// A search right after the writes finds the index behind: it cannot
	// have taken in 3,000 items yet, and writes the watch has not reported
	// count too.
	res, err := e.x.Run(ctx, "backlog", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Indexing || res.Backlog < BacklogBehind {
		t.Fatalf("just after 3,000 items were written: indexing %v, backlog %d", res.Indexing, res.Backlog)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		res, err := e.x.Run(ctx, "backlog", 1)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Indexing {
			// Fewer than BacklogBehind may still wait, and Backlog says how many.
			if res.Total+res.Backlog < 3000 {
				t.Fatalf("no longer indexing, but backlog finds %d of 3000 with %d said to wait", res.Total, res.Backlog)
			}
			if res.Backlog == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after a 3,000-item batch: indexing %v, backlog %d", res.Indexing, res.Backlog)
		}
	}
}

// TestBacklog counts the items the index has yet to take in: all of them
// before the first catch-up, none after, and one per item written since.
func TestBacklog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	backlog := func(want int, when string) {
		t.Helper()
		n, err := e.x.Backlog(ctx)
		if err != nil || n != want {
			t.Fatalf("%s: Backlog = %d, %v; want %d", when, n, err, want)
		}
	}
	backlog(0, "empty store")
	e.loadCorpus()
	backlog(6, "corpus loaded, not indexed")
	e.catchUp()
	backlog(0, "caught up")
	e.triage("m1", inbox.StateDone)
	e.apply(store.Batch{Upserts: []inbox.Item{mail("m8", inbox.SourceEmail, bob, "Another", "text", time.Minute)}})
	backlog(2, "a triage and a new item")
	e.catchUp()
	backlog(0, "caught up again")
}
