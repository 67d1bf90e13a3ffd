#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_ept_vs_shadow.sh - ptbench.elf under EPT and under shadow paging, alone (TAP).
#
# The cheapest way to measure the translation overhead without the whole
# `make bench`: one VM pass that runs only this script
# (tests/vm/run-suite.sh --pass NAME --only t_ept_vs_shadow.sh).  It runs only
# when asked for by name (init.sh).  What it asserts is that the guest
# ran to its end in both modes, its own check of the touched frames
# included; the cycles and the --stats lines are printed as TAP comments,
# never compared: timing is not a test.
. /tests/vm/tap.sh
echo "TAP version 13"
echo "1..2"
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" ${HVLAB_KO_ARGS:-} 2>/dev/null
G=${HVLAB_GUESTS:-/guests}

for mode in ept shadow; do
	out=$(hvlab run --paging "$mode" --stats "$G/ptbench.elf" 2>&1)
	rc=$?
	echo "$out" | grep -v '^hvlab: ucall' | sed "s/^/# $mode: /"
	echo "$out" | grep -q "ptbench .* cycles, first round" && [ "$rc" -eq 0 ]
	ok $? "ptbench.elf runs to its end under --paging $mode"
done
exit $fail
