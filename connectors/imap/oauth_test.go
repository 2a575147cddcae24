package imap

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/imap/dovecottest"
	"github.com/lullhq/lull/connectors/oauth"
	"github.com/lullhq/lull/connectors/secret"
)

// oauthProvider is an OAuth token endpoint and an RFC 7662 introspection
// endpoint: it trades the refresh token "refresh-1" for access tokens and
// tells Dovecot which access tokens are live.
type oauthProvider struct {
	*httptest.Server
	refreshes  atomic.Int32
	introspect atomic.Int32
}

func newOAuthProvider(t *testing.T, user string) *oauthProvider {
	p := &oauthProvider{}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("refresh_token") != "refresh-1" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		p.refreshes.Add(1)
		json.NewEncoder(w).Encode(map[string]any{"access_token": "live-access", "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("/introspect", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		p.introspect.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Form.Get("token") == "live-access" {
			json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"active": false})
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

// TestOAuthAgainstDovecot logs in to a real Dovecot with XOAUTH2 and
// OAUTHBEARER, the access token refreshed through golang.org/x/oauth2 from a
// stored refresh token, and checks a stale token is refused as permanent.
func TestOAuthAgainstDovecot(t *testing.T) {
	ctx := context.Background()
	user := "lull"
	prov := newOAuthProvider(t, user)
	srv := dovecottest.NewWith(t, dovecottest.Options{User: user, OAuthIntrospectionURL: prov.URL + "/introspect"})
	seed(t, srv, "INBOX", 3, time.Now())

	cfg := oauth.Config{
		Account:  "gmail",
		Provider: oauth.Provider{Name: "test", AuthURL: prov.URL + "/auth", TokenURL: prov.URL + "/token", Scopes: []string{"mail"}},
		ClientID: "client-1", Username: user,
		Secrets: secret.Resolver{Keychain: &secret.MemoryKeychain{}, Env: func(k string) string {
			if k == secret.EnvName("gmail", oauth.TokenKey) {
				return "refresh-1"
			}
			return ""
		}},
	}
	for _, mech := range []string{AuthXOAuth2, AuthOAuthBearer} {
		t.Run(mech, func(t *testing.T) {
			s := settingsFor(srv, map[string]any{"auth": mech, "oauth_provider": "google", "oauth_client_id": "client-1"})
			auth := oauthAuth(s, func(context.Context) (oauth.Config, error) { return cfg, nil })
			c := NewWith("gmail", s, Options{Auth: auth})
			r := start(t, c, conformance.NewMemorySink())
			waitFor(t, 10*time.Second, "sync over OAuth", func() bool { return complete(r.sink) && r.sink.Len() == 3 })
		})
	}
	if n := prov.refreshes.Load(); n < 1 || n > 2 {
		t.Errorf("%d refreshes, want one per account connector (the token source caches the live token)", n)
	}
	if prov.introspect.Load() == 0 {
		t.Error("Dovecot never asked the introspection endpoint: the OAuth path was not exercised")
	}

	// A revoked token: Dovecot refuses it, and the engine is told not to retry.
	stale := func(ctx context.Context, c *imapclient.Client) error {
		sc := oauth.NewXOAuth2Client(user, "revoked-access")
		return oauth.AuthError(sc, c.Authenticate(sc))
	}
	err := Check(ctx, settingsFor(srv, nil), stale)
	var ce *CheckError
	if !errors.As(err, &ce) || ce.Step != StepAuth || !errors.Is(err, connectors.ErrPermanent) {
		t.Fatalf("stale token: %v; want a permanent auth failure", err)
	}
}
