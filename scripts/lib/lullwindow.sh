# lullwindow.sh — sourced inside an X session (xvfb-run) by the scripts that
# drive the production window (screenshot.sh, webkit-reader-test.sh).

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
