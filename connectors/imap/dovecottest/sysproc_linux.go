package dovecottest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// sysProcAttr puts Dovecot in its own process group, so Stop can signal all
// of it, and makes the kernel stop it if the test process dies without
// calling Stop, so no daemon outlives its test run.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// terminate asks every process of the instance to end. The imap processes
// say BYE to their clients and exit.
func terminate(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
}

// kill ends the whole instance at once.
func kill(pgid int) {
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// onlyLogLeft reports whether the master's only remaining child is the log
// process. A graceful shutdown ends there with a fixed one-second sleep for
// the log to drain, which tests need not wait for: by then every mail
// process has exited and everything it acknowledged is on disk.
func onlyLogLeft(pgid int) bool {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return false
	}
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
		open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
		if open < 0 || end < open {
			continue
		}
		pid, _ := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
		comm := string(data[open+1 : end])
		f := bytes.Fields(data[end+1:])
		if len(f) < 3 || pid == pgid {
			continue
		}
		state := string(f[0])
		if grp, _ := strconv.Atoi(string(f[2])); grp != pgid || state == "Z" {
			continue
		}
		if comm != "log" {
			return false
		}
	}
	return true
}
