#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# load.sh - what `make load` runs: insmod hvlab.ko, and when the kernel
# refuses it, say why and what to do.
#
#   tests/tools/load.sh [KO]        (default kmod/hvlab.ko)
#
# The refusals explained: "Key was rejected by service" (EKEYREJECTED: the
# kernel enforces module signatures and hvlab.ko is unsigned or signed by
# a key the kernel does not trust), "Operation not permitted" (EPERM) under
# kernel lockdown, which Debian's kernel enters under Secure Boot, and
# "Invalid module format" (built for another kernel).  For tests, INSMOD
# replaces the insmod command and HVLAB_SYSROOT is where /sys is read
# (tests/native/secureboot.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
KO=${1:-kmod/hvlab.ko}
INSMOD=${INSMOD:-insmod}

if [ -d /sys/module/hvlab ] && [ "$INSMOD" = insmod ]; then
	echo "hvlab is already loaded (rmmod hvlab first to load another build)"
	exit 0
fi
[ -f "$KO" ] || { echo "load: $KO is not built ('make kmod')" >&2; exit 1; }
if out=$($INSMOD "$KO" 2>&1); then
	echo "hvlab loaded: /dev/hvlab is there; 'user/hvlab caps' checks the rest"
	exit 0
fi
echo "$out" >&2

explain_signing() {	# explain_signing WHY
	cat >&2 <<MSG

load: $1.
Such a kernel loads only modules signed by a key it trusts (Debian's and
Ubuntu's, when the machine boots with UEFI Secure Boot).  Either sign $KO with a Machine Owner Key (MOK) that you enroll once, or
switch Secure Boot off in the firmware.  Signing, briefly:

  openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -outform DER \\
      -subj "/CN=hvlab module signing/" -keyout MOK.priv -out MOK.der
  mokutil --import MOK.der          # asks for a one-time password
  reboot                            # MokManager: Enroll MOK, type it
  /usr/src/linux-headers-\$(uname -r)/scripts/sign-file sha256 \\
      MOK.priv MOK.der $KO
  make load

(With 'make dkms-install', DKMS signs the module with /var/lib/dkms/mok.key:
enroll /var/lib/dkms/mok.pub instead.)  docs/secure-boot.md has every step.
MSG
}

lockdown=$(cat "${HVLAB_SYSROOT:-}/sys/kernel/security/lockdown" 2>/dev/null || true)
case "$out" in
*"Key was rejected by service"*|*"Required key not available"*)
	explain_signing "the kernel enforces module signatures and refused $KO"
	;;
*"Operation not permitted"*)
	if [[ $lockdown == *"[integrity]"* || $lockdown == *"[confidentiality]"* ]]; then
		explain_signing "the kernel is locked down ($lockdown) and refused the unsigned $KO"
	else
		echo "load: loading modules needs root (sudo make load)" >&2
	fi
	;;
*"Invalid module format"*)
	echo "load: $KO was built for another kernel than $(uname -r): 'make clean kmod KDIR=/lib/modules/$(uname -r)/build'" >&2
	;;
*"File exists"*)
	echo "load: a module called hvlab is already loaded" >&2
	;;
esac
exit 1
