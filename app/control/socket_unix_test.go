//go:build !windows

package control

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawCall writes raw on a fresh connection and returns the reply line.
func rawCall(t *testing.T, path string, raw []byte, closeWrite bool) Response {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	// Write from a goroutine: the server stops reading an oversized request,
	// so a large write may fail or block, and the reply must still arrive.
	go func() {
		conn.Write(raw)
		if closeWrite {
			conn.(*net.UnixConn).CloseWrite()
		}
	}()
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	var resp Response
	if err := json.Unmarshal(line, &resp); err != nil {
		t.Fatalf("bad reply %q: %v", line, err)
	}
	return resp
}

func TestProtocolOnTheWire(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir, echo)

	tests := []struct {
		name       string
		raw        string
		closeWrite bool
		wantErr    string // "" means ok
		wantResult string
	}{
		{"focus start", `{"cmd":"focus.start","args":{"duration":"50m"}}` + "\n", false, "", `{"cmd":"focus.start","args":{"duration":"50m"}}`},
		{"no newline, write side closed", `{"cmd":"release"}`, true, "", `{"cmd":"release"}`},
		{"handler error", `{"cmd":"fail"}` + "\n", false, "focus is not running", ""},
		{"not json", "focus start\n", false, "bad request", ""},
		{"missing cmd", `{"args":{}}` + "\n", false, `missing "cmd"`, ""},
		{"unknown field", `{"cmd":"release","force":true}` + "\n", false, `unknown field "force"`, ""},
		{"two values", `{"cmd":"release"} {"cmd":"release"}` + "\n", false, "more than one", ""},
		{"oversized", strings.Repeat(" ", 2*MaxRequestSize), false, "request larger than 65536 bytes", ""},
		// `{"cmd":"fail","args":"` is 22 bytes, `"}` and the newline 3 more.
		{"exactly the limit", `{"cmd":"fail","args":"` + strings.Repeat("a", MaxRequestSize-22-3) + `"}` + "\n", false, "focus is not running", ""},
		{"one byte over the limit", `{"cmd":"fail","args":"` + strings.Repeat("a", MaxRequestSize-22-2) + `"}` + "\n", false, "request larger than", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := rawCall(t, s.Addr(), []byte(tt.raw), tt.closeWrite)
			if tt.wantErr == "" {
				if !resp.OK || string(resp.Result) != tt.wantResult {
					t.Errorf("reply ok=%v error %q result %.200s, want ok %s", resp.OK, resp.Error, resp.Result, tt.wantResult)
				}
				return
			}
			if resp.OK || !strings.Contains(resp.Error, tt.wantErr) {
				t.Errorf("reply ok=%v error %q result %.200s, want error containing %q", resp.OK, resp.Error, resp.Result, tt.wantErr)
			}
		})
	}
}

func TestReadDeadline(t *testing.T) {
	dir := t.TempDir()
	s, err := serve(t.Context(), dir, echo, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := net.Dial("unix", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte(`{"cmd":`)) // and then nothing
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		t.Fatalf("a stalled client got no reply: %v", err)
	}
	if !strings.Contains(string(line), "timeout") || time.Since(start) > 2*time.Second {
		t.Errorf("reply %s after %v, want a timeout error after ~100ms", line, time.Since(start))
	}
}

func TestSocketInDataFolderIsPrivate(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir, echo)
	real, _ := filepath.EvalSymlinks(dir) // macOS: /var is /private/var
	if want := filepath.Join(real, "lull.sock"); s.Addr() != want {
		t.Errorf("socket at %s, want %s", s.Addr(), want)
	}
	fi, err := os.Lstat(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", fi.Mode())
	}
	s.Close()
	if _, err := os.Lstat(s.Addr()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket left behind after Close: %v", err)
	}
}

// staleSocket leaves a socket file whose listener is gone, as a crash does.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("stale socket not left behind: %v", err)
	}
}

func TestStaleSocketRemoved(t *testing.T) {
	dir := t.TempDir()
	staleSocket(t, filepath.Join(dir, "lull.sock"))

	if _, err := Dial(t.Context(), dir); !errors.Is(err, ErrNoApp) {
		t.Errorf("Dial to a stale socket = %v, want ErrNoApp", err)
	}
	startServer(t, dir, echo)
	if err := call(t, dir, CmdFocusStatus, nil, nil); err != nil {
		t.Fatalf("server on a removed stale socket: %v", err)
	}
}

func TestNonSocketLeftAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lull.sock")
	if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Serve(t.Context(), dir, echo); err == nil {
		s.Close()
		t.Fatal("Serve replaced a regular file named lull.sock")
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "mine" {
		t.Errorf("the file was touched: %q %v", b, err)
	}
}

// longDataDir returns a data folder whose lull.sock path is too long for a
// unix socket, and points os.TempDir at a short private folder for the test.
func longDataDir(t *testing.T) (dataDir, tmp string) {
	t.Helper()
	tmp, err := os.MkdirTemp("/tmp", "lc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	t.Setenv("TMPDIR", tmp)
	dataDir = filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dataDir, tmp
}

func TestLongDataDirFallsBackToTempDir(t *testing.T) {
	dataDir, tmp := longDataDir(t)
	s := startServer(t, dataDir, echo)

	privateDir := filepath.Join(tmp, "lull-"+strconv.Itoa(os.Getuid()))
	if filepath.Dir(s.Addr()) != privateDir || len(s.Addr()) > maxSocketPath {
		t.Errorf("socket at %s, want a short path in %s", s.Addr(), privateDir)
	}
	if fi, err := os.Stat(privateDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket folder: %v %v, want mode 0700", fi.Mode(), err)
	}
	if ep, _ := Endpoint(dataDir); ep != s.Addr() {
		t.Errorf("Endpoint = %s, server at %s", ep, s.Addr())
	}
	var got seen
	if err := call(t, dataDir, CmdFocusStatus, nil, &got); err != nil || got.Cmd != CmdFocusStatus {
		t.Fatalf("round trip through the fallback socket: %v %+v", err, got)
	}
	// Another long data folder gets its own socket.
	other := filepath.Join(filepath.Dir(dataDir), strings.Repeat("f", 60))
	os.MkdirAll(other, 0o700)
	if _, err := Dial(t.Context(), other); !errors.Is(err, ErrNoApp) {
		t.Errorf("Dial for another long data folder = %v, want ErrNoApp", err)
	}
}

func TestUnsafeFallbackFolderRefused(t *testing.T) {
	dataDir, tmp := longDataDir(t)
	privateDir := filepath.Join(tmp, "lull-"+strconv.Itoa(os.Getuid()))
	if err := os.Mkdir(privateDir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(privateDir, 0o777) // despite the umask
	if s, err := Serve(t.Context(), dataDir, echo); err == nil {
		s.Close()
		t.Fatal("Serve used a world-writable socket folder")
	}
	if _, err := Dial(t.Context(), dataDir); err == nil || errors.Is(err, ErrNoApp) {
		t.Errorf("Dial through a world-writable socket folder = %v, want an error other than ErrNoApp", err)
	}
}
