#!/usr/bin/env bash
# Runs each native unit-test binary given as an argument, keeping its TAP
# output in build/results/unit-NAME.tap.  Exits non-zero if any failed.
set -uo pipefail
res=build/results
mkdir -p "$res"
rc=0
for t in "$@"; do
	name=$(basename "$t")
	echo "# unit: $name"
	if ! (cd "$(dirname "$0")/../.." && "$t") >"$res/unit-$name.tap" 2>&1; then
		rc=1
	fi
	grep -E '^(not )?ok ' "$res/unit-$name.tap" | sed "s/^/  [$name] /"
done
exit $rc
