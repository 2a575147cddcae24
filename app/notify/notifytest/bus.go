// Package notifytest runs a private D-Bus session bus and a recording
// notification server on it, so tests can assert what the operating system
// was asked to show, and when. It is for tests only.
package notifytest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// busConfig is a session bus that activates no services: with the system's
// session.conf a Notify could start a real notification daemon (dunst) when
// DISPLAY is set, and the test would record nothing.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus starts a private session bus (dbus-daemon) for the test and
// returns its address; the bus stops when the test ends. It never uses the
// desktop's own bus, where a real notification server owns the name.
//
// Without dbus-daemon the test is skipped, or fails when CI=true.
func StartBus(t testing.TB) (addr string) {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dbus-daemon not found: install dbus (apt-get install dbus)")
		}
		t.Skip("dbus-daemon not found: install dbus (apt-get install dbus)")
	}
	config := filepath.Join(t.TempDir(), "session.conf")
	if err := os.WriteFile(config, []byte(busConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+config, "--print-address", "--nofork", "--nopidfile")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("failed to start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})

	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr = <-line:
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon printed no address within 10s")
	}
	if addr == "" {
		t.Fatal("dbus-daemon exited without printing an address")
	}
	return addr
}
