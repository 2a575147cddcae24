package secret

import "strings"

// Redacted is what Redact and Scrub put where a secret was.
const Redacted = "[redacted]"

// Redact returns a stand-in for a secret that is safe to log: empty stays
// empty (so "not set" is still visible), anything else is Redacted.
func Redact(s string) string {
	if s == "" {
		return ""
	}
	return Redacted
}

// Scrub replaces every occurrence of the given secrets in text, for server
// messages or errors that may echo a credential back. Secrets shorter than
// four bytes are left alone: replacing them would mangle the text and hide
// nothing.
func Scrub(text string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			text = strings.ReplaceAll(text, s, Redacted)
		}
	}
	return text
}
