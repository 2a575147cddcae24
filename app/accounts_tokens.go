package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/asana"
	"github.com/lullhq/lull/connectors/github"
	"github.com/lullhq/lull/connectors/imap"
	"github.com/lullhq/lull/connectors/secret"
	"github.com/lullhq/lull/connectors/slack"
)

// Steps of a TestResult for the kinds that sign in with an API token.
const (
	// StepToken: the service refused the token, or it lacks a scope.
	StepToken = "token"
	// StepCommand: a token_cmd or app_token_cmd failed or printed nothing.
	StepCommand = "command"
	// StepRate: the service's rate limit asks to wait longer than a test.
	StepRate = "rate"
	// StepAPI: the address answered, but not as the service's API (a wrong
	// GitHub Enterprise address), or the service failed.
	StepAPI = "api"
	// StepWorkspace: an Asana workspace the form names is not the token's.
	StepWorkspace = "workspace"
)

// tokenKind is an account kind that signs in with API tokens.
type tokenKind struct {
	// label names the service in messages.
	label string
	// defaultHost is the API's host when the form gives no address.
	defaultHost string
	// refused says what to do when the service refuses the token.
	refused string
	// withSecrets builds the connector with the token lookups of r, so a
	// test uses the tokens typed into the form, which are not in the
	// keychain yet.
	withSecrets func(acct connectors.Account, r secret.Resolver) (connectors.Connector, error)
}

// tokenKinds are the kinds the form adds with a token. Naming the packages
// here also registers their kinds in any binary that shows the form.
var tokenKinds = map[string]*tokenKind{
	"github": {
		label:       "GitHub",
		defaultHost: "api.github.com",
		refused:     "Create a classic token with the notifications and repo scopes (docs/github.md).",
		withSecrets: func(acct connectors.Account, r secret.Resolver) (connectors.Connector, error) {
			s, err := github.ParseSettings(acct.Settings)
			if err != nil {
				return nil, err
			}
			return github.NewWith(acct.Name, s, github.Options{Now: acct.Now, Token: func(ctx context.Context) (string, error) {
				return r.Resolve(ctx, acct.Name, "token", acct.Settings)
			}}), nil
		},
	},
	"asana": {
		label:       "Asana",
		defaultHost: "app.asana.com",
		refused:     "Create a personal access token in Asana under Settings → Apps → Developer apps (docs/asana.md).",
		withSecrets: func(acct connectors.Account, r secret.Resolver) (connectors.Connector, error) {
			s, err := asana.ParseSettings(acct.Settings)
			if err != nil {
				return nil, err
			}
			return asana.NewWith(acct.Name, s, asana.Options{Now: acct.Now, Token: func(ctx context.Context) (string, error) {
				return r.Resolve(ctx, acct.Name, "token", acct.Settings)
			}}), nil
		},
	},
	"slack": {
		label:       "Slack",
		defaultHost: "slack.com",
		refused:     "Use the user token (xoxp-) of Lull's Slack app, as docs/slack/README.md says.",
		withSecrets: func(acct connectors.Account, r secret.Resolver) (connectors.Connector, error) {
			s, err := slack.ParseSettings(acct.Settings)
			if err != nil {
				return nil, err
			}
			return slack.NewWith(acct.Name, s, acct.Settings, slack.Options{Now: acct.Now, Secrets: r}), nil
		},
	},
}

// prepareTokens fills table and p.tokens from the form of a token kind.
// table holds kind and the generic sync_days and on_done already.
func prepareTokens(p *preparedAccount, form AccountForm, table map[string]any) *TestResult {
	tk := tokenKinds[p.kind]
	fail := func(field, format string, args ...any) *TestResult {
		return &TestResult{Step: StepForm, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	p.tokens = map[string]string{}
	tokenName := "token"
	if p.kind == "slack" {
		tokenName = "user token (xoxp-)"
	}
	if cmd := strings.TrimSpace(form.TokenCmd); cmd != "" {
		table["token_cmd"] = cmd
	} else if t := strings.TrimSpace(form.Token); t != "" {
		p.tokens[slack.TokenKey] = t
	} else {
		return fail("token", "Paste the %s %s, or choose a command that prints it.", tk.label, tokenName)
	}

	base := strings.TrimSpace(form.BaseURL)
	switch p.kind {
	case "github":
		if base != "" {
			table["base_url"] = base
		}
	case "asana":
		if base != "" {
			table["base_url"] = base
		}
		var ws []string
		for _, w := range form.Workspaces {
			if w = strings.TrimSpace(w); w != "" {
				ws = append(ws, w)
			}
		}
		if len(ws) > 0 {
			table["workspaces"] = ws
		}
		// Asana has no read or archive state to write back.
		delete(table, "on_done")
	case "slack":
		if base != "" {
			table["api_url"] = base
		}
		if cmd := strings.TrimSpace(form.AppTokenCmd); cmd != "" {
			table["app_token_cmd"] = cmd
		} else if t := strings.TrimSpace(form.AppToken); t != "" {
			if !strings.HasPrefix(t, "xapp-") {
				return fail("appToken", "An app-level token starts with xapp- (Slack app settings → Basic Information → App-Level Tokens); leave it empty to poll without Socket Mode.")
			}
			p.tokens[slack.AppTokenKey] = t
		}
		var watched []string
		for _, w := range form.Watched {
			if w = strings.TrimSpace(w); w != "" {
				watched = append(watched, w)
			}
		}
		if len(watched) > 0 {
			table["watched"] = watched
		}
		switch form.OnDone {
		case "read":
			table["mark_read_on_done"] = true
		case "", "none":
			table["mark_read_on_done"] = false
		default:
			return fail("onDone", "Done in Lull can mark the conversation read in Slack (read) or leave it (none), not %q.", form.OnDone)
		}
		delete(table, "on_done")
	}
	return nil
}

// checkTokens builds the account's connector and asks the service whether
// it takes the token. With every secret a command the connector comes from
// the registry, exactly as it will sync; a typed token is not in the
// keychain yet, so the connector is built to use the typed one (and never
// the keychain or the environment).
func (a *App) checkTokens(ctx context.Context, p preparedAccount) TestResult {
	tk := tokenKinds[p.kind]
	acct := connectors.Account{Name: p.name, Kind: p.kind, Settings: p.settings, Now: a.opts.Now}
	var conn connectors.Connector
	var err error
	if len(p.tokens) == 0 {
		conn, err = a.opts.Registry.New(acct)
	} else {
		conn, err = tk.withSecrets(acct, secret.Resolver{Keychain: formKeychain{account: p.name, tokens: p.tokens}, Env: func(string) string { return "" }})
	}
	if err != nil {
		return TestResult{Step: StepForm, Field: fieldOf(err), Message: sentence(err)}
	}
	if c, ok := conn.(interface{ Close() error }); ok {
		defer c.Close()
	}
	v, ok := conn.(connectors.Validator)
	if !ok {
		return TestResult{OK: true, Message: "Settings look right; this kind cannot be tested before it syncs."}
	}
	if err := v.Validate(ctx); err != nil {
		r := describeTokenCheck(err, p)
		var secrets []string
		for _, t := range p.tokens {
			secrets = append(secrets, t)
		}
		r.Message = secret.Scrub(r.Message, secrets...)
		r.Detail = secret.Scrub(r.Detail, secrets...)
		return r
	}
	msg := "Token accepted · notifications readable"
	switch p.kind {
	case "asana":
		msg = "Token accepted · every workspace"
		if ws, ok := p.table["workspaces"].([]string); ok {
			msg = "Token accepted · " + strings.Join(ws, ", ")
		}
	case "slack":
		msg = "Token accepted · polling (no app token)"
		if _, ok := p.table["app_token_cmd"]; ok || p.tokens[slack.AppTokenKey] != "" {
			msg = "Token accepted · Slack checks the app token when syncing starts"
		}
	}
	return TestResult{OK: true, Message: msg}
}

// formKeychain is a keychain holding only the tokens typed into the form.
type formKeychain struct {
	account string
	tokens  map[string]string
}

func (k formKeychain) Get(_, user string) (string, error) {
	key, ok := strings.CutPrefix(user, k.account+"/")
	if v := k.tokens[key]; ok && v != "" {
		return v, nil
	}
	return "", secret.ErrNotFound
}

func (formKeychain) Set(string, string, string) error {
	return errors.New("the account form's keychain is read-only")
}

func (formKeychain) Delete(string, string) error { return nil }

var (
	// secretCommandFailed finds a failed *_cmd in a secret error and what
	// went wrong: `accounts.gh.token_cmd "pass show x": failed (exit status 1): "…"`.
	secretCommandFailed = regexp.MustCompile(`accounts\.\S+?\.(token_cmd|app_token_cmd) "(?:[^"\\]|\\.)*": (.*)$`)
	// rateLimitedUntil is GitHub's and Asana's "rate limited by X until 15:04:05".
	rateLimitedUntil = regexp.MustCompile(`rate limited by \w+ until (\S+)`)
	// httpStatus is an API answer the connectors pass on: "GET /notifications: 502 Bad Gateway".
	httpStatus = regexp.MustCompile(`(?:GET|POST|PATCH|PUT|DELETE) \S+: (\d{3}) ?(.*)$`)
	// slackRefused is the Slack connector's "Slack refused the token (invalid_auth on auth.test)".
	slackRefused = regexp.MustCompile(`Slack refused the token \(([^)]*)\)`)
)

// describeTokenCheck words a failed Validate of a token kind for the form.
func describeTokenCheck(err error, p preparedAccount) TestResult {
	tk := tokenKinds[p.kind]
	msg := strings.TrimSuffix(err.Error(), ": "+connectors.ErrPermanent.Error())
	// GitHub and Asana say "github: NAME: …"; the form knows the account.
	msg = strings.Replace(msg, p.kind+": "+p.name+": ", p.kind+": ", 1)
	tokenField := "token"
	if _, ok := p.table["token_cmd"]; ok {
		tokenField = "tokenCmd"
	}
	// The address field is only on the form for GitHub (Enterprise).
	addrField := ""
	host := tk.defaultHost
	if raw, _ := p.table["base_url"].(string); raw != "" {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			host = u.Host
		}
		if p.kind == "github" {
			addrField = "baseUrl"
		}
	} else if raw, _ := p.table["api_url"].(string); raw != "" {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			host = u.Host
		}
	}

	var dns *net.DNSError
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var op *net.OpError
	switch m := secretCommandFailed.FindStringSubmatch(msg); {
	case m != nil:
		r := TestResult{Step: StepCommand, Field: "tokenCmd", Detail: m[2],
			Message: "The token command failed; it must print the token on its first line."}
		if m[1] == "app_token_cmd" {
			r.Field, r.Message = "appTokenCmd", "The app token command failed; it must print the app-level token (xapp-) on its first line."
		}
		return r
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return TestResult{Step: imap.StepConnect, Field: addrField, Detail: detail(err),
			Message: fmt.Sprintf("No answer from %s within %s. Are you online? A firewall or proxy may hold the connection.", host, secs(CheckTimeout))}
	case errors.As(err, &dns):
		r := TestResult{Step: imap.StepDNS, Field: addrField, Detail: dns.Err,
			Message: fmt.Sprintf("Cannot find %s. Are you online?", host)}
		if addrField != "" {
			r.Message = fmt.Sprintf("Cannot find %s. Check the server address.", host)
		}
		return r
	case errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &invalid):
		return TestResult{Step: imap.StepTLS, Field: addrField, Detail: detail(err),
			Message: fmt.Sprintf("The certificate of %s is not valid for it, so Lull will not send the token there.", host)}
	case errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial"):
		return TestResult{Step: imap.StepConnect, Field: addrField, Detail: detail(err),
			Message: fmt.Sprintf("Cannot connect to %s. Check the address, or whether you are online.", host)}
	}

	if m := rateLimitedUntil.FindStringSubmatch(msg); m != nil {
		return TestResult{Step: StepRate, Detail: m[0],
			Message: fmt.Sprintf("Wait until %s: %s takes no more requests from this token before then (rate limit). Test again after that.", m[1], tk.label)}
	}
	switch p.kind {
	case "github":
		switch {
		case strings.Contains(msg, "token rejected"):
			return TestResult{Step: StepToken, Field: tokenField, Detail: between(msg, "(", ")"), Message: tk.refused}
		case strings.Contains(msg, "may not read notifications"):
			return TestResult{Step: StepToken, Field: tokenField, Detail: between(msg, "(", ")"),
				Message: "Only classic tokens can read GitHub notifications (fine-grained tokens cannot). " + tk.refused}
		case strings.Contains(msg, "include neither notifications nor repo"):
			return TestResult{Step: StepToken, Field: tokenField, Detail: "scopes: " + between(msg, "(", ")"),
				Message: "The token has neither the notifications nor the repo scope. " + tk.refused}
		case strings.Contains(msg, "no notifications API at this address"):
			return TestResult{Step: StepAPI, Field: "baseUrl", Detail: between(msg, "(", ")"),
				Message: fmt.Sprintf("%s does not answer as the GitHub API. For GitHub Enterprise Server the address is https://HOST/api/v3/; leave it empty for github.com.", host)}
		}
	case "asana":
		switch {
		case strings.Contains(msg, "token rejected"):
			return TestResult{Step: StepToken, Field: tokenField, Detail: between(msg, "(", ")"), Message: tk.refused}
		case strings.Contains(msg, "setting workspaces: "):
			_, sees, _ := strings.Cut(msg, "setting workspaces: ")
			return TestResult{Step: StepWorkspace, Field: "workspaces",
				Message: sentence(errors.New(sees)) + " Type workspace names or gids, separated by commas, or leave it empty for all."}
		}
	case "slack":
		if errors.Is(err, slack.ErrAuth) {
			r := TestResult{Step: StepToken, Field: tokenField}
			switch m := slackRefused.FindStringSubmatch(msg); {
			case m != nil:
				r.Detail = m[1]
				r.Message = tk.refused
				return r
			case strings.Contains(msg, "app-level token (xapp-)"):
				r.Message = "That is the app-level token (xapp-): it goes in the App token field. Here Slack needs the user token (xoxp-)."
				return r
			}
			r.Message = sentence(errors.New(msg))
			return r
		}
	}
	if m := httpStatus.FindStringSubmatch(msg); m != nil {
		return TestResult{Step: StepAPI, Field: addrField, Detail: strings.TrimSpace(m[1] + " " + m[2]),
			Message: fmt.Sprintf("The %s API answered with an error (%s). Try again in a moment.", tk.label, m[1])}
	}
	return TestResult{Step: StepAPI, Field: addrField, Message: sentence(errors.New(msg))}
}

// between is the text of s between the first open and the close after it, or "".
func between(s, open, close string) string {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return ""
	}
	in, _, ok := strings.Cut(rest, close)
	if !ok {
		return ""
	}
	return in
}
