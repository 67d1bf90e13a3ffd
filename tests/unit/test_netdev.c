// SPDX-License-Identifier: GPL-2.0
/*
 * test_netdev.c - whole network cards as hvlab run --net builds them
 * (vm_init, no module): the guest side is played by the test, writing
 * the e1000's rings in guest RAM and its registers through the bus.
 *   - two VMs on internal:NAME: a broadcast from one lands in the other's
 *     receive ring, with its interrupt, and in the sender's pcap file;
 *   - nat: libslirp answers the guest's ARP for the gateway 10.0.2.2;
 *   - bad modes fail with a message.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "hw_stubs.h"
#include "hw/board.h"
#include "hw/e1000_regs.h"
#include "hw/pci.h"
#include "dash/trace.h"
#include "net/framedec.h"
#include "net/netdev.h"
#include "vm.h"

#define TX_RING		0x100000
#define RX_RING		0x101000
#define TX_BUF		0x102000
#define RX_BUFS		0x110000

struct guest {
	struct vm vm;
	uint8_t *ram;
	uint64_t bar0;
	unsigned tail;
};

static uint32_t cfg_rd(struct bus *bus, unsigned slot, unsigned reg)
{
	out(bus, 0xcf8, 0x80000000u | slot << 11 | reg, 4);
	return in(bus, 0xcfc, 4);
}

static void cfg_wr(struct bus *bus, unsigned slot, unsigned reg, uint32_t v)
{
	out(bus, 0xcf8, 0x80000000u | slot << 11 | reg, 4);
	out(bus, 0xcfc, v, 4);
}

static void wr(struct guest *g, uint32_t reg, uint32_t v)
{
	mmio_wr(g->vm.bus, g->bar0 + reg, v);
}

static uint32_t rd(struct guest *g, uint32_t reg)
{
	return mmio_rd(g->vm.bus, g->bar0 + reg);
}

/* What the e1000 driver's open does, reduced: rings, enable, unmask. */
static int guest_up(struct guest *g, struct vm_options *opt)
{
	int ret = vm_init(&g->vm, opt);
	unsigned slot;

	if (ret)
		return ret;
	g->ram = g->vm.ram;
	for (slot = 1; slot < 32; slot++)
		if (cfg_rd(g->vm.bus, slot, 0) == 0x100e8086u)
			break;
	if (slot == 32)
		return -1;
	g->bar0 = cfg_rd(g->vm.bus, slot, PCI_BAR0) & ~0xfu;
	cfg_wr(g->vm.bus, slot, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (unsigned i = 0; i < 8; i++) {
		uint64_t a = RX_BUFS + 0x800 * i;

		memcpy(g->ram + RX_RING + 16 * i, &a, 8);
	}
	wr(g, E1000_TDBAL, TX_RING);
	wr(g, E1000_TDLEN, 8 * 16);
	wr(g, E1000_TCTL, E1000_TCTL_EN);
	wr(g, E1000_RDBAL, RX_RING);
	wr(g, E1000_RDLEN, 8 * 16);
	wr(g, E1000_RDT, 7);
	wr(g, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
	wr(g, E1000_IMS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
	return 0;
}

static void guest_send(struct guest *g, const uint8_t *f, uint16_t len)
{
	uint8_t *d = g->ram + TX_RING + 16 * g->tail;
	uint64_t a = TX_BUF;

	memcpy(g->ram + TX_BUF, f, len);
	memset(d, 0, 16);
	memcpy(d, &a, 8);
	memcpy(d + 8, &len, 2);
	d[11] = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	g->tail = (g->tail + 1) % 8;
	wr(g, E1000_TDT, g->tail);
}

/* Waits for receive descriptor i to be done; its length, or 0. */
static unsigned guest_wait_rx(struct guest *g, unsigned i)
{
	volatile uint8_t *d = g->ram + RX_RING + 16 * i;

	for (int t = 0; t < 2000; t++) {
		if (d[12] & E1000_RXD_STAT_DD)
			return (unsigned)(d[8] | d[9] << 8);
		usleep(1000);
	}
	return 0;
}

static const uint8_t arp_gw[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x56, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x52, 0x56, 0x00, 0x00, 0x00, 0x01, 10, 0, 2, 15,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 2, 2,
};

/* What --stats prints for a card. */
static char *print_stats(struct netdev *nd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	netdev_print_stats(nd, f);
	fclose(f);
	return text;
}

TEST(two_vms_on_one_internal_segment)
{
	char *t;	/* --stats of a card */
	struct guest *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct vm_options oa = { .ram_size = 4 << 20, .ncpus = 1, .console = stderr };
	struct vm_options ob = oa;
	char mode[64], pcap[] = "/tmp/hvlab-netdev-XXXXXX";
	struct netdev_stats st;
	struct irq_stats is;
	uint8_t f[60] = { 0 };
	int fd = mkstemp(pcap);
	FILE *pf;
	long size;

	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(mode, sizeof(mode), "internal:nd%d-%ld", (int)getpid(), (long)time(NULL));
	oa.net[0] = (struct netdev_config){ .mode = mode, .pcap = pcap };
	oa.nnics = 1;
	ob.net[0] = (struct netdev_config){ .mode = mode };
	ob.nnics = 1;
	ASSERT_EQ(0, guest_up(a, &oa));
	ASSERT_EQ(0, guest_up(b, &ob));
	/* two VMs of one process: the index differs only through --mac */
	EXPECT_EQ(0x52, netdev_mac(a->vm.nic[0])[0]);

	memcpy(f, "\xff\xff\xff\xff\xff\xff\x52\x56\x00\x00\x00\x0a\x88\xb5", 14);
	memcpy(f + 14, "hello, segment", 14);
	guest_send(a, f, 60);
	EXPECT_EQ(60u, guest_wait_rx(b, 0));
	EXPECT_EQ(0, memcmp(b->ram + RX_BUFS, f, 60));
	EXPECT_EQ(1u, rd(b, E1000_RDH));
	EXPECT_TRUE(rd(b, E1000_ICR) & E1000_ICR_RXT0);
	irqchip_stats(b->vm.irq, &is);
	EXPECT_EQ(1u, is.raised[PCI_INTX_IRQ_ODD]);	/* slot 1: INTA# on IRQ 11 */

	netdev_get_stats(a->vm.nic[0], &st);
	EXPECT_EQ(1u, st.tx_frames);
	EXPECT_EQ(60u, st.tx_bytes);
	netdev_get_stats(b->vm.nic[0], &st);
	EXPECT_EQ(1u, st.rx_frames);
	EXPECT_EQ(0u, st.drops);
	t = print_stats(b->vm.nic[0]);
	EXPECT_NE(NULL, strstr(t, "NIC 0 (e1000, --net internal:nd")) TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(t, "guest             1 frames")) TH_LOG("%s", t);
	EXPECT_NE(NULL, strstr(t, "1 peers, 1 MACs learned")) TH_LOG("%s", t);
	free(t);

	vm_destroy(&a->vm);
	vm_destroy(&b->vm);
	pf = fopen(pcap, "rb");
	ASSERT_NE(NULL, pf);
	fseek(pf, 0, SEEK_END);
	size = ftell(pf);
	fclose(pf);
	EXPECT_EQ(24 + 16 + 60, size);		/* the header and the one frame */
	unlink(pcap);
	free(a);
	free(b);
}

TEST(nat_answers_arp_for_the_gateway)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct vm_options o = { .ram_size = 4 << 20, .ncpus = 1, .console = stderr };
	uint8_t *r;

	o.net[0] = (struct netdev_config){ .mode = "nat", .mac_set = true };
	memcpy(o.net[0].mac, arp_gw + 6, 6);	/* the ARP reply comes to this MAC */
	o.nnics = 1;
	ASSERT_EQ(0, guest_up(g, &o));
	guest_send(g, arp_gw, sizeof(arp_gw));
	ASSERT_LE(42u, guest_wait_rx(g, 0));
	r = g->ram + RX_BUFS;
	EXPECT_EQ(0, memcmp(r, arp_gw + 6, 6));		/* to us */
	EXPECT_EQ(0x0806, r[12] << 8 | r[13]);
	EXPECT_EQ(2, r[21]);					/* ARP reply */
	EXPECT_EQ(0, memcmp(r + 28, "\x0a\x00\x02\x02", 4));	/* 10.0.2.2 is-at ... */
	vm_destroy(&g->vm);
	free(g);
}

/*
 * hostfwd: a host connection to 127.0.0.1:PORT comes to the guest as a SYN
 * from 10.0.2.2 to 10.0.2.15:22 (libslirp learned the guest's MAC from its
 * ARP request).
 */
TEST(nat_hostfwd_brings_a_host_connection_to_the_guest)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct vm_options o = { .ram_size = 4 << 20, .ncpus = 1, .console = stderr };
	struct sockaddr_in a = { .sin_family = AF_INET };
	char mode[64], line[160];
	unsigned len, port = 20000 + (unsigned)getpid() % 20000;
	int fd;

	snprintf(mode, sizeof(mode), "nat,hostfwd=tcp::%u-:22", port);
	o.net[0] = (struct netdev_config){ .mode = mode, .mac_set = true };
	memcpy(o.net[0].mac, arp_gw + 6, 6);
	o.nnics = 1;
	ASSERT_EQ(0, guest_up(g, &o));
	guest_send(g, arp_gw, sizeof(arp_gw));
	ASSERT_LE(42u, guest_wait_rx(g, 0));

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_GE(fd, 0);
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	connect(fd, (struct sockaddr *)&a, sizeof(a));	/* EINPROGRESS */
	len = guest_wait_rx(g, 1);
	ASSERT_LE(54u, len);
	net_decode(g->ram + RX_BUFS + 0x800, len, line, sizeof(line));	/* SECRC: no FCS */
	EXPECT_NE(NULL, strstr(line, "> 10.0.2.15:22 TCP [S]")) TH_LOG("got: %s", line);
	close(fd);
	vm_destroy(&g->vm);
	free(g);
}

/* --record: each frame becomes a FRAME record (vm_watch_nics) */
TEST(recorded_frames_land_in_the_trace)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct vm_options o = { .ram_size = 4 << 20, .ncpus = 1, .console = stderr };
	struct trace_config tc = { .mem_size = 4 << 20, .nr_vcpus = 1, .image = "t" };
	char path[] = "/tmp/hvlab-netrec-XXXXXX", mode[64];
	struct trace_reader *r;
	struct trace_event ev;
	int fd = mkstemp(path), frames = 0;
	uint8_t f[60] = { 0 };

	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(mode, sizeof(mode), "internal:rec%d", (int)getpid());
	o.net[0] = (struct netdev_config){ .mode = mode };
	o.nnics = 1;
	ASSERT_EQ(0, guest_up(g, &o));
	g->vm.rec = trace_create(path, &tc);
	ASSERT_NE(NULL, g->vm.rec);
	vm_watch_nics(&g->vm);
	memcpy(f, "\xff\xff\xff\xff\xff\xff\x52\x56\x00\x00\x00\x0a\x88\xb5", 14);
	guest_send(g, f, 60);
	netdev_set_observer(g->vm.nic[0], NULL, NULL);	/* as vm_run does before closing */
	ASSERT_EQ(0, trace_close(g->vm.rec));
	g->vm.rec = NULL;
	r = trace_open(path);
	ASSERT_NE(NULL, r);
	while (trace_next(r, &ev) == 1)
		if (ev.type == TRACE_FRAME) {
			EXPECT_EQ(0, ev.frame.nic);
			EXPECT_EQ(TRACE_FRAME_OUT, ev.frame.dir);
			EXPECT_EQ(60u, ev.frame.wire_len);
			EXPECT_EQ(0, memcmp(ev.data, f, 14));
			frames++;
		}
	EXPECT_EQ(1, frames);
	EXPECT_EQ(NULL, trace_error(r));
	trace_free(r);
	unlink(path);
	vm_destroy(&g->vm);
	free(g);
}

TEST(bad_modes_fail_with_a_message)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct vm_options o = { .ram_size = 4 << 20, .ncpus = 1, .console = stderr };

	o.net[0] = (struct netdev_config){ .mode = "internal:no/slash" };
	o.nnics = 1;
	EXPECT_NE(0, vm_init(&g->vm, &o));
	vm_destroy(&g->vm);
	o.net[0] = (struct netdev_config){ .mode = "nat,hostfwd=tcp::99999-:22" };
	EXPECT_NE(0, vm_init(&g->vm, &o));
	vm_destroy(&g->vm);
	o.net[0] = (struct netdev_config){ .mode = "bridged:" };
	EXPECT_NE(0, vm_init(&g->vm, &o));
	vm_destroy(&g->vm);
	free(g);
}

TEST(macs_parse_and_default_per_process_and_index)
{
	uint8_t m[6], d0[6], d1[6];

	EXPECT_EQ(0, netdev_parse_mac("52:54:00:12:34:56", m));
	EXPECT_EQ(0x56, m[5]);
	EXPECT_EQ(-1, netdev_parse_mac("01:00:5e:00:00:01", m));	/* multicast */
	EXPECT_EQ(-1, netdev_parse_mac("52:54:00:12:34", m));
	EXPECT_EQ(-1, netdev_parse_mac("52:54:00:12:34:56:78", m));
	netdev_default_mac(d0, 0);
	netdev_default_mac(d1, 1);
	EXPECT_EQ(2, d0[0] & 3);				/* local, unicast */
	EXPECT_NE(0, memcmp(d0, d1, 6));
	EXPECT_EQ((uint8_t)getpid(), d0[4]);
}

TEST_HARNESS_MAIN
