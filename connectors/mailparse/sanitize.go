package mailparse

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// BlockedSrcAttr is the attribute Sanitize moves a remote image's address
// to. The reader shows the image only when the user allows remote images for
// the message or sender, by copying it back to src.
const BlockedSrcAttr = "data-lull-src"

// RefusedLinkAttr marks a link whose address Lull will not open: any scheme
// but http, https and mailto, or an address relative to the message. Sanitize
// moves the href off the link and leaves the scheme here ("javascript",
// "relative"), so a click on it can say why nothing happens.
const RefusedLinkAttr = "data-lull-refused"

// Sanitized is an HTML body made safe to show.
type Sanitized struct {
	HTML string
	// RemoteImages counts the remote images (often trackers) that were
	// blocked: <img> sources and background attributes on the network.
	RemoteImages int
}

// safeCSS are the style properties email layouts need. Anything that can
// fetch (background-image, url(), @import) or escape the layout (position)
// is left out.
var safeCSS = []string{
	"color", "background-color", "font", "font-family", "font-size", "font-style",
	"font-weight", "line-height", "text-align", "text-decoration", "text-transform",
	"letter-spacing", "white-space", "vertical-align", "margin", "margin-top",
	"margin-bottom", "margin-left", "margin-right", "padding", "padding-top",
	"padding-bottom", "padding-left", "padding-right", "border", "border-top",
	"border-bottom", "border-left", "border-right", "border-color", "border-width",
	"border-style", "border-radius", "border-collapse", "border-spacing", "width",
	"max-width", "min-width", "height", "max-height", "display", "list-style-type",
}

// cssNoURL matches a style value that fetches nothing.
var cssNoURL = regexp.MustCompile(`^[^()\\]*$|^(rgb|rgba|hsl|hsla)\([0-9.,%\s]*\)$`)

// remoteURL matches addresses the reader would fetch from the network.
var remoteURL = regexp.MustCompile(`(?i)^\s*(https?:)?//`)

// refusedScheme is the value RefusedLinkAttr may take.
var refusedScheme = regexp.MustCompile(`^[a-z][a-z0-9+.-]{0,15}$`)

// urlScheme finds the scheme of a link address once browsers' leniency
// (leading controls and spaces, tabs and newlines anywhere) is undone.
var urlScheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

// newPolicy builds the sanitizer: user-generated-content rules (no scripts,
// no event handlers, no forms, no iframes), plus the presentational markup
// mail needs, inline images only from the message (cid:) or data: URIs.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	p.AllowDataURIImages()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs(BlockedSrcAttr).Matching(remoteURL).OnElements("img")
	p.AllowAttrs(RefusedLinkAttr).Matching(refusedScheme).OnElements("a")
	p.AllowAttrs("align", "valign", "bgcolor", "width", "height", "border",
		"cellpadding", "cellspacing", "color", "face", "size").Globally()
	p.AllowElements("font", "center", "span", "div")
	p.AllowStyles(safeCSS...).MatchingHandler(func(v string) bool {
		return cssNoURL.MatchString(strings.TrimSpace(v))
	}).Globally()
	return p
}

// policy is immutable after construction and safe for concurrent use, so
// one is shared (bluemonday documents Sanitize as goroutine-safe).
var policy = newPolicy()

// Sanitize makes an email's HTML safe to show: scripts, styles sheets, event
// handlers, forms, frames and javascript: links removed; remote images
// blocked (their address kept in BlockedSrcAttr) and counted; links that
// could only be refused marked with RefusedLinkAttr instead of their href.
func Sanitize(raw string) Sanitized {
	return sanitize(raw, nil)
}

// sanitize is Sanitize that first shows the message's own images in place:
// an <img src="cid:..."> naming one of images gets its data: URL.
func sanitize(raw string, images []InlineImage) Sanitized {
	if strings.TrimSpace(raw) == "" {
		return Sanitized{}
	}
	var byID map[string]*inlineURL
	if len(images) > 0 {
		byID = make(map[string]*inlineURL, len(images))
		for i := range images {
			byID[images[i].ContentID] = &inlineURL{img: &images[i]}
		}
	}
	blockedHTML, n := blockRemote(raw, byID)
	return Sanitized{HTML: policy.Sanitize(blockedHTML), RemoteImages: n}
}

// inlineURL is an inline image and, once needed, its data: URL: an image
// shown ten times is encoded once.
type inlineURL struct {
	img *InlineImage
	url string
}

func (u *inlineURL) String() string {
	if u.url == "" {
		u.url = dataURL(u.img.Type, u.img.Data)
	}
	return u.url
}

// dataURL is data in a data: URL of the given type.
func dataURL(mediaType string, data []byte) string {
	var b strings.Builder
	b.Grow(dataURLLen(mediaType, len(data)))
	b.WriteString("data:")
	b.WriteString(mediaType)
	b.WriteString(";base64,")
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	enc.Write(data) // a strings.Builder does not fail
	enc.Close()
	return b.String()
}

// dataURLLen is the length of dataURL(mediaType, data) for n bytes of data.
func dataURLLen(mediaType string, n int) int {
	return len("data:") + len(mediaType) + len(";base64,") + base64.StdEncoding.EncodedLen(n)
}

// cidRef returns the Content-ID an <img> attribute shows, if it is a src
// naming one by a cid: URL (RFC 2392). blockRemote rewrites exactly these,
// and Parse counts them to keep the rewritten HTML within its limit.
func cidRef(isImg bool, key, val string) (string, bool) {
	if !isImg || key != "src" {
		return "", false
	}
	v := strings.TrimSpace(val)
	if len(v) < 4 || !strings.EqualFold(v[:4], "cid:") {
		return "", false
	}
	return normaliseCID(v[4:]), true
}

// mentionsCID reports whether HTML could reference a part by cid: at all.
var mentionsCID = regexp.MustCompile(`(?i)cid:`)

// cidRefs counts the references cidRef finds in html, per Content-ID, and
// lists the ids in the order of their first reference.
func cidRefs(raw string) (map[string]int, []string) {
	if !mentionsCID.MatchString(raw) {
		return nil, nil
	}
	refs := make(map[string]int)
	var order []string
	z := html.NewTokenizer(strings.NewReader(raw))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return refs, order
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr || string(name) != "img" {
			continue
		}
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			if id, ok := cidRef(true, string(k), string(v)); ok {
				if refs[id] == 0 {
					order = append(order, id)
				}
				refs[id]++
			}
		}
	}
}

// normaliseCID is the key a Content-ID header and a cid: URL meet on: no
// angle brackets or percent escapes, lower case (senders disagree on case).
func normaliseCID(id string) string {
	id = strings.TrimSpace(id)
	if strings.Contains(id, "%") {
		if dec, err := url.PathUnescape(id); err == nil {
			id = dec
		}
	}
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	id = strings.TrimSuffix(id, ">")
	return strings.ToLower(strings.TrimSpace(id))
}

// refusal returns the RefusedLinkAttr value for a link address Lull will
// not open, or "" for one it will (http, https, mailto). It reads the
// address as a browser would: leading spaces and controls skipped, tabs and
// newlines anywhere ignored.
func refusal(href string) string {
	href = strings.TrimLeftFunc(href, func(r rune) bool { return r <= ' ' })
	href = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, href)
	m := urlScheme.FindStringSubmatch(href)
	if m == nil {
		return "relative"
	}
	scheme := strings.ToLower(m[1])
	switch scheme {
	case "http", "https", "mailto":
		return ""
	}
	if !refusedScheme.MatchString(scheme) {
		return "other"
	}
	return scheme
}

// blockRemote moves remote <img> sources to BlockedSrcAttr and drops remote
// background attributes, counting both; shows images's cid: sources as data:
// URLs; and moves a link's href it would refuse to RefusedLinkAttr. It
// re-serialises tokens as read, so the sanitizer still sees everything else
// unchanged.
func blockRemote(raw string, images map[string]*inlineURL) (string, int) {
	z := html.NewTokenizer(strings.NewReader(raw))
	var out bytes.Buffer
	out.Grow(len(raw))
	n := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.String(), n
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(z.Raw())
			continue
		}
		// Most tags cannot load anything: copy them as they are, without
		// building a token.
		raw := z.Raw()
		name, hasAttr := z.TagName()
		isImg := string(name) == "img"
		isLink := string(name) == "a"
		if !hasAttr || (!isImg && !isLink && !bytes.Contains(bytes.ToLower(raw), []byte("background"))) {
			out.Write(raw)
			continue
		}
		raw = bytes.Clone(raw)
		tok := html.Token{Type: tt, Data: string(name)}
		changed := false
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			key := string(k)
			val := string(v)
			if id, ok := cidRef(isImg, key, val); ok {
				if u := images[id]; u != nil {
					changed = true
					val = u.String()
				}
			}
			switch {
			case key == BlockedSrcAttr || key == RefusedLinkAttr:
				changed = true // a sender cannot pre-fill the reader's slots
				continue
			case isImg && (key == "src" || key == "srcset") && remoteURL.MatchString(val):
				changed = true
				if key == "src" {
					n++
					tok.Attr = append(tok.Attr, html.Attribute{Key: BlockedSrcAttr, Val: val})
				}
				continue
			case key == "background" && remoteURL.MatchString(val):
				changed = true
				n++
				continue
			case isLink && key == "href":
				if why := refusal(val); why != "" {
					changed = true
					tok.Attr = append(tok.Attr, html.Attribute{Key: RefusedLinkAttr, Val: why})
					continue
				}
			}
			tok.Attr = append(tok.Attr, html.Attribute{Key: key, Val: val})
		}
		if !changed {
			out.Write(raw)
			continue
		}
		out.WriteString(tok.String())
	}
}
