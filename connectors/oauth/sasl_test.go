package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-sasl"
)

func TestXOAuth2InitialResponse(t *testing.T) {
	c := NewXOAuth2Client("someone@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
	mech, ir, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("user=someone@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01")
	if mech != "XOAUTH2" || !bytes.Equal(ir, want) {
		t.Errorf("Start = %q, %q; want XOAUTH2, %q", mech, ir, want)
	}
}

func TestXOAuth2Challenge(t *testing.T) {
	c := NewXOAuth2Client("someone@example.com", "tok")
	c.Start()
	resp, err := c.Next([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`))
	if err != nil || resp == nil || len(resp) != 0 {
		t.Fatalf("Next = %q, %v; want an empty response", resp, err)
	}
	err = AuthError(c, errors.New("imap: NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"))
	var se *ServerError
	if !errors.As(err, &se) || se.Status != "401" || se.Scope != "https://mail.google.com/" {
		t.Fatalf("AuthError = %v", err)
	}
	for _, s := range []string{"Invalid credentials", "status 401", "expired or been revoked"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if !IsTokenRejected(err) {
		t.Error("IsTokenRejected = false for status 401")
	}
	// A second challenge ends the exchange.
	if _, err := c.Next([]byte("again")); err == nil {
		t.Error("second Next succeeded")
	}
}

func TestOAuthBearer(t *testing.T) {
	c := NewOAuthBearerClient("someone@example.com", "tok", "imap.example.com", 993)
	mech, ir, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	want := "n,a=someone@example.com,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01"
	if mech != "OAUTHBEARER" || string(ir) != want {
		t.Errorf("Start = %q, %q; want OAUTHBEARER, %q", mech, ir, want)
	}
	resp, err := c.Next([]byte(`{"status":"invalid_token","scope":"mail"}`))
	if err != nil || !bytes.Equal(resp, []byte{0x01}) {
		t.Fatalf("Next = %q, %v; want %%x01", resp, err)
	}
	if err := AuthError(c, errors.New("NO")); !IsTokenRejected(err) {
		t.Errorf("AuthError = %v", err)
	}
}

func TestAuthErrorPassesThrough(t *testing.T) {
	if AuthError(NewXOAuth2Client("u", "t"), nil) != nil {
		t.Error("AuthError(nil) != nil")
	}
	plain := errors.New("connection reset")
	if err := AuthError(NewXOAuth2Client("u", "t"), plain); err != plain {
		t.Errorf("AuthError without a challenge = %v", err)
	}
	if err := AuthError(sasl.NewPlainClient("", "u", "p"), plain); err != plain {
		t.Errorf("AuthError of a foreign client = %v", err)
	}
	c := NewXOAuth2Client("u", "t")
	c.Next([]byte("not json"))
	if err := AuthError(c, plain); !strings.Contains(err.Error(), `"not json"`) {
		t.Errorf("raw challenge: %v", err)
	}
}

// TestIMAPAuthenticate runs both mechanisms against go-imap's server over
// loopback: a good token logs in, a bad one fails with the server's reason.
func TestIMAPAuthenticate(t *testing.T) {
	const user, good = "someone@example.com", "good-token"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &saslSession{user: user, token: good}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true, // loopback test without TLS
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	tests := []struct {
		name   string
		client func(token string) sasl.Client
	}{
		{"XOAUTH2", func(tok string) sasl.Client { return NewXOAuth2Client(user, tok) }},
		{"OAUTHBEARER", func(tok string) sasl.Client { return NewOAuthBearerClient(user, tok, "127.0.0.1", 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, tok := range []string{good, "stale-token"} {
				c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
				if err != nil {
					t.Fatal(err)
				}
				sc := tt.client(tok)
				err = AuthError(sc, c.Authenticate(sc))
				c.Close()
				if tok == good {
					if err != nil {
						t.Errorf("good token: %v", err)
					}
					continue
				}
				if !IsTokenRejected(err) {
					t.Errorf("stale token: err = %v, want the server's 401", err)
				}
			}
		})
	}
}

// saslSession accepts XOAUTH2 and OAUTHBEARER for one user and token; no
// other command is used.
type saslSession struct {
	imapserver.Session // nil: the tests only authenticate
	user, token        string
}

func (s *saslSession) Close() error { return nil }

func (s *saslSession) AuthenticateMechanisms() []string {
	return []string{"XOAUTH2", "OAUTHBEARER"}
}

func (s *saslSession) Authenticate(mech string) (sasl.Server, error) {
	reject := &sasl.OAuthBearerError{Status: "401", Schemes: "bearer"}
	switch mech {
	case "XOAUTH2":
		return &xoauth2Server{check: func(user, token string) bool { return user == s.user && token == s.token }, reject: reject}, nil
	case "OAUTHBEARER":
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if o.Username != s.user || o.Token != s.token {
				return reject
			}
			return nil
		}), nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "unsupported mechanism"}
}

// xoauth2Server behaves as Gmail does: a bad token gets a JSON challenge,
// then, after the client's empty response, NO.
type xoauth2Server struct {
	check    func(user, token string) bool
	reject   *sasl.OAuthBearerError
	rejected bool
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if s.rejected {
		return nil, true, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Invalid credentials (Failure)"}
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, f := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(f, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
			token = v
		}
	}
	if s.check(user, token) {
		return nil, true, nil
	}
	s.rejected = true
	challenge, _ := json.Marshal(s.reject)
	return challenge, false, nil
}
