package focus

import (
	"strings"
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; empty: valid
	}{
		{name: "zero config is valid", cfg: Config{}},
		{name: "full config", cfg: Config{
			TimeZone:   "Europe/Berlin",
			Weekly:     []WeeklyBlock{{Days: []string{"Mon", "weekdays"}, Start: "09:30", End: "11:30"}, {Start: "22:00", End: "01:00"}},
			BatchTimes: map[string][]string{"default": {"09:00"}, "sat": {}, "mon": {"08:00", "08:00"}},
			Policy:     PolicyBatched,
			Calendar:   Calendar{TitlePattern: "/^(Focus|Deep work)/"},
			Rules:      []Rule{{Name: "boss", Senders: []string{"boss@example.com"}}},
		}},
		{name: "bad zone", cfg: Config{TimeZone: "Mars/Olympus"}, wantErr: `focus.time_zone: unknown time zone "Mars/Olympus"`},
		{name: "bad start", cfg: Config{Weekly: []WeeklyBlock{{}, {Start: "25:00", End: "10:00"}}}, wantErr: `focus.weekly[0].start`},
		{name: "bad start 2", cfg: Config{Weekly: []WeeklyBlock{{Start: "09:00", End: "10:00"}, {Start: "25:00", End: "10:00"}}}, wantErr: `focus.weekly[1].start: "25:00" is not a clock time`},
		{name: "bad end", cfg: Config{Weekly: []WeeklyBlock{{Start: "09:00", End: "9"}}}, wantErr: `focus.weekly[0].end`},
		{name: "bad day", cfg: Config{Weekly: []WeeklyBlock{{Days: []string{"mon", "monday"}, Start: "09:00", End: "10:00"}}}, wantErr: `focus.weekly[0].days[1]: unknown day "monday"`},
		{name: "bad batch day", cfg: Config{BatchTimes: map[string][]string{"friday": {"09:00"}}}, wantErr: `focus.batch_times: unknown day "friday"`},
		{name: "bad batch time", cfg: Config{BatchTimes: map[string][]string{"mon": {"09:00", "9.30"}}}, wantErr: `focus.batch_times.mon[1]`},
		{name: "bad policy", cfg: Config{Policy: "later"}, wantErr: `focus.policy: unknown policy "later"`},
		{name: "bad title regex", cfg: Config{Calendar: Calendar{TitlePattern: "/(/"}}, wantErr: `focus.calendar.title_pattern`},
		{name: "bad rule regex", cfg: Config{Rules: []Rule{{Keywords: []string{"x"}}, {Name: "prod", Regex: "prod (down"}}}, wantErr: `rules.urgent[1].regex: invalid regular expression`},
		{name: "empty rule", cfg: Config{Rules: []Rule{{Name: "all"}}}, wantErr: `rules.urgent[0]: rule "all" has no conditions`},
		{name: "empty value", cfg: Config{Rules: []Rule{{Senders: []string{"a@b.c", " "}}}}, wantErr: `rules.urgent[0].senders[1]`},
		{name: "bad source", cfg: Config{Rules: []Rule{{Sources: []inbox.Source{"fax"}}}}, wantErr: `rules.urgent[0].sources[0]: unknown source "fax"`},
		{name: "bad signal", cfg: Config{Rules: []Rule{{Signals: []inbox.Signal{"dm", "shout"}}}}, wantErr: `rules.urgent[0].signals[1]: unknown signal "shout"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	k, err := Config{}.compile()
	if err != nil {
		t.Fatal(err)
	}
	if k.loc != time.Local || k.policy != PolicyImmediate || k.maxBreak != 3 || k.cooldown != 2*time.Minute {
		t.Errorf("defaults: loc %v policy %v max %d cooldown %v", k.loc, k.policy, k.maxBreak, k.cooldown)
	}
	for wd, cs := range k.batch {
		if len(cs) != 3 || cs[0].String() != "09:00" || cs[1].String() != "12:30" || cs[2].String() != "16:30" {
			t.Errorf("default batch times on %v = %v", time.Weekday(wd), cs)
		}
	}
	if !k.title("Deep FOCUS time") || k.title("Lunch") {
		t.Error("default title pattern is not a case-insensitive \"Focus\"")
	}

	// A day that is listed overrides "default"; an empty list means none.
	k, err = Config{BatchTimes: map[string][]string{"default": {"10:00"}, "sat": {}, "mon": {"16:00", "08:00", "16:00"}}}.compile()
	if err != nil {
		t.Fatal(err)
	}
	if got := k.batch[time.Tuesday]; len(got) != 1 || got[0].String() != "10:00" {
		t.Errorf("tue = %v, want [10:00]", got)
	}
	if got := k.batch[time.Saturday]; len(got) != 0 {
		t.Errorf("sat = %v, want none", got)
	}
	if got := k.batch[time.Monday]; len(got) != 2 || got[0].String() != "08:00" || got[1].String() != "16:00" {
		t.Errorf("mon = %v, want [08:00 16:00] sorted and unique", got)
	}
}

func TestRules(t *testing.T) {
	rules := []Rule{
		{Name: "boss", Senders: []string{"Boss@Example.com", "The CEO"}},
		{Name: "prod", Sources: []inbox.Source{inbox.SourceSlack}, Signals: []inbox.Signal{inbox.SignalDM}, Keywords: []string{"prod down", "outage"}},
		{Name: "client", Domains: []string{"@client.io"}, Accounts: []string{"work"}},
		{Name: "incidents", Channels: []string{"#incidents"}},
		{Name: "review", Sources: []inbox.Source{inbox.SourceGitHub}, Signals: []inbox.Signal{inbox.SignalReviewRequested}, Regex: `(?i)hotfix|release/\d+`},
	}
	e, err := New(Config{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		it   inbox.Item
		want string // rule name; empty: not urgent
	}{
		{"sender address ignores case", inbox.Item{From: inbox.Person{Addr: "boss@example.COM"}}, "boss"},
		{"sender name", inbox.Item{From: inbox.Person{Name: "the ceo", Addr: "x@y.z"}}, "boss"},
		{"sender must match exactly", inbox.Item{From: inbox.Person{Addr: "notboss@example.com"}}, ""},
		{"slack DM with keyword in body", inbox.Item{Source: inbox.SourceSlack, Signals: []inbox.Signal{inbox.SignalDM}, Body: "hey, PROD DOWN again"}, "prod"},
		{"keyword in title", inbox.Item{Source: inbox.SourceSlack, Signals: []inbox.Signal{inbox.SignalDM}, Title: "Outage!"}, "prod"},
		{"keyword in snippet when no body", inbox.Item{Source: inbox.SourceSlack, Signals: []inbox.Signal{inbox.SignalDM}, Snippet: "prod down"}, "prod"},
		{"keyword but not a DM (AND)", inbox.Item{Source: inbox.SourceSlack, Body: "prod down"}, ""},
		{"DM but no keyword", inbox.Item{Source: inbox.SourceSlack, Signals: []inbox.Signal{inbox.SignalDM}, Body: "lunch?"}, ""},
		{"DM keyword but email", inbox.Item{Source: inbox.SourceEmail, Signals: []inbox.Signal{inbox.SignalDM}, Body: "prod down"}, ""},
		{"domain and account", inbox.Item{Account: "work", From: inbox.Person{Addr: "a@client.io"}}, "client"},
		{"subdomain", inbox.Item{Account: "WORK", From: inbox.Person{Addr: "a@eu.client.io"}}, "client"},
		{"lookalike domain", inbox.Item{Account: "work", From: inbox.Person{Addr: "a@notclient.io"}}, ""},
		{"domain, other account", inbox.Item{Account: "home", From: inbox.Person{Addr: "a@client.io"}}, ""},
		{"slack channel", inbox.Item{Source: inbox.SourceSlack, Title: "#Incidents"}, "incidents"},
		{"slack channel without #", inbox.Item{Source: inbox.SourceSlack, Title: "incidents"}, "incidents"},
		{"channel name on email", inbox.Item{Source: inbox.SourceEmail, Title: "incidents"}, ""},
		{"regex over title and body", inbox.Item{Source: inbox.SourceGitHub, Signals: []inbox.Signal{inbox.SignalReviewRequested}, Title: "Bump deps", Body: "target: release/42"}, "review"},
		{"regex misses", inbox.Item{Source: inbox.SourceGitHub, Signals: []inbox.Signal{inbox.SignalReviewRequested}, Title: "Bump deps"}, ""},
		{"nothing", inbox.Item{Source: inbox.SourceAsana, Title: "Weekly sync"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			urgent, rule := e.Urgent(tt.it)
			if urgent != (tt.want != "") || rule != tt.want {
				t.Errorf("Urgent = %v, %q; want %q", urgent, rule, tt.want)
			}
		})
	}
}

func TestContainsFold(t *testing.T) {
	tests := []struct {
		s, sub string
		want   bool
	}{
		{"Prod DOWN now", "prod down", true},
		{"prod", "prod down", false},
		{"", "x", false},
		{"abc", "", true},
		{"Grüße aus ÜBERLINGEN", "überlingen", true},
		{"ÄRGER", "ärger", true},
		{"xxprOD", "prod", true},
	}
	for _, tt := range tests {
		if got := containsFold(tt.s, tt.sub); got != tt.want {
			t.Errorf("containsFold(%q, %q) = %v", tt.s, tt.sub, got)
		}
	}
}
