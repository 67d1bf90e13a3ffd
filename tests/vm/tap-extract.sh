#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tap-extract.sh - turns the VM's serial log into one valid TAP stream.
#
#   tests/vm/tap-extract.sh [--reason TEXT] [--fail TEXT]... [--drop-labs] SERIAL_LOG > vm.tap
#
# The log holds boot noise, kernel messages, CR-LF line ends and, between
# the markers written by tests/vm/init.sh, the TAP of each test program:
#
#   ##HVLAB## begin-suite
#   ##HVLAB## begin NAME   ...its TAP...   ##HVLAB## end NAME STATUS
#   ##HVLAB## end-suite
#
# Each program numbers its results from 1; here they are renumbered into
# one sequence, named "NAME: description", with a single plan at the end.
# Everything else inside the markers becomes a "#" comment, so nothing a
# program prints can be mistaken for a result; outside them, lines are
# dropped.  A program that
#   - ends with fewer results than its plan announced,
#   - ends without any result, or
#   - exits non-zero (other than 4, kselftest's "skipped") with no failure
# gets one extra "not ok".  A program that began but never ended, a suite
# that never started or never finished (Bochs died, the time limit hit),
# each add a "not ok" carrying --reason.  Each --fail TEXT is one more
# "not ok - TEXT" ahead of everything else (run-suite.sh: a failed build
# step).  --drop-labs leaves out the programs named labN/... (the labs'
# starter modules, labs/tools/vm-starters.sh, which fail on purpose: a
# pass that also carries them keeps their results in a file of their own).
# Exit status: 0 if every result is ok, 1 otherwise.
set -euo pipefail

reason=""
fails=""
droplabs=0
while [ $# -gt 1 ]; do
	case "$1" in
	--reason) reason=$2; shift 2 ;;
	--fail) fails="$fails$2"$'\n'; shift 2 ;;
	--drop-labs) droplabs=1; shift ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--reason TEXT] [--fail TEXT]... [--drop-labs] SERIAL_LOG" >&2; exit 2; }
log=$1
[ -r "$log" ] || { echo "tap-extract: cannot read $log" >&2; log=/dev/null; }

tr -d '\r' <"$log" | awk -v drop="$droplabs" '
	# --drop-labs: the labN/ programs, from their begin to their end
	drop && /^##HVLAB## begin lab[0-9]+\// { skip = 1 }
	/^##HVLAB## end-suite/ { skip = 0 }
	!skip { print }
	drop && /^##HVLAB## end lab[0-9]+\// { skip = 0 }' | awk -v reason="$reason" -v fails="$fails" '
function result(ok, desc) {
	n++
	if (!ok)
		failed++
	printf "%s %d - %s\n", ok ? "ok" : "not ok", n, desc
}
function why() { return reason == "" ? "" : " (" reason ")" }
function close_prog(status) {
	if (got == 0)
		result(0, prog ": no results (exit status " status ")")
	else if (plan > got)
		result(0, prog ": planned " plan " results, reported " got)
	if (status != 0 && status != 4 && prog_fail == 0 && got > 0)
		result(0, prog ": exit status " status " without a failed result")
	prog = ""
}
BEGIN {
	n = 0; failed = 0; insuite = 0; done = 0; prog = ""
	nf = split(fails, fl, "\n")
	for (i = 1; i <= nf; i++)
		if (fl[i] != "")
			result(0, fl[i])
}
/^##HVLAB## begin-suite/ { insuite = 1; next }
!insuite { next }
done { next }
/^##HVLAB## end-suite/ {
	if (prog != "")
		result(0, prog ": did not finish" why())
	done = 1
	next
}
/^##HVLAB## begin / {
	if (prog != "")
		result(0, prog ": did not finish")
	prog = $3; got = 0; plan = 0; prog_fail = 0; lastrun = ""
	print "# " prog
	next
}
/^##HVLAB## end / {
	if (prog != "")
		close_prog($4 == "" ? 0 : $4 + 0)
	next
}
prog == "" { if ($0 != "") print "# " $0; next }
/^(not )?ok [0-9]+/ {
	ok = ($1 == "ok")
	desc = $0
	sub(/^(not )?ok [0-9]+ *(- *)?/, "", desc)
	# kselftest prints "ok N # SKIP reason" without the test name.
	if (desc ~ /^#/ && lastrun != "")
		desc = lastrun " " desc
	got++
	# A SKIP or TODO directive does not count as a failure.
	if (!ok && desc !~ /# *(SKIP|skip|TODO|todo)/)
		prog_fail++
	n++
	if (!ok && desc !~ /# *(SKIP|skip|TODO|todo)/)
		failed++
	printf "%s %d - %s: %s\n", ok ? "ok" : "not ok", n, prog, desc
	next
}
/^# +RUN +/ { lastrun = $3; print; next }
/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; print "# plan " $1; next }
/^TAP version/ { next }
/^#/ { print; next }
{ print "# " $0 }
END {
	if (!insuite)
		result(0, "VM suite: the suite never started" why())
	else if (!done) {
		if (prog != "")
			result(0, prog ": did not finish" why())
		result(0, "VM suite: did not finish" why())
	}
	print "1.." n
	exit failed ? 1 : 0
}'
