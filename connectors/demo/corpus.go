package demo

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	_ "embed" // the sample mail archive
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/mailparse"
)

// hamArchive is the sample mail: ham from the SpamAssassin public corpus,
// made by scripts/demo-corpus.sh (see corpus/NOTICE).
//
//go:embed corpus/ham.tar.gz
var hamArchive string

// maxCorpusFile bounds one archive entry; the script keeps them far smaller.
const maxCorpusFile = 1 << 20

// corpus is the unpacked archive; messages are parsed on first use.
type corpus struct {
	names []string
	raws  [][]byte

	mu     sync.Mutex
	parsed map[int]mailparse.Message
}

func loadCorpus() (*corpus, error) {
	gz, err := gzip.NewReader(strings.NewReader(hamArchive))
	if err != nil {
		return nil, fmt.Errorf("failed to open archive: %w", err)
	}
	c := &corpus{parsed: map[int]mailparse.Message{}}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("failed to read archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(tr, maxCorpusFile))
		if err != nil {
			return nil, fmt.Errorf("failed to read %s: %w", h.Name, err)
		}
		c.names = append(c.names, h.Name)
		c.raws = append(c.raws, raw)
	}
	if len(c.names) == 0 {
		return nil, errors.New("archive holds no messages")
	}
	return c, nil
}

func (c *corpus) len() int { return len(c.names) }

// message returns message i parsed. A message the parser could only partly
// read is still returned: the demo shows what a real client would.
func (c *corpus) message(i int) mailparse.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.parsed[i]; ok {
		return m
	}
	m, _ := mailparse.Parse(bytes.NewReader(c.raws[i]), mailparse.Limits{})
	c.parsed[i] = m
	return m
}

// sample is one corpus email chosen for the backfill.
type sample struct {
	index int
	name  string
	msg   mailparse.Message
}

// backfillSamples picks n messages at even steps through the archive (all of
// them when n < 0) and orders them by their original date.
func (c *corpus) backfillSamples(n int) []sample {
	total := c.len()
	if n < 0 || n > total {
		n = total
	}
	out := make([]sample, 0, n)
	for j := range n {
		i := j * total / n
		out = append(out, sample{index: i, name: c.names[i], msg: c.message(i)})
	}
	slices.SortStableFunc(out, func(a, b sample) int {
		if d := a.msg.Date.Compare(b.msg.Date); d != 0 {
			return d
		}
		return cmp.Compare(a.name, b.name)
	})
	return out
}

// emailItems returns the backfill email items: the samples' 2002 dates are
// re-mapped onto the three days before base, keeping their order, each in its
// own slot of the window with a jitter fixed by its file name.
func (c *Connector) emailItems(samples []sample, base time.Time) []inbox.Item {
	start := base.Add(-backfillSpan)
	seen := map[string]bool{}
	items := make([]inbox.Item, 0, len(samples))
	for j, s := range samples {
		native := "email/" + s.msg.MessageID
		if s.msg.MessageID == "" || seen[native] {
			native = "email/" + s.name
		}
		seen[native] = true
		it := s.msg.Item(c.account, native)
		it.Received = slotTime(start, backfillSpan, len(samples), j, rngFor(seedEmail, uint64(s.index)))
		it.Unread = base.Sub(it.Received) < unreadWindow
		items = append(items, it)
	}
	return items
}

// liveEmail re-delivers a corpus message as live item seq, received now.
func (c *Connector) liveEmail(corp *corpus, seq int, now time.Time) inbox.Item {
	r := rngFor(seedLive, uint64(seq))
	i := r.IntN(corp.len())
	it := corp.message(i).Item(c.account, liveNative(seq))
	it.Received = now
	it.Unread = true
	return it
}
