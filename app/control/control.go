// Package control is the local IPC between the lull command line and the
// running app, so that `lull focus start 50m` acts on the app's focus state
// instead of on a store the app holds open.
//
// The app listens on a unix socket, lull.sock in its data folder (Linux,
// macOS), or on the named pipe \\.\pipe\lull-<hash of the data folder>
// (Windows), readable by the user alone. A unix socket path is limited to
// about 104 bytes, so a data folder too deep for lull.sock gets its socket in
// os.TempDir()/lull-<uid>/<hash of the data folder>.sock instead, in a folder
// only that user may use; Endpoint says which.
//
// Each connection carries one request line and one reply line, both JSON:
//
//	{"cmd":"focus.start","args":{"duration":"50m"}}
//	{"ok":true,"result":{...}}   or   {"ok":false,"error":"..."}
package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"
)

// The commands the app answers. Handler implementations define their results.
const (
	CmdFocusStart  = "focus.start"  // args FocusStartArgs
	CmdFocusStop   = "focus.stop"   // no args
	CmdFocusStatus = "focus.status" // no args
	CmdRelease     = "release"      // no args: release held items now
)

// FocusStartArgs are the args of focus.start: at most one is set; none
// means the default session length.
type FocusStartArgs struct {
	Duration  string `json:"duration,omitempty"`  // a Go duration, e.g. "50m"
	Until     string `json:"until,omitempty"`     // a local clock time, e.g. "12:00"
	NextBatch bool   `json:"nextBatch,omitempty"` // until the next batch time
}

// Request is one request line.
type Request struct {
	Cmd  string          `json:"cmd"`
	Args json.RawMessage `json:"args,omitempty"`
}

// Response is one reply line.
type Response struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

const (
	// MaxRequestSize bounds a request line, newline included.
	MaxRequestSize = 64 << 10
	// maxResponseSize bounds a reply line the client reads.
	maxResponseSize = 4 << 20
	// ioTimeout bounds how long the server waits for a request line and for
	// the reply to be taken, so a stuck client cannot hold a connection.
	ioTimeout = 5 * time.Second
	// DefaultTimeout bounds a Dial or Call whose context has no deadline.
	DefaultTimeout = 10 * time.Second
	// maxConns bounds the connections served at once.
	maxConns = 16
	// probeTimeout bounds the check for a live app before listening.
	probeTimeout = time.Second
)

var (
	// ErrNoApp means no app listens for this data folder.
	ErrNoApp = errors.New("no running Lull app")
	// ErrAppRunning means an app already answers for this data folder.
	ErrAppRunning = errors.New("a Lull app is already running for this data folder")
)

// Handler answers requests in the app. args is the request's raw "args"
// (nil when absent); the result is encoded as JSON. A returned error reaches
// the client as a RemoteError. Handle is called concurrently and should
// return when ctx ends, which happens when the Server closes.
type Handler interface {
	Handle(ctx context.Context, cmd string, args json.RawMessage) (any, error)
}

// HandlerFunc lets a function be a Handler.
type HandlerFunc func(ctx context.Context, cmd string, args json.RawMessage) (any, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, cmd string, args json.RawMessage) (any, error) {
	return f(ctx, cmd, args)
}

// RemoteError is an error the app returned for a request.
type RemoteError struct {
	Cmd string
	Msg string
}

func (e *RemoteError) Error() string { return e.Msg }

// Endpoint returns where the app for dataDir listens: a socket path, or a
// pipe name on Windows.
func Endpoint(dataDir string) (string, error) {
	ep, err := endpointFor(dataDir)
	if err != nil {
		return "", err
	}
	return ep.path, nil
}

// dirHash names a data folder in a short, fixed-length way.
func dirHash(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return hex.EncodeToString(sum[:8])
}

// withDefaultTimeout applies DefaultTimeout when ctx has no deadline.
func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}
