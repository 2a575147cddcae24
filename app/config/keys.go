package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Keys are the [keys.<section>] tables: for each section of the keymap, the
// keys bound to a command. They replace that command's default keys in that
// section (frontend/src/lib/keymap.ts holds the defaults and applies these
// over them); a key taken from another command moves to this one.
//
//	[keys.list]
//	done = "d"              # d marks done in the list; e no longer does
//	"view later" = "g l"    # a command with arguments is a quoted key
//	next = ["j", "n"]       # several keys
//	browse = ""             # no key at all
//
// Key notation is the keymap's: one token per key, a space between the keys
// of a sequence ("g i"); modifiers prefix a token ("Ctrl+k", "Cmd+k",
// "Shift+Enter"). "Shift+e" and "E" are the same key. Values come out
// normalised, so the frontend can match them directly.
type Keys map[string]map[string][]string

// KeySections are the keymap's sections. "list" is any list, the view names
// apply in that view only (ahead of "list"), "item" is the reading pane and
// "global" everywhere in the inbox.
var KeySections = []string{
	"global", "list", "item", "inbox", "later", "snoozed", "done", "held",
	"picker", "palette", "links", "help", "welcome", "settings", "account",
	"search", "searchbox",
}

// CheckCommand reports whether command is one the window understands, and if
// not, why. Times in "later" and "snooze" are checked by the app, which owns
// their grammar; here any non-empty text passes.
func CheckCommand(command string) error {
	f := strings.Fields(command)
	if len(f) == 0 {
		return fmt.Errorf("empty command")
	}
	name, args := f[0], f[1:]
	oneOf := func(values ...string) error {
		if len(args) != 1 || !slices.Contains(values, args[0]) {
			return fmt.Errorf("command %q: use %s %s", command, name, strings.Join(values, "|"))
		}
		return nil
	}
	switch name {
	case "next", "prev", "first", "last", "open", "back", "undo", "browse",
		"done", "inbox", "release", "settings", "add-account", "help", "palette",
		"close", "save", "account-test", "account-save", "sample",
		"pick-next", "pick-prev", "pick-enter", "palette-next", "palette-prev", "palette-run":
		if len(args) > 0 {
			return fmt.Errorf("command %q: %s takes no arguments", command, name)
		}
		return nil
	case "later":
		return nil
	case "snooze":
		if len(args) == 0 {
			return fmt.Errorf("command %q: snooze needs a time, such as snooze tomorrow-morning", command)
		}
		return nil
	case "view":
		return oneOf("inbox", "later", "snoozed", "done", "held")
	case "filter":
		return oneOf("all", "email", "slack", "github", "asana")
	case "focus":
		return oneOf("toggle", "next-batch")
	case "picker":
		return oneOf("later", "snooze")
	case "images":
		return oneOf("load", "sender")
	case "links":
		return oneOf("show", "next", "prev", "open", "close")
	case "search":
		if len(args) == 0 {
			return nil
		}
		return oneOf("results", "close")
	case "scroll":
		return oneOf("line-down", "line-up", "page-down", "page-up", "top", "bottom")
	case "pick":
		return oneOf("norm", "1", "2", "3", "4", "5")
	case "select":
		if len(args) == 0 {
			return nil
		}
		return oneOf("none")
	case "selection":
		if len(args) == 0 {
			return fmt.Errorf("command %q: selection needs a triage command, such as selection done", command)
		}
		switch args[0] {
		case "done", "inbox", "later", "snooze", "picker":
			return CheckCommand(strings.Join(args, " "))
		}
		return fmt.Errorf("command %q: selection takes done, inbox, later, snooze or picker", command)
	}
	return fmt.Errorf("unknown command %q", command)
}

// parseKeys checks and normalises the [keys] tables.
func parseKeys(raw map[string]map[string]any) (Keys, error) {
	out := Keys{}
	sections := make([]string, 0, len(raw))
	for s := range raw {
		sections = append(sections, s)
	}
	sort.Strings(sections)
	for _, section := range sections {
		if !slices.Contains(KeySections, section) {
			return nil, fmt.Errorf("keys.%s: unknown section; use one of %s", section, strings.Join(KeySections, ", "))
		}
		table := raw[section]
		commands := make([]string, 0, len(table))
		for c := range table {
			commands = append(commands, c)
		}
		sort.Strings(commands)
		bound := map[string]string{} // key → command, to catch one key bound twice
		out[section] = map[string][]string{}
		for _, command := range commands {
			field := fmt.Sprintf("keys.%s.%q", section, command)
			if err := CheckCommand(command); err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			values, err := keyValues(table[command])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			norm := []string{}
			for _, v := range values {
				if strings.TrimSpace(v) == "" {
					continue // "" unbinds
				}
				k, err := NormalizeKeys(v)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", field, err)
				}
				if other, dup := bound[k]; dup && other != command {
					return nil, fmt.Errorf("%s: key %q is also bound to %q in keys.%s", field, k, other, section)
				}
				bound[k] = command
				norm = append(norm, k)
			}
			out[section][strings.Join(strings.Fields(command), " ")] = norm
		}
	}
	return out, nil
}

func keyValues(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("keys must be strings, got %v", x)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a key such as \"d\" or a list of keys, got %v", v)
}

// NormalizeKeys turns a key sequence as a person writes it ("Shift+e",
// "Cmd+K", "g  i", "esc") into the keymap's notation ("E", "Meta+k", "g i",
// "Escape").
func NormalizeKeys(s string) (string, error) {
	toks := strings.Fields(s)
	if len(toks) == 0 {
		return "", fmt.Errorf("empty key")
	}
	if len(toks) > 3 {
		return "", fmt.Errorf("key %q: a sequence has at most three keys", s)
	}
	for i, t := range toks {
		n, err := normalizeToken(t)
		if err != nil {
			return "", fmt.Errorf("key %q: %w", s, err)
		}
		toks[i] = n
	}
	return strings.Join(toks, " "), nil
}

var modifierNames = map[string]string{
	"ctrl": "Ctrl", "control": "Ctrl",
	"alt": "Alt", "option": "Alt", "opt": "Alt",
	"meta": "Meta", "cmd": "Meta", "command": "Meta", "super": "Meta", "win": "Meta",
	"shift": "Shift",
}

// namedKeys maps lower-case names and aliases to KeyboardEvent.key names.
var namedKeys = map[string]string{
	"enter": "Enter", "return": "Enter", "escape": "Escape", "esc": "Escape",
	"tab": "Tab", "space": "Space", "backspace": "Backspace", "delete": "Delete", "del": "Delete",
	"insert": "Insert", "home": "Home", "end": "End",
	"pageup": "PageUp", "pgup": "PageUp", "pagedown": "PageDown", "pgdn": "PageDown",
	"arrowup": "ArrowUp", "up": "ArrowUp", "arrowdown": "ArrowDown", "down": "ArrowDown",
	"arrowleft": "ArrowLeft", "left": "ArrowLeft", "arrowright": "ArrowRight", "right": "ArrowRight",
	"f1": "F1", "f2": "F2", "f3": "F3", "f4": "F4", "f5": "F5", "f6": "F6",
	"f7": "F7", "f8": "F8", "f9": "F9", "f10": "F10", "f11": "F11", "f12": "F12",
}

func normalizeToken(tok string) (string, error) {
	mods := map[string]bool{}
	rest := tok
	for {
		i := strings.IndexByte(rest, '+')
		if i <= 0 || i == len(rest)-1 {
			break // no modifier left, or the key is "+" itself
		}
		m, ok := modifierNames[strings.ToLower(rest[:i])]
		if !ok {
			return "", fmt.Errorf("unknown modifier %q (use Ctrl, Alt, Cmd/Meta or Shift)", rest[:i])
		}
		mods[m] = true
		rest = rest[i+1:]
	}
	key := rest
	if utf8.RuneCountInString(key) != 1 {
		named, ok := namedKeys[strings.ToLower(key)]
		if !ok {
			return "", fmt.Errorf("unknown key %q", key)
		}
		key = named
	} else {
		r, _ := utf8.DecodeRuneInString(key)
		if r < ' ' || r == 0x7f {
			return "", fmt.Errorf("key %q is not printable", key)
		}
		letter := strings.ToLower(key) != strings.ToUpper(key)
		switch {
		case mods["Shift"] && !letter:
			return "", fmt.Errorf("write the character Shift makes instead of Shift+%s (such as ? for Shift+/)", key)
		case mods["Shift"]:
			key = strings.ToUpper(key)
		case mods["Ctrl"] || mods["Alt"] || mods["Meta"]:
			// "Ctrl+K" means Ctrl+k; Ctrl+Shift+k is written with Shift.
			key = strings.ToLower(key)
		}
		// Shift is part of a printable character ("E" is Shift+e).
		delete(mods, "Shift")
	}
	var b strings.Builder
	for _, m := range []string{"Ctrl", "Alt", "Meta", "Shift"} {
		if mods[m] {
			b.WriteString(m + "+")
		}
	}
	b.WriteString(key)
	return b.String(), nil
}

// Each calls fn for every section and command, in order, stopping at an error.
func (k Keys) Each(fn func(section, command string) error) error {
	sections := make([]string, 0, len(k))
	for s := range k {
		sections = append(sections, s)
	}
	sort.Strings(sections)
	for _, s := range sections {
		commands := make([]string, 0, len(k[s]))
		for c := range k[s] {
			commands = append(commands, c)
		}
		sort.Strings(commands)
		for _, c := range commands {
			if err := fn(s, c); err != nil {
				return err
			}
		}
	}
	return nil
}
