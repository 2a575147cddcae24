package autostart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// path is $XDG_CONFIG_HOME/autostart/lull.desktop (default ~/.config).
func path() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("autostart: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", "lull.desktop"), nil
}

// quoteExec quotes one argument for a desktop entry's Exec key.
func quoteExec(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$`") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// render is the XDG autostart desktop entry for e.
func render(e Entry) string {
	exec := []string{quoteExec(e.Exe)}
	for _, a := range e.Args {
		exec = append(exec, quoteExec(a))
	}
	return "[Desktop Entry]\nType=Application\nName=Lull\nComment=Focus-protecting inbox\n" +
		"Exec=" + strings.Join(exec, " ") + "\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
}
