//go:build dev

package main

import (
	"flag"
	"os"

	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
)

// registerDevFlags accepts the flags Wails' dev mode reads itself, so
// `lull-dev -devserver HOST:PORT -assetdir DIR --data DIR` parses.
func registerDevFlags(fs *flag.FlagSet) {
	for _, name := range []string{"devserver", "assetdir", "frontenddevserverurl", "loglevel"} {
		fs.String(name, "", "Wails dev mode: "+name)
	}
}

// devAssetMiddleware serves the dev binary's own window a blank page when
// LULL_DEV_BLANK_WINDOW is set: the browser tests and `make bench-ui` drive
// the frontend in Chromium through the dev server, and the window's copy of
// it would answer every event too (a second refresh after each triage, and
// its web process rendering it), which no user's machine runs.
func devAssetMiddleware() assetserver.Middleware {
	if os.Getenv("LULL_DEV_BLANK_WINDOW") == "" {
		return nil
	}
	return blankWindowMiddleware
}
