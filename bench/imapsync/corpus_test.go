package main

import (
	"testing"
	"time"
)

func TestWithMessageID(t *testing.T) {
	const id = "<new@x>"
	tests := []struct {
		name, in, want string
	}{
		{
			name: "replace",
			in:   "From: a\nMessage-ID: <old@y>\nSubject: s\n\nbody\nMessage-ID: <in body>\n",
			want: "From: a\nMessage-ID: <new@x>\nSubject: s\n\nbody\nMessage-ID: <in body>\n",
		},
		{
			name: "folded and odd case",
			in:   "From: a\nMESSAGE-id :\n\t<old@y>\nSubject: s\n\nbody\n",
			want: "From: a\nMessage-ID: <new@x>\nSubject: s\n\nbody\n",
		},
		{
			name: "crlf",
			in:   "From: a\r\nMessage-Id: <old@y>\r\n\r\nbody\r\n",
			want: "From: a\r\nMessage-ID: <new@x>\r\n\r\nbody\r\n",
		},
		{
			name: "insert at end of header",
			in:   "From: a\nDate: Thu, 22 Aug 2002 12:36:23 +0100\n\nbody\n",
			want: "From: a\nDate: Thu, 22 Aug 2002 12:36:23 +0100\nMessage-ID: <new@x>\n\nbody\n",
		},
		{
			name: "duplicates dropped",
			in:   "Message-ID: <a>\nMessage-ID: <b>\n\nbody\n",
			want: "Message-ID: <new@x>\n\nbody\n",
		},
		{
			name: "similar field kept",
			in:   "Message-IDs: x\n\nbody\n",
			want: "Message-IDs: x\nMessage-ID: <new@x>\n\nbody\n",
		},
		{
			name: "header only",
			in:   "Subject: s",
			want: "Subject: s\nMessage-ID: <new@x>\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(withMessageID([]byte(tt.in), id)); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestStripMboxFrom(t *testing.T) {
	in := "From someone@x  Thu Aug 22 12:36:23 2002\nFrom: a\n\nb\n"
	if got := string(stripMboxFrom([]byte(in))); got != "From: a\n\nb\n" {
		t.Errorf("got %q", got)
	}
	if got := string(stripMboxFrom([]byte("From: a\n\nb\n"))); got != "From: a\n\nb\n" {
		t.Errorf("a From: header was stripped: %q", got)
	}
}

func TestBenchMessagesCyclesWithUniqueIDs(t *testing.T) {
	corpus := [][]byte{[]byte("Subject: a\n\nA\n"), []byte("Subject: b\n\nB\n")}
	var got []string
	err := benchMessages(corpus, 5, 2, false, func(batch [][]byte) error {
		for _, m := range batch {
			got = append(got, string(m))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Subject: a\nMessage-ID: <bench-000000@imapsync.lull.invalid>\n\nA\n",
		"Subject: b\nMessage-ID: <bench-000001@imapsync.lull.invalid>\n\nB\n",
		"Subject: a\nMessage-ID: <bench-000002@imapsync.lull.invalid>\n\nA\n",
		"Subject: b\nMessage-ID: <bench-000003@imapsync.lull.invalid>\n\nB\n",
		"Subject: a\nMessage-ID: <bench-000004@imapsync.lull.invalid>\n\nA\n",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestMedianAndVersion(t *testing.T) {
	if got := medianDuration([]float64{3, 1, 2}); got != 2*time.Second {
		t.Errorf("median of 3 = %v", got)
	}
	if got := medianDuration([]float64{4, 1, 2, 3}); got != 2500*time.Millisecond {
		t.Errorf("median of 4 = %v", got)
	}
	for v, want := range map[string]bool{"isync 1.4.4": true, "isync 1.3.0": false, "isync 2.0": true, "garbage": false} {
		if got := isyncAtLeast(v, 1, 4); got != want {
			t.Errorf("isyncAtLeast(%q) = %v", v, got)
		}
	}
}
