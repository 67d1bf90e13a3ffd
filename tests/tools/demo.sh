#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make demo` runs: load hvlab, diagnose the CPU, run the
# demo guest.
#
#   tests/tools/demo.sh [--bochs] [run-suite.sh options, e.g. --cpus 1]
#
# On a host with usable VT-x (vmx in /proc/cpuinfo, root, and kmod/hvlab.ko
# loads) it runs natively: insmod, `user/hvlab caps`, then
# `user/hvlab run --dashboard build/guests/demo.elf` (or hello.elf, or
# nothing, depending on what exists yet), and rmmod.  Everywhere else - the
# lab machines without VT-x - it boots the same thing inside Bochs, whose
# emulated CPU has VMX with EPT, and streams the VM's serial console here
# (tests/vm/run-suite.sh --demo).  Either way it ends by itself; Bochs is
# never left running.
set -euo pipefail
cd "$(dirname "$0")/../.."

force_bochs=0
args=()
for a in "$@"; do
	case "$a" in
	--bochs) force_bochs=1 ;;
	-h|--help)
		sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	*) args+=("$a") ;;
	esac
done

native_ok() {
	[ "$force_bochs" = 0 ] || return 1
	grep -qw vmx /proc/cpuinfo || { echo "demo: the CPU shows no vmx flag"; return 1; }
	[ "$(id -u)" = 0 ] || { echo "demo: not root, cannot load kmod/hvlab.ko"; return 1; }
	[ -n "$KO" ] || { echo "demo: hvlab.ko is not built ('make kmod')"; return 1; }
	[ -x user/hvlab ] || { echo "demo: user/hvlab is not built"; return 1; }
	return 0
}

# Pick the guest: the dashboard demo if both exist, else the plain hello.
pick_guest() {
	local help
	help=$(user/hvlab run --help 2>&1 || true)
	if [ -f build/guests/demo.elf ] &&
	   grep -- --dashboard <<<"$help" | grep -vq 'not available'; then
		echo "--dashboard build/guests/demo.elf"
	elif [ -f build/guests/demo.elf ]; then
		echo "build/guests/demo.elf"
	elif [ -f build/guests/hello.elf ]; then
		echo "build/guests/hello.elf"
	fi
}

run_native() {
	local guest rc=0
	if [ ! -e /dev/hvlab ]; then
		insmod "$KO" || return 1
		LOADED_HERE=1
	fi
	echo "=== user/hvlab caps"
	user/hvlab caps || rc=$?
	guest=$(pick_guest)
	if [ -z "$guest" ]; then
		echo "demo: no demo guest yet (build/guests/demo.elf or hello.elf); 'make guests' builds them"
	else
		echo "=== user/hvlab run $guest"
		# shellcheck disable=SC2086 # $guest is "[--dashboard] FILE"
		user/hvlab run $guest || rc=$?
	fi
	return $rc
}

# Where Kbuild leaves the module (kmod/hvlab.ko or, for a top-level
# obj-m, hvlab.ko).
KO=
for k in kmod/hvlab.ko hvlab.ko; do
	[ -f "$k" ] && { KO=$k; break; }
done

# Unload what we loaded, however the demo ends.
LOADED_HERE=0
trap '[ "$LOADED_HERE" = 1 ] && rmmod hvlab 2>/dev/null; true' EXIT

if native_ok; then
	if grep -qE '^(kvm_intel|kvm) ' /proc/modules; then
		echo "demo: note: KVM is loaded; hvlab refuses to run while a KVM VM holds VMX"
	fi
	if run_native; then
		exit 0
	fi
	status=$?
	[ -e /dev/hvlab ] && exit "$status"
	echo "demo: $KO did not load here"
fi
echo "no VT-x here: running the demo inside Bochs (emulated VMX)"
echo "(the VM boots Debian's kernel first: expect a few minutes before hvlab's output)"
exec tests/vm/run-suite.sh --demo "${args[@]}"
