package main

import "testing"

func TestX11Session(t *testing.T) {
	tests := []struct {
		backend, session string
		want             bool
	}{
		{"", "", true},            // no session type: Wails picks X11
		{"", "unspecified", true}, // as above
		{"", "x11", true},
		{"", "wayland", false}, // GTK goes to Wayland
		{"", "tty", false},
		{"x11", "wayland", true}, // the user asked GTK for X11 (XWayland)
		{"wayland", "x11", false},
		{"wayland,x11", "", false}, // a list: GTK may take Wayland
		{"broadway", "", false},
	}
	for _, tt := range tests {
		env := map[string]string{"GDK_BACKEND": tt.backend, "XDG_SESSION_TYPE": tt.session}
		if got := x11Session(func(k string) string { return env[k] }); got != tt.want {
			t.Errorf("GDK_BACKEND=%q XDG_SESSION_TYPE=%q: x11Session = %v, want %v", tt.backend, tt.session, got, tt.want)
		}
	}
}
