#!/usr/bin/env bash
# tap-summary.sh - counts the TAP results of make check and prints the one
# line it ends with: "N passed, N failed, N skipped".
#
#   tests/tools/tap-summary.sh [--brief] FILE.tap...
#
# Each file is one TAP stream, judged as a whole, so that no result can
# vanish without being counted:
#   - every top-level "ok"/"not ok" line is a result; "# SKIP REASON" makes
#     it a skip, "1..0 # SKIP REASON" is one skip for the whole file;
#   - a file that is missing or empty, has no plan "1..N", or a plan that
#     does not match its number of results (a program that died after 2 of
#     40) adds one failure;
#   - "Bail out!" adds one failure;
#   - FILE.exit, when present (written by run_tap in tap-lib.bash), holds
#     "STATUS LIMIT": 124 or 137 (killed by timeout) adds a failure, and so
#     does any other non-zero status but 4 (kselftest's "skipped") when the
#     file has no failed result.
# Without --brief, the failures are listed ("FAILED: [file] ..."), each
# followed by the last few "#" lines its test printed before the result
# (kselftest's assertion messages: the why of a CI failure), then the
# skips grouped by reason ("SKIPPED: N x REASON"), then the count line.
# Exit status: 1 if anything failed or nothing ran at all, else 0.
set -uo pipefail

brief=0
if [ "${1:-}" = --brief ]; then
	brief=1
	shift
fi

for f in "$@"; do
	name=$(basename "$f" .tap)
	echo "@@file $name $f"
	if [ -f "$f" ]; then
		tr -d '\r' <"$f"
	fi
	ex=${f%.tap}.exit
	if [ -f "$ex" ]; then
		echo "@@exit $(head -n 1 "$ex")"
	fi
	echo "@@end"
done | awk -v brief="$brief" '
function fail(text) { fail_n++; fails[fail_n] = "[" name "] " text }
# the diagnostics before a result: at most the last 8 "#" lines since the
# previous result, kept in a ring
function note(line) { notes[nnotes % 8] = line; nnotes++ }
function notes_of_failure(   i, s) {
	s = ""
	for (i = (nnotes > 8 ? nnotes - 8 : 0); i < nnotes; i++)
		s = s "\n    " notes[i % 8]
	return s
}
function skip(reason, n) {
	sub(/^[ \t]+/, "", reason)
	sub(/[ \t]+$/, "", reason)
	if (reason == "")
		reason = "(no reason given)"
	if (!(reason in skips))
		order[++nreasons] = reason
	skips[reason] += n
	skip_n += n
}
/^@@file / { nnotes = 0; name = $2; path = $3; lines = 0; res = 0; plan = -1; fpass = 0; ffail = 0; status = ""; limit = ""; next }
/^@@exit / { status = $2; limit = $3; next }
/^@@end$/ {
	if (lines == 0)
		fail("no output at all (" path ")")
	else if (plan < 0)
		fail("no TAP plan: the output ended early, " res " results (" path ")")
	else if (plan != res)
		fail("planned " plan " results, reported " res " (" path ")")
	if (status == "124" || status == "137")
		fail("killed after its time limit of " limit " s (output kept in " path ")")
	else if (status != "" && status != "0" && status != "4" && ffail == 0)
		fail("exit status " status " without a failed result (" path ")")
	next
}
{ lines++ }
/^[ \t]*#/ { note($0); next }
/^1\.\.[0-9]+/ {
	plan = substr($1, 4) + 0
	if (plan == 0 && match($0, /# *[Ss][Kk][Ii][Pp]/))
		skip(substr($0, RSTART + RLENGTH), 1)
	next
}
/^Bail out!/ { fail($0); next }
/^(not )?ok([ \t]|$)/ {
	res++
	if (match($0, /# *[Ss][Kk][Ii][Pp]/)) {
		skip(substr($0, RSTART + RLENGTH), 1)
		next
	}
	if ($1 == "ok") {
		pass_n++
		fpass++
	} else {
		ffail++
		fail($0 notes_of_failure())
	}
	nnotes = 0
}
END {
	if (!brief) {
		for (i = 1; i <= fail_n; i++)
			print "FAILED: " fails[i]
		for (i = 1; i <= nreasons; i++)
			printf "SKIPPED: %d x %s\n", skips[order[i]], order[i]
	}
	printf "%d passed, %d failed, %d skipped\n", pass_n, fail_n, skip_n
	exit (fail_n > 0 || pass_n + skip_n == 0) ? 1 : 0
}'
