package slack

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/secret"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

// The test workspace: the user (me), three colleagues, and one of each
// kind of conversation.
const (
	acct     = "work"
	meID     = "U0ME"
	aliceID  = "U0ALICE"
	bobID    = "U0BOB"
	carolID  = "U0CAROL"
	userTok  = "xoxp-test-me"
	appTok   = "xapp-test-app"
	dmAlice  = "D0ALICE"
	mpimID   = "G0MPIM"
	general  = "C0GENERAL"
	watched  = "C0INCIDENT"
	private  = "G0PRIVATE"
	notMine  = "C0NOTMINE"
	groupID  = "S0ONCALL"
	botUser  = "B0DEPLOY"
	channelN = "general"
)

// emptyKeychain holds nothing, so tests never reach the OS keychain.
type emptyKeychain struct{}

func (emptyKeychain) Get(string, string) (string, error) { return "", secret.ErrNotFound }
func (emptyKeychain) Set(string, string, string) error   { return errors.New("read-only") }
func (emptyKeychain) Delete(string, string) error        { return nil }

// newWorkspace starts a fake Slack with the test workspace and no messages.
func newWorkspace(t testing.TB, opts slackfake.Options) *slackfake.Server {
	t.Helper()
	if opts.PingInterval == 0 {
		opts.PingInterval = 100 * time.Millisecond
	}
	srv := slackfake.New(opts)
	t.Cleanup(srv.Close)
	srv.AddUser(slackfake.User{ID: meID, Name: "me", RealName: "Morgan Example", DisplayName: "Morgan"}, userTok)
	srv.AddUser(slackfake.User{ID: aliceID, Name: "alice", RealName: "Alice Archer"}, "")
	srv.AddUser(slackfake.User{ID: bobID, Name: "bob", RealName: "Bob Builder", DisplayName: "bobby"}, "")
	srv.AddUser(slackfake.User{ID: carolID, Name: "carol", RealName: "Carol Cole"}, "")
	srv.AddIM(dmAlice, meID, aliceID)
	srv.AddMPIM(mpimID, meID, aliceID, bobID)
	srv.AddChannel(general, channelN, false, meID, aliceID, bobID, carolID)
	srv.AddChannel(watched, "incidents", false, meID, bobID)
	srv.AddChannel(private, "secret-project", true, meID, carolID)
	srv.AddChannel(notMine, "random", false, aliceID)
	srv.AddUserGroup(slackfake.UserGroup{ID: groupID, Handle: "oncall", Name: "On call", Users: []string{meID, bobID}})
	srv.AddUserGroup(slackfake.UserGroup{ID: "S0OTHER", Handle: "design", Name: "Design", Users: []string{aliceID}})
	return srv
}

// seeded is what seed posted: the ids of the items the inbox must hold,
// and of messages it must not.
type seeded struct {
	want, notWant []inbox.ID
	myThread      string // ts of a thread root the user started in #general
	mention       string // ts of a mention in #general
}

func id(channel, ts string) inbox.ID { return inbox.NewID(acct, channel+"/"+ts) }

// seed posts a small day of Slack: DMs, a group DM, mentions, threads the
// user is and is not part of, a watched channel, noise.
func seed(srv *slackfake.Server) seeded {
	var s seeded
	want := func(ch, ts string) string { s.want = append(s.want, id(ch, ts)); return ts }
	not := func(ch, ts string) string { s.notWant = append(s.notWant, id(ch, ts)); return ts }

	want(dmAlice, srv.Post(dmAlice, aliceID, "hey, got a minute?"))
	not(dmAlice, srv.Post(dmAlice, meID, "sure"))
	want(dmAlice, srv.Post(dmAlice, aliceID, "can you review <https://example.com/pr/1|the PR> &amp; merge?"))
	want(mpimID, srv.Post(mpimID, bobID, "lunch at 12?"))
	want(mpimID, srv.Post(mpimID, aliceID, "yes"))

	not(general, srv.Post(general, carolID, "good morning all"))
	s.mention = want(general, srv.Post(general, aliceID, "<@"+meID+"> can you look at the build?"))
	want(general, srv.Post(general, bobID, "<!subteam^"+groupID+"|@oncall> pager is quiet"))
	not(general, srv.Post(general, carolID, "<!subteam^S0OTHER|@design> new mocks"))
	s.myThread = not(general, srv.Post(general, meID, "RFC: moving the standup to 10:00"))
	want(general, srv.Reply(general, s.myThread, aliceID, "fine by me"))
	want(general, srv.Reply(general, s.myThread, bobID, "+1"))
	other := not(general, srv.Post(general, carolID, "who broke main?"))
	not(general, srv.Reply(general, other, bobID, "not me"))
	joined := not(general, srv.Post(general, bobID, "deploy at 3?"))
	want(general, srv.Reply(general, joined, carolID, "ok")) // the user replied after: their thread now
	not(general, srv.Reply(general, joined, meID, "I'll watch it"))
	want(general, srv.Reply(general, joined, carolID, "done"))

	root := want(watched, srv.Post(watched, bobID, "disk at 91% on db-2"))
	want(watched, srv.Reply(watched, root, bobID, "now 95%"))
	want(watched, srv.PostBot(watched, botUser, "deploybot", "deployed api v1.2.3"))

	not(private, srv.Post(private, carolID, "draft is up"))
	want(private, srv.Post(private, carolID, "<@"+meID+"|me> thoughts?"))
	not(notMine, srv.Post(notMine, aliceID, "<@"+meID+"> you are not even here"))
	return s
}

// testOptions are connector options for a fast, quiet test: no pacing
// (the fake has no tiers), short poll and refresh intervals.
func testOptions(env map[string]string) Options {
	return Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Secrets: secret.Resolver{
			Keychain: emptyKeychain{},
			Env:      func(name string) string { return env[name] },
		},
		Unpaced:         true,
		PollInterval:    50 * time.Millisecond,
		RefreshInterval: 150 * time.Millisecond,
		SocketPing:      2 * time.Second,
	}
}

// newConn builds a connector on srv; extra settings are merged in.
func newConn(t testing.TB, srv *slackfake.Server, extra map[string]any, opts Options) *Connector {
	t.Helper()
	raw := map[string]any{"api_url": srv.URL, "watched": []any{"#incidents"}}
	for k, v := range extra {
		raw[k] = v
	}
	s, err := ParseSettings(raw)
	if err != nil {
		t.Fatal(err)
	}
	return NewWith(acct, s, raw, opts)
}

func defaultEnv() map[string]string {
	return map[string]string{secret.EnvName(acct, TokenKey): userTok}
}

// running is a Sync in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

func start(t testing.TB, c connectors.Connector, sink connectors.Sink) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- c.Sync(ctx, sink) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t testing.TB) error {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(5 * time.Second):
			t.Error("Sync did not return after cancellation")
		}
	})
	return r.err
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// synced waits until sink's initial sync is over.
func synced(t testing.TB, sink *conformance.MemorySink) {
	t.Helper()
	waitFor(t, 20*time.Second, "the initial sync", func() bool {
		for _, p := range sink.ProgressReports() {
			if p.Complete() {
				return !sink.Backfilling()
			}
		}
		return false
	})
}

func has(sink *conformance.MemorySink, id inbox.ID) bool {
	_, ok := sink.Item(id)
	return ok
}

func idsString(ids []inbox.ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, " ")
}
