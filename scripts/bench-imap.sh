#!/usr/bin/env bash
# bench-imap.sh times `lull sync --once` against mbsync on a private Dovecot
# seeded with SpamAssassin ham (see bench/imapsync). It builds nothing: run
# `make build` first. Flags are passed on, e.g.
#
#   scripts/bench-imap.sh -n 2000 -runs 5 -tmpdir /dev/shm -json /tmp/imap.json
#
# Needs dovecot-imapd and isync installed, and the npm corpus in
# frontend/node_modules (npm ci in frontend/).
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/imapsync -lull build/bin/lull "$@"
