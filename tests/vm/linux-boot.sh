#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-boot.sh PAGING CPUS - boot Debian's own, unmodified vmlinuz inside
# hvlab, inside the Bochs VM, and check what the guest reports (TAP).
#
# The kernel is the one the VM itself booted (run-suite.sh copies
# /boot/vmlinuz-KVER to /guests/linux/vmlinuz); the initramfs is busybox
# with tests/vm/linux-guest/init, which, seeing `hvlab.check` on its
# command line, prints "##GUEST## " lines (nproc, /proc/interrupts, a
# marker) and powers off through ACPI.  Checks:
#   1  hvlab run ends with status 0: the guest powered itself off
#   2  the guest's shell ran and printed the marker
#   3  the guest counts CPUS processors (nproc)
#   4  the guest's timer interrupts counted (local APIC timer or IRQ 0)
#   5  the guest's serial interrupts counted (ttyS0, IRQ 4)
#   6  the guest's log has no warning, oops, panic or APIC error line
# hvlab's messages and figures (exits by reason, interrupts) stream in as
# "# ! " comments.
# The t_linux_*.sh wrappers run only when asked for by name:
#   tests/vm/run-suite.sh --pass linux --only 't_linux_*'
paging=${1:?usage: linux-boot.sh ept|shadow CPUS}
cpus=${2:?usage: linux-boot.sh ept|shadow CPUS}
dir=/guests/linux
out=/tmp/linux-$paging-$cpus.out
: >"$out"
err=/tmp/linux-$paging-$cpus.err
echo "TAP version 13"
echo "1..6"
if [ ! -r $dir/vmlinuz ] || [ ! -r $dir/initrd.gz ] || ! command -v hvlab >/dev/null; then
	for i in 1 2 3 4 5 6; do
		echo "not ok $i - Linux boot ($paging, $cpus vCPU) # $dir/vmlinuz, initrd.gz or hvlab missing in the VM"
	done
	exit 1
fi
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" 2>/dev/null

# loglevel=4: warnings and worse still reach the console, the chatter of a
# normal boot (thousands of serial exits) does not.
# $HVLAB_LINUX_APPEND and $HVLAB_LINUX_OPTS (run-suite.sh passes them in)
# add kernel parameters and hvlab run options when a boot is debugged.
# mitigations=off: the guest sees this CPU's family and model but none of
# the speculation controls (hvlab hides SPEC_CTRL), so Linux would warn that
# it cannot mitigate RETBleed; the Bochs VM itself boots the same way.
append="console=ttyS0 loglevel=4 panic=-1 mitigations=off hvlab.check"
append="$append${HVLAB_LINUX_APPEND:+ $HVLAB_LINUX_APPEND}"
cr=$(printf '\r')
start=$(cut -d' ' -f1 /proc/uptime)
# The guest's console streams into this TAP as comments, so a slow or
# stuck boot shows how far it got; hvlab's own messages too ("# ! "),
# through a FIFO, and they are kept in $err.
fifo=/tmp/linux-$paging-$cpus.fifo
rm -f "$fifo" "$err"
mkfifo "$fifo"
while IFS= read -r line; do
	printf '%s\n' "$line" >>"$err"
	printf '# ! %s\n' "$line"
done <"$fifo" &
errpid=$!
{
	# its own limit, below the suite's: stopped by SIGINT, hvlab -v still
	# says where each vCPU was and prints the statistics
	# shellcheck disable=SC2086 # word splitting of the extra options
	timeout -s INT "${HVLAB_LINUX_RUN_LIMIT:-15}" \
	hvlab run -v -m 128M --cpus "$cpus" --paging "$paging" --stats ${HVLAB_LINUX_OPTS:-} \
		--initrd $dir/initrd.gz \
		--append "$append" $dir/vmlinuz 2>"$fifo" </dev/null
	echo $? >"$out.rc"
} | while IFS= read -r line; do
	# a line at a time (sed would buffer the pipe), to file and to TAP,
	# without the carriage return the guest's tty puts at each line's end
	line=${line%"$cr"}
	printf '%s\n' "$line" >>"$out"
	printf '# | %s\n' "$line"
done
wait "$errpid"
rm -f "$fifo"
rc=$(cat "$out.rc" 2>/dev/null || echo 255)
end=$(cut -d' ' -f1 /proc/uptime)
echo "# hvlab run --cpus $cpus --paging $paging: status $rc, $start -> $end s of VM uptime"
fail=0
check() {	# N DESCRIPTION: the test passed when the last command did
	if [ "$?" -eq 0 ]; then echo "ok $1 - $2"; else echo "not ok $1 - $2"; fail=1; fi
}
[ "$rc" -eq 0 ]
check 1 "Linux ($paging, $cpus vCPU): hvlab run ends with status 0 (guest powered off)"
grep -q "##GUEST## marker HVLAB-LINUX-OK" "$out"
check 2 "Linux ($paging, $cpus vCPU): the guest's shell ran its script"
grep -q "##GUEST## nproc $cpus\$" "$out"
check 3 "Linux ($paging, $cpus vCPU): the guest counts $cpus CPU(s)"
# the sum of a /proc/interrupts row's per-CPU columns
irq_sum() {
	grep "##GUEST## irq *$1" "$out" | head -n 1 |
		awk -v n="$cpus" '{ s = 0; for (i = 4; i < 4 + n; i++) s += $i; print s }'
}
loc=$(irq_sum 'LOC:'); t0=$(irq_sum '0:')
[ "${loc:-0}" -gt 0 ] || [ "${t0:-0}" -gt 0 ]
check 4 "Linux ($paging, $cpus vCPU): timer interrupts count (LOC ${loc:-none}, IRQ0 ${t0:-none})"
com=$(grep "##GUEST## irq.*ttyS0" "$out" | head -n 1 |
	awk -v n="$cpus" '{ s = 0; for (i = 4; i < 4 + n; i++) s += $i; print s }')
[ "${com:-0}" -gt 0 ]
check 5 "Linux ($paging, $cpus vCPU): serial interrupts count (ttyS0 ${com:-none})"
bad=$(grep -v -e '^##GUEST##' -e 'Kernel command line:' "$out" | grep -E 'WARNING|Oops|BUG|Call Trace|[Pp]anic|APIC.*([Ee]rror|bug|BUG)|MP-BIOS bug')
[ -z "$bad" ]
check 6 "Linux ($paging, $cpus vCPU): no warning, oops, panic or APIC error in the guest's log"
[ -z "$bad" ] || echo "$bad" | head -n 20 | sed 's/^/#   /'
exit $fail
