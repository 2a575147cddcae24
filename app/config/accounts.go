package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// newAccountName is what the account form accepts as a name: a bare TOML
// key, so the table header needs no quoting. Parse is more lenient ('.'
// inside a quoted key) for files written by hand.
var newAccountName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckAccountName says what is wrong with name as the name of a new account,
// or returns nil.
func CheckAccountName(name string) error {
	if !newAccountName.MatchString(name) {
		return fmt.Errorf("config: account name %q: use 1 to 64 letters, digits, '_' or '-'", name)
	}
	return nil
}

// accountKeyOrder is the order keys are written in, so the new table reads
// like the examples in the docs; keys not listed follow, sorted.
var accountKeyOrder = []string{
	"kind", "host", "port", "tls", "username", "auth", "password_cmd", "token_cmd", "app_token_cmd",
	"base_url", "api_url", "path", "folders", "workspaces", "watched", "reasons",
	"sync_days", "poll", "on_done", "mark_read_on_done", "archive_folder",
}

// AddAccount appends an [accounts.NAME] table holding table (which must
// include "kind") to the config file at path. The rest of the file, its
// comments included, is kept byte for byte: the table is added at the end.
// The name must be new and a bare TOML key; a secret in table is refused.
// The result is parsed again before it replaces the old file, which is
// swapped atomically (a temporary file and a rename).
func AddAccount(path, name string, table map[string]any) error {
	if err := CheckAccountName(name); err != nil {
		return err
	}
	if kind, _ := table["kind"].(string); kind == "" {
		return fmt.Errorf("config: accounts.%s: missing kind", name)
	}
	for _, k := range orderedKeys(table) {
		if isSecretKey(k) {
			return fmt.Errorf("config: accounts.%s.%s: secrets never go in the config file; use %s_cmd or the OS keychain", name, k, k)
		}
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(path, old)
	if err != nil {
		return fmt.Errorf("%w (fix the file before adding an account)", err)
	}
	for existing := range cfg.Accounts {
		if strings.EqualFold(existing, name) {
			return fmt.Errorf("config: an account named %q already exists", existing)
		}
	}

	var buf bytes.Buffer
	if len(old) == 0 {
		buf.WriteString("# Lull configuration. See docs/ for every setting.\n")
	} else {
		buf.Write(old)
		if !bytes.HasSuffix(old, []byte("\n")) {
			buf.WriteByte('\n')
		}
	}
	buf.WriteString("\n[accounts." + name + "]\n")
	for _, k := range orderedKeys(table) {
		line, err := toml.Marshal(map[string]any{k: table[k]})
		if err != nil {
			return fmt.Errorf("config: accounts.%s.%s: %w", name, k, err)
		}
		buf.Write(line)
	}

	got, err := Parse(path, buf.Bytes())
	if err != nil {
		return err
	}
	if _, ok := got.Accounts[name]; !ok {
		return fmt.Errorf("config: accounts.%s did not survive a re-read of the file", name)
	}
	return writeAtomic(path, buf.Bytes())
}

// isSecretKey reports whether a setting would hold a secret: one of
// secretKeys, or any other token ("app_token"); their *_cmd is fine.
func isSecretKey(k string) bool {
	return slices.Contains(secretKeys, k) || strings.HasSuffix(k, "_token")
}

func orderedKeys(table map[string]any) []string {
	var keys, rest []string
	for _, k := range accountKeyOrder {
		if _, ok := table[k]; ok {
			keys = append(keys, k)
		}
	}
	for k := range table {
		if !slices.Contains(accountKeyOrder, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// writeAtomic replaces path with data through a temporary file in the same
// folder, so a crash leaves the old file or the new one, never half of it.
// An existing file keeps its permissions; a new one is private to the user.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	mode := fs.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, ".config-*.toml")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
