package maildir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullhq/lull/connectors"
)

func TestSettings(t *testing.T) {
	dir := t.TempDir()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	tests := []struct {
		name     string
		settings map[string]any
		err      string // substring; "" for success
		check    func(t *testing.T, c *Connector)
	}{
		{name: "minimal", settings: map[string]any{"path": dir}, check: func(t *testing.T, c *Connector) {
			if c.root != dir || c.syncDays != DefaultSyncDays || c.folders != nil || c.onDone != "none" {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "all keys, TOML types", settings: map[string]any{
			"path": dir, "folders": []any{"INBOX", "Work"}, "sync_days": int64(0), "on_done": "seen",
		}, check: func(t *testing.T, c *Connector) {
			if len(c.folders) != 2 || c.syncDays != 0 || c.onDone != "seen" {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "JSON number", settings: map[string]any{"path": dir, "sync_days": float64(30)}},
		{name: "tilde", settings: map[string]any{"path": "~/Mail/work"}, check: func(t *testing.T, c *Connector) {
			if want := filepath.Join(home, "Mail", "work"); c.root != want {
				t.Errorf("path = %q, want %q", c.root, want)
			}
		}},
		{name: "unknown key", settings: map[string]any{"path": dir, "sync_dayz": 3}, err: `"sync_dayz"`},
		{name: "no path", settings: map[string]any{}, err: "path is required"},
		{name: "path not a string", settings: map[string]any{"path": 3}, err: "setting path"},
		{name: "negative days", settings: map[string]any{"path": dir, "sync_days": -1}, err: "sync_days"},
		{name: "fractional days", settings: map[string]any{"path": dir, "sync_days": 1.5}, err: "sync_days"},
		{name: "folders not a list", settings: map[string]any{"path": dir, "folders": "INBOX"}, err: "folders"},
		{name: "empty folder name", settings: map[string]any{"path": dir, "folders": []any{""}}, err: "folders"},
		{name: "bad on_done", settings: map[string]any{"path": dir, "on_done": "archive"}, err: "on_done"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := New(connectors.Account{Name: "m", Kind: "maildir", Settings: tc.settings})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one mentioning %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, conn.(*Connector))
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.maildir(".Work")
	file := filepath.Join(tr.root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		settings map[string]any
		err      string
	}{
		{"a maildir tree", map[string]any{"path": tr.root}, ""},
		{"configured folders present", map[string]any{"path": tr.root, "folders": []any{"INBOX", "Work"}}, ""},
		{"missing path", map[string]any{"path": filepath.Join(tr.root, "absent")}, "does not exist"},
		{"a file", map[string]any{"path": file}, "not a directory"},
		{"no maildir", map[string]any{"path": t.TempDir()}, "holds no maildir"},
		{"missing folder", map[string]any{"path": tr.root, "folders": []any{"Work", "Nope"}}, `"Nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewWith(connectors.Account{Name: "m", Kind: "maildir", Settings: tc.settings}, Options{Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate(context.Background())
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Validate = %v, want an error mentioning %s", err, tc.err)
			}
		})
	}
}
