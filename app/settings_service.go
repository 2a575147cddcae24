package app

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lullhq/lull/app/autostart"
	"github.com/lullhq/lull/app/config"
	"github.com/lullhq/lull/app/focus"
)

// Settings is the bound service for app-level settings.
type Settings struct{ app *App }

// SettingsView is what the Settings panel shows.
type SettingsView struct {
	Autostart  bool   `json:"autostart"`
	ConfigPath string `json:"configPath"`
}

// Get returns the current settings.
func (s *Settings) Get() (SettingsView, error) {
	on, err := autostart.Enabled()
	if err != nil {
		return SettingsView{}, err
	}
	return SettingsView{Autostart: on, ConfigPath: s.app.opts.Paths.Config}, nil
}

// SetAutostart installs or removes the start at login (in the tray).
func (s *Settings) SetAutostart(on bool) (SettingsView, error) {
	if !on {
		if err := autostart.Disable(); err != nil {
			return SettingsView{}, err
		}
		return s.Get()
	}
	exe, err := os.Executable()
	if err != nil {
		return SettingsView{}, fmt.Errorf("autostart: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return SettingsView{}, fmt.Errorf("autostart: %w", err)
	}
	if err := autostart.Enable(autostart.Entry{Exe: exe, Args: autostart.DefaultArgs}); err != nil {
		return SettingsView{}, err
	}
	return s.Get()
}

// FocusSettings is the editable part of [focus]: what the Settings panel shows.
type FocusSettings struct {
	Policy                  focus.Policy        `json:"policy"`
	TimeZone                string              `json:"timeZone"`
	BatchTimes              map[string][]string `json:"batchTimes"`
	Weekly                  []focus.WeeklyBlock `json:"weekly"`
	MaxBreakthroughsPerHour int                 `json:"maxBreakthroughsPerHour"`
	ThreadCooldown          string              `json:"threadCooldown"`
	RuleCount               int                 `json:"ruleCount"`
}

// Focus returns the focus settings in force.
func (s *Settings) Focus() (FocusSettings, error) {
	s.app.mu.RLock()
	f := s.app.opts.Config.Focus
	s.app.mu.RUnlock()
	out := FocusSettings{
		Policy: f.Policy, TimeZone: f.TimeZone, BatchTimes: f.BatchTimes, Weekly: f.Weekly,
		MaxBreakthroughsPerHour: f.MaxBreakthroughsPerHour, RuleCount: len(f.Rules),
	}
	if out.Policy == "" {
		out.Policy = focus.PolicyImmediate
	}
	if out.BatchTimes == nil {
		out.BatchTimes = map[string][]string{"default": {"09:00", "12:30", "16:30"}}
	}
	if out.Weekly == nil {
		out.Weekly = []focus.WeeklyBlock{}
	}
	if out.MaxBreakthroughsPerHour == 0 {
		out.MaxBreakthroughsPerHour = focus.DefaultMaxBreakthroughsPerHour
	}
	cool := f.ThreadCooldown
	if cool == 0 {
		cool = focus.DefaultThreadCooldown
	}
	out.ThreadCooldown = cool.String()
	return out, nil
}

// SetFocus saves fs to config.toml ([focus] only; accounts and urgency rules
// stay as written) and applies it at once. A bad value is refused with the
// name of its field and nothing changes.
func (s *Settings) SetFocus(fs FocusSettings) (FocusSettings, error) {
	s.app.mu.RLock()
	cfg := s.app.opts.Config.Focus
	s.app.mu.RUnlock()
	cfg.Policy, cfg.TimeZone, cfg.BatchTimes, cfg.Weekly = fs.Policy, fs.TimeZone, fs.BatchTimes, fs.Weekly
	cfg.MaxBreakthroughsPerHour = fs.MaxBreakthroughsPerHour
	cfg.ThreadCooldown = 0
	if fs.ThreadCooldown != "" {
		d, err := time.ParseDuration(fs.ThreadCooldown)
		if err != nil {
			return FocusSettings{}, fmt.Errorf("focus.thread_cooldown: %q is not a duration", fs.ThreadCooldown)
		}
		cfg.ThreadCooldown = d
	}
	if err := cfg.Validate(); err != nil {
		return FocusSettings{}, err
	}
	if err := config.SaveFocus(s.app.opts.Paths.Config, cfg); err != nil {
		return FocusSettings{}, err
	}
	s.app.mu.Lock()
	s.app.opts.Config.Focus = cfg
	ws := s.app.ws
	s.app.mu.Unlock()
	if ws != nil {
		if err := ws.focus.reconfigure(s.app.context(), cfg); err != nil {
			return FocusSettings{}, err
		}
	}
	return s.Focus()
}
