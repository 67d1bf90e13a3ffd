#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-in-vm.sh - exit-cost benchmarks, run inside the Bochs VM by
# `tests/vm/run-suite.sh --bench` (what `make bench` runs when the host has
# no VT-x).  Its stdout becomes build/results/bench.txt.
#
# A stub for now: the benchmark guests and their runner come later.  With
# Bochs's `clock: sync=none` the guest TSC counts emulated instructions, so
# "cycles per exit" here is a deterministic path length, not a time.
echo "# hvlab benchmarks (in Bochs, kernel $(uname -r), $(nproc) CPUs)"
echo "# no benchmarks defined yet (tests/vm/bench-in-vm.sh is a stub)"
