package mailparse

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// BlockedSrcAttr is the attribute Sanitize moves a remote image's address
// to. The reader shows the image only when the user allows remote images for
// the message or sender, by copying it back to src.
const BlockedSrcAttr = "data-lull-src"

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
// blocked (their address kept in BlockedSrcAttr) and counted.
func Sanitize(raw string) Sanitized {
	if strings.TrimSpace(raw) == "" {
		return Sanitized{}
	}
	blockedHTML, n := blockRemote(raw)
	return Sanitized{HTML: policy.Sanitize(blockedHTML), RemoteImages: n}
}

// blockRemote moves remote <img> sources to BlockedSrcAttr and drops remote
// background attributes, counting both. It re-serialises tokens as read, so
// the sanitizer still sees everything else unchanged.
func blockRemote(raw string) (string, int) {
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
		if !hasAttr || (!isImg && !bytes.Contains(bytes.ToLower(raw), []byte("background"))) {
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
			switch {
			case key == BlockedSrcAttr:
				changed = true // a sender cannot pre-fill the unblock slot
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
