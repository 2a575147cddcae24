#!/usr/bin/env bash
# pss.sh BINARY [--data DIR [--config FILE]] [--settle SECONDS] — memory of Lull as a user
# meets it: the production binary under Xvfb with its own D-Bus session, on
# the sample workspace (or on DIR, e.g. a store seeded with 100k items),
# measured as the proportional set size (PSS, /proc/PID/smaps_rollup) of Lull
# plus every WebKit process it spawned.
#
# In the same run it measures the peer: the smallest WebKitGTK window
# (bench/webkitfloor/floor.c, built here with the same libraries and the same
# hardware-acceleration policy). That floor is what any WebKitGTK app costs
# on this machine; the difference is what Lull itself adds.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/windowbench.sh
window_bench_init pss --settle settle 15 "$@"

LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2 settle=$3 data=$4 config=$5
  # measure NAME PID: the PSS of PID and of its descendants (WebKit helpers
  # can be grandchildren), one line each, and the total in kB on fd 3.
  measure() {
    local name=$1 root=$2 total=0 pids p kb
    pids="$root $(pgrep -P "$root" | tr "\n" " ")"
    for p in $(pgrep -P "$root"); do pids="$pids $(pgrep -P "$p" | tr "\n" " ")"; done
    for p in $pids; do
      kb=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null || echo 0)
      printf "  %-8s %-16s pid %-7s %7d kB\n" "$name" "$(cat /proc/$p/comm 2>/dev/null || echo ?)" "$p" "$kb"
      total=$((total + kb))
    done
    echo "$total" >&3
  }
  if [ -n "$data" ]; then
    "$bin" --data "$data" ${config:+--config "$config"} >"$tmp/app.log" 2>&1 &
  else
    "$bin" --demo --data "$tmp/data" --config "$tmp/none.toml" >"$tmp/app.log" 2>&1 &
  fi
  app=$!
  sleep "$settle"
  lull=$(measure lull $app 3>&1 >&2)
  kill $app; wait $app 2>/dev/null || true

  "$tmp/webkit-floor" >"$tmp/floor.log" 2>&1 &
  floor=$!
  sleep "$settle"
  base=$(measure floor $floor 3>&1 >&2)
  kill $floor; wait $floor 2>/dev/null || true

  awk -v l="$lull" -v b="$base" "BEGIN {
    printf \"lull total PSS:            %7.1f MB (goal < 200 MB)\\n\", l/1024
    printf \"bare WebKitGTK window PSS: %7.1f MB (the floor on this machine)\\n\", b/1024
    printf \"Lull above the floor:      %7.1f MB; ratio lull/floor %.2f\\n\", (l-b)/1024, l/b
  }"
' _ "$bin" "$tmp" "$settle" "$data" "$config" 2>&1 | grep -v -e "^dbus-daemon" -e "SpiRegistry" -e "Cannot connect to DBus"
