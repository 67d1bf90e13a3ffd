#!/usr/bin/env bash
# make check: native unit tests, the native tool tests, then the VM suite.
# Every stage runs even if an earlier one failed; the last line is the
# summary over all TAP results.
set -uo pipefail
cd "$(dirname "$0")/../.."
rm -rf build/results && mkdir -p build/results

# a unit test that does not compile is a failure, not a test that vanished
if make -s unit-bins >build/results/unit-build.log 2>&1; then
	echo "ok 1 - unit tests build" >build/results/unit-build.tap
else
	echo "not ok 1 - unit tests build (log: build/results/unit-build.log)" >build/results/unit-build.tap
	tail -20 build/results/unit-build.log
fi
make -s unit || true
for t in tests/native/*.sh; do
	[ -x "$t" ] || continue
	name=$(basename "$t" .sh)
	echo "# native: $name"
	"$t" >"build/results/native-$name.tap" 2>&1 || true
	grep -E '^(not )?ok ' "build/results/native-$name.tap" | sed "s/^/  [$name] /"
done
if [ "${HVLAB_SKIP_VM:-0}" = 1 ]; then
	echo "# VM suite skipped (HVLAB_SKIP_VM=1)"
else
	# the whole VM suite once per paging mode (issue 5): EPT, then shadow
	tests/vm/run-suite.sh --paging ept || true
	tests/vm/run-suite.sh --paging shadow || true
	# hvlab.ko as DKMS builds and installs it, loaded in the VM (issue 14)
	echo "# VM: DKMS (tests/vm/dkms-check.sh)"
	tests/vm/dkms-check.sh 2>&1 | grep -E '^(not )?ok ' | sed 's/^/  [dkms] /'
fi
echo
tests/tools/tap-summary.sh build/results/*.tap
