#!/usr/bin/env bash
# run_fake.sh - `hvlab run` end to end without VT-x: helpers/fake_hvlab.c,
# preloaded, stands in for /dev/hvlab and plays a script of exits.  This
# checks run.c and vm.c as a whole (module hand-shake, boot registers,
# vCPU threads, device dispatch, kicks and signals, exit statuses); the VM
# suite checks the same guests on the real module inside Bochs.  TAP.
set -u
cd "$(dirname "$0")/../.."
HV=./user/hvlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
FAKE=$tmp/fake_hvlab.so
n=0
fail=0

. tests/native/helpers/preload.bash
build_preload fake_hvlab "$FAKE"
printf '\xfa\xf4' >"$tmp/hlt.bin"
IMG=$tmp/hlt.bin
FLAT=(--flat 0x8000)

# fake NAME STATUS STDOUT_RE STDERR_RE SCRIPT -- hvlab run ARGS...
fake() {
	local name=$1 want=$2 ore=$3 ere=$4 script=$5
	shift 6
	local rc
	n=$((n + 1))
	FAKE_HVLAB_EXITS=$script LD_PRELOAD=$FAKE timeout 10 "$HV" run "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$ore" ] || grep -qE -- "$ore" "$tmp/out"; } &&
	   { [ -z "$ere" ] || grep -qE -- "$ere" "$tmp/err"; }; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# wanted $want, /$ore/ on stdout, /$ere/ on stderr; got $rc:"
		sed 's/^/#   out: /' "$tmp/out" | head -5
		sed 's/^/#   err: /' "$tmp/err" | head -8
		fail=1
	fi
}

fake "UART to stdout, debug-exit 0 gives status 1" 1 "^Hi!$" "guest wrote 0 to debug-exit" \
	'out:0x3f8:1:72,outs:0x3f8:i!,out:0x3f8:1:10,out:0xf4:4:0' -- -v "${FLAT[@]}" "$IMG"
fake "--console-log copies the console to a file" 1 "^Hi!$" "" \
	'out:0x3f8:1:72,outs:0x3f8:i!,out:0x3f8:1:10,out:0xf4:4:0' -- --console-log "$tmp/console.txt" \
	"${FLAT[@]}" "$IMG"
n=$((n + 1))
if [ "$(cat "$tmp/console.txt" 2>/dev/null)" = "Hi!" ]; then
	echo "ok $n - --console-log file holds what the guest printed"
else
	echo "not ok $n - --console-log file holds what the guest printed"
	fail=1
fi
fake "--console-log to an impossible path is status 71" 71 "" "cannot create /nonexistent/c.txt" \
	'out:0xf4:4:0' -- --console-log /nonexistent/c.txt "${FLAT[@]}" "$IMG"
fake "debug-exit 5 gives status 11" 11 "" "" 'out:0xf4:4:5' -- "${FLAT[@]}" "$IMG"
if [ -f build/guests/hello.elf ]; then
	fake "multiboot entry: EAX magic, EBX info, CR0 PE, BSP APIC base" 1 "" \
		"rip=0x10000c rax=0x2badb002 rbx=0x90000.*" 'out:0xf4:4:0' -- build/guests/hello.elf
	n=$((n + 1))
	if grep -q "cr0=0x11 cs=0x8 cs.base=0x0 apic_base=0xfee00900" "$tmp/err"; then
		echo "ok $n - multiboot segments"; else echo "not ok $n - multiboot segments"; fail=1; fi
else
	n=$((n + 1)); fail=1
	echo "not ok $n - multiboot entry: build/guests/hello.elf missing (make guests)"
fi
fake "--flat: real mode at ADDR>>4:0" 1 "" "cr0=0x10 cs=0x800 cs.base=0x8000" \
	'out:0xf4:4:0' -- "${FLAT[@]}" "$IMG"
n=$((n + 1))
if grep -q "rip=0x0 rax=0x0 rbx=0x0 rsp=0x8000" "$tmp/err"; then
	echo "ok $n - --flat: IP 0, SP below the image"; else echo "not ok $n - --flat: IP 0, SP below the image"; fail=1; fi
fake "ucall DONE is status 0" 0 "" "" 'ucall:1' -- "${FLAT[@]}" "$IMG"
fake "ucall ASSERT is status 2 with file:line" 2 "" "guest assertion failed: fake.c:7: boom" \
	'ucall:2' -- "${FLAT[@]}" "$IMG"
fake "ucall PRINT is a line on stdout" 0 "^boom$" "" 'ucall:4,ucall:1' -- "${FLAT[@]}" "$IMG"
fake "triple fault is status 3" 3 "" "triple-faulted at RIP 0x100000" 'shutdown' -- "${FLAT[@]}" "$IMG"
fake "entry failure names the check, status 4" 4 "" "VM entry failed.*CR0.PG set without CR0.PE" \
	'fail_entry' -- "${FLAT[@]}" "$IMG"
fake "HLT of the only vCPU ends the run, status 0" 0 "" "guest halted" 'hlt' -- "${FLAT[@]}" "$IMG"
fake "unclaimed port reads all-ones, logged once" 1 "" "fake: in 0x1234 -> 0xff$" \
	'in:0x1234:1,in:0x1234:1,out:0xf4:4:0' -- "${FLAT[@]}" "$IMG"
n=$((n + 1))
if [ "$(grep -c 'unclaimed port 0x1234' "$tmp/err")" = 1 ]; then
	echo "ok $n - logged once per port"; else echo "not ok $n - logged once per port"; fail=1; fi
fake "--strict makes it status 5" 5 "" "--strict: read from unclaimed port 0x1234" \
	'in:0x1234:1,out:0xf4:4:0' -- --strict "${FLAT[@]}" "$IMG"
fake "fw_cfg over port I/O: one CPU" 1 "" "fake: in 0x511 -> 0x1$" \
	'out:0x510:2:5,in:0x511:1,out:0xf4:4:0' -- "${FLAT[@]}" "$IMG"
fake "MMIO read of the LAPIC version" 1 "" "fake: mmio read 0xfee00030 -> 0x50014$" \
	'mmio_r:0xfee00030:4,out:0xf4:4:0' -- "${FLAT[@]}" "$IMG"
fake "unclaimed MMIO reads all-ones" 1 "" "fake: mmio read 0xc0000000 -> 0xffffffff$" \
	'mmio_r:0xc0000000:4,out:0xf4:4:0' -- "${FLAT[@]}" "$IMG"
fake "unknown hypercall returns -1" 1 "" "fake: hypercall 0x101 -> 0xffffffffffffffff" \
	'hc:0x101:1,out:0xf4:4:0' -- "${FLAT[@]}" "$IMG"
fake "HVLAB_HC_WALK prints the walk and returns the GPA" 1 "" "fake: hypercall 1 -> 0x2000$" \
	'hc:1:0x1000,out:0xf4:4:0' -- --walk 0x3000 "${FLAT[@]}" "$IMG"
n=$((n + 1))
if [ "$(grep -c 'walk on vCPU 0' "$tmp/err")" = 2 ] && grep -q "GVA 0x3000" "$tmp/err"; then
	echo "ok $n - --walk GVA adds its walk to each HVLAB_HC_WALK"
else
	echo "not ok $n - --walk GVA adds its walk to each HVLAB_HC_WALK"
	sed 's/^/#   err: /' "$tmp/err" | head -12
	fail=1
fi
fake "two vCPUs: vCPU 1 is kicked out when vCPU 0 ends the run" 7 "" \
	"vcpu 1 cr0=0x10 .*apic_base=0xfee00800" 'out:0xf4:4:3' -- --cpus 2 "${FLAT[@]}" "$IMG"
fake "--stats prints the exits of every vCPU" 1 "" "^vCPU 1: " 'out:0xf4:4:0' -- \
	--stats --cpus 2 "${FLAT[@]}" "$IMG"

# The module is there but cannot give us a VM: say why and what to do.
FAKE_HVLAB_CREATE_ERRNO=16 fake "VMX held by KVM (EBUSY) names kvm_intel" 69 "" \
	"held by KVM \\(kvm_intel\\).*|modprobe -r kvm_intel" '' -- "${FLAT[@]}" "$IMG"
FAKE_HVLAB_CREATE_ERRNO=19 fake "no VMX is explained" 69 "" "this CPU has no VMX" '' -- \
	"${FLAT[@]}" "$IMG"
FAKE_HVLAB_CREATE_ERRNO=19 FAKE_HVLAB_STATUS=2 fake "VMX off in the firmware is explained" 69 "" \
	"enable VT-x in the BIOS" '' -- "${FLAT[@]}" "$IMG"
FAKE_HVLAB_API=7 fake "a module of another API version" 69 "" "API version 7" '' -- \
	"${FLAT[@]}" "$IMG"

# Ctrl-C: a spinning guest stops within a second, status 130.
n=$((n + 1))
FAKE_HVLAB_EXITS=spin LD_PRELOAD=$FAKE "$HV" run --cpus 2 "${FLAT[@]}" "$IMG" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.5
start=$(date +%s%N)
kill -INT $pid
wait_bounded $pid 10
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" -eq 130 ] && [ "$ms" -lt 1000 ] && grep -q "interrupted" "$tmp/err"; then
	echo "ok $n - SIGINT stops a spinning guest within a second, status 130"
else
	echo "not ok $n - SIGINT stops a spinning guest within a second, status 130"
	echo "# status $rc after ${ms} ms"
	fail=1
fi

# --record writes a trace that hvlab replay reads back.
fake "--record writes a trace" 1 "^Hi$" "" 'outs:0x3f8:Hi,out:0x3f8:1:10,out:0xf4:4:0' -- \
	--record "$tmp/t.trace" "${FLAT[@]}" "$IMG"
n=$((n + 1))
if "$HV" replay --info "$tmp/t.trace" | grep -q "status *complete" &&
   "$HV" replay -d -a end -p console "$tmp/t.trace" | grep -q "^Hi"; then
	echo "ok $n - hvlab replay reads it back, console included"
else
	echo "not ok $n - hvlab replay reads it back, console included"
	fail=1
fi

# --dashboard in a real terminal (tmux): the console panel shows the guest's
# UART output, 'q' stops the guest (130) and only then the message appears.
if command -v tmux >/dev/null; then
	n=$((n + 1))
	sock=hvlab-run-fake-$$
	tmux -L "$sock" new-session -d -x 100 -y 30 \
		"FAKE_HVLAB_EXITS='outs:0x3f8:Hello,out:0x3f8:1:10,in:0x1234:1,spin' LD_PRELOAD=$FAKE $HV run --dashboard ${FLAT[*]} $IMG 2>$tmp/dash.err; echo \$? >$tmp/dash.rc; sleep 10"
	for _ in $(seq 50); do
		tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q "^Hello" && break
		tmux -L "$sock" send-keys 6 2>/dev/null
		sleep 0.1
	done
	tmux -L "$sock" capture-pane -p >"$tmp/screen" 2>/dev/null
	tmux -L "$sock" send-keys q
	for _ in $(seq 50); do [ -s "$tmp/dash.rc" ] && break; sleep 0.1; done
	tmux -L "$sock" kill-server 2>/dev/null
	if grep -q "hvlab live" "$tmp/screen" && grep -q "^Hello" "$tmp/screen" &&
	   [ "$(cat "$tmp/dash.rc" 2>/dev/null)" = 130 ] &&
	   grep -q "dashboard closed" "$tmp/dash.err"; then
		echo "ok $n - --dashboard shows the console; q stops the guest with 130"
	else
		echo "not ok $n - --dashboard shows the console; q stops the guest with 130"
		sed 's/^/#   screen: /' "$tmp/screen" | grep -v ': *$' | head -8
		echo "#   status: $(cat "$tmp/dash.rc" 2>/dev/null)"
		fail=1
	fi
else
	n=$((n + 1)); fail=1
	echo "not ok $n - --dashboard: tmux missing (tests/tools/deps.sh installs it)"
fi

echo "1..$n"
exit $fail
