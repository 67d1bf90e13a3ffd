// SPDX-License-Identifier: GPL-2.0
/*
 * test_net.c - the pieces of net/ that need no VM: the frame queue, the
 * pcap writer (read back by tcpdump when installed, else byte by byte),
 * the frame decoder on hand-made, truncated and random frames, and the
 * internal switch between ports of one process (learning, flooding,
 * per-port counters).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "net/frameq.h"
#include "net/framedec.h"
#include "net/netsw.h"
#include "net/pcap.h"

/* ---- frames --------------------------------------------------------- */

static const uint8_t arp_req[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 2, 2,
};

static size_t ipv4_frame(uint8_t *f, uint8_t proto, const uint8_t *l4, size_t l4len)
{
	memset(f, 0, 34);
	memcpy(f, "\x52\x55\x0a\x00\x02\x02\x52\x54\x00\x12\x34\x56\x08\x00", 14);
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + l4len) >> 8);
	f[17] = (uint8_t)(20 + l4len);
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	memcpy(f + 34, l4, l4len);
	return 34 + l4len;
}

static const char *dec(const uint8_t *f, size_t len)
{
	static char buf[160];

	net_decode(f, len, buf, sizeof(buf));
	return buf;
}

TEST(decode_arp_ip_icmp_tcp_udp)
{
	uint8_t f[128];
	static const uint8_t syn[20] = {
		0xa0, 0x28, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02,
	};
	static const uint8_t ack[24] = {
		0x00, 0x50, 0xa0, 0x28, 0, 0, 0, 9, 0, 0, 0, 2, 0x50, 0x18,
	};
	static const uint8_t udp[12] = { 0x00, 0x44, 0x00, 0x43, 0x00, 0x0c };
	static const uint8_t echo[8] = { 8, 0, 0, 0, 0x00, 0x07, 0x00, 0x02 };

	EXPECT_STREQ("ARP who-has 10.0.2.2 tell 10.0.2.15", dec(arp_req, sizeof(arp_req)));
	memcpy(f, arp_req, 42);
	f[21] = 2;
	EXPECT_STREQ("ARP reply 10.0.2.15 is-at 52:54:00:12:34:56", dec(f, 42));
	EXPECT_STREQ("IPv4 10.0.2.15:41000 > 10.0.2.2:80 TCP [S] seq 1 len 0",
		     dec(f, ipv4_frame(f, 6, syn, sizeof(syn))));
	EXPECT_STREQ("IPv4 10.0.2.15:80 > 10.0.2.2:41000 TCP [PA] seq 9 ack 2 len 4",
		     dec(f, ipv4_frame(f, 6, ack, sizeof(ack))));
	EXPECT_STREQ("IPv4 10.0.2.15:68 > 10.0.2.2:67 UDP len 4",
		     dec(f, ipv4_frame(f, 17, udp, 12)));
	EXPECT_STREQ("IPv4 10.0.2.15 > 10.0.2.2 ICMP echo request id 7 seq 2",
		     dec(f, ipv4_frame(f, 1, echo, 8)));
	/* padded to 60 bytes: the IP length wins */
	ipv4_frame(f, 17, udp, 12);
	EXPECT_STREQ("IPv4 10.0.2.15:68 > 10.0.2.2:67 UDP len 4", dec(f, 60));
	/* cut short */
	EXPECT_STREQ("IPv4 10.0.2.15 > 10.0.2.2 TCP [truncated] [truncated]",
		     dec(f, ipv4_frame(f, 6, syn, sizeof(syn)) - 10));
	/* a fragment is not parsed as TCP */
	ipv4_frame(f, 6, syn, sizeof(syn));
	f[20] = 0x00;
	f[21] = 0x10;
	EXPECT_STREQ("IPv4 10.0.2.15 > 10.0.2.2 fragment proto 6 offset 128", dec(f, 54));
}

TEST(decode_ipv6_vlan_and_others)
{
	uint8_t f[128] = { 0x33, 0x33, 0, 0, 0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x86, 0xdd };
	uint8_t *ip = f + 14;

	ip[0] = 0x60;
	ip[5] = 8;			/* payload length */
	ip[6] = 58;			/* ICMPv6 */
	ip[7] = 255;
	ip[8] = 0xfe;
	ip[9] = 0x80;
	ip[23] = 1;
	ip[24] = 0xff;
	ip[25] = 0x02;
	ip[39] = 1;
	ip[40] = 135;
	EXPECT_STREQ("IPv6 fe80::1 > ff02::1 ICMPv6 neighbor solicitation", dec(f, 62));
	/* behind a hop-by-hop header */
	ip[5] = 16;
	ip[6] = 0;
	memmove(ip + 48, ip + 40, 8);
	memset(ip + 40, 0, 8);
	ip[40] = 58;
	EXPECT_STREQ("IPv6 fe80::1 > ff02::1 ICMPv6 neighbor solicitation", dec(f, 70));
	/* VLAN-tagged ARP */
	memcpy(f, arp_req, 12);
	memcpy(f + 12, "\x81\x00\x00\x05", 4);
	memcpy(f + 16, arp_req + 12, 30);
	EXPECT_STREQ("VLAN 5 ARP who-has 10.0.2.2 tell 10.0.2.15", dec(f, 46));
	/* LLDP, an 802.3 length, a runt */
	memcpy(f, arp_req, 12);
	memcpy(f + 12, "\x88\xcc", 2);
	EXPECT_STREQ("52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff ethertype 0x88cc len 60", dec(f, 60));
	f[12] = 0x00;
	f[13] = 0x26;
	EXPECT_STREQ("52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff 802.3 length 38 len 60", dec(f, 60));
	EXPECT_STREQ("runt frame, 13 bytes", dec(f, 13));
	EXPECT_STREQ("runt frame, 0 bytes", dec(NULL, 0));
}

TEST(decode_never_overruns_on_random_and_cut_frames)
{
	uint8_t f[256];
	char small[24];
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % (sizeof(f) + 1));
		size_t n;

		for (size_t i = 0; i < len; i++)
			f[i] = (uint8_t)rand_r(&seed);
		/* steer half of them into the parsers */
		if (len >= 14 && (round & 1)) {
			static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806, 0x8100 };
			uint16_t t = types[round / 2 % 4];

			f[12] = (uint8_t)(t >> 8);
			f[13] = (uint8_t)t;
			if (len > 14 && t == 0x0800)
				f[14] = (uint8_t)(0x40 | (f[14] & 15));
			if (len > 14 && t == 0x86dd)
				f[14] = (uint8_t)(0x60 | (f[14] & 15));
		}
		n = net_decode(f, len, small, sizeof(small));
		ASSERT_LT(n, sizeof(small));
		ASSERT_EQ(n, strlen(small));
	}
	/* every prefix of a valid frame */
	for (size_t len = 0; len <= sizeof(arp_req); len++) {
		net_decode(arp_req, len, small, sizeof(small));
		ASSERT_LT(strlen(small), sizeof(small));
	}
	EXPECT_EQ(0u, net_decode(arp_req, 42, small, 0));
}

/* ---- frame queue ---------------------------------------------------- */

TEST(frameq_is_bounded_fifo_and_keeps_the_head_until_dropped)
{
	struct frameq q;
	const uint8_t *p;
	uint8_t a[3] = { 1, 2, 3 }, b[2] = { 4, 5 };

	ASSERT_EQ(0, frameq_init(&q, 2));
	EXPECT_TRUE(frameq_push(&q, a, 3));
	EXPECT_TRUE(frameq_push(&q, b, 2));
	EXPECT_FALSE(frameq_push(&q, a, 3));		/* full */
	EXPECT_FALSE(frameq_push(&q, a, 0));		/* empty frame */
	EXPECT_EQ(2u, q.dropped);
	EXPECT_EQ(3u, frameq_peek_wait(&q, &p, 0));
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(3u, frameq_peek_wait(&q, &p, 0));	/* still there */
	frameq_drop_head(&q);
	EXPECT_EQ(2u, frameq_peek_wait(&q, &p, 0));
	EXPECT_EQ(4, p[0]);
	frameq_drop_head(&q);
	EXPECT_EQ(0u, frameq_peek_wait(&q, &p, 20));	/* times out */
	EXPECT_TRUE(frameq_push(&q, a, 3));
	frameq_close(&q);
	EXPECT_EQ(0u, frameq_peek_wait(&q, &p, 1000));	/* closed: at once */
	EXPECT_FALSE(frameq_push(&q, a, 3));
	frameq_destroy(&q);
}

/* ---- pcap ----------------------------------------------------------- */

TEST(pcap_file_has_the_header_and_records_tcpdump_reads)
{
	char path[] = "/tmp/hvlab-test-XXXXXX";
	int fd = mkstemp(path);
	struct pcap_writer *w;
	uint8_t buf[200];
	uint32_t v;
	FILE *f;
	size_t n;

	ASSERT_GE(fd, 0);
	close(fd);
	w = pcap_open(path);
	ASSERT_NE(NULL, w);
	EXPECT_EQ(0, pcap_write(w, arp_req, sizeof(arp_req), 1700000000123456789ull));
	EXPECT_EQ(0, pcap_write(w, arp_req, 14, 1700000001000000000ull));
	EXPECT_EQ(2u, pcap_frames(w));
	pcap_close(w);

	f = fopen(path, "rb");
	ASSERT_NE(NULL, f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ASSERT_EQ(24u + 16 + 42 + 16 + 14, n);
	memcpy(&v, buf, 4);
	EXPECT_EQ(PCAP_MAGIC, v);
	EXPECT_EQ(2, buf[4]);				/* version 2.4 */
	EXPECT_EQ(4, buf[6]);
	memcpy(&v, buf + 16, 4);
	EXPECT_EQ(PCAP_SNAPLEN, v);
	memcpy(&v, buf + 20, 4);
	EXPECT_EQ(1u, v);				/* Ethernet */
	memcpy(&v, buf + 24, 4);
	EXPECT_EQ(1700000000u, v);
	memcpy(&v, buf + 28, 4);
	EXPECT_EQ(123456u, v);				/* microseconds */
	memcpy(&v, buf + 32, 4);
	EXPECT_EQ(42u, v);
	EXPECT_EQ(0, memcmp(buf + 40, arp_req, 42));

	if (!access("/usr/bin/tcpdump", X_OK) || !access("/usr/sbin/tcpdump", X_OK)) {
		char cmd[256], out[512] = "";
		FILE *p;

		snprintf(cmd, sizeof(cmd), "PATH=$PATH:/usr/sbin tcpdump -nn -r %s 2>/dev/null", path);
		p = popen(cmd, "r");
		ASSERT_NE(NULL, p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = 0;
		pclose(p);
		EXPECT_NE(NULL, strstr(out, "Request who-has 10.0.2.2 tell 10.0.2.15"))
			TH_LOG("tcpdump said: %s", out);
	}
	unlink(path);
}

/* ---- the internal switch --------------------------------------------- */

static ssize_t recv_wait(struct netsw *s, uint8_t *buf, size_t cap)
{
	for (int i = 0; i < 200; i++) {
		ssize_t n = netsw_recv(s, buf, cap);

		if (n)
			return n;
		usleep(1000);
	}
	return 0;
}

static void frame(uint8_t *f, const char *dst, const char *src)
{
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
}

#define MAC_A "\x02\x00\x00\x00\x00\x0a"
#define MAC_B "\x02\x00\x00\x00\x00\x0b"
#define BCAST "\xff\xff\xff\xff\xff\xff"

TEST(internal_switch_floods_learns_and_counts)
{
	char name[32], err[256];
	struct netsw *a, *b, *c, *other;
	struct netsw_stats st;
	uint8_t f[60], r[2048];

	snprintf(name, sizeof(name), "t%d-%ld", (int)getpid(), (long)time(NULL));
	EXPECT_EQ(NULL, netsw_open("bad/name", err, sizeof(err)));
	EXPECT_EQ(NULL, netsw_open("", err, sizeof(err)));
	a = netsw_open(name, err, sizeof(err));
	b = netsw_open(name, err, sizeof(err));
	c = netsw_open(name, err, sizeof(err));
	other = netsw_open("x-other-segment", err, sizeof(err));
	ASSERT_NE(NULL, a) TH_LOG("%s", err);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, other);

	/* a broadcast from A reaches B and C, not another segment */
	frame(f, BCAST, MAC_A);
	EXPECT_EQ(0, netsw_send(a, f, 60));
	EXPECT_EQ(60, recv_wait(b, r, sizeof(r)));
	EXPECT_EQ(0, memcmp(r, f, 60));
	EXPECT_EQ(60, recv_wait(c, r, sizeof(r)));
	EXPECT_EQ(0, netsw_recv(other, r, sizeof(r)));
	EXPECT_EQ(0, netsw_recv(a, r, sizeof(r)));	/* never back to the sender */
	/* B answers A: B has learned A, so only A gets it */
	frame(f, MAC_A, MAC_B);
	EXPECT_EQ(0, netsw_send(b, f, 60));
	EXPECT_EQ(60, recv_wait(a, r, sizeof(r)));
	EXPECT_EQ(0, memcmp(r + 6, MAC_B, 6));
	usleep(20000);
	EXPECT_EQ(0, netsw_recv(c, r, sizeof(r)));
	/* and A has learned B */
	frame(f, MAC_B, MAC_A);
	EXPECT_EQ(0, netsw_send(a, f, 60));
	EXPECT_EQ(60, recv_wait(b, r, sizeof(r)));
	usleep(20000);
	EXPECT_EQ(0, netsw_recv(c, r, sizeof(r)));

	netsw_get_stats(a, &st);
	EXPECT_EQ(2u, st.tx_frames);
	EXPECT_EQ(120u, st.tx_bytes);
	EXPECT_EQ(1u, st.flooded);
	EXPECT_EQ(1u, st.unicast);
	EXPECT_EQ(1u, st.rx_frames);
	EXPECT_EQ(2u, st.peers);
	EXPECT_EQ(1u, st.learned);
	netsw_get_stats(b, &st);
	EXPECT_EQ(1u, st.unicast);
	EXPECT_EQ(2u, st.rx_frames);

	/* C leaves: A's next flood finds one peer only, without errors piling up */
	netsw_close(c);
	usleep(NETSW_RESCAN_MS * 1000 + 50000);
	frame(f, BCAST, MAC_A);
	EXPECT_EQ(0, netsw_send(a, f, 60));
	netsw_get_stats(a, &st);
	EXPECT_EQ(1u, st.peers);
	EXPECT_EQ(0u, st.drops);
	EXPECT_EQ(60, recv_wait(b, r, sizeof(r)));
	netsw_close(a);
	netsw_close(b);
	netsw_close(other);
}

TEST_HARNESS_MAIN
