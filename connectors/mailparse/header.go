package mailparse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/lullhq/lull/app/inbox"
)

// readHeader reads the header block up to the first empty line. Lines that
// are neither a field nor a continuation are dropped and reported rather than
// ending the header early, so one broken line does not turn the rest of the
// header into body text. A leading mbox "From " separator is skipped silently.
// empty reports that the input held nothing at all.
func (p *parser) readHeader(br *bufio.Reader) (h message.Header, empty bool) {
	var (
		clean     bytes.Buffer
		size      int64
		inField   bool // a field line has been kept, so continuations may follow
		skipping  bool // the header outgrew MaxHeader; drop lines until its end
		badLines  int
		firstBad  string
		lineCount int
	)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if !errors.Is(err, io.EOF) {
				p.problem("failed to read header: %v", err)
			}
			empty = lineCount == 0
			break
		}
		lineCount++
		size += int64(len(line))
		text := bytes.TrimRight(line, "\r\n")
		if len(text) == 0 {
			break // end of header
		}
		if lineCount == 1 && isMboxFrom(text) {
			continue
		}
		if skipping {
			continue
		}
		if size > p.limits.MaxHeader {
			p.problem("header longer than %d bytes: the rest of it was skipped", p.limits.MaxHeader)
			skipping = true
			continue
		}
		switch {
		case text[0] == ' ' || text[0] == '\t':
			if !inField {
				badLines++
				if firstBad == "" {
					firstBad = string(text)
				}
				continue
			}
		case validFieldLine(text):
			inField = true
		default:
			inField = false
			badLines++
			if firstBad == "" {
				firstBad = string(text)
			}
			continue
		}
		clean.Write(text)
		clean.WriteString("\r\n")
		if err != nil {
			break // header ran to the end of the input
		}
	}
	if badLines > 0 {
		p.problem("header: dropped %d malformed line(s), first %q", badLines, clip(toUTF8([]byte(firstBad)), 60))
	}
	clean.WriteString("\r\n")
	th, err := textproto.ReadHeader(bufio.NewReader(&clean))
	if err != nil {
		p.problem("header: %v", err)
	}
	return message.Header{Header: th}, empty
}

// isMboxFrom reports whether line is an mbox "From sender date" separator
// rather than a "From:" field written with a space before the colon.
func isMboxFrom(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("From "))
	return ok && !bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte(":"))
}

// validFieldLine reports whether line starts a header field: a name of
// printable ASCII other than ':' (RFC 5322 section 2.2), optionally followed
// by blanks, then a colon.
func validFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// headerFields fills the header-derived fields of m.
func (p *parser) headerFields(m *Message, h message.Header) {
	mh := mail.Header{Header: h}

	subject, err := mh.Subject()
	if err != nil {
		p.problem("subject: %v", err)
	}
	m.Subject = collapseSpace(decodeGluedWords(toUTF8([]byte(subject))))

	if from := p.addresses(mh, "From"); len(from) > 0 {
		m.From = from[0]
	}
	m.To = p.addresses(mh, "To")
	m.Cc = p.addresses(mh, "Cc")

	if v := strings.TrimSpace(h.Get("Date")); v != "" {
		d, err := parseDate(v)
		if err != nil {
			p.problem("date %q: %v", clip(toUTF8([]byte(v)), 60), err)
		}
		m.Date = d
	}

	// Message ids are taken leniently: old mailers wrote In-Reply-To as
	// `<id> from "Someone" at date`, and a strict parser would lose the id.
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	m.References = msgIDs(h.Get("References"))
}

// addresses parses an address-list field. When the strict parser fails it
// falls back to picking addresses out by hand and reports the failure.
func (p *parser) addresses(h mail.Header, key string) []inbox.Person {
	// Undeclared 8-bit names are common in old mail and make the strict
	// parser fail, so the field is made UTF-8 first.
	raw := toUTF8([]byte(h.Get(key)))
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	list, err := mail.ParseAddressList(raw)
	if err == nil {
		out := make([]inbox.Person, 0, len(list))
		for _, a := range list {
			out = append(out, inbox.Person{
				Name: collapseSpace(decodeGluedWords(a.Name)),
				Addr: a.Address,
			})
		}
		return out
	}
	out := looseAddresses(raw)
	p.problem("%s %q: %v (%d address(es) recovered)", strings.ToLower(key), clip(raw, 60), err, len(out))
	return out
}

// looseAddresses picks addresses out of a field the strict parser rejects:
// `Name <addr>`, `addr (Name)` and bare `addr`, separated by commas outside
// quotes and angle brackets.
func looseAddresses(raw string) []inbox.Person {
	var out []inbox.Person
	for _, part := range splitAddressList(raw) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var name, addr string
		if lt := strings.LastIndexByte(part, '<'); lt >= 0 {
			if gt := strings.IndexByte(part[lt:], '>'); gt >= 0 {
				addr = part[lt+1 : lt+gt]
				name = part[:lt]
			}
		}
		if addr == "" {
			fields := strings.Fields(part)
			for _, f := range fields {
				if strings.Contains(f, "@") {
					addr = strings.Trim(f, "<>(),;\"'")
					break
				}
			}
			if o, c := strings.IndexByte(part, '('), strings.LastIndexByte(part, ')'); o >= 0 && c > o {
				name = part[o+1 : c]
			}
		}
		name = strings.Trim(strings.TrimSpace(name), `"'`)
		if dec, err := decodeWords(name); err == nil {
			name = dec
		}
		p := inbox.Person{
			Name: collapseSpace(decodeGluedWords(toUTF8([]byte(name)))),
			Addr: strings.TrimSpace(toUTF8([]byte(addr))),
		}
		if p.Addr == "" && p.Name == "" {
			continue
		}
		if p.Addr == "" {
			p.Addr, p.Name = p.Name, ""
		}
		out = append(out, p)
	}
	return out
}

// decodeWords decodes RFC 2047 encoded-words in s, in any charset the
// charset package knows.
func decodeWords(s string) (string, error) {
	dec := mime.WordDecoder{CharsetReader: charset.Reader}
	return dec.DecodeHeader(s)
}

// gluedWord is an RFC 2047 encoded-word anywhere in a string.
var gluedWord = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// DecodeLeftoverWords decodes the RFC 2047 encoded-words left in header
// text that was decoded before this package knew glued words (see
// decodeGluedWords): text already decoded stays as it is, so it is safe to
// run on any subject or display name, and again.
func DecodeLeftoverWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	return collapseSpace(decodeGluedWords(s))
}

// decodeGluedWords decodes the encoded-words a standard decoder leaves
// alone because they touch other text, as in `H=?ISO-8859-1?B?9g==?=hn`
// (RFC 2047 wants whitespace around them, some mailers never did; other mail
// clients show "Höhn"). A word that does not decode stays as it is.
func decodeGluedWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	dec := mime.WordDecoder{CharsetReader: charset.Reader}
	return gluedWord.ReplaceAllStringFunc(s, func(w string) string {
		if d, err := dec.Decode(w); err == nil {
			return toUTF8([]byte(d))
		}
		return w
	})
}

// splitAddressList splits on commas that are outside quotes, comments and
// angle brackets.
func splitAddressList(s string) []string {
	var (
		out    []string
		start  int
		quoted bool
		depth  int // () and <> nesting
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '<':
			depth++
		case (c == ')' || c == '>') && depth > 0:
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

var dateComment = regexp.MustCompile(`\s*\([^)]*\)\s*$`)

// dateLayouts are the shapes net/mail rejects that old mail still uses.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 MST",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 MST",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05", // zone lost (often "(GMT)"): read as UTC
	"2 Jan 2006 15:04:05",
	"Monday, January 2, 2006 15:04:05 -0700",
	time.RFC3339,
}

// parseDate parses a Date field, first as RFC 5322 and then in the shapes
// older mailers wrote.
func parseDate(v string) (time.Time, error) {
	d, err := netmail.ParseDate(v)
	if err == nil {
		return d, nil
	}
	s := collapseSpace(dateComment.ReplaceAllString(v, ""))
	s = strings.TrimSuffix(s, ",")
	if d, err2 := netmail.ParseDate(s); err2 == nil {
		return d, nil
	}
	for _, layout := range dateLayouts {
		if d, err2 := time.Parse(layout, s); err2 == nil {
			return d, nil
		}
	}
	return time.Time{}, err
}

var msgIDPattern = regexp.MustCompile(`<([^<>]+)>`)

// msgIDs returns the message ids in a Message-ID, In-Reply-To or References
// field, normalised, in order, without duplicates. Ids in angle brackets are
// taken wherever they appear; a field with none but a single bare token
// (some mailers drop the brackets) yields that token.
func msgIDs(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range msgIDPattern.FindAllStringSubmatch(v, -1) {
		id := normaliseID(m[1])
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		if f := strings.Fields(v); len(f) == 1 {
			if id := normaliseID(f[0]); id != "" {
				out = append(out, id)
			}
		}
	}
	return out
}

// normaliseID strips angle brackets and white space from a message id (a
// real id has none; folding and some X.400 gateways put it there) and makes it
// valid UTF-8.
func normaliseID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	id = strings.TrimSuffix(id, ">")
	return strings.Join(strings.Fields(toUTF8([]byte(id))), "")
}

// toUTF8 returns b as a string, decoding it as Windows-1252 when it is not
// valid UTF-8: undeclared 8-bit text in mail is nearly always Latin-1 or its
// Windows superset, and Windows-1252 decodes every byte.
func toUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r, err := charset.Reader("windows-1252", bytes.NewReader(b))
	if err == nil {
		if out, err := io.ReadAll(r); err == nil && utf8.Valid(out) {
			return string(out)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// collapseSpace replaces every run of white space with one space and trims.
func collapseSpace(s string) string {
	// Most header values are already tidy: return them without copying.
	tidy := true
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		isSpace := c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
		if c >= 0x80 || (isSpace && (c != ' ' || prevSpace)) {
			tidy = false
			break
		}
		prevSpace = isSpace
	}
	if tidy && !prevSpace {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
