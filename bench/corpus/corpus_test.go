package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
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
			if got := string(WithMessageID([]byte(tt.in), id)); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestStripMboxFrom(t *testing.T) {
	in := "From someone@x  Thu Aug 22 12:36:23 2002\nFrom: a\n\nb\n"
	if got := string(StripMboxFrom([]byte(in))); got != "From: a\n\nb\n" {
		t.Errorf("got %q", got)
	}
	if got := string(StripMboxFrom([]byte("From: a\n\nb\n"))); got != "From: a\n\nb\n" {
		t.Errorf("a From: header was stripped: %q", got)
	}
}

func TestCycleGivesUniqueIDs(t *testing.T) {
	corpus := [][]byte{[]byte("From x  Thu Aug 22 2002\nSubject: a\n\nA\n"), []byte("Subject: b\n\nB\n")}
	var got []string
	id := func(i int) string { return fmt.Sprintf("<bench-%06d@imapsync.lull.invalid>", i) }
	err := Cycle(corpus, 5, 2, false, id, func(batch [][]byte) error {
		if len(batch) > 2 {
			t.Errorf("batch of %d", len(batch))
		}
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
	if err := Cycle(nil, 1, 1, false, id, func([][]byte) error { return nil }); err == nil {
		t.Error("an empty corpus cycled")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("easy-ham-1/00002.b.txt", "Subject: two\n\n2\n")
	write("easy-ham-1/00001.a.txt", "Subject: one\n\n1\n")
	write("easy-ham-1/00001.a.json", "{}")
	write("hard-ham-1/00001.c.txt", "Subject: three\n\n3\n")
	write("spam-1/00001.d.txt", "Subject: spam\n\nbuy\n")
	msgs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range msgs {
		subjects = append(subjects, string(m[len("Subject: "):len(m)-4]))
	}
	if fmt.Sprint(subjects) != "[one two three]" {
		t.Errorf("loaded %q, want one, two, three (ham only, in path order, no metadata)", subjects)
	}
	if _, err := Load(filepath.Join(dir, "spam-1")); err == nil {
		t.Error("a spam folder was read")
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing folder loaded")
	}
}
