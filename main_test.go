package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// lullCLI runs the command line in-process against temp folders.
func lullCLI(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus")) // never a desktop notification
	var out, errOut bytes.Buffer
	all := append([]string{"--data", filepath.Join(dir, "data"), "--config", filepath.Join(dir, "config.toml")}, args...)
	err := run(context.Background(), all, &out, &errOut)
	return out.String(), err
}

func TestCLIFocusWithoutApp(t *testing.T) {
	dir := t.TempDir()
	steps := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"focus", "status"}, "Not focusing", ""},
		{[]string{"focus", "start", "25m"}, "Focusing · 25 min left", ""},
		{[]string{"focus", "status", "--json"}, `"focusing":true`, ""},
		{[]string{"release"}, "released 0 held items", ""},
		{[]string{"focus", "stop"}, "Not focusing", ""},
		{[]string{"focus", "start", "5x"}, "", `"5x" is not a duration`},
		{[]string{"focus", "start", "25m", "--until", "12:00"}, "", "not both"},
		{[]string{"focus", "nap"}, "", `unknown command "nap"`},
		{[]string{"frobnicate"}, "", `unknown command "frobnicate"`},
		{[]string{"sync"}, "", "only `lull sync --once`"},
	}
	for _, s := range steps {
		out, err := lullCLI(t, dir, s.args...)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Fatalf("lull %v: err = %v, want %q", s.args, err, s.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("lull %v = %q, %v; want %q", s.args, out, err, s.want)
		}
	}
	out, _ := lullCLI(t, dir, "focus", "status", "--json")
	var st struct{ Focusing bool }
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Focusing {
		t.Fatalf("status after stop = %q, %v", out, err)
	}
}

func TestCLISyncOnceSample(t *testing.T) {
	out, err := lullCLI(t, t.TempDir(), "--demo", "sync", "--once")
	var n int
	if err != nil || !strings.HasPrefix(out, "sample\t") {
		t.Fatalf("sync --once = %q, %v", out, err)
	}
	// 400 corpus emails + 60 Slack + 40 GitHub; a live item may land first.
	if _, err := fmt.Sscanf(strings.TrimPrefix(out, "sample\t"), "%d items", &n); err != nil || n < 500 {
		t.Fatalf("sync --once synced %d items (%v): %q", n, err, out)
	}
}

func TestCLIHelp(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"--help"}, &out, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "lull focus start") {
		t.Fatalf("--help = %v\n%s", err, out.String())
	}
}
