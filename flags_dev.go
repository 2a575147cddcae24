//go:build dev

package main

import "flag"

// registerDevFlags accepts the flags Wails' dev mode reads itself, so
// `lull-dev -devserver HOST:PORT -assetdir DIR --data DIR` parses.
func registerDevFlags(fs *flag.FlagSet) {
	for _, name := range []string{"devserver", "assetdir", "frontenddevserverurl", "loglevel"} {
		fs.String(name, "", "Wails dev mode: "+name)
	}
}
