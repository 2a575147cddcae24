package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"
	goimap "github.com/emersion/go-imap/v2"

	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/imap"
	// The form offers Maildir accounts, so the app that shows it knows the
	// kind (GitHub, Asana and Slack register through accounts_tokens.go).
	_ "github.com/lullhq/lull/connectors/maildir"
	"github.com/lullhq/lull/connectors/secret"
)

// CheckTimeout bounds one connection test of the account form.
const CheckTimeout = 20 * time.Second

// Steps of a TestResult beyond the IMAP connection steps (imap.StepDNS …
// imap.StepFolder).
const (
	// StepForm: a field is missing or malformed; nothing was contacted.
	StepForm = "form"
	// StepPassword: the password command failed.
	StepPassword = "password"
	// StepMaildir: the maildir path cannot be used.
	StepMaildir = "maildir"
	// StepKeychain: the password or token could not be kept in the OS keychain.
	StepKeychain = "keychain"
)

// Accounts is the bound service behind the "Add an account" form: it tests
// an account's settings without saving them, and adds a tested account to
// config.toml (its password to the OS keychain) and to the running app.
type Accounts struct {
	app *App
	// mu makes a second Add wait for the first: both read and rewrite the
	// config file and restart the workspace.
	mu sync.Mutex
}

// AccountForm is what the form sends. Zero values mean the defaults: port
// by security (993 or 143), folders INBOX (every maildir for Maildir),
// sync depth 90 days (the connector's own for the token kinds), on done
// "none" (GitHub: "done").
type AccountForm struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"` // "imap" | "maildir" | "github" | "asana" | "slack"
	Host        string   `json:"host"`
	Port        int      `json:"port"`
	TLS         string   `json:"tls"` // "implicit" | "starttls" | "none"
	Username    string   `json:"username"`
	Password    string   `json:"password"`
	PasswordCmd string   `json:"passwordCmd"`
	Folders     []string `json:"folders"`
	SyncDays    *int     `json:"syncDays"`
	// OnDone is what done does at the source: IMAP "none" | "seen" |
	// "archive"; Maildir "none" | "seen"; GitHub "done" | "read" | "none";
	// Slack "read" (mark_read_on_done) | "none". Asana has none.
	OnDone string `json:"onDone"`
	Path   string `json:"path"` // maildir

	// Token is the API token of GitHub, Asana or Slack (the user token,
	// xoxp-), kept in the OS keychain on save; TokenCmd instead prints it.
	Token    string `json:"token"`
	TokenCmd string `json:"tokenCmd"`
	// AppToken is Slack's optional app-level token (xapp-) for Socket Mode.
	AppToken    string `json:"appToken"`
	AppTokenCmd string `json:"appTokenCmd"`
	// BaseURL is GitHub Enterprise Server's API address (base_url); for
	// Asana (base_url) and Slack (api_url) it is for tests and proxies.
	BaseURL    string   `json:"baseUrl"`
	Workspaces []string `json:"workspaces"` // asana: names or gids; empty for all
	Watched    []string `json:"watched"`    // slack: channels to take every message from
}

// TestResult is the outcome of testing (or adding) an account. A failure
// names its Step (imap.StepDNS, imap.StepConnect, imap.StepTLS,
// imap.StepAuth, imap.StepFolder, or StepForm, StepPassword, StepMaildir,
// StepKeychain, and for the token kinds StepToken, StepCommand, StepRate,
// StepAPI, StepWorkspace), says what to do in Message, carries the
// server's own words in Detail, and names the form Field to fix.
type TestResult struct {
	OK      bool   `json:"ok"`
	Step    string `json:"step,omitempty"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
	Field   string `json:"field,omitempty"`
	// Folders is how many folders were opened.
	Folders int `json:"folders"`
	// Name is the account's name, filled in when the form left it empty.
	Name string `json:"name"`
}

// Preset is a provider's IMAP server, for filling the form from an e-mail address.
type Preset struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	TLS  string `json:"tls"`
	Note string `json:"note,omitempty"`
}

var (
	gmail = Preset{Host: "imap.gmail.com", Port: 993, TLS: imap.TLSImplicit,
		Note: "Gmail signs in with an app password (it needs 2-Step Verification) or OAuth, not your Google password; see docs/oauth.md."}
	microsoft = Preset{Host: "outlook.office365.com", Port: 993, TLS: imap.TLSImplicit,
		Note: "Microsoft no longer accepts passwords for IMAP on most accounts; sign in with OAuth (docs/oauth.md)."}
	fastmail = Preset{Host: "imap.fastmail.com", Port: 993, TLS: imap.TLSImplicit,
		Note: "Fastmail needs an app password (Settings → Privacy & Security → Manage app passwords)."}
	icloud = Preset{Host: "imap.mail.me.com", Port: 993, TLS: imap.TLSImplicit,
		Note: "iCloud needs an app-specific password from appleid.apple.com; the user name is the part before @icloud.com."}
	yahoo = Preset{Host: "imap.mail.yahoo.com", Port: 993, TLS: imap.TLSImplicit,
		Note: "Yahoo needs an app password (Account security → Generate app password)."}
)

// Presets returns the IMAP servers of common providers, keyed by e-mail domain.
func (s *Accounts) Presets() map[string]Preset {
	return map[string]Preset{
		"gmail.com": gmail, "googlemail.com": gmail,
		"outlook.com": microsoft, "hotmail.com": microsoft, "live.com": microsoft, "msn.com": microsoft,
		"office365.com": microsoft, "outlook.office365.com": microsoft,
		"fastmail.com": fastmail, "fastmail.fm": fastmail,
		"icloud.com": icloud, "me.com": icloud, "mac.com": icloud,
		"yahoo.com": yahoo, "ymail.com": yahoo,
	}
}

// Test checks the form's settings (connects, signs in and opens every
// folder; for Maildir, looks at the path; for GitHub, Asana and Slack,
// asks the service whether it takes the token) without saving anything.
func (s *Accounts) Test(form AccountForm) (TestResult, error) {
	p, bad := s.app.prepareAccount(form)
	if bad != nil {
		return *bad, nil
	}
	return s.app.checkAccount(s.app.context(), p), nil
}

// Add tests the form and, only when the test passes, keeps the typed
// password or tokens in the OS keychain (a command given instead is written
// to the config), appends the account to config.toml and starts syncing it.
func (s *Accounts) Add(form AccountForm) (TestResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, bad := s.app.prepareAccount(form)
	if bad != nil {
		return *bad, nil
	}
	res := s.app.checkAccount(s.app.context(), p)
	if !res.OK {
		return res, nil
	}
	secrets := p.tokens
	if p.kind == "imap" && p.passwordCmd == "" {
		secrets = map[string]string{"password": p.password}
	}
	var stored []string
	forget := func() {
		for _, key := range stored {
			_ = secret.Delete(p.name, key)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(secrets)) {
		if err := secret.Store(p.name, key, secrets[key]); err != nil {
			forget()
			return keychainFailure(p, key, err), nil
		}
		stored = append(stored, key)
	}
	if err := config.AddAccount(s.app.opts.Paths.Config, p.name, p.table); err != nil {
		forget()
		return TestResult{}, fmt.Errorf("add account %s: %w", p.name, err)
	}
	if err := s.app.reloadAccounts(); err != nil {
		return TestResult{}, fmt.Errorf("add account %s: saved to %s, but %w", p.name, s.app.opts.Paths.Config, err)
	}
	s.app.log.Info("accounts: added", "account", p.name, "kind", p.kind)
	res.Message = fmt.Sprintf("Added %s · syncing", p.name)
	return res, nil
}

// preparedAccount is a form turned into config settings.
type preparedAccount struct {
	name, kind  string
	password    string
	passwordCmd string
	// table is the [accounts.NAME] table to write, kind included.
	table map[string]any
	// settings is table as config.Load gives it to a connector.
	settings map[string]any
	imap     imap.Settings
	// tokens are the secrets typed into the form, by secret key ("token",
	// "app_token"): kept in the OS keychain on save, never in table.
	tokens map[string]string
}

// prepareAccount checks the form and builds the account's settings, or
// returns the form failure to show.
func (a *App) prepareAccount(form AccountForm) (preparedAccount, *TestResult) {
	fail := func(field, format string, args ...any) (preparedAccount, *TestResult) {
		return preparedAccount{}, &TestResult{Step: StepForm, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	p := preparedAccount{kind: strings.ToLower(strings.TrimSpace(form.Kind)), passwordCmd: strings.TrimSpace(form.PasswordCmd)}
	if p.passwordCmd == "" {
		p.password = form.Password
	}
	var folders []string
	for _, f := range form.Folders {
		if f = strings.TrimSpace(f); f != "" {
			folders = append(folders, f)
		}
	}
	table := map[string]any{"kind": p.kind}
	if form.SyncDays != nil {
		if *form.SyncDays < 0 {
			return fail("syncDays", "Sync depth cannot be negative; 0 syncs every message.")
		}
		table["sync_days"] = *form.SyncDays
	}
	if form.OnDone != "" {
		table["on_done"] = form.OnDone
	}

	switch p.kind {
	case "imap":
		host := strings.TrimSpace(form.Host)
		user := strings.TrimSpace(form.Username)
		switch {
		case user == "":
			return fail("username", "Type the e-mail address or user name you sign in with.")
		case host == "":
			return fail("host", "Type the IMAP server, e.g. imap.example.com.")
		case form.Port < 0 || form.Port > 65535:
			return fail("port", "Port %d is not a port (1 to 65535; empty for the default).", form.Port)
		case p.password == "" && p.passwordCmd == "":
			return fail("password", "Type the password, or choose a command that prints it.")
		}
		raw := map[string]any{"host": host, "tls": form.TLS, "username": user, "folders": folders}
		if form.Port != 0 {
			raw["port"] = form.Port
		}
		for _, k := range []string{"sync_days", "on_done"} {
			if v, ok := table[k]; ok {
				raw[k] = v
			}
		}
		s, err := imap.ParseSettings(raw)
		switch {
		case err != nil && fieldOf(err) == "tls" && strings.Contains(err.Error(), "loopback"):
			return fail("tls", "Security “None” sends the password in the clear, so it is only for a server on this computer. Choose TLS or STARTTLS for %s.", host)
		case err != nil:
			return fail(fieldOf(err), "%s", sentence(err))
		}
		p.imap = s
		table["host"], table["port"], table["tls"], table["username"] = s.Host, s.Port, s.TLS, s.Username
		table["folders"], table["sync_days"], table["on_done"] = s.Folders, *s.SyncDays, s.OnDone
		if p.passwordCmd != "" {
			table["password_cmd"] = p.passwordCmd
		}
	case "maildir":
		path := strings.TrimSpace(form.Path)
		if path == "" {
			return fail("path", "Type the maildir's folder, e.g. ~/Mail/work.")
		}
		table["path"] = path
		if len(folders) > 0 {
			table["folders"] = folders
		}
	case "github", "asana", "slack":
		if bad := prepareTokens(&p, form, table); bad != nil {
			return preparedAccount{}, bad
		}
	default:
		return fail("kind", "Choose the account type: IMAP, Maildir, GitHub, Asana or Slack.")
	}

	a.mu.RLock()
	existing := a.opts.Config.Accounts
	a.mu.RUnlock()
	p.name = strings.TrimSpace(form.Name)
	if p.name == "" {
		p.name = uniqueName(suggestName(form), existing)
	}
	if err := config.CheckAccountName(p.name); err != nil {
		return fail("name", "Use letters, digits, '-' or '_' for the account name (no spaces or dots).")
	}
	for n := range existing {
		if strings.EqualFold(n, p.name) {
			return fail("name", "An account named %q already exists; choose another name.", n)
		}
	}
	p.table = table
	var err error
	if p.settings, err = asLoaded(table); err != nil {
		return fail("", "%s", sentence(err))
	}
	return p, nil
}

// asLoaded round-trips an account table through TOML, so a test sees the
// settings exactly as config.Load will hand them to the connector.
func asLoaded(table map[string]any) (map[string]any, error) {
	data, err := toml.Marshal(table)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	out := map[string]any{}
	if _, err := toml.Decode(string(data), &out); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	delete(out, "kind")
	return out, nil
}

// checkAccount runs the connection test of a prepared account.
func (a *App) checkAccount(ctx context.Context, p preparedAccount) TestResult {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	var res TestResult
	switch {
	case p.kind == "imap":
		res = checkIMAP(ctx, p)
	case tokenKinds[p.kind] != nil:
		res = a.checkTokens(ctx, p)
	default:
		res = a.checkConnector(ctx, p)
	}
	res.Name = p.name
	return res
}

func checkIMAP(ctx context.Context, p preparedAccount) TestResult {
	var pwErr error
	auth := imap.PasswordAuth(p.imap.Username, func(ctx context.Context) (string, error) {
		if p.passwordCmd == "" {
			return p.password, nil
		}
		pw, err := secret.Resolve(ctx, p.name, "password", map[string]any{"password_cmd": p.passwordCmd})
		if err == nil && pw == "" {
			err = errors.New("it printed nothing")
		}
		pwErr = err
		return pw, err
	})
	err := imap.Check(ctx, p.imap, auth)
	if err == nil {
		n := len(p.imap.Folders)
		opened := p.imap.Folders[0] + " opened"
		if n > 1 {
			opened = fmt.Sprintf("%d folders opened", n)
		}
		return TestResult{OK: true, Message: "Connected · " + opened, Folders: n}
	}
	if pwErr != nil {
		return TestResult{Step: StepPassword, Field: "passwordCmd",
			Message: "The password command failed; it must print the password.", Detail: strings.TrimPrefix(pwErr.Error(), "secret: ")}
	}
	return describeCheck(err, p)
}

// describeCheck words a failed IMAP check for the form.
func describeCheck(err error, p preparedAccount) TestResult {
	s := p.imap
	var ce *imap.CheckError
	if !errors.As(err, &ce) {
		return TestResult{Step: imap.StepConnect, Field: "host", Message: sentence(err)}
	}
	r := TestResult{Step: ce.Step, Detail: secret.Scrub(detail(ce.Err), p.password)}
	timeout := errors.Is(ce.Err, context.DeadlineExceeded) || isTimeout(ce.Err)
	addr := s.Addr()
	switch ce.Step {
	case imap.StepDNS:
		r.Field = "host"
		r.Message = fmt.Sprintf("Cannot find %s. Check the server name.", s.Host)
		if timeout {
			r.Message = fmt.Sprintf("Cannot find %s: the name server did not answer. Are you online?", s.Host)
		}
	case imap.StepConnect:
		var op *net.OpError
		dialed := errors.As(ce.Err, &op) && op.Op == "dial"
		switch {
		case errors.Is(ce.Err, syscall.ECONNREFUSED):
			r.Field = "port"
			r.Message = fmt.Sprintf("Nothing accepts connections on %s. Check the port.", addr)
		case timeout && !dialed && s.TLS != imap.TLSImplicit && s.Port == 993:
			r.Field = "tls"
			r.Message = fmt.Sprintf("%s did not greet in %s: port 993 expects TLS. Choose TLS.", addr, secs(CheckTimeout))
		case timeout:
			r.Field = "host"
			r.Message = fmt.Sprintf("No answer from %s within %s. Check the server and port, or a firewall.", addr, secs(CheckTimeout))
		case dialed:
			r.Field = "host"
			r.Message = fmt.Sprintf("Cannot connect to %s.", addr)
		default:
			r.Field = "port"
			r.Message = fmt.Sprintf("%s answered, but not as an IMAP server. Check the port.", addr)
		}
	case imap.StepTLS:
		r.Field = "tls"
		var rec tls.RecordHeaderError
		var unknown x509.UnknownAuthorityError
		var host x509.HostnameError
		var invalid x509.CertificateInvalidError
		switch {
		case errors.As(ce.Err, &rec):
			r.Message = fmt.Sprintf("%s does not speak TLS on this port. Choose STARTTLS (usually port 143), or TLS on port 993.", addr)
		case errors.As(ce.Err, &unknown), errors.As(ce.Err, &host), errors.As(ce.Err, &invalid):
			r.Field = "host"
			r.Message = fmt.Sprintf("The certificate of %s is not valid for it, so Lull will not send your password there.", s.Host)
		case s.TLS == imap.TLSStartTLS && strings.Contains(strings.ToLower(ce.Err.Error()), "starttls"):
			r.Message = fmt.Sprintf("%s does not offer STARTTLS. Choose TLS (port 993).", addr)
		case timeout:
			r.Message = fmt.Sprintf("The secure connection to %s did not finish within %s.", addr, secs(CheckTimeout))
		default:
			r.Message = fmt.Sprintf("The secure connection to %s failed.", addr)
		}
	case imap.StepAuth:
		r.Field = "password"
		if p.passwordCmd != "" {
			r.Field = "passwordCmd"
		}
		r.Message = "The server refused the user name or password. Gmail and Microsoft 365 need an app password or OAuth (docs/oauth.md)."
		var ie *goimap.Error
		if !errors.As(ce.Err, &ie) {
			r.Message = "The connection ended while signing in."
			if timeout {
				r.Message = fmt.Sprintf("The server did not answer the sign-in within %s.", secs(CheckTimeout))
			}
		}
	case imap.StepFolder:
		r.Field = "folders"
		name := ""
		for _, f := range s.Folders {
			if strings.Contains(ce.Err.Error(), fmt.Sprintf("%q", f)) {
				name = f
				break
			}
		}
		r.Message = fmt.Sprintf("Signed in, but cannot open the folder %q. Check its name (folders are case-sensitive, with / between levels).", name)
	default:
		r.Message = sentence(ce)
	}
	return r
}

// checkConnector builds the account's connector and asks it to validate
// its settings (the Maildir path and folders).
func (a *App) checkConnector(ctx context.Context, p preparedAccount) TestResult {
	conn, err := a.opts.Registry.New(connectors.Account{Name: p.name, Kind: p.kind, Settings: p.settings, Now: a.opts.Now})
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
		r := TestResult{Step: StepMaildir, Field: "path", Message: sentence(err)}
		if strings.Contains(err.Error(), "folders") {
			r.Step, r.Field = imap.StepFolder, "folders"
		}
		return r
	}
	folders := "every folder"
	if f, ok := p.table["folders"].([]string); ok {
		folders = strings.Join(f, ", ")
	}
	return TestResult{OK: true, Message: "Maildir found · " + folders}
}

// keychainFailure words a secret (key "password", "token" or "app_token")
// the OS keychain would not keep.
func keychainFailure(p preparedAccount, key string, err error) TestResult {
	what, field, example := "password", "password", "pass show mail/"+p.name
	switch key {
	case "token":
		what, field, example = "token", "token", "pass show lull/"+p.name
	case "app_token":
		what, field, example = "app token", "appToken", "pass show lull/"+p.name+"-app"
	}
	if errors.Is(err, secret.ErrNoKeychain) {
		return TestResult{Step: StepKeychain, Field: field, Name: p.name,
			Message: fmt.Sprintf("The connection works, but there is no OS keychain to keep the %s in (no Secret Service is running). "+
				"Switch the %s to “Command” and give one that prints it, e.g. %s. Nothing was saved.", what, what, example)}
	}
	return TestResult{Step: StepKeychain, Field: field, Name: p.name, Detail: strings.TrimPrefix(err.Error(), "secret: "),
		Message: fmt.Sprintf("The connection works, but the OS keychain refused to keep the %s. Nothing was saved; "+
			"unlock the keychain and save again, or switch the %s to “Command”.", what, what)}
}

// reloadAccounts reads the accounts from config.toml again and reopens the
// user's workspace, so a new account starts syncing: from the first-run
// screen, from the sample workspace, or beside the accounts already syncing
// (their engine restarts; each resumes from its cursor).
func (a *App) reloadAccounts() error {
	cfg, err := config.Load(a.opts.Paths.Config)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errClosed
	}
	a.opts.Config.Accounts = cfg.Accounts
	ctx := a.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	old := a.ws
	dir := WorkspaceDir(ModeAccounts, a.opts.Paths)
	sameDir := old != nil && old.dir == dir
	if sameDir {
		// The store allows one opener per folder: close before reopening.
		if err := old.close(); err != nil {
			a.log.Error("app: reloading accounts", "err", err)
		}
		a.ws = nil
	}
	ws, err := a.openWorkspace(ctx, ModeAccounts)
	if err != nil {
		if sameDir {
			// Put back what was open, so the window keeps working.
			if back, err2 := a.openWorkspace(ctx, old.mode); err2 == nil {
				a.ws = back
				a.startEngine(ctx, back)
			}
		}
		return err
	}
	if a.ws != nil {
		if err := a.ws.close(); err != nil {
			a.log.Error("app: reloading accounts", "err", err)
		}
	}
	if !sameDir {
		a.undo.clear()
	}
	a.ws = ws
	a.startEngine(ctx, ws)
	a.emitter.Count(EventItemsChanged, 1)
	return nil
}

// suggestName makes an account name from the form: the e-mail domain's
// first label ("me@work.example" gives "work"), the user name, or the
// maildir's folder name.
func suggestName(form AccountForm) string {
	var base string
	switch {
	case tokenKinds[strings.ToLower(strings.TrimSpace(form.Kind))] != nil:
		base = strings.ToLower(strings.TrimSpace(form.Kind))
	case form.Kind == "maildir":
		base = filepath.Base(filepath.Clean(strings.TrimSpace(form.Path)))
	case strings.Contains(form.Username, "@"):
		domain := form.Username[strings.LastIndex(form.Username, "@")+1:]
		base, _, _ = strings.Cut(domain, ".")
	default:
		base = form.Username
	}
	base = strings.Trim(badNameChars.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if base == "" || base == "." {
		base = "mail"
	}
	if len(base) > 48 {
		base = base[:48]
	}
	return base
}

var badNameChars = regexp.MustCompile(`[^a-z0-9_-]+`)

func uniqueName(base string, existing map[string]config.Account) string {
	taken := func(n string) bool {
		for e := range existing {
			if strings.EqualFold(e, n) {
				return true
			}
		}
		return false
	}
	name := base
	for i := 2; taken(name); i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

// settingField maps a setting named in a connector's error to the form field.
var settingField = map[string]string{
	"host": "host", "port": "port", "tls": "tls", "username": "username", "folders": "folders",
	"sync_days": "syncDays", "on_done": "onDone", "path": "path", "auth": "password", "password_cmd": "passwordCmd",
	"token_cmd": "tokenCmd", "app_token_cmd": "appTokenCmd", "base_url": "baseUrl", "api_url": "baseUrl",
	"workspaces": "workspaces", "watched": "watched", "mark_read_on_done": "onDone",
}

var settingInError = regexp.MustCompile(`setting (\w+)|\b(tls) = `)

func fieldOf(err error) string {
	m := settingInError.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	return settingField[m[1]+m[2]]
}

// sentence turns a package-prefixed error ("connectors: account "x":
// imap: setting host is required") into a sentence for the form.
func sentence(err error) string {
	msg := errorPrefix.ReplaceAllString(err.Error(), "")
	if msg == "" {
		return msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

var errorPrefix = regexp.MustCompile(`^(?:(?:connectors|imap|maildir|github|asana|slack|config|secret): |account "[^"]*": )+`)

// detail is the server's own words behind a failure: an IMAP response's
// text, or the innermost network error.
func detail(err error) string {
	if err == nil {
		return ""
	}
	var ie *goimap.Error
	if errors.As(err, &ie) {
		text := serverTiming.ReplaceAllString(ie.Text, "")
		if ie.Code != "" {
			return fmt.Sprintf("[%s] %s", ie.Code, text)
		}
		return text
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && errors.As(err, new(*net.OpError)) {
		msg = msg[i+2:]
	}
	return msg
}

// serverTiming is the "(0.001 + 0.000 secs)." Dovecot adds to its replies.
var serverTiming = regexp.MustCompile(`\s*\([0-9.]+(?: \+ [0-9.]+)* secs\)\.?$`)

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func secs(d time.Duration) string { return fmt.Sprintf("%d s", int(d.Seconds())) }
