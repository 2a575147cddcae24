//go:build !windows

package control

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

const sockName = "lull.sock"

// maxSocketPath is the longest socket path every unix accepts: sun_path holds
// 108 bytes on Linux and 104 on macOS and the BSDs, NUL included.
const maxSocketPath = 103

// endpoint is where the socket lives. A data folder whose lull.sock path
// would be too long for sun_path gets a socket in a private per-user folder
// instead: os.TempDir()/lull-<uid>/<hash of the data folder>.sock, created
// 0700 and checked to be the user's own, as tmux does for /tmp/tmux-<uid>.
type endpoint struct {
	path       string
	privateDir string // the fallback folder, or "" for a socket in the data folder
}

func endpointFor(dataDir string) (endpoint, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return endpoint{}, fmt.Errorf("failed to resolve data folder: %w", err)
	}
	// The app and the command line must agree on the name even when one of
	// them reached the folder through a symlink.
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	if p := filepath.Join(abs, sockName); len(p) <= maxSocketPath {
		return endpoint{path: p}, nil
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("lull-%d", os.Getuid()))
	p := filepath.Join(dir, dirHash(abs)+".sock")
	if len(p) > maxSocketPath {
		return endpoint{}, fmt.Errorf("socket path %s is too long for a unix socket", p)
	}
	return endpoint{path: p, privateDir: dir}, nil
}

// listen takes the socket for dataDir. A socket that answers belongs to a live
// app (ErrAppRunning); one that refuses connections was left by a dead app and
// is removed. Anything else at the path is left alone and is an error.
func listen(ctx context.Context, dataDir string) (net.Listener, string, error) {
	ep, err := endpointFor(dataDir)
	if err != nil {
		return nil, "", err
	}
	if ep.privateDir != "" {
		if err := os.Mkdir(ep.privateDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("failed to create socket folder: %w", err)
		}
		if err := checkPrivateDir(ep.privateDir); err != nil {
			return nil, "", err
		}
	}
	probeCtx, cancel := context.WithTimeout(ctx, probeTimeout)
	conn, err := (&net.Dialer{}).DialContext(probeCtx, "unix", ep.path)
	cancel()
	switch {
	case err == nil:
		conn.Close()
		return nil, "", fmt.Errorf("%w (%s answers)", ErrAppRunning, ep.path)
	case errors.Is(err, syscall.ENOENT):
	case errors.Is(err, syscall.ECONNREFUSED):
		fi, lerr := os.Lstat(ep.path)
		if lerr != nil {
			break // gone meanwhile
		}
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, "", fmt.Errorf("%s exists and is not a socket", ep.path)
		}
		if err := os.Remove(ep.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("failed to remove stale socket: %w", err)
		}
	default:
		return nil, "", fmt.Errorf("failed to check for a running app at %s: %w", ep.path, err)
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "unix", ep.path)
	if err != nil {
		return nil, "", fmt.Errorf("failed to listen: %w", err)
	}
	// The data folder should already keep other users out; 0600 makes the
	// socket itself say so too.
	if err := os.Chmod(ep.path, 0o600); err != nil {
		ln.Close()
		return nil, "", fmt.Errorf("failed to restrict socket: %w", err)
	}
	return ln, ep.path, nil
}

func dial(ctx context.Context, dataDir string) (net.Conn, error) {
	ep, err := endpointFor(dataDir)
	if err != nil {
		return nil, err
	}
	if ep.privateDir != "" {
		if err := checkPrivateDir(ep.privateDir); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrNoApp, err)
		} else if err != nil {
			return nil, err
		}
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "unix", ep.path)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return nil, fmt.Errorf("%w: %w", ErrNoApp, err)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to connect to the app: %w", err)
	}
	return conn, nil
}

// checkPrivateDir refuses a fallback folder another user could have made or
// could write to: its socket would not be the app's.
func checkPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("unsafe socket folder %s: want a directory owned by uid %d with mode 0700", dir, os.Getuid())
	}
	return nil
}
