package store

import (
	"context"
	"testing"
)

func TestBlobSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := st.Blob(ctx, BlobFocus); err != nil || v != nil {
		t.Fatalf("empty blob = %q, %v", v, err)
	}
	if err := st.SetBlob(ctx, BlobFocus, []byte(`{"held":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.Blob(ctx, BlobFocus); err != nil || string(v) != `{"held":1}` {
		t.Fatalf("blob after reopen = %q, %v", v, err)
	}
}
