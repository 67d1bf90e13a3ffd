#!/usr/bin/env bash
# bench_tables.sh - tests/tools/bench-tables.sh writes what bench.txt holds:
# feeds it a made-up bench.txt in a copy of the documents and checks that
# the exit table carries the interrupt-delivery rows (median, min-max,
# multiple of the floor), that the Linux table has a row per configuration
# with its guest cycles, that a missing figure becomes "?", that text
# outside the markers is kept, and that a second run changes nothing.  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

mkdir -p "$tmp/tests/tools" "$tmp/docs" "$tmp/build/results"
cp tests/tools/bench-tables.sh "$tmp/tests/tools/"
cp README.md "$tmp/"
cp docs/*.md "$tmp/docs/"
cat >"$tmp/build/results/bench.txt" <<'TXT'
# cpu: Test CPU
# kernel: 6.1.0-test
# runs: 5
fig floor 100 100 101
fig cpuid 400 420 430
fig timer_spin 4000 5000 6000
fig timer_hlt 7000 9000 12000
fig linux_ept_1 4.2 150148 22442 480 yes 1234567
fig linux_shadow_2 5.1 300000 40000 1300 no 7654321
# host cpu: Test Host
TXT

# ok COND NAME
ok() {
	n=$((n + 1))
	if eval "$1"; then
		echo "ok $n - $2"
	else
		failed=1
		echo "not ok $n - $2"
	fi
}

out=$("$tmp/tests/tools/bench-tables.sh" 2>&1)
rc=$?
ok '[ $rc = 0 ]' "bench-tables.sh ends with status 0"; [ $rc = 0 ] || sed "s/^/#   /" <<<"$out"
v=$tmp/docs/vmexit-path.md
ok 'grep -qF "(guest spinning) | 5,000 (4,000–6,000) | 50.0× |" "$v"' \
	"docs/vmexit-path.md: the timer row, guest spinning, median (min–max) and x floor"
ok 'grep -qF "waiting in HLT | 9,000 (7,000–12,000) | 90.0× |" "$v"' \
	"docs/vmexit-path.md: the timer row, guest in HLT"
ok 'grep -qF "(guest spinning) | 5,000 (4,000–6,000) | 50.0× |" "$tmp/README.md"' \
	"README.md's exit table has the timer rows too"
ok 'grep -qF "| VMCALL no-op, handled in the module (fast path) | ? (?–?) | ? |" "$v"' \
	"a figure bench.txt lacks is written as ?"
ok 'grep -qF "### From a timer interrupt to the guest" "$v"' \
	"the text after the table's end marker is kept"
l=$tmp/docs/booting-linux.md
ok 'grep -qF "| EPT, 1 vCPU | 4.2 | 1,234,567 | 150,148 | 22,442 | 480 | yes |" "$l"' \
	"docs/booting-linux.md: the EPT, 1 vCPU row with its guest cycles"
ok 'grep -qF "| shadow, 2 vCPU | 5.1 | 7,654,321 | 300,000 | 40,000 | 1,300 | no |" "$l"' \
	"docs/booting-linux.md: the shadow, 2 vCPU row"
ok 'grep -qF "| EPT, 2 vCPU | ? | ? | ? | ? | ? | ? |" "$l"' \
	"docs/booting-linux.md: a configuration bench.txt lacks is all ?"
cp -r "$tmp/docs" "$tmp/docs.1"
"$tmp/tests/tools/bench-tables.sh" >/dev/null 2>&1
ok 'diff -r "$tmp/docs" "$tmp/docs.1" >/dev/null' "a second run with the same bench.txt changes nothing"
echo "1..$n"
exit $failed
