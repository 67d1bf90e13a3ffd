#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_hotplug.sh - CPU hotplug with a VM running (TAP).
#
# While some VM exists, hvlab keeps VMX or SVM on in every online CPU
# (kmod/hwvirt.c): a CPU going offline leaves it (VMCLEAR and VMXOFF,
# kmod/vmx.c; EFER.SVME cleared, kmod/svm.c), and a CPU coming online
# enters it again before a task can run there.  A guest that runs on a
# CPU where hvlab did not switch it on faults in the host: VMLAUNCH or
# VMRUN is #UD there.
#
# A guest runs on the last CPU while that CPU goes offline (its vCPU
# thread moves elsewhere and must keep running), comes back, and then a
# new guest (hello.elf) runs pinned to it while the first keeps the
# extension on.  The spinner still stops on SIGINT, and the kernel log
# of the test has no oops or warning.
echo "TAP version 13"
echo "1..6"
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" ${HVLAB_KO_ARGS:-} 2>/dev/null
PAGING=${HVLAB_PAGING:-ept}
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/live-guest.sh"

cpu=$(($(nproc) - 1))
online=/sys/devices/system/cpu/cpu$cpu/online
if [ "$cpu" -lt 1 ] || [ ! -w "$online" ]; then
	for i in 1 2 3 4 5 6; do
		echo "ok $i - CPU hotplug with a VM # SKIP one CPU, or CPU $cpu cannot go offline"
	done
	exit 4
fi

log_from=$(($(dmesg | wc -l) + 1))
live_start /tmp/t_hotplug.spin taskset -c "$cpu"

echo 0 >"$online"
[ "$(cat "$online")" = 0 ]
ok $? "CPU $cpu goes offline with a guest running on it"

sleep 1
kill -0 "$spin" 2>/dev/null
ok $? "the spinning guest survives on the other CPUs"

echo 1 >"$online"
[ "$(cat "$online")" = 1 ]
ok $? "CPU $cpu comes back online with the VM alive"

hello_runs "a new guest runs on CPU $cpu after it came back" taskset -c "$cpu"
live_stops "the spinning guest stops on SIGINT"
klog_clean "$log_from" \
	'Oops|BUG:|WARNING:|general protection|Call Trace|invalid opcode|hvlab: .*failed|cannot enable' \
	"no oops or warning in the kernel log of the test"
exit $fail
