package connectors

import (
	"strings"
	"testing"
	"time"
)

func TestDecodeSettings(t *testing.T) {
	type settings struct {
		Host string   `json:"host"`
		Port int      `json:"port"`
		Poll Duration `json:"poll"`
	}
	tests := []struct {
		name string
		raw  map[string]any
		want string // error substring; "" for success
	}{
		{"ok", map[string]any{"host": "h", "port": int64(993), "poll": "90s"}, ""},
		{"seconds", map[string]any{"poll": int64(30)}, ""},
		{"unknown key", map[string]any{"hots": "h"}, `x: unknown setting "hots" (known: host, poll, port)`},
		{"wrong type", map[string]any{"port": "993"}, "x: setting port: want int, got string"},
		{"bad duration", map[string]any{"poll": "soon"}, `x: setting poll: want a duration such as "60s" or "2m", got "soon"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s settings
			err := DecodeSettings("x", tc.raw, &s)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	var s settings
	if err := DecodeSettings("x", map[string]any{"poll": int64(30)}, &s); err != nil || time.Duration(s.Poll) != 30*time.Second {
		t.Fatalf("poll = %v, %v; want 30s", time.Duration(s.Poll), err)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "[::1]": true, "::1": true, "example.com": false, "10.0.0.1": false} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
