#!/usr/bin/env bash
# fuzz_short.sh - make check's bounded fuzzing: every libFuzzer target in
# tests/fuzz/ for ~25 s (tests/tools/fuzz.sh short).  One TAP line per
# target; the number of executions that ran clean is a TAP comment.
# FUZZ_SECONDS changes the time per target.
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || { printf 'not ok 1 - clang missing (make deps)\n1..1\n'; exit 1; }
ls tests/fuzz/fuzz_*.c >/dev/null 2>&1 || { printf 'not ok 1 - no fuzz targets in tests/fuzz\n1..1\n'; exit 1; }
n=0
while read -r line; do
	case $line in
	"fuzz "*": OK "*)
		n=$((n + 1))
		t=${line#fuzz }; t=${t%%:*}
		echo "ok $n - fuzz $t runs clean"
		echo "# $line" ;;
	"fuzz "*)
		n=$((n + 1))
		t=${line#fuzz }; t=${t%%:*}
		echo "not ok $n - fuzz $t"
		echo "# $line" ;;
	*)
		echo "# $line" ;;
	esac
done < <(tests/tools/fuzz.sh short 2>&1)
[ $n -eq 0 ] && { echo "not ok 1 - fuzz.sh ran no target"; n=1; }
echo "1..$n"
