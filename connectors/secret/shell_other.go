//go:build !windows

package secret

import (
	"context"
	"os/exec"
)

// shellCommand runs command with `sh -c`, as aerc and mbsync do.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	return exec.CommandContext(ctx, "sh", "-c", command)
}
