#!/usr/bin/env bash
# ata_qemu.sh - proves the bare-metal ATA guest (tests/guests/ata.c) right
# under QEMU's own IDE controller (TCG, no VT-x), with the arguments the VM
# suite's tests/kselftest/test_run_disk.c gives it under hvlab:
#   sectors=N   the image size / 512, checked against IDENTIFY words 60-61
#               (LBA28) and 100-103 (LBA48)
#   rlba=0 rcount=128 rpat=0x5a   what `qemu-io -c 'write -P 0x5a 0 64k'`
#               put there before the boot
#   wlba wpat   where the guest writes 8 sectors (then FLUSH CACHE and
#               READ SECTORS EXT them back)
# on a raw image and on a VDI made by `hvlab disk create`; afterwards the
# host checks the written sectors with qemu-io and the VDI with
# `hvlab disk check` and `qemu-img check`.  A wrong sectors= must fail.  TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
HV=$PWD/user/hvlab
ELF=$PWD/build/guests/ata.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out" | tail -10; }
check()  { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$name"; else not_ok "$name"; fi; }

# pattern FMT IMG BYTE OFFSET LEN: qemu-io reads LEN bytes at OFFSET and
# finds BYTE in each.  One read per qemu-io: with several -c, its status is
# that of the last command only.
pattern() {
	qemu-io -f "$1" -c "read -P $3 $4 $5" "$2" || return 1
	! qemu-io -f "$1" -c "read -P $3 $4 $5" "$2" | grep -q 'Pattern verification failed'
}

for t in qemu-system-x86_64 qemu-io qemu-img; do
	if ! command -v $t >/dev/null; then
		echo "1..1"
		echo "not ok 1 - $t missing (tests/tools/deps.sh installs qemu-system-x86, qemu-utils)"
		exit 1
	fi
done
if ! make -s guests >"$tmp/out" 2>&1 || [ ! -f "$ELF" ]; then
	echo "1..1"
	not_ok "make guests (build/guests/ata.elf)"
	exit 1
fi

# boot FILE FORMAT ARGS...: the guest with FILE as primary master
boot() {
	local file=$1 fmt=$2
	shift 2
	timeout -k 2 60 qemu-system-x86_64 -cpu max -m 64 -display none -no-reboot \
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$ELF" -append "qemu $*" \
		-drive "file=$file,format=$fmt,if=ide,index=0" </dev/null >"$tmp/out" 2>&1
	rc=$?
}

ARGS="rlba=0 rcount=128 rpat=0x5a wlba=8192 wpat=0xc3"
for fmt in raw vdi; do
	img=$tmp/d.$fmt
	"$HV" disk create -f $fmt "$img" 16M >/dev/null
	qemu-io -f $fmt -c 'write -P 0x5a 0 64k' "$img" >/dev/null
	boot "$img" $fmt sectors=32768 $ARGS
	if [ "$rc" = 1 ] && grep -q "guest: done" "$tmp/out" &&
	   grep -q "model 'QEMU HARDDISK', 32768 sectors (LBA28), 32768 (LBA48)" "$tmp/out"; then
		ok "$fmt: IDENTIFY, READ SECTORS x128, WRITE, FLUSH, READ EXT, abort under QEMU's IDE"
	else
		not_ok "$fmt: the guest under QEMU's IDE (status $rc, want 1)"
	fi
	check "$fmt: the 8 written sectors hold 0xc3 (qemu-io)" pattern $fmt "$img" 0xc3 4M 4k
	check "$fmt: the sectors around them are untouched" \
		eval "pattern $fmt '$img' 0 4092k 4k && pattern $fmt '$img' 0 4100k 4k"
	check "$fmt: hvlab disk check" "$HV" disk check "$img"
done
check "vdi: qemu-img check" qemu-img check "$tmp/d.vdi"

# a 200 GiB (sparse) image, beyond LBA28's 128 GiB: the LBA28 count
# saturates at 0x0fffffff (IDENTIFY words 60-61), LBA48's is the whole disk
"$HV" disk create -f raw "$tmp/big.img" 200G >/dev/null
qemu-io -f raw -c 'write -P 0x5a 0 64k' "$tmp/big.img" >/dev/null
boot "$tmp/big.img" raw sectors=$((200 << 21)) $ARGS
if [ "$rc" = 1 ] && grep -q "268435455 sectors (LBA28), 419430400 (LBA48)" "$tmp/out"; then
	ok "200 GiB: LBA28 count saturates at 0x0fffffff, LBA48 is the whole disk"
else
	not_ok "200 GiB disk (status $rc, want 1)"
fi

boot "$tmp/d.raw" raw sectors=12345 $ARGS
if [ "$rc" = 3 ] && grep -q "ASSERT ata.c" "$tmp/out"; then
	ok "a wrong sectors= fails the guest (exit 3)"
else
	not_ok "a wrong sectors= must fail the guest (status $rc, want 3)"
fi
boot "$tmp/d.raw" raw sectors=32768 rlba=0 rcount=129 rpat=0x5a
if [ "$rc" = 3 ] && grep -q "LBA 128 word 0 is 0x0, not 0x5a5a" "$tmp/out"; then
	ok "a sector without the pattern fails the guest, naming the LBA"
else
	not_ok "a sector without the pattern must fail the guest (status $rc, want 3)"
fi

echo "1..$n"
exit $failed
