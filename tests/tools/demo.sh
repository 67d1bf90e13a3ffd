#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make demo` runs: install what is missing, build, load
# hvlab, diagnose the CPU, run the demo guest.
#
#   tests/tools/demo.sh [--bochs] [run-suite.sh options, e.g. --cpus 1]
#
# Each stage prints one line; compiler and apt output go to build/demo.log,
# whose last lines are shown when a stage fails.  On a host with usable
# VT-x (vmx in /proc/cpuinfo, root, and kmod/hvlab.ko loads) it builds the
# guests too and runs natively: insmod, then tests/vm/demo-guest.sh -
# `hvlab caps`, the demo guest with --stats, --record and --trap-cr3 (in
# the live dashboard when this is a terminal), and the recorded run as
# text - and rmmod.  That is what the Bochs VM shows (tests/vm/init.sh),
# which then boots its own Linux kernel inside hvlab with the dashboard
# until the guest powers itself off (a few more minutes);
# everywhere else - the lab machines without VT-x - it boots that VM,
# whose emulated CPU has VMX with EPT, and streams its serial console here
# (tests/vm/run-suite.sh --demo).  Either way it ends by itself; Bochs is
# never left running.
set -uo pipefail
cd "$(dirname "$0")/../.."

force_bochs=0
args=()
for a in "$@"; do
	case "$a" in
	--bochs) force_bochs=1 ;;
	-h|--help)
		sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	*) args+=("$a") ;;
	esac
done

mkdir -p build
LOG=$PWD/build/demo.log
: >"$LOG"
START=$SECONDS
say() { printf '[demo %3ds] %s\n' $((SECONDS - START)) "$*"; }

# stage DESCRIPTION CMD...: one line; the command's output goes to the log.
stage() {
	local what=$1
	shift
	say "$what"
	echo "=== $what: $*" >>"$LOG"
	if "$@" >>"$LOG" 2>&1; then
		return 0
	fi
	say "FAILED: $what; the last lines of $LOG:"
	tail -n 25 "$LOG" | sed 's/^/    /'
	return 1
}

stage "Debian packages (tests/tools/deps.sh)" tests/tools/deps.sh || exit 1
# A make of its own, so KDIR is computed after deps.sh installed the
# headers: an empty KDIR exported by the `make demo` that started us would
# otherwise win over the Makefile's default.
[ -n "${KDIR:-}" ] || unset KDIR
[ -n "${VM_KDIR:-}" ] || unset VM_KDIR
stage "building hvlab.ko and user/hvlab" make all || exit 1

# Where Kbuild leaves the module (kmod/hvlab.ko or, for a top-level
# obj-m, hvlab.ko).
KO=
for k in kmod/hvlab.ko hvlab.ko; do
	[ -f "$k" ] && { KO=$k; break; }
done

native_ok() {
	[ "$force_bochs" = 0 ] || return 1
	grep -qw vmx /proc/cpuinfo || { say "this CPU shows no vmx flag"; return 1; }
	[ "$(id -u)" = 0 ] || { say "not root, cannot load $KO"; return 1; }
	[ -n "$KO" ] || { say "hvlab.ko is not built ('make kmod')"; return 1; }
	[ -x user/hvlab ] || { say "user/hvlab is not built"; return 1; }
	return 0
}

# Unload what we loaded, however the demo ends.
LOADED_HERE=0
trap '[ "$LOADED_HERE" = 1 ] && rmmod hvlab 2>/dev/null; true' EXIT

if native_ok; then
	if grep -qE '^(kvm_intel|kvm) ' /proc/modules; then
		say "note: KVM is loaded; hvlab refuses to run while a KVM VM holds VMX"
	fi
	stage "building the guests (make guests)" make guests || exit 1
	if [ -e /dev/hvlab ]; then
		say "hvlab is loaded already"
	elif stage "loading $KO" tests/tools/load.sh "$KO"; then
		LOADED_HERE=1
	fi
	if [ -e /dev/hvlab ]; then
		say "running the demo guest natively"
		tests/vm/demo-guest.sh user/hvlab build/guests
		exit $?
	fi
	say "$KO did not load here: using Bochs instead"
fi
say "no usable VT-x here: running the demo inside Bochs (emulated VMX)"
say "(the VM boots Debian's kernel first: expect a few minutes before hvlab's output)"
exec tests/vm/run-suite.sh --demo "${args[@]}"
