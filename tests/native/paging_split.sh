#!/usr/bin/env bash
# paging_split.sh - an EPT vCPU never enters shadow paging or vm86 code.
# The module reaches shadow.c and rmode.c only through the table
# hv_shadow_paging, which vcpu.c installs in a vCPU of a VM without EPT
# (struct hv_paging_ops, kmod/vm.h).  Checked on the built objects: every
# global symbol shadow.o and rmode.o define is referred to by no other
# object of the module (the pure halves aside, which they call), except
# hv_shadow_paging by vcpu.o; and the EPT table's object, ept.o, names none
# of them.  A direct call from the exit path (exit.c, cr.c, run.c, ...)
# into shadow.c or rmode.c fails here.  Builds the module first (a few
# seconds when it is current).  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
n=0

result() {	# result OK NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

kdir=$(make -s -C "$TOP" -f - print-kdir 2>/dev/null <<'MK'
include Makefile
print-kdir: ; @echo $(KDIR)
MK
)
if [ -z "$kdir" ] || [ ! -d "$kdir" ]; then
	echo "ok 1 - paging split # SKIP no kernel build tree (make deps)"
	echo "1..1"
	exit 0
fi
if ! out=$(timeout 240 make -s -C "$TOP" kmod KDIR="$kdir" 2>&1); then
	echo "$out" | tail -n 20 | sed 's/^/# /'
	result 1 "the module builds"
	echo "1..$n"
	exit 0
fi

# the backend's own objects, and those allowed to name it
backend="kmod/shadow.o kmod/rmode.o"
syms=$(nm --defined-only -g $backend | awk 'NF == 3 { print $3 }' | sort -u)
[ -n "$syms" ] && grep -qx hv_shadow_paging <<<"$syms"
result $? "shadow.o and rmode.o define hv_shadow_paging ($(wc -w <<<"$syms") global symbols)"

bad=
for o in kmod/*.o; do
	case "$o" in
	kmod/shadow.o | kmod/rmode.o | kmod/hvlab.o | kmod/hvlab.mod.o) continue ;;
	esac
	refs=$(nm -u "$o" | awk '{ print $2 }' | sort -u | comm -12 - <(echo "$syms"))
	[ "$o" = kmod/vcpu.o ] && refs=$(grep -vx hv_shadow_paging <<<"$refs")
	for r in $refs; do
		echo "# $o refers to $r"
		bad=1
	done
done
[ -z "$bad" ]
result $? "no object but vcpu.o (hv_shadow_paging) refers to shadow.c or rmode.c"

nm -u kmod/ept.o | awk '{ print $2 }' | grep -qE '^hv_(shadow|rmode)_'
[ $? = 1 ] && nm --defined-only kmod/ept.o | grep -qw hv_ept_paging
result $? "the EPT table (ept.o) names nothing of shadow paging or vm86"

echo "1..$n"
