// Command fakes runs the in-process GitHub and Asana APIs (githubfake,
// asanafake) for the browser tests: it seeds each with a few items, prints
// one JSON line
//
//	{"github":{"url","token","titles"},"asana":{"url","token","titles"}}
//
// on stdout, where url is what the account's base_url takes, and stops the
// servers when stdin closes (or on SIGINT/SIGTERM).
//
//	go run ./e2e/fakes
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lullhq/lull/connectors/asana/asanafake"
	"github.com/lullhq/lull/connectors/github/githubfake"
)

// fake is one server as the tests see it.
type fake struct {
	URL   string `json:"url"`
	Token string `json:"token"`
	// Titles are the items' titles in the inbox, newest first.
	Titles []string `json:"titles"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakes:", err)
		os.Exit(1)
	}
}

func run() error {
	now := time.Now()

	gh := githubfake.New(githubfake.Options{Token: "ghp_e2eFakeToken"})
	defer gh.Close()
	pr := gh.AddThread(githubfake.Thread{Repo: "lullhq/lull", Number: 42, Title: "Keyboard-only account form",
		Reason: "review_requested", Author: "grace", Body: "Adds GitHub, Asana and Slack to the form.", Unread: true,
		Updated: now.Add(-2 * time.Hour)})
	gh.Comment(pr, "grace", "Ready for review: try it with a token command.")
	issue := gh.AddThread(githubfake.Thread{Repo: "lullhq/lull", Type: "Issue", Number: 41, Title: "Tokens never in config.toml",
		Reason: "mention", Author: "ada", Body: "@me can you check the keychain path?", Unread: true,
		Updated: now.Add(-3 * time.Hour)})
	gh.Comment(issue, "ada", "@me the form should keep tokens in the OS keychain.")

	as := asanafake.New(asanafake.Options{Token: "2/e2eFakeAsanaToken"})
	defer as.Close()
	me := as.Me().GID
	colleague := as.AddUser("Katherine Johnson")
	task := as.AddTask(asanafake.Task{Name: "Ship the account form", Assignee: me})
	as.Comment(task, colleague, "Screenshots attached; looks good to me.")

	line, err := json.Marshal(map[string]fake{
		// The newest comment or review is shown, so the title stays the thread's.
		"github": {URL: gh.BaseURL(), Token: "ghp_e2eFakeToken", Titles: []string{"Keyboard-only account form", "Tokens never in config.toml"}},
		"asana":  {URL: as.BaseURL(), Token: "2/e2eFakeAsanaToken", Titles: []string{"Ship the account form"}},
	})
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
