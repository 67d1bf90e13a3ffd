#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# udev.sh - udev/60-hvlab.rules as `make install-udev` installs it, applied
# by udev's own rule engine (`udevadm test`), without touching the host:
# everything runs in a private mount namespace with its own /dev, /run and
# /etc/group (which holds a "hvlab" group).  There is no /dev/hvlab on this
# machine (no VT-x, no module), so the installed rule is pointed at a misc
# device the host has, by its KERNEL== match only; the rest is the file
# as installed.  Checks: make install-udev puts the rule under DESTDIR;
# the node ends up root:hvlab 0660; a device the rule does not name keeps
# what udev's other rules give it.
# TAP on stdout; every command under a time limit.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
T=30
n=0
fail=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ $# -gt 2 ] && sed 's/^/#   /' <<<"$3" | tail -n 20
		fail=1
	fi
}
skip_all() {
	echo "ok 1 - udev rule # SKIP $*"
	echo "1..1"
	exit 0
}
[ "$(id -u)" = 0 ] || skip_all "needs root (a mount namespace and mknod)"
command -v udevadm >/dev/null || skip_all "udevadm is not installed (package udev)"
command -v unshare >/dev/null || skip_all "unshare is not installed (package util-linux)"

out=$(timeout 120 make -s install-udev DESTDIR="$tmp/dest" 2>&1)
RULE=$tmp/dest/etc/udev/rules.d/60-hvlab.rules
[ -f "$RULE" ] && cmp -s "$RULE" udev/60-hvlab.rules
result $? "make install-udev DESTDIR=... installs 60-hvlab.rules" "$out"

# a misc device of this machine to stand in for hvlab
dev=
for d in fuse cpu_dma_latency btrfs-control vga_arbiter; do
	[ -e "/sys/class/misc/$d/dev" ] && { dev=$d; break; }
done
[ -n "$dev" ] || skip_all "no misc device in /sys/class/misc to apply the rule to"
majmin=$(cat "/sys/class/misc/$dev/dev")

# apply RULES_FILE: prints "MODE OWNER GROUP" of the node after udevadm test
apply() {
	timeout $T unshare -m bash -s "$1" "$dev" "${majmin%%:*}" "${majmin##*:}" "$tmp" <<'SH'
set -e
rules=$1 dev=$2 major=$3 minor=$4 tmp=$5
mount -t tmpfs none /run
mount -t tmpfs none /dev
mkdir -p /run/udev/rules.d
[ -s "$rules" ] && cp "$rules" /run/udev/rules.d/60-hvlab.rules
cp /etc/group "$tmp/group"
echo "hvlab:x:4242:" >>"$tmp/group"
mount --bind "$tmp/group" /etc/group
mknod -m 0600 "/dev/$dev" c "$major" "$minor"
udevadm test --action=add "/sys/class/misc/$dev" >"$tmp/udevadm.log" 2>&1
stat -c '%a %U %G' "/dev/$dev"
SH
}

sed "s/KERNEL==\"hvlab\"/KERNEL==\"$dev\"/" "$RULE" >"$tmp/rule"
grep -q "KERNEL==\"$dev\", SUBSYSTEM==\"misc\"" "$tmp/rule" || result 1 "the rule matches KERNEL==\"hvlab\"" "$(cat "$RULE")"
got=$(apply "$tmp/rule" 2>&1)
[ "$got" = "660 root hvlab" ]
result $? "with the rule, the device node is root:hvlab 0660 (got: $got)" "$(tail -n 15 "$tmp/udevadm.log" 2>/dev/null)"

# the rule matches hvlab's node only: another name keeps the default
sed "s/KERNEL==\"hvlab\"/KERNEL==\"not-$dev\"/" "$RULE" >"$tmp/rule-other"
: >"$tmp/empty"
base=$(apply "$tmp/empty" 2>&1)
other=$(apply "$tmp/rule-other" 2>&1)
[ "$other" = "$base" ] && ! grep -q hvlab <<<"$other"
result $? "without a match the node keeps udev's default (got: $other, no rule: $base)"

echo "1..$n"
exit $fail
