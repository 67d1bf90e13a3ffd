#!/usr/bin/env bash
# run-unit.sh - runs each native unit-test binary given as an argument, each
# under a time limit (60 s, see tests/tools/tap-lib.bash), keeping its TAP
# output in build/results/unit-NAME.tap and its exit status beside it.  A
# binary that is missing (it did not build) gets a TAP file with one
# failure.  Prints every result and the count over them; exits non-zero if
# anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/tools/tap-lib.bash
files=()
for t in "$@"; do
	name=$(basename "$t")
	files+=("$RESULTS/unit-$name.tap")
	rm -f "$RESULTS/unit-$name.exit"
	echo "# unit: $name"
	if [ ! -x "$t" ]; then
		mkdir -p "$RESULTS"
		printf 'not ok 1 - %s did not build (see the make output, or build/logs/build.log under make check)\n1..1\n' \
			"$name" >"$RESULTS/unit-$name.tap"
	else
		run_tap "unit-$name" "${HVLAB_UNIT_LIMIT:-60}" "$t"
	fi
	grep -E '^(not )?ok ' "$RESULTS/unit-$name.tap" | sed "s/^/  [$name] /"
done
[ $# -gt 0 ] || exit 0
tests/tools/tap-summary.sh "${files[@]}"
