#!/usr/bin/env bash
# keys-webkit.sh BINARY [--data DIR --config FILE] [--presses N] — keys in
# the production window, the engine users run (WebKitGTK), as
# e2e/bench/ui.js times them in Chromium: keypress → next item painted.
#
# The binary runs with LULL_KEY_PROBE=1 under Xvfb and its own D-Bus
# session: once its first list is painted the frontend times every key
# (frontend/src/lib/keyprobe.ts: the keydown's timeStamp to the end of the
# frame that shows the selection on another loaded row) and the window
# prints each ("lull: key "j" 12.345 ms"). Real key events go in through
# XTEST (xdotool): N j (default 300), N/3 k, G, N/2 k back up, 100 ms apart,
# then N/6 e at 250 ms. It works on a copy of DIR, since e marks items done;
# without --data it runs on the sample workspace in a fresh folder.
#
# In the same session the peer takes the same keys: the smallest WebKitGTK
# window (bench/webkitfloor/floor.c with FLOOR_KEY_PROBE), a 20-row list
# whose j, k, G and e do the least a list can, timed the same way. That is
# what a key costs in WebKitGTK on this machine before any app work; the
# ratio is Lull's p95 over it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/windowbench.sh
window_bench_init keys-webkit --presses presses 300 "$@"
command -v xdotool >/dev/null || { echo "keys-webkit: xdotool missing; run: make deps-test" >&2; exit 1; }
if [ -n "$data" ]; then
  cp -a "$data" "$tmp/data"
  [ -z "$config" ] || cp "$config" "$tmp/config.toml"
fi

LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2 presses=$3 data=$4 lib=$5
  . "$lib"
  fail() { echo "keys-webkit: $*" >&2; exit 1; }
  # wait_for FILE PATTERN: up to 60 s for a line in FILE.
  wait_for() {
    for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
    return 1
  }
  # keys WINDOW: the sequence, through XTEST into WINDOW (focused first).
  keys() {
    xdotool windowfocus --sync "$1" 2>/dev/null || xdotool windowfocus "$1"
    sleep 0.5
    # shellcheck disable=SC2046
    xdotool key --delay 100 $(yes j | head -n "$presses")
    sleep 0.5
    xdotool key --delay 100 $(yes k | head -n $((presses / 3)))
    sleep 0.5
    xdotool key G
    sleep 1
    xdotool key --delay 100 $(yes k | head -n $((presses / 2)))
    sleep 0.5
    xdotool key --delay 250 $(yes e | head -n $((presses / 6)))
    sleep 1.5
  }
  sleep 1 # the session settles, as a desktop has before a launch
  if [ -n "$data" ]; then
    LULL_KEY_PROBE=1 "$bin" --data "$tmp/data" --config "$tmp/config.toml" >"$tmp/lull.log" 2>&1 &
  else
    LULL_KEY_PROBE=1 "$bin" --demo --data "$tmp/data" --config "$tmp/none.toml" >"$tmp/lull.log" 2>&1 &
  fi
  app=$!
  trap "kill \$app 2>/dev/null; wait \$app 2>/dev/null" EXIT
  w=$(lull_window) || fail "no Lull window appeared; its log: $(cat "$tmp/lull.log")"
  wait_for "$tmp/lull.log" "^lull: key probe on" || fail "the window never painted its list; its log: $(cat "$tmp/lull.log")"
  sleep 3 # start-up work (the search catch-up, the first body) ends first
  keys "$w"
  kill "$app"; wait "$app" 2>/dev/null || true

  FLOOR_KEY_PROBE=1 "$tmp/webkit-floor" >"$tmp/floor.log" 2>&1 &
  floor=$!
  trap "kill \$floor 2>/dev/null; wait \$floor 2>/dev/null" EXIT
  wait_for "$tmp/floor.log" "^floor: ready" || fail "the bare window never painted; its log: $(cat "$tmp/floor.log")"
  fw=$(xdotool search --onlyvisible --name "^floor$" | head -n1)
  [ -n "$fw" ] || fail "no bare window"
  keys "$fw"
' _ "$bin" "$tmp" "$presses" "$data" "$PWD/scripts/lib/lullwindow.sh" 2>&1 | grep -v -e "^dbus-daemon" -e "SpiRegistry" -e "Cannot connect to DBus" -e "XGetInputFocus" >&2 || true

# KEYS_LOG=FILE keeps Lull's log: each key's time with its split.
[ -z "${KEYS_LOG:-}" ] || cp "$tmp/lull.log" "$KEYS_LOG"
sed -n 's/^lull: key "\(.*\)" \([0-9.]*\) ms.*$/\1 \2/p' "$tmp/lull.log" >"$tmp/lull.keys"
sed -n 's/^floor: key \([^ ]*\) \([0-9.]*\) ms$/\1 \2/p' "$tmp/floor.log" >"$tmp/floor.keys"
want=$((presses + presses / 3 + 1 + presses / 2 + presses / 6))
for side in lull floor; do
  got=$(wc -l <"$tmp/$side.keys")
  # A key that comes while the last is still being drawn (or a row not yet
  # loaded) can go unreported; most must arrive.
  [ "$got" -ge $((want * 9 / 10)) ] || {
    echo "keys-webkit: $side reported $got of $want keys; its log:" >&2
    cat "$tmp/$side.log" >&2
    exit 1
  }
done
# stats SIDE KEY: "n p50 p95 max" of KEY's times (all keys for "all").
stats() {
  awk -v k="$2" '$1 == k || k == "all" { print $2 }' "$tmp/$1.keys" | sort -n |
    awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "0 - - -"; exit }
      p50 = v[int((NR - 1) * 0.50) + 1]; p95 = v[int((NR - 1) * 0.95) + 1]
      printf "%d %.1f %.1f %.1f\n", NR, p50, p95, v[NR] }'
}
echo "keypress → next item painted in the production window (WebKitGTK), $(basename "$bin"): ms"
printf '  %-4s %21s   %21s\n' "" "Lull: n   p50   p95   max" "bare window: n   p50   p95"
for k in j k G e all; do
  read -r ln l50 l95 lmax <<<"$(stats lull "$k")"
  read -r fn f50 f95 _ <<<"$(stats floor "$k")"
  printf '  %-4s %8s %5s %5s %5s   %14s %5s %5s\n' "$k" "$ln" "$l50" "$l95" "$lmax" "$fn" "$f50" "$f95"
done
read -r _ _ l95 _ <<<"$(stats lull all)"
read -r _ _ f95 _ <<<"$(stats floor all)"
awk -v l="$l95" -v f="$f95" 'BEGIN { printf "all keys p95: Lull %.1f ms, bare window %.1f ms, ratio %.2f; goal p95 < 16 ms: %s\n", l, f, l / f, (l < 16 ? "met" : "NOT met") }'
