package asana

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/asana/asanafake"
	"github.com/lullhq/lull/connectors/conformance"
)

const testAccount = "asana"

func newFake(t *testing.T, premium bool) *asanafake.Server {
	t.Helper()
	srv := asanafake.New(asanafake.Options{Premium: premium})
	t.Cleanup(srv.Close)
	return srv
}

func settingsFor(t *testing.T, srv *asanafake.Server, extra map[string]any) Settings {
	t.Helper()
	raw := map[string]any{"base_url": srv.BaseURL(), "poll": "50ms"}
	for k, v := range extra {
		raw[k] = v
	}
	s, err := ParseSettings(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newConn(s Settings, opts Options) *Connector {
	if opts.Token == nil {
		opts.Token = func(context.Context) (string, error) { return "asana_test", nil }
	}
	return NewWith(testAccount, s, opts)
}

// world is a seeded fake: who is who, and which comments must become items.
type world struct {
	me, ann, bob   string
	assigned       []string // task gids assigned to me
	followed       string   // a task I follow but am not assigned
	want           []string // comment gids that must become items
	wantIfFollowed []string // comments on the followed task (premium only)
	mention        string   // a comment mentioning me in html_text
	plainMention   string   // a comment mentioning me in plain text only
	notes          []string // stories that must not become items
}

// seed adds n assigned tasks with two comments each, one followed task,
// and stories that are not items: a system story, my own comment, and a
// comment older than the sync window.
func seed(srv *asanafake.Server, n int) world {
	w := world{me: srv.Me().GID, ann: srv.AddUser("Ann Lee"), bob: srv.AddUser("Bob Stone")}
	for i := range n {
		task := srv.AddTask(asanafake.Task{Name: fmt.Sprintf("Task %d", i), Assignee: w.me})
		w.assigned = append(w.assigned, task)
		w.want = append(w.want,
			srv.Comment(task, w.ann, fmt.Sprintf("First note on task %d", i)),
			srv.Comment(task, w.bob, fmt.Sprintf("Second note on task %d", i)))
	}
	t0 := w.assigned[0]
	w.mention = srv.Comment(t0, w.ann, "Can you check this?", w.me)
	w.plainMention = srv.Comment(t0, w.bob, "@me myself please confirm the date")
	w.want = append(w.want, w.mention, w.plainMention)
	w.notes = append(w.notes,
		srv.AddStory(asanafake.Story{Task: t0, Author: w.ann, Text: "Ann Lee assigned to you", Subtype: "assigned"}),
		srv.Comment(t0, w.me, "My own reply"),
		srv.AddStory(asanafake.Story{Task: t0, Author: w.bob, Text: "An old note", Created: time.Now().AddDate(0, -2, 0)}),
	)
	w.followed = srv.AddTask(asanafake.Task{Name: "Launch plan", Assignee: w.ann, Followers: []string{w.me}})
	w.wantIfFollowed = append(w.wantIfFollowed, srv.Comment(w.followed, w.ann, "Plan is ready"))
	return w
}

func ids(gids ...string) []inbox.ID {
	out := make([]inbox.ID, len(gids))
	for i, g := range gids {
		out[i] = inbox.NewID(testAccount, g)
	}
	slices.Sort(out)
	return out
}

// running is a Sync in the background on a memory sink.
type running struct {
	sink   *conformance.MemorySink
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func start(t *testing.T, c connectors.Connector, sink *conformance.MemorySink) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{sink: sink, cancel: cancel, done: make(chan struct{})}
	go func() {
		r.err = c.Sync(ctx, sink)
		close(r.done)
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(conformance.StopTimeout):
		t.Fatalf("Sync still running %v after cancellation", conformance.StopTimeout)
	}
	if errors.Is(r.err, context.Canceled) {
		return nil
	}
	return r.err
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ready(sink *conformance.MemorySink) bool {
	c, _ := sink.Cursor(context.Background())
	if c == nil {
		return false
	}
	return strings.Contains(string(c), `"ready":true`)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	srv := newFake(t, true)
	w := seed(srv, 20)
	s := settingsFor(t, srv, nil)
	conformance.Run(t, conformance.Harness{
		Account:     testAccount,
		New:         func(t *testing.T) connectors.Connector { return newConn(s, Options{}) },
		Settle:      300 * time.Millisecond,
		MinItems:    len(w.want) + len(w.wantIfFollowed),
		ExactResume: true,
		Delete: func(t *testing.T, victim inbox.ID) {
			_, gid, err := victim.Split()
			if err != nil {
				t.Fatal(err)
			}
			srv.DeleteStory(gid)
		},
		FailRequests: func(t *testing.T, n int) { srv.FailNext(n) },
		RateLimit:    func(t *testing.T, d time.Duration) { srv.RateLimitNext(d) },
	})
}

func TestInitialSync(t *testing.T) {
	for _, premium := range []bool{true, false} {
		t.Run(fmt.Sprintf("premium=%v", premium), func(t *testing.T) {
			srv := newFake(t, premium)
			w := seed(srv, 3)
			sink := conformance.NewMemorySink()
			r := start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
			waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(w.want)
			if premium {
				// Free workspaces have no search: only assigned tasks are followed.
				want = append(want, w.wantIfFollowed...)
			}
			if got := sink.IDs(); !slices.Equal(got, ids(want...)) {
				t.Errorf("items %v\nwant  %v", got, ids(want...))
			}

			it, _ := sink.Item(inbox.NewID(testAccount, w.want[0]))
			if it.Title != "Task 0" || it.Thread != w.assigned[0] || it.From.Name != "Ann Lee" || it.From.Addr != w.ann ||
				it.Body != "First note on task 0" || it.Snippet != it.Body || it.Source != inbox.SourceAsana ||
				it.URL != "https://app.asana.com/0/0/"+w.assigned[0]+"/f" || it.Unread || it.HasSignal(inbox.SignalMention) {
				t.Errorf("item = %+v", it)
			}
			for _, m := range []string{w.mention, w.plainMention} {
				if it, _ := sink.Item(inbox.NewID(testAccount, m)); !it.HasSignal(inbox.SignalMention) {
					t.Errorf("comment %q mentions me but has signals %v", it.Body, it.Signals)
				}
			}
		})
	}
}

func TestLiveCommentsEventsAndExpiredTokens(t *testing.T) {
	t.Parallel()
	srv := newFake(t, true)
	w := seed(srv, 3)
	sink := conformance.NewMemorySink()
	start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
	task := w.assigned[1]

	has := func(gid string) func() bool {
		return func() bool { _, ok := sink.Item(inbox.NewID(testAccount, gid)); return ok }
	}
	count := func(calls []asanafake.Call, prefix string) int {
		n := 0
		for _, c := range calls {
			if strings.HasPrefix(c.Path, prefix) {
				n++
			}
		}
		return n
	}

	// First change after the initial sync: no token yet → 412 gives one,
	// then the stories are read and only the new comment is upserted.
	reupserts := sink.Reupserts()
	srv.ResetCalls()
	first := srv.Comment(task, w.ann, "A live comment", w.me)
	waitFor(t, "the first live comment", 3*time.Second, has(first))
	it, _ := sink.Item(inbox.NewID(testAccount, first))
	if !it.Unread || !it.HasSignal(inbox.SignalMention) {
		t.Errorf("live comment = unread %v signals %v", it.Unread, it.Signals)
	}
	calls := srv.Calls()
	if n := count(calls, "/tasks/"+task+"/stories"); n != 1 {
		t.Errorf("first change read the stories %d times, want 1 (calls %v)", n, calls)
	}

	// Second change: the token's events name the comment; one story read.
	srv.ResetCalls()
	second := srv.Comment(task, w.bob, "Another live comment")
	waitFor(t, "the second live comment", 3*time.Second, has(second))
	time.Sleep(60 * time.Millisecond)
	calls = srv.Calls()
	if count(calls, "/tasks/"+task+"/stories") != 0 || count(calls, "/stories/"+second) != 1 || count(calls, "/events") == 0 {
		t.Errorf("second change did not go through the event stream: %v", calls)
	}

	// A deleted comment leaves through its event.
	srv.DeleteStory(first)
	waitFor(t, "the deleted comment to go", 3*time.Second, func() bool { return !has(first)() })

	// The token expires (412): the stories are read again and compared with
	// what is held, so the new comment arrives once and nothing else moves.
	srv.ExpireSyncTokens()
	srv.ResetCalls()
	third := srv.Comment(task, w.ann, "After the token expired")
	waitFor(t, "the comment after expiry", 3*time.Second, has(third))
	time.Sleep(60 * time.Millisecond)
	var saw412 bool
	for _, c := range srv.Calls() {
		saw412 = saw412 || c.Status == http.StatusPreconditionFailed
	}
	if !saw412 {
		t.Error("the expired token was never answered with 412")
	}
	if n := sink.Reupserts() - reupserts; n != 0 {
		t.Errorf("%d comments already held were upserted again", n)
	}
	want := append(slices.Clone(w.want), w.wantIfFollowed...)
	want = append(want, second, third)
	if got := sink.IDs(); !slices.Equal(got, ids(want...)) {
		t.Errorf("items %v\nwant  %v", got, ids(want...))
	}
	for _, b := range sink.Batches() {
		seen := map[inbox.ID]bool{}
		for _, it := range b.Upserts {
			if seen[it.ID] {
				t.Errorf("batch upserts %s twice", it.ID)
			}
			seen[it.ID] = true
		}
	}
}

func TestPagination(t *testing.T) {
	srv := newFake(t, false)
	me, ann := srv.Me().GID, srv.AddUser("Ann Lee")
	var want []string
	for i := range 130 { // two pages of tasks
		task := srv.AddTask(asanafake.Task{Name: fmt.Sprintf("T%d", i), Assignee: me})
		if i == 0 {
			for j := range 230 { // three pages of stories
				want = append(want, srv.Comment(task, ann, fmt.Sprintf("note %d", j)))
			}
			continue
		}
		want = append(want, srv.Comment(task, ann, "hello"))
	}
	sink := conformance.NewMemorySink()
	r := start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
	waitFor(t, "initial sync", 20*time.Second, func() bool { return ready(sink) })
	r.stop(t)
	if got := sink.IDs(); !slices.Equal(got, ids(want...)) {
		t.Errorf("%d items, want %d", len(got), len(want))
	}
	offsets := 0
	for _, c := range srv.Calls() {
		if strings.Contains(c.Path, "offset=") {
			offsets++
		}
	}
	if offsets < 3 {
		t.Errorf("only %d requests followed next_page.offset", offsets)
	}
	for _, b := range sink.Batches() {
		if len(b.Upserts) > batchItems {
			t.Errorf("a batch of %d upserts", len(b.Upserts))
		}
	}
}

// TestCallsPerIdlePoll measures the requests of a poll when nothing changed
// (the number docs/BENCHMARKS.md records).
func TestCallsPerIdlePoll(t *testing.T) {
	for _, tc := range []struct {
		premium    bool
		workspaces int
		want       int
	}{
		{false, 1, 1}, {true, 1, 2}, {true, 2, 4},
	} {
		t.Run(fmt.Sprintf("premium=%v,workspaces=%d", tc.premium, tc.workspaces), func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, tc.premium)
			seed(srv, 5)
			for i := 1; i < tc.workspaces; i++ {
				ws := srv.AddWorkspace(fmt.Sprintf("WS%d", i))
				task := srv.AddTask(asanafake.Task{Workspace: ws, Name: "Elsewhere", Assignee: srv.Me().GID})
				srv.Comment(task, srv.AddUser("Cy"), "hi")
			}
			sink := conformance.NewMemorySink()
			start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
			waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
			time.Sleep(150 * time.Millisecond) // the first live poll learns a free workspace has no search
			srv.ResetCalls()
			time.Sleep(time.Second)
			calls := srv.Calls()
			polls := 0
			for _, c := range calls {
				if strings.HasPrefix(c.Path, "/tasks?") && strings.Contains(c.Path, "workspace="+srv.Workspaces()[0]) {
					polls++
				}
			}
			if polls < 5 {
				t.Fatalf("only %d polls in a second at a 50ms interval", polls)
			}
			perPoll := float64(len(calls)) / float64(polls)
			t.Logf("Asana idle poll (premium=%v, %d workspace(s)): %.2f requests per poll (%d requests, %d polls)",
				tc.premium, tc.workspaces, perPoll, len(calls), polls)
			if len(calls) > tc.want*polls+tc.want { // a poll may be cut at either end
				t.Errorf("%d requests in %d polls; want %d per poll: %v", len(calls), polls, tc.want, calls[:min(len(calls), 12)])
			}
		})
	}
}

func TestWorkspacesSetting(t *testing.T) {
	srv := newFake(t, false)
	w := seed(srv, 2)
	other := srv.AddWorkspace("Side project")
	elsewhere := srv.AddTask(asanafake.Task{Workspace: other, Name: "Elsewhere", Assignee: w.me})
	far := srv.Comment(elsewhere, w.ann, "over here")

	for _, tc := range []struct {
		workspaces []any
		has, lacks string
	}{
		{[]any{"acme"}, w.want[0], far},                // by name, any case
		{[]any{other}, far, w.want[0]},                 // by gid
		{nil, far, ""},                                 // default: all
		{[]any{"Acme", "side project"}, w.want[0], ""}, // both
	} {
		extra := map[string]any{}
		if tc.workspaces != nil {
			extra["workspaces"] = tc.workspaces
		}
		sink := conformance.NewMemorySink()
		r := start(t, newConn(settingsFor(t, srv, extra), Options{}), sink)
		waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
		r.stop(t)
		if _, ok := sink.Item(inbox.NewID(testAccount, tc.has)); !ok {
			t.Errorf("workspaces %v: missing %s", tc.workspaces, tc.has)
		}
		if _, ok := sink.Item(inbox.NewID(testAccount, tc.lacks)); tc.lacks != "" && ok {
			t.Errorf("workspaces %v: has %s", tc.workspaces, tc.lacks)
		}
	}

	c := newConn(settingsFor(t, srv, map[string]any{"workspaces": []any{"Nope"}}), Options{})
	err := c.Sync(context.Background(), conformance.NewMemorySink())
	if !errors.Is(err, connectors.ErrPermanent) || !strings.Contains(err.Error(), `"Nope"`) || !strings.Contains(err.Error(), `"Side project"`) {
		t.Errorf("unknown workspace: %v", err)
	}
	if err := c.Validate(context.Background()); !errors.Is(err, connectors.ErrPermanent) {
		t.Errorf("Validate with an unknown workspace = %v", err)
	}
}

func TestTokenRejected(t *testing.T) {
	srv := newFake(t, false)
	seed(srv, 1)
	srv.SetToken("another")
	c := newConn(settingsFor(t, srv, nil), Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.Sync(ctx, conformance.NewMemorySink())
	if !errors.Is(err, connectors.ErrPermanent) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Sync = %v; want a permanent 401 error", err)
	}
	if strings.Contains(err.Error(), "asana_test") {
		t.Errorf("error shows the token: %v", err)
	}
	if err := c.Validate(ctx); !errors.Is(err, connectors.ErrPermanent) {
		t.Errorf("Validate = %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	t.Run("sat out", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t, false)
		w := seed(srv, 2)
		srv.RateLimitNext(time.Second)
		sink := conformance.NewMemorySink()
		began := time.Now()
		r := start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
		waitFor(t, "initial sync", 10*time.Second, func() bool { return ready(sink) })
		if took := time.Since(began); took < 900*time.Millisecond {
			t.Errorf("initial sync done %v after a 429 asking for 1 s", took)
		}
		if sink.Len() != len(w.want) {
			t.Errorf("%d items, want %d", sink.Len(), len(w.want))
		}
		if err := r.stop(t); err != nil {
			t.Error(err)
		}
	})
	t.Run("too long", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t, false)
		seed(srv, 1)
		srv.RateLimitNext(time.Hour)
		c := newConn(settingsFor(t, srv, nil), Options{MaxWait: 100 * time.Millisecond})
		err := c.Sync(context.Background(), conformance.NewMemorySink())
		var rl *rateLimitedError
		if !errors.As(err, &rl) || errors.Is(err, connectors.ErrPermanent) {
			t.Fatalf("Sync = %v; want a rate-limit error the engine retries", err)
		}
		// The engine's retry sends nothing before the limit ends.
		srv.ResetCalls()
		if err := c.Sync(context.Background(), conformance.NewMemorySink()); !errors.As(err, &rl) {
			t.Errorf("retry = %v, want the rate-limit error again", err)
		}
		if calls := srv.Calls(); len(calls) != 0 {
			t.Errorf("the retry sent %v while rate limited", calls)
		}
	})
}

func TestRegisteredWithEnvToken(t *testing.T) {
	srv := newFake(t, false)
	t.Setenv("LULL_TOKEN_TEAM_ASANA", "asana_test")
	conn, err := connectors.Default.New(connectors.Account{
		Name: "team-asana", Kind: "asana", Settings: map[string]any{"base_url": srv.BaseURL()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.(connectors.Validator).Validate(context.Background()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}
