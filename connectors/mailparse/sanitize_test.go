package mailparse

import (
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
			want: []string{"<p>Hi</p>"},
			gone: []string{"script", "onclick", "javascript:", "alert"},
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

func FuzzSanitize(f *testing.F) {
	f.Add(`<img src="https://a/b"><script>x</script>`)
	f.Add(`<a href="javascript:1" onmouseover=x>y</a>`)
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
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") ||
					((a.Key == "src" || a.Key == "srcset") && remoteURL.MatchString(a.Val)) {
					t.Fatalf("Sanitize(%q) kept %s=%q: %q", in, a.Key, a.Val, out)
				}
			}
		}
	})
}
