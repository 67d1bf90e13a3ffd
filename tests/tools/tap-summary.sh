#!/usr/bin/env bash
# Counts top-level TAP results in the files given and prints the one line
# make check ends with: "N passed, N failed, N skipped".  Exits 1 if any
# test failed or no test ran at all.
set -uo pipefail
tr -d '\r' < <(cat "$@" 2>/dev/null) | awk '
	/^ok [0-9]+.*# *[Ss][Kk][Ii][Pp]/ { skip++; next }
	/^ok [0-9]+/                      { pass++; next }
	/^not ok [0-9]+.*# *[Ss][Kk][Ii][Pp]/ { skip++; next }
	/^not ok [0-9]+/                  { fail++; print "FAILED: " $0; next }
	END {
		printf "%d passed, %d failed, %d skipped\n", pass, fail, skip
		exit (fail > 0 || pass + skip == 0) ? 1 : 0
	}'
