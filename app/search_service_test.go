package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lullhq/lull/app/control"
	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/search"
)

func searchIDs(res search.Results) []string {
	ids := make([]string, len(res.Items))
	for i, it := range res.Items {
		ids[i] = string(it.ID)
	}
	return ids
}

// waitSearch waits until query finds n items, and returns them.
func waitSearch(t *testing.T, s *Search, query string, n int) search.Results {
	t.Helper()
	var res search.Results
	waitFor(t, fmt.Sprintf("%s to find %d", query, n), func() bool {
		var err error
		res, err = s.Run(query, 0)
		return err == nil && len(res.Items) == n && res.Total == n
	})
	return res
}

func TestSearchFollowsSyncAndTriage(t *testing.T) {
	a, _ := newTestApp(t, true)
	s, tr := &Search{app: a}, &Triage{app: a}

	res := waitSearch(t, s, "message", 10)
	waitFor(t, "the index to take in every item", func() bool {
		n, err := s.Backlog()
		return err == nil && n == 0
	})
	if res.Items[0].ID != "sample/m09" || res.Items[0].Title != "message 9" || res.Items[0].State != inbox.StateInbox {
		t.Fatalf("newest first: %+v", res.Items[0])
	}
	waitSearch(t, s, `"message 3"`, 1)

	// Triage reaches the index by itself: no call from Triage needed.
	if _, err := tr.Run("done", []string{"sample/m03"}); err != nil {
		t.Fatal(err)
	}
	waitSearch(t, s, "message", 9)
	done := waitSearch(t, s, "is:done", 1)
	if done.Items[0].ID != "sample/m03" || done.Items[0].State != inbox.StateDone {
		t.Fatalf("is:done = %+v", done.Items)
	}
	if _, err := tr.Undo(); err != nil {
		t.Fatal(err)
	}
	waitSearch(t, s, "message", 10)
	waitSearch(t, s, "is:done", 0)

	res, err := s.Run("message", 3)
	if err != nil || len(res.Items) != 3 || res.Total != 10 {
		t.Fatalf("limit 3: %v (total %d), %v", searchIDs(res), res.Total, err)
	}
	page, err := s.Page("message", 3, 3)
	if err != nil || page.Offset != 3 || page.Total != 10 || strings.Join(searchIDs(page), " ") != "sample/m06 sample/m05 sample/m04" {
		t.Fatalf("page from 3: %v (offset %d, total %d), %v", searchIDs(page), page.Offset, page.Total, err)
	}
	if _, err := s.Run("before:someday", 10); err == nil || !strings.Contains(err.Error(), "is not a date") {
		t.Fatalf("bad date: %v", err)
	}
}

func TestSearchSurvivesRestart(t *testing.T) {
	a, _ := newTestApp(t, true)
	waitSearch(t, &Search{app: a}, "message", 10)
	opts := a.opts
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b := New(opts)
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Not started: no sync, only the index's own catch-up.
	waitSearch(t, &Search{app: b}, "message", 10)
}

func TestSearchOverControl(t *testing.T) {
	a, _ := newTestApp(t, true)
	waitSearch(t, &Search{app: a}, "message", 10)
	h := searchControl{app: a, next: control.HandlerFunc(func(_ context.Context, cmd string, _ json.RawMessage) (any, error) {
		return "next:" + cmd, nil
	})}
	raw, _ := json.Marshal(SearchArgs{Query: "message", Limit: 2})
	got, err := h.Handle(context.Background(), CmdSearch, raw)
	res, ok := got.(search.Results)
	if err != nil || !ok || len(res.Items) != 2 || res.Total != 10 {
		t.Fatalf("search over control = %+v, %v", got, err)
	}
	if got, err := h.Handle(context.Background(), control.CmdFocusStatus, nil); err != nil || got != "next:"+control.CmdFocusStatus {
		t.Fatalf("other commands = %v, %v", got, err)
	}
}
