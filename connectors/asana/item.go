package asana

import (
	"strings"
	"time"
	"unicode"

	"github.com/lullhq/lull/app/inbox"
)

// snippetRunes is the longest snippet.
const snippetRunes = 200

// item builds the inbox item of a comment on t. It reports false for what
// is not an item: a system story, a comment older than horizon, or one the
// user wrote.
func (p *poller) item(t task, s story, horizon time.Time, backfill bool) (inbox.Item, bool) {
	if !s.comment() || s.GID == "" || s.CreatedAt.Before(horizon) {
		return inbox.Item{}, false
	}
	var from inbox.Person
	if s.CreatedBy != nil {
		if s.CreatedBy.GID == p.me.GID {
			return inbox.Item{}, false
		}
		from = inbox.Person{Name: s.CreatedBy.Name, Addr: s.CreatedBy.GID}
	}
	title := strings.TrimSpace(t.Name)
	if title == "" {
		title = "(untitled task)"
	}
	it := inbox.Item{
		ID:       inbox.NewID(p.c.account, s.GID),
		Account:  p.c.account,
		Source:   inbox.SourceAsana,
		Thread:   t.GID,
		Title:    title,
		From:     from,
		Snippet:  snippet(s.Text),
		Body:     strings.TrimSpace(s.Text),
		URL:      t.PermalinkURL,
		Received: s.CreatedAt,
		// Asana's API has no read state for comments: a comment that
		// arrives live is unread; the initial sync's history is not.
		Unread: !backfill,
	}
	if mentions(s, p.me) {
		it.Signals = []inbox.Signal{inbox.SignalMention}
	}
	return it, true
}

// mentions reports whether a comment mentions me: Asana writes a mention
// into html_text as a link carrying the user's gid
// (<a data-asana-gid="…" href="https://app.asana.com/0/profile/…">@Name</a>);
// plain text with "@Name" counts too, for comments written by integrations.
func mentions(s story, me user) bool {
	if me.GID != "" && (strings.Contains(s.HTMLText, `data-asana-gid="`+me.GID+`"`) ||
		strings.Contains(s.HTMLText, `/profile/`+me.GID+`"`)) {
		return true
	}
	name := strings.TrimSpace(me.Name)
	if name == "" {
		return false
	}
	text, at := strings.ToLower(s.Text), "@"+strings.ToLower(name)
	for i := 0; ; {
		j := strings.Index(text[i:], at)
		if j < 0 {
			return false
		}
		end := i + j + len(at)
		if end == len(text) || !isWordRune([]rune(text[end:])[0]) {
			return true
		}
		i = end
	}
}

// isWordRune reports whether r continues a name.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// snippet is a one-line preview: whitespace collapsed, cut to 200 characters.
func snippet(text string) string {
	s := strings.Join(strings.Fields(text), " ")
	if r := []rune(s); len(r) > snippetRunes {
		s = strings.TrimSpace(string(r[:snippetRunes-1])) + "…"
	}
	return s
}
