#!/usr/bin/env bash
# bench-ui.sh [-n ITEMS] [ui.js flags] — the window on a large inbox, as the
# issue sets its goals: a workspace of ITEMS items (default 100,000) seeded
# by bench/uiseed (reused while it matches), then
#
#   1. e2e/bench/ui.js: Chromium with Playwright against the dev binary,
#      keypress → next item painted (p50/p95 of j, k, e) and cold start →
#      first list row painted;
#   2. scripts/pss.sh: the production binary under Xvfb on a copy of the same
#      store, PSS of Lull and its WebKit processes beside a bare WebKitGTK
#      window (the peer: what any WebKitGTK app costs on this machine);
#   3. scripts/startup.sh: the production binary's cold start on that copy,
#      launch → first list painted in its own WebKitGTK window, beside the
#      bare window's launch → first page painted;
#   4. scripts/keys-webkit.sh: keypress → next item painted in the production
#      window (real key events through XTEST), beside the same keys in a bare
#      WebKitGTK list.
#
# Needs build/bin/lull and build/bin/lull-dev (make build build-dev), the
# test tools (make deps-test) and the npm corpus (npm ci in frontend/).
# LULL_UI_SEED chooses where the seeded workspace lives (default
# /tmp/lull-ui-ITEMS; about 450 MB at 100,000 items).
set -euo pipefail
cd "$(dirname "$0")/.."
n=100000
if [ "${1:-}" = "-n" ]; then n=$2; shift 2; fi
root=${LULL_UI_SEED:-/tmp/lull-ui-$n}

go run ./bench/uiseed -n "$n" -dir "$root" -reuse
(cd e2e && node bench/ui.js --seed "$root" "$@")

copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -a "$root/data" "$copy/data"
cp "$root/config.toml" "$copy/config.toml"
echo "memory at $n items (production binary under Xvfb):"
scripts/pss.sh build/bin/lull --data "$copy/data" --config "$copy/config.toml"
echo "cold start at $n items (production binary under Xvfb):"
scripts/startup.sh build/bin/lull --data "$copy/data" --config "$copy/config.toml"
echo "keys at $n items (production binary under Xvfb):"
scripts/keys-webkit.sh build/bin/lull --data "$copy/data" --config "$copy/config.toml"
