package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

// XOAuth2 is the SASL mechanism name of Google's XOAUTH2, which Gmail and
// Microsoft 365 both speak.
const XOAuth2 = "XOAUTH2"

// ServerError is the JSON a server sends as a SASL challenge when it
// rejects a bearer token (RFC 7628 §3.2.2; Gmail's XOAUTH2 sends the same).
type ServerError struct {
	Status  string `json:"status"`
	Schemes string `json:"schemes,omitempty"`
	Scope   string `json:"scope,omitempty"`
	// Raw is the challenge when it is not JSON.
	Raw string `json:"-"`
}

// Error words the rejection; it holds no token.
func (e *ServerError) Error() string {
	if e.Status == "" {
		return fmt.Sprintf("the server rejected the OAuth token (%q)", e.Raw)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the server rejected the OAuth token (status %s", e.Status)
	if e.Scope != "" {
		fmt.Fprintf(&b, ", needs scope %s", e.Scope)
	}
	b.WriteString(")")
	switch e.Status {
	case "401", "invalid_token":
		b.WriteString(": it has expired or been revoked")
	case "400", "403", "insufficient_scope":
		b.WriteString(": wrong account, a missing scope, or IMAP is off for this mailbox")
	}
	return b.String()
}

func parseServerError(challenge []byte) *ServerError {
	var e ServerError
	if err := json.Unmarshal(challenge, &e); err != nil || e.Status == "" {
		return &ServerError{Raw: string(challenge)}
	}
	return &e
}

// challenged is implemented by this package's SASL clients: it returns the
// error challenge the server sent, if any.
type challenged interface {
	serverError() *ServerError
}

// AuthError adds to err (what IMAP AUTHENTICATE returned) the reason the
// server gave in its SASL error challenge, which otherwise goes unseen: the
// clients answer that challenge as the mechanisms require and the server
// then just says NO. The result matches *ServerError with errors.As.
func AuthError(c sasl.Client, err error) error {
	if err == nil {
		return nil
	}
	if ch, ok := c.(challenged); ok {
		if se := ch.serverError(); se != nil {
			return fmt.Errorf("%w: %w", err, se)
		}
	}
	return err
}

// NewXOAuth2Client returns a SASL client for XOAUTH2. Its initial response is
// "user=" + username + "\x01auth=Bearer " + accessToken + "\x01\x01". A
// server that rejects the token sends a JSON error as a challenge; the client
// answers with the empty response the mechanism requires and keeps the
// error for AuthError.
func NewXOAuth2Client(username, accessToken string) sasl.Client {
	return &xoauth2Client{username: username, token: accessToken}
}

type xoauth2Client struct {
	username, token string
	rejected        *ServerError
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	return XOAuth2, []byte("user=" + c.username + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.rejected != nil {
		// The exchange is over after the error challenge.
		return nil, c.rejected
	}
	c.rejected = parseServerError(challenge)
	return []byte{}, nil
}

func (c *xoauth2Client) serverError() *ServerError { return c.rejected }

// NewOAuthBearerClient returns a SASL client for OAUTHBEARER (RFC 7628). A
// rejection is answered with the %x01 the RFC requires and kept for
// AuthError.
func NewOAuthBearerClient(username, accessToken string, host string, port int) sasl.Client {
	return &oauthBearerClient{Client: sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
		Username: username, Token: accessToken, Host: host, Port: port,
	})}
}

type oauthBearerClient struct {
	sasl.Client // for Start
	rejected    *ServerError
}

func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	if c.rejected != nil {
		return nil, c.rejected
	}
	c.rejected = parseServerError(challenge)
	return []byte{0x01}, nil
}

func (c *oauthBearerClient) serverError() *ServerError { return c.rejected }

// IsTokenRejected reports whether err (from AuthError) says the server
// refused the bearer token itself, so a fresh token may succeed.
func IsTokenRejected(err error) bool {
	var se *ServerError
	return errors.As(err, &se) && (se.Status == "401" || se.Status == "invalid_token")
}
