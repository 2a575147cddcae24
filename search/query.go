package search

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/lullhq/lull/app/inbox"
)

// Query is a parsed search. The zero Query matches every item that is not
// done.
//
// The syntax, as typed in the / view and after `lull search`:
//
//	invoice march            both words, anywhere (subject, sender, recipients, text)
//	"quarterly report"       the words in this order
//	-newsletter              not this word (also -"a phrase", -from:x)
//	from:ann  from:ann@x.org  from:"Ann Lee"   the sender's name or address
//	to:bob                   a recipient
//	subject:budget           the subject (title: is the same)
//	source:slack             email, slack, github or asana
//	in:later                 inbox, later, snoozed, done, or all
//	is:done  is:unread  is:read
//	after:2024-03-01         received on or after that day (local time)
//	before:2024-04-01        received before that day; also today, yesterday
//
// Terms combine with AND; several source: or in: terms are alternatives.
// Done items are left out unless the query asks for them (in:done, is:done,
// in:all). A word that looks like key:value with a key not listed above is
// searched as text, so "re:" or a URL still works.
type Query struct {
	Text    []Term // free words and phrases
	From    []Term
	To      []Term
	Subject []Term
	Sources []inbox.Source // any of them; empty: every source
	States  []inbox.State  // any of them; empty: every state but done
	Unread  *bool          // nil: either
	After   time.Time      // received at or after; zero: no bound
	Before  time.Time      // received before; zero: no bound
}

// Term is one word or quoted phrase of a query.
type Term struct {
	Value  string
	Phrase bool // it was quoted: its words must appear in this order
	Not    bool // it had a leading "-": it must not match
}

// States a query reads when it names none: all but done.
var defaultStates = []inbox.State{inbox.StateInbox, inbox.StateLater, inbox.StateSnoozed}

// EffectiveStates is the states q matches.
func (q Query) EffectiveStates() []inbox.State {
	if len(q.States) == 0 {
		return defaultStates
	}
	return q.States
}

// Matches reports whether a list row agrees with q's filters on state,
// source and read state. Search results are checked with it against the
// store, so a change the index has not caught up with yet never shows an
// item in the wrong view.
func (q Query) Matches(s inbox.Summary) bool {
	if !slices.Contains(q.EffectiveStates(), s.State) {
		return false
	}
	if len(q.Sources) > 0 && !slices.Contains(q.Sources, s.Source) {
		return false
	}
	return q.Unread == nil || *q.Unread == s.Unread
}

// Parse reads a query typed by the user. now fixes "today", "yesterday" and
// the time zone of dates. Errors are one line meant for the user.
func Parse(s string, now time.Time) (Query, error) {
	var q Query
	toks, err := tokenize(s)
	if err != nil {
		return Query{}, err
	}
	for _, t := range toks {
		if err := q.add(t, now); err != nil {
			return Query{}, err
		}
	}
	if !q.After.IsZero() && !q.Before.IsZero() && !q.After.Before(q.Before) {
		return Query{}, fmt.Errorf("no day is both after:%s and before:%s", q.After.Format(dateLayout), q.Before.Format(dateLayout))
	}
	return q, nil
}

const dateLayout = "2006-01-02"

// token is one whitespace-separated part of a query: key is empty for free
// text.
type token struct {
	key    string
	value  string
	quoted bool
	not    bool
}

// keys are the operators Parse knows; any other "x:" is text.
var keys = map[string]string{
	"from": "from", "to": "to", "subject": "subject", "title": "subject",
	"source": "source", "in": "in", "is": "is", "before": "before", "after": "after",
}

func tokenize(s string) ([]token, error) {
	var toks []token
	r := []rune(s)
	for i := 0; i < len(r); {
		if unicode.IsSpace(r[i]) {
			i++
			continue
		}
		var t token
		if r[i] == '-' && i+1 < len(r) && !unicode.IsSpace(r[i+1]) {
			t.not = true
			i++
		}
		// key:value, when the letters before ':' are a known key.
		j := i
		for j < len(r) && unicode.IsLetter(r[j]) {
			j++
		}
		if j < len(r) && r[j] == ':' && j > i {
			if k, ok := keys[strings.ToLower(string(r[i:j]))]; ok {
				t.key = k
				i = j + 1
			}
		}
		if i < len(r) && r[i] == '"' {
			end := i + 1
			for end < len(r) && r[end] != '"' {
				end++
			}
			// An unclosed quote runs to the end: the user is still typing.
			t.value, t.quoted = strings.TrimSpace(string(r[i+1:end])), true
			i = min(end+1, len(r))
		} else {
			end := i
			for end < len(r) && !unicode.IsSpace(r[end]) {
				end++
			}
			t.value = string(r[i:end])
			i = end
		}
		if t.value == "" {
			if t.key != "" {
				return nil, fmt.Errorf("%s: needs a value (for example %s)", t.key, example(t.key))
			}
			continue // "" or a lone -
		}
		toks = append(toks, t)
	}
	return toks, nil
}

func example(key string) string {
	switch key {
	case "source":
		return "source:slack"
	case "in":
		return "in:later"
	case "is":
		return "is:unread"
	case "before", "after":
		return key + ":2024-03-01"
	}
	return key + `:ann or ` + key + `:"Ann Lee"`
}

func (q *Query) add(t token, now time.Time) error {
	term := Term{Value: t.value, Phrase: t.quoted, Not: t.not}
	switch t.key {
	case "":
		q.Text = append(q.Text, term)
		return nil
	case "from":
		q.From = append(q.From, term)
		return nil
	case "to":
		q.To = append(q.To, term)
		return nil
	case "subject":
		q.Subject = append(q.Subject, term)
		return nil
	}
	if t.not {
		return fmt.Errorf("-%s: cannot be negated; only words, phrases, from:, to: and subject: can", t.key)
	}
	v := strings.ToLower(t.value)
	switch t.key {
	case "source":
		src := inbox.Source(v)
		if !src.Valid() {
			return fmt.Errorf("source:%s is not a source: use email, slack, github or asana", t.value)
		}
		if !slices.Contains(q.Sources, src) {
			q.Sources = append(q.Sources, src)
		}
	case "in":
		if v == "all" || v == "any" {
			q.addStates(inbox.States...)
			return nil
		}
		st := inbox.State(v)
		if !st.Valid() {
			return fmt.Errorf("in:%s is not a view: use inbox, later, snoozed, done or all", t.value)
		}
		q.addStates(st)
	case "is":
		switch v {
		case "done":
			q.addStates(inbox.StateDone)
		case "unread", "read":
			unread := v == "unread"
			if q.Unread != nil && *q.Unread != unread {
				return errors.New("is:unread and is:read exclude each other")
			}
			q.Unread = &unread
		default:
			return fmt.Errorf("is:%s is not known: use is:done, is:unread or is:read", t.value)
		}
	case "before", "after":
		day, err := parseDay(v, now)
		if err != nil {
			return fmt.Errorf("%s:%s is not a date: use YYYY-MM-DD, today or yesterday", t.key, t.value)
		}
		if t.key == "after" && day.After(q.After) {
			q.After = day
		}
		if t.key == "before" && (q.Before.IsZero() || day.Before(q.Before)) {
			q.Before = day
		}
	}
	return nil
}

func (q *Query) addStates(states ...inbox.State) {
	for _, st := range states {
		if !slices.Contains(q.States, st) {
			q.States = append(q.States, st)
		}
	}
}

// parseDay returns the start of the day v names, in now's time zone.
func parseDay(v string, now time.Time) (time.Time, error) {
	loc := now.Location()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch v {
	case "today":
		return today, nil
	case "yesterday":
		return today.AddDate(0, 0, -1), nil
	}
	day, err := time.ParseInLocation(dateLayout, v, loc)
	if err != nil {
		return time.Time{}, err
	}
	// The index stores times as nanoseconds since 1970 in an int64.
	if day.Year() < 1970 || day.Year() > 2200 {
		return time.Time{}, fmt.Errorf("year %d is out of range", day.Year())
	}
	return day, nil
}
