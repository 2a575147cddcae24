package imap

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/imap/dovecottest"
)

// BenchmarkIdlePush measures push latency: from an APPEND on a second
// connection until the message is committed to the sink, over 100 messages
// one at a time. It reports p50 and p95 (goal: p95 < 1 s).
func BenchmarkIdlePush(b *testing.B) {
	srv := dovecottest.New(b)
	seed(b, srv, "INBOX", 10, time.Now())
	c := newConn(srv, settingsFor(srv, nil))
	sink := conformance.NewMemorySink()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Sync(ctx, sink)
	for !complete(sink) {
		time.Sleep(5 * time.Millisecond)
	}
	const n = 100
	var lat []time.Duration
	b.ResetTimer()
	for iter := 0; iter < b.N; iter++ {
		lat = lat[:0]
		for i := 0; i < n; i++ {
			title := fmt.Sprintf("Message number %d", 100000+iter*n+i)
			msg := testMessage(100000+iter*n+i, time.Now())
			start := time.Now()
			if _, err := srv.Append(ctx, "INBOX", msg); err != nil {
				b.Fatal(err)
			}
			for {
				if _, ok := byTitle(sink, title); ok {
					break
				}
				if time.Since(start) > 10*time.Second {
					b.Fatalf("%s never arrived", title)
				}
				time.Sleep(time.Millisecond)
			}
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("imap IDLE push over %d messages: p50 %v, p95 %v (goal p95 < 1s)\n", n, p50.Round(time.Millisecond), p95.Round(time.Millisecond))
}
