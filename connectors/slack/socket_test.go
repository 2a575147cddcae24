package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/secret"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

// socketConn is a connector with an app token and polling so slow that
// anything arriving within a test came through Socket Mode.
func socketConn(t *testing.T, srv *slackfake.Server) *Connector {
	t.Helper()
	env := defaultEnv()
	env[secret.EnvName(acct, AppTokenKey)] = appTok
	opts := testOptions(env)
	opts.PollInterval, opts.RefreshInterval = time.Hour, time.Hour
	return newConn(t, srv, nil, opts)
}

func TestSocketModePushesMessages(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	srv.AddAppToken(appTok)
	s := seed(srv)
	sink := conformance.NewMemorySink()
	start(t, socketConn(t, srv), sink)
	synced(t, sink)
	waitFor(t, 3*time.Second, "a Socket Mode connection", func() bool { return srv.Sockets() == 1 })

	history := srv.Calls()["conversations.history"]
	dm := srv.Post(dmAlice, aliceID, "are you there?")
	waitFor(t, 2*time.Second, "the pushed DM", func() bool { return has(sink, id(dmAlice, dm)) })
	it, _ := sink.Item(id(dmAlice, dm))
	if it.Title != "DM with Alice Archer" || it.Body != "are you there?" {
		t.Errorf("pushed item: %+v", it)
	}
	last := sink.Batches()[len(sink.Batches())-1]
	if last.Backfill {
		t.Error("a pushed message was stored as backfill")
	}

	srv.Edit(general, s.mention, "<@"+meID+"> never mind, fixed")
	waitFor(t, 2*time.Second, "the pushed edit", func() bool {
		it, _ := sink.Item(id(general, s.mention))
		return strings.Contains(it.Body, "never mind")
	})
	srv.Delete(dmAlice, dm)
	waitFor(t, 2*time.Second, "the pushed deletion", func() bool { return !has(sink, id(dmAlice, dm)) })

	reply := srv.Reply(general, s.myThread, carolID, "pushed reply")
	waitFor(t, 2*time.Second, "the pushed reply", func() bool { return has(sink, id(general, reply)) })
	if it, _ := sink.Item(id(general, reply)); it.Thread != general+"/"+s.myThread {
		t.Errorf("pushed reply thread = %q", it.Thread)
	}
	noise := srv.Post(general, carolID, "coffee anyone?")
	time.Sleep(200 * time.Millisecond)
	if has(sink, id(general, noise)) {
		t.Error("a channel message that is none of the user's business was pushed in")
	}
	if n := srv.Calls()["conversations.history"] - history; n != 0 {
		t.Errorf("pushed events cost %d history calls", n)
	}
	if n := srv.Unacked(); n != 0 {
		t.Errorf("%d events never acknowledged", n)
	}
}

// TestSocketModeReconnects: a socket the server drops, or closes after a
// disconnect request, is opened again, and events sent meanwhile arrive.
func TestSocketModeReconnects(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	srv.AddAppToken(appTok)
	seed(srv)
	sink := conformance.NewMemorySink()
	start(t, socketConn(t, srv), sink)
	synced(t, sink)
	waitFor(t, 3*time.Second, "a Socket Mode connection", func() bool { return srv.Sockets() == 1 })

	srv.DropSockets()
	during := srv.Post(dmAlice, aliceID, "sent while the socket was down")
	waitFor(t, 10*time.Second, "a reconnection after a dropped socket", func() bool { return srv.Opened() >= 2 && srv.Sockets() == 1 })
	waitFor(t, 3*time.Second, "the message sent while disconnected", func() bool { return has(sink, id(dmAlice, during)) })

	srv.Disconnect()
	waitFor(t, 10*time.Second, "a reconnection after a disconnect request", func() bool { return srv.Opened() >= 3 && srv.Sockets() == 1 })
	after := srv.Post(mpimID, bobID, "back again")
	waitFor(t, 3*time.Second, "a message after reconnecting", func() bool { return has(sink, id(mpimID, after)) })
}

// TestSocketModeFindsANewDM: a message in a conversation Lull has not seen
// (someone's first DM) makes it read the conversation list again, and the
// message arrives as news, not as silent backfill.
func TestSocketModeFindsANewDM(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	srv.AddAppToken(appTok)
	seed(srv)
	sink := conformance.NewMemorySink()
	start(t, socketConn(t, srv), sink)
	synced(t, sink)
	waitFor(t, 3*time.Second, "a Socket Mode connection", func() bool { return srv.Sockets() == 1 })

	srv.AddIM("D0CAROL", meID, carolID)
	ts := srv.Post("D0CAROL", carolID, "hi! first time messaging you")
	waitFor(t, 3*time.Second, "the first DM", func() bool { return has(sink, id("D0CAROL", ts)) })
	for _, b := range sink.Batches() {
		for _, it := range b.Upserts {
			if it.ID == id("D0CAROL", ts) && b.Backfill {
				t.Error("a new conversation's first message was stored silently as backfill")
			}
		}
	}
	it, _ := sink.Item(id("D0CAROL", ts))
	if it.Title != "DM with Carol Cole" {
		t.Errorf("title = %q", it.Title)
	}
}

func TestRefusedAppTokenFallsBackToPolling(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	seed(srv) // no app token registered: apps.connections.open says invalid_auth
	env := defaultEnv()
	env[secret.EnvName(acct, AppTokenKey)] = "xapp-wrong"
	opts := testOptions(env)
	sink := conformance.NewMemorySink()
	start(t, newConn(t, srv, nil, opts), sink)
	synced(t, sink)
	time.Sleep(300 * time.Millisecond)
	if n := srv.Calls()["apps.connections.open"]; n != 1 {
		t.Errorf("apps.connections.open called %d times with a refused token, want 1", n)
	}
	ts := srv.Post(dmAlice, aliceID, "polled")
	waitFor(t, 2*time.Second, "a polled message", func() bool { return has(sink, id(dmAlice, ts)) })
}
