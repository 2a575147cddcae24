package search

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/lullhq/lull/app/inbox"
)

// formatVersion names the mapping and the document layout below. Changing
// either means bumping it: an index of another format is rebuilt on open.
const formatVersion = "lull-search-2"

// Field names of the index.
const (
	fieldID       = "id"
	fieldAccount  = "account"
	fieldSource   = "source"
	fieldFrom     = "from"
	fieldTo       = "to"
	fieldTitle    = "title"
	fieldSnippet  = "snippet"
	fieldBody     = "body"
	fieldState    = "state"
	fieldUnread   = "unread"
	fieldReceived = "received"
	fieldSort     = "sort"
	fieldThread   = "thread"
)

// textAnalyzer analyzes every text field and every query word: Unicode
// word breaks, lower case, English stop words and Porter stemming, so
// "invoices" finds "invoice" as in notmuch.
const textAnalyzer = en.AnalyzerName

// maxBodyBytes bounds how much of a body is indexed. Past it a message is
// an attachment dump or a log paste; its first 128 KB are plenty to find it.
const maxBodyBytes = 128 << 10

// textFields are the fields a free word is looked for in; phraseFields
// those a free phrase is (a phrase across a list of recipients means
// nothing, and each field makes a phrase slower).
var (
	textFields   = []string{fieldTitle, fieldFrom, fieldTo, fieldSnippet, fieldBody}
	phraseFields = []string{fieldTitle, fieldFrom, fieldSnippet, fieldBody}
)

// newMapping returns the index layout. Nothing is stored in the index but
// what it needs to match and sort: results are read back from the store.
func newMapping() mapping.IndexMapping {
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = textAnalyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = true // phrases need positions
		f.DocValues = false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	for _, name := range []string{fieldID, fieldAccount, fieldSource, fieldState, fieldThread} {
		dm.AddFieldMappingsAt(name, kw())
	}
	for _, name := range textFields {
		dm.AddFieldMappingsAt(name, text())
	}
	unread := bleve.NewBooleanFieldMapping()
	unread.Store, unread.IncludeInAll, unread.DocValues = false, false, false
	dm.AddFieldMappingsAt(fieldUnread, unread)
	received := bleve.NewDateTimeFieldMapping()
	received.Store, received.IncludeInAll = false, false
	received.DocValues = true // results sort by it
	dm.AddFieldMappingsAt(fieldReceived, received)
	// Results sort by a keyword copy of the received time: one fixed-width
	// term per document, so sorting decodes a small doc-values column
	// instead of the datetime field's eight prefix-coded terms.
	sort := kw()
	sort.DocValues = true
	dm.AddFieldMappingsAt(fieldSort, sort)
	// No catch-all field: free text is looked for in the text fields, and
	// a second copy of every word would cost a fifth of the build time.
	dm.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = textAnalyzer
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// document is what the index holds of one item. Bleve maps it by its JSON
// names.
type document struct {
	ID       string    `json:"id"`
	Account  string    `json:"account"`
	Source   string    `json:"source"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Title    string    `json:"title"`
	Snippet  string    `json:"snippet"`
	Body     string    `json:"body"`
	State    string    `json:"state"`
	Unread   bool      `json:"unread"`
	Received time.Time `json:"received"`
	Thread   string    `json:"thread"`
	Sort     string    `json:"sort"`
}

func newDocument(it *inbox.Item) document {
	return document{
		ID:       string(it.ID),
		Account:  it.Account,
		Source:   string(it.Source),
		From:     person(it.From),
		To:       people(it.To),
		Title:    it.Title,
		Snippet:  snippet(it),
		Body:     truncate(it.Body, maxBodyBytes),
		State:    string(it.Triage.State),
		Unread:   it.Unread,
		Received: it.Received,
		Thread:   it.Thread,
		Sort:     sortKey(it.Received),
	}
}

// sortKey is t as 16 hex digits of Unix nanoseconds: byte order is time
// order for every time the store keeps (it clamps times before 1970).
func sortKey(t time.Time) string {
	return fmt.Sprintf("%016x", max(t.UnixNano(), 0))
}

// snippet is the item's snippet when it has no body. A snippet is cut
// from the body, so indexing both would only double the work.
func snippet(it *inbox.Item) string {
	if it.Body != "" {
		return ""
	}
	return it.Snippet
}

func person(p inbox.Person) string {
	switch {
	case p.Name == "":
		return p.Addr
	case p.Addr == "":
		return p.Name
	}
	return p.Name + " " + p.Addr
}

func people(ps []inbox.Person) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, person(p))
	}
	return strings.Join(parts, ", ")
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
