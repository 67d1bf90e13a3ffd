#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# init.sh - PID 1 of the test VM (busybox sh).  run-suite.sh copies it into
# the initramfs as /init, next to /etc/hvlab-vm.conf which says what to do:
#
#   HVLAB_VM_MODE   suite | demo | bench | shell
#   HVLAB_VM_CPUS   CPUs Bochs was given (the tests check nproc against it)
#   HVLAB_PAGING    ept | shadow, for the tests to pass to `hvlab run`
#   HVLAB_ONLY      run only programs whose name matches this glob/substring
#                   (several, comma-separated); PROGRAM@ept or PROGRAM@shadow
#                   runs PROGRAM once more with that paging mode, its results
#                   named PROGRAM@MODE (the labs: one boot for every lab)
#   HVLAB_LAB_SEED  the seed of the tests' random inputs (hvlab_test.h)
#
# /labs/run.sh, when the harness packed it (labs/tools/vm-starters.sh),
# runs the labs' starter modules after the suite's teardown.
#
# Everything the host needs goes to the serial console (ttyS0) between
# marker lines, so the host can ignore boot noise:
#
#   ##HVLAB## begin-suite
#   ##HVLAB## begin NAME          output of one test program (its own TAP)
#   ##HVLAB## end NAME STATUS     STATUS = the program's exit status
#   ##HVLAB## end-suite
#
# The suite: every executable in /tests/bin (kselftest programs) and every
# executable /tests/vm/t_*.sh, in name order, each under a time limit.
# Three pseudo-programs come from this script itself: "setup" (insmod
# hvlab.ko), "teardown" (rmmod hvlab) and "kernel-log" (no Oops/WARNING/BUG
# in dmesg since the suite began; the boot-time XSAVE WARNING of Debian's
# kernel on Bochs's CPU is dropped by `dmesg -c` before the suite starts).
#
# Whatever happens, the script ends in poweroff: ACPI power-off ends Bochs.
# The sleep before it lets the serial output drain (bochs.md: output written
# just before poweroff -f is lost otherwise).

export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/tests/bin
export HOME=/root TERM=vt100

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp /dev/pts /root
mount -t tmpfs tmpfs /tmp
mount -t devpts devpts /dev/pts 2>/dev/null	# ptys: test_run_dash's forkpty

HVLAB_VM_MODE=suite
HVLAB_VM_CPUS=0
HVLAB_PAGING=ept
HVLAB_ONLY=
[ -r /etc/hvlab-vm.conf ] && . /etc/hvlab-vm.conf
export HVLAB_VM_CPUS HVLAB_PAGING
export HVLAB_LINUX_OPTS HVLAB_LINUX_APPEND HVLAB_LINUX_RUN_LIMIT HVLAB_LAB_SEED
export HVLAB_FUZZ_SEED HVLAB_FUZZ_SCALE
export HVLAB_KO=/modules/hvlab.ko HVLAB_KVM_DIR=/modules/kvm
# hvlab.ko's parameters at every insmod, here and in the tests
# (hvlab_insmod): none by default, on either vendor (the module picks VMX
# or SVM by the CPU's vendor)
HVLAB_KO_ARGS=
export HVLAB_KO_ARGS

# Per-program limit, in guest seconds.  With Bochs's `clock: sync=none` a
# guest second costs about 25 wall seconds here (the whole suite is ~7 guest
# seconds), so 20 is ~8 wall minutes: far more than any program needs, and
# still short enough that one hung program does not eat the host's
# --timeout and cost the results of all the others.
PROG_TIMEOUT=${HVLAB_PROG_TIMEOUT:-20}
# A Linux kernel booting inside hvlab (t_linux_*.sh) takes about 4 s of
# this VM's time with EPT; linux-boot.sh stops hvlab after 15 s
# (HVLAB_LINUX_RUN_LIMIT), and this limit leaves room for its report.
# Those seconds are the kernel's, and Bochs's clock counts instructions:
# on the Intel model the kernel takes its TSC frequency from CPUID leaves
# 0x15 and 0x16 (3.5 GHz, so a second is 3.5e9 instructions), on the AMD
# model, which has neither, it calibrates the TSC against the PIT, and a
# second is bochsrc's ips, 2e8.  The same boot therefore takes about 17.5
# times as many seconds on AMD, and so does its limit.
if [ -z "${HVLAB_LINUX_RUN_LIMIT:-}" ] && grep -q AuthenticAMD /proc/cpuinfo; then
	HVLAB_LINUX_RUN_LIMIT=270
fi
LINUX_TIMEOUT=${HVLAB_LINUX_TIMEOUT:-$((${HVLAB_LINUX_RUN_LIMIT:-15} + 10))}

# Oops, BUG, WARNING, GPF, lockdep/KASAN-style reports: what "kernel log
# clean" rejects.
BAD_KLOG='Oops|WARNING:|BUG:|BUG |general protection|Call Trace|RIP:|kernel panic|Kernel panic|UBSAN|KASAN|soft lockup|hung_task|list_add corruption|refcount_t:'

mark() { echo "##HVLAB## $*"; }

finish() {
	sync
	sleep 1
	poweroff -f
	# poweroff -f does not return; if ACPI failed, stop here for the host's
	# timeout rather than letting PID 1 exit (a kernel panic).
	while :; do sleep 60; done
}

setup() {
	mark begin setup
	echo "1..1"
	echo "# kernel $(uname -r), $(nproc) CPUs online, paging=$HVLAB_PAGING"
	if out=$(insmod "$HVLAB_KO" $HVLAB_KO_ARGS 2>&1) && [ -d /sys/module/hvlab ]; then
		echo "ok 1 - insmod hvlab.ko"
	else
		[ -n "$out" ] && echo "$out" | sed 's/^/# /'
		if grep -q hvlab /proc/modules; then
			echo "# insmod worked, but the module is not called hvlab:"
			grep hvlab /proc/modules | sed 's/^/#   /'
		fi
		echo "not ok 1 - insmod hvlab.ko"
	fi
	mark end setup 0
}

# Does program name $1 pass the --only filter?  The filter is one pattern
# or several separated by commas (labs/tools/lab.sh: one boot for all the
# programs of a lab); each is a glob or a substring.
selected() {
	[ -z "$HVLAB_ONLY" ] && return 0
	rest=$HVLAB_ONLY
	while [ -n "$rest" ]; do
		pat=${rest%%,*}
		case "$rest" in
		*,*) rest=${rest#*,} ;;
		*) rest= ;;
		esac
		[ -n "$pat" ] || continue
		case "$1" in
		$pat|*$pat*) return 0 ;;
		esac
	done
	return 1
}

run_programs() {
	for t in /tests/bin/* /tests/vm/t_*.sh; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/}
		selected "$name" || continue
		limit=$PROG_TIMEOUT
		case "$name" in
		t_linux_*)	# Linux inside hvlab: only in the pass that asks for it
			[ -n "$HVLAB_ONLY" ] || continue
			limit=$LINUX_TIMEOUT ;;
		t_ept_vs_shadow.sh)	# a measurement: only when asked for
			[ -n "$HVLAB_ONLY" ] || continue ;;
		esac
		mark begin "$name"
		(cd /tests && timeout "$limit" "$t" </dev/null 2>&1)
		rc=$?
		mark end "$name" "$rc"
	done
	# PROGRAM@MODE in the filter: PROGRAM again under that paging mode
	rest=$HVLAB_ONLY
	while [ -n "$rest" ]; do
		pat=${rest%%,*}
		case "$rest" in
		*,*) rest=${rest#*,} ;;
		*) rest= ;;
		esac
		case "$pat" in
		*@ept|*@shadow) ;;
		*) continue ;;
		esac
		t=/tests/bin/${pat%@*}
		[ -f "$t" ] || t=/tests/vm/${pat%@*}
		[ -f "$t" ] && [ -x "$t" ] || continue
		mark begin "$pat"
		(cd /tests && HVLAB_PAGING=${pat##*@} timeout "$PROG_TIMEOUT" "$t" </dev/null 2>&1)
		rc=$?
		mark end "$pat" "$rc"
	done
}

# teardown [NAME]: rmmod hvlab as one TAP program (NAME: labs/tools/
# vm-starters.sh's "labN/teardown")
teardown() {
	local name=${1:-teardown}

	mark begin "$name"
	echo "1..1"
	if [ ! -d /sys/module/hvlab ]; then
		echo "ok 1 - rmmod hvlab # SKIP the module is not loaded"
	elif out=$(rmmod hvlab 2>&1) && [ ! -d /sys/module/hvlab ]; then
		echo "ok 1 - rmmod hvlab"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok 1 - rmmod hvlab"
	fi
	mark end "$name" 0
}

kernel_log() {
	mark begin kernel-log
	echo "1..1"
	bad=$(dmesg | grep -E "$BAD_KLOG")
	if [ -z "$bad" ]; then
		echo "ok 1 - kernel log clean"
	else
		echo "# new kernel messages since the suite began:"
		dmesg | tail -n 60 | sed 's/^/#   /'
		echo "# offending lines:"
		echo "$bad" | sed 's/^/# /'
		echo "not ok 1 - kernel log clean"
	fi
	mark end kernel-log 0
}

suite() {
	mark begin-suite
	setup
	run_programs
	teardown
	kernel_log
	# the labs' starter modules, when lab.sh vm-selftest packed them
	[ -f /labs/run.sh ] && . /labs/run.sh
	mark end-suite
}

# The demo: what `make demo` shows when the host has no VT-x.
#  1. live: `hvlab run --dashboard` on the serial console, which the host
#     streams to the user's terminal (run-suite.sh --demo: tail -f of the
#     serial log), so the terminal draws the ncurses screen, sized 80x24.
#     No keys reach it; it closes when the guest ends (demo.elf does after
#     its rounds), or at the per-program limit.  --record keeps the run.
#  2. the same run as plain text, readable in any log: the exit statistics
#     (--stats, printed once the dashboard is closed), `hvlab replay --info`
#     and every panel of the dashboard at the end of the run
#     (`hvlab replay --dump`), the guest's console included.
#  3. when the harness copied a Linux kernel in (/guests/linux), that
#     kernel inside hvlab, with the dashboard, until it powers off.
demo() {
	mark begin-demo
	insmod "$HVLAB_KO" $HVLAB_KO_ARGS || echo "demo: insmod hvlab.ko failed"
	echo "=== hvlab caps"
	hvlab caps
	guest=
	for g in /guests/demo.elf /guests/hello.elf; do
		[ -f "$g" ] && { guest=$g; break; }
	done
	if [ -z "$guest" ]; then
		echo "demo: no demo guest (build/guests/demo.elf or hello.elf) was built"
	else
		trace=/tmp/demo.trace
		set -- run --paging "$HVLAB_PAGING" --stats --record "$trace"
		# the seed's example: the hypervisor intercepts the guest's CR3 writes
		[ "$guest" = /guests/demo.elf ] && set -- "$@" --trap-cr3
		export LINES=24 COLUMNS=80
		# The user's terminal renders the dashboard: use its TERM when
		# the harness could copy that terminal description.
		[ -n "${HVLAB_VM_TERM:-}" ] && export TERM="$HVLAB_VM_TERM"
		stty -F /dev/ttyS0 rows 24 cols 80 2>/dev/null
		echo "=== hvlab $* --dashboard $guest"
		# PID 1 has no controlling terminal, and /dev/console cannot be
		# one: give the dashboard the serial port itself as its
		# controlling tty (setsid -c), so that /dev/tty opens.  When the
		# session leader exits the tty is hung up and unsent output is
		# dropped, so the leader is a shell that first waits for the
		# output to drain: re-setting the line's own modes is a
		# tcsetattr(TCSADRAIN) in busybox stty.
		timeout "$PROG_TIMEOUT" setsid -c sh -c \
			'"$@"; rc=$?; stty "$(stty -g)"; exit $rc' \
			sh hvlab "$@" --dashboard "$guest" </dev/ttyS0 >/dev/ttyS0 2>&1
		status=$?
		if [ "$status" = 71 ]; then	# the dashboard could not open
			echo "=== no dashboard on this console: hvlab $* $guest"
			timeout "$PROG_TIMEOUT" hvlab "$@" "$guest"
			status=$?
		fi
		echo "=== guest exited with status $status"
		if [ -s "$trace" ]; then
			echo "=== hvlab replay --info $trace"
			hvlab replay --partial --info "$trace"
			echo "=== hvlab replay --dump --at end $trace (the dashboard's panels, as text)"
			hvlab replay --partial --dump --at end -s 80x24 "$trace"
		fi
	fi
	# 3. an operating system nobody here wrote: the VM's own Linux kernel
	#    boots inside hvlab with the dashboard, runs its check script
	#    (timer and serial interrupts counting) and powers itself off.
	if [ -r /guests/linux/vmlinuz ] && [ -r /guests/linux/initrd.gz ]; then
		set -- run -m 128M --paging "$HVLAB_PAGING" --stats \
			--initrd /guests/linux/initrd.gz \
			--append "console=ttyS0 loglevel=4 mitigations=off hvlab.check"
		echo "=== hvlab $* --dashboard /guests/linux/vmlinuz"
		timeout "$LINUX_TIMEOUT" setsid -c sh -c \
			'"$@"; rc=$?; stty "$(stty -g)"; exit $rc' \
			sh hvlab "$@" --dashboard /guests/linux/vmlinuz </dev/ttyS0 >/dev/ttyS0 2>&1
		echo "=== Linux guest exited with status $?"
	fi
	rmmod hvlab 2>/dev/null
	mark end-demo
}

# The shell (make vm-shell): hvlab.ko loaded, then an interactive shell
# on the serial port, which the host connects to the user's terminal
# (tests/vm/serial-term.c).  The shell gets ttyS0 as its controlling
# terminal (setsid -c), so Ctrl-C stops `hvlab run` and the dashboard can
# open /dev/tty.  When it exits the VM powers off.
shell() {
	mark begin-shell
	if insmod "$HVLAB_KO" $HVLAB_KO_ARGS 2>&1; then
		loaded="hvlab.ko is loaded"
	else
		loaded="insmod $HVLAB_KO FAILED (dmesg says why)"
	fi
	[ -n "${HVLAB_VM_TERM:-}" ] && export TERM="$HVLAB_VM_TERM"
	[ -n "${HVLAB_VM_ROWS:-}" ] &&
		stty -F /dev/ttyS0 rows "$HVLAB_VM_ROWS" cols "$HVLAB_VM_COLS" 2>/dev/null
	echo
	echo "hvlab VM shell: Linux $(uname -r), $(nproc) CPUs, paging=$HVLAB_PAGING by default;"
	echo "$loaded; up $(cut -d' ' -f1 /proc/uptime) guest seconds (one is ~25 s here)."
	echo "  hvlab caps                          what the emulated CPU offers"
	echo "  hvlab run --stats /guests/hello.elf  a guest (ls /guests for the others)"
	echo "  hvlab run --paging shadow ...       shadow paging instead of EPT"
	echo "  test_run_paging, test_translate ... the kselftest programs (/tests/bin)"
	echo "  dmesg, cat /proc/modules            the kernel's side"
	echo "  rmmod hvlab; insmod $HVLAB_KO  reload the module"
	echo "Leave: exit (the VM powers off), or Ctrl-A x."
	cd /guests 2>/dev/null || cd /
	PS1='hvlab-vm:\w# ' setsid -c sh </dev/ttyS0 >/dev/ttyS0 2>&1
	rmmod hvlab 2>/dev/null
	mark end-shell
}

bench() {
	mark begin-bench
	insmod "$HVLAB_KO" $HVLAB_KO_ARGS || echo "bench: insmod hvlab.ko failed"
	if [ -x /tests/vm/bench-in-vm.sh ]; then
		BENCH_RUNS=${BENCH_RUNS:-5} BENCH_ONLY=${BENCH_ONLY:-} /tests/vm/bench-in-vm.sh 2>&1
	else
		echo "bench: /tests/vm/bench-in-vm.sh is missing"
	fi
	rmmod hvlab 2>/dev/null
	mark end-bench
}

# Drop the boot-time messages (Debian's XSAVE WARNING on Bochs's CPU):
# "kernel log clean" judges only what the suite itself caused.
dmesg -c >/dev/null

case "$HVLAB_VM_MODE" in
demo)	demo ;;
bench)	bench ;;
shell)	shell ;;
*)	suite ;;
esac
finish
