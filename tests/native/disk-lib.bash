# disk-lib.bash - shared by the tests/native/disk_*.sh scripts (sourced,
# not run: it is not executable, so check.sh skips it).
#
# Provides: HV (the hvlab binary), DISKIO (tests/native/helpers/diskio.c,
# built on demand against build/libhvlab.a), T (a fresh temp dir, removed
# on exit) and the TAP helpers ok/check/plan_done.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
HV=$ROOT/user/hvlab
DISKIO=$ROOT/build/native/diskio
TAPN=0

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

[ -x "$HV" ] && [ -f build/libhvlab.a ] || skip_all "build first (make user)"
command -v qemu-img >/dev/null || skip_all "qemu-img missing (make deps)"

if [ ! -x "$DISKIO" ] || [ tests/native/helpers/diskio.c -nt "$DISKIO" ] ||
   [ build/libhvlab.a -nt "$DISKIO" ]; then
	mkdir -p build/native
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Iinclude -Iuser \
		-o "$DISKIO" tests/native/helpers/diskio.c build/libhvlab.a \
		-lelf -lncursesw -lpthread || skip_all "cannot build diskio"
fi

T=$(mktemp -d /tmp/hvlab-disk-XXXXXX)
trap 'rm -rf "$T"' EXIT

# ok NAME CMD... : one TAP line for the command's exit status; output of a
# failing command is shown as TAP comments.
ok() {
	local name=$1 out
	shift
	TAPN=$((TAPN + 1))
	if out=$("$@" 2>&1); then
		echo "ok $TAPN - $name"
	else
		echo "not ok $TAPN - $name"
		printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
	fi
}

# fails NAME PATTERN CMD... : the command must fail and say PATTERN.
fails() {
	local name=$1 pat=$2 out
	shift 2
	TAPN=$((TAPN + 1))
	if out=$("$@" 2>&1); then
		echo "not ok $TAPN - $name (succeeded)"
	elif ! grep -qi -- "$pat" <<<"$out"; then
		echo "not ok $TAPN - $name (no '$pat' in the message)"
		printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
	else
		echo "ok $TAPN - $name"
	fi
}

plan_done() { echo "1..$TAPN"; }

# poke32 FILE OFFSET VALUE : overwrite a little-endian u32 in place.
poke32() {
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($3 & 255)) $(($3 >> 8 & 255)) \
		$(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
