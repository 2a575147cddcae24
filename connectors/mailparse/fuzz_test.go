package mailparse

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that no input panics Parse, that everything it returns is
// valid UTF-8 within its bounds, and that an error always carries the same
// partial Message. Seeds are the testdata messages.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	limits := Limits{MaxHeader: 16 << 10, MaxBody: 64 << 10, MaxParts: 50, MaxDepth: 5, MaxInlineImage: 8 << 10, MaxInline: 32 << 10}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(bytes.NewReader(raw), limits)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, want *ParseError: %v", err, err)
			}
			if !reflect.DeepEqual(pe.Message, m) {
				t.Fatal("ParseError.Message differs from the returned Message")
			}
		}
		strs := []string{m.Subject, m.From.Name, m.From.Addr, m.MessageID, m.Text, m.HTML, m.Snippet}
		for _, p := range append(m.To, m.Cc...) {
			strs = append(strs, p.Name, p.Addr)
		}
		for _, a := range m.Attachments {
			strs = append(strs, a.Name)
			if a.Size < 0 {
				t.Fatalf("attachment %q has size %d", a.Name, a.Size)
			}
		}
		strs = append(append(strs, m.InReplyTo...), m.References...)
		for _, s := range strs {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in result: %q", s)
			}
		}
		if n := utf8.RuneCountInString(m.Snippet); n > SnippetLen {
			t.Fatalf("snippet has %d runes", n)
		}
		// Charset conversion can at most triple a byte; parts are joined
		// with blank lines.
		if max := 4*limits.MaxBody + 2*int64(limits.MaxParts); int64(len(m.Text)) > max || int64(len(m.HTML)) > max {
			t.Fatalf("text %d / html %d bytes from a %d-byte body limit", len(m.Text), len(m.HTML), limits.MaxBody)
		}
		// An image sent as an attachment is both listed and inline, so each
		// list is bounded by the parts on its own.
		if len(m.Attachments) > limits.MaxParts || len(m.Inline) > limits.MaxParts {
			t.Fatalf("%d attachments, %d inline images: more than %d parts", len(m.Attachments), len(m.Inline), limits.MaxParts)
		}
		refs, _ := cidRefs(m.HTML)
		var inlined int64
		for _, img := range m.Inline {
			if int64(len(img.Data)) > limits.MaxInlineImage || img.Type == "" || img.Type != imageType(img.Data) || !utf8.ValidString(img.ContentID) {
				t.Fatalf("inline image %q: %s, %d bytes", img.ContentID, img.Type, len(img.Data))
			}
			if refs[img.ContentID] == 0 {
				t.Fatalf("inline image %q is not shown by the HTML", img.ContentID)
			}
			inlined += int64(refs[img.ContentID] * dataURLLen(img.Type, len(img.Data)))
		}
		if inlined > limits.MaxInline {
			t.Fatalf("inline images add %d bytes to the HTML, more than %d", inlined, limits.MaxInline)
		}
		if it := m.Item("fuzz", "1"); !utf8.ValidString(it.HTML) {
			t.Fatalf("invalid UTF-8 in item HTML: %q", it.HTML)
		}
		if ThreadKey(m) == "" {
			t.Fatal("empty thread key")
		}
	})
}
