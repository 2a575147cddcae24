package mailparse

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var originalMessage = regexp.MustCompile(`(?i)^-{3,}\s*(original message|ursprüngliche nachricht)\s*-{3,}$`)

// SnippetLen is the most runes a snippet holds.
const SnippetLen = 200

// snippetScan is how many bytes of a body Snippet looks at.
const snippetScan = 64 << 10

// Snippet is a one-line preview of a plain-text body: quoted lines (">"),
// the "On ... wrote:" line that introduces them, PGP armor, and everything
// after a signature separator ("-- ") or an Outlook "-----Original
// Message-----" line are left out, white space is collapsed and the
// result cut at a word boundary to at most SnippetLen runes. A body that is
// nothing but quotes keeps its quotes rather than showing nothing.
func Snippet(text string) string {
	// A preview needs the start of a body: a long one is read only as far as
	// snippetScan, and lines are kept only until there is enough text.
	if len(text) > snippetScan {
		cut := snippetScan
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var kept []string
	keptBytes := 0
	for i := 0; i < len(lines) && keptBytes < 4*SnippetLen; i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case strings.TrimRight(l, " \t") == "--", // signature
			strings.HasPrefix(t, "---") && originalMessage.MatchString(t), // top-posted reply: the rest is quoted
			t == "-----BEGIN PGP SIGNATURE-----":
			i = len(lines)
			continue
		case t == "-----BEGIN PGP SIGNED MESSAGE-----":
			// Skip the armor and its "Hash:" line.
			for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
				i++
			}
			continue
		case strings.HasPrefix(t, ">"):
			continue
		case (strings.HasSuffix(t, "wrote:") || strings.HasSuffix(t, "said:") || strings.HasSuffix(t, "writes:")) &&
			nextIsQuote(lines[i+1:]):
			continue
		}
		kept = append(kept, t)
		keptBytes += len(t) + 1
	}
	s := collapseSpace(strings.Join(kept, " "))
	if s == "" {
		s = collapseSpace(text)
	}
	return cutWords(s, SnippetLen)
}

// nextIsQuote reports whether the first non-blank line of lines is quoted.
func nextIsQuote(lines []string) bool {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		return strings.HasPrefix(t, ">")
	}
	return false
}

// cutWords cuts s to at most n runes, at a space when one is near the end,
// and marks the cut with an ellipsis.
func cutWords(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-") + "…"
}
