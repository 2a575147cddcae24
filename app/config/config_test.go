package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "empty", in: "", check: func(t *testing.T, c Config) {
			if len(c.Accounts) != 0 {
				t.Fatalf("accounts = %v", c.Accounts)
			}
		}},
		{name: "account", in: "[accounts.work]\nkind = \"imap\"\nhost = \"mail.example.com\"\nport = 993\n", check: func(t *testing.T, c Config) {
			a := c.Accounts["work"]
			if a.Kind != "imap" || a.Settings["host"] != "mail.example.com" || a.Settings["port"] != int64(993) {
				t.Fatalf("account = %+v", a)
			}
			if _, ok := a.Settings["kind"]; ok {
				t.Fatal("kind left in settings")
			}
		}},
		{name: "unknown top-level key", in: "colour = \"blue\"\n", wantErr: `unknown key "colour"`},
		{name: "unknown table", in: "[focuss]\nx = 1\n", wantErr: `unknown key "focuss`},
		{name: "missing kind", in: "[accounts.work]\nhost = \"x\"\n", wantErr: "accounts.work: missing kind"},
		{name: "secret in file", in: "[accounts.work]\nkind = \"imap\"\npassword = \"hunter2\"\n", wantErr: "secrets never go in the config file"},
		{name: "bad account name", in: "[accounts.\"a/b\"]\nkind = \"demo\"\n", wantErr: "account name \"a/b\""},
		{name: "focus and rules", in: "[focus]\npolicy = \"batched\"\nthread_cooldown = \"5m\"\n[[focus.weekly]]\ndays = [\"weekdays\"]\nstart = \"09:30\"\nend = \"11:30\"\n[[rules.urgent]]\nsenders = [\"boss@example.com\"]\n", check: func(t *testing.T, c Config) {
			if c.Focus.Policy != "batched" || len(c.Focus.Weekly) != 1 || len(c.Focus.Rules) != 1 || c.Focus.ThreadCooldown.Minutes() != 5 {
				t.Fatalf("focus = %+v", c.Focus)
			}
		}},
		{name: "unknown focus key", in: "[focus]\npolicyy = \"batched\"\n", wantErr: `unknown key "focus.policyy"`},
		{name: "bad focus value", in: "[[focus.weekly]]\nstart = \"25:00\"\nend = \"26:00\"\n", wantErr: "focus.weekly[0].start"},
		{name: "bad regex", in: "[[rules.urgent]]\nregex = \"(\"\n", wantErr: "rules.urgent[0].regex"},
		{name: "broken toml", in: "[accounts.work\nkind=", wantErr: "config: test.toml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("test.toml", []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				if strings.Contains(tt.in, "hunter2") && strings.Contains(err.Error(), "hunter2") {
					t.Fatal("error leaks the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadMissingIsEmpty(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err != nil || len(c.Accounts) != 0 {
		t.Fatalf("Load = %+v, %v", c, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "c.toml")
	if err := os.WriteFile(path, []byte("[accounts.b]\nkind=\"demo\"\n[accounts.a]\nkind=\"demo\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.AccountNames(), ","); got != "a,b" {
		t.Fatalf("names = %s", got)
	}
}

func TestResolvePaths(t *testing.T) {
	env := func(goos string, vars map[string]string) Env {
		return Env{GOOS: goos, HomeDir: "/home/u", Getenv: func(k string) string { return vars[k] }}
	}
	tests := []struct {
		name              string
		env               Env
		cfgFlag, dataFlag string
		wantCfg, wantData string
		wantDemo          string
	}{
		{"linux defaults", env("linux", nil), "", "", "/home/u/.config/lull/config.toml", "/home/u/.local/share/lull", "/home/u/.local/share/lull-demo"},
		{"xdg", env("linux", map[string]string{"XDG_CONFIG_HOME": "/x/c", "XDG_DATA_HOME": "/x/d"}), "", "", "/x/c/lull/config.toml", "/x/d/lull", "/x/d/lull-demo"},
		{"env vars", env("linux", map[string]string{"LULL_CONFIG": "/e/c.toml", "LULL_DATA": "/e/data"}), "", "", "/e/c.toml", "/e/data", "/e/data-demo"},
		{"flags win over env", env("linux", map[string]string{"LULL_CONFIG": "/e/c.toml", "LULL_DATA": "/e/data"}), "/f/c.toml", "/f/data/", "/f/c.toml", "/f/data/", "/f/data-demo"},
		{"darwin", env("darwin", nil), "", "", "/home/u/Library/Application Support/lull/config.toml", "/home/u/Library/Application Support/lull", "/home/u/Library/Application Support/lull-demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ResolvePaths(tt.env, tt.cfgFlag, tt.dataFlag)
			if p.Config != tt.wantCfg || p.Data != tt.wantData || p.Demo != tt.wantDemo {
				t.Fatalf("got %+v", p)
			}
		})
	}
}
