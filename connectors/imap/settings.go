package imap

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/lullhq/lull/connectors"
)

// TLS modes of an account.
const (
	TLSImplicit = "implicit" // TLS from the first byte (port 993)
	TLSStartTLS = "starttls" // plaintext greeting, then STARTTLS (port 143)
	TLSNone     = "none"     // plaintext: loopback only, never a remote host
)

// Auth methods of an account.
const (
	AuthPassword    = "password"
	AuthXOAuth2     = "xoauth2"
	AuthOAuthBearer = "oauthbearer"
)

// What happens at the server when the user marks an email done.
const (
	OnDoneNone    = "none"
	OnDoneSeen    = "seen"
	OnDoneArchive = "archive"
)

// DefaultSyncDays is how far back the initial sync reaches by default.
const DefaultSyncDays = 90

// Settings is an IMAP account's config table:
//
//	[accounts.work]
//	kind = "imap"
//	host = "imap.example.com"
//	port = 993                  # default 993 (implicit), 143 (starttls, none)
//	tls = "implicit"            # "implicit" | "starttls" | "none" (loopback only)
//	username = "me@example.com"
//	folders = ["INBOX"]         # default INBOX
//	auth = "password"           # "password" | "xoauth2" | "oauthbearer"
//	password_cmd = "pass show mail/work"   # else the OS keychain
//	sync_days = 90              # initial-sync depth; 0 = the whole folder
//	on_done = "none"            # "none" | "seen" | "archive"
//	archive_folder = ""         # default: the \Archive (or \All) special-use folder
//	oauth_provider = "google"   # "google" | "microsoft" for the oauth methods
//	oauth_client_id = "…"
type Settings struct {
	Host          string   `json:"host"`
	Port          int      `json:"port"`
	TLS           string   `json:"tls"`
	Username      string   `json:"username"`
	Folders       []string `json:"folders"`
	Auth          string   `json:"auth"`
	SyncDays      *int     `json:"sync_days"`
	OnDone        string   `json:"on_done"`
	ArchiveFolder string   `json:"archive_folder"`

	OAuthProvider string `json:"oauth_provider"`
	OAuthClientID string `json:"oauth_client_id"`

	// Secret commands are read by the secret resolver, not here; they are
	// listed so the strict decoder accepts them.
	PasswordCmd          string `json:"password_cmd"`
	OAuthClientSecretCmd string `json:"oauth_client_secret_cmd"`
}

// ParseSettings reads and checks an account's settings, filling defaults.
// Unknown keys are an error that names the key.
func ParseSettings(raw map[string]any) (Settings, error) {
	var s Settings
	if err := connectors.DecodeSettings("imap", raw, &s); err != nil {
		return s, err
	}
	return s, s.normalise()
}

func (s *Settings) normalise() error {
	s.Host = strings.TrimSpace(s.Host)
	if s.Host == "" {
		return errors.New("imap: setting host is required")
	}
	if s.Username == "" {
		return errors.New("imap: setting username is required")
	}
	s.TLS = strings.ToLower(strings.TrimSpace(s.TLS))
	switch s.TLS {
	case "":
		s.TLS = TLSImplicit
	case TLSImplicit, TLSStartTLS:
	case TLSNone:
		if !connectors.IsLoopback(s.Host) {
			return fmt.Errorf("imap: tls = \"none\" is only allowed to a loopback host, not %q: passwords and mail would cross the network in the clear", s.Host)
		}
	default:
		return fmt.Errorf("imap: setting tls: want \"implicit\", \"starttls\" or \"none\", got %q", s.TLS)
	}
	if s.Port == 0 {
		s.Port = 993
		if s.TLS != TLSImplicit {
			s.Port = 143
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("imap: setting port: %d is not a port", s.Port)
	}
	if len(s.Folders) == 0 {
		s.Folders = []string{"INBOX"}
	}
	seen := map[string]bool{}
	for _, f := range s.Folders {
		if strings.TrimSpace(f) == "" || strings.ContainsAny(f, "\r\n") {
			return fmt.Errorf("imap: setting folders: bad folder name %q", f)
		}
		if seen[f] {
			return fmt.Errorf("imap: setting folders: %q listed twice", f)
		}
		seen[f] = true
	}
	s.Auth = strings.ToLower(s.Auth)
	switch s.Auth {
	case "":
		s.Auth = AuthPassword
	case AuthPassword:
	case AuthXOAuth2, AuthOAuthBearer:
		if s.OAuthProvider == "" || s.OAuthClientID == "" {
			return fmt.Errorf("imap: auth = %q needs oauth_provider and oauth_client_id (see docs/oauth.md)", s.Auth)
		}
	default:
		return fmt.Errorf("imap: setting auth: want \"password\", \"xoauth2\" or \"oauthbearer\", got %q", s.Auth)
	}
	if s.SyncDays == nil {
		d := DefaultSyncDays
		s.SyncDays = &d
	}
	if *s.SyncDays < 0 {
		return fmt.Errorf("imap: setting sync_days: must not be negative, got %d", *s.SyncDays)
	}
	switch s.OnDone {
	case "":
		s.OnDone = OnDoneNone
	case OnDoneNone, OnDoneSeen, OnDoneArchive:
	default:
		return fmt.Errorf("imap: setting on_done: want \"none\", \"seen\" or \"archive\", got %q", s.OnDone)
	}
	return nil
}

// Addr is host:port.
func (s Settings) Addr() string { return net.JoinHostPort(s.Host, fmt.Sprint(s.Port)) }

// Since is the earliest date the initial sync reaches, or zero for all.
func (s Settings) Since(now time.Time) time.Time {
	if s.SyncDays == nil || *s.SyncDays == 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -*s.SyncDays)
}
