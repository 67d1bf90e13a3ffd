#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# secureboot.sh - what a user sees on a machine that refuses unsigned
# modules, without such a machine: `hvlab caps` reads /sys below
# $HVLAB_SYSROOT, here fake trees as Debian 12 shows them with Secure Boot
# on and off; `make load`'s script (tests/tools/load.sh) runs with a
# stand-in insmod that fails the way finit_module's EKEYREJECTED does.
# TAP on stdout; every command under a time limit.
set -u
cd "$(dirname "$0")/../.."
HV=./user/hvlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
T=30

result() {	# result STATUS DESCRIPTION [DETAILS]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ $# -gt 2 ] && sed 's/^/#   /' <<<"$3" | head -n 25
		fail=1
	fi
}

EFIVAR=sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
fake_root() {	# fake_root DIR SB_BYTE LOCKDOWN SIG_ENFORCE
	mkdir -p "$1/$(dirname $EFIVAR)" "$1/sys/kernel/security" "$1/sys/module/module/parameters"
	printf "\x06\x00\x00\x00\\x0$2" >"$1/$EFIVAR"
	echo "$3" >"$1/sys/kernel/security/lockdown"
	echo "$4" >"$1/sys/module/module/parameters/sig_enforce"
}
fake_root "$tmp/on" 1 "none [integrity] confidentiality" Y
fake_root "$tmp/off" 0 "[none] integrity confidentiality" N
fake_root "$tmp/debian" 1 "none [integrity] confidentiality" N

if [ -d /sys/module/hvlab ]; then
	for d in "explains MOK signing under Secure Boot" "--quiet still explains" "says nothing with Secure Boot off" "names EPERM under lockdown alone"; do
		result 0 "hvlab caps $d # SKIP hvlab is loaded on this host, and the advice is for when it is not"
	done
else
	out=$(HVLAB_SYSROOT=$tmp/on timeout $T $HV caps 2>&1)
	grep -q '^  Secure Boot           on, lockdown integrity, module signatures enforced$' <<<"$out" &&
		grep -q 'Key was rejected by service' <<<"$out" &&
		grep -q 'mokutil --import MOK.der' <<<"$out" &&
		grep -q 'scripts/sign-file sha256 MOK.priv MOK.der kmod/hvlab.ko' <<<"$out" &&
		grep -q '/var/lib/dkms/mok.pub' <<<"$out"
	result $? "hvlab caps explains MOK signing under Secure Boot" "$out"

	out=$(HVLAB_SYSROOT=$tmp/on timeout $T $HV caps --quiet 2>&1)
	grep -q 'SECURE BOOT: Secure Boot is on' <<<"$out" && ! grep -q '^Host' <<<"$out"
	result $? "hvlab caps --quiet still explains" "$out"

	out=$(HVLAB_SYSROOT=$tmp/off timeout $T $HV caps 2>&1)
	grep -q '^  Secure Boot           off, lockdown none, unsigned modules allowed$' <<<"$out" &&
		! grep -q 'SECURE BOOT' <<<"$out"
	result $? "hvlab caps says nothing with Secure Boot off" "$out"

	out=$(HVLAB_SYSROOT=$tmp/debian timeout $T $HV caps 2>&1)
	grep -q '^  Secure Boot           on, lockdown integrity, unsigned modules allowed$' <<<"$out" &&
		grep -q 'fails with "Operation not permitted"' <<<"$out" &&
		grep -q 'mokutil --import MOK.der' <<<"$out"
	result $? "hvlab caps names EPERM under lockdown alone (Debian under Secure Boot)" "$out"
fi

# make load: a stand-in insmod that fails as under Secure Boot
: >"$tmp/hvlab.ko"
cat >"$tmp/insmod-rejected" <<'SH'
#!/bin/sh
echo "insmod: ERROR: could not insert module $1: Key was rejected by service"
exit 1
SH
printf '#!/bin/sh\nexit 0\n' >"$tmp/insmod-ok"
chmod +x "$tmp"/insmod-*

out=$(INSMOD=$tmp/insmod-rejected timeout $T tests/tools/load.sh "$tmp/hvlab.ko" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q 'Key was rejected by service' <<<"$out" &&
	grep -q 'mokutil --import MOK.der' <<<"$out" &&
	grep -q "scripts/sign-file sha256" <<<"$out" &&
	grep -q 'docs/secure-boot.md' <<<"$out"
result $? "make load explains a 'Key was rejected by service' refusal (status $rc)" "$out"

cat >"$tmp/insmod-eperm" <<'SH'
#!/bin/sh
echo "insmod: ERROR: could not insert module $1: Operation not permitted"
exit 1
SH
chmod +x "$tmp/insmod-eperm"
out=$(HVLAB_SYSROOT=$tmp/debian INSMOD=$tmp/insmod-eperm timeout $T tests/tools/load.sh "$tmp/hvlab.ko" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q 'locked down (none \[integrity\] confidentiality)' <<<"$out" &&
	grep -q 'mokutil --import MOK.der' <<<"$out"
result $? "make load explains an EPERM refusal under lockdown (status $rc)" "$out"

out=$(HVLAB_SYSROOT=$tmp/off INSMOD=$tmp/insmod-eperm timeout $T tests/tools/load.sh "$tmp/hvlab.ko" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q 'needs root' <<<"$out" && ! grep -q mokutil <<<"$out"
result $? "make load: EPERM without lockdown is about root, not signing (status $rc)" "$out"

out=$(INSMOD=$tmp/insmod-ok timeout $T tests/tools/load.sh "$tmp/hvlab.ko" 2>&1)
rc=$?
[ "$rc" = 0 ] && ! grep -q 'mokutil' <<<"$out"
result $? "make load says nothing about signing when insmod works (status $rc)" "$out"

echo "1..$n"
exit $fail
