#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# net-bench.sh - network figures of the e1000 model with Linux's own driver,
# per mode, run inside the Bochs VM by bench-in-vm.sh when the Linux guest is
# there (HVLAB_BENCH_LINUX=1 make bench), or by hand (tests/vm/run-suite.sh
# --shell --only linux, then sh /tests/vm/net-bench.sh).  Prints a Markdown
# section.
#
# Two Debian kernels boot inside hvlab side by side:
#   bench  --net nat  --net bridged:hvtapb  --net internal:SEG
#   sink   --net internal:SEG
# The bench guest (tests/vm/linux-guest/net.sh, role bench) sends MB
# megabytes of zeros with nc through each card in turn: to this script's
# nc on 127.0.0.1:8001 (nat, the guest's 10.0.2.2:8001), to nc in a network
# namespace holding the TAP at 192.168.77.1:8001 (bridged), and to the sink
# guest's nc at 192.168.50.2:8001 (internal).  The guest times each
# transfer with its own clock (/proc/uptime); hvlab's --stats gives, per
# card, the frames both ways, the interrupts and the guest's register
# accesses, each of which is one exit to userspace.
#
# Inside Bochs every figure is a function of emulated instructions, not of
# the host's speed: compare modes and versions, not machines.
MB=${HVLAB_NET_BENCH_MB:-2}
dir=${HVLAB_GUESTS:-/guests}/linux
t=/tmp/netbench
rm -rf $t
mkdir -p $t
echo "## Network: Linux's e1000 driver on the model, guest to host (net-bench.sh)"
echo
if [ ! -r $dir/vmlinuz ] || [ ! -r $dir/initrd.gz ] || ! command -v hvlab >/dev/null; then
	echo "(skipped: $dir/vmlinuz, initrd.gz or hvlab missing)"
	exit 0
fi
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" 2>/dev/null
[ -e /dev/net/tun ] || insmod /modules/net/tun.ko 2>/dev/null
ip link set lo up

unshare -n sleep 300 &
ns_pid=$!
# sinks: one connection each, everything read and thrown away
(nc -l -p 8001 -e /bin/sh -c 'cat >/dev/null' </dev/null) &
nat_sink=$!
trap 'kill $ns_pid $nat_sink 2>/dev/null' EXIT

seg=hvlabb$$
append="console=ttyS0 loglevel=4 quiet panic=-1 mitigations=off"
vm() {	# vm NAME ROLE EXTRA-APPEND OPTIONS...
	name=$1 role=$2 extra=$3
	shift 3
	(
		timeout -s INT "${HVLAB_NET_BENCH_LIMIT:-120}" hvlab run -m 96M --cpus 1 --paging ept --stats "$@" \
			--initrd $dir/initrd.gz \
			--append "$append hvlab.net=$role $extra" \
			$dir/vmlinuz </dev/null >$t/$name.out 2>$t/$name.err
		echo $? >$t/$name.rc
	) &
}
vm bench bench "hvlab.mb=$MB hvlab.eth0=nat hvlab.eth1=bridged hvlab.eth2=internal" \
	--net nat --net bridged:hvtapb --net internal:$seg
vm sink sink "" --net internal:$seg
i=0
while ! ip link show hvtapb >/dev/null 2>&1 && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip link set hvtapb netns $ns_pid
nsenter -t $ns_pid -n ip addr add 192.168.77.1/24 dev hvtapb
nsenter -t $ns_pid -n ip link set hvtapb up
nsenter -t $ns_pid -n nc -l -p 8001 -e /bin/sh -c 'cat >/dev/null' </dev/null &
while [ ! -f $t/bench.rc ] || [ ! -f $t/sink.rc ]; do
	sleep 1
done
cr=$(printf '\r')
tr -d "$cr" <$t/bench.out >$t/bench.log

printf '| %-8s | %8s | %8s | %10s | %10s | %12s |\n' mode Mbit/s frames/s "exits/frame" "irqs/frame" "guest s"
printf '|%s|%s|%s|%s|%s|%s|\n' ---------- ---------- ---------- ------------ ------------ --------------
nic=0
for mode in nat bridged internal; do
	line=$(grep "^##GUEST## bench eth$nic $mode " $t/bench.log)
	# NIC N's block of --stats: frames each way, interrupts, register accesses
	blk=$(sed -n "/^NIC $nic (e1000/,/^NIC $((nic + 1)) (e1000/p" $t/bench.err)
	tx=$(echo "$blk" | sed -n 's/^ *sent by the guest *\([0-9]*\) frames.*/\1/p')
	rx=$(echo "$blk" | sed -n 's/^ *received by the guest *\([0-9]*\) frames.*/\1/p')
	irq=$(echo "$blk" | sed -n 's/^ *interrupts *\([0-9]*\).*/\1/p')
	acc=$(echo "$blk" | sed -n 's/^ *register accesses *\([0-9]*\).*/\1/p')
	echo "$line" "${tx:-0}" "${rx:-0}" "${irq:-0}" "${acc:-0}" | awk -v mode=$mode '
	NF == 11 && $7 > $6 {
		s = $7 - $6; f = $8 + $9
		printf "| %-8s | %8.1f | %8.0f | %10.1f | %10.2f | %12.2f |\n", mode,
			$5 * 8.388608 / s, f / s, f ? $11 / f : 0, f ? $10 / f : 0, s
		next
	}
	{ printf "| %-8s | %8s | %8s | %10s | %10s | %12s |\n", mode, "-", "-", "-", "-", "failed" }'
	nic=$((nic + 1))
done
echo
echo "$MB MB of zeros per mode with nc, timed by the guest's clock; frames are"
echo "the card's both ways over the whole run (the transfer is nearly all of"
echo "them); exits/frame counts the guest's register accesses to the card"
echo "(each one exit to userspace), not the interrupt's own exits."
echo
echo "### --stats of the bench guest"
sed 's/^/    /' $t/bench.err
grep '^##GUEST## dmesg' $t/bench.log | sed 's/^##GUEST## /    /'
