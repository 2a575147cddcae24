package demo

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// backfillSpan is how far back the backfill reaches from the cursor's base.
const backfillSpan = 72 * time.Hour

// unreadWindow: backfill items newer than this (before base) start unread.
const unreadWindow = 8 * time.Hour

// Random streams. Each generated item draws from its own generator, seeded
// by its stream and index, so any item can be rebuilt alone and always
// comes out the same.
const (
	seedEmail uint64 = iota + 1
	seedSlack
	seedSlackTime
	seedGitHub
	seedGitHubTime
	seedLive
)

func rngFor(stream, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(stream*0x9e3779b97f4a7c15, index))
}

// slotTime places item i of n in its own slot of [start, start+span), at a
// point drawn from r inside the slot, so the order of i is kept.
func slotTime(start time.Time, span time.Duration, n, i int, r *rand.Rand) time.Time {
	slot := span / time.Duration(n)
	off := slot*time.Duration(i) + time.Duration(float64(slot)*(0.1+0.8*r.Float64()))
	return start.Add(off).Truncate(time.Microsecond)
}

// backfillItems is the whole backfill for base, oldest first.
func (c *Connector) backfillItems(corp *corpus, base time.Time) []inbox.Item {
	items := c.emailItems(corp.backfillSamples(c.emails), base)
	items = append(items, c.slackBackfill(base)...)
	items = append(items, c.githubBackfill(base)...)
	slices.SortStableFunc(items, func(a, b inbox.Item) int {
		if d := a.Received.Compare(b.Received); d != 0 {
			return d
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return items
}
