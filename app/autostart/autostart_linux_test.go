package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLinuxAutostartEntry(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("Enabled before = %v, %v", on, err)
	}
	if err := Enable(Entry{Exe: "/opt/My Apps/lull", Args: DefaultArgs}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "autostart", "lull.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Exec=\"/opt/My Apps/lull\" --hidden\n") || !strings.HasPrefix(string(data), "[Desktop Entry]\n") {
		t.Fatalf("entry:\n%s", data)
	}
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("Enabled after = %v, %v", on, err)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if err := Disable(); err != nil {
		t.Fatalf("second Disable: %v", err)
	}
	if on, _ := Enabled(); on {
		t.Fatal("still enabled after Disable")
	}
}
