package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

func TestListByTimeAndDue(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	mustApply(t, s, Batch{Account: "a", Upserts: []inbox.Item{
		item("a", "1", inbox.SourceEmail, 1, ""),
		item("a", "2", inbox.SourceSlack, 2, ""),
		item("a", "3", inbox.SourceEmail, 3, ""),
		item("a", "4", inbox.SourceGitHub, 4, ""),
		item("a", "5", inbox.SourceEmail, 5, ""),
	}})
	set := func(id string, tr inbox.Triage) {
		t.Helper()
		if _, err := s.SetTriage(ctx, inbox.ID(id), tr); err != nil {
			t.Fatal(err)
		}
	}
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	set("a/1", inbox.Triage{State: inbox.StateLater, RespondBy: h(5)})
	set("a/2", inbox.Triage{State: inbox.StateLater, RespondBy: h(1)})
	set("a/3", inbox.Triage{State: inbox.StateLater, RespondBy: h(3)})
	set("a/4", inbox.Triage{State: inbox.StateLater}) // no respond-by: last
	set("a/5", inbox.Triage{State: inbox.StateSnoozed, SnoozeUntil: h(2)})

	for _, tt := range []struct {
		name  string
		q     inbox.Query
		want  []inbox.ID
		total int
	}{
		{"later by respond-by", inbox.Query{State: inbox.StateLater}, ids("a/2", "a/3", "a/1", "a/4"), 4},
		{"window", inbox.Query{State: inbox.StateLater, Offset: 1, Limit: 2}, ids("a/3", "a/1"), 4},
		{"past the end", inbox.Query{State: inbox.StateLater, Offset: 9}, ids(), 4},
		{"one source", inbox.Query{State: inbox.StateLater, Source: inbox.SourceEmail}, ids("a/3", "a/1"), 2},
		{"one source, window", inbox.Query{State: inbox.StateLater, Source: inbox.SourceEmail, Offset: 1}, ids("a/1"), 2},
		{"snoozed", inbox.Query{State: inbox.StateSnoozed}, ids("a/5"), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.ListByTime(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pageIDs(p), tt.want) || p.Total != tt.total {
				t.Fatalf("got %v (total %d), want %v (total %d)", pageIDs(p), p.Total, tt.want, tt.total)
			}
		})
	}
	if _, err := s.ListByTime(ctx, inbox.Query{State: inbox.StateInbox}); err == nil {
		t.Fatal("inbox has no time index")
	}
	p, _ := s.ListByTime(ctx, inbox.Query{State: inbox.StateSnoozed})
	if !p.Items[0].SnoozeUntil.Equal(h(2)) {
		t.Fatalf("summary lacks the wake-up time: %+v", p.Items[0])
	}

	due, err := s.DueBetween(ctx, h(1), h(5))
	if err != nil {
		t.Fatal(err)
	}
	var got []inbox.ID
	for _, it := range due {
		got = append(got, it.ID)
	}
	if !slices.Equal(got, ids("a/3", "a/1")) {
		t.Fatalf("due in (1h, 5h] = %v", got)
	}
	if due, _ := s.DueBetween(ctx, time.Time{}, h(1)); len(due) != 1 || due[0].ID != "a/2" {
		t.Fatalf("due by 1h = %v", due)
	}

	if woke, _ := s.SnoozedUntil(ctx, h(1), 10); len(woke) != 0 {
		t.Fatalf("woke early: %v", woke)
	}
	if woke, _ := s.SnoozedUntil(ctx, h(2), 10); !slices.Equal(woke, ids("a/5")) {
		t.Fatalf("woke = %v", woke)
	}
	// Out of Later, out of the index.
	set("a/2", inbox.Triage{State: inbox.StateDone})
	if due, _ := s.DueBetween(ctx, time.Time{}, h(9)); len(due) != 2 {
		t.Fatalf("due after done = %v", due)
	}
}

func TestScanThreadsAndThreadItems(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	mustApply(t, s, Batch{Account: "a", Upserts: []inbox.Item{
		item("a", "1", inbox.SourceEmail, 1, "x"),
		item("a", "2", inbox.SourceEmail, 2, ""),
		item("a", "3", inbox.SourceSlack, 3, "x"),
		item("a", "4", inbox.SourceSlack, 4, "y"),
		item("a", "5", inbox.SourceSlack, 5, "x\x00y"),
	}})
	mustApply(t, s, Batch{Account: "b", Upserts: []inbox.Item{item("b", "1", inbox.SourceEmail, 6, "x")}})
	scan, err := s.ScanThreads(ctx, inbox.StateInbox, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scan.IDs, ids("b/1", "a/5", "a/4", "a/3", "a/2", "a/1")) || len(scan.Received) != 6 || !scan.Received[0].Equal(t0.Add(6*time.Minute)) {
		t.Fatalf("scan = %+v", scan)
	}
	// Only a/1 and a/3 share a thread: b/1's "x" is another account's.
	want := map[inbox.ID]string{"a/1": "a/x", "a/3": "a/x"}
	if len(scan.Threads) != len(want) || scan.Threads["a/1"] != "a/x" || scan.Threads["a/3"] != "a/x" {
		t.Fatalf("threads = %v", scan.Threads)
	}
	v, _ := s.Version(ctx)
	if scan.Version != v {
		t.Fatalf("scan version %d, store %d", scan.Version, v)
	}
	slack, _ := s.ScanThreads(ctx, inbox.StateInbox, inbox.SourceSlack)
	if !slices.Equal(slack.IDs, ids("a/5", "a/4", "a/3")) {
		t.Fatalf("slack scan = %v", slack.IDs)
	}

	members, err := s.ThreadItems(ctx, "a/3")
	if err != nil || len(members) != 2 || members[0].ID != "a/1" || members[1].ID != "a/3" || members[0].Body != "" {
		t.Fatalf("ThreadItems(a/3) = %+v, %v", members, err)
	}
	if alone, err := s.ThreadItems(ctx, "a/2"); err != nil || len(alone) != 1 {
		t.Fatalf("ThreadItems(a/2) = %+v, %v", alone, err)
	}
	if _, err := s.ThreadItems(ctx, "a/9"); err == nil {
		t.Fatal("ThreadItems of a missing item")
	}
}

// BenchmarkScanThreads100k is what one rebuild of the Inbox view's thread
// rows reads after a change: every thread key and every inbox index key.
func BenchmarkScanThreads100k(b *testing.B) {
	s := openTemp(b)
	fill(b, s, 100_000)
	ctx := context.Background()
	for b.Loop() {
		scan, err := s.ScanThreads(ctx, inbox.StateInbox, "")
		if err != nil {
			b.Fatal(err)
		}
		if len(scan.IDs) != 100_000 {
			b.Fatalf("%d ids", len(scan.IDs))
		}
	}
}
