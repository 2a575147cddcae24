package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/store"
)

var searchT0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// seedSearch writes four items into the data folder lullCLI uses.
func seedSearch(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Dir: filepath.Join(dir, "data"), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	item := func(native string, src inbox.Source, from inbox.Person, title, body string, ago time.Duration) inbox.Item {
		return inbox.Item{ID: inbox.NewID("work", native), Account: "work", Source: src, From: from,
			Title: title, Body: body, Received: searchT0.Add(-ago)}
	}
	ann := inbox.Person{Name: "Ann Lee", Addr: "ann@example.com"}
	_, err = st.Apply(ctx, store.Batch{Account: "work", Upserts: []inbox.Item{
		item("1", inbox.SourceEmail, ann, "Invoice March", "The invoice for March.", 48*time.Hour),
		item("2", inbox.SourceEmail, inbox.Person{Addr: "bob@example.org"}, "Lunch", "Lunch and the invoice?", 24*time.Hour),
		item("3", inbox.SourceSlack, inbox.Person{Name: "Carol"}, "#general", "next steps for the invoice run", time.Hour),
		item("4", inbox.SourceEmail, ann, "Old invoice", "Paid invoice.", 30*24*time.Hour),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetTriage(ctx, "work/4", inbox.Triage{State: inbox.StateDone}); err != nil {
		t.Fatal(err)
	}
}

func TestCLISearch(t *testing.T) {
	dir := t.TempDir()
	seedSearch(t, dir)
	day := func(ago time.Duration) string { return searchT0.Add(-ago).Local().Format("2006-01-02 15:04") }

	out, err := lullCLI(t, dir, "search", "invoice")
	if err != nil {
		t.Fatal(err)
	}
	want := day(time.Hour) + "  slack   Carol                     #general\n" +
		day(24*time.Hour) + "  email   bob@example.org           Lunch\n" +
		day(48*time.Hour) + "  email   Ann Lee                   Invoice March\n"
	if out != want {
		t.Fatalf("lull search invoice =\n%s\nwant\n%s", out, want)
	}

	tests := []struct {
		args []string
		want []inbox.ID // in order
	}{
		{[]string{"search", "--json", "invoice"}, []inbox.ID{"work/3", "work/2", "work/1"}},
		{[]string{"search", "invoice", "--json", "--limit", "2"}, []inbox.ID{"work/3", "work/2"}},
		{[]string{"search", "--json", "from:ann", "in:all"}, []inbox.ID{"work/1", "work/4"}},
		{[]string{"search", "--json", "from:Ann Lee"}, []inbox.ID{"work/1"}},  // from:"Ann Lee"
		{[]string{"search", "--json", "next steps"}, []inbox.ID{"work/3"}},    // one shell word: a phrase
		{[]string{"search", "--json", "steps", "next"}, []inbox.ID{"work/3"}}, // two words, any order
		{[]string{"search", "--json", "steps next"}, nil},                     // the phrase, not found
		{[]string{"search", "--json", "--", "invoice", "-lunch"}, []inbox.ID{"work/3", "work/1"}},
		{[]string{"search", "--json", "is:done"}, []inbox.ID{"work/4"}},
		{[]string{"search", "--json", "source:slack", "after:2025-03-10"}, []inbox.ID{"work/3"}},
		{[]string{"search", "--json", "zebra"}, nil},
	}
	for _, tt := range tests {
		out, err := lullCLI(t, dir, tt.args...)
		if err != nil {
			t.Fatalf("lull %v: %v", tt.args, err)
		}
		if strings.Count(out, "\n") != 1 {
			t.Fatalf("lull %v: want one line of JSON, got %q", tt.args, out)
		}
		var items []struct {
			ID       inbox.ID     `json:"id"`
			Source   inbox.Source `json:"source"`
			Account  string       `json:"account"`
			From     string       `json:"from"`
			Subject  string       `json:"subject"`
			Received time.Time    `json:"received"`
			State    inbox.State  `json:"state"`
		}
		if err := json.Unmarshal([]byte(out), &items); err != nil {
			t.Fatalf("lull %v: %v in %q", tt.args, err, out)
		}
		var got []inbox.ID
		for _, it := range items {
			got = append(got, it.ID)
			if it.Account != "work" || it.Source == "" || it.From == "" || it.Subject == "" || it.Received.IsZero() || it.State == "" {
				t.Errorf("lull %v: incomplete item %+v", tt.args, it)
			}
		}
		if strings.Join(idStrings(got), " ") != strings.Join(idStrings(tt.want), " ") {
			t.Errorf("lull %v = %v, want %v", tt.args, got, tt.want)
		}
		if tt.want == nil && strings.TrimSpace(out) != "[]" {
			t.Errorf("lull %v: no results should print [], got %q", tt.args, out)
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "before:2025-13-01"}, "before:2025-13-01 is not a date: use YYYY-MM-DD, today or yesterday"},
		{[]string{"search", "source:jira"}, "source:jira is not a source"},
		{[]string{"search"}, "give a query"},
		{[]string{"search", "--limit", "0", "x"}, "--limit must be at least 1"},
		{[]string{"search", "--frobnicate", "x"}, "flag provided but not defined"},
	} {
		if _, err := lullCLI(t, dir, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("lull %v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}

// TestCLISearchAsksTheRunningApp: with the app holding the data folder,
// lull search gets its answer from the app over local IPC.
func TestCLISearchAsksTheRunningApp(t *testing.T) {
	dir := t.TempDir()
	seedSearch(t, dir)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))
	a := app.New(app.Options{
		Paths:    config.Paths{Config: filepath.Join(dir, "config.toml"), Data: filepath.Join(dir, "data"), Demo: filepath.Join(dir, "data-demo")},
		Registry: connectors.NewRegistry(), Notifier: &notify.Recorder{},
	})
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Startup(context.Background())

	var out string
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		out, err = lullCLI(t, dir, "search", "--json", "invoice")
		if err == nil && strings.Count(out, `"id"`) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lull search with the app running = %q, %v", out, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out, `"id":"work/3"`) {
		t.Fatalf("lull search = %q", out)
	}
	if _, err := lullCLI(t, dir, "search", "after:someday"); err == nil || !strings.Contains(err.Error(), "after:someday is not a date") {
		t.Fatalf("bad date through the app: %v", err)
	}
}

func TestJoinQuery(t *testing.T) {
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"invoice", "march"}, "invoice march"},
		{[]string{"next steps"}, `"next steps"`},
		{[]string{"from:Ann Lee", "report"}, `from:"Ann Lee" report`},
		{[]string{`from:"Ann Lee"`}, `from:"Ann Lee"`},
		{[]string{"a b:c"}, `"a b:c"`},
	} {
		if got := joinQuery(tt.words); got != tt.want {
			t.Errorf("joinQuery(%q) = %q, want %q", tt.words, got, tt.want)
		}
	}
}

func idStrings(ids []inbox.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
