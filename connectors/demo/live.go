package demo

import (
	"fmt"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// liveKinds is the rotation of live items: item seq is liveKinds[seq % 8].
var liveKinds = [...]string{"slack dm", "email", "github line comment", "slack thread reply", "email", "slack mention", "github review", "slack group dm"}

// liveNative is live item seq's native id. It depends on seq alone, so a sync
// resumed from an older cursor re-creates the same ids.
func liveNative(seq int) string { return fmt.Sprintf("live/%d", seq) }

// liveItem is live item number seq, received at now. Everything but the
// times is a function of seq (and the cursor's base, which fixes the
// threads it may join).
func (c *Connector) liveItem(corp *corpus, base time.Time, seq int, now time.Time) inbox.Item {
	r := rngFor(seedLive, uint64(seq))
	native := liveNative(seq)
	id := int64(1_610_000_000 + seq)
	switch liveKinds[seq%len(liveKinds)] {
	case "email":
		return c.liveEmail(corp, seq, now)
	case "github line comment":
		return c.githubItem(native, lineCommentEvent(r, pick(r, pulls), id, now), now)
	case "github review":
		pr := pick(r, pulls)
		if pr.author == you.handle || (seq/len(liveKinds))%2 == 0 {
			return c.githubItem(native, mentionEvent(r, pr, id, now), now)
		}
		return c.githubItem(native, ghEvent{kind: ghReviewReRequested, pr: pr, from: byHandle(pr.author), at: now}, now)
	case "slack thread reply":
		return c.slackItem(native, threadReply(r, base, now), now)
	case "slack mention":
		return c.slackItem(native, channelMention(r, now), now)
	case "slack group dm":
		return c.slackItem(native, groupMessage(r, now), now)
	default:
		return c.slackItem(native, directMessage(r, now), now)
	}
}
