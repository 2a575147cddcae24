package store

import (
	"context"
	"testing"
	"time"
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

func TestOpenWaitsForAnotherHolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := Open(ctx, Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Badger's lock is per process (flock), so a second Open in this process
	// is refused the same way another process would be.
	released := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		first.Close()
		close(released)
	}()
	second, err := Open(ctx, Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatalf("Open did not wait for the holder: %v", err)
	}
	<-released
	second.Close()

	third, err := Open(ctx, Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := Open(short, Options{Dir: dir, GCInterval: -1}); err == nil {
		t.Fatal("a second holder opened a locked folder")
	}
}
