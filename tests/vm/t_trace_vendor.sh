#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_trace_vendor.sh - a trace recorded inside the VM says which vendor
# recorded it, and names its exits in that vendor's words (TAP).
#
# `hvlab run --record` of the cpuid guest gives CPUID exits (its leaves),
# port I/O (its serial output) and second-level page faults (every page it
# first touches is mapped on demand, kmod/ept.c).  `hvlab replay --info`
# and the exit log of `--dump` must then say, on AMD (the module drives
# SVM: zambezi), "AMD SVM" and VMEXIT_CPUID, VMEXIT_IOIO and VMEXIT_NPF,
# with the IOIO and NPF EXITINFO1 decoded; on Intel, "Intel VMX" and
# CPUID, IO_INSTRUCTION and EPT_VIOLATION.  Which vendor to expect comes
# from the CPU's vendor string: on AMD the module drives SVM (kmod/main.c
# picks the backend by the vendor), and `hvlab run` asks it (HVLAB_CAP_SVM).
echo "TAP version 13"
echo "1..5"
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" ${HVLAB_KO_ARGS:-} 2>/dev/null
fail=0
check() {	# check N DESCRIPTION STATUS
	if [ "$3" = 0 ]; then
		echo "ok $1 - $2"
	else
		echo "not ok $1 - $2"
		fail=1
	fi
}
guest=/guests/cpuid.elf
if ! command -v hvlab >/dev/null 2>&1 || [ ! -r "$guest" ]; then
	for i in 1 2 3 4 5; do
		echo "not ok $i - trace vendor # hvlab or $guest is not in the initramfs"
	done
	exit 1
fi
if grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo; then
	amd=1 vendor="AMD SVM"
	cpuid=VMEXIT_CPUID io=VMEXIT_IOIO npf=VMEXIT_NPF
else
	amd=0 vendor="Intel VMX"
	cpuid=CPUID io=IO_INSTRUCTION npf=EPT_VIOLATION
fi
tr=/tmp/t_trace_vendor.trace
rm -f "$tr"
out=$(timeout 120 hvlab run --paging ept --record "$tr" "$guest" 2>&1)
rc=$?
echo "$out" | sed 's/^/# run: /' | tail -n 5
[ -s "$tr" ] && [ "$rc" -ne 124 ]
check 1 "hvlab run --record $guest writes a trace (status $rc)" $?

info=$(hvlab replay --info "$tr" 2>&1)
echo "$info" | sed 's/^/# /' | head -n 40
echo "$info" | grep -q "^format      version 2\.0$" &&
	echo "$info" | grep -q "^vendor      $vendor"
check 2 "replay --info: format 2.0, vendor $vendor" $?

# --info lists the SVM exit codes on AMD; the common reasons on both
if [ $amd = 1 ]; then
	echo "$info" | grep -qE "^  VMEXIT_CPUID +0x72 +CPUID +[1-9]" &&
		echo "$info" | grep -qE "^  VMEXIT_IOIO +0x7b +IO_INSTRUCTION +[1-9]" &&
		echo "$info" | grep -qE "^  VMEXIT_NPF +0x400 +EPT_VIOLATION +[1-9]"
else
	echo "$info" | grep -qE "^  CPUID +[1-9]" &&
		echo "$info" | grep -qE "^  IO_INSTRUCTION +[1-9]" &&
		echo "$info" | grep -qE "^  EPT_VIOLATION +[1-9]"
fi
check 3 "replay --info names $cpuid, $io and $npf beside their common reasons" $?

# the exit log, one filter per kind: the sentence starts with the name
log() { hvlab replay --dump --panel log --size 120x40 --filter "$1" "$tr" 2>&1; }
l_cpuid=$(log CPUID) l_io=$(log IO_INSTRUCTION) l_npf=$(log EPT_VIOLATION)
# the screens, as docs/dashboard.md shows them
hvlab replay --dump --panel exits --size 80x16 "$tr" 2>&1 | sed 's/^/# exits: /'
echo "$l_io" | sed 's/^/# io: /' | tail -n 14
echo "$l_npf" | sed 's/^/# npf: /' | tail -n 14
if [ $amd = 1 ]; then
	echo "$l_cpuid" | grep -q "VMEXIT_CPUID: CPUID leaf 0x" &&
		echo "$l_io" | grep -qE "VMEXIT_IOIO: (OUT|IN) 0x[0-9a-f]+, [124] byte" &&
		echo "$l_npf" | grep -qE "VMEXIT_NPF: nested page fault GPA 0x[0-9a-f]+ (read|write|fetch)"
else
	echo "$l_cpuid" | grep -q "CPUID leaf 0x" &&
		echo "$l_io" | grep -qE "(OUT|IN)[BWD]? 0x[0-9a-f]+" &&
		echo "$l_npf" | grep -q "EPT violation GPA 0x"
fi
check 4 "the exit log decodes $cpuid, $io and $npf" $?

# the selected exit's fields: EXITINFO1 bit by bit on AMD
if [ $amd = 1 ]; then
	echo "$l_npf" | grep -q "EXITCODE    0x400 VMEXIT_NPF (common: EPT_VIOLATION)" &&
		echo "$l_npf" | grep -qE "  33    table walk   (yes|no)" &&
		echo "$l_io" | grep -qE "  31:16 port         0x[0-9a-f]+"
else
	echo "$l_npf" | grep -q "gpa         0x" &&
		echo "$l_io" | grep -qE "  31:16 port         0x[0-9a-f]+"
fi
check 5 "the exit detail shows the fields (EXITINFO1 decoded on AMD)" $?
rm -f "$tr"
exit $fail
