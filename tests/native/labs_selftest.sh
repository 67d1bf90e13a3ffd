#!/usr/bin/env bash
# labs_selftest.sh - the lab course's grader proves itself (make
# grade-selftest): for every lab with native checks, the reference tree
# scores full marks and the student's starter tree compiles and scores
# zero.  Also: regions and stubs match for every lab (lint), a
# student tree refuses a non-empty destination, the hand-in holds the diff
# against the starter and the grade, VM results are read from a TAP file
# by test name, and with every lab's stub at once userspace and the module
# still build; where the VM checks run (VT-x detection, the native runner
# with stand-ins); the VM half of the proof (vm-selftest) graded from
# made-up TAP.  About 60 s.  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
LAB=$TOP/labs/tools/lab.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

result() {	# result OK NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

# one result per lab with native checks
"$LAB" selftest >"$tmp/selftest" 2>&1
while read -r line; do
	case "$line" in
	"ok lab "*) result 0 "${line#ok }" ;;
	"not ok lab "*) result 1 "${line#not ok }" ;;
	*) echo "# $line" ;;
	esac
done <"$tmp/selftest"
grep -qE '^(not )?ok lab ' "$tmp/selftest" || result 1 "selftest graded no lab"

"$LAB" lint >"$tmp/lint" 2>&1
rc=$?
sed 's/^/# /' "$tmp/lint"
result $rc "lint: every region has its stub and every stub its region"

# every stub at once: userspace builds, and so does the module where a
# kernel build tree is installed (the stubs of the VM-graded labs are
# compiled nowhere else)
rm -rf "$TOP/build/labs/stubs-all"
if "$LAB" stubs-tree "$TOP/build/labs/stubs-all" >/dev/null 2>&1 &&
	mkdir -p "$TOP/build/labs/stubs-all/build" &&
	{ cp -a "$TOP/build/user" "$TOP/build/kmod" "$TOP/build/libhvlab.a" \
		"$TOP/build/labs/stubs-all/build/" 2>/dev/null || true; } &&
	make -C "$TOP/build/labs/stubs-all" -s -j2 user >"$tmp/stubs-user.log" 2>&1; then
	rc=0
else
	rc=1
	tail -n 20 "$tmp/stubs-user.log" | sed 's/^/# /'
fi
result $rc "userspace builds with every lab's stub"
kdir=$(make -s -C "$TOP" -f - print-kdir 2>/dev/null <<'MK'
include Makefile
print-kdir: ; @echo $(KDIR)
MK
)
if [ -z "$kdir" ] || [ ! -d "$kdir" ]; then
	n=$((n + 1))
	echo "ok $n - the module builds with every lab's stub # SKIP no kernel build tree (make deps)"
else
	make -C "$TOP/build/labs/stubs-all" -s -j2 kmod KDIR="$kdir" >"$tmp/stubs-kmod.log" 2>&1
	rc=$?
	grep -E 'warning|error' "$tmp/stubs-kmod.log" | head -n 20 | sed 's/^/# /'
	! grep -qE 'warning|error' "$tmp/stubs-kmod.log" && [ $rc = 0 ]
	result $? "the module builds with every lab's stub, without warnings ($kdir)"
fi

# a student tree goes to an empty directory only
mkdir -p "$tmp/full" && touch "$tmp/full/x"
if "$LAB" tree 8 "$tmp/full" >/dev/null 2>&1; then rc=1; else rc=0; fi
result $rc "lab-tree refuses a non-empty DEST"

# the hand-in: the diff against the starter, and the grade
tree=$TOP/build/labs/tree-8
if [ -d "$tree/.git" ]; then
	(
		cd "$tree" &&
		echo '/* a change */' >>user/hw/uart16550.c &&
		labs/tools/lab.sh handin 8 >/dev/null 2>&1 &&
		tar -xzf handin-lab8.tar.gz -C "$tmp" &&
		grep -q 'a change' "$tmp/lab8.diff" &&
		grep -q '"score": 0' "$tmp/grade-lab8.json"
	)
	rc=$?
else
	rc=1
fi
result $rc "handin packs the diff against the starter and the grade"

# VM checks are found by program and test name in a TAP file
cat >"$tmp/vm.tap" <<'TAP'
ok 1 - setup: insmod hvlab.ko
not ok 2 - test_run_paging: run.cr3_trapped_random
ok 3 - test_run_paging: run.cr3_trapped_7
ok 4 - test_run_paging: run.cr3_trapped_100
ok 5 - test_run_paging: run.cr3_not_trapped
ok 6 - test_run_paging@shadow: run.cr3_trapped_random
ok 7 - test_run_paging@shadow: run.ptcache_kept_roots_stay_true
ok 8 - teardown: rmmod hvlab
ok 9 - kernel-log: kernel log clean
1..9
TAP
out=$(cd "$tmp" && HVLAB_LAB_VM_TAP=$tmp/vm.tap "$LAB" grade 4 --vm 2>&1)
echo "$out" | sed 's/^/# /'
grep -q '^Score: 70/100$' <<<"$out"
result $? "VM checks: scored by name from the TAP (one failure of 30 points)"
mkdir -p "$TOP/build/results"
cp "$tmp/vm.tap" "$TOP/build/results/vm-lab4.tap"
out=$(cd "$TOP" && HVLAB_LAB_VM_TAP=build/results/vm-lab4.tap "$LAB" grade 4 --vm 2>&1)
grep -q '^Score: 70/100$' <<<"$out" && [ -f "$TOP/build/results/vm-lab4.tap" ]
result $? "VM checks: grading a lab's own TAP again keeps it"
rm -f "$TOP/build/results/vm-lab4.tap"
# the global checks only take points away: an unclean kernel log costs
# 10, and a starter whose every check fails scores 0, not less
sed -i 's/^ok 9 - kernel-log/not ok 9 - kernel-log/' "$tmp/vm.tap"
out=$(cd "$tmp" && HVLAB_LAB_VM_TAP=$tmp/vm.tap "$LAB" grade 4 --vm 2>&1)
grep -q '^Score: 60/100$' <<<"$out"
rc=$?
sed -i -E 's/^ok ([0-9]+ - (setup|test_))/not ok \1/' "$tmp/vm.tap"
out=$(cd "$tmp" && HVLAB_LAB_VM_TAP=$tmp/vm.tap "$LAB" grade 4 --vm 2>&1)
echo "$out" | sed 's/^/# /'
grep -q '^Score: 0/100$' <<<"$out" && [ $rc = 0 ]
result $? "VM checks: a failed global check costs its points, never adds any; the score stops at 0"
out=$(cd "$tmp" && "$LAB" grade 4 2>&1)
grep -q 'needs the VM' <<<"$out" && grep -q '^Score: 0/0$' <<<"$out"
result $? "VM checks are listed, not run, without VM=1"

# The VM half of the proof (lab.sh vm-selftest, make check's labs pass)
# graded from made-up TAP instead of a boot: the reference from a 6.1 EPT
# pass and a shadow pass (its test_run_* stand for PROGRAM@shadow), each
# starter from its labN/ lines; the labs whose checks need SVM (labs.conf:
# amd) from an AMD pass and its boot's labN/ lines.  Every starter check
# failing is a pass; a starter that earns points, or whose run did not
# finish, is a failure.
vm_labs=$(for d in labs/[0-9]*/; do grep -qE '^vm[[:space:]]' "$d/grade.list" && echo "$d"; done)
is_amd() { awk -v d="$(basename "$1")" '!/^#/ && $2 == d && $4 == "amd" { f = 1 } END { exit !f }' labs/labs.conf; }
intel_labs=$(for d in $vm_labs; do is_amd "$d" || echo "$d"; done)
amd_labs=$(for d in $vm_labs; do ! is_amd "$d" || echo "$d"; done)
{
	echo "ok 1 - setup: insmod hvlab.ko"
	for d in $amd_labs; do
		awk '$1 == "vm" { print "ok 1 - " $2 ": " $3 }' "$d/grade.list"
	done
	echo "ok 1 - teardown: rmmod hvlab"
	echo "ok 1 - kernel-log: kernel log clean"
} >"$tmp/ref-amd.tap"
{
	echo "ok 1 - setup: insmod hvlab.ko"
	for d in $intel_labs; do
		awk '$1 == "vm" && $2 !~ /@shadow$/ { print "ok 1 - " $2 ": " $3 }' "$d/grade.list"
	done
	echo "ok 1 - teardown: rmmod hvlab"
	echo "ok 1 - kernel-log: kernel log clean"
} >"$tmp/ref-ept.tap"
for d in $intel_labs; do
	awk '$1 == "vm" && $2 ~ /@shadow$/ { sub(/@shadow$/, "", $2); print "ok 1 - " $2 ": " $3 }' "$d/grade.list"
done >"$tmp/ref-shadow.tap"
starters_tap() {	# LAB_DIRS...: a starters' boot
	echo "ok 1 - setup: insmod hvlab.ko"
	echo "ok 2 - teardown: rmmod hvlab"
	for d in "$@"; do
		ln=$(basename "$d" | sed 's/-.*//; s/^0//')
		echo "not ok 1 - lab$ln/setup: insmod lab $ln's starter hvlab.ko"
		awk -v n="$ln" '$1 == "vm" { print "not ok 1 - lab" n "/" $2 ": " $3 }' "$d/grade.list"
		echo "ok 1 - lab$ln/teardown: rmmod hvlab # SKIP the module is not loaded"
		echo "ok 1 - lab$ln/kernel-log: kernel log clean"
	done
}
starters_tap $intel_labs >"$tmp/starters.tap"
starters_tap $amd_labs >"$tmp/starters-amd.tap"
vm_selftest() {
	(cd "$TOP" && HVLAB_LAB_VM_TAP=$tmp/starters.tap "$LAB" vm-selftest --tap "$tmp/vm-labs.tap" \
		--ref "$tmp/ref-ept.tap" --ref-shadow "$tmp/ref-shadow.tap" \
		--starters-amd "$tmp/starters-amd.tap" --ref-amd "$tmp/ref-amd.tap" "$@" 2>&1)
}
out=$(vm_selftest)
echo "$out" | sed 's/^/# /'
nl=$(echo "$vm_labs" | wc -w)
nboots=$((1 + $([ -n "$amd_labs" ] && echo 1 || echo 0)))
[ "$(grep -cE '^ok [0-9]+ - lab [0-9]+ (starter|reference)' <<<"$out")" = $((2 * nl)) ] &&
	! grep -q '^not ok' <<<"$out" && grep -q "^1\.\.$((2 * nl + nboots))\$" "$tmp/vm-labs.tap"
result $? "vm-selftest: $nl VM-graded labs ($(echo $amd_labs | wc -w) on the AMD CPU), reference full marks and starter 0, from TAP"
out=$(vm_selftest --skip-cpu amd)
[ "$(grep -c '# SKIP no amd boot' <<<"$out")" = "$(echo $amd_labs | wc -w)" ] && ! grep -q '^not ok' <<<"$out"
result $? "vm-selftest --skip-cpu amd: the AMD labs skipped, the others graded"
# lab 4's starter passes run.cr3_trapped_7 (15 points; its failed setup
# costs 5), lab 6's run ends early, the shadow pass lacks run.invlpg
sed -i 's|^not ok 1 - lab4/test_run_paging: run.cr3_trapped_7|ok 1 - lab4/test_run_paging: run.cr3_trapped_7|' "$tmp/starters.tap"
sed -i '/^ok 1 - lab6\/kernel-log/d' "$tmp/starters.tap"
sed -i '/test_run_paging: run.invlpg/d' "$tmp/ref-shadow.tap"
# and lab 13's starter (on the AMD CPU) passes run.io: 10 points, minus 5
sed -i 's|^not ok 1 - lab13/test_run_basic: run.io|ok 1 - lab13/test_run_basic: run.io|' "$tmp/starters-amd.tap"
out=$(vm_selftest)
echo "$out" | grep -E '^(not ok|#  )' | sed 's/^/# /'
grep -q '^not ok [0-9]* - lab 4 starter: VM checks 10/100 (want 0)' <<<"$out" &&
	grep -q '^not ok [0-9]* - lab 6 starter: its VM run did not finish' <<<"$out" &&
	grep -q '^not ok [0-9]* - lab 7 reference: VM checks 40/50' <<<"$out" &&
	grep -q '^not ok [0-9]* - lab 13 starter: VM checks 5/20 (want 0)' <<<"$out" &&
	[ "$(grep -c '^not ok' <<<"$out")" = 4 ]
result $? "vm-selftest: a starter check that passes (Intel or AMD), a lab whose run did not finish, a reference check missing: each a failure"

# Where the VM checks run: natively when VT-x is usable here, else Bochs.
# This machine need not have VT-x: stand-ins for /proc/cpuinfo and
# `hvlab caps` (lab.sh vm-where decides and says why, nothing runs).
printf 'flags\t\t: fpu vme sse2\n' >"$tmp/cpuinfo-novmx"
printf 'flags\t\t: fpu vme vmx sse2\n' >"$tmp/cpuinfo-vmx"
where() {	# CAPS_CMD CPUINFO [NATIVE_VMX [LAB]]
	HVLAB_LAB_CAPS_CMD=$1 HVLAB_LAB_CPUINFO=$2 HVLAB_LAB_NATIVE_VMX=${3:-} "$LAB" vm-where ${4:-} 2>&1
}
rc=0
w=$(where false "$tmp/cpuinfo-novmx"); echo "# no VMX: $w"; [[ $w == bochs:* ]] || rc=1
w=$(where true "$tmp/cpuinfo-novmx"); echo "# hvlab caps OK: $w"; [[ $w == native:* ]] || rc=1
w=$(where true "$tmp/cpuinfo-vmx" 0); echo "# forced off: $w"; [[ $w == bochs:* ]] || rc=1
w=$(where false "$tmp/cpuinfo-novmx" 1); echo "# forced on: $w"; [[ $w == native:* ]] || rc=1
w=$(where false "$tmp/cpuinfo-vmx")
echo "# VMX flag, module not loaded, uid $(id -u): $w"
if [ "$(id -u)" = 0 ]; then [[ $w == native:* ]] || rc=1; else [[ $w == bochs:* ]] || rc=1; fi
result $rc "VT-x detection: native with hvlab caps OK or a VMX flag as root, else Bochs"
# lab 13 (labs.conf: amd) needs AMD-V: VT-x does not do, the svm flag does
printf 'flags\t\t: fpu vme svm sse2\n' >"$tmp/cpuinfo-svm"
rc=0
w=$(where true "$tmp/cpuinfo-vmx" "" 13); echo "# lab 13, VT-x usable: $w"; [[ $w == bochs:* ]] || rc=1
w=$(where true "$tmp/cpuinfo-svm" "" 13); echo "# lab 13, AMD-V usable: $w"; [[ $w == native:* ]] || rc=1
w=$(where false "$tmp/cpuinfo-novmx" "" 13); echo "# lab 13, neither: $w"; [[ $w == bochs:* ]] || rc=1
result $rc "AMD-V detection for lab 13: native only with an svm flag and hvlab caps OK, else Bochs"

# The native run, with stand-ins for the kselftest programs (each prints
# the TAP of the tests lab 2 names), the module (insmod, rmmod) and dmesg:
# lab 2 scores from their results, global checks included, and a failing
# program costs its points.
mkdir -p "$tmp/ksft"
for prog in $(awk '$1 == "vm" { print $2 }' labs/02-vmxon-vmcs/grade.list | sort -u); do
	{
		echo '#!/bin/sh'
		echo 'echo "TAP version 13"'
		awk -v p="$prog" '$1 == "vm" && $2 == p { printf "echo \"ok %d %s\"\n", ++i, $3 }' \
			labs/02-vmxon-vmcs/grade.list
		echo '[ "$HVLAB_PAGING" = ept ] && [ -n "$HVLAB_KO" ] && [ -n "$HVLAB_GUESTS" ] ||'
		echo '	echo "not ok 99 environment"'
	} >"$tmp/ksft/$prog"
	chmod +x "$tmp/ksft/$prog"
done
# The native grader writes build/results/vm-lab2.tap, where make check's
# summary would count it: a user's own is put aside and back, the test's
# removed.
saved_tap=
if [ -f "$TOP/build/results/vm-lab2.tap" ]; then
	saved_tap=$tmp/vm-lab2.tap.saved
	mv "$TOP/build/results/vm-lab2.tap" "$saved_tap"
fi
native_grade() {
	(cd "$TOP" && HVLAB_LAB_NATIVE_VMX=1 HVLAB_LAB_CAPS_CMD=true HVLAB_LAB_INSMOD=true \
		HVLAB_LAB_RMMOD=true HVLAB_LAB_DMESG=true HVLAB_LAB_KSFT_DIR=$tmp/ksft \
		HVLAB_LAB_SEED=1 "$LAB" grade 2 --vm 2>&1)
}
out=$(native_grade)
echo "$out" | sed 's/^/# /'
grep -q 'VM checks natively' <<<"$out" && grep -q '^Score: 100/100$' <<<"$out"
result $? "VM checks natively (stand-ins): full marks from the programs' TAP"
sed -i 's/^echo "ok 1 dev.probe_every_cpu"/echo "not ok 1 dev.probe_every_cpu"/' "$tmp/ksft/test_probe"
out=$(native_grade)
grep -q '^Score: 80/100$' <<<"$out"
result $? "VM checks natively (stand-ins): a failing test costs its 20 points"
rm -f "$TOP/build/results/vm-lab2.tap"
[ -z "$saved_tap" ] || mv "$saved_tap" "$TOP/build/results/vm-lab2.tap"

echo "1..$n"
