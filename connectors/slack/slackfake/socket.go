package slackfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// envelope is one Socket Mode events_api request waiting for its ack.
type envelope struct {
	id      string
	event   map[string]any
	retries int
}

// socketConn is one client connection; writes are serialised by mu, as
// gorilla/websocket allows one writer at a time.
type socketConn struct {
	mu   sync.Mutex
	ws   *websocket.Conn
	once sync.Once
	done chan struct{}
}

func (sc *socketConn) write(v any) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	_ = sc.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return sc.ws.WriteJSON(v)
}

func (sc *socketConn) ping() error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second))
}

// close drops the connection at the TCP level, as a network failure or a
// server restart would: no close frame.
func (sc *socketConn) close() {
	sc.once.Do(func() {
		close(sc.done)
		_ = sc.ws.UnderlyingConn().Close()
	})
}

// appsConnectionsOpen serves apps.connections.open: with a valid app-level
// token, a one-time websocket URL. Called with s.mu held.
func (s *Server) appsConnectionsOpen(w http.ResponseWriter, token string) {
	switch {
	case token == "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "not_authed"})
	case s.revoked[token] != "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": s.revoked[token]})
	case s.tokens[token] != "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "not_allowed_token_type"})
	case !s.appTokens[token]:
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_auth"})
	default:
		s.opened++
		u := "ws" + strings.TrimPrefix(s.http.URL, "http") + "/link/?ticket=" + strconv.Itoa(s.opened)
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "url": u})
	}
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sc := &socketConn{ws: ws, done: make(chan struct{})}
	s.mu.Lock()
	select {
	case <-s.socketsDone:
		s.mu.Unlock()
		sc.close()
		return
	default:
	}
	s.sockets[sc] = true
	n := len(s.sockets)
	for i := range s.queue {
		if s.opened > 1 {
			s.queue[i].retries++
		}
	}
	pending := append([]envelope(nil), s.queue...)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sockets, sc)
		s.mu.Unlock()
		sc.close()
	}()

	if sc.write(map[string]any{
		"type": "hello", "num_connections": n,
		"debug_info":      map[string]any{"host": "slackfake", "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": "A0LULL"},
	}) != nil {
		return
	}
	// Events that arrived while no client listened, or that were sent and
	// never acknowledged, are delivered again, as Slack retries them.
	for _, env := range pending {
		if sc.write(renderEnvelope(env)) != nil {
			return
		}
	}
	go func() {
		t := time.NewTicker(s.opts.PingInterval)
		defer t.Stop()
		for {
			select {
			case <-sc.done:
				return
			case <-t.C:
				if sc.ping() != nil {
					sc.close()
					return
				}
			}
		}
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
			s.mu.Lock()
			for i, env := range s.queue {
				if env.id == ack.EnvelopeID {
					s.queue = append(s.queue[:i], s.queue[i+1:]...)
					break
				}
			}
			s.mu.Unlock()
		}
	}
}

func renderEnvelope(env envelope) map[string]any {
	return map[string]any{
		"envelope_id": env.id, "type": "events_api", "accepts_response_payload": false,
		"retry_attempt": env.retries, "retry_reason": "",
		"payload": map[string]any{
			"token": "verification-token", "team_id": "T0LULL", "api_app_id": "A0LULL",
			"type": "event_callback", "event_id": "Ev" + env.id, "event_time": time.Now().Unix(),
			"event": env.event,
		},
	}
}

func messageEvent(c *conv, m *message) map[string]any {
	ev := map[string]any{
		"type": "message", "channel": c.id, "channel_type": c.channelType(),
		"ts": m.TS, "event_ts": m.TS, "text": m.Text,
	}
	if m.User != "" {
		ev["user"] = m.User
	}
	if m.Subtype != "" {
		ev["subtype"] = m.Subtype
	}
	if m.BotID != "" {
		ev["bot_id"] = m.BotID
		ev["username"] = m.Username
	}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS
		if root := findMsg(c.top, m.ThreadTS); root != nil {
			ev["parent_user_id"] = root.User
		}
	}
	return ev
}

// emitLocked queues a message event for Socket Mode clients (the app's user
// event subscriptions cover every conversation) and sends it to those
// connected. Called with s.mu held.
func (s *Server) emitLocked(c *conv, ev map[string]any) {
	if len(s.appTokens) == 0 {
		return // no app, no Socket Mode
	}
	s.nextEnvID++
	env := envelope{id: "env-" + strconv.Itoa(s.nextEnvID), event: ev}
	s.queue = append(s.queue, env)
	for sc := range s.sockets {
		go func() {
			if sc.write(renderEnvelope(env)) != nil {
				sc.close()
			}
		}()
	}
}

// DropSockets cuts every Socket Mode connection without a close frame.
func (s *Server) DropSockets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sc := range s.sockets {
		sc.close()
	}
}

// Disconnect sends every client Slack's {"type": "disconnect"} request, as
// Slack does before it refreshes a connection, and closes the socket soon after.
func (s *Server) Disconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sc := range s.sockets {
		go func() {
			_ = sc.write(map[string]any{"type": "disconnect", "reason": "refresh_requested",
				"debug_info": map[string]any{"host": "slackfake"}})
			time.Sleep(200 * time.Millisecond)
			sc.close()
		}()
	}
}

// Sockets returns how many Socket Mode clients are connected.
func (s *Server) Sockets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets)
}

// Opened returns how many websocket URLs apps.connections.open handed out.
func (s *Server) Opened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// Unacked returns how many events no client has acknowledged yet.
func (s *Server) Unacked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}
