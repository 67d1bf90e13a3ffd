#!/usr/bin/env bash
# make bench: the measured costs of virtualization.
#   1. exit round trips and boot exits in guest TSC cycles: natively when
#      this CPU has usable VT-x, else inside Bochs (tests/vm/run-suite.sh
#      --bench), where the TSC counts emulated instructions (repeatable);
#   2. the disk layer: VDI vs raw throughput (tests/tools/bench-disk.sh;
#      not with HVLAB_BENCH_CPU=amd).
# Everything lands in build/results/bench.txt as well as on stdout.
#
# HVLAB_BENCH_CPU=amd measures the SVM backend instead: natively when this
# CPU has SVM, else in Bochs's zambezi (run-suite.sh --bench --cpu amd),
# into build/results/bench-amd.txt.  What the SVM backend does not offer
# yet is printed as "n/a on SVM: reason".  BENCH_RUNS=N: repetitions.
# BENCH_ONLY=watch: only the cost of watching (plain, --record and
# --dashboard runs of bench.elf, a few minutes in Bochs); its bench.txt
# is not one for bench-tables.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build/results
cpu=${HVLAB_BENCH_CPU:-intel}
case $cpu in
intel) out=build/results/bench.txt ko= ;;
amd) out=build/results/bench-amd.txt ko= ;;
*) echo "bench.sh: HVLAB_BENCH_CPU is intel or amd, not '$cpu'" >&2; exit 2 ;;
esac

if [ "$cpu" = amd ] && grep -qw svm /proc/cpuinfo && [ "$(id -u)" = 0 ] &&
   { [ -e /dev/hvlab ] || insmod kmod/hvlab.ko $ko 2>/dev/null; }; then
	echo "# AMD SVM available: benchmarking on this machine"
	make -s guests >/dev/null
	HVLAB=user/hvlab HVLAB_GUESTS=build/guests sh tests/vm/bench-in-vm.sh | tee "$out"
elif [ "$cpu" = amd ]; then
	echo "# no usable SVM here: benchmarking inside Bochs's AMD CPU (a few minutes)"
	limit=()
	[ "${HVLAB_BENCH_LINUX:-0}" = 1 ] && limit=(--timeout 4800)
	tests/vm/run-suite.sh --bench --cpu amd "${limit[@]}"
	cat "$out"
elif grep -qw vmx /proc/cpuinfo && [ "$(id -u)" = 0 ] &&
   { [ -e /dev/hvlab ] || insmod kmod/hvlab.ko 2>/dev/null; }; then
	echo "# VT-x available: benchmarking on this machine"
	make -s guests >/dev/null
	HVLAB=user/hvlab HVLAB_GUESTS=build/guests sh tests/vm/bench-in-vm.sh | tee "$out"
else
	echo "# no usable VT-x here: benchmarking inside Bochs (a few minutes)"
	# the Linux boots and the network take 40 minutes or more of Bochs,
	# past run-suite.sh's default limit of 30
	limit=()
	[ "${HVLAB_BENCH_LINUX:-0}" = 1 ] && limit=(--timeout 4800)
	tests/vm/run-suite.sh --bench "${limit[@]}"
	cat "$out"
fi

# the machine Bochs ran on, for tests/tools/bench-tables.sh
echo "# host cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" >>"$out"
echo "# tables for README.md and docs/: tests/tools/bench-tables.sh"

if [ "$cpu" = intel ] && [ -x tests/tools/bench-disk.sh ]; then
	echo
	tests/tools/bench-disk.sh | tee -a "$out"
fi
