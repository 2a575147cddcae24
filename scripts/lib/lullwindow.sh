# lullwindow.sh — sourced inside an X session (xvfb-run) by the scripts that
# drive the production window (screenshot.sh, webkit-reader-test.sh,
# webkit-idle-test.sh, webkit-keys-repaint-test.sh, webkit-egl-test.sh).

# lull_window prints the id of Lull's visible window once it is mapped
# (up to 20 s), or fails.
lull_window() {
  local w=""
  for _ in $(seq 1 100); do
    w=$(xdotool search --onlyvisible --name "^Lull$" 2>/dev/null | head -n1) && [ -n "$w" ] && { echo "$w"; return 0; }
    sleep 0.2
  done
  return 1
}

# lull_painted BINARY DIR starts BINARY on a fresh sample workspace in DIR
# (LULL_STARTUP_PROBE=1, its log in DIR/app.log) and waits for its window
# and its first painted list. It leaves the app's pid in $app (killed when
# the shell exits) and returns 1, with the reason in $why, when either
# never comes.
lull_painted() {
  LULL_STARTUP_PROBE=1 "$1" --demo --data "$2/data" --config "$2/none.toml" >"$2/app.log" 2>&1 &
  app=$!
  # shellcheck disable=SC2064 # $app is meant to expand now
  trap "kill $app 2>/dev/null; wait $app 2>/dev/null" EXIT
  lull_window >/dev/null || { why="no Lull window appeared"; return 1; }
  for _ in $(seq 1 150); do
    grep -q "^lull: first list painted" "$2/app.log" && return 0
    sleep 0.2
  done
  why="the window never painted its list"
  return 1
}
