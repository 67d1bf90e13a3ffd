// SPDX-License-Identifier: GPL-2.0
/*
 * pic8259.c - the two cascaded 8259A interrupt controllers of the PC
 * (master at 0x20/0x21, slave at 0xA0/0xA1), modelled far enough that a
 * guest can program them: the ICW1..ICW4 initialisation sequence, the
 * interrupt mask (OCW1), EOI commands (OCW2) and the IRR/ISR read select
 * (OCW3).  Intel 8259A datasheet, "Programming the 8259A".
 *
 * Nothing raises an interrupt line yet, so IRR and ISR stay 0 and no
 * vector is ever delivered; the model exists so that guests that mask the
 * legacy PIC before using the APIC (most of them) run unmodified.
 *
 * Initialisation, per chip:
 *   command port, bit 4 set    ICW1: starts the sequence, clears IMR
 *   data port                  ICW2: vector base (bits 7:3)
 *   data port, if ICW1.SNGL=0  ICW3: cascade wiring
 *   data port, if ICW1.IC4=1   ICW4: mode (8086, auto-EOI)
 * After that, a data-port write is OCW1 (the mask) and a read returns it.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/devices.h"

enum { PIC_READY, PIC_ICW2, PIC_ICW3, PIC_ICW4 };

struct pic_chip {
	int step;		/* PIC_READY or the ICW expected next */
	bool initialised;
	bool single, need_icw4;
	bool read_isr;		/* OCW3 RR/RIS: command port reads ISR */
	uint8_t vector_base, icw3, icw4;
	uint8_t imr, irr, isr;
};

struct pic {
	struct hv_device dev;
	struct pic_chip chip[2];
};

static struct pic_chip *chip_of(struct pic *p, uint16_t port)
{
	return &p->chip[port >= 0xA0];
}

static void pic_command(struct pic_chip *c, uint8_t v)
{
	if (v & 0x10) {			/* ICW1 */
		c->step = PIC_ICW2;
		c->single = v & 0x02;
		c->need_icw4 = v & 0x01;
		c->imr = 0;		/* datasheet: ICW1 clears the mask */
		c->isr = 0;
		c->read_isr = false;
		c->initialised = false;
	} else if (v & 0x08) {		/* OCW3 */
		if (v & 0x02)
			c->read_isr = v & 0x01;
	} else if (v & 0x20) {		/* OCW2 with EOI: clear the ISR bit */
		if (v & 0x40)
			c->isr &= (uint8_t)~(1u << (v & 7));	/* specific EOI */
		else
			c->isr &= (uint8_t)(c->isr - 1);	/* highest priority */
	}
}

static void pic_data(struct pic_chip *c, uint8_t v)
{
	switch (c->step) {
	case PIC_ICW2:
		c->vector_base = v & 0xF8;
		c->step = !c->single ? PIC_ICW3 : c->need_icw4 ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW3:
		c->icw3 = v;
		c->step = c->need_icw4 ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW4:
		c->icw4 = v;
		c->step = PIC_READY;
		break;
	default:
		c->imr = v;		/* OCW1 */
		return;
	}
	if (c->step == PIC_READY)
		c->initialised = true;
}

static void pic_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct pic_chip *c = chip_of(dev->priv, port);

	memset(data, 0, size);
	if (port & 1)
		*(uint8_t *)data = c->imr;
	else
		*(uint8_t *)data = c->read_isr ? c->isr : c->irr;
}

static void pic_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct pic_chip *c = chip_of(dev->priv, port);
	uint8_t v = *(const uint8_t *)data;

	(void)size;
	if (port & 1)
		pic_data(c, v);
	else
		pic_command(c, v);
}

static void pic_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops pic_ops = {
	.pio_in = pic_in,
	.pio_out = pic_out,
	.destroy = pic_destroy,
};

struct hv_device *pic8259_attach(struct bus *bus)
{
	struct pic *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = (struct hv_device){ .name = "pic8259", .ops = &pic_ops, .priv = p };
	/* until a guest programs them, both chips mask every line */
	p->chip[0].imr = p->chip[1].imr = 0xFF;
	if (bus_register_pio(bus, 0x20, 2, &p->dev)) {
		free(p);
		return NULL;
	}
	if (bus_register_pio(bus, 0xA0, 2, &p->dev))
		return NULL;	/* the bus already owns it and frees it */
	return &p->dev;
}

uint8_t pic8259_imr(const struct hv_device *dev, int chip)
{
	return ((const struct pic *)dev->priv)->chip[chip & 1].imr;
}

uint8_t pic8259_vector_base(const struct hv_device *dev, int chip)
{
	return ((const struct pic *)dev->priv)->chip[chip & 1].vector_base;
}

bool pic8259_ready(const struct hv_device *dev, int chip)
{
	return ((const struct pic *)dev->priv)->chip[chip & 1].initialised;
}
