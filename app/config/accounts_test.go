package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lullhq/lull/app/focus"
)

const handWritten = `# My Lull setup.

# Work mail, through mbsync.
[accounts.work]
kind = "maildir"
path = "~/Mail/work" # synced every 5 minutes

[focus]
# Mornings are for writing.
policy = "batched"
batch_times = { default = ["09:00", "13:00"] }

[[rules.urgent]]
senders = ["boss@example.com"]`

func imapTable() map[string]any {
	return map[string]any{
		"kind": "imap", "host": "imap.example.com", "port": 993, "tls": "implicit",
		"username": "me@example.com", "folders": []string{"INBOX", "Team/News"},
		"sync_days": 30, "on_done": "archive", "password_cmd": "pass show mail/home",
	}
}

func TestAddAccountKeepsTheRestOfTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(handWritten), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := AddAccount(path, "home", imapTable()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.HasPrefix(text, handWritten+"\n") {
		t.Fatalf("the existing text changed:\n%s", text)
	}
	added := strings.TrimPrefix(text, handWritten+"\n")
	want := `
[accounts.home]
kind = "imap"
host = "imap.example.com"
port = 993
tls = "implicit"
username = "me@example.com"
password_cmd = "pass show mail/home"
folders = ["INBOX", "Team/News"]
sync_days = 30
on_done = "archive"
`
	if added != want {
		t.Fatalf("added table:\n%s\nwant:\n%s", added, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("file mode = %v, %v; want 0640 kept", fi.Mode(), err)
	}

	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	home, work := cfg.Accounts["home"], cfg.Accounts["work"]
	if home.Kind != "imap" || home.Settings["host"] != "imap.example.com" || home.Settings["port"] != int64(993) {
		t.Fatalf("home = %+v", home)
	}
	if work.Kind != "maildir" || work.Settings["path"] != "~/Mail/work" {
		t.Fatalf("work = %+v", work)
	}
	if cfg.Focus.Policy != focus.PolicyBatched || len(cfg.Focus.BatchTimes["default"]) != 2 || len(cfg.Focus.Rules) != 1 {
		t.Fatalf("focus = %+v", cfg.Focus)
	}

	// A second account goes after the first.
	if err := AddAccount(path, "local_2", map[string]any{"kind": "maildir", "path": "/srv/mail"}); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.AccountNames(); strings.Join(got, ",") != "home,local_2,work" {
		t.Fatalf("accounts = %v", got)
	}
}

func TestAddAccountWritesTokenKindsInTheDocsOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	for _, acct := range []struct {
		name  string
		table map[string]any
	}{
		{"gh", map[string]any{"kind": "github", "on_done": "read", "sync_days": 30, "base_url": "https://ghe.example.com/api/v3/",
			"token_cmd": "pass show lull/github", "reasons": []string{"mention"}, "poll": "2m"}},
		{"asana", map[string]any{"kind": "asana", "sync_days": 14, "workspaces": []string{"Acme"}, "token_cmd": "pass show lull/asana"}},
		{"acme", map[string]any{"kind": "slack", "mark_read_on_done": true, "watched": []string{"incidents"}, "sync_days": 14,
			"app_token_cmd": "pass show lull/xapp", "token_cmd": "pass show lull/xoxp"}},
	} {
		if err := AddAccount(path, acct.name, acct.table); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Lull configuration. See docs/ for every setting.

[accounts.gh]
kind = "github"
token_cmd = "pass show lull/github"
base_url = "https://ghe.example.com/api/v3/"
reasons = ["mention"]
sync_days = 30
poll = "2m"
on_done = "read"

[accounts.asana]
kind = "asana"
token_cmd = "pass show lull/asana"
workspaces = ["Acme"]
sync_days = 14

[accounts.acme]
kind = "slack"
token_cmd = "pass show lull/xoxp"
app_token_cmd = "pass show lull/xapp"
watched = ["incidents"]
sync_days = 14
mark_read_on_done = true
`
	if string(data) != want {
		t.Fatalf("config:\n%s\nwant:\n%s", data, want)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.AccountNames(); strings.Join(got, ",") != "acme,asana,gh" {
		t.Fatalf("accounts = %v", got)
	}
}

func TestAddAccountToNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lull", "config.toml")
	if err := AddAccount(path, "mail", map[string]any{"kind": "maildir", "path": "/srv/mail"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Accounts["mail"].Kind != "maildir" {
		t.Fatalf("accounts = %+v", cfg.Accounts)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file mode = %v, %v; want 0600", fi.Mode(), err)
	}
}

func TestAddAccountRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, account string
		table         map[string]any
		want          string
	}{
		{"duplicate", "work", imapTable(), `account named "work" already exists`},
		{"duplicate other case", "Work", imapTable(), `already exists`},
		{"empty name", "", imapTable(), "account name"},
		{"dot", "a.b", imapTable(), "account name"},
		{"space", "my mail", imapTable(), "account name"},
		{"quote", `x"]`, imapTable(), "account name"},
		{"no kind", "new", map[string]any{"host": "h"}, "missing kind"},
		{"password", "new", map[string]any{"kind": "imap", "password": "hunter2"}, "secrets never go in the config file"},
		{"token", "new", map[string]any{"kind": "slack", "token": "xoxb"}, "secrets never go in the config file"},
		{"app token", "new", map[string]any{"kind": "slack", "token_cmd": "pass x", "app_token": "xapp-1"}, "accounts.new.app_token: secrets never"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			if err := os.WriteFile(path, []byte(handWritten), 0o600); err != nil {
				t.Fatal(err)
			}
			err := AddAccount(path, tc.account, tc.table)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("AddAccount = %v, want an error containing %q", err, tc.want)
			}
			if data, _ := os.ReadFile(path); string(data) != handWritten {
				t.Fatalf("file changed after a refused add:\n%s", data)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error repeats the secret: %v", err)
			}
		})
	}
}

func TestAddAccountRefusesABrokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	broken := "[accounts.work]\nkind = \"imap\"\nhots = \n"
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := AddAccount(path, "home", imapTable()); err == nil {
		t.Fatal("added to a file that does not parse")
	}
	if data, _ := os.ReadFile(path); string(data) != broken {
		t.Fatalf("file changed:\n%s", data)
	}
}

func TestAddAccountLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := AddAccount(path, "a", map[string]any{"kind": "maildir", "path": "/m"}); err != nil {
		t.Fatal(err)
	}
	if err := AddAccount(path, "a", map[string]any{"kind": "maildir", "path": "/m"}); err == nil {
		t.Fatal("duplicate added")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "config.toml" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("folder holds %v", names)
	}
}
