// Package config reads Lull's config.toml and works out where Lull keeps its
// files. Decoding is strict: an unknown key is an error that names the key,
// so a typo never silently turns a setting off. Secrets never live here.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/lullhq/lull/app/focus"
)

// Config is the whole of config.toml.
type Config struct {
	// Accounts maps an account name to its settings; `kind` picks the connector.
	Accounts map[string]Account `toml:"accounts"`
	// Focus is [focus] plus the urgency rules of [[rules.urgent]].
	Focus focus.Config
	// Norms are the usual reply times per source, from [norms] (norms.go).
	Norms Norms
	// Keys rebind the window's keys, from [keys.<section>] (keys.go).
	Keys Keys
}

// Account is one `[accounts.NAME]` table. Kind selects the connector; the
// connector decodes and checks the remaining Settings itself.
type Account struct {
	Name     string
	Kind     string
	Settings map[string]any
}

var accountName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`)

// secretKeys are settings that would put a secret in the file. Lull refuses
// them and says where the secret belongs instead.
var secretKeys = []string{"password", "token", "secret", "client_secret", "app_password", "app_token", "oauth_client_secret"}

// Parse decodes config.toml text. name is used in error messages.
func Parse(name string, data []byte) (Config, error) {
	var raw struct {
		Accounts map[string]map[string]any `toml:"accounts"`
		focus.Sections
		Norms normsTOML                 `toml:"norms"`
		Keys  map[string]map[string]any `toml:"keys"`
	}
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", name, err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		var keys []string
		for _, k := range undec {
			// Account tables are decoded into maps, so they never show up here;
			// anything else is unknown.
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		return Config{}, fmt.Errorf("config: %s: unknown key %q", name, keys[0])
	}
	cfg := Config{Accounts: map[string]Account{}, Focus: raw.Sections.Config()}
	if err := cfg.Focus.Validate(); err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", name, err)
	}
	if cfg.Norms, err = raw.Norms.parse(); err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", name, err)
	}
	if cfg.Keys, err = parseKeys(raw.Keys); err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", name, err)
	}
	for acctName, settings := range raw.Accounts {
		if !accountName.MatchString(acctName) {
			return Config{}, fmt.Errorf("config: %s: account name %q: use letters, digits, '.', '_' or '-'", name, acctName)
		}
		kind, _ := settings["kind"].(string)
		if kind == "" {
			return Config{}, fmt.Errorf("config: %s: accounts.%s: missing kind (imap, maildir, slack, github, asana)", name, acctName)
		}
		for _, k := range secretKeys {
			if _, ok := settings[k]; ok {
				return Config{}, fmt.Errorf("config: %s: accounts.%s.%s: secrets never go in the config file; use %s_cmd or the OS keychain", name, acctName, k, k)
			}
		}
		rest := map[string]any{}
		for k, v := range settings {
			if k != "kind" {
				rest[k] = v
			}
		}
		cfg.Accounts[acctName] = Account{Name: acctName, Kind: kind, Settings: rest}
	}
	return cfg, nil
}

// Load reads the config file at path. A missing file is an empty config: a
// first run has none.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{Accounts: map[string]Account{}}, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// AccountNames returns the configured account names, sorted.
func (c Config) AccountNames() []string {
	names := make([]string, 0, len(c.Accounts))
	for n := range c.Accounts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Paths are the places Lull reads and writes.
type Paths struct {
	Config string // config.toml
	Data   string // the store of the user's own accounts
	Demo   string // the sample workspace's store, kept apart from real mail
}

// Env is the part of the process environment Paths depend on; tests pass their own.
type Env struct {
	Getenv  func(string) string
	GOOS    string
	HomeDir string
}

// OSEnv is the real environment.
func OSEnv() Env {
	home, _ := os.UserHomeDir()
	return Env{Getenv: os.Getenv, GOOS: runtime.GOOS, HomeDir: home}
}

// ResolvePaths applies, in order: flags (configFlag, dataFlag), the
// LULL_CONFIG / LULL_DATA environment variables, then the platform defaults
// (XDG on Linux, Application Support on macOS, %AppData% / %LocalAppData% on
// Windows).
func ResolvePaths(env Env, configFlag, dataFlag string) Paths {
	p := Paths{Config: configFlag, Data: dataFlag}
	if p.Config == "" {
		p.Config = env.Getenv("LULL_CONFIG")
	}
	if p.Data == "" {
		p.Data = env.Getenv("LULL_DATA")
	}
	if p.Config == "" {
		p.Config = filepath.Join(configHome(env), "lull", "config.toml")
	}
	if p.Data == "" {
		p.Data = filepath.Join(dataHome(env), "lull")
	}
	p.Demo = strings.TrimRight(p.Data, `/\`) + "-demo"
	return p
}

func configHome(env Env) string {
	switch env.GOOS {
	case "windows":
		if d := env.Getenv("AppData"); d != "" {
			return d
		}
	case "darwin":
		return filepath.Join(env.HomeDir, "Library", "Application Support")
	default:
		if d := env.Getenv("XDG_CONFIG_HOME"); d != "" {
			return d
		}
	}
	return filepath.Join(env.HomeDir, ".config")
}

func dataHome(env Env) string {
	switch env.GOOS {
	case "windows":
		if d := env.Getenv("LocalAppData"); d != "" {
			return d
		}
	case "darwin":
		return filepath.Join(env.HomeDir, "Library", "Application Support")
	default:
		if d := env.Getenv("XDG_DATA_HOME"); d != "" {
			return d
		}
	}
	return filepath.Join(env.HomeDir, ".local", "share")
}
