package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/lullhq/lull/app/focus"
)

// SaveFocus replaces the [focus] table of the config file at path with f,
// keeping every other table, and writes the file atomically. The result is
// parsed again before it replaces the old file, so a bad value never lands.
// Comments in the file are not kept: the Settings panel says so.
func SaveFocus(path string, f focus.Config) error {
	doc := map[string]any{}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config: %w", err)
	}
	if len(data) > 0 {
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return fmt.Errorf("config: %s: %w", path, err)
		}
	}
	table := map[string]any{}
	if f.TimeZone != "" {
		table["time_zone"] = f.TimeZone
	}
	if f.Policy != "" {
		table["policy"] = string(f.Policy)
	}
	if f.MaxBreakthroughsPerHour != 0 {
		table["max_breakthroughs_per_hour"] = f.MaxBreakthroughsPerHour
	}
	if f.ThreadCooldown != 0 {
		table["thread_cooldown"] = f.ThreadCooldown.String()
	}
	if len(f.BatchTimes) > 0 {
		table["batch_times"] = f.BatchTimes
	}
	if f.Calendar.Source != "" || f.Calendar.TitlePattern != "" {
		table["calendar"] = f.Calendar
	}
	if len(f.Weekly) > 0 {
		table["weekly"] = f.Weekly
	}
	doc["focus"] = table

	var buf bytes.Buffer
	buf.WriteString("# Lull configuration. The Settings panel rewrites this file.\n\n")
	if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
		return fmt.Errorf("config: encode: %w", err)
	}
	if _, err := Parse(path, buf.Bytes()); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.toml")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
