package imap

import (
	"context"
	"errors"
)

// ConfiguredAuth is a placeholder until the secret package lands.
func ConfiguredAuth(account string, s Settings, raw map[string]any) Authenticator {
	return PasswordAuth(s.Username, func(ctx context.Context) (string, error) {
		return "", errors.New("no secrets yet")
	})
}
