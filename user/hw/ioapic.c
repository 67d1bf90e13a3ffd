// SPDX-License-Identifier: GPL-2.0
/*
 * ioapic.c - the I/O APIC of hvlab's PC: 24 interrupt input pins, each
 * turned by its redirection entry into an APIC message to the local APICs.
 * Intel 82093AA I/O APIC datasheet (290566), as extended by the ICH's
 * version 0x20 I/O APIC (the EOI register).
 *
 * Memory-mapped at IOAPIC_BASE, 32-bit accesses only:
 *   0x00 IOREGSEL  index of the register IOWIN shows (bits 7:0)
 *   0x10 IOWIN     the selected register
 *   0x40 EOI       write a vector: as a level-triggered EOI message
 * Indirect registers:
 *   0x00 ID (bits 27:24)   0x01 version 0x00170020 (24 entries, v 0x20)
 *   0x02 arbitration ID (= the ID)
 *   0x10 + 2n / 0x11 + 2n  redirection entry n, low / high dword:
 *        7:0 vector, 10:8 delivery mode, 11 destination mode (logical),
 *        12 delivery status (RO), 13 polarity, 14 remote IRR (RO),
 *        15 trigger (level), 16 mask, 63:56 destination
 * Any other access reads 0 and writes are dropped.
 *
 * Pins.  ioapic_set_irq's `level` means "asserted": the board's devices
 * drive their lines active high, and the polarity bit, which says how
 * the wire carries the assertion, is stored for the guest to read back but
 * does not invert anything.
 *  - edge-triggered entry: an assertion (0 -> 1) is delivered once if the
 *    entry is unmasked at that moment; while masked it is lost, as on the
 *    82093AA.
 *  - level-triggered entry: delivered while the pin is asserted, the entry
 *    unmasked and remote IRR clear; delivery sets remote IRR, and the local
 *    APIC's EOI of the vector (ioapic_eoi, or the EOI register) clears it
 *    and delivers again if the pin is still asserted.  Unmasking an
 *    asserted entry delivers.
 * Delivery is instantaneous, so delivery status always reads idle.
 *
 * The model takes no lock (see irq_int.h); the bus does not own it:
 * ioapic_free() after bus_free().
 */
#include <stdlib.h>
#include <string.h>

#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/irq_int.h"

#define IOAPIC_SIZE	0x1000
#define IOAPIC_VERSION	(((IOAPIC_PINS - 1u) << 16) | 0x20)

#define RTE_VECTOR	0xFFull
#define RTE_DM_SHIFT	8
#define RTE_LOGICAL	(1ull << 11)
#define RTE_STATUS	(1ull << 12)
#define RTE_POLARITY	(1ull << 13)
#define RTE_REMOTE_IRR	(1ull << 14)
#define RTE_LEVEL	(1ull << 15)
#define RTE_MASKED	(1ull << 16)
#define RTE_DEST_SHIFT	56
/* what a guest write can change: delivery status and remote IRR are read-only */
#define RTE_WRITABLE	(0xFF00000000000000ull | (0x1FFFFull & ~(RTE_STATUS | RTE_REMOTE_IRR)))

struct ioapic {
	struct hv_device dev;
	uint64_t base;
	uint8_t id;
	uint32_t sel;
	uint32_t asserted;		/* the pins' levels */
	uint64_t rte[IOAPIC_PINS];
	apic_deliver_fn deliver;
	void *ctx;
	struct irq_lock lk;
};

/* Send pin's message if its entry allows it now. */
static void service(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];
	struct apic_msg m;

	if (e & RTE_MASKED)
		return;
	if (e & RTE_LEVEL) {
		if (e & RTE_REMOTE_IRR)
			return;
		io->rte[pin] |= RTE_REMOTE_IRR;
	}
	m = (struct apic_msg){
		.dest = (uint8_t)(e >> RTE_DEST_SHIFT),
		.logical = e & RTE_LOGICAL,
		.mode = (uint8_t)((e >> RTE_DM_SHIFT) & 7),
		.vector = (uint8_t)(e & RTE_VECTOR),
		.level = e & RTE_LEVEL,
	};
	if (io->deliver)
		io->deliver(io->ctx, &m);
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, int level)
{
	uint32_t bit = 1u << pin, was;

	if (pin >= IOAPIC_PINS)
		return;
	was = io->asserted & bit;
	if (level)
		io->asserted |= bit;
	else
		io->asserted &= ~bit;
	if (!level)
		return;
	if ((io->rte[pin] & RTE_LEVEL) || !was)
		service(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if (!(e & RTE_LEVEL) || !(e & RTE_REMOTE_IRR) || (e & RTE_VECTOR) != vector)
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		if (io->asserted & (1u << pin))
			service(io, pin);
	}
}

static uint32_t read_reg(struct ioapic *io, uint32_t idx)
{
	switch (idx) {
	case 0x00:
	case 0x02:
		return (uint32_t)io->id << 24;
	case 0x01:
		return IOAPIC_VERSION;
	}
	if (idx >= 0x10 && idx < 0x10 + 2 * IOAPIC_PINS) {
		uint64_t e = io->rte[(idx - 0x10) / 2];

		return (idx & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	return 0;
}

static void write_reg(struct ioapic *io, uint32_t idx, uint32_t v)
{
	unsigned pin;
	uint64_t e, w;

	if (idx == 0x00) {
		io->id = (v >> 24) & 0x0F;
		return;
	}
	if (idx < 0x10 || idx >= 0x10 + 2 * IOAPIC_PINS)
		return;		/* version, arbitration: read-only */
	pin = (idx - 0x10) / 2;
	e = io->rte[pin];
	if (idx & 1)
		w = ((uint64_t)v << 32) | (uint32_t)e;
	else
		w = (e & 0xFFFFFFFF00000000ull) | v;
	e = (e & ~RTE_WRITABLE) | (w & RTE_WRITABLE);
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;	/* remote IRR is defined for level entries only */
	io->rte[pin] = e;
	/* an asserted level pin unmasked now (or made level) asks again */
	if ((e & RTE_LEVEL) && (io->asserted & (1u << pin)))
		service(io, pin);
}

static void io_read(struct hv_device *dev, uint64_t addr, void *data, unsigned len)
{
	struct ioapic *io = dev->priv;
	uint64_t off = addr - io->base;
	uint32_t v = 0;

	memset(data, 0, len);
	if (len != 4)
		return;
	irq_lock_take(&io->lk);
	if (off == 0x00)
		v = io->sel;
	else if (off == 0x10)
		v = read_reg(io, io->sel);
	irq_lock_drop(&io->lk);
	memcpy(data, &v, 4);
}

static void io_write(struct hv_device *dev, uint64_t addr, const void *data, unsigned len)
{
	struct ioapic *io = dev->priv;
	uint64_t off = addr - io->base;
	uint32_t v;

	if (len != 4)
		return;
	memcpy(&v, data, 4);
	irq_lock_take(&io->lk);
	if (off == 0x00)
		io->sel = v & 0xFF;
	else if (off == 0x10)
		write_reg(io, io->sel, v);
	else if (off == 0x40)
		ioapic_eoi(io, (uint8_t)v);
	irq_lock_drop(&io->lk);
}

static const struct hv_device_ops ioapic_dev_ops = {
	.mmio_read = io_read,
	.mmio_write = io_write,
	/* no destroy: ioapic_free() frees it */
};

struct ioapic *ioapic_new(uint8_t id, apic_deliver_fn deliver, void *ctx)
{
	struct ioapic *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	io->dev = (struct hv_device){ .name = "ioapic", .ops = &ioapic_dev_ops, .priv = io };
	io->id = id & 0x0F;
	io->deliver = deliver;
	io->ctx = ctx;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;	/* reset: every entry masked */
	return io;
}

int ioapic_attach(struct ioapic *io, struct bus *bus, uint64_t base)
{
	io->base = base;
	return bus_register_mmio(bus, base, IOAPIC_SIZE, &io->dev) ? -1 : 0;
}

void ioapic_free(struct ioapic *io)
{
	free(io);
}

void ioapic_set_lock(struct ioapic *io, const struct irq_lock *lk)
{
	io->lk = *lk;
}
