#!/usr/bin/env bash
# tap_summary.sh - make check's count cannot lose results: feeds
# tests/tools/tap-summary.sh (and run_tap of tests/tools/tap-lib.bash, and
# check.sh's vm_pass) programs that die, hang, plan wrongly or write
# nothing, and checks that each is counted as a failure; that skips are
# grouped by reason; and that the last line keeps its exact form.  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
SUM=$TOP/tests/tools/tap-summary.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

# check NAME WANT-LAST-LINE WANT-STATUS [GREP...] -- FILE...: runs the
# summary over FILE..., compares its last line and status, and greps its
# whole output for each GREP
check() {
	local name=$1 want=$2 wrc=$3 out rc bad=0
	shift 3
	local pats=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	out=$("$SUM" "$@" 2>&1)
	rc=$?
	[ "$(tail -n 1 <<<"$out")" = "$want" ] && [ "$rc" = "$wrc" ] || bad=1
	for p in "${pats[@]}"; do grep -qF -- "$p" <<<"$out" || bad=1; done
	n=$((n + 1))
	if [ $bad = 0 ]; then
		echo "ok $n - $name"
	else
		failed=1
		echo "not ok $n - $name (status $rc, want $wrc; want last line '$want')"
		sed 's/^/#   /' <<<"$out"
	fi
}

printf 'ok 1 - a\nok 2 - b\n1..2\n' >"$tmp/good.tap"
check "a complete file counts its results" "2 passed, 0 failed, 0 skipped" 0 -- "$tmp/good.tap"

{ echo "1..40"; echo "ok 1 - a"; echo "ok 2 - b"; } >"$tmp/short.tap"
check "a script that died after 2 of 40 planned results is a failure" \
	"2 passed, 1 failed, 0 skipped" 1 "planned 40 results, reported 2" -- "$tmp/short.tap"

printf 'ok 1 - a\nok 2 - b\n' >"$tmp/noplan.tap"
check "results without a plan (output ended early) are a failure" \
	"2 passed, 1 failed, 0 skipped" 1 "no TAP plan" -- "$tmp/noplan.tap"

check "a TAP file that was never written is a failure" \
	"2 passed, 1 failed, 0 skipped" 1 "no output at all" -- "$tmp/good.tap" "$tmp/vm.tap"

: >"$tmp/empty.tap"
check "an empty TAP file is a failure" "0 passed, 1 failed, 0 skipped" 1 -- "$tmp/empty.tap"

cp "$tmp/good.tap" "$tmp/crash.tap"
echo "139 60" >"$tmp/crash.exit"
check "exit status 139 after a clean TAP stream is a failure" \
	"2 passed, 1 failed, 0 skipped" 1 "exit status 139 without a failed result" -- "$tmp/crash.tap"

{
	echo "# RUN a"; echo "# a.c:3: Expected 1 == 2"; echo "ok 1 - a"
	for i in 1 2 3 4 5 6 7 8 9; do echo "# line $i"; done
	echo "# t.c:12: Expected 0x94 (148) == port (149)"; echo "not ok 2 - b"; echo "1..2"
} >"$tmp/why.tap"
check "a failure is listed with the diagnostics its test printed before it" \
	"1 passed, 1 failed, 0 skipped" 1 "    # t.c:12: Expected 0x94" "    # line 3" -- "$tmp/why.tap"
out=$("$SUM" "$tmp/why.tap")
n=$((n + 1))
if grep -q "line 1$\|a.c:3" <<<"$out"; then
	failed=1
	echo "not ok $n - only the last 8 lines since the previous result are shown"
	sed 's/^/#   /' <<<"$out"
else
	echo "ok $n - only the last 8 lines since the previous result are shown"
fi

printf 'not ok 1 - a\n1..1\n' >"$tmp/notok.tap"
echo "1 60" >"$tmp/notok.exit"
check "a failed result and exit 1 count once" "0 passed, 1 failed, 0 skipped" 1 -- "$tmp/notok.tap"

printf 'ok 1 - x # SKIP no VT-x\nok 2 - y # skip no VT-x\nok 3 - z # SKIP kvm-intel missing\n1..3\n' >"$tmp/skips.tap"
printf '1..0 # SKIP no VT-x\n' >"$tmp/skipall.tap"
check "skips are counted and grouped by reason" "0 passed, 0 failed, 4 skipped" 0 \
	"SKIPPED: 3 x no VT-x" "SKIPPED: 1 x kvm-intel missing" -- "$tmp/skips.tap" "$tmp/skipall.tap"

check "nothing ran at all is a failure" "0 passed, 0 failed, 0 skipped" 1 --

printf 'ok 1 - a\nBail out! no disk\n' >"$tmp/bail.tap"
check "Bail out! is a failure" "1 passed, 2 failed, 0 skipped" 1 "Bail out! no disk" -- "$tmp/bail.tap"

# run_tap: a program that hangs is killed at its limit and counted
cat >"$tmp/hang.sh" <<'EOF'
#!/bin/sh
echo "1..2"
echo "ok 1 - before the hang"
sleep 600
EOF
chmod +x "$tmp/hang.sh"
(RESULTS=$tmp/r; . tests/tools/tap-lib.bash; HVLAB_TIME_SCALE=1 run_tap hang 1 "$tmp/hang.sh")
check "a program killed at its time limit is a failure, its output kept" \
	"1 passed, 2 failed, 0 skipped" 1 "killed after its time limit of 1 s" -- "$tmp/r/hang.tap"

# vm_pass: run-suite.sh that dies before writing its TAP (a stand-in, run
# in a copy of the checkout's tools) is one counted failure
mkdir -p "$tmp/co/tests/tools" "$tmp/co/tests/vm" "$tmp/co/tests/native" "$tmp/co/tests/unit"
cp tests/tools/check.sh tests/tools/tap-lib.bash tests/tools/tap-summary.sh "$tmp/co/tests/tools/"
printf '#!/bin/sh\nexit 0\n' >"$tmp/co/tests/tools/deps.sh"
printf '#!/bin/sh\nexit 0\n' >"$tmp/co/tests/tools/run-unit.sh"
printf 'all unit-bins guests:\n\t@true\n' >"$tmp/co/Makefile"
printf '#!/bin/sh\necho "building"; exit 1\n' >"$tmp/co/tests/vm/run-suite.sh"
cp "$tmp/co/tests/vm/run-suite.sh" "$tmp/co/tests/vm/dkms-check.sh"
chmod +x "$tmp/co/tests/tools/"*.sh "$tmp/co/tests/vm/"*.sh
(cd "$tmp/co" && HVLAB_SKIP_VM=0 tests/tools/check.sh >"$tmp/check.out" 2>&1)
rc=$?
n=$((n + 1))
# one failure per VM pass that check.sh runs
passes=$(grep -cE '^[[:space:]]*vm_pass ' tests/tools/check.sh)
if [ $rc = 1 ] && [ "$passes" -ge 2 ] &&
   [ "$(tail -n 1 "$tmp/check.out")" = "0 passed, $passes failed, 0 skipped" ] &&
   grep -qE "VM pass [^:]+: run-suite.sh ended \(status 1\) without writing" "$tmp/check.out"; then
	echo "ok $n - a VM pass that wrote no TAP is a counted failure (check.sh, vm_pass)"
else
	failed=1
	echo "not ok $n - a VM pass that wrote no TAP is a counted failure (check.sh, vm_pass): status $rc"
	sed 's/^/#   /' "$tmp/check.out" | tail -15
fi

echo "1..$n"
exit $failed
