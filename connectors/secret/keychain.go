package secret

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
)

// Keychain stores secrets by service and user. Get and Delete return an
// error wrapping ErrNotFound for a missing entry, and an error wrapping
// ErrNoKeychain when there is no keychain to ask.
type Keychain interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
	Delete(service, user string) error
}

// OSKeychain is the platform keychain through go-keyring: the macOS
// Keychain, the Windows Credential Manager, or the Secret Service over D-Bus
// (GNOME Keyring, KWallet, KeePassXC) elsewhere. Calls are serialized:
// go-keyring keeps one process-wide provider and does not promise it is safe
// for concurrent use (its test provider is a bare map), while a sync and the
// Settings window may well ask at the same time.
type OSKeychain struct{}

// keyringMu serializes calls into go-keyring's process-wide provider.
var keyringMu sync.Mutex

var _ Keychain = OSKeychain{}

// Get reads an entry.
func (OSKeychain) Get(service, user string) (string, error) {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	v, err := keyring.Get(service, user)
	return v, classify(err)
}

// Set writes an entry, replacing an older one.
func (OSKeychain) Set(service, user, value string) error {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return classify(keyring.Set(service, user, value))
}

// Delete removes an entry.
func (OSKeychain) Delete(service, user string) error {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return classify(keyring.Delete(service, user))
}

// classify maps go-keyring's errors onto this package's sentinels, so
// callers can tell "not there" from "no keychain at all".
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ErrTooBig
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return &unavailableError{reason: "unsupported platform " + runtime.GOOS, cause: err}
	case secretServiceMissing(err):
		return &unavailableError{reason: "Secret Service not running", cause: err}
	}
	return err
}

// secretServiceMissing reports whether err says that no session D-Bus, or no
// Secret Service on it, answered. The D-Bus errors come as values and as
// pointers and wrap nothing, so their names are matched.
func secretServiceMissing(err error) bool {
	msg := err.Error()
	for _, s := range []string{
		"org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner",
		"was not provided by any .service files",
		"couldn't determine address of session bus",
		"dbus-launch",
		"dbus: authentication failed",
		"org.freedesktop.DBus.Error.NoServer",
		"org.freedesktop.DBus.Error.NoReply",
		"org.freedesktop.DBus.Error.TimedOut",
		"org.freedesktop.DBus.Error.Spawn",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	// A bus address that points at nothing: dialing the bus fails.
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// unavailableError is ErrNoKeychain with the reason.
type unavailableError struct {
	reason string
	cause  error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("%v (%s: %v)", ErrNoKeychain, e.reason, e.cause)
}

func (e *unavailableError) Is(target error) bool { return target == ErrNoKeychain }
func (e *unavailableError) Unwrap() error        { return e.cause }

// MemoryKeychain is a Keychain in memory, for tests and for running without
// an OS keychain. Its zero value is empty and ready.
type MemoryKeychain struct {
	mu      sync.Mutex
	entries map[string]string
}

var _ Keychain = (*MemoryKeychain)(nil)

// Get reads an entry.
func (m *MemoryKeychain) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.entries[service+"\x00"+user]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set writes an entry.
func (m *MemoryKeychain) Set(service, user, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[string]string{}
	}
	m.entries[service+"\x00"+user] = value
	return nil
}

// Delete removes an entry.
func (m *MemoryKeychain) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := service + "\x00" + user
	if _, ok := m.entries[k]; !ok {
		return ErrNotFound
	}
	delete(m.entries, k)
	return nil
}

// MockOSKeychain swaps the keychain behind OSKeychain for go-keyring's
// in-memory one, empty, for tests; with a non-nil err every call fails with
// it. It waits for calls in flight, so a sync still reading a secret from an
// earlier test never races the swap.
func MockOSKeychain(err error) {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	if err != nil {
		keyring.MockInitWithError(err)
		return
	}
	keyring.MockInit()
}
