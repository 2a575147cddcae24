package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestBlankWindowMiddlewareServesOnlyTheWindowABlankPage checks the split
// the dev binary relies on under LULL_DEV_BLANK_WINDOW: the window's
// wails:// requests get the blank page, the dev server's HTTP requests (the
// browser the tests drive) reach the app's assets.
func TestBlankWindowMiddlewareServesOnlyTheWindowABlankPage(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "app "+r.URL.Path) })
	h := blankWindowMiddleware(app)
	cases := []struct {
		url, want string
	}{
		{"wails://wails/", blankWindowPage},
		{"wails://wails/assets/index.js", blankWindowPage},
		{"http://127.0.0.1:34115/", "app /"},
		{"http://127.0.0.1:34115/assets/index.js", "app /assets/index.js"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.url, nil))
		if got := rec.Body.String(); got != c.want {
			t.Errorf("GET %s: %q, want %q", c.url, got, c.want)
		}
	}
}
