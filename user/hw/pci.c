// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - the PCI host bridge: configuration mechanism #1 (PCI Local Bus
 * spec 3.0, 3.2.2.3.2), bus 0 with up to 32 single-function devices, and
 * the windows through which their BARs are reached.
 *
 *   0xCF8  CONFIG_ADDRESS, 32-bit only: enable bit 31, bus 23:16,
 *          device 15:11, function 10:8, register 7:2
 *   0xCFC  CONFIG_DATA, 0xCFC..0xCFF, any size: the register of
 *          CONFIG_ADDRESS plus the port's offset
 *
 * A read of an absent device (another bus, another function, an empty
 * slot, or the enable bit clear) returns all-ones: vendor ID 0xFFFF is how
 * a scan learns "no device here"; such writes are dropped.  Byte and word
 * accesses to 0xCF8..0xCFB are not configuration cycles.  0xCF9 is not
 * registered here: it is the reset register (reset.c).
 *
 * Function 00:00.0 is the host bridge itself, with the IDs of Intel's
 * 82441FX (440FX), the bridge Linux's pci_sanity_check() and every OS
 * knows.  Every other device gets a type-0 header (6.1): IDs and class
 * read-only; COMMAND's IO, MEMORY, MASTER, MWI, PARITY, SERR and
 * INTX_DISABLE writable; STATUS read-only (its INTERRUPT bit is the device's INTA#);
 * cache line size, latency timer and INTERRUPT_LINE writable; BARs
 * writable in their address bits only, so writing all-ones and reading
 * back gives ~(size - 1) plus the type bits (6.2.5.1).  No expansion ROM,
 * no capabilities: those registers read zero.  One write mask per byte
 * of the 256 implements all of that.
 *
 * BARs are "mapped" by decode, not by registration: the bridge owns its
 * MMIO window (PCI_MMIO_WINDOW..END) and I/O window (PCI_IO_WINDOW..END) on
 * the bus, and an access there goes to the device whose BAR contains the
 * address at that moment, provided COMMAND.MEMORY (or IO) is set.  So a
 * BAR moved or disabled by the OS stops answering at once, with no bus
 * table to keep in step.  Accesses that nothing decodes read all-ones.
 *
 * INTx routing: INTA# of the device in slot s goes to ISA IRQ 10 (s even)
 * or 11 (s odd), written in INTERRUPT_LINE as firmware would.  Several
 * devices on one IRQ share it (wired-OR, level-triggered, active low on
 * real boards; here `level` means asserted).  The DSDT's \_SB.PCI0._PRT
 * (loader/acpi.c) gives the OS the same routing (GSI 10/11, level, active
 * low), as does the MP table for acpi=off (loader/mptable.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "hw/devices.h"
#include "hw/pci.h"

struct pci_dev {
	struct pci_host *host;
	unsigned slot;
	uint8_t cfg[256];
	uint8_t wmask[256];	/* writable bits of each byte */
	uint32_t bar_size[PCI_NUM_BARS];	/* 0: no BAR */
	bool bar_io[PCI_NUM_BARS];
	const struct pci_dev_ops *ops;
	void *opaque;
	struct hv_device as_seen;	/* only its name: what observers see for BAR accesses */
	int pin_level;		/* INTA# as the device drives it */
	bool asserted;		/* ... and as it reaches the IRQ line */
};

struct pci_host {
	struct hv_device dev;
	uint32_t address;
	struct pci_dev *slot[PCI_MAX_SLOTS];
	uint64_t next_mmio;
	uint32_t next_io;
	struct irq_line intx;
	pthread_mutex_t irq_lock;	/* the counts below, and every pin_level */
	unsigned count[2];		/* devices asserting IRQ 10, IRQ 11 */
};

/* The ops of the names observers see (never called: they only read .name). */
static const struct hv_device_ops pci_ops_named = { 0 };

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

unsigned pci_dev_irq(const struct pci_dev *d)
{
	return d->slot & 1 ? PCI_INTX_IRQ_ODD : PCI_INTX_IRQ_EVEN;
}

/* Called with irq_lock held: propagate pin level and INTX_DISABLE to the line. */
static void update_line(struct pci_dev *d)
{
	struct pci_host *h = d->host;
	bool want = d->pin_level && !(get16(d->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	unsigned i = d->slot & 1;

	if (want == d->asserted)
		return;
	d->asserted = want;
	if (want && h->count[i]++ == 0)
		irq_line_set(&(struct irq_line){ h->intx.set, h->intx.ctx, pci_dev_irq(d) }, 1);
	else if (!want && --h->count[i] == 0)
		irq_line_set(&(struct irq_line){ h->intx.set, h->intx.ctx, pci_dev_irq(d) }, 0);
}

void pci_dev_set_irq(struct pci_dev *d, int level)
{
	pthread_mutex_lock(&d->host->irq_lock);
	d->pin_level = !!level;
	update_line(d);
	pthread_mutex_unlock(&d->host->irq_lock);
}

uint8_t *pci_dev_config(struct pci_dev *d)
{
	return d->cfg;
}

unsigned pci_dev_slot(const struct pci_dev *d)
{
	return d->slot;
}

uint64_t pci_dev_bar_base(const struct pci_dev *d, int bar)
{
	uint32_t v = get32(d->cfg + PCI_BAR0 + 4 * bar);

	return d->bar_io[bar] ? (v & ~3u & 0xffff) : (v & ~0xfu);
}

bool pci_dev_bar_enabled(const struct pci_dev *d, int bar)
{
	uint16_t cmd = get16(d->cfg + PCI_COMMAND);

	if (bar < 0 || bar >= PCI_NUM_BARS || !d->bar_size[bar])
		return false;
	return d->bar_io[bar] ? (cmd & PCI_COMMAND_IO) : (cmd & PCI_COMMAND_MEMORY);
}

/* ---- configuration space ------------------------------------------ */

static struct pci_dev *addressed(struct pci_host *h)
{
	uint32_t a = h->address;

	if (!(a & 0x80000000u) || ((a >> 16) & 0xff) || ((a >> 8) & 7))
		return NULL;		/* disabled, bus != 0, function != 0 */
	return h->slot[(a >> 11) & 31];
}

static void config_read(struct pci_dev *d, unsigned reg, void *data, unsigned size)
{
	uint8_t v[4];

	memcpy(v, d->cfg + reg, size);
	if (reg <= PCI_STATUS && reg + size > PCI_STATUS) {
		/* STATUS.INTERRUPT: the pin as the device drives it */
		pthread_mutex_lock(&d->host->irq_lock);
		if (d->pin_level)
			v[PCI_STATUS - reg] |= PCI_STATUS_INTERRUPT;
		pthread_mutex_unlock(&d->host->irq_lock);
	}
	memcpy(data, v, size);
}

static void config_write(struct pci_dev *d, unsigned reg, const void *data, unsigned size)
{
	const uint8_t *v = data;

	pthread_mutex_lock(&d->host->irq_lock);
	for (unsigned i = 0; i < size; i++)
		d->cfg[reg + i] = (uint8_t)((d->cfg[reg + i] & ~d->wmask[reg + i]) |
					    (v[i] & d->wmask[reg + i]));
	/* COMMAND.INTX_DISABLE may have changed */
	update_line(d);
	pthread_mutex_unlock(&d->host->irq_lock);
}

static void host_pio_in(struct pci_host *h, uint16_t port, void *data, unsigned size)
{
	struct pci_dev *d;

	if (port == 0xCF8) {
		if (size == 4)
			memcpy(data, &h->address, 4);
		return;		/* else all-ones, as the bus filled it */
	}
	d = addressed(h);
	if (port >= 0xCFC && d && (port & 3) + size <= 4)
		config_read(d, (h->address & 0xfc) + (port & 3), data, size);
}

static void host_pio_out(struct pci_host *h, uint16_t port, const void *data, unsigned size)
{
	struct pci_dev *d;

	if (port == 0xCF8) {
		if (size == 4)
			memcpy(&h->address, data, 4);
		return;
	}
	d = addressed(h);
	if (port >= 0xCFC && d && (port & 3) + size <= 4)
		config_write(d, (h->address & 0xfc) + (port & 3), data, size);
}

/* ---- BAR decode ----------------------------------------------------- */

static struct pci_dev *decode(struct pci_host *h, bool io, uint64_t addr, unsigned len,
			      int *bar, uint64_t *off)
{
	for (unsigned s = 1; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = h->slot[s];

		if (!d || !d->ops)
			continue;
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			uint64_t base = pci_dev_bar_base(d, b);

			if (d->bar_io[b] != io || !pci_dev_bar_enabled(d, b))
				continue;
			if (addr >= base && addr - base + len <= d->bar_size[b]) {
				*bar = b;
				*off = addr - base;
				return d;
			}
		}
	}
	return NULL;
}

static void window_access(struct pci_host *h, bool io, uint64_t addr, bool write, void *data,
			  unsigned len)
{
	uint64_t off;
	int bar;
	struct pci_dev *d = decode(h, io, addr, len, &bar, &off);

	if (!d)
		return;		/* reads stay all-ones (master abort) */
	if (write && d->ops->bar_write)
		d->ops->bar_write(d->opaque, bar, off, data, len);
	else if (!write && d->ops->bar_read)
		d->ops->bar_read(d->opaque, bar, off, data, len);
}

static void pci_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct pci_host *h = dev->priv;

	if (port >= PCI_IO_WINDOW)
		window_access(h, true, port, false, data, size);
	else
		host_pio_in(h, port, data, size);
}

static void pci_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct pci_host *h = dev->priv;

	if (port >= PCI_IO_WINDOW)
		window_access(h, true, port, true, (void *)data, size);
	else
		host_pio_out(h, port, data, size);
}

static void pci_mmio_read(struct hv_device *dev, uint64_t addr, void *data, unsigned len)
{
	window_access(dev->priv, false, addr, false, data, len);
}

static void pci_mmio_write(struct hv_device *dev, uint64_t addr, const void *data, unsigned len)
{
	window_access(dev->priv, false, addr, true, (void *)data, len);
}

static const struct hv_device *pci_target(struct hv_device *dev, uint64_t addr, bool is_mmio)
{
	struct pci_host *h = dev->priv;
	uint64_t off;
	int bar;
	struct pci_dev *d;

	if (!is_mmio && addr < PCI_IO_WINDOW)
		return NULL;		/* the configuration ports: the bridge itself */
	d = decode(h, !is_mmio, addr, 1, &bar, &off);
	return d && d->as_seen.name ? &d->as_seen : NULL;
}

/* The window between BARs is a hole: unclaimed, so --strict and the log see it. */
static bool pci_claims(struct hv_device *dev, uint64_t addr, bool is_mmio)
{
	uint64_t off;
	int bar;

	if (!is_mmio && addr < PCI_IO_WINDOW)
		return true;		/* the configuration ports */
	return decode(dev->priv, !is_mmio, addr, 1, &bar, &off) != NULL;
}

void pci_dev_set_name(struct pci_dev *d, const char *name)
{
	d->as_seen = (struct hv_device){ .name = name, .ops = &pci_ops_named };
}

static void pci_destroy(struct hv_device *dev)
{
	struct pci_host *h = dev->priv;

	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++)
		free(h->slot[s]);
	pthread_mutex_destroy(&h->irq_lock);
	free(h);
}

static const struct hv_device_ops pci_ops = {
	.pio_in = pci_in,
	.pio_out = pci_out,
	.mmio_read = pci_mmio_read,
	.mmio_write = pci_mmio_write,
	.destroy = pci_destroy,
	.target = pci_target,
	.claims = pci_claims,
};

/* ---- devices -------------------------------------------------------- */

static struct pci_dev *new_dev(struct pci_host *h, unsigned slot, uint16_t vendor,
			       uint16_t device, uint32_t class_rev)
{
	struct pci_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->host = h;
	d->slot = slot;
	put16(d->cfg + PCI_VENDOR_ID, vendor);
	put16(d->cfg + PCI_DEVICE_ID, device);
	put32(d->cfg + PCI_REVISION_ID, class_rev);
	/* IO, MEMORY, MASTER, MWI (4), PARITY (6), SERR (8), INTX_DISABLE */
	put16(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
	      (1u << 4) | (1u << 6) | (1u << 8) | PCI_COMMAND_INTX_DISABLE);
	d->wmask[0x0c] = 0xff;		/* cache line size */
	d->wmask[0x0d] = 0xff;		/* latency timer */
	h->slot[slot] = d;
	return d;
}

struct pci_dev *pci_dev_add(struct pci_host *h, int slot, uint16_t vendor, uint16_t device,
			    uint32_t class_rev, const struct pci_dev_ops *ops, void *opaque)
{
	struct pci_dev *d;

	if (slot < 0)
		for (slot = 1; slot < PCI_MAX_SLOTS && h->slot[slot]; slot++)
			;
	if (slot < 1 || slot >= PCI_MAX_SLOTS || h->slot[slot])
		return NULL;
	d = new_dev(h, (unsigned)slot, vendor, device, class_rev);
	if (!d)
		return NULL;
	d->ops = ops;
	d->opaque = opaque;
	d->cfg[PCI_INTERRUPT_LINE] = (uint8_t)pci_dev_irq(d);
	d->cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA# */
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	return d;
}

void pci_dev_remove(struct pci_dev *d)
{
	if (!d)
		return;
	pci_dev_set_irq(d, 0);
	d->host->slot[d->slot] = NULL;
	free(d);
}

int pci_dev_bar(struct pci_dev *d, int bar, bool io, uint32_t size)
{
	struct pci_host *h = d->host;
	uint64_t base;

	if (bar < 0 || bar >= PCI_NUM_BARS || (size & (size - 1)) || size < (io ? 4u : 16u) ||
	    (io && size > 256))
		return -1;
	if (io) {
		base = (h->next_io + size - 1) & ~(uint64_t)(size - 1);
		if (base + size > PCI_IO_WINDOW_END)
			return -1;
		h->next_io = (uint32_t)(base + size);
		put32(d->cfg + PCI_BAR0 + 4 * bar, (uint32_t)base | PCI_BAR_IO);
		put32(d->wmask + PCI_BAR0 + 4 * bar, ~(size - 1) & ~3u);
	} else {
		base = (h->next_mmio + size - 1) & ~(uint64_t)(size - 1);
		if (base + size > PCI_MMIO_WINDOW_END)
			return -1;
		h->next_mmio = base + size;
		/* 32-bit, non-prefetchable: type bits 0 */
		put32(d->cfg + PCI_BAR0 + 4 * bar, (uint32_t)base);
		put32(d->wmask + PCI_BAR0 + 4 * bar, ~(size - 1) & ~0xfu);
	}
	d->bar_size[bar] = size;
	d->bar_io[bar] = io;
	return 0;
}

struct pci_host *pci_attach(struct bus *bus, const struct irq_line *intx)
{
	struct pci_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->dev = (struct hv_device){ .name = "pci", .ops = &pci_ops, .priv = h };
	h->next_mmio = PCI_MMIO_ASSIGN;
	h->next_io = PCI_IO_WINDOW;
	if (intx)
		h->intx = *intx;
	pthread_mutex_init(&h->irq_lock, NULL);
	if (!new_dev(h, 0, PCI_HOST_VENDOR, PCI_HOST_DEVICE,
		     (uint32_t)PCI_CLASS_HOST_BRIDGE << 16 | 2)) {
		pthread_mutex_destroy(&h->irq_lock);
		free(h);
		return NULL;
	}
	/* 0xCF8-0xCFF but 0xCF9, the reset register (reset.c) */
	if (bus_register_pio(bus, 0xCF8, 1, &h->dev)) {
		pci_destroy(&h->dev);
		return NULL;
	}
	/* from here on the bus owns it and frees it */
	if (bus_register_pio(bus, 0xCFA, 6, &h->dev) ||
	    bus_register_pio(bus, PCI_IO_WINDOW, PCI_IO_WINDOW_END - PCI_IO_WINDOW, &h->dev) ||
	    bus_register_mmio(bus, PCI_MMIO_WINDOW, PCI_MMIO_WINDOW_END - PCI_MMIO_WINDOW, &h->dev))
		return NULL;
	return h;
}
