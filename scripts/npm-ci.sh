#!/usr/bin/env bash
# npm-ci.sh DIR: npm ci in DIR, with a bound on each try and a few tries.
#
# A registry fetch that stalls mid-transfer can hold npm ci for far longer
# than its own fetch timeout (seen on the CI machine: no progress for over
# ten minutes). Each try gets 5 minutes; a stalled one is killed and
# retried from npm's cache, which keeps what the earlier tries fetched.
set -euo pipefail
dir=${1:?usage: npm-ci.sh DIR}
cd "$dir"
for try in 1 2 3; do
	if timeout --kill-after=10 300 npm ci --no-audit --no-fund --fetch-timeout=60000 --fetch-retries=4; then
		exit 0
	fi
	echo "npm-ci: npm ci in $dir failed or stalled (try $try of 3)" >&2
	sleep $((try * 5))
done
echo "npm-ci: npm ci in $dir did not finish in 3 tries; is the npm registry reachable?" >&2
exit 1
