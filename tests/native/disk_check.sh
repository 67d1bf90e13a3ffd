#!/usr/bin/env bash
# disk_check.sh - deliberately damaged and hostile VDI images: hvlab must
# report each with a clear error (never crash, never write outside the
# file), `check --repair` must fix what can be fixed so that both hvlab and
# qemu-img accept the result, and a locked image must stay locked.
. "$(dirname "$0")/disk-lib.bash"
cd "$T"

# fresh image with blocks 0, 1, 2 allocated (data slots 0, 1, 2)
mk() {
	rm -f "$1"
	"$HV" disk create "$1" 16M >/dev/null &&
	"$DISKIO" write "$1" 0 3145728 0x61 >/dev/null
}
MAP=$((0x200))

mk dup.vdi
poke32 dup.vdi $((MAP + 4)) 0			# block 1 -> slot of block 0
fails "a block shared by two map entries is refused" "shares its data" "$DISKIO" verify dup.vdi 0 512 0x61
fails "check finds the shared block" "share data" "$HV" disk check dup.vdi
fails "qemu-img check agrees it is damaged" "also used\|ERROR\|error" qemu-img check dup.vdi
ok "check --repair fixes it" "$HV" disk check --repair dup.vdi
ok "hvlab check is clean after repair" "$HV" disk check dup.vdi
ok "qemu-img check is clean after repair" qemu-img check dup.vdi
ok "intact blocks survive the repair" "$DISKIO" verify dup.vdi 2097152 1048576 0x61
ok "new blocks after a repair (a gap in the slots) keep qemu-img happy" \
	bash -c "'$DISKIO' write dup.vdi 10485760 512 0x63 && qemu-img check dup.vdi && qemu-io -c 'read -P 0x63 10M 512' dup.vdi"

mk range.vdi
poke32 range.vdi $((MAP + 8)) 4000		# far outside the data area
fails "an entry outside the data area is refused" "outside the data area" "$DISKIO" verify range.vdi 0 512 0x61
fails "check reports it" "outside the data area" "$HV" disk check range.vdi
ok "repair, then qemu-img check is clean" bash -c "'$HV' disk check --repair range.vdi && qemu-img check range.vdi"

mk count.vdi
poke32 count.vdi $((0x184)) 7			# header claims 7 allocated
fails "check reports a wrong allocated count" "header counts" "$HV" disk check count.vdi
fails "qemu-img check sees the count mismatch too" "mismatch\|ERROR" qemu-img check count.vdi
ok "repair recounts, qemu-img check is clean" bash -c "'$HV' disk check --repair count.vdi && qemu-img check count.vdi"
ok "data intact after recount" "$DISKIO" verify count.vdi 0 3145728 0x61
mk count2.vdi
poke32 count2.vdi $((0x184)) 1			# as a crash between map and header leaves it
ok "a low count still reads (every entry is valid)" "$DISKIO" verify count2.vdi 0 3145728 0x61
ok "a write session corrects the count" bash -c "'$DISKIO' write count2.vdi 8388608 512 0x62 && qemu-img check count2.vdi && '$HV' disk check count2.vdi"

mk trunc.vdi
truncate -s $((0x100000 + 2 * 1048576 + 4096)) trunc.vdi	# block 2 cut short
fails "a map entry past the end of the file is refused" "past the end" "$DISKIO" verify trunc.vdi 0 512 0x61
fails "check reports the truncation" "past the end of the file" "$HV" disk check trunc.vdi
ok "repair extends the file; both checks clean" bash -c "'$HV' disk check --repair trunc.vdi && '$HV' disk check trunc.vdi && qemu-img check trunc.vdi"
ok "blocks before the cut survive" "$DISKIO" verify trunc.vdi 0 2097152 0x61

mk sig.vdi
poke32 sig.vdi $((0x40)) 0xdeadbeef
fails "bad signature: check says so" "signature" "$HV" disk check sig.vdi
fails "bad signature: info says so" "signature" "$HV" disk info sig.vdi
fails "bad signature: never opened as raw" "signature" "$DISKIO" write sig.vdi 0 512 0

mk size.vdi
poke32 size.vdi $((0x174)) 0x7fffffff		# disk_size ~ 2^63
fails "an overflowing disk size is refused" "exceeds" "$HV" disk info size.vdi
mk bs.vdi
poke32 bs.vdi $((0x178)) 12345
fails "a bad block size is refused" "block size" "$HV" disk check bs.vdi
mk off.vdi
poke32 off.vdi $((0x158)) $((0x200))		# data on top of the map
fails "data overlapping the block map is refused" "overlaps" "$HV" disk check off.vdi
mk nb.vdi
poke32 nb.vdi $((0x180)) 0xffffff00		# 4 G blocks
fails "an absurd block count is refused" "too many blocks" "$HV" disk info nb.vdi
mk ty.vdi
poke32 ty.vdi $((0x4c)) 3
fails "the obsolete undo type is refused" "image type" "$HV" disk info ty.vdi
head -c 100 sig.vdi > short.vdi
fails "a VDI cut inside its header is refused" "too short" "$HV" disk check short.vdi

# hostile chain: a snapshot whose parent points back at it
"$HV" disk create loopa.vdi 4M >/dev/null
"$HV" disk snapshot loopa.vdi >/dev/null
dd if=loopa-snap1.vdi of=uuid.bin bs=1 skip=$((0x188)) count=16 status=none
dd if=uuid.bin of=loopa.vdi bs=1 seek=$((0x1a8)) conv=notrunc status=none
poke32 loopa.vdi $((0x4c)) 4
fails "a parent chain that loops is refused" "loop" "$HV" disk info loopa-snap1.vdi
fails "a snapshot with a modified parent is refused" "modified after" \
	bash -c "'$HV' disk create p.vdi 4M >/dev/null && '$HV' disk snapshot p.vdi >/dev/null &&
		 '$DISKIO' write p.vdi 0 512 1 && '$DISKIO' verify p-snap1.vdi 0 512 1"

# locking
ok "lock test setup" "$HV" disk create lock.vdi 4M
"$DISKIO" hold lock.vdi 5 > hold.out &
HOLD=$!
for _ in $(seq 50); do grep -q holding hold.out 2>/dev/null && break; sleep 0.1; done
fails "a second writer is locked out" "in use" "$DISKIO" write lock.vdi 0 512 1
fails "check waits for the writer to finish" "in use" "$HV" disk check lock.vdi
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
ok "the lock is gone with its process" "$DISKIO" write lock.vdi 0 512 1
plan_done
