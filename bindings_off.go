//go:build !bindings

package main

// bindingsBuild is true when the Wails CLI builds this binary only to
// generate frontend bindings.
const bindingsBuild = false
