package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Keys
		wantErr string
	}{
		{name: "none", in: "", want: Keys{}},
		{name: "rebind done", in: "[keys.list]\ndone = \"d\"\n", want: Keys{"list": {"done": {"d"}}}},
		{name: "commands with arguments, lists, unbinding", in: "[keys.global]\n\"view later\" = \"g  l\"\nnext = [\"j\", \"n\"]\nhelp = \"\"\n\"snooze tomorrow-morning\" = \"Shift+z\"\n",
			want: Keys{"global": {"view later": {"g l"}, "next": {"j", "n"}, "help": {}, "snooze tomorrow-morning": {"Z"}}}},
		{name: "modifiers normalised", in: "[keys.global]\npalette = [\"Cmd+K\", \"control+k\"]\nundo = \"Ctrl+Shift+z\"\n\n[keys.item]\nback = \"esc\"\nopen = \"shift+return\"\n",
			want: Keys{"global": {"palette": {"Meta+k", "Ctrl+k"}, "undo": {"Ctrl+Z"}}, "item": {"back": {"Escape"}, "open": {"Shift+Enter"}}}},
		{name: "view and overlay sections", in: "[keys.done]\ninbox = \"u\"\n[keys.picker]\n\"pick 3\" = \"t\"\n", want: Keys{"done": {"inbox": {"u"}}, "picker": {"pick 3": {"t"}}}},
		{name: "unknown command", in: "[keys.list]\nfrobnicate = \"f\"\n", wantErr: `keys.list."frobnicate": unknown command "frobnicate"`},
		{name: "bad argument", in: "[keys.global]\n\"view inbx\" = \"g x\"\n", wantErr: `keys.global."view inbx": command "view inbx": use view inbox|later|snoozed|done|held`},
		{name: "argument to a plain command", in: "[keys.list]\n\"done now\" = \"D\"\n", wantErr: "done takes no arguments"},
		{name: "snooze without a time", in: "[keys.list]\nsnooze = \"z\"\n", wantErr: "snooze needs a time"},
		{name: "unknown section", in: "[keys.lists]\ndone = \"d\"\n", wantErr: "keys.lists: unknown section"},
		{name: "one key twice", in: "[keys.list]\ndone = \"d\"\nnext = \"d\"\n", wantErr: `key "d" is also bound to "done"`},
		{name: "unknown key name", in: "[keys.list]\ndone = \"Hyper\"\n", wantErr: `unknown key "Hyper"`},
		{name: "unknown modifier", in: "[keys.list]\ndone = \"Fn+d\"\n", wantErr: `unknown modifier "Fn"`},
		{name: "shift on a symbol", in: "[keys.list]\nhelp = \"Shift+/\"\n", wantErr: "write the character Shift makes"},
		{name: "not a key", in: "[keys.list]\ndone = 4\n", wantErr: "want a key"},
		{name: "long sequence", in: "[keys.list]\ndone = \"a b c d\"\n", wantErr: "at most three keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("test.toml", []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Keys) != len(tt.want) {
				t.Fatalf("keys = %v, want %v", c.Keys, tt.want)
			}
			for s, cmds := range tt.want {
				for cmd, keys := range cmds {
					if got := c.Keys[s][cmd]; !slices.Equal(got, keys) {
						t.Errorf("%s.%s = %q, want %q", s, cmd, got, keys)
					}
				}
			}
		})
	}
}

// TestKeysSurviveSettingsSave: the Settings panel rewrites config.toml; the
// [keys] and [norms] tables written by hand come back the same.
func TestKeysSurviveSettingsSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	in := "[norms]\nslack_dm = \"2h\"\n\n[keys.list]\ndone = \"d\"\n\"view later\" = [\"g l\", \"L\"]\n"
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveFocus(path, c.Focus); err != nil {
		t.Fatal(err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Keys["list"]["view later"], []string{"g l", "L"}) || again.Norms.SlackDM.Hours() != 2 {
		t.Fatalf("after save: keys %v norms %+v", again.Keys, again.Norms)
	}
}

// TestFrontendCommandsAreKnown reads the window's keymap and palette (the
// frontend's single source of commands) and checks that config accepts
// every command and every section there, so any of them can be rebound.
func TestFrontendCommandsAreKnown(t *testing.T) {
	lib := filepath.Join("..", "..", "frontend", "src", "lib")
	var commands, sections []string
	for _, f := range []string{"keymap.ts", "commands.ts"} {
		data, err := os.ReadFile(filepath.Join(lib, f))
		if err != nil {
			t.Skipf("frontend sources not here: %v", err)
		}
		for _, m := range regexp.MustCompile(`command: '([^']+)'`).FindAllStringSubmatch(string(data), -1) {
			commands = append(commands, m[1])
		}
		if f == "keymap.ts" {
			for _, m := range regexp.MustCompile(`section: '([^']+)'`).FindAllStringSubmatch(string(data), -1) {
				sections = append(sections, m[1])
			}
		}
	}
	if len(commands) < 50 || len(sections) < 50 {
		t.Fatalf("read %d commands and %d sections: has the keymap's layout changed?", len(commands), len(sections))
	}
	for _, c := range commands {
		if err := CheckCommand(c); err != nil {
			t.Errorf("frontend command %q: %v", c, err)
		}
	}
	for _, s := range sections {
		if !slices.Contains(KeySections, s) {
			t.Errorf("frontend section %q is not in KeySections", s)
		}
	}
}

func TestNormalizeKeys(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"e", "e"},
		{"E", "E"},
		{"Shift+e", "E"},
		{"shift+E", "E"},
		{"Ctrl+K", "Ctrl+k"},
		{"Cmd+k", "Meta+k"},
		{"Alt+Shift+x", "Alt+X"},
		{"Ctrl++", "Ctrl++"},
		{"+", "+"},
		{"?", "?"},
		{"g g", "g g"},
		{"space", "Space"},
		{"Shift+Tab", "Shift+Tab"},
		{"down", "ArrowDown"},
		{"F5", "F5"},
	} {
		got, err := NormalizeKeys(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeKeys(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
