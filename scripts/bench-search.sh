#!/usr/bin/env bash
# bench-search.sh compares Lull's search with notmuch on the same 100,000
# messages: SpamAssassin ham (never spam), cycled with unique Message-IDs,
# written as one Maildir that `notmuch new` indexes and that Lull parses into
# its store and bleve index. The same queries then run against both, Lull's
# in-process from Go and notmuch as `notmuch search` processes; it prints
# build times, p50/p95 per query and overall, and the ratios. Flags are
# passed on, e.g.
#
#   scripts/bench-search.sh -n 100000 -tmpdir /dev/shm -json /tmp/search.json
#
# Needs notmuch installed and the npm corpus in frontend/node_modules
# (npm ci in frontend/). A 100k run takes about 15 minutes, most of it
# `notmuch new`; the Maildir is about 450 MB (use -tmpdir to choose where).
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/search "$@"
