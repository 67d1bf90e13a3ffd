#!/usr/bin/env bash
# top_socket.sh - `hvlab run --stats-socket PATH` and `hvlab top PATH` end to
# end without VT-x.  helpers/fake_hvlab.c, preloaded into hvlab run only,
# stands in for /dev/hvlab: its vCPU fds are memfds holding the run page and
# a struct hvlab_stats in which it counts the exits of its script, so they
# can cross the socket and be mapped by hvlab top, which runs unpreloaded
# (as it would on the real module).  Checks: the socket appears with mode
# 0600; --dump shows the script's exits; an existing PATH is refused (64);
# the live UI in tmux explains what it cannot show and ends by itself when
# the run ends (SIGINT: 130, SIGTERM: 143, the guest's own end), which
# always removes PATH; after a SIGKILL the stale socket is reported by both
# commands.  Prints TAP.
set -u
cd "$(dirname "$0")/../.."
HV=$PWD/user/hvlab
tmp=$(mktemp -d)
TSOCK=hvlab-top-$$
n=0
fail=0
cleanup() {
	tmux -L "$TSOCK" kill-server >/dev/null 2>&1
	[ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; shift; for f in "$@"; do sed "s|^|#   $(basename "$f"): |" "$f" 2>/dev/null | grep -v ': *$' | head -20; done; }
check()  { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "$tmp/out" "$tmp/err" "$tmp/run.err"; fi; }

if [ ! -x "$HV" ]; then
	printf 'not ok 1 - user/hvlab not built (make user)\n1..1\n'
	exit 1
fi
FAKE=$tmp/fake_hvlab.so
. tests/native/helpers/preload.bash
build_preload fake_hvlab "$FAKE"
printf '\xfa\xf4' >"$tmp/hlt.bin"
S=$tmp/stats.sock

# start_run SCRIPT [ARGS...]: hvlab run --stats-socket $S in the background
start_run() {
	local script=$1
	shift
	rm -f "$tmp/run.err"
	FAKE_HVLAB_EXITS=$script LD_PRELOAD=$FAKE "$HV" run --stats-socket "$S" "$@" \
		--flat 0x8000 "$tmp/hlt.bin" >"$tmp/run.out" 2>"$tmp/run.err" &
	pid=$!
	for _ in $(seq 50); do [ -S "$S" ] && return 0; sleep 0.1; done
	return 1
}
stop_run() {	# stop_run SIGNAL: sends it, sets rc
	kill "-$1" "$pid"
	wait_bounded "$pid" 10
	pid=
}

# 5 OUTs to the POST port, 2 INs of an unclaimed port, a VMCALL, then spin
start_run 'out:0x80:1:1,out:0x80:1:2,out:0x80:1:3,out:0x80:1:4,out:0x80:1:5,in:0x61:1,in:0x61:1,hc:0:0,spin'
check "--stats-socket makes a socket of mode 0600" \
	test -S "$S" -a "$(stat -c %a "$S" 2>/dev/null)" = 600
"$HV" top --dump -s 100x30 "$S" >"$tmp/out" 2>"$tmp/err"
check "hvlab top --dump shows the exits of the run" bash -c "
	grep -q 'hvlab top' '$tmp/out' && grep -q 'hlt.bin  ATTACHED, read-only' '$tmp/out' &&
	grep -q 'Exits by reason   total 8 ' '$tmp/out' &&
	grep -Eq '^ IO_INSTRUCTION +7 ' '$tmp/out' && grep -Eq '^ VMCALL +1 ' '$tmp/out' &&
	grep -q 'OUT 0x80 ← 0x05' '$tmp/out' && grep -q 'IN 0x61' '$tmp/out'"
"$HV" run --stats-socket "$S" --flat 0x8000 "$tmp/hlt.bin" >"$tmp/out" 2>"$tmp/err"
check "a second run on the same PATH is refused (64), the socket stays" bash -c "
	[ $? = 64 ] && grep -q 'exists' '$tmp/err' && [ -S '$S' ]"

if command -v tmux >/dev/null; then
	rm -f "$tmp/top.rc"
	tmux -L "$TSOCK" -f /dev/null new-session -d -x 100 -y 30 \
		"TERM=screen-256color LANG=C.UTF-8 '$HV' top '$S' >'$tmp/top.out' 2>&1; echo \$? >'$tmp/top.rc'; sleep 30"
	screen() { tmux -L "$TSOCK" capture-pane -p >"$tmp/out" 2>/dev/null; }
	wait_screen() { for _ in $(seq 50); do screen; grep -qF -- "$1" "$tmp/out" && return 0; sleep 0.1; done; return 1; }
	wait_screen "IO_INSTRUCTION"
	check "the live UI opens on the run's exits" grep -q "hvlab top.*Exits" "$tmp/out"
	tmux -L "$TSOCK" send-keys p
	wait_screen "not available in hvlab top"
	check "'p' explains that pause is not available" grep -q "pause and step: not available" "$tmp/out"
	tmux -L "$TSOCK" send-keys 3
	wait_screen "vCPU state: not available"
	check "the vCPU panel explains why it is empty" grep -q "HVLAB_GET_REGS" "$tmp/out"
	stop_run INT
	for _ in $(seq 50); do [ -s "$tmp/top.rc" ] && break; sleep 0.1; done
	check "SIGINT ends the run (130) and removes the socket" bash -c "[ $rc = 130 ] && [ ! -e '$S' ]"
	check "hvlab top ends by itself when the VM ends (status 0, last counts)" bash -c "
		[ \"\$(cat '$tmp/top.rc' 2>/dev/null)\" = 0 ] &&
		grep -q 'the VM has ended' '$tmp/top.out' && grep -Eq 'IO_INSTRUCTION +30 +7' '$tmp/top.out'"
	tmux -L "$TSOCK" kill-server >/dev/null 2>&1
else
	stop_run INT
	n=$((n + 1)); fail=1
	echo "not ok $n - the live UI: tmux missing (tests/tools/deps.sh installs it)"
fi

start_run spin
stop_run TERM
check "SIGTERM ends the run (143) and removes the socket" bash -c "[ $rc = 143 ] && [ ! -e '$S' ]"

FAKE_HVLAB_EXITS='out:0xf4:4:0' LD_PRELOAD=$FAKE "$HV" run --stats-socket "$S" --flat 0x8000 \
	"$tmp/hlt.bin" >"$tmp/out" 2>"$tmp/err"
check "a guest that ends by itself: its status (1), the socket removed" bash -c "[ $? = 1 ] && [ ! -e '$S' ]"

start_run spin
stop_run KILL
"$HV" top --dump "$S" >"$tmp/out" 2>&1
check "after SIGKILL, hvlab top says nobody listens on the stale socket (1)" bash -c "
	[ $? = 1 ] && grep -q 'nobody is listening' '$tmp/out'"
"$HV" run --stats-socket "$S" --flat 0x8000 "$tmp/hlt.bin" >"$tmp/out" 2>"$tmp/err"
check "and hvlab run refuses it (64), hinting at a killed run" bash -c "
	[ $? = 64 ] && grep -q 'left by a killed run' '$tmp/err'"
rm -f "$S"

"$HV" run --stats-socket "$tmp/$(printf 'x%.0s' $(seq 120))" --flat 0x8000 "$tmp/hlt.bin" \
	>"$tmp/out" 2>"$tmp/err"
check "a socket path too long is a usage error (64)" bash -c "[ $? = 64 ] && grep -q 'too long' '$tmp/err'"

echo "1..$n"
exit $fail
