package app

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/store"
)

func TestRepairEncodedWordsDecodesOlderMailOnce(t *testing.T) {
	f := newTriageApp(t, config.Config{})
	ws, _ := f.app.current()
	ctx := context.Background()
	put := func(native string, src inbox.Source, title, name string) {
		t.Helper()
		it := inbox.Item{
			ID: inbox.NewID(DemoAccount, native), Account: DemoAccount, Source: src,
			Title: title, From: inbox.Person{Name: name, Addr: native + "@example.com"},
			Body: "body of " + native, Received: f.clock.Now().Add(-time.Hour),
		}
		if _, err := ws.store.Apply(ctx, store.Batch{Account: DemoAccount, Upserts: []inbox.Item{it}}); err != nil {
			t.Fatal(err)
		}
	}
	// As mailparse stored them before it decoded glued words.
	put("old1", inbox.SourceEmail, "Gr=?ISO-8859-1?Q?=FC=DF?=e aus H=?ISO-8859-1?B?9g==?=hn", "=?utf-8?q?J=C3=B6rg?=_Smith")
	put("old2", inbox.SourceEmail, "Fine title", "=?utf-8?b?w4RsZg==?=in")
	put("plain", inbox.SourceEmail, "What does =?x mean", "Ann")
	put("bogus", inbox.SourceEmail, "=?no-such-charset?q?x?=", "Bo")
	put("chat", inbox.SourceSlack, "=?utf-8?q?J=C3=B6rg?=x in Slack", "Cy")
	f.run(t, "later tomorrow", "old1")

	n, err := repairEncodedWords(ctx, ws.store, slog.Default())
	if err != nil || n != 2 {
		t.Fatalf("repaired %d, %v; want 2", n, err)
	}
	for _, tt := range []struct{ native, title, name string }{
		{"old1", "Grüße aus Höhn", "Jörg_Smith"},
		{"old2", "Fine title", "Älfin"},
		{"plain", "What does =?x mean", "Ann"},
		{"bogus", "=?no-such-charset?q?x?=", "Bo"},
		{"chat", "=?utf-8?q?J=C3=B6rg?=x in Slack", "Cy"},
	} {
		it := f.get(t, tt.native)
		if it.Title != tt.title || it.From.Name != tt.name {
			t.Errorf("%s: %q from %q, want %q from %q", tt.native, it.Title, it.From.Name, tt.title, tt.name)
		}
		if it.Body != "body of "+tt.native {
			t.Errorf("%s: body %q", tt.native, it.Body)
		}
	}
	if st := f.get(t, "old1").Triage.State; st != inbox.StateLater {
		t.Errorf("old1 is %s after the repair, want it still in later", st)
	}
	// The search index follows the rewrite.
	waitFor(t, "the repaired title in search", func() bool {
		res, err := (&Search{app: f.app}).Run("Höhn", 10)
		return err == nil && len(res.Items) == 1 && res.Items[0].ID == inbox.NewID(DemoAccount, "old1")
	})

	// Once done, it does not read the store again: new mail is decoded as it syncs.
	put("later", inbox.SourceEmail, "H=?ISO-8859-1?B?9g==?=hn", "Di")
	if n, err := repairEncodedWords(ctx, ws.store, slog.Default()); err != nil || n != 0 {
		t.Fatalf("second run repaired %d, %v", n, err)
	}
	if got := f.get(t, "later").Title; got != "H=?ISO-8859-1?B?9g==?=hn" {
		t.Errorf("second run changed %q", got)
	}
}
