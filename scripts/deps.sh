#!/usr/bin/env bash
# deps.sh installs what Lull needs to build (and, with --test, to run its
# tests) on Debian/Ubuntu, skipping whatever is already there, so a warm
# machine pays nothing. It also installs the pinned Wails CLI.
set -euo pipefail

build_pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev)
# Real parts for the tests: X server, D-Bus session with a notification
# daemon, Chromium for Playwright, ImageMagick/xdotool/xclip for screenshots
# and real input in the window, strace to count the window's repaints,
# Dovecot/isync/notmuch for the mail tests and benchmarks, and Mesa's EGL
# driver, which the web process needs and app/egloff keeps out of the UI one.
test_pkgs=(xvfb xauth xdotool xclip imagemagick dbus-x11 dunst chromium strace
  dovecot-imapd isync notmuch haskell-status-notifier-item-utils fonts-noto-color-emoji
  libegl1 libegl-mesa0)
wails_version=v2.16.0

pkgs=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then pkgs+=("${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "deps: missing ${missing[*]} and no apt-get; see README for your platform" >&2
    exit 1
  fi
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "deps: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

command -v go >/dev/null || { echo "deps: Go 1.26 or newer is required (https://go.dev/doc/install)" >&2; exit 1; }
command -v npm >/dev/null || { echo "deps: Node.js 20.19+ with npm is required" >&2; exit 1; }

gobin=$(go env GOPATH)/bin
if ! "$gobin/wails" version 2>/dev/null | grep -q "$wails_version"; then
  echo "deps: installing the Wails CLI $wails_version"
  go install "github.com/wailsapp/wails/v2/cmd/wails@$wails_version"
fi
