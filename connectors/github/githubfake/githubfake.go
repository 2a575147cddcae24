// Package githubfake is an in-process GitHub REST API for tests and the UI
// end-to-end runs: the notification endpoints and the comment, issue, pull
// request, review and release reads behind them, in the shapes GitHub's
// docs show, with conditional requests (ETag, Last-Modified, 304),
// Link-header pagination, X-Poll-Interval, rate limits and failures to
// inject, and a log of the requests it served.
//
// It serves the API both at its root (like api.github.com) and under
// /api/v3/ (like GitHub Enterprise Server); BaseURL is the latter.
package githubfake

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/connectors/internal/fakehttp"
)

// Limit is a kind of rate limit RateLimitNext injects.
type Limit int

// The rate limits GitHub answers with.
const (
	// Secondary is a 403 with Retry-After and a secondary-rate-limit
	// documentation_url (content creation, too many concurrent requests).
	Secondary Limit = iota
	// Secondary429 is the same limit as a 429.
	Secondary429
	// Primary is a 403 with X-RateLimit-Remaining: 0 and X-RateLimit-Reset.
	Primary
)

// Options configure a Server.
type Options struct {
	// Token is the personal access token the server accepts ("Bearer" or
	// "token" scheme); default "ghp_test".
	Token string
	// Login is the authenticated user; default "me".
	Login string
	// PollInterval is the X-Poll-Interval the notification list sends, in
	// seconds; 0 sends none.
	PollInterval int
	// Scopes is the X-OAuth-Scopes header; default "notifications, repo".
	Scopes string
}

// Thread describes a notification thread to add.
type Thread struct {
	Repo   string // "owner/name"
	Type   string // "PullRequest" (default), "Issue", "Release", "Discussion", "CheckSuite"
	Number int    // issue or pull request number; releases: the release id
	Title  string
	Reason string // default "subscribed"
	Author string // who opened the issue or pull request
	Body   string // its description
	Unread bool
	// Updated is when the thread last changed; zero is now.
	Updated time.Time
}

// Call is one request the server answered; its Path is without the
// /api/v3 prefix, with the query.
type Call = fakehttp.Call

// Server is a fake GitHub API.
type Server struct {
	URL string // the server's root, e.g. http://127.0.0.1:1234

	srv  *httptest.Server
	opts Options
	log  fakehttp.Log

	mu         sync.Mutex
	token      string
	poll       int
	threads    map[string]*thread
	comments   map[int64]*thread // comment id → its thread
	nextID     int64
	version    int
	lastChange time.Time
	failNext   int
	limit      *pendingLimit
	forbid     bool
}

type thread struct {
	id       string
	spec     Thread
	unread   bool
	done     bool
	updated  time.Time
	lastRead time.Time
	comments []comment
	reviews  []review
}

type comment struct {
	id      int64
	user    string
	body    string
	created time.Time
}

type review struct {
	id        int64
	user      string
	state     string
	body      string
	submitted time.Time
}

type pendingLimit struct {
	kind Limit
	wait time.Duration
}

// New starts a server; Close stops it.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "ghp_test"
	}
	if opts.Login == "" {
		opts.Login = "me"
	}
	if opts.Scopes == "" {
		opts.Scopes = "notifications, repo"
	}
	s := &Server{
		opts:       opts,
		token:      opts.Token,
		poll:       opts.PollInterval,
		threads:    map[string]*thread{},
		comments:   map[int64]*thread{},
		nextID:     1000,
		lastChange: now(),
	}
	s.srv = httptest.NewServer(s.log.Record("/api/v3", s.serve))
	s.URL = s.srv.URL
	return s
}

// BaseURL is the API base as a GitHub Enterprise base_url setting writes it.
func (s *Server) BaseURL() string { return s.URL + "/api/v3/" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// now is the server clock at GitHub's one-second resolution.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// changedLocked records a change of the notification list. Timestamps move
// forward by at least a second, as they would over a real poll interval,
// so a client comparing second-resolution times sees every change.
func (s *Server) changedLocked() time.Time {
	t := now()
	if !t.After(s.lastChange) {
		t = s.lastChange.Add(time.Second)
	}
	s.lastChange = t
	s.version++
	return t
}

func (s *Server) idLocked() int64 {
	s.nextID++
	return s.nextID
}

// AddThread adds a notification thread and returns its id.
func (s *Server) AddThread(t Thread) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Type == "" {
		t.Type = "PullRequest"
	}
	if t.Reason == "" {
		t.Reason = "subscribed"
	}
	if t.Author == "" {
		t.Author = "octocat"
	}
	changed := s.changedLocked()
	if t.Updated.IsZero() {
		t.Updated = changed
	}
	id := strconv.FormatInt(s.idLocked(), 10)
	s.threads[id] = &thread{id: id, spec: t, unread: t.Unread, updated: t.Updated.UTC().Truncate(time.Second)}
	return id
}

// Comment adds a conversation comment to a thread's issue or pull request,
// which makes the thread unread, moves it to the top and brings it back if
// it was marked done. It returns the comment id.
func (s *Server) Comment(threadID, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustLocked(threadID)
	at := s.changedLocked()
	id := s.idLocked()
	t.comments = append(t.comments, comment{id: id, user: user, body: body, created: at})
	s.comments[id] = t
	t.updated, t.unread, t.done = at, true, false
	return id
}

// Review submits a pull request review ("APPROVED", "CHANGES_REQUESTED",
// "COMMENTED"); like a comment it makes the thread unread and moves it.
func (s *Server) Review(threadID, user, state, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustLocked(threadID)
	at := s.changedLocked()
	id := s.idLocked()
	t.reviews = append(t.reviews, review{id: id, user: user, state: state, body: body, submitted: at})
	t.updated, t.unread, t.done = at, true, false
	return id
}

// Touch moves a thread without a comment (a push to a pull request, a
// label): updated_at changes, the newest comment does not.
func (s *Server) Touch(threadID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustLocked(threadID)
	t.updated, t.unread, t.done = s.changedLocked(), true, false
}

// MarkRead marks a thread read, as reading it on github.com does.
func (s *Server) MarkRead(threadID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustLocked(threadID)
	s.changedLocked()
	t.unread, t.lastRead = false, now()
}

// MarkDone marks a thread done, as the Done button on github.com does: it
// leaves the notification list until new activity.
func (s *Server) MarkDone(threadID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustLocked(threadID)
	s.changedLocked()
	t.done, t.unread = true, false
}

// State reports a thread's read and done state.
func (s *Server) State(threadID string) (unread, done bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustLocked(threadID)
	return t.unread, t.done
}

// SetToken changes the accepted token (the old one now gets 401).
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// SetPollInterval changes X-Poll-Interval, in seconds (0: none).
func (s *Server) SetPollInterval(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.poll = seconds
}

// ForbidNotifications makes the notification list answer 403, as GitHub
// does for a fine-grained token (which cannot read notifications).
func (s *Server) ForbidNotifications(forbid bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbid = forbid
}

// FailNext makes the next n requests fail with 502, 503 and 500 in turn,
// as GitHub does when it is unwell.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// RateLimitNext makes the next request hit a rate limit asking the client
// to wait (rounded up to whole seconds, as GitHub's headers are).
func (s *Server) RateLimitNext(kind Limit, wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = &pendingLimit{kind: kind, wait: wait}
}

// Calls returns the requests answered so far, oldest first.
func (s *Server) Calls() []Call { return s.log.Calls() }

// ResetCalls forgets the requests answered so far.
func (s *Server) ResetCalls() { s.log.Reset() }

func (s *Server) mustLocked(id string) *thread {
	t, ok := s.threads[id]
	if !ok {
		panic("githubfake: no thread " + id)
	}
	return t
}

// serve answers one request: failures and rate limits first, then the
// token, then the endpoint.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	prefix := ""
	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, "/api/v3"); ok {
		prefix, p = "/api/v3", rest
	}

	s.mu.Lock()
	fail := s.failNext
	if fail > 0 {
		s.failNext--
	}
	limit := s.limit
	if fail == 0 {
		s.limit = nil
	} else {
		limit = nil
	}
	token, forbid := s.token, s.forbid
	s.mu.Unlock()

	if fail > 0 {
		status := []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusInternalServerError}[fail%3]
		writeJSON(w, status, map[string]any{"message": http.StatusText(status)})
		return
	}
	if limit != nil {
		writeLimit(w, *limit)
		return
	}
	if !authorized(r, token) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401",
		})
		return
	}

	if forbid && strings.HasPrefix(p, "/notifications") {
		writeJSON(w, http.StatusForbidden, map[string]any{
			"message":           "Resource not accessible by personal access token",
			"documentation_url": "https://docs.github.com/rest/activity/notifications#list-notifications-for-the-authenticated-user",
			"status":            "403",
		})
		return
	}
	b := bases{api: "http://" + r.Host + prefix, html: "http://" + r.Host}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case r.Method == http.MethodGet && p == "/user":
		writeJSON(w, http.StatusOK, map[string]any{"login": s.opts.Login, "id": 1, "type": "User"})
	case p == "/notifications" && r.Method == http.MethodGet:
		s.listNotifications(w, r, b)
	case len(parts) == 3 && parts[0] == "notifications" && parts[1] == "threads":
		s.threadRequest(w, r, b, parts[2])
	case len(parts) >= 5 && parts[0] == "repos" && r.Method == http.MethodGet:
		s.repoRequest(w, r, b, parts[1]+"/"+parts[2], parts[3:])
	default:
		writeJSON(w, http.StatusNotFound, notFound())
	}
}

func authorized(r *http.Request, token string) bool {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "token "} {
		if v, ok := strings.CutPrefix(h, scheme); ok && v == token {
			return true
		}
	}
	return false
}

// bases are the addresses the answers link to.
type bases struct{ api, html string }

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, b bases) {
	q := r.URL.Query()
	all := q.Get("all") == "true"
	participating := q.Get("participating") == "true"
	since, _ := time.Parse(time.RFC3339, q.Get("since"))
	before, _ := time.Parse(time.RFC3339, q.Get("before"))

	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("X-OAuth-Scopes", s.opts.Scopes)
	if s.poll > 0 {
		w.Header().Set("X-Poll-Interval", strconv.Itoa(s.poll))
	}
	etag := s.etagLocked(r.URL.RawQuery)
	lastMod := s.lastChange.UTC().Format(http.TimeFormat)
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", lastMod)
	if notModified(r, etag, s.lastChange) {
		w.WriteHeader(http.StatusNotModified)
		return
	}

	var list []*thread
	for _, t := range s.threads {
		switch {
		case t.done, !all && !t.unread, participating && !participatingReason(t.spec.Reason),
			!since.IsZero() && t.updated.Before(since), !before.IsZero() && !t.updated.Before(before):
			continue
		}
		list = append(list, t)
	}
	slices.SortFunc(list, func(a, b *thread) int {
		if c := b.updated.Compare(a.updated); c != 0 {
			return c
		}
		return strings.Compare(pad(b.id), pad(a.id))
	})
	from, to := paginate(w, q, b.api+"/notifications", len(list), 50, 50)
	out := make([]map[string]any, 0, to-from)
	for _, t := range list[from:to] {
		out = append(out, s.notificationJSON(t, b))
	}
	s.rateHeadersLocked(w)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) threadRequest(w http.ResponseWriter, r *http.Request, b bases, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.threads[id]
	if !ok {
		writeJSON(w, http.StatusNotFound, notFound())
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.rateHeadersLocked(w)
		writeJSON(w, http.StatusOK, s.notificationJSON(t, b))
	case http.MethodPatch:
		if t.unread {
			s.changedLocked()
			t.unread, t.lastRead = false, now()
		}
		w.WriteHeader(http.StatusResetContent)
	case http.MethodDelete:
		if !t.done {
			s.changedLocked()
			t.done, t.unread = true, false
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusNotFound, notFound())
	}
}

// repoRequest serves /repos/{owner}/{repo}/{rest…}.
func (s *Server) repoRequest(w http.ResponseWriter, r *http.Request, b bases, repo string, rest []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateHeadersLocked(w)
	switch {
	case len(rest) == 3 && rest[0] == "issues" && rest[1] == "comments":
		id, _ := strconv.ParseInt(rest[2], 10, 64)
		t, ok := s.comments[id]
		if !ok || t.spec.Repo != repo {
			break
		}
		for _, c := range t.comments {
			if c.id == id {
				writeJSON(w, http.StatusOK, commentJSON(t, c, b))
				return
			}
		}
	case len(rest) == 2 && (rest[0] == "issues" || rest[0] == "pulls" || rest[0] == "releases"):
		if t := s.subjectLocked(repo, rest[0], rest[1]); t != nil {
			writeJSON(w, http.StatusOK, subjectJSON(t, b))
			return
		}
	case len(rest) == 3 && rest[0] == "pulls" && rest[2] == "reviews":
		t := s.subjectLocked(repo, "pulls", rest[1])
		if t == nil {
			break
		}
		from, to := paginate(w, r.URL.Query(), b.api+"/repos/"+repo+"/pulls/"+rest[1]+"/reviews", len(t.reviews), 30, 100)
		out := make([]map[string]any, 0, to-from)
		for _, rv := range t.reviews[from:to] {
			out = append(out, reviewJSON(t, rv, b))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	writeJSON(w, http.StatusNotFound, notFound())
}

// subjectLocked finds the thread about an issue, pull request or release.
func (s *Server) subjectLocked(repo, kind, number string) *thread {
	n, err := strconv.Atoi(number)
	if err != nil {
		return nil
	}
	for _, t := range s.threads {
		if t.spec.Repo != repo || t.spec.Number != n {
			continue
		}
		switch {
		case kind == "pulls" && t.spec.Type == "PullRequest",
			kind == "issues" && (t.spec.Type == "Issue" || t.spec.Type == "PullRequest"),
			kind == "releases" && t.spec.Type == "Release":
			return t
		}
	}
	return nil
}

func (s *Server) etagLocked(query string) string {
	sum := sha1.Sum([]byte(strconv.Itoa(s.version) + "|" + query))
	return `W/"` + hex.EncodeToString(sum[:8]) + `"`
}

// notModified applies If-None-Match, else If-Modified-Since (RFC 9110).
func notModified(r *http.Request, etag string, lastChange time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			if strings.TrimSpace(tag) == etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !lastChange.Truncate(time.Second).After(t)
	}
	return false
}

func (s *Server) rateHeadersLocked(w http.ResponseWriter) {
	used := 0
	for _, c := range s.log.Calls() {
		if c.Status != http.StatusNotModified {
			used++
		}
	}
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(5000-used-1, 0)))
	w.Header().Set("X-RateLimit-Used", strconv.Itoa(used+1))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	w.Header().Set("X-RateLimit-Resource", "core")
}

func writeLimit(w http.ResponseWriter, l pendingLimit) {
	secs := fakehttp.RetrySeconds(l.wait)
	switch l.kind {
	case Primary:
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Used", "5000")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Duration(secs)*time.Second).Unix(), 10))
		writeJSON(w, http.StatusForbidden, map[string]any{
			"message":           "API rate limit exceeded for user ID 1.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
		})
	default:
		status := http.StatusForbidden
		if l.kind == Secondary429 {
			status = http.StatusTooManyRequests
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, status, map[string]any{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	}
}

// paginate picks the page of a list of n that the page and per_page
// parameters in q ask for (per_page defPer by default, at most maxPer),
// writes its Link header for the list at base, and returns the page's
// bounds in the list.
func paginate(w http.ResponseWriter, q url.Values, base string, n, defPer, maxPer int) (from, to int) {
	perPage := min(max(atoiDefault(q.Get("per_page"), defPer), 1), maxPer)
	page := max(atoiDefault(q.Get("page"), 1), 1)
	pages := max((n+perPage-1)/perPage, 1)
	setLinks(w, base, q, page, pages)
	from = min((page-1)*perPage, n)
	return from, min(from+perPage, n)
}

// setLinks writes the Link header of page out of pages of the list at base.
func setLinks(w http.ResponseWriter, base string, q url.Values, page, pages int) {
	link := func(p int, rel string) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = slices.Clone(v)
		}
		q2.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<%s?%s>; rel="%s"`, base, q2.Encode(), rel)
	}
	var links []string
	if page < pages {
		links = append(links, link(page+1, "next"), link(pages, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
}

func (s *Server) notificationJSON(t *thread, b bases) map[string]any {
	owner, name, _ := strings.Cut(t.spec.Repo, "/")
	subjectURL, latest := subjectAPI(t, b), any(nil)
	if subjectURL != nil {
		latest = subjectURL
		if n := len(t.comments); n > 0 {
			latest = fmt.Sprintf("%s/repos/%s/issues/comments/%d", b.api, t.spec.Repo, t.comments[n-1].id)
		}
	}
	var lastRead any
	if !t.lastRead.IsZero() {
		lastRead = stamp(t.lastRead)
	}
	return map[string]any{
		"id":           t.id,
		"unread":       t.unread,
		"reason":       t.spec.Reason,
		"updated_at":   stamp(t.updated),
		"last_read_at": lastRead,
		"subject": map[string]any{
			"title": t.spec.Title, "url": subjectURL, "latest_comment_url": latest, "type": t.spec.Type,
		},
		"repository": map[string]any{
			"id": 1, "node_id": "R_1", "name": name, "full_name": t.spec.Repo, "private": false,
			"owner":    map[string]any{"login": owner, "id": 2, "type": "Organization"},
			"html_url": b.html + "/" + t.spec.Repo, "url": b.api + "/repos/" + t.spec.Repo,
		},
		"url":              b.api + "/notifications/threads/" + t.id,
		"subscription_url": b.api + "/notifications/threads/" + t.id + "/subscription",
	}
}

// subjectAPI is a thread's subject.url: nil for subjects GitHub gives none
// (discussions, check suites).
func subjectAPI(t *thread, b bases) any {
	switch t.spec.Type {
	case "PullRequest":
		return fmt.Sprintf("%s/repos/%s/pulls/%d", b.api, t.spec.Repo, t.spec.Number)
	case "Issue":
		return fmt.Sprintf("%s/repos/%s/issues/%d", b.api, t.spec.Repo, t.spec.Number)
	case "Release":
		return fmt.Sprintf("%s/repos/%s/releases/%d", b.api, t.spec.Repo, t.spec.Number)
	}
	return nil
}

func subjectHTML(t *thread, b bases) string {
	switch t.spec.Type {
	case "PullRequest":
		return fmt.Sprintf("%s/%s/pull/%d", b.html, t.spec.Repo, t.spec.Number)
	case "Issue":
		return fmt.Sprintf("%s/%s/issues/%d", b.html, t.spec.Repo, t.spec.Number)
	case "Release":
		return fmt.Sprintf("%s/%s/releases/tag/v%d", b.html, t.spec.Repo, t.spec.Number)
	}
	return b.html + "/" + t.spec.Repo
}

func subjectJSON(t *thread, b bases) map[string]any {
	user := map[string]any{"login": t.spec.Author, "id": 3, "type": "User"}
	out := map[string]any{
		"id": t.spec.Number*10 + 7, "number": t.spec.Number, "title": t.spec.Title, "body": t.spec.Body,
		"html_url": subjectHTML(t, b), "state": "open", "created_at": stamp(t.updated), "updated_at": stamp(t.updated),
		"url": subjectAPI(t, b),
	}
	if t.spec.Type == "Release" {
		out["name"], out["author"] = t.spec.Title, user
	} else {
		out["user"] = user
	}
	return out
}

func commentJSON(t *thread, c comment, b bases) map[string]any {
	return map[string]any{
		"id": c.id, "node_id": fmt.Sprintf("IC_%d", c.id),
		"url":        fmt.Sprintf("%s/repos/%s/issues/comments/%d", b.api, t.spec.Repo, c.id),
		"html_url":   fmt.Sprintf("%s#issuecomment-%d", subjectHTML(t, b), c.id),
		"issue_url":  fmt.Sprintf("%s/repos/%s/issues/%d", b.api, t.spec.Repo, t.spec.Number),
		"body":       c.body,
		"user":       map[string]any{"login": c.user, "id": 4, "type": "User"},
		"created_at": stamp(c.created), "updated_at": stamp(c.created),
		"author_association": "MEMBER",
	}
}

func reviewJSON(t *thread, r review, b bases) map[string]any {
	return map[string]any{
		"id": r.id, "node_id": fmt.Sprintf("PRR_%d", r.id),
		"user":             map[string]any{"login": r.user, "id": 5, "type": "User"},
		"body":             r.body,
		"state":            r.state,
		"html_url":         fmt.Sprintf("%s#pullrequestreview-%d", subjectHTML(t, b), r.id),
		"pull_request_url": fmt.Sprintf("%s/repos/%s/pulls/%d", b.api, t.spec.Repo, t.spec.Number),
		"submitted_at":     stamp(r.submitted),
		"commit_id":        "0123456789abcdef0123456789abcdef01234567",
	}
}

func notFound() map[string]any {
	return map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}
}

func participatingReason(reason string) bool {
	switch reason {
	case "subscribed", "ci_activity", "security_alert":
		return false
	}
	return true
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func pad(id string) string { return fmt.Sprintf("%020s", id) }

func atoiDefault(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	fakehttp.WriteJSON(w, fakehttp.JSONType, status, v)
}
