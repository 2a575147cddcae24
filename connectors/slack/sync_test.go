package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

// TestSyncPullsWhatTheInboxWants checks the selection: DMs and group DMs,
// mentions of the user and their groups, replies in their threads, every
// message of a watched channel; never their own messages, other threads,
// other groups' mentions, or channels they are not in.
func TestSyncPullsWhatTheInboxWants(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	s := seed(srv)
	sink := conformance.NewMemorySink()
	start(t, newConn(t, srv, nil, testOptions(defaultEnv())), sink)
	synced(t, sink)

	got := sink.IDs()
	want := slices.Clone(s.want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("items:\n got  %s\n want %s", idsString(got), idsString(want))
	}
	for _, id := range s.notWant {
		if has(sink, id) {
			t.Errorf("%s should not be an item", id)
		}
	}
}

func TestItemFields(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	s := seed(srv)
	sink := conformance.NewMemorySink()
	c := newConn(t, srv, nil, testOptions(defaultEnv()))
	start(t, c, sink)
	synced(t, sink)

	byText := map[string]inbox.Item{}
	for _, it := range sink.Items() {
		byText[it.Snippet] = it
	}
	dm := byText["can you review the PR (https://example.com/pr/1) & merge?"]
	if dm.ID == "" {
		t.Fatalf("DM not found or rendered wrong; snippets: %v", keys(byText))
	}
	if dm.Title != "DM with Alice Archer" || dm.From.Name != "Alice Archer" || dm.From.Addr != aliceID {
		t.Errorf("DM title/from = %q / %+v", dm.Title, dm.From)
	}
	if !dm.HasSignal(inbox.SignalDM) || dm.HasSignal(inbox.SignalMention) || dm.Source != inbox.SourceSlack {
		t.Errorf("DM signals %v source %s", dm.Signals, dm.Source)
	}
	_, ts, _ := splitID(dm.ID)
	if dm.Thread != dmAlice+"/"+ts {
		t.Errorf("DM thread = %q", dm.Thread)
	}
	if want := permalink(t, srv, dmAlice, ts); dm.URL != want {
		t.Errorf("URL = %q, chat.getPermalink says %q", dm.URL, want)
	}
	if !strings.HasPrefix(dm.AppURL, "slack://channel?") || !strings.Contains(dm.AppURL, "id="+dmAlice) {
		t.Errorf("AppURL = %q, want a slack:// deep link to the DM", dm.AppURL)
	}
	if app, err := c.AppURL(dm.ID); err != nil || app != "slack://channel?id="+dmAlice+"&message="+ts+"&team="+srv.TeamID() {
		t.Errorf("AppURL = %q, %v", app, err)
	}

	m, ok := sink.Item(id(general, s.mention))
	if !ok {
		t.Fatal("mention missing")
	}
	if m.Title != "#general" || m.Body != "@Morgan can you look at the build?" || !m.HasSignal(inbox.SignalMention) || m.HasSignal(inbox.SignalDM) {
		t.Errorf("mention: title %q body %q signals %v", m.Title, m.Body, m.Signals)
	}
	group := byText["@oncall pager is quiet"]
	if !group.HasSignal(inbox.SignalMention) || group.From.Name != "bobby" {
		t.Errorf("group mention: %+v", group)
	}
	if g := byText["lunch at 12?"]; g.Title != "Group DM with alice, bob" || !g.HasSignal(inbox.SignalDM) {
		t.Errorf("group DM: %q %v", g.Title, g.Signals)
	}
	reply := byText["fine by me"]
	if reply.Thread != general+"/"+s.myThread {
		t.Errorf("reply thread = %q, want %s/%s", reply.Thread, general, s.myThread)
	}
	_, rts, _ := splitID(reply.ID)
	if want := permalink(t, srv, general, rts); reply.URL != want {
		t.Errorf("reply URL = %q, want %q", reply.URL, want)
	}
	if bot := byText["deployed api v1.2.3"]; bot.From.Name != "deploybot" || bot.From.Addr != botUser || bot.Title != "#incidents" {
		t.Errorf("bot message: %+v", bot)
	}
	for _, it := range sink.Items() {
		if !it.Unread {
			t.Errorf("%s read though Slack has no read mark", it.ID)
		}
	}
}

func keys(m map[string]inbox.Item) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// permalink asks the fake's chat.getPermalink, as Slack would answer.
func permalink(t *testing.T, srv *slackfake.Server, channel, ts string) string {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"chat.getPermalink", url.Values{"token": {userTok}, "channel": {channel}, "message_ts": {ts}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		OK        bool   `json:"ok"`
		Permalink string `json:"permalink"`
	}
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &out); err != nil || !out.OK {
		t.Fatalf("chat.getPermalink: %s", body)
	}
	return out.Permalink
}

// TestPaginationAndIncrementalCalls: a long DM is read to its end across
// pages; afterwards a poll that finds nothing new costs one
// conversations.history call per conversation and writes nothing.
func TestPaginationAndIncrementalCalls(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	base := time.Now().Add(-48 * time.Hour)
	for i := range 2100 {
		srv.PostAt(dmAlice, aliceID, fmt.Sprintf("message %d", i), base.Add(time.Duration(i)*time.Second))
	}
	sink := conformance.NewMemorySink()
	opts := testOptions(defaultEnv())
	opts.PollInterval, opts.RefreshInterval = time.Hour, time.Hour
	first := start(t, newConn(t, srv, nil, opts), sink)
	synced(t, sink)
	if n := sink.Len(); n != 2100 {
		t.Fatalf("%d items, want 2100", n)
	}
	if got := srv.Calls()["conversations.history"]; got != 3+4 {
		// 2100 messages in pages of 999, plus one page for each other conversation.
		t.Errorf("initial sync made %d history calls, want 7", got)
	}
	first.stop(t)

	// A restarted sync polling every 100 ms: once its first pass (a
	// refresh of each conversation) is done, polls find nothing.
	opts.PollInterval = 100 * time.Millisecond
	start(t, newConn(t, srv, nil, opts), sink)
	time.Sleep(300 * time.Millisecond)
	batches := len(sink.Batches())
	srv.ResetCalls()
	time.Sleep(1050 * time.Millisecond) // DMs and watched every 100 ms, channels every 300 ms
	calls := srv.Calls()
	if calls["conversations.replies"] != 0 || calls["users.info"] != 0 {
		t.Errorf("idle polls made other calls: %v", calls)
	}
	// 2 DMs + 1 watched at 10 polls a second, 2 other channels at 3.3.
	if h := calls["conversations.history"]; h < 20 || h > 45 {
		t.Errorf("%d history calls in 1 s of idle polling, want about 36", h)
	}
	if n := len(sink.Batches()) - batches; n != 0 {
		t.Errorf("idle polls committed %d batches", n)
	}

	ts := srv.Post(dmAlice, aliceID, "one more")
	waitFor(t, 2*time.Second, "the new DM", func() bool { return has(sink, id(dmAlice, ts)) })
	last := sink.Batches()[len(sink.Batches())-1]
	if last.Backfill || len(last.Upserts) != 1 {
		t.Errorf("new message came in %+v", last)
	}
}

// TestEditsAndDeletionsByPolling: without Socket Mode, an edit updates the
// item, a deletion removes it, a deleted reply and a deleted thread root
// (left as a tombstone) go too.
func TestEditsAndDeletionsByPolling(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	s := seed(srv)
	sink := conformance.NewMemorySink()
	start(t, newConn(t, srv, nil, testOptions(defaultEnv())), sink)
	synced(t, sink)

	srv.Edit(general, s.mention, "<@"+meID+"> can you look at the build? (fixed typo)")
	waitFor(t, 3*time.Second, "the edit", func() bool {
		it, _ := sink.Item(id(general, s.mention))
		return strings.HasSuffix(it.Body, "(fixed typo)")
	})

	dm := s.want[0]
	_, ts, _ := splitID(dm)
	srv.Delete(dmAlice, ts)
	waitFor(t, 3*time.Second, "the DM deletion", func() bool { return !has(sink, dm) })

	replies := srv.Messages(general)
	var fine string
	for _, it := range sink.Items() {
		if it.Body == "fine by me" {
			_, fine, _ = splitID(it.ID)
		}
	}
	if fine == "" || !slices.Contains(replies, fine) {
		t.Fatal("reply 'fine by me' not found")
	}
	srv.Delete(general, fine)
	waitFor(t, 3*time.Second, "the reply deletion", func() bool { return !has(sink, id(general, fine)) })

	// The watched channel's root has a reply: deleting it leaves a tombstone.
	var root, rootReply string
	for _, it := range sink.Items() {
		switch it.Body {
		case "disk at 91% on db-2":
			_, root, _ = splitID(it.ID)
		case "now 95%":
			_, rootReply, _ = splitID(it.ID)
		}
	}
	srv.Delete(watched, root)
	waitFor(t, 3*time.Second, "the root deletion", func() bool { return !has(sink, id(watched, root)) })
	if !has(sink, id(watched, rootReply)) {
		t.Error("deleting a root removed its reply too")
	}
	for _, b := range sink.Batches() {
		for _, it := range b.Upserts {
			if strings.Contains(it.Body, "This message was deleted") {
				t.Errorf("tombstone became an item: %+v", it)
			}
		}
	}
}

// TestNewRepliesAttachToThreads: replies arriving later in a followed
// thread become items of that thread; replies in threads that are not the
// user's stay out until the user replies there.
func TestNewRepliesAttachToThreads(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	s := seed(srv)
	sink := conformance.NewMemorySink()
	start(t, newConn(t, srv, nil, testOptions(defaultEnv())), sink)
	synced(t, sink)

	r := srv.Reply(general, s.myThread, carolID, "late but agreed")
	waitFor(t, 3*time.Second, "the new reply", func() bool { return has(sink, id(general, r)) })
	it, _ := sink.Item(id(general, r))
	if it.Thread != general+"/"+s.myThread || it.Title != "#general" {
		t.Errorf("reply: thread %q title %q", it.Thread, it.Title)
	}

	other := srv.Post(general, carolID, "lunch poll")
	r1 := srv.Reply(general, other, aliceID, "pizza")
	time.Sleep(400 * time.Millisecond)
	if has(sink, id(general, r1)) || has(sink, id(general, other)) {
		t.Fatal("a thread the user is not in became items")
	}
	srv.Reply(general, other, meID, "tacos")
	r3 := srv.Reply(general, other, aliceID, "tacos it is")
	// Busy channel: newer top-level messages than the thread's last reply.
	srv.Post(general, carolID, "standup in 5")
	srv.Post(general, bobID, "build is green")
	waitFor(t, 3*time.Second, "replies after the user joined the thread", func() bool {
		return has(sink, id(general, r3)) && has(sink, id(general, r1))
	})
}

func TestCursorStaysCompact(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	base := time.Now().Add(-72 * time.Hour)
	for i := range 1500 {
		srv.PostAt(watched, bobID, fmt.Sprintf("alert %d", i), base.Add(time.Duration(i)*time.Minute))
	}
	sink := conformance.NewMemorySink()
	start(t, newConn(t, srv, nil, testOptions(defaultEnv())), sink)
	synced(t, sink)
	cur, _ := sink.Cursor(t.Context())
	if len(cur) > 3000 {
		t.Errorf("cursor is %d bytes after 1500 messages: %s", len(cur), cur)
	}
	var parsed cursor
	if err := json.Unmarshal(cur, &parsed); err != nil || len(parsed.Convs[watched].Held) != heldMax {
		t.Errorf("cursor %s: %v", cur, err)
	}
}

// TestSyncDaysBoundsTheBackfill: the initial sync reaches sync_days back.
func TestSyncDaysBoundsTheBackfill(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	old := srv.PostAt(dmAlice, aliceID, "last month", time.Now().AddDate(0, 0, -30))
	recent := srv.PostAt(dmAlice, aliceID, "yesterday", time.Now().AddDate(0, 0, -1))
	sink := conformance.NewMemorySink()
	start(t, newConn(t, srv, map[string]any{"sync_days": 7}, testOptions(defaultEnv())), sink)
	synced(t, sink)
	if has(sink, id(dmAlice, old)) || !has(sink, id(dmAlice, recent)) {
		t.Errorf("sync_days = 7 kept %v", sink.IDs())
	}
}

// TestThreadJoinedInABusyChannel: the user replies in an older thread of a
// channel they do not watch while newer messages keep coming; the next
// refresh still finds the thread theirs and follows it.
func TestThreadJoinedInABusyChannel(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	seed(srv)
	sink := conformance.NewMemorySink()
	opts := testOptions(defaultEnv())
	opts.PollInterval, opts.RefreshInterval = 10*time.Millisecond, 500*time.Millisecond
	start(t, newConn(t, srv, nil, opts), sink)
	synced(t, sink)

	root := srv.Post(general, carolID, "retro notes are up")
	early := srv.Reply(general, root, aliceID, "thanks!")
	time.Sleep(100 * time.Millisecond) // polled: a thread that is not the user's
	srv.Reply(general, root, meID, "one question on item 3")
	answer := srv.Reply(general, root, carolID, "sure, ask")
	srv.Post(general, bobID, "build is green")
	time.Sleep(100 * time.Millisecond) // polled again: newer than the thread's last reply
	srv.Post(general, aliceID, "lunch?")
	waitFor(t, 3*time.Second, "the thread the user joined", func() bool {
		return has(sink, id(general, answer)) && has(sink, id(general, early))
	})
}

// TestLeftConversationIsForgotten: a conversation that answers
// channel_not_found (the user left a private channel) is no longer polled;
// its items stay and the sync goes on.
func TestLeftConversationIsForgotten(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	s := seed(srv)
	sink := conformance.NewMemorySink()
	r := start(t, newConn(t, srv, nil, testOptions(defaultEnv())), sink)
	synced(t, sink)
	srv.Leave(private, meID)
	time.Sleep(400 * time.Millisecond) // a few polls: the first answers channel_not_found
	srv.ResetCalls()
	time.Sleep(400 * time.Millisecond)
	select {
	case err := <-r.done:
		t.Fatalf("Sync stopped: %v", err)
	default:
	}
	for _, id := range s.want {
		if !has(sink, id) {
			t.Errorf("%s lost when the user left a channel", id)
		}
	}
	cur, _ := sink.Cursor(t.Context())
	var c cursor
	if err := json.Unmarshal(cur, &c); err != nil || c.Convs[private] != nil || c.Convs[dmAlice] == nil {
		t.Errorf("cursor still follows the channel left: %s", cur)
	}
	ts := srv.Post(dmAlice, aliceID, "still here")
	waitFor(t, 2*time.Second, "a DM after leaving the channel", func() bool { return has(sink, id(dmAlice, ts)) })
}
