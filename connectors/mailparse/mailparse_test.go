package mailparse

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lullhq/lull/app/inbox"
)

func parseFile(t *testing.T, name string) (Message, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Parse(f, Limits{})
}

func TestParse(t *testing.T) {
	ada := inbox.Person{Name: "Ada", Addr: "ada@example.org"}
	tests := []struct {
		file        string
		subject     string
		from        inbox.Person
		to, cc      []inbox.Person
		date        string // RFC 3339, "" for none
		messageID   string
		inReplyTo   []string
		references  []string
		thread      string
		text        string // exact
		snippet     string // exact
		html        string // substring
		attachments []inbox.Attachment
		problems    []string // substrings of the error; none means no error
	}{
		{
			file:       "plain.eml",
			subject:    "Re: Re: [engines] Notes on the Analytical Engine",
			from:       inbox.Person{Name: "Ada Lovelace", Addr: "ada@example.org"},
			to:         []inbox.Person{{Name: "Charles Babbage", Addr: "charles@example.org"}, {Addr: "team@example.org"}},
			cc:         []inbox.Person{{Name: "Menabrea, Luigi", Addr: "luigi@example.it"}},
			date:       "2002-08-20T09:14:03+01:00",
			messageID:  "note-g@example.org",
			inReplyTo:  []string{"note-f@example.org"},
			references: []string{"note-a@example.org", "note-f@example.org"},
			thread:     "note-a@example.org",
			text: "On Mon, 19 Aug 2002, Charles Babbage wrote:\n> Can the engine compute Bernoulli numbers?\n> I doubt it.\n\n" +
				"It can. Note G has the full table of operations;\nI have checked every   step twice.\n\n-- \nAda\nSent from my difference engine",
			snippet: "It can. Note G has the full table of operations; I have checked every step twice.",
		},
		{
			file:      "mbox-from.eml",
			subject:   "mbox separator first",
			from:      inbox.Person{Name: "Ada Lovelace", Addr: "ada@example.org"},
			to:        []inbox.Person{{Addr: "charles@example.org"}},
			date:      "2002-08-20T09:14:03+01:00",
			messageID: "mbox-1@example.org",
			thread:    "mbox-1@example.org",
			text:      "The first line of this file is an mbox \"From \" separator, as in the\nSpamAssassin corpus.",
			snippet:   "The first line of this file is an mbox \"From \" separator, as in the SpamAssassin corpus.",
		},
		{
			file:      "alternative-qp.eml",
			subject:   "Café meeting — Thursday",
			from:      inbox.Person{Name: "Grace Hopper", Addr: "grace@example.com"},
			to:        []inbox.Person{{Addr: "ada@example.org"}},
			date:      "2002-08-21T10:00:00-04:00",
			messageID: "alt-1@example.com",
			thread:    "alt-1@example.com",
			text:      "Let's meet at the café on Thursday at 10:30. I'll bring the compiler notes.",
			snippet:   "Let's meet at the café on Thursday at 10:30. I'll bring the compiler notes.",
			html:      "<b>café</b>",
		},
		{
			file:      "html-only.eml",
			subject:   "Weekly digest",
			from:      inbox.Person{Name: "News", Addr: "news@example.net"},
			to:        []inbox.Person{{Addr: "ada@example.org"}},
			date:      "2002-08-22T06:00:00Z",
			messageID: "digest-34@example.net",
			thread:    "digest-34@example.net",
			text:      "This week\nFish & chips — café opening.\n\n• First item\n\n• Second item",
			snippet:   "This week Fish & chips — café opening. • First item • Second item",
			html:      "<script>",
		},
		{
			file:      "attachment.eml",
			subject:   "Draft contract",
			from:      inbox.Person{Name: "Linus", Addr: "linus@example.com"},
			to:        []inbox.Person{{Addr: "ada@example.org"}},
			date:      "2002-08-23T12:00:00+02:00",
			messageID: "att-1@example.com",
			thread:    "att-1@example.com",
			text:      "Contract attached, see section 4.",
			snippet:   "Contract attached, see section 4.",
			// The detached PGP signature is neither body nor attachment.
			attachments: []inbox.Attachment{{Name: "Verträge.pdf", Size: 240}, {Name: "message.eml", Size: 51}},
		},
		{
			file:      "latin1-qp.eml",
			subject:   "Información del pedido",
			from:      inbox.Person{Name: "José Martínez", Addr: "jose@example.es"},
			to:        []inbox.Person{{Addr: "ada@example.org"}},
			date:      "2002-08-24T08:30:00+02:00",
			messageID: "latin1-1@example.es",
			thread:    "latin1-1@example.es",
			text:      "El pedido está listo. Gracias por su atención.",
			snippet:   "El pedido está listo. Gracias por su atención.",
		},
		{
			file:      "undeclared-8bit.eml",
			subject:   "Résumé attached",
			from:      inbox.Person{Name: "René", Addr: "rene@example.fr"},
			to:        []inbox.Person{{Addr: "ada@example.org"}},
			date:      "2002-08-25T18:00:00+02:00",
			messageID: "8bit-1@example.fr",
			thread:    "8bit-1@example.fr",
			text:      "Voilà mon résumé, sans charset déclaré.",
			snippet:   "Voilà mon résumé, sans charset déclaré.",
		},
		{
			file:      "outlook-reply.eml",
			subject:   "RE: Java is for kiddies",
			from:      inbox.Person{Name: "Reza B'Far (eBuilt)", Addr: "rbfar@example.com"},
			to:        []inbox.Person{{Addr: "fork@example.com"}},
			date:      "2002-09-02T11:48:36-07:00",
			messageID: "NCBB.rbfar@example.com",
			inReplyTo: []string{"20020902095455.EDC5@example.ch"},
			thread:    "20020902095455.EDC5@example.ch",
			text: "Mostly agree; the JIT closes most of the gap.\n\n-----Original Message-----\nFrom: fork-admin@example.com\n" +
				"Sent: Monday, September 02, 2002 2:55 AM\nSubject: RE: Java is for kiddies\n\nJava is slow.",
			snippet: "Mostly agree; the JIT closes most of the gap.",
		},
		{
			file:    "no-ids.eml",
			subject: "Fwd: RE: [team] Lunch plans",
			from:    ada,
			to:      []inbox.Person{{Addr: "charles@example.org"}},
			date:    "2002-09-01T12:00:00Z",
			thread:  "subject:" + shortHash("lunch plans"),
			text:    "No message id here.",
			snippet: "No message id here.",
		},
		{
			file:    "headers-only.eml",
			subject: "No body at all",
			from:    ada,
			date:    "2002-08-31T09:00:00Z",
			thread:  "subject:" + shortHash("no body at all"),
		},

		// Malformed: each still yields the message, plus a ParseError.
		{
			file:      "bad-headers.eml",
			subject:   "Still readable",
			from:      inbox.Person{Name: "Broken Mailer", Addr: "broken@example.com"},
			to:        []inbox.Person{{Name: "Unclosed", Addr: "ada@example.org"}},
			messageID: "bad-1@example.com",
			inReplyTo: []string{"parent-1@example.com"},
			thread:    "parent-1@example.com",
			text:      "The body survives.",
			snippet:   "The body survives.",
			problems: []string{
				`header: dropped 3 malformed line(s), first " leading continuation line"`,
				`to "\"Unclosed <ada@example.org>, , bob@example.org (Bob"`,
				`date "sometime last tuesday"`,
			},
		},
		{
			file:      "bad-base64.eml",
			subject:   "Corrupt base64",
			from:      ada,
			to:        []inbox.Person{{Addr: "charles@example.org"}},
			date:      "2002-08-26T09:00:00Z",
			messageID: "b64-1@example.org",
			thread:    "b64-1@example.org",
			text:      "The first line decodes fine.\nAnd so does this one!",
			snippet:   "The first line decodes fine. And so does this one!",
			problems:  []string{"part 1: failed to decode base64 body: illegal base64 data"},
		},
		{
			file:      "unknown-charset.eml",
			subject:   "=?x-klingon?q?Qapla=27?= status",
			from:      inbox.Person{Name: "Worf", Addr: "worf@example.com"},
			to:        []inbox.Person{{Addr: "ada@example.org"}},
			date:      "2002-08-27T09:00:00Z",
			messageID: "klingon-1@example.com",
			thread:    "klingon-1@example.com",
			text:      "Today is a good day to ship.",
			snippet:   "Today is a good day to ship.",
			problems:  []string{"subject: unknown charset", `body: unknown charset "x-klingon": body left unconverted`},
		},
		{
			file:      "unknown-encoding.eml",
			subject:   "Unknown transfer encoding",
			from:      ada,
			to:        []inbox.Person{{Addr: "charles@example.org"}},
			date:      "2002-08-30T09:00:00Z",
			messageID: "uue-1@example.org",
			thread:    "uue-1@example.org",
			text:      "Gur obql vf fgvyy urer.",
			snippet:   "Gur obql vf fgvyy urer.",
			problems:  []string{`body: unknown transfer encoding "x-rot13": body left encoded`},
		},
		{
			file:        "truncated-multipart.eml",
			subject:     "Cut off in transit",
			from:        ada,
			to:          []inbox.Person{{Addr: "charles@example.org"}},
			date:        "2002-08-28T09:00:00Z",
			messageID:   "trunc-1@example.org",
			thread:      "trunc-1@example.org",
			text:        "The text part arrived whole.",
			snippet:     "The text part arrived whole.",
			attachments: []inbox.Attachment{{Name: "data.bin", Size: 9}},
			problems:    []string{"part 1.2: body cut short"},
		},
		{
			file:      "no-boundary.eml",
			subject:   "Multipart without boundary",
			from:      ada,
			to:        []inbox.Person{{Addr: "charles@example.org"}},
			date:      "2002-08-29T09:00:00Z",
			messageID: "nob-1@example.org",
			thread:    "nob-1@example.org",
			text:      "Plain words inside a multipart that forgot its boundary.",
			snippet:   "Plain words inside a multipart that forgot its boundary.",
			problems:  []string{"part 1: multipart/mixed without a boundary"},
		},
		{
			file:     "empty.eml",
			thread:   ThreadKey(Message{}),
			problems: []string{"empty message"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := parseFile(t, tt.file)
			checkProblems(t, m, err, tt.problems)
			if m.Subject != tt.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tt.subject)
			}
			if m.From != tt.from {
				t.Errorf("From = %+v, want %+v", m.From, tt.from)
			}
			if !samePeople(m.To, tt.to) || !samePeople(m.Cc, tt.cc) {
				t.Errorf("To, Cc = %+v, %+v; want %+v, %+v", m.To, m.Cc, tt.to, tt.cc)
			}
			var date string
			if !m.Date.IsZero() {
				date = m.Date.Format(time.RFC3339)
			}
			if date != tt.date {
				t.Errorf("Date = %q, want %q", date, tt.date)
			}
			if m.MessageID != tt.messageID || !reflect.DeepEqual(m.InReplyTo, tt.inReplyTo) || !reflect.DeepEqual(m.References, tt.references) {
				t.Errorf("ids = %q %q %q, want %q %q %q", m.MessageID, m.InReplyTo, m.References, tt.messageID, tt.inReplyTo, tt.references)
			}
			if got := ThreadKey(m); got != tt.thread {
				t.Errorf("ThreadKey = %q, want %q", got, tt.thread)
			}
			if m.Text != tt.text {
				t.Errorf("Text = %q, want %q", m.Text, tt.text)
			}
			if m.Snippet != tt.snippet {
				t.Errorf("Snippet = %q, want %q", m.Snippet, tt.snippet)
			}
			if (tt.html == "") != (m.HTML == "") || !strings.Contains(m.HTML, tt.html) {
				t.Errorf("HTML = %q, want it to contain %q", m.HTML, tt.html)
			}
			if !reflect.DeepEqual(m.Attachments, tt.attachments) {
				t.Errorf("Attachments = %+v, want %+v", m.Attachments, tt.attachments)
			}
			if m.Truncated {
				t.Error("Truncated set on a small message")
			}
		})
	}
}

// checkProblems checks err against the wanted problems and that a
// ParseError carries the same Message Parse returned.
func checkProblems(t *testing.T, m Message, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v, want a *ParseError", err)
	}
	if !reflect.DeepEqual(pe.Message, m) {
		t.Errorf("ParseError.Message differs from the returned Message")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if len(pe.Problems) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(pe.Problems), len(want), err)
	}
}

func samePeople(a, b []inbox.Person) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func TestParseLimits(t *testing.T) {
	head := "From: a@example.org\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n"
	body := strings.Repeat("0123456789abcdef\r\n", 10000) // 180 kB
	tests := []struct {
		name      string
		maxBody   int64
		truncated bool
	}{
		{"under the limit", 1 << 20, false},
		{"over the limit", 4096, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := strings.NewReader(head + body + "tail")
			m, err := Parse(r, Limits{MaxBody: tt.maxBody})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if m.Truncated != tt.truncated {
				t.Errorf("Truncated = %v, want %v", m.Truncated, tt.truncated)
			}
			if int64(len(m.Text)) > tt.maxBody {
				t.Errorf("Text is %d bytes, more than the %d-byte limit", len(m.Text), tt.maxBody)
			}
			if r.Len() != 0 {
				t.Errorf("%d bytes left unread; Parse must drain its input", r.Len())
			}
		})
	}
}

func TestParseLimitsParts(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Subject: many parts\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
	for i := 0; i < 20; i++ {
		b.WriteString("--x\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n")
	}
	b.WriteString("--x--\r\n")
	m, err := Parse(&b, Limits{MaxParts: 5})
	if err == nil || !strings.Contains(err.Error(), "more than 5 MIME parts") {
		t.Errorf("error = %v, want the part limit reported", err)
	}
	if len(m.Attachments) != 5 {
		t.Errorf("%d attachments, want 5", len(m.Attachments))
	}
	if m.Subject != "many parts" {
		t.Errorf("Subject = %q", m.Subject)
	}
}

func TestParseHeaderLimit(t *testing.T) {
	in := "Subject: kept\r\nX-Big: " + strings.Repeat("y", 5000) + "\r\nFrom: late@example.org\r\n\r\nbody\r\n"
	m, err := Parse(strings.NewReader(in), Limits{MaxHeader: 1024})
	if err == nil || !strings.Contains(err.Error(), "header longer than 1024 bytes") {
		t.Errorf("error = %v, want the header limit reported", err)
	}
	if m.Subject != "kept" || m.Text != "body" || m.From.Addr != "" {
		t.Errorf("got Subject %q, Text %q, From %+v", m.Subject, m.Text, m.From)
	}
}

type failingReader struct{ r io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset")
	}
	return n, err
}

func TestParseReadError(t *testing.T) {
	in := "Subject: half\r\n\r\nsome text"
	m, err := Parse(&failingReader{strings.NewReader(in)}, Limits{})
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("error = %v, want the read error", err)
	}
	if m.Subject != "half" || m.Text != "some text" {
		t.Errorf("got %q / %q, want what was read before the error", m.Subject, m.Text)
	}
}

func TestMessageItem(t *testing.T) {
	m, err := parseFile(t, "plain.eml")
	if err != nil {
		t.Fatal(err)
	}
	it := m.Item("work", "email/note-g@example.org")
	if err := it.Validate(); err != nil {
		t.Fatal(err)
	}
	if it.ID != "work/email/note-g@example.org" || it.Source != inbox.SourceEmail || it.Thread != "note-a@example.org" ||
		it.Title != m.Subject || len(it.To) != 3 || !it.Received.Equal(m.Date) {
		t.Errorf("Item = %+v", it)
	}
}

func TestThreadKey(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"references win", Message{References: []string{"<root@x>", "mid@x"}, InReplyTo: []string{"mid@x"}, MessageID: "me@x"}, "root@x"},
		{"in-reply-to next", Message{InReplyTo: []string{" <parent@x> "}, MessageID: "me@x"}, "parent@x"},
		{"own id", Message{MessageID: "<me@x>"}, "me@x"},
		{"blank ids skipped", Message{References: []string{" "}, MessageID: "me@x"}, "me@x"},
		{"subject", Message{Subject: "Plans"}, "subject:" + shortHash("plans")},
		{"reply prefixes", Message{Subject: "Re: RE: Fwd: [list] Re[2]: AW:  Plans"}, "subject:" + shortHash("plans")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ThreadKey(tt.m); got != tt.want {
				t.Errorf("ThreadKey = %q, want %q", got, tt.want)
			}
		})
	}
	a := ThreadKey(Message{From: inbox.Person{Addr: "a@x"}, Text: "one"})
	b := ThreadKey(Message{From: inbox.Person{Addr: "a@x"}, Text: "two"})
	if a == b {
		t.Error("messages with no ids and no subject share a thread key")
	}
}

func TestNormalizeSubject(t *testing.T) {
	tests := map[string]string{
		"Re: Plans":                   "plans",
		"RE: re: Fwd:  FW: Plans":     "plans",
		"[SAtalk] Re: [SAtalk] Plans": "plans",
		"Re[3]: Plans":                "plans",
		"AW: SV: WG: Plans":           "plans",
		"Rebase plans":                "rebase plans",
		"Re:":                         "",
		"  Fwd:   The   Plan  ":       "the plan",
	}
	for in, want := range tests {
		if got := NormalizeSubject(in); got != want {
			t.Errorf("NormalizeSubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name, text, want string
	}{
		{"collapses space", "  a\n\n b\t c  ", "a b c"},
		{"skips quotes", "> quoted\nreply\n  > indented quote", "reply"},
		{"skips attribution", "On Monday Bob wrote:\n> hi\nhello", "hello"},
		{"keeps a wrote: line without quote", "Bob wrote: a book", "Bob wrote: a book"},
		{"stops at signature", "text\n-- \nsig", "text"},
		{"stops at trimmed signature", "text\n--\nsig", "text"},
		{"stops at original message", "top\n-----Original Message-----\nFrom: x", "top"},
		{"skips pgp armor", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA1\n\nsigned text\n-----BEGIN PGP SIGNATURE-----\nxyz", "signed text"},
		{"all quoted falls back", "> only\n> quotes", "> only > quotes"},
		{"cuts at a word", long, strings.TrimSpace(strings.Repeat("word ", 39)) + "…"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet(tt.text)
			if got != tt.want {
				t.Errorf("Snippet = %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > SnippetLen {
				t.Errorf("snippet has %d runes, more than %d", n, SnippetLen)
			}
		})
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>One</p><p>Two</p>", "One\nTwo"},
		{"a<br>b<BR/>c", "a\nb\nc"},
		{"<style>x{}</style><script>evil()</script>ok", "ok"},
		{"<a href=\"x\">link</a> &amp; &lt;tag&gt; &#233;", "link & <tag> é"},
		{"<!-- c --><div>x</div>\n\n\n\n<div>y</div>", "x\ny"},
		{"<ul><li>a</li><li>b</li></ul>", "• a\n\n• b"},
		{"no tags\nbut newlines", "no tags but newlines"},
	}
	for _, tt := range tests {
		if got := HTMLToText(tt.in); got != tt.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMsgIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"<a@x>", []string{"a@x"}},
		{"<a@x>\r\n <b@x>\t<a@x>", []string{"a@x", "b@x"}},
		{`<a@x> from "Bob" at Aug 20`, []string{"a@x"}},
		{"bare@x", []string{"bare@x"}},
		{"Your message of Tue", nil},
		{`<"0208 6*/PN=Robin/O=BAe"@MHS>`, []string{`"02086*/PN=Robin/O=BAe"@MHS`}},
	}
	for _, tt := range tests {
		if got := msgIDs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("msgIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Thu, 22 Aug 2002 18:26:25 +0700", "2002-08-22T18:26:25+07:00"},
		{"Thu, 22 Aug 2002 18:26:25 +0700 (ICT)", "2002-08-22T18:26:25+07:00"},
		{"Mon, 16 Sep 2002 03:27:38 (GMT)", "2002-09-16T03:27:38Z"},
		{"Thu Aug 22 12:36:23 2002", "2002-08-22T12:36:23Z"},
		{"22 Aug 2002 12:36:23 -0400", "2002-08-22T12:36:23-04:00"},
	}
	for _, tt := range tests {
		d, err := parseDate(tt.in)
		if err != nil {
			t.Errorf("parseDate(%q): %v", tt.in, err)
			continue
		}
		if got := d.Format(time.RFC3339); got != tt.want {
			t.Errorf("parseDate(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, err := parseDate("next tuesday"); err == nil {
		t.Error("parseDate accepted nonsense")
	}
}

func TestDecodeGluedWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"David H=?ISO-8859-1?B?9g==?=hn", "David Höhn"},
		{"Caf=?utf-8?q?=C3=A9?=s open", "Cafés open"},
		{"=?utf-8?q?Ren=C3=A9?=", "René"},
		{"no words here", "no words here"},
		{"a=?bogus?x?zz?=b", "a=?bogus?x?zz?=b"},                       // not an encoding: kept
		{"x=?no-such-charset?q?abc?=y", "x=?no-such-charset?q?abc?=y"}, // unknown charset: kept
		{"1+1=?", "1+1=?"},
	}
	for _, tt := range tests {
		if got := decodeGluedWords(tt.in); got != tt.want {
			t.Errorf("decodeGluedWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Through the whole parser: the strict address parser and the subject.
	raw := "From: David H=?ISO-8859-1?B?9g==?=hn <david@example.org>\r\n" +
		"Subject: Re: Caf=?utf-8?q?=C3=A9?=s\r\nMessage-ID: <g@example.org>\r\n\r\nHi\r\n"
	m, err := Parse(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "David Höhn" || m.Subject != "Re: Cafés" {
		t.Fatalf("From %+v, Subject %q", m.From, m.Subject)
	}
}

func TestLooseAddresses(t *testing.T) {
	tests := []struct {
		in   string
		want []inbox.Person
	}{
		{`"Doe, Jane" <jane@x>, bob@x (Bob Smith)`, []inbox.Person{{Name: "Doe, Jane", Addr: "jane@x"}, {Name: "Bob Smith", Addr: "bob@x"}}},
		{`=?utf-8?q?Ren=C3=A9?= <rene@x>`, []inbox.Person{{Name: "René", Addr: "rene@x"}}},
		{`undisclosed-recipients:;`, nil},
		{`team: a@x, "B" <b@x>;`, []inbox.Person{{Addr: "a@x"}, {Name: "B", Addr: "b@x"}}},
		{` , `, nil},
	}
	for _, tt := range tests {
		if got := looseAddresses(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("looseAddresses(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestInlineImages(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
	// related builds a multipart/related message: html, then each part
	// (headers, then a base64 body) in order.
	related := func(html string, parts ...[2]string) string {
		var b strings.Builder
		b.WriteString("Subject: related\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n")
		b.WriteString(html)
		for _, p := range parts {
			b.WriteString("\r\n--r\r\n" + p[0] + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + p[1])
		}
		b.WriteString("\r\n--r--\r\n")
		return b.String()
	}
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	pngPart := func(id string, size int) [2]string {
		data := append(bytes.Clone(png), make([]byte, size-len(png))...)
		return [2]string{"Content-Type: image/png\r\nContent-ID: <" + id + ">", b64(data)}
	}
	const engine = "engine.png@example.org"
	tests := []struct {
		name        string
		file        string // or raw
		raw         string
		limits      Limits
		inline      []string // ContentIDs of Message.Inline, in order
		attachments []string // names
		problems    []string
		show        []string // substrings of Item().HTML
		hide        []string // must not be in Item().HTML
	}{
		{
			name: "multipart/related from a mail client",
			file: "inline-images.eml",
			// plan is referenced but sent as an attachment: shown and listed.
			inline:      []string{engine, "dot@example.org", "plan@example.org"},
			attachments: []string{"unused.gif", "vector.svg", "liar.jpg", "plan.png"},
			show: []string{
				`<img src="data:image/png;base64,iVBORw0KGgo`,
				`<img src="data:image/gif;base64,R0lGODlh`,
				`src="cid:vector@example.org"`, // SVG is never inlined
				`src="cid:liar@example.org"`,   // an image/jpeg part that is HTML
				`src="cid:missing@example.org"`,
			},
			hide: []string{"cid:engine", "CID:", "data:image/svg", "data:image/jpeg", "PHNjcmlwd"},
		},
		{
			name:        "corrupt base64 image keeps the message",
			file:        "inline-bad-base64.eml",
			inline:      []string{"fine@example.org"},
			attachments: []string{"broken.png"},
			problems:    []string{"part 1.2: failed to decode base64 body: illegal base64 data"},
			show:        []string{"Still here.", `src="cid:broken@example.org"`, `src="data:image/png;base64,`},
		},
		{
			name:        "an image over the size limit stays an attachment",
			raw:         related(`<img src="cid:big@x"><img src="cid:small@x">`, pngPart("big@x", 2000), pngPart("small@x", 100)),
			limits:      Limits{MaxInlineImage: 1000},
			inline:      []string{"small@x"},
			attachments: []string{"image/png"},
			show:        []string{`src="cid:big@x"`},
		},
		{
			name: "repeated references count against the total",
			// 3 × a 1000-byte image is about 4 KB of data: URLs: only the
			// second, smaller image fits in 3000 bytes.
			raw:         related(`<img src="cid:a@x"><img src="cid:a@x"><img src="cid:a@x"><img src="cid:b@x">`, pngPart("a@x", 1000), pngPart("b@x", 500)),
			limits:      Limits{MaxInline: 3000},
			inline:      []string{"b@x"},
			attachments: []string{"image/png"},
			show:        []string{`<img src="cid:a@x"><img src="cid:a@x"><img src="cid:a@x"><img src="data:image/png;base64,`},
		},
		{
			name:        "an unreferenced image stays an attachment",
			raw:         related(`<p>no images shown</p>`, pngPart("a@x", 100)),
			attachments: []string{"image/png"},
		},
		{
			name:   "first part with a duplicate Content-ID wins",
			raw:    related(`<img src="cid:a@x">`, pngPart("a@x", 100), pngPart("a@x", 200)),
			inline: []string{"a@x"},
			// The second part was never shown, so it is listed.
			attachments: []string{"image/png"},
		},
		{
			name:        "cid: outside an img src is left",
			raw:         related(`<a href="cid:a@x">x</a><div style="background: url(cid:a@x)">y</div>`, pngPart("a@x", 100)),
			attachments: []string{"image/png"},
			hide:        []string{"data:image", "cid:a@x"},
		},
		{
			name:        "truncated image is not shown",
			raw:         strings.TrimSuffix(related(`<img src="cid:a@x">`, pngPart("a@x", 3000)), "\r\n--r--\r\n")[:2000],
			attachments: []string{"image/png"},
			problems:    []string{"body cut short"},
			show:        []string{`src="cid:a@x"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			var err error
			if tt.file != "" {
				m, err = parseFile(t, tt.file)
			} else {
				m, err = Parse(strings.NewReader(tt.raw), tt.limits)
			}
			checkProblems(t, m, err, tt.problems)
			var ids, names []string
			for _, img := range m.Inline {
				ids = append(ids, img.ContentID)
				if img.Type != imageType(img.Data) {
					t.Errorf("%s: type %s for %s bytes", img.ContentID, img.Type, imageType(img.Data))
				}
			}
			for _, a := range m.Attachments {
				names = append(names, a.Name)
			}
			if !reflect.DeepEqual(ids, tt.inline) {
				t.Errorf("Inline = %q, want %q", ids, tt.inline)
			}
			if !reflect.DeepEqual(names, tt.attachments) {
				t.Errorf("Attachments = %q, want %q", names, tt.attachments)
			}
			it := m.Item("acct", "1")
			if !reflect.DeepEqual(it.Attachments, m.Attachments) {
				t.Errorf("Item.Attachments = %+v, want the message's %+v", it.Attachments, m.Attachments)
			}
			for _, s := range tt.show {
				if !strings.Contains(it.HTML, s) {
					t.Errorf("Item HTML lacks %q:\n%s", s, it.HTML)
				}
			}
			for _, s := range tt.hide {
				if strings.Contains(it.HTML, s) {
					t.Errorf("Item HTML has %q:\n%s", s, it.HTML)
				}
			}
			if strings.Contains(m.HTML, "data:image") {
				t.Error("Message.HTML changed: it must stay as sent")
			}
		})
	}
}

func TestImageType(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"\x89PNG\r\n\x1a\nrest", "image/png"},
		{"GIF87a...", "image/gif"},
		{"GIF89a...", "image/gif"},
		{"\xff\xd8\xff\xe0..JFIF", "image/jpeg"},
		{"RIFF\x24\x00\x00\x00WEBPVP8 ....", "image/webp"},
		{"RIFF\x24\x00\x00\x00WAVEfmt ....", ""},
		{"<svg xmlns='http://www.w3.org/2000/svg'/>", ""},
		{"<html><script>alert(1)</script>", ""},
		{"\x89PN", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := imageType([]byte(tt.in)); got != tt.want {
			t.Errorf("imageType(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormaliseCID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<Logo@Example.org>", "logo@example.org"},
		{" logo@example.org ", "logo@example.org"},
		{"%3Clogo%40example.org%3E", "logo@example.org"},
		{"logo%zz", "logo%zz"},
		{"<>", ""},
	}
	for _, tt := range tests {
		if got := normaliseCID(tt.in); got != tt.want {
			t.Errorf("normaliseCID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
