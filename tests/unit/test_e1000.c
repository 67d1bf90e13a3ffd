// SPDX-License-Identifier: GPL-2.0
/*
 * test_e1000.c - the 82540EM model (hw/e1000.c) through its PCI BARs, as a
 * driver sees it: probe (IDs, EEPROM by EERD and by Microwire bit-banging,
 * checksum 0xBABA, PHY over MDIC), interrupt cause/mask semantics and
 * INTA#, statistics read-to-clear, transmit (legacy, context + data with
 * checksum insertion, TSO) and receive (filters, multi-buffer frames, FCS),
 * and hostile rings: wrap, zero and huge lengths, heads and tails beyond
 * the ring, rings and buffers outside guest RAM.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "guestmem.h"
#include "hw_stubs.h"
#include "hw/board.h"
#include "hw/e1000.h"
#include "hw/e1000_regs.h"
#include "hw/pci.h"

#define RAM_SIZE	(1u << 20)
#define TX_RING		0x10000
#define RX_RING		0x20000
#define BUFS		0x40000

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct sent {
	unsigned n;
	size_t len[64];
	uint8_t frame[64][2048];
};

static void tx_cb(void *ctx, const uint8_t *f, size_t len)
{
	struct sent *s = ctx;

	if (s->n < 64) {
		s->len[s->n] = len;
		memcpy(s->frame[s->n], f, len < 2048 ? len : 2048);
	}
	s->n++;
}

FIXTURE(nic) {
	uint8_t *ram;
	struct guest_mem gm;
	struct bus *bus;
	struct pci_host *h;
	struct line_stub irq;
	struct e1000 *e;
	uint64_t bar0;
	uint16_t iobase;
	struct sent *sent;
};

static void wr(struct __test_metadata *m, FIXTURE_DATA(nic) *self, uint32_t reg, uint32_t v)
{
	(void)m;
	mmio_wr(self->bus, self->bar0 + reg, v);
}

static uint32_t rd(FIXTURE_DATA(nic) *self, uint32_t reg)
{
	return mmio_rd(self->bus, self->bar0 + reg);
}

#define WR(reg, v) wr(_metadata, self, reg, v)
#define RD(reg) rd(self, reg)

static void cfg_wr(struct bus *bus, unsigned slot, unsigned reg, uint32_t v)
{
	out(bus, 0xcf8, 0x80000000u | slot << 11 | reg, 4);
	out(bus, 0xcfc, v, 4);
}

static uint32_t cfg_rd(struct bus *bus, unsigned slot, unsigned reg)
{
	out(bus, 0xcf8, 0x80000000u | slot << 11 | reg, 4);
	return in(bus, 0xcfc, 4);
}

static void one_line(void *ctx, unsigned gsi, int level)
{
	line_stub_set(ctx, gsi, level);
}

FIXTURE_SETUP(nic)
{
	struct irq_line l = { .set = one_line, .ctx = &self->irq };

	self->ram = calloc(1, RAM_SIZE);
	self->sent = calloc(1, sizeof(*self->sent));
	ASSERT_NE(NULL, self->ram);
	memset(&self->gm, 0, sizeof(self->gm));
	memset(&self->irq, 0, sizeof(self->irq));
	ASSERT_EQ(0, gmem_add(&self->gm, 0, RAM_SIZE, self->ram, false));
	self->bus = bus_new();
	self->h = pci_attach(self->bus, &l);
	ASSERT_NE(NULL, self->h);
	self->e = e1000_create(self->h, 3, &self->gm, mac, tx_cb, self->sent);
	ASSERT_NE(NULL, self->e);
	self->bar0 = cfg_rd(self->bus, 3, PCI_BAR0) & ~0xfu;
	self->iobase = (uint16_t)(cfg_rd(self->bus, 3, PCI_BAR0 + 4) & ~3u);
	cfg_wr(self->bus, 3, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
}

FIXTURE_TEARDOWN(nic)
{
	bus_free(self->bus);
	e1000_free(self->e);
	free(self->sent);
	free(self->ram);
}

static uint16_t eerd(FIXTURE_DATA(nic) *self, unsigned word)
{
	mmio_wr(self->bus, self->bar0 + E1000_EERD,
		word << E1000_EERD_ADDR_SHIFT | E1000_EERD_START);
	return (uint16_t)(rd(self, E1000_EERD) >> E1000_EERD_DATA_SHIFT);
}

TEST_F(nic, pci_identity_and_bars)
{
	EXPECT_EQ(0x100e8086u, cfg_rd(self->bus, 3, 0));
	EXPECT_EQ(0x02000003u, cfg_rd(self->bus, 3, 8));
	EXPECT_EQ(0x001e8086u, cfg_rd(self->bus, 3, PCI_SUBSYSTEM_VENDOR_ID));
	cfg_wr(self->bus, 3, PCI_BAR0, 0xffffffff);
	EXPECT_EQ(0xfffe0000u, cfg_rd(self->bus, 3, PCI_BAR0));		/* 128 KiB */
	cfg_wr(self->bus, 3, PCI_BAR0, (uint32_t)self->bar0);
	cfg_wr(self->bus, 3, PCI_BAR0 + 4, 0xffffffff);
	EXPECT_EQ(0xffffffc1u, cfg_rd(self->bus, 3, PCI_BAR0 + 4));	/* 64 ports */
	cfg_wr(self->bus, 3, PCI_BAR0 + 4, self->iobase);
	EXPECT_EQ(PCI_INTX_IRQ_ODD, cfg_rd(self->bus, 3, PCI_INTERRUPT_LINE) & 0xff);
}

TEST_F(nic, eeprom_by_eerd_has_the_mac_and_sums_to_baba)
{
	uint16_t sum = 0;

	for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++)
		sum = (uint16_t)(sum + eerd(self, i));
	EXPECT_EQ(E1000_EEPROM_SUM, sum);
	EXPECT_EQ(0x5452, eerd(self, 0));
	EXPECT_EQ(0x1200, eerd(self, 1));
	EXPECT_EQ(0x5634, eerd(self, 2));
	EXPECT_TRUE(RD(E1000_EERD) & E1000_EERD_DONE);
	/* receive address 0 was loaded from it, valid */
	EXPECT_EQ(0x12005452u, RD(E1000_RA));
	EXPECT_EQ(0x5634u | E1000_RAH_AV, RD(E1000_RA + 4));
}

/* Linux's e1000_read_eeprom for an 82540: request, CS, opcode, address, 16 bits in. */
static uint16_t microwire_read(FIXTURE_DATA(nic) *self, unsigned word)
{
	uint32_t cmd = E1000_EE_OPCODE_READ << E1000_EE_ADDR_BITS | word, eecd;
	uint16_t data = 0;

	mmio_wr(self->bus, self->bar0 + E1000_EECD, E1000_EECD_REQ);
	eecd = rd(self, E1000_EECD);
	if (!(eecd & E1000_EECD_GNT))
		return 0xdead;
	eecd |= E1000_EECD_CS;
	mmio_wr(self->bus, self->bar0 + E1000_EECD, eecd);
	for (int i = 3 + E1000_EE_ADDR_BITS - 1; i >= 0; i--) {
		eecd = (eecd & ~E1000_EECD_DI) | ((cmd >> i) & 1 ? E1000_EECD_DI : 0);
		mmio_wr(self->bus, self->bar0 + E1000_EECD, eecd);
		mmio_wr(self->bus, self->bar0 + E1000_EECD, eecd | E1000_EECD_SK);
		mmio_wr(self->bus, self->bar0 + E1000_EECD, eecd);
	}
	for (int i = 0; i < 16; i++) {
		mmio_wr(self->bus, self->bar0 + E1000_EECD, eecd | E1000_EECD_SK);
		data = (uint16_t)(data << 1 | !!(rd(self, E1000_EECD) & E1000_EECD_DO));
		mmio_wr(self->bus, self->bar0 + E1000_EECD, eecd);
	}
	mmio_wr(self->bus, self->bar0 + E1000_EECD, eecd & ~(E1000_EECD_CS | E1000_EECD_REQ));
	return data;
}

TEST_F(nic, eeprom_by_microwire_bit_banging)
{
	EXPECT_TRUE(RD(E1000_EECD) & E1000_EECD_PRES);
	EXPECT_FALSE(RD(E1000_EECD) & E1000_EECD_GNT);
	EXPECT_EQ(0x5452, microwire_read(self, 0));
	EXPECT_EQ(0x1200, microwire_read(self, 1));
	EXPECT_EQ(0x5634, microwire_read(self, 2));
	EXPECT_EQ(E1000_DEV_82540EM, microwire_read(self, 0x0d));
	EXPECT_EQ(eerd(self, E1000_EEPROM_CHECKSUM), microwire_read(self, E1000_EEPROM_CHECKSUM));
}

static uint16_t mdic(FIXTURE_DATA(nic) *self, unsigned phy, unsigned reg, int wval, uint32_t *raw)
{
	uint32_t v = phy << E1000_MDIC_PHY_SHIFT | reg << E1000_MDIC_REG_SHIFT;

	v |= wval >= 0 ? E1000_MDIC_OP_WRITE | (uint16_t)wval : E1000_MDIC_OP_READ;
	mmio_wr(self->bus, self->bar0 + E1000_MDIC, v);
	*raw = rd(self, E1000_MDIC);
	return (uint16_t)*raw;
}

TEST_F(nic, link_is_up_and_the_phy_answers_on_address_1)
{
	uint32_t raw;

	EXPECT_EQ(E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000, RD(E1000_STATUS));
	EXPECT_EQ(0x0141, mdic(self, 1, PHY_ID1, -1, &raw));
	EXPECT_TRUE(raw & E1000_MDIC_READY);
	EXPECT_FALSE(raw & E1000_MDIC_ERROR);
	EXPECT_EQ(0x0c20, mdic(self, 1, PHY_ID2, -1, &raw));
	mdic(self, 2, PHY_ID1, -1, &raw);
	EXPECT_TRUE(raw & E1000_MDIC_ERROR);
	/* reset and autonegotiation restart complete at once */
	mdic(self, 1, PHY_CTRL, MII_CR_RESET | 0x1140, &raw);
	EXPECT_EQ(0x1140, mdic(self, 1, PHY_CTRL, -1, &raw));
	mdic(self, 1, PHY_CTRL, 0x1140 | MII_CR_RESTART_AN, &raw);
	EXPECT_EQ(0x1140, mdic(self, 1, PHY_CTRL, -1, &raw));
	EXPECT_TRUE(mdic(self, 1, PHY_STATUS, -1, &raw) & MII_SR_LINK);
	EXPECT_TRUE(mdic(self, 1, PHY_STATUS, -1, &raw) & MII_SR_AN_COMPLETE);
	/* read-only registers stay, writable ones keep what is written */
	mdic(self, 1, PHY_ID1, 0x1234, &raw);
	EXPECT_EQ(0x0141, mdic(self, 1, PHY_ID1, -1, &raw));
	mdic(self, 1, PHY_AUTONEG_ADV, 0x01e1, &raw);
	EXPECT_EQ(0x01e1, mdic(self, 1, PHY_AUTONEG_ADV, -1, &raw));
	/* CTRL.RST brings everything back, RST self-clears */
	WR(E1000_IMS, 0xff);
	WR(E1000_CTRL, E1000_CTRL_RST);
	EXPECT_FALSE(RD(E1000_CTRL) & E1000_CTRL_RST);
	EXPECT_EQ(0u, RD(E1000_IMS));
	EXPECT_EQ(0x0de1, mdic(self, 1, PHY_AUTONEG_ADV, -1, &raw));
}

TEST_F(nic, icr_is_read_to_clear_and_drives_inta)
{
	struct e1000_stats st;

	WR(E1000_ICS, E1000_ICR_LSC);
	EXPECT_EQ(0, self->irq.level);			/* masked */
	EXPECT_EQ(E1000_ICR_LSC, e1000_peek(self->e, E1000_ICR));
	WR(E1000_IMS, E1000_ICR_LSC | E1000_ICR_RXT0);
	EXPECT_EQ(1, self->irq.level);
	EXPECT_EQ(PCI_INTX_IRQ_ODD, self->irq.gsi);
	EXPECT_EQ(E1000_ICR_LSC | E1000_ICR_RXT0, RD(E1000_IMS));
	EXPECT_EQ(0u, RD(E1000_IMC));
	EXPECT_EQ(E1000_ICR_LSC, RD(E1000_ICR));	/* read... */
	EXPECT_EQ(0, self->irq.level);
	EXPECT_EQ(0u, RD(E1000_ICR));			/* ...to clear */
	WR(E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
	EXPECT_EQ(1, self->irq.level);
	WR(E1000_IMC, E1000_ICR_RXT0);
	EXPECT_EQ(0, self->irq.level);			/* TXDW is not enabled */
	WR(E1000_ICR, E1000_ICR_TXDW);			/* write 1 to clear */
	EXPECT_EQ(E1000_ICR_RXT0, e1000_peek(self->e, E1000_ICR));
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(2u, st.irqs);
	EXPECT_EQ(2u, self->irq.rises);
}

TEST_F(nic, io_bar_reaches_the_registers)
{
	out(self->bus, self->iobase + E1000_IOADDR, E1000_STATUS, 4);
	EXPECT_EQ(E1000_STATUS, in(self->bus, self->iobase + E1000_IOADDR, 4));
	EXPECT_EQ(E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000,
		  in(self->bus, self->iobase + E1000_IODATA, 4));
	out(self->bus, self->iobase + E1000_IOADDR, E1000_IMS, 4);
	out(self->bus, self->iobase + E1000_IODATA, 0x84, 4);
	EXPECT_EQ(0x84u, RD(E1000_IMS));
}

/* Each BAR access is one exit to userspace: the bench's exits per frame. */
TEST_F(nic, register_accesses_are_counted)
{
	struct e1000_stats st0, st;

	e1000_get_stats(self->e, &st0);
	RD(E1000_STATUS);
	WR(E1000_IMS, E1000_ICR_TXDW);
	out(self->bus, self->iobase + E1000_IOADDR, E1000_STATUS, 4);
	in(self->bus, self->iobase + E1000_IODATA, 4);
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(4u, st.reg_accesses - st0.reg_accesses);
}

/* ---- transmit ------------------------------------------------------ */

static uint8_t *txd(FIXTURE_DATA(nic) *self, unsigned i)
{
	return self->ram + TX_RING + 16 * i;
}

static void legacy_txd(FIXTURE_DATA(nic) *self, unsigned i, uint64_t addr, uint16_t len,
		       uint8_t cmd)
{
	uint8_t *d = txd(self, i);

	memset(d, 0, 16);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 2);
	d[11] = cmd;
}

static void tx_setup(struct __test_metadata *_metadata, FIXTURE_DATA(nic) *self, unsigned n)
{
	WR(E1000_TDBAL, TX_RING);
	WR(E1000_TDBAH, 0);
	WR(E1000_TDLEN, n * 16);
	WR(E1000_TDH, 0);
	WR(E1000_TDT, 0);
	WR(E1000_TCTL, E1000_TCTL_EN);
	WR(E1000_IMS, E1000_ICR_TXDW);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i);
}

TEST_F(nic, legacy_transmit_gathers_writes_dd_and_wraps)
{
	struct e1000_stats st;
	const uint8_t eop = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;

	tx_setup(_metadata, self, 8);
	fill(self->ram + BUFS, 100, 1);
	fill(self->ram + BUFS + 0x1000, 60, 7);
	/* a frame in two pieces, then one whole */
	legacy_txd(self, 0, BUFS, 40, E1000_TXD_CMD_IFCS);
	legacy_txd(self, 1, BUFS + 40, 60, eop);
	legacy_txd(self, 2, BUFS + 0x1000, 60, eop);
	WR(E1000_TDT, 3);
	ASSERT_EQ(2u, self->sent->n);
	EXPECT_EQ(100u, self->sent->len[0]);
	EXPECT_EQ(0, memcmp(self->sent->frame[0], self->ram + BUFS, 100));
	EXPECT_EQ(60u, self->sent->len[1]);
	EXPECT_EQ(3u, RD(E1000_TDH));
	for (int i = 0; i < 3; i++)
		EXPECT_TRUE(txd(self, i)[12] & E1000_TXD_STAT_DD);
	EXPECT_EQ(1, self->irq.level);
	EXPECT_TRUE(RD(E1000_ICR) & E1000_ICR_TXDW);
	/* around the end of the ring: 3..7, then 0, 1 */
	for (unsigned i = 3; i < 8; i++)
		legacy_txd(self, i, BUFS + 0x1000, 60, eop);
	legacy_txd(self, 0, BUFS + 0x1000, 60, eop);
	legacy_txd(self, 1, BUFS + 0x1000, 60, eop);
	WR(E1000_TDT, 2);
	EXPECT_EQ(9u, self->sent->n);
	EXPECT_EQ(2u, RD(E1000_TDH));
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(1u, st.tx_wraps);
	EXPECT_EQ(9u, st.tx_frames);
	EXPECT_EQ(9u, RD(E1000_GPTC));			/* read-to-clear */
	EXPECT_EQ(0u, RD(E1000_GPTC));
	EXPECT_EQ(9u, RD(E1000_TPT));
}

TEST_F(nic, hostile_transmit_rings_are_dropped_and_counted)
{
	struct e1000_stats st;
	const uint8_t eop = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;

	tx_setup(_metadata, self, 8);
	/* zero length: consumed, nothing sent (a packet of nothing) */
	legacy_txd(self, 0, BUFS, 0, eop);
	/* buffer outside RAM, and one straddling its end */
	legacy_txd(self, 1, 0x7ffff0000000ull, 64, eop);
	legacy_txd(self, 2, RAM_SIZE - 10, 64, eop);
	/* huge: 65535 bytes per descriptor, chained past the 64 KiB limit */
	legacy_txd(self, 3, 0, 65535, 0);
	legacy_txd(self, 4, 0, 65535, eop);
	WR(E1000_TDT, 5);
	EXPECT_EQ(0u, self->sent->n);
	EXPECT_EQ(5u, RD(E1000_TDH));
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(2u, st.dma_errors);
	EXPECT_EQ(4u, st.tx_dropped);
	/* a tail beyond the ring: the ring stops, nothing is read */
	WR(E1000_TDT, 200);
	EXPECT_EQ(200u, RD(E1000_TDH));
	/* the ring itself outside RAM */
	WR(E1000_TDBAL, 0xfff00000);
	WR(E1000_TDBAH, 0x7f);
	WR(E1000_TDH, 0);
	WR(E1000_TDT, 1);
	EXPECT_EQ(1u, RD(E1000_TDH));
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(4u, st.dma_errors);
	EXPECT_EQ(0u, self->sent->n);
	/* and still works afterwards */
	tx_setup(_metadata, self, 8);
	legacy_txd(self, 0, BUFS, 60, eop);
	WR(E1000_TDT, 1);
	EXPECT_EQ(1u, self->sent->n);
}

/* An IPv4/TCP frame: 14 + 20 + 20 header bytes, then payload. */
static size_t tcp_frame(uint8_t *f, size_t payload)
{
	size_t len = 54 + payload;

	memset(f, 0, 54);
	memcpy(f, "\x52\x54\x00\xaa\xbb\xcc\x52\x54\x00\x12\x34\x56\x08\x00", 14);
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[18] = 0x12;			/* id 0x1234 */
	f[19] = 0x34;
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	f[34] = 0x04;			/* sport 1234 */
	f[35] = 0xd2;
	f[37] = 80;
	f[41] = 1;			/* seq 1 */
	f[46] = 0x50;			/* data offset 5 */
	f[47] = 0x19;			/* FIN PSH ACK */
	fill(f + 54, payload, 3);
	return len;
}

static uint16_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (; n > 1; n -= 2, p += 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The TCP checksum of a frame verifies when the sum with the pseudo-header is 0xffff. */
static bool tcp_ok(const uint8_t *f, size_t len)
{
	uint32_t pseudo = sum16(f + 26, 8, 0) + 6 + (uint32_t)(len - 34);

	return sum16(f + 34, len - 34, pseudo) == 0xffff;
}

static void ctx_txd(FIXTURE_DATA(nic) *self, unsigned i, uint8_t tucmd, uint32_t paylen,
		    uint8_t hdr, uint16_t mss)
{
	uint8_t *d = txd(self, i);
	uint32_t dw2 = paylen | (uint32_t)(tucmd | E1000_TXD_CMD_DEXT) << 24;

	memset(d, 0, 16);
	d[0] = 14;			/* ipcss */
	d[1] = 24;			/* ipcso */
	d[2] = 33;			/* ipcse */
	d[4] = 34;			/* tucss */
	d[5] = 50;			/* tucso */
	memcpy(d + 8, &dw2, 4);
	d[13] = hdr;
	memcpy(d + 14, &mss, 2);
}

static void data_txd(FIXTURE_DATA(nic) *self, unsigned i, uint64_t addr, uint32_t len,
		     uint8_t dcmd, uint8_t popts)
{
	uint8_t *d = txd(self, i);
	uint32_t dw2 = len | E1000_TXD_DTYP_DATA << 20 | (uint32_t)(dcmd | E1000_TXD_CMD_DEXT) << 24;

	memset(d, 0, 16);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &dw2, 4);
	d[13] = popts;
}

TEST_F(nic, checksum_offload_inserts_the_tcp_checksum)
{
	uint8_t *f = self->ram + BUFS;
	size_t len = tcp_frame(f, 100);
	uint16_t partial = sum16(f + 26, 8, 0) + 6 + (uint16_t)(len - 34);

	/* the stack leaves the pseudo-header sum (with length) in the field */
	partial = (uint16_t)((partial & 0xffff) + (partial >> 16));
	f[50] = (uint8_t)(partial >> 8);
	f[51] = (uint8_t)partial;
	tx_setup(_metadata, self, 8);
	ctx_txd(self, 0, E1000_TXD_TUCMD_IP | E1000_TXD_TUCMD_TCP, 0, 0, 0);
	data_txd(self, 1, BUFS, (uint32_t)len, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS,
		 E1000_TXD_POPTS_TXSM);
	WR(E1000_TDT, 2);
	ASSERT_EQ(1u, self->sent->n);
	EXPECT_TRUE(tcp_ok(self->sent->frame[0], self->sent->len[0]));
	EXPECT_TRUE(txd(self, 0)[12] & E1000_TXD_STAT_DD);	/* contexts too */
}

TEST_F(nic, tso_cuts_mss_segments_with_fixed_headers)
{
	uint8_t *f = self->ram + BUFS;
	size_t len = tcp_frame(f, 2500);
	uint16_t partial = sum16(f + 26, 8, 0) + 6;	/* no length, as e1000_tso leaves it */
	struct e1000_stats st;

	f[16] = f[17] = 0;				/* tot_len 0, checksum 0 */
	f[50] = (uint8_t)(partial >> 8);
	f[51] = (uint8_t)partial;
	tx_setup(_metadata, self, 8);
	ctx_txd(self, 0, E1000_TXD_TUCMD_IP | E1000_TXD_TUCMD_TCP | E1000_TXD_CMD_TSE,
		2500, 54, 1000);
	data_txd(self, 1, BUFS, 54, E1000_TXD_CMD_TSE, E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
	data_txd(self, 2, BUFS + 54, (uint32_t)len - 54, E1000_TXD_CMD_TSE | E1000_TXD_CMD_EOP,
		 0);
	WR(E1000_TDT, 3);
	ASSERT_EQ(3u, self->sent->n);
	EXPECT_EQ(1054u, self->sent->len[0]);
	EXPECT_EQ(1054u, self->sent->len[1]);
	EXPECT_EQ(554u, self->sent->len[2]);
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t *s = self->sent->frame[i];
		size_t l = self->sent->len[i];

		EXPECT_EQ(l - 14, (size_t)(s[16] << 8 | s[17]));		/* IP total length */
		EXPECT_EQ(0x1234 + i, (unsigned)(s[18] << 8 | s[19]));	/* IP ID */
		EXPECT_EQ(0xffff, sum16(s + 14, 20, 0));		/* IP checksum */
		EXPECT_EQ(1 + 1000 * i, (unsigned)(s[40] << 8 | s[41]));	/* sequence */
		EXPECT_TRUE(tcp_ok(s, l));
		EXPECT_EQ(i == 2 ? 0x19 : 0x10, s[47]);		/* FIN, PSH: last only */
		EXPECT_EQ(0, memcmp(s + 54, f + 54 + 1000 * i, l - 54));
	}
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(3u, st.tso_segments);
}

/* ---- receive ------------------------------------------------------- */

static uint8_t *rxd(FIXTURE_DATA(nic) *self, unsigned i)
{
	return self->ram + RX_RING + 16 * i;
}

static void rx_setup(struct __test_metadata *_metadata, FIXTURE_DATA(nic) *self, unsigned n,
		     unsigned tail, uint32_t rctl)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = BUFS + 0x1000 * i;

		memset(rxd(self, i), 0, 16);
		memcpy(rxd(self, i), &a, 8);
	}
	WR(E1000_RDBAL, RX_RING);
	WR(E1000_RDLEN, n * 16);
	WR(E1000_RDH, 0);
	WR(E1000_RDT, tail);
	WR(E1000_IMS, E1000_ICR_RXT0);
	WR(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | rctl);
}

static size_t frame_to(uint8_t *f, const uint8_t *dst, size_t len)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	f[12] = 0x08;
	f[13] = 0x00;
	fill(f + 14, len - 14, 9);
	return len;
}

TEST_F(nic, receive_fills_buffers_appends_fcs_and_wraps)
{
	uint8_t f[1514];
	struct e1000_stats st;
	uint16_t l;

	rx_setup(_metadata, self, 8, 3, 0);
	frame_to(f, mac, 100);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	EXPECT_EQ(0, memcmp(self->ram + BUFS, f, 100));
	memcpy(&l, rxd(self, 0) + 8, 2);
	EXPECT_EQ(104, l);				/* + FCS: the driver strips 4 */
	EXPECT_EQ(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_IXSM, rxd(self, 0)[12]);
	EXPECT_EQ(1u, RD(E1000_RDH));
	EXPECT_EQ(1, self->irq.level);
	EXPECT_TRUE(RD(E1000_ICR) & E1000_ICR_RXT0);
	/* with SECRC the FCS is stripped */
	WR(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	memcpy(&l, rxd(self, 1) + 8, 2);
	EXPECT_EQ(100, l);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	/* RDH == RDT: the ring is full, -1 and counted, nothing written */
	EXPECT_EQ(-1, e1000_receive(self->e, f, 100));
	EXPECT_EQ(3u, RD(E1000_RDH));
	EXPECT_EQ(1u, RD(E1000_RNBC));
	/* the driver returns buffers: the head wraps */
	WR(E1000_RDT, 1);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	EXPECT_EQ(-1, e1000_receive(self->e, f, 100));
	EXPECT_EQ(1u, RD(E1000_RDH));
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(1u, st.rx_wraps);
	EXPECT_EQ(9u, st.rx_frames);
	EXPECT_EQ(9u, RD(E1000_GPRC));
	/* RDLEN keeps whole 128-byte units: 4 descriptors make no ring */
	WR(E1000_RDLEN, 64);
	EXPECT_EQ(0u, RD(E1000_RDLEN));
}

TEST_F(nic, a_long_frame_spans_several_small_buffers)
{
	uint8_t f[1514];
	uint16_t l;

	/* BSIZE 256 (RCTL 17:16 = 11): 1514 + 4 bytes take 6 descriptors */
	rx_setup(_metadata, self, 8, 5, 3u << E1000_RCTL_BSIZE_SHIFT);
	frame_to(f, mac, 1514);
	EXPECT_EQ(-1, e1000_receive(self->e, f, 1514));	/* only 5 free */
	WR(E1000_RDT, 7);
	EXPECT_EQ(0, e1000_receive(self->e, f, 1514));
	for (unsigned i = 0; i < 6; i++) {
		memcpy(&l, rxd(self, i) + 8, 2);
		EXPECT_EQ(i < 5 ? 256 : 1518 - 5 * 256, l);
		EXPECT_EQ(i == 5, !!(rxd(self, i)[12] & E1000_RXD_STAT_EOP));
		EXPECT_EQ(0, memcmp(self->ram + BUFS + 0x1000 * i, f + 256 * i,
				    i < 5 ? 256 : 1514 - 5 * 256));
	}
	EXPECT_EQ(6u, RD(E1000_RDH));
}

TEST_F(nic, receive_filters_unicast_broadcast_multicast)
{
	static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	uint8_t f[64];
	struct e1000_stats st;
	unsigned h;

	rx_setup(_metadata, self, 8, 7, 0);
	EXPECT_EQ(0, e1000_receive(self->e, f, frame_to(f, other, 64)));
	EXPECT_EQ(0, e1000_receive(self->e, f, frame_to(f, mcast, 64)));
	EXPECT_EQ(0u, RD(E1000_RDH));
	EXPECT_EQ(0, e1000_receive(self->e, f, frame_to(f, bcast, 64)));
	EXPECT_EQ(1u, RD(E1000_RDH));
	/* the multicast hash, MO = 0: bits 47:36 of the address */
	h = ((unsigned)mcast[4] >> 4 | (unsigned)mcast[5] << 4) & 0xfff;
	WR(E1000_MTA + 4 * (h >> 5), 1u << (h & 31));
	EXPECT_EQ(0, e1000_receive(self->e, f, frame_to(f, mcast, 64)));
	EXPECT_EQ(2u, RD(E1000_RDH));
	/* promiscuous */
	WR(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_UPE);
	EXPECT_EQ(0, e1000_receive(self->e, f, frame_to(f, other, 64)));
	EXPECT_EQ(3u, RD(E1000_RDH));
	/* receiver off: dropped */
	WR(E1000_RCTL, 0);
	EXPECT_EQ(0, e1000_receive(self->e, f, frame_to(f, mac, 64)));
	EXPECT_EQ(3u, RD(E1000_RDH));
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(2u, st.rx_filtered);
	EXPECT_EQ(1u, RD(E1000_BPRC));
	EXPECT_EQ(1u, RD(E1000_MPRC));
}

TEST_F(nic, hostile_receive_rings_never_write_outside_ram)
{
	uint8_t f[1514];
	uint64_t bad = 0x7fff00000000ull, edge = RAM_SIZE - 50;
	struct e1000_stats st;

	rx_setup(_metadata, self, 8, 3, 0);
	memcpy(rxd(self, 0), &bad, 8);			/* buffer far outside RAM */
	memcpy(rxd(self, 1), &edge, 8);			/* straddling its end */
	frame_to(f, mac, 100);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	EXPECT_EQ(0x80, rxd(self, 0)[13]);		/* RXE: the driver drops it */
	EXPECT_TRUE(rxd(self, 0)[12] & E1000_RXD_STAT_DD);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	EXPECT_EQ(0x80, rxd(self, 1)[13]);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	EXPECT_EQ(0, rxd(self, 2)[13]);
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(2u, st.dma_errors);
	EXPECT_EQ(1u, st.rx_frames);
	/* zero-length and oversized frames are refused before any DMA */
	EXPECT_EQ(0, e1000_receive(self->e, f, 0));
	EXPECT_EQ(0, e1000_receive(self->e, self->ram, E1000_MAX_FRAME));
	/* heads/tails beyond the ring, a ring outside RAM, a zero-length ring */
	WR(E1000_RDT, 100);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	WR(E1000_RDBAL, 0xfffff000);
	WR(E1000_RDBAH, 0x7fff);
	WR(E1000_RDH, 0);
	WR(E1000_RDT, 2);
	EXPECT_EQ(0, e1000_receive(self->e, f, 100));
	WR(E1000_RDLEN, 0);
	EXPECT_EQ(-1, e1000_receive(self->e, f, 100));
	e1000_get_stats(self->e, &st);
	EXPECT_EQ(4u, st.dma_errors);
	EXPECT_EQ(1u, st.rx_frames);
}

TEST_HARNESS_MAIN
