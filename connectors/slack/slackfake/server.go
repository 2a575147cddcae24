// Package slackfake is an in-process Slack: the Web API methods Lull's Slack
// connector calls, shaped as Slack's public documentation describes them
// (form or bearer tokens, {"ok": false, "error": ...} failures, cursor
// pagination in response_metadata.next_cursor, HTTP 429 with Retry-After),
// and a Socket Mode websocket that delivers message events.
//
// It holds one workspace in memory. Tests and the benchmark build it up with
// AddUser, AddChannel, Post, Reply, Edit and Delete, and make it misbehave
// with FailNext, RateLimitNext, Limit and RevokeToken. It is no mock of
// slack-go: the client talks HTTP and websocket to it as it would to Slack.
package slackfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options shape a Server.
type Options struct {
	// Latency delays every Web API response, as a network would.
	Latency time.Duration
	// Now is the clock message timestamps come from; nil is time.Now.
	Now func() time.Time
	// TeamID and Domain name the workspace (default T0LULL, "lull-test").
	TeamID, Domain string
	// Scopes is what X-OAuth-Scopes reports for user tokens; nil is every
	// scope Lull's manifest asks for.
	Scopes []string
	// PingInterval is how often Socket Mode connections are pinged (default 1s).
	PingInterval time.Duration
}

// DefaultScopes returns the user scopes of Lull's Slack app manifest.
func DefaultScopes() []string {
	return []string{
		"channels:history", "groups:history", "im:history", "mpim:history",
		"channels:read", "groups:read", "im:read", "mpim:read",
		"channels:write", "groups:write", "im:write", "mpim:write",
		"users:read", "usergroups:read",
		"users.profile:read", "users.profile:write", "dnd:read", "dnd:write",
	}
}

// Server is a fake Slack workspace behind an httptest server.
type Server struct {
	// URL is the Web API base, ending in "/api/", for slack.OptionAPIURL.
	URL string

	http *httptest.Server
	opts Options

	mu        sync.Mutex
	lastTS    int64 // microseconds of the newest ts handed out
	users     map[string]*User
	userOrder []string
	tokens    map[string]string // user token -> user id
	revoked   map[string]string // token -> Slack error code
	appTokens map[string]bool
	convs     map[string]*conv
	convOrder []string
	groups    []*UserGroup
	profiles  map[string]*status
	dnd       map[string]*snooze

	failures   int
	rateLimits []rateLimit
	limits     map[string]*methodLimit
	calls      map[string]int

	sockets     map[*socketConn]bool
	opened      int        // apps.connections.open calls that succeeded
	queue       []envelope // events not yet acknowledged by a client
	nextEnvID   int
	socketsDone chan struct{}
}

// User is a workspace member.
type User struct {
	ID, Name, RealName, DisplayName string
	Bot, Deleted                    bool
}

// UserGroup is a user group (a subteam mentioned as <!subteam^ID>).
type UserGroup struct {
	ID, Handle, Name string
	Users            []string
}

type status struct {
	Text, Emoji string
	Expiration  int64
}

type snooze struct {
	Enabled bool
	End     int64
}

type convKind int

const (
	kindChannel convKind = iota
	kindGroup            // private channel
	kindIM
	kindMPIM
)

// conv is one conversation: its top-level messages in ts order and the
// replies of each thread, keyed by the root's ts.
type conv struct {
	id, name string
	kind     convKind
	imUser   string // the other party of an IM
	members  map[string]bool
	lastRead map[string]string // user -> ts
	top      []*message
	replies  map[string][]*message
	archived bool
}

type message struct {
	TS, ThreadTS, User, Text, Subtype string
	EditedTS, EditedBy                string
	BotID, Username                   string
}

type rateLimit struct {
	method     string // "" = any
	retryAfter time.Duration
}

// methodLimit emulates a per-method rate limit: at most n calls per window,
// and at most maxPage items per page.
type methodLimit struct {
	n       int
	window  time.Duration
	maxPage int
	recent  []time.Time
}

// New starts a server; Close stops it.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TeamID == "" {
		opts.TeamID = "T0LULL"
	}
	if opts.Domain == "" {
		opts.Domain = "lull-test"
	}
	if opts.Scopes == nil {
		opts.Scopes = DefaultScopes()
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = time.Second
	}
	s := &Server{
		opts:        opts,
		users:       map[string]*User{},
		tokens:      map[string]string{},
		revoked:     map[string]string{},
		appTokens:   map[string]bool{},
		convs:       map[string]*conv{},
		profiles:    map[string]*status{},
		dnd:         map[string]*snooze{},
		limits:      map[string]*methodLimit{},
		calls:       map[string]int{},
		sockets:     map[*socketConn]bool{},
		socketsDone: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link/", s.serveSocket)
	s.http = httptest.NewServer(mux)
	s.URL = s.http.URL + "/api/"
	return s
}

// Close stops the server and its websockets.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.socketsDone:
	default:
		close(s.socketsDone)
	}
	for sc := range s.sockets {
		sc.close()
	}
	s.mu.Unlock()
	s.http.CloseClientConnections()
	s.http.Close()
}

// WorkspaceURL is what auth.test reports as the workspace's address.
func (s *Server) WorkspaceURL() string { return "https://" + s.opts.Domain + ".slack.com/" }

// TeamID is the workspace's id.
func (s *Server) TeamID() string { return s.opts.TeamID }

// AddUser adds a member; with token != "" the token authenticates as them.
func (s *Server) AddUser(u User, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.users[u.ID]; !dup {
		s.userOrder = append(s.userOrder, u.ID)
	}
	uu := u
	s.users[u.ID] = &uu
	if token != "" {
		s.tokens[token] = u.ID
	}
}

// AddAppToken makes token a valid app-level (xapp-) token for Socket Mode.
func (s *Server) AddAppToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appTokens[token] = true
}

// RevokeToken makes every later call with token fail with code
// (token_revoked, invalid_auth, account_inactive).
func (s *Server) RevokeToken(token, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[token] = code
}

// AddChannel adds a public (or private) channel with the given members.
func (s *Server) AddChannel(id, name string, private bool, members ...string) {
	k := kindChannel
	if private {
		k = kindGroup
	}
	s.addConv(&conv{id: id, name: name, kind: k}, members)
}

// AddIM adds the direct-message conversation of two users.
func (s *Server) AddIM(id, user, other string) {
	s.addConv(&conv{id: id, kind: kindIM, imUser: other}, []string{user, other})
}

// AddMPIM adds a group DM; its name follows Slack's mpdm-a--b--c-1 form.
func (s *Server) AddMPIM(id string, members ...string) {
	s.mu.Lock()
	names := make([]string, len(members))
	for i, m := range members {
		if u := s.users[m]; u != nil {
			names[i] = u.Name
		} else {
			names[i] = m
		}
	}
	s.mu.Unlock()
	s.addConv(&conv{id: id, name: "mpdm-" + strings.Join(names, "--") + "-1", kind: kindMPIM}, members)
}

func (s *Server) addConv(c *conv, members []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.members = map[string]bool{}
	for _, m := range members {
		c.members[m] = true
	}
	c.lastRead = map[string]string{}
	c.replies = map[string][]*message{}
	if _, dup := s.convs[c.id]; !dup {
		s.convOrder = append(s.convOrder, c.id)
	}
	s.convs[c.id] = c
}

// Join adds user to a conversation; Leave removes them.
func (s *Server) Join(channel, user string) { s.setMember(channel, user, true) }

// Leave removes user from a conversation.
func (s *Server) Leave(channel, user string) { s.setMember(channel, user, false) }

func (s *Server) setMember(channel, user string, in bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.convs[channel]; c != nil {
		if in {
			c.members[user] = true
		} else {
			delete(c.members, user)
		}
	}
}

// AddUserGroup adds a user group.
func (s *Server) AddUserGroup(g UserGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gg := g
	gg.Users = slices.Clone(g.Users)
	s.groups = append(s.groups, &gg)
}

// Post adds a top-level message now and returns its ts.
func (s *Server) Post(channel, user, text string) string {
	return s.PostAt(channel, user, text, time.Time{})
}

// PostAt adds a top-level message at (or just after) at; the zero time is now.
func (s *Server) PostAt(channel, user, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustConv(channel)
	m := &message{TS: s.newTS(at), User: user, Text: text}
	c.top = insertSorted(c.top, m)
	s.emitLocked(c, messageEvent(c, m))
	return m.TS
}

// PostBot adds a message from an integration (subtype bot_message).
func (s *Server) PostBot(channel, botID, username, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustConv(channel)
	m := &message{TS: s.newTS(time.Time{}), BotID: botID, Username: username, Text: text, Subtype: "bot_message"}
	c.top = insertSorted(c.top, m)
	s.emitLocked(c, messageEvent(c, m))
	return m.TS
}

// Reply adds a reply to the thread whose root is threadTS and returns its ts.
func (s *Server) Reply(channel, threadTS, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustConv(channel)
	if findMsg(c.top, threadTS) == nil {
		panic(fmt.Sprintf("slackfake: no message %s in %s to reply to", threadTS, channel))
	}
	m := &message{TS: s.newTS(time.Time{}), ThreadTS: threadTS, User: user, Text: text}
	c.replies[threadTS] = insertSorted(c.replies[threadTS], m)
	s.emitLocked(c, messageEvent(c, m))
	return m.TS
}

// Edit changes a message's text, as its author would.
func (s *Server) Edit(channel, ts, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustConv(channel)
	m := c.find(ts)
	if m == nil {
		panic(fmt.Sprintf("slackfake: no message %s in %s to edit", ts, channel))
	}
	prev := *m
	m.Text = text
	m.EditedTS = s.newTS(time.Time{})
	m.EditedBy = m.User
	ev := map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "channel": c.id,
		"channel_type": c.channelType(), "ts": m.EditedTS, "event_ts": m.EditedTS,
		"message": s.renderMsgLocked(c, m), "previous_message": s.renderMsgLocked(c, &prev),
	}
	s.emitLocked(c, ev)
}

// Delete removes a message. A thread root with replies stays as a
// tombstone, as Slack keeps it so the replies still have a parent.
func (s *Server) Delete(channel, ts string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustConv(channel)
	m := c.find(ts)
	if m == nil {
		panic(fmt.Sprintf("slackfake: no message %s in %s to delete", ts, channel))
	}
	prev := *m
	switch {
	case m.ThreadTS != "" && m.ThreadTS != m.TS:
		rs := c.replies[m.ThreadTS]
		c.replies[m.ThreadTS] = slices.DeleteFunc(rs, func(r *message) bool { return r.TS == ts })
	case len(c.replies[ts]) > 0:
		*m = message{TS: m.TS, ThreadTS: m.TS, User: "USLACKBOT", Text: "This message was deleted.", Subtype: "tombstone"}
	default:
		c.top = slices.DeleteFunc(c.top, func(r *message) bool { return r.TS == ts })
	}
	now := s.newTS(time.Time{})
	s.emitLocked(c, map[string]any{
		"type": "message", "subtype": "message_deleted", "hidden": true, "channel": c.id,
		"channel_type": c.channelType(), "ts": now, "event_ts": now, "deleted_ts": ts,
		"previous_message": s.renderMsgLocked(c, &prev),
	})
}

// Messages returns the ts of every message (top-level and replies) of a
// conversation, oldest first.
func (s *Server) Messages(channel string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustConv(channel)
	var out []string
	for _, m := range c.top {
		out = append(out, m.TS)
		for _, r := range c.replies[m.TS] {
			out = append(out, r.TS)
		}
	}
	sort.Strings(out)
	return out
}

// LastRead is the read mark conversations.mark set for user in channel.
func (s *Server) LastRead(channel, user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustConv(channel).lastRead[user]
}

// SetStatus sets user's status as they would by hand in Slack.
func (s *Server) SetStatus(user, text, emoji string, expiration int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[user] = &status{Text: text, Emoji: emoji, Expiration: expiration}
}

// Status returns user's status.
func (s *Server) Status(user string) (text, emoji string, expiration int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.profiles[user]
	if st == nil {
		return "", "", 0
	}
	return st.Text, st.Emoji, st.Expiration
}

// Snooze returns whether user's notifications are snoozed, and until when.
func (s *Server) Snooze(user string) (bool, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dnd[user]
	if d == nil || !d.Enabled {
		return false, time.Time{}
	}
	return true, time.Unix(d.End, 0)
}

// FailNext makes the next n Web API requests fail with HTTP 503.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = n
}

// RateLimitNext makes the next call of method ("" = any) fail with HTTP
// 429, error ratelimited and Retry-After (whole seconds, at least 1).
func (s *Server) RateLimitNext(method string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = append(s.rateLimits, rateLimit{method: method, retryAfter: retryAfter})
}

// Limit makes method accept at most n calls per window (more get HTTP 429
// with the wait until a call is allowed again) and at most maxPage items per
// page (0: no cap). Limit("conversations.history", 1, time.Minute, 15) is
// what Slack imposes on non-Marketplace commercial apps since 2025.
func (s *Server) Limit(method string, n int, window time.Duration, maxPage int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = &methodLimit{n: n, window: window, maxPage: maxPage}
}

// Calls returns how many requests each method received (failed ones too).
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// TotalCalls returns how many Web API requests the server received.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.calls {
		n += v
	}
	return n
}

// ResetCalls zeroes the call counts.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

func (s *Server) mustConv(id string) *conv {
	c := s.convs[id]
	if c == nil {
		panic("slackfake: no conversation " + id)
	}
	return c
}

// newTS returns a ts at (or now), strictly after every earlier one.
func (s *Server) newTS(at time.Time) string {
	if at.IsZero() {
		at = s.opts.Now()
	}
	us := at.UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return FormatTS(us)
}

// FormatTS writes microseconds since the epoch as a Slack ts.
func FormatTS(us int64) string { return fmt.Sprintf("%d.%06d", us/1e6, us%1e6) }

// ParseTS reads a Slack ts as microseconds since the epoch; ok is false
// for anything else.
func ParseTS(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	if sec == "" || len(frac) > 6 {
		return 0, false
	}
	var s, f int64
	for _, r := range sec {
		if r < '0' || r > '9' {
			return 0, false
		}
		s = s*10 + int64(r-'0')
	}
	for i := 0; i < 6; i++ {
		f *= 10
		if i < len(frac) {
			r := frac[i]
			if r < '0' || r > '9' {
				return 0, false
			}
			f += int64(r - '0')
		}
	}
	return s*1e6 + f, true
}

func insertSorted(list []*message, m *message) []*message {
	i := sort.Search(len(list), func(i int) bool { return list[i].TS >= m.TS })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = m
	return list
}

func findMsg(list []*message, ts string) *message {
	i := sort.Search(len(list), func(i int) bool { return list[i].TS >= ts })
	if i < len(list) && list[i].TS == ts {
		return list[i]
	}
	return nil
}

// find returns the message with ts, top-level or reply.
func (c *conv) find(ts string) *message {
	if m := findMsg(c.top, ts); m != nil {
		return m
	}
	for _, rs := range c.replies {
		if m := findMsg(rs, ts); m != nil {
			return m
		}
	}
	return nil
}

func (c *conv) channelType() string {
	switch c.kind {
	case kindIM:
		return "im"
	case kindMPIM:
		return "mpim"
	case kindGroup:
		return "group"
	}
	return "channel"
}
