#!/usr/bin/env bash
# startup.sh BINARY [--data DIR --config FILE] [--runs N] — cold start of the
# production binary as a user meets it: from launch to the first list
# painted in its WebKitGTK window, median of N runs (default 5).
#
# One Xvfb and D-Bus session serve every run, started beforehand as a
# logged-in desktop is. Each run launches BINARY with LULL_STARTUP_PROBE=quit:
# the frontend reports when the frame with its first list is on screen
# (api.painted: requestAnimationFrame, then a task after that frame), the
# window prints that moment ("lull: first list painted at <unix ns>") and
# quits. The launch time is taken just before exec. Without --data it runs
# on the sample workspace in a fresh folder.
#
# In the same session it times the peer: the smallest WebKitGTK window
# (bench/webkitfloor/floor.c, same libraries and rendering settings) from
# launch to its first painted page. That is what any WebKitGTK app pays on
# this machine before it shows anything; the ratio is Lull over it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/windowbench.sh
window_bench_init startup --runs runs 5 "$@"

LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2 runs=$3 data=$4 config=$5
  sleep 1 # the session settles, as a desktop has before a launch
  for i in $(seq "$runs"); do
    start=$(date +%s%N)
    if [ -n "$data" ]; then
      LULL_STARTUP_PROBE=quit timeout 60 "$bin" --data "$data" ${config:+--config "$config"} >"$tmp/run.log" 2>&1 || true
    else
      LULL_STARTUP_PROBE=quit timeout 60 "$bin" --demo --data "$tmp/data" --config "$tmp/none.toml" >"$tmp/run.log" 2>&1 || true
    fi
    at=$(sed -n "s/^lull: first list painted at \([0-9]*\)$/\1/p" "$tmp/run.log" | head -1)
    if [ -z "$at" ]; then
      echo "startup: run $i never painted a list; its log:" >&2
      cat "$tmp/run.log" >&2
      exit 1
    fi
    echo $(( (at - start) / 1000000 ))
    # The split: launch → page started → its scripts run → list painted.
    sed -n "s/^lull: page marks navigation \([0-9]*\) dcl \([0-9]*\)$/\1 \2/p" "$tmp/run.log" | head -1 |
      awk -v s="$start" -v p="$at" "{ printf \"%d %d %d\\n\", (\$1 - s) / 1e6, (\$2 - \$1) / 1e6, (p - \$2) / 1e6 }" >>"$tmp/split"
  done >"$tmp/ms"
  for i in $(seq "$runs"); do
    start=$(date +%s%N)
    FLOOR_PAINT_PROBE=1 timeout 60 "$tmp/webkit-floor" >"$tmp/floor.log" 2>&1 || true
    at=$(sed -n "s/^floor: painted at \([0-9]*\)$/\1/p" "$tmp/floor.log" | head -1)
    [ -n "$at" ] || { echo "startup: the bare WebKitGTK window never painted; its log:" >&2; cat "$tmp/floor.log" >&2; exit 1; }
    echo $(( (at - start) / 1000000 ))
  done >"$tmp/floor-ms"
' _ "$bin" "$tmp" "$runs" "$data" "$config" 2>&1 | grep -v -e "^dbus-daemon" -e "SpiRegistry" -e "Cannot connect to DBus" >&2 || true
done_runs=$(wc -l <"$tmp/ms" 2>/dev/null || echo 0)
[ "$done_runs" -eq "$runs" ] || { echo "startup: $done_runs of $runs runs painted a list" >&2; exit 1; }
[ "$(wc -l <"$tmp/floor-ms")" -eq "$runs" ] || { echo "startup: the bare window did not paint in every run" >&2; exit 1; }
# median FILE: the median of the numbers in FILE, one a line.
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
lull=$(median "$tmp/ms") floor=$(median "$tmp/floor-ms")
awk -v b="$(basename "$bin")" -v n="$runs" -v l="$lull" -v f="$floor" -v lr="$(sort -n "$tmp/ms" | paste -sd, -)" -v fr="$(sort -n "$tmp/floor-ms" | paste -sd, -)" 'BEGIN {
  printf "cold start of %s → first list painted (ms), median of %d: %.0f   goal < 1000 ms: %s\n", b, n, l, (l < 1000 ? "met" : "NOT met")
  printf "  runs (sorted): %s\n", lr
  printf "bare WebKitGTK window → first page painted (ms), median of %d: %.0f (the floor on this machine)\n", n, f
  printf "  runs (sorted): %s\n", fr
  printf "Lull above the floor: %.0f ms; ratio lull/floor %.2f\n", l - f, l / f
}'
if [ -s "$tmp/split" ]; then
  for col in 1 2 3; do cut -d" " -f$col "$tmp/split" >"$tmp/col$col"; done
  echo "  Lull's median split: launch → page started $(median "$tmp/col1"), → DOMContentLoaded $(median "$tmp/col2"), → first list painted $(median "$tmp/col3")"
fi
