package imap

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/imap/dovecottest"
)

// testMessage is a small real-looking email dated at.
func testMessage(i int, at time.Time) []byte {
	return []byte(fmt.Sprintf("From: Sender %d <sender%d@example.org>\r\n"+
		"To: Lull <lull@example.com>\r\n"+
		"Subject: Message number %d\r\n"+
		"Date: %s\r\n"+
		"Message-ID: <msg-%d@example.org>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Hello, this is message %d.\r\n", i%7, i%7, i, at.Format(time.RFC1123Z), i, i))
}

func seed(t testing.TB, srv *dovecottest.Server, folder string, n int, newest time.Time) {
	t.Helper()
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = testMessage(i, newest.Add(-time.Duration(n-i)*time.Minute))
	}
	if err := srv.Seed(folder, msgs); err != nil {
		t.Fatal(err)
	}
}

func settingsFor(srv *dovecottest.Server, extra map[string]any) Settings {
	raw := map[string]any{"host": srv.Host, "port": srv.Port, "tls": "none", "username": srv.User}
	for k, v := range extra {
		raw[k] = v
	}
	s, err := ParseSettings(raw)
	if err != nil {
		panic(err)
	}
	return s
}

func newConn(srv *dovecottest.Server, s Settings) *Connector {
	pw := srv.Password
	return NewWith("mail", s, Options{Auth: PasswordAuth(s.Username, func(context.Context) (string, error) { return pw, nil })})
}

// running is a Sync in the background on a memory sink.
type running struct {
	sink   *conformance.MemorySink
	cancel context.CancelFunc
	done   chan struct{} // closed when Sync has returned err
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
	r.cancel()
	select {
	case <-r.done:
		return r.err
	case <-time.After(5 * time.Second):
		t.Fatal("Sync did not return within 5s of cancel")
		return nil
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

func complete(sink *conformance.MemorySink) bool {
	reps := sink.ProgressReports()
	return len(reps) > 0 && reps[len(reps)-1].Complete()
}

func byTitle(sink *conformance.MemorySink, title string) (inbox.Item, bool) {
	for _, it := range sink.Items() {
		if it.Title == title {
			return it, true
		}
	}
	return inbox.Item{}, false
}

func TestInitialSyncNewestFirstWithinDepth(t *testing.T) {
	srv := dovecottest.New(t)
	now := time.Now()
	seed(t, srv, "INBOX", 1200, now)
	old := make([][]byte, 5)
	for i := range old {
		old[i] = testMessage(5000+i, now.AddDate(0, 0, -200))
	}
	if err := srv.Seed("INBOX", old); err != nil {
		t.Fatal(err)
	}
	c := newConn(srv, settingsFor(srv, nil)) // default depth: 90 days
	r := start(t, c, conformance.NewMemorySink())
	waitFor(t, 20*time.Second, "initial sync", func() bool { return complete(r.sink) })

	if n := r.sink.Len(); n != 1200 {
		t.Fatalf("%d items, want the 1200 within 90 days (not the 5 older ones)", n)
	}
	// The first batch holds the newest 500.
	var first connectors.Batch
	for _, b := range r.sink.Batches() {
		if len(b.Upserts) > 0 {
			first = b
			break
		}
	}
	if !first.Backfill || len(first.Upserts) != fetchChunk {
		t.Fatalf("first batch: backfill=%v, %d items; want a backfill chunk of %d", first.Backfill, len(first.Upserts), fetchChunk)
	}
	for _, it := range first.Upserts {
		var i int
		if _, err := fmt.Sscanf(it.Title, "Message number %d", &i); err != nil || i < 1200-fetchChunk {
			t.Fatalf("first batch has %q, want only the newest %d", it.Title, fetchChunk)
		}
	}
	it, ok := byTitle(r.sink, "Message number 3")
	if !ok {
		t.Fatal("message 3 missing")
	}
	if it.From.Addr != "sender3@example.org" || it.Source != inbox.SourceEmail || !it.Unread ||
		!strings.Contains(it.Body, "message 3.") || it.Thread == "" || len(it.To) != 1 {
		t.Fatalf("item fields: %+v", it)
	}
	reps := r.sink.ProgressReports()
	if reps[0].Total != 1200 || reps[0].Done != 0 {
		t.Fatalf("first progress %+v, want 0 of 1200", reps[0])
	}
}

func TestPushFlagsExpungeOverIdle(t *testing.T) {
	srv := dovecottest.New(t)
	seed(t, srv, "INBOX", 20, time.Now())
	c := newConn(srv, settingsFor(srv, nil))
	r := start(t, c, conformance.NewMemorySink())
	waitFor(t, 10*time.Second, "initial sync", func() bool { return complete(r.sink) && r.sink.Len() == 20 })

	ctx := context.Background()
	// New mail arrives within a second, as a live (notifying) batch.
	uid, err := srv.Append(ctx, "INBOX", testMessage(100, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, time.Second, "pushed message", func() bool { _, ok := byTitle(r.sink, "Message number 100"); return ok })
	t.Logf("IDLE push: %v", took)
	live := false
	for _, b := range r.sink.Batches() {
		for _, it := range b.Upserts {
			if it.Title == "Message number 100" && !b.Backfill {
				live = true
			}
		}
	}
	if !live {
		t.Fatal("new mail arrived in a backfill batch: it would never notify")
	}

	// Read elsewhere: the item turns read.
	if err := srv.SetFlags(ctx, "INBOX", uid, true, `\Seen`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "flag change", func() bool { it, _ := byTitle(r.sink, "Message number 100"); return !it.Unread })

	// Deleted elsewhere: the item goes.
	if err := srv.Expunge(ctx, "INBOX", uid); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "expunge", func() bool { _, ok := byTitle(r.sink, "Message number 100"); return !ok })
	if r.sink.Len() != 20 {
		t.Fatalf("%d items after expunge, want 20", r.sink.Len())
	}
}

func TestUIDValidityChangeResyncsWithoutDuplicates(t *testing.T) {
	srv := dovecottest.New(t)
	seed(t, srv, "INBOX", 30, time.Now())
	c := newConn(srv, settingsFor(srv, nil))
	sink := conformance.NewMemorySink()
	r := start(t, c, sink)
	waitFor(t, 10*time.Second, "initial sync", func() bool { return complete(sink) && sink.Len() == 30 })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	before := sink.IDs()
	ctx := context.Background()
	if err := srv.ResetUIDValidity(ctx, "INBOX"); err != nil {
		t.Fatal(err)
	}
	r2 := start(t, newConn(srv, settingsFor(srv, nil)), sink)
	waitFor(t, 10*time.Second, "resync", func() bool {
		ids := sink.IDs()
		return len(ids) == 30 && ids[0] != before[0]
	})
	_ = r2
	titles := map[string]int{}
	for _, it := range sink.Items() {
		titles[it.Title]++
	}
	for title, n := range titles {
		if n != 1 {
			t.Errorf("%q appears %d times after the UIDVALIDITY change", title, n)
		}
	}
	for _, b := range sink.Batches()[len(sink.Batches())-3:] {
		for range b.Upserts {
			if !b.Backfill {
				t.Fatal("resynced items came as new mail: they would notify")
			}
		}
	}
}

func TestServerRestartMidSyncLosesNothing(t *testing.T) {
	srv := dovecottest.New(t)
	seed(t, srv, "INBOX", 3000, time.Now())
	sink := conformance.NewMemorySink()
	c := newConn(srv, settingsFor(srv, nil))
	r := start(t, c, sink)
	waitFor(t, 10*time.Second, "first batch", func() bool { return sink.Len() > 0 })
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.done:
		if r.err == nil {
			t.Fatal("Sync returned nil after the server went away; the engine would not retry")
		}
		t.Logf("Sync returned, as it should: %v", r.err)
	case <-time.After(10 * time.Second):
		t.Fatal("Sync did not notice the server going away")
	}
	if complete(sink) {
		t.Fatal("the server stopped too late to interrupt the sync; test proves nothing")
	}
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	r2 := start(t, newConn(srv, settingsFor(srv, nil)), sink)
	waitFor(t, 20*time.Second, "resumed sync", func() bool { return complete(sink) })
	_ = r2
	if n := sink.Len(); n != 3000 {
		t.Fatalf("%d items after resume, want 3000", n)
	}
}

func TestDroppedConnectionReturnsError(t *testing.T) {
	srv := dovecottest.New(t)
	seed(t, srv, "INBOX", 5, time.Now())
	r := start(t, newConn(srv, settingsFor(srv, nil)), conformance.NewMemorySink())
	waitFor(t, 10*time.Second, "initial sync", func() bool { return complete(r.sink) })
	srv.DropConnections()
	select {
	case <-r.done:
		if r.err == nil {
			t.Fatal("Sync returned nil after a dropped connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Sync did not notice the dropped connection")
	}
}

func TestBigMessageReadThroughLimits(t *testing.T) {
	srv := dovecottest.New(t)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 30<<20/16*3/4) // 22.5 MB raw, 30 MB in base64
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: Big <big@example.org>\r\nTo: lull@example.com\r\nSubject: Huge attachment\r\n"+
		"Date: %s\r\nMessage-ID: <big@example.org>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"+
		"--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"dump.bin\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n", time.Now().Format(time.RFC1123Z))
	enc := base64.StdEncoding.EncodeToString(payload)
	for len(enc) > 76 {
		msg.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	msg.WriteString(enc + "\r\n--b1--\r\n")
	if msg.Len() < 30<<20 {
		t.Fatalf("test message is %d bytes, want >= 30 MB", msg.Len())
	}
	if err := srv.Seed("INBOX", [][]byte{msg.Bytes()}); err != nil {
		t.Fatal(err)
	}
	r := start(t, newConn(srv, settingsFor(srv, nil)), conformance.NewMemorySink())
	waitFor(t, 20*time.Second, "sync of the big message", func() bool { return complete(r.sink) && r.sink.Len() == 1 })
	it, _ := byTitle(r.sink, "Huge attachment")
	if !strings.Contains(it.Body, "See attached.") {
		t.Fatalf("body %q", it.Body)
	}
	if len(it.Attachments) != 1 || it.Attachments[0].Name != "dump.bin" || it.Attachments[0].Size < 30<<20 {
		t.Fatalf("attachments %+v, want dump.bin of its full encoded size", it.Attachments)
	}
}

func TestMalformedMessagesNeverStopTheSync(t *testing.T) {
	srv := dovecottest.New(t)
	msgs := [][]byte{
		[]byte("this is not an email at all \x00\xff\xfe"),
		[]byte("From: broken\r\nSubject: =?utf-8?B?not base64!?=\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n"),
		testMessage(1, time.Now()),
	}
	if err := srv.Seed("INBOX", msgs); err != nil {
		t.Fatal(err)
	}
	r := start(t, newConn(srv, settingsFor(srv, nil)), conformance.NewMemorySink())
	waitFor(t, 10*time.Second, "sync", func() bool { return complete(r.sink) })
	if n := r.sink.Len(); n != 3 {
		t.Fatalf("%d items, want all 3 kept (malformed ones with what could be read)", n)
	}
}

func TestActSeenAndArchiveWithUndo(t *testing.T) {
	srv := dovecottest.New(t)
	seed(t, srv, "INBOX", 3, time.Now())
	ctx := context.Background()

	for _, mode := range []string{OnDoneSeen, OnDoneArchive} {
		t.Run(mode, func(t *testing.T) {
			c := newConn(srv, settingsFor(srv, map[string]any{"on_done": mode}))
			defer c.Close()
			sink := conformance.NewMemorySink()
			r := start(t, c, sink)
			waitFor(t, 10*time.Second, "initial sync", func() bool { return complete(sink) && sink.Len() == 3 })
			it, _ := byTitle(sink, "Message number 1")
			inboxT := inbox.Triage{State: inbox.StateInbox}
			doneT := inbox.Triage{State: inbox.StateDone}
			sink.SetTriage(it.ID, doneT)
			if err := c.Act(ctx, it.ID, inboxT, doneT); err != nil {
				t.Fatal(err)
			}
			switch mode {
			case OnDoneSeen:
				waitFor(t, 2*time.Second, "seen on the server", func() bool { got, _ := sink.Item(it.ID); return !got.Unread })
			case OnDoneArchive:
				n := countIn(t, srv, "Archive")
				if n != 1 {
					t.Fatalf("Archive holds %d messages, want 1", n)
				}
				// The expunge from INBOX keeps the done item (history, undo).
				time.Sleep(300 * time.Millisecond)
				if _, ok := sink.Item(it.ID); !ok {
					t.Fatal("the archived item vanished from Lull")
				}
			}
			// Undo.
			sink.SetTriage(it.ID, inboxT)
			if err := c.Act(ctx, it.ID, doneT, inboxT); err != nil {
				t.Fatal(err)
			}
			switch mode {
			case OnDoneSeen:
				waitFor(t, 2*time.Second, "unseen again", func() bool { got, _ := sink.Item(it.ID); return got.Unread })
			case OnDoneArchive:
				waitFor(t, 2*time.Second, "back in INBOX", func() bool {
					_, stillOld := sink.Item(it.ID)
					back, ok := byTitle(sink, "Message number 1")
					return !stillOld && ok && back.ID != it.ID
				})
				if n := countIn(t, srv, "Archive"); n != 0 {
					t.Fatalf("Archive still holds %d", n)
				}
				if sink.Len() != 3 {
					t.Fatalf("%d items after undo, want 3 (no duplicate)", sink.Len())
				}
				for _, b := range sink.Batches() {
					for _, u := range b.Upserts {
						if u.Title == "Message number 1" && !b.Backfill {
							t.Fatal("the message an undo moved back was announced as new mail")
						}
					}
				}
			}
			r.stop(t)
		})
	}
}

func countIn(t *testing.T, srv *dovecottest.Server, folder string) int {
	t.Helper()
	c, err := srv.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return int(d.NumMessages)
}

func TestCheckNamesTheFailingStep(t *testing.T) {
	srv := dovecottest.New(t)
	ctx := context.Background()
	good := PasswordAuth(srv.User, func(context.Context) (string, error) { return srv.Password, nil })
	bad := PasswordAuth(srv.User, func(context.Context) (string, error) { return "wrong", nil })
	closed := settingsFor(srv, nil)
	closed.Port = freePortT(t)
	tests := []struct {
		name string
		s    Settings
		auth Authenticator
		step string
	}{
		{"ok", settingsFor(srv, nil), good, ""},
		{"dns", Settings{Host: "no-such-host.invalid", Port: 993, TLS: TLSImplicit, Username: "x", Folders: []string{"INBOX"}}, good, StepDNS},
		{"connect", closed, good, StepConnect},
		{"tls", settingsFor(srv, map[string]any{"tls": "implicit"}), good, StepTLS},
		{"auth", settingsFor(srv, nil), bad, StepAuth},
		{"folder", settingsFor(srv, map[string]any{"folders": []any{"INBOX", "Nope"}}), good, StepFolder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			err := Check(ctx, tc.s, tc.auth)
			var ce *CheckError
			switch {
			case tc.step == "" && err != nil:
				t.Fatalf("Check: %v", err)
			case tc.step == "":
			case !errors.As(err, &ce):
				t.Fatalf("Check = %v, want a CheckError at %s", err, tc.step)
			case ce.Step != tc.step:
				t.Fatalf("step %s (%v), want %s", ce.Step, err, tc.step)
			default:
				t.Logf("%s: %v", tc.step, err)
			}
			// Only refused credentials stop the engine's retries.
			if permanent := errors.Is(err, connectors.ErrPermanent); permanent != (tc.step == StepAuth) {
				t.Errorf("step %s: permanent = %v", tc.step, permanent)
			}
		})
	}
}

func freePortT(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestConformance(t *testing.T) {
	srv := dovecottest.New(t)
	seed(t, srv, "INBOX", 40, time.Now())
	var mu sync.Mutex
	conformance.Run(t, conformance.Harness{
		Account: "mail",
		New: func(t *testing.T) connectors.Connector {
			return newConn(srv, settingsFor(srv, nil))
		},
		Settle:   1500 * time.Millisecond,
		MinItems: 40,
		Delete: func(t *testing.T, id inbox.ID) {
			mu.Lock()
			defer mu.Unlock()
			_, _, uid, err := splitID(id)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Expunge(context.Background(), "INBOX", uid); err != nil {
				t.Fatal(err)
			}
		},
		FailRequests: func(t *testing.T, n int) {
			// The server going away is how an IMAP server fails requests.
			srv.DropConnections()
		},
	})
}
