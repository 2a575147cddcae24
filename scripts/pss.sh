#!/usr/bin/env bash
# pss.sh BINARY — runs the production binary on the sample workspace under
# Xvfb, waits for it to settle, and prints the proportional set size (PSS) of
# Lull plus every WebKit process it spawned, read from /proc/*/smaps_rollup.
set -euo pipefail
bin=$(realpath "$1")
settle=${2:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  bin=$1 tmp=$2 settle=$3
  "$bin" --demo --data "$tmp/data" >"$tmp/app.log" 2>&1 &
  app=$!
  sleep "$settle"
  pids="$app $(pgrep -P $app | tr "\n" " ")"
  # WebKit helpers may be grandchildren (via bwrap/xdg-dbus-proxy): walk the tree.
  for p in $(pgrep -P $app); do pids="$pids $(pgrep -P $p | tr "\n" " ")"; done
  total=0
  for p in $pids; do
    kb=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null || echo 0)
    name=$(cat /proc/$p/comm 2>/dev/null || echo "?")
    printf "%-24s pid %-7s %7d kB\n" "$name" "$p" "$kb"
    total=$((total + kb))
  done
  awk -v t="$total" "BEGIN { printf \"total PSS: %d kB (%.1f MB)\\n\", t, t/1024 }"
  kill $app; wait $app 2>/dev/null || true
' _ "$bin" "$tmp" "$settle"
