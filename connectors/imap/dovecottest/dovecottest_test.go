package dovecottest_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lullhq/lull/connectors/imap/dovecottest"
)

func testMessage(i int) []byte {
	return []byte(fmt.Sprintf("From: Ann <ann@example.com>\r\n"+
		"To: lull@example.com\r\n"+
		"Subject: message %d\r\n"+
		"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n"+
		"Message-ID: <m%d@example.com>\r\n"+
		"\r\n"+
		"Body of message %d.\r\n", i, i, i))
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, ctx context.Context, s *dovecottest.Server) *imapclient.Client {
	t.Helper()
	c, err := s.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func selectFolder(t *testing.T, c *imapclient.Client, folder string) *imap.SelectData {
	t.Helper()
	data, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatalf("select %s: %v", folder, err)
	}
	return data
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, g := range flags {
		if g == f {
			return true
		}
	}
	return false
}

func TestStartGreetsAndLists(t *testing.T) {
	s := dovecottest.New(t)
	ctx := testContext(t)
	if s.Port == 0 || s.Addr() != fmt.Sprintf("127.0.0.1:%d", s.Port) {
		t.Fatalf("Addr() = %q, Port = %d", s.Addr(), s.Port)
	}
	c := dial(t, ctx, s)
	for _, cap := range []imap.Cap{imap.CapIdle, imap.CapCondStore, imap.CapQResync, imap.CapUIDPlus, imap.CapMove, imap.CapSpecialUse} {
		if !c.Caps().Has(cap) {
			t.Errorf("capability %s missing", cap)
		}
	}
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	uses := map[string]imap.MailboxAttr{}
	for _, b := range boxes {
		uses[b.Mailbox] = ""
		for _, a := range b.Attrs {
			if a == imap.MailboxAttrArchive || a == imap.MailboxAttrSent {
				uses[b.Mailbox] = a
			}
		}
	}
	if _, ok := uses["INBOX"]; !ok {
		t.Errorf("LIST has no INBOX: %v", uses)
	}
	if uses["Archive"] != imap.MailboxAttrArchive || uses["Sent"] != imap.MailboxAttrSent {
		t.Errorf("special-use folders = %v, want Archive \\Archive and Sent \\Sent", uses)
	}
}

// go-imap's client refuses to ENABLE CONDSTORE, so speak the protocol.
func TestEnableCondstore(t *testing.T) {
	s := dovecottest.New(t)
	conn, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	exchange := func(tag, cmd string) string {
		t.Helper()
		fmt.Fprintf(conn, "%s %s\r\n", tag, cmd)
		var all strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v (so far %q)", cmd, err, all.String())
			}
			all.WriteString(line)
			if strings.HasPrefix(line, tag+" ") {
				if !strings.HasPrefix(line, tag+" OK") {
					t.Fatalf("%s: %q", cmd, all.String())
				}
				return all.String()
			}
		}
	}
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	exchange("a", fmt.Sprintf("LOGIN %s %s", s.User, s.Password))
	if got := exchange("b", "ENABLE CONDSTORE QRESYNC"); !strings.Contains(got, "* ENABLED CONDSTORE QRESYNC") {
		t.Errorf("ENABLE answered %q", got)
	}
	if got := exchange("c", "SELECT INBOX"); !strings.Contains(got, "HIGHESTMODSEQ") {
		t.Errorf("SELECT after ENABLE CONDSTORE has no HIGHESTMODSEQ: %q", got)
	}
}

func TestAppendFetchAndFlags(t *testing.T) {
	s := dovecottest.New(t)
	ctx := testContext(t)
	msg := testMessage(1)
	uid, err := s.Append(ctx, "INBOX", msg, `\Flagged`)
	if err != nil {
		t.Fatal(err)
	}
	if uid != 1 {
		t.Errorf("first APPENDUID = %d, want 1", uid)
	}
	// A missing folder is created.
	if uid, err := s.Append(ctx, "Lists/Go", testMessage(2)); err != nil || uid != 1 {
		t.Fatalf("append to new folder: uid %d, %v", uid, err)
	}
	if err := s.SetFlags(ctx, "INBOX", uid, true, `\Seen`, "$Later"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFlags(ctx, "INBOX", uid, false, `\Flagged`); err != nil {
		t.Fatal(err)
	}

	c := dial(t, ctx, s)
	selectFolder(t, c, "INBOX")
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{
		UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("fetched %d messages, want 1", len(msgs))
	}
	if got := msgs[0].FindBodySection(section); string(got) != string(msg) {
		t.Errorf("body = %q, want %q", got, msg)
	}
	flags := map[imap.Flag]bool{}
	for _, f := range msgs[0].Flags {
		flags[f] = true
	}
	if !flags[imap.FlagSeen] || !flags["$Later"] || flags[imap.FlagFlagged] {
		t.Errorf("flags = %v, want \\Seen and $Later without \\Flagged", msgs[0].Flags)
	}
}

func TestSeedAndExpunge(t *testing.T) {
	s := dovecottest.New(t)
	ctx := testContext(t)
	msgs := make([][]byte, 100)
	for i := range msgs {
		msgs[i] = testMessage(i)
	}
	if err := s.Seed("INBOX", msgs); err != nil {
		t.Fatal(err)
	}
	if err := s.Seed("Archive", msgs[:3]); err != nil {
		t.Fatal(err)
	}
	if err := s.Seed("Old/2019", msgs[:2]); err != nil {
		t.Fatal(err)
	}

	c := dial(t, ctx, s)
	if n := selectFolder(t, c, "INBOX").NumMessages; n != 100 {
		t.Fatalf("INBOX has %d messages, want 100", n)
	}
	// Seed order is UID order, and the Date header is the INTERNALDATE.
	fetched, err := c.Fetch(imap.SeqSetNum(1, 50, 100), &imap.FetchOptions{
		UID: true, Envelope: true, InternalDate: true, RFC822Size: true,
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range fetched {
		want := fmt.Sprintf("message %d", m.SeqNum-1)
		if m.Envelope.Subject != want || uint32(m.UID) != m.SeqNum {
			t.Errorf("seq %d: UID %d subject %q, want UID %d %q", m.SeqNum, m.UID, m.Envelope.Subject, m.SeqNum, want)
		}
		if d := m.InternalDate.UTC().Format(time.RFC3339); d != "2006-01-02T15:04:05Z" {
			t.Errorf("seq %d: INTERNALDATE %s", m.SeqNum, d)
		}
		if m.RFC822Size != int64(len(msgs[m.SeqNum-1])) {
			t.Errorf("seq %d: RFC822.SIZE %d, want %d", m.SeqNum, m.RFC822Size, len(msgs[m.SeqNum-1]))
		}
	}
	if n := selectFolder(t, c, "Archive").NumMessages; n != 3 {
		t.Errorf("Archive has %d messages, want 3", n)
	}
	if n := selectFolder(t, c, "Old/2019").NumMessages; n != 2 {
		t.Errorf("Old/2019 has %d messages, want 2", n)
	}

	if err := s.Expunge(ctx, "INBOX", 2, 4, 99); err != nil {
		t.Fatal(err)
	}
	data, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *data.NumMessages != 97 {
		t.Errorf("after expunging 3, INBOX has %d messages", *data.NumMessages)
	}
}

func TestRestartKeepsDataAndPort(t *testing.T) {
	s := dovecottest.New(t)
	ctx := testContext(t)
	if _, err := s.Append(ctx, "INBOX", testMessage(1)); err != nil {
		t.Fatal(err)
	}
	port := s.Port
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Dial(ctx); err == nil {
		t.Fatal("dial after Stop succeeded")
	}
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Port != port {
		t.Errorf("port changed from %d to %d", port, s.Port)
	}
	c := dial(t, ctx, s)
	if n := selectFolder(t, c, "INBOX").NumMessages; n != 1 {
		t.Errorf("after restart INBOX has %d messages, want 1", n)
	}
	// Restart of a running server works too.
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestResetUIDValidity(t *testing.T) {
	s := dovecottest.New(t)
	ctx := testContext(t)
	msgs := [][]byte{testMessage(1), testMessage(2), testMessage(3), testMessage(4)}
	if err := s.Seed("INBOX", msgs); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFlags(ctx, "INBOX", 2, true, `\Seen`); err != nil {
		t.Fatal(err)
	}
	if err := s.Expunge(ctx, "INBOX", 1); err != nil {
		t.Fatal(err)
	}
	c := dial(t, ctx, s)
	before := selectFolder(t, c, "INBOX")
	if before.NumMessages != 3 || before.UIDNext != 5 {
		t.Fatalf("before: %d messages, UIDNEXT %d; want 3, 5", before.NumMessages, before.UIDNext)
	}

	if err := s.ResetUIDValidity(ctx, "INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop().Wait(); err == nil {
		t.Error("the connection open during the reset still works")
	}
	c = dial(t, ctx, s)
	after := selectFolder(t, c, "INBOX")
	if after.UIDValidity == before.UIDValidity {
		t.Errorf("UIDVALIDITY stayed %d", after.UIDValidity)
	}
	if after.NumMessages != before.NumMessages {
		t.Errorf("messages: %d before, %d after", before.NumMessages, after.NumMessages)
	}
	if after.UIDNext != 4 {
		t.Errorf("UIDNEXT %d after reset, want 4 (messages renumbered from 1)", after.UIDNext)
	}
	got, err := c.Fetch(imap.UIDSetNum(1), &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Envelope.Subject != "message 2" || !hasFlag(got[0].Flags, imap.FlagSeen) {
		t.Errorf("UID 1 after reset: %+v, want message 2, \\Seen", got)
	}
}

func TestDropConnections(t *testing.T) {
	s := dovecottest.New(t)
	ctx := testContext(t)
	c1, c2 := dial(t, ctx, s), dial(t, ctx, s)
	selectFolder(t, c1, "INBOX")
	s.DropConnections()
	for i, c := range []*imapclient.Client{c1, c2} {
		if err := c.Noop().Wait(); err == nil {
			t.Errorf("client %d: NOOP after DropConnections succeeded", i+1)
		}
	}
	// The server itself is fine.
	c3 := dial(t, ctx, s)
	if err := c3.Noop().Wait(); err != nil {
		t.Errorf("new connection after DropConnections: %v", err)
	}
	s.DropConnections() // no sessions left but c3's: must not hang or panic
}

func TestIdleSeesAppendQuickly(t *testing.T) {
	s := dovecottest.New(t)
	ctx := testContext(t)
	var exists atomic.Uint32
	seen := make(chan time.Time, 8)
	c, err := s.DialWith(ctx, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					exists.Store(*data.NumMessages)
					seen <- time.Now()
				}
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	selectFolder(t, c, "INBOX")
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := s.Append(ctx, "INBOX", testMessage(1)); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-seen:
		t.Logf("EXISTS %d pushed %v after APPEND began", exists.Load(), at.Sub(start).Round(time.Millisecond))
		if exists.Load() != 1 {
			t.Errorf("EXISTS %d, want 1", exists.Load())
		}
	case <-time.After(time.Second):
		t.Fatal("no EXISTS pushed within 1s of APPEND")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}
