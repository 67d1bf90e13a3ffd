#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_zz_lockdown.sh - what an unsigned hvlab.ko meets on a machine booted
# with Secure Boot, reproduced inside the Bochs VM (TAP).
#
# Bochs boots through the BIOS, so there is no Secure Boot; but the two
# kernel switches that Secure Boot turns on can be set at run time, one
# way only: kernel lockdown (/sys/kernel/security/lockdown; Debian's kernel
# locks down to "integrity" under Secure Boot) and module signature
# enforcement (/sys/module/module/parameters/sig_enforce, as with
# module.sig_enforce=1).  After each, insmod of the harness's unsigned
# hvlab.ko must fail with the kernel's error for it (lockdown alone: EPERM,
# "Operation not permitted"; enforced signatures: EKEYREJECTED, "Key was
# rejected by service"), and `hvlab caps` must report the state it reads
# from those files.  The kernel checks the signature before it looks for a
# module of the same name, so the hvlab.ko already loaded stays loaded for
# the suite's teardown.  Nothing unsigned can be loaded after this test:
# it runs last ("zz").
DKMS_KO=/modules/dkms/hvlab.ko
KO=${HVLAB_KO:-/modules/hvlab.ko}
echo "TAP version 13"
if [ -f "$DKMS_KO" ]; then echo "1..7"; else echo "1..6"; fi
. "$(dirname "$0")/tap.sh"

[ -d /sys/module/hvlab ] || insmod "$KO"
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
echo "# before: lockdown: $(cat /sys/kernel/security/lockdown 2>&1); sig_enforce: $(cat /sys/module/module/parameters/sig_enforce 2>&1)"

# 1-3: lockdown integrity, signatures not enforced
echo integrity >/sys/kernel/security/lockdown
grep -q '\[integrity\]' /sys/kernel/security/lockdown
ok $? "lockdown raised to integrity"
out=$(insmod "$KO" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
dmesg | grep -i lockdown | tail -n 1 | sed 's/^/# dmesg: /'
[ "$rc" != 0 ] && echo "$out" | grep -q 'Operation not permitted'
ok $? "locked down: insmod of an unsigned module fails with EPERM"
out=$(hvlab caps 2>&1)
echo "$out" | grep 'Secure Boot' | sed 's/^/# /'
echo "$out" | grep -q '^  Secure Boot  .*lockdown integrity, unsigned modules allowed$'
ok $? "hvlab caps reads the lockdown level"

# 4-7: signatures enforced as well
echo 1 >/sys/module/module/parameters/sig_enforce
grep -q Y /sys/module/module/parameters/sig_enforce
ok $? "module signatures enforced"
out=$(insmod "$KO" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
[ "$rc" != 0 ] && echo "$out" | grep -q 'Key was rejected by service'
ok $? "enforced: insmod of an unsigned module fails with 'Key was rejected by service'"
if [ -f "$DKMS_KO" ]; then
	out=$(insmod "$DKMS_KO" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	trailer=$(tail -c 28 "$DKMS_KO" | tr -d '\n')
	[ "$trailer" = "~Module signature appended~" ] && [ "$rc" != 0 ] &&
		echo "$out" | grep -q 'Key was rejected by service'
	ok $? "enforced: DKMS's build, signed by a key the kernel does not trust, is refused too"
fi
out=$(hvlab caps 2>&1)
echo "$out" | grep 'Secure Boot' | sed 's/^/# /'
echo "$out" | grep -q '^  Secure Boot  .*lockdown integrity, module signatures enforced$'
ok $? "hvlab caps reads the enforcement"
[ -d /sys/module/hvlab ] || echo "# hvlab.ko is no longer loaded"
exit $fail
