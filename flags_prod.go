//go:build !dev

package main

import "flag"

// registerDevFlags adds nothing outside dev builds.
func registerDevFlags(*flag.FlagSet) {}
