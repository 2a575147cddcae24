package asana

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// storyFields are the story fields the connector reads.
const storyFields = "created_at,created_by.name,resource_subtype,type,text,html_text"

// maxEventPages bounds one catch-up on a task's event stream.
const maxEventPages = 50

// story is a task's story: a comment, or a system story ("assigned to…").
type story struct {
	GID             string    `json:"gid"`
	Type            string    `json:"type"`
	ResourceSubtype string    `json:"resource_subtype"`
	Text            string    `json:"text"`
	HTMLText        string    `json:"html_text"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       *struct {
		GID  string `json:"gid"`
		Name string `json:"name"`
	} `json:"created_by"`
}

// comment reports whether s is a comment rather than a system story.
func (s *story) comment() bool {
	return s.ResourceSubtype == "comment_added" || (s.ResourceSubtype == "" && s.Type == "comment")
}

// event is one entry of a task's event stream.
type event struct {
	Action   string `json:"action"`
	Resource struct {
		GID             string `json:"gid"`
		ResourceType    string `json:"resource_type"`
		ResourceSubtype string `json:"resource_subtype"`
	} `json:"resource"`
}

// task brings one changed task's comments up to date: ups are comments to
// upsert, removes comments deleted at Asana, gone says the task itself is
// gone. It updates st (sync token, comments held).
//
// The initial sync reads each task's stories once and takes no sync token
// (most tasks never change again within the token's 24 hours). After it, a
// task with a token reads only its events since; a task without one, or
// whose token expired (412), takes the fresh token first and then reads
// its stories again, compared with the comments already held, so nothing
// said between the two reads is missed and nothing held is upserted twice.
func (p *poller) task(ctx context.Context, t task, st *taskState, horizon time.Time, backfill bool) (ups []inbox.Item, removes []inbox.ID, gone bool, err error) {
	c := p.c
	resync := backfill
	if !backfill {
		if st.Sync != "" {
			ups, removes, err = p.events(ctx, t, st, horizon)
		}
		var expired *syncExpiredError
		switch {
		case errors.As(err, &expired):
			st.Sync, resync, err = expired.Sync, true, nil
		case err == nil && st.Sync == "":
			st.Sync, err = p.syncToken(ctx, t)
			resync = true
		}
	}
	if err == nil && resync {
		var u []inbox.Item
		var r []inbox.ID
		u, r, err = p.resync(ctx, t, st, horizon, backfill)
		ups, removes = append(ups, u...), append(removes, r...)
	}
	switch statusOf(err) {
	case 0:
		if err != nil {
			return nil, nil, false, fmt.Errorf("asana: %s: task %s: %w", c.account, t.GID, err)
		}
		return ups, removes, false, nil
	case http.StatusNotFound:
		// The task was deleted (or moved out of reach): so were its comments.
		for _, gid := range st.Seen {
			removes = append(removes, inbox.NewID(c.account, gid))
		}
		return nil, removes, true, nil
	case http.StatusForbidden:
		c.opts.Logger.Info("asana: task not readable; skipped", "account", c.account, "task", t.GID)
		return nil, nil, false, nil
	}
	return nil, nil, false, fmt.Errorf("asana: %s: task %s: %w", c.account, t.GID, err)
}

// syncToken starts an event stream on a task: Asana answers a request
// without a token with 412 and a fresh one.
func (p *poller) syncToken(ctx context.Context, t task) (string, error) {
	var out struct {
		Sync string `json:"sync"`
	}
	_, err := p.a.get(ctx, "/events", url.Values{"resource": {t.GID}}, &out)
	var expired *syncExpiredError
	switch {
	case errors.As(err, &expired):
		return expired.Sync, nil
	case err != nil:
		return "", err
	}
	return out.Sync, nil
}

// events reads a task's events since its sync token: added comments are
// fetched and become items, removed or deleted ones are removed.
func (p *poller) events(ctx context.Context, t task, st *taskState, horizon time.Time) ([]inbox.Item, []inbox.ID, error) {
	var added []string
	var removes []inbox.ID
	for range maxEventPages {
		var out struct {
			Data    []event `json:"data"`
			Sync    string  `json:"sync"`
			HasMore bool    `json:"has_more"`
		}
		if _, err := p.a.get(ctx, "/events", url.Values{"resource": {t.GID}, "sync": {st.Sync}}, &out); err != nil {
			return nil, nil, err
		}
		for _, e := range out.Data {
			if e.Resource.ResourceType != "story" {
				continue
			}
			gid := e.Resource.GID
			switch e.Action {
			case "added", "undeleted":
				if !slices.Contains(st.Seen, gid) && !slices.Contains(added, gid) &&
					(e.Resource.ResourceSubtype == "" || e.Resource.ResourceSubtype == "comment_added") {
					added = append(added, gid)
				}
			case "removed", "deleted":
				if i := slices.Index(st.Seen, gid); i >= 0 {
					st.Seen = slices.Delete(st.Seen, i, i+1)
					removes = append(removes, inbox.NewID(p.c.account, gid))
				}
				if i := slices.Index(added, gid); i >= 0 {
					added = slices.Delete(added, i, i+1)
				}
			}
		}
		if out.Sync != "" {
			st.Sync = out.Sync
		}
		if !out.HasMore {
			break
		}
	}

	var ups []inbox.Item
	for _, gid := range added {
		var out struct {
			Data story `json:"data"`
		}
		_, err := p.a.get(ctx, "/stories/"+url.PathEscape(gid), url.Values{"opt_fields": {storyFields}}, &out)
		if statusOf(err) == http.StatusNotFound {
			continue // deleted since
		}
		if err != nil {
			return nil, nil, err
		}
		s := out.Data
		if s.GID == "" {
			s.GID = gid
		}
		if it, ok := p.item(t, s, horizon, false); ok {
			ups = append(ups, it)
			st.Seen = append(st.Seen, s.GID)
		}
	}
	return ups, removes, nil
}

// resync reads all of a task's stories and reconciles them with the
// comments held: new ones are upserted, vanished ones removed.
func (p *poller) resync(ctx context.Context, t task, st *taskState, horizon time.Time, backfill bool) ([]inbox.Item, []inbox.ID, error) {
	stories, _, err := list[story](ctx, p.a, "/tasks/"+url.PathEscape(t.GID)+"/stories", url.Values{"opt_fields": {storyFields}})
	if err != nil {
		return nil, nil, err
	}
	var ups []inbox.Item
	var held []string
	present := map[string]bool{}
	for _, s := range stories {
		present[s.GID] = true
		it, ok := p.item(t, s, horizon, backfill)
		if !ok {
			continue
		}
		held = append(held, s.GID)
		if !slices.Contains(st.Seen, s.GID) {
			ups = append(ups, it)
		}
	}
	var removes []inbox.ID
	for _, gid := range st.Seen {
		if !present[gid] {
			removes = append(removes, inbox.NewID(p.c.account, gid))
		}
	}
	st.Seen = held
	return ups, removes, nil
}
