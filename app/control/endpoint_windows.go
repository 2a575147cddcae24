package control

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"strings"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// endpoint is the pipe for a data folder. Pipes live in their own namespace
// and vanish with their process, so there is nothing stale to remove.
type endpoint struct {
	path string
}

func endpointFor(dataDir string) (endpoint, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return endpoint{}, fmt.Errorf("failed to resolve data folder: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	// Windows paths are case-insensitive: C:\Users\Ana and c:\users\ana are
	// one folder and must name one pipe.
	return endpoint{path: `\\.\pipe\lull-` + dirHash(strings.ToLower(abs))}, nil
}

func listen(ctx context.Context, dataDir string) (net.Listener, string, error) {
	ep, err := endpointFor(dataDir)
	if err != nil {
		return nil, "", err
	}
	probeCtx, cancel := context.WithTimeout(ctx, probeTimeout)
	conn, err := winio.DialPipeContext(probeCtx, ep.path)
	cancel()
	if err == nil {
		conn.Close()
		return nil, "", fmt.Errorf("%w (%s answers)", ErrAppRunning, ep.path)
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		// The pipe exists but every instance stayed busy: an app owns it.
		return nil, "", fmt.Errorf("%w (%s is busy)", ErrAppRunning, ep.path)
	}
	sddl, err := ownerOnly()
	if err != nil {
		return nil, "", err
	}
	ln, err := winio.ListenPipe(ep.path, &winio.PipeConfig{
		SecurityDescriptor: sddl,
		InputBufferSize:    MaxRequestSize,
		OutputBufferSize:   MaxRequestSize,
	})
	if err != nil {
		return nil, "", fmt.Errorf("failed to listen on %s: %w", ep.path, err)
	}
	return ln, ep.path, nil
}

func dial(ctx context.Context, dataDir string) (net.Conn, error) {
	ep, err := endpointFor(dataDir)
	if err != nil {
		return nil, err
	}
	conn, err := winio.DialPipeContext(ctx, ep.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrNoApp, err)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to connect to the app: %w", err)
	}
	return conn, nil
}

// ownerOnly is a security descriptor that lets only the current user open
// the pipe; the default one lets every local user read it.
func ownerOnly() (string, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("failed to look up the current user: %w", err)
	}
	return "D:P(A;;GA;;;" + u.User.Sid.String() + ")", nil
}
