#!/usr/bin/env bash
# webkit-idle-test.sh BINARY — the production window (WebKitGTK) must not
# repaint while nothing changes. With the GPU off, every repaint is a new
# bitmap the web process fills and hands to the UI process (ftruncate on a
# fresh shared-memory file), so the test counts those calls (strace) on the
# sample workspace for IDLE seconds (default 5) once the first list is
# painted and the start-up work has settled. A native overlay scrollbar in
# WebKitGTK 2.50 repainted about 40 times a second here, with no pointer
# over it; a spinner or an animation left running would show the same way.
# Allowed: the clock's tick (relative times, every 30 s) and what the demo
# account delivers, which LULL_DEMO_INTERVAL=1h keeps away.
set -euo pipefail
bin=$(realpath "$1")
idle=${IDLE:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
for tool in xvfb-run dbus-run-session xdotool strace; do
  command -v "$tool" >/dev/null || { echo "webkit-idle-test: $tool missing; run: make deps-test" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2 idle=$3
  . "$4"
  fail() { echo "webkit-idle-test: $*" >&2; cat "$tmp/app.log" >&2; exit 1; }
  lull_painted "$bin" "$tmp" || fail "$why"
  sleep 4 # the first body, the search catch-up and the sync settle
  web=$(lull_web_process) || fail "no WebKit web process"
  trace_repaints "$web" "$tmp/strace.txt" -f || fail "$why"
  sleep "$idle"
  kill "$tracer"; wait "$tracer" 2>/dev/null || true
  grep -c "ftruncate(" "$tmp/strace.txt" >"$tmp/count" || true
' _ "$bin" "$tmp" "$idle" "$repo/scripts/lib/lullwindow.sh" 2>&1 | grep -v -e "^dbus-daemon" -e "SpiRegistry" -e "Cannot connect to DBus" -e "XGetInputFocus" >&2 || true

n=$(cat "$tmp/count" 2>/dev/null || true)
[[ "$n" =~ ^[0-9]+$ ]] || { echo "webkit-idle-test: no count (see above)" >&2; exit 1; }
# The clock may tick once in the window; nothing else should paint.
if [ "$n" -gt 2 ]; then
  echo "webkit-idle-test: the idle window repainted $n times in ${idle} s" >&2
  sed -n 's/.*ftruncate([0-9]*, \([0-9]*\)).*/\1/p' "$tmp/strace.txt" | sort | uniq -c | sort -rn | head -5 |
    awk '{ printf "  %d updates of %.0f KB\n", $1, $2 / 1024 }' >&2
  exit 1
fi
echo "webkit-idle-test: $n repaints in ${idle} s of an idle window"
