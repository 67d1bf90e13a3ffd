#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_caps.sh - `hvlab caps` inside the Bochs VM (TAP).
#
# Bochs's corei7_skylake_x offers everything hvlab needs, so the command
# must succeed and end with its positive verdict; the wording is the one
# user/caps.c prints ("... can run hvlab guests").  Runs after the setup
# step loaded hvlab.ko; loads it itself when run alone.
echo "TAP version 13"
echo "1..3"
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" ${HVLAB_KO_ARGS:-} 2>/dev/null

if ! command -v hvlab >/dev/null 2>&1; then
	for i in 1 2 3; do
		echo "not ok $i - hvlab caps # hvlab is not in the initramfs (did user/hvlab build?)"
	done
	exit 1
fi

out=$(hvlab caps --raw 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
fail=0
if [ "$rc" -eq 0 ]; then
	echo "ok 1 - hvlab caps exits 0"
else
	echo "not ok 1 - hvlab caps exits 0 (exit status $rc)"
	fail=1
fi
if echo "$out" | grep -q "can run hvlab guests" &&
   ! echo "$out" | grep -qiE "(cannot|can ?not|can't) run hvlab guests"; then
	echo "ok 2 - hvlab caps says this machine can run hvlab guests"
else
	echo "not ok 2 - hvlab caps says this machine can run hvlab guests"
	fail=1
fi
if hvlab caps --help >/dev/null 2>&1; then
	echo "ok 3 - hvlab caps --help exits 0"
else
	echo "not ok 3 - hvlab caps --help exits 0"
	fail=1
fi
exit $fail
