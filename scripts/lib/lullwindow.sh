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

# lull_web_process prints the pid of the WebKit web process of the window
# under test, or fails when there is none. WebKit may run it in a sandbox
# wrapper, so it is found by its own name (WebKitWebProcess), not as a
# child of the app.
lull_web_process() {
  local pid
  pid=$(pgrep -f "/WebKitWebProcess( |$)" | while read -r p; do
    [ "$(ps -o comm= -p "$p")" = WebKitWebProces ] && echo "$p"
  done | head -n1)
  [ -n "$pid" ] && echo "$pid"
}

# trace_repaints PID FILE [FLAG...] traces PID's new bitmaps (WebKit fills
# a fresh shared-memory file for each repaint, sized with ftruncate) into
# FILE, with wall-clock times and any further strace FLAGs (-f for every
# thread, at the cost of slowing them), and waits until strace is attached:
# a tracer that is not would see nothing and pass. It leaves strace's pid in
# $tracer, and returns 1 with the reason in $why when it cannot attach.
trace_repaints() {
  strace "${@:3}" -ttt -e trace=ftruncate -o "$2" -p "$1" 2>"$2.err" &
  tracer=$!
  for _ in $(seq 1 20); do
    [ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$1/status")" != 0 ] && return 0
    sleep 0.1
  done
  why="strace could not attach to the web process: $(cat "$2.err")"
  return 1
}
