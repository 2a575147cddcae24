package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Server answers requests from the command line for one data folder.
type Server struct {
	ln     net.Listener
	addr   string
	h      Handler
	ctx    context.Context // ends when the Server closes; handlers get it
	cancel context.CancelFunc
	slots  chan struct{} // one per connection being served
	wg     sync.WaitGroup
	// ioTimeout bounds the wait for a request line and for the reply to be
	// taken; tests shorten it.
	ioTimeout time.Duration

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// Serve listens for dataDir and answers each request with h until ctx ends or
// Close is called. It returns an error wrapping ErrAppRunning when an app
// already answers for dataDir.
func Serve(ctx context.Context, dataDir string, h Handler) (*Server, error) {
	return serve(ctx, dataDir, h, ioTimeout)
}

func serve(ctx context.Context, dataDir string, h Handler, timeout time.Duration) (*Server, error) {
	ln, addr, err := listen(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{
		ln: ln, addr: addr, h: h, ctx: sctx, cancel: cancel,
		slots: make(chan struct{}, maxConns), ioTimeout: timeout,
		conns: make(map[net.Conn]struct{}),
	}
	s.wg.Add(1)
	go s.accept()
	// Cancelling ctx closes the Server, without waiting on Close's caller.
	stop := context.AfterFunc(ctx, func() { s.Close() })
	context.AfterFunc(sctx, func() { stop() })
	return s, nil
}

// Addr is the socket path or pipe name the Server listens on.
func (s *Server) Addr() string { return s.addr }

// Close stops listening, cancels the context of running handlers, closes
// open connections and waits for their goroutines. It is safe to call more
// than once.
func (s *Server) Close() error {
	s.cancel()
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		select {
		case s.slots <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		conn, err := s.ln.Accept()
		if err != nil {
			<-s.slots
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait and go on, as
			// net/http does, rather than leave the app deaf.
			select {
			case <-time.After(backoff):
			case <-s.ctx.Done():
				return
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		if !s.track(conn) {
			conn.Close()
			<-s.slots
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.slots }()
			defer s.untrack(conn)
			s.serve(conn)
		}()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

var (
	errEmpty    = errors.New("empty request")
	errTooLarge = fmt.Errorf("request larger than %d bytes", MaxRequestSize)
)

func (s *Server) serve(conn net.Conn) {
	conn.SetReadDeadline(time.Now().Add(s.ioTimeout))
	req, err := readRequest(conn)
	if errors.Is(err, errEmpty) {
		return // a probe: the client only checked that the app is alive
	}
	var resp Response
	if err != nil {
		resp = Response{Error: err.Error()}
	} else {
		resp = s.call(req)
	}
	line, err := json.Marshal(resp)
	if err != nil {
		line, _ = json.Marshal(Response{Error: "failed to encode reply: " + err.Error()})
	}
	conn.SetWriteDeadline(time.Now().Add(s.ioTimeout))
	conn.Write(append(line, '\n'))
}

// readRequest reads one request line, or a request ended by the client
// closing its side of the connection.
func readRequest(r io.Reader) (Request, error) {
	line, err := bufio.NewReader(io.LimitReader(r, MaxRequestSize)).ReadBytes('\n')
	switch {
	case err == nil:
	case !errors.Is(err, io.EOF):
		return Request{}, fmt.Errorf("failed to read request: %w", err)
	case len(line) >= MaxRequestSize:
		return Request{}, errTooLarge
	case len(bytes.TrimSpace(line)) == 0:
		return Request{}, errEmpty
	}
	var req Request
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return Request{}, fmt.Errorf("bad request: %w", err)
	}
	if dec.More() {
		return Request{}, errors.New("bad request: more than one JSON value")
	}
	if req.Cmd == "" {
		return Request{}, errors.New(`bad request: missing "cmd"`)
	}
	return req, nil
}

func (s *Server) call(req Request) (resp Response) {
	defer func() {
		// A bug in one command must not take the desktop app down.
		if p := recover(); p != nil {
			resp = Response{Error: fmt.Sprintf("internal error in %s: %v", req.Cmd, p)}
		}
	}()
	args := req.Args
	if bytes.Equal(bytes.TrimSpace(args), []byte("null")) {
		args = nil
	}
	result, err := s.h.Handle(s.ctx, req.Cmd, args)
	if err != nil {
		return Response{Error: err.Error()}
	}
	if result == nil {
		return Response{OK: true}
	}
	raw, err := json.Marshal(result)
	if err != nil {
		return Response{Error: fmt.Sprintf("failed to encode result of %s: %v", req.Cmd, err)}
	}
	return Response{OK: true, Result: raw}
}
