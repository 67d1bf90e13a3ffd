# tap-lib.bash - how make check runs one TAP-producing program (sourced by
# tests/tools/check.sh and tests/tools/run-unit.sh, from the top of the
# checkout).
#
# run_tap NAME LIMIT CMD...
#   runs CMD under `timeout -k 10 LIMIT`, its stdout and stderr kept in
#   build/results/NAME.tap, and writes "STATUS LIMIT" to
#   build/results/NAME.exit.  tests/tools/tap-summary.sh reads both: a
#   missing or short plan, a non-zero status without a failed result and a
#   time-out (status 124, or 137 when the KILL was needed) are failures
#   there, whatever the output says.  Returns CMD's status.
#
# The limit of every program can be scaled with HVLAB_TIME_SCALE (an
# integer factor, for slow machines).

RESULTS=${RESULTS:-build/results}

run_tap() {
	local name=$1 limit=$2 rc
	shift 2
	limit=$((limit * ${HVLAB_TIME_SCALE:-1}))
	mkdir -p "$RESULTS"
	timeout -k 10 "$limit" "$@" >"$RESULTS/$name.tap" 2>&1 </dev/null
	rc=$?
	echo "$rc $limit" >"$RESULTS/$name.exit"
	return $rc
}
