#!/usr/bin/env bash
# webkit-egl-test.sh BINARY — the production window's own process must not
# load an EGL driver (Mesa, and LLVM through it) while its web process
# does (app/egloff, memory.go skipUnusedEGL). The web process's maps show
# the check can see the driver; the first painted list shows the window
# still works without it.
set -euo pipefail
bin=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
for tool in xvfb-run dbus-run-session xdotool; do
  command -v "$tool" >/dev/null || { echo "webkit-egl-test: $tool missing; run: make deps-test" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2
  . "$3"
  fail() { echo "webkit-egl-test: $*" >&2; cat "$tmp/app.log" >&2; exit 1; }
  lull_painted "$bin" "$tmp" || fail "$why"
  web=$(lull_web_process) || fail "no WebKit web process"
  driver="libEGL_mesa|libLLVM|_dri\.so"
  grep -Eq "$driver" "/proc/$web/maps" || fail "the web process maps no EGL driver, so this check cannot see one"
  if grep -Eq "$driver" "/proc/$app/maps"; then
    fail "Lull'"'"'s own process loaded an EGL driver: $(grep -Eo "[^/]*($driver)[^ ]*" "/proc/$app/maps" | sort -u | tr "\n" " ")"
  fi
  echo ok >"$tmp/result"
' _ "$bin" "$tmp" "$repo/scripts/lib/lullwindow.sh" 2>&1 | grep -v -e "^dbus-daemon" -e "SpiRegistry" -e "Cannot connect to DBus" -e "XGetInputFocus" >&2 || true

[ "$(cat "$tmp/result" 2>/dev/null)" = ok ] || { echo "webkit-egl-test: failed (see above)" >&2; exit 1; }
echo "webkit-egl-test: the window painted with no EGL driver in Lull's process; its web process has one"
