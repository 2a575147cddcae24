package search

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

func TestParse(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2025, 3, 10, 15, 4, 5, 0, loc)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	yes, no := true, false
	w := func(v string) Term { return Term{Value: v} }
	tests := []struct {
		in   string
		want Query
	}{
		{"", Query{}},
		{"   ", Query{}},
		{"invoice", Query{Text: []Term{w("invoice")}}},
		{"  invoice   march ", Query{Text: []Term{w("invoice"), w("march")}}},
		{`"quarterly report"`, Query{Text: []Term{{Value: "quarterly report", Phrase: true}}}},
		{`budget "next steps" q3`, Query{Text: []Term{w("budget"), {Value: "next steps", Phrase: true}, w("q3")}}},
		{`"unclosed phrase`, Query{Text: []Term{{Value: "unclosed phrase", Phrase: true}}}},
		{`""`, Query{}},
		{"-newsletter", Query{Text: []Term{{Value: "newsletter", Not: true}}}},
		{`-"daily digest"`, Query{Text: []Term{{Value: "daily digest", Phrase: true, Not: true}}}},
		{"a - b", Query{Text: []Term{w("a"), w("-"), w("b")}}},
		{"from:ann", Query{From: []Term{w("ann")}}},
		{"FROM:Ann@Example.org", Query{From: []Term{w("Ann@Example.org")}}},
		{`from:"Ann Lee" report`, Query{From: []Term{{Value: "Ann Lee", Phrase: true}}, Text: []Term{w("report")}}},
		{"-from:jira", Query{From: []Term{{Value: "jira", Not: true}}}},
		{"to:bob subject:budget title:plan", Query{To: []Term{w("bob")}, Subject: []Term{w("budget"), w("plan")}}},
		{"source:slack", Query{Sources: []inbox.Source{inbox.SourceSlack}}},
		{"source:Email source:github source:email", Query{Sources: []inbox.Source{inbox.SourceEmail, inbox.SourceGitHub}}},
		{"in:later", Query{States: []inbox.State{inbox.StateLater}}},
		{"in:inbox in:snoozed", Query{States: []inbox.State{inbox.StateInbox, inbox.StateSnoozed}}},
		{"in:all", Query{States: inbox.States}},
		{"is:done", Query{States: []inbox.State{inbox.StateDone}}},
		{"is:unread", Query{Unread: &yes}},
		{"is:read is:read", Query{Unread: &no}},
		{"after:2025-01-31", Query{After: day(2025, 1, 31)}},
		{"before:2025-02-01", Query{Before: day(2025, 2, 1)}},
		{"after:yesterday", Query{After: day(2025, 3, 9)}},
		{"before:today", Query{Before: day(2025, 3, 10)}},
		{"after:2025-01-01 after:2025-02-01 before:2025-03-01 before:2025-04-01",
			Query{After: day(2025, 2, 1), Before: day(2025, 3, 1)}},
		{"re: hello", Query{Text: []Term{w("re:"), w("hello")}}},
		{"https://example.com/x", Query{Text: []Term{w("https://example.com/x")}}},
		{"label:work", Query{Text: []Term{w("label:work")}}},
		{`from:ann source:email in:later is:unread after:2025-03-01 "the plan" -spam`, Query{
			Text:    []Term{{Value: "the plan", Phrase: true}, {Value: "spam", Not: true}},
			From:    []Term{w("ann")},
			Sources: []inbox.Source{inbox.SourceEmail},
			States:  []inbox.State{inbox.StateLater},
			Unread:  &yes,
			After:   day(2025, 3, 1),
		}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, now)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	now := time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC)
	tests := []struct{ in, want string }{
		{"before:2025-13-01", `before:2025-13-01 is not a date: use YYYY-MM-DD, today or yesterday`},
		{"after:tomorrow", `after:tomorrow is not a date`},
		{"after:03/01/2025", `after:03/01/2025 is not a date`},
		{"after:2025-2-1", `after:2025-2-1 is not a date`},
		{"before:1900-01-01", `before:1900-01-01 is not a date`},
		{"after:2025-03-01 before:2025-03-01", `no day is both after:2025-03-01 and before:2025-03-01`},
		{"after:today before:yesterday", `no day is both after:2025-03-10 and before:2025-03-09`},
		{"source:jira", `source:jira is not a source: use email, slack, github or asana`},
		{"in:trash", `in:trash is not a view: use inbox, later, snoozed, done or all`},
		{"is:starred", `is:starred is not known: use is:done, is:unread or is:read`},
		{"is:unread is:read", `is:unread and is:read exclude each other`},
		{"from:", `from: needs a value`},
		{`from:""`, `from: needs a value`},
		{"before: 2025-01-01", `before: needs a value (for example before:2024-03-01)`},
		{"-in:done", `-in: cannot be negated`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, now)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tt.in, err, tt.want)
		}
	}
}

func TestQueryMatches(t *testing.T) {
	row := inbox.Summary{State: inbox.StateDone, Source: inbox.SourceSlack, Unread: true}
	now := time.Now()
	for in, want := range map[string]bool{
		"":                               false, // done is left out by default
		"is:done":                        true,
		"in:all source:slack":            true,
		"in:all source:email":            false,
		"in:done is:read":                false,
		"in:done is:unread source:slack": true,
	} {
		q, err := Parse(in, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Matches(row); got != want {
			t.Errorf("Parse(%q).Matches = %v, want %v", in, got, want)
		}
	}
}
