package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/inbox"
)

// Triage commands are strings, as the keymap and the palette send them:
//
//	done                 mark done
//	inbox                back to the inbox ("undone" too)
//	later [when]         respond later, by when; no when (or "norm") uses [norms]
//	snooze when          out of sight until when, then back in the inbox
//
// when is a preset (next-batch, this-afternoon, tomorrow-morning,
// in-3-days), a length (2h, 3d), a clock time (15:00), a day (tomorrow,
// fri 14:00), a date (2026-03-14, 2026-03-14 15:00) or RFC 3339; see
// parseWhen. Clock times are read in the focus time zone.

// triageCmd is a parsed triage command.
type triageCmd struct {
	verb string // done, inbox, later, snooze
	when string // later, snooze: the time spec; "" for later means its norm
}

func parseTriage(command string) (triageCmd, error) {
	f := strings.Fields(command)
	if len(f) == 0 {
		return triageCmd{}, errors.New("triage: empty command")
	}
	c := triageCmd{verb: f[0], when: strings.Join(f[1:], " ")}
	switch c.verb {
	case "done", "inbox", "undone":
		if c.when != "" {
			return triageCmd{}, fmt.Errorf("triage: %s takes no time", c.verb)
		}
		if c.verb == "undone" {
			c.verb = "inbox"
		}
		return c, nil
	case "later":
		if strings.EqualFold(c.when, PresetNorm) {
			c.when = ""
		}
	case "snooze":
		if c.when == "" || strings.EqualFold(c.when, PresetNorm) {
			return triageCmd{}, errors.New("triage: snooze until when? such as snooze tomorrow-morning")
		}
	default:
		return triageCmd{}, fmt.Errorf("triage: unknown command %q", command)
	}
	if c.when != "" {
		if _, err := parseWhen(c.when); err != nil {
			return triageCmd{}, fmt.Errorf("triage: %s: %w", c.verb, err)
		}
	}
	return c, nil
}

// next is the triage decision c makes about it at env.now. at is the time
// the command names, resolved once for every item; zero for the norm.
func (c triageCmd) next(it *inbox.Item, at time.Time, env whenEnv, norms config.Norms) inbox.Triage {
	t := inbox.Triage{Changed: env.now}
	switch c.verb {
	case "done":
		t.State = inbox.StateDone
	case "inbox":
		t.State = inbox.StateInbox
	case "later":
		t.State, t.RespondBy = inbox.StateLater, at
		if at.IsZero() {
			t.RespondBy = env.now.Add(norms.ForItem(it))
		}
	case "snooze":
		t.State, t.SnoozeUntil = inbox.StateSnoozed, at
	}
	return t
}

// whenEnv is the clock and zone of ws at now.
func (a *App) whenEnv(ws *workspace, now time.Time) whenEnv {
	eng := ws.focus.engine()
	return whenEnv{now: now, loc: eng.Location(), nextBatch: eng.NextBatch}
}

func (a *App) norms() config.Norms {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.opts.Config.Norms
}

// runTriage applies command to ids; with threads, to every item of their
// threads in the same state (a thread row of the Inbox view).
func (a *App) runTriage(ctx context.Context, command string, ids []string, threads bool) (TriageResult, error) {
	cmd, err := parseTriage(command)
	if err != nil {
		return TriageResult{}, err
	}
	if len(ids) == 0 {
		return TriageResult{}, errors.New("triage: no items selected")
	}
	ws, err := a.current()
	if err != nil {
		return TriageResult{}, err
	}
	now := a.opts.Now().Round(0)
	env := a.whenEnv(ws, now)
	var at time.Time
	if cmd.when != "" {
		// One time for every item, and a bad one changes nothing.
		if at, err = resolveWhen(cmd.when, env); err != nil {
			return TriageResult{}, fmt.Errorf("triage: %s: %w", cmd.verb, err)
		}
	}
	targets := make([]inbox.ID, len(ids))
	for i, id := range ids {
		targets[i] = inbox.ID(id)
	}
	if threads {
		if targets, err = ws.threadTargets(ctx, targets); err != nil {
			return TriageResult{}, fmt.Errorf("triage: %s: %w", command, err)
		}
	}
	norms := a.norms()
	var step undoStep
	var changed []inbox.ID
	var from []inbox.State
	var to inbox.State
	var times []time.Time
	before, versionErr := ws.store.Version(ctx)
	fail := func(id inbox.ID, err error) (TriageResult, error) {
		step.label = describe(cmd, len(changed), times, now)
		a.recordUndo(step)
		a.emitter.Count(EventItemsChanged, len(changed))
		return TriageResult{Changed: changed, UndoDepth: a.undo.depth()}, fmt.Errorf("triage: %s %s: %w", command, id, err)
	}
	for _, id := range targets {
		it, err := ws.store.Get(ctx, id)
		if err != nil {
			return fail(id, err)
		}
		next := cmd.next(&it, at, env, norms)
		prev, err := ws.store.SetTriage(ctx, id, next)
		if err != nil {
			return fail(id, err)
		}
		ws.engine.WriteBack(id, prev, next)
		step.entries = append(step.entries, undoEntry{id: id, prev: prev})
		changed = append(changed, id)
		from, to = append(from, prev.State), next.State
		times = append(times, firstSet(next.RespondBy, next.SnoozeUntil))
	}
	if threads && versionErr == nil {
		// Whole threads moved: the Inbox rows can drop them without a scan.
		if after, err := ws.store.Version(ctx); err == nil && len(changed) > 0 {
			ws.threads.dropMoved(before, after, changed, from, to)
		}
	}
	msg := describe(cmd, len(changed), times, now)
	step.label = msg
	a.recordUndo(step)
	a.emitter.Count(EventItemsChanged, len(changed))
	return TriageResult{Changed: changed, UndoDepth: a.undo.depth(), Message: msg}, nil
}

// firstSet returns the first non-zero time.
func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func (a *App) recordUndo(step undoStep) {
	if len(step.entries) > 0 {
		a.undo.push(step)
	}
}

// undoTriage reverts the most recent triage step, later and snooze included:
// each item gets back the whole decision it had, respond-by and wake-up time too.
func (a *App) undoTriage(ctx context.Context) (TriageResult, error) {
	ws, err := a.current()
	if err != nil {
		return TriageResult{}, err
	}
	step, ok := a.undo.pop()
	if !ok {
		return TriageResult{}, errors.New("nothing to undo")
	}
	var changed []inbox.ID
	for i := len(step.entries) - 1; i >= 0; i-- {
		e := step.entries[i]
		cur, err := ws.store.SetTriage(ctx, e.id, e.prev)
		if err != nil {
			return TriageResult{Changed: changed, UndoDepth: a.undo.depth()}, fmt.Errorf("undo %s: %w", e.id, err)
		}
		ws.engine.WriteBack(e.id, cur, e.prev)
		changed = append(changed, e.id)
	}
	// The first entry is the row the user acted on: the window selects it.
	for i, j := 0, len(changed)-1; i < j; i, j = i+1, j-1 {
		changed[i], changed[j] = changed[j], changed[i]
	}
	a.emitter.Count(EventItemsChanged, len(changed))
	return TriageResult{Changed: changed, UndoDepth: a.undo.depth(), Message: "Undone: " + step.label}, nil
}

// describe words what a command did: "1 item marked done", "3 items
// snoozed until tomorrow 09:00", "2 items for later, respond by Fri 09:00".
func describe(c triageCmd, n int, times []time.Time, now time.Time) string {
	noun := "item"
	if n != 1 {
		noun = "items"
	}
	when := ""
	if len(times) > 0 && !times[0].IsZero() {
		when = whenLabel(now, times[0])
		for _, t := range times[1:] {
			if !t.Equal(times[0]) {
				when = "their usual reply times"
			}
		}
	}
	switch c.verb {
	case "done":
		return fmt.Sprintf("%d %s marked done", n, noun)
	case "inbox":
		return fmt.Sprintf("%d %s moved to the inbox", n, noun)
	case "later":
		return fmt.Sprintf("%d %s for later, respond by %s", n, noun, when)
	case "snooze":
		return fmt.Sprintf("%d %s snoozed until %s", n, noun, when)
	}
	return fmt.Sprintf("%s: %d %s", c.verb, n, noun)
}

// RunThreads applies command to ids and every other item of their threads
// in the same state: what the Inbox view's thread rows act on.
func (s *Triage) RunThreads(command string, ids []string) (TriageResult, error) {
	return s.app.runTriage(s.app.context(), command, ids, true)
}

// TimeChoice is one time the later/snooze picker offers, resolved now.
type TimeChoice struct {
	Spec  string    `json:"spec"`
	At    time.Time `json:"at,omitzero"`
	Label string    `json:"label,omitempty"` // "tomorrow 09:00"
	// Name replaces the preset's usual name when that would mislead now:
	// "Later today" for "this afternoon" at 18:00 (presetName).
	Name  string `json:"name,omitempty"`
	Error string `json:"error,omitempty"`
}

// Times resolves specs for verb ("later" or "snooze") as Run would now, for
// the picker: "norm" uses the norm of item id (email's when id is empty).
func (s *Triage) Times(verb string, specs []string, id string) ([]TimeChoice, error) {
	ws, err := s.app.current()
	if err != nil {
		return nil, err
	}
	if verb != "later" && verb != "snooze" {
		return nil, fmt.Errorf("triage: times for %q: use later or snooze", verb)
	}
	now := s.app.opts.Now().Round(0)
	env := s.app.whenEnv(ws, now)
	it := inbox.Item{Source: inbox.SourceEmail}
	if id != "" {
		if got, err := ws.store.Get(s.app.context(), inbox.ID(id)); err == nil {
			it = got
		}
	}
	norms := s.app.norms()
	out := make([]TimeChoice, 0, len(specs))
	for _, spec := range specs {
		c := TimeChoice{Spec: spec, Name: presetName(spec, env)}
		cmd, err := parseTriage(strings.TrimSpace(verb + " " + spec))
		var at time.Time
		if err == nil && cmd.when != "" {
			at, err = resolveWhen(cmd.when, env)
		}
		if err != nil {
			c.Error = strings.TrimPrefix(strings.TrimPrefix(err.Error(), "triage: "), verb+": ")
		} else {
			next := cmd.next(&it, at, env, norms)
			c.At = firstSet(next.RespondBy, next.SnoozeUntil).In(env.loc)
			c.Label = whenLabel(now, c.At)
		}
		out = append(out, c)
	}
	return out, nil
}
