#!/usr/bin/env bash
# dash_replay.sh - the dashboard as a person uses it: `hvlab replay` on the
# fixed trace tests/fixtures/demo.trace inside tmux, keys sent with
# send-keys, the screen read back with capture-pane and checked: panel
# titles, exit counts, a decoded exit, the walk of GVA 0x1000 down to host
# frame 0x2000, device counts, the serial and VGA console, play/step/seek,
# a terminal resize, and the same at 80x24.  Then the error paths: a
# truncated and a corrupt trace must fail with a clear message and exit 1.
#
# HVLAB_DASH_CAPTURES=DIR keeps every screen as DIR/NAME.txt (the captures
# in docs/dashboard.md come from there).  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
export LANG=C.UTF-8 LC_ALL=C.UTF-8

HV=$PWD/user/hvlab
FIX=tests/fixtures/demo.trace
SOCK=hvlab-dash-test-$$-0
CAP=${HVLAB_DASH_CAPTURES:-}
tmp=$(mktemp -d)
n=0 failed=0

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
starts=0
cleanup() { tm kill-server >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT

ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/screen" 2>/dev/null | tail -32; }

if ! command -v tmux >/dev/null || [ ! -x "$HV" ]; then
	echo "1..1"
	echo "not ok 1 - dashboard in tmux: tmux or user/hvlab missing (make deps; make user)"
	exit 1
fi

# start W H ARGS...: a fresh tmux server running hvlab replay ARGS
start() {
	local w=$1 h=$2; shift 2
	# a new server per run: no race with the old one shutting down
	tm kill-server >/dev/null 2>&1
	starts=$((starts + 1))
	SOCK=hvlab-dash-test-$$-$starts
	tm new-session -d -x "$w" -y "$h" \
		"cd '$PWD' && TERM=screen-256color $HV replay $*; echo EXIT=\$?; sleep 60"
}

snap() { tm capture-pane -p -t 0 >"$tmp/screen" 2>/dev/null; }

# wait_for TEXT: until the screen shows TEXT (5 s at most); status 0 if it did
wait_for() {
	for _ in $(seq 50); do
		snap
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 0.1
	done
	return 1
}

keys() { tm send-keys -t 0 "$@"; }

# expect NAME TEXT...: wait for the first, then check all; save as NAME
expect() {
	local name=$1 t all=1; shift
	wait_for "$1"
	for t in "$@"; do
		grep -qF -- "$t" "$tmp/screen" || { all=0; echo "# missing: $t"; }
	done
	[ -n "$CAP" ] && mkdir -p "$CAP" && cp "$tmp/screen" "$CAP/$name.txt"
	if [ $all = 1 ]; then ok "$name"; else not_ok "$name"; fi
}


# --- the fixture is what the generator writes, byte for byte ------------
"$HV" replay --write-demo "$tmp/demo.trace"
if cmp -s "$tmp/demo.trace" "$FIX"; then ok "demo.trace regenerates byte-identical"
else not_ok "demo.trace differs from 'hvlab replay --write-demo' (regenerate: see docs/dashboard.md)"; fi
head -c 50000 "$FIX" >"$tmp/trunc.trace"
if cmp -s "$tmp/trunc.trace" tests/fixtures/truncated.trace; then ok "truncated.trace is demo.trace cut at 50000 bytes"
else not_ok "truncated.trace is not demo.trace cut at 50000 bytes"; fi

"$HV" replay --help >"$tmp/screen" 2>&1
if [ $? = 0 ] && grep -q "space play/pause" "$tmp/screen" && grep -q -- "--partial" "$tmp/screen"; then
	ok "replay --help documents keys and options"
else not_ok "replay --help"; fi

# --- 100x30: every panel, from the end of the trace --------------------
start 100 30 --at end "$FIX"
expect exits-100x30 "Exits by reason   total 753" "[1 Exits]" \
	" IO_INSTRUCTION               742" " CR_ACCESS                      4" \
	"record 2268/2268" "« guest halted »"
keys 2
expect log-100x30 "Exit log   753 exits" "[2 Log]" "HLT" "OUT 0xf4 ← 0x00" "OUT 0x3f8 ← '0'" \
	"Exit #753: HLT (12)"
keys f; keys -l CR_ACCESS; keys Enter
expect log-filter-cr3 "filter: CR_ACCESS" "MOV to CR3 ← 0x5000" "MOV to CR3 ← 0x9000" \
	"MOV to CR0 ← 0x80000011" "3:0   CR number    3" "5:4   access type  0 = MOV to CR"
keys 3
expect vcpu-100x30 "vCPU state" "[3 vCPU]" "mode long mode (64-bit)   paging 4-level, second stage EPT" \
	"CR3  0000000000005000" "EFER 0000000000000500 LME LMA"
keys w; keys -l 1000; keys Enter
expect walk-1000 "Page walk" "[4 Walk]" "GVA 0x1000   4-level paging, second stage EPT" \
	"L4 PML4 table    0x5000 [  0]" "GVA 0x1000 -> GPA 0x1000" \
	"GPA 0x1000 -> HPA 0x2000 (host frame 0x2000)" \
	"Result: GVA 0x1000 -> GPA 0x1000 -> HPA 0x2000"
keys 5
expect io-100x30 "Device I/O   743 accesses" "[5 I/O]" " uart0                    0        740  0x3f8" \
	" lapic                    0          1  0xfee00300" "(unclaimed)"
keys 6
expect console-serial "Guest console: serial output, 740 bytes" "[6 Console]" \
	"191 192 193 194 195 196 197 198 199 200"
keys v
expect console-vga "VGA text 80x25 at 0xB8000" "hvlab demo guest" \
	"green on black    yellow on red" "counted to 200; halting"
keys 7
expect irq-none "[7 IRQ]" "This trace holds no interrupt counts (IRQ records)"

# --- replay controls ---------------------------------------------------
keys 1; keys Home
expect seek-home "record 0/2268" "no exits yet"
keys . . .
expect step-three "record 3/2268"
keys Left
expect step-back "record 2/2268"
keys g; keys -l 1500; keys Enter
expect seek-goto "record 1500/2268"
keys End
expect seek-end "record 2268/2268" "total 753"
keys Home Space
expect play-starts "PLAYING"
# the trace lasts 1.95 s: at 1x it must be over within a few seconds
if wait_for "record 2268/2268" && wait_for "PAUSED"; then ok "play runs to the end and pauses"
else not_ok "play runs to the end and pauses"; fi

# --- resize: the same dashboard redraws at 80x24 ------------------------
tm resize-window -t 0 -x 80 -y 24 2>/dev/null
sleep 0.5
snap
if [ "$(wc -l <"$tmp/screen")" -le 24 ] && [ "$(awk '{ if (length > m) m = length } END { print m + 0 }' "$tmp/screen")" -le 80 ] &&
	wait_for "1-7 panel"; then ok "redraws after resizing to 80x24"
else not_ok "redraws after resizing to 80x24"; fi
keys q
expect quit-status "EXIT=0"

# --- 80x24 from the start -----------------------------------------------
start 80 24 --at end "$FIX"
expect exits-80x24 "Exits by reason   total 753" " IO_INSTRUCTION               742" "? help" \
	"space play"
keys 2
expect log-80x24 "Exit log" "Exit #753: HLT (12)" "cycles"
keys 3
expect vcpu-80x24 "vCPU state" "long mode (64-bit)" "GDT 8000/17  IDT 0/3ff"
keys w; keys -l 1000; keys Enter
expect walk-80x24 "Result: GVA 0x1000 -> GPA 0x1000 -> HPA 0x2000" "L1 PT   table   0x1c000 [  1]"
keys 6 v
expect vga-80x24 "VGA text 80x25 at 0xB8000, Up/Down scroll" "hvlab demo guest"
keys q
expect quit-80x24 "EXIT=0"

# --- broken traces --------------------------------------------------------
"$HV" replay tests/fixtures/truncated.trace >"$tmp/screen" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "record 990 at offset 0xc347: truncated" "$tmp/screen" &&
	grep -q "readable; --partial opens them" "$tmp/screen"; then ok "truncated trace: clear error, exit 1"
else not_ok "truncated trace: clear error, exit 1 (got $rc)"; fi

"$HV" replay --info tests/fixtures/truncated.trace >"$tmp/screen" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "status      CORRUPT" "$tmp/screen" && grep -q "IO_INSTRUCTION" "$tmp/screen"; then
	ok "--info on a truncated trace lists what is readable, exit 1"
else not_ok "--info on a truncated trace (got $rc)"; fi

printf 'HVLABTRCgarbage' >"$tmp/bad.trace"; head -c 300 /dev/urandom >>"$tmp/bad.trace"
"$HV" replay "$tmp/bad.trace" >"$tmp/screen" 2>&1; rc1=$?
"$HV" replay /nonexistent.trace >>"$tmp/screen" 2>&1; rc2=$?
"$HV" replay "$PWD" >>"$tmp/screen" 2>&1; rc3=$?
"$HV" replay >>"$tmp/screen" 2>&1; rc4=$?
if [ $rc1 = 1 ] && [ $rc2 = 1 ] && [ $rc3 = 1 ] && [ $rc4 = 2 ] &&
	grep -q "No such file" "$tmp/screen" && grep -q "Is a directory" "$tmp/screen"; then
	ok "garbage, missing file, directory, no argument: errors, no crash"
else not_ok "bad inputs (rc $rc1 $rc2 $rc3 $rc4)"; fi

start 80 24 --partial --at end tests/fixtures/truncated.trace
expect partial-opens "TRACE CUT SHORT" "Exits by reason"
keys q

echo "1..$n"
exit $failed
