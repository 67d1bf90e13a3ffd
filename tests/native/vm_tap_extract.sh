#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm_tap_extract.sh - checks tests/vm/tap-extract.sh, the step that turns
# the Bochs serial log into build/results/vm.tap, without booting anything.
#
# Inputs: a serial log recorded from a real run (tests/vm/testdata/, CR-LF
# line ends, kernel boot messages, failing and skipped tests) and small
# synthetic logs for the ways a run goes wrong (timeout mid-program, a VM
# that never reached the suite, a program that crashed or under-reported).
# Each case checks the exact results and that the output is valid TAP:
# numbered 1..N in order, one plan line matching N, no CR, and that
# tests/tools/tap-summary.sh counts it as intended.
set -uo pipefail
cd "$(dirname "$0")/../.."

X=tests/vm/tap-extract.sh
SUMMARY=tests/tools/tap-summary.sh
REC=tests/vm/testdata/serial-recorded.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
fails=0
check() {	# check NAME COMMAND...: one TAP result
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/why" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/#   /' "$tmp/why"
		fails=$((fails + 1))
	fi
}

# valid_tap FILE: results numbered 1..N in order, then exactly "1..N".
valid_tap() {
	awk '
		/\r/ { print "CR in output, line " NR; bad = 1 }
		/^(not )?ok / {
			num = ($1 == "ok") ? $2 : $3
			if (num != ++k) { print "result " k " numbered " num; bad = 1 }
			if (plan) { print "result after the plan"; bad = 1 }
			next
		}
		/^1\.\.[0-9]+$/ { plans++; plan = substr($0, 4) + 0; next }
		/^#/ || /^$/ { next }
		{ print "not TAP: " $0; bad = 1 }
		END {
			if (plans != 1) { print plans " plan lines"; bad = 1 }
			if (plan != k) { print "plan " plan " but " k " results"; bad = 1 }
			exit bad
		}' "$1"
}

has_line() { grep -qxF -- "$2" "$1" || { echo "missing: $2"; echo "got:"; grep -E '^(not )?ok|^1\.\.' "$1"; return 1; }; }
lacks() { ! grep -qE -- "$2" "$1" || { echo "unexpected: $(grep -E -- "$2" "$1")"; return 1; }; }
status_is() { [ "$1" = "$2" ] || { echo "exit status $1, wanted $2"; return 1; }; }
summary_is() { local s; s=$("$SUMMARY" "$1" | tail -n 1); [ "$s" = "$2" ] || { echo "summary '$s', wanted '$2'"; return 1; }; }

# --- 1. the recorded log of a real run ---------------------------------
"$X" "$REC" >"$tmp/rec.tap"
rc=$?
check "recorded log: valid TAP" valid_tap "$tmp/rec.tap"
check "recorded log: exit status 1 (it has failures)" status_is "$rc" 1
check "recorded log: 24 results" has_line "$tmp/rec.tap" "1..24"
check "recorded log: results renumbered across programs" \
	has_line "$tmp/rec.tap" "ok 11 - test_kvm_coexist: kvm.probe_is_ebusy_while_kvm_holds_vmx"
check "recorded log: failures keep their program and test name" \
	has_line "$tmp/rec.tap" "not ok 16 - test_module: global.rmmod_insmod_ten_times"
check "recorded log: pseudo-programs of init.sh are results" \
	has_line "$tmp/rec.tap" "ok 24 - kernel-log: kernel log clean"
check "recorded log: boot messages are dropped" lacks "$tmp/rec.tap" "Firmware Bug|perfctr"
check "recorded log: program output is commented out" lacks "$tmp/rec.tap" "^[^#on1]"
check "recorded log: tap-summary counts it" summary_is "$tmp/rec.tap" "17 passed, 6 failed, 1 skipped"

# --- 2. a clean run, CR-LF, kernel noise between programs ---------------
printf '%s\r\n' \
	"SeaBIOS (version 1.16)" "ok 99 - boot noise that looks like TAP" \
	"[    1.0] Run /init as init process" \
	"##HVLAB## begin-suite" \
	"##HVLAB## begin setup" "1..1" "ok 1 - insmod hvlab.ko" "##HVLAB## end setup 0" \
	"[    2.0] random: crng init done" \
	"##HVLAB## begin test_a" "TAP version 13" "1..2" \
	"#  RUN           dev.one ..." "ok 1 dev.one" \
	"#  RUN           dev.two ..." "# dev.two: kvm-intel missing" "ok 2 # SKIP kvm-intel missing" \
	"    ok 1 - an indented subtest line" \
	"##HVLAB## end test_a 0" \
	"##HVLAB## begin t_x.sh" "1..1" "ok 1 - x works" "##HVLAB## end t_x.sh 0" \
	"##HVLAB## end-suite" "[    3.0] reboot: Power down" >"$tmp/clean.log"
"$X" "$tmp/clean.log" >"$tmp/clean.tap"
rc=$?
check "clean run: valid TAP" valid_tap "$tmp/clean.tap"
check "clean run: exit status 0" status_is "$rc" 0
check "clean run: TAP-looking boot noise is not a result" has_line "$tmp/clean.tap" "1..4"
check "clean run: a SKIP keeps its test name and reason" \
	has_line "$tmp/clean.tap" "ok 3 - test_a: dev.two # SKIP kvm-intel missing"
check "clean run: indented lines are not top-level results" \
	has_line "$tmp/clean.tap" "#     ok 1 - an indented subtest line"
check "clean run: tap-summary counts it" summary_is "$tmp/clean.tap" "3 passed, 0 failed, 1 skipped"

# --- 3. the time limit hit in the middle of a program --------------------
printf '%s\r\n' "##HVLAB## begin-suite" \
	"##HVLAB## begin test_slow" "1..3" "ok 1 first" "ok 2 second" >"$tmp/cut.log"
"$X" --reason "timed out after 900s" "$tmp/cut.log" >"$tmp/cut.tap"
rc=$?
check "timeout: valid TAP" valid_tap "$tmp/cut.tap"
check "timeout: exit status 1" status_is "$rc" 1
check "timeout: the unfinished program fails with the reason" \
	has_line "$tmp/cut.tap" "not ok 3 - test_slow: did not finish (timed out after 900s)"
check "timeout: the suite fails with the reason" \
	has_line "$tmp/cut.tap" "not ok 4 - VM suite: did not finish (timed out after 900s)"

# --- 4. the suite never started (boot failed / Bochs died) ---------------
printf '%s\r\n' "SeaBIOS (version 1.16)" "[    0.5] Kernel panic - not syncing: VFS" >"$tmp/nostart.log"
"$X" --reason "kernel panic in the VM" "$tmp/nostart.log" >"$tmp/nostart.tap"
rc=$?
check "never started: valid TAP" valid_tap "$tmp/nostart.tap"
check "never started: exit status 1" status_is "$rc" 1
check "never started: one failure carrying the reason" \
	has_line "$tmp/nostart.tap" "not ok 1 - VM suite: the suite never started (kernel panic in the VM)"
: >"$tmp/empty.log"
"$X" "$tmp/empty.log" >"$tmp/empty.tap"
check "empty log: counted as a failure" summary_is "$tmp/empty.tap" "0 passed, 1 failed, 0 skipped"

# --- 5. programs that misbehave without saying "not ok" -----------------
printf '%s\n' "##HVLAB## begin-suite" \
	"##HVLAB## begin test_short" "1..3" "ok 1 a" "##HVLAB## end test_short 0" \
	"##HVLAB## begin test_crash" "##HVLAB## end test_crash 139" \
	"##HVLAB## begin test_liar" "1..1" "ok 1 fine" "##HVLAB## end test_liar 2" \
	"##HVLAB## begin test_skipall" "1..1" "ok 1 # SKIP no kvm" "##HVLAB## end test_skipall 4" \
	"##HVLAB## end-suite" >"$tmp/bad.log"
"$X" "$tmp/bad.log" >"$tmp/bad.tap"
rc=$?
check "misbehaving programs: valid TAP" valid_tap "$tmp/bad.tap"
check "misbehaving programs: exit status 1" status_is "$rc" 1
check "fewer results than planned is a failure" \
	has_line "$tmp/bad.tap" "not ok 2 - test_short: planned 3 results, reported 1"
check "a program that crashed before any result is a failure" \
	has_line "$tmp/bad.tap" "not ok 3 - test_crash: no results (exit status 139)"
check "a non-zero exit without a failed result is a failure" \
	has_line "$tmp/bad.tap" "not ok 5 - test_liar: exit status 2 without a failed result"
check "exit status 4 (kselftest skip) is not a failure" \
	summary_is "$tmp/bad.tap" "2 passed, 3 failed, 1 skipped"

# --- 5b. a failed build step (run-suite.sh --fail) ------------------------
"$X" --fail "VM suite 6.1-ept: build of guests failed (log: x.log)" "$tmp/clean.log" >"$tmp/bfail.tap"
rc=$?
check "failed build: valid TAP" valid_tap "$tmp/bfail.tap"
check "failed build: exit status 1" status_is "$rc" 1
check "failed build: one counted failure ahead of the results" \
	has_line "$tmp/bfail.tap" "not ok 1 - VM suite 6.1-ept: build of guests failed (log: x.log)"
check "failed build: the VM's results follow" summary_is "$tmp/bfail.tap" "3 passed, 1 failed, 1 skipped"

# --- 5c. a pass that carries the labs' starters (--drop-labs) ------------
printf '%s\r\n' "##HVLAB## begin-suite" "##HVLAB## begin setup" "1..1" "ok 1 - insmod" \
	"##HVLAB## end setup 0" "##HVLAB## begin lab13/setup" "1..1" "not ok 1 - insmod starter" \
	"##HVLAB## end lab13/setup 0" "##HVLAB## begin lab13/test_run_basic" "1..2" \
	"not ok 1 run.hello" "not ok 2 run.io" "##HVLAB## end lab13/test_run_basic 1" \
	"##HVLAB## begin lab13/kernel-log" "1..1" "ok 1 - kernel log clean" \
	"##HVLAB## end lab13/kernel-log 0" "##HVLAB## end-suite" >"$tmp/labs.log"
"$X" --drop-labs "$tmp/labs.log" >"$tmp/nolabs.tap"
rc=$?
"$X" "$tmp/labs.log" >"$tmp/withlabs.tap"
check "--drop-labs: valid TAP" valid_tap "$tmp/nolabs.tap"
check "--drop-labs: exit status 0" status_is "$rc" 0
check "--drop-labs: only the suite's own results" summary_is "$tmp/nolabs.tap" "1 passed, 0 failed, 0 skipped"
check "without it: the starters' results are there" \
	has_line "$tmp/withlabs.tap" "not ok 4 - lab13/test_run_basic: run.io"

# --- 6. usage errors ------------------------------------------------------
usage_status() { "$X" >/dev/null 2>&1; status_is $? 2; }
check "no argument: usage error (status 2)" usage_status

echo "1..$n"
[ "$fails" -eq 0 ]
