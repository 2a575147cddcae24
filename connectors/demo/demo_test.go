package demo_test

import (
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
