#!/usr/bin/env bash
# fuzz.sh - build and run the libFuzzer targets in tests/fuzz/.
#
#   tests/tools/fuzz.sh short [TARGET...]   ~25 s each (make check, via
#                                           tests/native/fuzz_short.sh)
#   tests/tools/fuzz.sh long  [TARGET...]   5 min each (make fuzz)
#   tests/tools/fuzz.sh build               only build
#
# Every tests/fuzz/fuzz_NAME.c is one target.  It is linked with a copy of
# libhvlab built with clang -fsanitize=fuzzer-no-link,address,undefined
# (build/fuzz/libhvlab-asan.a: every user/ and kmod/pure_ source but
# main.c), so a target may call anything in libhvlab.  The corpus of each
# target lives in build/fuzz/corpus/NAME (seeded from tests/fuzz/corpus/NAME
# if that exists; a target may also write seeds itself when
# HVLAB_FUZZ_SEED_DIR is set).  Crashes land in build/fuzz/crash-NAME-*.
#
# Output: one line per target, "fuzz NAME: OK|CRASH N execs in S s", and
# the exit status is non-zero if any target found a crash.
# FUZZ_SECONDS overrides the time per target.
set -uo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-short}
shift || true
case $mode in
short) secs=${FUZZ_SECONDS:-25} ;;
long) secs=${FUZZ_SECONDS:-300} ;;
build) secs=0 ;;
*) echo "usage: $0 short|long|build [TARGET...]" >&2; exit 2 ;;
esac

CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null || { echo "fuzz.sh: clang missing (make deps)" >&2; exit 3; }
OUT=build/fuzz
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# libslirp's header (user/net/slirp.c), as the Makefile finds it
SLIRP_CFLAGS=$(pkg-config --cflags slirp 2>/dev/null || echo -I/usr/include/slirp)
SLIRP_LIBS=$(pkg-config --libs slirp 2>/dev/null || echo -lslirp)
CFLAGS_F="-g -O1 -std=c11 -D_GNU_SOURCE -Iinclude -Iuser $SLIRP_CFLAGS $SAN"
mkdir -p "$OUT/obj"
# one build at a time when several make checks share the checkout
exec 9>"$OUT/.lock"
flock 9

# 1. the sanitizer copy of libhvlab, rebuilt file by file when stale
srcs=$(ls user/*.c user/*/*.c kmod/pure_*.c 2>/dev/null | grep -v '^user/main\.c$')
objs=()
for s in $srcs; do
	o=$OUT/obj/${s//\//_}.o
	objs+=("$o")
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find user include kmod -name '*.h' -newer "$o" 2>/dev/null | head -1)" ]; then
		$CLANG $CFLAGS_F -fsanitize=fuzzer-no-link -c -o "$o" "$s" ||
			{ echo "fuzz.sh: cannot build $s" >&2; exit 3; }
	fi
done
rm -f "$OUT/libhvlab-asan.a"
ar rcs "$OUT/libhvlab-asan.a" "${objs[@]}"

# 2. the targets
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=($(ls tests/fuzz/fuzz_*.c 2>/dev/null | xargs -n1 basename | sed 's/\.c$//'))
rc=0
for t in "${targets[@]}"; do
	bin=$OUT/$t
	if ! $CLANG $CFLAGS_F -fsanitize=fuzzer -o "$bin" "tests/fuzz/$t.c" \
		"$OUT/libhvlab-asan.a" -lelf -lncursesw -lpthread $SLIRP_LIBS 2>"$OUT/$t.build.log"; then
		echo "fuzz $t: BUILD FAILED (see $OUT/$t.build.log)"
		rc=1
		continue
	fi
	[ "$mode" = build ] && { echo "fuzz $t: built"; continue; }
	corpus=$OUT/corpus/$t
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$t" ] && cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
	log=$OUT/$t.log
	HVLAB_FUZZ_SEED_DIR=$corpus ASAN_OPTIONS=detect_leaks=0 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/crash-$t-" -print_final_stats=1 "$corpus" >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -z "$execs" ] && execs=$(sed -n 's/.*Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
	if [ $st -eq 0 ]; then
		echo "fuzz $t: OK ${execs:-0} execs in $secs s"
	else
		echo "fuzz $t: CRASH after ${execs:-?} execs (exit $st; log $log, inputs $OUT/crash-$t-*)"
		grep -m3 -E 'ERROR|SUMMARY|runtime error' "$log" | sed 's/^/  /'
		rc=1
	fi
done
exit $rc
