//go:build !dev

package main

import (
	"flag"

	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
)

// registerDevFlags adds nothing outside dev builds.
func registerDevFlags(*flag.FlagSet) {}

// devAssetMiddleware is nil outside dev builds: the window serves the app.
func devAssetMiddleware() assetserver.Middleware { return nil }
