# preload.bash - sourced by the native tests that run user/hvlab against
# stand-ins loaded with LD_PRELOAD (fake_hvlab.c for /dev/hvlab,
# slow_run.c to slow HVLAB_RUN down).  Run from the top of the checkout.

# build_preload NAME OUT: compiles tests/native/helpers/NAME.c into the
# shared object OUT; on failure prints a one-test TAP failure and exits 1.
build_preload() {
	if ! ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -Iinclude -Iuser \
		-o "$2" "tests/native/helpers/$1.c" -ldl; then
		echo "not ok 1 - build helpers/$1.c"
		echo "1..1"
		exit 1
	fi
}

# wait_bounded PID SECONDS: `wait PID`, but a process that has not ended
# after SECONDS is killed (SIGKILL), so a hung `hvlab run` in the background
# fails its test (status 137) instead of hanging the script.  Sets rc.
# The watchdog is stopped with SIGKILL: a catchable signal can reach the
# forked subshell before it has dropped the caller's EXIT trap, which would
# then run there (and remove the caller's temporary files).
wait_bounded() {
	local wd
	( sleep "$2"; kill -KILL "$1" ) >/dev/null 2>&1 &
	wd=$!
	wait "$1" 2>/dev/null
	rc=$?
	kill -KILL "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	return 0
}
