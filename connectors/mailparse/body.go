package mailparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	xhtml "golang.org/x/net/html"

	"github.com/lullhq/lull/app/inbox"
)

// walker collects text and attachments from a MIME tree.
type walker struct {
	*parser
	truncated bool // the body was cut at MaxBody, so a missing end is expected
	cutShort  bool // a part ended without its boundary; the multipart's end error follows from it
	parts     int

	plain       []string
	html        string
	attachments []inbox.Attachment
	// images are the parts the HTML could show in place, by Content-ID as
	// normaliseCID gives it.
	images map[string]imagePart
	// broken is set when a multipart could not be read at all, so the
	// caller may fall back to the raw body.
	broken bool
}

// walk visits e, a part at the given path ("1", "1.2", ...).
func (w *walker) walk(e *message.Entity, depth int, path string) {
	mediaType, params, err := e.Header.ContentType()
	if err != nil && e.Header.Get("Content-Type") != "" {
		w.problem("part %s: content type %q: %v", path, clip(toUTF8([]byte(e.Header.Get("Content-Type"))), 60), err)
	}
	mediaType = strings.ToLower(mediaType)
	if mediaType == "" {
		mediaType = "text/plain" // RFC 2045 section 5.2
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if params["boundary"] == "" {
			w.problem("part %s: %s without a boundary: read as text", path, mediaType)
			w.leaf(e, "text/plain", path)
			return
		}
		if depth >= w.limits.MaxDepth {
			w.problem("part %s: multipart nested deeper than %d: skipped", path, w.limits.MaxDepth)
			return
		}
		w.multipart(e, depth, path)
		return
	}
	w.leaf(e, mediaType, path)
}

func (w *walker) multipart(e *message.Entity, depth int, path string) {
	mr := e.MultipartReader()
	for i := 1; ; i++ {
		child, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return
		}
		childPath := fmt.Sprintf("%s.%d", path, i)
		if child == nil {
			if i == 1 {
				w.broken = true
			}
			if !w.truncated && !w.cutShort {
				w.problem("part %s: failed to read multipart: %v", path, err)
			}
			return
		}
		if err != nil {
			// Unknown charset or transfer encoding: the part is still
			// readable, undecoded.
			w.problem("part %s: %s", childPath, entityProblem(child.Header, err))
		}
		w.parts++
		if w.parts > w.limits.MaxParts {
			w.problem("more than %d MIME parts: the rest were skipped", w.limits.MaxParts)
			return
		}
		w.walk(child, depth+1, childPath)
	}
}

// entityProblem describes the error message.New returns for a readable
// entity: its charset or transfer encoding is unknown.
func entityProblem(h message.Header, err error) string {
	switch {
	case message.IsUnknownCharset(err):
		_, params, _ := h.ContentType()
		return fmt.Sprintf("unknown charset %q: body left unconverted", params["charset"])
	case message.IsUnknownEncoding(err):
		return fmt.Sprintf("unknown transfer encoding %q: body left encoded", h.Get("Content-Transfer-Encoding"))
	}
	return err.Error()
}

// signatureTypes are detached signatures: neither body nor something the
// user thinks of as an attachment.
var signatureTypes = map[string]bool{
	"application/pgp-signature":     true,
	"application/pkcs7-signature":   true,
	"application/x-pkcs7-signature": true,
}

// leaf reads a non-multipart part as body text or an attachment.
func (w *walker) leaf(e *message.Entity, mediaType, path string) {
	data, err := io.ReadAll(e.Body)
	// What was decoded before an error is kept.
	switch {
	case err == nil:
	case errors.Is(err, io.ErrUnexpectedEOF):
		w.cutShort = true
		if !w.truncated {
			w.problem("part %s: body cut short (missing end boundary?): %v", path, err)
		}
	default:
		enc := strings.ToLower(strings.TrimSpace(e.Header.Get("Content-Transfer-Encoding")))
		if enc == "" {
			enc = "7bit"
		}
		w.problem("part %s: failed to decode %s body: %v", path, enc, err)
	}
	if signatureTypes[mediaType] {
		return
	}
	disposition, _, _ := e.Header.ContentDisposition()
	disposition = strings.ToLower(disposition)
	name := w.filename(e, path)

	switch {
	case disposition == "attachment":
	case mediaType == "text/plain":
		w.plain = append(w.plain, toUTF8(data))
		return
	case mediaType == "text/html":
		if w.html == "" {
			w.html = toUTF8(data)
			return
		}
	}
	if name == "" {
		name = mediaType
		if mediaType == "message/rfc822" {
			name = "message.eml"
		}
	}
	w.attachments = append(w.attachments, inbox.Attachment{Name: name, Size: int64(len(data))})
	if id := e.Header.Get("Content-Id"); id != "" && err == nil {
		w.image(id, mediaType, data, disposition == "attachment")
	}
}

// imagePart is an image with a Content-ID, which the HTML may show in place.
type imagePart struct {
	img InlineImage
	// listed is its index in walker.attachments, to take it off the list
	// once the HTML shows it; -1 when it was sent as an attachment and stays.
	listed int
}

// image keeps the part just listed as an attachment for showing in place,
// if it is an image a webview may be handed: small enough, read without
// error, and by its own bytes PNG, GIF, JPEG or WebP.
func (w *walker) image(rawID, mediaType string, data []byte, attached bool) {
	id := normaliseCID(toUTF8([]byte(rawID)))
	if id == "" || int64(len(data)) > w.limits.MaxInlineImage {
		return
	}
	if _, dup := w.images[id]; dup {
		return // the first part with an id is the one it names
	}
	if !strings.HasPrefix(mediaType, "image/") && mediaType != "application/octet-stream" {
		return
	}
	typ := imageType(data)
	if typ == "" {
		return
	}
	listed := len(w.attachments) - 1
	if attached {
		listed = -1
	}
	if w.images == nil {
		w.images = make(map[string]imagePart)
	}
	w.images[id] = imagePart{img: InlineImage{ContentID: id, Type: typ, Data: data}, listed: listed}
}

// imageType is the type of an image by its first bytes, when it is one Parse
// inlines: PNG, GIF, JPEG or WebP. A part's declared type is not trusted.
func imageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "image/gif"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case len(b) >= 16 && bytes.HasPrefix(b, []byte("RIFF")) && bytes.HasPrefix(b[8:], []byte("WEBPVP")):
		return "image/webp"
	}
	return ""
}

// inlineImages picks the kept images that html shows by cid:, in the order
// it first shows them while their data: URLs (one per reference) fit in
// Limits.MaxInline, and returns them with the attachment list without those
// that were only there to be shown.
func (w *walker) inlineImages(html string) ([]InlineImage, []inbox.Attachment) {
	if len(w.images) == 0 || html == "" {
		return nil, w.attachments
	}
	refs, order := cidRefs(html)
	budget := w.limits.MaxInline
	var shown []InlineImage
	drop := make(map[int]bool)
	for _, id := range order {
		part, ok := w.images[id]
		if !ok {
			continue
		}
		cost := int64(refs[id]) * int64(dataURLLen(part.img.Type, len(part.img.Data)))
		if cost > budget {
			continue
		}
		budget -= cost
		shown = append(shown, part.img)
		if part.listed >= 0 {
			drop[part.listed] = true
		}
	}
	if len(drop) == 0 {
		return shown, w.attachments
	}
	var atts []inbox.Attachment
	for i, a := range w.attachments {
		if !drop[i] {
			atts = append(atts, a)
		}
	}
	return shown, atts
}

// filename is the part's file name from Content-Disposition or the older
// Content-Type name parameter, RFC 2047 words decoded.
func (w *walker) filename(e *message.Entity, path string) string {
	_, params, _ := e.Header.ContentDisposition()
	name := params["filename"]
	if name == "" {
		_, params, _ = e.Header.ContentType()
		name = params["name"]
	}
	if strings.Contains(name, "=?") {
		if dec, err := decodeWords(name); err == nil {
			name = dec
		} else {
			w.problem("part %s: file name %q: %v", path, clip(toUTF8([]byte(name)), 60), err)
		}
	}
	return collapseSpace(toUTF8([]byte(name)))
}

// normaliseText turns CRLF into LF, trims trailing blanks from each line and
// blank lines from both ends.
func normaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "-- " { // the signature separator keeps its space
			lines[i] = strings.TrimRight(l, " \t")
		}
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// htmlBlockEnds are the tags whose end (or, for br and hr, whose start)
// breaks a line in the text.
var htmlBlockEnds = map[string]bool{
	"br": true, "hr": true, "p": true, "div": true, "tr": true, "li": true, "blockquote": true,
	"table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}

// htmlSkipped are elements whose content is not text.
var htmlSkipped = map[string]bool{"script": true, "style": true, "head": true, "title": true}

// HTMLToText is a crude conversion of HTML mail to plain text for previews and
// search: scripts, styles and comments go, block ends become line breaks,
// other tags are dropped and entities decoded. It is not a sanitizer and its
// output is never rendered as HTML. It is one linear pass of the HTML
// tokenizer: mail HTML can be large and arbitrarily malformed.
func HTMLToText(s string) string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s) / 2)
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return tidyText(b.String())
		case xhtml.TextToken:
			if skip == 0 {
				// The source's own line breaks are layout, not text.
				b.WriteString(strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' {
						return ' '
					}
					return r
				}, string(z.Text())))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch {
			case htmlSkipped[tag] && tt == xhtml.StartTagToken:
				skip++
			case tag == "br" || tag == "hr":
				b.WriteByte('\n')
			case tag == "li":
				b.WriteString("\n• ")
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch {
			case htmlSkipped[tag]:
				skip = max(0, skip-1)
			case htmlBlockEnds[tag] && tag != "br" && tag != "hr":
				b.WriteByte('\n')
			}
		}
	}
}

// tidyText finishes HTMLToText: runs of blanks become one space, each
// line is trimmed, and at most one empty line separates two lines of text.
func tidyText(s string) string {
	var out strings.Builder
	out.Grow(len(s))
	var line strings.Builder
	blank := 0 // empty lines pending
	wrote := false
	flush := func() {
		l := strings.TrimSpace(line.String())
		line.Reset()
		if l == "" {
			blank++
			return
		}
		if wrote {
			out.WriteByte('\n')
			if blank > 0 {
				out.WriteByte('\n')
			}
		}
		out.WriteString(l)
		wrote = true
		blank = 0
	}
	space := false
	for _, r := range s {
		switch r {
		case '\n':
			flush()
			space = false
			continue
		case '\r', ' ', '\t', '\f', '\v', '\u00a0':
			space = true
			continue
		}
		if space {
			line.WriteByte(' ')
			space = false
		}
		line.WriteRune(r)
	}
	flush()
	return out.String()
}
