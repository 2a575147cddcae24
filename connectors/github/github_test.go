package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/github/githubfake"
)

const testAccount = "gh"

func newFake(t *testing.T) *githubfake.Server {
	t.Helper()
	srv := githubfake.New(githubfake.Options{})
	t.Cleanup(srv.Close)
	return srv
}

func settingsFor(t *testing.T, srv *githubfake.Server, extra map[string]any) Settings {
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
		opts.Token = func(context.Context) (string, error) { return "ghp_test", nil }
	}
	return NewWith(testAccount, s, opts)
}

// seed adds n threads of every subject kind, most with a comment.
func seed(srv *githubfake.Server, n int) []string {
	reasons := []string{"mention", "review_requested", "comment", "author", "assign", "team_mention"}
	var ids []string
	for i := range n {
		kind := []string{"PullRequest", "Issue", "PullRequest", "Release"}[i%4]
		id := srv.AddThread(githubfake.Thread{
			Repo: fmt.Sprintf("acme/repo%d", i%5), Type: kind, Number: 100 + i,
			Title: fmt.Sprintf("Change number %d", i), Reason: reasons[i%len(reasons)],
			Author: "author", Body: fmt.Sprintf("Description %d", i), Unread: i%3 != 0,
		})
		if i%2 == 0 && kind != "Release" {
			srv.Comment(id, fmt.Sprintf("user%d", i%7), fmt.Sprintf("Comment on %d: please look", i))
		}
		ids = append(ids, id)
	}
	return ids
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

// waitFor polls cond until it holds or the deadline passes.
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
	return c != nil && decodeCursor(c).Ready
}

func id(thread string) inbox.ID { return inbox.NewID(testAccount, thread) }

func TestConformance(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	seed(srv, 60) // two pages of 50
	s := settingsFor(t, srv, nil)
	conformance.Run(t, conformance.Harness{
		Account:     testAccount,
		New:         func(t *testing.T) connectors.Connector { return newConn(s, Options{}) },
		Settle:      300 * time.Millisecond,
		MinItems:    60,
		ExactResume: true,
		Delete: func(t *testing.T, victim inbox.ID) {
			_, thread, err := victim.Split()
			if err != nil {
				t.Fatal(err)
			}
			srv.MarkDone(thread)
		},
		FailRequests: func(t *testing.T, n int) { srv.FailNext(n) },
		RateLimit: func(t *testing.T, d time.Duration) {
			srv.RateLimitNext(githubfake.Secondary429, d)
		},
	})
}

func TestItemsShowWhoSaidWhat(t *testing.T) {
	srv := newFake(t)
	pr := srv.AddThread(githubfake.Thread{Repo: "acme/api", Type: "PullRequest", Number: 12, Title: "Retry uploads", Reason: "mention", Author: "bob", Unread: true})
	cid := srv.Comment(pr, "alice", "<!-- template -->\n> quoted reply\n\n@me could you look at **this**? See [the doc](https://x.example/doc)")
	reviewed := srv.AddThread(githubfake.Thread{Repo: "acme/api", Type: "PullRequest", Number: 13, Title: "Drop v1", Reason: "author", Author: "me"})
	srv.Review(reviewed, "carol", "APPROVED", "Ship it")
	asked := srv.AddThread(githubfake.Thread{Repo: "acme/web", Type: "PullRequest", Number: 7, Title: "New header", Reason: "review_requested", Author: "dave", Body: "Adds the header.", Unread: true})
	issue := srv.AddThread(githubfake.Thread{Repo: "acme/web", Type: "Issue", Number: 8, Title: "Crash on start", Reason: "assign", Author: "erin", Body: "It crashes."})
	disc := srv.AddThread(githubfake.Thread{Repo: "acme/web", Type: "Discussion", Title: "Roadmap", Reason: "team_mention"})

	sink := conformance.NewMemorySink()
	r := start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		thread         string
		title, thread2 string
		from, snippet  string
		body           string
		url            string
		signal         inbox.Signal
		unread         bool
	}{
		{pr, "acme/api#12 Retry uploads", "acme/api#12", "alice", "@me could you look at this? See the doc", "", fmt.Sprintf("%s/acme/api/pull/12#issuecomment-%d", srv.URL, cid), inbox.SignalMention, true},
		{reviewed, "acme/api#13 Drop v1", "acme/api#13", "carol", "Approved: Ship it", "Approved\n\nShip it", srv.URL + "/acme/api/pull/13#pullrequestreview-", "", true},
		{asked, "acme/web#7 New header", "acme/web#7", "dave", "Review requested: Adds the header.", "", srv.URL + "/acme/web/pull/7", inbox.SignalReviewRequested, true},
		{issue, "acme/web#8 Crash on start", "acme/web#8", "erin", "It crashes.", "It crashes.", srv.URL + "/acme/web/issues/8", "", false},
		{disc, "acme/web Roadmap", "acme/web/discussion/" + disc, "GitHub", "Your team was mentioned", "", srv.URL + "/acme/web/discussions", inbox.SignalMention, false},
	} {
		it, ok := sink.Item(id(tc.thread))
		if !ok {
			t.Errorf("no item for thread %s (%s)", tc.thread, tc.title)
			continue
		}
		if it.Title != tc.title || it.Thread != tc.thread2 || it.From.Display() != tc.from || it.Snippet != tc.snippet || it.Unread != tc.unread {
			t.Errorf("item %s:\n got title %q thread %q from %q snippet %q unread %v\nwant title %q thread %q from %q snippet %q unread %v",
				tc.thread, it.Title, it.Thread, it.From.Display(), it.Snippet, it.Unread, tc.title, tc.thread2, tc.from, tc.snippet, tc.unread)
		}
		if tc.body != "" && it.Body != tc.body {
			t.Errorf("item %s body %q, want %q", tc.thread, it.Body, tc.body)
		}
		if !strings.HasPrefix(it.URL, tc.url) {
			t.Errorf("item %s url %q, want %q…", tc.thread, it.URL, tc.url)
		}
		if tc.signal != "" && !it.HasSignal(tc.signal) {
			t.Errorf("item %s signals %v, want %s", tc.thread, it.Signals, tc.signal)
		}
		if it.Source != inbox.SourceGitHub {
			t.Errorf("item %s source %q", tc.thread, it.Source)
		}
	}
}

func TestLiveChanges(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ids := seed(srv, 8)
	sink := conformance.NewMemorySink()
	start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })

	// The user had marked one thread done in Lull; a new comment brings it
	// back to the inbox as new.
	doneID := id(ids[1])
	sink.SetTriage(doneID, inbox.Triage{State: inbox.StateDone})
	mark := len(sink.Batches())
	srv.Comment(ids[1], "zoe", "Another round, @me")
	waitFor(t, "the new comment", 3*time.Second, func() bool {
		it, _ := sink.Item(doneID)
		return it.From.Addr == "zoe"
	})
	it, _ := sink.Item(doneID)
	if it.Triage.State != "" && it.Triage.State != inbox.StateInbox {
		t.Errorf("thread with new activity stayed %q; want it back in the inbox", it.Triage.State)
	}
	if !it.Unread || it.Snippet != "Another round, @me" {
		t.Errorf("updated item = unread %v snippet %q", it.Unread, it.Snippet)
	}
	var purged bool
	for _, b := range sink.Batches()[mark:] {
		if b.Purge && slices.Contains(b.Removes, doneID) {
			purged = true
		}
		if b.Backfill {
			t.Error("a live batch is marked backfill")
		}
	}
	if !purged {
		t.Error("new activity did not purge the old item first")
	}

	// Read on github.com: a mark, not a new fetch.
	unreadThread := ids[2]
	if unread, _ := srv.State(unreadThread); !unread {
		t.Fatalf("seed thread %s should be unread", unreadThread)
	}
	srv.MarkRead(unreadThread)
	waitFor(t, "the read mark", 3*time.Second, func() bool {
		it, _ := sink.Item(id(unreadThread))
		return !it.Unread
	})

	// Done on github.com: the item goes.
	srv.MarkDone(ids[3])
	waitFor(t, "the removal", 3*time.Second, func() bool {
		_, ok := sink.Item(id(ids[3]))
		return !ok
	})

	// A push (no new comment): the item updates in place, no purge.
	mark = len(sink.Batches())
	srv.Touch(ids[4])
	waitFor(t, "the touched thread", 3*time.Second, func() bool {
		c, _ := sink.Cursor(context.Background())
		st := decodeCursor(c).Threads[ids[4]]
		return st.Unread
	})
	for _, b := range sink.Batches()[mark:] {
		if slices.Contains(b.Removes, id(ids[4])) {
			t.Error("a thread without a new comment was purged")
		}
	}
}

func TestPaginationFollowsLinks(t *testing.T) {
	srv := newFake(t)
	seed(srv, 120)
	sink := conformance.NewMemorySink()
	r := start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
	waitFor(t, "initial sync", 10*time.Second, func() bool { return ready(sink) })
	r.stop(t)
	if n := sink.Len(); n != 120 {
		t.Errorf("%d items, want 120", n)
	}
	var pages []string
	for _, c := range srv.Calls() {
		if strings.HasPrefix(c.Path, "/notifications?") {
			pages = append(pages, c.Path)
		}
	}
	for _, p := range []string{"page=2", "page=3"} {
		if !slices.ContainsFunc(pages, func(s string) bool { return strings.Contains(s, p) }) {
			t.Errorf("no request for %s among %v", p, pages)
		}
	}
}

// TestCallsPerIdlePoll measures the requests of a poll when nothing changed
// (the number docs/BENCHMARKS.md records) and of a poll with one comment.
func TestCallsPerIdlePoll(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	seed(srv, 40) // one page
	sink := conformance.NewMemorySink()
	start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
	time.Sleep(100 * time.Millisecond) // let the first live poll pass
	srv.ResetCalls()

	time.Sleep(time.Second)
	calls := srv.Calls()
	polls, notModified := 0, 0
	for _, c := range calls {
		if strings.HasPrefix(c.Path, "/notifications?") {
			polls++
		}
		if c.Status == http.StatusNotModified {
			notModified++
		}
	}
	if polls < 5 {
		t.Fatalf("only %d polls in a second at a 50ms interval", polls)
	}
	perPoll := float64(len(calls)) / float64(polls)
	t.Logf("GitHub idle poll: %.2f requests per poll (%d requests, %d polls, %d answered 304 and cost no rate limit)",
		perPoll, len(calls), polls, notModified)
	if len(calls) != polls || notModified != polls {
		t.Errorf("an idle poll should be one conditional request answered 304; got %v", calls)
	}

	threads := seed(srv, 1)
	srv.ResetCalls()
	waitFor(t, "the new thread", 3*time.Second, func() bool {
		_, ok := sink.Item(id(threads[0]))
		return ok
	})
	time.Sleep(100 * time.Millisecond)
	var changed []githubfake.Call
	for _, c := range srv.Calls() {
		if c.Status != http.StatusNotModified {
			changed = append(changed, c)
		}
	}
	t.Logf("GitHub poll with one new commented thread: %d requests that count against the rate limit: %v", len(changed), changed)
	if len(changed) != 2 {
		t.Errorf("a poll with one new thread should cost 2 requests (list, comment), got %d", len(changed))
	}
}

func TestPollIntervalHonoured(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	seed(srv, 3)
	srv.SetPollInterval(1)
	sink := conformance.NewMemorySink()
	start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
	srv.ResetCalls()
	time.Sleep(1500 * time.Millisecond)
	lists := 0
	for _, c := range srv.Calls() {
		if strings.HasPrefix(c.Path, "/notifications?") {
			lists++
		}
	}
	if lists > 2 {
		t.Errorf("%d list requests in 1.5 s with X-Poll-Interval: 1 (poll = 50ms); want at most 2", lists)
	}
}

func TestRateLimitsAreSatOut(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind githubfake.Limit
	}{
		{"secondary 403 with Retry-After", githubfake.Secondary},
		{"secondary 429 with Retry-After", githubfake.Secondary429},
		{"primary 403 with X-RateLimit-Reset", githubfake.Primary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			seed(srv, 4)
			srv.RateLimitNext(tc.kind, time.Second)
			sink := conformance.NewMemorySink()
			began := time.Now()
			r := start(t, newConn(settingsFor(t, srv, nil), Options{}), sink)
			waitFor(t, "initial sync", 10*time.Second, func() bool { return ready(sink) })
			if took := time.Since(began); took < 900*time.Millisecond {
				t.Errorf("initial sync finished %v after a rate limit asking for 1 s", took)
			}
			if sink.Len() != 4 {
				t.Errorf("%d items, want 4", sink.Len())
			}
			if err := r.stop(t); err != nil {
				t.Errorf("Sync: %v", err)
			}
		})
	}
}

func TestLongRateLimitIsAnError(t *testing.T) {
	srv := newFake(t)
	seed(srv, 2)
	srv.RateLimitNext(githubfake.Secondary, time.Hour)
	c := newConn(settingsFor(t, srv, nil), Options{MaxWait: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.Sync(ctx, conformance.NewMemorySink())
	var rl *rateLimitedError
	if !errors.As(err, &rl) || errors.Is(err, connectors.ErrPermanent) {
		t.Fatalf("Sync = %v; want a rate-limit error the engine retries", err)
	}
	if until := time.Until(rl.Until); until < 59*time.Minute {
		t.Errorf("rate limited until %v from now, want about an hour", until)
	}
	// The engine's retry sends nothing before the limit ends.
	srv.ResetCalls()
	if err := c.Sync(ctx, conformance.NewMemorySink()); !errors.As(err, &rl) {
		t.Errorf("retry = %v, want the rate-limit error again", err)
	}
	if calls := srv.Calls(); len(calls) != 0 {
		t.Errorf("the retry sent %v while rate limited", calls)
	}
}

func TestPermanentErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*githubfake.Server)
		want  string
	}{
		{"401 bad credentials", func(s *githubfake.Server) { s.SetToken("another") }, "token rejected (401"},
		{"403 fine-grained token", func(s *githubfake.Server) { s.ForbidNotifications(true) }, "fine-grained tokens cannot read notifications"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t)
			seed(srv, 2)
			tc.setup(srv)
			c := newConn(settingsFor(t, srv, nil), Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := c.Sync(ctx, conformance.NewMemorySink())
			if !errors.Is(err, connectors.ErrPermanent) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Sync = %v; want a permanent error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "ghp_test") {
				t.Errorf("error shows the token: %v", err)
			}
			if err := c.Validate(ctx); !errors.Is(err, connectors.ErrPermanent) {
				t.Errorf("Validate = %v; want a permanent error", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	srv := newFake(t)
	if err := newConn(settingsFor(t, srv, nil), Options{}).Validate(context.Background()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	bare := githubfake.New(githubfake.Options{Scopes: "gist, read:org"})
	defer bare.Close()
	err := newConn(settingsFor(t, bare, nil), Options{}).Validate(context.Background())
	if err == nil || !strings.Contains(err.Error(), "neither notifications nor repo") {
		t.Fatalf("Validate with a gist-only token = %v", err)
	}
}

func TestActWritesDoneBack(t *testing.T) {
	for _, tc := range []struct {
		onDone           string
		wantRead, wantDn bool
		wantCalls        int
	}{
		{OnDoneDone, true, true, 1},
		{OnDoneRead, true, false, 1},
		{OnDoneNone, false, false, 0},
	} {
		t.Run(tc.onDone, func(t *testing.T) {
			srv := newFake(t)
			thread := srv.AddThread(githubfake.Thread{Repo: "acme/x", Number: 1, Title: "t", Reason: "mention", Unread: true})
			c := newConn(settingsFor(t, srv, map[string]any{"on_done": tc.onDone}), Options{})
			srv.ResetCalls()
			err := c.Act(context.Background(), id(thread), inbox.Triage{State: inbox.StateInbox}, inbox.Triage{State: inbox.StateDone})
			if err != nil {
				t.Fatalf("Act: %v", err)
			}
			unread, done := srv.State(thread)
			if unread == tc.wantRead || done != tc.wantDn {
				t.Errorf("after Act: unread %v done %v; want read %v done %v", unread, done, tc.wantRead, tc.wantDn)
			}
			if n := len(srv.Calls()); n != tc.wantCalls {
				t.Errorf("%d requests, want %d", n, tc.wantCalls)
			}
			// Undo: GitHub has no unread or undone; nothing is sent, no error.
			srv.ResetCalls()
			if err := c.Act(context.Background(), id(thread), inbox.Triage{State: inbox.StateDone}, inbox.Triage{State: inbox.StateInbox}); err != nil {
				t.Errorf("undo: %v", err)
			}
			if n := len(srv.Calls()); n != 0 {
				t.Errorf("undo sent %d requests", n)
			}
			// Other triage changes stay in Lull.
			if err := c.Act(context.Background(), id(thread), inbox.Triage{State: inbox.StateInbox}, inbox.Triage{State: inbox.StateLater}); err != nil || len(srv.Calls()) != 0 {
				t.Errorf("later: err %v, %d requests", err, len(srv.Calls()))
			}
		})
	}
}

func TestUndoneDoneKeepsItem(t *testing.T) {
	srv := newFake(t)
	ids := seed(srv, 3)
	c := newConn(settingsFor(t, srv, nil), Options{})
	sink := conformance.NewMemorySink()
	start(t, c, sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })

	victim := id(ids[0])
	ctx := context.Background()
	if err := c.Act(ctx, victim, inbox.Triage{State: inbox.StateInbox}, inbox.Triage{State: inbox.StateDone}); err != nil {
		t.Fatal(err)
	}
	if err := c.Act(ctx, victim, inbox.Triage{State: inbox.StateDone}, inbox.Triage{State: inbox.StateInbox}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the thread to leave the cursor", 3*time.Second, func() bool {
		cur, _ := sink.Cursor(ctx)
		_, tracked := decodeCursor(cur).Threads[ids[0]]
		return !tracked
	})
	if _, ok := sink.Item(victim); !ok {
		t.Error("the item whose done the user undid was removed when GitHub dropped the thread")
	}
}

func TestActRejectsForeignIDs(t *testing.T) {
	srv := newFake(t)
	c := newConn(settingsFor(t, srv, nil), Options{})
	done := inbox.Triage{State: inbox.StateDone}
	for _, bad := range []inbox.ID{"other/123", "gh/acme/x#1", "nonsense"} {
		if err := c.Act(context.Background(), bad, inbox.Triage{}, done); err == nil {
			t.Errorf("Act(%q) = nil, want an error", bad)
		}
	}
}

func TestReasonsFilter(t *testing.T) {
	srv := newFake(t)
	srv.AddThread(githubfake.Thread{Repo: "a/b", Number: 1, Title: "watching", Reason: "subscribed"})
	ci := srv.AddThread(githubfake.Thread{Repo: "a/b", Type: "CheckSuite", Title: "CI failed", Reason: "ci_activity"})
	asked := srv.AddThread(githubfake.Thread{Repo: "a/b", Number: 2, Title: "review me", Reason: "review_requested"})

	for _, tc := range []struct {
		reasons any
		want    []string
	}{
		{nil, []string{asked}},
		{[]any{"ci_activity"}, []string{ci}},
		{[]any{"all"}, nil}, // all three
	} {
		extra := map[string]any{}
		if tc.reasons != nil {
			extra["reasons"] = tc.reasons
		}
		sink := conformance.NewMemorySink()
		r := start(t, newConn(settingsFor(t, srv, extra), Options{}), sink)
		waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
		r.stop(t)
		if tc.want == nil {
			if sink.Len() != 3 {
				t.Errorf("reasons %v: %d items, want 3", tc.reasons, sink.Len())
			}
			continue
		}
		var want []inbox.ID
		for _, w := range tc.want {
			want = append(want, id(w))
		}
		if got := sink.IDs(); !slices.Equal(got, want) {
			t.Errorf("reasons %v: items %v, want %v", tc.reasons, got, want)
		}
	}
}

func TestEnterpriseBaseURLWithoutAPIPath(t *testing.T) {
	srv := newFake(t)
	seed(srv, 2)
	// "https://ghe.example.com" is completed to …/api/v3/, as go-github does.
	s := settingsFor(t, srv, map[string]any{"base_url": srv.URL})
	sink := conformance.NewMemorySink()
	r := start(t, newConn(s, Options{}), sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })
	r.stop(t)
	if sink.Len() != 2 {
		t.Errorf("%d items, want 2", sink.Len())
	}
	for _, c := range srv.Calls() {
		if !strings.HasPrefix(c.Path, "/") {
			t.Errorf("odd request path %q", c.Path)
		}
	}
}

func TestRegisteredWithEnvToken(t *testing.T) {
	srv := newFake(t)
	seed(srv, 1)
	t.Setenv("LULL_TOKEN_GH_WORK", "ghp_test")
	conn, err := connectors.Default.New(connectors.Account{
		Name: "gh-work", Kind: "github",
		Settings: map[string]any{"base_url": srv.BaseURL(), "poll": "50ms"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.(connectors.Validator).Validate(context.Background()); err != nil {
		t.Fatalf("Validate with the token from the environment: %v", err)
	}
}

// roundTripper adapts a function to http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestThreadMovingDuringWalkIsNotRemoved: a thread on page 2 gets a comment
// while page 1 has been read; it moves to page 1 and is on neither page the
// walk saw. It must not be taken for a thread marked done.
func TestThreadMovingDuringWalkIsNotRemoved(t *testing.T) {
	srv := newFake(t)
	ids := seed(srv, 70) // 50 on page 1, 20 on page 2
	mover := ids[0]      // the oldest: on page 2
	var armed sync.Once
	var live bool
	var mu sync.Mutex
	transport := roundTripper(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		on := live
		mu.Unlock()
		if on && r.URL.Path == "/api/v3/notifications" && r.URL.Query().Get("page") == "2" {
			armed.Do(func() { srv.Comment(mover, "zed", "moved you") })
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	sink := conformance.NewMemorySink()
	start(t, newConn(settingsFor(t, srv, nil), Options{Transport: transport}), sink)
	waitFor(t, "initial sync", 5*time.Second, func() bool { return ready(sink) })

	mu.Lock()
	live = true
	mu.Unlock()
	srv.Touch(ids[len(ids)-1]) // a change, so the next poll walks the list
	waitFor(t, "the moved thread's comment", 3*time.Second, func() bool {
		it, _ := sink.Item(id(mover))
		return it.From.Addr == "zed"
	})
	for _, b := range sink.Batches() {
		if slices.Contains(b.Removes, id(mover)) && !b.Purge {
			t.Errorf("the thread that moved during the walk was removed")
		}
	}
}
