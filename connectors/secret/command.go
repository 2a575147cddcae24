package secret

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

const (
	// maxStdout bounds what a command may print; a secret is one line.
	maxStdout = 64 << 10
	// stderrTail is how much of stderr an error quotes.
	stderrTail = 400
	// waitDelay is how long a killed command's children may keep its pipes
	// open (`sh -c "gpg …; …"` leaves gpg behind when sh is killed).
	waitDelay = time.Second
)

// runCommand runs command through the platform shell and returns the first
// line of its stdout, trimmed. Its stdout is never part of an error: it may
// hold the secret.
func runCommand(ctx context.Context, command string, timeout time.Duration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := shellCommand(runCtx, command)
	var stdout limitedBuffer
	stdout.limit = maxStdout
	var stderr tailBuffer
	stderr.keep = stderrTail
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = waitDelay
	// Stdin stays unset (the null device): a command that needs the user
	// asks through the terminal or an agent (gpg's pinentry), never our stdin.

	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("stopped: %w", ctx.Err())
	case runCtx.Err() != nil:
		return "", fmt.Errorf("did not finish within %s: %w", timeout, context.DeadlineExceeded)
	case err != nil:
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return "", fmt.Errorf("failed to run: %w", err)
		}
		if tail := stderr.tail(); tail != "" {
			return "", fmt.Errorf("failed (%v): %q", exitErr.ProcessState, tail)
		}
		return "", fmt.Errorf("failed (%v) and printed nothing on stderr", exitErr.ProcessState)
	case stdout.overflow:
		return "", fmt.Errorf("printed more than %d bytes; a secret command prints the secret on its first line", maxStdout)
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	line = strings.TrimSpace(line)
	if line == "" {
		return "", errors.New("printed nothing on its first line")
	}
	return line, nil
}

// limitedBuffer keeps at most limit bytes and notes that more came.
type limitedBuffer struct {
	bytes.Buffer
	limit    int
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); len(p) > room {
		b.overflow = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// tailBuffer keeps the last keep bytes written to it.
type tailBuffer struct {
	buf  []byte
	keep int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.keep; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

// tail is the kept stderr without surrounding blank space.
func (b *tailBuffer) tail() string {
	return strings.TrimSpace(strings.ToValidUTF8(string(b.buf), "?"))
}
