package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/demo"
)

func TestConformance(t *testing.T) {
	const emails = 8
	conformance.Run(t, conformance.Harness{
		Account: "demo",
		New: func(t *testing.T) connectors.Connector {
			c, err := demo.New(connectors.Account{
				Name:     "demo",
				Kind:     "demo",
				Settings: map[string]any{"interval": "50ms", "emails": emails},
				Now:      time.Now,
			})
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Settle: 600 * time.Millisecond,
		// The backfill (emails, 60 Slack, 40 GitHub) and a few live items.
		MinItems:    emails + 60 + 40 + 3,
		ExactResume: true,
	})
}

func TestRegistered(t *testing.T) {
	c, err := connectors.Default.New(connectors.Account{Name: "sample", Kind: "demo"})
	if err != nil {
		t.Fatalf("kind demo is not registered: %v", err)
	}
	if _, ok := c.(*demo.Connector); !ok {
		t.Errorf("registry built a %T", c)
	}
}

// TestRestartSaysCaughtUp: a demo restarted after its backfill reports that
// it is up to date at once, not with its first live item an interval later.
func TestRestartSaysCaughtUp(t *testing.T) {
	sink := conformance.NewMemorySink()
	run := func(interval string) {
		t.Helper()
		c, err := demo.New(connectors.Account{Name: "demo", Kind: "demo", Now: time.Now,
			Settings: map[string]any{"interval": interval, "emails": 4}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if err := c.Sync(ctx, sink); err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
	}
	run("1h")
	first := len(sink.ProgressReports())
	if first == 0 || sink.Backfilling() {
		t.Fatalf("the first run did not finish its backfill: %d reports", first)
	}
	batches := len(sink.Batches())
	run("1h")
	if len(sink.Batches()) != batches {
		t.Fatalf("the restart wrote %d batches; the test wants none (interval 1h)", len(sink.Batches())-batches)
	}
	again := sink.ProgressReports()[first:]
	if len(again) == 0 || !again[len(again)-1].Complete() {
		t.Fatalf("after a restart the demo said %+v, want a report that it is up to date", again)
	}
}
