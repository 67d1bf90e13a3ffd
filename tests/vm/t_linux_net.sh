#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t_linux_net.sh - the three network modes with Linux's own e1000 driver:
# two Debian kernels boot side by side inside hvlab, inside the Bochs VM,
# and talk (TAP).  The guests' side is tests/vm/linux-guest/net.sh.
#
#   VM a: --net internal:NAME  --net nat,hostfwd=tcp::18080-:8080
#         --net bridged:hvtap0, each with its --pcap
#   VM b: --net internal:NAME
#
#   internal  a and b ping each other and a sends b a file with nc; the
#             md5 sums match.
#   nat       a gets its address by DHCP from slirp, fetches a page from
#             the busybox httpd this script runs on 127.0.0.1:8000 (the
#             guest's 10.0.2.2:8000), and this script reaches a's port 8080
#             through hostfwd at 127.0.0.1:18080.
#   bridged   hvlab creates hvtap0; this script moves it into a network
#             namespace of its own (unshare -n) and gives it 192.168.77.1,
#             which a pings.
# Each --pcap file is read back with tcpdump and must hold the frames of
# those exchanges.  Only in the passes that name it (init.sh runs
# t_linux_* on request): run-suite.sh --only t_linux_net, the 6.1-net pass
# of make check.
. "$(dirname "$0")/tap.sh"
dir=/guests/linux
t=/tmp/net
rm -rf $t
mkdir -p $t/www
echo "TAP version 13"
echo "1..16"
if [ ! -r $dir/vmlinuz ] || [ ! -r $dir/initrd.gz ] || ! command -v hvlab >/dev/null ||
	! command -v tcpdump >/dev/null; then
	i=0
	while [ $i -lt 16 ]; do
		ok 1 "network modes # vmlinuz, initrd.gz, hvlab or tcpdump missing in the VM"
		i=$((i + 1))
	done
	exit 1
fi
[ -d /sys/module/hvlab ] || insmod "${HVLAB_KO:-/modules/hvlab.ko}" ${HVLAB_KO_ARGS:-} 2>/dev/null
[ -e /dev/net/tun ] || insmod /modules/net/tun.ko 2>/dev/null
ip link set lo up

# the host's services: a page on 127.0.0.1:8000, a namespace for the TAP
echo "HVLAB-NAT-PAGE" >$t/www/index.html
httpd -f -p 127.0.0.1:8000 -h $t/www &
httpd_pid=$!
unshare -n sleep 120 &
ns_pid=$!
cleanup() {
	kill "$httpd_pid" "$ns_pid" 2>/dev/null
}
trap cleanup EXIT

seg=hvlabt$$
# loglevel=4: the driver's errors and warnings reach the console (and the
# checks), its info lines are read from dmesg by net.sh
append="console=ttyS0 loglevel=4 quiet panic=-1 mitigations=off"
cr=$(printf '\r')
# vm NAME ROLE OPTIONS...: one guest in the background.  Its console streams
# into this TAP as "# NAME| " comments (a stuck guest shows how far it got)
# and into NAME.log; hvlab's messages and --stats go to NAME.err, its
# status to NAME.rc.
vm() {
	name=$1 role=$2
	shift 2
	(
		timeout -s INT 20 hvlab run -m 96M --cpus 1 --paging ept --stats "$@" \
			--initrd $dir/initrd.gz --append "$append hvlab.net=$role" \
			$dir/vmlinuz </dev/null 2>$t/$name.err
		echo $? >$t/$name.rc
	) | while IFS= read -r line; do
		line=${line%"$cr"}
		printf '%s\n' "$line" >>$t/$name.log
		printf '# %s| %s\n' "$name" "$line"
	done &
}
start=$(cut -d' ' -f1 /proc/uptime)
vm a a --net internal:$seg --pcap $t/a-int.pcap \
	--net nat,hostfwd=tcp::18080-:8080 --pcap $t/a-nat.pcap \
	--net bridged:hvtap0 --pcap $t/a-br.pcap
a_pid=$!
vm b b --net internal:$seg --pcap $t/b-int.pcap
b_pid=$!

# bridged: once hvlab has made hvtap0, into the namespace with it
i=0
while ! ip link show hvtap0 >/dev/null 2>&1 && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip link set hvtap0 netns $ns_pid &&
	nsenter -t $ns_pid -n ip addr add 192.168.77.1/24 dev hvtap0 &&
	nsenter -t $ns_pid -n ip link set hvtap0 up
moved=$?

# nat: the host reaches the guest's port 8080 through the forward; slirp
# accepts at once and closes when the guest refuses, so try until a answers
# or has ended
fwd=
while [ ! -f $t/a.rc ]; do
	fwd=$(sleep 2 | timeout 5 nc 127.0.0.1 18080 2>/dev/null)
	case "$fwd" in *HVLAB-HOSTFWD-OK*) break ;; esac
done
wait $a_pid $b_pid
end=$(cut -d' ' -f1 /proc/uptime)
echo "# two guests: $start -> $end s of VM uptime"
for v in a b; do
	sed "s/^/# $v! /" $t/$v.err
done

g() {	# g VM PATTERN: the guest printed a ##GUEST## line matching PATTERN
	grep -q "^##GUEST## \(\[[0-9.]*\] \)\?$2" $t/$1.log
}
# tcpdump drops its privileges to a user it looks up: this VM has no
# /etc/passwd of its own
[ -e /etc/passwd ] || echo 'root:x:0:0:root:/root:/bin/sh' >/etc/passwd
[ -e /etc/group ] || echo 'root:x:0:' >/etc/group
pc() {	# pc FILE EXPRESSION PATTERN: tcpdump's reading of FILE has PATTERN
	tcpdump -Z root -n -r $t/$1 "$2" 2>/dev/null | grep -qE "$3"
}

ok "$(cat $t/a.rc)" "net: guest a (three cards) powers off, hvlab status 0"
ok "$(cat $t/b.rc)" "net: guest b (internal) powers off, hvlab status 0"
g a 'link eth0 carrier=1' && g a 'link eth1 carrier=1' && g a 'link eth2 carrier=1'
ok $? "net: Linux's e1000 driver brings up a's three cards (carrier on eth0-2)"
g b 'link eth0 carrier=1'
ok $? "net: Linux's e1000 driver brings up b's card"
g a 'internal-ping ok'
ok $? "internal: a pings b"
g b 'internal-ping ok'
ok $? "internal: b pings a"
sent=$(sed -n 's/^##GUEST## sent-md5 //p' $t/a.log)
recv=$(sed -n 's/^##GUEST## recv-md5 //p' $t/b.log)
[ -n "$sent" ] && [ "$sent" = "$recv" ] && g b 'recv rc 0 bytes 65536'
ok $? "internal: a sends b 64 KiB with nc, md5 ${sent:-none} = ${recv:-none}"
g a 'dhcp eth1 10.0.2.15 router 10.0.2.2'
ok $? "nat: a gets 10.0.2.15 from slirp's DHCP"
g a 'nat-get HVLAB-NAT-PAGE'
ok $? "nat: a fetches a page from the host's 127.0.0.1:8000 (10.0.2.2:8000)"
case "$fwd" in *HVLAB-HOSTFWD-OK*) true ;; *) false ;; esac
ok $? "nat: the host reaches a's port 8080 through hostfwd 127.0.0.1:18080"
[ "$moved" = 0 ] && g a 'bridged-ping ok'
ok $? "bridged: a pings 192.168.77.1, hvtap0's address in a network namespace"
pc a-int.pcap icmp '192\.168\.50\.1 > 192\.168\.50\.2: ICMP echo request' &&
	pc a-int.pcap icmp '192\.168\.50\.2 > 192\.168\.50\.1: ICMP echo reply' &&
	pc a-int.pcap 'tcp port 5000' '192\.168\.50\.1\.[0-9]+ > 192\.168\.50\.2\.5000: Flags \[S\]'
ok $? "internal: a's pcap holds the pings and the nc connection"
pc b-int.pcap 'tcp port 5000' '192\.168\.50\.2\.5000 > 192\.168\.50\.1\.[0-9]+: Flags \[S\.\]' &&
	pc b-int.pcap arp 'ARP, Request who-has'
ok $? "internal: b's pcap holds ARP and the nc connection"
pc a-nat.pcap 'udp port 67' 'BOOTP/DHCP, Reply' &&
	pc a-nat.pcap 'tcp port 8000' '10\.0\.2\.15\.[0-9]+ > 10\.0\.2\.2\.8000: Flags \[S\]' &&
	pc a-nat.pcap 'tcp port 8080' '> 10\.0\.2\.15\.8080: Flags \[S\]'
ok $? "nat: a's pcap holds DHCP, the page's TCP connection and the forwarded one"
pc a-br.pcap icmp '192\.168\.77\.1 > 192\.168\.77\.2: ICMP echo reply'
ok $? "bridged: a's pcap holds the namespace's echo replies"
bad=$(cat $t/a.log $t/b.log | grep -v -e '^##GUEST##' -e 'Kernel command line:' |
	grep -E 'WARNING|Oops|BUG|Call Trace|[Pp]anic|e1000.*([Ee]rror|[Hh]ang|[Ff]ail|[Uu]nable|[Ii]nvalid)')
[ -z "$bad" ]
ok $? "net: no warning, oops or e1000 error in the guests' logs"
[ -z "$bad" ] || echo "$bad" | head -n 20 | sed 's/^/#   /'
for f in a-int a-nat a-br b-int; do
	echo "# $f.pcap: $(tcpdump -Z root -n -r $t/$f.pcap 2>/dev/null | wc -l) frames"
done
exit $fail
