package demo

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/mailparse"
)

// slackWorkspace is the sample workspace's address; permalinks point there.
const slackWorkspace = "https://lull-demo.slack.com"

// slackBackfillCount is how many Slack messages the backfill holds: blocks
// of five (a channel thread's root that mentions you, a DM, a reply in the
// thread, a group DM, another reply), one block per scenario.
const slackBackfillCount = 5 * 12

type convKind int

const (
	convChannel convKind = iota
	convDM
	convGroup
)

// conversation is where a Slack message was posted.
type conversation struct {
	id      string
	title   string
	kind    convKind
	members []person // besides you
}

func inChannel(ch channel) conversation {
	return conversation{id: ch.id, title: "#" + ch.name, kind: convChannel}
}

func dmWith(p person) conversation {
	return conversation{id: "D" + p.slackID[1:], title: p.name, kind: convDM, members: []person{p}}
}

func groupWith(ps ...person) conversation {
	// Members are sorted so the same people always make the same group.
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b person) int { return strings.Compare(a.slackID, b.slackID) })
	h := fnv.New32a()
	names := make([]string, len(ps))
	for i, p := range ps {
		h.Write([]byte(p.slackID))
		names[i] = p.name
	}
	return conversation{id: fmt.Sprintf("G04%08X", h.Sum32()), title: strings.Join(names, ", "), kind: convGroup, members: ps}
}

// slackMessage is one generated Slack message.
type slackMessage struct {
	conv     conversation
	from     person
	raw      string    // mrkdwn as the Slack API returns it
	at       time.Time // its ts
	threadAt time.Time // the thread root's ts; zero for a top-level message
}

// item turns m into an inbox item with the given native id.
func (c *Connector) slackItem(native string, m slackMessage, base time.Time) inbox.Item {
	ts := slackTS(m.at)
	threadTS, title := ts, m.conv.title
	url := fmt.Sprintf("%s/archives/%s/p%s", slackWorkspace, m.conv.id, strings.Replace(ts, ".", "", 1))
	if !m.threadAt.IsZero() {
		threadTS = slackTS(m.threadAt)
		title = "Thread in " + m.conv.title
		url += fmt.Sprintf("?thread_ts=%s&cid=%s", threadTS, m.conv.id)
	}
	body := renderSlack(m.raw)
	it := inbox.Item{
		ID:       inbox.NewID(c.account, native),
		Account:  c.account,
		Source:   inbox.SourceSlack,
		Thread:   m.conv.id + "/" + threadTS,
		Title:    title,
		From:     inbox.Person{Name: m.from.name, Addr: m.from.slackID},
		Snippet:  mailparse.Snippet(body),
		Body:     body,
		URL:      url,
		Received: m.at,
		Unread:   base.Sub(m.at) < unreadWindow,
	}
	if m.conv.kind != convChannel {
		it.Signals = append(it.Signals, inbox.SignalDM)
		for _, p := range m.conv.members {
			if p != m.from {
				it.To = append(it.To, inbox.Person{Name: p.name, Addr: p.slackID})
			}
		}
		it.To = append(it.To, inbox.Person{Name: you.name, Addr: you.slackID})
	}
	if strings.Contains(m.raw, "<@"+you.slackID+">") {
		it.Signals = append(it.Signals, inbox.SignalMention)
	}
	return it
}

// slackTS formats t as a Slack message ts: seconds and microseconds.
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// slackTime is when backfill message i was posted.
func slackTime(base time.Time, i int) time.Time {
	return slotTime(base.Add(-backfillSpan), backfillSpan, slackBackfillCount, i, rngFor(seedSlackTime, uint64(i)))
}

// slackBackfill returns the Slack part of the backfill.
func (c *Connector) slackBackfill(base time.Time) []inbox.Item {
	items := make([]inbox.Item, 0, slackBackfillCount)
	for i := range slackBackfillCount {
		m := slackBackfillMessage(base, i)
		items = append(items, c.slackItem(fmt.Sprintf("slack/%s/b%02d", m.conv.id, i), m, base))
	}
	return items
}

// slackBackfillMessage is backfill message i; see slackBackfillCount.
func slackBackfillMessage(base time.Time, i int) slackMessage {
	r := rngFor(seedSlack, uint64(i))
	block, pos := i/5, i%5
	sc := scenarios[block%len(scenarios)]
	at := slackTime(base, i)
	switch pos {
	case 0:
		return slackMessage{conv: inChannel(sc.ch), from: byHandle(sc.root.from), raw: fill(sc.root.text, r), at: at}
	case 2, 4:
		l := sc.replies[pos/2-1]
		return slackMessage{conv: inChannel(sc.ch), from: byHandle(l.from), raw: fill(l.text, r), at: at, threadAt: slackTime(base, block*5)}
	case 1:
		return directMessage(r, at)
	default:
		return groupMessage(r, at)
	}
}

// directMessage is a DM from a colleague, drawn with r.
func directMessage(r *rand.Rand, at time.Time) slackMessage {
	text := pick(r, dmTexts)
	from := pickSender(r, text)
	return slackMessage{conv: dmWith(from), from: from, raw: fill(text, r), at: at}
}

// groupMessage is a message in a group DM of two colleagues and you.
func groupMessage(r *rand.Rand, at time.Time) slackMessage {
	text := pick(r, groupTexts)
	from := pickSender(r, text)
	other := from
	for other == from {
		other = pick(r, colleagues)
	}
	return slackMessage{conv: groupWith(from, other), from: from, raw: fill(text, r), at: at}
}

// channelMention is a standalone channel message that mentions you.
func channelMention(r *rand.Rand, at time.Time) slackMessage {
	text := pick(r, mentionTexts)
	from := pickSender(r, text)
	return slackMessage{conv: inChannel(pick(r, channels)), from: from, raw: fill(text, r), at: at}
}

// threadReply is a later reply in one of the backfill's threads.
func threadReply(r *rand.Rand, base, at time.Time) slackMessage {
	block := r.IntN(slackBackfillCount / 5)
	sc := scenarios[block%len(scenarios)]
	l := sc.replies[2+r.IntN(2)]
	return slackMessage{conv: inChannel(sc.ch), from: byHandle(l.from), raw: fill(l.text, r), at: at, threadAt: slackTime(base, block*5)}
}

// pickSender draws a colleague who is not mentioned in text, so nobody
// mentions themselves.
func pickSender(r *rand.Rand, text string) person {
	i := r.IntN(len(colleagues))
	for strings.Contains(text, "<@"+colleagues[i].handle+">") {
		i = (i + 1) % len(colleagues)
	}
	return colleagues[i]
}

func byHandle(h string) person {
	if h == you.handle {
		return you
	}
	for _, p := range colleagues {
		if p.handle == h {
			return p
		}
	}
	panic("demo: unknown handle " + h) // the pools are fixed; a typo is a programming error
}

func bySlackID(id string) (person, bool) {
	if id == you.slackID {
		return you, true
	}
	for _, p := range colleagues {
		if p.slackID == id {
			return p, true
		}
	}
	return person{}, false
}

var placeholder = regexp.MustCompile(`<@([a-z]+)>|\{(day|time|service|pr)\}`)

// fill replaces {day}, {time}, {service} and {pr} with values drawn from r,
// and <@handle> with the Slack mention <@USERID>.
func fill(text string, r *rand.Rand) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		switch m {
		case "{day}":
			return pick(r, days)
		case "{time}":
			return pick(r, times)
		case "{service}":
			return pick(r, services)
		case "{pr}":
			p := pick(r, pulls)
			return fmt.Sprintf("acme/%s#%d", p.repo, p.number)
		}
		return "<@" + byHandle(m[2:len(m)-1]).slackID + ">"
	})
}

var slackToken = regexp.MustCompile(`<([^<>]*)>`)

// renderSlack turns Slack mrkdwn into the plain text the inbox shows:
// <@U…> becomes @you or @Name, <#C…|name> #name, <!here> @here,
// <url|label> "label (url)", and the &amp; &lt; &gt; escapes are undone.
func renderSlack(raw string) string {
	out := slackToken.ReplaceAllStringFunc(raw, func(tok string) string {
		body, label, hasLabel := strings.Cut(tok[1:len(tok)-1], "|")
		switch {
		case strings.HasPrefix(body, "@"):
			if p, ok := bySlackID(body[1:]); ok {
				if p == you {
					return "@you"
				}
				return "@" + p.name
			}
			if hasLabel {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return "@" + body[1:]
		case strings.HasPrefix(body, "#"):
			if hasLabel {
				return "#" + label
			}
			for _, ch := range channels {
				if ch.id == body[1:] {
					return "#" + ch.name
				}
			}
			return body
		case strings.HasPrefix(body, "!"):
			if hasLabel {
				return label
			}
			name, _, _ := strings.Cut(body[1:], "^")
			return "@" + name
		case hasLabel && label != body && !strings.HasPrefix(body, "mailto:"):
			return label + " (" + body + ")"
		case hasLabel:
			return label
		}
		return body
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(out)
}

func pick[T any](r *rand.Rand, pool []T) T {
	return pool[r.IntN(len(pool))]
}
