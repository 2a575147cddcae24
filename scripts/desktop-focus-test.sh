#!/usr/bin/env bash
# desktop-focus-test.sh BINARY — the production binary, a real X server
# (Xvfb), a real D-Bus session with a notification daemon (dunst) and a tray
# host (status-notifier-watcher). A weekly focus block covers now and the
# sample workspace delivers an item every 300 ms. The test records the Notify
# calls the bus itself saw (dbus-monitor) and asserts: none while focusing;
# the tray icon registered; a second launch on the same data folder hands
# over to the first window at once; after `lull focus stop` exactly one
# digest.
set -euo pipefail
bin=$(realpath "$1")
for tool in xvfb-run dbus-run-session dbus-monitor dbus-send dunst status-notifier-watcher; do
  command -v "$tool" >/dev/null || { echo "desktop-focus-test: $tool missing; run: make deps-test" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date -d '-1 hour' +%H:%M)
end=$(date -d '+2 hour' +%H:%M)
cat >"$tmp/config.toml" <<TOML
[focus]
policy = "immediate"

[[focus.weekly]]
days = ["daily"]
start = "$start"
end = "$end"
TOML

LULL_DEMO_INTERVAL=300ms xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2
  lull() { "$bin" --demo --data "$tmp/data" --config "$tmp/config.toml" "$@"; }
  fail() { echo "desktop-focus-test: $*" >&2; cat "$tmp/app.log" >&2; exit 1; }
  status-notifier-watcher >/dev/null 2>&1 &
  dbus-monitor --session "type=method_call,interface=org.freedesktop.Notifications,member=Notify" >"$tmp/notify.log" 2>&1 &
  sleep 0.5
  lull >"$tmp/app.log" 2>&1 &
  app=$!
  trap "kill $app 2>/dev/null; wait $app 2>/dev/null" EXIT
  held=0
  for _ in $(seq 1 150); do
    held=$(lull focus status --json 2>/dev/null | sed -n "s/.*\"held\":\([0-9]*\).*/\1/p")
    [ "${held:-0}" -ge 10 ] && break
    sleep 0.2
  done
  [ "${held:-0}" -ge 10 ] || fail "items were not held during focus (held=${held:-none})"
  lull focus status | grep -q "^Focusing" || fail "not focusing: $(lull focus status)"
  during=$(grep -c "member=Notify" "$tmp/notify.log" || true)
  [ "$during" -eq 0 ] || fail "$during notifications reached the bus during focus"
  items=$(dbus-send --session --print-reply --dest=org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
    org.freedesktop.DBus.Properties.Get string:org.kde.StatusNotifierWatcher string:RegisteredStatusNotifierItems)
  echo "$items" | grep -q "string \"" || fail "no tray icon registered: $items"
  # A second launch on the same data folder raises the first window and
  # exits; it must not wait for the store the first one holds.
  t0=$(date +%s%N)
  timeout 20 "$bin" --demo --data "$tmp/data" --config "$tmp/config.toml" >"$tmp/second.log" 2>&1 || true
  handover=$(( ($(date +%s%N) - t0) / 1000000 ))
  if [ "$handover" -ge 3000 ] || grep -q "in use by another" "$tmp/second.log"; then
    cat "$tmp/second.log" >&2
    fail "a second launch took $handover ms and did not hand over to the first window"
  fi
  kill -0 "$app" 2>/dev/null || fail "the first window quit when a second one was launched"
  lull focus stop >/dev/null || fail "focus stop failed"
  sleep 1.5
  digests=$(grep -c "held while you focused" "$tmp/notify.log" || true)
  [ "$digests" -eq 1 ] || { cat "$tmp/notify.log" >&2; fail "$digests digests after focus stop, want exactly 1"; }
  echo "desktop-focus-test: $held held during focus, 0 notifications on the bus, tray registered, a second launch handed over in $handover ms, 1 digest after stop"
' _ "$bin" "$tmp"
