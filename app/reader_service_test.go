package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/app/notify"
	"github.com/lullhq/lull/store"
)

func TestNormalizeSender(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ada@example.com", "ada@example.com", true},
		{"  Ada@Example.COM ", "ada@example.com", true},
		{"<news@shop.example>", "news@shop.example", true},
		{"", "", false},
		{"   ", "", false},
		{"U024BE7LH", "", false}, // a Slack user id is not an email sender
		{"@example.com", "", false},
		{"ada@", "", false},
		{"a@b@c", "", false},
		{"ada lovelace@example.com", "", false},
		{"ada@example.com\n", "ada@example.com", true},
		{"ada@exa\x00mple.com", "", false},
		{"a@b.c, d@e.f", "", false},
	}
	for _, tt := range tests {
		got, err := normalizeSender(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("normalizeSender(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestReaderImageAllowlist(t *testing.T) {
	a, _ := newTestApp(t, false)
	r := &Reader{app: a}

	if ok, err := r.ImagesAllowed("ada@example.com"); err != nil || ok {
		t.Fatalf("fresh list: allowed = %v, %v", ok, err)
	}
	if list, err := r.ImageSenders(); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("fresh list = %#v, %v; want an empty, non-nil list (JSON [])", list, err)
	}
	for _, s := range []string{"Ada@Example.com", "news@shop.example", "ada@example.com"} {
		if err := r.AllowImages(s); err != nil {
			t.Fatalf("AllowImages(%q): %v", s, err)
		}
	}
	if err := r.AllowImages("not an address"); err == nil {
		t.Fatal("AllowImages accepted a non-address")
	}
	if err := r.AllowImages(""); err == nil {
		t.Fatal("AllowImages accepted an empty sender")
	}
	list, err := r.ImageSenders()
	if err != nil || !slices.Equal(list, []string{"ada@example.com", "news@shop.example"}) {
		t.Fatalf("list = %v, %v", list, err)
	}
	for _, s := range []string{"ADA@example.com", "<news@shop.example>"} {
		if ok, err := r.ImagesAllowed(s); err != nil || !ok {
			t.Errorf("ImagesAllowed(%q) = %v, %v", s, ok, err)
		}
	}
	if ok, _ := r.ImagesAllowed("bob@example.com"); ok {
		t.Error("an unlisted sender is allowed")
	}
	if ok, err := r.ImagesAllowed("garbage"); err != nil || ok {
		t.Errorf("ImagesAllowed(garbage) = %v, %v", ok, err)
	}

	if err := r.DisallowImages("ada@example.com"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.ImagesAllowed("ada@example.com"); ok {
		t.Error("still allowed after DisallowImages")
	}
	if err := r.DisallowImages("nobody@example.com"); err != nil {
		t.Errorf("removing an unlisted sender: %v", err)
	}
}

func TestReaderAllowlistIsPerWorkspaceAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	paths := config.Paths{Config: filepath.Join(dir, "config.toml"), Data: filepath.Join(dir, "data"), Demo: filepath.Join(dir, "data-demo")}
	open := func() *App {
		a := New(Options{Paths: paths, Emit: (&events{}).emit, EventInterval: 5 * time.Millisecond, Notifier: &notify.Recorder{}, NoControl: true})
		if err := a.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	if err := (&Reader{app: a}).AllowImages("ada@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	a = open()
	defer a.Close()
	r := &Reader{app: a}
	if ok, err := r.ImagesAllowed("ada@example.com"); err != nil || !ok {
		t.Fatalf("after restart: allowed = %v, %v", ok, err)
	}
	// The sample workspace has its own store and its own list.
	if err := a.switchTo(ModeDemo); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.ImagesAllowed("ada@example.com"); err != nil || ok {
		t.Fatalf("sample workspace sees the accounts' allowlist: %v, %v", ok, err)
	}
}

func TestReaderAllowImagesConcurrently(t *testing.T) {
	a, _ := newTestApp(t, false)
	r := &Reader{app: a}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := r.AllowImages(fmt.Sprintf("sender%02d@example.com", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	list, err := r.ImageSenders()
	if err != nil || len(list) != n {
		t.Fatalf("%d senders after %d concurrent adds (%v): a read-modify-write lost some", len(list), n, err)
	}
}

func TestReaderAfterClose(t *testing.T) {
	a, _ := newTestApp(t, false)
	r := &Reader{app: a}
	a.Close()
	if _, err := r.ImagesAllowed("ada@example.com"); err == nil {
		t.Error("ImagesAllowed after Close: no error")
	}
	if err := r.AllowImages("ada@example.com"); err == nil {
		t.Error("AllowImages after Close: no error")
	}
}

func TestReaderThread(t *testing.T) {
	a, _ := newTestApp(t, false)
	ws, err := a.current()
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	msg := func(native, thread, body string, minute int) inbox.Item {
		return inbox.Item{
			ID: inbox.NewID("work", native), Account: "work", Source: inbox.SourceSlack, Thread: thread,
			From: inbox.Person{Name: "Ada", Addr: "U1"}, Body: body, Received: base.Add(time.Duration(minute) * time.Minute),
		}
	}
	items := []inbox.Item{
		msg("c", "C1/1.0", "third *reply*", 3),
		msg("a", "C1/1.0", "root <@U2|bob>", 1),
		msg("b", "C1/1.0", "second", 2),
		msg("x", "C1/9.0", "another thread", 4),
		msg("solo", "", "no thread", 5),
	}
	for i := range 60 {
		items = append(items, msg(fmt.Sprintf("long%02d", i), "C2/1.0", fmt.Sprintf("message %d", i), 10+i))
	}
	if _, err := ws.store.Apply(context.Background(), store.Batch{Account: "work", Upserts: items}); err != nil {
		t.Fatal(err)
	}
	r := &Reader{app: a}

	got, err := r.Thread("work/b")
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, it := range got {
		bodies = append(bodies, it.Body)
	}
	if want := []string{"root <@U2|bob>", "second", "third *reply*"}; !slices.Equal(bodies, want) {
		t.Fatalf("thread bodies = %q, want %q (oldest first, with bodies)", bodies, want)
	}

	solo, err := r.Thread("work/solo")
	if err != nil || len(solo) != 1 || solo[0].Body != "no thread" {
		t.Fatalf("thread of one = %+v, %v", solo, err)
	}

	long, err := r.Thread("work/long00")
	if err != nil || len(long) != maxThread || long[0].Body != "message 10" || long[maxThread-1].Body != "message 59" {
		t.Fatalf("long thread: %d items (%v), first %q", len(long), err, long[0].Body)
	}

	if _, err := r.Thread("work/missing"); err == nil {
		t.Error("Thread of a missing item: no error")
	}
}
