package connectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"time"
)

// DecodeSettings decodes an account's settings table into dst, a pointer to
// a struct whose json tags name the keys. It is strict, as the config file
// is: an unknown key is an error naming it and the keys there are, and a
// value of the wrong type names its setting. kind prefixes every error.
func DecodeSettings(kind string, raw map[string]any, dst any) error {
	data, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("%s: settings: %w", kind, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("%s: setting %s: want %s, got %s", kind, typeErr.Field, typeErr.Type, typeErr.Value)
	}
	if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("%s: unknown setting %s (known: %s)", kind, key, strings.Join(settingKeys(dst), ", "))
	}
	if key := badDuration(raw, dst); key != "" {
		return fmt.Errorf("%s: setting %s: %w", kind, key, err)
	}
	return fmt.Errorf("%s: settings: %w", kind, err)
}

// settingKeys lists the json keys of the struct dst points to, sorted.
func settingKeys(dst any) []string {
	t := reflect.TypeOf(dst).Elem()
	var keys []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	slices.Sort(keys)
	return keys
}

// badDuration names the Duration setting of dst whose raw value does not
// parse, or returns "".
func badDuration(raw map[string]any, dst any) string {
	t := reflect.TypeOf(dst).Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		v, ok := raw[name]
		if f.Type != reflect.TypeFor[Duration]() || !ok {
			continue
		}
		b, _ := json.Marshal(v)
		var d Duration
		if d.UnmarshalJSON(b) != nil {
			return name
		}
	}
	return ""
}

// Duration is a setting written as a Go duration string ("90s", "2m") or
// a number of seconds.
type Duration time.Duration

// UnmarshalJSON reads "90s" or 90.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case float64:
		*d = Duration(v * float64(time.Second))
	case string:
		p, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want a duration such as \"60s\" or \"2m\", got %q", v)
		}
		*d = Duration(p)
	case nil:
		*d = 0
	default:
		return fmt.Errorf("want a duration such as \"60s\", got %s", b)
	}
	return nil
}

// IsLoopback reports whether host names this machine without leaving it:
// the only place plaintext connections (and tokens over them) may go.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
