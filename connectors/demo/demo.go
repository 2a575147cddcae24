// Package demo is the sample workspace's connector: real email from the
// SpamAssassin public corpus plus generated Slack and GitHub traffic, first as
// a three-day backfill, then one new item every interval. Everything is
// deterministic, so a re-sync or a resumed sync produces the same ids and
// the demo behaves like a well-mannered real source under the conformance
// suite.
//
// Settings (all optional):
//
//	interval = "6s"  # one new item every interval
//	emails   = 400   # corpus emails to backfill (default: all of them)
package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
)

func init() {
	connectors.Register("demo", New)
}

// DefaultInterval is how often a new item arrives when the account does not say.
const DefaultInterval = 6 * time.Second

// batchSize is the most items committed in one backfill batch.
const batchSize = 200

// Connector is the demo source for one account.
type Connector struct {
	account  string
	now      func() time.Time
	interval time.Duration
	emails   int // -1: the whole corpus

	// corpus is read once per connector, on first use.
	corpus func() (*corpus, error)
}

var _ connectors.Connector = (*Connector)(nil)

// New builds the demo connector for acct, rejecting unknown or malformed settings.
func New(acct connectors.Account) (connectors.Connector, error) {
	c := &Connector{account: acct.Name, now: acct.Now, interval: DefaultInterval, emails: -1}
	if c.now == nil {
		c.now = time.Now
	}
	if err := c.configure(acct.Settings); err != nil {
		return nil, err
	}
	c.corpus = sync.OnceValues(loadCorpus)
	return c, nil
}

// configure applies the account's settings.
func (c *Connector) configure(settings map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(settings)) { // sorted: the same error every time
		v := settings[key]
		switch key {
		case "interval":
			d, err := durationSetting(v)
			if err != nil {
				return fmt.Errorf("demo: setting interval: %w", err)
			}
			c.interval = d
		case "emails":
			n, err := countSetting(v)
			if err != nil {
				return fmt.Errorf("demo: setting emails: %w", err)
			}
			c.emails = n
		default:
			return fmt.Errorf("demo: unknown setting %q (known: emails, interval)", key)
		}
	}
	return nil
}

func durationSetting(v any) (time.Duration, error) {
	var d time.Duration
	switch v := v.(type) {
	case time.Duration:
		d = v
	case string:
		var err error
		if d, err = time.ParseDuration(strings.TrimSpace(v)); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("want a duration such as \"6s\", got %T %v", v, v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive, got %v", d)
	}
	return d, nil
}

func countSetting(v any) (int, error) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case float64: // JSON numbers
		if v != float64(int64(v)) {
			return 0, fmt.Errorf("want a whole number, got %v", v)
		}
		n = int64(v)
	default:
		return 0, fmt.Errorf("want a number, got %T %v", v, v)
	}
	if n < 0 {
		return 0, fmt.Errorf("must not be negative, got %d", n)
	}
	return int(min(n, 1<<30)), nil
}

// Sync backfills the sample workspace on first run, then adds one item every
// interval until ctx ends.
func (c *Connector) Sync(ctx context.Context, sink connectors.Sink) error {
	raw, err := sink.Cursor(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("demo: failed to read cursor: %w", err)
	}
	cur, err := decodeCursor(raw)
	if err != nil || cur == nil {
		// A missing or unreadable cursor starts over; the backfill is
		// idempotent, so this costs time, never duplicates.
		cur = &cursor{Base: c.now().Unix()}
	}
	corp, err := c.corpus()
	if err != nil {
		return fmt.Errorf("demo: failed to load sample mail: %w", err)
	}
	if cur.Backfilled {
		// An earlier run did the backfill: say at once that it is caught
		// up, or the window shows "Syncing…" until the first live item.
		sink.Progress(connectors.Progress{Phase: "up to date", Finished: true})
	} else if err := c.backfill(ctx, sink, corp, cur); err != nil {
		return err
	}
	return c.stream(ctx, sink, corp, cur)
}

// backfill commits the sample workspace in batches, resuming after the
// items a previous run committed.
func (c *Connector) backfill(ctx context.Context, sink connectors.Sink, corp *corpus, cur *cursor) error {
	items := c.backfillItems(corp, cur.base())
	total := len(items)
	start := min(cur.Done, total)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+batchSize, total)
		next := *cur
		next.Done, next.Backfilled = end, end == total
		if next.Backfilled {
			next.Done = 0
		}
		b := connectors.Batch{Upserts: items[start:end], Cursor: next.encode(), Backfill: true}
		if err := sink.Apply(ctx, b); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("demo: failed to apply backfill items %d-%d: %w", start, end, err)
		}
		*cur = next
		sink.Progress(connectors.Progress{Done: end, Total: total, Phase: "sample mail"})
		if end == total {
			return nil
		}
		start = end
	}
}

// stream adds item number cur.Seq every interval.
func (c *Connector) stream(ctx context.Context, sink connectors.Sink, corp *corpus, cur *cursor) error {
	tick := time.NewTicker(c.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		it := c.liveItem(corp, cur.base(), cur.Seq, c.now())
		next := *cur
		next.Seq++
		b := connectors.Batch{Upserts: []inbox.Item{it}, Cursor: next.encode()}
		if err := sink.Apply(ctx, b); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("demo: failed to apply live item %d: %w", cur.Seq, err)
		}
		*cur = next
	}
}
