package github

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v92/github"

	"github.com/lullhq/lull/app/inbox"
)

// snippetRunes is the longest snippet.
const snippetRunes = 200

// item builds the inbox item of a thread from its notification and the
// comment or review describe found.
func (c *Connector) item(n *gh.Notification, d detail) inbox.Item {
	repo := n.GetRepository().GetFullName()
	subj := n.GetSubject()
	number := subjectNumber(subj.GetURL())

	thread := repo + "/" + strings.ToLower(subj.GetType()) + "/" + n.GetID()
	title := strings.TrimSpace(repo + " " + subj.GetTitle())
	if number != "" {
		thread = repo + "#" + number
		title = repo + "#" + number + " " + subj.GetTitle()
	}

	from := inbox.Person{Addr: d.Login}
	if d.Login == "" {
		from.Name = "GitHub"
	}

	body := strings.TrimSpace(d.Body)
	snip := Snippet(body)
	if d.Verb != "" {
		body = strings.TrimSpace(d.Verb + "\n\n" + body)
		snip = strings.TrimSuffix(d.Verb+": "+snip, ": ")
	}
	if snip == "" {
		snip = reasonText(n.GetReason(), subj.GetType())
	}

	link := d.URL
	if link == "" {
		link = htmlURL(n, number)
	}

	var signals []inbox.Signal
	switch n.GetReason() {
	case "review_requested":
		signals = append(signals, inbox.SignalReviewRequested)
	case "mention", "team_mention":
		signals = append(signals, inbox.SignalMention)
	}

	return inbox.Item{
		ID:       inbox.NewID(c.account, n.GetID()),
		Account:  c.account,
		Source:   inbox.SourceGitHub,
		Thread:   thread,
		Title:    title,
		From:     from,
		Snippet:  snip,
		Body:     body,
		URL:      link,
		Received: received(n, c.opts.Now()),
		Signals:  signals,
		Unread:   n.GetUnread(),
	}
}

// subjectNumber is the issue or pull request number at the end of a
// subject's API address (…/issues/12, …/pulls/12), or "".
func subjectNumber(api string) string {
	u, err := url.Parse(api)
	if err != nil {
		return ""
	}
	dir, last := path.Split(strings.TrimSuffix(u.Path, "/"))
	kind := path.Base(dir)
	if kind != "issues" && kind != "pulls" {
		return ""
	}
	if _, err := strconv.ParseUint(last, 10, 64); err != nil {
		return ""
	}
	return last
}

// htmlURL is where "open in browser" goes when no comment says: the issue
// or pull request, else the repository's page for the subject's type.
func htmlURL(n *gh.Notification, number string) string {
	repo := strings.TrimSuffix(n.GetRepository().GetHTMLURL(), "/")
	if repo == "" {
		return ""
	}
	switch n.GetSubject().GetType() {
	case "PullRequest":
		if number != "" {
			return repo + "/pull/" + number
		}
	case "Issue":
		if number != "" {
			return repo + "/issues/" + number
		}
	case "Release":
		return repo + "/releases"
	case "Discussion":
		return repo + "/discussions"
	case "CheckSuite", "WorkflowRun":
		return repo + "/actions"
	}
	return repo
}

// reasonText words a notification with nothing to quote.
func reasonText(reason, kind string) string {
	switch reason {
	case "review_requested":
		return "Review requested"
	case "mention":
		return "You were mentioned"
	case "team_mention":
		return "Your team was mentioned"
	case "assign":
		return "Assigned to you"
	case "ci_activity":
		return "Workflow run finished"
	case "state_change":
		return "State changed"
	case "approval_requested":
		return "Deployment approval requested"
	}
	if kind != "" {
		return "New activity on this " + strings.ToLower(kind)
	}
	return "New activity"
}

var (
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	mdImage     = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink      = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	htmlTag     = regexp.MustCompile(`</?[A-Za-z][^>]*>`)
	mdEmphasis  = strings.NewReplacer("**", "", "__", "", "`", "")
	mdLead      = regexp.MustCompile(`^(#{1,6}\s+|[-*+]\s+(\[[ xX]\]\s+)?)`)
)

// Snippet is a one-line preview of a markdown comment: HTML comments (PR
// templates), quoted replies, code blocks, images, link targets and
// emphasis marks go;
// what a reader sees stays, cut to 200 characters.
func Snippet(md string) string {
	md = htmlComment.ReplaceAllString(md, " ")
	var words []string
	fenced := false
	for line := range strings.SplitSeq(md, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced || strings.HasPrefix(t, ">") {
			continue
		}
		t = mdLead.ReplaceAllString(t, "")
		words = append(words, strings.Fields(t)...)
	}
	s := strings.Join(words, " ")
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = htmlTag.ReplaceAllString(s, "")
	s = mdEmphasis.Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > snippetRunes {
		s = strings.TrimSpace(string(r[:snippetRunes-1])) + "…"
	}
	return s
}
