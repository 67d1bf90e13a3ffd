#!/usr/bin/env bash
# guests_qemu.sh - boots every test guest of tests/guests/ under QEMU (TCG,
# no VT-x needed) and checks its serial output and exit status, proving the
# guests themselves correct before they ever meet hvlab.
#
# QEMU ignores the ucall port, so each guest gets `qemu` on its command line:
# the guest library then mirrors every ucall on the UART ("sync[CPU]: ...",
# printed text, "guest: done", "guest: ASSERT file:line: ...") and ends
# through the isa-debug-exit device at 0xF4: GUEST_DONE writes 0 (QEMU exits
# (0<<1)|1 = 1), a failed assertion writes 1 (exit 3).  hvlab-only checks
# are relaxed under `qemu` (see each guest's top comment): the hvlab CPUID
# signature, IA32_TSC and #GP on unknown MSRs (TCG ignores/zeroes them),
# all-ones from unmapped MMIO (QEMU reads 0), VMCALL (#UD here).
# A triple fault makes QEMU (-no-reboot) exit 0; hlt and spin never end by
# themselves under QEMU, so they are stopped by `timeout` (status 124).
# Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."

G=build/guests
QEMU=qemu-system-x86_64
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out" | tail -15; }

# run NAME SECONDS QEMU-ARGS...: output in $tmp/out, status in $rc
run() {
	local secs=$1; shift
	timeout -k 2 "$secs" $QEMU -cpu max -m 64 -display none -no-reboot \
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	tr -d '\r' <"$tmp/out" >"$tmp/out.txt" && mv "$tmp/out.txt" "$tmp/out"
}

# check NAME WANT-RC "must contain"... [-- "must not contain"...]
check() {
	local name=$1 want=$2; shift 2
	local bad=0 neg=0 s
	[ "$rc" = "$want" ] || { echo "# $name: exit status $rc, want $want"; bad=1; }
	for s in "$@"; do
		if [ "$s" = -- ]; then neg=1; continue; fi
		if [ $neg = 0 ] && ! grep -qF -- "$s" "$tmp/out"; then
			echo "# $name: output lacks '$s'"; bad=1
		elif [ $neg = 1 ] && grep -qF -- "$s" "$tmp/out"; then
			echo "# $name: output has '$s'"; bad=1
		fi
	done
	if [ $bad = 0 ]; then ok "$name"; else not_ok "$name"; fi
}

if ! command -v $QEMU >/dev/null; then
	echo "1..1"
	echo "not ok 1 - $QEMU missing (tests/tools/deps.sh installs qemu-system-x86)"
	exit 1
fi
if ! make -s guests >"$tmp/out" 2>&1; then
	echo "1..1"
	n=0; not_ok "make guests"
	exit 1
fi

kernel() { local g=$1; shift; run 30 -kernel "$G/$g.elf" -append "qemu $*"; }

kernel hello;    check "hello prints its greeting and exits through port 0xf4" 1 \
			"Hello from an hvlab guest!"
kernel cpuid;    check "cpuid: VMX hidden, hypervisor bit set" 1 "cpuid.1:" "guest: done" -- "ASSERT"
run 30 -kernel "$G/cpuid.elf" -append "strict"
		 check "cpuid without 'qemu' fails on QEMU's signature (GUEST_ASSERT -> exit 3)" 3
kernel hello selftest-ud
		 check "an unexpected #UD is reported with its vector and RIP (32-bit)" 3 \
			"unexpected exception 6 (#UD) at RIP 0x" -- "Hello from"
kernel longmode selftest-ud
		 check "an unexpected #UD is reported with its vector and RIP (64-bit)" 3 \
			"unexpected exception 6 (#UD) at RIP 0x" -- "long mode:"
kernel msr;      check "msr: allow-listed MSRs read back, FS base used (long mode)" 1 \
			"apic base: 0xfee00" "guest: done" -- "ASSERT"
kernel longmode; check "longmode: 32-bit entry -> 64-bit C, ucall and CPUID" 1 \
			"sync[0]: 0x40 " "long mode: cpuid.0" "guest: done" -- "ASSERT"
kernel cr3 n=37; check "cr3: n=37 CR3 writes, each address space seen" 1 \
			"sync[0]: 0x25 " "cr3 writes: 37" "guest: done" -- "ASSERT"
kernel triple;   check "triple: empty IDT + #DE -> triple fault (QEMU -no-reboot exits 0)" 0 \
			"about to triple fault" -- "survived" "ASSERT"
kernel mmio;     check "mmio: LAPIC version, unmapped GPA read and write" 1 \
			"lapic: id 0x00000000" "guest: done" -- "ASSERT"
kernel io;       check "io: fw_cfg, PCI config, byte/word/dword, REP OUTSB" 1 \
			"fw_cfg signature: QEMU" "io: rep outsb to the UART" "guest: done" -- "ASSERT"
kernel vmcall;   check "vmcall: #UD without a hypervisor" 1 "vmcall nop: vector 6" "guest: done"
kernel xsetbv;   check "xsetbv: XCR0 = x87|SSE reads back, invalid XCR0 -> #GP" 1 \
			"xcr0: 0x3" "guest: done" -- "ASSERT"
kernel invlpg;   check "invlpg: remapped page visible after INVLPG" 1 "guest: done" -- "ASSERT"
kernel int3;     check "int3: each #BP returns to the address after its INT3" 1 \
			"int3: 8 breakpoints, each after its INT3" "guest: done" -- "ASSERT"
run 30 -smp 2 -kernel "$G/smp.elf" -append "qemu"
		 check "smp: two vCPUs with APIC IDs 0 and 1 meet through memory" 1 \
			"vcpu 0: apic id 0" "vcpu 1: apic id 1" "vcpu 0: saw vcpu 1" "guest: done"
kernel demo rounds=30
		 check "demo: 30 rounds of CR3/IO/MMIO/VGA work, ends by itself" 1 \
			"round 30 of 30" "demo: finished" "guest: done" -- "ASSERT"
run 30 -drive "file=$G/realmode.img,format=raw,if=ide"
		 check "realmode: real -> protected -> long mode (flat binary at 0x8000)" 1 \
			"realmode: 16-bit real mode" "realmode: 32-bit protected mode" \
			"realmode: 64-bit long mode"

# These two never end by themselves under QEMU: a timeout stops them.
run 4 -kernel "$G/hlt.elf" -append qemu
		 check "hlt: halts with IF=0 and stays halted" 124 "halting" -- "woke up" "ASSERT"
run 4 -kernel "$G/spin.elf" -append qemu
		 check "spin: spins until killed" 124 "spinning" -- "ASSERT"

# Every guest is a multiboot ELF32 (64-bit ones converted by objcopy).
bad=""
for f in "$G"/*.elf; do
	cls=$(od -An -tx1 -j4 -N1 "$f" | tr -d ' ')
	[ "$cls" = 01 ] || bad="$bad $(basename "$f")"
	# multiboot-1 magic in the first 8 KiB, 4-byte aligned
	head -c 8192 "$f" | od -An -tx4 -w4 -v | grep -c 1badb002 >/dev/null || bad="$bad $(basename "$f")(no-mb)"
done
echo "$bad" >"$tmp/out"
[ -z "$bad" ] && ok "every guest is an ELF32 with a multiboot header" || not_ok "ELF32/multiboot:$bad"

echo "1..$n"
exit $failed
