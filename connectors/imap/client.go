package imap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/oauth"
	"github.com/lullhq/lull/connectors/secret"
)

// Steps of connecting, named in a CheckError so the user learns exactly
// what failed.
const (
	StepDNS     = "dns"
	StepConnect = "connect"
	StepTLS     = "tls"
	StepAuth    = "auth"
	StepFolder  = "folder"
)

// CheckError says which step of reaching an account failed.
type CheckError struct {
	Step string
	Addr string
	Err  error
}

// Error phrases the failure for a person, naming the step.
func (e *CheckError) Error() string {
	var what string
	switch e.Step {
	case StepDNS:
		what = "cannot resolve the server name"
	case StepConnect:
		what = "cannot connect to " + e.Addr
	case StepTLS:
		what = "TLS handshake with " + e.Addr + " failed"
	case StepAuth:
		what = "the server refused the login"
	case StepFolder:
		what = "folder problem"
	default:
		what = e.Step
	}
	return fmt.Sprintf("imap: %s: %v", what, e.Err)
}

// Unwrap returns the cause.
func (e *CheckError) Unwrap() error { return e.Err }

// Authenticator logs a freshly greeted client in.
type Authenticator func(ctx context.Context, c *imapclient.Client) error

// PasswordAuth logs in with LOGIN (or AUTHENTICATE PLAIN when the server
// disables LOGIN), asking password for the secret only when it is needed.
func PasswordAuth(username string, password func(ctx context.Context) (string, error)) Authenticator {
	return func(ctx context.Context, c *imapclient.Client) error {
		pw, err := password(ctx)
		if err != nil {
			return err
		}
		return c.Login(username, pw).Wait()
	}
}

// dialer opens logged-in connections for one account.
type dialer struct {
	settings Settings
	auth     Authenticator
	// rootCAs, when set, replaces the system roots (tests with their own CA).
	rootCAs *x509.CertPool
}

// dial connects, secures, greets and authenticates. The returned client is
// closed when ctx ends, which unblocks any command waiting on it.
func (d *dialer) dial(ctx context.Context, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	s := d.settings
	addr := s.Addr()
	if net.ParseIP(strings.Trim(s.Host, "[]")) == nil {
		if _, err := net.DefaultResolver.LookupHost(ctx, s.Host); err != nil {
			return nil, &CheckError{Step: StepDNS, Addr: addr, Err: ctxOr(ctx, err)}
		}
	}
	nd := net.Dialer{Timeout: 20 * time.Second, KeepAlive: 30 * time.Second}
	conn, err := nd.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &CheckError{Step: StepConnect, Addr: addr, Err: ctxOr(ctx, err)}
	}
	// Until the client exists, ctx closes the raw connection.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	opts := &imapclient.Options{
		UnilateralDataHandler: handler,
		TLSConfig:             &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12, RootCAs: d.rootCAs},
	}
	var c *imapclient.Client
	switch s.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			stop()
			conn.Close()
			return nil, &CheckError{Step: StepTLS, Addr: addr, Err: ctxOr(ctx, err)}
		}
		c = imapclient.New(tc, opts)
	case TLSStartTLS:
		c, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			stop()
			conn.Close()
			return nil, &CheckError{Step: StepTLS, Addr: addr, Err: ctxOr(ctx, err)}
		}
	default: // TLSNone, allowed only to loopback by ParseSettings
		c = imapclient.New(conn, opts)
	}
	stop()
	// From here on ctx closes the client instead.
	context.AfterFunc(ctx, func() { c.Close() })
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, &CheckError{Step: StepConnect, Addr: addr, Err: ctxOr(ctx, err)}
	}
	if err := d.auth(ctx, c); err != nil {
		c.Close()
		err = ctxOr(ctx, err)
		if permanentAuth(err) {
			// Retrying a refused login only locks the account at the server.
			err = fmt.Errorf("%w (%w)", err, connectors.ErrPermanent)
		}
		return nil, &CheckError{Step: StepAuth, Addr: addr, Err: err}
	}
	return c, nil
}

// ctxOr returns ctx's error when ctx has ended (the cause of most failures
// then), else err.
func ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Check connects to the account, logs in and selects every folder, and
// returns a *CheckError naming the first step that failed.
func Check(ctx context.Context, s Settings, auth Authenticator) error {
	d := &dialer{settings: s, auth: auth}
	c, err := d.dial(ctx, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, f := range s.Folders {
		if _, err := c.Select(f, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return &CheckError{Step: StepFolder, Addr: s.Addr(), Err: fmt.Errorf("cannot open %q: %w", f, ctxOr(ctx, err))}
		}
	}
	_ = c.Logout().Wait() // logged in and selected: a failed goodbye is no problem
	return nil
}

// permanentAuth reports whether a failed login will fail again until the
// user acts: wrong credentials, a revoked grant, no secret at all.
func permanentAuth(err error) bool {
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeAuthenticationFailed {
		return true
	}
	return errors.Is(err, oauth.ErrGrantRevoked) || errors.Is(err, oauth.ErrNotLoggedIn) ||
		oauth.IsTokenRejected(err) || errors.Is(err, secret.ErrNotFound)
}
