// Package dovecottest runs a real Dovecot IMAP server for tests and
// benchmarks: one private instance per test, listening on a random loopback
// port, with its configuration, runtime sockets, logs and the user's Maildir
// all inside one directory.
//
// It needs the dovecot binary (Debian: dovecot-imapd). As root the mail
// processes run as "nobody", the login processes as "dovenull" and the
// internal ones as "dovecot", because Dovecot refuses to run them as root.
package dovecottest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configures Start.
type Options struct {
	// Dir holds everything the server writes. Required. As root, the mail
	// user must be able to search it and every parent directory.
	Dir string
	// User and Password are the only account; defaults "lull" and
	// "lull-test-pass".
	User, Password string
	// Binary is the dovecot executable; by default it is looked up in PATH,
	// /usr/sbin and /usr/local/sbin.
	Binary string
	// OAuthIntrospectionURL, when set, also accepts XOAUTH2 and OAUTHBEARER
	// logins, validating each bearer token by POSTing it to this RFC 7662
	// introspection endpoint (Dovecot's oauth2 passdb).
	OAuthIntrospectionURL string
}

// Server is a running (or stopped) Dovecot instance.
type Server struct {
	Host     string // always 127.0.0.1
	Port     int
	User     string
	Password string

	Dir         string // Options.Dir
	MaildirRoot string // the user's Maildir (INBOX; other folders are .Name below it)
	ConfigPath  string // dovecot.conf, usable with doveadm -c
	LogPath     string // Dovecot's log

	oauthURL string // Options.OAuthIntrospectionURL

	dovecot string // binary paths
	doveadm string
	mailUID int // owner of the Maildir, -1 when files need no chown
	mailGID int

	mu   sync.Mutex
	proc *process
	seq  uint64 // Seed file name counter
}

// process is one run of the dovecot master.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd.Wait returns
	err  error         // cmd.Wait's result, set before done is closed
}

// Start writes a configuration into opts.Dir and starts Dovecot on a free
// 127.0.0.1 port. It returns once the port greets with "* OK".
func Start(ctx context.Context, opts Options) (*Server, error) {
	s, err := newServer(opts)
	if err != nil {
		return nil, fmt.Errorf("dovecottest: start: %w", err)
	}
	// Finding a free port and binding it are two steps; another process can
	// take the port in between, so try a few.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			return nil, fmt.Errorf("dovecottest: start: %w", err)
		}
		if err = s.writeConfig(); err != nil {
			return nil, fmt.Errorf("dovecottest: start: %w", err)
		}
		err = s.start(ctx)
		if err == nil {
			return s, nil
		}
		if attempt == 2 || !errors.Is(err, errAddrInUse) || ctx.Err() != nil {
			return nil, fmt.Errorf("dovecottest: start: %w", err)
		}
	}
}

// New starts a server in t.TempDir() and stops it when the test ends. When
// Dovecot is not installed the test is skipped, or fails if CI=true.
func New(t testing.TB) *Server {
	t.Helper()
	return NewWith(t, Options{})
}

// NewWith is New with options; opts.Dir is ignored (a test temp dir is used).
func NewWith(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := findDovecot(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dovecottest: %v", err)
		}
		t.Skip("dovecot not installed: apt install dovecot-imapd")
	}
	dir := t.TempDir()
	// testing creates TempDir's parent with mode 0700; the mail user has
	// to pass through it to reach the Maildir.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatalf("dovecottest: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts.Dir = dir
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s
}

// Addr is host:port for dialing.
func (s *Server) Addr() string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// Stop shuts Dovecot down and waits for it; the data stays in Dir. Stopping
// a stopped server does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.stopLocked(); err != nil {
		return fmt.Errorf("dovecottest: stop: %w", err)
	}
	return nil
}

// Restart stops the server if it runs and starts it again on the same port
// with the same data. Clients are disconnected.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.Stop(); err != nil {
		return err
	}
	if err := s.start(ctx); err != nil {
		return fmt.Errorf("dovecottest: restart: %w", err)
	}
	return nil
}

// Running reports whether the Dovecot master is up.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runningLocked()
}

func (s *Server) runningLocked() bool {
	if s.proc == nil {
		return false
	}
	select {
	case <-s.proc.done:
		return false
	default:
		return true
	}
}

func newServer(opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("Options.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		Host: "127.0.0.1", User: opts.User, Password: opts.Password,
		oauthURL:    opts.OAuthIntrospectionURL,
		Dir:         dir,
		MaildirRoot: filepath.Join(dir, "Maildir"),
		ConfigPath:  filepath.Join(dir, "dovecot.conf"),
		LogPath:     filepath.Join(dir, "dovecot.log"),
		mailUID:     -1, mailGID: -1,
	}
	if s.User == "" {
		s.User = "lull"
	}
	if s.Password == "" {
		s.Password = "lull-test-pass"
	}
	// The passwd-file is colon separated and the config is line based.
	for _, v := range []string{s.User, s.Password} {
		if strings.ContainsAny(v, ":\n\r\"") {
			return nil, fmt.Errorf("user and password must not contain ':', '\"' or newlines: %q", v)
		}
	}
	if s.dovecot, err = findDovecot(opts.Binary); err != nil {
		return nil, err
	}
	s.doveadm = findDoveadm(s.dovecot)
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("mail user: %w", err)
		}
		s.mailUID, _ = strconv.Atoi(u.Uid)
		s.mailGID, _ = strconv.Atoi(u.Gid)
		for _, name := range []string{"dovenull", "dovecot"} {
			if _, err := user.Lookup(name); err != nil {
				return nil, fmt.Errorf("dovecot needs the system user %q (installed by the dovecot-core package): %w", name, err)
			}
		}
		if err := os.Chmod(dir, 0o711); err != nil {
			return nil, err
		}
		if err := searchable(dir); err != nil {
			return nil, err
		}
	}
	for _, d := range []string{s.MaildirRoot, filepath.Join(dir, "home")} {
		if err := s.mkdirOwned(d); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// searchable checks that "other" may traverse dir and its parents, which the
// unprivileged mail processes need to reach the Maildir.
func searchable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("%s is not searchable by the mail user nobody (chmod o+x it or use another Dir)", d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// mkdirOwned creates dir (and parents) and gives it to the mail user.
func (s *Server) mkdirOwned(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return s.chown(dir)
}

func (s *Server) chown(path string) error {
	if s.mailUID < 0 {
		return nil
	}
	return os.Lchown(path, s.mailUID, s.mailGID)
}

func findDovecot(bin string) (string, error) {
	if bin != "" {
		return exec.LookPath(bin)
	}
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	// sbin is often missing from a non-root PATH.
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("dovecot not found in PATH, /usr/sbin or /usr/local/sbin")
}

func findDoveadm(dovecot string) string {
	if p, err := exec.LookPath("doveadm"); err == nil {
		return p
	}
	for _, dir := range []string{filepath.Dir(dovecot), "/usr/bin", "/usr/local/bin"} {
		p := filepath.Join(dir, "doveadm")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "doveadm"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var errAddrInUse = errors.New("address already in use")

// start launches the master in the foreground (so it stays our child) and
// waits for the IMAP greeting.
func (s *Server) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runningLocked() {
		return errors.New("already running")
	}
	out, err := os.OpenFile(filepath.Join(s.Dir, "dovecot.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close() // the child has its own copy
	logStart := fileSize(s.LogPath)
	outStart := fileSize(out.Name())

	// A killed master leaves its pid file; a stale one whose pid has been
	// reused would make Dovecot refuse to start.
	_ = os.Remove(filepath.Join(s.Dir, "run", "master.pid"))
	cmd := exec.Command(s.dovecot, "-F", "-c", s.ConfigPath)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.proc = p

	if err := s.waitGreeting(ctx, p); err != nil {
		_ = s.stopLocked()
		tail := s.logTail(logStart, outStart)
		if strings.Contains(tail, "Address already in use") {
			err = fmt.Errorf("%w: %w", errAddrInUse, err)
		}
		return fmt.Errorf("%w\n%s", err, tail)
	}
	return nil
}

func (s *Server) waitGreeting(ctx context.Context, p *process) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var lastErr error
	for {
		select {
		case <-p.done:
			return fmt.Errorf("dovecot exited: %v", p.err)
		default:
		}
		if lastErr = greet(ctx, s.Addr()); lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", s.Addr(), ctx.Err(), lastErr)
		case <-p.done:
			return fmt.Errorf("dovecot exited: %v", p.err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// greet connects once and reads the greeting line.
func greet(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(2 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("unexpected greeting %q", strings.TrimSpace(line))
	}
	_, _ = conn.Write([]byte("g LOGOUT\r\n"))
	return nil
}

// stopLocked ends the instance: every process gets SIGTERM (imap sessions
// send BYE and exit), and once only the log process is left the rest is
// killed rather than waiting out the master's fixed one-second log drain.
func (s *Server) stopLocked() error {
	p := s.proc
	if p == nil {
		return nil
	}
	s.proc = nil
	select {
	case <-p.done:
		return nil
	default:
	}
	pgid := p.cmd.Process.Pid
	terminate(pgid)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-p.done:
			kill(pgid) // stragglers, if the master left any
			return nil
		case <-tick.C:
			if onlyLogLeft(pgid) {
				kill(pgid)
				<-p.done
				return nil
			}
		case <-deadline:
			kill(pgid)
			<-p.done
			return errors.New("dovecot did not stop on SIGTERM within 10s; killed it")
		}
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logTail is what Dovecot wrote to its log and to stderr since the given
// offsets, last lines only, for error messages.
func (s *Server) logTail(logFrom, outFrom int64) string {
	var b strings.Builder
	for _, f := range []struct {
		path string
		from int64
	}{{s.LogPath, logFrom}, {filepath.Join(s.Dir, "dovecot.out"), outFrom}} {
		data, err := os.ReadFile(f.path)
		if err != nil || int64(len(data)) <= f.from {
			continue
		}
		data = data[f.from:]
		lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
		if len(lines) > 20 {
			lines = lines[len(lines)-20:]
		}
		fmt.Fprintf(&b, "--- %s:\n%s\n", f.path, bytes.Join(lines, []byte("\n")))
	}
	if b.Len() == 0 {
		return "(dovecot wrote no log)"
	}
	return strings.TrimRight(b.String(), "\n")
}
