package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// fill writes n items in MaxBatchItems batches, spread over accounts,
// sources and threads like a real inbox.
func fill(b *testing.B, s *Store, n int) {
	b.Helper()
	sources := []inbox.Source{inbox.SourceEmail, inbox.SourceSlack, inbox.SourceGitHub, inbox.SourceAsana}
	for start := 0; start < n; start += MaxBatchItems {
		acct := fmt.Sprintf("acct%d", start/MaxBatchItems%4)
		batch := Batch{Account: acct}
		for i := start; i < min(start+MaxBatchItems, n); i++ {
			native := fmt.Sprintf("m%d", i)
			batch.Upserts = append(batch.Upserts, inbox.Item{
				ID:       inbox.NewID(acct, native),
				Account:  acct,
				Source:   sources[i%len(sources)],
				Thread:   fmt.Sprintf("t%d", i/5),
				Title:    "Re: quarterly planning for item " + native,
				From:     inbox.Person{Name: "Some Sender", Addr: "sender@example.com"},
				To:       []inbox.Person{{Addr: "me@example.com"}},
				Snippet:  "Thanks for the notes, I had a look at the numbers and there are a few things we should discuss",
				Body:     "A body that is not read by List.\n",
				Received: t0.Add(time.Duration(i) * time.Second),
				Unread:   i%3 == 0,
			})
		}
		mustApply(b, s, batch)
	}
}

func BenchmarkList100k(b *testing.B) {
	s := openTemp(b)
	fill(b, s, 100_000)
	ctx := context.Background()
	q := inbox.Query{State: inbox.StateInbox, Offset: 50_000, Limit: 50}
	for b.Loop() {
		p, err := s.List(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Items) != 50 || p.Total != 100_000 {
			b.Fatalf("got %d items of %d", len(p.Items), p.Total)
		}
	}
}

func BenchmarkList100kFirstPage(b *testing.B) {
	s := openTemp(b)
	fill(b, s, 100_000)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.List(ctx, inbox.Query{Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApply500(b *testing.B) {
	s := openTemp(b)
	ctx := context.Background()
	items := make([]inbox.Item, MaxBatchItems)
	round := 0
	for b.Loop() {
		for i := range items {
			native := fmt.Sprintf("m%d-%d", round, i)
			items[i] = inbox.Item{
				ID: inbox.NewID("a", native), Account: "a", Source: inbox.SourceEmail,
				Thread: native, Title: native, Body: "body",
				Received: t0.Add(time.Duration(round*MaxBatchItems+i) * time.Second),
			}
		}
		round++
		if _, err := s.Apply(ctx, Batch{Account: "a", Upserts: items, Cursor: []byte("c")}); err != nil {
			b.Fatal(err)
		}
	}
}
