#!/usr/bin/env bash
# bench-tables.sh [--amd] [BENCH.TXT] - write the tables of `make bench`
# into the documentation, so that no figure there is typed by hand.
#
# BENCH.TXT (default build/results/bench.txt) is what tests/vm/bench-in-vm.sh
# printed: its header names the CPU and the kernel, and its last section
# holds one line per figure, "fig NAME MIN MEDIAN MAX" (for the watching
# figures: "fig watch_W PLAIN RECORD DASHBOARD", medians).  Each table goes
# between two marker comments in a Markdown file:
#
#   <!-- bench-tables:NAME begin -->
#   ...replaced on every run...
#   <!-- bench-tables:NAME end -->
#
# Tables: exits (README.md, docs/vmexit-path.md), breakdown
# (docs/vmexit-path.md), watch (docs/dashboard.md), paging (README.md,
# docs/memory.md), linux (docs/booting-linux.md), vendors (docs/svm.md:
# the last Intel and AMD runs side by side, once both files exist).  A file without a table's markers is left alone; a
# table whose figures are missing is written with "?" where they would be,
# except the Linux table, which a run without Linux boots leaves alone.
# The date is the day BENCH.TXT was written.
#
# An AMD run (`HVLAB_BENCH_CPU=amd make bench`: build/results/bench-amd.txt,
# the default with --amd; its header says "# vendor: AMD SVM") writes only
# the AMD tables, exits_amd (docs/vmexit-path.md), and leaves every Intel
# table as it is; an Intel run leaves the AMD tables alone.  A figure the
# SVM backend cannot give ("na NAME WHAT" in BENCH.TXT) is written as
# "n/a on SVM: ...".
set -euo pipefail
cd "$(dirname "$0")/../.."
amd=
[ "${1:-}" = --amd ] && { amd=1; shift; }
src=${1:-build/results/bench${amd:+-amd}.txt}
[ -r "$src" ] || { echo "bench-tables.sh: $src not found: run '${amd:+HVLAB_BENCH_CPU=amd }make bench' first" >&2; exit 1; }
if grep -q '^# vendor: AMD SVM' "$src"; then
	amd=1
elif [ -n "$amd" ]; then
	echo "bench-tables.sh: $src is not from an AMD run (no '# vendor: AMD SVM' line)" >&2
	exit 1
fi

cpu=$(sed -n 's/^# cpu: //p' "$src" | head -n 1)
host=$(sed -n 's/^# host cpu: //p' "$src" | head -n 1)
kernel=$(sed -n 's/^# kernel: //p' "$src" | head -n 1)
runs=$(sed -n 's/^# runs: //p' "$src" | head -n 1)
day=$(date -u -r "$src" +%Y-%m-%d)
where="Measured by \`${amd:+HVLAB_BENCH_CPU=amd }make bench\` on $day in Bochs (emulated CPU \"${cpu:-?}\", host CPU \"${host:-?}\", kernel ${kernel:-?}): median of ${runs:-?} runs, min–max beside it. Written by \`tests/tools/bench-tables.sh\`; do not edit by hand."

# fig NAME FIELD: field 1..3 of figure NAME ("?" when absent)
fig() {
	awk -v n="$1" -v f="$2" '$1 == "fig" && $2 == n { v = $(2 + f) } END { print (v == "" ? "?" : v) }' "$src"
}
# n1 NUMBER: 12345 -> 12,345
n1() {
	awk -v v="$1" 'BEGIN {
		if (v !~ /^[0-9]+$/) { print v; exit }
		s = ""; while (length(v) > 3) { s = "," substr(v, length(v) - 2) s; v = substr(v, 1, length(v) - 3) }
		print v s
	}'
}
# ratio A B [DIGITS]: A / B, or "?"
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN {
		if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0) printf "%.*f×", d, a / b; else print "?"
	}'
}
pct() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && a > 0) printf "%+.0f %%", (b - a) * 100 / a; else print "?"
	}'
}
# cell NAME: "median (min–max)"
cell() {
	echo "$(n1 "$(fig "$1" 2)") ($(n1 "$(fig "$1" 1)")–$(n1 "$(fig "$1" 3)"))"
}
# na NAME: what the SVM backend did not offer for figure NAME, or nothing
na() {
	awk -v n="$1" '$1 == "na" && $2 == n { $1 = $2 = ""; sub(/^ +/, ""); v = $0 } END { print v }' "$src"
}
# row LABEL NAME AIM: a row of exits_amd, or its "n/a on SVM" reason
row_amd() {
	local why
	why=$(na "$2")
	if [ -n "$why" ]; then
		echo "| $1 | n/a on SVM: the backend does not offer $why yet | |${3:+ $3} |"
	else
		echo "| $1 | $(cell "$2") | $(ratio "$(fig "$2" 2)" "$floor") |${3:+ $3} |"
	fi
}

floor=$(fig floor 2)

table_exits() {
	echo "| exit | guest cycles, median (min–max) | × floor | aim |"
	echo "|------|---:|---:|---:|"
	echo "| the floor: VM exit, CPUID answered, RIP advanced, VM entry (\`--bench-floor\`) | $(cell floor) | 1.0× | |"
	echo "| CPUID, handled in the module (fast path) | $(cell cpuid) | $(ratio "$(fig cpuid 2)" "$floor") | 3× |"
	echo "| VMCALL no-op, handled in the module (fast path) | $(cell vmcall) | $(ratio "$(fig vmcall 2)" "$floor") | 3× |"
	echo "| OUT to an unclaimed port, out to \`hvlab run\` and back | $(cell out) | $(ratio "$(fig out 2)" "$floor") | 10× |"
	echo "| MOV from CR3 + MOV to CR3 (\`--paging shadow\`, a kept root: two exits) | $(cell cr3) | $(ratio "$(fig cr3 2)" "$floor") | 6× |"
	echo "| interrupt delivery: the LAPIC timer model raises its interrupt, the guest's handler runs (guest spinning) | $(cell timer_spin) | $(ratio "$(fig timer_spin 2)" "$floor") | |"
	echo "| interrupt delivery, the guest waiting in HLT | $(cell timer_hlt) | $(ratio "$(fig timer_hlt 2)" "$floor") | |"
	echo
	echo "$where"
}

# The same exits on the SVM backend, over its own floor (its fast path:
# svm_fastpath_exit() in svm.c).
table_exits_amd() {
	echo "| exit (SVM) | guest cycles, median (min–max) | × floor | aim |"
	echo "|------|---:|---:|---:|"
	echo "| the floor: #VMEXIT, CPUID answered, RIP from NRIP, VMRUN (\`--bench-floor\`) | $(cell floor) | 1.0× | |"
	row_amd "CPUID, handled in the module (fast path)" cpuid "3×"
	row_amd "VMMCALL no-op, handled in the module (fast path)" vmcall "3×"
	row_amd "OUT to an unclaimed port, out to \`hvlab run\` and back" out "10×"
	row_amd "MOV from CR3 + MOV to CR3 (\`--paging shadow\`, a kept root: two exits)" cr3 "6×"
	row_amd "interrupt delivery: the LAPIC timer model raises its interrupt, the guest's handler runs (guest spinning)" timer_spin ""
	row_amd "interrupt delivery, the guest waiting in HLT" timer_hlt ""
	echo
	echo "$where"
}

table_breakdown() {
	local name label total=0 v have=0
	echo "| stretch of an OUT round trip | guest cycles (average) | × floor |"
	echo "|---|---:|---:|"
	while IFS='|' read -r name label; do
		v=$(fig "bd_$name" 1)
		[ "$v" != "?" ] && { total=$((total + v)); have=1; }
		echo "| $label | $(n1 "$v") | $(ratio "$v" "$floor") |"
	done <<'EOF'
exit|the module's exit path: VM exit to the end of `hv_vcpu_run` (host state back, FPU saved, the exit recorded, `hv_handle_io`)
ret|the return to userspace: `vcpu_put`, the vCPU's lock, the system call's exit
dispatch|`hvlab run`'s device dispatch (`vcpu_handle_exit`: the bus finds no device)
loop|the rest of the user loop, up to the next `ioctl(HVLAB_RUN)` (`vcpu_prepare_run`: INIT, interrupts to inject)
call|the system call's entry, the vCPU's lock and `vcpu_get`, until `hv_vcpu_run`
enter|the module's entry path: `hv_vcpu_run` to the VM entry (complete the OUT, host state saved, guest FPU loaded)
guest|VM entry, the guest's loop, VM exit
EOF
	[ $have = 1 ] && echo "| total (one run with the stamps on the path) | $(n1 $total) | $(ratio $total "$floor") |"
	echo
	echo "$where The stretches come from one \`hvlab run --bench-floor\` run of \`bench.elf only=3\`, which stamps the TSC along the path."
}

# The system call around HVLAB_RUN split at the vCPU file's ioctl, and two
# bare system calls measured in the same run for reference.
table_syscall() {
	local name label v
	echo "| part of the system call around \`ioctl(HVLAB_RUN)\` | guest cycles (average) | × floor |"
	echo "|---|---:|---:|"
	while IFS='|' read -r name label; do
		v=$(fig "bd_$name" 1)
		echo "| $label | $(n1 "$v") | $(ratio "$v" "$floor") |"
	done <<'EOF'
sysin|call: the kernel's system call entry, up to the vCPU file's `vcpu_ioctl`
lockin|call: the vCPU's mutex and `vcpu_get` (preempt notifier, VMCS current, host FS base)
switch|call: from there to `hv_vcpu_run`
lockout|ret: `vcpu_put` and the mutex's release
sysout|ret: the kernel's system call exit (the host task's FPU state back), back in `hvlab run`
api_version|reference: `HVLAB_GET_API_VERSION` on `/dev/hvlab`, a whole system call that does nothing
vcpu_unknown|reference: an unknown ioctl on the vCPU file (mutex, `vcpu_get`, `vcpu_put`, `-ENOTTY`)
EOF
	echo
	echo "$where The split comes from the same \`bench.elf only=3\` run; the references are averages of 2000 calls made by that \`hvlab run\` after the guest stopped."
}

table_watch() {
	local w label a b d
	echo "| workload (guest cycles per exit, medians) | plain | \`--record\` | \`--dashboard\` |"
	echo "|---|---:|---:|---:|"
	for w in cpuid vmcall out; do
		case $w in
		cpuid) label="CPUID (handled in the module)" ;;
		vmcall) label="VMCALL no-op (in the module)" ;;
		out) label="OUT to an unused port (to userspace)" ;;
		esac
		a=$(fig "watch_$w" 1) b=$(fig "watch_$w" 2) d=$(fig "watch_$w" 3)
		echo "| $label | $(n1 "$a") | $(n1 "$b") ($(pct "$a" "$b")) | $(n1 "$d") ($(pct "$a" "$d")) |"
	done
	echo
	echo "${where/, min–max beside it/ in each column}"
}

table_paging() {
	local m
	echo "| paging | whole run | first round | a later round |"
	echo "|--------|---:|---:|---:|"
	for m in ept shadow; do
		echo "| $m | $(cell "pt_${m}_total") | $(cell "pt_${m}_first") | $(cell "pt_${m}_later") |"
	done
	echo
	echo "shadow / EPT: **$(ratio "$(fig pt_shadow_later 2)" "$(fig pt_ept_later 2)") in a later round** (aim 3×), $(ratio "$(fig pt_shadow_total 2)" "$(fig pt_ept_total 2)") over the whole run (aim 10×)."
	echo
	echo "$where"
}

table_linux() {
	local c m
	echo "| configuration | boot to power-off, s of the VM's clock | guest cycles (all vCPUs) | exits | to \`hvlab run\` | interrupts injected | marker |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	for c in ept_1 ept_2 shadow_1 shadow_2; do
		m=${c%_*}
		[ "$m" = ept ] && m=EPT
		echo "| $m, ${c#*_} vCPU | $(fig "linux_$c" 1) | $(n1 "$(fig "linux_$c" 6)") | $(n1 "$(fig "linux_$c" 2)") | $(n1 "$(fig "linux_$c" 3)") | $(n1 "$(fig "linux_$c" 4)") | $(fig "linux_$c" 5) |"
	done
	echo
	echo "Measured by \`make bench\` on $day in Bochs (emulated CPU \"${cpu:-?}\", host CPU \"${host:-?}\", kernel ${kernel:-?}): one boot each. Written by \`tests/tools/bench-tables.sh\`; do not edit by hand."
}

# The two vendors side by side (docs/svm.md), from the last Intel and the
# last AMD run, each figure as a multiple of its own run's floor; written
# by either run once both files exist.
intel_txt=build/results/bench.txt
amd_txt=build/results/bench-amd.txt
if [ -n "$amd" ]; then amd_txt=$src; else intel_txt=$src; fi
# vx FILE NAME: figure NAME of FILE as a multiple of that file's floor
vx() {
	local f=$1 v fl
	v=$(src=$f fig "$2" 2)
	fl=$(src=$f fig floor 2)
	if [ -n "$(src=$f na "$2")" ]; then
		echo "n/a"
	else
		echo "$(n1 "$v") ($(ratio "$v" "$fl"))"
	fi
}
table_vendors() {
	local name label
	echo "| exit | Intel VMX: guest cycles (× its floor) | AMD SVM: guest cycles (× its floor) |"
	echo "|------|---:|---:|"
	while IFS='|' read -r name label; do
		echo "| $label | $(vx "$intel_txt" "$name") | $(vx "$amd_txt" "$name") |"
	done <<'ROWS'
floor|the floor: exit, CPUID answered, RIP advanced, entry
cpuid|CPUID, handled in the module (fast path)
vmcall|VMCALL (VMMCALL on AMD) no-op, handled in the module (fast path)
out|OUT to an unclaimed port, out to `hvlab run` and back
cr3|MOV from CR3 + MOV to CR3 (`--paging shadow`, a kept root)
timer_spin|a timer interrupt to the guest's handler (guest spinning)
timer_hlt|a timer interrupt to the guest's handler (guest in HLT)
ROWS
	echo
	echo "ptbench, shadow paging as a multiple of second-level paging (EPT, NPT): Intel $(src=$intel_txt ratio "$(src=$intel_txt fig pt_shadow_later 2)" "$(src=$intel_txt fig pt_ept_later 2)") in a later round, $(src=$intel_txt ratio "$(src=$intel_txt fig pt_shadow_total 2)" "$(src=$intel_txt fig pt_ept_total 2)") over the whole run; AMD $(src=$amd_txt ratio "$(src=$amd_txt fig pt_shadow_later 2)" "$(src=$amd_txt fig pt_ept_later 2)") and $(src=$amd_txt ratio "$(src=$amd_txt fig pt_shadow_total 2)" "$(src=$amd_txt fig pt_ept_total 2)")."
	echo
	echo "Medians of \`make bench\` ($(date -u -r "$intel_txt" +%Y-%m-%d), CPU \"$(sed -n 's/^# cpu: //p' "$intel_txt" | head -n 1)\") and \`HVLAB_BENCH_CPU=amd make bench\` ($(date -u -r "$amd_txt" +%Y-%m-%d), CPU \"$(sed -n 's/^# cpu: //p' "$amd_txt" | head -n 1)\") in Bochs; each vendor's figures are multiples of the floor of its own run. Written by \`tests/tools/bench-tables.sh\`; do not edit by hand."
}

# put FILE NAME: replace table NAME's region in FILE
put() {
	local file=$1 name=$2 body
	grep -q "^<!-- bench-tables:$name begin" "$file" 2>/dev/null || return 0
	body=$(mktemp)
	"table_$name" >"$body"
	awk -v b="<!-- bench-tables:$name begin" -v e="<!-- bench-tables:$name end" -v f="$body" '
		index($0, b) == 1 { print; while ((getline l < f) > 0) print l; skip = 1; next }
		index($0, e) == 1 { skip = 0 }
		!skip' "$file" >"$file.tmp"
	mv "$file.tmp" "$file"
	rm -f "$body"
	echo "bench-tables.sh: $file: table '$name'"
}

# both runs' figures: the side-by-side table, whichever run came last
vendors() {
	if [ -r "$intel_txt" ] && [ -r "$amd_txt" ] && grep -q '^# vendor: AMD SVM' "$amd_txt"; then
		put docs/svm.md vendors
	else
		echo "bench-tables.sh: docs/svm.md: table 'vendors' needs both $intel_txt and $amd_txt: left as it was"
	fi
}
if [ -n "$amd" ]; then
	put docs/vmexit-path.md exits_amd
	vendors
	exit 0
fi
put README.md exits
put README.md paging
put docs/vmexit-path.md exits
put docs/vmexit-path.md breakdown
put docs/vmexit-path.md syscall
put docs/dashboard.md watch
put docs/memory.md paging
# the Linux rows come only from HVLAB_BENCH_LINUX=1: without any, keep
# the table of the last run that had them
if grep -q '^fig linux_' "$src"; then
	put docs/booting-linux.md linux
else
	echo "bench-tables.sh: docs/booting-linux.md: no Linux boots in $src (HVLAB_BENCH_LINUX=1 make bench): table 'linux' left as it was"
fi
vendors
