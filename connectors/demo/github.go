package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// githubBackfillCount is how many GitHub notifications the backfill holds.
// Item i is about pulls[i % len(pulls)]; its first round is the review
// request (or, on your own pull request, a first comment), later rounds are
// line comments and comments that mention you.
const githubBackfillCount = 40

type ghKind int

const (
	ghReviewRequested ghKind = iota
	ghReviewReRequested
	ghLineComment
	ghMention
)

// ghEvent is one generated GitHub notification.
type ghEvent struct {
	kind ghKind
	pr   pull
	from person
	text string // the comment; empty for review requests
	path string // line comments: the file
	line int    // line comments: the line
	id   int64  // the comment's id, for the permalink
	at   time.Time
}

func (c *Connector) githubItem(native string, e ghEvent, base time.Time) inbox.Item {
	repo := "acme/" + e.pr.repo
	prURL := fmt.Sprintf("https://github.com/%s/pull/%d", repo, e.pr.number)
	it := inbox.Item{
		ID:       inbox.NewID(c.account, native),
		Account:  c.account,
		Source:   inbox.SourceGitHub,
		Thread:   fmt.Sprintf("%s#%d", repo, e.pr.number),
		Title:    e.pr.title,
		From:     inbox.Person{Name: e.from.name, Addr: e.from.login},
		To:       []inbox.Person{{Name: you.name, Addr: you.login}},
		Received: e.at,
		Unread:   base.Sub(e.at) < unreadWindow,
	}
	switch e.kind {
	case ghReviewRequested, ghReviewReRequested:
		verb := "requested"
		if e.kind == ghReviewReRequested {
			verb = "re-requested"
		}
		it.Snippet = fmt.Sprintf("%s %s your review on %s#%d", e.from.name, verb, repo, e.pr.number)
		it.Body = fmt.Sprintf("%s %s your review on %s#%d: %s\n\n%s\n\nFiles changed: %s",
			e.from.name, verb, repo, e.pr.number, e.pr.title, e.pr.about, strings.Join(e.pr.files, ", "))
		it.URL = prURL
		it.Signals = []inbox.Signal{inbox.SignalReviewRequested}
	case ghLineComment:
		it.Snippet = e.text
		it.Body = fmt.Sprintf("%s, line %d:\n\n%s", e.path, e.line, e.text)
		it.URL = fmt.Sprintf("%s#discussion_r%d", prURL, e.id)
	case ghMention:
		it.Snippet = e.text
		it.Body = e.text
		it.URL = fmt.Sprintf("%s#issuecomment-%d", prURL, e.id)
	}
	if strings.Contains(e.text, "@"+you.login) {
		it.Signals = append(it.Signals, inbox.SignalMention)
	}
	return it
}

// githubBackfill returns the GitHub part of the backfill.
func (c *Connector) githubBackfill(base time.Time) []inbox.Item {
	items := make([]inbox.Item, 0, githubBackfillCount)
	for i := range githubBackfillCount {
		e := githubBackfillEvent(base, i)
		items = append(items, c.githubItem(ghNative(e), e, base))
	}
	return items
}

// ghNative is a backfill event's native id, shaped like the GitHub object it
// stands for.
func ghNative(e ghEvent) string {
	pr := fmt.Sprintf("github/acme/%s/pull/%d", e.pr.repo, e.pr.number)
	switch e.kind {
	case ghLineComment:
		return fmt.Sprintf("%s/r%d", pr, e.id)
	case ghMention:
		return fmt.Sprintf("%s/c%d", pr, e.id)
	}
	return pr + "/review-requested"
}

func githubBackfillEvent(base time.Time, i int) ghEvent {
	r := rngFor(seedGitHub, uint64(i))
	at := slotTime(base.Add(-backfillSpan), backfillSpan, githubBackfillCount, i, rngFor(seedGitHubTime, uint64(i)))
	pr := pulls[i%len(pulls)]
	id := int64(1_480_000_000 + i*7_919 + r.IntN(7_000))
	if i < len(pulls) && pr.author != you.handle {
		return ghEvent{kind: ghReviewRequested, pr: pr, from: byHandle(pr.author), at: at}
	}
	if r.IntN(3) == 0 {
		return mentionEvent(r, pr, id, at)
	}
	return lineCommentEvent(r, pr, id, at)
}

// lineCommentEvent is a reviewer's comment on a line of pr's diff.
func lineCommentEvent(r *rand.Rand, pr pull, id int64, at time.Time) ghEvent {
	return ghEvent{
		kind: ghLineComment, pr: pr, from: reviewer(r, pr), text: lineComment(r, pr),
		path: pick(r, pr.files), line: 12 + r.IntN(280), id: id, at: at,
	}
}

// lineComment draws a comment on pr's diff: mostly one written for it.
func lineComment(r *rand.Rand, pr pull) string {
	if r.IntN(5) == 0 {
		return pick(r, reviewComments)
	}
	return pick(r, pr.comments)
}

// mentionEvent is a conversation comment that mentions you: from the author
// asking you, a reviewer, to look; or from a reviewer of your own pull request.
func mentionEvent(r *rand.Rand, pr pull, id int64, at time.Time) ghEvent {
	if pr.author == you.handle {
		return ghEvent{kind: ghMention, pr: pr, from: reviewer(r, pr), text: pick(r, reviewerNotes), id: id, at: at}
	}
	return ghEvent{kind: ghMention, pr: pr, from: byHandle(pr.author), text: pick(r, mentionComments), id: id, at: at}
}

// reviewer draws a colleague other than pr's author.
func reviewer(r *rand.Rand, pr pull) person {
	for {
		if p := pick(r, colleagues); p.handle != pr.author {
			return p
		}
	}
}
