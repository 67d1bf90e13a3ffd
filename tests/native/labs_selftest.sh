#!/usr/bin/env bash
# labs_selftest.sh - the lab course's grader proves itself (make
# grade-selftest): for every lab with native checks, the reference tree
# scores full marks and the student's starter tree compiles and scores
# zero.  Also: regions and stubs match for all twelve labs (lint), a
# student tree refuses a non-empty destination, the hand-in holds the diff
# against the starter and the grade, VM results are read from a TAP file
# by test name, and with every lab's stub at once userspace and the module
# still build; where the VM checks run (VT-x detection, the native runner
# with stand-ins).  About 50 s.  TAP.
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
ok 2 - test_run_paging: run.cr3_trapped_7
not ok 3 - test_run_paging: run.cr3_trapped_100
ok 4 - test_run_paging: run.cr3_not_trapped
ok 5 - test_translate: xlate.ept.va_0x1000_follows_remap_and_invlpg
ok 6 - teardown: rmmod hvlab
ok 7 - kernel-log: kernel log clean
1..7
TAP
out=$(cd "$tmp" && HVLAB_LAB_VM_TAP=$tmp/vm.tap "$LAB" grade 4 --vm 2>&1)
echo "$out" | sed 's/^/# /'
grep -q '^Score: 90/120$' <<<"$out"
result $? "VM checks: scored by name from the TAP (one failure of 30 points)"
mkdir -p "$TOP/build/results"
cp "$tmp/vm.tap" "$TOP/build/results/vm-lab4.tap"
out=$(cd "$TOP" && HVLAB_LAB_VM_TAP=build/results/vm-lab4.tap "$LAB" grade 4 --vm 2>&1)
grep -q '^Score: 90/120$' <<<"$out" && [ -f "$TOP/build/results/vm-lab4.tap" ]
result $? "VM checks: grading a lab's own TAP again keeps it"
rm -f "$TOP/build/results/vm-lab4.tap"
out=$(cd "$tmp" && "$LAB" grade 4 2>&1)
grep -q 'needs the VM' <<<"$out" && grep -q '^Score: 0/0$' <<<"$out"
result $? "VM checks are listed, not run, without VM=1"

# Where the VM checks run: natively when VT-x is usable here, else Bochs.
# This machine need not have VT-x: stand-ins for /proc/cpuinfo and
# `hvlab caps` (lab.sh vm-where decides and says why, nothing runs).
printf 'flags\t\t: fpu vme sse2\n' >"$tmp/cpuinfo-novmx"
printf 'flags\t\t: fpu vme vmx sse2\n' >"$tmp/cpuinfo-vmx"
where() {	# CAPS_CMD CPUINFO [NATIVE_VMX]
	HVLAB_LAB_CAPS_CMD=$1 HVLAB_LAB_CPUINFO=$2 HVLAB_LAB_NATIVE_VMX=${3:-} "$LAB" vm-where 2>&1
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
grep -q 'VM checks natively' <<<"$out" && grep -q '^Score: 120/120$' <<<"$out"
result $? "VM checks natively (stand-ins): full marks from the programs' TAP"
sed -i 's/^echo "ok 1 dev.probe_every_cpu"/echo "not ok 1 dev.probe_every_cpu"/' "$tmp/ksft/test_probe"
out=$(native_grade)
grep -q '^Score: 100/120$' <<<"$out"
result $? "VM checks natively (stand-ins): a failing test costs its 20 points"
rm -f "$TOP/build/results/vm-lab2.tap"
[ -z "$saved_tap" ] || mv "$saved_tap" "$TOP/build/results/vm-lab2.tap"

echo "1..$n"
