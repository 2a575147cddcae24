// Package mailparse turns a raw RFC 822 / MIME message into the fields of an
// inbox.Item. It is lenient the way a mail client must be: mail from the wild
// has broken headers, lying charsets, corrupt base64 and cut-off multiparts,
// and none of that may cost the user the message. Parse always returns what it
// could read; problems come back as a *ParseError beside that partial result.
package mailparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // legacy charsets (ISO-8859-*, windows-125x, KOI8, GB2312, ...)

	"github.com/lullhq/lull/app/inbox"
)

// Limits bound how much of a message Parse reads and walks. A zero field
// takes its default, so Limits{} is the usual value.
type Limits struct {
	// MaxHeader is the most bytes of header block kept (default 256 KiB);
	// the rest of an oversized header is skipped.
	MaxHeader int64
	// MaxBody is the most bytes of raw body read (default 1 MiB); further
	// bytes are read and discarded, and Message.Truncated is set.
	MaxBody int64
	// MaxParts is the most MIME parts walked (default 100).
	MaxParts int
	// MaxDepth is the deepest multipart nesting walked (default 10).
	MaxDepth int
	// MaxInlineImage is the largest image part, decoded, that the HTML may
	// show in place of its cid: reference (default 1 MiB). A larger one
	// stays an attachment and its reference stays cid:, which the reader
	// shows as an empty box; nothing is reported, it is a limit and not
	// damage.
	MaxInlineImage int64
	// MaxInline bounds what inline images add to the HTML (default 4 MiB):
	// the data: URLs of every reference, an image shown twice counted
	// twice, so a message cannot multiply one image into a huge body.
	// Images are taken in the order the HTML first shows them while they
	// fit; the rest are left as for MaxInlineImage.
	MaxInline int64
}

// The defaults for a zero Limits field.
const (
	DefaultMaxHeader = 256 << 10
	DefaultMaxBody   = 1 << 20
	DefaultMaxParts  = 100
	DefaultMaxDepth  = 10

	DefaultMaxInlineImage = 1 << 20
	DefaultMaxInline      = 4 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxHeader <= 0 {
		l.MaxHeader = DefaultMaxHeader
	}
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxInlineImage <= 0 {
		l.MaxInlineImage = DefaultMaxInlineImage
	}
	if l.MaxInline <= 0 {
		l.MaxInline = DefaultMaxInline
	}
	return l
}

// Message is what Parse extracts from one message. Every string is valid UTF-8.
type Message struct {
	From    inbox.Person
	To      []inbox.Person
	Cc      []inbox.Person
	Subject string    // decoded, whitespace collapsed
	Date    time.Time // zero when missing or unparseable

	// MessageID, InReplyTo and References are normalised: no angle
	// brackets, no surrounding space.
	MessageID  string
	InReplyTo  []string
	References []string

	// Text is the plain-text body: the text/plain parts, or text recovered
	// from the HTML part when there is no plain one.
	Text string
	// HTML is the first text/html part as sent. It is NOT sanitized and must
	// go through a sanitizer before it is shown or stored as Item.HTML.
	HTML string
	// Inline are the image parts HTML shows by cid: reference (multipart/
	// related), within Limits.MaxInlineImage and Limits.MaxInline. Item
	// puts them into its HTML as data: URLs, so they show without a
	// network or an attachment store. They are not in Attachments unless
	// they were sent as attachments (Content-Disposition: attachment).
	Inline []InlineImage
	// Snippet is a one-line preview of Text without quotes or signature.
	Snippet string

	// Attachments are the parts shown as files: not the body, not
	// detached signatures, not the images in Inline sent inline.
	Attachments []inbox.Attachment
	// Truncated reports that the body was longer than Limits.MaxBody, so
	// Text, HTML and attachment sizes describe only its first part.
	Truncated bool
}

// InlineImage is an image part of a message that its HTML shows in place.
type InlineImage struct {
	// ContentID is the part's Content-ID as cid: URLs are matched with it:
	// no angle brackets or percent escapes, lower case.
	ContentID string
	// Type is image/png, image/gif, image/jpeg or image/webp, read from the
	// image's own bytes: never SVG, whatever the part claimed.
	Type string
	Data []byte
}

// Item returns the inbox item for m: the email fields filled in, Received
// from the Date header, Thread from ThreadKey and HTML sanitized with its
// inline images as data: URLs. The caller sets what only it knows (Unread,
// URL, a better Received).
func (m Message) Item(account, native string) inbox.Item {
	to := make([]inbox.Person, 0, len(m.To)+len(m.Cc))
	to = append(to, m.To...)
	to = append(to, m.Cc...)
	if len(to) == 0 {
		to = nil
	}
	clean := sanitize(m.HTML, m.Inline)
	return inbox.Item{
		ID:           inbox.NewID(account, native),
		HTML:         clean.HTML,
		RemoteImages: clean.RemoteImages,
		Account:      account,
		Source:       inbox.SourceEmail,
		Thread:       ThreadKey(m),
		Title:        m.Subject,
		From:         m.From,
		To:           to,
		Snippet:      m.Snippet,
		Body:         m.Text,
		Received:     m.Date,
		Attachments:  m.Attachments,
	}
}

// ParseError lists what Parse could not read. Message holds everything it did
// read, the same value Parse returns.
type ParseError struct {
	Message  Message
	Problems []error
}

// Error joins the problems into one line.
func (e *ParseError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return fmt.Sprintf("mailparse: message partly parsed (%d problems): %s", len(e.Problems), strings.Join(msgs, "; "))
}

// Unwrap returns the problems, so errors.Is and errors.As see them.
func (e *ParseError) Unwrap() []error { return e.Problems }

// Parse reads one message from r. It never panics on malformed input and
// always returns the parsed Message; when part of the message could not be
// read the error is a *ParseError naming each problem. r is read to its end
// (bytes beyond Limits.MaxBody are discarded), so Parse can consume a
// message-sized stream such as an IMAP literal.
func Parse(r io.Reader, limits Limits) (Message, error) {
	limits = limits.withDefaults()
	p := &parser{limits: limits}
	m := p.parse(r)
	if len(p.problems) == 0 {
		return m, nil
	}
	return m, &ParseError{Message: m, Problems: p.problems}
}

// parser carries the problems found while parsing one message.
type parser struct {
	limits   Limits
	problems []error
}

func (p *parser) problem(format string, args ...any) {
	p.problems = append(p.problems, fmt.Errorf(format, args...))
}

func (p *parser) parse(r io.Reader) Message {
	var m Message
	br := bufio.NewReader(r)

	h, empty := p.readHeader(br)
	if empty {
		p.problem("empty message")
		return m
	}
	p.headerFields(&m, h)

	body, truncated := p.readBody(br)
	m.Truncated = truncated

	e, err := message.New(h, bytes.NewReader(body))
	if err != nil {
		// The entity is still readable: an unknown transfer encoding leaves
		// the body encoded, an unknown charset leaves it unconverted.
		p.problem("body: %s", entityProblem(h, err))
	}
	w := walker{parser: p, truncated: truncated}
	w.walk(e, 0, "1")
	m.HTML = w.html
	m.Inline, m.Attachments = w.inlineImages(m.HTML)
	m.Text = normaliseText(strings.Join(w.plain, "\n\n"))
	if m.Text == "" && m.HTML != "" {
		m.Text = HTMLToText(m.HTML)
	}
	if m.Text == "" && w.broken {
		// The MIME structure failed before any text came out: the raw body
		// is still better than nothing.
		m.Text = normaliseText(toUTF8(body))
	}
	m.Snippet = Snippet(m.Text)
	return m
}

// readBody reads at most MaxBody bytes of body and discards the rest.
func (p *parser) readBody(br *bufio.Reader) (body []byte, truncated bool) {
	body, err := io.ReadAll(io.LimitReader(br, p.limits.MaxBody))
	if err != nil {
		p.problem("failed to read body: %v", err)
		return body, false
	}
	n, err := io.Copy(io.Discard, br)
	if err != nil && !errors.Is(err, io.EOF) {
		p.problem("failed to read body: %v", err)
	}
	return body, n > 0
}
