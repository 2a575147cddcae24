package main

import "net/http"

// blankWindowPage is what blankWindowMiddleware gives the window.
const blankWindowPage = `<!doctype html><meta charset="utf-8"><title>Lull (dev)</title><p style="font: 13px system-ui; color: #888; margin: 24px">The frontend runs in the browser at the dev server's address.</p>`

// blankWindowMiddleware answers every request of the app's own window with
// blankWindowPage and passes the rest on. The window asks for its pages on
// the wails:// scheme (host "wails"); a browser on the dev server asks
// over HTTP. Dev builds use it under LULL_DEV_BLANK_WINDOW.
func blankWindowMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Scheme == "wails" || r.Host == "wails" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(blankWindowPage))
			return
		}
		next.ServeHTTP(w, r)
	})
}
