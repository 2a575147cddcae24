package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lullhq/lull/connectors/secret"
)

func noEnv(string) string { return "" }

func testConfig(p *fakeProvider, kc secret.Keychain) Config {
	return Config{
		Account:  "gmail",
		Provider: p.provider(),
		ClientID: p.clientID,
		Username: "you@example.com",
		Secrets:  secret.Resolver{Keychain: kc, Env: noEnv},
	}
}

func storedJSON(t *testing.T, kc secret.Keychain) storedToken {
	t.Helper()
	raw, err := kc.Get(secret.Service, "gmail/oauth_token")
	if err != nil {
		t.Fatalf("keychain: %v", err)
	}
	var st storedToken
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		t.Fatalf("stored token %q: %v", raw, err)
	}
	return st
}

func TestLogin(t *testing.T) {
	p := newFakeProvider(t)
	kc := &secret.MemoryKeychain{}
	b := newBrowse()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	tok, err := Login(ctx, testConfig(p, kc), b.open)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token = %+v", tok)
	}
	status, body := b.page(t)
	if status != http.StatusOK || !strings.Contains(body, "You can close this tab") {
		t.Errorf("page: %d %q", status, body)
	}
	if strings.Contains(body, tok.AccessToken) {
		t.Error("the page shows the access token")
	}

	st := storedJSON(t, kc)
	if st.RefreshToken != tok.RefreshToken || st.AccessToken != tok.AccessToken || st.Expiry.IsZero() {
		t.Errorf("stored %+v, want the token %+v", st, tok)
	}

	var q url.Values
	p.locked(func() { q = p.lastAuthorize })
	for k, want := range map[string]string{
		"access_type": "offline", "prompt": "consent", "login_hint": "you@example.com",
		"scope": "https://mail.example/ offline_access",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("authorize %s = %q, want %q", k, got, want)
		}
	}
}

// TestLoginLocalhostRedirect signs in with Microsoft's kind of redirect:
// http://localhost, any port, the root path.
func TestLoginLocalhostRedirect(t *testing.T) {
	p := newFakeProvider(t)
	p.registered = "http://localhost"
	b := newBrowse()
	var authURL string
	tok, err := Login(context.Background(), testConfig(p, &secret.MemoryKeychain{}), func(u string) error {
		authURL = u
		return b.open(u)
	})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Errorf("token = %+v", tok)
	}
	if status, body := b.page(t); status != http.StatusOK || !strings.Contains(body, "You can close this tab") {
		t.Errorf("page: %d %q", status, body)
	}
	u, _ := url.Parse(authURL)
	if r := u.Query().Get("redirect_uri"); !strings.HasPrefix(r, "http://localhost:") || strings.Count(r, "/") != 2 {
		t.Errorf("redirect_uri = %q, want http://localhost:PORT", r)
	}
}

func TestLoginRefusesNonLoopbackRedirect(t *testing.T) {
	p := newFakeProvider(t)
	for _, r := range []string{"https://example.com/callback", "http://127.0.0.1:8080/callback", "http://192.168.1.2/cb", "http://localhost.example.com/cb"} {
		p.registered = r
		_, err := Login(context.Background(), testConfig(p, &secret.MemoryKeychain{}), func(string) error {
			t.Error("browser opened")
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "not a loopback") {
			t.Errorf("%s: err = %v", r, err)
		}
	}
}

// TestLoginServerGoes checks that the loopback listener is closed once
// Login returns, so a late or replayed redirect reaches nothing.
func TestLoginServerGoes(t *testing.T) {
	p := newFakeProvider(t)
	var authURL string
	_, err := Login(context.Background(), testConfig(p, &secret.MemoryKeychain{}), func(u string) error {
		authURL = u
		return newBrowse().open(u)
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	redirect, _ := url.Parse(u.Query().Get("redirect_uri"))
	conn, err := net.DialTimeout("tcp", redirect.Host, time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("the callback server at %s still accepts connections", redirect.Host)
	}
}

func TestLoginFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*fakeProvider)
		is      error
		wantErr []string
	}{
		{
			name:    "state mismatch",
			setup:   func(p *fakeProvider) { p.forgeState = true },
			wantErr: []string{"state does not match", "start the sign-in again"},
		},
		{
			name:    "access denied",
			setup:   func(p *fakeProvider) { p.deny = true },
			is:      ErrAccessDenied,
			wantErr: []string{"declined", "access_denied", "The user denied access"},
		},
		{
			name:    "no refresh token",
			setup:   func(p *fakeProvider) { p.noRefresh = true },
			wantErr: []string{"no refresh token", "offline access"},
		},
		{
			name:    "client rejected at the token endpoint",
			setup:   func(p *fakeProvider) { p.rejectClient = true },
			wantErr: []string{"rejected the client", "check oauth_client_id", "invalid_client"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFakeProvider(t)
			cfg := testConfig(p, &secret.MemoryKeychain{})
			p.locked(func() { tt.setup(p) })
			b := newBrowse()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := Login(ctx, cfg, b.open)
			if err == nil {
				t.Fatal("Login succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			status, body := b.page(t)
			if status != http.StatusBadRequest || !strings.Contains(body, "Sign-in failed") {
				t.Errorf("page: %d %q", status, body)
			}
			if _, err := cfg.Secrets.Keychain.Get(secret.Service, "gmail/oauth_token"); !errors.Is(err, secret.ErrNotFound) {
				t.Errorf("a failed sign-in stored a token (%v)", err)
			}
		})
	}
}

func TestLoginContextCancel(t *testing.T) {
	p := newFakeProvider(t)
	ctx, cancel := context.WithCancel(context.Background())
	opened := make(chan string, 1)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := Login(ctx, testConfig(p, &secret.MemoryKeychain{}), func(u string) error {
		opened <- u // the user never signs in
		return nil
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "gave up") {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Login took %s to notice the cancel", d)
	}
	if u := <-opened; !strings.HasPrefix(u, p.srv.URL+"/authorize?") {
		t.Errorf("opened %q", u)
	}
}

func TestLoginBrowserError(t *testing.T) {
	p := newFakeProvider(t)
	_, err := Login(context.Background(), testConfig(p, &secret.MemoryKeychain{}), func(string) error {
		return errors.New("xdg-open: not found")
	})
	if err == nil || !strings.Contains(err.Error(), "xdg-open: not found") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoginNeedsClientID(t *testing.T) {
	p := newFakeProvider(t)
	cfg := testConfig(p, &secret.MemoryKeychain{})
	cfg.ClientID = ""
	_, err := Login(context.Background(), cfg, func(string) error { t.Error("browser opened"); return nil })
	if err == nil || !strings.Contains(err.Error(), "oauth_client_id") {
		t.Fatalf("err = %v", err)
	}
}

// storeToken puts a token in kc as Login would have.
func storeToken(t *testing.T, cfg Config, tok *oauth2.Token) {
	t.Helper()
	if err := cfg.saveToken(tok); err != nil {
		t.Fatal(err)
	}
}

func TestTokenSourceRefreshSaves(t *testing.T) {
	p := newFakeProvider(t)
	kc := &secret.MemoryKeychain{}
	cfg := testConfig(p, kc)
	p.locked(func() { p.refresh["rt-old"] = true })
	storeToken(t, cfg, &oauth2.Token{AccessToken: "at-old", TokenType: "Bearer", RefreshToken: "rt-old", Expiry: time.Now().Add(-time.Minute)})

	ts, err := TokenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token()
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken == "at-old" || tok.RefreshToken == "rt-old" {
		t.Fatalf("token not refreshed: %+v", tok)
	}
	st := storedJSON(t, kc)
	if st.AccessToken != tok.AccessToken || st.RefreshToken != tok.RefreshToken {
		t.Errorf("keychain holds %+v, want the refreshed %+v", st, tok)
	}

	// A valid token is reused without another refresh.
	if again, err := ts.Token(); err != nil || again.AccessToken != tok.AccessToken {
		t.Errorf("second Token = %+v, %v", again, err)
	}
	var n int
	p.locked(func() { n = p.refreshes })
	if n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}

	// A new token source (the next start) picks up the rotated token.
	ts2, err := TokenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tok2, err := ts2.Token(); err != nil || tok2.AccessToken != tok.AccessToken {
		t.Errorf("after restart: %+v, %v", tok2, err)
	}
}

func TestTokenSourceValidTokenNoRefresh(t *testing.T) {
	p := newFakeProvider(t)
	cfg := testConfig(p, &secret.MemoryKeychain{})
	storeToken(t, cfg, &oauth2.Token{AccessToken: "at-fresh", RefreshToken: "rt-x", Expiry: time.Now().Add(time.Hour)})
	ts, err := TokenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "at-fresh" {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	p.locked(func() {
		if p.refreshes != 0 {
			t.Errorf("refreshed a valid token")
		}
	})
}

func TestTokenSourceInvalidGrant(t *testing.T) {
	p := newFakeProvider(t)
	cfg := testConfig(p, &secret.MemoryKeychain{})
	p.locked(func() { p.refresh["rt-old"], p.revoke = true, true })
	storeToken(t, cfg, &oauth2.Token{AccessToken: "at-old", RefreshToken: "rt-old", Expiry: time.Now().Add(-time.Minute)})
	ts, err := TokenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Token()
	if !errors.Is(err, ErrGrantRevoked) {
		t.Fatalf("err = %v, want ErrGrantRevoked", err)
	}
	for _, s := range []string{"revoked", "lull auth login gmail", "invalid_grant"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if strings.Contains(err.Error(), "rt-old") {
		t.Errorf("error %q shows the refresh token", err)
	}
}

func TestTokenSourceNotLoggedIn(t *testing.T) {
	p := newFakeProvider(t)
	_, err := TokenSource(context.Background(), testConfig(p, &secret.MemoryKeychain{}))
	if !errors.Is(err, ErrNotLoggedIn) || !strings.Contains(err.Error(), "run `lull auth login gmail`") {
		t.Fatalf("err = %v", err)
	}

	// An expired token without a refresh token is as good as none.
	cfg := testConfig(p, &secret.MemoryKeychain{})
	raw, _ := json.Marshal(storedToken{AccessToken: "at", Expiry: time.Now().Add(-time.Hour)})
	cfg.Secrets.Keychain.Set(secret.Service, "gmail/oauth_token", string(raw))
	if _, err := TokenSource(context.Background(), cfg); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("expired, no refresh token: %v", err)
	}

	// Garbage in the keychain is not quoted back.
	cfg.Secrets.Keychain.Set(secret.Service, "gmail/oauth_token", "{garbage-secret")
	_, err = TokenSource(context.Background(), cfg)
	if err == nil || strings.Contains(err.Error(), "garbage-secret") || !strings.Contains(err.Error(), "lull auth login gmail") {
		t.Fatalf("garbage: %v", err)
	}
}

// TestTokenSourceFromEnv covers headless use: a bare refresh token in
// LULL_OAUTH_TOKEN_<ACCOUNT> works and is never written to the keychain.
func TestTokenSourceFromEnv(t *testing.T) {
	p := newFakeProvider(t)
	p.locked(func() { p.refresh["rt-env"] = true })
	kc := &secret.MemoryKeychain{}
	cfg := testConfig(p, kc)
	cfg.Secrets.Env = func(k string) string {
		if k == "LULL_OAUTH_TOKEN_GMAIL" {
			return "rt-env"
		}
		return ""
	}
	ts, err := TokenSource(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := ts.Token(); err != nil || tok.AccessToken == "" {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if _, err := kc.Get(secret.Service, "gmail/oauth_token"); !errors.Is(err, secret.ErrNotFound) {
		t.Errorf("a token from the environment was saved to the keychain")
	}
}

// smallKeychain refuses values over max bytes, like Windows' Credential
// Manager (2560 bytes).
type smallKeychain struct {
	secret.MemoryKeychain
	max int
}

func (k *smallKeychain) Set(service, user, value string) error {
	if len(value) > k.max {
		return secret.ErrTooBig
	}
	return k.MemoryKeychain.Set(service, user, value)
}

func TestSaveTooBigKeepsRefreshToken(t *testing.T) {
	p := newFakeProvider(t)
	kc := &smallKeychain{max: 200}
	cfg := testConfig(p, kc)
	long := strings.Repeat("x", 300)
	if err := cfg.saveToken(&oauth2.Token{AccessToken: long, RefreshToken: "rt-1", Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st := storedJSON(t, kc)
	if st.AccessToken != "" || st.RefreshToken != "rt-1" {
		t.Errorf("stored %+v, want only the refresh token", st)
	}
}

func TestConfigFromSettings(t *testing.T) {
	r := secret.Resolver{Keychain: &secret.MemoryKeychain{}, Env: noEnv}
	ctx := context.Background()
	cfg, err := ConfigFromSettings(ctx, r, "gmail", map[string]any{
		"oauth_provider": "google", "oauth_client_id": "id-1", "username": "you@gmail.com", "host": "imap.gmail.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Provider.Name != "google" || cfg.ClientID != "id-1" || cfg.Username != "you@gmail.com" || cfg.ClientSecret != "" {
		t.Errorf("cfg = %+v", cfg)
	}
	r.Keychain.Set(secret.Service, "gmail/oauth_client_secret", "GOCSPX-1")
	cfg, err = ConfigFromSettings(ctx, r, "gmail", map[string]any{"oauth_provider": "microsoft", "oauth_client_id": "id-1"})
	if err != nil || cfg.ClientSecret != "GOCSPX-1" || cfg.Provider.IMAPHost != "outlook.office365.com" {
		t.Errorf("cfg = %+v, %v", cfg, err)
	}

	for _, tt := range []struct {
		settings map[string]any
		want     string
	}{
		{map[string]any{"oauth_client_id": "x"}, "missing oauth_provider"},
		{map[string]any{"oauth_provider": "yahoo", "oauth_client_id": "x"}, `unknown oauth_provider "yahoo": want "google" or "microsoft"`},
		{map[string]any{"oauth_provider": "google"}, "missing oauth_client_id"},
		{map[string]any{"oauth_provider": "google", "oauth_client_id": 7}, "want a string"},
		{map[string]any{"oauth_provider": "google", "oauth_client_id": "x", "oauth_client_secret": "s"}, "secrets never go in the config file"},
	} {
		if _, err := ConfigFromSettings(ctx, r, "gmail", tt.settings); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.settings, err, tt.want)
		}
	}
}

func TestProviders(t *testing.T) {
	ps := Providers()
	g, m := ps["google"], ps["microsoft"]
	if g.AuthURL != "https://accounts.google.com/o/oauth2/auth" || g.TokenURL != "https://oauth2.googleapis.com/token" ||
		strings.Join(g.Scopes, " ") != "https://mail.google.com/" || g.IMAPHost != "imap.gmail.com" || g.IMAPPort != 993 {
		t.Errorf("google = %+v", g)
	}
	if m.AuthURL != "https://login.microsoftonline.com/common/oauth2/v2.0/authorize" ||
		m.TokenURL != "https://login.microsoftonline.com/common/oauth2/v2.0/token" ||
		strings.Join(m.Scopes, " ") != "https://outlook.office.com/IMAP.AccessAsUser.All offline_access" ||
		m.IMAPHost != "outlook.office365.com" || m.IMAPPort != 993 {
		t.Errorf("microsoft = %+v", m)
	}
	// Each call is a fresh map: a caller cannot change another's providers.
	ps["google"] = Provider{}
	if Providers()["google"].Name != "google" {
		t.Error("Providers shares its map")
	}
}
