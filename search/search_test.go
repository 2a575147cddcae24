package search

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/store"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Dir: dir, GCInterval: -1, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	return st
}

func openIndex(t testing.TB, st *store.Store, dir string) *Index {
	t.Helper()
	x, err := Open(context.Background(), st, dir, Options{Logger: quietLogger(), Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return x
}

// env is a store and its index in one temp folder, closed at the end.
type env struct {
	t   *testing.T
	dir string
	st  *store.Store
	x   *Index
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, dir: t.TempDir()}
	e.st = openStore(t, e.dir)
	e.x = openIndex(t, e.st, e.dir)
	t.Cleanup(func() {
		if e.x != nil {
			e.x.Close()
		}
		e.st.Close()
	})
	return e
}

// reopen closes the index (not the store) and opens it again.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.x.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	e.x = openIndex(e.t, e.st, e.dir)
}

func (e *env) apply(b store.Batch) {
	e.t.Helper()
	if b.Account == "" {
		b.Account = "acct"
	}
	if _, err := e.st.Apply(context.Background(), b); err != nil {
		e.t.Fatalf("Apply: %v", err)
	}
}

func (e *env) triage(native string, st inbox.State) {
	e.t.Helper()
	if _, err := e.st.SetTriage(context.Background(), inbox.NewID("acct", native), inbox.Triage{State: st}); err != nil {
		e.t.Fatalf("SetTriage: %v", err)
	}
}

func (e *env) catchUp() {
	e.t.Helper()
	if err := e.x.CatchUp(context.Background()); err != nil {
		e.t.Fatalf("CatchUp: %v", err)
	}
}

// find runs query and returns the native ids of the results, in order.
func (e *env) find(query string) []string {
	e.t.Helper()
	res, err := e.x.Run(context.Background(), query, 100)
	if err != nil {
		e.t.Fatalf("Run(%q): %v", query, err)
	}
	out := []string{}
	for _, it := range res.Items {
		_, native, _ := it.ID.Split()
		out = append(out, native)
	}
	if res.Total != len(out) {
		e.t.Errorf("Run(%q): total %d, %d items", query, res.Total, len(out))
	}
	return out
}

func (e *env) expect(query string, want ...string) {
	e.t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := e.find(query); !reflect.DeepEqual(got, want) {
		e.t.Errorf("search %q = %v, want %v", query, got, want)
	}
}

func mail(native string, src inbox.Source, from inbox.Person, title, body string, ago time.Duration) inbox.Item {
	return inbox.Item{
		ID: inbox.NewID("acct", native), Account: "acct", Source: src,
		Thread: "t-" + native, Title: title, From: from, Body: body,
		Snippet: inbox.FirstLine(body, 80), Received: t0.Add(-ago),
	}
}

var (
	ann   = inbox.Person{Name: "Ann Lee", Addr: "ann@example.com"}
	bob   = inbox.Person{Name: "Bob Stone", Addr: "bob@example.org"}
	jira  = inbox.Person{Name: "Jira", Addr: "jira@tracker.example"}
	carol = inbox.Person{Name: "Carol", Addr: "U123"}
	dave  = inbox.Person{Addr: "dave"}
	day   = 24 * time.Hour
)

// corpus is six items across sources and states; see TestSearch.
func corpus() []inbox.Item {
	m1 := mail("m1", inbox.SourceEmail, ann, "Quarterly report draft",
		"Please review the quarterly report before Friday.\nThe invoices are attached.", 10*day)
	m1.To = []inbox.Person{bob}
	m1.Unread = true
	return []inbox.Item{
		m1,
		mail("m2", inbox.SourceEmail, bob, "Re: lunch", "Lunch at noon? The report can wait.", 5*day),
		mail("m3", inbox.SourceEmail, jira, "[JIRA] build broken", "The nightly build failed.", 1*day),
		mail("c4", inbox.SourceSlack, carol, "#general", "report numbers look off; quarterly totals differ", 2*time.Hour),
		mail("g5", inbox.SourceGitHub, dave, "Fix flaky test", "This PR fixes the flaky test in the report generator.", 3*day),
		mail("m6", inbox.SourceEmail, ann, "Invoice March", "Invoice for March attached.", 40*day),
	}
}

func (e *env) loadCorpus() {
	e.t.Helper()
	e.apply(store.Batch{Upserts: corpus()})
	e.triage("m3", inbox.StateLater)
	e.triage("g5", inbox.StateDone)
	e.triage("m6", inbox.StateSnoozed)
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	e.loadCorpus()
	e.catchUp()
	tests := []struct {
		query string
		want  []string
	}{
		{"report", []string{"c4", "m2", "m1"}}, // newest first; g5 is done
		{"REPORT", []string{"c4", "m2", "m1"}},
		{"report in:all", []string{"c4", "g5", "m2", "m1"}},
		{"report is:done", []string{"g5"}},
		{`"quarterly report"`, []string{"m1"}},
		{`"report quarterly"`, nil},
		{"quarterly report", []string{"c4", "m1"}},
		{"invoices", []string{"m1", "m6"}}, // stemmed: invoice, Invoice
		{"from:ann", []string{"m1", "m6"}},
		{"from:ann@example.com", []string{"m1", "m6"}},
		{"from:example.com", []string{"m1", "m6"}},
		{`from:"Ann Lee"`, []string{"m1", "m6"}},
		{`from:"Ann Stone"`, nil},
		{"from:bob", []string{"m2"}},
		{"to:bob", []string{"m1"}},
		{"subject:lunch", []string{"m2"}},
		{"title:report", []string{"m1"}},
		{"source:slack", []string{"c4"}},
		{"source:slack source:github in:all", []string{"c4", "g5"}},
		{"in:later", []string{"m3"}},
		{"in:snoozed", []string{"m6"}},
		{"is:done", []string{"g5"}},
		{"is:unread", []string{"m1"}},
		{"is:read report", []string{"c4", "m2"}},
		{"report -lunch", []string{"c4", "m1"}},
		{"-from:ann", []string{"c4", "m3", "m2"}},
		{"after:2025-03-05", []string{"c4", "m3", "m2"}},
		{"after:2025-03-05 in:all", []string{"c4", "m3", "g5", "m2"}},
		{"before:2025-02-01", []string{"m6"}},
		{"after:2025-02-01 before:2025-03-06 report", []string{"m2", "m1"}},
		{"after:today", []string{"c4"}},
		{"after:yesterday before:today", []string{"m3"}},
		{"the", []string{"c4", "m3", "m2", "m1", "m6"}}, // a stop word alone matches all
		{"", []string{"c4", "m3", "m2", "m1", "m6"}},
		{"the report", []string{"c4", "m2", "m1"}},
		{"zebra", nil},
		{"report zebra", nil},
		{"build source:email in:later is:read from:jira", []string{"m3"}},
	}
	for _, tt := range tests {
		e.expect(tt.query, tt.want...)
	}
	if _, err := e.x.Run(context.Background(), "before:someday", 10); err == nil {
		t.Error("bad date: no error")
	}
}

func TestRunLimitAndTotal(t *testing.T) {
	e := newEnv(t)
	e.loadCorpus()
	e.catchUp()
	res, err := e.x.Run(context.Background(), "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 || res.Total != 5 || res.Items[0].ID != "acct/c4" {
		t.Fatalf("Run limit 2 = %d items, total %d: %+v", len(res.Items), res.Total, res.Items)
	}
	if res.Items[0].From != "Carol" || res.Items[0].Title != "#general" || res.Items[0].State != inbox.StateInbox {
		t.Errorf("row = %+v", res.Items[0])
	}
	if res.TookMS <= 0 || res.Indexing {
		t.Errorf("took %v ms, indexing %v", res.TookMS, res.Indexing)
	}
}

// TestRunPage: pages of a result, read in turn, are the whole result in
// order, each saying where it starts; past the end is empty, not an error.
func TestRunPage(t *testing.T) {
	e := newEnv(t)
	e.loadCorpus()
	e.catchUp()
	ctx := context.Background()
	all, err := e.x.Run(ctx, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var paged []inbox.ID
	for offset := 0; offset < 7; offset += 2 {
		res, err := e.x.RunPage(ctx, "", offset, 2)
		if err != nil {
			t.Fatalf("offset %d: %v", offset, err)
		}
		if res.Offset != offset || res.Total != len(all.Items) {
			t.Fatalf("offset %d: page says offset %d, total %d (want %d)", offset, res.Offset, res.Total, len(all.Items))
		}
		for _, it := range res.Items {
			paged = append(paged, it.ID)
		}
	}
	if len(paged) != len(all.Items) {
		t.Fatalf("pages hold %d items, the whole result %d", len(paged), len(all.Items))
	}
	for i, id := range paged {
		if all.Items[i].ID != id {
			t.Fatalf("item %d: page %s, whole %s", i, id, all.Items[i].ID)
		}
	}
	if _, err := e.x.RunPage(ctx, "", -1, 2); err == nil {
		t.Error("offset -1: no error")
	}
}

// TestPageFromWhatIsKnown: a page read after the page before it, or from the
// end because the count is known, is the page read from the start, ties in
// time included; a count that is out of date reads from the start.
func TestPageFromWhatIsKnown(t *testing.T) {
	e := newEnv(t)
	e.loadCorpus()
	var same []inbox.Item // received at the same moment: the id breaks the tie
	for _, n := range []string{"tie-b", "tie-a", "tie-d", "tie-c"} {
		same = append(same, mail(n, inbox.SourceEmail, bob, "Tie "+n, "Same second.", 300*day))
	}
	e.apply(store.Batch{Upserts: same})
	e.catchUp()
	ctx := context.Background()
	q, err := Parse("", t0)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := e.x.search(ctx, q, 0, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, total := whole.ids, whole.total
	if total != len(all) || total < 8 {
		t.Fatalf("%d ids, total %d: the corpus is too small for this test", len(all), total)
	}
	for _, limit := range []int{1, 2, 3, 100} {
		for offset := 0; offset <= total; offset++ {
			want := all[offset:min(total, offset+limit)]
			check := func(how string, known *searchMark) {
				t.Helper()
				got, err := e.x.search(ctx, q, offset, limit, known)
				if err != nil {
					t.Fatalf("offset %d limit %d %s: %v", offset, limit, how, err)
				}
				if got.total != total || !slices.Equal(got.ids, want) {
					t.Fatalf("offset %d limit %d %s: %v (total %d), want %v (total %d)", offset, limit, how, got.ids, got.total, want, total)
				}
			}
			check("nothing known", nil)
			for _, n := range []int{total, total + 1, total - 1} {
				check(fmt.Sprintf("count %d", n), &searchMark{total: n})
				if offset > 0 {
					// The page before this one, as RunPage keeps it.
					before, err := e.x.search(ctx, q, offset-1, 1, nil)
					if err != nil {
						t.Fatal(err)
					}
					check(fmt.Sprintf("after the hit before, count %d", n), &searchMark{total: n, end: offset, endSort: before.endSort})
				}
				if offset+limit < total {
					// The page after this one, as RunPage keeps it.
					after, err := e.x.search(ctx, q, offset+limit, 1, nil)
					if err != nil {
						t.Fatal(err)
					}
					check(fmt.Sprintf("before the hit after, count %d", n), &searchMark{total: n, start: offset + limit, startSort: after.startSort})
				}
			}
		}
	}

	// Through RunPage: each page leaves the count and where it ended for the next.
	var paged []inbox.ID
	for offset := 0; offset < total; offset += 3 {
		res, err := e.x.RunPage(ctx, "", offset, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			paged = append(paged, it.ID)
		}
		e.x.mu.Lock()
		mark := e.x.last
		e.x.mu.Unlock()
		if mark.total != total || mark.end != offset+len(res.Items) || mark.endSort == nil {
			t.Fatalf("after the page from %d, RunPage kept total %d, end %d, sort %v", offset, mark.total, mark.end, mark.endSort)
		}
	}
	if !slices.Equal(paged, all) {
		t.Fatalf("pages read in turn: %v, want %v", paged, all)
	}
	// And back up, from the page at the end: each page ends where the one
	// read before it starts.
	var back []inbox.ID
	for end := total; end > 0; end -= 3 {
		res, err := e.x.RunPage(ctx, "", max(0, end-3), end-max(0, end-3))
		if err != nil {
			t.Fatal(err)
		}
		var ids []inbox.ID
		for _, it := range res.Items {
			ids = append(ids, it.ID)
		}
		back = append(ids, back...)
	}
	if !slices.Equal(back, all) {
		t.Fatalf("pages read back up: %v, want %v", back, all)
	}
	last, err := e.x.RunPage(ctx, "", total-2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := []inbox.ID{last.Items[0].ID, last.Items[1].ID}; !slices.Equal(got, all[total-2:]) {
		t.Fatalf("last page %v, want %v", got, all[total-2:])
	}
	// A new item changes the index's version: what was kept is not used,
	// and the pages are still right.
	e.apply(store.Batch{Upserts: []inbox.Item{mail("late", inbox.SourceEmail, bob, "Late", "Oldest of all.", 400*day)}})
	e.catchUp()
	last, err = e.x.RunPage(ctx, "", total-1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(last.Items) != 2 || last.Items[0].ID != all[total-1] || last.Items[1].ID != inbox.NewID("acct", "late") {
		t.Fatalf("after a new item, the last page is %v", last.Items)
	}
}

// TestCatchUpAfterCrash: writes that reached the store while the index was
// not following (the app died between the two) are found after reopening.
func TestCatchUpAfterCrash(t *testing.T) {
	e := newEnv(t)
	e.loadCorpus()
	e.catchUp()
	e.expect("report", "c4", "m2", "m1")
	if err := e.x.Close(); err != nil {
		t.Fatal(err)
	}
	e.x = nil

	// The store moves on; the index hears nothing of it.
	e.apply(store.Batch{Upserts: []inbox.Item{
		mail("m7", inbox.SourceEmail, bob, "Zebra migration", "The zebras move north.", 30*time.Minute),
		mail("m2", inbox.SourceEmail, bob, "Re: lunch moved", "Lunch at one. The report can wait.", 5*day),
	}})
	e.triage("m1", inbox.StateDone)
	e.apply(store.Batch{Removes: []inbox.ID{"acct/c4"}})

	e.x = openIndex(t, e.st, e.dir)
	// Before catching up, the index is behind (this is what a crash leaves).
	res, err := e.x.Run(context.Background(), "zebra", 10)
	if err != nil || len(res.Items) != 0 {
		t.Fatalf("before catch-up: %+v, %v", res, err)
	}
	e.catchUp()
	e.expect("zebra", "m7")
	e.expect("moved", "m7", "m2") // stemmed: move, moved
	e.expect("report", "m2")
	e.expect("report is:done", "g5", "m1")
	e.expect("source:slack in:all")
	e.assertInStep()
}

// TestCatchUpRolledBack: an index that lost its last batches (documents
// gone, version marker rolled back, a document of a deleted item left) is
// repaired from the store on open.
func TestCatchUpRolledBack(t *testing.T) {
	e := newEnv(t)
	items := corpus()
	e.apply(store.Batch{Upserts: items[:3]})
	e.catchUp()
	before := e.x.Version()
	e.apply(store.Batch{Upserts: items[3:]})
	e.catchUp()
	if e.x.Version() <= before {
		t.Fatalf("version did not move: %d then %d", before, e.x.Version())
	}
	// Roll the index back to before the second batch, and leave the
	// document of an item the store deleted meanwhile.
	e.rawBatch(func(b *bleve.Batch) {
		for _, it := range items[3:] {
			b.Delete(string(it.ID))
		}
		ghost := mail("ghost", inbox.SourceEmail, ann, "Ghost report", "deleted from the store", time.Hour)
		ghost.Triage.State = inbox.StateInbox
		if err := b.Index(string(ghost.ID), newDocument(&ghost)); err != nil {
			t.Fatal(err)
		}
		b.SetInternal(keyVersion, encodeVersion(before))
	})
	e.reopen()
	if e.x.Version() != before {
		t.Fatalf("reopened at version %d, want %d", e.x.Version(), before)
	}
	// What a crash leaves: the ghost matches in the index (Run drops it,
	// since the store no longer has it) and c4, g5 are missing.
	raw, _, err := e.x.Search(context.Background(), Query{Text: []Term{{Value: "report"}}, States: inbox.States}, 0, 10)
	if err != nil || !reflect.DeepEqual(raw, []inbox.ID{"acct/ghost", "acct/m2", "acct/m1"}) {
		t.Fatalf("index before catch-up: %v, %v", raw, err)
	}
	e.expect("report", "m2", "m1")
	e.catchUp()
	e.expect("report", "c4", "g5", "m2", "m1")
	e.expect("ghost")
	e.assertInStep()
}

// TestCatchUpMarkerAhead: a version past the store's (the store was
// restored from a backup, say) cannot be trusted: everything is redone.
func TestCatchUpMarkerAhead(t *testing.T) {
	e := newEnv(t)
	e.loadCorpus()
	e.catchUp()
	e.rawBatch(func(b *bleve.Batch) {
		b.Delete("acct/m1")
		b.SetInternal(keyVersion, encodeVersion(1<<60))
	})
	e.reopen()
	e.catchUp()
	e.expect("report", "c4", "m2", "m1")
	if v, _ := e.st.Version(context.Background()); e.x.Version() > v {
		t.Fatalf("index version %d past the store's %d", e.x.Version(), v)
	}
}

// TestRebuild: an unreadable index, one of another format and one built
// from another store are rebuilt from the store on open.
func TestRebuild(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(t *testing.T, e *env)
	}{
		{"corrupt", func(t *testing.T, e *env) {
			e.x.Close()
			if err := os.WriteFile(filepath.Join(e.dir, DirName, "index_meta.json"), []byte("{garbage"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"no meta", func(t *testing.T, e *env) {
			e.x.Close()
			if err := os.Remove(filepath.Join(e.dir, DirName, "index_meta.json")); err != nil {
				t.Fatal(err)
			}
		}},
		{"format", func(t *testing.T, e *env) {
			e.rawBatch(func(b *bleve.Batch) { b.SetInternal(keyFormat, []byte("lull-search-0")) })
			e.x.Close()
		}},
		{"other store", func(t *testing.T, e *env) {
			e.rawBatch(func(b *bleve.Batch) { b.SetInternal(keyStore, []byte("someone else")) })
			e.x.Close()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.loadCorpus()
			e.catchUp()
			// A stray document shows whether the old index survived.
			e.rawBatch(func(b *bleve.Batch) {
				ghost := mail("ghost", inbox.SourceEmail, ann, "Ghost report", "", time.Hour)
				if err := b.Index(string(ghost.ID), newDocument(&ghost)); err != nil {
					t.Fatal(err)
				}
			})
			c.break_(t, e)
			e.x = openIndex(t, e.st, e.dir)
			if e.x.Version() != 0 {
				t.Fatalf("rebuilt index starts at version %d", e.x.Version())
			}
			e.catchUp()
			e.expect("report", "c4", "m2", "m1")
			e.assertInStep()
		})
	}
}

// rawBatch writes to the index behind its back, as a crash or a bug would
// leave it, and waits for the write to reach the disk.
func (e *env) rawBatch(fill func(b *bleve.Batch)) {
	e.t.Helper()
	e.x.writeMu.Lock()
	defer e.x.writeMu.Unlock()
	b := e.x.idx.NewBatch()
	fill(b)
	if err := e.x.writeLocked(b); err != nil {
		e.t.Fatal(err)
	}
	if err := e.x.waitPersistedLocked(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// assertInStep checks that the index holds exactly the store's items, each
// with its state and title.
func (e *env) assertInStep() {
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
	n, err := e.x.DocCount()
	if err != nil {
		e.t.Fatal(err)
	}
	if n != len(items) {
		e.t.Errorf("index holds %d documents, store %d items", n, len(items))
	}
	byState := map[inbox.State][]inbox.ID{}
	for _, it := range items {
		byState[it.Triage.State] = append(byState[it.Triage.State], it.ID)
	}
	for _, st := range inbox.States {
		got, _, err := e.x.Search(ctx, Query{States: []inbox.State{st}}, 0, len(items)+10)
		if err != nil {
			e.t.Fatal(err)
		}
		if !sameIDs(got, byState[st]) {
			e.t.Errorf("index has %v in %s, store %v", got, st, byState[st])
		}
	}
}

func sameIDs(a, b []inbox.ID) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[inbox.ID]int{}
	for _, id := range a {
		set[id]++
	}
	for _, id := range b {
		set[id]--
	}
	for _, n := range set {
		if n != 0 {
			return false
		}
	}
	return true
}
