package secret

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// noEnv is an empty environment, so the tests never see the developer's.
func noEnv(string) string { return "" }

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func needShell(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the commands here are POSIX sh")
	}
}

func TestCommand(t *testing.T) {
	needShell(t)
	tests := []struct {
		name, cmd string
		want      string
		wantErr   []string // substrings of the error
		notInErr  []string
	}{
		{name: "first line trimmed", cmd: `printf '  hunter2 \nsecond line\n'`, want: "hunter2"},
		{name: "no trailing newline", cmd: `printf 's3cret'`, want: "s3cret"},
		{name: "crlf", cmd: `printf 'win\r\n'`, want: "win"},
		{
			name:     "failure quotes stderr, never stdout",
			cmd:      `printf '%s%s\n' stdout-se cret-value; echo 'gpg: decryption failed: No secret key' >&2; exit 3`,
			wantErr:  []string{"password_cmd", "exit status 3", "gpg: decryption failed: No secret key"},
			notInErr: []string{"stdout-secret-value"},
		},
		{
			name:    "stderr tail only",
			cmd:     `i=0; while [ $i -lt 200 ]; do echo "noise line $i" >&2; i=$((i+1)); done; echo 'the real reason' >&2; exit 1`,
			wantErr: []string{"the real reason"}, notInErr: []string{"noise line 0\\n"},
		},
		{name: "failure with silent stderr", cmd: `exit 2`, wantErr: []string{"exit status 2", "printed nothing on stderr"}},
		{name: "empty output", cmd: `true`, wantErr: []string{"printed nothing"}},
		{name: "blank first line", cmd: `printf '\nsecond\n'`, wantErr: []string{"printed nothing on its first line"}},
		{name: "missing program", cmd: `/nonexistent/lull-secret-helper`, wantErr: []string{"exit status 127"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Resolver{Keychain: &MemoryKeychain{}, Env: noEnv}
			got, src, err := r.Lookup(context.Background(), "work", "password", map[string]any{"password_cmd": tt.cmd})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Lookup: %v", err)
				}
				if got != tt.want {
					t.Errorf("secret = %q, want %q", got, tt.want)
				}
				if src != (Source{Kind: SourceCommand, Name: "password_cmd"}) {
					t.Errorf("source = %+v", src)
				}
				return
			}
			if err == nil {
				t.Fatalf("Lookup = %q, want an error", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			for _, s := range tt.notInErr {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains %q", err, s)
				}
			}
		})
	}
}

func TestCommandTimeout(t *testing.T) {
	needShell(t)
	t.Parallel()
	r := Resolver{Keychain: &MemoryKeychain{}, Env: noEnv, Timeout: 200 * time.Millisecond}
	start := time.Now()
	// The child sleep keeps stdout open after sh is killed; WaitDelay must
	// still bring Resolve back.
	_, err := r.Resolve(context.Background(), "work", "password", map[string]any{"password_cmd": "sleep 30; echo late"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Errorf("error %q does not say it timed out", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Resolve took %s after a 200ms timeout", d)
	}
}

func TestCommandContextCancel(t *testing.T) {
	needShell(t)
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	r := Resolver{Keychain: &MemoryKeychain{}, Env: noEnv}
	start := time.Now()
	_, err := r.Resolve(ctx, "work", "password", map[string]any{"password_cmd": "exec sleep 30"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Resolve took %s after cancel", d)
	}

	// An already cancelled context runs nothing.
	_, err = r.Resolve(ctx, "work", "password", map[string]any{"password_cmd": "echo x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCommandSettingMustBeString(t *testing.T) {
	r := Resolver{Keychain: &MemoryKeychain{}, Env: noEnv}
	_, err := r.Resolve(context.Background(), "work", "password", map[string]any{"password_cmd": []any{"pass", "show"}})
	if err == nil || !strings.Contains(err.Error(), "accounts.work.password_cmd: want a string") {
		t.Fatalf("err = %v", err)
	}
}

func TestOrder(t *testing.T) {
	needShell(t)
	kc := &MemoryKeychain{}
	if err := kc.Set(Service, "work/password", "from-keychain"); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"LULL_PASSWORD_WORK": "from-env"})
	cmd := map[string]any{"password_cmd": "echo from-cmd"}
	tests := []struct {
		name     string
		r        Resolver
		settings map[string]any
		want     string
		src      Source
	}{
		{"command first", Resolver{Keychain: kc, Env: env}, cmd, "from-cmd", Source{SourceCommand, "password_cmd"}},
		{"then env", Resolver{Keychain: kc, Env: env}, nil, "from-env", Source{SourceEnv, "LULL_PASSWORD_WORK"}},
		{"empty command is unset", Resolver{Keychain: kc, Env: env}, map[string]any{"password_cmd": " "}, "from-env", Source{SourceEnv, "LULL_PASSWORD_WORK"}},
		{"then keychain", Resolver{Keychain: kc, Env: noEnv}, map[string]any{"host": "x"}, "from-keychain", Source{SourceKeychain, "work/password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, src, err := tt.r.Lookup(context.Background(), "work", "password", tt.settings)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || src != tt.src {
				t.Errorf("Lookup = %q from %+v, want %q from %+v", got, src, tt.want, tt.src)
			}
			if strings.Contains(src.String(), got) {
				t.Errorf("source %q shows the secret", src)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	tests := []struct{ account, key, want string }{
		{"work", "password", "LULL_PASSWORD_WORK"},
		{"work-mail", "password", "LULL_PASSWORD_WORK_MAIL"},
		{"Work.Mail_2", "token", "LULL_TOKEN_WORK_MAIL_2"},
		{"gmail", "oauth_client_secret", "LULL_OAUTH_CLIENT_SECRET_GMAIL"},
		{"über", "token", "LULL_TOKEN__BER"},
	}
	for _, tt := range tests {
		if got := EnvName(tt.account, tt.key); got != tt.want {
			t.Errorf("EnvName(%q, %q) = %q, want %q", tt.account, tt.key, got, tt.want)
		}
	}
}

func TestNotFound(t *testing.T) {
	tests := []struct {
		key  string
		want []string
	}{
		{"password", []string{`no password for account "work-mail"`, "password_cmd", "[accounts.work-mail]", "lull auth password work-mail", "LULL_PASSWORD_WORK_MAIL"}},
		{"token", []string{"token_cmd", "lull auth token work-mail", "LULL_TOKEN_WORK_MAIL"}},
		{"oauth_token", []string{"lull auth login work-mail", "LULL_OAUTH_TOKEN_WORK_MAIL"}},
		{"api_key", []string{"api_key_cmd", `user "work-mail/api_key"`, "LULL_API_KEY_WORK_MAIL"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			r := Resolver{Keychain: &MemoryKeychain{}, Env: noEnv}
			_, err := r.Resolve(context.Background(), "work-mail", tt.key, nil)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if errors.Is(err, ErrNoKeychain) {
				t.Errorf("err = %v matches ErrNoKeychain", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestEmptyNames(t *testing.T) {
	r := Resolver{Keychain: &MemoryKeychain{}, Env: noEnv}
	if _, err := r.Resolve(context.Background(), "", "password", nil); err == nil {
		t.Error("Resolve with no account succeeded")
	}
	if err := r.Store("work", "", "x"); err == nil {
		t.Error("Store with no key succeeded")
	}
	if err := r.Store("work", "password", ""); err == nil {
		t.Error("Store of an empty secret succeeded")
	}
	if err := r.Delete("", "password"); err == nil {
		t.Error("Delete with no account succeeded")
	}
}

// TestOSKeychain drives the go-keyring adapter through go-keyring's own mock.
// MockInit swaps go-keyring's provider, so this test must not run in parallel.
func TestOSKeychain(t *testing.T) {
	MockOSKeychain(nil)
	r := Resolver{Env: noEnv} // nil Keychain: OSKeychain

	if _, err := r.Resolve(context.Background(), "work", "password", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve before Store: %v, want ErrNotFound", err)
	}
	if err := r.Store("work", "password", "hunter2"); err != nil {
		t.Fatal(err)
	}
	if got, err := (OSKeychain{}).Get("lull", "work/password"); err != nil || got != "hunter2" {
		t.Fatalf("keyring holds %q, %v; want service lull, user work/password", got, err)
	}
	got, src, err := r.Lookup(context.Background(), "work", "password", nil)
	if err != nil || got != "hunter2" || src.Kind != SourceKeychain {
		t.Fatalf("Lookup = %q, %+v, %v", got, src, err)
	}
	if err := r.Store("work", "password", "changed"); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Resolve(context.Background(), "work", "password", nil); got != "changed" {
		t.Errorf("after a second Store: %q", got)
	}
	if err := r.Delete("work", "password"); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete("work", "password"); err != nil {
		t.Errorf("Delete of a missing secret: %v, want nil", err)
	}
	if _, err := r.Resolve(context.Background(), "work", "password", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve after Delete: %v, want ErrNotFound", err)
	}

	MockOSKeychain(keyring.ErrSetDataTooBig)
	if err := r.Store("work", "password", "x"); !errors.Is(err, ErrTooBig) {
		t.Errorf("Store too big: %v, want ErrTooBig", err)
	}
}

func TestNoSecretService(t *testing.T) {
	for _, cause := range []error{
		dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}},
		&dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"},
		errors.New("dbus: couldn't determine address of session bus"),
		keyring.ErrUnsupportedPlatform,
	} {
		MockOSKeychain(cause)
		r := Resolver{Env: noEnv}
		_, err := r.Resolve(context.Background(), "work", "password", nil)
		if !errors.Is(err, ErrNoKeychain) || !errors.Is(err, ErrNotFound) {
			t.Errorf("%v: Resolve = %v, want ErrNoKeychain and ErrNotFound", cause, err)
			continue
		}
		for _, s := range []string{"no OS keychain available", "password_cmd", "LULL_PASSWORD_WORK"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q lacks %q", err, s)
			}
		}
		if cause != keyring.ErrUnsupportedPlatform && !strings.Contains(err.Error(), "Secret Service not running") {
			t.Errorf("error %q does not say the Secret Service is not running", err)
		}
		if err := r.Store("work", "password", "x"); !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "password_cmd") {
			t.Errorf("Store = %v, want ErrNoKeychain with a password_cmd hint", err)
		}
	}

	// Any other keychain failure is reported as such, not as "not found".
	MockOSKeychain(errors.New("prompt dismissed"))
	_, err := Resolver{Env: noEnv}.Resolve(context.Background(), "work", "password", nil)
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "prompt dismissed") {
		t.Errorf("Resolve = %v", err)
	}
	MockOSKeychain(nil)
}

// blockingKeychain never answers, like a Secret Service waiting on an
// unlock prompt nobody sees.
type blockingKeychain struct {
	MemoryKeychain
	release chan struct{}
}

func (k *blockingKeychain) Get(string, string) (string, error) {
	<-k.release
	return "", ErrNotFound
}

func TestKeychainHonorsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	kc := &blockingKeychain{release: make(chan struct{})}
	defer close(kc.release)
	_, err := Resolver{Keychain: kc, Env: noEnv}.Resolve(ctx, "work", "password", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

func TestRedact(t *testing.T) {
	if Redact("") != "" || Redact("hunter2") != Redacted {
		t.Errorf("Redact: %q %q", Redact(""), Redact("hunter2"))
	}
	got := Scrub(`server said: token ya29.abc is invalid for ya29.abc`, "ya29.abc", "", "ab")
	if want := `server said: token [redacted] is invalid for [redacted]`; got != want {
		t.Errorf("Scrub = %q, want %q", got, want)
	}
}
