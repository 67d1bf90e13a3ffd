# disk-lib.bash - shared by the tests/native/disk_*.sh scripts (sourced,
# not run: it is not executable, so check.sh skips it).
#
# Provides: HV (the hvlab binary), DISKIO (tests/native/helpers/diskio.c,
# built on demand against build/libhvlab.a), T (a fresh temp dir, removed
# on exit) and the TAP helpers ok/fails/plan_done.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
HV=$ROOT/user/hvlab
DISKIO=$ROOT/build/native/diskio
TAPN=0

# bail NAME: what these scripts need is missing: one failure, not a skip
# (make check builds it and tests/tools/deps.sh installs qemu-img).
bail() { printf 'not ok 1 - %s\n1..1\n' "$*"; exit 1; }

[ -x "$HV" ] && [ -f build/libhvlab.a ] || bail "user/hvlab or build/libhvlab.a missing (make user)"
command -v qemu-img >/dev/null || bail "qemu-img missing (tests/tools/deps.sh installs qemu-utils)"

if [ ! -x "$DISKIO" ] || [ tests/native/helpers/diskio.c -nt "$DISKIO" ] ||
   [ build/libhvlab.a -nt "$DISKIO" ]; then
	mkdir -p build/native
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Iinclude -Iuser \
		-o "$DISKIO" tests/native/helpers/diskio.c build/libhvlab.a \
		-lelf -lncursesw -lpthread >&2 || bail "build tests/native/helpers/diskio.c"
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
