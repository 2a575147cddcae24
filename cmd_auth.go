package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/lullhq/lull/app"
	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/connectors/oauth"
	"github.com/lullhq/lull/connectors/secret"
)

const authUsage = `Usage:
  lull auth login ACCOUNT          sign an OAuth account (Gmail, Microsoft 365) in through the browser
  lull auth password ACCOUNT       store the account's password in the OS keychain (read from stdin)
  lull auth token ACCOUNT          store the account's API token in the OS keychain (read from stdin)
  lull auth app-token ACCOUNT      store a Slack app-level token (Socket Mode) in the OS keychain
  lull auth client-secret ACCOUNT  store the OAuth client secret in the OS keychain (read from stdin)
  lull auth logout ACCOUNT         remove the account's token and password from the OS keychain

Flags of login:
  --timeout D   give up waiting for the browser after D (default 10m)

Secrets never go in the config file. See docs/oauth.md.
`

// runAuth is `lull auth login|password|token|client-secret|logout ACCOUNT`:
// it signs accounts in and puts their secrets in the OS keychain.
func runAuth(ctx context.Context, opts app.Options, args []string, stdout, stderr io.Writer) error {
	a := authCommand{
		cfg: opts.Config, configPath: opts.Paths.Config,
		stdin: os.Stdin, stdout: stdout, stderr: stderr,
		openBrowser: openSystemBrowser,
	}
	return a.run(ctx, args)
}

// authCommand is runAuth with its surroundings swappable.
type authCommand struct {
	cfg        config.Config
	configPath string
	secrets    secret.Resolver // zero: the OS keychain
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
	// openBrowser shows a URL in the user's browser.
	openBrowser func(url string) error
}

func (a authCommand) run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			fmt.Fprint(a.stderr, authUsage)
			return errors.New("auth: say login, password, token, client-secret or logout")
		}
		fmt.Fprint(a.stdout, authUsage)
		return nil
	}
	sub := args[0]
	fs := flag.NewFlagSet("auth "+sub, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() { fmt.Fprint(a.stderr, authUsage) }
	timeout := fs.Duration("timeout", 10*time.Minute, "give up waiting for the browser after this long")
	// Flags may come before or after the account: `login --timeout 5m gmail`
	// and `login gmail --timeout 5m` alike.
	var positional []string
	for rest := args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if rest = fs.Args(); len(rest) == 0 {
			break
		}
		positional, rest = append(positional, rest[0]), rest[1:]
	}
	if len(positional) != 1 {
		return fmt.Errorf("auth %s: name one account, as in `lull auth %s work` (see lull auth help)", sub, sub)
	}
	name := positional[0]

	// Ctrl-C ends a wait cleanly: the callback server closes, echo comes back.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	switch sub {
	case "login":
		acct, err := a.account(name)
		if err != nil {
			return err
		}
		return a.login(ctx, acct, *timeout)
	case "logout":
		if _, err := a.account(name); err != nil {
			return err
		}
		return a.logout(name)
	}
	var key string
	switch sub {
	case "password", "token":
		key = sub
	case "app-token":
		key = "app_token" // Slack's Socket Mode token
	case "client-secret":
		key = oauth.ClientSecretKey
	default:
		return fmt.Errorf("auth: unknown command %q (want login, password, token, app-token, client-secret or logout)", sub)
	}
	acct, err := a.account(name)
	if err != nil {
		return err
	}
	return a.store(ctx, acct, key)
}

// account finds a configured account, so a typo is caught before anything
// is stored under the wrong name.
func (a authCommand) account(name string) (config.Account, error) {
	if acct, ok := a.cfg.Accounts[name]; ok {
		return acct, nil
	}
	names := a.cfg.AccountNames()
	if len(names) == 0 {
		return config.Account{}, fmt.Errorf("auth: no account %q: %s configures no accounts yet (see docs/oauth.md)", name, a.configPath)
	}
	return config.Account{}, fmt.Errorf("auth: no account %q in %s (configured: %s)", name, a.configPath, strings.Join(names, ", "))
}

func (a authCommand) login(ctx context.Context, acct config.Account, timeout time.Duration) error {
	cfg, err := oauth.ConfigFromSettings(ctx, a.secrets, acct.Name, acct.Settings)
	if err != nil {
		return fmt.Errorf("auth login: %w", err)
	}
	if mech, _ := acct.Settings["auth"].(string); !strings.EqualFold(mech, "xoauth2") && !strings.EqualFold(mech, "oauthbearer") {
		fmt.Fprintf(a.stderr, "note: accounts.%s has auth = %q; set auth = \"xoauth2\" (or \"oauthbearer\") to use this sign-in\n", acct.Name, mech)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	_, err = oauth.Login(ctx, cfg, func(u string) error {
		fmt.Fprintf(a.stdout, "To sign in account %q (%s), open this address in your browser:\n\n  %s\n\n", acct.Name, cfg.Provider.Name, u)
		if err := a.openBrowser(u); err != nil {
			fmt.Fprintf(a.stdout, "(Lull could not open a browser: %v. Open the address above yourself.)\n", err)
		}
		fmt.Fprintln(a.stdout, "Waiting for the sign-in to finish in the browser (Ctrl-C to give up)...")
		return nil
	})
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return fmt.Errorf("auth login: no answer from the browser within %s; run `lull auth login %s` again", timeout, acct.Name)
		}
		return fmt.Errorf("auth login: %w", err)
	}
	fmt.Fprintf(a.stdout, "Signed in: account %q is connected; its token is in the OS keychain.\n", acct.Name)
	return nil
}

func (a authCommand) logout(name string) error {
	for _, key := range []string{oauth.TokenKey, "password", "token", "app_token"} {
		if err := a.secrets.Delete(name, key); err != nil {
			return fmt.Errorf("auth logout: %w", err)
		}
	}
	fmt.Fprintf(a.stdout, "Removed the stored token and password of account %q from the OS keychain.\n", name)
	return nil
}

// store reads a secret from stdin and puts it in the keychain.
func (a authCommand) store(ctx context.Context, acct config.Account, key string) error {
	if cmd, _ := acct.Settings[key+"_cmd"].(string); strings.TrimSpace(cmd) != "" {
		fmt.Fprintf(a.stderr, "note: accounts.%s sets %s_cmd, which Lull uses before the keychain\n", acct.Name, key)
	}
	label := strings.ReplaceAll(strings.Replace(key, "oauth", "OAuth", 1), "_", " ")
	value, err := readSecret(ctx, a.stdin, a.stderr, fmt.Sprintf("%s for %s: ", label, acct.Name))
	if err != nil {
		return fmt.Errorf("auth: reading the %s: %w", label, err)
	}
	if err := a.secrets.Store(acct.Name, key, value); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	fmt.Fprintf(a.stdout, "Stored the %s of account %q in the OS keychain.\n", label, acct.Name)
	return nil
}

// readSecret reads one line. From a terminal it prompts and turns echo off
// (with stty, where there is one); from a pipe (`pass show x | lull auth
// password work`) it just reads.
func readSecret(ctx context.Context, in io.Reader, prompt io.Writer, label string) (string, error) {
	tty, isTTY := in.(*os.File)
	if isTTY {
		fi, err := tty.Stat()
		isTTY = err == nil && fi.Mode()&os.ModeCharDevice != 0
	}
	if isTTY {
		fmt.Fprint(prompt, label)
		if restore := echoOff(tty); restore != nil {
			defer func() {
				restore()
				fmt.Fprintln(prompt)
			}()
		}
	}
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		// A read from a terminal cannot be interrupted; on Ctrl-C the
		// process ends soon after, taking this goroutine with it.
		line, err := bufio.NewReader(in).ReadString('\n')
		done <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-done:
		if r.err != nil && !errors.Is(r.err, io.EOF) {
			return "", r.err
		}
		line := strings.TrimRight(r.line, "\r\n")
		if strings.TrimSpace(line) == "" {
			return "", errors.New("empty input; nothing stored")
		}
		return line, nil
	}
}

// echoOff hides typing on a Unix terminal and returns the undo, or nil
// when it cannot (Windows, no stty): the input then shows as typed.
func echoOff(tty *os.File) func() {
	if runtime.GOOS == "windows" {
		return nil
	}
	off := exec.Command("stty", "-echo")
	off.Stdin = tty
	if off.Run() != nil {
		return nil
	}
	return func() {
		on := exec.Command("stty", "echo")
		on.Stdin = tty
		_ = on.Run() // best effort: the terminal is the user's to reset
	}
}

// openSystemBrowser shows an http(s) URL in the default browser.
func openSystemBrowser(u string) error {
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") {
		return fmt.Errorf("refusing to open %q: not an http(s) address", u)
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	// xdg-open may wait for the browser; reap it whenever it ends.
	go cmd.Wait() //nolint:errcheck // its exit status says nothing useful
	return nil
}
