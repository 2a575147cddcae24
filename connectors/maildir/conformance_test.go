package maildir

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
)

func TestConformance(t *testing.T) {
	tr := newTree(t)
	tr.maildir("")
	tr.maildir(".Work")
	tr.maildir(".Work.Projects")
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	n := 0
	for _, rel := range []string{"", ".Work", ".Work.Projects"} {
		for i := range 8 {
			at := base.Add(time.Duration(n) * time.Hour)
			sub, name := "cur", tr.unique()+":2,S"
			if i%3 == 0 {
				sub, name = "new", tr.unique()
			}
			tr.put(rel, sub, name, mail("message "+string(rune('a'+n)), at), at)
			n++
		}
	}
	conformance.Run(t, conformance.Harness{
		Account: account,
		New: func(t *testing.T) connectors.Connector {
			return newConn(t, tr.root, nil)
		},
		Settle:      300 * time.Millisecond,
		MinItems:    n,
		ExactResume: true,
		Delete: func(t *testing.T, id inbox.ID) {
			_, native, err := id.Split()
			if err != nil {
				t.Fatal(err)
			}
			i := strings.LastIndexByte(native, '/')
			folders, _, err := newConn(t, tr.root, nil).folderSet()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range folders {
				if f.Name != native[:i] {
					continue
				}
				e, err := locate(f.Dir, native[i+1:])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Remove(e.path(f.Dir)); err != nil {
					t.Fatal(err)
				}
				return
			}
			t.Fatalf("no folder for %s", id)
		},
	})
}

func TestRegistered(t *testing.T) {
	dir := t.TempDir()
	c, err := connectors.Default.New(connectors.Account{Name: "m", Kind: "maildir", Settings: map[string]any{"path": dir}})
	if err != nil {
		t.Fatalf("kind maildir is not registered: %v", err)
	}
	if _, ok := c.(*Connector); !ok {
		t.Errorf("registry built a %T", c)
	}
}
