// Command slacksync measures the Slack connector against the fake Slack of
// connectors/slack/slackfake: an initial sync of many conversations with
// network latency injected into every call, the API calls it made per
// message, and the calls of an incremental sync when nothing changed, both
// a steady-state poll and a restart from the committed cursor.
//
//	go run ./bench/slacksync -convs 50 -messages 2000 -latency 20ms
//
// Calls are not paced under Slack's tiers here (the fake has none), so the
// times are what latency alone costs; the report also gives the least time
// Slack's published tiers would allow for the same calls. It exits 1 when
// the sync loses or duplicates messages, 2 on bad flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/secret"
	"github.com/lullhq/lull/connectors/slack"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

const (
	account = "bench"
	token   = "xoxp-bench"
	me      = "U0ME"
	// pollEvery is the connector's poll interval here; pollWindow how many
	// intervals the idle polls are counted over.
	pollEvery  = 3 * time.Second
	pollWindow = 3
)

type options struct {
	convs, messages, threads, users int
	latency                         time.Duration
	jsonPath                        string
}

// Result is what one run measured.
type Result struct {
	Conversations       int            `json:"conversations"`
	MessagesPerConv     int            `json:"messages_per_conversation"`
	ThreadsPerConv      int            `json:"threads_per_conversation"`
	LatencyMS           float64        `json:"latency_ms"`
	Items               int            `json:"items"`
	InitialSeconds      float64        `json:"initial_sync_seconds"`
	InitialCalls        int            `json:"initial_sync_calls"`
	CallsPerMessage     float64        `json:"calls_per_message"`
	InitialByMethod     map[string]int `json:"initial_sync_calls_by_method"`
	TierBoundSeconds    float64        `json:"initial_sync_tier_bound_seconds"`
	TierBoundBy         string         `json:"initial_sync_tier_bound_by"`
	PollCalls           int            `json:"idle_poll_calls"`
	PollByMethod        map[string]int `json:"idle_poll_calls_by_method"`
	PollSeconds         float64        `json:"idle_poll_seconds"`
	RestartCalls        int            `json:"restart_calls"`
	RestartByMethod     map[string]int `json:"restart_calls_by_method"`
	RestartSeconds      float64        `json:"restart_seconds"`
	ConnectorCallsTotal int64          `json:"connector_counted_calls"`
	CursorBytes         int            `json:"cursor_bytes"`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("slacksync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.convs, "convs", 50, "conversations (DMs, group DMs and watched channels)")
	fs.IntVar(&o.messages, "messages", 2000, "top-level messages in each conversation")
	fs.IntVar(&o.threads, "threads", 0, "threads (of 3 replies) in each conversation")
	fs.IntVar(&o.users, "users", 40, "people posting")
	fs.DurationVar(&o.latency, "latency", 20*time.Millisecond, "latency injected into every Web API call")
	fs.StringVar(&o.jsonPath, "json", "", "also write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.convs < 1 || o.messages < 1 || o.users < 2 || o.threads < 0 || o.threads > o.messages {
		fmt.Fprintln(stderr, "slacksync: -convs, -messages need to be positive, -users at least 2, -threads within -messages")
		return 2
	}
	res, err := bench(o, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "slacksync:", err)
		return 1
	}
	report(stdout, o, res)
	if o.jsonPath != "" {
		data, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(o.jsonPath, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "slacksync:", err)
			return 1
		}
	}
	return 0
}

// populate builds the workspace: a third DMs, a sixth group DMs, the rest
// watched channels, every message within the last ten days.
func populate(o options) (*slackfake.Server, []string, int) {
	srv := slackfake.New(slackfake.Options{Latency: o.latency})
	srv.AddUser(slackfake.User{ID: me, Name: "me", RealName: "Bench User"}, token)
	users := make([]string, o.users)
	for i := range users {
		users[i] = fmt.Sprintf("U%04d", i)
		srv.AddUser(slackfake.User{ID: users[i], Name: fmt.Sprintf("user%d", i), RealName: fmt.Sprintf("User %d", i)}, "")
	}
	var watched []string
	dms, groups := o.convs/3, o.convs/6
	convs := make([]string, o.convs)
	for i := range convs {
		switch {
		case i < dms:
			convs[i] = fmt.Sprintf("D%04d", i)
			srv.AddIM(convs[i], me, users[i%len(users)])
		case i < dms+groups:
			convs[i] = fmt.Sprintf("G%04d", i)
			srv.AddMPIM(convs[i], me, users[i%len(users)], users[(i+1)%len(users)])
		default:
			convs[i] = fmt.Sprintf("C%04d", i)
			name := fmt.Sprintf("team-%d", i)
			srv.AddChannel(convs[i], name, false, me, users[i%len(users)], users[(i+1)%len(users)], users[(i+2)%len(users)])
			watched = append(watched, name)
		}
	}
	start := time.Now().Add(-10 * 24 * time.Hour)
	step := 10 * 24 * time.Hour / time.Duration(o.messages+1)
	items := 0
	for ci, conv := range convs {
		posters := []string{users[ci%len(users)], users[(ci+1)%len(users)]}
		var roots []string
		for i := range o.messages {
			from := posters[i%len(posters)]
			text := fmt.Sprintf("message %d in %s: the quick brown fox jumps over the lazy dog", i, conv)
			if i%97 == 0 {
				text = fmt.Sprintf("<@%s> could you look at item %d?", me, i)
			}
			at := start.Add(time.Duration(i) * step).Add(time.Duration(ci) * time.Millisecond)
			ts := srv.PostAt(conv, from, text, at)
			if o.threads > 0 && i%(o.messages/o.threads) == 0 && len(roots) < o.threads {
				roots = append(roots, ts)
			}
			items++
		}
		for _, root := range roots {
			for r := range 3 {
				srv.Reply(conv, root, posters[r%len(posters)], fmt.Sprintf("reply %d", r))
				items++
			}
		}
	}
	return srv, watched, items
}

// passLog catches the connector's "slack: synced" records: one per sync
// pass, with the calls it made.
type passLog struct {
	mu     sync.Mutex
	passes []pass
	notify chan struct{}
}

type pass struct {
	calls int64
	took  time.Duration
}

func (p *passLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *passLog) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *passLog) WithGroup(string) slog.Handler            { return p }
func (p *passLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "slack: synced" {
		return nil
	}
	var ps pass
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "api_calls":
			ps.calls = a.Value.Int64()
		case "took":
			ps.took = a.Value.Duration()
		}
		return true
	})
	p.mu.Lock()
	p.passes = append(p.passes, ps)
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
	return nil
}

func (p *passLog) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.passes)
}

func (p *passLog) last() pass {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.passes[len(p.passes)-1]
}

func bench(o options, stdout io.Writer) (Result, error) {
	fmt.Fprintf(stdout, "seeding %d conversations x %d messages...\n", o.convs, o.messages)
	srv, watched, total := populate(o)
	defer srv.Close()

	logs := &passLog{notify: make(chan struct{}, 1)}
	raw := map[string]any{"api_url": srv.URL, "sync_days": 30}
	w := make([]any, len(watched))
	for i, n := range watched {
		w[i] = n
	}
	raw["watched"] = w
	settings, err := slack.ParseSettings(raw)
	if err != nil {
		return Result{}, err
	}
	newConn := func() *slack.Connector {
		return slack.NewWith(account, settings, raw, slack.Options{
			Logger: slog.New(logs),
			Secrets: secret.Resolver{Keychain: noKeychain{}, Env: func(n string) string {
				return map[bool]string{true: token}[n == secret.EnvName(account, slack.TokenKey)]
			}},
			Unpaced:         true,
			PollInterval:    pollEvery,
			RefreshInterval: time.Hour,
		})
	}
	sink := conformance.NewMemorySink()
	res := Result{Conversations: o.convs, MessagesPerConv: o.messages, ThreadsPerConv: o.threads, LatencyMS: float64(o.latency) / 1e6}

	// Initial sync.
	c := newConn()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- c.Sync(ctx, sink) }()
	if err := waitPass(logs, 0, done, 30*time.Minute); err != nil {
		cancel()
		return res, fmt.Errorf("initial sync: %w", err)
	}
	res.InitialSeconds = time.Since(began).Seconds()
	res.InitialByMethod = srv.Calls()
	res.InitialCalls = srv.TotalCalls()
	res.ConnectorCallsTotal = c.Calls().Total
	res.Items = sink.Len()
	if res.Items != total {
		cancel()
		return res, fmt.Errorf("initial sync holds %d items, the workspace %d messages", res.Items, total)
	}
	res.CallsPerMessage = float64(res.InitialCalls) / float64(total)
	res.TierBoundSeconds, res.TierBoundBy = tierBound(res.InitialByMethod)
	fmt.Fprintf(stdout, "initial sync: %d items in %.1fs\n", res.Items, res.InitialSeconds)

	// Steady-state polls that find nothing: every conversation is polled
	// once per poll interval, at staggered times, so the calls are counted
	// over a few intervals and averaged.
	time.Sleep(pollEvery)
	srv.ResetCalls()
	n := logs.count()
	time.Sleep(pollWindow * pollEvery)
	for m, v := range srv.Calls() {
		if res.PollByMethod == nil {
			res.PollByMethod = map[string]int{}
		}
		res.PollByMethod[m] = (v + pollWindow/2) / pollWindow
	}
	res.PollCalls = (srv.TotalCalls() + pollWindow/2) / pollWindow
	if logs.count() > n {
		res.PollSeconds = logs.last().took.Seconds()
	}
	select {
	case err := <-done:
		return res, fmt.Errorf("sync stopped while idle: %v", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		return res, fmt.Errorf("sync stopped with %w", err)
	}

	// A restart from the committed cursor, nothing changed meanwhile.
	srv.ResetCalls()
	batches := len(sink.Batches())
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	done = make(chan error, 1)
	n = logs.count()
	began = time.Now()
	go func() { done <- newConn().Sync(ctx, sink) }()
	if err := waitPass(logs, n, done, 10*time.Minute); err != nil {
		return res, fmt.Errorf("restart: %w", err)
	}
	res.RestartSeconds = time.Since(began).Seconds()
	res.RestartByMethod = srv.Calls()
	res.RestartCalls = srv.TotalCalls()
	if nb := len(sink.Batches()) - batches; nb != 0 {
		return res, fmt.Errorf("a restart with nothing changed committed %d batches", nb)
	}
	cur, _ := sink.Cursor(ctx)
	res.CursorBytes = len(cur)
	return res, nil
}

// waitPass waits for the connector to log pass number n+1 (0-based n).
func waitPass(logs *passLog, n int, done <-chan error, limit time.Duration) error {
	deadline := time.After(limit)
	for logs.count() <= n {
		select {
		case <-logs.notify:
		case err := <-done:
			if err == nil {
				err = errors.New("Sync returned")
			}
			return err
		case <-deadline:
			return fmt.Errorf("no sync pass within %v", limit)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// tierBound is the least time Slack's published per-method tiers allow
// for calls (each method at its rate, methods in parallel), and the method
// that bounds it.
func tierBound(byMethod map[string]int) (float64, string) {
	perMinute := map[string]float64{
		"conversations.history": 50, "conversations.replies": 50, "conversations.info": 50,
		"users.conversations": 50, "users.info": 100, "auth.test": 100, "usergroups.list": 20,
	}
	worst, by := 0.0, ""
	for m, n := range byMethod {
		rate, ok := perMinute[m]
		if !ok {
			rate = 50
		}
		if s := float64(n) / rate * 60; s > worst {
			worst, by = s, fmt.Sprintf("%s: %d calls at %.0f a minute", m, n, rate)
		}
	}
	return worst, by
}

func report(w io.Writer, o options, r Result) {
	fmt.Fprintf(w, "\nSlack sync: %d conversations x %d messages (+%d threads of 3 replies each), %v latency per call\n",
		o.convs, o.messages, o.threads, o.latency)
	fmt.Fprintf(w, "  initial sync:        %.2f s for %d items, %d API calls = %.4f calls per message  [%s]\n",
		r.InitialSeconds, r.Items, r.InitialCalls, r.CallsPerMessage, methods(r.InitialByMethod))
	fmt.Fprintf(w, "  connector's count:   %d calls (Connector.Calls, logged per sync pass)\n", r.ConnectorCallsTotal)
	fmt.Fprintf(w, "  under Slack's tiers: at least %.0f s for the same calls (%s)\n", r.TierBoundSeconds, r.TierBoundBy)
	fmt.Fprintf(w, "  idle poll:           %d calls per poll of %d conversations (%.2f per conversation)  [%s]\n",
		r.PollCalls, o.convs, float64(r.PollCalls)/float64(o.convs), methods(r.PollByMethod))
	fmt.Fprintf(w, "  restart, no change:  %d calls (%.2f per conversation), %.2f s, 0 batches written  [%s]\n",
		r.RestartCalls, float64(r.RestartCalls)/float64(o.convs), r.RestartSeconds, methods(r.RestartByMethod))
	fmt.Fprintf(w, "  cursor:              %d bytes\n", r.CursorBytes)
	goal := "met"
	if r.PollCalls > o.convs {
		goal = "NOT met"
	}
	fmt.Fprintf(w, "  goal (idle sync <= 1 cheap call per conversation): %s\n", goal)
}

func methods(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// noKeychain keeps the benchmark away from the OS keychain.
type noKeychain struct{}

func (noKeychain) Get(string, string) (string, error) { return "", secret.ErrNotFound }
func (noKeychain) Set(string, string, string) error   { return errors.New("read-only") }
func (noKeychain) Delete(string, string) error        { return nil }
