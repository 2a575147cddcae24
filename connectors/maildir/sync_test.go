package maildir

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
)

func TestDiscover(t *testing.T) {
	tests := []struct {
		name string
		dirs []string // maildirs to create
		also []string // plain directories
		want []string // folder names, in discovery order
	}{
		{
			name: "single maildir",
			dirs: []string{""},
			want: []string{"INBOX"},
		},
		{
			name: "Maildir++",
			dirs: []string{"", ".Sent", ".Work", ".Work.Projects"},
			also: []string{".notmuch/xapian"},
			want: []string{"INBOX", "Sent", "Work", "Work/Projects"},
		},
		{
			name: "mbsync SubFolders Verbatim",
			dirs: []string{"INBOX", "Archive", "Archive/2023", "Lists/go"},
			want: []string{"Archive", "Archive/2023", "INBOX", "Lists/go"},
		},
		{
			name: "mbsync SubFolders Legacy",
			dirs: []string{"INBOX", "Work", "Work/.Projects"},
			want: []string{"INBOX", "Work", "Work/Projects"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTree(t)
			for _, d := range tc.dirs {
				tr.maildir(d)
			}
			for _, d := range tc.also {
				if err := os.MkdirAll(filepath.Join(tr.root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			found, err := discover(tr.root)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range found {
				names = append(names, f.Name)
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("folders = %q, want %q", names, tc.want)
			}
		})
	}
}

func TestInitialSync(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.maildir(".Work")
	tr.maildir(".Work.Projects")
	if err := os.MkdirAll(filepath.Join(tr.root, ".notmuch", "xapian"), 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	day := 24 * time.Hour
	date := func(d int) time.Time { return now.Add(-time.Duration(d) * day).Truncate(time.Second) }

	u := func() string { return tr.unique() }
	unread, seen, trashed, old, noDate, work, project := u(), u(), u(), u(), u(), u(), u()
	tr.put("", "new", unread, mail("unread", date(1)), date(1))
	tr.put("", "cur", seen+":2,RS", mail("seen", date(2)), date(2))
	tr.put("", "cur", trashed+":2,ST", mail("trashed", date(3)), date(3))
	tr.put("", "cur", old+":2,", mail("too old", date(60)), date(60))
	tr.put("", "cur", noDate+":2,", mail("no date", time.Time{}), date(4))
	tr.put("", "cur", ".lock", []byte("not mail"), date(1))
	tr.put(".Work", "cur", work+":2,F", mail("work", date(5)), date(5))
	tr.put(".Work.Projects", "new", project, mail("project", date(6)), date(6))

	c := newConn(t, tr.root, map[string]any{"sync_days": 30})
	sink := conformance.NewMemorySink()
	r := start(t, c, sink)
	caughtUp(t, sink)
	r.stop()

	want := map[inbox.ID]bool{ // id → unread
		id("INBOX", unread):          true,
		id("INBOX", seen):            false,
		id("INBOX", noDate):          true,
		id("Work", work):             true,
		id("Work/Projects", project): true,
	}
	if got := sink.IDs(); len(got) != len(want) {
		t.Errorf("ids = %v, want %d items", got, len(want))
	}
	for wid, wantUnread := range want {
		it, ok := sink.Item(wid)
		if !ok {
			t.Errorf("missing %s", wid)
			continue
		}
		if it.Unread != wantUnread {
			t.Errorf("%s: Unread = %v, want %v", wid, it.Unread, wantUnread)
		}
		if it.From.Addr != "ada@example.org" || it.Source != inbox.SourceEmail {
			t.Errorf("%s: from %+v, source %q", wid, it.From, it.Source)
		}
	}
	if it, _ := sink.Item(id("INBOX", seen)); !it.Received.Equal(date(2)) || it.Title != "seen" {
		t.Errorf("Received from Date: got %v %q, want %v", it.Received, it.Title, date(2))
	}
	if it, _ := sink.Item(id("INBOX", noDate)); !it.Received.Equal(date(4)) {
		t.Errorf("Received without Date = %v, want the mtime %v", it.Received, date(4))
	}

	// Backfill batches, newest first, and a final report that says so.
	var order []inbox.ID
	for _, b := range sink.Batches() {
		if !b.Backfill {
			t.Errorf("live batch during the initial sync: %+v", b)
		}
		for _, it := range b.Upserts {
			order = append(order, it.ID)
		}
	}
	wantOrder := []inbox.ID{id("INBOX", unread), id("INBOX", seen), id("INBOX", noDate), id("Work", work), id("Work/Projects", project)}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("initial sync order = %v, want newest first %v", order, wantOrder)
	}
	reports := sink.ProgressReports()
	if last := reports[len(reports)-1]; !last.Complete() {
		t.Errorf("last progress report %+v is not complete", last)
	}
	var sawCount bool
	for _, p := range reports {
		if p.Total == len(want) && p.Done == len(want) {
			sawCount = true
		}
	}
	if !sawCount {
		t.Errorf("no progress report counted %d of %d: %+v", len(want), len(want), reports)
	}
}

func TestFoldersSetting(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.maildir(".Work")
	tr.maildir(".Work.Projects")
	for _, rel := range []string{"", ".Work", ".Work.Projects"} {
		tr.put(rel, "new", tr.unique(), mail("in "+rel, time.Now()), time.Time{})
	}
	c := newConn(t, tr.root, map[string]any{"folders": []any{"inbox", "Work.Projects"}})
	sink := conformance.NewMemorySink()
	r := start(t, c, sink)
	caughtUp(t, sink)
	r.stop()
	var folders []string
	for _, got := range sink.IDs() {
		_, native, _ := got.Split()
		folders = append(folders, native[:strings.LastIndexByte(native, '/')])
	}
	slices.Sort(folders)
	if want := []string{"INBOX", "Work/Projects"}; !slices.Equal(folders, want) {
		t.Errorf("synced folders %q, want %q", folders, want)
	}
}

// malformedMessages are the broken inputs a maildir can hold.
func malformedMessages(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join("..", "mailparse", "testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no mailparse testdata: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(i*7919 + i/13)
	}
	out["garbage"] = garbage
	out["zero-bytes"] = nil
	out["headers-only-no-newline"] = []byte("From: x@example.org\r\nSubject: cut")
	out["nul-bytes"] = []byte("\x00\x00\x00From: \x00\r\n\r\n\x00")
	return out
}

// lockedBuffer is a log destination tests read after the writer stops.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestMalformedMessagesKept(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	bad := malformedMessages(t)
	ids := map[inbox.ID]string{}
	at := time.Now().Add(-time.Hour)
	for name, raw := range bad {
		u := tr.unique()
		tr.put("", "cur", u+":2,S", raw, at)
		ids[id("INBOX", u)] = name
	}
	good := tr.unique()
	tr.put("", "new", good, mail("still fine", at.Add(-time.Hour)), at.Add(-time.Hour)) // oldest: read last
	ids[id("INBOX", good)] = "good"

	var logs lockedBuffer
	c := newConn(t, tr.root, nil)
	c.log = slogTo(&logs)
	sink := conformance.NewMemorySink()
	r := start(t, c, sink)
	caughtUp(t, sink)
	r.stop()

	for wid, name := range ids {
		it, ok := sink.Item(wid)
		if !ok {
			t.Errorf("%s (%s) was dropped", name, wid)
			continue
		}
		if it.Received.IsZero() {
			t.Errorf("%s has no Received", name)
		}
	}
	if it, _ := sink.Item(id("INBOX", good)); it.Title != "still fine" {
		t.Errorf("the message after the broken ones: title %q", it.Title)
	}
	out := logs.String()
	if !strings.Contains(out, "partly parsed") {
		t.Errorf("no parse problem logged:\n%s", out)
	}
	if strings.Contains(out, "The body survives") {
		t.Errorf("a message body reached the log:\n%s", out)
	}
}

func TestLargeMessageBounded(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	const size = 30 << 20
	u := tr.unique()
	path := filepath.Join(tr.root, "cur", u+":2,")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("From: big@example.org\r\nSubject: a very large message\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\n\r\n")
	line := []byte(strings.Repeat("0123456789abcdef", 4) + "\r\n")
	for written := 0; written < size; written += len(line) {
		f.Write(line)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sink := conformance.NewMemorySink()
	r := start(t, newConn(t, tr.root, nil), sink)
	caughtUp(t, sink)
	runtime.ReadMemStats(&after)
	r.stop()

	it, ok := sink.Item(id("INBOX", u))
	if !ok {
		t.Fatal("the large message produced no item")
	}
	if it.Title != "a very large message" {
		t.Errorf("title %q", it.Title)
	}
	if n := len(it.Body); n == 0 || n > 2<<20 {
		t.Errorf("body of %d bytes from a %d-byte message: want it cut near the 1 MiB limit", n, size)
	}
	// Everything the sync allocated, garbage included, stays below the
	// file's size: it was never read whole. (mailparse itself allocates about
	// 15 MB to parse its 1 MiB of body; reading the file whole would add 30
	// MB and more on top.)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > size {
		t.Errorf("syncing a %d MB message allocated %d MB", size>>20, grown>>20)
	} else {
		t.Logf("syncing a %d MB message allocated %.1f MB", size>>20, float64(grown)/(1<<20))
	}
}

// cancelAfter cancels the Sync after its nth committed batch.
type cancelAfter struct {
	*conformance.MemorySink
	n      int
	cancel context.CancelFunc
}

func (s *cancelAfter) Apply(ctx context.Context, b connectors.Batch) error {
	err := s.MemorySink.Apply(ctx, b)
	if s.n--; s.n == 0 {
		s.cancel()
	}
	return err
}

func TestResumeAfterCancel(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.maildir(".Work")
	const n = 1300
	base := time.Now().Add(-24 * time.Hour)
	for i := range n {
		at := base.Add(time.Duration(i) * time.Second)
		rel := ""
		if i%4 == 0 {
			rel = ".Work"
		}
		tr.put(rel, "cur", tr.unique()+":2,S", mail("m", at), at)
	}
	c := newConn(t, tr.root, nil)
	mem := conformance.NewMemorySink()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := c.Sync(ctx, &cancelAfter{MemorySink: mem, n: 1, cancel: cancel})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Sync returned %v", err)
	}
	first := mem.Len()
	if first == 0 || first >= n {
		t.Fatalf("%d items after the first batch, want part of %d", first, n)
	}
	mark := len(mem.Batches())

	// Mail delivered while Lull was away is new mail, not backfill.
	late := tr.unique()
	tr.put("", "new", late, mail("arrived while away", time.Now()), time.Time{})

	r := start(t, c, mem)
	waitFor(t, 10*time.Second, "the resumed sync", func() bool { return mem.Len() == n+1 })
	r.stop()
	if re := mem.Reupserts(); re != 0 {
		t.Errorf("the resumed sync re-emitted %d committed items", re)
	}
	backfill, live := upsertedIn(mem.Batches()[mark:])
	for got, k := range backfill {
		if k > 1 {
			t.Errorf("%s upserted %d times", got, k)
		}
	}
	if live[id("INBOX", late)] != 1 || backfill[id("INBOX", late)] != 0 {
		t.Errorf("mail delivered while away: backfill %d, live %d; want one live upsert", backfill[id("INBOX", late)], live[id("INBOX", late)])
	}
}

func TestRestartSeesOfflineChanges(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	old := time.Now().Add(-48 * time.Hour)
	var us []string
	for i := range 5 {
		u := tr.unique()
		us = append(us, u)
		tr.put("", "new", u, mail("m", old), old.Add(time.Duration(i)*time.Minute))
	}
	c := newConn(t, tr.root, nil)
	sink := conformance.NewMemorySink()
	r := start(t, c, sink)
	caughtUp(t, sink)
	r.stop()
	mark := len(sink.Batches())

	// While Lull is closed: one read, one deleted, one new delivery, and a
	// new folder with old mail in it.
	if err := os.Rename(filepath.Join(tr.root, "new", us[0]), filepath.Join(tr.root, "cur", us[0]+":2,S")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(tr.root, "new", us[1])); err != nil {
		t.Fatal(err)
	}
	fresh := tr.unique()
	tr.put("", "new", fresh, mail("fresh", time.Now()), time.Time{})
	tr.maildir(".Archive")
	// A folder new to the cursor is old mail coming into view, whatever
	// its files' ctime: it is added silently.
	archived := tr.unique()
	tr.put(".Archive", "cur", archived+":2,S", mail("archived", old), old)

	r = start(t, c, sink)
	caughtUpAfter(t, sink, len(sink.ProgressReports()))
	r.stop()

	later := sink.Batches()[mark:]
	backfill, live := upsertedIn(later)
	if it, _ := sink.Item(id("INBOX", us[0])); it.Unread {
		t.Error("a message read while away is still unread")
	}
	if !removedIn(later)[id("INBOX", us[1])] {
		t.Error("a message deleted while away was not removed")
	}
	if live[id("INBOX", fresh)] != 1 {
		t.Errorf("new mail delivered while away: live upserts %d, want 1", live[id("INBOX", fresh)])
	}
	if backfill[id("Archive", archived)] != 1 {
		t.Errorf("a new folder's old mail: backfill upserts %d, want 1 (silent)", backfill[id("Archive", archived)])
	}
	for _, u := range us[2:] {
		if backfill[id("INBOX", u)]+live[id("INBOX", u)] > 0 {
			t.Errorf("unchanged %s was emitted again", u)
		}
	}
}

func TestCorruptCursorStartsOver(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.put("", "new", tr.unique(), mail("m", time.Now()), time.Time{})
	sink := conformance.NewMemorySink()
	sink.SetCursor([]byte(`{"v":1,"started":5,"backfilled":true,"folders":{"INBOX":{"known":"bm90IGZsYXRl"}}}`))
	r := start(t, newConn(t, tr.root, nil), sink)
	caughtUp(t, sink)
	r.stop()
	if sink.Len() != 1 {
		t.Errorf("%d items after a corrupt cursor, want a fresh sync's 1", sink.Len())
	}
}

func TestSyncMissingPath(t *testing.T) {
	c := newConn(t, filepath.Join(t.TempDir(), "not-mounted"), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.Sync(ctx, conformance.NewMemorySink())
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Sync on a missing path returned %v, want a clear error", err)
	}
}
