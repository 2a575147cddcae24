// Command dovecot runs a real Dovecot IMAP server for the browser tests: it
// seeds INBOX with a few messages, prints one JSON line
// {"host","port","user","password"} on stdout, and stops the server and
// removes its files when stdin closes (or on SIGINT/SIGTERM).
//
//	go run ./e2e/dovecot [-messages 5]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lullhq/lull/connectors/imap/dovecottest"
)

func main() {
	n := flag.Int("messages", 5, "messages to seed into INBOX")
	flag.Parse()
	if err := run(*n); err != nil {
		fmt.Fprintln(os.Stderr, "dovecot:", err)
		os.Exit(1)
	}
}

func run(n int) error {
	dir, err := os.MkdirTemp("", "lull-e2e-dovecot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// As root the mail user ("nobody") must pass through the folder.
	if err := os.Chmod(dir, 0o711); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	srv, err := dovecottest.Start(ctx, dovecottest.Options{Dir: dir})
	cancel()
	if err != nil {
		return err
	}
	defer srv.Stop()
	if err := srv.Seed("INBOX", messages(n, time.Now())); err != nil {
		return err
	}
	line, err := json.Marshal(map[string]any{"host": srv.Host, "port": srv.Port, "user": srv.User, "password": srv.Password})
	if err != nil {
		return err
	}
	fmt.Println(string(line))

	stdinClosed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinClosed)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-stdinClosed:
	case <-sig:
	}
	return nil
}

// messages are n short plain-text mails, one an hour over the last n
// hours: well inside the default 90-day sync depth.
func messages(n int, now time.Time) [][]byte {
	out := make([][]byte, 0, n)
	for i := range n {
		date := now.Add(-time.Duration(n-i) * time.Hour)
		out = append(out, fmt.Appendf(nil, "From: Grace Hopper <grace@example.com>\r\n"+
			"To: lull@example.com\r\n"+
			"Subject: Seeded message %d\r\n"+
			"Date: %s\r\n"+
			"Message-ID: <e2e-%d-%d@example.com>\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n"+
			"\r\n"+
			"This is seeded message %d for the account form test.\r\n",
			i+1, date.Format(time.RFC1123Z), now.UnixNano(), i, i+1))
	}
	return out
}
