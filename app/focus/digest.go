package focus

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// Digest is the one notification a release sends. Never one per item.
type Digest struct {
	Title      string
	Body       string
	Counts     map[inbox.Source]int
	TopSenders []string // up to three, most items first
}

// Empty reports whether there is nothing to announce.
func (d Digest) Empty() bool { return d.Title == "" }

// listMax bounds the urgent and due lines so the body fits a notification.
const listMax = 3

var sourceOrder = []inbox.Source{inbox.SourceEmail, inbox.SourceSlack, inbox.SourceGitHub, inbox.SourceAsana}

var sourceLabel = map[inbox.Source]string{
	inbox.SourceEmail:  "email",
	inbox.SourceSlack:  "Slack",
	inbox.SourceGitHub: "GitHub",
	inbox.SourceAsana:  "Asana",
}

// BuildDigest words the notification for rel. items are the released items
// the store still has (an item deleted at the source meanwhile is simply
// missing); dueLater are respond-later items that came due since the last
// release. Urgent and due items are listed first, then counts by source,
// then the top senders:
//
//	12 held while you focused
//	Urgent: Boss: prod down
//	1 respond-later item due
//	Due: Carol: Contract review
//	7 email · 4 Slack · 1 GitHub
//	From Ana (4), Bob (3), Carol (2)
//
// When no item was held because of focus (policy batched, or urgent items
// over the cap) the title is "12 new since 12:30"; with only due items it is
// "2 respond-later items due". With nothing released and nothing due the
// digest is Empty and should not be sent.
func BuildDigest(rel Release, items []inbox.Item, dueLater []inbox.Item) Digest {
	d := Digest{Counts: map[inbox.Source]int{}}
	n := len(items)
	switch {
	case n > 0 && rel.Focused:
		d.Title = fmt.Sprintf("%d held while you focused", n)
	case n > 0 && rel.Since.IsZero():
		d.Title = fmt.Sprintf("%d new", n)
	case n > 0:
		d.Title = fmt.Sprintf("%d new since %s", n, sinceLabel(rel.Since, rel.At))
	case len(dueLater) > 0:
		d.Title = dueCount(len(dueLater))
	default:
		return d
	}

	urgentIDs := map[inbox.ID]bool{}
	for _, h := range rel.Items {
		if h.Urgent {
			urgentIDs[h.ID] = true
		}
	}
	var lines []string
	var urgent []inbox.Item
	for _, it := range items {
		if urgentIDs[it.ID] {
			urgent = append(urgent, it)
		}
	}
	lines = appendList(lines, "Urgent", "urgent", urgent)
	due := slices.DeleteFunc(slices.Clone(dueLater), func(it inbox.Item) bool { return urgentIDs[it.ID] })
	if n > 0 && len(due) > 0 {
		// The title counts the held items; say how many replies came due too.
		lines = append(lines, dueCount(len(due)))
	}
	lines = appendList(lines, "Due", "due", due)

	if n > 0 {
		for _, it := range items {
			d.Counts[it.Source]++
		}
		srcs := slices.Clone(sourceOrder)
		for s := range d.Counts {
			if !slices.Contains(srcs, s) {
				srcs = append(srcs, s)
			}
		}
		// Stable: equal counts keep the fixed source order.
		slices.SortStableFunc(srcs, func(a, b inbox.Source) int { return d.Counts[b] - d.Counts[a] })
		var parts []string
		for _, s := range srcs {
			if c := d.Counts[s]; c > 0 {
				label := sourceLabel[s]
				if label == "" {
					label = string(s)
				}
				parts = append(parts, fmt.Sprintf("%d %s", c, label))
			}
		}
		lines = append(lines, strings.Join(parts, " · "))

		top, counts := topSenders(items, 3)
		d.TopSenders = top
		if len(top) > 0 {
			var ss []string
			for i, name := range top {
				if counts[i] > 1 {
					name = fmt.Sprintf("%s (%d)", name, counts[i])
				}
				ss = append(ss, name)
			}
			lines = append(lines, "From "+strings.Join(ss, ", "))
		}
	}
	d.Body = strings.Join(lines, "\n")
	return d
}

// dueCount is "1 respond-later item due" or "3 respond-later items due".
func dueCount(n int) string {
	if n == 1 {
		return "1 respond-later item due"
	}
	return fmt.Sprintf("%d respond-later items due", n)
}

func appendList(lines []string, label, word string, items []inbox.Item) []string {
	for i, it := range items {
		if i == listMax {
			return append(lines, fmt.Sprintf("+%d more %s", len(items)-listMax, word))
		}
		lines = append(lines, label+": "+itemLabel(it))
	}
	return lines
}

// itemLabel is "Sender: title", cut to fit one line.
func itemLabel(it inbox.Item) string {
	title := it.Title
	if title == "" {
		title = it.Snippet
	}
	title = inbox.FirstLine(title, 60)
	if who := it.From.Display(); who != "" {
		if title == "" {
			return who
		}
		return who + ": " + title
	}
	return title
}

// topSenders returns the display names of the max senders with the most
// items, ties in order of first appearance, and their counts.
func topSenders(items []inbox.Item, max int) ([]string, []int) {
	type sender struct {
		name  string
		count int
		first int
	}
	byKey := map[string]*sender{}
	var all []*sender
	for i, it := range items {
		key := strings.ToLower(it.From.Addr)
		if key == "" {
			key = strings.ToLower(it.From.Name)
		}
		if key == "" {
			continue
		}
		s, ok := byKey[key]
		if !ok {
			s = &sender{name: it.From.Display(), first: i}
			byKey[key] = s
			all = append(all, s)
		}
		s.count++
	}
	slices.SortStableFunc(all, func(a, b *sender) int { return b.count - a.count })
	var names []string
	var counts []int
	for _, s := range all[:min(max, len(all))] {
		names = append(names, s.name)
		counts = append(counts, s.count)
	}
	return names, counts
}

// sinceLabel names the previous release relative to this one: "12:30",
// "yesterday 16:30", "Mon 16:30".
func sinceLabel(since, at time.Time) string {
	at = at.In(since.Location())
	switch dateOf(since) {
	case dateOf(at):
		return since.Format("15:04")
	case dateOf(at).addDays(-1):
		return "yesterday " + since.Format("15:04")
	}
	if at.Sub(since) < 6*24*time.Hour {
		return since.Format("Mon 15:04")
	}
	return since.Format("Jan 2 15:04")
}
