package focus

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

// Policy is how items are delivered outside focus.
type Policy string

// The delivery policies.
const (
	// PolicyImmediate notifies outside focus at once (coalesced per thread)
	// and releases held items when a focus block ends.
	PolicyImmediate Policy = "immediate"
	// PolicyBatched holds everything that is not urgent until a batch time.
	PolicyBatched Policy = "batched"
)

// Defaults used when a Config field is left at its zero value.
const (
	DefaultMaxBreakthroughsPerHour = 3
	DefaultThreadCooldown          = 2 * time.Minute
	DefaultTitlePattern            = "Focus"
)

// defaultBatchTimes are the release times of every day unless the config
// says otherwise.
var defaultBatchTimes = []string{"09:00", "12:30", "16:30"}

// Config is the Go form of config.toml's [focus] table (and, in Rules, of
// [[rules.urgent]]). Every zero field means its default, so Config{} is a
// working configuration: local time, no weekly blocks, batch times 09:00,
// 12:30 and 16:30, policy immediate, 3 breakthroughs an hour, a 2 minute
// thread cooldown.
//
//	[focus]
//	time_zone = "Europe/Berlin"
//	policy = "immediate"
//	max_breakthroughs_per_hour = 3
//	thread_cooldown = "2m"
//	batch_times = { default = ["09:00", "12:30", "16:30"], sat = [], sun = [] }
//	calendar = { source = "https://…/basic.ics", title_pattern = "Focus" }
//
//	[[focus.weekly]]
//	days = ["weekdays"]
//	start = "09:30"
//	end = "11:30"
type Config struct {
	// TimeZone is an IANA name; empty means Location, or the machine's zone.
	TimeZone string `toml:"time_zone"`
	// Location wins over TimeZone when set (tests, and the app after it has
	// resolved the zone).
	Location *time.Location `toml:"-"`
	// Weekly lists the recurring focus blocks.
	Weekly []WeeklyBlock `toml:"weekly"`
	// BatchTimes maps "mon".."sun" or "default" to HH:MM release times. A day
	// that is not listed uses "default"; without "default" the built-in
	// 09:00, 12:30, 16:30 apply. An empty list means no batch times that day.
	BatchTimes map[string][]string `toml:"batch_times"`
	// Policy is "immediate" (the default) or "batched".
	Policy Policy `toml:"policy"`
	// MaxBreakthroughsPerHour caps urgent notifications in any rolling hour.
	// 0 means the default (3); a negative value means none: urgent items are
	// held and marked urgent.
	MaxBreakthroughsPerHour int `toml:"max_breakthroughs_per_hour"`
	// ThreadCooldown is the least time between two alerts of one thread. 0
	// means the default (2m); a negative value turns coalescing off.
	ThreadCooldown time.Duration `toml:"thread_cooldown"`
	// Calendar is an optional ICS feed whose matching events are focus blocks.
	Calendar Calendar `toml:"calendar"`
	// Rules are the urgency rules, from [[rules.urgent]] (see Sections).
	Rules []Rule `toml:"-"`
}

// WeeklyBlock is one recurring focus block. End at or before Start means the
// block crosses midnight (22:00–01:00); End equal to Start is a whole day.
type WeeklyBlock struct {
	// Days are "mon".."sun", or "weekdays", "weekends", "daily". Empty means daily.
	Days  []string `toml:"days"`
	Start string   `toml:"start"`
	End   string   `toml:"end"`
}

// Calendar names an ICS feed. Fetching it is the caller's job; the engine
// parses the bytes (Engine.SetCalendar).
type Calendar struct {
	// Source is a file path or URL of an .ics feed.
	Source string `toml:"source"`
	// TitlePattern selects events by SUMMARY: a case-insensitive substring,
	// or a regular expression when written as /…/. Default "Focus".
	TitlePattern string `toml:"title_pattern"`
}

// Rule is one urgency rule. Every non-empty field must match (AND); within
// a field any value may match (OR); an item is urgent when any rule matches.
// Text comparisons ignore case. The body is Item.Body, or Item.Snippet when
// the connector has no body.
type Rule struct {
	// Name labels the rule in decisions; default "rules.urgent[i]".
	Name    string         `toml:"name"`
	Sources []inbox.Source `toml:"sources"`
	// Accounts are account names from [accounts.NAME].
	Accounts []string `toml:"accounts"`
	// Senders match the sender's address or display name exactly.
	Senders []string `toml:"senders"`
	// Domains match the sender address's domain or any subdomain of it.
	Domains []string `toml:"domains"`
	// Channels match Slack items whose channel (Item.Title, "#" optional) is named.
	Channels []string `toml:"channels"`
	// Keywords match as substrings of the title or the body.
	Keywords []string `toml:"keywords"`
	// Regex is matched against title + "\n" + body (RE2 syntax).
	Regex   string         `toml:"regex"`
	Signals []inbox.Signal `toml:"signals"`
}

// Sections is the TOML shape of the parts of config.toml this package owns:
// [focus] and [[rules.urgent]]. Decode into it, then call Config.
type Sections struct {
	Focus Config `toml:"focus"`
	Rules struct {
		Urgent []Rule `toml:"urgent"`
	} `toml:"rules"`
}

// Config returns the focus config with the urgency rules filled in.
func (s Sections) Config() Config {
	c := s.Focus
	c.Rules = s.Rules.Urgent
	return c
}

// Validate checks c and reports the first bad field by its config.toml name,
// such as `focus.weekly[1].start: "25:00" is not a clock time`.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// compiled is a validated Config with defaults applied, clock times parsed
// and regular expressions compiled.
type compiled struct {
	loc      *time.Location
	weekly   [7][]span  // by time.Weekday
	batch    [7][]clock // by time.Weekday, sorted, unique
	policy   Policy
	maxBreak int // < 0: none
	cooldown time.Duration
	title    func(string) bool
	rules    []matcher
}

// span is a weekly block on one weekday.
type span struct{ start, end clock }

var dayNames = map[string][]time.Weekday{
	"mon": {time.Monday}, "tue": {time.Tuesday}, "wed": {time.Wednesday},
	"thu": {time.Thursday}, "fri": {time.Friday}, "sat": {time.Saturday},
	"sun":      {time.Sunday},
	"weekdays": {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	"weekends": {time.Saturday, time.Sunday},
	"daily":    {time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
}

var batchDays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} // index = time.Weekday

func fieldErr(field string, format string, args ...any) error {
	return fmt.Errorf("focus: %s: %s", field, fmt.Sprintf(format, args...))
}

func (c Config) compile() (*compiled, error) {
	k := &compiled{loc: c.Location}
	if k.loc == nil {
		k.loc = time.Local
		if c.TimeZone != "" {
			loc, err := time.LoadLocation(c.TimeZone)
			if err != nil {
				return nil, fieldErr("focus.time_zone", "unknown time zone %q", c.TimeZone)
			}
			k.loc = loc
		}
	}

	for i, w := range c.Weekly {
		f := fmt.Sprintf("focus.weekly[%d]", i)
		start, err := parseClock(w.Start)
		if err != nil {
			return nil, fieldErr(f+".start", "%v", err)
		}
		end, err := parseClock(w.End)
		if err != nil {
			return nil, fieldErr(f+".end", "%v", err)
		}
		days := w.Days
		if len(days) == 0 {
			days = []string{"daily"}
		}
		for j, d := range days {
			wds, ok := dayNames[strings.ToLower(strings.TrimSpace(d))]
			if !ok {
				return nil, fieldErr(fmt.Sprintf("%s.days[%d]", f, j), "unknown day %q; use mon..sun, weekdays, weekends or daily", d)
			}
			for _, wd := range wds {
				k.weekly[wd] = append(k.weekly[wd], span{start, end})
			}
		}
	}

	def := defaultBatchTimes
	keys := make([]string, 0, len(c.BatchTimes))
	for key := range c.BatchTimes {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	byDay := map[string][]clock{}
	for _, key := range keys {
		lk := strings.ToLower(key)
		if lk != "default" && !slices.Contains(batchDays, lk) {
			return nil, fieldErr("focus.batch_times", "unknown day %q; use mon..sun or default", key)
		}
		if _, dup := byDay[lk]; dup {
			return nil, fieldErr("focus.batch_times", "day %q given twice", key)
		}
		cs := []clock{}
		for j, s := range c.BatchTimes[key] {
			t, err := parseClock(s)
			if err != nil {
				return nil, fieldErr(fmt.Sprintf("focus.batch_times.%s[%d]", key, j), "%v", err)
			}
			cs = append(cs, t)
		}
		byDay[lk] = cs
	}
	defClocks, ok := byDay["default"]
	if !ok {
		for _, s := range def {
			t, _ := parseClock(s)
			defClocks = append(defClocks, t)
		}
	}
	for wd, name := range batchDays {
		cs, ok := byDay[name]
		if !ok {
			cs = defClocks
		}
		cs = slices.Clone(cs)
		slices.Sort(cs)
		k.batch[wd] = slices.Compact(cs)
	}

	switch c.Policy {
	case "", PolicyImmediate:
		k.policy = PolicyImmediate
	case PolicyBatched:
		k.policy = PolicyBatched
	default:
		return nil, fieldErr("focus.policy", "unknown policy %q; use immediate or batched", c.Policy)
	}

	k.maxBreak = c.MaxBreakthroughsPerHour
	if k.maxBreak == 0 {
		k.maxBreak = DefaultMaxBreakthroughsPerHour
	}
	k.cooldown = c.ThreadCooldown
	if k.cooldown == 0 {
		k.cooldown = DefaultThreadCooldown
	}

	title, err := titleMatcher(c.Calendar.TitlePattern)
	if err != nil {
		return nil, fieldErr("focus.calendar.title_pattern", "%v", err)
	}
	k.title = title

	for i, r := range c.Rules {
		m, err := r.compile(i)
		if err != nil {
			return nil, err
		}
		k.rules = append(k.rules, m)
	}
	return k, nil
}

// titleMatcher selects calendar events: /re/ is a regular expression,
// anything else a case-insensitive substring.
func titleMatcher(pattern string) (func(string) bool, error) {
	if pattern == "" {
		pattern = DefaultTitlePattern
	}
	if len(pattern) >= 2 && strings.HasPrefix(pattern, "/") && strings.HasSuffix(pattern, "/") {
		re, err := regexp.Compile(pattern[1 : len(pattern)-1])
		if err != nil {
			return nil, err
		}
		return re.MatchString, nil
	}
	return func(s string) bool { return containsFold(s, pattern) }, nil
}

// matcher is a compiled Rule.
type matcher struct {
	name     string
	sources  []inbox.Source
	accounts []string
	senders  []string
	domains  []string // lower case, no leading "@"
	channels []string // no leading "#"
	keywords []string
	re       *regexp.Regexp
	signals  []inbox.Signal
}

func (r Rule) compile(i int) (matcher, error) {
	f := fmt.Sprintf("rules.urgent[%d]", i)
	m := matcher{name: r.Name}
	if m.name == "" {
		m.name = f
	}
	for j, s := range r.Sources {
		if !s.Valid() {
			return m, fieldErr(fmt.Sprintf("%s.sources[%d]", f, j), "unknown source %q; use email, slack, github or asana", s)
		}
	}
	m.sources = r.Sources
	for j, s := range r.Signals {
		switch s {
		case inbox.SignalDM, inbox.SignalMention, inbox.SignalReviewRequested:
		default:
			return m, fieldErr(fmt.Sprintf("%s.signals[%d]", f, j), "unknown signal %q; use dm, mention or review_requested", s)
		}
	}
	m.signals = r.Signals
	lists := []struct {
		name string
		in   []string
		out  *[]string
		trim string
	}{
		{"accounts", r.Accounts, &m.accounts, ""},
		{"senders", r.Senders, &m.senders, ""},
		{"domains", r.Domains, &m.domains, "@"},
		{"channels", r.Channels, &m.channels, "#"},
		{"keywords", r.Keywords, &m.keywords, ""},
	}
	for _, l := range lists {
		for j, v := range l.in {
			v = strings.TrimPrefix(strings.TrimSpace(v), l.trim)
			if v == "" {
				return m, fieldErr(fmt.Sprintf("%s.%s[%d]", f, l.name, j), "empty value matches everything; remove it")
			}
			*l.out = append(*l.out, strings.ToLower(v))
		}
	}
	if r.Regex != "" {
		re, err := regexp.Compile(r.Regex)
		if err != nil {
			return m, fieldErr(f+".regex", "invalid regular expression: %v", err)
		}
		m.re = re
	}
	if len(m.sources)+len(m.accounts)+len(m.senders)+len(m.domains)+len(m.channels)+
		len(m.keywords)+len(m.signals) == 0 && m.re == nil {
		return m, fieldErr(f, "rule %q has no conditions and would make every item urgent", m.name)
	}
	return m, nil
}

// match reports whether it satisfies every condition of m. The regular
// expression goes last: it is the only check that allocates.
func (m *matcher) match(it *inbox.Item) bool {
	if len(m.sources) > 0 && !slices.Contains(m.sources, it.Source) {
		return false
	}
	if len(m.signals) > 0 && !slices.ContainsFunc(m.signals, it.HasSignal) {
		return false
	}
	if len(m.accounts) > 0 && !anyEqualFold(m.accounts, it.Account) {
		return false
	}
	if len(m.senders) > 0 && !anyEqualFold(m.senders, it.From.Addr) && !anyEqualFold(m.senders, it.From.Name) {
		return false
	}
	if len(m.domains) > 0 && !matchDomain(m.domains, it.From.Addr) {
		return false
	}
	if len(m.channels) > 0 && (it.Source != inbox.SourceSlack || !anyEqualFold(m.channels, strings.TrimPrefix(it.Title, "#"))) {
		return false
	}
	body := bodyOf(it)
	if len(m.keywords) > 0 && !slices.ContainsFunc(m.keywords, func(k string) bool {
		return containsFold(it.Title, k) || containsFold(body, k)
	}) {
		return false
	}
	if m.re != nil && !m.re.MatchString(it.Title+"\n"+body) {
		return false
	}
	return true
}

func bodyOf(it *inbox.Item) string {
	if it.Body != "" {
		return it.Body
	}
	return it.Snippet
}

func anyEqualFold(list []string, s string) bool {
	if s == "" {
		return false
	}
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// matchDomain reports whether addr's domain is one of domains or below one.
func matchDomain(domains []string, addr string) bool {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return false
	}
	host := addr[i+1:]
	for _, d := range domains {
		if strings.EqualFold(host, d) {
			return true
		}
		if len(host) > len(d) && host[len(host)-len(d)-1] == '.' && strings.EqualFold(host[len(host)-len(d):], d) {
			return true
		}
	}
	return false
}

// containsFold reports whether sub occurs in s, ignoring case, without
// allocating (it runs on every new item).
func containsFold(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	c0 := lowerASCII(sub[0])
	ascii := sub[0] < 0x80
	for i := 0; i+n <= len(s); i++ {
		if ascii && lowerASCII(s[i]) != c0 {
			continue
		}
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
