#!/usr/bin/env bash
# disk_qemu.sh - VDI round trips between hvlab and qemu-img/qemu-io, both
# ways: patterns written by one are verified by the other, and each side's
# images pass the other's check.
. "$(dirname "$0")/disk-lib.bash"
cd "$T"

# --- hvlab creates, qemu checks, writes; hvlab reads -------------------
ok "hvlab create vdi 64M" "$HV" disk create h.vdi 64M
ok "qemu-img check accepts hvlab's dynamic vdi" qemu-img check h.vdi
ok "qemu-img sees format vdi, 64 MiB" \
	bash -c "qemu-img info h.vdi | grep -q 'file format: vdi' &&
		 qemu-img info h.vdi | grep -q 'virtual size: 64 MiB'"
ok "qemu-io writes patterns into hvlab's vdi" \
	qemu-io -c 'write -P 0xab 0 1M' -c 'write -P 0xcd 5243392 4k' \
		-c 'write -P 0x11 67104768 4k' h.vdi
ok "qemu-img check after qemu-io writes" qemu-img check h.vdi
ok "hvlab disk check after qemu-io writes" "$HV" disk check h.vdi
ok "hvlab reads qemu-io's 0xab pattern" "$DISKIO" verify h.vdi 0 1048576 0xab
ok "hvlab reads qemu-io's 0xcd pattern (unaligned block)" "$DISKIO" verify h.vdi 5243392 4096 0xcd
ok "hvlab reads the last sectors" "$DISKIO" verify h.vdi 67104768 4096 0x11
ok "hvlab reads zeros where nothing was written" "$DISKIO" verify h.vdi 1048576 4194304 0

# --- hvlab writes, qemu verifies --------------------------------------
ok "hvlab writes 0x5a over 3 blocks" "$DISKIO" write h.vdi 3145000 2100000 0x5a
ok "hvlab writes 0xef inside a qemu-allocated block" "$DISKIO" write h.vdi 4096 512 0xef
ok "qemu-img check after hvlab writes" qemu-img check h.vdi
ok "qemu-io reads hvlab's patterns" \
	qemu-io -c 'read -P 0x5a 3145000 2100000' -c 'read -P 0xef 4096 512' \
		-c 'read -P 0xab 0 4096' -c 'read -P 0xab 4608 1043968' h.vdi
ok "hvlab and qemu-img flatten h.vdi identically" \
	bash -c "qemu-img convert -O raw h.vdi q.raw && '$HV' disk convert -O raw h.vdi h.raw && cmp q.raw h.raw"

# --- qemu creates, hvlab uses ------------------------------------------
ok "qemu-img create -f vdi" qemu-img create -q -f vdi q.vdi 32M
ok "qemu-io fills q.vdi" qemu-io -c 'write -P 0x77 1M 2M' q.vdi
ok "hvlab disk check accepts qemu's vdi" "$HV" disk check q.vdi
ok "hvlab info reads qemu's vdi" bash -c "'$HV' disk info q.vdi | grep -q 'dynamic'"
ok "hvlab reads qemu's data" "$DISKIO" verify q.vdi 1048576 2097152 0x77
ok "hvlab writes into qemu's vdi (new block)" "$DISKIO" write q.vdi 20971520 65536 0x99
ok "qemu-img check after hvlab wrote qemu's vdi" qemu-img check q.vdi
ok "qemu-io reads hvlab's data in its own vdi" \
	qemu-io -c 'read -P 0x99 20971520 65536' -c 'read -P 0x77 1M 2M' q.vdi

# --- fixed (static) images, both ways ----------------------------------
ok "hvlab create --fixed" "$HV" disk create --fixed hf.vdi 8M
ok "qemu-img check accepts hvlab's fixed vdi" qemu-img check hf.vdi
ok "qemu-io writes hvlab's fixed vdi" qemu-io -c 'write -P 0x42 7M 1M' hf.vdi
ok "hvlab reads it" "$DISKIO" verify hf.vdi 7340032 1048576 0x42
ok "qemu-img create static vdi" qemu-img create -q -f vdi -o static=on qf.vdi 4M
ok "hvlab sees qemu's static vdi as fixed" bash -c "'$HV' disk info qf.vdi | grep -q fixed"
ok "hvlab writes qemu's static vdi" "$DISKIO" write qf.vdi 1000448 8192 0x24
ok "qemu-io reads it" qemu-io -c 'read -P 0x24 1000448 8192' qf.vdi
ok "qemu-img check of qemu's static vdi after hvlab" qemu-img check qf.vdi

# --- conversions between the tools -------------------------------------
ok "qemu-io patterns on a raw file" \
	bash -c "qemu-img create -q -f raw src.raw 16M &&
		 qemu-io -f raw -c 'write -P 0x31 0 100k' -c 'write -P 0x32 9M 3M' src.raw"
ok "hvlab convert raw -> vdi" "$HV" disk convert -O vdi src.raw c.vdi
ok "qemu-img check of hvlab's converted vdi" qemu-img check c.vdi
ok "qemu-img compare raw and hvlab's vdi" qemu-img compare -f raw -F vdi src.raw c.vdi
ok "converted vdi stays sparse (4 of 16 blocks)" \
	bash -c "'$HV' disk info c.vdi | grep -q 'allocated: *4 of 16'"
ok "hvlab convert vdi -> raw matches" \
	bash -c "'$HV' disk convert -O raw c.vdi back.raw && cmp src.raw back.raw"
ok "qemu-img convert qemu's vdi -> hvlab-readable vdi" \
	bash -c "qemu-img convert -O vdi src.raw q2.vdi && '$HV' disk convert -O raw q2.vdi q2.raw && cmp src.raw q2.raw"

# --- a disk whose block map spans several pages (map + header written apart)
ok "hvlab create a sparse 4G vdi" "$HV" disk create big.vdi 4G
ok "hvlab writes at 3 GiB and at 1 MiB" \
	bash -c "'$DISKIO' write big.vdi 3221225472 1048576 0x3c && '$DISKIO' write big.vdi 1048576 4096 0x3d"
ok "qemu-img check of the 4G vdi" qemu-img check big.vdi
ok "qemu-io reads both" qemu-io -c 'read -P 0x3c 3G 1M' -c 'read -P 0x3d 1M 4k' -c 'read -P 0 2G 1M' big.vdi
ok "the empty 4G image costs little host space" bash -c "[ \$(du -k big.vdi | cut -f1) -lt 3000 ]"
plan_done
