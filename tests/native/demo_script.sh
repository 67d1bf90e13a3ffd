#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo_script.sh - how `make demo` (tests/tools/demo.sh) reports its
# stages, without booting anything: a stand-in `make` first in PATH fails
# the build, and the script must show one line per stage, keep the
# compiler's chatter out of the terminal except for the failing stage's
# last lines, name the log file, and stop with status 1 before any VM or
# guest starts.  The guest part itself (tests/vm/demo-guest.sh) runs in the
# VM suite (tests/vm/t_demo.sh), where there is VMX.  TAP; time-limited.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ $# -gt 2 ] && sed 's/^/#   /' <<<"$3" | head -n 30
		fail=1
	fi
}

mkdir -p "$tmp/bin"
cat >"$tmp/bin/make" <<'SH'
#!/bin/sh
i=0
while [ $i -lt 200 ]; do echo "cc -O2 -c noise$i.c"; i=$((i + 1)); done
echo "kmod/vcpu.c:42:1: error: the stand-in compiler fails here" >&2
exit 2
SH
chmod +x "$tmp/bin/make"

out=$(PATH=$tmp/bin:$PATH timeout 120 tests/tools/demo.sh 2>&1)
rc=$?
[ "$rc" = 1 ]
result $? "a failed build ends the demo with status 1 (got $rc)" "$out"

grep -q '^\[demo *[0-9]*s\] Debian packages' <<<"$out" &&
	grep -q '^\[demo *[0-9]*s\] building hvlab.ko and user/hvlab$' <<<"$out"
result $? "one progress line per stage" "$out"

grep -q "FAILED: building hvlab.ko and user/hvlab; the last lines of $PWD/build/demo.log:" <<<"$out" &&
	grep -q 'error: the stand-in compiler fails here' <<<"$out"
result $? "the failure names the stage and the log, and shows the error" "$out"

lines=$(wc -l <<<"$out")
! grep -q 'noise10\.c' <<<"$out" && [ "$lines" -le 32 ]
result $? "the compiler's chatter stays in the log ($lines lines on the terminal)" "$out"

grep -q 'noise10\.c' build/demo.log && grep -q 'error: the stand-in' build/demo.log
result $? "build/demo.log holds the whole output"

! grep -qiE 'bochs|booting|hvlab caps' <<<"$out"
result $? "nothing starts after a failed stage" "$out"

echo "1..$n"
exit $fail
