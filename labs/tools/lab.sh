#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lab.sh - the lab course's tools: student trees, grading, hand-in.
#
#   labs/tools/lab.sh list                 the labs (labs/labs.conf)
#   labs/tools/lab.sh tree N DIR           write the student tree of lab N
#   labs/tools/lab.sh grade N [--vm]       grade lab N in this tree
#   labs/tools/lab.sh grade-vm [N...]      the VM checks of several labs
#                                          (default: all), one boot for all
#   labs/tools/lab.sh vm-where [N]         where the VM checks (of lab N)
#                                          would run (natively with VT-x,
#                                          or AMD-V for an SVM lab, else Bochs)
#   labs/tools/lab.sh handin N             pack the hand-in of lab N
#   labs/tools/lab.sh selftest [N...]      reference full marks, starter zero
#   labs/tools/lab.sh vm-selftest [OPTIONS] the same for the VM checks: the
#                                          starters in one Bochs boot
#   labs/tools/lab.sh lint                 regions and stubs match
#   labs/tools/lab.sh stubs-tree DIR       every lab cut at once (a build check)
#
# (make lab-tree LAB=N DEST=DIR, make grade LAB=N [VM=1], make handin LAB=N
# and make grade-selftest call these.)
#
# A lab is a folder labs/NN-topic/ and a line in labs/labs.conf.  The folder
# holds README.md, grade.list (the graded checks, see below), grade.c (the
# native checks, if any), grade.mk (more make rules for the grade binary,
# if any) and stub/NAME files.  The solution lives in the
# real sources, between markers
#
#   /* LAB n: BEGIN NAME */  ...  /* LAB n: END NAME */      (C, asm)
#   # LAB n: BEGIN NAME      ...  # LAB n: END NAME          (shell, make)
#
# The student tree of lab n is a copy of the repository (git ls-files) in
# which every region of lab n holds the text of labs/NN-topic/stub/NAME
# instead; regions of other labs keep the reference code (earlier labs
# solved, later ones to read).  The markers stay, so the student sees where
# to write.  A stub compiles and fails cleanly: it returns an error, and a
# TODO(lab n) comment says what to write.
#
# grade.list, one check a line ('#' starts a comment):
#   native NAME POINTS TIMEOUT    a LAB_TEST of grade.c, run alone, in its
#                                 own process, killed after TIMEOUT seconds
#   vm PROGRAM TEST POINTS        a kselftest of tests/kselftest (PROGRAM,
#                                 e.g. test_run_paging) or a tests/vm/t_*.sh
#                                 script; TEST as the TAP line names it
#                                 (run.cr3_trapped_7), run in the Bochs VM
#                                 only with --vm
# Every VM pass adds the global checks of its boot (module load/unload,
# kernel log clean: no oops, WARN or BUG).  They only take points away:
# a failed one costs its points, a passed one adds none, and the score
# never goes below 0, so a starter that does nothing scores 0.
# The VM pass is tests/vm/run-suite.sh --pass labN --only PROG1,PROG2,...
# (its results in build/results/vm-labN.tap), with --cpu amd for a lab
# whose line in labs.conf ends in "amd" (its VM checks need SVM: Bochs's
# zambezi, or natively an AMD CPU); HVLAB_LAB_VM_TAP=FILE grades
# from the TAP file of a run made before instead of booting the VM, and
# HVLAB_PAGING=shadow passes --paging shadow.  On a machine where VT-x is
# usable the same programs run natively instead (native_vmx below).
#
# Randomness: every native check draws its inputs from HVLAB_LAB_SEED
# (random unless set), printed in the output and kept in the JSON, so a
# failure can be replayed and a hard-coded answer fails.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
CONF=labs/labs.conf

die() { echo "lab.sh: $*" >&2; exit 1; }

# lab_dir N: labs/NN-topic of lab N, from labs.conf
lab_dir() {
	local d
	d=$(awk -v n="$1" '!/^#/ && NF >= 2 && $1 == n { print $2; exit }' "$CONF")
	[ -n "$d" ] || die "no lab $1 in $CONF"
	[ -d "labs/$d" ] || die "labs/$d (lab $1) is missing"
	echo "labs/$d"
}

all_labs() { awk '!/^#/ && NF >= 2 { print $1 }' "$CONF"; }

# lab_cpu N: the CPU lab N's VM checks need, labs.conf's fourth column:
# intel (VMX; the default) or amd (SVM)
lab_cpu() {
	awk -v n="$1" '!/^#/ && NF >= 2 && $1 == n { print (NF >= 4 ? $4 : "intel"); exit }' "$CONF"
}

# vm_labs [CPU]: the labs that have VM checks (only those on CPU, if given)
vm_labs() {
	local n
	for n in $(all_labs); do
		grep -qE '^vm[[:space:]]' "$(lab_dir "$n")/grade.list" || continue
		[ -z "${1:-}" ] || [ "$(lab_cpu "$n")" = "$1" ] || continue
		echo "$n"
	done
}

# files_with_regions N: tracked files that hold a region of lab N
files_with_regions() {
	git ls-files -co --exclude-standard -z | xargs -0 grep -lE "LAB $1: BEGIN " -- 2>/dev/null |
		grep -v '^labs/' || true
}

# cut_regions N STUBDIR FILE: replace each region of lab N by its stub
cut_regions() {
	local n=$1 stubs=$2 f=$3 tmp
	tmp=$(mktemp)
	if ! awk -v n="$n" -v stubs="$stubs" -v file="$f" '
		function fail(msg) { print file ":" FNR ": " msg > "/dev/stderr"; bad = 1; exit 1 }
		{
			if (match($0, "LAB " n ": BEGIN [A-Za-z0-9_.-]+")) {
				if (inside) fail("region " name " is not closed")
				name = substr($0, RSTART + length("LAB " n ": BEGIN "), RLENGTH - length("LAB " n ": BEGIN "))
				stub = stubs "/" name
				print
				if ((getline line < stub) <= 0) fail("no stub " stub)
				do print line; while ((getline line < stub) > 0)
				close(stub)
				inside = 1
				next
			}
			if (match($0, "LAB " n ": END [A-Za-z0-9_.-]+")) {
				if (!inside) fail("END without BEGIN")
				if (substr($0, RSTART + length("LAB " n ": END "), RLENGTH - length("LAB " n ": END ")) != name)
					fail("END of another region than " name)
				inside = 0
				print
				next
			}
			if (!inside) print
		}
		END { if (!bad && inside) fail("region " name " is not closed") }
	' "$f" >"$tmp"; then
		rm -f "$tmp"
		die "cutting lab $n out of $f failed"
	fi
	cat "$tmp" >"$f"	# keep the file's mode
	rm -f "$tmp"
}

cmd_list() {
	local n d kind cpu
	while read -r n d kind cpu; do
		printf '%2s  %-22s %s%s\n' "$n" "$d" "$kind" "${cpu:+ (VM checks on $cpu)}"
	done < <(awk '!/^#/ && NF >= 2' "$CONF")
}

cmd_tree() {
	local n=$1 dest=$2 dir f count=0
	dir=$(lab_dir "$n")
	[ -n "$dest" ] || die "tree: DEST is empty"
	if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
		die "tree: $dest exists and is not empty"
	fi
	mkdir -p "$dest"
	dest=$(cd "$dest" && pwd)
	case "$dest/" in "$TOP"/*) ;; *) ;; esac
	# tar keeps the sources' times, so build products copied beside them
	# (selftest) stay up to date for every file but the cut ones
	git ls-files -co --exclude-standard -z | tar -C "$TOP" --null -T - -cf - | tar -C "$dest" -xf -
	while read -r f; do
		[ -n "$f" ] || continue
		cut_regions "$n" "$TOP/$dir/stub" "$dest/$f"
		count=$((count + 1))
	done < <(files_with_regions "$n")
	[ "$count" -gt 0 ] || echo "lab.sh: note: lab $n has no region in the sources" >&2
	echo "$n" >"$dest/.lab"
	# a git history whose first commit is the starter: make handin diffs
	# against it
	if command -v git >/dev/null; then
		(cd "$dest" && git init -q && git add -A &&
		 git -c user.name=hvlab -c user.email=hvlab@localhost commit -q -m "lab $n starter" &&
		 git tag "lab$n-starter") || echo "lab.sh: note: no git history in $dest" >&2
	fi
	echo "lab $n: student tree in $dest ($count file(s) with regions cut; see $dir/README.md)"
}

# cmd_stubs_tree DIR: a copy with every lab's regions cut at once, to check
# that all the stubs compile together (user/ and kmod/)
cmd_stubs_tree() {
	local dest=$1 n dir f
	[ -n "$dest" ] && [ ! -e "$dest" ] || die "stubs-tree: give a new directory"
	mkdir -p "$dest"
	git ls-files -co --exclude-standard -z | tar -C "$TOP" --null -T - -cf - | tar -C "$dest" -xf -
	for n in $(all_labs); do
		dir=$(lab_dir "$n")
		while read -r f; do
			[ -n "$f" ] && cut_regions "$n" "$TOP/$dir/stub" "$dest/$f"
		done < <(files_with_regions "$n")
	done
	echo "every lab's stubs in $dest"
}

# json_str: stdin as one JSON string
json_str() {
	awk 'BEGIN { ORS = ""; print "\"" }
	     { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "");
	       gsub(/[\001-\037]/, "?"); if (NR > 1) print "\\n"; print }
	     END { print "\"" }'
}

cmd_grade() {
	local n=$1 vm=${2:-0} dir bin seed kind name pts tmo prog tst
	local total=0 got=0 vm_total=0 vm_n=0 out rc t0 dt pass tail json first=1 penalty=0
	dir=$(lab_dir "$n")
	seed=${HVLAB_LAB_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	json=${HVLAB_LAB_JSON_DIR:-.}/grade-lab$n.json
	# the VM checks' programs draw their random inputs from it too
	export HVLAB_LAB_SEED=$seed
	# a new VM run for this grading, unless it grades an earlier run's TAP
	[ "$vm" != 1 ] || [ -n "${HVLAB_LAB_VM_TAP:-}" ] ||
		rm -f "build/labs/vm-lab$n.done" "build/results/vm-lab$n.tap"
	echo "== lab $n ($dir), seed $seed"
	mkdir -p build
	if [ -f "$dir/grade.c" ] && [ "${HVLAB_LAB_ONLY_VM:-0}" != 1 ]; then
		bin=$TOP/build/$dir/grade
		if ! make -s -j2 "$bin" >build/lab-build.log 2>&1; then
			sed 's/^/    /' build/lab-build.log | tail -n 30
			echo "   the lab's tests did not build: every native check fails"
		fi
	fi
	mkdir -p build
	{
		echo "{"
		echo "  \"lab\": $n,"
		echo "  \"seed\": $seed,"
		echo "  \"tests\": ["
	} >"$json.tmp"
	emit() {	# name kind points pass(true/false/null) output-file note
		[ $first = 1 ] || echo "," >>"$json.tmp"
		first=0
		printf '    {"test": "%s", "kind": "%s", "points": %s, "pass": %s, "note": %s, "output_tail": %s}' \
			"$1" "$2" "$3" "$4" "$(printf '%s' "$6" | json_str)" \
			"$(tail -n 25 "$5" 2>/dev/null | json_str)" >>"$json.tmp"
	}
	out=$(mktemp)
	while read -r kind name pts tmo rest; do
		case "$kind" in ''|'#'*) continue ;; esac
		if [ "$kind" = native ] && [ "${HVLAB_LAB_ONLY_VM:-0}" = 1 ]; then
			continue	# vm-selftest: the VM checks alone
		elif [ "$kind" = native ]; then
			total=$((total + pts))
			t0=$(date +%s%N)
			if [ -x "$bin" ]; then
				set +e
				HVLAB_LAB_SEED=$seed timeout -k 2 "$tmo" "$bin" "$name" >"$out" 2>&1
				rc=$?
				set -e
			else
				echo "no test binary ($bin did not build)" >"$out"
				rc=127
			fi
			dt=$(( ($(date +%s%N) - t0) / 1000000 ))
			[ "$rc" != 124 ] && [ "$rc" != 137 ] || echo "TIMEOUT after $tmo s" >>"$out"
			if [ "$rc" = 0 ]; then
				pass=true
				got=$((got + pts))
				printf '  PASS  %-44s %3d/%-3d (%d.%02d s)\n' "$name" "$pts" "$pts" $((dt / 1000)) $((dt % 1000 / 10))
			else
				pass=false
				printf '  FAIL  %-44s %3d/%-3d (%d.%02d s)\n' "$name" 0 "$pts" $((dt / 1000)) $((dt % 1000 / 10))
				grep -A1 -E '^(FAIL|TIMEOUT|no test)' "$out" | head -n 4 | sed 's/^/        /'
			fi
			emit "$name" native "$pts" "$pass" "$out" ""
		elif [ "$kind" = global ]; then
			# a global check of the VM run: a failure costs its points
			prog=$name tst=$pts pts=$tmo
			[ "$vm" = 1 ] || continue
			if vm_result "$n" "$prog" "$tst" >"$out"; then
				pass=true
				printf '  ok    %-44s %7s (global check)\n' "$prog" "-0"
			else
				pass=false
				penalty=$((penalty + pts))
				printf '  FAIL  %-44s %7s (global check)\n' "$prog" "-$pts"
			fi
			emit "$prog" global "-$pts" "$pass" "$out" "a global check: costs its points when it fails, adds none"
		elif [ "$kind" = vm ]; then
			prog=$name tst=$pts pts=$tmo
			vm_total=$((vm_total + pts))
			vm_n=$((vm_n + 1))
			if [ "$vm" = 1 ]; then
				total=$((total + pts))
				if vm_result "$n" "$prog" "$tst" >"$out"; then
					pass=true
					got=$((got + pts))
					printf '  PASS  %-44s %3d/%-3d (VM)\n' "$prog: $tst" "$pts" "$pts"
				else
					pass=false
					printf '  FAIL  %-44s %3d/%-3d (VM)\n' "$prog: $tst" 0 "$pts"
				fi
				emit "$prog: $tst" vm "$pts" "$pass" "$out" ""
			else
				printf '  VM    %-44s  -/%-3d (needs the VM: make grade LAB=%s VM=1)\n' "$prog: $tst" "$pts" "$n"
				: >"$out"
				emit "$prog: $tst" vm "$pts" null "$out" "not run: VM checks run with VM=1 (the Bochs VM)"
			fi
		fi
	done < <(grade_list "$n" "$vm")
	rm -f "$out"
	got=$((got > penalty ? got - penalty : 0))
	{
		echo
		echo "  ],"
		echo "  \"score\": $got,"
		echo "  \"total\": $total,"
		echo "  \"vm_checks_not_run\": $([ "$vm" = 1 ] && echo 0 || echo "$vm_n"),"
		echo "  \"vm_points_not_run\": $([ "$vm" = 1 ] && echo 0 || echo "$vm_total")"
		echo "}"
	} >>"$json.tmp"
	mv "$json.tmp" "$json"
	if [ "$vm" != 1 ] && [ "$vm_n" -gt 0 ]; then
		echo "  ($vm_n VM check(s), $vm_total points, not run: make grade LAB=$n VM=1)"
	elif [ "$vm" = 1 ] && [ -n "${HVLAB_LAB_VM_TAP:-}" ]; then
		echo "  (VM checks from $HVLAB_LAB_VM_TAP)"
	elif [ "$vm" = 1 ] && [ -s "build/labs/vm-lab$n.log" ]; then
		echo "  ($(head -n 1 "build/labs/vm-lab$n.log"); log: build/labs/vm-lab$n.log)"
	fi
	echo "Score: $got/$total"
	echo "(details: $json)"
	[ "$got" = "$total" ]
}

# grade_list N VM: the lab's checks; with VM, the global checks of the boot
# join them (their TAP names: setup, teardown, kernel-log), as penalties
grade_list() {
	local dir
	dir=$(lab_dir "$1")
	cat "$dir/grade.list"
	if [ "$2" = 1 ] && grep -qE '^vm[[:space:]]' "$dir/grade.list"; then
		echo "global setup * 5"
		echo "global teardown * 5"
		echo "global kernel-log * 10"
	fi
}

# vm_result N PROGRAM TEST: did TEST of PROGRAM pass in this lab's VM run?
# TEST '*' stands for every result of PROGRAM (the global checks).  The VM
# boots once per grading, for every program the lab names.
vm_result() {
	local n=$1 prog=$2 tst=$3 tap=${HVLAB_LAB_VM_TAP:-build/results/vm-lab$1.tap} re
	mkdir -p build/labs
	if [ -z "${HVLAB_LAB_VM_TAP:-}" ] && [ ! -f "build/labs/vm-lab$n.done" ]; then
		vm_run "$n" >"build/labs/vm-lab$n.log" 2>&1 || true
		touch "build/labs/vm-lab$n.done"
	fi
	[ -f "$tap" ] || { echo "no VM results ($tap); log: build/labs/vm-lab$n.log"; return 1; }
	if [ "$tst" = '*' ]; then
		re="${prog}: "
	else
		re="${prog}: (.* )?${tst//./\\.}( |\$)"
	fi
	grep -E "^(not )?ok [0-9]+ (- )?$re" "$tap" | tail -n 20 || true
	grep -qE "^ok [0-9]+ (- )?$re" "$tap" && ! grep -qE "^not ok [0-9]+ (- )?$re" "$tap"
}

# vm_progs N...: the programs the VM checks of these labs name, comma-separated
vm_progs() {
	local n
	for n in "$@"; do
		awk '$1 == "vm" { print $2 }' "$(lab_dir "$n")/grade.list"
	done | sort -u | paste -sd, -
}

# vm_run N: one VM pass with every program the lab names, on its CPU
vm_run() {
	HVLAB_LAB_CPU=$(lab_cpu "$1") vm_boot "lab$1" "$(vm_progs "$1")"
}

# vm_boot PASS PROGS: the programs' results in build/results/vm-PASS.tap,
# natively where VMX (SVM with HVLAB_LAB_CPU=amd) is usable here, else
# from one boot of the Bochs VM.
vm_boot() {
	local pass=$1 progs=$2 why rc cpu=${HVLAB_LAB_CPU:-intel}
	mkdir -p build/labs build/results
	if why=$(native_vmx); then
		echo "VM checks natively: $why"
		rc=0
		vm_run_native "$pass" "$progs" || rc=$?
		[ "$rc" = 2 ] || return "$rc"
		echo "VMX is not usable after all (hvlab caps); booting the Bochs VM instead"
	else
		echo "VM checks in the Bochs VM: $why"
	fi
	make -s all
	tests/vm/run-suite.sh --pass "$pass" --cpu "$cpu" --only "$progs" \
		${HVLAB_PAGING:+--paging "$HVLAB_PAGING"}
}

# ---- the VM checks on a machine with VT-x --------------------------------
#
# Where VMX is usable, the VM checks need no Bochs: the same kselftest
# programs (build/vm/bin) run here, against this tree's freshly built
# hvlab.ko (loaded in place of any other), user/hvlab and build/guests.
# Their output is framed as in the VM's serial log (tests/vm/init.sh) and
# becomes the same TAP through tests/vm/tap-extract.sh, with the same
# global checks: setup (the module loads), teardown (it unloads),
# kernel-log (no oops, WARN or BUG since setup).
#
# For tests, without VT-x: HVLAB_LAB_NATIVE_VMX=1|0 forces the decision,
# HVLAB_LAB_CPUINFO and HVLAB_LAB_CAPS_CMD replace /proc/cpuinfo and
# `user/hvlab caps`, and HVLAB_LAB_INSMOD, HVLAB_LAB_RMMOD, HVLAB_LAB_DMESG
# and HVLAB_LAB_KSFT_DIR (programs already built there) replace what
# touches the kernel or builds.

# Oops, BUG, WARNING...: what the kernel-log check rejects (as init.sh)
BAD_KLOG='Oops|WARNING:|BUG:|BUG |general protection|Call Trace|RIP:|kernel panic|Kernel panic|UBSAN|KASAN|soft lockup|hung_task|list_add corruption|refcount_t:'

# native_vmx: may the VM checks run here?  Prints why (or why not).
native_vmx() {
	local cpuinfo=${HVLAB_LAB_CPUINFO:-/proc/cpuinfo} caps=${HVLAB_LAB_CAPS_CMD:-user/hvlab caps}
	case "${HVLAB_LAB_NATIVE_VMX:-}" in
	1) echo "forced (HVLAB_LAB_NATIVE_VMX=1)"; return 0 ;;
	0) echo "forced (HVLAB_LAB_NATIVE_VMX=0)"; return 1 ;;
	esac
	if [ "${HVLAB_LAB_CPU:-intel}" = amd ]; then
		# an SVM lab: its code runs only on an AMD CPU
		if ! grep -qw svm "$cpuinfo" 2>/dev/null; then
			echo "the lab's checks need AMD-V (no svm flag in $cpuinfo)"
			return 1
		fi
		if $caps >/dev/null 2>&1; then
			echo "AMD-V is usable here (hvlab caps: guests can run)"
			return 0
		fi
		if [ "$(id -u)" != 0 ]; then
			echo "the CPU has AMD-V, but hvlab.ko is not loaded and only root may load it (sudo make grade ..., or make load first)"
			return 1
		fi
		echo "the CPU has AMD-V ($cpuinfo); this tree's hvlab.ko will be loaded"
		return 0
	fi
	if $caps >/dev/null 2>&1; then
		echo "VT-x is usable here (hvlab caps: guests can run)"
		return 0
	fi
	if ! grep -qw vmx "$cpuinfo" 2>/dev/null; then
		echo "no VT-x on this CPU (no vmx flag in $cpuinfo)"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "the CPU has VT-x, but hvlab.ko is not loaded and only root may load it (sudo make grade ..., or make load first)"
		return 1
	fi
	echo "the CPU has VT-x ($cpuinfo); this tree's hvlab.ko will be loaded"
	return 0
}

# vm_run_native PASS PROGS: the programs here; 2 when VMX turns out not to
# be usable once the module is in (the caller boots Bochs instead).
vm_run_native() {
	local pass=$1 progs=$2 serial=build/labs/vm-$1.serial tap=build/results/vm-$1.tap
	local insmod=${HVLAB_LAB_INSMOD:-insmod} rmmod=${HVLAB_LAB_RMMOD:-rmmod}
	local dmesg=${HVLAB_LAB_DMESG:-dmesg} caps=${HVLAB_LAB_CAPS_CMD:-user/hvlab caps}
	local bin=${HVLAB_LAB_KSFT_DIR:-$TOP/build/vm/bin} p prog t mode rc before bad out
	# the module picks its backend (VMX or SVM) from the CPU it loads on
	local koargs=
	if [ -z "${HVLAB_LAB_KSFT_DIR:-}" ]; then
		make -s all && make -s vm-tests || return 1
		! grep -qsE '^guests[[:space:]]*:' tests/guests/guests.mk || make -s guests || return 1
	fi
	before=$($dmesg 2>/dev/null | wc -l)
	{
		echo "##HVLAB## begin-suite"
		echo "##HVLAB## begin setup"
		echo "1..1"
		echo "# natively: $(uname -r), $(nproc) CPUs, paging=${HVLAB_PAGING:-ept}"
		if [ -n "${HVLAB_LAB_INSMOD:-}" ] || [ "$(id -u)" = 0 ]; then
			# this tree's module, not one loaded before
			[ ! -d /sys/module/hvlab ] || $rmmod hvlab 2>&1 | sed 's/^/# /'
			if $insmod "$TOP/kmod/hvlab.ko" $koargs 2>&1 | sed 's/^/# /'; [ "${PIPESTATUS[0]}" = 0 ]; then
				echo "ok 1 - insmod hvlab.ko"
			else
				echo "not ok 1 - insmod hvlab.ko"
			fi
		else
			echo "ok 1 - hvlab.ko was loaded before (not root: not reloaded) # SKIP"
		fi
		echo "##HVLAB## end setup 0"
	} >"$serial"
	if ! $caps >/dev/null 2>&1; then
		[ -z "${HVLAB_LAB_INSMOD:-}" ] && [ "$(id -u)" != 0 ] || $rmmod hvlab >/dev/null 2>&1
		return 2
	fi
	for p in ${progs//,/ }; do
		prog=${p%@*} mode=${HVLAB_PAGING:-ept}
		[ "$prog" = "$p" ] || mode=${p##*@}
		t=$bin/$prog
		[ -x "$t" ] || t=$TOP/tests/vm/$prog
		{
			echo "##HVLAB## begin $p"
			rc=0
			HVLAB_GUESTS=$TOP/build/guests HVLAB_BIN=$TOP/user/hvlab \
				HVLAB_KO=$TOP/kmod/hvlab.ko HVLAB_KO_ARGS=$koargs \
				HVLAB_VM_CPUS=$(nproc) HVLAB_PAGING=$mode \
				timeout 600 "$t" </dev/null 2>&1 || rc=$?
			echo "##HVLAB## end $p $rc"
		} >>"$serial"
	done
	{
		echo "##HVLAB## begin teardown"
		echo "1..1"
		if [ -z "${HVLAB_LAB_INSMOD:-}" ] && [ "$(id -u)" != 0 ]; then
			echo "ok 1 - rmmod hvlab # SKIP not root"
		elif out=$($rmmod hvlab 2>&1); then
			echo "ok 1 - rmmod hvlab"
		else
			echo "$out" | sed 's/^/# /'
			echo "not ok 1 - rmmod hvlab"
		fi
		echo "##HVLAB## end teardown 0"
		echo "##HVLAB## begin kernel-log"
		echo "1..1"
		bad=$($dmesg 2>/dev/null | tail -n +"$((before + 1))" | grep -E "$BAD_KLOG" || true)
		if [ -n "$bad" ]; then
			echo "$bad" | sed 's/^/# /'
			echo "not ok 1 - kernel log clean"
		elif [ "$before" = 0 ] && ! $dmesg >/dev/null 2>&1; then
			echo "ok 1 - kernel log clean # SKIP dmesg is not readable"
		else
			echo "ok 1 - kernel log clean"
		fi
		echo "##HVLAB## end kernel-log 0"
		echo "##HVLAB## end-suite"
	} >>"$serial"
	tests/vm/tap-extract.sh "$serial" >"$tap"
}

# grade-vm [N...]: one boot with the programs of every lab given (default:
# every lab with VM checks), then each lab graded from that TAP, VM checks
# included; the labs whose checks need SVM (labs.conf: amd) get a boot of
# their own on the AMD CPU.  Prints one "lab N: Score P/T" line a lab;
# exit 0 on full marks.
cmd_grade_vm() {
	local labs n progs tap rc=0 t0 s cpu sub pass
	labs=${*:-$(vm_labs)}
	mkdir -p build/labs
	for cpu in intel amd; do
		sub=$(for n in $labs; do [ "$(lab_cpu "$n")" != "$cpu" ] || echo "$n"; done)
		[ -n "$sub" ] || continue
		pass="labs-vm"
		[ "$cpu" = intel ] || pass=labs-vm-$cpu
		tap=build/results/vm-$pass.tap
		progs=$(vm_progs $sub)
		t0=$SECONDS
		echo "== the VM checks of labs $(echo $sub): one boot ($cpu) for $progs"
		if [ -z "${HVLAB_LAB_VM_TAP:-}" ]; then
			HVLAB_LAB_CPU=$cpu vm_boot "$pass" "$progs" >"build/labs/vm-$pass.log" 2>&1 || true
			echo "   $(head -n 1 "build/labs/vm-$pass.log")"
			echo "   VM run: $((SECONDS - t0)) s (log: build/labs/vm-$pass.log)"
		else
			tap=$HVLAB_LAB_VM_TAP
		fi
		for n in $sub; do
			s=$(HVLAB_LAB_VM_TAP=$tap cmd_grade "$n" 1 2>&1 |
				tee "build/labs/grade-vm-lab$n.log" | sed -n 's/^Score: //p' || true)
			echo "lab $n: Score ${s:-?} (build/labs/grade-vm-lab$n.log, grade-lab$n.json)"
			[ -n "$s" ] && [ "${s%/*}" = "${s#*/}" ] || rc=1
		done
	done
	return $rc
}

cmd_handin() {
	local n=$1 dir out stage
	dir=$(lab_dir "$n")
	[ -f .lab ] && [ "$(cat .lab)" = "$n" ] ||
		echo "lab.sh: note: this is not the student tree of lab $n (.lab); the diff is against HEAD" >&2
	stage=$(mktemp -d)
	if git rev-parse -q --verify "lab$n-starter" >/dev/null 2>&1; then
		git add -N . 2>/dev/null || true
		git diff "lab$n-starter" -- . ':!build' ':!grade-lab*.json' ':!handin-lab*' >"$stage/lab$n.diff"
	else
		git diff HEAD -- . >"$stage/lab$n.diff"
	fi
	# graded again, so that the grade is that of the code handed in (the
	# VM checks of an earlier `grade --vm` are not repeated)
	cmd_grade "$n" 0 >/dev/null || true
	cp "grade-lab$n.json" "$stage/"
	# the dashboard trace of the student's run, if the lab asks for one
	# (README: hvlab run --record lab$n.trace ...)
	for t in "lab$n.trace" "build/labs/lab$n.trace"; do
		[ -f "$t" ] && cp "$t" "$stage/lab$n.trace"
	done
	out=handin-lab$n.tar.gz
	tar -C "$stage" -czf "$out" .
	rm -rf "$stage"
	echo "hand-in: $out ($(tar -tzf "$out" | grep -v '/$' | tr '\n' ' '))"
}

# selftest [N...]: for each lab with native checks, the reference tree
# scores full marks and the starter tree (built from the reference's
# objects, so only the cut files compile) scores zero on every native check.
cmd_selftest() {
	local labs n dir ref st tree rc=0 t0
	labs=${*:-$(all_labs)}
	make -s -j2 "$TOP/build/libhvlab.a" >/dev/null
	for n in $labs; do
		dir=$(lab_dir "$n")
		grep -qE '^native[[:space:]]' "$dir/grade.list" 2>/dev/null || { echo "lab $n: VM checks only, skipped"; continue; }
		t0=$SECONDS
		ref=$(HVLAB_LAB_SEED=${HVLAB_LAB_SEED:-} cmd_grade_quiet "$n" "$TOP")
		tree=$TOP/build/labs/tree-$n
		rm -rf "$tree"
		cmd_tree "$n" "$tree" >/dev/null
		# the reference's objects, so that only the cut files rebuild
		mkdir -p "$tree/build"
		cp -a build/user build/kmod build/libhvlab.a build/ksft "$tree/build/" 2>/dev/null || true
		st=$(cmd_grade_quiet "$n" "$tree")
		if [ ! -x "$tree/build/$dir/grade" ]; then
			echo "not ok lab $n: the starter tree does not compile (cd $tree && make build/$dir/grade)"
			rc=1
			continue
		fi
		if [ "${ref%/*}" = "${ref#*/}" ] && [ "${st%%/*}" = 0 ] && [ "${ref#*/}" -gt 0 ]; then
			echo "ok lab $n: reference $ref, starter $st ($((SECONDS - t0)) s)"
		else
			echo "not ok lab $n: reference $ref, starter $st (want full and 0; see $tree/grade-lab$n.json)"
			rc=1
		fi
	done
	return $rc
}

# lint: every region of every lab is well formed and has its stub, and
# every stub file has its region
cmd_lint() {
	local n dir f st name rc=0 tmp
	tmp=$(mktemp -d)
	for n in $(all_labs); do
		dir=$(lab_dir "$n")
		for f in $(files_with_regions "$n"); do
			mkdir -p "$tmp/$(dirname "$f")"
			cp "$f" "$tmp/$f"
			( cut_regions "$n" "$TOP/$dir/stub" "$tmp/$f" ) || rc=1
		done
		for st in "$dir"/stub/*; do
			[ -e "$st" ] || continue
			name=${st##*/}
			if ! git ls-files -co --exclude-standard -z | xargs -0 grep -lE "LAB $n: BEGIN $name( |\*|$)" -- 2>/dev/null |
				grep -qv '^labs/'; then
				echo "lab.sh: $st: no region 'LAB $n: BEGIN $name' in the sources" >&2
				rc=1
			fi
		done
	done
	rm -rf "$tmp"
	[ $rc = 0 ] && echo "regions and stubs of $(all_labs | wc -l) labs: ok"
	return $rc
}

# ---- the VM checks' proof: starters in one boot ---------------------------
#
# vm-selftest [--kver K] [--tap FILE] [--ref TAP] [--ref-shadow TAP] [--ref-amd TAP]
# vm-selftest --boot-only [--kver K]
# vm-selftest --pack-only amd [--kver K]
# vm-selftest --starters TAP [--starters-amd TAP] [--tap FILE] [--ref TAP]
#             [--ref-shadow TAP] [--ref-amd TAP] [--skip-cpu amd]
#
# (Without --ref the reference's programs run in the same boot, before the
# starters: `make grade-selftest VM=1`.)
# For every lab with VM checks, its starter scores 0 on them, and (given
# the TAP of a suite run on the reference module) the reference scores
# full marks, global checks included.  The reference costs no boot of its
# own: make check grades it from the 6.1 passes it runs anyway (--ref:
# the EPT pass, --ref-shadow: the shadow pass, whose test_run_* results
# stand for PROGRAM@shadow; --ref-amd: the AMD pass, for the labs whose
# checks need SVM).  The starters share one boot: each lab's
# starter module is built here against the VM's kernel (one copy of
# kmod/, built once; per lab only the files with its regions recompile),
# packed into the initramfs with labs/tools/vm-starters.sh, which loads
# each in turn and runs that lab's programs (tests/vm/init.sh, /labs).
# The labs marked amd in labs.conf are packed apart and loaded in a boot
# on the AMD CPU: --pack-only amd builds their pack
# (build/labs/vm-starters-amd) and boots nothing; make check hands it to
# its AMD pass (HVLAB_VM_LABS, with HVLAB_VM_LABS_TAP keeping the labs'
# lines apart, in build/labs/vm-starters-amd.tap, --starters-amd).
# Without --starters, vm-selftest boots the AMD CPU itself for them;
# --skip-cpu amd leaves them out (one skipped result each: make check
# KVER=..., which has no AMD pass).
# A starter counts only if its lab's run finished (its kernel-log
# result is there).  Writes a TAP file (default build/results/vm-labs.tap),
# one result per lab and side, and each boot's own health; exit 0 when all
# are ok.  --boot-only builds the Intel starters and boots them, leaving the raw
# TAP in build/labs/vm-starters.tap and writing no result: a later
# vm-selftest --starters build/labs/vm-starters.tap (or with
# HVLAB_LAB_VM_TAP set to it) grades it; make check boots the starters
# beside the other passes and grades once the reference's passes are done.
cmd_vm_selftest() {
	local kver=default tap=build/results/vm-labs.tap ref= refsh= refamd="" labs n f k vkdir
	local work pack raw=build/labs/vm-starters.tap rawamd=build/labs/vm-starters-amd.tap
	local t0=$SECONDS seed i=0 s ok rc=0 scratch tmp only bootonly=0 packonly="" cpu
	local r rf rs refd=0 refamdd=0 skipcpu=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--boot-only) bootonly=1; shift ;;
		--pack-only) packonly=$2; shift 2 ;;
		--starters) HVLAB_LAB_VM_TAP=$2; shift 2 ;;
		--starters-amd) rawamd=$2; shift 2 ;;
		--kver) kver=$2; shift 2 ;;
		--tap) tap=$2; shift 2 ;;
		--ref) ref=$2; shift 2 ;;
		--ref-shadow) refsh=$2; shift 2 ;;
		--ref-amd) refamd=$2; shift 2 ;;
		--skip-cpu) skipcpu=$2; shift 2 ;;
		*) die "vm-selftest: unknown option $1" ;;
		esac
	done
	# the pack runs beside make check's --boot-only: a scratch file of its own
	[ -z "$packonly" ] || tap=build/labs/vm-pack-$packonly.tap
	mkdir -p "$(dirname "$tap")" build/labs
	: >"$tap.tmp"
	result() {	# OK TEXT
		i=$((i + 1))
		if [ "$1" = 0 ]; then echo "ok $i - $2"; else echo "not ok $i - $2"; rc=1; fi >>"$tap.tmp"
	}
	finish() { echo "1..$i" >>"$tap.tmp"; mv "$tap.tmp" "$tap"; cat "$tap"; return $rc; }
	# no reference TAP given: the reference's results come from the boot
	[ -n "$ref" ] || refd=1
	[ -n "$refamd" ] || refamdd=1
	labs=$(vm_labs)
	seed=${HVLAB_LAB_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	echo "# labs with VM checks: $(echo $labs); seed $seed" >>"$tap.tmp"
	if [ -n "$packonly" ]; then	# the starters of one CPU, packed
		cpu=$packonly
		labs=$(vm_labs "$cpu")
		pack=$TOP/build/labs/vm-starters-$cpu
		vm_starters_pack || rc=1
		cat "$tap.tmp"
		rm -f "$tap.tmp"
		return $rc
	fi
	if [ "$bootonly" = 1 ]; then	# the boot alone, graded later
		refd=0	# the reference's programs are not in this boot
		cpu=intel
		labs=$(vm_labs intel)
		rm -f "$raw"	# never grade an earlier boot's results
		vm_starters_boot || rc=1
		cat "$tap.tmp"
		rm -f "$tap.tmp"
		[ -s "$raw" ] || rc=1
		return $rc
	fi
	if [ -n "${HVLAB_LAB_VM_TAP:-}" ]; then	# runs made before
		raw=$HVLAB_LAB_VM_TAP
	else
		for cpu in intel amd; do
			labs=$(vm_labs "$cpu")
			[ -z "$labs" ] || vm_starters_boot || { finish; return; }
		done
		labs=$(vm_labs)
	fi
	# without a reference TAP, the reference's results are the boot's own
	if [ "$refd" = 1 ]; then
		ref=$TOP/build/labs/vm-reference.tap
		refsh=
		grep -vE '^(not )?ok [0-9]+ - lab[0-9]+/' "$raw" >"$ref" 2>/dev/null || true
	fi
	if [ "$refamdd" = 1 ]; then
		refamd=$TOP/build/labs/vm-reference-amd.tap
		grep -vE '^(not )?ok [0-9]+ - lab[0-9]+/' "$rawamd" >"$refamd" 2>/dev/null || true
	fi
	for cpu in intel amd; do
		[ -n "$(vm_labs "$cpu")" ] && [ "$cpu" != "$skipcpu" ] || continue
		r=$raw
		[ "$cpu" = intel ] || r=$rawamd
		if [ -s "$r" ] && grep -qE '^(not )?ok [0-9]+ - teardown: ' "$r" &&
			! grep -E '^not ok .* - VM suite' "$r" | grep -q .; then
			result 0 "the starters' VM pass ($cpu) ran to its end"
		else
			grep -E '^not ok .* - VM suite' "$r" 2>/dev/null | head -n 5 | sed 's/^/# /' >>"$tap.tmp"
			result 1 "the starters' VM pass ($cpu) ran to its end ($r)"
		fi
	done
	# 3. grading: each side from its own TAP, the VM checks alone
	scratch=$(mktemp -d)
	for n in $labs; do
		if [ "$(lab_cpu "$n")" = "$skipcpu" ]; then
			result 0 "lab $n: starter and reference # SKIP no $skipcpu boot (--skip-cpu)"
			continue
		fi
		r=$raw rf=$ref rs=$refsh
		[ "$(lab_cpu "$n")" != amd ] || { r=$rawamd rf=$refamd rs=; }
		tmp=$scratch/starter-$n.tap
		grep -E "^(not )?ok [0-9]+ - lab$n/" "$r" 2>/dev/null | sed "s| - lab$n/| - |" >"$tmp" || true
		s=$(grade_vm_only "$n" "$tmp" "$scratch")
		if ! grep -qE '^(not )?ok [0-9]+ - kernel-log: ' "$tmp"; then
			result 1 "lab $n starter: its VM run did not finish (score $s)"
		elif [ "${s%%/*}" = 0 ] && [ "${s#*/}" -gt 0 ] 2>/dev/null; then
			result 0 "lab $n starter: VM checks $s"
		else
			grep -E "^  PASS " "$scratch/grade-$n.out" | sed 's/^/#  /' >>"$tap.tmp"
			result 1 "lab $n starter: VM checks $s (want 0)"
		fi
		tmp=$scratch/ref-$n.tap
		{
			cat "$rf" 2>/dev/null
			# the shadow pass's test_run_* are PROGRAM@shadow
			[ -z "$rs" ] || sed -nE 's/^((not )?ok [0-9]+ - )(test_run_[a-z_]+): /\1\3@shadow: /p' \
				"$rs" 2>/dev/null
		} >"$tmp"
		s=$(grade_vm_only "$n" "$tmp" "$scratch")
		ok=1
		[ -n "$s" ] && [ "${s%/*}" = "${s#*/}" ] && [ "${s#*/}" -gt 0 ] 2>/dev/null && ok=0
		[ "$ok" = 0 ] || grep -E "^  FAIL " "$scratch/grade-$n.out" | sed 's/^/#  /' >>"$tap.tmp"
		result $ok "lab $n reference: VM checks $s (from ${rf##*/}${rs:+ and ${rs##*/}})"
	done
	rm -rf "$scratch"
	echo "# vm-selftest: $((SECONDS - t0)) s" >>"$tap.tmp"
	finish
}

# vm_starters_pack: cmd_vm_selftest's build of the starter modules of
# $labs into $pack, for the VM's kernel (its variables: dynamic scope)
vm_starters_pack() {
	if ! k=$(tests/vm/kver.sh "$kver" 2>&1); then
		result 1 "vm-selftest: no kernel $kver for the VM ($k)"
		return 1
	fi
	vkdir=/usr/src/linux-headers-$k
	work=$TOP/build/labs/vm-kmod-$k
	rm -rf "$pack"
	mkdir -p "$work" "$pack"
	# make check packs the Intel and the AMD starters from two lanes at
	# once: one copy and build at a time in the shared copy of kmod/ (the
	# second finds its objects built and recompiles only its labs' files)
	exec 9>"$work.lock"
	flock 9
	# -c, not -t: a file whose text changed gets a new mtime, so that
	# no object compiled from an earlier run's stub survives
	rsync -rc --delete --exclude='*.mod.c' --include='*/' --include='*.[chS]' \
		--include='Kbuild' --include='Makefile' --exclude='*' \
		"$TOP/kmod" "$TOP/include" "$TOP/Kbuild" "$work/"
	if ! make -C "$vkdir" M="$work" -j2 modules >build/labs/vm-kmod.log 2>&1; then
		exec 9>&-
		result 1 "vm-selftest: the reference module does not build for $k (build/labs/vm-kmod.log)"
		return 1
	fi
	for n in $labs; do
		mkdir -p "$pack/$n"
		awk '$1 == "vm" { print $2 }' "$(lab_dir "$n")/grade.list" | awk '!seen[$0]++' >"$pack/$n/progs"
		for f in $(files_with_regions "$n" | grep '^kmod/'); do
			cut_regions "$n" "$TOP/$(lab_dir "$n")/stub" "$work/$f"
		done
		if make -C "$vkdir" M="$work" -j2 modules >"build/labs/vm-kmod-lab$n.log" 2>&1; then
			cp "$work/kmod/hvlab.ko" "$pack/$n/hvlab.ko"
		else
			echo "# lab $n: the starter module does not build (build/labs/vm-kmod-lab$n.log)" >>"$tap.tmp"
		fi
		# back to the reference: a new mtime, so the next build
		# recompiles these files
		for f in $(files_with_regions "$n" | grep '^kmod/'); do
			cp "$TOP/$f" "$work/$f"
		done
	done
	flock -u 9
	exec 9>&-
	cp labs/tools/vm-starters.sh "$pack/run.sh"
	echo "# starter modules built ($(echo $labs)): $((SECONDS - t0)) s" >>"$tap.tmp"
}

# vm_starters_boot: the starters of $labs on $cpu, packed and booted; the
# raw TAP in $raw (intel) or $rawamd (amd)
vm_starters_boot() {
	local pass=labs-starters out=$raw log=build/labs/vm-starters.log
	[ "$cpu" = intel ] || { pass=labs-starters-$cpu; out=$rawamd; log=build/labs/vm-starters-$cpu.log; }
	pack=$TOP/build/labs/vm-starters
	[ "$cpu" = intel ] || pack=$TOP/build/labs/vm-starters-$cpu
	vm_starters_pack || return 1
	# 2. one boot.  Without --ref the reference's programs run in it
	# first; with it, nothing but the reference's setup and teardown
	# (no program of the suite is called lab-starters) before /labs/run.sh
	rm -f "$out"
	only=lab-starters
	if [ "$cpu" = intel ]; then
		[ "$refd" = 0 ] || only=$(vm_progs $labs)
	else
		[ "$refamdd" = 0 ] || only=$(vm_progs $labs)
	fi
	HVLAB_VM_LABS=$pack HVLAB_LAB_SEED=$seed tests/vm/run-suite.sh --kver "$kver" --cpu "$cpu" \
		--pass "$pass" --only "$only" >"$log" 2>&1 || true
	# its raw TAP is full of the starters' failures: not a result file
	[ -f "build/results/vm-$pass.tap" ] && mv "build/results/vm-$pass.tap" "$out"
	echo "# the boot ($cpu): $(grep -aoE 'Bochs done after [0-9]+s' "$log" | tail -n 1);" \
		"vm-selftest so far $((SECONDS - t0)) s (log: $log)" >>"$tap.tmp"
}

# grade_vm_only N TAP DIR: "P/T" of lab N's VM checks graded from TAP
# (the output in DIR/grade-N.out, the JSON in DIR)
grade_vm_only() {
	local s
	s=$(HVLAB_LAB_ONLY_VM=1 HVLAB_LAB_VM_TAP=$2 HVLAB_LAB_JSON_DIR=$3 \
		"$TOP/labs/tools/lab.sh" grade "$1" --vm 2>&1 | tee "$3/grade-$1.out" |
		sed -n 's/^Score: //p')
	echo "${s:-0/0}"
}

# cmd_grade_quiet N TREE: "P/T" of lab N's native checks graded in TREE
cmd_grade_quiet() {
	local s
	s=$( (cd "$2" && labs/tools/lab.sh grade "$1") 2>&1 | sed -n 's/^Score: //p' || true)
	echo "${s:-0/0}"
}

sub=${1:-}
shift || true
case "$sub" in
list) cmd_list ;;
tree) [ $# = 2 ] || die "usage: lab.sh tree N DIR"; cmd_tree "$1" "$2" ;;
grade)
	[ $# -ge 1 ] || die "usage: lab.sh grade N [--vm]"
	vm=0
	[ "${2:-}" = --vm ] && vm=1
	cmd_grade "$1" "$vm" ;;
handin) [ $# = 1 ] || die "usage: lab.sh handin N"; cmd_handin "$1" ;;
grade-vm) cmd_grade_vm "$@" ;;
selftest) cmd_selftest "$@" ;;
vm-selftest) cmd_vm_selftest "$@" ;;
lint) cmd_lint ;;
stubs-tree) [ $# = 1 ] || die "usage: lab.sh stubs-tree DIR"; cmd_stubs_tree "$1" ;;
vm-where)
	[ -z "${1:-}" ] || HVLAB_LAB_CPU=$(lab_cpu "$1")
	if why=$(native_vmx); then echo "native: $why"; else echo "bochs: $why"; fi ;;
*) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac; exit	# on this line: an edit of this file cannot derail a running grade
