package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// seen is what the test handler was asked.
type seen struct {
	Cmd  string          `json:"cmd"`
	Args json.RawMessage `json:"args,omitempty"`
}

// echo answers every command with what it received; "fail" returns an error
// and "panic" panics.
var echo = HandlerFunc(func(ctx context.Context, cmd string, args json.RawMessage) (any, error) {
	switch cmd {
	case "fail":
		return nil, errors.New("focus is not running")
	case "panic":
		panic("boom")
	case "nothing":
		return nil, nil
	}
	return seen{Cmd: cmd, Args: args}, nil
})

func startServer(t *testing.T, dataDir string, h Handler) *Server {
	t.Helper()
	s, err := Serve(t.Context(), dataDir, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func call(t *testing.T, dataDir, cmd string, args, result any) error {
	t.Helper()
	c, err := Dial(t.Context(), dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.Call(t.Context(), cmd, args, result)
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir, echo)

	tests := []struct {
		cmd      string
		args     any
		wantArgs string
	}{
		{CmdFocusStart, FocusStartArgs{Duration: "50m"}, `{"duration":"50m"}`},
		{CmdFocusStart, FocusStartArgs{Until: "12:00"}, `{"until":"12:00"}`},
		{CmdFocusStop, nil, ``},
		{CmdFocusStatus, nil, ``},
		{CmdRelease, json.RawMessage(`null`), ``},
	}
	for _, tt := range tests {
		t.Run(tt.cmd+tt.wantArgs, func(t *testing.T) {
			var got seen
			if err := call(t, dir, tt.cmd, tt.args, &got); err != nil {
				t.Fatal(err)
			}
			if got.Cmd != tt.cmd || string(got.Args) != tt.wantArgs {
				t.Errorf("handler saw %q %s, want %q %s", got.Cmd, got.Args, tt.cmd, tt.wantArgs)
			}
		})
	}

	// A nil result is a success with no result; the caller's value is untouched.
	got := seen{Cmd: "untouched"}
	if err := call(t, dir, "nothing", nil, &got); err != nil || got.Cmd != "untouched" {
		t.Errorf("nil result: err %v, result %+v", err, got)
	}
}

func TestHandlerErrorReachesClient(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir, echo)

	for cmd, want := range map[string]string{
		"fail":  "focus is not running",
		"panic": "internal error in panic: boom",
	} {
		err := call(t, dir, cmd, nil, nil)
		var re *RemoteError
		if !errors.As(err, &re) || re.Msg != want || re.Cmd != cmd {
			t.Errorf("%s: err = %#v, want RemoteError %q", cmd, err, want)
		}
	}
	// The server survives both.
	if err := call(t, dir, CmdFocusStatus, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestErrNoApp(t *testing.T) {
	dir := t.TempDir()
	if _, err := Dial(t.Context(), dir); !errors.Is(err, ErrNoApp) {
		t.Errorf("Dial with nothing listening = %v, want ErrNoApp", err)
	}
	s := startServer(t, dir, echo)
	if err := call(t, dir, CmdFocusStatus, nil, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Dial(t.Context(), dir); !errors.Is(err, ErrNoApp) {
		t.Errorf("Dial after Close = %v, want ErrNoApp", err)
	}
}

func TestSecondServerRefusedWhileFirstLives(t *testing.T) {
	dir := t.TempDir()
	first := startServer(t, dir, echo)

	if s, err := Serve(t.Context(), dir, echo); !errors.Is(err, ErrAppRunning) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("second Serve = %v, want ErrAppRunning", err)
	}
	// The refused server must not have broken the first.
	if err := call(t, dir, CmdFocusStatus, nil, nil); err != nil {
		t.Fatalf("first server after refusing the second: %v", err)
	}
	first.Close()
	startServer(t, dir, echo)
	if err := call(t, dir, CmdFocusStatus, nil, nil); err != nil {
		t.Fatalf("a new server once the first closed: %v", err)
	}
}

func TestCancelClosesServer(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	blocked := make(chan struct{})
	s, err := Serve(ctx, dir, HandlerFunc(func(ctx context.Context, cmd string, _ json.RawMessage) (any, error) {
		if cmd == "block" {
			close(blocked)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	done := make(chan error, 1)
	go func() { done <- call(t, dir, "block", nil, nil) }()
	<-blocked
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a call in flight when the server closed succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the context did not end the handler's call")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := Dial(t.Context(), dir)
		if errors.Is(err, ErrNoApp) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Dial after cancel = %v, want ErrNoApp", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConcurrentClients(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int64
	startServer(t, dir, HandlerFunc(func(ctx context.Context, cmd string, args json.RawMessage) (any, error) {
		calls.Add(1)
		time.Sleep(time.Millisecond) // keep several connections open at once
		var a FocusStartArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		return a, nil
	}))

	const n = 64 // more than maxConns, so some wait for a slot
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			want := FocusStartArgs{Duration: fmt.Sprintf("%dm", i)}
			var got FocusStartArgs
			if err := call(t, dir, CmdFocusStart, want, &got); err != nil {
				t.Error(err)
			} else if got != want {
				t.Errorf("client %d got %+v", i, got)
			}
		})
	}
	wg.Wait()
	if calls.Load() != n {
		t.Errorf("handler called %d times, want %d", calls.Load(), n)
	}
}

func TestClientReusesDialConnectionOnce(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir, echo)
	c, err := Dial(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 3 {
		var got seen
		if err := c.Call(t.Context(), CmdFocusStatus, nil, &got); err != nil || got.Cmd != CmdFocusStatus {
			t.Fatalf("call %d: %v %+v", i, err, got)
		}
	}
	// Dial then Close without a call is a probe; the server shrugs it off.
	c2, err := Dial(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if err := call(t, dir, CmdRelease, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestClientRefusesOversizedRequest(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int64
	startServer(t, dir, HandlerFunc(func(context.Context, string, json.RawMessage) (any, error) {
		calls.Add(1)
		return nil, nil
	}))
	err := call(t, dir, CmdFocusStart, map[string]string{"x": strings.Repeat("a", MaxRequestSize)}, nil)
	if !errors.Is(err, errTooLarge) {
		t.Errorf("oversized Call = %v, want errTooLarge", err)
	}
	if calls.Load() != 0 {
		t.Error("the handler saw an oversized request")
	}
}

func TestCallHonoursContext(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir, HandlerFunc(func(ctx context.Context, _ string, _ json.RawMessage) (any, error) {
		<-ctx.Done()
		return nil, nil
	}))
	c, err := Dial(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := c.Call(ctx, CmdFocusStatus, nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Call past its deadline = %v, want DeadlineExceeded", err)
	}
}
