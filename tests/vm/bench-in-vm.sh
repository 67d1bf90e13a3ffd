#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2046 # $(... | mmm) is three numbers, split on purpose
#
# bench-in-vm.sh - exit-cost benchmarks, run inside the Bochs VM by
# `tests/vm/run-suite.sh --bench` (what `make bench` runs when the host has
# no VT-x).  Its stdout becomes build/results/bench.txt, from which
# tests/tools/bench-tables.sh writes the tables of README.md and docs/.
#
# With Bochs's `clock: sync=none` the guest TSC follows emulated
# instructions, so "cycles per exit" here is close to a path length, not a
# time.  It is not exactly repeatable: one run in a few comes out 10-25 %
# slower (host work, such as interrupts, landing on the vCPU's CPU in that
# run), so every figure is measured RUNS times (BENCH_RUNS, default 5) and
# printed as min / median / max; the ratios use the medians.
#
# The yardstick is measured here too, in the same boot: the floor, the
# leanest exit path the module has (VM exit, CPUID answered, RIP advanced,
# VM entry; no statistics, no exit record, no checks).  Only a VM made
# with `hvlab run --bench-floor` gets it, and only from a module loaded
# with bench_floor=1, which this script does when it runs in the VM
# ($HVLAB_KO set by tests/vm/init.sh).  Every figure is printed in cycles
# and as a multiple of the floor.
#
# On an AMD CPU (Bochs's zambezi, `run-suite.sh --bench --cpu amd`) the
# same figures come from the SVM backend: its floor is #VMEXIT, CPUID,
# NRIP, VMRUN, and the hypercall is VMMCALL.  What the SVM backend refuses
# (hvlab says "does not offer ... yet") is printed as "n/a on SVM: reason"
# instead of a figure, and listed as "na NAME reason" among the figures.
HVLAB=${HVLAB:-/usr/bin/hvlab}
G=${HVLAB_GUESTS:-/guests}
RUNS=${BENCH_RUNS:-5}

# the floor needs the module loaded with bench_floor=1 (and whatever else
# $HVLAB_KO_ARGS, from tests/vm/init.sh, says)
param=/sys/module/hvlab/parameters/bench_floor
if [ -n "${HVLAB_KO:-}" ] && [ "$(cat $param 2>/dev/null)" != Y ]; then
	rmmod hvlab 2>/dev/null
	# shellcheck disable=SC2086 # the parameters, split on purpose
	insmod "$HVLAB_KO" ${HVLAB_KO_ARGS:-} bench_floor=1 ||
		echo "# insmod $HVLAB_KO ${HVLAB_KO_ARGS:+$HVLAB_KO_ARGS }bench_floor=1 failed"
fi
svm=
grep -q AuthenticAMD /proc/cpuinfo && svm=1

# runs CMD...: the outputs of RUNS runs of the command, one after another
runs() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		"$@" 2>&1
		i=$((i + 1))
	done
}

# mmm: "min median max" of the numbers on stdin, one a line ("? ? ?" if none)
mmm() {
	sort -n | awk '{ v[NR] = $1 }
		END {
			if (!NR) { print "? ? ?"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
			print v[1], m, v[NR]
		}'
}

# samples OUTPUT WORKLOAD: the per-exit figures bench.elf printed for WORKLOAD
samples() {
	echo "$1" | sed -n "s/^bench $2 [0-9]* iterations: \([0-9]*\) cycles.*/\1/p"
}

# xfloor FIGURE: FIGURE as a multiple of the floor's median
xfloor() {
	awk -v c="$1" -v f="${floor_med:-}" 'BEGIN {
		if (c ~ /^[0-9]+$/ && f ~ /^[0-9]+$/ && f > 0) printf "%.1fx", c / f
		else print "?"
	}'
}

# fig NAME MIN MED MAX: one machine-readable line for bench-tables.sh
figs=
fig() {
	figs="$figs
fig $*"
}

# refused OUTPUT: what the SVM backend does not offer, from hvlab's
# message ("shadow paging (--paging shadow)"); empty when the VM ran
refused() {
	echo "$1" | sed -n "s/^hvlab: the module's AMD SVM backend does not offer \(.*\) yet .*/\1/p" | head -n 1
}
# na NAME WHAT: a figure the SVM backend cannot give; the reason in $na_why
na() {
	figs="$figs
na $1 $2"
	na_why="n/a on SVM: the backend does not offer $2 yet"
}

med() {
	set -- $(samples "$1" "$2" | mmm)
	echo "$2"
}
pct() {
	awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && a > 0) printf "%+.1f%%", (b - a) * 100 / a; else print "?" }'
}

# watching: the cost of watching, from $plain (runs of bench.elf) and
# runs of the same with --record and with --dashboard
watching() {
	echo "## The cost of watching: the same run with --record, and with --dashboard"
	echo
	echo "The dashboard runs in a pseudo-terminal (tests/vm/ptyrun.c) that nobody"
	echo "reads; the guest's lines come back through --console-log.  Medians of"
	echo "$RUNS runs each."
	echo
	rec=$(runs "$HVLAB" run --record /tmp/bench.trace "$G/bench.elf")
	lost=$("$HVLAB" replay --info /tmp/bench.trace 2>&1 | sed -n 's/.*lost[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
	dash=
	if command -v ptyrun >/dev/null; then
		i=0
		while [ $i -lt "$RUNS" ]; do
			ptyrun "$HVLAB" run --dashboard --console-log /tmp/dash.txt "$G/bench.elf" >/dev/null 2>&1
			dash=$(printf '%s\n%s' "$dash" "$(cat /tmp/dash.txt 2>/dev/null)")
			i=$((i + 1))
		done
	fi
	printf '| %-10s | %8s | %10s | %8s | %12s | %8s |\n' "workload" "plain" "--record" "extra" "--dashboard" "extra"
	printf '|%s|%s|%s|%s|%s|%s|\n' "------------" "----------" "------------" "----------" "--------------" "----------"
	for w in cpuid vmcall out; do
		a=$(med "$plain" $w)
		b=$(med "$rec" $w)
		d=$(med "$dash" $w)
		fig "watch_$w" "$a" "$b" "$d"
		printf '| %-10s | %8s | %10s | %8s | %12s | %8s |\n' "$w" "$a" "$b" "$(pct "$a" "$b")" "$d" "$(pct "$a" "$d")"
	done
	echo
	echo "Aim: at most 5% more on 'out'.  Records lost in the last --record run:"
	echo "${lost:-?} (hvlab replay --info)."
	echo
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "# hvlab benchmarks (in Bochs, kernel $(uname -r), $(nproc) CPUs)"
echo "# cpu: ${cpu:-unknown}"
echo "# kernel: $(uname -r)"
[ -n "$svm" ] && echo "# vendor: AMD SVM"
echo "# runs: $RUNS"
echo

# BENCH_ONLY=watch: only the cost of watching (a few minutes of Bochs
# instead of the whole bench), with each run's OUT figure; the output is
# not one for bench-tables.sh
if [ "${BENCH_ONLY:-}" = watch ]; then
	plain=$(runs "$HVLAB" run "$G/bench.elf")
	watching
	for m in plain rec dash; do
		eval "o=\$$m"
		echo "out, $m: $(samples "$o" out | tr '\n' ' ')"
	done
	exit 0
fi

floor=$(runs "$HVLAB" run --bench-floor --append only=5 "$G/bench.elf")
set -- $(samples "$floor" floor | mmm)
floor_min=$1 floor_med=$2 floor_max=$3
fig floor "$@"
# BENCH_ONLY=breakdown: the floor and where an OUT round trip's cycles go
[ "${BENCH_ONLY:-}" = breakdown ] && only_breakdown=1
[ -z "${only_breakdown:-}" ] && {
plain=$(runs "$HVLAB" run "$G/bench.elf")
# interrupt latency: the local APIC timer fires, the guest's handler runs
tspin=$(runs "$HVLAB" run --append "only=6 samples=20" "$G/bench.elf")
thlt=$(runs "$HVLAB" run --append "only=7 samples=20" "$G/bench.elf")
shadow=$(runs "$HVLAB" run --paging shadow --append only=4 "$G/bench.elf")

echo "## Exit round trips, guest TSC cycles (bench.elf, 2000 iterations each, $RUNS runs)"
echo
printf '| %-40s | %6s | %6s | %6s | %8s | %5s |\n' "workload" "min" "median" "max" "x floor" "aim"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------------" "--------" "--------" "--------" "----------" "-------"
# row OUTPUT WORKLOAD LABEL AIM
row() {
	_label=$3 _aim=$4
	set -- $(samples "$1" "$2" | mmm) "$2"
	fig "$4" "$1" "$2" "$3"
	printf '| %-40s | %6s | %6s | %6s | %8s | %5s |\n' "$_label" "$1" "$2" "$3" "$(xfloor "$2")" "$_aim"
}
if [ -n "$svm" ]; then
	printf '| %-40s | %6s | %6s | %6s | %8s | %5s |\n' "floor: #VMEXIT, CPUID, NRIP, VMRUN" \
		"$floor_min" "$floor_med" "$floor_max" "$(xfloor "$floor_med")" ""
else
	printf '| %-40s | %6s | %6s | %6s | %8s | %5s |\n' "floor: exit, CPUID, RIP+2, entry" \
		"$floor_min" "$floor_med" "$floor_max" "$(xfloor "$floor_med")" ""
fi
row "$plain" cpuid "CPUID (handled in the module)" "3x"
if [ -n "$svm" ]; then
	row "$plain" vmcall "VMMCALL nop (handled in the module)" "3x"
else
	row "$plain" vmcall "VMCALL nop (handled in the module)" "3x"
fi
row "$plain" out "OUT to an unused port (to userspace)" "10x"
no=$(refused "$shadow")
if [ -n "$no" ]; then
	na cr3 "$no"
	printf '| %-40s | %s |\n' "MOV from + to CR3, kept shadow root" "$na_why"
else
	set -- $(samples "$shadow" cr3 | mmm)
	fig cr3 "$@"
	printf '| %-40s | %6s | %6s | %6s | %8s | %5s |\n' "MOV from + to CR3, kept shadow root" "$1" "$2" "$3" "$(xfloor "$2")" "6x"
fi
# lat OUTPUT WORKLOAD LABEL: the timer-to-handler samples of all runs
lat() {
	_label=$3
	set -- $(echo "$1" | sed -n "s/^bench $2 sample: \([0-9]*\) cycles.*/\1/p" | mmm) "$2"
	fig "$(echo "$4" | tr - _)" "$1" "$2" "$3"
	printf '| %-40s | %6s | %6s | %6s | %8s | %5s |\n' "$_label" "$1" "$2" "$3" "$(xfloor "$2")" ""
}
lat "$tspin" timer-spin "timer IRQ to handler, guest spinning"
lat "$thlt" timer-hlt "timer IRQ to handler, guest in HLT"
[ "$floor_med" = "?" ] && echo && echo "The floor was not measured: 'hvlab run --bench-floor' needs the module loaded with bench_floor=1."
echo "$plain$floor" | grep -v '^bench ' | sort -u | sed 's/^/# /'
echo
echo "The timer rows: the cycles from the moment hvlab's local APIC timer"
echo "model raises the interrupt (host TSC) to the guest handler's RDTSC, every"
echo "sample of $RUNS runs of 20 (bench.elf only=6, only=7).  Samples whose"
echo "stamps did not pair up, per run:"
printf '%s\n%s\n' "$tspin" "$thlt" | sed -n 's/^bench \(timer-[a-z]*\): [0-9]* samples, \([0-9]*\) unpaired.*/\1 \2/p' |
	awk '{ u[$1] = u[$1] " " $2 } END { for (k in u) print "    " k ":" u[k] }' | sort
echo
}

echo "## Where an OUT round trip's cycles go"
echo
echo "hvlab run --bench-floor also stamps each exit to userspace with the TSC"
echo "at each step (the module's exit path, the return to userspace, the"
echo "device dispatch, the rest of the user loop, the way back in); hvlab"
echo "prints the average of each step over the run's exits to userspace."
echo
bd=$("$HVLAB" run --bench-floor --append only=3 "$G/bench.elf" 2>&1)
echo "$bd" | grep -v '^hvlab: write' | sed 's/^/    /'
bdall=$bd
bd=$(echo "$bd" | sed -n 's/^hvlab: bench: vCPU 0: [0-9]* round trips .*cycles: //p')
# stretches "KEY N KEY N ..." "KEY:LABEL"...: one table row and one figure
# (bd_KEY) per stretch, its cycles taken from the first argument
stretches() {
	from=" $1"
	shift
	printf '| %-58s | %6s | %8s |\n' "stretch" "cycles" "x floor"
	printf '|%s|%s|%s|\n' "------------------------------------------------------------" "--------" "----------"
	for s in "$@"; do
		k=${s%%:*}
		v=$(echo "$from" | sed -n "s/.* $k \([0-9]*\).*/\1/p")
		fig "bd_$k" "${v:-?}"
		printf '| %-58s | %6s | %8s |\n' "${s#*:}" "${v:-?}" "$(xfloor "${v:-?}")"
	done
}
echo
stretches "$bd" \
	"exit:the module's exit path (VM exit to the end of HVLAB_RUN)" \
	"ret:the return to userspace (system call exit)" \
	"dispatch:hvlab run's device dispatch (vcpu_handle_exit)" \
	"loop:the rest of the user loop, to the next HVLAB_RUN" \
	"call:the system call's entry until HVLAB_RUN starts" \
	"enter:the module's entry path (HVLAB_RUN to VM entry)" \
	"guest:VM entry, the guest's loop, VM exit"
echo
echo "The system call around HVLAB_RUN, split at the vCPU file's ioctl, and two"
echo "bare system calls for reference (averages of 2000):"
echo
bs=$(echo "$bdall" | sed -n 's/^hvlab: bench: vCPU 0: the system call split, average TSC cycles: //p')
bi=$(echo "$bdall" | sed -n 's/^hvlab: bench: bare ioctl, average TSC cycles: //p')
stretches "$bs $bi" \
	"sysin:call: the kernel's system call entry, to the vCPU file's ioctl" \
	"lockin:call: the vCPU's lock and vcpu_get" \
	"switch:call: the ioctl's dispatch to HVLAB_RUN" \
	"lockout:ret: vcpu_put and the lock's release" \
	"sysout:ret: the kernel's system call exit, back in hvlab" \
	"api_version:bare: HVLAB_GET_API_VERSION on /dev/hvlab" \
	"vcpu_unknown:bare: an unknown ioctl on the vCPU file (lock, vcpu_get)"
echo
echo "The host kernel's mitigations (they sit on every system call):"
echo "    cmdline: $(cat /proc/cmdline)"
for f in /sys/devices/system/cpu/vulnerabilities/*; do
	[ -r "$f" ] && echo "    ${f##*/}: $(cat "$f")"
done
echo
if [ -n "${only_breakdown:-}" ]; then
	# the same stamps while watching: which stretch does watching lengthen?
	echo "The same stamps with --record, and with --dashboard:"
	echo
	"$HVLAB" run --bench-floor --record /tmp/bd.trace --append only=3 "$G/bench.elf" 2>&1 |
		grep '^hvlab: bench\|^bench' | sed 's/^/    --record: /'
	if command -v ptyrun >/dev/null; then
		ptyrun sh -c "'$HVLAB' run --bench-floor --dashboard --console-log /tmp/bd-dash.txt --append only=3 '$G/bench.elf' 2>/tmp/bd-dash.err" >/dev/null 2>&1
		grep -h '^hvlab: bench\|^bench' /tmp/bd-dash.txt /tmp/bd-dash.err | sed 's/^/    --dashboard: /'
	fi
	echo
	echo "## Figures (name min median max; the breakdown only)"
	echo "$figs" | sed '/^$/d'
	exit 0
fi

watching

echo "## Exits while booting hello.elf to its greeting"
echo
"$HVLAB" run --stats "$G/hello.elf" 2>&1 >/dev/null | sed 's/^/    /'
echo
echo "## CR3 writes trapped (cr3.elf, --trap-cr3)"
echo
o=$("$HVLAB" run --trap-cr3 --stats "$G/cr3.elf" 2>&1 >/dev/null)
no=$(refused "$o")
if [ -n "$no" ]; then
	na trap_cr3 "$no"
	echo "$na_why"
else
	echo "$o" | grep -v 'MOV to CR3' | sed 's/^/    /'
fi
echo
echo "## Translation overhead: EPT vs shadow paging (ptbench.elf)"
echo
echo "4 address spaces x 32 pages, 10 rounds of: MOV to CR3, touch every page."
echo "The first round fills the tables (EPT or shadow); later rounds show the"
echo "steady state, where shadow paging pays a CR3 exit per switch.  Cycles:"
echo "medians of $RUNS runs; exits and fills are the same in every run."
echo
printf '| %-8s | %12s | %12s | %13s | %7s | %10s | %9s | %12s |\n' "paging" "guest cycles" "first round" "later rounds" "exits" "fills" "CR3 exits" "roots reused"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "----------" "--------------" "--------------" "---------------" "---------" "------------" "-----------" "--------------"
for mode in ept shadow; do
	o=$(runs "$HVLAB" run --paging "$mode" --stats "$G/ptbench.elf")
	no=$(refused "$o")
	if [ -n "$no" ]; then
		na "pt_$mode" "$no"
		printf '| %-8s | %s |\n' "$mode" "$na_why"
		echo "    $na_why" >"/tmp/ptbench-$mode.txt"
		eval "later_$mode=; total_$mode="
		continue
	fi
	set -- $(echo "$o" | sed -n 's/.*ptbench .*: \([0-9]*\) cycles.*/\1/p' | mmm)
	fig "pt_${mode}_total" "$@"
	cyc=$2
	set -- $(echo "$o" | sed -n 's/.*first round \([0-9]*\).*/\1/p' | mmm)
	fig "pt_${mode}_first" "$@"
	first=$2
	set -- $(echo "$o" | sed -n 's/.*later rounds \([0-9]*\) each.*/\1/p' | mmm)
	fig "pt_${mode}_later" "$@"
	later=$2
	# the counts below are the same in every run: keep the last run's
	o=$(echo "$o" | awk '/ptbench .* cycles/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }')
	ex=$(echo "$o" | sed -n 's/^vCPU 0: \([0-9]*\) exits.*/\1/p')
	pf=$(echo "$o" | sed -n 's/.*, \([0-9]*\) \(EPT faults\|shadow fills\).*/\1/p')
	ru=$(echo "$o" | sed -n 's/.*, \([0-9]*\) roots reused.*/\1/p')
	cr=$(echo "$o" | sed -n 's/^vCPU 0: .*, \([0-9]*\) CR3 writes.*/\1/p')
	printf '| %-8s | %12s | %12s | %13s | %7s | %10s | %9s | %12s |\n' "$mode" "$cyc" "$first" "$later" "${ex:-?}" "${pf:-0}" "${cr:-0}" "${ru:--}"
	eval "later_$mode=\$later; total_$mode=\$cyc"
	echo "$o" | grep -v "^ptbench" | sed 's/^/    /' >/tmp/ptbench-$mode.txt
done
echo
awk -v e="$later_ept" -v s="$later_shadow" -v te="$total_ept" -v ts="$total_shadow" 'BEGIN {
	if (e + 0 > 0 && te + 0 > 0 && s + 0 > 0 && ts + 0 > 0)
		printf "shadow / EPT: %.1fx in a later round (aim 3x), %.1fx over the whole run\n", s / e, ts / te
}'
echo
for mode in ept shadow; do
	echo "### --stats, $mode"
	cat /tmp/ptbench-$mode.txt
done
echo
echo "## Real mode without EPT: realmode.bin (real -> protected -> long mode)"
echo
echo "With EPT the real-mode start runs as an unrestricted guest.  Under shadow"
echo "paging it runs in virtual-8086 mode (kmod/rmode.c): LGDT, the MOVs with"
echo "CR0, WBINVD, RDMSR, WRMSR and the guest's #UD become exception exits that"
echo "hvlab emulates."
echo
for mode in ept shadow; do
	echo "### --paging $mode"
	o=$("$HVLAB" run --paging "$mode" --stats --flat 0x8000 "$G/realmode.bin" 2>&1 >/dev/null)
	no=$(refused "$o")
	if [ -n "$no" ]; then
		na "rm_$mode" "$no"
		echo "    $na_why"
	else
		echo "$o" | grep -v '^hvlab: ucall' | sed 's/^/    /'
	fi
done

# Debian's own kernel booting inside hvlab to the guest's marker and
# powering off (the initramfs of tests/vm/linux-guest), as linux-boot.sh
# runs it in the suite; present only when run-suite.sh copied the kernel
# in (HVLAB_BENCH_LINUX=1 make bench: about half an hour more, with the
# network figures).  About 5 minutes of wall time each, so one run each,
# with linux-boot.sh's limit of 15 s of the VM's clock.  BENCH_LINUX_CFGS
# (PAGING:CPUS ...) picks the configurations.
L=/guests/linux
LINUX_CFGS=${BENCH_LINUX_CFGS:-ept:1 ept:2 shadow:1 shadow:2}
if [ -r $L/vmlinuz ] && [ -r $L/initrd.gz ]; then
	echo
	echo "## Debian's kernel booting inside hvlab to its shell's marker"
	echo
	echo "From 'hvlab run' to the guest's power-off (the marker comes just"
	echo "before it), in seconds of the Bochs VM's clock, which follows"
	echo "emulated instructions; exits by reason, interrupts and the guest's"
	echo "cycles (TSC cycles in VMX non-root operation, entry to exit, summed over"
	echo "the vCPUs) from --stats."
	echo
	printf '| %-22s | %10s | %8s | %10s | %8s | %8s | %14s |\n' "configuration" "VM seconds" "exits" "to user" "irqs" "marker" "guest cycles"
	printf '|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------" "------------" "----------" "------------" "----------" "----------" "----------------"
	for cfg in $LINUX_CFGS; do
		p=${cfg%:*} c=${cfg#*:}
		t0=$(cut -d' ' -f1 /proc/uptime)
		o=$(timeout -s INT 15 "$HVLAB" run -m 128M --cpus "$c" --paging "$p" --stats \
			--initrd $L/initrd.gz \
			--append "console=ttyS0 loglevel=4 panic=-1 mitigations=off hvlab.check" \
			$L/vmlinuz 2>&1 </dev/null)
		t1=$(cut -d' ' -f1 /proc/uptime)
		no=$(refused "$o")
		if [ -n "$no" ]; then
			na "linux_${p}_$c" "$no"
			printf '| %-22s | %s |\n' "$p, $c vCPU" "$na_why"
			echo "    $na_why" >"/tmp/linux-$p-$c.txt"
			continue
		fi
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
		ex=$(echo "$o" | sed -n 's/^vCPU [0-9]*: \([0-9]*\) exits, \([0-9]*\) to userspace.*/\1 \2/p' |
			awk '{ e += $1; u += $2 } END { print e + 0, u + 0 }')
		irq=$(echo "$o" | sed -n 's/^interrupts: \([0-9]*\) injected.*/\1/p')
		gc=$(echo "$o" | sed -n 's/^vCPU [0-9]*: .*, \([0-9]*\) guest cycles.*/\1/p' |
			awk '{ s += $1 } END { print NR ? s : "?" }')
		mk=no
		echo "$o" | grep -q "##GUEST## marker HVLAB-LINUX-OK" && mk=yes
		fig "linux_${p}_$c" "$secs" $ex "${irq:-?}" "$mk" "$gc"
		printf '| %-22s | %10s | %8s | %10s | %8s | %8s | %14s |\n' "$p, $c vCPU" "$secs" "${ex% *}" "${ex#* }" "${irq:-?}" "$mk" "$gc"
		echo "$o" | sed -n '/^vCPU [0-9]*: [0-9]* exits/,$p' | sed 's/^/    /' >/tmp/linux-$p-$c.txt
	done
	echo
	for cfg in $LINUX_CFGS; do
		echo "### --stats, ${cfg%:*}, ${cfg#*:} vCPU"
		cat "/tmp/linux-${cfg%:*}-${cfg#*:}.txt"
	done
	# the network: two such guests, each mode's throughput and exits per
	# frame (tests/vm/net-bench.sh, about ten minutes more)
	echo
	sh "$(dirname "$0")/net-bench.sh"
fi

echo
echo "## Figures for tests/tools/bench-tables.sh (name min median max)"
echo "$figs" | sed '/^$/d'
