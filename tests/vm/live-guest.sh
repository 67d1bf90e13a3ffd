# SPDX-License-Identifier: GPL-2.0
# live-guest.sh - sourced by t_hotplug.sh and t_suspend.sh (POSIX sh, after
# tap.sh): a guest kept running across a host event, and the checks both
# make after it.
#
# The guest kept running is spin.elf, which never exits on its own.  On
# Bochs's AMD model such a guest is not always ended by the host's
# interrupts (docs/svm.md), and the CPU it runs on then never leaves it;
# there the demo guest stands in, endless rounds of port I/O, MMIO and
# CPUID, each an exit.
if grep -q AuthenticAMD /proc/cpuinfo; then
	live="--append rounds=1000000 /guests/demo.elf" ready='Hello from an hvlab guest'
else
	live=/guests/spin.elf ready=spinning
fi

# live_start OUTFILE [COMMAND PREFIX...]: start the guest in the background
# (e.g. under `taskset -c N`), its pid in $spin, and wait up to 10 s for
# its first words.
live_start() {
	spin_out=$1
	shift
	# shellcheck disable=SC2086 # $live: options and image, split on purpose
	"$@" hvlab run --paging "$PAGING" $live >"$spin_out" 2>&1 &
	spin=$!
	i=0
	while ! grep -q "$ready" "$spin_out" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$ready" "$spin_out" || sed 's/^/# spin: /' "$spin_out"
}

# hello_runs DESCRIPTION [COMMAND PREFIX...]: a new guest runs to its end
hello_runs() {
	desc=$1
	shift
	out=$(timeout 20 "$@" hvlab run --paging "$PAGING" /guests/hello.elf 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# hello: /' | head -n 10
	[ "$rc" = 1 ] && echo "$out" | grep -q 'Hello from an hvlab guest!'
	ok $? "$desc (exit status $rc)"
}

# live_stops DESCRIPTION: SIGINT ends the live guest with status 130
live_stops() {
	kill -INT "$spin" 2>/dev/null
	wait "$spin"
	rc=$?
	[ "$rc" = 130 ]
	ok $? "$1 (exit status $rc)"
	rm -f "$spin_out"
}

# klog_clean FIRST_LINE BAD_PATTERN DESCRIPTION: no match of BAD_PATTERN in
# the kernel log from line FIRST_LINE on; that log kept in $log
klog_clean() {
	log=$(dmesg | tail -n +"$1")
	echo "$log" | grep -E "hvlab|$2" | sed 's/^/# dmesg: /' | head -n 30
	! echo "$log" | grep -qE "$2"
	ok $? "$3"
}
