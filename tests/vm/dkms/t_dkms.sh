#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_dkms.sh - the module as DKMS built it, inside the Bochs VM (TAP).
#
# tests/vm/dkms-check.sh runs `make dkms-install KVER=...` on the host for
# the kernel this VM boots; run-suite.sh then copies
# /lib/modules/KVER/updates/dkms/hvlab.ko to /modules/dkms/hvlab.ko and
# this script to /tests/vm/ (it is not in the initramfs otherwise).  Here:
# that file is DKMS's build (signed by DKMS, for this kernel), it loads in
# place of the harness's own hvlab.ko, runs the hello guest, and unloads.
# The harness's module is loaded again at the end, as the suite expects.
DKMS_KO=/modules/dkms/hvlab.ko
OWN_KO=${HVLAB_KO:-/modules/hvlab.ko}
echo "TAP version 13"
echo "1..6"
. "$(dirname "$0")/tap.sh"

# 1. DKMS signs what it builds on Debian: the file ends in the kernel's
# module-signature trailer, which the harness's own build does not have.
trailer=$(tail -c 28 "$DKMS_KO" 2>/dev/null | tr -d '\n')
[ "$trailer" = "~Module signature appended~" ]
ok $? "the DKMS module is DKMS's signed build"

# 2. built for the kernel that runs here
# (busybox's modinfo wants modules.dep; the string is in .modinfo)
vermagic=$(strings "$DKMS_KO" 2>/dev/null | sed -n 's/^vermagic=//p' | head -n 1)
echo "# vermagic: $vermagic; uname -r: $(uname -r)"
case "$vermagic" in
"$(uname -r) "*) ok 0 "built for $(uname -r)" ;;
*) ok 1 "built for $(uname -r)" ;;
esac

# 3. it replaces the harness's module
[ -d /sys/module/hvlab ] && rmmod hvlab
out=$(insmod "$DKMS_KO" 2>&1)
rc=$?
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
[ "$rc" = 0 ] && [ -d /sys/module/hvlab ] && [ -e /dev/hvlab ]
ok $? "insmod $DKMS_KO"

# 4. the hello guest: its greeting, and debug-exit 0 -> status 1
out=$(timeout 20 hvlab run --paging "${HVLAB_PAGING:-ept}" /guests/hello.elf 2>&1)
rc=$?
echo "$out" | sed 's/^/# /' | head -n 20
echo "# exit status $rc"
[ "$rc" = 1 ] && echo "$out" | grep -q 'Hello from an hvlab guest!'
ok $? "hvlab run hello.elf on the DKMS module"

# 5. and it unloads
rmmod hvlab 2>&1 | sed 's/^/# /'
[ ! -d /sys/module/hvlab ]
ok $? "rmmod the DKMS module"

# 6. the harness's own module goes back for the programs after this one
insmod "$OWN_KO" 2>&1 | sed 's/^/# /'
[ -d /sys/module/hvlab ]
ok $? "the harness's hvlab.ko loads again"
exit $fail
