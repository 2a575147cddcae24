package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/lullhq/lull/app/autostart"
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
