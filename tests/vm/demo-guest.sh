#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh - the part of `make demo` that runs once hvlab.ko is
# loaded, on a machine with VT-x: what tests/vm/init.sh's demo() shows in
# the Bochs VM, for the user's own terminal.
#
#   demo-guest.sh HVLAB GUESTS_DIR [PAGING]
#
#   1. `hvlab caps`;
#   2. the demo guest (demo.elf, else hello.elf) with --stats, --record
#      TRACE, and --trap-cr3 for demo.elf (the essay's example: the
#      hypervisor intercepts the guest's CR3 writes); with the live
#      dashboard when standard output is a terminal, else as plain text;
#   3. the recorded run as text: `hvlab replay --info` and every dashboard
#      panel at the end of the run (`hvlab replay --dump --at end`);
#   4. with HVLAB_DEMO_KERNEL and HVLAB_DEMO_INITRD set: that Linux kernel
#      boots inside hvlab (dashboard on a terminal) and powers itself off.
#
# tests/tools/demo.sh runs it natively; tests/vm/t_demo.sh runs it inside
# the VM, where Bochs's emulated CPU has VMX.  POSIX sh: it runs under the
# VM's busybox too.  Exit status: 0 when the guest ran to its end and its
# trace replays, 1 otherwise.
HV=${1:?usage: demo-guest.sh HVLAB GUESTS_DIR [PAGING]}
GUESTS=${2:?usage: demo-guest.sh HVLAB GUESTS_DIR [PAGING]}
PAGING=${3:-ept}
trace=${TMPDIR:-/tmp}/hvlab-demo.$$.trace
trap 'rm -f "$trace"' EXIT

echo "=== hvlab caps"
"$HV" caps

guest=
for g in "$GUESTS/demo.elf" "$GUESTS/hello.elf"; do
	[ -f "$g" ] && { guest=$g; break; }
done
if [ -z "$guest" ]; then
	echo "demo: no demo guest in $GUESTS (demo.elf or hello.elf): 'make guests' builds them"
	exit 1
fi

set -- run --paging "$PAGING" --stats --record "$trace"
case "$guest" in
*/demo.elf) set -- "$@" --trap-cr3 ;;
esac
# a shorter demo for tests: HVLAB_DEMO_APPEND=rounds=20
[ -n "${HVLAB_DEMO_APPEND:-}" ] && set -- "$@" --append "$HVLAB_DEMO_APPEND"
if [ -t 0 ] && [ -t 1 ]; then
	echo "=== hvlab $* --dashboard $guest    (q closes the dashboard)"
	"$HV" "$@" --dashboard "$guest"
	status=$?
	if [ "$status" = 71 ]; then	# the dashboard could not open
		echo "=== no dashboard on this terminal: hvlab $* $guest"
		"$HV" "$@" "$guest"
		status=$?
	fi
else
	echo "=== hvlab $* $guest"
	"$HV" "$@" "$guest"
	status=$?
fi
echo "=== guest exited with status $status"

# demo.elf and hello.elf end through debug-exit 0 (status 1) or a DONE
# ucall (0); anything else is a failure the user should see.
ok=0
case "$status" in
0|1) ;;
*) ok=1 ;;
esac
if [ -s "$trace" ]; then
	echo "=== hvlab replay --info (the recorded run)"
	"$HV" replay --partial --info "$trace" || ok=1
	echo "=== hvlab replay --dump --at end (the dashboard's panels, as text)"
	"$HV" replay --partial --dump --at end -s 80x24 "$trace" || ok=1
else
	echo "demo: the run left no trace"
	ok=1
fi

# Linux inside hvlab, when HVLAB_DEMO_KERNEL and HVLAB_DEMO_INITRD name a
# bzImage and an initramfs (tests/vm/mk-linux-initrd.sh makes one): an
# operating system's exits, interrupts and page tables; the guest's script
# powers it off (docs/booting-linux.md says how far a boot gets).
if [ -n "${HVLAB_DEMO_KERNEL:-}" ] && [ -r "$HVLAB_DEMO_KERNEL" ] &&
   [ -r "${HVLAB_DEMO_INITRD:-}" ]; then
	set -- run -m 128M --paging "$PAGING" --stats --initrd "$HVLAB_DEMO_INITRD" \
		--append "console=ttyS0 loglevel=4 hvlab.check"
	if [ -t 0 ] && [ -t 1 ]; then
		echo "=== hvlab $* --dashboard $HVLAB_DEMO_KERNEL"
		"$HV" "$@" --dashboard "$HVLAB_DEMO_KERNEL"
	else
		echo "=== hvlab $* $HVLAB_DEMO_KERNEL"
		"$HV" "$@" "$HVLAB_DEMO_KERNEL"
	fi
	status=$?
	echo "=== Linux guest exited with status $status"
	[ "$status" = 0 ] || ok=1
fi
exit $ok
