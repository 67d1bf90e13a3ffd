#!/usr/bin/env bash
# disk_crash.sh - kill -9 a writer at random moments, many times over one
# VDI image.  After every kill: `qemu-img check` and `hvlab disk check`
# must accept the image, and every write the writer saw flushed ("ack")
# must read back.  The writer reopens the same image each round, so the
# clean-up of a crashed allocation is exercised too.  About 40 s.
. "$(dirname "$0")/disk-lib.bash"
cd "$T"

ROUNDS=${HVLAB_CRASH_ROUNDS:-60}
BUDGET=${HVLAB_CRASH_SECONDS:-40}
start=$SECONDS
nacks=0 qfail=0 hfail=0 lost=0 rounds=0 killed=0
for r in $(seq "$ROUNDS"); do
	[ $((SECONDS - start)) -ge "$BUDGET" ] && break
	rounds=$r
	# a fresh 512 MiB image every 3 rounds keeps allocations in the mix
	if [ $((r % 3)) = 1 ]; then
		rm -f c.vdi
		"$HV" disk create c.vdi 512M >/dev/null || break
		[ -f acks ] && nacks=$((nacks + $(grep -c '^ack' acks)))
		: > acks
	fi
	"$DISKIO" crash c.vdi "$r" >> acks 2>/dev/null &
	pid=$!
	# 5..300 ms: some kills land in the first allocations, some much later
	sleep "0.$(printf '%03d' $((5 + RANDOM % 295)))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	if ! out=$(qemu-img check c.vdi 2>&1); then
		qfail=$((qfail + 1))
		[ $qfail = 1 ] && printf '%s\n' "$out" | head -5 | sed "s/^/# round $r: /"
	fi
	if ! out=$("$HV" disk check c.vdi 2>&1); then
		hfail=$((hfail + 1))
		[ $hfail = 1 ] && printf '%s\n' "$out" | head -5 | sed "s/^/# round $r: /"
	fi
	if ! out=$("$DISKIO" acks c.vdi < acks 2>&1); then
		lost=$((lost + 1))
		[ $lost = 1 ] && printf '%s\n' "$out" | head -3 | sed "s/^/# round $r: /"
	fi
done
nacks=$((nacks + $(grep -c '^ack' acks)))
echo "# $rounds rounds, $killed kill -9 mid-write, $nacks acknowledged writes, $((SECONDS - start)) s"
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2 ($1 rounds failed)"; fi; }
t $(( rounds < 10 )) "at least 10 crash rounds ran"
t $(( nacks == 0 )) "the writer got writes acknowledged"
t "$qfail" "qemu-img check accepts the image after every kill -9"
t "$hfail" "hvlab disk check accepts the image after every kill -9"
t "$lost" "no acknowledged write is lost"
echo "1..$n"
