package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v92/github"
)

// detail is who said what on a thread, as its item shows it.
type detail struct {
	// Key is the API address of the comment, review or subject shown;
	// the thread's cursor state keeps it to tell new activity from a push.
	Key   string
	Login string
	Body  string // markdown, as written
	URL   string // html_url
	// Verb says what happened when the body alone does not ("Approved").
	Verb string
}

// doc is the part of a comment, review, issue, pull request, release or
// commit the item needs; GitHub's shapes share these names.
type doc struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	State   string `json:"state"` // reviews
	User    *struct {
		Login string `json:"login"`
	} `json:"user"`
	Author *struct { // releases and commits
		Login string `json:"login"`
	} `json:"author"`
	Commit *struct {
		Message string `json:"message"`
	} `json:"commit"`
}

// login is who wrote d: its user, or a release's or commit's author.
func (d *doc) login() string {
	switch {
	case d.User != nil && d.User.Login != "":
		return d.User.Login
	case d.Author != nil:
		return d.Author.Login
	}
	return ""
}

// text is what d says: its body, or a commit's message.
func (d *doc) text() string {
	if d.Body == "" && d.Commit != nil {
		return d.Commit.Message
	}
	return d.Body
}

// describe fetches the newest comment or review of a thread: the
// subject's latest_comment_url when it names a comment; for a pull request
// without one (a review is not a comment), its newest review; else the
// issue, pull request or release itself. A subject the token may not read
// (a 403 or 404: a private repository without the repo scope, SAML) leaves
// the item to what the notification says.
func (c *Connector) describe(ctx context.Context, a *api, n *gh.Notification) (detail, error) {
	subj := n.GetSubject()
	su, lc := subj.GetURL(), subj.GetLatestCommentURL()
	reviewRequested := n.GetReason() == "review_requested"

	if lc != "" && lc != su {
		d, ok, err := c.fetchDoc(ctx, a, lc)
		if err != nil || ok {
			return d, err
		}
	}
	if su == "" {
		return detail{}, nil
	}
	if subj.GetType() == "PullRequest" && !reviewRequested {
		d, ok, err := c.latestReview(ctx, a, su)
		if err != nil || ok {
			return d, err
		}
	}
	d, _, err := c.fetchDoc(ctx, a, su)
	if reviewRequested {
		d.Verb = "Review requested"
	}
	return d, err
}

// fetchDoc reads one comment, issue, pull request or release; ok is false
// when it is not readable (or not on this API's host).
func (c *Connector) fetchDoc(ctx context.Context, a *api, addr string) (detail, bool, error) {
	if !a.ours(addr) {
		return detail{}, false, nil
	}
	var d doc
	if _, err := a.send(ctx, http.MethodGet, addr, nil, &d, c.opts.MaxWait); err != nil {
		if unreadable(err) {
			c.opts.Logger.Debug("github: subject not readable; item shows the notification only", "account", c.account, "status", statusOf(err))
			return detail{}, false, nil
		}
		return detail{}, false, fmt.Errorf("github: %s: %w", c.account, err)
	}
	return detail{Key: addr, Login: d.login(), Body: d.text(), URL: d.HTMLURL}, true, nil
}

// latestReview reads the newest submitted review of a pull request (the
// last page of its reviews, oldest first).
func (c *Connector) latestReview(ctx context.Context, a *api, pull string) (detail, bool, error) {
	if !a.ours(pull) {
		return detail{}, false, nil
	}
	addr := strings.TrimSuffix(pull, "/") + "/reviews?per_page=100"
	var reviews []doc
	resp, err := a.send(ctx, http.MethodGet, addr, nil, &reviews, c.opts.MaxWait)
	if err == nil {
		if last := linkRel(resp.Header, "last"); last != "" && a.ours(last) {
			reviews = nil
			_, err = a.send(ctx, http.MethodGet, last, nil, &reviews, c.opts.MaxWait)
		}
	}
	if err != nil {
		if unreadable(err) {
			return detail{}, false, nil
		}
		return detail{}, false, fmt.Errorf("github: %s: %w", c.account, err)
	}
	for i := len(reviews) - 1; i >= 0; i-- {
		r := reviews[i]
		verb := reviewVerb(r.State)
		if verb == "" {
			continue // pending: not submitted
		}
		return detail{
			Key:   fmt.Sprintf("%s/reviews/%d", strings.TrimSuffix(pull, "/"), r.ID),
			Login: r.login(), Body: r.Body, URL: r.HTMLURL, Verb: verb,
		}, true, nil
	}
	return detail{}, false, nil
}

// reviewVerb words a review state, or "" for one not submitted.
func reviewVerb(state string) string {
	switch strings.ToUpper(state) {
	case "APPROVED":
		return "Approved"
	case "CHANGES_REQUESTED":
		return "Requested changes"
	case "COMMENTED":
		return "Reviewed"
	case "DISMISSED":
		return "Review dismissed"
	}
	return ""
}

// unreadable reports whether err is GitHub refusing one object (rather than
// the API failing): the thread stays, described by its notification.
func unreadable(err error) bool {
	switch statusOf(err) {
	case http.StatusForbidden, http.StatusNotFound, http.StatusGone, http.StatusUnavailableForLegalReasons:
		return true
	}
	return false
}

// received is when a thread last changed, for the item's date.
func received(n *gh.Notification, now time.Time) time.Time {
	if t := n.GetUpdatedAt().Time; !t.IsZero() {
		return t
	}
	return now
}
