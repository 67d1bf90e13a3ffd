#!/usr/bin/env bash
# run_dash_stop.sh - `hvlab run --dashboard` must end whatever stops the VM
# while the user has paused the guest, i.e. while the vCPU thread waits in
# dash_gate(): vm_run calls dash_stop() before pthread_join (without it,
# the join waits forever).  Driven in tmux against the fake /dev/hvlab
# (helpers/fake_hvlab.c), slowed by helpers/slow_run.c to 20 ms per
# HVLAB_RUN so the guest keeps coming back to userspace for seconds:
#   - 'p' pauses: the screen says PAUSED and the count of port accesses
#     (I/O panel) stops growing: the vCPU thread is parked in dash_gate;
#   - SIGTERM then ends hvlab with 143 and the held-back message;
#   - paused, then 'q': 130, "dashboard closed".
# TAP.
set -u
cd "$(dirname "$0")/../.."
HV=$PWD/user/hvlab
tmp=$(mktemp -d)
sock=
nstart=0
trap '[ -n "$sock" ] && tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
n=0
fail=0

if ! command -v tmux >/dev/null; then
	printf 'not ok 1 - tmux missing (tests/tools/deps.sh installs it)\n1..1\n'
	exit 1
fi
. tests/native/helpers/preload.bash
for h in fake_hvlab slow_run; do
	build_preload "$h" "$tmp/$h.so"
done
printf '\xfa\xf4' >"$tmp/hlt.bin"
# 300 POST-code writes (6 s at 20 ms each), then a guest that never exits
script=$(for _ in $(seq 300); do printf 'out:0x80:1:1,'; done)spin

screen() { tmux -L "$sock" capture-pane -p 2>/dev/null; }
wait_screen() {	# wait_screen REGEX: up to 5 s
	for _ in $(seq 50); do screen | grep -qE -- "$1" && return 0; sleep 0.1; done
	return 1
}
# the I/O panel (key 5) counts the guest's port accesses: "Device I/O   N accesses"
total() { screen | sed -n 's/^Device I\/O *\([0-9]*\) accesses.*/\1/p' | head -n 1; }
wait_rc() {
	for _ in $(seq 50); do [ -s "$tmp/rc" ] && return 0; sleep 0.1; done
	return 1
}

# start: the dashboard on the fake; $tmp/pid, $tmp/err, $tmp/rc
start() {
	rm -f "$tmp/pid" "$tmp/rc" "$tmp/err"
	[ -n "$sock" ] && tmux -L "$sock" kill-server 2>/dev/null
	nstart=$((nstart + 1))
	sock=hvlab-dash-stop-$$-$nstart	# a fresh server: no race with the old one's exit
	tmux -L "$sock" new-session -d -x 100 -y 30 \
		"bash -c 'echo \$\$ >$tmp/pid; exec env FAKE_HVLAB_EXITS=$script LD_PRELOAD=\"$tmp/slow_run.so $tmp/fake_hvlab.so\" $HV run --dashboard --flat 0x8000 $tmp/hlt.bin' 2>$tmp/err; echo \$? >$tmp/rc; sleep 30"
	wait_screen "hvlab live" || return 1
	tmux -L "$sock" send-keys 5
	wait_screen "Device I/O +[1-9][0-9]* accesses"
}

result() {	# result NAME OK?
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		screen | grep -v '^ *$' | head -6 | sed 's/^/#   screen: /'
		sed 's/^/#   err: /' "$tmp/err" 2>/dev/null | head -5
		echo "#   status: $(cat "$tmp/rc" 2>/dev/null)"
		fail=1
	fi
}

start
r=$?
tmux -L "$sock" send-keys p
wait_screen PAUSED || r=1
sleep 0.3
t1=$(total)
sleep 1
t2=$(total)
[ -n "$t1" ] && [ "$t1" = "$t2" ] || r=1
result "'p' pauses the guest: PAUSED, the port accesses stay at ${t1:-?}" $r

r=0
kill -TERM "$(cat "$tmp/pid")" 2>/dev/null
wait_rc && [ "$(cat "$tmp/rc")" = 143 ] && grep -q "terminated" "$tmp/err" || r=1
result "SIGTERM while paused ends hvlab (143), then the message" $r

start
r=$?
tmux -L "$sock" send-keys p
wait_screen PAUSED || r=1
tmux -L "$sock" send-keys q
wait_rc && [ "$(cat "$tmp/rc")" = 130 ] && grep -q "dashboard closed" "$tmp/err" || r=1
result "'q' while paused ends hvlab (130)" $r

echo "1..$n"
exit $fail
