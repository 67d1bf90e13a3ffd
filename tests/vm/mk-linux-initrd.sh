#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mk-linux-initrd.sh OUT - build the initramfs of the Linux guest that runs
# inside hvlab: busybox-static, its applet links, and linux-guest/init.
# The same file serves the VM suite (tests/vm/linux-boot.sh), `make demo`
# and a student's own `hvlab run --initrd OUT vmlinuz`.
set -euo pipefail
out=${1:?usage: mk-linux-initrd.sh OUT.cpio.gz}
here=$(cd "$(dirname "$0")" && pwd)
bb=$(command -v busybox || true)
if [ -z "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
	echo "mk-linux-initrd.sh: busybox-static is not installed (run 'make deps')" >&2
	exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
cp "$bb" "$root/bin/busybox"
"$bb" --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
cp "$here/linux-guest/init" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -9 >"$out"
