package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/mailparse"
)

// The mix of sources, in percent of the items; email takes the rest.
const (
	slackPercent  = 15
	githubPercent = 10
	asanaPercent  = 5
)

// unreadFraction of the newest items are unread, as after a sync of an
// inbox that is read up to the last day or two.
const unreadFraction = 0.01

// generator makes item i of n: email from the ham corpus (each copy its own
// message and thread), plus Slack, GitHub and Asana items shaped as those
// connectors write them. Everything is a function of i, so two runs with
// the same n and start time write the same store.
type generator struct {
	account string
	emails  []inbox.Item // one parsed template per corpus message
	newest  time.Time
	step    time.Duration // mean gap between two items
	n       int
}

// parseTemplates parses every corpus message once, as the maildir and IMAP
// connectors do; copies then differ only in id, thread and time.
func parseTemplates(msgs [][]byte) []inbox.Item {
	out := make([]inbox.Item, 0, len(msgs))
	for i, raw := range msgs {
		m, _ := mailparse.Parse(bytes.NewReader(raw), mailparse.Limits{}) // a partly parsed message is kept, as the connectors do
		it := m.Item("template", fmt.Sprint(i))
		if it.Thread == "" {
			it.Thread = fmt.Sprintf("message:%d", i)
		}
		out = append(out, it)
	}
	return out
}

// item returns item i; i = 0 is the newest.
func (g *generator) item(i int) inbox.Item {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	// Newest first, with jitter inside each slot so the order is kept.
	at := g.newest.Add(-time.Duration(i)*g.step - time.Duration(r.Int64N(int64(g.step)))).Truncate(time.Microsecond)
	var it inbox.Item
	switch p := r.IntN(100); {
	case p < slackPercent:
		it = g.slack(i, r)
	case p < slackPercent+githubPercent:
		it = g.github(i, r)
	case p < slackPercent+githubPercent+asanaPercent:
		it = g.asana(i, r)
	default:
		it = g.email(i)
	}
	it.Account = g.account
	it.Received = at
	it.Unread = float64(i) < unreadFraction*float64(g.n)
	return it
}

// email is a copy of a corpus message. Copy c of message k gets its own
// Message-ID and keeps the corpus's threads within the copy: a thread of
// the corpus becomes c threads, never one of thousands.
func (g *generator) email(i int) inbox.Item {
	k, c := i%len(g.emails), i/len(g.emails)
	it := g.emails[k]
	it.ID = inbox.NewID(g.account, fmt.Sprintf("email/INBOX/%d", i))
	it.Thread = fmt.Sprintf("%s/%d", it.Thread, c)
	return it
}

var (
	people = []inbox.Person{
		{Name: "Ada Lovelace", Addr: "U01ADA"}, {Name: "Grace Hopper", Addr: "U02GRACE"},
		{Name: "Katherine Johnson", Addr: "U03KJ"}, {Name: "Alan Turing", Addr: "U04AT"},
		{Name: "Margaret Hamilton", Addr: "U05MH"}, {Name: "Linus Torvalds", Addr: "U06LT"},
		{Name: "Barbara Liskov", Addr: "U07BL"}, {Name: "Ken Thompson", Addr: "U08KT"},
		{Name: "Frances Allen", Addr: "U09FA"}, {Name: "Donald Knuth", Addr: "U10DK"},
		{Name: "Radia Perlman", Addr: "U11RP"}, {Name: "Dennis Ritchie", Addr: "U12DR"},
	}
	you      = inbox.Person{Name: "You", Addr: "U00YOU"}
	channels = []string{"general", "eng", "release", "design", "support", "incidents", "random", "product", "infra", "frontend"}
	repos    = []string{"acme/api", "acme/web", "acme/desktop", "acme/infra", "acme/docs"}
	projects = []string{"Launch plan", "Q3 roadmap", "Hiring", "Customer onboarding", "Website refresh"}

	subjects = []string{"the migration", "the release notes", "the flaky test", "the on-call rota", "the new search page",
		"the login bug", "the pricing page", "the incident review", "the API rate limits", "the design review",
		"the quarterly plan", "the backup job", "the Windows build", "the onboarding flow", "the memory regression"}
	openers = []string{"Quick question about", "Can you take a look at", "FYI on", "Following up on", "I pushed a fix for",
		"Any objections to shipping", "Heads up:", "Thanks for the notes on", "Where are we with", "Blocked on"}
	closers = []string{"before standup?", "when you have a minute.", "— no rush.", "today if possible.", "so we can close it.",
		"and I think we are good.", "but I am not sure about the edge cases.", "; numbers are in the doc.", "?", "."}
	prTitles = []string{"Batch list queries", "Fix focus release at midnight", "Add Asana comments", "Speed up cold start",
		"Sanitize inline images", "Retry on 429 with Retry-After", "Keyboard help overlay", "Move corpus code into one package",
		"Windowed list rendering", "Snooze presets", "Digest wording", "IMAP IDLE reconnect"}
	tasks = []string{"Draft the launch email", "Review the contract", "Plan the offsite", "Update the FAQ", "Collect beta feedback",
		"Fix the signup form copy", "Prepare board slides", "Renew the certificate", "Interview loop for backend role"}
)

func pick[T any](r *rand.Rand, pool []T) T { return pool[r.IntN(len(pool))] }

func sentence(r *rand.Rand) string {
	return pick(r, openers) + " " + pick(r, subjects) + " " + pick(r, closers)
}

func (g *generator) slack(i int, r *rand.Rand) inbox.Item {
	from := pick(r, people)
	text := sentence(r)
	if r.IntN(6) == 0 {
		text = "@You " + text
	}
	it := inbox.Item{Source: inbox.SourceSlack, From: from}
	ts := fmt.Sprintf("%d.%06d", 1_600_000_000+i, i%1_000_000)
	if r.IntN(4) == 0 { // a direct message
		conv := "D" + from.Addr[1:]
		it.Title = from.Name
		it.Thread = fmt.Sprintf("%s/%d", conv, i/40) // a DM thread per forty items
		it.URL = fmt.Sprintf("https://acme.slack.com/archives/%s/p%s", conv, strings.Replace(ts, ".", "", 1))
		it.Signals = []inbox.Signal{inbox.SignalDM}
		it.To = []inbox.Person{you}
	} else {
		ch := pick(r, channels)
		it.Title = "Thread in #" + ch
		it.Thread = fmt.Sprintf("C%s/%d", strings.ToUpper(ch), i/25)
		it.URL = fmt.Sprintf("https://acme.slack.com/archives/C%s/p%s", strings.ToUpper(ch), strings.Replace(ts, ".", "", 1))
	}
	if strings.HasPrefix(text, "@You") {
		it.Signals = append(it.Signals, inbox.SignalMention)
	}
	it.ID = inbox.NewID(g.account, "slack/"+ts)
	it.Body = text
	it.Snippet = mailparse.Snippet(text)
	return it
}

func (g *generator) github(i int, r *rand.Rand) inbox.Item {
	repo := pick(r, repos)
	number := 1 + (i/30)%5000
	from := pick(r, people)
	text := sentence(r)
	it := inbox.Item{
		ID:      inbox.NewID(g.account, fmt.Sprintf("github/%d", i)),
		Source:  inbox.SourceGitHub,
		Thread:  fmt.Sprintf("%s#%d", repo, number),
		Title:   prTitles[number%len(prTitles)],
		From:    inbox.Person{Name: from.Name, Addr: strings.ToLower(strings.Fields(from.Name)[0])},
		To:      []inbox.Person{{Name: you.Name, Addr: "you"}},
		Snippet: text,
		Body:    text,
		URL:     fmt.Sprintf("https://github.com/%s/pull/%d#issuecomment-%d", repo, number, 1_000_000+i),
	}
	if r.IntN(5) == 0 {
		it.Signals = []inbox.Signal{inbox.SignalReviewRequested}
		it.Snippet = fmt.Sprintf("%s requested your review on %s#%d", from.Name, repo, number)
	}
	return it
}

func (g *generator) asana(i int, r *rand.Rand) inbox.Item {
	task := 1_200_000_000_000 + int64(i/20)
	from := pick(r, people)
	text := sentence(r)
	return inbox.Item{
		ID:      inbox.NewID(g.account, fmt.Sprintf("asana/story/%d", i)),
		Source:  inbox.SourceAsana,
		Thread:  fmt.Sprint(task),
		Title:   pick(r, tasks) + " · " + pick(r, projects),
		From:    inbox.Person{Name: from.Name, Addr: fmt.Sprint(1_100_000 + r.IntN(len(people)))},
		Snippet: text,
		Body:    text,
		URL:     fmt.Sprintf("https://app.asana.com/0/0/%d/f", task),
	}
}
