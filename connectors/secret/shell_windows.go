//go:build windows

package secret

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs command with `cmd /C`. The command line is handed over
// verbatim (/S strips only the outer quotes), since Go's argument quoting is
// not the quoting cmd.exe understands.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "cmd.exe")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd.exe /S /C "` + command + `"`}
	return cmd
}
