#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# net.sh ROLE - the network side of the Linux guest inside hvlab (busybox
# sh), run by init when the kernel command line has hvlab.net=ROLE.  It
# loads Linux's own e1000 driver, brings every card up, and does what the
# host side (tests/vm/t_linux_net.sh) expects of ROLE, printing
# "##GUEST## " lines for it to read:
#
#   a   three cards, in `hvlab run --net` order:
#       eth0 internal   192.168.50.1/24: pings b (192.168.50.2), then sends
#                       it a file with nc (port 5000); prints its md5
#       eth1 nat        DHCP from slirp; fetches http://10.0.2.2:8000/ (the
#                       host's 127.0.0.1:8000); answers one connection on
#                       port 8080, which the host reaches through hostfwd
#       eth2 bridged    192.168.77.2/24: pings 192.168.77.1, the TAP's
#                       address in the host's network namespace
#   b   one card, eth0 internal 192.168.50.2/24: pings a, receives the file
#       on port 5000, prints its md5
#   probe  only the driver and the links, then the report below (what the
#       driver printed, interrupts, counters)
#   bench  one card per --net (tests/vm/net-bench.sh), its mode given as
#       hvlab.ethN=nat|bridged|internal: sends MB megabytes (hvlab.mb=MB) to
#       10.0.2.2:8001 / 192.168.77.1:8001 / 192.168.50.2:8001 in turn and
#       prints the guest's own timing
#   sink   one card, internal 192.168.50.2/24: reads one connection on port
#       8001 to its end (the bench's internal peer)
#
# Every wait is bounded: a card that never works costs a few seconds, and
# the host's checks say which step failed.
role=${1:?usage: net.sh a|b|bench}
say() { echo "##GUEST## $*"; }
# the same, with the guest's uptime: where its time goes
step() { echo "##GUEST## [$(cut -d' ' -f1 /proc/uptime)] $*"; }

insmod /lib/modules/e1000.ko 2>&1 | sed 's/^/##GUEST## insmod: /'
ip link set lo up
cards=
for c in /sys/class/net/eth*; do
	[ -e "$c" ] || continue
	cards="$cards ${c##*/}"
	ip link set "${c##*/}" up
done
step "cards:$cards"
# the driver's watchdog reports the link; wait for carrier (at most 5 s)
for c in $cards; do
	i=0
	while [ "$(cat /sys/class/net/$c/carrier 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	step "link $c carrier=$(cat /sys/class/net/$c/carrier 2>/dev/null) mac=$(cat /sys/class/net/$c/address)"
done

# ping_until ADDR TRIES: one echo at a time until one is answered
ping_until() {
	i=0
	while [ $i -lt "$2" ]; do
		ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
		i=$((i + 1))
	done
	return 1
}

# the DHCP client's hook: apply the lease slirp offers
cat >/tmp/dhcp.sh <<'EOS'
#!/bin/sh
case "$1" in
bound|renew)
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route add default via "$router" dev "$interface"
	echo "dhcp $interface $ip router $router dns $dns" >>/tmp/dhcp.out
	;;
esac
EOS
chmod 755 /tmp/dhcp.sh

report() {
	dmesg | grep -iE 'e1000|eth[0-9]' | sed 's/^/##GUEST## dmesg /'
	grep -E 'eth[0-9]' /proc/interrupts | sed 's/^/##GUEST## irq /'
	for c in $cards; do
		say "stats $c rx $(cat /sys/class/net/$c/statistics/rx_packets) tx $(cat /sys/class/net/$c/statistics/tx_packets) rx_errors $(cat /sys/class/net/$c/statistics/rx_errors) tx_errors $(cat /sys/class/net/$c/statistics/tx_errors)"
	done
}

case "$role" in
probe)
	report
	;;
a)
	ip addr add 192.168.50.1/24 dev eth0
	ip addr add 192.168.77.2/24 dev eth2
	step "dhcp"
	udhcpc -i eth1 -n -q -t 5 -T 1 -s /tmp/dhcp.sh >/dev/null 2>&1 || say "dhcp failed"
	sed 's/^/##GUEST## /' /tmp/dhcp.out 2>/dev/null
	# hostfwd: one connection answered, in the background
	(
		timeout 30 nc -l -p 8080 -e /bin/sh -c 'echo HVLAB-HOSTFWD-OK'
		say "hostfwd-served rc $?"
	) </dev/null &
	fwd=$!
	step "nat-get"
	page=$(timeout 10 wget -q -O - http://10.0.2.2:8000/index.html 2>&1)
	say "nat-get $page"
	step "bridged-ping"
	if ping_until 192.168.77.1 15; then say "bridged-ping ok"; else say "bridged-ping failed"; fi
	step "internal-ping"
	if ping_until 192.168.50.2 30; then say "internal-ping ok"; else say "internal-ping failed"; fi
	step "internal-send"
	dd if=/dev/urandom of=/tmp/file bs=1k count=64 2>/dev/null
	say "sent-md5 $(md5sum </tmp/file | cut -d' ' -f1)"
	i=0
	while [ $i -lt 20 ]; do
		timeout 10 nc 192.168.50.2 5000 </tmp/file && break
		sleep 0.2
		i=$((i + 1))
	done
	say "sent rc $? after $i retries"
	step "hostfwd-wait"
	wait $fwd
	step "done"
	report
	;;
b)
	ip addr add 192.168.50.2/24 dev eth0
	step "internal-ping"
	if ping_until 192.168.50.1 30; then say "internal-ping ok"; else say "internal-ping failed"; fi
	step "internal-recv"
	timeout 30 nc -l -p 5000 -e /bin/sh -c 'cat >/tmp/file' </dev/null
	say "recv rc $? bytes $(wc -c </tmp/file)"
	say "recv-md5 $(md5sum </tmp/file | cut -d' ' -f1)"
	report
	;;
sink)
	ip addr add 192.168.50.2/24 dev eth0
	timeout 100 nc -l -p 8001 -e /bin/sh -c 'cat >/dev/null' </dev/null
	say "sink rc $?"
	report
	;;
bench)
	mb=$(sed -n 's/.*hvlab\.mb=\([0-9]*\).*/\1/p' /proc/cmdline)
	mb=${mb:-4}
	i=0
	for c in $cards; do
		mode=$(sed -n "s/.*hvlab\.$c=\([a-z]*\).*/\1/p" /proc/cmdline)
		case "$mode" in
		nat)
			udhcpc -i "$c" -n -q -t 5 -T 1 -s /tmp/dhcp.sh >/dev/null 2>&1
			dst=10.0.2.2 ;;
		bridged)
			ip addr add 192.168.77.2/24 dev "$c"
			dst=192.168.77.1 ;;
		internal)
			ip addr add 192.168.50.1/24 dev "$c"
			dst=192.168.50.2 ;;
		*) continue ;;
		esac
		ping_until "$dst" 10 >/dev/null
		t0=$(cut -d' ' -f1 /proc/uptime)
		dd if=/dev/zero bs=64k count=$((mb * 16)) 2>/dev/null |
			timeout 60 nc "$dst" 8001
		t1=$(cut -d' ' -f1 /proc/uptime)
		say "bench $c $mode $mb $t0 $t1"
		i=$((i + 1))
	done
	report
	;;
esac
