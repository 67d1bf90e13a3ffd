#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-suite.sh - the VM test suite: boots Debian's kernel in Bochs (which
# emulates VMX with EPT, so no VT-x is needed) and runs hvlab's kernel tests
# inside, once per suite.
#
#   tests/vm/run-suite.sh [--kver KVER] [--cpus N] [--cpu intel|amd]
#                         [--paging ept|shadow]
#                         [--timeout S] [--only PATTERN] [--demo | --bench | --shell]
#
# The kernel (--kver): /boot/vmlinuz-KVER boots, the module is built against
# /usr/src/linux-headers-KVER, and KVM's modules come from
# /lib/modules/KVER.  By default KVER is Debian 12's default kernel, the one
# the linux-image-amd64 package depends on (6.1.0-N-amd64), whatever else is
# installed; tests/vm/kver.sh resolves "default" and prefixes like "6.12".
#
# Each pass is named after its kernel's major.minor and paging mode (or
# demo/bench), e.g. 6.1-ept, and keeps its own files, so passes never
# overwrite each other: results in build/results/vm-<pass>.tap, artifacts
# in build/vm/artifacts/<pass>/, the initramfs, ISO and Bochs's files in
# build/vm/work/<pass>/.  Only the build steps wait for one another, so
# two passes can boot side by side.
#
# Steps, each printed as it happens:
#   1. build: hvlab.ko against the kernel's headers in a copy of the
#      sources under build/vm/kmod-KVER, so it never clashes with the host
#      build; user/hvlab; the kselftest programs (make vm-tests ->
#      build/vm/bin/); the guests when tests/guests/guests.mk has a target.
#      Build steps are not tests: they are listed in the artifacts'
#      build.tap, and only a failed one reaches the results, as one
#      "not ok - VM suite <pass>: build of X failed".
#   2. initramfs (cpio newc + gzip): busybox-static and its applet links,
#      /modules/hvlab.ko, Debian's irqbypass/kvm/kvm-intel/ccp/kvm-amd modules
#      (decompressed: 6.12's are .ko.xz), hvlab and the test programs with
#      the shared libraries ldd lists, the guests, tests/vm/*.sh, and
#      tests/vm/init.sh as /init.
#   3. an isolinux ISO (xorriso) with the kernel's vmlinuz and that initramfs.
#   4. Bochs, headless (rfb display that nobody connects to, debugger told
#      to continue by an -rc file, `clock: sync=none`), serial to a file.
#      Bochs ends when the VM powers off; the harness also stops it once the
#      suite's end marker appeared, on a kernel panic, and at --timeout.
#      A trap kills bochs-bin by its pid on every exit path.
#   5. tests/vm/tap-extract.sh turns the serial log into
#      build/results/vm-<pass>.tap; a VM that died or timed out becomes a
#      "not ok - VM suite: <reason>" there, so the failure is counted.
#
# Artifacts (always kept): build/vm/artifacts/<pass>/{serial.txt,bochs.log,
# bochsrc,build.tap,build-*.log}.  Exit status: 0 when every VM result is ok.
#
# --demo boots the same ISO but /init runs `hvlab caps` and the demo guest,
# with the serial output streamed to this terminal.  --bench runs
# tests/vm/bench-in-vm.sh inside and writes build/results/bench.txt
# (bench-amd.txt with --cpu amd); BENCH_RUNS=N in the environment sets its
# repetitions (default 5), BENCH_ONLY=watch runs only the cost of watching,
# BENCH_ONLY=breakdown only the floor and an OUT round trip's stretches.
#
# --shell (make vm-shell) boots the same ISO with an interactive shell on
# the serial console: Bochs serves COM1 on a local TCP port
# (socket-server), and tests/vm/serial-term.c connects the user's
# terminal to it, raw, so that Ctrl-C and line editing reach the VM's
# shell; Ctrl-A x leaves (and Bochs is stopped), as does `exit` in the
# shell (the VM powers off).  hvlab.ko is loaded, hvlab, the guests
# (/guests) and the kselftest programs (/tests/bin) are there; the
# serial log is kept in the artifacts (pass NAME "shell" by default).
# No --timeout applies unless given.
set -euo pipefail

# The whole script is one brace group: bash reads it completely before
# running it, so editing this file while a suite runs cannot derail it.
{
cd "$(dirname "$0")/../.."
TOP=$PWD

CPUS=2
CPU_VENDOR=intel
KVER=
PAGING=ept
TIMEOUT=1800
TIMEOUT_SET=
ONLY=
PASS_NAME=
MODE=suite
MEGS=${HVLAB_VM_MEGS:-512}

usage() {
	cat <<EOF
usage: tests/vm/run-suite.sh [OPTIONS]

Boots Debian's kernel in Bochs (emulated VMX + EPT) and runs hvlab's VM
tests inside; results go to build/results/vm-<pass>.tap, e.g. vm-6.1-ept.tap.

  --kver KVER         the kernel: /boot/vmlinuz-KVER, headers
                      /usr/src/linux-headers-KVER, modules /lib/modules/KVER.
                      A prefix picks the newest installed match (6.12);
                      default: Debian's default kernel (what linux-image-amd64
                      depends on), e.g. 6.1.0-57-amd64
  --cpus N            CPUs of the emulated machine (default 2)
  --cpu VENDOR        intel: Bochs's corei7_skylake_x (VMX, EPT; the
                      default); amd: its zambezi (AMD FX-4100: SVM with
                      NPT, NRIP save, flush-by-ASID).  An amd pass is
                      named <kernel>-amd-<paging> unless --pass names it
  --paging MODE       ept or shadow, passed to the tests as HVLAB_PAGING
                      (default ept)
  --timeout SECONDS   hard limit on the Bochs run (default 1800)
  --pass NAME         name the pass NAME instead of <kernel>-<paging>
                      (its TAP file and artifacts: vm-NAME.tap, artifacts/NAME)
  --only PATTERN      run only test programs whose name matches PATTERN
                      (a glob or a substring, e.g. --only probe; several
                      separated by commas: --only test_probe,test_vm_api)
  --demo              run 'hvlab caps' and the demo guest, streaming the
                      serial console here, instead of the suite
  --bench             run tests/vm/bench-in-vm.sh instead of the suite;
                      output in build/results/bench.txt (bench-amd.txt
                      with --cpu amd); BENCH_RUNS=N: repetitions (5),
                      BENCH_ONLY=watch: only plain, --record, --dashboard;
                      BENCH_ONLY=breakdown: the floor and the OUT stretches
  --shell             an interactive shell in the VM on this terminal,
                      hvlab.ko loaded (make vm-shell); Ctrl-A x leaves
  -h, --help          this text

Environment: HVLAB_VM_MEGS (RAM, default 512),
HVLAB_PROG_TIMEOUT (limit per test program, in guest seconds, default 20;
a guest second is ~25 wall seconds in Bochs), HVLAB_LAB_SEED (the seed of
the tests' random inputs), HVLAB_VM_LABS (the labs' starter modules,
labs/tools/lab.sh vm-selftest) and HVLAB_VM_LABS_TAP (a file for their
results and the rest, which then stay out of the pass's own TAP).
EOF
}

die_usage() {
	echo "run-suite.sh: $*" >&2
	echo "try 'tests/vm/run-suite.sh --help'" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	opt=$1
	val=
	case "$opt" in
	--*=*) val=${opt#*=}; opt=${opt%%=*} ;;
	esac
	case "$opt" in
	--cpus|--cpu|--paging|--timeout|--only|--kver|--pass)
		if [ -z "$val" ]; then
			[ $# -ge 2 ] || die_usage "$opt needs a value"
			val=$2
			shift
		fi ;;
	esac
	case "$opt" in
	--cpus) CPUS=$val ;;
	--cpu) CPU_VENDOR=$val ;;
	--kver) KVER=$val ;;
	--paging) PAGING=$val ;;
	--timeout) TIMEOUT=$val; TIMEOUT_SET=1 ;;
	--only) ONLY=$val ;;
	--pass) PASS_NAME=$val ;;
	--demo) MODE=demo ;;
	--bench) MODE=bench ;;
	--shell) MODE=shell ;;
	-h|--help) usage; exit 0 ;;
	*) die_usage "unknown option '$opt'" ;;
	esac
	shift
done
[[ $CPUS =~ ^[1-9][0-9]?$ ]] || die_usage "--cpus wants a number 1..99, not '$CPUS'"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die_usage "--timeout wants seconds, not '$TIMEOUT'"
case "$PAGING" in ept|shadow) ;; *) die_usage "--paging is ept or shadow, not '$PAGING'" ;; esac
# Bochs's CPU models: see /work/shared/notes/bochs.md for what each offers
case "$CPU_VENDOR" in
intel) CPU_MODEL=corei7_skylake_x ;;
amd) CPU_MODEL=zambezi ;;
*) die_usage "--cpu is intel or amd, not '$CPU_VENDOR'" ;;
esac
case "$ONLY" in *[\'\"\$\`\\]*) die_usage "--only: quotes, \$, \` and \\ are not allowed" ;; esac
[ -z "$PASS_NAME" ] || [[ $PASS_NAME =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die_usage "--pass: '$PASS_NAME' is not a plain name"
[ -z "$KVER" ] || [[ $KVER =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die_usage "--kver: '$KVER' is not a kernel version"

# The kernel, resolved before anything else: the pass's name depends on it.
# One that is not installed is still a counted failure, in a TAP file named
# after what was asked for (vm-6.12-ept.tap, vm-default-ept.tap).
kver_err=
KREQ=${KVER:-default}
if ! KVER=$(tests/vm/kver.sh "$KREQ" 2>&1); then
	kver_err=${KVER//$'\n'/; }	# one TAP line
	kver_err=${kver_err%; }
	KVER=
fi
KSHORT=$(grep -oE '^[0-9]+\.[0-9]+' <<<"${KVER:-$KREQ}" || true)
KSHORT=${KSHORT:-$KREQ}
case "$MODE" in
suite) PASS=${KSHORT:+$KSHORT-}$PAGING ;;
*) PASS=${KSHORT:+$KSHORT-}$MODE ;;
esac
# an AMD pass never shares a name (results, artifacts) with an Intel one
[ "$CPU_VENDOR" = intel ] || PASS=${PASS/#${KSHORT:+$KSHORT-}/${KSHORT:+$KSHORT-}$CPU_VENDOR-}
PASS=${PASS_NAME:-$PASS}

VM=$TOP/build/vm
ART=$VM/artifacts/$PASS
WORK=$VM/work/$PASS
RES=$TOP/build/results
SERIAL=$ART/serial.txt
BLOG=$ART/bochs.log
BLOG_FIFO=$WORK/bochs-log.fifo
VM_TAP=$RES/vm-$PASS.tap
# build steps are not tests: their TAP stays with the artifacts
BUILD_TAP=$ART/build.tap
mkdir -p "$ART" "$RES" "$WORK"
START=$SECONDS

say() { printf '[vm %4ds] %s\n' $((SECONDS - START)) "$*"; }

# The build steps share build/vm (kmod-KVER, bin/, tools/) and the checkout's
# own build products, so one run per checkout builds at a time.  The lock
# is released once this pass's ISO is packed (its initramfs, ISO and Bochs
# files live in build/vm/work/<pass>), so passes of one checkout can run
# their Bochs side by side (make check runs two at a time on 2 CPUs), and
# when this process exits, however it exits.
exec 9>"$VM/.lock"
if ! flock -n 9; then
	say "another tests/vm/run-suite.sh is using $VM; waiting for it"
	flock 9
fi

show_artifacts() {
	echo "  serial log: $SERIAL"
	echo "  Bochs log:  $BLOG"
}

# A failure before the VM ran: still one counted "not ok" in the pass's TAP.
fail_early() {
	say "FAILED: $*"
	if [ "$MODE" = suite ]; then
		printf 'not ok 1 - VM suite %s: %s\n1..1\n' "$PASS" "$*" >"$VM_TAP"
	fi
	show_artifacts
	exit 1
}

# ---- 1. build ---------------------------------------------------------

[ -n "$KVER" ] || fail_early "${kver_err:-no kernel}"
VM_KDIR=/usr/src/linux-headers-$KVER
VMLINUZ=/boot/vmlinuz-$KVER
KMODS=/lib/modules/$KVER/kernel
[ -d "$VM_KDIR" ] || fail_early "$VM_KDIR missing: install linux-headers-$KVER"
[ -r "$VMLINUZ" ] || fail_early "$VMLINUZ missing: install linux-image-$KVER"
KSRC=$VM/kmod-$KVER
say "pass $PASS: kernel $KVER"

build_n=0
build_fail=0
build_failed=()	# "build of X failed (log: L)", one per failed step
: >"$BUILD_TAP"
# build_step NAME LOG CMD...: runs CMD, records a TAP result for it.
build_step() {
	local name=$1 log=$2
	shift 2
	build_n=$((build_n + 1))
	say "building $name"
	if "$@" >"$log" 2>&1; then
		echo "ok $build_n - VM build: $name" >>"$BUILD_TAP"
		return 0
	fi
	build_fail=1
	build_failed+=("build of $name failed (log: ${log#"$TOP"/})")
	echo "not ok $build_n - VM build: $name (log: $log)" >>"$BUILD_TAP"
	say "build of $name FAILED; last lines of $log:"
	tail -n 15 "$log" | sed 's/^/    /'
	return 1
}

build_kmod() {
	mkdir -p "$KSRC"
	# Sources only, and nothing else survives in the copy: build products
	# of an in-tree `make kmod` (hvlab.mod.c, .mod, .cmd files made for
	# another M=) would otherwise leak in and, e.g., name the module
	# "kmod/hvlab"; and a stale hvlab.ko must not outlive a failed build.
	# One copy per kernel, so passes on two kernels never share objects.
	find "$KSRC" -name '*.ko' -delete
	rsync -a --delete --delete-excluded --exclude='*.mod.c' \
		--include='*/' --include='*.[chS]' \
		--include='Kbuild' --include='Makefile' --exclude='*' \
		"$TOP/kmod" "$TOP/include" "$TOP/Kbuild" "$KSRC/"
	make -C "$VM_KDIR" M="$KSRC" modules
}

if [ "$MODE" = suite ]; then
	build_step "hvlab.ko for $KVER" "$ART/build-kmod.log" build_kmod || true
	build_step "user/hvlab" "$ART/build-user.log" make -k user || true
	# Only our programs (what `make vm-tests` builds, minus what other .mk
	# files hang on that target), so this result is about them alone.
	ksft_bins=()
	for c in tests/kselftest/test_*.c; do
		[ -f "$c" ] && ksft_bins+=("$VM/bin/$(basename "$c" .c)")
	done
	build_step "kselftest programs" "$ART/build-ksft.log" make -k "${ksft_bins[@]}" || true
	if grep -qsE '^guests[[:space:]]*:' tests/guests/guests.mk; then
		build_step "guests" "$ART/build-guests.log" make -k guests || true
	else
		build_n=$((build_n + 1))
		echo "ok $build_n - VM build: guests # SKIP tests/guests/guests.mk has no 'guests' target yet" >>"$BUILD_TAP"
	fi
	echo "1..$build_n" >>"$BUILD_TAP"
else
	build_kmod >"$ART/build-kmod.log" 2>&1 ||
		{ tail -n 15 "$ART/build-kmod.log"; fail_early "hvlab.ko did not build"; }
	make -k user >"$ART/build-user.log" 2>&1 || say "user/hvlab did not build (see $ART/build-user.log)"
	if grep -qsE '^guests[[:space:]]*:' tests/guests/guests.mk; then
		make -k guests >"$ART/build-guests.log" 2>&1 || say "some guests did not build"
	fi
	if [ "$MODE" = shell ]; then
		say "building the kselftest programs (/tests/bin in the VM)"
		ksft_bins=()
		for c in tests/kselftest/test_*.c; do
			[ -f "$c" ] && ksft_bins+=("$VM/bin/$(basename "$c" .c)")
		done
		make -k "${ksft_bins[@]}" >"$ART/build-ksft.log" 2>&1 ||
			say "some kselftest programs did not build (see $ART/build-ksft.log)"
	fi
fi
# ptyrun: a terminal for `hvlab run --dashboard` in the benchmarks
mkdir -p "$VM/tools"
${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -o "$VM/tools/ptyrun" tests/vm/ptyrun.c -lutil \
	>"$ART/build-ptyrun.log" 2>&1 || say "tests/vm/ptyrun.c did not build (see $ART/build-ptyrun.log)"
if [ "$MODE" = shell ]; then
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -o "$VM/tools/serial-term" tests/vm/serial-term.c \
		>"$ART/build-serial-term.log" 2>&1 || fail_early "tests/vm/serial-term.c did not build"
fi
KO=$(find "$KSRC" -name hvlab.ko 2>/dev/null | head -n 1)
[ -n "$KO" ] && [ -f "$KO" ] || fail_early "build of hvlab.ko for $KVER failed (log: ${ART#"$TOP"/}/build-kmod.log)"

# ---- 2. initramfs -----------------------------------------------------

say "packing the initramfs"
ROOT=$WORK/initramfs
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root} \
	"$ROOT"/modules/kvm "$ROOT"/tests/bin "$ROOT"/tests/vm "$ROOT"/guests

BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
	fail_early "busybox-static is not installed (run 'make deps')"
cp "$BUSYBOX" "$ROOT/bin/busybox"
while read -r applet; do
	[ -e "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done < <("$BUSYBOX" --list-full)

cp "$KO" "$ROOT/modules/hvlab.ko"
# Debian's 6.1 ships plain .ko files, 6.12 .ko.xz: the initramfs always
# gets plain ones (busybox insmod and finit_module(2) without flags).
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko \
	 drivers/crypto/ccp/ccp.ko arch/x86/kvm/kvm-amd.ko; do
	dst=$ROOT/modules/kvm/${m##*/}
	if [ -f "$KMODS/$m" ]; then
		cp "$KMODS/$m" "$dst"
	elif [ -f "$KMODS/$m.xz" ]; then
		xz -dc "$KMODS/$m.xz" >"$dst"
	elif [ -f "$KMODS/$m.zst" ] && command -v zstd >/dev/null; then
		zstd -qdc "$KMODS/$m.zst" >"$dst"
	elif [ -f "$KMODS/$m.gz" ]; then
		gzip -dc "$KMODS/$m.gz" >"$dst"
	else
		say "warning: $KMODS/$m missing (the KVM coexistence tests will skip)"
	fi
done

dyn_bins=()
if [ -x user/hvlab ]; then
	cp user/hvlab "$ROOT/usr/bin/hvlab"
	dyn_bins+=("$ROOT/usr/bin/hvlab")
else
	say "warning: user/hvlab missing: the VM runs without it"
fi
if [ -x "$VM/tools/ptyrun" ]; then
	cp "$VM/tools/ptyrun" "$ROOT/usr/bin/ptyrun"
	dyn_bins+=("$ROOT/usr/bin/ptyrun")
fi
if [ "$MODE" = suite ] || [ "$MODE" = shell ]; then
	for t in "$VM"/bin/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		cp "$t" "$ROOT/tests/bin/"
		dyn_bins+=("$ROOT/tests/bin/${t##*/}")
	done
fi
for s in tests/vm/*.sh; do
	cp "$s" "$ROOT/tests/vm/"
done
for g in build/guests/*; do
	[ -f "$g" ] && cp "$g" "$ROOT/guests/"
done
# Linux inside hvlab (t_linux_*.sh, the demo's last step, and with
# HVLAB_BENCH_LINUX=1 the benchmarks' Linux boots): this VM's own vmlinuz
# and a busybox initramfs of its own; only where used, as they add 10 MB.
if [[ $ONLY == *linux* ]] || [ "$MODE" = demo ] ||
   { [ "$MODE" = bench ] && [ "${HVLAB_BENCH_LINUX:-0}" = 1 ]; }; then
	mkdir -p "$ROOT/guests/linux"
	cp "$VMLINUZ" "$ROOT/guests/linux/vmlinuz"
	tests/vm/mk-linux-initrd.sh "$ROOT/guests/linux/initrd.gz" "$KVER" ||
		fail_early "tests/vm/mk-linux-initrd.sh failed"
	# t_linux_net.sh, tests/vm/net-bench.sh: bridged mode's TAP (tun.ko)
	# and tcpdump to read the --pcap files back
	mkdir -p "$ROOT/modules/net"
	if [ -f "$KMODS/drivers/net/tun.ko" ]; then
		cp "$KMODS/drivers/net/tun.ko" "$ROOT/modules/net/"
	elif [ -f "$KMODS/drivers/net/tun.ko.xz" ]; then
		xz -dc "$KMODS/drivers/net/tun.ko.xz" >"$ROOT/modules/net/tun.ko"
	fi
	if command -v tcpdump >/dev/null; then
		cp "$(command -v tcpdump)" "$ROOT/usr/bin/tcpdump"
		dyn_bins+=("$ROOT/usr/bin/tcpdump")
	fi
fi
# The labs' starter modules and their runner (labs/tools/lab.sh
# vm-selftest): the folder HVLAB_VM_LABS becomes /labs, which init.sh
# runs at the end of the suite.
if [ "$MODE" = suite ] && [ -n "${HVLAB_VM_LABS:-}" ] && [ -d "$HVLAB_VM_LABS" ]; then
	cp -r "$HVLAB_VM_LABS" "$ROOT/labs"
fi
# ---- DKMS (tests/vm/dkms-check.sh) ----------------------------------
# When DKMS has installed hvlab.ko for the kernel the VM boots, the VM also
# gets that module and tests/vm/dkms/t_dkms.sh, which loads it.
if [ "$MODE" = suite ] && [ -f "/lib/modules/$KVER/updates/dkms/hvlab.ko" ]; then
	mkdir -p "$ROOT/modules/dkms"
	cp "/lib/modules/$KVER/updates/dkms/hvlab.ko" "$ROOT/modules/dkms/"
	cp tests/vm/dkms/t_dkms.sh "$ROOT/tests/vm/"
fi
# ---- end of DKMS ------------------------------------------------------
cp tests/vm/init.sh "$ROOT/init"
chmod 755 "$ROOT/init"

# Shared libraries: what ldd lists for each dynamic binary, plus the loader.
# (No static linking: the same binaries run on the host.)
for b in "${dyn_bins[@]}"; do
	ldd "$b" 2>/dev/null | grep -oE '/[^ ]+' || true
done | sort -u | while read -r lib; do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done
# ncurses needs a terminal description for the dashboard on the serial line.
for ti in v/vt100 v/vt102 v/vt220 l/linux x/xterm x/xterm-256color d/dumb; do
	for d in /lib/terminfo /usr/share/terminfo; do
		if [ -f "$d/$ti" ]; then
			mkdir -p "$ROOT/usr/share/terminfo/${ti%/*}"
			cp -L "$d/$ti" "$ROOT/usr/share/terminfo/$ti"
			break
		fi
	done
done

# What /init should do; values were validated above.
cat >"$ROOT/etc/hvlab-vm.conf" <<EOF
HVLAB_VM_MODE=$MODE
HVLAB_VM_CPUS=$CPUS
HVLAB_PAGING=$PAGING
HVLAB_VM_CPU=$CPU_VENDOR
HVLAB_ONLY='$ONLY'
HVLAB_PASS=$PASS
EOF
[[ ${BENCH_RUNS:-} =~ ^[1-9][0-9]?$ ]] && echo "BENCH_RUNS=$BENCH_RUNS" >>"$ROOT/etc/hvlab-vm.conf"
[[ ${BENCH_ONLY:-} =~ ^[a-z]+$ ]] && echo "BENCH_ONLY=$BENCH_ONLY" >>"$ROOT/etc/hvlab-vm.conf"
# --demo and --shell draw on this terminal: give the VM its TERM (and,
# for the shell, its size).
if [ "$MODE" = shell ] && [ -t 0 ] && sz=$(stty size 2>/dev/null) &&
	[[ $sz =~ ^([0-9]+)\ ([0-9]+)$ ]]; then
	printf 'HVLAB_VM_ROWS=%s\nHVLAB_VM_COLS=%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
		>>"$ROOT/etc/hvlab-vm.conf"
fi
if { [ "$MODE" = demo ] || [ "$MODE" = shell ]; } && [[ ${TERM:-} =~ ^[A-Za-z0-9._+-]+$ ]]; then
	for d in /lib/terminfo /usr/share/terminfo; do
		ti=$d/${TERM:0:1}/$TERM
		if [ -f "$ti" ]; then
			mkdir -p "$ROOT/usr/share/terminfo/${TERM:0:1}"
			cp -L "$ti" "$ROOT/usr/share/terminfo/${TERM:0:1}/"
			echo "HVLAB_VM_TERM=$TERM" >>"$ROOT/etc/hvlab-vm.conf"
			break
		fi
	done
fi
# Extra `hvlab run` options and kernel parameters for the Linux boot
# (linux-boot.sh), e.g. HVLAB_LINUX_OPTS=--trap-exceptions
# HVLAB_LINUX_APPEND="earlyprintk=serial,ttyS0 loglevel=7".
for v in HVLAB_LINUX_OPTS HVLAB_LINUX_APPEND HVLAB_LINUX_RUN_LIMIT HVLAB_LAB_SEED; do
	if [[ ${!v:-} =~ ^[A-Za-z0-9\ ._=,/+-]+$ ]]; then
		echo "$v='${!v}'" >>"$ROOT/etc/hvlab-vm.conf"
	fi
done
if [[ ${HVLAB_PROG_TIMEOUT:-} =~ ^[1-9][0-9]*$ ]]; then
	echo "HVLAB_PROG_TIMEOUT=$HVLAB_PROG_TIMEOUT" >>"$ROOT/etc/hvlab-vm.conf"
fi
# The kernel fuzzer's seed and size (make fuzz-kernel)
for v in HVLAB_FUZZ_SEED HVLAB_FUZZ_SCALE; do
	if [[ ${!v:-} =~ ^[0-9]+$ ]]; then
		echo "$v=${!v}" >>"$ROOT/etc/hvlab-vm.conf"
	fi
done

(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$WORK/initrd.gz"

# ---- 3. ISO -----------------------------------------------------------

say "packing the ISO"
ISODIR=$WORK/iso
rm -rf "$ISODIR"
mkdir -p "$ISODIR/isolinux"
ISOLINUX_BIN=/usr/lib/ISOLINUX/isolinux.bin
LDLINUX=/usr/lib/syslinux/modules/bios/ldlinux.c32
[ -f "$ISOLINUX_BIN" ] && [ -f "$LDLINUX" ] ||
	fail_early "isolinux/syslinux-common missing (run 'make deps')"
cp "$ISOLINUX_BIN" "$LDLINUX" "$ISODIR/isolinux/"
cp "$VMLINUZ" "$ISODIR/vmlinuz"
cp "$WORK/initrd.gz" "$ISODIR/initrd.gz"
# console=ttyS0,115200: everything goes to the serial file, at the UART's
# top speed (Bochs paces the UART by its baud rate in guest time).  mitigations=off and
# lpj= (skip the delay-loop calibration) only save emulated instructions.
# Nothing here limits SMP: Bochs's BIOS publishes the CPUs in its MP and
# ACPI tables.
cat >"$ISODIR/isolinux/isolinux.cfg" <<EOF
DEFAULT hvlab
PROMPT 0
TIMEOUT 0
LABEL hvlab
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz console=ttyS0,115200 quiet mitigations=off lpj=4000000 panic=0
EOF
ISO=$WORK/boot.iso
xorriso -as mkisofs -quiet -o "$ISO" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table "$ISODIR" >"$ART/xorriso.log" 2>&1 ||
	{ cat "$ART/xorriso.log"; fail_early "xorriso could not build the ISO"; }
# Everything shared is built and copied: another pass may build now.
flock -u 9

# ---- 4. Bochs ---------------------------------------------------------

BOCHSRC=$ART/bochsrc
COM1="com1: enabled=1, mode=file, dev=\"$SERIAL\""
if [ "$MODE" = shell ]; then
	# a local port for serial-term; Bochs waits for it before starting
	SHELL_PORT=${HVLAB_VM_SHELL_PORT:-$((20000 + RANDOM % 40000))}
	[[ $SHELL_PORT =~ ^[1-9][0-9]{3,4}$ ]] || die_usage "HVLAB_VM_SHELL_PORT: not a port"
	COM1="com1: enabled=1, mode=socket-server, dev=127.0.0.1:$SHELL_PORT"
fi
cat >"$BOCHSRC" <<EOF
# Generated by tests/vm/run-suite.sh; see /work/shared/notes/bochs.md.
megs: $MEGS
cpu: model=$CPU_MODEL, count=$CPUS, ips=200000000
clock: sync=none
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path="$ISO", status=inserted
boot: cdrom
$COM1
display_library: rfb, options="timeout=0"
# Without a sound card, the default ALSA back end aborts Bochs at start-up
# ("buffer overflow detected"); dummy drivers avoid ALSA altogether.
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: $BLOG_FIFO
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
# The debugger in Debian's Bochs stops at a prompt first; "c" continues.
echo c >"$WORK/bochs-cmds"

BOCHS_PID=
TAIL_PID=
LOG_PID=
cleanup() {
	if [ -n "$LOG_PID" ]; then
		kill "$LOG_PID" 2>/dev/null || true
	fi
	if [ -n "$TAIL_PID" ]; then
		kill "$TAIL_PID" 2>/dev/null || true
	fi
	if [ -n "$BOCHS_PID" ] && kill -0 "$BOCHS_PID" 2>/dev/null; then
		kill "$BOCHS_PID" 2>/dev/null || true
		sleep 1
		kill -9 "$BOCHS_PID" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

: >"$SERIAL"
# Bochs reports some errors once per emulated instruction (a guest of a
# guest can make millions): keep the first 20 MB of its log, drop the rest,
# so a run never fills the disk.
rm -f "$BLOG_FIFO"
mkfifo "$BLOG_FIFO"
{ head -c 20000000 >"$BLOG"; cat >/dev/null; } <"$BLOG_FIFO" 9>&- &
LOG_PID=$!
say "booting $KVER in Bochs: $CPUS CPUs ($CPU_MODEL), ${MEGS} MiB, paging=$PAGING, limit ${TIMEOUT}s (boot takes a few minutes)"
# bochs-bin directly: /usr/bin/bochs is a wrapper script, and we want the
# pid of the emulator itself.  stdin from /dev/null: the -rc file drives it.
bochs-bin -q -f "$BOCHSRC" -rc "$WORK/bochs-cmds" </dev/null >"$ART/bochs.out" 2>&1 9>&- &
BOCHS_PID=$!

if [ "$MODE" = demo ]; then
	echo "----- serial console of the VM (Bochs) -----"
	tail -n +1 -f "$SERIAL" 9>&- &
	TAIL_PID=$!
fi
if [ "$MODE" = shell ]; then
	say "connecting this terminal to the VM's serial port (127.0.0.1:$SHELL_PORT); Ctrl-A x leaves"
	# Ctrl-C goes to the VM's shell, not to this script
	rc=0
	"$VM/tools/serial-term" 127.0.0.1 "$SHELL_PORT" "$SERIAL" 60 9>&- || rc=$?
	echo
	if [ "$rc" != 0 ]; then
		say "no serial connection to Bochs; see $ART/bochs.out"
		tail -n 5 "$ART/bochs.out" 2>/dev/null | sed 's/^/    /'
	fi
	say "the shell ended after $((SECONDS - START))s; stopping Bochs"
	exit "$rc"	# cleanup (the trap) stops Bochs
fi

BOOT=$SECONDS
reason=
last_report=$SECONDS
end_seen=
while kill -0 "$BOCHS_PID" 2>/dev/null; do
	sleep 2
	elapsed=$((SECONDS - BOOT))
	if [ "$elapsed" -ge "$TIMEOUT" ]; then
		reason="timed out after ${TIMEOUT}s"
		break
	fi
	# the VM's own panic; a Linux guest's inside hvlab (linux-boot.sh)
	# reaches this file as TAP comments ("# | ...") and fails its test
	if grep -a 'Kernel panic - not syncing' "$SERIAL" 2>/dev/null | grep -qv '^#'; then
		sleep 3	# let the panic message reach the file
		reason="kernel panic in the VM"
		break
	fi
	# The VM powers off when done, but its last guest second (sync, the
	# sleep that drains the UART, ACPI) costs tens of wall seconds.  Once
	# the end marker is in the serial file everything we need is there, so
	# stop Bochs after a short grace instead of waiting for that.
	if [ -z "$end_seen" ] && grep -aqE '^##HVLAB## end-(suite|demo|bench)' "$SERIAL" 2>/dev/null; then
		end_seen=$SECONDS
	fi
	if [ -n "$end_seen" ] && [ $((SECONDS - end_seen)) -ge 10 ]; then
		say "the VM is done; stopping Bochs"
		break
	fi
	if [ "$MODE" != demo ] && [ $((SECONDS - last_report)) -ge 30 ]; then
		last_report=$SECONDS
		if grep -aq '^##HVLAB## begin-suite' "$SERIAL" 2>/dev/null; then
			cur=$(grep -aoE '^##HVLAB## begin [^ ]+' "$SERIAL" | tail -n 1 | cut -d' ' -f3 || true)
			say "running (${elapsed}s): ${cur:-setup}, $(grep -acE '^(not )?ok ' "$SERIAL") results so far"
		else
			say "booting (${elapsed}s), $(wc -l <"$SERIAL") lines on the serial console"
		fi
	fi
done
if kill -0 "$BOCHS_PID" 2>/dev/null; then
	kill "$BOCHS_PID" 2>/dev/null || true
	sleep 1
	kill -9 "$BOCHS_PID" 2>/dev/null || true
	wait "$BOCHS_PID" 2>/dev/null || true
	bochs_rc=killed
else
	bochs_rc=0
	wait "$BOCHS_PID" 2>/dev/null || bochs_rc=$?
fi
BOCHS_PID=
if [ -n "$TAIL_PID" ]; then
	sleep 1
	kill "$TAIL_PID" 2>/dev/null || true
	wait "$TAIL_PID" 2>/dev/null || true
	TAIL_PID=
	echo "----- end of the serial console -----"
fi
if [ -z "$reason" ] && ! grep -aqE '^##HVLAB## end-' "$SERIAL"; then
	if grep -q 'ACPI control: soft power off' "$ART/bochs.out" "$BLOG" 2>/dev/null; then
		reason="the VM powered off early"
	else
		reason="Bochs exited ($bochs_rc) before the VM finished: $(grep -aE '(PANIC|ERROR|terminated)' "$BLOG" "$ART/bochs.out" 2>/dev/null | tail -n 1 | cut -c1-120 || true)"
	fi
fi
say "Bochs done after $((SECONDS - BOOT))s${reason:+ ($reason)}"

# ---- 5. results -------------------------------------------------------

status=0
case "$MODE" in
suite)
	# a failed build is one counted failure of the pass, ahead of the rest
	extract=(tests/vm/tap-extract.sh ${reason:+--reason "$reason"})
	for f in "${build_failed[@]}"; do
		extract+=(--fail "VM suite $PASS: $f")
	done
	if [ -n "${HVLAB_VM_LABS_TAP:-}" ] && [ -n "${HVLAB_VM_LABS:-}" ]; then
		# the labs' starters (labN/...) fail on purpose: their results,
		# with the rest, go to HVLAB_VM_LABS_TAP, not the pass's TAP
		"${extract[@]}" "$SERIAL" >"$HVLAB_VM_LABS_TAP" || true
		"${extract[@]}" --drop-labs "$SERIAL" >"$VM_TAP" || status=1
	else
		"${extract[@]}" "$SERIAL" >"$VM_TAP" || status=1
	fi
	[ "$build_fail" = 0 ] || status=1
	grep -E '^(not )?ok ' "$VM_TAP" | sed "s/^/  [vm $PASS] /"
	tests/tools/tap-summary.sh "$VM_TAP" | tail -n 1 | sed "s/^/  VM suite $PASS: /" || true
	say "results in $VM_TAP (pass $PASS, total wall time $((SECONDS - START))s)"
	;;
bench)
	# an AMD run never overwrites the Intel figures (bench-tables.sh)
	bench_txt=$RES/bench.txt
	[ "$CPU_VENDOR" = intel ] || bench_txt=$RES/bench-$CPU_VENDOR.txt
	tr -d '\r' <"$SERIAL" | sed -n '/^##HVLAB## begin-bench/,/^##HVLAB## end-bench/p' |
		grep -v '^##HVLAB##' >"$bench_txt" || true
	cat "$bench_txt"
	grep -aq '^##HVLAB## end-bench' "$SERIAL" || status=1
	say "benchmark output in $bench_txt"
	;;
demo)
	grep -aq '^##HVLAB## end-demo' "$SERIAL" || status=1
	;;
esac
if [ -n "$reason" ] || [ "$status" != 0 ]; then
	[ -n "$reason" ] && say "VM problem: $reason"
	show_artifacts
	status=1
fi
exit $status
}
