package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// convKind is what sort of conversation a channel id names.
type convKind int

const (
	kindChannel convKind = iota // public channel
	kindPrivate                 // private channel
	kindIM                      // direct messages with one person
	kindMPIM                    // group direct messages
)

// convInfo is one conversation the user is a member of.
type convInfo struct {
	id, name string
	kind     convKind
	peer     string // the other person of an IM
	// followed: every message is an item (DMs, group DMs, watched
	// channels); otherwise only mentions and the user's threads are.
	followed bool
}

func (ci *convInfo) direct() bool { return ci.kind == kindIM || ci.kind == kindMPIM }

// priority orders conversations for the scheduler: DMs first, then
// watched channels, then the rest.
func (ci *convInfo) priority() int {
	switch {
	case ci.direct():
		return 0
	case ci.followed:
		return 1
	}
	return 2
}

// classify turns a users.conversations entry into a convInfo.
func classify(ch slack.Channel, s Settings) *convInfo {
	ci := &convInfo{id: ch.ID, name: ch.Name}
	switch {
	case ch.IsIM:
		ci.kind, ci.peer, ci.followed = kindIM, ch.User, true
	case ch.IsMpIM:
		ci.kind, ci.followed = kindMPIM, true
	case ch.IsPrivate || ch.IsGroup:
		ci.kind = kindPrivate
	default:
		ci.kind = kindChannel
	}
	if !ci.direct() {
		ci.followed = s.watches(ch.ID, ch.Name)
	}
	return ci
}

// nameCache remembers the display names of users; guarded by Connector.mu.
type nameCache struct {
	users map[string]string
}

// userName returns the name Slack shows for a user: their display name,
// else their full name, else their handle. A user Slack does not know
// (deleted from an Enterprise org, say) is shown by id.
func (c *Connector) userName(ctx context.Context, a *api, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	c.mu.Lock()
	name, ok := c.names.users[id]
	c.mu.Unlock()
	if ok {
		return name, nil
	}
	u, err := a.userInfo(ctx, id)
	switch {
	case err == nil:
		name = displayName(u)
	case errorCode(err) == "user_not_found" || errorCode(err) == "users_not_found":
		name = id
	default:
		return "", fmt.Errorf("slack: resolving user %s: %w", id, err)
	}
	c.mu.Lock()
	c.names.users[id] = name
	c.mu.Unlock()
	return name, nil
}

func displayName(u *slack.User) string {
	for _, n := range []string{u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return u.ID
}

// mpimMembers reads the handles out of a group DM's name
// ("mpdm-alice--bob--carol-1"), without the user's own.
func mpimMembers(name, me string) []string {
	s := strings.TrimPrefix(name, "mpdm-")
	if i := strings.LastIndex(s, "-"); i > 0 && !strings.HasSuffix(s[:i], "-") {
		s = s[:i]
	}
	var out []string
	for _, h := range strings.Split(s, "--") {
		if h != "" && h != me {
			out = append(out, h)
		}
	}
	return out
}

// title is what the inbox shows as an item's title: "#channel", "DM with
// Name" or "Group DM with a, b".
func (r *run) title(ctx context.Context, ci *convInfo) (string, error) {
	switch ci.kind {
	case kindIM:
		name, err := r.c.userName(ctx, r.api, ci.peer)
		if err != nil {
			return "", err
		}
		return "DM with " + name, nil
	case kindMPIM:
		if ms := mpimMembers(ci.name, r.me.User); len(ms) > 0 {
			return "Group DM with " + strings.Join(ms, ", "), nil
		}
		return "Group DM", nil
	}
	return "#" + ci.name, nil
}
