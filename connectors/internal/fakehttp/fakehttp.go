// Package fakehttp is the plumbing the connectors' in-process fake APIs
// (githubfake, asanafake, slackfake) share: a log of the requests a fake
// answered with their statuses, JSON answers, and the whole seconds an
// injected rate limit asks for. What the answers say stays in each fake,
// in its own API's documented shapes.
package fakehttp

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// JSONType is the Content-Type GitHub and Slack send with JSON; Asana
// writes the charset in capitals.
const JSONType = "application/json; charset=utf-8"

// WriteJSON answers status with v encoded as JSON, sent as contentType.
func WriteJSON(w http.ResponseWriter, contentType string, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// RetrySeconds is wait as a Retry-After header carries it: whole seconds,
// rounded up, and at least one, as the APIs the fakes stand in for send it.
func RetrySeconds(wait time.Duration) int {
	return max(int((wait+time.Second-1)/time.Second), 1)
}

// Call is one request a fake answered.
type Call struct {
	Method string
	Path   string // without the API's path prefix, with the query
	Status int
}

// Log is the requests a fake answered, oldest first. It is safe for
// concurrent use and takes no lock of the fake's, so a handler holding its
// server's lock may read it.
type Log struct {
	mu    sync.Mutex
	calls []Call
}

// Record returns h logging each request it answers, once answered, with
// its path less prefix and the status h wrote (200 when it wrote none).
func (l *Log) Record(prefix string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		path := strings.TrimPrefix(r.URL.Path, prefix)
		if r.URL.RawQuery != "" {
			path += "?" + r.URL.RawQuery
		}
		defer func() {
			l.mu.Lock()
			l.calls = append(l.calls, Call{Method: r.Method, Path: path, Status: rec.status})
			l.mu.Unlock()
		}()
		h(rec, r)
	})
}

// Calls returns the requests answered so far, oldest first.
func (l *Log) Calls() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

// Reset forgets the requests answered so far.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = nil
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
