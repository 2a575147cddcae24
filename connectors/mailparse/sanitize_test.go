package mailparse

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		want       []string // substrings the output keeps
		gone       []string // substrings the output must not have
		remoteImgs int
	}{
		{name: "empty", in: "  ", remoteImgs: 0},
		{
			name: "script and handlers",
			in:   `<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a>`,
			want: []string{"<p>Hi</p>", `<a data-lull-refused="javascript">x</a>`},
			gone: []string{"<script", "onclick", "javascript:", "alert", "href"},
		},
		{
			name:       "remote image blocked and kept for unblocking",
			in:         `<img src="https://t.example/pixel.gif?u=1" width="1" height="1"><img src="cid:logo@x">`,
			want:       []string{`data-lull-src="https://t.example/pixel.gif?u=1"`, `src="cid:logo@x"`},
			gone:       []string{` src="https://`},
			remoteImgs: 1,
		},
		{
			name:       "protocol-relative and background count",
			in:         `<table background="http://x.example/bg.png"><tr><td><img src="//x.example/a.png" srcset="https://x.example/b.png 2x"></td></tr></table>`,
			gone:       []string{"bg.png", ` src="//`, "srcset"},
			remoteImgs: 2,
		},
		{
			name: "sender cannot prefill the unblock slot",
			in:   `<img data-lull-src="https://evil.example/x.png" src="data:image/png;base64,iVBORw0KGgo=">`,
			want: []string{`src="data:image/png;base64,iVBORw0KGgo="`},
			gone: []string{"evil.example"},
		},
		{
			name: "safe inline styles stay, fetching ones go",
			in:   `<div style="color: #333; background-image: url(https://t.example/a); position: fixed">x</div><span style="width: expression(alert(1))">y</span>`,
			want: []string{"color: #333"},
			gone: []string{"url(", "position", "expression"},
		},
		{
			name: "forms frames and objects removed",
			in:   `<form action="https://x"><input name=p></form><iframe src="https://x"></iframe><object data="x"></object><style>body{}</style>ok`,
			want: []string{"ok"},
			gone: []string{"<form", "<input", "<iframe", "<object", "<style"},
		},
		{
			name: "links that would be refused say why instead of keeping their href",
			in: `<a href=" &#x09;jav&#x0A;ascript:alert(1)">a</a><a href="#top">b</a><a href="/x">c</a>` +
				`<a href="cid:part@x">d</a><a href="data:text/html,<script>x</script>">e</a><a href="file:///etc/passwd">f</a>` +
				`<a href="verylongschemename0123456789:x">g</a><a name="plain">h</a>`,
			want: []string{`data-lull-refused="javascript">a<`, `data-lull-refused="relative">b<`, `data-lull-refused="relative">c<`,
				`data-lull-refused="cid">d<`, `data-lull-refused="data">e<`, `data-lull-refused="file">f<`, `data-lull-refused="other">g<`},
			gone: []string{"href", "alert", "passwd", "<script"},
		},
		{
			name: "sender cannot prefill the refused mark",
			in:   `<a href="https://example.com/" data-lull-refused="javascript">ok</a><p data-lull-refused="x">p</p>`,
			want: []string{`href="https://example.com/"`},
			gone: []string{"data-lull-refused"},
		},
		{
			name: "links open safely",
			in:   `<a href="https://example.com/a">a</a> <a href="mailto:a@b.c">m</a>`,
			want: []string{`rel="nofollow noreferrer noopener"`, `target="_blank"`, `href="mailto:a@b.c"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sanitize(tc.in)
			if got.RemoteImages != tc.remoteImgs {
				t.Errorf("RemoteImages = %d, want %d (html %q)", got.RemoteImages, tc.remoteImgs, got.HTML)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.HTML, w) {
					t.Errorf("output lacks %q:\n%s", w, got.HTML)
				}
			}
			for _, g := range tc.gone {
				if strings.Contains(got.HTML, g) {
					t.Errorf("output still has %q:\n%s", g, got.HTML)
				}
			}
		})
	}
}

func TestItemCarriesSanitizedHTML(t *testing.T) {
	m := Message{HTML: `<p>Hello<script>x()</script><img src="https://t.example/p.gif"></p>`}
	it := m.Item("acct", "1")
	if strings.Contains(it.HTML, "script") || it.RemoteImages != 1 || !strings.Contains(it.HTML, "Hello") {
		t.Fatalf("Item HTML not sanitized: %q remote=%d", it.HTML, it.RemoteImages)
	}
}

func TestSanitizeInline(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nrest")
	images := []InlineImage{{ContentID: "logo@x", Type: "image/png", Data: png}}
	in := `<img src="CID:Logo@X" alt="logo"><img src="cid:other@x"><img src="https://t.example/p.gif">` +
		`<a href="cid:logo@x">l</a><img data-lull-src="cid:logo@x">`
	got := sanitize(in, images)
	want := `<img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(png) + `" alt="logo">`
	if !strings.Contains(got.HTML, want) {
		t.Errorf("HTML lacks %s:\n%s", want, got.HTML)
	}
	for _, s := range []string{`src="cid:other@x"`, `data-lull-src="https://t.example/p.gif"`, `data-lull-refused="cid"`} {
		if !strings.Contains(got.HTML, s) {
			t.Errorf("HTML lacks %s:\n%s", s, got.HTML)
		}
	}
	if strings.Count(got.HTML, "data:image") != 1 || got.RemoteImages != 1 {
		t.Errorf("HTML %s, %d remote images", got.HTML, got.RemoteImages)
	}
	if Sanitize(in).HTML == got.HTML || strings.Contains(Sanitize(in).HTML, "data:") {
		t.Error("Sanitize without images inlined something")
	}
}

func TestRefusal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/", ""},
		{"HTTP://example.com/", ""},
		{"mailto:a@example.com", ""},
		{"  \x01https://example.com/", ""},
		{"ht\ttps://example.com/", ""},
		{"javascript:alert(1)", "javascript"},
		{" \tJaVa\nScRiPt:alert(1)", "javascript"},
		{"vbscript:msgbox", "vbscript"},
		{"data:text/html,x", "data"},
		{"#top", "relative"},
		{"", "relative"},
		{"//evil.example/", "relative"},
		{"x-very-long-scheme-name:1", "other"},
	}
	for _, tt := range tests {
		if got := refusal(tt.in); got != tt.want {
			t.Errorf("refusal(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add(`<img src="https://a/b"><script>x</script>`)
	f.Add(`<a href="javascript:1" onmouseover=x>y</a>`)
	f.Add(`<a href=" &#x09;java&#x0A;script:1">y</a><a href="#x">z</a><img src="cid:a@x">`)
	f.Add(`<svg><script>alert(1)</script></svg><math><mi xlink:href="javascript:1">`)
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in).HTML
		z := html.NewTokenizer(strings.NewReader(out))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "form", "style":
				t.Fatalf("Sanitize(%q) kept <%s>: %q", in, tok.Data, out)
			}
			for _, a := range tok.Attr {
				if tok.Data == "a" && a.Key == "href" && refusal(a.Val) != "" {
					t.Fatalf("Sanitize(%q) kept a link Lull refuses: %q", in, out)
				}
				if a.Key == RefusedLinkAttr && !refusedScheme.MatchString(a.Val) {
					t.Fatalf("Sanitize(%q) wrote %s=%q", in, a.Key, a.Val)
				}
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") ||
					((a.Key == "src" || a.Key == "srcset") && remoteURL.MatchString(a.Val)) {
					t.Fatalf("Sanitize(%q) kept %s=%q: %q", in, a.Key, a.Val, out)
				}
			}
		}
	})
}
