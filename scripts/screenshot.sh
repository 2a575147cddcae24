#!/usr/bin/env bash
# screenshot.sh BINARY OUT.png — runs the production binary on a fresh sample
# workspace under Xvfb with its own D-Bus session, photographs the real window
# and fails unless the picture is the window's size and far from blank.
set -euo pipefail
bin=$(realpath "$1")
out=$2
for tool in xvfb-run dbus-run-session xdotool import convert; do
  command -v "$tool" >/dev/null || { echo "screenshot: $tool missing; run: make deps-test" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shot="$tmp/shot.png"

LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2 shot=$3
  "$bin" --demo --data "$tmp/data" --config "$tmp/none.toml" >"$tmp/app.log" 2>&1 &
  app=$!
  trap "kill $app 2>/dev/null; wait $app 2>/dev/null" EXIT
  . "$4"
  w=$(lull_window) || { echo "screenshot: no Lull window appeared" >&2; cat "$tmp/app.log" >&2; exit 1; }
  # Wait for the sample inbox to paint, open the newest item, and settle.
  colours=0
  for _ in $(seq 1 100); do
    import -window "$w" "$shot" 2>/dev/null || true
    colours=$(convert "$shot" -format %k info: 2>/dev/null || echo 0)
    [ "$colours" -gt 200 ] && break
    sleep 0.2
  done
  xdotool key --window "$w" j
  sleep 0.3
  xdotool key --window "$w" k
  sleep 0.8
  import -window "$w" "$shot"
' _ "$bin" "$tmp" "$shot" "$(cd "$(dirname "$0")" && pwd)/lib/lullwindow.sh"

size=$(convert "$shot" -format "%wx%h" info:)
colours=$(convert "$shot" -format %k info:)
echo "screenshot: $size, $colours distinct colours"
w=${size%x*} h=${size#*x}
if (( w < 1100 || w > 1280 || h < 700 || h > 800 )); then
  echo "screenshot: window is ${size}, expected about 1200x780" >&2; exit 1
fi
if (( colours < 200 )); then
  echo "screenshot: only $colours colours; the window looks blank" >&2; exit 1
fi
mkdir -p "$(dirname "$out")"
cp "$shot" "$out"
echo "screenshot: wrote $out"
