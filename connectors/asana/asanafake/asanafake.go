// Package asanafake is an in-process Asana REST API for tests and the UI
// end-to-end runs: users, workspaces, tasks (GET /tasks with assignee,
// workspace and modified_since; the premium search API), stories and the
// events API with sync tokens, in the shapes Asana's docs show, with
// offset pagination (next_page), opt_fields, 401, 402, 412 and 429 answers,
// failures to inject, and a log of the requests it served.
//
// BaseURL (the server's root plus /api/1.0) is what a base_url setting
// takes.
package asanafake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/connectors/internal/fakehttp"
)

// Options configure a Server.
type Options struct {
	// Token is the personal access token the server accepts; default "asana_test".
	Token string
	// Me is the token owner's name; default "Me Myself".
	Me string
	// Premium turns on the search API; without it search answers 402.
	Premium bool
}

// Task describes a task to add.
type Task struct {
	Workspace string // gid; default the first workspace
	Name      string
	Assignee  string   // user gid; "" unassigned
	Followers []string // user gids (the assignee follows too, as in Asana)
	// Modified is the task's modified_at; zero is now.
	Modified time.Time
}

// Story describes a story to add to a task.
type Story struct {
	Task   string
	Author string // user gid
	Text   string
	// Mentions are user gids; each is written into html_text as Asana
	// writes a mention, and "@Name" into text.
	Mentions []string
	// Subtype is the resource_subtype; default "comment_added". A system
	// story is e.g. "assigned".
	Subtype string
	// Created is the story's created_at; zero is now.
	Created time.Time
}

// User is an Asana user.
type User struct {
	GID  string
	Name string
}

// Call is one request the server answered; its Path is without the
// /api/1.0 prefix, with the query.
type Call = fakehttp.Call

// Server is a fake Asana API.
type Server struct {
	URL string // the server's root

	srv  *httptest.Server
	opts Options
	log  fakehttp.Log

	mu         sync.Mutex
	token      string
	premium    bool
	me         string
	users      map[string]*User
	workspaces []workspace
	tasks      map[string]*task
	stories    map[string]*story
	events     []event // every event, in order; seq is the index + 1
	tokens     map[string]syncToken
	nextGID    int64
	last       time.Time
	failNext   int
	limitNext  time.Duration
}

type workspace struct{ gid, name string }

type task struct {
	gid, ws, name string
	assignee      string
	followers     []string
	modified      time.Time
	stories       []string
}

type story struct {
	gid, task, subtype string
	text, html         string
	author             string
	created            time.Time
}

type event struct {
	resource string // the task gid the event is on
	action   string
	story    *story
	user     string
	at       time.Time
}

type syncToken struct {
	resource string
	seq      int
}

// New starts a server with the token's user and one workspace, "Acme".
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "asana_test"
	}
	if opts.Me == "" {
		opts.Me = "Me Myself"
	}
	s := &Server{
		opts: opts, token: opts.Token, premium: opts.Premium,
		users: map[string]*User{}, tasks: map[string]*task{}, stories: map[string]*story{},
		tokens: map[string]syncToken{}, nextGID: 1200000000000000,
	}
	s.me = s.AddUser(opts.Me)
	s.AddWorkspace("Acme")
	s.srv = httptest.NewServer(s.log.Record("/api/1.0", s.serve))
	s.URL = s.srv.URL
	return s
}

// BaseURL is the API base as a base_url setting writes it.
func (s *Server) BaseURL() string { return s.URL + "/api/1.0" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Me returns the token's user.
func (s *Server) Me() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.users[s.me]
}

// Workspaces returns the workspace gids, in the order added.
func (s *Server) Workspaces() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.workspaces))
	for i, w := range s.workspaces {
		out[i] = w.gid
	}
	return out
}

func (s *Server) gidLocked() string {
	s.nextGID++
	return strconv.FormatInt(s.nextGID, 10)
}

// nowLocked is the server clock at Asana's millisecond resolution, moving
// forward by at least a millisecond per change.
func (s *Server) nowLocked() time.Time {
	t := time.Now().UTC().Truncate(time.Millisecond)
	if !t.After(s.last) {
		t = s.last.Add(time.Millisecond)
	}
	s.last = t
	return t
}

// AddUser adds a user and returns their gid.
func (s *Server) AddUser(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	gid := s.gidLocked()
	s.users[gid] = &User{GID: gid, Name: name}
	return gid
}

// AddWorkspace adds a workspace the token's user belongs to.
func (s *Server) AddWorkspace(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	gid := s.gidLocked()
	s.workspaces = append(s.workspaces, workspace{gid: gid, name: name})
	return gid
}

// AddTask adds a task and returns its gid.
func (s *Server) AddTask(t Task) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Workspace == "" {
		t.Workspace = s.workspaces[0].gid
	}
	followers := slices.Clone(t.Followers)
	if t.Assignee != "" && !slices.Contains(followers, t.Assignee) {
		followers = append(followers, t.Assignee)
	}
	mod := t.Modified.UTC()
	if mod.IsZero() {
		mod = s.nowLocked()
	}
	gid := s.gidLocked()
	s.tasks[gid] = &task{gid: gid, ws: t.Workspace, name: t.Name, assignee: t.Assignee, followers: followers, modified: mod}
	return gid
}

// Comment adds a comment by author to a task and returns its gid.
func (s *Server) Comment(taskGID, author, text string, mentions ...string) string {
	return s.AddStory(Story{Task: taskGID, Author: author, Text: text, Mentions: mentions})
}

// AddStory adds a story to a task: the task's modified_at moves (Asana
// counts adding a story as modifying the task) and its event stream gets
// an "added" event. It returns the story's gid.
func (s *Server) AddStory(st Story) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustTaskLocked(st.Task)
	if st.Subtype == "" {
		st.Subtype = "comment_added"
	}
	now := s.nowLocked()
	created := st.Created.UTC()
	if created.IsZero() {
		created = now
	}
	text, html := st.Text, escape(st.Text)
	for _, m := range st.Mentions {
		u := s.users[m]
		if u == nil {
			panic("asanafake: no user " + m)
		}
		text += " @" + u.Name
		html += fmt.Sprintf(` <a href="https://app.asana.com/0/profile/%s" data-asana-gid="%s" data-asana-accessible="true" data-asana-type="user" data-asana-dynamic="true">@%s</a>`, u.GID, u.GID, escape(u.Name))
	}
	gid := s.gidLocked()
	rec := &story{gid: gid, task: t.gid, subtype: st.Subtype, text: text, html: "<body>" + html + "</body>", author: st.Author, created: created}
	s.stories[gid] = rec
	t.stories = append(t.stories, gid)
	t.modified = now
	if st.Author != "" && !slices.Contains(t.followers, st.Author) && st.Subtype == "comment_added" {
		t.followers = append(t.followers, st.Author) // commenting follows the task
	}
	s.events = append(s.events, event{resource: t.gid, action: "added", story: rec, user: st.Author, at: now})
	return gid
}

// DeleteStory deletes a comment, as its author can in Asana.
func (s *Server) DeleteStory(gid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.stories[gid]
	if !ok {
		panic("asanafake: no story " + gid)
	}
	delete(s.stories, gid)
	t := s.tasks[st.task]
	t.stories = slices.DeleteFunc(t.stories, func(g string) bool { return g == gid })
	now := s.nowLocked()
	t.modified = now
	s.events = append(s.events, event{resource: t.gid, action: "deleted", story: st, user: st.author, at: now})
}

// Rename renames a task (a change that is not a comment).
func (s *Server) Rename(taskGID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustTaskLocked(taskGID)
	t.name = name
	t.modified = s.nowLocked()
	s.events = append(s.events, event{resource: t.gid, action: "changed", user: s.me, at: t.modified})
}

// DeleteTask deletes a task and its stories.
func (s *Server) DeleteTask(taskGID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.mustTaskLocked(taskGID)
	for _, g := range t.stories {
		delete(s.stories, g)
	}
	delete(s.tasks, taskGID)
}

// ExpireSyncTokens makes every sync token handed out so far invalid, as
// Asana does after 24 hours (or sooner under load).
func (s *Server) ExpireSyncTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]syncToken{}
}

// SetPremium turns the search API on or off.
func (s *Server) SetPremium(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.premium = on
}

// SetToken changes the accepted token (the old one now gets 401).
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// FailNext makes the next n requests fail with 500 and 503 in turn.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// RateLimitNext makes the next request answer 429 with a Retry-After of
// wait, rounded up to whole seconds as Asana's header is.
func (s *Server) RateLimitNext(wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limitNext = max(wait, time.Millisecond)
}

// Calls returns the requests answered so far, oldest first.
func (s *Server) Calls() []Call { return s.log.Calls() }

// ResetCalls forgets the requests answered so far.
func (s *Server) ResetCalls() { s.log.Reset() }

func (s *Server) mustTaskLocked(gid string) *task {
	t, ok := s.tasks[gid]
	if !ok {
		panic("asanafake: no task " + gid)
	}
	return t
}

// serve answers one request: failures and rate limits first, then the
// token, then the endpoint.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/api/1.0")

	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if s.failNext > 0 {
		status := []int{http.StatusInternalServerError, http.StatusServiceUnavailable}[s.failNext%2]
		s.failNext--
		writeErr(w, status, "Server Error")
		return
	}
	if d := s.limitNext; d > 0 {
		s.limitNext = 0
		w.Header().Set("Retry-After", strconv.Itoa(fakehttp.RetrySeconds(d)))
		writeErr(w, http.StatusTooManyRequests, "You've made too many requests and hit a rate limit. Please retry after the given amount of time.")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		writeErr(w, http.StatusUnauthorized, "Not Authorized")
		return
	}
	if r.Method != http.MethodGet {
		writeErr(w, http.StatusNotFound, "No matching route for request")
		return
	}
	q := r.URL.Query()
	fields := optFields(q.Get("opt_fields"))
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case p == "/users/me":
		s.userMe(w, fields)
	case p == "/tasks":
		s.listTasks(w, r, fields)
	case len(parts) == 4 && parts[0] == "workspaces" && parts[2] == "tasks" && parts[3] == "search":
		s.search(w, r, parts[1], fields)
	case p == "/events":
		s.eventsFor(w, r)
	case len(parts) == 3 && parts[0] == "tasks" && parts[2] == "stories":
		s.listStories(w, r, parts[1], fields)
	case len(parts) == 2 && parts[0] == "stories":
		st, ok := s.stories[parts[1]]
		if !ok {
			writeErr(w, http.StatusNotFound, "story: Unknown object: "+parts[1])
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": s.storyJSON(st, fields)})
	case len(parts) == 2 && parts[0] == "tasks":
		t, ok := s.tasks[parts[1]]
		if !ok {
			writeErr(w, http.StatusNotFound, "task: Unknown object: "+parts[1])
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": s.taskJSON(t, fields)})
	default:
		writeErr(w, http.StatusNotFound, "No matching route for request")
	}
}

func (s *Server) userMe(w http.ResponseWriter, fields map[string]bool) {
	u := s.users[s.me]
	out := map[string]any{"gid": u.GID, "resource_type": "user", "name": u.Name}
	if fields["email"] || len(fields) == 0 {
		out["email"] = strings.ToLower(strings.ReplaceAll(u.Name, " ", ".")) + "@example.com"
	}
	if fields["workspaces"] || fields["workspaces.name"] || len(fields) == 0 {
		var ws []map[string]any
		for _, w := range s.workspaces {
			ws = append(ws, map[string]any{"gid": w.gid, "resource_type": "workspace", "name": w.name})
		}
		out["workspaces"] = ws
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// listTasks is GET /tasks: assignee needs workspace; modified_since filters.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request, fields map[string]bool) {
	q := r.URL.Query()
	assignee, ws := q.Get("assignee"), q.Get("workspace")
	if assignee == "" || ws == "" {
		writeErr(w, http.StatusBadRequest, "Must specify exactly one of project, tag, section, user task list, or assignee + workspace")
		return
	}
	if assignee == "me" {
		assignee = s.me
	}
	var since time.Time
	if v := q.Get("modified_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeErr(w, http.StatusBadRequest, "modified_since: Not a valid date-time: "+v)
			return
		}
		since = t
	}
	var list []*task
	for _, t := range s.tasks {
		if t.ws == ws && t.assignee == assignee && !t.modified.Before(since) {
			list = append(list, t)
		}
	}
	slices.SortFunc(list, func(a, b *task) int { return strings.Compare(a.gid, b.gid) })
	items := make([]any, len(list))
	for i, t := range list {
		items[i] = s.taskJSON(t, fields)
	}
	s.writePage(w, r, items)
}

// search is GET /workspaces/{gid}/tasks/search (premium): followers.any,
// assignee.any, modified_at.after/.before, sorted by modified_at.
func (s *Server) search(w http.ResponseWriter, r *http.Request, ws string, fields map[string]bool) {
	if !s.premium {
		writeErr(w, http.StatusPaymentRequired, "Search is only available to premium users.")
		return
	}
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeErr(w, http.StatusBadRequest, "limit: Must be between 1 and 100")
			return
		}
		limit = n
	}
	after, _ := time.Parse(time.RFC3339Nano, q.Get("modified_at.after"))
	before, _ := time.Parse(time.RFC3339Nano, q.Get("modified_at.before"))
	followers := splitList(q.Get("followers.any"))
	assignees := splitList(q.Get("assignee.any"))
	var list []*task
	for _, t := range s.tasks {
		switch {
		case t.ws != ws,
			len(followers) > 0 && !slices.ContainsFunc(followers, func(f string) bool { return slices.Contains(t.followers, f) }),
			len(assignees) > 0 && !slices.Contains(assignees, t.assignee),
			!after.IsZero() && !t.modified.After(after),
			!before.IsZero() && !t.modified.Before(before):
			continue
		}
		list = append(list, t)
	}
	asc := q.Get("sort_ascending") == "true"
	slices.SortFunc(list, func(a, b *task) int {
		c := a.modified.Compare(b.modified)
		if c == 0 {
			c = strings.Compare(a.gid, b.gid)
		}
		if !asc {
			c = -c
		}
		return c
	})
	if len(list) > limit {
		list = list[:limit]
	}
	items := make([]any, len(list))
	for i, t := range list {
		items[i] = s.taskJSON(t, fields)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": items})
}

// eventsFor is GET /events?resource=…&sync=…: 412 with a fresh token when
// the token is missing or unknown, else the events since it (100 at most,
// has_more beyond).
func (s *Server) eventsFor(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	resource := q.Get("resource")
	if _, ok := s.tasks[resource]; !ok {
		writeErr(w, http.StatusNotFound, "resource: Unknown object: "+resource)
		return
	}
	tok, ok := s.tokens[q.Get("sync")]
	if !ok || tok.resource != resource {
		writeJSON(w, http.StatusPreconditionFailed, map[string]any{
			"errors": []map[string]any{{"message": "Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync."}},
			"sync":   s.newTokenLocked(resource, len(s.events)),
		})
		return
	}
	var out []any
	seq := tok.seq
	for seq < len(s.events) && len(out) < 100 {
		e := s.events[seq]
		seq++
		if e.resource != resource {
			continue
		}
		out = append(out, s.eventJSON(e))
	}
	hasMore := false
	for _, e := range s.events[seq:] {
		if e.resource == resource {
			hasMore = true
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out, "sync": s.newTokenLocked(resource, seq), "has_more": hasMore})
}

func (s *Server) newTokenLocked(resource string, seq int) string {
	tok := fmt.Sprintf("%x", s.nextGID*7919+int64(seq)*104729+int64(len(s.tokens)))
	s.nextGID++
	s.tokens[tok] = syncToken{resource: resource, seq: seq}
	return tok
}

func (s *Server) listStories(w http.ResponseWriter, r *http.Request, taskGID string, fields map[string]bool) {
	t, ok := s.tasks[taskGID]
	if !ok {
		writeErr(w, http.StatusNotFound, "task: Unknown object: "+taskGID)
		return
	}
	items := make([]any, 0, len(t.stories))
	for _, g := range t.stories {
		items = append(items, s.storyJSON(s.stories[g], fields))
	}
	s.writePage(w, r, items)
}

// writePage writes one page of items by limit and offset, with next_page.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, items []any) {
	q := r.URL.Query()
	limit := len(items)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeErr(w, http.StatusBadRequest, "limit: Must be between 1 and 100")
			return
		}
		limit = n
	} else if len(items) > 1000 {
		writeErr(w, http.StatusBadRequest, "The result is too large. You should use pagination (may require specifying a workspace)!")
		return
	}
	from := 0
	if v := q.Get("offset"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "o:"))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			writeErr(w, http.StatusBadRequest, "offset: Your pagination token is invalid.")
			return
		}
		from = n
	}
	to := min(from+limit, len(items))
	var next any
	if to < len(items) {
		offset := base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(to)))
		q.Set("offset", offset)
		path := strings.TrimPrefix(r.URL.Path, "/api/1.0") + "?" + q.Encode()
		next = map[string]any{"offset": offset, "path": path, "uri": s.URL + "/api/1.0" + path}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": items[from:to], "next_page": next})
}

func (s *Server) taskJSON(t *task, fields map[string]bool) map[string]any {
	out := map[string]any{"gid": t.gid, "resource_type": "task", "name": t.name, "resource_subtype": "default_task"}
	if fields["modified_at"] {
		out["modified_at"] = stamp(t.modified)
	}
	if fields["permalink_url"] {
		out["permalink_url"] = fmt.Sprintf("https://app.asana.com/0/0/%s/f", t.gid)
	}
	return out
}

func (s *Server) storyJSON(st *story, fields map[string]bool) map[string]any {
	typ := "system"
	if st.subtype == "comment_added" {
		typ = "comment"
	}
	by := map[string]any{"gid": st.author, "resource_type": "user"}
	if fields["created_by.name"] {
		if u := s.users[st.author]; u != nil {
			by["name"] = u.Name
		}
	}
	out := map[string]any{
		"gid": st.gid, "resource_type": "story", "created_at": stamp(st.created),
		"created_by": by, "resource_subtype": st.subtype, "text": st.text,
	}
	if fields["type"] {
		out["type"] = typ
	}
	if fields["html_text"] {
		out["html_text"] = st.html
	}
	return out
}

func (s *Server) eventJSON(e event) map[string]any {
	out := map[string]any{
		"action": e.action, "created_at": stamp(e.at),
		"parent": map[string]any{"gid": e.resource, "resource_type": "task", "resource_subtype": "default_task"},
		"type":   "task",
	}
	if u := s.users[e.user]; u != nil {
		out["user"] = map[string]any{"gid": u.GID, "resource_type": "user", "name": u.Name}
	}
	if e.story != nil {
		out["type"] = "story"
		out["resource"] = map[string]any{"gid": e.story.gid, "resource_type": "story", "resource_subtype": e.story.subtype}
	} else {
		out["resource"] = map[string]any{"gid": e.resource, "resource_type": "task", "resource_subtype": "default_task"}
		out["parent"] = nil
	}
	return out
}

func optFields(v string) map[string]bool {
	out := map[string]bool{}
	for _, f := range splitList(v) {
		out[f] = true
	}
	return out
}

func splitList(v string) []string {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": msg, "help": "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"}}})
}

// writeJSON answers as Asana does, the charset in capitals.
func writeJSON(w http.ResponseWriter, status int, v any) {
	fakehttp.WriteJSON(w, "application/json; charset=UTF-8", status, v)
}
