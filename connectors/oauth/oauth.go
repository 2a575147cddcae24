// Package oauth signs IMAP accounts in with OAuth 2.0 (Gmail, Microsoft 365):
// the desktop authorization-code flow with PKCE and a loopback redirect, a
// refreshing token source that keeps the token in the OS keychain, and the
// XOAUTH2 and OAUTHBEARER SASL clients IMAP AUTHENTICATE needs.
//
// The user brings the OAuth client ID (an "installed app" client registered
// in their own Google Cloud project or Entra tenant, see docs/oauth.md), so
// Lull ships no client credentials.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"golang.org/x/oauth2"

	"github.com/lullhq/lull/connectors/secret"
)

// TokenKey is the secret key the token is stored under: the keychain user is
// "<account>/oauth_token".
const TokenKey = "oauth_token"

// ClientSecretKey is the secret key of the optional client secret
// (`oauth_client_secret_cmd`, LULL_OAUTH_CLIENT_SECRET_<ACCOUNT>, or the keychain).
const ClientSecretKey = "oauth_client_secret"

var (
	// ErrNotLoggedIn means no token is stored for the account.
	ErrNotLoggedIn = errors.New("not signed in")
	// ErrGrantRevoked means the provider no longer honours the refresh token
	// (revoked by the user or an admin, expired, or the password changed).
	ErrGrantRevoked = errors.New("the OAuth grant was revoked or has expired")
	// ErrAccessDenied means the user (or an admin policy) declined consent.
	ErrAccessDenied = errors.New("access denied")
)

// Provider is an OAuth provider that serves IMAP.
type Provider struct {
	Name              string
	AuthURL, TokenURL string
	Scopes            []string
	IMAPHost          string
	IMAPPort          int
	// AuthParams are extra authorization request parameters. Google needs
	// access_type=offline and prompt=consent to hand out a refresh token on
	// every sign-in, not only the first.
	AuthParams map[string]string
	// RedirectURL is the loopback redirect as registered with the provider,
	// without a port: Login adds the port it listens on. Empty is
	// "http://127.0.0.1/callback" (RFC 8252 §7.3). Microsoft matches the
	// registered "http://localhost" only for that host name and path.
	RedirectURL string
}

// Providers returns the known providers by name: "google" and "microsoft".
// Each call returns a fresh map.
func Providers() map[string]Provider {
	return map[string]Provider{
		"google": {
			Name:       "google",
			AuthURL:    "https://accounts.google.com/o/oauth2/auth",
			TokenURL:   "https://oauth2.googleapis.com/token",
			Scopes:     []string{"https://mail.google.com/"},
			IMAPHost:   "imap.gmail.com",
			IMAPPort:   993,
			AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"},
		},
		"microsoft": {
			Name:     "microsoft",
			AuthURL:  "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
			TokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
			// offline_access is what makes Microsoft issue a refresh token.
			Scopes:      []string{"https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"},
			IMAPHost:    "outlook.office365.com",
			IMAPPort:    993,
			RedirectURL: "http://localhost",
		},
	}
}

// ProviderNamed returns the provider called name, or an error that lists the
// known ones.
func ProviderNamed(name string) (Provider, error) {
	all := Providers()
	if p, ok := all[name]; ok {
		return p, nil
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, fmt.Sprintf("%q", n))
	}
	sort.Strings(names)
	return Provider{}, fmt.Errorf("oauth: unknown oauth_provider %q: want %s", name, strings.Join(names, " or "))
}

// Config is one account's OAuth setup.
type Config struct {
	// Account names the account; the token is stored under it.
	Account  string
	Provider Provider
	// ClientID is the user's OAuth client; ClientSecret is empty for a
	// public client (Microsoft) and the non-confidential secret of a Google
	// "Desktop app" client.
	ClientID, ClientSecret string
	// Username is the mailbox address; it is the login hint and the SASL user.
	Username string

	// Secrets stores the token; its zero value is the OS keychain.
	Secrets secret.Resolver
	// HTTPClient talks to the provider; nil is http.DefaultClient.
	HTTPClient *http.Client
	// Logger hears about trouble that does not stop sign-in (a refreshed
	// token that could not be saved); nil discards. It never sees a token.
	Logger *slog.Logger
}

// ConfigFromSettings builds an account's Config from its [accounts.NAME]
// settings: oauth_provider, oauth_client_id, username, and the optional
// client secret through secret resolution (oauth_client_secret_cmd, the
// environment, the keychain; absent is empty).
func ConfigFromSettings(ctx context.Context, r secret.Resolver, account string, settings map[string]any) (Config, error) {
	str := func(key string) (string, error) {
		v, ok := settings[key]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("oauth: accounts.%s.%s: want a string, got %T", account, key, v)
		}
		return strings.TrimSpace(s), nil
	}
	if _, ok := settings[ClientSecretKey]; ok {
		return Config{}, fmt.Errorf("oauth: accounts.%s.%s: secrets never go in the config file; use %s_cmd or the OS keychain", account, ClientSecretKey, ClientSecretKey)
	}
	providerName, err := str("oauth_provider")
	if err != nil {
		return Config{}, err
	}
	if providerName == "" {
		return Config{}, fmt.Errorf("oauth: accounts.%s: missing oauth_provider (\"google\" or \"microsoft\"; see docs/oauth.md)", account)
	}
	provider, err := ProviderNamed(providerName)
	if err != nil {
		return Config{}, fmt.Errorf("oauth: accounts.%s: %w", account, err)
	}
	clientID, err := str("oauth_client_id")
	if err != nil {
		return Config{}, err
	}
	if clientID == "" {
		return Config{}, fmt.Errorf("oauth: accounts.%s: missing oauth_client_id: create a desktop OAuth client (see docs/oauth.md)", account)
	}
	username, err := str("username")
	if err != nil {
		return Config{}, err
	}
	clientSecret, err := r.Resolve(ctx, account, ClientSecretKey, settings)
	if err != nil && !errors.Is(err, secret.ErrNotFound) {
		return Config{}, fmt.Errorf("oauth: client secret: %w", err)
	}
	return Config{
		Account: account, Provider: provider,
		ClientID: clientID, ClientSecret: clientSecret,
		Username: username, Secrets: r,
	}, nil
}

func (cfg Config) validate() error {
	switch {
	case cfg.Account == "":
		return errors.New("oauth: no account name")
	case cfg.ClientID == "":
		return fmt.Errorf("oauth: account %q has no oauth_client_id (see docs/oauth.md)", cfg.Account)
	case cfg.Provider.AuthURL == "" || cfg.Provider.TokenURL == "":
		return fmt.Errorf("oauth: account %q: provider %q has no endpoints", cfg.Account, cfg.Provider.Name)
	}
	return nil
}

// oauth2Config is cfg for golang.org/x/oauth2. The client goes in the form
// body, not Basic auth: Microsoft's public clients have no secret, and
// Google accepts either.
func (cfg Config) oauth2Config(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   cfg.Provider.AuthURL,
			TokenURL:  cfg.Provider.TokenURL,
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirectURL,
		Scopes:      cfg.Provider.Scopes,
	}
}

// httpContext makes oauth2 use cfg.HTTPClient.
func (cfg Config) httpContext(ctx context.Context) context.Context {
	if cfg.HTTPClient == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, cfg.HTTPClient)
}

func (cfg Config) logger() *slog.Logger {
	if cfg.Logger != nil {
		return cfg.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// explainTokenError turns the provider's token endpoint errors into advice.
func (cfg Config) explainTokenError(what string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("oauth: account %q: %s: %w", cfg.Account, what, err)
	}
	detail := re.ErrorCode
	if re.ErrorDescription != "" {
		detail += ": " + re.ErrorDescription
	}
	switch re.ErrorCode {
	case "invalid_grant":
		return fmt.Errorf("oauth: account %q: %w (%s); run `lull auth login %s` to sign in again",
			cfg.Account, ErrGrantRevoked, detail, cfg.Account)
	case "invalid_client", "unauthorized_client":
		return fmt.Errorf("oauth: account %q: %s: the provider rejected the client (%s); check oauth_client_id and the client secret (docs/oauth.md): %w",
			cfg.Account, what, detail, err)
	}
	return fmt.Errorf("oauth: account %q: %s: %w", cfg.Account, what, err)
}
