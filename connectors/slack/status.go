package slack

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
)

// focusState is what SetFocus changed on Slack, so ClearFocus undoes only
// that; guarded by Connector.mu.
type focusState struct {
	text, emoji string // the status Lull set; "" when none
	snoozed     bool   // Lull started the notification snooze
}

// statusText fills the account's status template: "{until}" becomes the
// end of the block as 15:04 in until's time zone.
func statusText(template string, until time.Time) string {
	s := strings.ReplaceAll(template, "{until}", until.Format("15:04"))
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100]) // Slack's limit
	}
	return s
}

// ours reports whether the status on Slack is one Lull set: the one this
// process set, or (after a restart) one that matches the account's
// template and emoji exactly. Anything else the user set by hand.
func (c *Connector) ours(text, emoji string) bool {
	c.mu.Lock()
	f := c.focus
	c.mu.Unlock()
	if f.text != "" && text == f.text && emoji == f.emoji {
		return true
	}
	if emoji != c.s.StatusEmoji {
		return false
	}
	pattern := "^" + strings.ReplaceAll(regexp.QuoteMeta(c.s.StatusText), regexp.QuoteMeta("{until}"), `\d{1,2}:\d{2}`) + "$"
	ok, err := regexp.MatchString(pattern, text)
	return err == nil && ok
}

// SetFocus shows the user's focus on Slack until until: the status
// ":no_bell: Focusing until 12:00" (expiring by itself at until), and
// Slack's own notifications snoozed for the block. A status the user set
// by hand is left alone, and so is a snooze of theirs that already lasts
// past until.
func (c *Connector) SetFocus(ctx context.Context, until time.Time) error {
	now := c.now()
	if !until.After(now) {
		return fmt.Errorf("slack: %s: focus ends at %s, already past", c.account, until.Format(time.RFC3339))
	}
	a, _, err := c.session(ctx)
	if err != nil {
		return err
	}
	var errs []error
	text := statusText(c.s.StatusText, until)
	p, err := a.profile(ctx)
	switch {
	case err != nil:
		// Never overwrite a status Lull could not read.
		errs = append(errs, fmt.Errorf("reading the status: %w", err))
	case (p.StatusText == "" && p.StatusEmoji == "") || c.ours(p.StatusText, p.StatusEmoji):
		if err := a.setStatus(ctx, text, c.s.StatusEmoji, until.Unix()); err != nil {
			errs = append(errs, fmt.Errorf("setting the status: %w", err))
		} else {
			c.mu.Lock()
			c.focus.text, c.focus.emoji = text, c.s.StatusEmoji
			c.mu.Unlock()
		}
	default:
		c.log.Info("slack: keeping the status set by hand during focus", "account", c.account)
	}

	c.mu.Lock()
	snoozedByUs := c.focus.snoozed
	c.mu.Unlock()
	dnd, err := a.dndInfo(ctx)
	switch {
	case err != nil && !isMissingScope(err):
		errs = append(errs, fmt.Errorf("reading do-not-disturb: %w", err))
	case err == nil && dnd.SnoozeEnabled && int64(dnd.SnoozeEndTime) >= until.Unix() && !snoozedByUs:
		// The user's own snooze already covers the block.
	default:
		minutes := int(math.Ceil(until.Sub(now).Minutes()))
		if _, err := a.setSnooze(ctx, max(minutes, 1)); err != nil {
			errs = append(errs, fmt.Errorf("snoozing notifications: %w", err))
		} else {
			c.mu.Lock()
			c.focus.snoozed = true
			c.mu.Unlock()
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("slack: %s: focus on Slack: %w", c.account, err)
	}
	return nil
}

// ClearFocus undoes SetFocus: it ends the snooze Lull started and clears
// the status if it is still the one Lull set. A status the user changed in
// the meantime stays. After a restart Lull no longer knows it started a
// snooze; that snooze ends by itself when the block would have.
func (c *Connector) ClearFocus(ctx context.Context) error {
	a, _, err := c.session(ctx)
	if err != nil {
		return err
	}
	var errs []error
	c.mu.Lock()
	snoozed := c.focus.snoozed
	c.mu.Unlock()
	if snoozed {
		if err := a.endSnooze(ctx); err != nil && !isNotActive(err) {
			errs = append(errs, fmt.Errorf("ending the snooze: %w", err))
		} else {
			c.mu.Lock()
			c.focus.snoozed = false
			c.mu.Unlock()
		}
	}
	p, err := a.profile(ctx)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("reading the status: %w", err))
	case (p.StatusText != "" || p.StatusEmoji != "") && c.ours(p.StatusText, p.StatusEmoji):
		if err := a.setStatus(ctx, "", "", 0); err != nil {
			errs = append(errs, fmt.Errorf("clearing the status: %w", err))
			break
		}
		fallthrough
	default:
		c.mu.Lock()
		c.focus.text, c.focus.emoji = "", ""
		c.mu.Unlock()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("slack: %s: clearing focus on Slack: %w", c.account, err)
	}
	return nil
}
