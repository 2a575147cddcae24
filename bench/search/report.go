package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// report is everything one run measured; it is also the -json output.
type report struct {
	Messages          int     `json:"messages"`
	CorpusMessages    int     `json:"corpusMessages"`
	MaildirBytes      int64   `json:"maildirBytes"`
	CPUs              int     `json:"cpus"`
	Limit             int     `json:"limit"`
	LullRuns          int     `json:"lullRuns"`
	NotmuchRuns       int     `json:"notmuchRuns"`
	NotmuchNewSec     float64 `json:"notmuchNewSec"`
	NotmuchIndexBytes int64   `json:"notmuchIndexBytes"`
	LullIngestSec     float64 `json:"lullIngestSec"`
	LullIndexSec      float64 `json:"lullIndexSec"`
	LullIndexBytes    int64   `json:"lullIndexBytes"`
	LullStoreBytes    int64   `json:"lullStoreBytes"`
	LullReopenMS      float64 `json:"lullReopenMs"`

	Queries []queryReport `json:"queries"`

	// Overall percentiles in ms, over every timed run of every query.
	LullP50       float64 `json:"lullP50Ms"`
	LullP95       float64 `json:"lullP95Ms"`
	NotmuchMsgP50 float64 `json:"notmuchMessagesP50Ms"`
	NotmuchMsgP95 float64 `json:"notmuchMessagesP95Ms"`
	NotmuchThrP50 float64 `json:"notmuchThreadsP50Ms"`
	NotmuchThrP95 float64 `json:"notmuchThreadsP95Ms"`
}

type queryReport struct {
	Query        string  `json:"query"`
	LullTotal    int     `json:"lullTotal"`
	NotmuchTotal int     `json:"notmuchTotal"`
	LullP50      float64 `json:"lullP50Ms"`
	LullP95      float64 `json:"lullP95Ms"`
	NmMsgP50     float64 `json:"notmuchMessagesP50Ms"`
	NmMsgP95     float64 `json:"notmuchMessagesP95Ms"`
	NmThrP50     float64 `json:"notmuchThreadsP50Ms"`
	NmThrP95     float64 `json:"notmuchThreadsP95Ms"`

	lull, nmMessages, nmThreads []time.Duration
}

func (q *queryReport) summarize() {
	q.LullP50, q.LullP95 = percentile(q.lull, 50), percentile(q.lull, 95)
	q.NmMsgP50, q.NmMsgP95 = percentile(q.nmMessages, 50), percentile(q.nmMessages, 95)
	q.NmThrP50, q.NmThrP95 = percentile(q.nmThreads, 50), percentile(q.nmThreads, 95)
}

func (r *report) summarize() {
	var lull, msgs, thr []time.Duration
	for _, q := range r.Queries {
		lull = append(lull, q.lull...)
		msgs = append(msgs, q.nmMessages...)
		thr = append(thr, q.nmThreads...)
	}
	r.LullP50, r.LullP95 = percentile(lull, 50), percentile(lull, 95)
	r.NotmuchMsgP50, r.NotmuchMsgP95 = percentile(msgs, 50), percentile(msgs, 95)
	r.NotmuchThrP50, r.NotmuchThrP95 = percentile(thr, 50), percentile(thr, 95)
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "search benchmark: %d messages (%d ham messages cycled, %.0f MB Maildir), %d CPUs, limit %d\n\n",
		r.Messages, r.CorpusMessages, mb(r.MaildirBytes), r.CPUs, r.Limit)
	fmt.Fprintf(w, "index build\n")
	fmt.Fprintf(w, "  notmuch new                      %7.1f s   index %5.0f MB\n", r.NotmuchNewSec, mb(r.NotmuchIndexBytes))
	fmt.Fprintf(w, "  lull parse+store (Badger)        %7.1f s   store %5.0f MB\n", r.LullIngestSec, mb(r.LullStoreBytes))
	fmt.Fprintf(w, "  lull index build (bleve)         %7.1f s   index %5.0f MB\n", r.LullIndexSec, mb(r.LullIndexBytes))
	fmt.Fprintf(w, "  lull total                       %7.1f s", r.LullIngestSec+r.LullIndexSec)
	if r.NotmuchNewSec > 0 {
		fmt.Fprintf(w, "   (%.2fx notmuch new)", (r.LullIngestSec+r.LullIndexSec)/r.NotmuchNewSec)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  lull reopen + no-op catch-up     %7.1f ms\n\n", r.LullReopenMS)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "query\tlull hits\tnotmuch hits\tlull p50\tlull p95\tnm msgs p50\tnm msgs p95\tnm threads p50\tnm threads p95\t\n")
	for _, q := range r.Queries {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", q.Query, q.LullTotal, q.NotmuchTotal,
			q.LullP50, q.LullP95, q.NmMsgP50, q.NmMsgP95, q.NmThrP50, q.NmThrP95)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n(ms; lull: %d runs per query in-process from Go, Index.Run with rows read from the store;\n"+
		" notmuch: %d runs per query of `notmuch search --output=messages|threads --limit=%d`, wall time of the process)\n\n",
		r.LullRuns, r.NotmuchRuns, r.Limit)
	fmt.Fprintf(w, "overall             p50 ms   p95 ms\n")
	fmt.Fprintf(w, "  lull             %7.2f  %7.2f   goal p95 < 20 ms: %s\n", r.LullP50, r.LullP95, pass(r.LullP95 < 20))
	if r.NotmuchMsgP50 == 0 {
		return // -lull-only
	}
	fmt.Fprintf(w, "  notmuch messages %7.2f  %7.2f   ratio notmuch/lull: p50 %.1fx, p95 %.1fx\n",
		r.NotmuchMsgP50, r.NotmuchMsgP95, r.NotmuchMsgP50/r.LullP50, r.NotmuchMsgP95/r.LullP95)
	fmt.Fprintf(w, "  notmuch threads  %7.2f  %7.2f   ratio notmuch/lull: p50 %.1fx, p95 %.1fx\n",
		r.NotmuchThrP50, r.NotmuchThrP95, r.NotmuchThrP50/r.LullP50, r.NotmuchThrP95/r.LullP95)
}

func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// percentile is the nearest-rank percentile of ds, in milliseconds.
func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s) + 99) / 100
	return ms(s[max(i-1, 0)])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(n int64) float64 { return float64(n) / (1 << 20) }
