#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mk-linux-initrd.sh OUT [KVER] - build the initramfs of the Linux guest that
# runs inside hvlab: busybox-static, its applet links, linux-guest/init and
# linux-guest/net.sh, and Linux's own e1000 driver (e1000.ko) from
# /lib/modules/KVER, the kernel whose vmlinuz the guest boots (default:
# Debian's default kernel, tests/vm/kver.sh).  Without that module the
# initramfs is still made, with a warning: the guest then has no network.
# The same file serves the VM suite (tests/vm/linux-boot.sh,
# tests/vm/t_linux_net.sh), `make demo` and a student's own
# `hvlab run --initrd OUT vmlinuz`.
set -euo pipefail
out=${1:?usage: mk-linux-initrd.sh OUT.cpio.gz [KVER]}
here=$(cd "$(dirname "$0")" && pwd)
kver=${2:-$("$here/kver.sh" default 2>/dev/null || true)}
bb=$(command -v busybox || true)
if [ -z "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
	echo "mk-linux-initrd.sh: busybox-static is not installed (run 'make deps')" >&2
	exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,lib/modules}
cp "$bb" "$root/bin/busybox"
"$bb" --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
cp "$here/linux-guest/init" "$root/init"
cp "$here/linux-guest/net.sh" "$root/net.sh"
chmod 755 "$root/init" "$root/net.sh"
# The module must match the guest's kernel exactly (vermagic).  Debian's 6.1
# ships plain .ko files, 6.12 .ko.xz; busybox insmod wants a plain one.
ko=/lib/modules/$kver/kernel/drivers/net/ethernet/intel/e1000/e1000.ko
if [ -n "$kver" ] && [ -f "$ko" ]; then
	cp "$ko" "$root/lib/modules/e1000.ko"
elif [ -n "$kver" ] && [ -f "$ko.xz" ]; then
	xz -dc "$ko.xz" >"$root/lib/modules/e1000.ko"
else
	echo "mk-linux-initrd.sh: warning: no e1000.ko for kernel '${kver:-?}': the guest has no network" >&2
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -9 >"$out"
