#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_demo.sh - the VT-x path of `make demo`, inside the VM (TAP).
#
# On a machine with VT-x, tests/tools/demo.sh builds everything, loads
# hvlab.ko and runs tests/vm/demo-guest.sh; here Bochs's CPU has VMX, so
# that same script runs against the module the harness loaded and the
# guests it built (a shorter demo: rounds=20).  Without a terminal it runs
# the guest without the dashboard, as it would from a pipe.
echo "TAP version 13"
echo "1..6"
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" ${HVLAB_KO_ARGS:-} 2>/dev/null
out=$(HVLAB_DEMO_APPEND=rounds=20 sh /tests/vm/demo-guest.sh hvlab /guests "${HVLAB_PAGING:-ept}" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /' | head -n 80
fail=0
check() {	# check N DESCRIPTION STATUS
	if [ "$3" = 0 ]; then
		echo "ok $1 - $2"
	else
		echo "not ok $1 - $2"
		fail=1
	fi
}
check 1 "demo-guest.sh exits 0 (status $rc)" $rc
echo "$out" | grep -q '^VERDICT: this machine can run hvlab guests'
check 2 "it runs hvlab caps, which finds VMX usable" $?
echo "$out" | grep -q "^=== hvlab run --paging ${HVLAB_PAGING:-ept} --stats --record [^ ]* --trap-cr3 --append rounds=20 /guests/demo.elf\$"
check 3 "it runs demo.elf with --stats, --record and --trap-cr3" $?
echo "$out" | grep -q '^=== guest exited with status [01]$' &&
	echo "$out" | grep -q 'Hello from an hvlab guest! (demo)'
check 4 "the demo guest greets and ends normally" $?
echo "$out" | grep -q 'trap-cr3' && echo "$out" | grep -q 'Exits by reason'
check 5 "the recorded run replays: replay --info and the dashboard's panels" $?
lost=$(echo "$out" | sed -n 's/^exits lost  *\([0-9]*\)$/\1/p' | head -n 1)
[ "$lost" = 0 ]
check 6 "the demo's trace lost no exit (replay --info: exits lost ${lost:-?})" $?
exit $fail
