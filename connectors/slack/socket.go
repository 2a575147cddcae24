package slack

import (
	"context"
	"errors"
	"io"
	"log"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// socketEvent is what the Socket Mode goroutine tells the sync: the
// connection came up or went down, or a message event arrived.
type socketEvent struct {
	up  *bool
	msg *slackevents.MessageEvent
}

// Reconnection pacing when Socket Mode cannot connect at all (slack-go
// itself reconnects after a dropped socket or a disconnect request).
const (
	socketRetryMin = 5 * time.Second
	socketRetryMax = 5 * time.Minute
)

// runSocket keeps a Socket Mode connection open with the app-level token
// until ctx ends, acknowledging every envelope and passing message events
// on. If Slack refuses the app token it gives up (polling goes on) and
// logs why.
func (c *Connector) runSocket(ctx context.Context, appToken string, out chan<- socketEvent) {
	send := func(ev socketEvent) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	wasUp := false // since the last reconnection pause
	setUp := func(up bool) bool {
		wasUp = wasUp || up
		return send(socketEvent{up: &up})
	}
	web := slack.New("",
		slack.OptionAPIURL(c.s.APIURL),
		slack.OptionAppLevelToken(appToken),
		slack.OptionHTTPClient(countingClient{inner: c.http, count: &c.calls}),
		slack.OptionLog(log.New(io.Discard, "", 0)),
	)
	retry := socketRetryMin
	for ctx.Err() == nil {
		// apps.connections.open is Tier 1: never more than the limiter allows.
		if err := c.lim.wait(ctx, "apps.connections.open"); err != nil {
			return
		}
		opts := []socketmode.Option{socketmode.OptionLog(log.New(io.Discard, "", 0))}
		if c.opts.SocketPing > 0 {
			opts = append(opts, socketmode.OptionPingInterval(c.opts.SocketPing))
		}
		client := socketmode.New(web, opts...)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- client.RunContext(runCtx) }()
		returned, err := c.pump(runCtx, client, done, send, setUp)
		stop()
		if !returned {
			<-done // pump stopped first; RunContext ends with runCtx
		}
		if ctx.Err() != nil {
			return
		}
		if !setUp(false) {
			return
		}
		if isAuthError(err) || isRefused(err) {
			c.log.Warn("slack: Slack refused the app token; Socket Mode is off, polling goes on", "account", c.account, "err", err)
			return
		}
		if wasUp {
			retry, wasUp = socketRetryMin, false
		}
		c.log.Info("slack: Socket Mode stopped; reconnecting", "account", c.account, "err", err, "in", retry)
		if sleep(ctx, retry) != nil {
			return
		}
		retry = min(2*retry, socketRetryMax)
	}
}

// isRefused reports the errors slack-go's Socket Mode client returns as
// plain strings when Slack refuses the app token.
func isRefused(err error) bool {
	if err == nil {
		return false
	}
	switch err.Error() {
	case "invalid_auth", "account_inactive", "not_authed", "token_revoked", "not_allowed_token_type":
		return true
	}
	return false
}

// pump reads the Socket Mode client's events until RunContext returns
// (returned is then true) or the connection cannot go on.
func (c *Connector) pump(ctx context.Context, client *socketmode.Client, done <-chan error, send func(socketEvent) bool, setUp func(bool) bool) (returned bool, err error) {
	// graceful: Slack asked for a reconnection; it redelivers what the
	// old connection did not acknowledge, so nothing needs polling.
	graceful := false
	for {
		select {
		case err := <-done:
			return true, err
		case <-ctx.Done():
			return false, ctx.Err()
		case evt := <-client.Events:
			switch evt.Type {
			case socketmode.EventTypeConnecting:
				// Also the sign of a dropped connection: slack-go just dials again.
				if !graceful && !setUp(false) {
					return false, ctx.Err()
				}
			case socketmode.EventTypeConnected:
				graceful = false
				c.log.Info("slack: Socket Mode connected", "account", c.account)
				if !setUp(true) {
					return false, ctx.Err()
				}
			case socketmode.EventTypeDisconnect:
				graceful = true
			case socketmode.EventTypeConnectionError:
				graceful = false
				if !setUp(false) {
					return false, ctx.Err()
				}
			case socketmode.EventTypeInvalidAuth:
				return false, errors.New("invalid_auth")
			case socketmode.EventTypeEventsAPI:
				if evt.Request != nil {
					// Acknowledge at once: Slack retries an envelope that is
					// not acknowledged within 3 seconds.
					if err := client.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
						return false, err
					}
				}
				outer, ok := evt.Data.(slackevents.EventsAPIEvent)
				if !ok {
					continue
				}
				if m, ok := outer.InnerEvent.Data.(*slackevents.MessageEvent); ok {
					if !send(socketEvent{msg: m}) {
						return false, ctx.Err()
					}
				}
			}
		}
	}
}

// handle applies one Socket Mode event.
func (r *run) handle(ctx context.Context, ev socketEvent) error {
	switch {
	case ev.up != nil:
		if *ev.up != r.socketUp {
			r.socketUp = *ev.up
			if !r.socketUp {
				// Events may have been missed: poll everything soon.
				for id := range r.lastPoll {
					r.lastPoll[id] = time.Time{}
				}
			}
		}
		return nil
	case ev.msg != nil:
		return r.onMessage(ctx, ev.msg)
	}
	return nil
}

// onMessage turns a message event into items at once: a new or edited
// message the inbox wants is upserted, a deleted one removed. The next poll
// of the conversation reads the same messages and, finding them held
// unchanged, writes nothing.
func (r *run) onMessage(ctx context.Context, e *slackevents.MessageEvent) error {
	ci, st := r.convs[e.Channel], r.cur.Convs[e.Channel]
	if ci == nil || st == nil {
		// A conversation Lull does not know yet (someone's first DM).
		r.relist = true
		r.dirty[e.Channel] = true
		return nil
	}
	b := &batch{}
	switch e.SubType {
	case "message_deleted":
		t, ok := parseTS(e.DeletedTimeStamp)
		if !ok {
			return nil
		}
		b.remove(r.itemID(ci.id, t))
		st.Held = st.Held.drop(t)
		for _, th := range st.Threads {
			th.Held = th.Held.drop(t)
		}
		return r.commit(ctx, b)
	case "message_replied":
		r.dirty[ci.id] = true
		return nil
	}
	m := e.Message
	if e.SubType == "message_changed" && m != nil && m.Channel == "" {
		m.Channel = e.Channel
	}
	if m == nil || m.Timestamp == "" {
		return nil
	}
	t, ok := parseTS(m.Timestamp)
	if !ok {
		return nil
	}
	if e.SubType == "message_changed" && m.SubType == "tombstone" {
		return nil
	}
	h := &st.Held
	var th *threadState
	if isReply(m) {
		root, _ := parseTS(m.ThreadTimestamp)
		th = st.Threads[root]
		mineNow := m.User == r.me.UserID || m.ParentUserId == r.me.UserID
		if th == nil && (mineNow || ci.followed || mentions(m.Text, r.me.UserID, r.groups)) {
			th = &threadState{}
			if st.Threads == nil {
				st.Threads = map[int64]*threadState{}
			}
			st.Threads[root] = th
			if m.User == r.me.UserID {
				// The user joined a thread: its earlier replies are theirs now.
				r.dirtyThreads[threadKey{ci.id, root}] = true
			}
		}
		if th != nil {
			th.Mine = th.Mine || mineNow
			h = &th.Held
		}
	}
	// An edit is news even for a message older than what Lull tracks.
	force := e.SubType == "message_changed" && t > r.floor
	if err := r.keep(ctx, b, ci, st, h, nil, m, t, th, force); err != nil {
		return err
	}
	return r.commit(ctx, b)
}
