package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// Norms are the usual reply times per source, from [norms]. "Respond later"
// without an explicit time sets the respond-by time to now plus the norm of
// the item's source:
//
//	[norms]
//	email = "24h"
//	slack_dm = "4h"   # Slack direct and group messages
//	slack = "8h"      # other Slack messages (channels, threads)
//	github = "24h"
//	asana = "24h"
//
// Values are Go durations ("90m", "4h") or whole days and weeks ("2d", "1w").
// A zero field means its default, so Norms{} is the defaults above.
type Norms struct {
	Email   time.Duration
	SlackDM time.Duration
	Slack   time.Duration
	GitHub  time.Duration
	Asana   time.Duration
}

// The default norms.
const (
	DefaultNormEmail   = 24 * time.Hour
	DefaultNormSlackDM = 4 * time.Hour
	DefaultNormSlack   = 8 * time.Hour
	DefaultNormGitHub  = 24 * time.Hour
	DefaultNormAsana   = 24 * time.Hour
)

// For returns the norm of an item of source src; dm says the item is a
// direct message (inbox.SignalDM), which only Slack distinguishes.
func (n Norms) For(src inbox.Source, dm bool) time.Duration {
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	switch src {
	case inbox.SourceSlack:
		if dm {
			return pick(n.SlackDM, DefaultNormSlackDM)
		}
		return pick(n.Slack, DefaultNormSlack)
	case inbox.SourceGitHub:
		return pick(n.GitHub, DefaultNormGitHub)
	case inbox.SourceAsana:
		return pick(n.Asana, DefaultNormAsana)
	}
	return pick(n.Email, DefaultNormEmail)
}

// ForItem is For with the source and DM signal of it.
func (n Norms) ForItem(it *inbox.Item) time.Duration {
	return n.For(it.Source, it.HasSignal(inbox.SignalDM))
}

// normsTOML is the [norms] table as written.
type normsTOML struct {
	Email   string `toml:"email"`
	SlackDM string `toml:"slack_dm"`
	Slack   string `toml:"slack"`
	GitHub  string `toml:"github"`
	Asana   string `toml:"asana"`
}

func (t normsTOML) parse() (Norms, error) {
	var n Norms
	for _, f := range []struct {
		name string
		in   string
		out  *time.Duration
	}{
		{"email", t.Email, &n.Email},
		{"slack_dm", t.SlackDM, &n.SlackDM},
		{"slack", t.Slack, &n.Slack},
		{"github", t.GitHub, &n.GitHub},
		{"asana", t.Asana, &n.Asana},
	} {
		if f.in == "" {
			continue
		}
		d, err := ParseSpan(f.in)
		if err != nil {
			return Norms{}, fmt.Errorf("norms.%s: %w", f.name, err)
		}
		*f.out = d
	}
	return n, nil
}

// ParseSpan reads a positive length of time: a Go duration ("90m", "4h30m")
// or a whole number of days or weeks ("3d", "1w").
func ParseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, unit, ok := cutUnit(s); ok {
		d = time.Duration(n) * unit
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a length of time (use a form like 90m, 4h, 2d or 1w)", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be more than zero", s)
	}
	return d, nil
}

// cutUnit reads "<n>d" and "<n>w".
func cutUnit(s string) (int, time.Duration, bool) {
	if len(s) < 2 {
		return 0, 0, false
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 'd':
		unit = 24 * time.Hour
	case 'w':
		unit = 7 * 24 * time.Hour
	default:
		return 0, 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n > 3650 {
		return 0, 0, false
	}
	return n, unit, true
}
