package notify_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lullhq/lull/app/notify"
)

func TestRecorder(t *testing.T) {
	clock := time.Date(2025, 3, 4, 12, 30, 0, 0, time.UTC)
	r := &notify.Recorder{Now: func() time.Time { return clock }}
	ctx := t.Context()

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := r.Notify(ctx, notify.Notification{Title: "x", Kind: notify.Alert}); err != nil {
				t.Error(err)
			}
		})
	}
	got, err := r.WaitFor(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(got) != 20 || !got[0].At.Equal(clock) {
		t.Fatalf("got %d records, first at %v", len(got), got[0].At)
	}

	boom := errors.New("boom")
	r.FailWith(boom)
	if err := r.Notify(ctx, notify.Notification{}); !errors.Is(err, boom) {
		t.Errorf("Notify after FailWith = %v, want boom", err)
	}
	r.FailWith(nil)
	r.Reset()
	if n := len(r.Records()); n != 0 {
		t.Errorf("%d records after Reset", n)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.Notify(cancelled, notify.Notification{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Notify with cancelled ctx = %v", err)
	}
	short, cancel2 := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel2()
	if _, err := r.WaitFor(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor with nothing recorded = %v, want deadline exceeded", err)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[notify.Kind]string{notify.Alert: "alert", notify.Breakthrough: "breakthrough", notify.Digest: "digest", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}
