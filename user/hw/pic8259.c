// SPDX-License-Identifier: GPL-2.0
/*
 * pic8259.c - the two cascaded 8259A interrupt controllers of the PC and
 * the edge/level control registers (ELCR) of the PIIX chipsets.
 *
 *   0x20/0x21  master: command (ICW1, OCW2, OCW3) / data (ICW2-4, OCW1)
 *   0xA0/0xA1  slave, its INT output wired to the master's IR2
 *   0x4D0/0x4D1  ELCR: bit n = 1 makes IRQ n (master) / 8+n (slave)
 *              level-triggered; IRQ 0, 1, 2, 8 and 13 are always edge
 *
 * Intel 8259A datasheet ("Programmable Interrupt Controller", 231468):
 *
 * Requests.  In edge mode an IR input sets its IRR bit on a rising edge
 * and the bit stays latched until the INTA cycle acknowledges it, so an
 * ISA device's pulse (irq_line_pulse) is never lost.  In level mode the
 * IRR bit follows the line: a request that goes away before the INTA
 * cycle is withdrawn, and the INTA cycle then answers the spurious
 * vector of IR7 (master) or IR15 (slave) with no ISR bit set, as the
 * datasheet's "the 8259A will issue an IR7" says.
 *
 * Priority: fully nested.  IR0 is highest unless rotation moved the
 * lowest-priority line (OCW2 rotate and set-priority commands); a request
 * is passed to INTR only if it is unmasked and of higher priority than
 * every ISR bit.  The slave's INT output drives the master's IR2 (see
 * cascade()): a slave request withdrawn after it reached the master is
 * answered with the slave's spurious vector (IRQ 15), the master's ISR bit
 * 2 set, as on the real pair.
 *
 * The INTA cycle (pic_inta): the highest request moves IRR -> ISR (no ISR
 * bit in auto-EOI mode) and its vector is ICW2's base + the line; IR2
 * goes on to the slave, whose vector is answered.
 *
 * Commands: ICW1 starts the initialisation (clears IMR, ISR, the edge
 * latches and rotation), ICW2 vector base, ICW3 cascade (stored),
 * ICW4 uPM/AEOI (SFNM and buffered mode stored, without effect).  OCW1
 * the mask; OCW2 non-specific and specific EOI, the rotate commands;
 * OCW3 IRR/ISR read select and poll mode (the next read answers
 * 0x80 | line of the highest request and acknowledges it, or 0).  The
 * special mask mode is accepted and ignored.
 *
 * Before any initialisation both chips mask every line (IMR 0xFF) with
 * the BIOS's vector bases 0x08 and 0x70.
 *
 * The model takes no lock: irqchip.c holds its own around every call,
 * and around the bus handlers through the irq_lock hooks (irq_int.h).
 * The bus does not own it: pic_free() after bus_free().
 */
#include <stdlib.h>
#include <string.h>

#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/irq_int.h"

enum { STEP_READY, STEP_ICW2, STEP_ICW3, STEP_ICW4 };

/* ELCR bits that can be set: IRQ 0, 1, 2 (master), 8, 13 (slave) stay edge. */
static const uint8_t elcr_writable[2] = { 0xF8, 0xDE };

struct pic_chip {
	int step;		/* STEP_READY or the ICW expected next */
	bool initialised;
	bool single, need_icw4;
	bool auto_eoi, rotate_on_aeoi;
	bool read_isr, poll;
	uint8_t vector_base, icw3, icw4;
	uint8_t imr, irr, isr;
	uint8_t line;		/* the IR inputs as the devices drive them */
	uint8_t elcr;
	uint8_t lowest;		/* the line of lowest priority (7 unless rotated) */
};

struct pic {
	struct hv_device dev;
	struct pic_chip c[2];
	struct irq_lock lk;
	void (*changed)(void *ctx);
};

/* LAB 9: BEGIN pic_priority */
/* Priority rank of line `irq`: 0 is served first. */
static int rank(const struct pic_chip *c, int irq)
{
	return (irq - c->lowest - 1) & 7;
}

/* The line of highest priority in `bits`, or -1. */
static int highest(const struct pic_chip *c, uint8_t bits)
{
	for (int r = 0; r < 8; r++) {
		int irq = (r + c->lowest + 1) & 7;

		if (bits & (1u << irq))
			return irq;
	}
	return -1;
}

/* The request this chip passes on to INT now, or -1 (fully nested mode). */
static int chip_request(const struct pic_chip *c)
{
	int req = highest(c, c->irr & ~c->imr), srv = highest(c, c->isr);

	if (req < 0)
		return -1;
	if (srv >= 0 && rank(c, srv) <= rank(c, req))
		return -1;
	return req;
}
/* LAB 9: END pic_priority */

static void chip_input(struct pic_chip *c, unsigned irq, int level);

/*
 * The slave's INT output drives the master's IR2, an edge input: a rising
 * INT is latched even if the slave's request then goes away (the INTA
 * cycle answers the spurious IRQ 15), and while INT stays high the request
 * stands, so a second slave request that follows an acknowledged one
 * without INT falling in between is not lost.
 */
static void cascade(struct pic *p)
{
	bool up = chip_request(&p->c[1]) >= 0;

	chip_input(&p->c[0], 2, up);
	if (up)
		p->c[0].irr |= 1u << 2;
}

static void chip_input(struct pic_chip *c, unsigned irq, int level)
{
	uint8_t m = (uint8_t)(1u << irq);

	if (c->elcr & m) {
		/* level: the request is the line */
		if (level)
			c->irr |= m;
		else
			c->irr &= (uint8_t)~m;
	} else if (level && !(c->line & m)) {
		c->irr |= m;		/* edge: latched on the rising edge */
	}
	if (level)
		c->line |= m;
	else
		c->line &= (uint8_t)~m;
}

void pic_set_irq(struct pic *p, unsigned irq, int level)
{
	if (irq >= 16 || irq == 2)
		return;		/* IR2 is the cascade, driven by the slave */
	chip_input(&p->c[irq >> 3], irq & 7, level);
	cascade(p);
}

/* Move `irq` from IRR to ISR: the chip's part of an INTA cycle. */
static void chip_ack(struct pic_chip *c, int irq)
{
	uint8_t m = (uint8_t)(1u << irq);

	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->lowest = (uint8_t)irq;
	} else {
		c->isr |= m;
	}
	/* an edge request is consumed; a level one is still the line */
	if (!(c->elcr & m))
		c->irr &= (uint8_t)~m;
}

bool pic_intr(const struct pic *p)
{
	return chip_request(&p->c[0]) >= 0;
}

int pic_inta(struct pic *p)
{
	struct pic_chip *m = &p->c[0], *s = &p->c[1];
	int irq = chip_request(m), sirq, vector;

	if (irq < 0)
		return m->vector_base + 7;	/* the request vanished: spurious IRQ 7 */
	chip_ack(m, irq);
	if (irq == 2) {
		sirq = chip_request(s);
		if (sirq < 0) {
			vector = s->vector_base + 7;	/* spurious IRQ 15 */
		} else {
			chip_ack(s, sirq);
			vector = s->vector_base + sirq;
		}
		cascade(p);
		return vector;
	}
	return m->vector_base + irq;
}

static void icw1(struct pic_chip *c, uint8_t v)
{
	c->step = STEP_ICW2;
	c->single = v & 0x02;
	c->need_icw4 = v & 0x01;
	c->imr = 0;		/* datasheet: ICW1 clears the mask */
	c->isr = 0;
	/* the edge sense circuit is reset: an edge line needs a new rising edge */
	c->irr = c->line & c->elcr;
	c->lowest = 7;
	c->read_isr = false;
	c->poll = false;
	c->auto_eoi = c->rotate_on_aeoi = false;
	c->icw4 = 0;
	c->initialised = false;
}

static void ocw2(struct pic_chip *c, uint8_t v)
{
	int l = v & 7, irq;

	switch (v >> 5) {
	case 1:			/* non-specific EOI */
	case 5:			/* rotate on non-specific EOI */
		irq = highest(c, c->isr);
		if (irq < 0)
			break;
		c->isr &= (uint8_t)~(1u << irq);
		if (v >> 5 == 5)
			c->lowest = (uint8_t)irq;
		break;
	case 3:			/* specific EOI */
		c->isr &= (uint8_t)~(1u << l);
		break;
	case 7:			/* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << l);
		c->lowest = (uint8_t)l;
		break;
	case 6:			/* set priority: L becomes the lowest */
		c->lowest = (uint8_t)l;
		break;
	case 4:
		c->rotate_on_aeoi = true;
		break;
	case 0:
		c->rotate_on_aeoi = false;
		break;
	default:		/* 2: no operation */
		break;
	}
}

static void command(struct pic_chip *c, uint8_t v)
{
	if (v & 0x10) {
		icw1(c, v);
	} else if (v & 0x08) {	/* OCW3 */
		if (v & 0x02)
			c->read_isr = v & 0x01;
		c->poll = v & 0x04;
	} else {
		ocw2(c, v);
	}
}

static void data(struct pic_chip *c, uint8_t v)
{
	switch (c->step) {
	case STEP_ICW2:
		c->vector_base = v & 0xF8;
		c->step = !c->single ? STEP_ICW3 : c->need_icw4 ? STEP_ICW4 : STEP_READY;
		break;
	case STEP_ICW3:
		c->icw3 = v;
		c->step = c->need_icw4 ? STEP_ICW4 : STEP_READY;
		break;
	case STEP_ICW4:
		c->icw4 = v;
		c->auto_eoi = v & 0x02;
		c->step = STEP_READY;
		break;
	default:
		c->imr = v;	/* OCW1 */
		return;
	}
	if (c->step == STEP_READY)
		c->initialised = true;
}

/* A poll-mode read: an INTA cycle of this chip without a vector. */
static uint8_t poll_read(struct pic *p, int chip)
{
	struct pic_chip *c = &p->c[chip];
	int irq = chip_request(c);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_ack(c, irq);
	cascade(p);
	return (uint8_t)(0x80 | irq);
}

static uint8_t read_port(struct pic *p, uint16_t port)
{
	struct pic_chip *c;

	if (port == 0x4D0 || port == 0x4D1)
		return p->c[port & 1].elcr;
	c = &p->c[port >= 0xA0];
	if (c->poll)
		return poll_read(p, port >= 0xA0);
	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void write_port(struct pic *p, uint16_t port, uint8_t v)
{
	struct pic_chip *c;

	if (port == 0x4D0 || port == 0x4D1) {
		c = &p->c[port & 1];
		c->elcr = v & elcr_writable[port & 1];
		/* a line made level-triggered: its request is now the line */
		c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->line & c->elcr));
		return;
	}
	c = &p->c[port >= 0xA0];
	if (port & 1)
		data(c, v);
	else
		command(c, v);
}

static void pic_in(struct hv_device *dev, uint16_t port, void *buf, unsigned size)
{
	struct pic *p = dev->priv;
	uint8_t *b = buf;

	bool was;

	irq_lock_take(&p->lk);
	was = pic_intr(p);
	memset(buf, 0, size);
	/* a wider access reads the next port too (0x4D0 as a word is the ELCR pair) */
	for (unsigned i = 0; i < size; i++)
		if (port + i == 0x20 || port + i == 0x21 || port + i == 0xA0 ||
		    port + i == 0xA1 || port + i == 0x4D0 || port + i == 0x4D1)
			b[i] = read_port(p, (uint16_t)(port + i));
	cascade(p);
	if (p->changed && !was && pic_intr(p))
		p->changed(p->lk.ctx);
	irq_lock_drop(&p->lk);
}

static void pic_out(struct hv_device *dev, uint16_t port, const void *buf, unsigned size)
{
	struct pic *p = dev->priv;
	const uint8_t *b = buf;
	bool was;

	irq_lock_take(&p->lk);
	was = pic_intr(p);
	for (unsigned i = 0; i < size; i++)
		if (port + i == 0x20 || port + i == 0x21 || port + i == 0xA0 ||
		    port + i == 0xA1 || port + i == 0x4D0 || port + i == 0x4D1)
			write_port(p, (uint16_t)(port + i), b[i]);
	cascade(p);
	if (p->changed && !was && pic_intr(p))
		p->changed(p->lk.ctx);
	irq_lock_drop(&p->lk);
}

static const struct hv_device_ops pic_dev_ops = {
	.pio_in = pic_in,
	.pio_out = pic_out,
	/* no destroy: the bus does not own the model, pic_free() frees it */
};

struct pic *pic_new(void)
{
	struct pic *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = (struct hv_device){ .name = "pic8259", .ops = &pic_dev_ops, .priv = p };
	for (int i = 0; i < 2; i++) {
		p->c[i].imr = 0xFF;
		p->c[i].lowest = 7;
	}
	p->c[0].vector_base = 0x08;
	p->c[1].vector_base = 0x70;
	return p;
}

int pic_attach(struct pic *p, struct bus *bus)
{
	if (bus_register_pio(bus, 0x20, 2, &p->dev) || bus_register_pio(bus, 0xA0, 2, &p->dev) ||
	    bus_register_pio(bus, 0x4D0, 2, &p->dev))
		return -1;
	return 0;
}

void pic_free(struct pic *p)
{
	free(p);
}

void pic_set_lock(struct pic *p, const struct irq_lock *lk, void (*changed)(void *ctx))
{
	p->lk = *lk;
	p->changed = changed;
}

uint8_t pic_imr(const struct pic *p, int chip)
{
	return p->c[chip & 1].imr;
}

uint8_t pic_vector_base(const struct pic *p, int chip)
{
	return p->c[chip & 1].vector_base;
}

bool pic_ready(const struct pic *p, int chip)
{
	return p->c[chip & 1].initialised;
}
