#!/usr/bin/env bash
# webkit-reader-test.sh BINARY — the reading pane in the production window
# (WebKitGTK), driven by real pointer and key events (xdotool, XTEST) under
# Xvfb. WebKit runs no listener in the email's script-less frame, so a
# click into the message used to leave every key dead. The test syncs
# e2e/fixtures/long/ from a Maildir, opens the long HTML letter, and asserts:
# a double-click selects a word that Ctrl+C copies; a drag selects words
# that Ctrl+C copies; End scrolls the letter; j then opens the next item.
# Chromium runs the same keys in e2e/tests/reader.test.js; this is the
# engine the users on Linux and macOS have.
set -euo pipefail
bin=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
for tool in xvfb-run dbus-run-session xdotool import convert compare xclip; do
  command -v "$tool" >/dev/null || { echo "webkit-reader-test: $tool missing; run: make deps-test" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
md="$tmp/Mail"
mkdir -p "$md/cur" "$md/new" "$md/tmp"
i=0
for f in "$repo"/e2e/fixtures/long/*.eml; do
  cp "$f" "$md/cur/170000000$i.M${i}P1.lull:2,"
  i=$((i + 1))
done
printf '[accounts.mail]\nkind = "maildir"\npath = "%s"\nsync_days = 0\n' "$md" >"$tmp/config.toml"

xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -u
  bin=$1 tmp=$2
  fail() { echo "webkit-reader-test: $*" >&2; cat "$tmp/app.log" >&2; exit 1; }
  "$bin" --data "$tmp/data" --config "$tmp/config.toml" >"$tmp/app.log" 2>&1 &
  app=$!
  trap "kill $app 2>/dev/null; wait $app 2>/dev/null" EXIT
  . "$3"
  w=$(lull_window) || fail "no Lull window appeared"

  # shot NAME photographs the window; settled NAME waits until two shots in a row agree.
  shot() { import -window "$w" "$tmp/$1.png" 2>/dev/null; }
  settled() {
    shot "$1"
    for _ in $(seq 1 40); do
      sleep 0.15
      shot "$1.next"
      [ "$(compare -metric AE "$tmp/$1.png" "$tmp/$1.next.png" null: 2>&1 || true)" = 0 ] && return 0
      mv "$tmp/$1.next.png" "$tmp/$1.png"
    done
    fail "the window did not settle ($1)"
  }
  # changed A B REGION: the pixels of REGION (WxH+X+Y) differ between shots A and B.
  changed() {
    local n
    convert "$tmp/$1.png" -crop "$3" +repage "$tmp/a.png"
    convert "$tmp/$2.png" -crop "$3" +repage "$tmp/b.png"
    n=$(compare -metric AE "$tmp/a.png" "$tmp/b.png" null: 2>&1 || true)
    [ "${n%% *}" -gt 500 ] 2>/dev/null
  }
  clipboard() { xclip -o -selection clipboard 2>/dev/null || true; }
  copied() {
    local want=$1 got=""
    for _ in $(seq 1 20); do
      got=$(clipboard)
      [[ "$got" =~ $want ]] && { echo "$got"; return 0; }
      sleep 0.1
    done
    fail "Ctrl+C copied \"$got\", want text matching $want"
  }
  list=490x700+0+45 pane=690x560+505+200

  # The list paints once both messages are in.
  for _ in $(seq 1 100); do
    shot list
    [ "$(convert "$tmp/list.png" -format %k info: 2>/dev/null || echo 0)" -gt 150 ] && break
    sleep 0.2
  done
  xdotool windowactivate --sync "$w" >/dev/null 2>&1 || true
  xdotool windowfocus --sync "$w" >/dev/null 2>&1 || true
  xdotool key j; sleep 0.2; xdotool key k
  settled opened

  # A double-click on a word of the letter selects it; Ctrl+C copies it.
  xdotool mousemove --window "$w" 700 330 click --repeat 2 --delay 80 1
  settled word
  xdotool key ctrl+c
  word=$(copied "^[A-Za-z.,]+$")

  # A drag across the line selects several words; Ctrl+C copies them.
  xdotool mousemove --window "$w" 545 400 mousedown 1
  for x in 600 700 800 900 1000; do xdotool mousemove --window "$w" "$x" 402; sleep 0.05; done
  xdotool mouseup 1
  settled dragged
  xdotool key ctrl+c
  words=$(copied "^[^ ]+( [^ ]+)+")

  # End scrolls the letter.
  xdotool key End
  settled end
  changed dragged end "$pane" || fail "End did not scroll the letter"

  # j opens the next item.
  xdotool key j
  settled next
  changed end next "$list" || fail "j did nothing after a click in the letter: the keys are dead"
  echo "webkit-reader-test: a double-click copied \"$word\", a drag copied \"$words\", End scrolled the letter, j moved on"
' _ "$bin" "$tmp" "$repo/scripts/lib/lullwindow.sh"
