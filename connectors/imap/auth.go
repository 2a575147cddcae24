package imap

import (
	"context"
	"sync"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"golang.org/x/oauth2"

	"github.com/lullhq/lull/connectors/oauth"
	"github.com/lullhq/lull/connectors/secret"
)

// ConfiguredAuth logs in the way the account's settings say: a password
// from password_cmd, the environment or the OS keychain; or an OAuth token
// (XOAUTH2 or OAUTHBEARER) kept fresh in the keychain. One token source
// serves every connection of the account, so a refresh happens once.
func ConfiguredAuth(account string, s Settings, raw map[string]any) Authenticator {
	switch s.Auth {
	case AuthXOAuth2, AuthOAuthBearer:
		return oauthAuth(s, func(ctx context.Context) (oauth.Config, error) {
			return oauth.ConfigFromSettings(ctx, secret.Resolver{}, account, raw)
		})
	default:
		return PasswordAuth(s.Username, func(ctx context.Context) (string, error) {
			return secret.Resolve(ctx, account, "password", raw)
		})
	}
}

// oauthAuth logs in with XOAUTH2 or OAUTHBEARER, as s.Auth says, with
// access tokens from one refreshing token source built on first use.
func oauthAuth(s Settings, config func(ctx context.Context) (oauth.Config, error)) Authenticator {
	var (
		mu sync.Mutex
		ts oauth2.TokenSource
	)
	source := func(ctx context.Context) (oauth2.TokenSource, error) {
		mu.Lock()
		defer mu.Unlock()
		if ts != nil {
			return ts, nil
		}
		cfg, err := config(ctx)
		if err != nil {
			return nil, err
		}
		// The source refreshes with its own background context: the token
		// outlives the connection that first asked for it.
		src, err := oauth.TokenSource(context.WithoutCancel(ctx), cfg)
		if err != nil {
			return nil, err
		}
		ts = src
		return ts, nil
	}
	return func(ctx context.Context, c *imapclient.Client) error {
		src, err := source(ctx)
		if err != nil {
			return err
		}
		tok, err := src.Token()
		if err != nil {
			return err
		}
		var sc sasl.Client
		if s.Auth == AuthXOAuth2 {
			sc = oauth.NewXOAuth2Client(s.Username, tok.AccessToken)
		} else {
			sc = oauth.NewOAuthBearerClient(s.Username, tok.AccessToken, s.Host, s.Port)
		}
		return oauth.AuthError(sc, c.Authenticate(sc))
	}
}
