# windowbench.sh is what scripts/pss.sh and scripts/startup.sh share: their
# command line, the tools they need and the peer they measure Lull beside,
# the smallest WebKitGTK window (bench/webkitfloor/floor.c), built here with
# the same libraries. Source it from the repository's root.

# window_bench_init NAME FLAG VAR DEFAULT BINARY [--data DIR] [--config FILE] [FLAG VALUE]
# parses the command line into bin, data, config and VAR (DEFAULT unless
# FLAG gives it), checks the tools, makes tmp (removed on exit) and builds
# the bare window as $tmp/webkit-floor. NAME prefixes its messages.
window_bench_init() {
  local name=$1 flag=$2 var=$3
  printf -v "$var" '%s' "$4"
  shift 4
  [ $# -gt 0 ] || { echo "$name: which binary? usage: $name BINARY [--data DIR --config FILE] [$flag N]" >&2; exit 2; }
  bin=$(realpath "$1")
  shift
  data="" config=""
  while [ $# -gt 0 ]; do
    case $1 in
      --data) data=$(realpath "$2"); shift 2 ;;
      --config) config=$(realpath "$2"); shift 2 ;;
      "$flag") printf -v "$var" '%s' "$2"; shift 2 ;;
      *) echo "$name: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  local tool
  for tool in xvfb-run dbus-run-session gcc pkg-config; do
    command -v "$tool" >/dev/null || { echo "$name: $tool missing; run: make deps-test" >&2; exit 1; }
  done
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  gcc -O2 -o "$tmp/webkit-floor" bench/webkitfloor/floor.c \
    $(pkg-config --cflags --libs gtk+-3.0 webkit2gtk-4.1)
}
