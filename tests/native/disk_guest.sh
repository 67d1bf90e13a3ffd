#!/usr/bin/env bash
# disk_guest.sh - the bare-metal guest tests/guests/ata.c drives an IDE
# disk with polled PIO: IDENTIFY, reads the 0xab sectors qemu-io placed
# at 1 MiB, writes 0xcd at 2 MiB, flushes, reads back.  Afterwards the
# host checks the file with qemu-io and qemu-img.
#   1. under QEMU's own IDE controller (TCG): proves the guest correct;
#   2. under hvlab's controller (user/hw/ata.c) with `hvlab run --disk`,
#      when /dev/hvlab is usable and `run` has --disk (else SKIP).
. "$(dirname "$0")/disk-lib.bash"

make -s -f Makefile -f tests/native/helpers/guest-ata.mk ata-guest >"$T/build.log" 2>&1 ||
	{ sed 's/^/# /' "$T/build.log" | tail -5; skip_all "cannot build the ata guest"; }
ELF=$ROOT/build/guests/ata.elf
cd "$T"

prep() {	# a fresh image with the 0xab pattern at 1 MiB
	rm -f "$1"
	"$HV" disk create "$1" 16M >/dev/null &&
	qemu-io -c 'write -P 0xab 1M 4k' "$1" >/dev/null
}

if command -v qemu-system-x86_64 >/dev/null; then
	prep q.vdi
	timeout -k 2 60 qemu-system-x86_64 -cpu max -m 64 -display none -no-reboot \
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$ELF" -append qemu -drive file=q.vdi,format=vdi,if=ide,index=0 \
		</dev/null >q.out 2>&1
	rc=$?
	ok "guest passes under QEMU's IDE (exit 1 = GUEST_DONE)" \
		bash -c "[ $rc = 1 ] && grep -q 'guest: done' q.out || { cat q.out; exit 1; }"
	ok "QEMU: the guest's sectors are in hvlab's vdi" qemu-io -c 'read -P 0xcd 2M 4k' q.vdi
	ok "QEMU: qemu-img check after the guest" qemu-img check q.vdi
	ok "QEMU: hvlab disk check after the guest" "$HV" disk check q.vdi
else
	TAPN=$((TAPN + 1)); echo "not ok $TAPN - guest under QEMU: qemu-system-x86_64 missing (tests/tools/deps.sh installs qemu-system-x86)"
fi

TAPN=$((TAPN + 1))
if [ ! -w /dev/hvlab ]; then
	echo "ok $TAPN - guest under hvlab's ATA # SKIP /dev/hvlab not available (no VT-x or module not loaded)"
elif "$HV" run --help 2>&1 | grep -q -- '--disk.*not available'; then
	echo "not ok $TAPN - guest under hvlab's ATA: hvlab run --help says --disk is not available"
else
	prep h.vdi
	if timeout -k 2 60 "$HV" run --disk h.vdi "$ELF" >h.out 2>&1 &&
	   qemu-io -c 'read -P 0xcd 2M 4k' h.vdi >/dev/null && qemu-img check h.vdi >/dev/null; then
		echo "ok $TAPN - guest passes under hvlab's ATA; qemu-io and qemu-img agree"
	else
		echo "not ok $TAPN - guest under hvlab's ATA"
		tail -15 h.out | sed 's/^/#   /'
	fi
fi
plan_done
