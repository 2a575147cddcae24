package mailparse

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// ThreadKey returns the key that groups m with the rest of its conversation:
// the first References id (the thread's root), else the first In-Reply-To id,
// else m's own Message-ID, all without angle brackets. A message with none of
// these is keyed by a hash of its subject without reply and forward
// prefixes, so "Re: Re: [list] Plans" joins "Plans"; with no subject either,
// by a hash of sender, date and text, so it stands alone.
func ThreadKey(m Message) string {
	for _, ids := range [][]string{m.References, m.InReplyTo, {m.MessageID}} {
		for _, id := range ids {
			if id = normaliseID(id); id != "" {
				return id
			}
		}
	}
	if s := NormalizeSubject(m.Subject); s != "" {
		return "subject:" + shortHash(s)
	}
	return "message:" + shortHash(m.From.Addr+"\x00"+m.Date.UTC().String()+"\x00"+m.Text)
}

var subjectPrefix = regexp.MustCompile(`(?i)^(?:\[[^\]]*\]|(?:re|fwd?|aw|sv|vs|antw|wg|tr|rif)\s*(?:\[\d+\]|\(\d+\))?\s*:)\s*`)

// NormalizeSubject strips any run of reply and forward prefixes (Re:, Fwd:,
// Fw:, AW:, SV:, WG:, Re[2]:) and mailing-list tags ("[list]"), then
// lower-cases the subject and collapses its white space.
func NormalizeSubject(s string) string {
	s = collapseSpace(s)
	for {
		t := subjectPrefix.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return strings.ToLower(s)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
