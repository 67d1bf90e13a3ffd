#!/usr/bin/env bash
# run_disk.sh - `hvlab run --disk` without VT-x: the fake /dev/hvlab of
# helpers/fake_hvlab.c plays the port accesses an IDE driver makes
# (IDENTIFY DEVICE, READ SECTORS, WRITE SECTORS with 32-bit PIO, FLUSH
# CACHE) against user/hw/ata.c, and the test then reads the image file:
# raw directly, VDI through `hvlab disk convert -O raw`.  Also the
# command-line errors: missing, locked and corrupt images, too many disks,
# bad options, and a read-only disk refusing writes.  TAP.
set -u
cd "$(dirname "$0")/../.."
HV=$PWD/user/hvlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
FAKE=$tmp/fake_hvlab.so
n=0
fail=0

. tests/native/helpers/preload.bash
build_preload fake_hvlab "$FAKE"
printf '\xfa\xf4' >"$tmp/hlt.bin"
IMG=$tmp/hlt.bin
FLAT=(--flat 0x8000)

ok() {	# ok NAME CONDITION-COMMAND...
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/#   err: /' "$tmp/err" | tail -8
		fail=1
	fi
}

# run_fake SCRIPT ARGS... -> $tmp/out, $tmp/err, $rc
run_fake() {
	local script=$1
	shift
	FAKE_HVLAB_EXITS=$script LD_PRELOAD=$FAKE timeout 10 "$HV" run "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
}

rep() {	# rep N ITEM: ITEM, N times, comma-separated
	local i s=$2
	for ((i = 1; i < $1; i++)); do s+=",$2"; done
	echo "$s"
}

# IDENTIFY DEVICE on the master; the first 62 data words (60-61: LBA28 sectors)
IDENT="out:0x1f6:1:0xa0,out:0x1f7:1:0xec,in:0x1f7:1,$(rep 62 in:0x1f0:2)"
# READ SECTORS: LBA 0, one sector, the first 4 dwords
READ0="out:0x1f6:1:0xe0,out:0x1f2:1:1,out:0x1f3:1:0,out:0x1f4:1:0,out:0x1f5:1:0,out:0x1f7:1:0x20,in:0x1f7:1,$(rep 4 in:0x1f0:4)"
# WRITE SECTORS: LBA 5, one sector of 0xa5 in 32-bit OUTs, then FLUSH CACHE
WRITE5="out:0x1f6:1:0xe0,out:0x1f2:1:1,out:0x1f3:1:5,out:0x1f4:1:0,out:0x1f5:1:0,out:0x1f7:1:0x30,in:0x1f7:1,$(rep 128 out:0x1f0:4:0xa5a5a5a5),in:0x1f7:1,out:0x1f7:1:0xe7,in:0x1f7:1"
END="out:0xf4:4:0"

sector_is() {	# sector_is FILE LBA BYTE: all 512 bytes of the sector are BYTE
	[ "$(od -An -v -tx1 -j $(($2 * 512)) -N 512 "$1" | tr -s ' \n' '\n' | grep -v '^$' | sort -u)" = "$3" ]
}

# a raw image: 0x5a in sector 0, zeros elsewhere
"$HV" disk create -f raw "$tmp/d.img" 16M >/dev/null
printf '\x5a%.0s' $(seq 512) | dd of="$tmp/d.img" conv=notrunc status=none
run_fake "$IDENT,$READ0,$WRITE5,$END" --stats --disk "$tmp/d.img" "${FLAT[@]}" "$IMG"
ok "raw: the guest runs to its end (status 1)" [ "$rc" = 1 ]
ok "IDENTIFY: status DRDY|DSC|DRQ, then data" grep -q "fake: in 0x1f7 -> 0x58$" "$tmp/err"
ok "IDENTIFY words 60-61: 32768 sectors (16 MiB)" \
	bash -c "grep 'fake: in 0x1f0 ->' '$tmp/err' | sed -n '61p;62p' | tr '\n' ' ' | grep -q '0x8000 .*0x0 '"
ok "READ SECTORS of LBA 0 returns the file's 0x5a" \
	[ "$(grep -c 'fake: in 0x1f0 -> 0x5a5a5a5a$' "$tmp/err")" = 4 ]
ok "raw: WRITE SECTORS reached sector 5 of the file" sector_is "$tmp/d.img" 5 a5
ok "raw: sectors 4 and 6 untouched" bash -c "$(declare -f sector_is); sector_is '$tmp/d.img' 4 00 && sector_is '$tmp/d.img' 6 00"
ok "--stats counts the disk commands" bash -c "grep -q 'ATA primary channel (--disk): 4 commands, 0 errors' '$tmp/err' &&
	grep -qE 'read +1 commands' '$tmp/err' && grep -qE 'write +1 commands +1 sectors' '$tmp/err' &&
	grep -qE 'flush +1 commands' '$tmp/err'"

# the same on a VDI image (dynamic: the write allocates a block)
"$HV" disk create -f vdi "$tmp/d.vdi" 16M >/dev/null
run_fake "$WRITE5,$END" -v --disk "$tmp/d.vdi,format=vdi" "${FLAT[@]}" "$IMG"
ok "vdi: the guest runs to its end" [ "$rc" = 1 ]
ok "-v logs each disk command" grep -q "ata0.0: write lba=5 count=1$" "$tmp/err"
"$HV" disk convert -O raw "$tmp/d.vdi" "$tmp/conv.img" >/dev/null 2>&1
ok "vdi: sector 5 holds the write (hvlab disk convert -O raw)" sector_is "$tmp/conv.img" 5 a5
ok "vdi: hvlab disk check passes afterwards" bash -c "'$HV' disk check '$tmp/d.vdi' >/dev/null"

# a second disk is the slave: IDENTIFY with DEV=1 sees its size
"$HV" disk create -f raw "$tmp/e.img" 8M >/dev/null
run_fake "out:0x1f6:1:0xb0,out:0x1f7:1:0xec,in:0x1f7:1,$(rep 62 in:0x1f0:2),$END" \
	--disk "$tmp/d.img" --disk "$tmp/e.img,format=raw" "${FLAT[@]}" "$IMG"
ok "the second --disk is the slave (16384 sectors)" \
	bash -c "[ $rc = 1 ] && grep 'fake: in 0x1f0 ->' '$tmp/err' | sed -n '61p' | grep -q '0x4000$'"

# read-only: a write is aborted, the file stays as it was
cp "$tmp/d.img" "$tmp/ro.img"
sum=$(md5sum <"$tmp/ro.img")
run_fake "${WRITE5/0xa5a5a5a5/0x11111111},$END" --stats --disk "$tmp/ro.img,readonly" "${FLAT[@]}" "$IMG"
ok "readonly: the write fails with an ATA error, the file is unchanged" \
	bash -c "[ $rc = 1 ] && grep -qE 'commands, [1-9][0-9]* errors' '$tmp/err' && [ \"\$(md5sum <'$tmp/ro.img')\" = '$sum' ]"

# errors, before the module is even opened
run_fake "$END" --disk "$tmp/nonexistent.img" "${FLAT[@]}" "$IMG"
ok "a missing disk is status 66 with the file name" \
	bash -c "[ $rc = 66 ] && grep -q 'nonexistent.img' '$tmp/err'"
flock -x "$tmp/d.vdi" sleep 5 &
lockpid=$!
sleep 0.3
run_fake "$END" --disk "$tmp/d.vdi" "${FLAT[@]}" "$IMG"
kill "$lockpid" 2>/dev/null
wait "$lockpid" 2>/dev/null
ok "a disk another process holds is status 69, 'in use'" \
	bash -c "[ $rc = 69 ] && grep -q 'in use' '$tmp/err'"
cp "$tmp/d.vdi" "$tmp/bad.vdi"
printf '\xff\xff\xff\xff' | dd of="$tmp/bad.vdi" bs=1 seek=$((0x158)) conv=notrunc status=none
run_fake "$END" --disk "$tmp/bad.vdi,format=vdi" "${FLAT[@]}" "$IMG"
ok "a corrupt VDI is status 65 and points to hvlab disk check" \
	bash -c "[ $rc = 65 ] && grep -q 'hvlab disk check' '$tmp/err'"
run_fake "$END" --disk "$tmp/d.img,format=qcow2" "${FLAT[@]}" "$IMG"
ok "an unknown disk option is refused, naming it" \
	bash -c "[ $rc != 0 ] && [ $rc != 1 ] && grep -q \"unknown disk option 'format=qcow2'\" '$tmp/err'"
run_fake "$END" --disk "$tmp/d.img" --disk "$tmp/d.img,readonly" "${FLAT[@]}" "$IMG"
ok "the same image twice is a usage error (64), not 'in use'" \
	bash -c "[ $rc = 64 ] && grep -q 'the same image as --disk' '$tmp/err'"
run_fake "$END" --disk "$tmp/d.img" --disk "$tmp/e.img" --disk "$tmp/ro.img" --disk "$tmp/f.img" --disk "$tmp/g.img" "${FLAT[@]}" "$IMG"
ok "a fifth --disk is a usage error (64)" bash -c "[ $rc = 64 ] && grep -q 'at most 4 disks' '$tmp/err'"
ok "--help documents --disk" bash -c "'$HV' run --help | grep -q 'first --disk is the master'"

echo "1..$n"
exit $fail
