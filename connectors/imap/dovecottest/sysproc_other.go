//go:build !linux

package dovecottest

import (
	"os"
	"syscall"
)

// sysProcAttr: elsewhere Stop signals only the master, which stops the rest.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func terminate(pgid int) {
	if p, err := os.FindProcess(pgid); err == nil {
		_ = p.Signal(syscall.SIGTERM)
	}
}

func kill(pgid int) {
	if p, err := os.FindProcess(pgid); err == nil {
		_ = p.Kill()
	}
}

// onlyLogLeft cannot look at the process table here; Stop waits for the
// graceful shutdown instead.
func onlyLogLeft(pgid int) bool { return false }
