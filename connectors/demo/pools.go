package demo

// The people, places and sentences the generated Slack and GitHub traffic is
// made of. Template text uses <@handle> for a Slack mention (turned into the
// person's user id, then rendered as the app would show it) and {slot}
// placeholders filled per item; see fill.

// person is a colleague in the sample workspace.
type person struct {
	slackID string
	name    string
	handle  string // mention placeholder, <@handle>
	login   string // GitHub login
}

// you is the workspace's user.
var you = person{slackID: "U04Y0U0LULL", name: "You", handle: "you", login: "you"}

var colleagues = []person{
	{"U04B2K7PRAM", "Priya Raman", "priya", "priya-raman"},
	{"U04C9M1MWEB", "Marcus Webb", "marcus", "mwebb"},
	{"U04D3Q8SALV", "Sofia Alvarez", "sofia", "sofia-alv"},
	{"U04E5T2JBEC", "Jonas Becker", "jonas", "jbecker"},
	{"U04F7W6ATAN", "Aiko Tanaka", "aiko", "aiko-t"},
	{"U04G1Y4DPAT", "Dev Patel", "dev", "devpatel"},
	{"U04H8Z3HOKA", "Hannah Okafor", "hannah", "hokafor"},
	{"U04J2R5LMAR", "Leo Martins", "leo", "leomartins"},
	{"U04K6P9GKIM", "Grace Kim", "grace", "gracekim"},
	{"U04L3N7TRUI", "Tomás Ruiz", "tomas", "truiz"},
	{"U04M4V1NHAD", "Nadia Haddad", "nadia", "nhaddad"},
	{"U04N9X2SCAR", "Sam Carter", "sam", "samcarter"},
}

// channel is a public Slack channel.
type channel struct {
	id, name string
}

var (
	chEngBackend    = channel{"C04BK1ENGBE", "eng-backend"}
	chIncidents     = channel{"C04IN2INCID", "incidents"}
	chReleaseTrain  = channel{"C04RL3RELTR", "release-train"}
	chDesignReview  = channel{"C04DS4DESRV", "design-review"}
	chPlatform      = channel{"C04PL5PLATF", "platform"}
	chDataEng       = channel{"C04DA6DATAE", "data-eng"}
	chProductLaunch = channel{"C04PR7PRODL", "product-launch"}
	chOncall        = channel{"C04OC8ONCAL", "oncall"}
)

var channels = []channel{chEngBackend, chIncidents, chReleaseTrain, chDesignReview, chPlatform, chDataEng, chProductLaunch, chOncall}

// line is one message of a scripted thread.
type line struct {
	from string // handle
	text string
}

// scenario is a channel thread that mentions you: a root and its replies.
// The backfill shows the root and the first two replies; live items add the
// later ones.
type scenario struct {
	ch      channel
	root    line
	replies [4]line
}

var scenarios = []scenario{
	{chIncidents, line{"hannah", "<@you> checkout p95 jumped from 380ms to 2.4s right after the 14:05 deploy. The payments client looks like the suspect, can you take a look? Rollback is staged."}, [4]line{
		{"marcus", "It's the retry budget change in 4.12.1: every upstream timeout is now retried three times against a provider that is already slow."},
		{"hannah", "Rolled back to 4.12.0, p95 is back under 400ms. <@you> could you write up the timeline for the postmortem doc?"},
		{"dev", "I'll open a ticket for a circuit breaker before we re-ship. We shouldn't retry 504s at all."},
		{"priya", "Postmortem is booked for Thursday 11:00, invite is out."},
	}},
	{chReleaseTrain, line{"jonas", "<@you> today's release is blocked on the migration in billing-service#812. Is it safe to run during business hours or should we wait for the 22:00 window?"}, [4]line{
		{"grace", "It takes an ACCESS EXCLUSIVE lock on invoices, so definitely the evening window."},
		{"jonas", "OK, moving billing to the late train. Everything else ships at 15:00."},
		{"sam", "QA sign-off is done for web-app and the iOS build, for what it's worth."},
		{"jonas", "Train has left the station 🚂 billing goes tonight."},
	}},
	{chDesignReview, line{"aiko", "Posted the new focus-mode settings flow in Figma. <@you> does the batch-time picker match what the API can actually store?"}, [4]line{
		{"sofia", "Love the simplified schedule view. Can we drop the advanced toggle entirely?"},
		{"aiko", "<@you> also: is 15-minute granularity enough for batch times, or do people need exact minutes?"},
		{"leo", "Accessibility pass: the time chips need a visible focus ring, otherwise 👍"},
		{"aiko", "Updated the file with Leo's notes, v3 is the one to review."},
	}},
	{chEngBackend, line{"dev", "<@you> the search indexer is 40k documents behind since this morning. Did the batching change in search-indexer#1187 go out already?"}, [4]line{
		{"nadia", "It did, at 09:40. The consumer now commits offsets per batch, so a single poison document stalls the whole batch."},
		{"dev", "Found it: one 14 MB PDF. Skipping it unblocked the queue and the lag is dropping."},
		{"nadia", "I'll add a size cap and a dead-letter topic so this can't block us again."},
		{"dev", "Lag is back to zero 🎉"},
	}},
	{chDataEng, line{"nadia", "<@you> the nightly billing export produced 0 rows for EU customers. Did anything change in the tenant filter?"}, [4]line{
		{"tomas", "The region column was renamed to data_region in yesterday's migration, and the export query still filters on region."},
		{"nadia", "Good catch. I'll re-run the export for yesterday once the fix is merged."},
		{"grace", "Finance needs the EU file by noon, please ping me when it's re-run."},
		{"nadia", "Re-run complete, 18,204 rows. Sent to finance."},
	}},
	{chPlatform, line{"leo", "Heads up: we're rotating the internal CA on Friday. <@you> two of your services pin the old intermediate, can you confirm who owns the rollout?"}, [4]line{
		{"marcus", "api-gateway and notifications pin it, both in the same Helm chart. Should be a one-line change."},
		{"leo", "Thanks. Dry run in staging Thursday 10:00, prod Friday 07:00 before traffic picks up."},
		{"sam", "Staging dry run went fine, no handshake errors."},
		{"leo", "Rotation done. The old intermediate was revoked at 07:42."},
	}},
	{chProductLaunch, line{"grace", "<@you> can we get a go/no-go on the Slack status integration for Tuesday's launch? Marketing wants it in the announcement."}, [4]line{
		{"sofia", "Design is signed off. Copy for the status message is in the launch doc."},
		{"grace", "Legal asked whether we store message contents. I said no, only the status text. Correct?"},
		{"priya", "Correct, we only write the profile status and never read history for this."},
		{"grace", "It's in the announcement. Thanks all!"},
	}},
	{chOncall, line{"sam", "Handing over the pager. <@you> two open items: disk on db-replica-3 at 81%, and a flaky login synthetic in ap-southeast."}, [4]line{
		{"hannah", "The synthetic is flaky because its test account hits the MFA rate limit. I'll swap it for the service account."},
		{"sam", "Disk grew 4% overnight, it's the WAL archive. The cleanup job hasn't run since Tuesday."},
		{"tomas", "The cleanup cron was paused during the migration and never resumed. Resumed it now."},
		{"sam", "db-replica-3 is at 62%, closing the alert."},
	}},
	{chEngBackend, line{"priya", "RFC for the notification digest service is up: <https://docs.acme.example/rfc/041|RFC 041>. <@you> you know the batching semantics best, would love your eyes on section 3."}, [4]line{
		{"jonas", "Left comments. The \"release at the end of a focus block\" rule needs a definition for overlapping blocks."},
		{"priya", "Good point: overlapping blocks merge. Updated the doc."},
		{"marcus", "What happens to held items if the app is closed at release time?"},
		{"priya", "Exactly one digest on next start. Added that too."},
	}},
	{chIncidents, line{"tomas", "<@you> login error rate is at 3% in eu-west since 08:10. Looks like the auth gateway can't reach the session store."}, [4]line{
		{"marcus", "Redis failed over at 08:09 and the gateway caches the old primary's IP."},
		{"tomas", "Restarted the gateway pods, error rate is back to baseline."},
		{"hannah", "Let's make the client re-resolve DNS on reconnect: ENG-2231."},
		{"tomas", "Status page updated, incident resolved."},
	}},
	{chDesignReview, line{"sofia", "<@you> quick one: should \"respond later\" default to tomorrow 9:00, or to the per-source norm (4h for Slack DMs)?"}, [4]line{
		{"aiko", "The per-source norm feels smarter but is harder to explain. Tomorrow 9:00 is predictable."},
		{"sofia", "Let's offer the norm first and keep tomorrow 9:00 one keypress away."},
		{"grace", "+1, and show the actual time rather than \"4h\"."},
		{"sofia", "It's in the prototype, have a look."},
	}},
	{chReleaseTrain, line{"jonas", "<@you> iOS 5.3 is stuck in App Store review: they want a demo account. Do we have one that doesn't need SSO?"}, [4]line{
		{"leo", "There's a review account in 1Password, vault Mobile. No SSO, seeded data."},
		{"jonas", "Resubmitted with the demo credentials, fingers crossed."},
		{"sam", "Approved! Phased rollout starting at 10%."},
		{"jonas", "Rollout at 50%, crash-free sessions at 99.8%."},
	}},
}

// dmTexts are direct messages any colleague might send.
var dmTexts = []string{
	"Hey! Do you have 15 minutes {day} to go over the Q3 capacity plan? I blocked {time} but happy to move it.",
	"Could you take a look at {pr} when you get a chance? It's small, mostly tests.",
	"Thanks for jumping on the incident yesterday 🙏 your timeline made the postmortem so much easier.",
	"Are you going to the architecture sync {day}? If not I can take notes for you.",
	"Quick sanity check: OK if I bump the Postgres driver in {service}? It fixes the prepared-statement leak.",
	"I'm out {day}, <@marcus> is covering my reviews. Anything urgent before I go?",
	"Do you remember why {service} pins Go 1.22 in its Dockerfile? I'd like to bump it.",
	"Saw your comment on the RFC. Want to pair on the retry semantics {day}?",
	"The {service} dashboards are back. Turns out the Grafana datasource token had expired.",
	"Random question: who owns the feature-flag service after the platform reorg?",
	"FYI I moved our 1:1 to {time} {day}, hope that works.",
	"Could I borrow you for 10 minutes? I'm stuck on a test in {service} that only fails on CI.",
	"Heads up: the customer from the escalation is joining the call {day}. Want to prep together at {time}?",
	"Nice work on the latency fix, p99 on {service} dropped by half 🎉",
	"Do you have the link to last week's load-test results? I want to cite them in the capacity doc.",
	"I'm drafting the quarterly engineering update. Anything from your side I should highlight?",
	"Can you review {pr} today? It's blocking the release train.",
	"Lunch {day}? The new ramen place across the street finally opened.",
	"Is the on-call handbook still at the old wiki link? New folks keep asking me.",
	"I think {service} is still sending alerts to the old PagerDuty service. Can you check the routing?",
	"Got a minute {day}? I'd like your take on splitting {service} before we hire for it.",
	"Reminder that your interview feedback for yesterday's candidate is due {day}.",
	"Just merged the fix for the timezone bug in the digest, thanks for the repro!",
	"Are you OK with me demoing the focus-mode prototype at all-hands {day}?",
}

// groupTexts are messages in a group DM of two colleagues and you.
var groupTexts = []string{
	"Can we move the roadmap review to Thursday? I'm out tomorrow.",
	"Who's presenting the demo at all-hands {day}? I can do the first half.",
	"Dropping the draft hiring plan here before it goes to the leadership sync. Comments welcome until {time}.",
	"Offsite logistics: we have the room from 9 to 5 and lunch is ordered. Dietary needs to me by tomorrow, please.",
	"Let's sync on the interview loop for the staff engineer candidate. {time} {day} work for both of you?",
	"I summarized the customer calls in the doc. Top ask by far: snoozing whole threads, not single messages.",
	"Budget for the load-testing cluster was approved 🎉 who wants to set it up?",
	"Small reminder that peer reviews are due Friday.",
	"Reading group this week is the Dynamo paper, {day} at {time}. Who's in?",
	"<@you> can you share the slides from the platform review? We'd like to reuse the architecture diagram.",
	"Does anyone know why staging runs a different Postgres major version than prod?",
	"Should the team retro be async this sprint? React 👍 or 👎",
}

// mentionTexts are standalone channel messages that mention you.
var mentionTexts = []string{
	"<@you> is next week's on-call rotation final? I need to swap Wednesday.",
	"<@you> can you double-check the error budget numbers before they go into the quarterly report?",
	"PSA: the staging cluster is being upgraded at {time}. <@you> your team's jobs will pause for about 20 minutes.",
	"<@you> the {service} latency alert fired again but resolved itself after 3 minutes. Worth a look?",
	"<@you> do you know who can give me read access to the billing replica?",
	"<@you> could you add your availability to the planning sheet before {time}?",
	"Thanks <@you> for the quick review on the hotfix 🙌",
	"<@you> the customer asked for an ETA on the export fix. Is end of week realistic?",
	"<@you> <@dev> which of you is taking the {service} upgrade this sprint?",
	"<!here> deploys are frozen from {time} for the database maintenance. <@you> ping me if you need an exception.",
}

// Slot values for {day}, {time} and {service}.
var (
	days     = []string{"today", "tomorrow", "on Thursday", "on Friday", "on Monday"}
	times    = []string{"2pm", "3:30", "11:00", "4pm", "10:15", "9:30"}
	services = []string{"checkout", "payments", "search-indexer", "notifications", "auth-gateway", "billing-export"}
)

// pull is a pull request in the sample organisation.
type pull struct {
	repo   string
	number int
	title  string
	author string // handle; "you" for your own pull requests
	about  string // first line of the description
	files  []string
	// comments are reviewers' line comments on this pull's diff.
	comments []string
}

var pulls = []pull{
	{"api-gateway", 1423, "Add retry budget to upstream client", "marcus",
		"Caps retries at 10% of requests per upstream so a slow provider can't triple our load.",
		[]string{"internal/upstream/client.go", "internal/upstream/budget.go", "internal/upstream/client_test.go"},
		[]string{
			"Should this sleep be context-aware? As written a cancelled request still waits out the whole backoff.",
			"What happens on a 429 here? I think we'd retry immediately instead of honouring Retry-After.",
			"Suggestion: make the budget a ratio of requests rather than an absolute count, so it scales with traffic.",
		}},
	{"billing-service", 812, "Rename invoices.region to data_region", "tomas",
		"Renames the column and backfills it in batches of 10k; the old name stays as a view for one release.",
		[]string{"migrations/0042_data_region.sql", "internal/export/query.go"},
		[]string{
			"Is the migration reversible? I don't see a down step.",
			"This takes an ACCESS EXCLUSIVE lock on invoices. Can we add the column, backfill, then swap?",
			"The EU export still filters on region; it needs the new name too or it returns nothing.",
		}},
	{"web-app", 3051, "Focus mode: batch time picker", "aiko",
		"New picker for batch times with 15-minute steps and keyboard support.",
		[]string{"src/lib/focus/BatchPicker.svelte", "src/lib/focus/schedule.ts"},
		[]string{
			"Off by one? `<=` would count the 23:45 slot twice.",
			"Arrow keys move by 15 minutes, but PageUp/PageDown do nothing. Could they move by an hour?",
			"This formats with the browser's locale, but the settings page shows 24h. Pick one?",
		}},
	{"notifications", 381, "Set and clear Slack focus status", "you",
		"Writes the user's focus status to Slack when a block starts and clears it when it ends.",
		[]string{"slack/status.go", "slack/status_test.go"},
		[]string{
			"If the app crashes mid-block the status is never cleared. Can we set an expiration on it?",
			"We overwrite whatever status the user had. Should we save it and restore it afterwards?",
			"Would a table test cover these four cases more compactly?",
		}},
	{"infra", 640, "Rotate internal CA intermediate", "leo",
		"Adds the new intermediate alongside the old one; the old one is removed in a follow-up.",
		[]string{"charts/gateway/values.yaml", "terraform/pki/intermediate.tf"},
		[]string{
			"The new intermediate expires in 90 days. Is that intended, or should it match the old one's year?",
			"notifications pins the intermediate too; its chart isn't in this PR.",
			"Can we run the dry run against staging before merging, not after?",
		}},
	{"search-indexer", 1187, "Commit consumer offsets per batch", "nadia",
		"Cuts commit traffic by 40x; offsets are committed after each batch instead of each message.",
		[]string{"consumer/batch.go", "consumer/offsets.go"},
		[]string{
			"If one document in the batch fails, does the whole batch get redelivered?",
			"The error is swallowed here. At least wrap it with the partition and offset so we can debug it.",
			"Batch size 500 seems high for the PDF-heavy tenants. Should it be byte-based?",
		}},
	{"mobile-ios", 2210, "Fix crash when opening a deleted thread", "sam",
		"Guards the thread view against a nil thread after a remote delete.",
		[]string{"Sources/Inbox/ThreadView.swift", "Tests/InboxTests/ThreadViewTests.swift"},
		[]string{
			"Instead of an empty view, could we pop back to the inbox with a toast?",
			"Force unwrap on line 88 has the same problem when the thread is archived.",
			"Nice test. Can it also cover a delete that arrives while the view is open?",
		}},
	{"search-indexer", 1192, "Cap document size and add a dead-letter topic", "you",
		"Documents over 5 MB go to a dead-letter topic instead of blocking the batch.",
		[]string{"consumer/limits.go", "consumer/deadletter.go"},
		[]string{
			"5 MB is below some legitimate spreadsheets. Could the cap be per tenant?",
			"Who reads the dead-letter topic? Let's add an alert on its lag so it isn't a black hole.",
			"Tiny thing: the comment says kilobytes but the constant is in bytes.",
		}},
	{"design-system", 458, "Focus ring tokens for time chips", "sofia",
		"Adds focus-ring tokens and applies them to Chip and TimeChip.",
		[]string{"tokens/focus.json", "src/Chip.tsx"},
		[]string{
			"The ring colour fails contrast on the dark theme (2.8:1). Can we use the accent-strong token?",
			"Should this use :focus-visible so mouse clicks don't show the ring?",
			"Love this, much easier to follow than the old per-component overrides.",
		}},
	{"api-gateway", 1431, "Re-resolve session store DNS on reconnect", "hannah",
		"Fixes the stale primary after a Redis failover (ENG-2231).",
		[]string{"internal/session/store.go", "internal/session/store_test.go"},
		[]string{
			"Re-resolving on every reconnect could hammer DNS during a flap. Maybe cache for a few seconds?",
			"This lock is held across the dial, so every request blocks while we reconnect.",
			"Can we log the old and new address when they differ? That would have saved us an hour last week.",
		}},
	{"web-app", 3064, "Respond-later menu shows absolute times", "jonas",
		"Shows \"Tomorrow 09:00\" instead of \"in 16h\" and offers the per-source norm first.",
		[]string{"src/lib/later/LaterMenu.svelte", "src/lib/later/norms.ts"},
		[]string{
			"\"Tomorrow 09:00\" on a Friday should probably say Monday.",
			"The Slack DM norm is hard-coded to 4h here, but it's a setting.",
			"Could you extract the time formatting into a helper? The snooze menu needs the same thing.",
		}},
	{"notifications", 385, "Digest: coalesce alerts per thread", "you",
		"One alert per thread per two minutes; the digest lists threads, not messages.",
		[]string{"digest/coalesce.go", "digest/coalesce_test.go"},
		[]string{
			"nit: this allocates a map per alert. Can we reuse one per digest?",
			"What's the ordering inside a thread when two messages share a timestamp?",
			"The two-minute window starts at the first alert, so a busy thread can stay silent forever. Intended?",
		}},
}

// reviewComments are line comments that fit any pull request.
var reviewComments = []string{
	"Can we add a test for the empty case? That's what bit us last time.",
	"I'd log the tenant id here too, otherwise this error is hard to trace.",
	"Naming nit: `data` is a bit vague.",
	"We should probably put this behind a feature flag until the mobile clients are updated.",
	"Please keep the old behaviour for one release so older clients don't break.",
	"Looks good to me once CI is green.",
}

// mentionComments are comments by a pull request's author that mention you,
// a reviewer.
var mentionComments = []string{
	"@you could you take another look? I addressed all the comments and added the missing test.",
	"@you do you know if the mobile app reads this field? I want to be sure before removing it.",
	"cc @you since this touches the digest batching you designed.",
	"@you CI is green now. The flaky test was a timezone issue in the fixture.",
	"@you is it OK to merge this before the release cut, or should it wait for the next train?",
	"@you I split this into two PRs as you suggested; this one is just the refactor.",
	"@you would love your opinion on the naming before we commit to the API.",
	"Rebased on main. @you one more approval needed.",
	"@you here's the benchmark you asked for: 38% fewer allocations, p99 unchanged.",
}

// reviewerNotes are comments by a reviewer on your own pull request.
var reviewerNotes = []string{
	"@you approved with two nits, feel free to merge once they're addressed.",
	"@you this conflicts with the session-store change, can you rebase?",
	"@you can you add a changelog entry? Support reads those.",
	"LGTM once CI is green. @you ping me if the e2e job flakes again.",
	"@you one question on the rollout: is this safe to deploy before the clients update?",
	"Nice. @you do we need a metric for the dead-letter rate, or is the log enough?",
}
