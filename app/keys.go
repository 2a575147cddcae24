package app

import (
	"fmt"
	"strings"

	"github.com/lullhq/lull/app/config"
)

// KeyBindings are the [keys.<section>] tables of config.toml: section →
// command → keys, in the keymap's notation. The window applies them over
// its default keymap (frontend/src/lib/keymap.ts).
type KeyBindings map[string]map[string][]string

// Keys returns the key bindings the config sets; an empty map when it sets none.
func (s *Settings) Keys() (KeyBindings, error) {
	s.app.mu.RLock()
	keys := s.app.opts.Config.Keys
	s.app.mu.RUnlock()
	out := KeyBindings{}
	for section, cmds := range keys {
		out[section] = map[string][]string{}
		for c, k := range cmds {
			out[section][c] = append([]string{}, k...)
		}
	}
	return out, nil
}

// checkKeyCommands checks the times in bound later and snooze commands,
// whose grammar config leaves to this package, so a typo in
// `"snooze tomorow" = "z"` stops Lull at start, naming the binding.
func checkKeyCommands(keys config.Keys) error {
	return keys.Each(func(section, command string) error {
		cmd := strings.TrimPrefix(command, "selection ")
		verb := strings.Fields(cmd)[0]
		if verb != "later" && verb != "snooze" {
			return nil
		}
		if _, err := parseTriage(cmd); err != nil {
			return fmt.Errorf("config: keys.%s.%q: %s", section, command, strings.TrimPrefix(err.Error(), "triage: "))
		}
		return nil
	})
}
