// SPDX-License-Identifier: GPL-2.0
/*
 * e1000.c - an Intel 82540EM Gigabit Ethernet controller, enough of it for
 * Linux's stock e1000 driver (and any other OS's) to probe it, bring the
 * link up and pass traffic.  References: Intel's "PCI/PCI-X Family of
 * Gigabit Ethernet Controllers Software Developer's Manual" (8254x SDM):
 * registers chapter 13, descriptors chapter 3, EEPROM chapter 5, PHY
 * (Marvell 88E1011) registers chapter 13.5; e1000_regs.h lists what is used.
 *
 * What the guest sees:
 *   PCI 8086:100e, class 02 00 00, BAR 0 = 128 KiB of registers, BAR 1 =
 *   64 I/O ports (IOADDR selects a register, IODATA reaches it).
 *   Registers are a plain 128 KiB file unless listed here:
 *   - CTRL.RST resets everything (the file, the PHY, the EEPROM port) but
 *     the EEPROM contents; CTRL.PHY_RST self-clears.
 *   - STATUS: always full duplex, 1000 Mb/s, link up (a cable that never
 *     comes out); the model has no notion of a link partner.
 *   - EECD: the Microwire EEPROM port as software bit-bangs it (REQ is
 *     granted at once; READ opcode 110b, 6 address bits, 16 data bits out
 *     on DO from the next rising SK edge; CS low ends a command).  EERD:
 *     the same words through the read register.  64 words: the MAC in
 *     words 0-2, IDs, and word 0x3F making the sum 0xBABA.
 *   - MDIC: PHY address 1 only (others answer ERROR); PHY reset and
 *     autonegotiation restart complete at once; the link is up at 1000/full.
 *   - ICR reads clear it; writing ICR clears the bits written; ICS sets
 *     causes; IMS/IMC set and clear the mask.  INTA# is (ICR & IMS) != 0.
 *     ITR, RDTR, RADV, TIDV, TADV (moderation) are stored and ignored:
 *     every completion interrupts at once.
 *   - Statistics (0x4000-0x40FF) read-to-clear; writes ignored.
 *   - RDLEN/TDLEN keep bits 19:7 (a multiple of 128 bytes); heads and
 *     tails 15:0.
 * Receive (e1000_receive): address filters first (RAL/RAH with AV,
 * UPE, MPE, BAM, the MTA hash selected by RCTL.MO), then the frame plus
 * its FCS (unless RCTL.SECRC) goes into as many RCTL.BSIZE buffers as it
 * needs, descriptors from RDH up to (not including) RDT; status DD, EOP on
 * the last, IXSM (the model computes no receive checksum).  Not enough
 * free descriptors: nothing is written, RNBC counts it and the caller may
 * retry once RDT moves.
 * Transmit (a write of TDT or TCTL.EN): descriptors from TDH to TDT,
 * legacy ones (with their CSO/CSS checksum insertion) and extended ones:
 * context descriptors (checksum offsets, TSE, MSS, header length) and data
 * descriptors (POPTS IXSM/TXSM: insert the IP and TCP/UDP checksums).
 * TCP segmentation offload is honoured: a TSE packet is cut into MSS-sized
 * segments with IP length/ID, TCP sequence, flags and checksums fixed up,
 * as the hardware does.  DD is written back to every descriptor.
 *
 * Guest memory: every descriptor and buffer goes through gmem_ptr(), which
 * refuses any range not wholly inside one RAM slot.  A receive descriptor
 * whose buffer is outside RAM is written back with DD, EOP and the RXE
 * error (the driver drops it) and the frame counted in dma_errors; a
 * transmit buffer outside RAM drops its packet; a ring outside RAM stops
 * the ring (head = tail) and counts.  Indices at or beyond the ring's size
 * do the same.  Nothing a guest writes can make the model touch host
 * memory outside guest RAM, loop forever, or overflow its buffers.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "guestmem.h"
#include "hw/e1000.h"
#include "hw/e1000_regs.h"
#include "hw/pci.h"

struct e1000 {
	pthread_mutex_t lock;
	struct pci_dev *pci;
	const struct guest_mem *gm;
	uint8_t mac[6];
	uint32_t reg[E1000_MMIO_SIZE / 4];
	uint16_t eeprom[E1000_EEPROM_WORDS];
	uint16_t phy[32];
	uint32_t ioaddr;
	int irq_level;

	/* the Microwire state machine behind EECD */
	struct {
		unsigned nbits;		/* command bits shifted in */
		uint32_t in;
		bool reading;
		int out_bit;		/* data bit on DO, -1 before the first */
		uint8_t addr;
	} ee;

	/* the packet being assembled from transmit descriptors */
	uint8_t *tx;
	size_t txlen;
	bool tx_bad, tx_tse, tx_ipsum, tx_l4sum;
	struct {
		uint8_t ipcss, ipcso, tucss, tucso, tucmd, hdr_len;
		uint16_t ipcse, tucse, mss;
	} ctx;

	e1000_tx_fn tx_fn;
	void *tx_ctx;
	e1000_rx_ready_fn rx_ready;
	void *rx_ready_ctx;
	struct e1000_stats st;
};

#define R(off)	(e->reg[(off) >> 2])

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void stat_add(struct e1000 *e, uint32_t off, uint32_t v)
{
	R(off) += v;
}

/* A 64-bit counter kept as a low/high pair (GORCL/GORCH, ...). */
static void stat_add64(struct e1000 *e, uint32_t lo, uint64_t v)
{
	uint64_t cur = R(lo) | (uint64_t)R(lo + 4) << 32;

	cur += v;
	R(lo) = (uint32_t)cur;
	R(lo + 4) = (uint32_t)(cur >> 32);
}

/* ---- interrupts --------------------------------------------------- */

static void update_irq(struct e1000 *e)
{
	int level = (R(E1000_ICR) & R(E1000_IMS)) != 0;

	if (level == e->irq_level)
		return;
	e->irq_level = level;
	if (level)
		e->st.irqs++;
	if (e->pci)
		pci_dev_set_irq(e->pci, level);
}

static void set_ics(struct e1000 *e, uint32_t causes)
{
	R(E1000_ICR) |= causes;
	update_irq(e);
}

/* ---- PHY and EEPROM ------------------------------------------------- */

static void phy_reset(struct e1000 *e)
{
	memset(e->phy, 0, sizeof(e->phy));
	e->phy[PHY_CTRL] = 0x1140;		/* autoneg on, 1000 Mb/s, full duplex */
	e->phy[PHY_STATUS] = 0x7949 | MII_SR_LINK | MII_SR_AN_COMPLETE;
	e->phy[PHY_ID1] = 0x0141;		/* Marvell 88E1011: 0x01410C20 */
	e->phy[PHY_ID2] = 0x0c20;
	e->phy[PHY_AUTONEG_ADV] = 0x0de1;
	e->phy[PHY_LP_ABILITY] = 0x45e1;	/* the partner: 10/100 full and half, pause */
	e->phy[PHY_AUTONEG_EXP] = 0x0001;
	e->phy[PHY_1000T_CTRL] = 0x0e00;
	e->phy[PHY_1000T_STATUS] = 0x3c00;	/* partner 1000 full/half, receivers OK */
	e->phy[PHY_EXT_STATUS] = 0x3000;
	e->phy[M88_PHY_SPEC_CTRL] = 0x0068;
	e->phy[M88_PHY_SPEC_STATUS] = 0xac00;	/* 1000, full, resolved, link */
}

static void phy_write(struct e1000 *e, unsigned reg, uint16_t v)
{
	switch (reg) {
	case PHY_CTRL:
		if (v & MII_CR_RESET) {
			phy_reset(e);
			return;
		}
		/* a restarted autonegotiation completes at once */
		e->phy[PHY_CTRL] = v & ~MII_CR_RESTART_AN;
		e->phy[PHY_STATUS] |= MII_SR_AN_COMPLETE;
		return;
	case PHY_STATUS: case PHY_ID1: case PHY_ID2: case PHY_LP_ABILITY:
	case PHY_AUTONEG_EXP: case PHY_1000T_STATUS: case PHY_EXT_STATUS:
	case M88_PHY_SPEC_STATUS:
		return;		/* read-only */
	default:
		e->phy[reg] = v;
	}
}

static void mdic_write(struct e1000 *e, uint32_t v)
{
	unsigned phy = (v >> E1000_MDIC_PHY_SHIFT) & 31, reg = (v >> E1000_MDIC_REG_SHIFT) & 31;

	if (phy != E1000_PHY_ADDR) {
		R(E1000_MDIC) = v | E1000_MDIC_READY | E1000_MDIC_ERROR;
	} else if ((v & (3u << 26)) == E1000_MDIC_OP_READ) {
		R(E1000_MDIC) = (v & ~0xffffu & ~E1000_MDIC_ERROR) | e->phy[reg] | E1000_MDIC_READY;
	} else {
		if ((v & (3u << 26)) == E1000_MDIC_OP_WRITE)
			phy_write(e, reg, (uint16_t)v);
		R(E1000_MDIC) = (v & ~E1000_MDIC_ERROR) | E1000_MDIC_READY;
	}
	if (v & (1u << 29))	/* MDIC.I: interrupt on completion */
		set_ics(e, E1000_ICR_MDAC);
}

static void eeprom_init(struct e1000 *e)
{
	uint16_t sum = 0;

	memset(e->eeprom, 0, sizeof(e->eeprom));
	for (int i = 0; i < 3; i++)
		e->eeprom[i] = (uint16_t)(e->mac[2 * i] | e->mac[2 * i + 1] << 8);
	e->eeprom[0x0a] = 0x4400;		/* init control 1: the usual defaults */
	e->eeprom[0x0b] = 0x001e;		/* subsystem ID */
	e->eeprom[0x0c] = E1000_VENDOR;		/* subsystem vendor */
	e->eeprom[0x0d] = E1000_DEV_82540EM;
	e->eeprom[0x0e] = E1000_VENDOR;
	e->eeprom[0x0f] = 0x3000;		/* init control 2: symmetric pause */
	for (int i = 0; i < E1000_EEPROM_CHECKSUM; i++)
		sum = (uint16_t)(sum + e->eeprom[i]);
	e->eeprom[E1000_EEPROM_CHECKSUM] = (uint16_t)(E1000_EEPROM_SUM - sum);
}

static uint32_t eecd_read(struct e1000 *e)
{
	uint32_t v = R(E1000_EECD) | E1000_EECD_PRES;

	if (v & E1000_EECD_REQ)
		v |= E1000_EECD_GNT;
	v &= ~E1000_EECD_DO;
	if (e->ee.reading && e->ee.out_bit >= 0 &&
	    (e->eeprom[e->ee.addr] >> (15 - e->ee.out_bit)) & 1)
		v |= E1000_EECD_DO;
	return v;
}

static void eecd_write(struct e1000 *e, uint32_t v)
{
	uint32_t old = R(E1000_EECD);
	bool rising = !(old & E1000_EECD_SK) && (v & E1000_EECD_SK);

	R(E1000_EECD) = v & ~(E1000_EECD_GNT | E1000_EECD_DO | E1000_EECD_PRES);
	if (!(v & E1000_EECD_CS)) {
		/* chip select dropped: the next command starts from scratch */
		memset(&e->ee, 0, sizeof(e->ee));
		return;
	}
	if (!rising)
		return;
	if (e->ee.reading) {
		/* sequential read: past bit 15 the next word follows */
		if (++e->ee.out_bit == 16) {
			e->ee.out_bit = 0;
			e->ee.addr = (e->ee.addr + 1) % E1000_EEPROM_WORDS;
		}
		return;
	}
	if (e->ee.nbits >= 3 + E1000_EE_ADDR_BITS)
		return;		/* a command other than READ: ignored to CS low */
	e->ee.in = e->ee.in << 1 | !!(v & E1000_EECD_DI);
	if (++e->ee.nbits == 3 + E1000_EE_ADDR_BITS &&
	    (e->ee.in >> E1000_EE_ADDR_BITS) == E1000_EE_OPCODE_READ) {
		e->ee.reading = true;
		e->ee.addr = e->ee.in & (E1000_EEPROM_WORDS - 1);
		e->ee.out_bit = -1;
	}
}

/* ---- reset -------------------------------------------------------- */

static void reset(struct e1000 *e)
{
	memset(e->reg, 0, sizeof(e->reg));
	memset(&e->ee, 0, sizeof(e->ee));
	R(E1000_CTRL) = E1000_CTRL_SLU | 1;	/* FD */
	R(E1000_PBA) = 0x00100030;		/* 48 KiB receive, 16 KiB transmit */
	R(0x0e00) = 0x07068302;			/* LEDCTL */
	/* the hardware loads receive address 0 from the EEPROM */
	R(E1000_RA) = le32(e->mac);
	R(E1000_RA + 4) = le16(e->mac + 4) | E1000_RAH_AV;
	phy_reset(e);
	e->txlen = 0;
	e->tx_bad = false;
	update_irq(e);
}

/* ---- the checksum helpers ------------------------------------------ */

/* Ones' complement sum of big-endian 16-bit words (RFC 1071), not folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; n -= 2, p += 2)
		sum += be16(p);
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum [start, end] (end 0: to the end), store the complement at `at`. */
static void insert_csum(uint8_t *pkt, size_t len, unsigned start, unsigned end, unsigned at)
{
	size_t stop = end ? (size_t)end + 1 : len;

	if (stop > len)
		stop = len;
	if (start >= stop || at + 2 > len)
		return;		/* offsets a guest got wrong: leave the packet alone */
	put_be16(pkt + at, csum_fold(csum_add(0, pkt + start, stop - start)));
}

/* ---- transmit ------------------------------------------------------ */

static void send(struct e1000 *e, const uint8_t *frame, size_t len)
{
	bool mc = frame[0] & 1;
	bool bc = mc && !memcmp(frame, "\xff\xff\xff\xff\xff\xff", 6);

	e->st.tx_frames++;
	e->st.tx_bytes += len;
	stat_add(e, E1000_GPTC, 1);
	stat_add(e, E1000_TPT, 1);
	stat_add64(e, E1000_GOTCL, len + 4);
	stat_add64(e, E1000_TOTL, len + 4);
	if (bc)
		stat_add(e, E1000_BPTC, 1);
	else if (mc)
		stat_add(e, E1000_MPTC, 1);
	if (e->tx_fn)
		e->tx_fn(e->tx_ctx, frame, len);
}

/*
 * TCP segmentation (8254x SDM 3.5): the first hdr_len bytes are the
 * headers of every segment, the rest is cut into MSS-sized payloads.
 * The driver left the TCP checksum field holding the pseudo-header sum
 * without the length, and the IPv4 length and checksum zero.
 */
static void tso(struct e1000 *e)
{
	size_t hdr = e->ctx.hdr_len, mss = e->ctx.mss, off = 0;
	unsigned ip = e->ctx.ipcss, l4 = e->ctx.tucss;
	bool v4 = e->ctx.tucmd & E1000_TXD_TUCMD_IP, tcp = e->ctx.tucmd & E1000_TXD_TUCMD_TCP;
	uint8_t *seg;
	uint16_t id, partial;
	uint32_t seq;

	if (!mss || hdr >= e->txlen || hdr > 255 || l4 + 20 > hdr || ip + (v4 ? 20 : 40) > l4 ||
	    (size_t)e->ctx.tucso + 2 > hdr) {
		e->st.tx_dropped++;
		return;
	}
	seg = malloc(hdr + mss);
	if (!seg) {
		e->st.tx_dropped++;
		return;
	}
	id = be16(e->tx + ip + 4);
	seq = (uint32_t)be16(e->tx + l4 + 4) << 16 | be16(e->tx + l4 + 6);
	partial = be16(e->tx + e->ctx.tucso);
	for (unsigned i = 0; off < e->txlen - hdr; i++) {
		size_t n = e->txlen - hdr - off < mss ? e->txlen - hdr - off : mss;
		size_t len = hdr + n;
		bool last = off + n == e->txlen - hdr;
		uint32_t s;

		memcpy(seg, e->tx, hdr);
		memcpy(seg + hdr, e->tx + hdr + off, n);
		if (v4) {
			put_be16(seg + ip + 2, (uint16_t)(len - ip));
			put_be16(seg + ip + 4, (uint16_t)(id + i));
			if (e->tx_ipsum) {
				put_be16(seg + e->ctx.ipcso, 0);
				insert_csum(seg, len, ip, e->ctx.ipcse ? e->ctx.ipcse : l4 - 1,
					    e->ctx.ipcso);
			}
		} else {
			put_be16(seg + ip + 4, (uint16_t)(len - ip - 40));
		}
		if (tcp) {
			uint32_t q = seq + (uint32_t)off;

			put_be16(seg + l4 + 4, (uint16_t)(q >> 16));
			put_be16(seg + l4 + 6, (uint16_t)q);
			if (!last)
				seg[l4 + 13] &= (uint8_t)~0x09;	/* FIN and PSH: last segment only */
		} else if (l4 + 6 <= hdr) {
			put_be16(seg + l4 + 4, (uint16_t)(len - l4));	/* UDP length */
		}
		if (e->tx_l4sum) {
			put_be16(seg + e->ctx.tucso, 0);
			s = csum_add(partial + (uint32_t)(len - l4), seg + l4, len - l4);
			put_be16(seg + e->ctx.tucso, csum_fold(s));
		}
		send(e, seg, len);
		e->st.tso_segments++;
		off += n;
	}
	free(seg);
}

static void tx_packet_done(struct e1000 *e, bool legacy_ic, unsigned css, unsigned cso)
{
	if (e->tx_bad || e->txlen < 14) {
		e->st.tx_dropped++;
	} else if (e->tx_tse) {
		tso(e);
	} else {
		if (legacy_ic)
			insert_csum(e->tx, e->txlen, css, 0, cso);
		if (e->tx_ipsum)
			insert_csum(e->tx, e->txlen, e->ctx.ipcss, e->ctx.ipcse, e->ctx.ipcso);
		if (e->tx_l4sum)
			insert_csum(e->tx, e->txlen, e->ctx.tucss, e->ctx.tucse, e->ctx.tucso);
		send(e, e->tx, e->txlen);
	}
	e->txlen = 0;
	e->tx_bad = false;
}

static void tx_append(struct e1000 *e, uint64_t addr, size_t len)
{
	const uint8_t *p;

	if (!len || e->tx_bad)
		return;
	if (e->txlen + len > E1000_TX_MAX) {
		e->tx_bad = true;
		return;
	}
	p = gmem_ptr(e->gm, addr, len);
	if (!p) {
		e->st.dma_errors++;
		e->tx_bad = true;
		return;
	}
	memcpy(e->tx + e->txlen, p, len);
	e->txlen += len;
}

/* One descriptor; returns nothing, the packet state lives in e. */
static void tx_desc(struct e1000 *e, uint8_t *d)
{
	uint32_t dw2 = le32(d + 8);
	uint8_t cmd = d[11];

	if (!(cmd & E1000_TXD_CMD_DEXT)) {
		/* legacy: length 15:0, CSO, CMD, STA, CSS */
		if (e->txlen == 0)
			e->tx_tse = e->tx_ipsum = e->tx_l4sum = false;
		tx_append(e, le64(d), le16(d + 8));
		if (cmd & E1000_TXD_CMD_EOP)
			tx_packet_done(e, cmd & 0x04, d[13], d[10]);	/* CMD.IC */
		return;
	}
	switch ((dw2 >> 20) & 0xf) {
	case E1000_TXD_DTYP_CTX:
		e->ctx.ipcss = d[0];
		e->ctx.ipcso = d[1];
		e->ctx.ipcse = le16(d + 2);
		e->ctx.tucss = d[4];
		e->ctx.tucso = d[5];
		e->ctx.tucse = le16(d + 6);
		e->ctx.tucmd = cmd;
		e->ctx.hdr_len = d[13];
		e->ctx.mss = le16(d + 14);
		break;
	case E1000_TXD_DTYP_DATA:
		if (e->txlen == 0) {
			/* the first descriptor of a packet says what to do with it */
			e->tx_tse = cmd & E1000_TXD_CMD_TSE;
			e->tx_ipsum = d[13] & E1000_TXD_POPTS_IXSM;
			e->tx_l4sum = d[13] & E1000_TXD_POPTS_TXSM;
		}
		tx_append(e, le64(d), dw2 & 0xfffff);
		if (cmd & E1000_TXD_CMD_EOP)
			tx_packet_done(e, false, 0, 0);
		break;
	default:
		break;		/* a reserved type: consumed, nothing sent */
	}
}

static uint64_t ring_base(struct e1000 *e, uint32_t lo)
{
	return (uint64_t)R(lo + 4) << 32 | (R(lo) & ~0xfu);
}

static void process_tx(struct e1000 *e)
{
	uint32_t n = R(E1000_TDLEN) / E1000_DESC_SIZE, head = R(E1000_TDH), tail = R(E1000_TDT);
	uint64_t base = ring_base(e, E1000_TDBAL);
	bool any = false;

	if (!(R(E1000_TCTL) & E1000_TCTL_EN) || !n || head == tail)
		return;
	if (head >= n || tail >= n) {
		e->st.dma_errors++;	/* a head or tail beyond the ring: stop it */
		R(E1000_TDH) = tail;
		return;
	}
	while (head != tail) {
		uint64_t at = base + (uint64_t)head * E1000_DESC_SIZE;
		uint8_t *d = gmem_ptr(e->gm, at, E1000_DESC_SIZE);

		if (!d) {
			e->st.dma_errors++;
			e->txlen = 0;
			head = tail;
			break;
		}
		tx_desc(e, d);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		d[12] |= E1000_TXD_STAT_DD;
		any = true;
		if (++head == n) {
			head = 0;
			e->st.tx_wraps++;
		}
	}
	R(E1000_TDH) = head;
	if (any)
		set_ics(e, E1000_ICR_TXDW | E1000_ICR_TXQE);
}

/* ---- receive ------------------------------------------------------- */

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t crc = ~0u;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static bool rx_accept(struct e1000 *e, const uint8_t *dst)
{
	uint32_t rctl = R(E1000_RCTL);

	if (dst[0] & 1) {
		unsigned h;

		if (!memcmp(dst, "\xff\xff\xff\xff\xff\xff", 6))
			return rctl & (E1000_RCTL_BAM | E1000_RCTL_MPE);
		if (rctl & E1000_RCTL_MPE)
			return true;
		/* the 12-bit hash from the last two bytes, shifted by RCTL.MO */
		h = (unsigned)dst[4] | (unsigned)dst[5] << 8;
		h = (h >> (4 - ((rctl >> E1000_RCTL_MO_SHIFT) & 3))) & 0xfff;
		return R(E1000_MTA + 4 * (h >> 5)) & (1u << (h & 31));
	}
	if (rctl & E1000_RCTL_UPE)
		return true;
	for (int i = 0; i < E1000_RA_COUNT; i++) {
		uint32_t lo = R(E1000_RA + 8 * i), hi = R(E1000_RA + 8 * i + 4);

		if ((hi & E1000_RAH_AV) && lo == le32(dst) && (hi & 0xffff) == le16(dst + 4))
			return true;
	}
	return false;
}

static size_t rx_buf_size(uint32_t rctl)
{
	static const size_t normal[] = { 2048, 1024, 512, 256 }, ext[] = { 2048, 16384, 8192, 4096 };
	unsigned bs = (rctl >> E1000_RCTL_BSIZE_SHIFT) & 3;

	return rctl & E1000_RCTL_BSEX ? ext[bs] : normal[bs];
}

int e1000_receive(struct e1000 *e, const uint8_t *frame, size_t len)
{
	uint8_t buf[E1000_MAX_FRAME];
	uint32_t rctl, n, head, tail, avail, need, thresh;
	uint64_t base;
	size_t total, bsize, done = 0;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	rctl = R(E1000_RCTL);
	if (!(rctl & E1000_RCTL_EN) || len < 14 || len + 4 > sizeof(buf)) {
		e->st.rx_no_desc += !(rctl & E1000_RCTL_EN);
		goto out;
	}
	if (!rx_accept(e, frame)) {
		e->st.rx_filtered++;
		goto out;
	}
	memcpy(buf, frame, len);
	total = len;
	if (!(rctl & E1000_RCTL_SECRC)) {
		uint32_t fcs = crc32_ieee(frame, len);

		memcpy(buf + len, &fcs, 4);	/* the FCS goes out little-endian */
		total += 4;
	}
	n = R(E1000_RDLEN) / E1000_DESC_SIZE;
	head = R(E1000_RDH);
	tail = R(E1000_RDT);
	if (n && (head >= n || tail >= n)) {
		e->st.dma_errors++;
		goto out;
	}
	bsize = rx_buf_size(rctl);
	need = (uint32_t)((total + bsize - 1) / bsize);
	avail = n ? (tail + n - head) % n : 0;
	if (avail < need) {
		e->st.rx_no_desc++;
		stat_add(e, E1000_RNBC, 1);
		ret = -1;
		goto out;
	}
	base = ring_base(e, E1000_RDBAL);
	while (done < total) {
		uint64_t at = base + (uint64_t)head * E1000_DESC_SIZE;
		uint8_t *d = gmem_ptr(e->gm, at, E1000_DESC_SIZE);
		size_t chunk = total - done < bsize ? total - done : bsize;
		uint8_t *p;
		bool eop = done + chunk == total;

		if (!d) {
			e->st.dma_errors++;	/* the ring itself is outside RAM */
			goto out;
		}
		p = gmem_ptr(e->gm, le64(d), chunk);
		if (p)
			memcpy(p, buf + done, chunk);
		else
			e->st.dma_errors++;
		put_le16(d + 8, (uint16_t)chunk);
		put_le16(d + 10, 0);
		d[13] = p ? 0 : 0x80;		/* RXE: the driver drops the frame */
		put_le16(d + 14, 0);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		d[12] = E1000_RXD_STAT_DD | E1000_RXD_STAT_IXSM |
			(eop || !p ? E1000_RXD_STAT_EOP : 0);
		if (++head == n) {
			head = 0;
			e->st.rx_wraps++;
		}
		if (!p)
			break;
		done += chunk;
	}
	R(E1000_RDH) = head;
	if (done == total) {
		e->st.rx_frames++;
		e->st.rx_bytes += len;
		stat_add(e, E1000_GPRC, 1);
		stat_add(e, E1000_TPR, 1);
		stat_add64(e, E1000_GORCL, total);
		stat_add64(e, E1000_TORL, total);
		if (!memcmp(frame, "\xff\xff\xff\xff\xff\xff", 6))
			stat_add(e, E1000_BPRC, 1);
		else if (frame[0] & 1)
			stat_add(e, E1000_MPRC, 1);
	}
	/* RDMTS: free descriptors at or below 1/2, 1/4, 1/8 of the ring */
	thresh = n >> (1 + ((rctl >> E1000_RCTL_RDMTS_SHIFT) & 3));
	set_ics(e, E1000_ICR_RXT0 | ((tail + n - head) % n <= thresh ? E1000_ICR_RXDMT0 : 0));
out:
	pthread_mutex_unlock(&e->lock);
	return ret;
}

/* ---- register access ------------------------------------------------ */

static uint32_t reg_read(struct e1000 *e, uint32_t off)
{
	uint32_t v;

	switch (off) {
	case E1000_STATUS:
		return E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000;
	case E1000_EECD:
		return eecd_read(e);
	case E1000_ICR:
		v = R(E1000_ICR);
		R(E1000_ICR) = 0;
		update_irq(e);
		return v;
	case E1000_ICS:
	case E1000_IMC:
		return 0;	/* write-only */
	}
	if (off >= E1000_STATS && off < E1000_STATS_END) {
		v = R(off);
		R(off) = 0;
		return v;
	}
	return R(off);
}

static void reg_write(struct e1000 *e, uint32_t off, uint32_t v)
{
	uint32_t old = R(off);

	switch (off) {
	case E1000_CTRL:
		if (v & E1000_CTRL_RST) {
			reset(e);
			return;
		}
		if (v & E1000_CTRL_PHY_RST)
			phy_reset(e);
		R(off) = v & ~(E1000_CTRL_RST | E1000_CTRL_PHY_RST);
		return;
	case E1000_STATUS:
		return;
	case E1000_EECD:
		eecd_write(e, v);
		return;
	case E1000_EERD:
		if (v & E1000_EERD_START) {
			unsigned a = (v >> E1000_EERD_ADDR_SHIFT) & 0xff;
			uint16_t data = a < E1000_EEPROM_WORDS ? e->eeprom[a] : 0;

			R(off) = (uint32_t)data << E1000_EERD_DATA_SHIFT |
				 a << E1000_EERD_ADDR_SHIFT | E1000_EERD_DONE;
		}
		return;
	case E1000_MDIC:
		mdic_write(e, v);
		return;
	case E1000_ICR:
		R(off) &= ~v;		/* write 1 to clear */
		update_irq(e);
		return;
	case E1000_ICS:
		set_ics(e, v);
		return;
	case E1000_IMS:
		R(off) |= v;
		update_irq(e);
		return;
	case E1000_IMC:
		R(E1000_IMS) &= ~v;
		update_irq(e);
		return;
	case E1000_RCTL:
		R(off) = v;
		if ((v & E1000_RCTL_EN) && !(old & E1000_RCTL_EN) && e->rx_ready)
			e->rx_ready(e->rx_ready_ctx);
		return;
	case E1000_TCTL:
		R(off) = v;
		process_tx(e);
		return;
	case E1000_RDLEN:
	case E1000_TDLEN:
		R(off) = v & 0xfff80;
		return;
	case E1000_RDH:
	case E1000_TDH:
		R(off) = v & 0xffff;
		return;
	case E1000_RDT:
		R(off) = v & 0xffff;
		if (e->rx_ready)
			e->rx_ready(e->rx_ready_ctx);
		return;
	case E1000_TDT:
		R(off) = v & 0xffff;
		process_tx(e);
		return;
	}
	if (off >= E1000_STATS && off < E1000_STATS_END)
		return;		/* counters are read-only */
	R(off) = v;
}

/* An access of 1, 2, 4 or 8 bytes at `off`; narrow writes merge into the dword. */
static void mmio_access(struct e1000 *e, uint64_t off, void *data, unsigned len, bool write)
{
	uint8_t *p = data;

	if (len == 8) {
		mmio_access(e, off, p, 4, write);
		mmio_access(e, off + 4, p + 4, 4, write);
		return;
	}
	if (off + len > E1000_MMIO_SIZE || (off & 3) + len > 4)
		return;		/* unaligned across registers: reads stay all-ones */
	if (write) {
		uint32_t v = R(off & ~3ull);

		memcpy((uint8_t *)&v + (off & 3), p, len);
		reg_write(e, (uint32_t)(off & ~3ull), v);
	} else {
		uint32_t v = reg_read(e, (uint32_t)(off & ~3ull));

		memcpy(p, (uint8_t *)&v + (off & 3), len);
	}
}

static void bar_access(void *opaque, int bar, uint64_t off, void *data, unsigned len, bool write)
{
	struct e1000 *e = opaque;

	pthread_mutex_lock(&e->lock);
	e->st.reg_accesses++;
	if (bar == 0) {
		mmio_access(e, off, data, len, write);
	} else if (off == E1000_IOADDR && len == 4) {
		if (write)
			memcpy(&e->ioaddr, data, 4);
		else
			memcpy(data, &e->ioaddr, 4);
	} else if (off == E1000_IODATA && len == 4) {
		mmio_access(e, e->ioaddr & (E1000_MMIO_SIZE - 1) & ~3u, data, 4, write);
	}
	pthread_mutex_unlock(&e->lock);
}

static void bar_read(void *opaque, int bar, uint64_t off, void *data, unsigned len)
{
	bar_access(opaque, bar, off, data, len, false);
}

static void bar_write(void *opaque, int bar, uint64_t off, const void *data, unsigned len)
{
	bar_access(opaque, bar, off, (void *)data, len, true);
}

static const struct pci_dev_ops e1000_pci_ops = { bar_read, bar_write };

/* ---- life cycle ----------------------------------------------------- */

struct e1000 *e1000_create(struct pci_host *h, int slot, const struct guest_mem *gm,
			   const uint8_t mac[6], e1000_tx_fn tx, void *ctx)
{
	struct e1000 *e = calloc(1, sizeof(*e));
	uint8_t *cfg;

	if (!e)
		return NULL;
	e->tx = malloc(E1000_TX_MAX);
	if (!e->tx) {
		free(e);
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	e->gm = gm;
	memcpy(e->mac, mac, 6);
	e->tx_fn = tx;
	e->tx_ctx = ctx;
	eeprom_init(e);
	if (h) {
		e->pci = pci_dev_add(h, slot, E1000_VENDOR, E1000_DEV_82540EM, 0x020000u << 8 | 3,
				     &e1000_pci_ops, e);
		if (!e->pci || pci_dev_bar(e->pci, 0, false, E1000_MMIO_SIZE) ||
		    pci_dev_bar(e->pci, 1, true, E1000_IO_SIZE)) {
			pci_dev_remove(e->pci);
			e1000_free(e);
			return NULL;
		}
		pci_dev_set_name(e->pci, "e1000");
		cfg = pci_dev_config(e->pci);
		put_le16(cfg + PCI_SUBSYSTEM_VENDOR_ID, E1000_VENDOR);
		put_le16(cfg + PCI_SUBSYSTEM_ID, 0x001e);
	}
	reset(e);
	return e;
}

void e1000_set_rx_ready(struct e1000 *e, e1000_rx_ready_fn fn, void *ctx)
{
	pthread_mutex_lock(&e->lock);
	e->rx_ready = fn;
	e->rx_ready_ctx = ctx;
	pthread_mutex_unlock(&e->lock);
}

void e1000_free(struct e1000 *e)
{
	if (!e)
		return;
	pthread_mutex_destroy(&e->lock);
	free(e->tx);
	free(e);
}

void e1000_get_stats(struct e1000 *e, struct e1000_stats *s)
{
	pthread_mutex_lock(&e->lock);
	*s = e->st;
	pthread_mutex_unlock(&e->lock);
}

struct pci_dev *e1000_pci(struct e1000 *e)
{
	return e->pci;
}

uint32_t e1000_peek(struct e1000 *e, uint32_t reg)
{
	uint32_t v;

	pthread_mutex_lock(&e->lock);
	if (reg == E1000_STATUS || reg == E1000_EECD)
		v = reg_read(e, reg);	/* computed, no side effect */
	else
		v = R(reg & (E1000_MMIO_SIZE - 4));
	pthread_mutex_unlock(&e->lock);
	return v;
}
