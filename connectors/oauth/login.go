package oauth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/lullhq/lull/connectors"
)

// defaultRedirect is the loopback redirect of RFC 8252 §7.3, less the port.
const defaultRedirect = "http://127.0.0.1/callback"

// callback is what the browser brought back to the loopback server.
type callback struct {
	code string
	err  error
	// reply carries Login's outcome back to the browser tab.
	reply chan error
}

// Login signs the account in with the authorization-code flow, PKCE (S256)
// and a loopback redirect (RFC 8252): it listens on the loopback interface, asks
// openBrowser to show the provider's sign-in page, waits for the redirect,
// checks its state, exchanges the code and stores the token in the keychain.
//
// openBrowser runs on its own goroutine; an error from it ends Login. The
// app passes one that opens the system browser, the CLI one that also prints
// the URL. Login waits until ctx ends (the user gave up) or the provider
// answers; a refusal is an error wrapping ErrAccessDenied.
func Login(ctx context.Context, cfg Config, openBrowser func(url string) error) (*oauth2.Token, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	redirect, err := url.Parse(cmp.Or(cfg.Provider.RedirectURL, defaultRedirect))
	if err != nil || redirect.Scheme != "http" || redirect.Port() != "" ||
		!connectors.IsLoopback(redirect.Hostname()) {
		return nil, fmt.Errorf("oauth: provider %q: redirect %q is not a loopback http address without a port", cfg.Provider.Name, cfg.Provider.RedirectURL)
	}
	listeners, err := listenLoopback(ctx, redirect.Hostname())
	if err != nil {
		return nil, fmt.Errorf("oauth: listening for the sign-in redirect: %w", err)
	}
	port := listeners[0].Addr().(*net.TCPAddr).Port
	redirect.Host = net.JoinHostPort(redirect.Hostname(), strconv.Itoa(port))
	conf := cfg.oauth2Config(redirect.String())
	closeAll := func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}

	state, err := randomState()
	if err != nil {
		closeAll()
		return nil, err
	}
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	for k, v := range cfg.Provider.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	if cfg.Username != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", cfg.Username))
	}
	authURL := conf.AuthCodeURL(state, opts...)

	callbacks := make(chan callback)
	finished := make(chan struct{})
	srv := &http.Server{
		Handler:           callbackHandler(redirect.Path, cfg.Account, state, callbacks, finished),
		ReadHeaderTimeout: 10 * time.Second,
	}
	for _, ln := range listeners {
		go srv.Serve(ln) //nolint:errcheck // Serve's error after Shutdown is expected
	}
	defer func() {
		close(finished)
		shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutCtx); err != nil {
			srv.Close()
		}
	}()

	browser := make(chan error, 1)
	go func() { browser <- openBrowser(authURL) }()

	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("oauth: sign-in of account %q: gave up waiting for the browser: %w", cfg.Account, ctx.Err())
		case err := <-browser:
			if err != nil {
				return nil, fmt.Errorf("oauth: sign-in of account %q: opening the browser: %w", cfg.Account, err)
			}
			browser = nil // opened; keep waiting for the redirect
		case cb := <-callbacks:
			tok, err := finishLogin(ctx, cfg, conf, verifier, cb)
			cb.reply <- err
			return tok, err
		}
	}
}

// finishLogin exchanges the code and stores the token.
func finishLogin(ctx context.Context, cfg Config, conf *oauth2.Config, verifier string, cb callback) (*oauth2.Token, error) {
	if cb.err != nil {
		return nil, fmt.Errorf("oauth: sign-in of account %q: %w", cfg.Account, cb.err)
	}
	tok, err := conf.Exchange(cfg.httpContext(ctx), cb.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, cfg.explainTokenError("exchanging the authorization code", err)
	}
	if tok.RefreshToken == "" {
		return nil, fmt.Errorf("oauth: sign-in of account %q: %s issued no refresh token, so the sign-in would end within the hour; check that the client may request offline access (docs/oauth.md)",
			cfg.Account, cfg.Provider.Name)
	}
	if err := cfg.saveToken(tok); err != nil {
		return nil, err
	}
	return tok, nil
}

// listenLoopback listens on a free port of host. For "localhost" it takes
// the port on 127.0.0.1 and, where there is IPv6, on ::1 too, since a
// browser may try either address first.
func listenLoopback(ctx context.Context, host string) ([]net.Listener, error) {
	var lc net.ListenConfig
	named := strings.EqualFold(host, "localhost")
	first := host
	if named {
		first = "127.0.0.1"
	}
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(first, "0"))
	if err != nil {
		return nil, err
	}
	listeners := []net.Listener{ln}
	if named {
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		if ln6, err := lc.Listen(ctx, "tcp", net.JoinHostPort("::1", port)); err == nil {
			listeners = append(listeners, ln6)
		}
	}
	return listeners, nil
}

// callbackHandler serves the redirect at path. The first request there
// decides the sign-in; the tab shows how it ended.
func callbackHandler(path, account, state string, callbacks chan<- callback, finished <-chan struct{}) http.Handler {
	if path == "" || path == "/" {
		path = "/{$}" // the root only, not the browser's /favicon.ico
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		cb := callback{code: q.Get("code"), reply: make(chan error, 1)}
		switch got := q.Get("state"); {
		case subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1:
			// A stale tab or a forged request: this sign-in cannot be trusted.
			cb.err = errors.New("the redirect's state does not match this sign-in (a stale tab or a forged request); start the sign-in again")
		case q.Get("error") != "":
			cb.err = providerError(q.Get("error"), q.Get("error_description"))
		case cb.code == "":
			cb.err = errors.New("the redirect carried no authorization code")
		}
		select {
		case callbacks <- cb:
		case <-finished:
			renderPage(w, http.StatusGone, account, errors.New("this sign-in has already ended"))
			return
		case <-r.Context().Done():
			return
		}
		var err error
		select {
		case err = <-cb.reply:
		case <-r.Context().Done():
			return
		}
		status := http.StatusOK
		if err != nil {
			status = http.StatusBadRequest
		}
		renderPage(w, status, account, err)
	})
	return mux
}

// providerError words an error the provider sent to the redirect.
func providerError(code, description string) error {
	detail := code
	if description != "" {
		detail += ": " + description
	}
	if code == "access_denied" {
		return fmt.Errorf("%w: the sign-in was declined at the provider (%s)", ErrAccessDenied, detail)
	}
	return fmt.Errorf("the provider refused the sign-in (%s)", detail)
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lull sign-in</title>
<style>body{font:16px system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em;color:#222}</style>
</head><body>
{{if .Err}}<h1>Sign-in failed</h1><p>{{.Err}}</p><p>You can close this tab and try again.</p>
{{else}}<h1>Lull is signed in</h1><p>Account {{.Account}} is connected. You can close this tab.</p>
{{end}}</body></html>
`))

func renderPage(w http.ResponseWriter, status int, account string, err error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	data := struct {
		Account string
		Err     error
	}{account, err}
	_ = page.Execute(w, data) // the tab may be gone; nothing to do then
}

// randomState is the unguessable value that ties the redirect to this sign-in.
func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oauth: making the state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
