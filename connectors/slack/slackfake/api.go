package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lullhq/lull/connectors/internal/fakehttp"
)

// request is one Web API call being served: its method, caller and params.
type request struct {
	method string
	user   string // the token's user; "" for app tokens
	params func(string) string
}

// handler returns the implementation of a Web API method, or nil.
func (s *Server) handler(method string) func(request) (map[string]any, string) {
	switch method {
	case "auth.test":
		return s.authTest
	case "users.info":
		return s.usersInfo
	case "users.list":
		return s.usersList
	case "users.conversations":
		return s.usersConversations
	case "conversations.list":
		return s.conversationsList
	case "conversations.info":
		return s.conversationsInfo
	case "conversations.history":
		return s.conversationsHistory
	case "conversations.replies":
		return s.conversationsReplies
	case "conversations.mark":
		return s.conversationsMark
	case "usergroups.list":
		return s.usergroupsList
	case "chat.getPermalink":
		return s.chatGetPermalink
	case "users.profile.get":
		return s.profileGet
	case "users.profile.set":
		return s.profileSet
	case "dnd.info":
		return s.dndInfo
	case "dnd.setSnooze":
		return s.dndSetSnooze
	case "dnd.endSnooze":
		return s.dndEndSnooze
	}
	return nil
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	// Counted on arrival, so a request the client gives up on during the
	// latency is still counted, as Slack would have counted it.
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
	if d := s.opts.Latency; d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	token := r.Form.Get("token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && token == "" {
		token = bearer
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><body>503 Service Unavailable</body></html>")
		return
	}
	for i, rl := range s.rateLimits {
		if rl.method == "" || rl.method == method {
			s.rateLimits = slices.Delete(s.rateLimits, i, i+1)
			writeRateLimited(w, rl.retryAfter)
			return
		}
	}
	if lim := s.limits[method]; lim != nil {
		now := time.Now()
		lim.recent = slices.DeleteFunc(lim.recent, func(t time.Time) bool { return now.Sub(t) >= lim.window })
		if len(lim.recent) >= lim.n {
			writeRateLimited(w, lim.window-now.Sub(lim.recent[0]))
			return
		}
		lim.recent = append(lim.recent, now)
	}

	if method == "apps.connections.open" {
		s.appsConnectionsOpen(w, token)
		return
	}
	if token == "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	if code, ok := s.revoked[token]; ok {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
		return
	}
	user, ok := s.tokens[token]
	if !ok {
		code := "invalid_auth"
		if s.appTokens[token] {
			code = "not_allowed_token_type"
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
		return
	}
	h := s.handler(method)
	if h == nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "unknown_method"})
		return
	}
	w.Header().Set("X-OAuth-Scopes", strings.Join(s.opts.Scopes, ","))
	resp, errCode := h(request{method: method, user: user, params: r.Form.Get})
	if errCode != "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": errCode})
		return
	}
	resp["ok"] = true
	writeJSON(w, http.StatusOK, resp)
}

func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(fakehttp.RetrySeconds(wait)))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	fakehttp.WriteJSON(w, fakehttp.JSONType, code, v)
}

func (s *Server) authTest(r request) (map[string]any, string) {
	u := s.users[r.user]
	return map[string]any{
		"url": s.WorkspaceURL(), "team": "Lull Test", "user": u.Name,
		"team_id": s.opts.TeamID, "user_id": u.ID,
	}, ""
}

func (s *Server) renderUser(u *User) map[string]any {
	display := u.DisplayName
	return map[string]any{
		"id": u.ID, "team_id": s.opts.TeamID, "name": u.Name, "deleted": u.Deleted,
		"real_name": u.RealName, "is_bot": u.Bot,
		"profile": map[string]any{"real_name": u.RealName, "display_name": display},
	}
}

func (s *Server) usersInfo(r request) (map[string]any, string) {
	u := s.users[r.params("user")]
	if u == nil {
		return nil, "user_not_found"
	}
	return map[string]any{"user": s.renderUser(u)}, ""
}

func (s *Server) usersList(r request) (map[string]any, string) {
	start, limit, errCode := page(r, 200, 1000)
	if errCode != "" {
		return nil, errCode
	}
	var members []any
	end := min(start+limit, len(s.userOrder))
	for _, id := range s.userOrder[start:end] {
		members = append(members, s.renderUser(s.users[id]))
	}
	return map[string]any{"members": members, "response_metadata": map[string]any{"next_cursor": nextOffset(end, len(s.userOrder))}}, ""
}

// page reads offset-style pagination: the cursor is "offset:N" in base64.
func page(r request, def, maxLimit int) (start, limit int, errCode string) {
	limit = def
	if v := r.params("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, "invalid_limit"
		}
		limit = min(n, maxLimit)
	}
	if c := r.params("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return 0, 0, "invalid_cursor"
		}
		n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || !strings.HasPrefix(string(raw), "offset:") || n < 0 {
			return 0, 0, "invalid_cursor"
		}
		start = n
	}
	return start, limit, ""
}

func nextOffset(end, total int) string {
	if end >= total {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
}

func (s *Server) renderConv(c *conv, user string, withRead bool) map[string]any {
	out := map[string]any{
		"id": c.id, "created": 1600000000, "is_archived": c.archived,
		"is_channel": c.kind == kindChannel, "is_group": c.kind == kindGroup,
		"is_im": c.kind == kindIM, "is_mpim": c.kind == kindMPIM,
		"is_private": c.kind != kindChannel, "is_member": c.members[user],
	}
	if c.kind == kindIM {
		out["user"] = c.imUser
		if c.imUser == user {
			for m := range c.members {
				if m != user {
					out["user"] = m
				}
			}
		}
		out["is_user_deleted"] = false
	} else {
		out["name"] = c.name
		out["name_normalized"] = c.name
	}
	if withRead && c.members[user] {
		lr := c.lastRead[user]
		if lr == "" {
			lr = "0000000000.000000"
		}
		out["last_read"] = lr
		unread := 0
		for _, m := range c.top {
			if m.TS > lr {
				unread++
			}
		}
		out["unread_count"] = unread
		out["unread_count_display"] = unread
	}
	return out
}

func wantTypes(r request) (map[convKind]bool, string) {
	types := r.params("types")
	if types == "" {
		types = "public_channel"
	}
	want := map[convKind]bool{}
	for _, t := range strings.Split(types, ",") {
		switch strings.TrimSpace(t) {
		case "public_channel":
			want[kindChannel] = true
		case "private_channel":
			want[kindGroup] = true
		case "im":
			want[kindIM] = true
		case "mpim":
			want[kindMPIM] = true
		default:
			return nil, "invalid_types"
		}
	}
	return want, ""
}

func (s *Server) listConvs(r request, memberOnly bool) (map[string]any, string) {
	want, errCode := wantTypes(r)
	if errCode != "" {
		return nil, errCode
	}
	start, limit, errCode := page(r, 100, 1000)
	if errCode != "" {
		return nil, errCode
	}
	user := r.user
	if u := r.params("user"); u != "" {
		user = u
	}
	var match []*conv
	for _, id := range s.convOrder {
		c := s.convs[id]
		if !want[c.kind] || (c.archived && r.params("exclude_archived") == "true") {
			continue
		}
		if (memberOnly || c.kind != kindChannel) && !c.members[user] {
			continue
		}
		match = append(match, c)
	}
	end := min(start+limit, len(match))
	channels := []any{}
	if start < len(match) {
		for _, c := range match[start:end] {
			channels = append(channels, s.renderConv(c, user, false))
		}
	}
	return map[string]any{"channels": channels, "response_metadata": map[string]any{"next_cursor": nextOffset(end, len(match))}}, ""
}

func (s *Server) usersConversations(r request) (map[string]any, string) { return s.listConvs(r, true) }
func (s *Server) conversationsList(r request) (map[string]any, string)  { return s.listConvs(r, false) }

// visible returns the conversation the caller may read, or Slack's error.
func (s *Server) visible(r request) (*conv, string) {
	c := s.convs[r.params("channel")]
	if c == nil || (c.kind != kindChannel && !c.members[r.user]) {
		return nil, "channel_not_found"
	}
	return c, ""
}

func (s *Server) conversationsInfo(r request) (map[string]any, string) {
	c, errCode := s.visible(r)
	if errCode != "" {
		return nil, errCode
	}
	return map[string]any{"channel": s.renderConv(c, r.user, true)}, ""
}

func (s *Server) renderMsgLocked(c *conv, m *message) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
	if m.User != "" {
		out["user"] = m.User
		out["team"] = s.opts.TeamID
	}
	if m.Subtype != "" {
		out["subtype"] = m.Subtype
	}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
		out["username"] = m.Username
	}
	if m.EditedTS != "" {
		out["edited"] = map[string]any{"user": m.EditedBy, "ts": m.EditedTS}
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
		if m.ThreadTS != m.TS {
			if root := findMsg(c.top, m.ThreadTS); root != nil {
				out["parent_user_id"] = root.User
			}
		}
	}
	if rs := c.replies[m.TS]; len(rs) > 0 && (m.ThreadTS == "" || m.ThreadTS == m.TS) {
		var users []string
		for _, r := range rs {
			if !slices.Contains(users, r.User) {
				users = append(users, r.User)
			}
		}
		out["thread_ts"] = m.TS
		out["reply_count"] = len(rs)
		out["reply_users"] = users
		out["reply_users_count"] = len(users)
		out["latest_reply"] = rs[len(rs)-1].TS
		out["subscribed"] = false
	}
	return out
}

// tsRange reads oldest, latest and inclusive as Slack does: latest
// defaults to now, oldest to 0, both exclusive unless inclusive is set.
func tsRange(r request) (lo, hi string, loIncl, hiIncl bool) {
	incl := r.params("inclusive") == "1" || r.params("inclusive") == "true"
	lo, hi = r.params("oldest"), r.params("latest")
	if lo == "" || lo == "0" {
		lo, incl = "0000000000.000000", true
	}
	loIncl, hiIncl = incl, incl
	if hi == "" {
		hi, hiIncl = "9999999999.999999", true
	}
	return lo, hi, loIncl, hiIncl
}

func inRange(ts, lo, hi string, loIncl, hiIncl bool) bool {
	if ts < lo || (ts == lo && !loIncl) {
		return false
	}
	return ts < hi || (ts == hi && hiIncl)
}

func (s *Server) limitFor(r request, def, maxLimit int) (int, string) {
	limit := def
	if v := r.params("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, "invalid_limit"
		}
		if n > 0 {
			limit = min(n, maxLimit)
		}
	}
	if lim := s.limits[r.method]; lim != nil && lim.maxPage > 0 {
		limit = min(limit, lim.maxPage)
	}
	return limit, ""
}

// tsCursor is the position cursor of history and replies: "next_ts:<ts>"
// in base64, as Slack's own cursors look.
func tsCursor(ts string) string {
	return base64.StdEncoding.EncodeToString([]byte("next_ts:" + ts))
}

func readTSCursor(c string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	ts, ok := strings.CutPrefix(string(raw), "next_ts:")
	if _, valid := ParseTS(ts); !ok || !valid {
		return "", false
	}
	return ts, true
}

func (s *Server) conversationsHistory(r request) (map[string]any, string) {
	c, errCode := s.visible(r)
	if errCode != "" {
		return nil, errCode
	}
	if c.kind == kindChannel && !c.members[r.user] {
		return nil, "not_in_channel"
	}
	limit, errCode := s.limitFor(r, 100, 999)
	if errCode != "" {
		return nil, errCode
	}
	lo, hi, loIncl, hiIncl := tsRange(r)
	if cur := r.params("cursor"); cur != "" {
		ts, ok := readTSCursor(cur)
		if !ok {
			return nil, "invalid_cursor"
		}
		hi, hiIncl = ts, false
	}
	// Newest first, as Slack returns history.
	var sel []*message
	for i := len(c.top) - 1; i >= 0; i-- {
		m := c.top[i]
		if inRange(m.TS, lo, hi, loIncl, hiIncl) {
			sel = append(sel, m)
			if len(sel) > limit {
				break
			}
		}
	}
	more := len(sel) > limit
	if more {
		sel = sel[:limit]
	}
	msgs := make([]any, len(sel))
	for i, m := range sel {
		msgs[i] = s.renderMsgLocked(c, m)
	}
	next := ""
	if more {
		next = tsCursor(sel[len(sel)-1].TS)
	}
	return map[string]any{
		"messages": msgs, "has_more": more, "pin_count": 0,
		"response_metadata": map[string]any{"next_cursor": next},
	}, ""
}

func (s *Server) conversationsReplies(r request) (map[string]any, string) {
	c, errCode := s.visible(r)
	if errCode != "" {
		return nil, errCode
	}
	ts := r.params("ts")
	m := c.find(ts)
	if m == nil {
		return nil, "thread_not_found"
	}
	root := m
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if root = findMsg(c.top, m.ThreadTS); root == nil {
			return nil, "thread_not_found"
		}
	}
	limit, errCode := s.limitFor(r, 1000, 1000)
	if errCode != "" {
		return nil, errCode
	}
	lo, hi, loIncl, hiIncl := tsRange(r)
	if cur := r.params("cursor"); cur != "" {
		ts, ok := readTSCursor(cur)
		if !ok {
			return nil, "invalid_cursor"
		}
		lo, loIncl = ts, true
	}
	// The parent leads every page; replies follow oldest first.
	msgs := []any{s.renderMsgLocked(c, root)}
	var sel []*message
	for _, rep := range c.replies[root.TS] {
		if inRange(rep.TS, lo, hi, loIncl, hiIncl) {
			sel = append(sel, rep)
		}
	}
	more := len(sel) > limit
	next := ""
	if more {
		next = tsCursor(sel[limit].TS)
		sel = sel[:limit]
	}
	for _, rep := range sel {
		msgs = append(msgs, s.renderMsgLocked(c, rep))
	}
	return map[string]any{
		"messages": msgs, "has_more": more,
		"response_metadata": map[string]any{"next_cursor": next},
	}, ""
}

func (s *Server) conversationsMark(r request) (map[string]any, string) {
	c, errCode := s.visible(r)
	if errCode != "" {
		return nil, errCode
	}
	ts := r.params("ts")
	if _, ok := ParseTS(ts); !ok {
		return nil, "invalid_timestamp"
	}
	c.lastRead[r.user] = ts
	return map[string]any{}, ""
}

func (s *Server) usergroupsList(r request) (map[string]any, string) {
	var out []any
	for _, g := range s.groups {
		ug := map[string]any{
			"id": g.ID, "team_id": s.opts.TeamID, "is_usergroup": true,
			"name": g.Name, "handle": g.Handle, "user_count": len(g.Users),
		}
		if r.params("include_users") == "true" {
			ug["users"] = g.Users
		}
		out = append(out, ug)
	}
	return map[string]any{"usergroups": out}, ""
}

func (s *Server) chatGetPermalink(r request) (map[string]any, string) {
	c, errCode := s.visible(r)
	if errCode != "" {
		return nil, errCode
	}
	ts := r.params("message_ts")
	m := c.find(ts)
	if m == nil {
		return nil, "message_not_found"
	}
	link := s.WorkspaceURL() + "archives/" + c.id + "/p" + strings.Replace(ts, ".", "", 1)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		link += "?thread_ts=" + m.ThreadTS + "&cid=" + c.id
	}
	return map[string]any{"channel": c.id, "permalink": link}, ""
}

func (s *Server) profileGet(r request) (map[string]any, string) {
	u := s.users[r.user]
	st := s.profiles[r.user]
	if st == nil {
		st = &status{}
	}
	if st.Expiration > 0 && time.Now().Unix() >= st.Expiration {
		*st = status{} // Slack clears an expired status
	}
	return map[string]any{"profile": map[string]any{
		"real_name": u.RealName, "display_name": u.DisplayName,
		"status_text": st.Text, "status_emoji": st.Emoji, "status_expiration": st.Expiration,
	}}, ""
}

func (s *Server) profileSet(r request) (map[string]any, string) {
	st := s.profiles[r.user]
	if st == nil {
		st = &status{}
		s.profiles[r.user] = st
	}
	fields := map[string]any{}
	if p := r.params("profile"); p != "" {
		if err := json.Unmarshal([]byte(p), &fields); err != nil {
			return nil, "invalid_profile"
		}
	} else if name := r.params("name"); name != "" {
		fields[name] = r.params("value")
	}
	for k, v := range fields {
		switch k {
		case "status_text":
			st.Text, _ = v.(string)
		case "status_emoji":
			st.Emoji, _ = v.(string)
		case "status_expiration":
			f, _ := v.(float64)
			st.Expiration = int64(f)
		}
	}
	if st.Text != "" && st.Emoji == "" {
		st.Emoji = ":speech_balloon:"
	}
	return s.profileGet(r)
}

func (s *Server) dndStatus(user string) map[string]any {
	d := s.dnd[user]
	if d == nil {
		d = &snooze{}
	}
	now := time.Now().Unix()
	if d.Enabled && d.End <= now {
		*d = snooze{}
	}
	out := map[string]any{
		"dnd_enabled": false, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1,
		"snooze_enabled": d.Enabled,
	}
	if d.Enabled {
		out["snooze_endtime"] = d.End
		out["snooze_remaining"] = d.End - now
	}
	return out
}

func (s *Server) dndInfo(r request) (map[string]any, string) {
	return s.dndStatus(r.user), ""
}

func (s *Server) dndSetSnooze(r request) (map[string]any, string) {
	n, err := strconv.Atoi(r.params("num_minutes"))
	if err != nil || n < 1 {
		return nil, "invalid_num_minutes"
	}
	s.dnd[r.user] = &snooze{Enabled: true, End: time.Now().Add(time.Duration(n) * time.Minute).Unix()}
	return s.dndStatus(r.user), ""
}

func (s *Server) dndEndSnooze(r request) (map[string]any, string) {
	d := s.dnd[r.user]
	if d == nil || !d.Enabled || d.End <= time.Now().Unix() {
		return nil, "snooze_not_active"
	}
	*d = snooze{}
	return s.dndStatus(r.user), ""
}

// Threads returns the ts of every thread root in channel, oldest first.
func (s *Server) Threads(channel string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustConv(channel)
	var out []string
	for ts, rs := range c.replies {
		if len(rs) > 0 {
			out = append(out, ts)
		}
	}
	sort.Strings(out)
	return out
}
