package demo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
)

var testBase = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

func newTest(t *testing.T, settings map[string]any, now func() time.Time) *Connector {
	t.Helper()
	c, err := New(connectors.Account{Name: "demo", Kind: "demo", Settings: settings, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return c.(*Connector)
}

func testCorpus(t *testing.T, c *Connector) *corpus {
	t.Helper()
	corp, err := c.corpus()
	if err != nil {
		t.Fatal(err)
	}
	return corp
}

func TestSettings(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		interval time.Duration
		emails   int
		err      string
	}{
		{name: "defaults", interval: DefaultInterval, emails: -1},
		{name: "duration string", settings: map[string]any{"interval": "50ms"}, interval: 50 * time.Millisecond, emails: -1},
		{name: "time.Duration", settings: map[string]any{"interval": 2 * time.Second}, interval: 2 * time.Second, emails: -1},
		{name: "emails int64", settings: map[string]any{"emails": int64(10)}, interval: DefaultInterval, emails: 10},
		{name: "emails JSON number", settings: map[string]any{"emails": 12.0}, interval: DefaultInterval, emails: 12},
		{name: "no emails", settings: map[string]any{"emails": 0}, interval: DefaultInterval, emails: 0},
		{name: "bare number interval", settings: map[string]any{"interval": int64(5)}, err: `setting interval: want a duration such as "6s"`},
		{name: "negative interval", settings: map[string]any{"interval": "-1s"}, err: "setting interval: must be positive"},
		{name: "bad interval", settings: map[string]any{"interval": "soon"}, err: "setting interval"},
		{name: "fractional emails", settings: map[string]any{"emails": 1.5}, err: "setting emails: want a whole number"},
		{name: "negative emails", settings: map[string]any{"emails": -1}, err: "setting emails: must not be negative"},
		{name: "emails string", settings: map[string]any{"emails": "ten"}, err: "setting emails: want a number"},
		{name: "unknown key", settings: map[string]any{"colour": "blue"}, err: `unknown setting "colour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(connectors.Account{Name: "demo", Settings: tt.settings})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := c.(*Connector)
			if d.interval != tt.interval || d.emails != tt.emails {
				t.Errorf("interval, emails = %v, %d; want %v, %d", d.interval, d.emails, tt.interval, tt.emails)
			}
		})
	}
}

func TestCorpus(t *testing.T) {
	if n := len(hamArchive); n > 1_500_000 {
		t.Errorf("corpus archive is %d bytes, over the 1.5 MB budget", n)
	}
	corp := testCorpus(t, newTest(t, nil, nil))
	if corp.len() < 300 {
		t.Errorf("corpus has %d messages, want about 400", corp.len())
	}
	ids := map[string]string{}
	for i, name := range corp.names {
		if strings.HasPrefix(name, "spam") || !strings.HasPrefix(name, "easy-ham-") {
			t.Errorf("%s: not from the ham folders", name)
		}
		m := corp.message(i)
		switch {
		case m.Subject == "", m.From.Addr == "", m.Date.IsZero(), m.MessageID == "", strings.TrimSpace(m.Text) == "":
			t.Errorf("%s: incomplete: subject %q, from %+v, date %v, id %q, %d bytes of text", name, m.Subject, m.From, m.Date, m.MessageID, len(m.Text))
		}
		if other, dup := ids[m.MessageID]; dup {
			t.Errorf("%s and %s share Message-ID %s", other, name, m.MessageID)
		}
		ids[m.MessageID] = name
	}
	t.Logf("%d messages, %d bytes compressed", corp.len(), len(hamArchive))
}

func TestBackfill(t *testing.T) {
	c := newTest(t, map[string]any{"emails": 30}, nil)
	corp := testCorpus(t, c)
	items := c.backfillItems(corp, testBase)

	if again := c.backfillItems(corp, testBase); !reflect.DeepEqual(items, again) {
		t.Fatal("same base, different backfill")
	}
	count := map[inbox.Source]int{}
	seen := map[inbox.ID]bool{}
	threads := map[string]int{}
	for i, it := range items {
		if err := it.Validate(); err != nil {
			t.Error(err)
		}
		if seen[it.ID] {
			t.Errorf("duplicate id %s", it.ID)
		}
		seen[it.ID] = true
		count[it.Source]++
		threads[it.Thread]++
		if it.Received.Before(testBase.Add(-backfillSpan)) || !it.Received.Before(testBase) {
			t.Errorf("%s received %v, outside the three days before %v", it.ID, it.Received, testBase)
		}
		if i > 0 && it.Received.Before(items[i-1].Received) {
			t.Errorf("backfill not in time order at %d", i)
		}
		if it.Title == "" || it.Snippet == "" || it.Body == "" || it.From.Display() == "" || it.Thread == "" {
			t.Errorf("%s: missing title, snippet, body, sender or thread: %+v", it.ID, it)
		}
		checkSourceShape(t, it)
	}
	want := map[inbox.Source]int{inbox.SourceEmail: 30, inbox.SourceSlack: slackBackfillCount, inbox.SourceGitHub: githubBackfillCount}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("items by source = %v, want %v", count, want)
	}
	multi := 0
	for _, n := range threads {
		if n > 1 {
			multi++
		}
	}
	if multi < 20 {
		t.Errorf("only %d threads hold more than one item; the sample should have conversations", multi)
	}

	// Ids do not depend on the base, so a re-sync from a nil cursor on a
	// later day updates the same items.
	later := c.backfillItems(corp, testBase.Add(50*time.Hour))
	if !slices.Equal(idsOf(items, false), idsOf(later, false)) {
		t.Error("backfill ids depend on the base time")
	}
}

// checkSourceShape checks what each source's items must look like.
func checkSourceShape(t *testing.T, it inbox.Item) {
	t.Helper()
	_, native, _ := it.ID.Split()
	switch it.Source {
	case inbox.SourceEmail:
		if !strings.HasPrefix(native, "email/") {
			t.Errorf("%s: email native id without email/", it.ID)
		}
	case inbox.SourceSlack:
		if !strings.HasPrefix(it.URL, slackWorkspace+"/archives/") || !strings.HasPrefix(it.From.Addr, "U") {
			t.Errorf("%s: bad Slack URL %q or sender %+v", it.ID, it.URL, it.From)
		}
		if strings.Contains(it.Body, "<@") || strings.Contains(it.Body, "{") {
			t.Errorf("%s: unrendered text %q", it.ID, it.Body)
		}
		dm := strings.HasPrefix(it.Thread, "D") || strings.HasPrefix(it.Thread, "G")
		if dm != it.HasSignal(inbox.SignalDM) {
			t.Errorf("%s: thread %s but signals %v", it.ID, it.Thread, it.Signals)
		}
		if strings.Contains(it.Body, "@you") != it.HasSignal(inbox.SignalMention) {
			t.Errorf("%s: body %q but signals %v", it.ID, it.Body, it.Signals)
		}
	case inbox.SourceGitHub:
		if !strings.HasPrefix(it.URL, "https://github.com/acme/") || !strings.Contains(it.Thread, "#") {
			t.Errorf("%s: bad GitHub URL %q or thread %q", it.ID, it.URL, it.Thread)
		}
		if it.HasSignal(inbox.SignalReviewRequested) == strings.Contains(it.URL, "#") {
			t.Errorf("%s: review request signal and URL %q disagree", it.ID, it.URL)
		}
	default:
		t.Errorf("%s: unexpected source %s", it.ID, it.Source)
	}
}

func idsOf(items []inbox.Item, keepOrder bool) []inbox.ID {
	ids := make([]inbox.ID, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if !keepOrder {
		slices.Sort(ids)
	}
	return ids
}

func TestBackfillEmailsKeepOrder(t *testing.T) {
	c := newTest(t, nil, nil)
	corp := testCorpus(t, c)
	samples := corp.backfillSamples(-1)
	if len(samples) != corp.len() {
		t.Fatalf("%d samples of %d", len(samples), corp.len())
	}
	items := c.emailItems(samples, testBase)
	for i := 1; i < len(items); i++ {
		if samples[i].msg.Date.After(samples[i-1].msg.Date) && !items[i].Received.After(items[i-1].Received) {
			t.Errorf("%s sent after %s but received before it", samples[i].name, samples[i-1].name)
		}
	}
	first, last := items[0].Received, items[len(items)-1].Received
	if first.Sub(testBase.Add(-backfillSpan)) > time.Hour || testBase.Sub(last) > time.Hour {
		t.Errorf("emails span %v to %v, want the whole three days before %v", first, last, testBase)
	}
}

func TestSlackThreads(t *testing.T) {
	for block := range slackBackfillCount / 5 {
		root := slackBackfillMessage(testBase, block*5)
		for _, pos := range []int{2, 4} {
			reply := slackBackfillMessage(testBase, block*5+pos)
			if reply.conv.id != root.conv.id || !reply.threadAt.Equal(root.at) || !reply.at.After(root.at) {
				t.Errorf("block %d: reply %d is not in the root's thread after it", block, pos)
			}
		}
		if !strings.Contains(root.raw, "<@"+you.slackID+">") {
			t.Errorf("block %d: thread root does not mention you: %q", block, root.raw)
		}
	}
}

func TestLiveItems(t *testing.T) {
	a, b := newTest(t, nil, nil), newTest(t, nil, nil)
	corpA, corpB := testCorpus(t, a), testCorpus(t, b)
	backfill := a.backfillItems(corpA, testBase)
	threads := map[string]bool{}
	for _, it := range backfill {
		threads[it.Thread] = true
	}
	wantSource := map[string]inbox.Source{
		"slack dm": inbox.SourceSlack, "email": inbox.SourceEmail, "github line comment": inbox.SourceGitHub,
		"slack thread reply": inbox.SourceSlack, "slack mention": inbox.SourceSlack, "github review": inbox.SourceGitHub,
		"slack group dm": inbox.SourceSlack,
	}
	for seq := range 5 * len(liveKinds) {
		now := testBase.Add(time.Duration(seq) * time.Minute)
		it := a.liveItem(corpA, testBase, seq, now)
		// The same seq always gives the same item, from any instance.
		if other := b.liveItem(corpB, testBase, seq, now); !reflect.DeepEqual(it, other) {
			t.Errorf("seq %d: two instances disagree:\n%+v\n%+v", seq, it, other)
		}
		if err := it.Validate(); err != nil {
			t.Error(err)
		}
		if want := inbox.ID(fmt.Sprintf("demo/live/%d", seq)); it.ID != want {
			t.Errorf("seq %d: id %s, want %s", seq, it.ID, want)
		}
		if !it.Received.Equal(now) || !it.Unread {
			t.Errorf("seq %d: received %v unread %v, want %v and unread", seq, it.Received, it.Unread, now)
		}
		kind := liveKinds[seq%len(liveKinds)]
		if it.Source != wantSource[kind] {
			t.Errorf("seq %d (%s): source %s", seq, kind, it.Source)
		}
		switch kind {
		case "slack dm", "slack group dm":
			if !it.HasSignal(inbox.SignalDM) {
				t.Errorf("seq %d (%s): no dm signal", seq, kind)
			}
		case "slack mention":
			if !it.HasSignal(inbox.SignalMention) {
				t.Errorf("seq %d (%s): no mention signal", seq, kind)
			}
		case "slack thread reply", "github line comment", "github review":
			if !threads[it.Thread] {
				t.Errorf("seq %d (%s): thread %s is not one of the backfill's", seq, kind, it.Thread)
			}
		}
		if it.Source != inbox.SourceEmail {
			checkSourceShape(t, it)
		}
	}
}

func TestRenderSlack(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"<@" + you.slackID + "> ping", "@you ping"},
		{"cc <@U04C9M1MWEB>", "cc @Marcus Webb"},
		{"<@U999|ghost> hi", "@ghost hi"},
		{"<@U999>", "@U999"},
		{"see <#C04IN2INCID>", "see #incidents"},
		{"see <#C123|random>", "see #random"},
		{"<!here> deploy", "@here deploy"},
		{"<!subteam^S1|@oncall> help", "@oncall help"},
		{"<https://x.example/a|the doc>", "the doc (https://x.example/a)"},
		{"<https://x.example/a>", "https://x.example/a"},
		{"<mailto:a@x.example|a@x.example>", "a@x.example"},
		{"a &lt;b&gt; &amp; c", "a <b> & c"},
	}
	for _, tt := range tests {
		if got := renderSlack(tt.raw); got != tt.want {
			t.Errorf("renderSlack(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestTemplatesFill(t *testing.T) {
	var pools []string
	pools = append(pools, dmTexts...)
	pools = append(pools, groupTexts...)
	pools = append(pools, mentionTexts...)
	for _, sc := range scenarios {
		pools = append(pools, sc.root.text)
		for _, l := range sc.replies {
			pools = append(pools, l.text)
			byHandle(l.from) // panics on a typo
		}
		byHandle(sc.root.from)
	}
	for _, p := range pulls {
		byHandle(p.author)
		if len(p.files) == 0 || len(p.comments) == 0 {
			t.Errorf("pull %s#%d has no files or comments", p.repo, p.number)
		}
	}
	for i, text := range pools {
		for seed := range 5 {
			out := renderSlack(fill(text, rngFor(99, uint64(i*10+seed))))
			if strings.ContainsAny(out, "{}") || strings.Contains(out, "<@") {
				t.Errorf("template %q rendered as %q", text, out)
			}
		}
	}
}

// flakySink fails one chosen Apply, as a store that ran out of disk would.
type flakySink struct {
	*conformance.MemorySink
	mu      sync.Mutex
	applies int
	failOn  int
}

var errFlaky = errors.New("disk full")

func (s *flakySink) Apply(ctx context.Context, b connectors.Batch) error {
	s.mu.Lock()
	s.applies++
	fail := s.applies == s.failOn
	s.mu.Unlock()
	if fail {
		return errFlaky
	}
	return s.MemorySink.Apply(ctx, b)
}

// syncUntil runs c.Sync on sink until done reports true, then stops it.
func syncUntil(t *testing.T, c *Connector, sink connectors.Sink, done func() bool) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- c.Sync(ctx, sink) }()
	deadline := time.After(10 * time.Second)
	for !done() {
		select {
		case err := <-errc:
			return err
		case <-deadline:
			t.Fatal("condition not reached in 10s")
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	return <-errc
}

func decodeSinkCursor(t *testing.T, s connectors.Sink) *cursor {
	t.Helper()
	raw, err := s.Cursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cur, err := decodeCursor(raw)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

func TestSyncResumesInterruptedBackfill(t *testing.T) {
	clock := func() time.Time { return testBase }
	c := newTest(t, map[string]any{"interval": "1h"}, clock)
	total := testCorpus(t, c).len() + slackBackfillCount + githubBackfillCount

	sink := &flakySink{MemorySink: conformance.NewMemorySink(), failOn: 2}
	err := syncUntil(t, c, sink, func() bool { return false })
	if !errors.Is(err, errFlaky) {
		t.Fatalf("Sync = %v, want the sink's error", err)
	}
	cur := decodeSinkCursor(t, sink)
	if cur == nil || cur.Backfilled || cur.Done != batchSize || cur.Base != testBase.Unix() {
		t.Fatalf("cursor after a failed second batch = %+v", cur)
	}

	// A new instance resumes after the committed batch.
	c2 := newTest(t, map[string]any{"interval": "1h"}, clock)
	err = syncUntil(t, c2, sink, func() bool { return sink.Len() == total })
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if n := sink.Reupserts(); n != 0 {
		t.Errorf("resumed backfill re-sent %d items", n)
	}
	var last connectors.Progress
	for _, p := range sink.ProgressReports() {
		if p.Phase != "sample mail" || p.Total != total {
			t.Errorf("progress %+v", p)
		}
		last = p
	}
	if last.Done != total {
		t.Errorf("last progress %+v, want done %d", last, total)
	}
	for _, b := range sink.Batches() {
		if !b.Backfill || len(b.Upserts) > batchSize {
			t.Errorf("backfill batch of %d items, backfill=%v", len(b.Upserts), b.Backfill)
		}
	}
	if cur := decodeSinkCursor(t, sink); !cur.Backfilled || cur.Done != 0 || cur.Seq != 0 {
		t.Errorf("cursor after backfill = %+v", cur)
	}
}

func TestSyncLive(t *testing.T) {
	now := testBase.Add(3 * time.Hour)
	c := newTest(t, map[string]any{"interval": "10ms", "emails": 0}, func() time.Time { return now })
	sink := conformance.NewMemorySink()
	sink.SetCursor(cursor{Base: testBase.Unix(), Backfilled: true, Seq: 7}.encode())

	err := syncUntil(t, c, sink, func() bool { return sink.Len() >= 3 })
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	for i, b := range sink.Batches() {
		if b.Backfill || len(b.Upserts) != 1 {
			t.Fatalf("live batch %d: backfill=%v, %d items", i, b.Backfill, len(b.Upserts))
		}
		it := b.Upserts[0]
		if want := inbox.ID(fmt.Sprintf("demo/live/%d", 7+i)); it.ID != want || !it.Received.Equal(now) {
			t.Errorf("live batch %d: %s at %v, want %s at %v", i, it.ID, it.Received, want, now)
		}
		cur, err := decodeCursor(b.Cursor)
		if err != nil || cur.Seq != 8+i || cur.Base != testBase.Unix() {
			t.Errorf("live batch %d: cursor %+v, %v", i, cur, err)
		}
	}
}

func TestSyncBadCursorStartsOver(t *testing.T) {
	c := newTest(t, map[string]any{"interval": "1h", "emails": 2}, func() time.Time { return testBase })
	sink := conformance.NewMemorySink()
	sink.SetCursor([]byte("not json"))
	want := 2 + slackBackfillCount + githubBackfillCount
	err := syncUntil(t, c, sink, func() bool { return sink.Len() == want })
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if cur := decodeSinkCursor(t, sink); cur.Base != testBase.Unix() || !cur.Backfilled {
		t.Errorf("cursor = %+v", cur)
	}
}
