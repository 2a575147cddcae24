package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/lullhq/lull/connectors/secret"
)

// storedToken is the keychain form of a token. The access token is a cache:
// when the keychain has no room for it (Windows keeps 2560 bytes per
// credential, and Microsoft's tokens are long) only the refresh token is kept
// and the first use refreshes.
type storedToken struct {
	AccessToken  string    `json:"access_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

// saveToken writes tok to the keychain.
func (cfg Config) saveToken(tok *oauth2.Token) error {
	st := storedToken{
		AccessToken: tok.AccessToken, TokenType: tok.TokenType,
		RefreshToken: tok.RefreshToken, Expiry: tok.Expiry,
	}
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("oauth: encoding the token: %w", err)
	}
	err = cfg.Secrets.Store(cfg.Account, TokenKey, string(data))
	if errors.Is(err, secret.ErrTooBig) && st.RefreshToken != "" {
		st.AccessToken, st.Expiry = "", time.Time{}
		if data, err = json.Marshal(st); err != nil {
			return fmt.Errorf("oauth: encoding the token: %w", err)
		}
		err = cfg.Secrets.Store(cfg.Account, TokenKey, string(data))
	}
	if err != nil {
		return fmt.Errorf("oauth: saving the token of account %q: %w", cfg.Account, err)
	}
	return nil
}

// parseToken reads a stored token: the JSON saveToken writes, or (for
// headless use through LULL_OAUTH_TOKEN_<ACCOUNT>) a bare refresh token.
func parseToken(raw string) (*oauth2.Token, error) {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(raw, "{") {
		return &oauth2.Token{RefreshToken: raw}, nil
	}
	var st storedToken
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		// The error would quote the token; say only what is wrong.
		return nil, errors.New("the stored token is not valid JSON")
	}
	return &oauth2.Token{
		AccessToken: st.AccessToken, TokenType: st.TokenType,
		RefreshToken: st.RefreshToken, Expiry: st.Expiry,
	}, nil
}

// TokenSource returns a refreshing token source for the account: it loads
// the stored token and saves refreshed tokens back to the keychain (refresh
// tokens rotate at Microsoft). A missing token is an error wrapping
// ErrNotLoggedIn that says to run `lull auth login ACCOUNT`; a revoked
// refresh token makes Token fail with ErrGrantRevoked.
//
// Refreshes use ctx, so it must outlive the token source (pass the
// connector's Sync context).
func TokenSource(ctx context.Context, cfg Config) (oauth2.TokenSource, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	raw, src, err := cfg.Secrets.Lookup(ctx, cfg.Account, TokenKey, nil)
	if err != nil {
		if errors.Is(err, secret.ErrNoKeychain) {
			return nil, fmt.Errorf("oauth: account %q: %w: %w", cfg.Account, ErrNotLoggedIn, err)
		}
		if errors.Is(err, secret.ErrNotFound) {
			return nil, fmt.Errorf("oauth: account %q is %w: run `lull auth login %s`", cfg.Account, ErrNotLoggedIn, cfg.Account)
		}
		return nil, fmt.Errorf("oauth: account %q: loading the token: %w", cfg.Account, err)
	}
	tok, err := parseToken(raw)
	if err != nil {
		return nil, fmt.Errorf("oauth: account %q: %v (from the %s): run `lull auth login %s`", cfg.Account, err, src, cfg.Account)
	}
	if tok.RefreshToken == "" && !tok.Valid() {
		return nil, fmt.Errorf("oauth: account %q: the stored token has expired and has no refresh token: run `lull auth login %s`: %w", cfg.Account, cfg.Account, ErrNotLoggedIn)
	}
	ts := &savingSource{
		cfg:  cfg,
		base: cfg.oauth2Config("").TokenSource(cfg.httpContext(ctx), tok),
		last: tok,
		// A token from the environment is the user's to manage.
		save: src.Kind == secret.SourceKeychain,
	}
	return ts, nil
}

// savingSource hands out tokens from base and writes every new one to the
// keychain.
type savingSource struct {
	cfg  Config
	base oauth2.TokenSource
	save bool

	mu    sync.Mutex
	last  *oauth2.Token
	dirty bool // last is not in the keychain yet
}

// Token returns a valid access token, refreshing it when it has expired.
func (s *savingSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, err := s.base.Token()
	if err != nil {
		return nil, s.cfg.explainTokenError("refreshing the access token", err)
	}
	if tok.AccessToken != s.last.AccessToken || tok.RefreshToken != s.last.RefreshToken {
		s.last, s.dirty = tok, s.save
	}
	if s.dirty {
		// A refreshed token that cannot be saved still works now; saving is
		// tried again on the next call. Neither provider revokes the old
		// refresh token when it issues a new one, so the stored one still
		// works on the next start.
		if err := s.cfg.saveToken(tok); err != nil {
			s.cfg.logger().Warn("oauth: refreshed token not saved", "account", s.cfg.Account, "err", err)
		} else {
			s.dirty = false
		}
	}
	return tok, nil
}
