#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh - hvlab installed the way a driver is, tested end to end:
# `make dkms-install KVER=K` on this host (DKMS copies the sources to
# /usr/src/hvlab-VERSION, builds and signs hvlab.ko for kernel K and puts
# it in /lib/modules/K/updates/dkms/), then the VM suite boots kernel K in
# Bochs with only tests/vm/dkms/t_dkms.sh selected, which loads that very
# file, runs the hello guest and unloads it; then `make dkms-remove`.
#
#   tests/vm/dkms-check.sh [--kver K] [--only PATTERN]
#
# K defaults to the newest Debian 6.1 kernel; PATTERN (run-suite.sh's
# --only, default t_dkms) may add programs, e.g. 't_[dz]*' also runs
# t_demo.sh and t_zz_lockdown.sh, which then checks that DKMS's signature
# alone does not get the module past enforced signatures.
#
# The host is left as it was found: the DKMS registration, the sources in
# /usr/src, the installed module and the signing key DKMS generates on its
# first build (/var/lib/dkms/mok.key, mok.pub) are removed again unless
# they were there before, and the last result compares the state before
# and after.  The VM suite's own result files (build/results/vm*.tap) are
# kept; these results go to build/results/vm-dkms.tap (TAP on stdout too).
set -uo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
RES=$TOP/build/results
OUT=$RES/vm-dkms.tap
LOG=$TOP/build/vm/artifacts/dkms.log
mkdir -p "$RES" "$(dirname "$LOG")"

KVER=
ONLY=t_dkms
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) KVER=${2:-}; shift ;;
	--kver=*) KVER=${1#*=} ;;
	--only) ONLY=${2:-}; shift ;;
	--only=*) ONLY=${1#*=} ;;
	-h|--help) sed -n '4,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "dkms-check.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$KVER" ]; then
	KVER=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
	KVER=${KVER##*/linux-headers-}
fi

n=0
fail=0
: >"$OUT"
emit() { echo "$*" | tee -a "$OUT"; }
result() {	# result STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then emit "ok $n - dkms: $2"; else emit "not ok $n - dkms: $2"; fail=1; fi
}
finish() {
	emit "1..$n"
	exit $fail
}

# Machines that cannot run this: say why, count one skip.
skip_all() {
	emit "ok 1 - dkms # SKIP $*"
	n=1
	finish
}
[ "$(id -u)" = 0 ] || skip_all "needs root (DKMS installs into /lib/modules)"
command -v dkms >/dev/null || { result 1 "dkms is not installed (tests/tools/deps.sh installs it)"; finish; }
[ -n "$KVER" ] && [ -d "/lib/modules/$KVER/build" ] ||
	{ result 1 "no kernel headers for '${KVER:-6.1}' (run 'make deps')"; finish; }
if dkms status -m hvlab 2>/dev/null | grep -q .; then
	skip_all "hvlab is already registered with DKMS on this machine ($(dkms status -m hvlab | head -n 1)); not touching it"
fi

# What this test may change on the host, before and after.
host_state() {
	echo "dkms status: $(dkms status 2>/dev/null | tr '\n' ';')"
	ls -d /usr/src/hvlab-* 2>/dev/null
	ls -la /var/lib/dkms 2>/dev/null | awk 'NR > 1 { print $1, $NF }'
	find "/lib/modules/$KVER" -path "*/updates*" 2>/dev/null
	md5sum "/lib/modules/$KVER/modules.dep" 2>/dev/null
}
before=$(host_state)
had_key=0
[ -e /var/lib/dkms/mok.key ] && had_key=1
had_pub=0
[ -e /var/lib/dkms/mok.pub ] && had_pub=1

# the VM pass below is named dkms-boot: its TAP file is read here and
# removed, so only this script's own results (vm-dkms.tap) are counted
BOOT_TAP=$RES/vm-dkms-boot.tap
cleanup() {
	make -s dkms-remove >>"$LOG" 2>&1
	[ "$had_key" = 1 ] || rm -f /var/lib/dkms/mok.key
	[ "$had_pub" = 1 ] || rm -f /var/lib/dkms/mok.pub
	rm -f "$BOOT_TAP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "# dkms-check: make dkms-install KVER=$KVER (log: $LOG)" | tee -a "$OUT"
if make dkms-install KVER="$KVER" >"$LOG" 2>&1 &&
   [ -f "/lib/modules/$KVER/updates/dkms/hvlab.ko" ] &&
   dkms status -m hvlab -k "$KVER" | grep -q installed; then
	result 0 "make dkms-install KVER=$KVER builds and installs hvlab.ko"
else
	tail -n 20 "$LOG" | sed 's/^/# /' | tee -a "$OUT"
	result 1 "make dkms-install KVER=$KVER builds and installs hvlab.ko"
fi

if [ -f "/lib/modules/$KVER/updates/dkms/hvlab.ko" ]; then
	echo "# dkms-check: booting $KVER in Bochs with the DKMS module" | tee -a "$OUT"
	rm -f "$BOOT_TAP"
	tests/vm/run-suite.sh --kver "$KVER" --pass dkms-boot --only "$ONLY" >>"$LOG" 2>&1
	# every VM result, renumbered into this file (the VM's build steps
	# are not tests: a failed one shows in the results that follow)
	if grep -q 't_dkms.sh:' "$BOOT_TAP" 2>/dev/null; then
		while read -r line; do
			if [[ $line =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
				result 0 "VM: ${BASH_REMATCH[1]}"
			elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
				result 1 "VM: ${BASH_REMATCH[1]}"
			fi
		done < <(grep -E '^(not )?ok ' "$BOOT_TAP")
	else
		grep -E '^(not )?ok |FAILED|VM problem' "$BOOT_TAP" "$LOG" -h 2>/dev/null | tail -n 10 | sed 's/^/# /' | tee -a "$OUT"
		result 1 "VM: t_dkms.sh ran (no results from it; log: $LOG)"
	fi
else
	result 1 "VM: t_dkms.sh ran (no DKMS module to test)"
fi

cleanup
trap - EXIT
after=$(host_state)
if [ "$before" = "$after" ]; then
	result 0 "make dkms-remove leaves the host as it was"
else
	diff <(echo "$before") <(echo "$after") | sed 's/^/# /' | tee -a "$OUT"
	result 1 "make dkms-remove leaves the host as it was"
fi
finish
