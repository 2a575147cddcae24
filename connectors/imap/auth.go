package imap

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lullhq/lull/connectors/oauth"
	"github.com/lullhq/lull/connectors/secret"
)

// ConfiguredAuth logs in the way the account's settings say: a password
// from password_cmd, the environment or the OS keychain; or an OAuth token
// (XOAUTH2 or OAUTHBEARER) kept fresh in the keychain.
func ConfiguredAuth(account string, s Settings, raw map[string]any) Authenticator {
	switch s.Auth {
	case AuthXOAuth2, AuthOAuthBearer:
		return func(ctx context.Context, c *imapclient.Client) error {
			p, ok := oauth.Providers()[s.OAuthProvider]
			if !ok {
				return fmt.Errorf("unknown oauth_provider %q (known: google, microsoft)", s.OAuthProvider)
			}
			clientSecret, _ := secret.Resolve(ctx, account, "oauth_client_secret", raw)
			ts, err := oauth.TokenSource(ctx, oauth.Config{
				Account: account, Provider: p, ClientID: s.OAuthClientID,
				ClientSecret: clientSecret, Username: s.Username,
			})
			if err != nil {
				return err
			}
			tok, err := ts.Token()
			if err != nil {
				return err
			}
			if s.Auth == AuthXOAuth2 {
				return c.Authenticate(oauth.NewXOAuth2Client(s.Username, tok.AccessToken))
			}
			return c.Authenticate(oauth.NewOAuthBearerClient(s.Username, tok.AccessToken, s.Host, s.Port))
		}
	default:
		return PasswordAuth(s.Username, func(ctx context.Context) (string, error) {
			return secret.Resolve(ctx, account, "password", raw)
		})
	}
}
