package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// fakeProvider is an OAuth 2.0 authorization server in the shape of
// Google's and Microsoft's: /authorize redirects straight back (the user
// "consents" at once), /token checks PKCE and hands out rotating tokens.
type fakeProvider struct {
	t        *testing.T
	srv      *httptest.Server
	clientID string
	// registered is the redirect URL registered for the client, less the port.
	registered string

	mu sync.Mutex
	// codes maps an issued code to what /authorize saw with it.
	codes map[string]authRequest
	// refresh holds the refresh tokens still valid.
	refresh map[string]bool
	n       int
	// lastAuthorize is the query of the last /authorize request.
	lastAuthorize url.Values
	refreshes     int

	// What the next /authorize does instead of consenting.
	deny, forgeState bool
	// revoke makes refresh_token grants fail with invalid_grant.
	revoke bool
	// rejectClient makes /token refuse the client (a wrong client secret).
	rejectClient bool
	// noRefresh leaves the refresh token out of the code exchange.
	noRefresh bool
}

type authRequest struct {
	challenge, redirectURI string
}

func newFakeProvider(t *testing.T) *fakeProvider {
	p := &fakeProvider{t: t, clientID: "client-123.apps.example", registered: defaultRedirect, codes: map[string]authRequest{}, refresh: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// locked runs f with p's lock held, for tests that change or read p while
// its server runs.
func (p *fakeProvider) locked(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
}

func (p *fakeProvider) provider() Provider {
	return Provider{
		Name:        "fake",
		AuthURL:     p.srv.URL + "/authorize",
		TokenURL:    p.srv.URL + "/token",
		Scopes:      []string{"https://mail.example/", "offline_access"},
		AuthParams:  map[string]string{"access_type": "offline", "prompt": "consent"},
		RedirectURL: p.registered,
	}
}

func (p *fakeProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastAuthorize = q
	// As RFC 8252 §7.3 asks, any port matches the registered redirect.
	redirect, err := url.Parse(q.Get("redirect_uri"))
	registered, _ := url.Parse(p.registered)
	if err != nil || redirect.Port() == "" || redirect.Scheme+"://"+redirect.Hostname()+redirect.Path != registered.String() {
		http.Error(w, "bad redirect_uri "+q.Get("redirect_uri"), http.StatusBadRequest)
		return
	}
	switch {
	case q.Get("response_type") != "code",
		q.Get("client_id") != p.clientID,
		q.Get("code_challenge_method") != "S256",
		len(q.Get("code_challenge")) != 43,
		q.Get("state") == "":
		http.Error(w, "bad authorization request: "+q.Encode(), http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	switch {
	case p.deny:
		back.Set("error", "access_denied")
		back.Set("error_description", "The user denied access")
	case p.forgeState:
		back.Set("state", "forged")
		back.Set("code", "stolen")
	default:
		p.n++
		code := fmt.Sprintf("code-%d", p.n)
		p.codes[code] = authRequest{challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (p *fakeProvider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := r.PostForm
	p.mu.Lock()
	defer p.mu.Unlock()
	if f.Get("client_id") != p.clientID || p.rejectClient {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "unknown client "+f.Get("client_id"))
		return
	}
	switch f.Get("grant_type") {
	case "authorization_code":
		req, ok := p.codes[f.Get("code")]
		delete(p.codes, f.Get("code")) // codes are single use
		if !ok {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown code")
			return
		}
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
			return
		}
		if f.Get("redirect_uri") != req.redirectURI {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri mismatch")
			return
		}
		p.issue(w, !p.noRefresh)
	case "refresh_token":
		p.refreshes++
		if p.revoke || !p.refresh[f.Get("refresh_token")] {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		delete(p.refresh, f.Get("refresh_token")) // rotate, as Microsoft does
		p.issue(w, true)
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", f.Get("grant_type"))
	}
}

// issue writes a new token; p.mu is held.
func (p *fakeProvider) issue(w http.ResponseWriter, withRefresh bool) {
	p.n++
	resp := map[string]any{
		"access_token": fmt.Sprintf("at-%d", p.n),
		"token_type":   "Bearer",
		"expires_in":   3600,
	}
	if withRefresh {
		rt := fmt.Sprintf("rt-%d", p.n)
		p.refresh[rt] = true
		resp["refresh_token"] = rt
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// browse is an openBrowser that acts as the user's browser: it follows the
// provider's redirect to the loopback callback and records the page shown.
type browse struct {
	mu     sync.Mutex
	status int
	body   string
	err    error
	done   chan struct{}
}

func newBrowse() *browse { return &browse{done: make(chan struct{})} }

func (b *browse) open(u string) error {
	go func() {
		defer close(b.done)
		resp, err := http.Get(u)
		b.mu.Lock()
		defer b.mu.Unlock()
		if err != nil {
			b.err = err
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		b.status, b.body, b.err = resp.StatusCode, string(body), err
	}()
	return nil
}

// page waits for the browser tab to show its page.
func (b *browse) page(t *testing.T) (int, string) {
	t.Helper()
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		t.Fatalf("browser: %v", b.err)
	}
	return b.status, b.body
}
