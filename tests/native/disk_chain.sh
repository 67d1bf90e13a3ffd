#!/usr/bin/env bash
# disk_chain.sh - snapshot chains three deep, convert (flatten), commit,
# clone and resize, each result checked by qemu-img against a raw file
# that received the same writes through qemu-io.
. "$(dirname "$0")/disk-lib.bash"
cd "$T"

# expected content, built independently with qemu-io on a raw file
qemu-img create -q -f raw want.raw 64M
qemu-io -f raw -c 'write -P 0x11 0 1M' -c 'write -P 0x22 1052672 8k' \
	-c 'write -P 0x33 3M 512' -c 'write -P 0x44 63M 1M' want.raw >/dev/null

ok "create the base" "$HV" disk create base.vdi 64M
ok "write the base" "$DISKIO" write base.vdi 0 1048576 0x11
ok "snapshot 1 is named base-snap1.vdi" bash -c "[ \"\$('$HV' disk snapshot base.vdi)\" = base-snap1.vdi ]"
ok "write snapshot 1 (copy-on-write inside block 1)" "$DISKIO" write base-snap1.vdi 1052672 8192 0x22
ok "snapshot 2" bash -c "[ \"\$('$HV' disk snapshot base-snap1.vdi)\" = base-snap2.vdi ]"
ok "write snapshot 2" "$DISKIO" write base-snap2.vdi 3145728 512 0x33
ok "snapshot 3" bash -c "[ \"\$('$HV' disk snapshot base-snap2.vdi)\" = base-snap3.vdi ]"
ok "write snapshot 3" "$DISKIO" write base-snap3.vdi 66060288 1048576 0x44
ok "info shows the chain of four" \
	bash -c "'$HV' disk info base-snap3.vdi | grep -q 'chain: *base-snap3.vdi -> base-snap2.vdi -> base-snap1.vdi -> base.vdi'"
ok "info shows the type and the parent UUID" \
	bash -c "'$HV' disk info base-snap3.vdi | grep -q 'differencing (image type 4)' &&
		 [ \"\$('$HV' disk info base-snap2.vdi | awk '/^uuid:/ {print \$2}')\" = \
		   \"\$('$HV' disk info base-snap3.vdi | awk '/^parent uuid:/ {print \$3}')\" ]"
ok "check walks the chain" bash -c "'$HV' disk check base-snap3.vdi | grep -c '^parent:' | grep -qx 3"
ok "the base is unchanged by its children" "$DISKIO" verify base.vdi 1052672 8192 0
fails "qemu refuses a differencing vdi (so hvlab flattens)" "unsupported\|not supported\|parent" qemu-img check base-snap3.vdi
ok "convert flattens the chain to vdi" "$HV" disk convert base-snap3.vdi flat.vdi
ok "qemu-img check of the flattened vdi" qemu-img check flat.vdi
ok "qemu-img compare flattened vdi with the expected raw" qemu-img compare -F raw flat.vdi want.raw
ok "convert -O raw flattens identically" \
	bash -c "'$HV' disk convert -O raw base-snap3.vdi flat.raw && cmp flat.raw want.raw"
ok "the middle of the chain reads as it was" \
	bash -c "'$HV' disk convert -O raw base-snap1.vdi mid.raw &&
		 qemu-io -f raw -c 'read -P 0x22 1052672 8k' -c 'read -P 0 3M 512' mid.raw"

# commit the chain down into the base, one level at a time
ok "commit snapshot 3 into 2" "$HV" disk commit base-snap3.vdi
ok "snapshot 3 is left empty" bash -c "'$HV' disk info base-snap3.vdi | grep -q 'allocated: *0 of'"
ok "the chain still reads the same" \
	bash -c "'$HV' disk convert -O raw base-snap3.vdi c3.raw && cmp c3.raw want.raw"
ok "commit snapshot 2 into 1" "$HV" disk commit base-snap2.vdi
ok "commit snapshot 1 into the base" "$HV" disk commit base-snap1.vdi
ok "qemu-img check of the committed base" qemu-img check base.vdi
ok "qemu-img compare committed base with the expected raw" qemu-img compare -F raw base.vdi want.raw
fails "commit of a base image is refused" "not a snapshot" "$HV" disk commit base.vdi

# clone
ok "clone" "$HV" disk clone base.vdi clone.vdi
ok "qemu-img compare clone" qemu-img compare base.vdi clone.vdi
ok "the clone has a fresh UUID" \
	bash -c "[ \"\$('$HV' disk info base.vdi | awk '/^uuid:/ {print \$2}')\" != \
		   \"\$('$HV' disk info clone.vdi | awk '/^uuid:/ {print \$2}')\" ]"
ok "clone of a fixed image stays fixed" \
	bash -c "'$HV' disk create --fixed fx.vdi 4M && '$HV' disk clone fx.vdi fx2.vdi &&
		 '$HV' disk info fx2.vdi | grep -q fixed && qemu-img check fx2.vdi"
fails "clone never overwrites" "exists" "$HV" disk clone base.vdi clone.vdi

# resize
ok "grow in place to 1G" "$HV" disk resize clone.vdi 1G
ok "qemu-img sees 1 GiB" bash -c "qemu-img info clone.vdi | grep -q 'virtual size: 1 GiB'"
ok "qemu-img check after grow" qemu-img check clone.vdi
ok "data kept after grow" qemu-io -c 'read -P 0x44 63M 1M' -c 'read -P 0 64M 1M' clone.vdi
ok "grow qemu's vdi (map must move: rebuild)" \
	bash -c "qemu-img convert -O vdi want.raw q.vdi && '$HV' disk resize q.vdi 2G &&
		 qemu-img check q.vdi && qemu-img compare -F raw q.vdi want.raw"
fails "shrink without --shrink is refused" "shrink" "$HV" disk resize clone.vdi 32M
fails "shrink over data is refused" "data lies beyond" "$HV" disk resize --shrink clone.vdi 32M
ok "shrink where only zeros lie" "$HV" disk resize --shrink clone.vdi 64M
ok "qemu-img check after shrink" qemu-img check clone.vdi
ok "qemu-img compare after shrink" qemu-img compare -F raw clone.vdi want.raw
ok "resize a raw file" bash -c "'$HV' disk create -f raw r.raw 1M && '$HV' disk resize r.raw 3M && [ \$(stat -c %s r.raw) = 3145728 ]"

# errors and help
fails "snapshot of a raw file is refused" "raw" "$HV" disk snapshot r.raw
fails "bad size is refused" "bad size" "$HV" disk create x.vdi 12Q
fails "unaligned size is refused" "multiple of 512" "$HV" disk create x.vdi 1000
fails "missing file is reported" "No such file" "$HV" disk info nothere.vdi
ok "--help for every subcommand" bash -c "for c in create info check convert snapshot commit clone resize; do '$HV' disk \$c --help | grep -q \"usage: hvlab disk \$c\" || exit 1; done"
plan_done
