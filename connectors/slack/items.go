package slack

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/mailparse"
)

// skipSubtype reports whether a message subtype is housekeeping (joins,
// topic changes, deletion markers) rather than something someone said.
func skipSubtype(st string) bool {
	switch st {
	case "", "bot_message", "thread_broadcast", "file_share", "me_message", "reminder_add", "slackbot_response":
		return false
	}
	return true
}

// isRoot reports whether m starts a thread that has replies.
func isRoot(m *slack.Msg) bool {
	return m.ReplyCount > 0 && (m.ThreadTimestamp == "" || m.ThreadTimestamp == m.Timestamp)
}

// isReply reports whether m is a reply inside a thread.
func isReply(m *slack.Msg) bool {
	return m.ThreadTimestamp != "" && m.ThreadTimestamp != m.Timestamp
}

// fingerprint summarises what of m an item shows, so an unchanged message
// read again is not written again, and an edit is.
func fingerprint(m *slack.Msg) uint32 {
	h := fnv.New32a()
	thread := ""
	if isReply(m) {
		thread = m.ThreadTimestamp // a root's thread_ts appears with its first reply
	}
	for _, s := range []string{m.User, m.BotID, m.Username, m.SubType, m.Text, thread} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if m.Edited != nil {
		h.Write([]byte(m.Edited.Timestamp))
	}
	for _, f := range m.Files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, f.Size)
	}
	for _, a := range m.Attachments {
		h.Write([]byte(a.Fallback))
		h.Write([]byte{0})
	}
	return h.Sum32()
}

// mentions reports whether text mentions the user or one of their groups.
func mentions(text, me string, groups map[string]bool) bool {
	if me != "" && (strings.Contains(text, "<@"+me+">") || strings.Contains(text, "<@"+me+"|")) {
		return true
	}
	for i := 0; ; {
		j := strings.Index(text[i:], "<!subteam^")
		if j < 0 {
			return false
		}
		i += j + len("<!subteam^")
		end := strings.IndexAny(text[i:], "|>")
		if end < 0 {
			return false
		}
		if groups[text[i:i+end]] {
			return true
		}
	}
}

// Permalink is the https address of a message in the workspace at base
// ("https://acme.slack.com/"), as chat.getPermalink would answer, without
// the call: "…/archives/C1/p1700000000000100", with
// "?thread_ts=…&cid=C1" for a reply.
func Permalink(base, channel, ts, threadTS string) string {
	if base == "" {
		base = "https://slack.com/"
	}
	link := base + "archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
	if threadTS != "" && threadTS != ts {
		link += "?thread_ts=" + threadTS + "&cid=" + channel
	}
	return link
}

// DeepLink is the slack:// address that opens a message in the Slack app.
func DeepLink(team, channel, ts string) string {
	q := url.Values{"team": {team}, "id": {channel}, "message": {ts}}
	return "slack://channel?" + q.Encode()
}

// item builds the inbox item of message m in conversation ci.
func (r *run) item(ctx context.Context, ci *convInfo, m *slack.Msg, unread bool) (inbox.Item, error) {
	ts := m.Timestamp
	us, _ := parseTS(ts)
	threadTS := m.ThreadTimestamp
	if threadTS == "" {
		threadTS = ts
	}
	title, err := r.title(ctx, ci)
	if err != nil {
		return inbox.Item{}, err
	}
	from, err := r.sender(ctx, m)
	if err != nil {
		return inbox.Item{}, err
	}
	body, err := r.render(ctx, messageText(m))
	if err != nil {
		return inbox.Item{}, err
	}
	it := inbox.Item{
		ID:       inbox.NewID(r.c.account, ci.id+"/"+ts),
		Account:  r.c.account,
		Source:   inbox.SourceSlack,
		Thread:   ci.id + "/" + threadTS,
		Title:    title,
		From:     from,
		Body:     body,
		Snippet:  mailparse.Snippet(body),
		URL:      Permalink(r.me.URL, ci.id, ts, threadTS),
		AppURL:   DeepLink(r.me.TeamID, ci.id, ts),
		Received: tsTime(us),
		Unread:   unread,
	}
	if ci.direct() {
		it.Signals = append(it.Signals, inbox.SignalDM)
		it.To = []inbox.Person{{Name: r.meName(ctx), Addr: r.me.UserID}}
	}
	if mentions(m.Text, r.me.UserID, r.groups) {
		it.Signals = append(it.Signals, inbox.SignalMention)
	}
	for _, f := range m.Files {
		it.Attachments = append(it.Attachments, inbox.Attachment{Name: fileName(f), Size: int64(f.Size)})
	}
	return it, nil
}

func (r *run) meName(ctx context.Context) string {
	if n, err := r.c.userName(ctx, r.api, r.me.UserID); err == nil && n != "" {
		return n
	}
	return r.me.User
}

func fileName(f slack.File) string {
	for _, n := range []string{f.Title, f.Name} {
		if n != "" {
			return n
		}
	}
	return f.ID
}

// messageText is the text of m, falling back on its attachments (what
// many integrations post) and files.
func messageText(m *slack.Msg) string {
	parts := []string{}
	if t := strings.TrimSpace(m.Text); t != "" {
		parts = append(parts, t)
	}
	for _, a := range m.Attachments {
		for _, t := range []string{a.Pretext, a.Title, a.Text} {
			if t = strings.TrimSpace(t); t != "" {
				parts = append(parts, t)
			}
		}
		if len(parts) == 0 && a.Fallback != "" {
			parts = append(parts, a.Fallback)
		}
	}
	if len(parts) == 0 {
		for _, f := range m.Files {
			parts = append(parts, "["+fileName(f)+"]")
		}
	}
	return strings.Join(parts, "\n\n")
}

// sender is who posted m: a person by their display name, or an
// integration by the name it posts under.
func (r *run) sender(ctx context.Context, m *slack.Msg) (inbox.Person, error) {
	if m.User != "" && m.SubType != "bot_message" {
		name, err := r.c.userName(ctx, r.api, m.User)
		if err != nil {
			return inbox.Person{}, err
		}
		return inbox.Person{Name: name, Addr: m.User}, nil
	}
	name := m.Username
	if m.BotProfile != nil && m.BotProfile.Name != "" && name == "" {
		name = m.BotProfile.Name
	}
	if name == "" {
		name = "Slack app"
	}
	return inbox.Person{Name: name, Addr: m.BotID}, nil
}

var slackToken = regexp.MustCompile(`<([^<>]*)>`)

// render turns Slack mrkdwn into the plain text the inbox shows: <@U…>
// becomes @Name, <#C…|name> #name, <!subteam^S…> @group, <!here> @here,
// <url|label> "label (url)", and &amp; &lt; &gt; are undone.
func (r *run) render(ctx context.Context, raw string) (string, error) {
	var firstErr error
	out := slackToken.ReplaceAllStringFunc(raw, func(tok string) string {
		body, label, hasLabel := strings.Cut(tok[1:len(tok)-1], "|")
		switch {
		case strings.HasPrefix(body, "@"):
			if hasLabel && label != "" {
				return "@" + strings.TrimPrefix(label, "@")
			}
			name, err := r.c.userName(ctx, r.api, body[1:])
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if name == "" {
				name = body[1:]
			}
			return "@" + name
		case strings.HasPrefix(body, "#"):
			if hasLabel && label != "" {
				return "#" + label
			}
			if ci := r.convs[body[1:]]; ci != nil && ci.name != "" {
				return "#" + ci.name
			}
			return "#" + body[1:]
		case strings.HasPrefix(body, "!subteam^"):
			if hasLabel && label != "" {
				return "@" + strings.TrimPrefix(label, "@")
			}
			if h := r.handles[strings.TrimPrefix(body, "!subteam^")]; h != "" {
				return "@" + h
			}
			return "@group"
		case strings.HasPrefix(body, "!"):
			if hasLabel && label != "" {
				return label
			}
			name, _, _ := strings.Cut(body[1:], "^")
			return "@" + name
		case hasLabel && label != body && !strings.HasPrefix(body, "mailto:"):
			return label + " (" + body + ")"
		case hasLabel:
			return label
		}
		return strings.TrimPrefix(body, "mailto:")
	})
	if firstErr != nil {
		return "", firstErr
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(out), nil
}
