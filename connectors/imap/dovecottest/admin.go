package dovecottest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Doveadm runs doveadm against this instance (doveadm -c dovecot.conf ARGS)
// and returns its standard output.
func (s *Server) Doveadm(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.doveadm, append([]string{"-c", s.ConfigPath}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("dovecottest: doveadm %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// DropConnections disconnects every logged-in IMAP session, as a server
// restart or a network failure would: `doveadm kick` sends SIGTERM to each
// of the user's imap processes, which answer "* BYE Server shutting down."
// and close. It returns once those processes are gone, so a client's next
// command fails. Connections that have not logged in yet are left alone.
func (s *Server) DropConnections() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pids := s.sessionPIDs(ctx)
	if len(pids) == 0 {
		return
	}
	// Exit status 68 means nobody was connected any more.
	_, _ = s.Doveadm(ctx, "kick", s.User)
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
				}
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// sessionPIDs are the imap processes serving the user, from `doveadm who`.
func (s *Server) sessionPIDs(ctx context.Context) []int {
	out, err := s.Doveadm(ctx, "who", "-1", s.User)
	if err != nil {
		return nil
	}
	var pids []int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// username proto pid ip
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] != s.User {
			continue
		}
		if pid, err := strconv.Atoi(f[2]); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// alive reports whether pid still exists. The master reaps its children at
// once, so a zombie lingers only for a moment.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
