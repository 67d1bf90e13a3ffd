#!/usr/bin/env bash
# Extracts the kselftest harness headers and checkpatch.pl from Debian's
# linux-source tarball into a build folder.  Usage: TARBALL DESTDIR
set -euo pipefail
tar=$1 dest=$2
top=$(basename "$tar" .tar.xz)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tar" -C "$tmp" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch"
mkdir -p "$dest/scripts"
cp "$tmp/$top/tools/testing/selftests/kselftest.h" \
   "$tmp/$top/tools/testing/selftests/kselftest_harness.h" "$dest/"
cp "$tmp/$top/scripts/checkpatch.pl" "$tmp/$top/scripts/spelling.txt" \
   "$tmp/$top/scripts/const_structs.checkpatch" "$dest/scripts/"
