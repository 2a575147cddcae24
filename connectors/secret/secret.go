// Package secret finds the passwords and tokens accounts need. A secret comes
// from a `*_cmd` setting (as aerc and mbsync do), an environment variable, or
// the OS keychain; it never lives in config.toml, the store or a log.
package secret

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Service is the keychain service every Lull secret is stored under; the
// keychain user is "<account>/<key>".
const Service = "lull"

// DefaultTimeout caps a `*_cmd` that Resolve runs.
const DefaultTimeout = 30 * time.Second

var (
	// ErrNotFound means the secret is in none of the places Lull looks.
	ErrNotFound = errors.New("secret not found")
	// ErrNoKeychain means the platform has no usable OS keychain (on Linux,
	// no Secret Service answers on the session D-Bus).
	ErrNoKeychain = errors.New("no OS keychain available")
	// ErrTooBig means the keychain refused a value for its size (Windows
	// keeps at most 2560 bytes per credential, macOS about 3000).
	ErrTooBig = errors.New("secret too big for the OS keychain")
)

// SourceKind names where a secret came from.
type SourceKind string

// The places a secret can come from, in the order Resolve tries them.
const (
	SourceCommand  SourceKind = "command"
	SourceEnv      SourceKind = "env"
	SourceKeychain SourceKind = "keychain"
)

// Source says where a secret comes from, for error messages and the UI
// (never the secret itself). Name is the setting, the environment variable
// or the keychain entry.
type Source struct {
	Kind SourceKind
	Name string
}

// String describes the source for a person.
func (s Source) String() string {
	switch s.Kind {
	case SourceCommand:
		return "command " + s.Name
	case SourceEnv:
		return "environment variable " + s.Name
	case SourceKeychain:
		return fmt.Sprintf("OS keychain (service %q, user %q)", Service, s.Name)
	}
	return "nowhere"
}

// Resolver looks secrets up. Its zero value uses the real OS keychain and
// process environment; tests swap in their own.
type Resolver struct {
	// Keychain stores secrets; nil is the OS keychain.
	Keychain Keychain
	// Env reads an environment variable ("" is unset); nil is os.Getenv.
	Env func(string) string
	// Timeout caps a `*_cmd`; 0 is DefaultTimeout.
	Timeout time.Duration
}

// Resolve returns the secret key (e.g. "password") of account, trying in order:
//
//  1. settings[key+"_cmd"], run by `sh -c` (`cmd /C` on Windows) with ctx and a
//     30 s cap; the first line of its stdout, trimmed, is the secret;
//  2. the environment variable EnvName(account, key), for tests and headless use;
//  3. the OS keychain, service "lull", user "<account>/<key>".
//
// A secret found nowhere is an error wrapping ErrNotFound that names the
// three ways to provide it.
func Resolve(ctx context.Context, account, key string, settings map[string]any) (string, error) {
	return Resolver{}.Resolve(ctx, account, key, settings)
}

// Store saves a secret in the OS keychain.
func Store(account, key, value string) error {
	return Resolver{}.Store(account, key, value)
}

// Delete removes a secret from the OS keychain; a secret that is not there
// is not an error.
func Delete(account, key string) error {
	return Resolver{}.Delete(account, key)
}

// Resolve is the package-level Resolve with r's keychain and environment.
func (r Resolver) Resolve(ctx context.Context, account, key string, settings map[string]any) (string, error) {
	v, _, err := r.Lookup(ctx, account, key, settings)
	return v, err
}

// Lookup is Resolve that also says where the secret came from.
func (r Resolver) Lookup(ctx context.Context, account, key string, settings map[string]any) (string, Source, error) {
	if account == "" || key == "" {
		return "", Source{}, fmt.Errorf("secret: account and key must not be empty (account %q, key %q)", account, key)
	}
	cmdKey := key + "_cmd"
	if raw, ok := settings[cmdKey]; ok {
		command, isString := raw.(string)
		if !isString {
			return "", Source{}, fmt.Errorf("secret: accounts.%s.%s: want a string, got %T", account, cmdKey, raw)
		}
		if strings.TrimSpace(command) != "" {
			src := Source{Kind: SourceCommand, Name: cmdKey}
			v, err := runCommand(ctx, command, r.timeout())
			if err != nil {
				return "", src, fmt.Errorf("secret: accounts.%s.%s %q: %w", account, cmdKey, command, err)
			}
			return v, src, nil
		}
	}

	env := EnvName(account, key)
	if v := r.getenv(env); v != "" {
		return v, Source{Kind: SourceEnv, Name: env}, nil
	}

	user := keychainUser(account, key)
	src := Source{Kind: SourceKeychain, Name: user}
	v, err := r.keychainGet(ctx, user)
	switch {
	case err == nil:
		return v, src, nil
	case errors.Is(err, ErrNotFound):
		return "", Source{}, &lookupError{
			msg:  fmt.Sprintf("secret: no %s for account %q: %s", key, account, howToProvide(account, key)),
			errs: []error{ErrNotFound},
		}
	case errors.Is(err, ErrNoKeychain):
		// Nothing else holds it either, so this is "not found" too: callers
		// that treat a secret as optional carry on.
		return "", Source{}, &lookupError{
			msg:  fmt.Sprintf("secret: no %s for account %q: %v: %s", key, account, err, withoutKeychainHint(account, key)),
			errs: []error{ErrNotFound, err},
		}
	case ctx.Err() != nil:
		return "", Source{}, fmt.Errorf("secret: reading %s of account %q from the OS keychain: %w", key, account, ctx.Err())
	}
	return "", src, fmt.Errorf("secret: reading %s of account %q from the OS keychain: %w", key, account, err)
}

// lookupError words a failed lookup for a person while still matching the
// sentinels behind it.
type lookupError struct {
	msg  string
	errs []error
}

func (e *lookupError) Error() string   { return e.msg }
func (e *lookupError) Unwrap() []error { return e.errs }

// Store saves a secret in r's keychain.
func (r Resolver) Store(account, key, value string) error {
	if account == "" || key == "" {
		return fmt.Errorf("secret: account and key must not be empty (account %q, key %q)", account, key)
	}
	if value == "" {
		return fmt.Errorf("secret: refusing to store an empty %s for account %q", key, account)
	}
	if err := r.keychain().Set(Service, keychainUser(account, key), value); err != nil {
		if errors.Is(err, ErrNoKeychain) {
			return fmt.Errorf("secret: storing %s of account %q: %w: %s", key, account, err, withoutKeychainHint(account, key))
		}
		return fmt.Errorf("secret: storing %s of account %q in the OS keychain: %w", key, account, err)
	}
	return nil
}

// Delete removes a secret from r's keychain; a missing secret is not an error.
func (r Resolver) Delete(account, key string) error {
	if account == "" || key == "" {
		return fmt.Errorf("secret: account and key must not be empty (account %q, key %q)", account, key)
	}
	err := r.keychain().Delete(Service, keychainUser(account, key))
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	return fmt.Errorf("secret: deleting %s of account %q from the OS keychain: %w", key, account, err)
}

// EnvName is the environment variable Resolve reads for a secret:
// LULL_<KEY>_<ACCOUNT>, upper-cased, every other character than a letter or
// digit turned into '_' (account "work-mail", key "password" gives
// LULL_PASSWORD_WORK_MAIL).
func EnvName(account, key string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				return r
			}
			return '_'
		}, s)
	}
	return "LULL_" + clean(key) + "_" + clean(account)
}

func keychainUser(account, key string) string { return account + "/" + key }

func (r Resolver) keychain() Keychain {
	if r.Keychain != nil {
		return r.Keychain
	}
	return OSKeychain{}
}

func (r Resolver) getenv(name string) string {
	if r.Env != nil {
		return r.Env(name)
	}
	return os.Getenv(name)
}

func (r Resolver) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

// keychainGet reads the keychain without letting it outlive ctx: the Secret
// Service may wait on an unlock prompt the user never answers.
func (r Resolver) keychainGet(ctx context.Context, user string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	kc := r.keychain()
	go func() {
		v, err := kc.Get(Service, user)
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// howToProvide tells the user the three ways to give Lull a secret.
func howToProvide(account, key string) string {
	if key == "oauth_token" {
		return fmt.Sprintf("sign in with `lull auth login %s` (the token is kept in the OS keychain), or set the environment variable %s",
			account, EnvName(account, key))
	}
	return fmt.Sprintf("set %s_cmd in [accounts.%s] (e.g. %s_cmd = \"pass show lull/%s\"), %s, or set the environment variable %s",
		key, account, key, account, storeHint(account, key), EnvName(account, key))
}

// withoutKeychainHint is howToProvide for a machine without a keychain.
func withoutKeychainHint(account, key string) string {
	if key == "oauth_token" {
		return fmt.Sprintf("OAuth sign-in keeps its token in the OS keychain: start a Secret Service (GNOME Keyring, KWallet or KeePassXC) and run `lull auth login %s`, or set the environment variable %s",
			account, EnvName(account, key))
	}
	return fmt.Sprintf("use %s_cmd in [accounts.%s] (e.g. %s_cmd = \"pass show lull/%s\") or set the environment variable %s",
		key, account, key, account, EnvName(account, key))
}

func storeHint(account, key string) string {
	switch key {
	case "password":
		return fmt.Sprintf("store it in the OS keychain with `lull auth password %s`", account)
	case "token":
		return fmt.Sprintf("store it in the OS keychain with `lull auth token %s`", account)
	}
	return fmt.Sprintf("store it in the OS keychain (service %q, user %q)", Service, keychainUser(account, key))
}
