# SPDX-License-Identifier: GPL-2.0
#
# vm-starters.sh - the starters' half of the graders' proof, inside the
# Bochs VM (busybox sh).  `labs/tools/lab.sh vm-selftest` builds each
# VM-graded lab's starter module on the host and packs, through
# tests/vm/run-suite.sh (HVLAB_VM_LABS), a folder /labs in the initramfs:
#
#   /labs/run.sh        this file
#   /labs/N/hvlab.ko    lab N's starter module (its regions cut out)
#   /labs/N/progs       the programs lab N's VM checks name, one a line
#                       (PROGRAM@MODE: under that paging mode)
#
# tests/vm/init.sh sources it at the end of the suite, once the reference
# module is unloaded, so mark, teardown, PROG_TIMEOUT, BAD_KLOG and
# HVLAB_KO_ARGS are init.sh's.  The same folder serves a boot on the AMD
# CPU (the labs marked amd in labs/labs.conf, packed apart).
# Each lab in turn: its starter module is loaded, its programs run with
# HVLAB_KO naming that module (the programs reload it themselves after
# a failure), then it is unloaded and the kernel log checked.  The output
# is framed as the suite's, each name prefixed with "labN/"
# (lab4/test_run_paging, lab4/setup, lab4/teardown, lab4/kernel-log), so
# tests/vm/tap-extract.sh gives "lab4/test_run_paging: run.cr3_trapped_7"
# and the host grades each lab from its own lines.  A starter fails
# cleanly, so each program ends quickly; the limit per program is
# LAB_STARTER_TIMEOUT guest seconds (a guest second is ~25 wall seconds).

LAB_STARTER_TIMEOUT=${LAB_STARTER_TIMEOUT:-5}

lab_starter() {	# DIR
	ld=$1
	ln=${ld##*/}
	ko=$ld/hvlab.ko
	dmesg -c >/dev/null
	mark begin "lab$ln/setup"
	echo "1..1"
	[ -d /sys/module/hvlab ] && rmmod hvlab 2>&1 | sed 's/^/# /'
	# $HVLAB_KO_ARGS: the module's parameters, if any (init.sh)
	if out=$(insmod "$ko" $HVLAB_KO_ARGS 2>&1) && [ -d /sys/module/hvlab ]; then
		echo "ok 1 - insmod lab $ln's starter hvlab.ko"
	else
		[ -n "$out" ] && echo "$out" | sed 's/^/# /'
		echo "not ok 1 - insmod lab $ln's starter hvlab.ko"
	fi
	# the guest's clock, for what each lab's starter costs the boot
	echo "# guest uptime $(cut -d' ' -f1 /proc/uptime) s"
	mark end "lab$ln/setup" 0
	while read -r p; do
		[ -n "$p" ] || continue
		prog=${p%@*}
		mode=$HVLAB_PAGING
		[ "$prog" = "$p" ] || mode=${p##*@}
		t=/tests/bin/$prog
		[ -f "$t" ] || t=/tests/vm/$prog
		mark begin "lab$ln/$p"
		(cd /tests && HVLAB_KO=$ko HVLAB_PAGING=$mode \
			timeout "$LAB_STARTER_TIMEOUT" "$t" </dev/null 2>&1)
		rc=$?
		mark end "lab$ln/$p" "$rc"
	done <"$ld/progs"
	teardown "lab$ln/teardown"
	mark begin "lab$ln/kernel-log"
	echo "1..1"
	bad=$(dmesg | grep -E "$BAD_KLOG")
	if [ -z "$bad" ]; then
		echo "ok 1 - kernel log clean"
	else
		echo "$bad" | sed 's/^/# /'
		echo "not ok 1 - kernel log clean"
	fi
	echo "# guest uptime $(cut -d' ' -f1 /proc/uptime) s"
	mark end "lab$ln/kernel-log" 0
}

# numeric order: lab 2 before lab 12
for ld in $(ls -d /labs/[0-9]* 2>/dev/null | sort -t/ -k3 -n); do
	[ -f "$ld/hvlab.ko" ] && [ -f "$ld/progs" ] && lab_starter "$ld"
done
