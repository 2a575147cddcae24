#!/usr/bin/env bash
# webkit-keys-repaint-test.sh BINARY — in the production window (WebKitGTK,
# painting on the CPU), a j that moves the selection between two visible
# rows must repaint those two rows and nothing else. Each repaint is a new
# bitmap the web process fills and hands to the UI process (ftruncate on a
# fresh shared-memory file, the size of everything that changed), so the
# test reads the size of the first one after each key (strace). Two rows
# are about 200 KB at the default window size; a selection bar made as a
# new box on selection made it the whole window from the row down, across
# the reading pane (1.6-2.8 MB; frontend/src/components/Row.svelte).
set -euo pipefail
bin=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
limit_kb=${LIMIT_KB:-400}
for tool in xvfb-run dbus-run-session xdotool strace; do
  command -v "$tool" >/dev/null || { echo "webkit-keys-repaint-test: $tool missing; run: make deps-test" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

LULL_DEMO_INTERVAL=1h xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2
  . "$3"
  fail() { echo "webkit-keys-repaint-test: $*" >&2; cat "$tmp/app.log" >&2; exit 1; }
  lull_painted "$bin" "$tmp" || fail "$why"
  sleep 4 # the first body, the search catch-up and the sync settle
  web=$(lull_web_process) || fail "no WebKit web process"
  w=$(lull_window)
  xdotool windowfocus --sync "$w" 2>/dev/null || xdotool windowfocus "$w"
  sleep 0.5
  # The main thread only: strace -f slows the web process enough to push
  # frames past the 60 ms this test allows each key.
  trace_repaints "$web" "$tmp/strace.txt" || fail "$why"
  # Eight j from the top: the selection stays on rows the list shows, so
  # nothing scrolls. 400 ms apart, so the frame of each key and the pane that
  # follows it (70 ms later) are over before the next key.
  for _ in $(seq 1 8); do
    date +%s.%N >>"$tmp/keys"
    xdotool key j
    sleep 0.4
  done
  kill "$tracer"; wait "$tracer" 2>/dev/null || true
  echo done >"$tmp/ran"
' _ "$bin" "$tmp" "$repo/scripts/lib/lullwindow.sh" 2>&1 | grep -v -e "^dbus-daemon" -e "SpiRegistry" -e "Cannot connect to DBus" -e "XGetInputFocus" >&2 || true

[ -f "$tmp/ran" ] || { echo "webkit-keys-repaint-test: failed (see above)" >&2; exit 1; }
# The first repaint within 60 ms of each key is that key's frame.
python3 - "$tmp/keys" "$tmp/strace.txt" "$limit_kb" <<'PY'
import re, sys
keys = [float(l) for l in open(sys.argv[1])]
updates = []
for line in open(sys.argv[2]):
    m = re.match(r"(?:\d+ +)?(\d+\.\d+) ftruncate\(\d+, (\d+)\)", line)
    if m:
        updates.append((float(m.group(1)), int(m.group(2))))
limit = int(sys.argv[3])
sizes, bad = [], []
for i, k in enumerate(keys):
    first = next((s for t, s in updates if k <= t < k + 0.06), None)
    if first is None:
        continue
    sizes.append(first // 1024)
    if first // 1024 > limit:
        bad.append(f"key {i + 1}: {first // 1024} KB")
if len(sizes) < len(keys) - 2:
    sys.exit(f"webkit-keys-repaint-test: saw the frame of only {len(sizes)} of {len(keys)} keys ({len(updates)} repaints traced)")
if bad:
    sys.exit(f"webkit-keys-repaint-test: a j repainted more than two rows (over {limit} KB): {', '.join(bad)}; all: {sizes} KB")
print(f"webkit-keys-repaint-test: each j repainted {min(sizes)}-{max(sizes)} KB ({len(sizes)} keys; two rows, limit {limit} KB)")
PY
