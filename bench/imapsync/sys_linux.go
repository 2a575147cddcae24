package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// rssProbe measures a child's peak RSS.
//
// ru_maxrss alone is not enough: Go starts children with vfork, and at
// exec Linux folds the parent's high-water RSS into the child's ru_maxrss,
// so a child smaller than this program reads as big as this program. So the
// probe lowers and records this process's high-water mark just before the
// start; a ru_maxrss above it is the child's own, and otherwise the peak is
// the largest VmHWM sampled from /proc while the child ran.
type rssProbe struct {
	parentKiB int64
	stop      chan struct{}
	done      chan struct{}
	mu        sync.Mutex
	sampled   int64
}

func newRSSProbe() *rssProbe {
	debug.FreeOSMemory()
	// "5" resets this process's peak RSS to its current RSS (Linux 4.0+).
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return &rssProbe{parentKiB: vmHWM("/proc/self/status")}
}

// watch samples the child's VmHWM until finish.
func (p *rssProbe) watch(pid int) {
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	go func() {
		defer close(p.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if v := vmHWM(path); v > 0 {
				p.mu.Lock()
				p.sampled = max(p.sampled, v)
				p.mu.Unlock()
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// finish returns the peak RSS in KiB and whether it was sampled rather
// than exact.
func (p *rssProbe) finish(ps *os.ProcessState) (kib int64, sampled bool) {
	if p.stop != nil {
		close(p.stop)
		<-p.done
	}
	var maxrss int64
	if ps != nil {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			maxrss = int64(ru.Maxrss) // KiB on Linux
		}
	}
	// Allow for what this process allocated between reading its own mark
	// and the child's exec.
	if maxrss > p.parentKiB+p.parentKiB/10+1024 {
		return maxrss, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sampled > 0 {
		return p.sampled, true
	}
	return maxrss, false
}

// quiesce writes back what earlier runs left dirty, so that a run does not
// pay for its predecessor's I/O.
func quiesce() { syscall.Sync() }

// vmHWM reads the VmHWM line (peak RSS, KiB) of a /proc status file.
func vmHWM(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if f := bytes.Fields(sc.Bytes()); len(f) >= 2 && string(f[0]) == "VmHWM:" {
			v, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return v
		}
	}
	return 0
}
