package focus

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

func TestBuildDigest(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	mk := func(id string, src inbox.Source, name, addr, title string) inbox.Item {
		return inbox.Item{ID: inbox.ID("a/" + id), Account: "a", Source: src, From: inbox.Person{Name: name, Addr: addr}, Title: title}
	}
	// 7 email, 4 Slack, 1 GitHub; Ana 4, Bob 3, Carol 2.
	var twelve []inbox.Item
	add := func(n int, src inbox.Source, name string) {
		for range n {
			twelve = append(twelve, mk(fmt.Sprint(len(twelve)), src, name, name+"@example.com", "Note from "+name))
		}
	}
	add(4, inbox.SourceEmail, "Ana")
	add(3, inbox.SourceEmail, "Bob")
	add(2, inbox.SourceSlack, "Carol")
	add(2, inbox.SourceSlack, "Dan")
	add(1, inbox.SourceGitHub, "Eve")
	held := func(items []inbox.Item, urgent ...string) []HeldItem {
		var hs []HeldItem
		for _, it := range items {
			hs = append(hs, HeldItem{ID: it.ID, Urgent: slices.Contains(urgent, string(it.ID)), Focus: true})
		}
		return hs
	}
	boss := mk("boss", inbox.SourceSlack, "Boss", "U1", "prod down")
	withBoss := append(slices.Clone(twelve[:3]), boss)
	due := []inbox.Item{mk("due1", inbox.SourceEmail, "Carol", "carol@example.com", "Contract review"), mk("due2", inbox.SourceSlack, "", "U9", "")}
	due[1].Snippet = "can you check the numbers?\nthanks"
	var manyUrgent []inbox.Item
	for i := range 5 {
		manyUrgent = append(manyUrgent, mk(fmt.Sprint("u", i), inbox.SourceEmail, "Boss", "boss@example.com", fmt.Sprint("Fire ", i)))
	}

	tests := []struct {
		name       string
		rel        Release
		items, due []inbox.Item
		title      string
		body       string
		top        []string
	}{
		{
			name: "held while focusing", rel: Release{At: at("12:30"), Since: at("09:00"), Focused: true, Items: held(twelve)}, items: twelve,
			title: "12 held while you focused",
			body:  "7 email · 4 Slack · 1 GitHub\nFrom Ana (4), Bob (3), Carol (2)",
			top:   []string{"Ana", "Bob", "Carol"},
		},
		{
			name: "batched", rel: Release{At: at("16:30"), Since: at("12:30"), Items: held(twelve)}, items: twelve,
			title: "12 new since 12:30",
			body:  "7 email · 4 Slack · 1 GitHub\nFrom Ana (4), Bob (3), Carol (2)",
			top:   []string{"Ana", "Bob", "Carol"},
		},
		{
			name: "batched since yesterday", rel: Release{At: at("09:00"), Since: lt(t, loc, "2026-06-14 16:30"), Items: held(twelve[:1])}, items: twelve[:1],
			title: "1 new since yesterday 16:30",
			body:  "1 email\nFrom Ana",
			top:   []string{"Ana"},
		},
		{
			name: "urgent and due first", rel: Release{At: at("11:30"), Since: at("09:00"), Focused: true, Items: held(withBoss, "a/boss")}, items: withBoss, due: due,
			title: "4 held while you focused",
			body:  "Urgent: Boss: prod down\n2 respond-later items due\nDue: Carol: Contract review\nDue: U9: can you check the numbers?\n3 email · 1 Slack\nFrom Ana (3), Boss",
			top:   []string{"Ana", "Boss"},
		},
		{
			name: "urgent list is capped", rel: Release{At: at("11:30"), Focused: true, Items: held(manyUrgent, "a/u0", "a/u1", "a/u2", "a/u3", "a/u4")}, items: manyUrgent,
			title: "5 held while you focused",
			body:  "Urgent: Boss: Fire 0\nUrgent: Boss: Fire 1\nUrgent: Boss: Fire 2\n+2 more urgent\n5 email\nFrom Boss (5)",
			top:   []string{"Boss"},
		},
		{
			name: "only due items", rel: Release{At: at("12:30")}, due: due,
			title: "2 respond-later items due",
			body:  "Due: Carol: Contract review\nDue: U9: can you check the numbers?",
		},
		{
			name: "one due item", rel: Release{At: at("12:30")}, due: due[:1],
			title: "1 respond-later item due",
			body:  "Due: Carol: Contract review",
		},
		{name: "nothing", rel: Release{At: at("12:30")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := BuildDigest(tt.rel, tt.items, tt.due)
			if d.Title != tt.title {
				t.Errorf("title %q, want %q", d.Title, tt.title)
			}
			if d.Body != tt.body {
				t.Errorf("body\n%s\nwant\n%s", d.Body, tt.body)
			}
			if !slices.Equal(d.TopSenders, tt.top) {
				t.Errorf("top senders %v, want %v", d.TopSenders, tt.top)
			}
			if d.Empty() != (tt.title == "") {
				t.Errorf("Empty() = %v", d.Empty())
			}
			total := 0
			for _, n := range d.Counts {
				total += n
			}
			if total != len(tt.items) {
				t.Errorf("counts %v sum to %d, want %d", d.Counts, total, len(tt.items))
			}
		})
	}
}

// TestDigestFromEngine: the engine's release feeds BuildDigest directly.
func TestDigestFromEngine(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(s string) time.Time { return lt(t, loc, "2026-06-15 "+s) }
	for _, tt := range []struct {
		policy Policy
		arrive string
		title  string
	}{
		{PolicyImmediate, "10:00", "2 held while you focused"},
		{PolicyBatched, "12:40", "2 new since 12:40"},
	} {
		e := mustEngine(t, workday(t, tt.policy))
		items := []inbox.Item{item("w", "1", "a"), item("w", "2", "b")}
		for _, it := range items {
			e.Decide(at(tt.arrive), it, false)
		}
		r := tickUntilRelease(t, e, at(tt.arrive), at("23:00"))
		if d := BuildDigest(r, items, nil); d.Title != tt.title {
			t.Errorf("%s: title %q, want %q", tt.policy, d.Title, tt.title)
		}
	}
}
