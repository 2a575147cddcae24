// Package inbox is Lull's domain model: the items every connector produces,
// their identity, their triage state and the queries the UI asks. It imports
// nothing outside the standard library so every other package can share it.
package inbox

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Source is the kind of stream an item came from. It decides the icon in the
// list and the per-source norms; it is not the account (a user may have two
// email accounts, both of Source Email).
type Source string

// The sources Lull knows.
const (
	SourceEmail  Source = "email"
	SourceSlack  Source = "slack"
	SourceGitHub Source = "github"
	SourceAsana  Source = "asana"
)

// Valid reports whether s is one of the known sources.
func (s Source) Valid() bool {
	switch s {
	case SourceEmail, SourceSlack, SourceGitHub, SourceAsana:
		return true
	}
	return false
}

// State is where an item sits in the user's triage.
type State string

// The triage states. Inbox is the zero-effort default for a new item.
const (
	StateInbox   State = "inbox"
	StateLater   State = "later"
	StateSnoozed State = "snoozed"
	StateDone    State = "done"
)

// States lists every state, in the order the UI shows them.
var States = []State{StateInbox, StateLater, StateSnoozed, StateDone}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// Signal is a fact about an item that urgency rules can match: it was a
// direct message, it mentioned the user, it asked for their review.
type Signal string

// The signals connectors set.
const (
	SignalDM              Signal = "dm"
	SignalMention         Signal = "mention"
	SignalReviewRequested Signal = "review_requested"
)

// ID identifies an item across restarts and re-syncs: "<account>/<native id>".
// The account name never contains a slash; the native id may.
type ID string

// NewID joins an account name and a source-native id.
func NewID(account, native string) ID {
	return ID(account + "/" + native)
}

// Split returns the account and native id parts of id.
func (id ID) Split() (account, native string, err error) {
	a, n, ok := strings.Cut(string(id), "/")
	if !ok || a == "" || n == "" {
		return "", "", fmt.Errorf("inbox: malformed item id %q", string(id))
	}
	return a, n, nil
}

// Person is a sender or recipient. Addr is an email address, a Slack user id
// or a GitHub login, depending on the source.
type Person struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"addr,omitempty"`
}

// Display is the best short label for p.
func (p Person) Display() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Addr
}

// Attachment describes a file attached to an item; the bytes stay at the source.
type Attachment struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Item is one message, comment or notification in the unified inbox.
//
// The fields above Triage come from the connector and are replaced on every
// re-sync; Triage belongs to the user and survives re-syncs.
type Item struct {
	ID      ID       `json:"id"`
	Account string   `json:"account"`
	Source  Source   `json:"source"`
	Thread  string   `json:"thread,omitempty"` // source-native thread key, unique within the account
	Title   string   `json:"title,omitempty"`  // subject, channel or task name
	From    Person   `json:"from"`
	To      []Person `json:"to,omitempty"`
	Snippet string   `json:"snippet,omitempty"`
	Body    string   `json:"body,omitempty"` // plain text
	HTML    string   `json:"html,omitempty"` // sanitized HTML, when the source has it
	URL     string   `json:"url,omitempty"`  // where "open in source" goes
	// AppURL opens the item in the source's desktop app (slack://…), when
	// the source has one; URL stays the web address.
	AppURL      string       `json:"appUrl,omitempty"`
	Received    time.Time    `json:"received"`
	Signals     []Signal     `json:"signals,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Unread      bool         `json:"unread,omitempty"`
	// RemoteImages counts remote images blocked in HTML (tracking pixels
	// among them); the reader offers to load them.
	RemoteImages int `json:"remoteImages,omitempty"`

	Triage Triage `json:"triage"`
}

// Triage is the user's decision about an item.
type Triage struct {
	State       State     `json:"state"`
	RespondBy   time.Time `json:"respondBy,omitzero"`
	SnoozeUntil time.Time `json:"snoozeUntil,omitzero"`
	Changed     time.Time `json:"changed,omitzero"`
}

// HasSignal reports whether it carries s.
func (it *Item) HasSignal(s Signal) bool {
	for _, v := range it.Signals {
		if v == s {
			return true
		}
	}
	return false
}

// Validate checks the fields a connector must set.
func (it *Item) Validate() error {
	acct, native, err := it.ID.Split()
	if err != nil {
		return err
	}
	var errs []error
	if native == "" {
		errs = append(errs, errors.New("empty native id"))
	}
	if it.Account != acct {
		errs = append(errs, fmt.Errorf("account %q does not match id %q", it.Account, it.ID))
	}
	if !it.Source.Valid() {
		errs = append(errs, fmt.Errorf("unknown source %q", it.Source))
	}
	if it.Received.IsZero() {
		errs = append(errs, errors.New("no received time"))
	}
	if it.Triage.State != "" && !it.Triage.State.Valid() {
		errs = append(errs, fmt.Errorf("unknown state %q", it.Triage.State))
	}
	if len(errs) > 0 {
		return fmt.Errorf("inbox: item %s: %w", it.ID, errors.Join(errs...))
	}
	return nil
}

// Summary is the list-row view of an item: everything the inbox list shows,
// without bodies, so a window of rows stays small on the wire.
type Summary struct {
	ID          ID        `json:"id"`
	Account     string    `json:"account"`
	Source      Source    `json:"source"`
	From        string    `json:"from"`
	Title       string    `json:"title"`
	Snippet     string    `json:"snippet"`
	Received    time.Time `json:"received"`
	ThreadCount int       `json:"threadCount"`
	Unread      bool      `json:"unread"`
	State       State     `json:"state"`
	RespondBy   time.Time `json:"respondBy,omitzero"`
	SnoozeUntil time.Time `json:"snoozeUntil,omitzero"`
}

// Summarize returns the list row of it; threadCount comes from the store.
func (it *Item) Summarize(threadCount int) Summary {
	title := it.Title
	snippet := it.Snippet
	if title == "" {
		title = FirstLine(it.Snippet, 120)
	}
	return Summary{
		ID: it.ID, Account: it.Account, Source: it.Source,
		From: it.From.Display(), Title: title, Snippet: snippet,
		Received: it.Received, ThreadCount: threadCount, Unread: it.Unread,
		State: it.Triage.State, RespondBy: it.Triage.RespondBy, SnoozeUntil: it.Triage.SnoozeUntil,
	}
}

// FirstLine returns the first non-blank line of s, cut to at most max runes.
func FirstLine(s string, max int) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		r := []rune(line)
		if len(r) > max {
			return string(r[:max-1]) + "…"
		}
		return line
	}
	return ""
}

// Query selects a window of the list. The UI never asks for the whole inbox.
type Query struct {
	State  State  `json:"state"`
	Source Source `json:"source,omitempty"` // empty: every source
	// Threads asks for one row per thread: the newest item of each thread
	// in the state stands for the others (the Inbox view does this).
	Threads bool `json:"threads,omitempty"`
	Offset  int  `json:"offset"`
	Limit   int  `json:"limit"`
}

// MaxLimit bounds one window so a buggy caller cannot pull the whole store.
const MaxLimit = 500

// Normalize fills defaults and clamps the window.
func (q Query) Normalize() Query {
	if q.State == "" {
		q.State = StateInbox
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	if q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	return q
}

// Page is one window of the list plus the total the window is cut from.
type Page struct {
	Items  []Summary `json:"items"`
	Total  int       `json:"total"`
	Offset int       `json:"offset"`
}
