package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lullhq/lull/app/focus"
)

func TestSaveFocusKeepsAccountsAndRules(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lull", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	orig := "[accounts.work]\nkind = \"imap\"\nhost = \"mail.example.com\"\n\n[focus]\npolicy = \"batched\"\n\n[[rules.urgent]]\nsenders = [\"boss@example.com\"]\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	want := focus.Config{
		Policy:         focus.PolicyImmediate,
		BatchTimes:     map[string][]string{"default": {"10:00", "15:00"}},
		Weekly:         []focus.WeeklyBlock{{Days: []string{"weekdays"}, Start: "09:30", End: "11:30"}},
		ThreadCooldown: 5 * time.Minute,
	}
	if err := SaveFocus(path, want); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Accounts["work"].Settings["host"] != "mail.example.com" {
		t.Fatalf("accounts lost: %+v", c.Accounts)
	}
	if len(c.Focus.Rules) != 1 || c.Focus.Rules[0].Senders[0] != "boss@example.com" {
		t.Fatalf("rules lost: %+v", c.Focus.Rules)
	}
	f := c.Focus
	if f.Policy != focus.PolicyImmediate || f.ThreadCooldown != 5*time.Minute || len(f.Weekly) != 1 ||
		f.Weekly[0].Start != "09:30" || len(f.BatchTimes["default"]) != 2 {
		t.Fatalf("focus = %+v", f)
	}
}

func TestSaveFocusRefusesBadValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("[focus]\npolicy = \"batched\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := SaveFocus(path, focus.Config{Weekly: []focus.WeeklyBlock{{Start: "25:00", End: "26:00"}}})
	if err == nil {
		t.Fatal("bad block saved")
	}
	data, _ := os.ReadFile(path)
	if string(data) != "[focus]\npolicy = \"batched\"\n" {
		t.Fatalf("file changed after a refused save:\n%s", data)
	}
}
