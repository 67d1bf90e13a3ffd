#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kver.sh - which installed kernel a VM pass boots.
#
#   tests/vm/kver.sh default     Debian 12's default kernel: the version the
#                                linux-image-amd64 package depends on
#                                (linux-image-6.1.0-N-amd64 -> 6.1.0-N-amd64)
#   tests/vm/kver.sh 6.12        the newest installed kernel whose version
#                                starts with "6.12." or "6.12-" (sort -V)
#   tests/vm/kver.sh 6.1.0-57-amd64   that exact kernel
#
# Prints the kernel version (as in /boot/vmlinuz-VERSION) and exits 0 only
# when both /boot/vmlinuz-VERSION and /usr/src/linux-headers-VERSION exist;
# otherwise says what is missing on stderr and exits 1.  "default" never
# falls back to the newest kernel: a machine that has 6.12 installed beside
# Debian's 6.1 still tests 6.1 unless told otherwise.
set -euo pipefail

want=${1:-default}
usable() { [ -r "/boot/vmlinuz-$1" ] && [ -d "/usr/src/linux-headers-$1" ]; }
installed() {	# every KVER with both a vmlinuz and headers, oldest first
	local v
	for f in /boot/vmlinuz-*; do
		[ -e "$f" ] || continue
		v=${f#/boot/vmlinuz-}
		usable "$v" && echo "$v"
	done | sort -V
}
none() {
	echo "kver.sh: $*" >&2
	echo "kver.sh: kernels with vmlinuz and headers: $(installed | tr '\n' ' ')" >&2
	exit 1
}

case "$want" in
default)
	dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null || true)
	pkg=$(grep -oE 'linux-image-[0-9][^ ,|]*' <<<"$dep" | head -n 1 || true)
	[ -n "$pkg" ] || none "cannot tell Debian's default kernel: linux-image-amd64 is not installed (run 'make deps', or pass --kver / KVER=)"
	kver=${pkg#linux-image-}
	usable "$kver" || none "Debian's default kernel $kver lacks /boot/vmlinuz-$kver or /usr/src/linux-headers-$kver (run 'make deps')"
	echo "$kver"
	;;
*)
	[[ $want =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || none "'$want' is not a kernel version"
	if usable "$want"; then
		echo "$want"
		exit 0
	fi
	kver=$(installed | grep -E "^${want//./\\.}[.-]" | tail -n 1 || true)
	[ -n "$kver" ] || none "no installed kernel matches '$want'"
	echo "$kver"
	;;
esac
