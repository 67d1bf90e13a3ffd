#!/usr/bin/env bash
# bench_tables.sh - tests/tools/bench-tables.sh writes what bench.txt holds:
# feeds it a made-up bench.txt in a copy of the documents and checks that
# the exit table carries the interrupt-delivery rows (median, min-max,
# multiple of the floor), that the Linux table has a row per configuration
# with its guest cycles, that a missing figure becomes "?", that text
# outside the markers is kept, and that a second run changes nothing.
# Then an AMD bench-amd.txt (--amd): the AMD exit table gets its rows, a
# figure the SVM backend did not give becomes "n/a on SVM: reason", and
# nothing outside that table changes (the Intel tables stay as they were);
# a file without the AMD header is refused with --amd.  The side-by-side
# table in docs/svm.md is written once both runs exist, each figure over
# its own run's floor.  A run without
# Linux boots leaves the Linux table alone.  TAP.
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
ok 'cmp -s docs/svm.md "$tmp/docs/svm.md"' \
	"without an AMD run the side-by-side table in docs/svm.md is left as it was"

# the AMD region, from an AMD run's file
cat >"$tmp/build/results/bench-amd.txt" <<'TXT'
# cpu: AMD Test FX
# kernel: 6.1.0-test
# vendor: AMD SVM
# runs: 3
fig floor 200 200 210
fig cpuid 900 1000 1100
fig vmcall 800 850 900
fig out 5000 6000 7000
na cr3 shadow paging (--paging shadow)
fig timer_spin 9000 10000 11000
# host cpu: Test Host
TXT
cp "$tmp/README.md" "$tmp/README.md.1"
out=$("$tmp/tests/tools/bench-tables.sh" --amd 2>&1)
rc=$?
ok '[ $rc = 0 ]' "bench-tables.sh --amd ends with status 0"; [ $rc = 0 ] || sed "s/^/#   /" <<<"$out"
ok 'grep -qF "| the floor: #VMEXIT, CPUID answered, RIP from NRIP, VMRUN (\`--bench-floor\`) | 200 (200–210) | 1.0× | |" "$v"' \
	"docs/vmexit-path.md: the AMD table's floor row"
ok 'grep -qF "| CPUID, handled in the module (fast path) | 1,000 (900–1,100) | 5.0× | 3× |" "$v"' \
	"docs/vmexit-path.md: the AMD CPUID row as a multiple of the AMD floor"
ok 'grep -qF "| VMMCALL no-op, handled in the module (fast path) | 850 (800–900) | 4.2× | 3× |" "$v"' \
	"docs/vmexit-path.md: the AMD VMMCALL row"
ok 'grep -qF "two exits) | n/a on SVM: the backend does not offer shadow paging (--paging shadow) yet | | 6× |" "$v"' \
	"docs/vmexit-path.md: a figure the SVM backend did not give is n/a with its reason"
ok 'grep -qF "waiting in HLT | ? (?–?) | ? | |" "$v"' \
	"docs/vmexit-path.md: an AMD figure bench-amd.txt lacks is written as ?"
ok 'grep -qF "Measured by \`HVLAB_BENCH_CPU=amd make bench\` on " "$v" && grep -qF "(emulated CPU \"AMD Test FX\", host CPU \"Test Host\", kernel 6.1.0-test): median of 3 runs" "$v"' \
	"docs/vmexit-path.md: the AMD table names its run, CPU and kernel"
# strip FILE: FILE without the lines inside the exits_amd region
strip() {
	awk '/^<!-- bench-tables:exits_amd end/ { s = 0 } !s { print } /^<!-- bench-tables:exits_amd begin/ { s = 1 }' "$1"
}
ok 'diff <(strip "$tmp/docs.1/vmexit-path.md") <(strip "$v") >/dev/null && diff -r -x vmexit-path.md -x svm.md "$tmp/docs.1" "$tmp/docs" >/dev/null && cmp -s "$tmp/README.md" "$tmp/README.md.1"' \
	"--amd adds to the AMD tables only: the Intel tables and every other file unchanged"
sv=$tmp/docs/svm.md
ok 'grep -qF "| CPUID, handled in the module (fast path) | 420 (4.2×) | 1,000 (5.0×) |" "$sv"' \
	"docs/svm.md: the side-by-side row, each vendor as a multiple of its own floor"
ok 'grep -qF "| MOV from CR3 + MOV to CR3 (\`--paging shadow\`, a kept root) | ? (?) | n/a |" "$sv"' \
	"docs/svm.md: a figure one run lacks is ?, one the SVM backend did not give n/a"
ok 'grep -qF "(guest in HLT) | 9,000 (90.0×) | ? (?) |" "$sv" && grep -qF "CPU \"Test CPU\") and" "$sv" && grep -qF "CPU \"AMD Test FX\") in Bochs" "$sv"' \
	"docs/svm.md: the Intel column is the Intel run's, and the line under it names both CPUs"
ok 'grep -qF "(guest spinning) | 5,000 (4,000–6,000) | 50.0× |" "$v"' \
	"docs/vmexit-path.md: the Intel timer row is still the Intel run's"
cp "$v" "$tmp/vmexit-path.amd"
"$tmp/tests/tools/bench-tables.sh" >/dev/null 2>&1
ok 'cmp -s "$v" "$tmp/vmexit-path.amd"' "an Intel run leaves the AMD table as it was"
cp "$l" "$tmp/linux.before"
grep -v '^fig linux_' "$tmp/build/results/bench.txt" >"$tmp/nolinux.txt"
"$tmp/tests/tools/bench-tables.sh" "$tmp/nolinux.txt" >/dev/null 2>&1
ok 'cmp -s "$l" "$tmp/linux.before" && grep -qF "| EPT, 1 vCPU | 4.2 |" "$l"' \
	"a run without Linux boots leaves the Linux table as it was"

ok '! "$tmp/tests/tools/bench-tables.sh" --amd "$tmp/build/results/bench.txt" >/dev/null 2>&1' \
	"--amd refuses a file that is not from an AMD run"
echo "1..$n"
exit $failed
