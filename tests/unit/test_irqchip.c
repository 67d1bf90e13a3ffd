// SPDX-License-Identifier: GPL-2.0
/*
 * test_irqchip.c - the interrupt path of user/hw/: the 8259A pair with
 * its ELCR (pic8259.c), the I/O APIC (ioapic.c), the local APICs and
 * their timers (lapic.c, driven by the manual clock of clock.h), and
 * irqchip.c, which wires them as the board does.  Each model is tested
 * alone through its bus registers and public functions, with recording
 * stubs for what it calls, then irqchip from a device line to the vector
 * a vCPU takes.
 */
/* EXPECT_EQ(0x20, uint8_t value): literals are int, registers unsigned */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/devices.h"
#include "hw/irq.h"
#include "hw/irq_int.h"
#include "hw_stubs.h"
#include <uapi/hvlab.h>

/* ---- helpers ------------------------------------------------------ */

/* A local-APIC register of vCPU `cpu`, as that vCPU reaches it. */
static uint32_t apic_rd(struct bus *bus, int cpu, uint32_t off)
{
	hw_set_current_vcpu(cpu);
	return mmio_rd(bus, LAPIC_BASE + off);
}

static void apic_wr(struct bus *bus, int cpu, uint32_t off, uint32_t v)
{
	hw_set_current_vcpu(cpu);
	mmio_wr(bus, LAPIC_BASE + off, v);
}

static uint32_t ioapic_rd(struct bus *bus, uint32_t reg)
{
	mmio_wr(bus, IOAPIC_BASE, reg);
	return mmio_rd(bus, IOAPIC_BASE + 0x10);
}

static void ioapic_wr(struct bus *bus, uint32_t reg, uint32_t v)
{
	mmio_wr(bus, IOAPIC_BASE, reg);
	mmio_wr(bus, IOAPIC_BASE + 0x10, v);
}

/* The classic remap: master at 0x20, slave at 0x28, nothing masked. */
static void pic_program(struct bus *bus, uint8_t icw4)
{
	out(bus, 0x20, 0x11, 1);	/* ICW1: edge, cascade, ICW4 follows */
	out(bus, 0xa0, 0x11, 1);
	out(bus, 0x21, 0x20, 1);	/* ICW2 */
	out(bus, 0xa1, 0x28, 1);
	out(bus, 0x21, 0x04, 1);	/* ICW3: slave on IR2 */
	out(bus, 0xa1, 0x02, 1);
	out(bus, 0x21, icw4, 1);	/* ICW4 */
	out(bus, 0xa1, icw4, 1);
	out(bus, 0x21, 0x00, 1);	/* OCW1 */
	out(bus, 0xa1, 0x00, 1);
}

static uint8_t pic_isr(struct bus *bus, uint16_t cmd)
{
	out(bus, cmd, 0x0b, 1);		/* OCW3: read ISR */
	return (uint8_t)in(bus, cmd, 1);
}

static uint8_t pic_irr(struct bus *bus, uint16_t cmd)
{
	out(bus, cmd, 0x0a, 1);		/* OCW3: read IRR */
	return (uint8_t)in(bus, cmd, 1);
}

/* What the models and irqchip call back: recorded. */
struct rec {
	int kicks[HVLAB_MAX_VCPUS];
	int inits[HVLAB_MAX_VCPUS];
	int sipis[HVLAB_MAX_VCPUS];
	uint8_t sipi_vector[HVLAB_MAX_VCPUS];
	uint8_t eoi[16];
	int neoi;
	bool intr;		/* the stub PIC's INTR */
	int inta_vector;
	int intas;
	struct apic_msg msg[16];
	int nmsg;
	struct irqchip *chip;	/* irqchip tests: call back in from kick */
	bool chip_pending_in_kick;
};

static void rec_kick(void *ctx, int cpu)
{
	struct rec *r = ctx;

	r->kicks[cpu]++;
	/* the chip's lock must be released here: this takes it again */
	if (r->chip)
		r->chip_pending_in_kick = irqchip_has_pending(r->chip, cpu);
}

static void rec_init(void *ctx, int cpu)
{
	((struct rec *)ctx)->inits[cpu]++;
}

static void rec_sipi(void *ctx, int cpu, uint8_t vector)
{
	struct rec *r = ctx;

	r->sipis[cpu]++;
	r->sipi_vector[cpu] = vector;
}

static void rec_eoi(void *ctx, uint8_t vector)
{
	struct rec *r = ctx;

	if (r->neoi < 16)
		r->eoi[r->neoi++] = vector;
}

static bool rec_extint(void *ctx)
{
	return ((struct rec *)ctx)->intr;
}

static int rec_extint_ack(void *ctx)
{
	struct rec *r = ctx;

	r->intas++;
	r->intr = false;
	return r->inta_vector;
}

static void rec_deliver(void *ctx, const struct apic_msg *m)
{
	struct rec *r = ctx;

	if (r->nmsg < 16)
		r->msg[r->nmsg++] = *m;
}

static const struct lapic_ops rec_lapic_ops = {
	.kick = rec_kick, .init = rec_init, .sipi = rec_sipi, .eoi = rec_eoi,
	.extint = rec_extint, .extint_ack = rec_extint_ack,
};

static const struct irqchip_ops rec_chip_ops = {
	.kick = rec_kick, .init = rec_init, .sipi = rec_sipi,
};

/* ---- 8259A -------------------------------------------------------- */

FIXTURE(pic) {
	struct bus *bus;
	struct pic *pic;
};

FIXTURE_SETUP(pic)
{
	self->bus = bus_new();
	self->pic = pic_new();
	ASSERT_NE(NULL, self->bus);
	ASSERT_NE(NULL, self->pic);
	ASSERT_EQ(0, pic_attach(self->pic, self->bus));
	pic_program(self->bus, 0x01);
}

FIXTURE_TEARDOWN(pic)
{
	bus_free(self->bus);
	pic_free(self->pic);
}

TEST_F(pic, fully_nested_priority_and_non_specific_eoi)
{
	struct pic *p = self->pic;

	EXPECT_FALSE(pic_intr(p));
	pic_set_irq(p, 3, 1);
	pic_set_irq(p, 3, 0);			/* an ISA pulse stays latched */
	pic_set_irq(p, 1, 1);
	pic_set_irq(p, 1, 0);
	EXPECT_EQ(0x0a, pic_irr(self->bus, 0x20));
	EXPECT_TRUE(pic_intr(p));
	EXPECT_EQ(0x21, pic_inta(p));		/* IR1 before IR3 */
	EXPECT_EQ(0x02, pic_isr(self->bus, 0x20));
	EXPECT_FALSE(pic_intr(p));		/* IR3 waits behind IR1 in service */
	pic_set_irq(p, 0, 1);			/* IR0 outranks IR1: nests */
	EXPECT_TRUE(pic_intr(p));
	EXPECT_EQ(0x20, pic_inta(p));
	EXPECT_EQ(0x03, pic_isr(self->bus, 0x20));
	out(self->bus, 0x20, 0x20, 1);		/* non-specific EOI: IR0 */
	EXPECT_EQ(0x02, pic_isr(self->bus, 0x20));
	EXPECT_FALSE(pic_intr(p));
	out(self->bus, 0x20, 0x20, 1);		/* IR1 */
	EXPECT_TRUE(pic_intr(p));
	EXPECT_EQ(0x23, pic_inta(p));
	EXPECT_EQ(0x08, pic_isr(self->bus, 0x20));
	EXPECT_EQ(0x00, pic_irr(self->bus, 0x20));
}

TEST_F(pic, masking_holds_an_edge_until_unmasked)
{
	struct pic *p = self->pic;

	out(self->bus, 0x21, 0x10, 1);		/* mask IR4 */
	pic_set_irq(p, 4, 1);
	pic_set_irq(p, 4, 0);
	EXPECT_FALSE(pic_intr(p));
	EXPECT_EQ(0x10, pic_irr(self->bus, 0x20));
	out(self->bus, 0x21, 0x00, 1);
	EXPECT_TRUE(pic_intr(p));
	EXPECT_EQ(0x24, pic_inta(p));
	/* a held line is one edge, not a stream */
	out(self->bus, 0x20, 0x20, 1);
	pic_set_irq(p, 4, 1);
	EXPECT_EQ(0x24, pic_inta(p));
	out(self->bus, 0x20, 0x20, 1);
	pic_set_irq(p, 4, 1);
	EXPECT_FALSE(pic_intr(p));
}

TEST_F(pic, cascade_and_specific_eoi)
{
	struct pic *p = self->pic;

	pic_set_irq(p, 10, 1);
	pic_set_irq(p, 10, 0);
	EXPECT_EQ(0x04, pic_irr(self->bus, 0x20));	/* the slave's INT on IR2 */
	EXPECT_TRUE(pic_intr(p));
	EXPECT_EQ(0x2a, pic_inta(p));
	EXPECT_EQ(0x04, pic_isr(self->bus, 0x20));
	EXPECT_EQ(0x04, pic_isr(self->bus, 0xa0));
	pic_set_irq(p, 14, 1);			/* lower priority than IR10 */
	EXPECT_FALSE(pic_intr(p));
	out(self->bus, 0xa0, 0x62, 1);		/* specific EOI, slave IR2 */
	EXPECT_EQ(0x00, pic_isr(self->bus, 0xa0));
	EXPECT_FALSE(pic_intr(p));		/* the master's IR2 is still in service */
	out(self->bus, 0x20, 0x65, 1);		/* specific EOI for a line not in service */
	EXPECT_EQ(0x04, pic_isr(self->bus, 0x20));
	out(self->bus, 0x20, 0x62, 1);
	EXPECT_EQ(0x00, pic_isr(self->bus, 0x20));
	EXPECT_TRUE(pic_intr(p));
	EXPECT_EQ(0x2e, pic_inta(p));
	out(self->bus, 0xa1, 0x40, 1);		/* masking IR14 keeps ISR */
	EXPECT_EQ(0x40, pic_isr(self->bus, 0xa0));
}

TEST_F(pic, elcr_level_line_follows_the_wire)
{
	struct pic *p = self->pic;

	out(self->bus, 0x4d0, 0xff, 1);		/* IRQ 0, 1, 2 stay edge */
	out(self->bus, 0x4d1, 0xff, 1);		/* IRQ 8, 13 too */
	EXPECT_EQ(0xf8, in(self->bus, 0x4d0, 1));
	EXPECT_EQ(0xde, in(self->bus, 0x4d1, 1));
	EXPECT_EQ(0xdef8, in(self->bus, 0x4d0, 2));
	out(self->bus, 0x4d0, 0x0200, 2);	/* only IRQ 9 level */
	EXPECT_EQ(0x02, in(self->bus, 0x4d1, 1));

	pic_set_irq(p, 9, 1);
	EXPECT_EQ(0x29, pic_inta(p));
	out(self->bus, 0xa0, 0x20, 1);
	out(self->bus, 0x20, 0x20, 1);
	EXPECT_TRUE(pic_intr(p));		/* still asserted: asks again */
	EXPECT_EQ(0x29, pic_inta(p));
	pic_set_irq(p, 9, 0);			/* the driver served the device */
	EXPECT_EQ(0x00, pic_irr(self->bus, 0xa0));	/* the request went with the line */
	out(self->bus, 0xa0, 0x20, 1);
	out(self->bus, 0x20, 0x20, 1);
	EXPECT_FALSE(pic_intr(p));
	EXPECT_EQ(0x00, pic_irr(self->bus, 0xa0));
}

TEST_F(pic, spurious_irq7_and_irq15)
{
	struct pic *p = self->pic;

	out(self->bus, 0x4d0, 0x0220, 2);	/* IRQ 5 and 9 level */
	pic_set_irq(p, 5, 1);
	EXPECT_TRUE(pic_intr(p));
	pic_set_irq(p, 5, 0);			/* gone before the INTA cycle */
	EXPECT_EQ(0x27, pic_inta(p));
	EXPECT_EQ(0x00, pic_isr(self->bus, 0x20));	/* spurious: no ISR bit */

	pic_set_irq(p, 9, 1);
	EXPECT_TRUE(pic_intr(p));
	/* the master latched the cascade's edge; the slave's request went away */
	pic_set_irq(p, 9, 0);
	EXPECT_TRUE(pic_intr(p));
	EXPECT_EQ(0x2f, pic_inta(p));
	EXPECT_EQ(0x04, pic_isr(self->bus, 0x20));	/* the master's IR2 needs its EOI */
	EXPECT_EQ(0x00, pic_isr(self->bus, 0xa0));
	out(self->bus, 0x20, 0x20, 1);
	EXPECT_FALSE(pic_intr(p));
	EXPECT_EQ(0x27, pic_inta(p));			/* nothing at all: IRQ 7 */
}

TEST_F(pic, slave_requests_back_to_back_in_auto_eoi)
{
	struct pic *p = self->pic;

	pic_program(self->bus, 0x03);
	pic_set_irq(p, 10, 1);
	pic_set_irq(p, 11, 1);
	EXPECT_EQ(0x2a, pic_inta(p));
	EXPECT_TRUE(pic_intr(p));		/* INT stayed high: IR11 still asks */
	EXPECT_EQ(0x2b, pic_inta(p));
	EXPECT_FALSE(pic_intr(p));
}

TEST_F(pic, auto_eoi_and_poll)
{
	struct pic *p = self->pic;

	pic_program(self->bus, 0x03);		/* ICW4: 8086, auto-EOI */
	pic_set_irq(p, 6, 1);
	EXPECT_EQ(0x26, pic_inta(p));
	EXPECT_EQ(0x00, pic_isr(self->bus, 0x20));
	pic_set_irq(p, 6, 0);

	pic_program(self->bus, 0x01);
	pic_set_irq(p, 5, 1);
	out(self->bus, 0x20, 0x0c, 1);		/* OCW3: poll */
	EXPECT_EQ(0x85, in(self->bus, 0x20, 1));
	EXPECT_EQ(0x20, pic_isr(self->bus, 0x20));
	out(self->bus, 0x20, 0x0c, 1);
	EXPECT_EQ(0x00, in(self->bus, 0x20, 1));	/* nothing more */
}

TEST_F(pic, rotation_and_icw1_reset)
{
	struct pic *p = self->pic;

	out(self->bus, 0x20, 0xc3, 1);		/* set priority: IR3 lowest, IR4 first */
	pic_set_irq(p, 3, 1);
	pic_set_irq(p, 5, 1);
	EXPECT_EQ(0x25, pic_inta(p));
	out(self->bus, 0x20, 0xa0, 1);		/* rotate on non-specific EOI: IR5 lowest */
	EXPECT_EQ(0x23, pic_inta(p));
	pic_set_irq(p, 3, 0);
	pic_set_irq(p, 5, 0);
	out(self->bus, 0x20, 0x11, 1);		/* ICW1: masks, ISR and rotation reset */
	EXPECT_EQ(0x00, pic_isr(self->bus, 0x20));
	EXPECT_FALSE(pic_ready(p, 0));
	out(self->bus, 0x21, 0x08, 1);
	out(self->bus, 0x21, 0x04, 1);
	out(self->bus, 0x21, 0x01, 1);
	EXPECT_TRUE(pic_ready(p, 0));
	EXPECT_EQ(0x08, pic_vector_base(p, 0));
	EXPECT_EQ(0x00, pic_imr(p, 0));
}

/* ---- I/O APIC ----------------------------------------------------- */

FIXTURE(ioapic) {
	struct bus *bus;
	struct ioapic *io;
	struct rec r;
};

FIXTURE_SETUP(ioapic)
{
	memset(&self->r, 0, sizeof(self->r));
	self->bus = bus_new();
	self->io = ioapic_new(2, rec_deliver, &self->r);
	ASSERT_NE(NULL, self->io);
	ASSERT_EQ(0, ioapic_attach(self->io, self->bus, IOAPIC_BASE));
}

FIXTURE_TEARDOWN(ioapic)
{
	bus_free(self->bus);
	ioapic_free(self->io);
}

TEST_F(ioapic, registers)
{
	struct bus *bus = self->bus;
	uint64_t q = ~0ull;

	EXPECT_EQ(0x02000000u, ioapic_rd(bus, 0x00));
	EXPECT_EQ(0x00170020u, ioapic_rd(bus, 0x01));
	EXPECT_EQ(0x02000000u, ioapic_rd(bus, 0x02));
	for (uint32_t pin = 0; pin < IOAPIC_PINS; pin++)
		EXPECT_EQ(0x10000u, ioapic_rd(bus, 0x10 + 2 * pin));	/* masked */
	ioapic_wr(bus, 0x00, 0x05000000);
	EXPECT_EQ(0x05000000u, ioapic_rd(bus, 0x00));
	ioapic_wr(bus, 0x01, 0);				/* read-only */
	EXPECT_EQ(0x00170020u, ioapic_rd(bus, 0x01));
	ioapic_wr(bus, 0x12, 0xffffffff);			/* pin 1 */
	EXPECT_EQ(0x0001afffu, ioapic_rd(bus, 0x12));	/* status, remote IRR read-only */
	ioapic_wr(bus, 0x13, 0xffffffff);
	EXPECT_EQ(0xff000000u, ioapic_rd(bus, 0x13));
	EXPECT_EQ(0x13u, mmio_rd(bus, IOAPIC_BASE));		/* IOREGSEL reads back */
	EXPECT_TRUE(bus_mmio(bus, IOAPIC_BASE + 0x10, false, &q, 8));
	EXPECT_EQ(0ull, q);					/* not a 32-bit access */
}

TEST_F(ioapic, edge_delivers_once_per_rising_edge)
{
	struct ioapic *io = self->io;

	ioapic_wr(self->bus, 0x18, 0x00000834);	/* pin 4: vector 0x34, logical, edge */
	ioapic_wr(self->bus, 0x19, 0x03000000);
	ioapic_set_irq(io, 4, 1);
	ASSERT_EQ(1, self->r.nmsg);
	EXPECT_EQ(0x34, self->r.msg[0].vector);
	EXPECT_EQ(0x03, self->r.msg[0].dest);
	EXPECT_TRUE(self->r.msg[0].logical);
	EXPECT_EQ(APIC_DM_FIXED, self->r.msg[0].mode);
	EXPECT_FALSE(self->r.msg[0].level);
	ioapic_set_irq(io, 4, 1);		/* no edge */
	EXPECT_EQ(1, self->r.nmsg);
	ioapic_set_irq(io, 4, 0);
	ioapic_set_irq(io, 4, 1);
	EXPECT_EQ(2, self->r.nmsg);
	ioapic_set_irq(io, 4, 0);
	ioapic_wr(self->bus, 0x18, 0x00010834);	/* masked: the edge is lost */
	ioapic_set_irq(io, 4, 1);
	ioapic_wr(self->bus, 0x18, 0x00000834);
	EXPECT_EQ(2, self->r.nmsg);
	ioapic_set_irq(io, 5, 1);		/* pin 5 still masked from reset */
	EXPECT_EQ(2, self->r.nmsg);
}

TEST_F(ioapic, level_remote_irr_and_eoi_redelivery)
{
	struct ioapic *io = self->io;

	ioapic_wr(self->bus, 0x22, 0x0000a139);	/* pin 9: 0x39, level, active low */
	ioapic_wr(self->bus, 0x23, 0x01000000);
	ioapic_set_irq(io, 9, 1);
	ASSERT_EQ(1, self->r.nmsg);
	EXPECT_TRUE(self->r.msg[0].level);
	EXPECT_EQ(APIC_DM_LOWEST, self->r.msg[0].mode);
	EXPECT_EQ(0x4000u, ioapic_rd(self->bus, 0x22) & 0x4000);	/* remote IRR */
	ioapic_set_irq(io, 9, 1);		/* held, remote IRR set: nothing */
	EXPECT_EQ(1, self->r.nmsg);
	ioapic_eoi(io, 0x38);			/* another vector */
	EXPECT_EQ(1, self->r.nmsg);
	ioapic_eoi(io, 0x39);			/* still asserted: again */
	EXPECT_EQ(2, self->r.nmsg);
	EXPECT_EQ(0x4000u, ioapic_rd(self->bus, 0x22) & 0x4000);
	ioapic_set_irq(io, 9, 0);
	mmio_wr(self->bus, IOAPIC_BASE + 0x40, 0x39);	/* the EOI register */
	EXPECT_EQ(0u, ioapic_rd(self->bus, 0x22) & 0x4000);
	EXPECT_EQ(2, self->r.nmsg);

	ioapic_wr(self->bus, 0x22, 0x0001a139);	/* masked */
	ioapic_set_irq(io, 9, 1);
	EXPECT_EQ(2, self->r.nmsg);
	ioapic_wr(self->bus, 0x22, 0x0000a139);	/* unmasking an asserted line delivers */
	EXPECT_EQ(3, self->r.nmsg);
}

/* ---- local APIC --------------------------------------------------- */

FIXTURE(lapic) {
	struct bus *bus;
	struct lapic *l;
	struct rec r;
};

FIXTURE_SETUP(lapic)
{
	memset(&self->r, 0, sizeof(self->r));
	hw_clock_manual(1000000);
	self->bus = bus_new();
	self->l = lapic_new(3, &rec_lapic_ops, &self->r);
	ASSERT_NE(NULL, self->l);
	ASSERT_EQ(0, lapic_attach(self->l, self->bus, LAPIC_BASE));
	for (int cpu = 0; cpu < 3; cpu++)
		apic_wr(self->bus, cpu, 0xf0, 0x1ff);	/* software-enabled */
}

FIXTURE_TEARDOWN(lapic)
{
	bus_free(self->bus);
	lapic_free(self->l);
}

static void fixed(struct lapic *l, uint8_t dest, uint8_t vector, bool level)
{
	struct apic_msg m = { .dest = dest, .mode = APIC_DM_FIXED, .vector = vector,
			      .level = level };

	lapic_deliver(l, &m);
}

TEST_F(lapic, reset_state)
{
	struct lapic *l = lapic_new(2, NULL, NULL);
	struct bus *bus = bus_new();

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, lapic_attach(l, bus, LAPIC_BASE));
	EXPECT_EQ(1u << 24, apic_rd(bus, 1, 0x20));
	EXPECT_EQ(0x00050014u, apic_rd(bus, 1, 0x30));
	EXPECT_EQ(0xffu, apic_rd(bus, 1, 0xf0));
	EXPECT_EQ(0xffffffffu, apic_rd(bus, 1, 0xe0));
	for (uint32_t off = 0x320; off <= 0x370; off += 0x10)
		EXPECT_EQ(0x10000u, apic_rd(bus, 1, off));
	apic_wr(bus, 1, 0x350, 0x700);		/* disabled: the mask stays */
	EXPECT_EQ(0x10700u, apic_rd(bus, 1, 0x350));
	fixed(l, 1, 0x40, false);		/* disabled: a fixed interrupt is dropped */
	EXPECT_EQ(0u, apic_rd(bus, 1, 0x200 + 0x20));
	struct apic_msg nmi = { .dest = 1, .mode = APIC_DM_NMI };
	lapic_deliver(l, &nmi);			/* but an NMI is taken */
	EXPECT_TRUE(lapic_take_nmi(l, 1));
	EXPECT_FALSE(lapic_take_nmi(l, 1));
	bus_free(bus);
	lapic_free(l);
}

TEST_F(lapic, tpr_and_ppr_gate_pending)
{
	struct lapic *l = self->l;

	fixed(l, 0, 0x45, false);
	EXPECT_EQ(1, self->r.kicks[0]);
	EXPECT_EQ(0x20u, apic_rd(self->bus, 0, 0x200 + 0x20));	/* IRR bit 0x45 */
	EXPECT_EQ(0x45, lapic_pending(l, 0));
	apic_wr(self->bus, 0, 0x80, 0x45);		/* same class: blocked */
	EXPECT_EQ(0x45u, apic_rd(self->bus, 0, 0xa0));
	EXPECT_EQ(-1, lapic_pending(l, 0));
	apic_wr(self->bus, 0, 0x80, 0x3f);
	EXPECT_EQ(0x45, lapic_pending(l, 0));
	lapic_ack(l, 0, 0x45);
	EXPECT_EQ(0x40u, apic_rd(self->bus, 0, 0xa0));	/* PPR: the in-service class */
	EXPECT_EQ(0x20u, apic_rd(self->bus, 0, 0x100 + 0x20));
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x200 + 0x20));
	apic_wr(self->bus, 0, 0x80, 0x50);
	EXPECT_EQ(0x50u, apic_rd(self->bus, 0, 0xa0));	/* TPR above it */
	EXPECT_EQ(-1, lapic_pending(l, 1));		/* other vCPUs: nothing */
}

TEST_F(lapic, isr_nesting_and_eoi_order)
{
	struct lapic *l = self->l;

	fixed(l, 0, 0x40, false);
	lapic_ack(l, 0, lapic_pending(l, 0));
	fixed(l, 0, 0x61, true);			/* level: TMR */
	EXPECT_EQ(0x61, lapic_pending(l, 0));		/* higher class nests */
	lapic_ack(l, 0, 0x61);
	EXPECT_EQ(0x2u, apic_rd(self->bus, 0, 0x180 + 0x30));	/* TMR bit 0x61 */
	fixed(l, 0, 0x50, false);
	EXPECT_EQ(-1, lapic_pending(l, 0));		/* below 0x61 in service */
	apic_wr(self->bus, 0, 0xb0, 0);			/* EOI: 0x61 first */
	ASSERT_EQ(1, self->r.neoi);			/* level: on to the I/O APIC */
	EXPECT_EQ(0x61, self->r.eoi[0]);
	EXPECT_EQ(0x50, lapic_pending(l, 0));
	lapic_ack(l, 0, 0x50);
	EXPECT_EQ(0x50u, apic_rd(self->bus, 0, 0xa0));
	apic_wr(self->bus, 0, 0xb0, 0);			/* 0x50 */
	EXPECT_EQ(0x1u, apic_rd(self->bus, 0, 0x100 + 0x20));	/* 0x40 left */
	apic_wr(self->bus, 0, 0xb0, 0);
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x100 + 0x20));
	EXPECT_EQ(1, self->r.neoi);			/* edge vectors stay here */
	EXPECT_EQ(3u, lapic_eoi_count(l, 0));
}

TEST_F(lapic, timer_one_shot_counts_down)
{
	struct lapic *l = self->l;

	apic_wr(self->bus, 0, 0x3e0, 0x3);		/* divide by 16 */
	apic_wr(self->bus, 0, 0x320, 0x30);		/* one-shot, vector 0x30 */
	apic_wr(self->bus, 0, 0x380, 1000);		/* 16 us at 1 GHz / 16 */
	EXPECT_EQ(1000u, apic_rd(self->bus, 0, 0x390));
	hw_clock_advance(8000);
	EXPECT_EQ(500u, apic_rd(self->bus, 0, 0x390));
	EXPECT_EQ(-1, lapic_pending(l, 0));
	hw_clock_advance(7999);
	EXPECT_EQ(-1, lapic_pending(l, 0));
	EXPECT_EQ(1u, apic_rd(self->bus, 0, 0x390));
	hw_clock_advance(1);
	EXPECT_EQ(0x30, lapic_pending(l, 0));
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x390));
	EXPECT_EQ(1000u, apic_rd(self->bus, 0, 0x380));
	lapic_ack(l, 0, 0x30);
	apic_wr(self->bus, 0, 0xb0, 0);
	hw_clock_advance(100000);			/* once only */
	EXPECT_EQ(-1, lapic_pending(l, 0));
	EXPECT_EQ(1, self->r.kicks[0]);
}

static uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* make bench's interrupt latency starts at this stamp: only a raised interrupt sets it */
TEST_F(lapic, timer_stamps_the_tsc_when_it_raises_its_interrupt)
{
	struct lapic *l = self->l;
	uint64_t before, after;

	EXPECT_EQ(0u, lapic_timer_tsc(l, 0));
	apic_wr(self->bus, 0, 0x3e0, 0xb);		/* divide by 1 */
	apic_wr(self->bus, 0, 0x320, 0x10040);		/* one-shot, masked */
	apic_wr(self->bus, 0, 0x380, 100);
	hw_clock_advance(100);
	EXPECT_EQ(0u, lapic_timer_tsc(l, 0));		/* masked: nothing raised */
	apic_wr(self->bus, 0, 0x320, 0x40);		/* unmasked */
	apic_wr(self->bus, 0, 0x380, 100);
	hw_clock_advance(99);
	EXPECT_EQ(0u, lapic_timer_tsc(l, 0));		/* not due yet */
	before = tsc_now();
	hw_clock_advance(1);
	after = tsc_now();
	EXPECT_EQ(0x40, lapic_pending(l, 0));
	EXPECT_LE(before, lapic_timer_tsc(l, 0));
	EXPECT_GE(after, lapic_timer_tsc(l, 0));
	EXPECT_EQ(0u, lapic_timer_tsc(l, 1));		/* the other CPU's timer */
	EXPECT_EQ(0u, lapic_timer_tsc(l, 99));
}

TEST_F(lapic, timer_periodic_fires_exactly_n_times)
{
	/* divide 16, count 625: 10 us a period; 1 ms is 100 periods */
	apic_wr(self->bus, 1, 0x3e0, 0x3);
	apic_wr(self->bus, 1, 0x320, 0x20031);		/* periodic, vector 0x31 */
	apic_wr(self->bus, 1, 0x380, 625);
	hw_clock_advance(1000000);
	EXPECT_EQ(100, self->r.kicks[1]);
	EXPECT_EQ(625u, apic_rd(self->bus, 1, 0x390));	/* reloaded */
	hw_clock_advance(4000);
	EXPECT_EQ(375u, apic_rd(self->bus, 1, 0x390));
	EXPECT_EQ(0x31, lapic_pending(self->l, 1));
	apic_wr(self->bus, 1, 0x320, 0x30031);		/* masked: counts, no interrupt */
	hw_clock_advance(100000);
	EXPECT_EQ(100, self->r.kicks[1]);
	EXPECT_EQ(375u, apic_rd(self->bus, 1, 0x390));
	apic_wr(self->bus, 1, 0x380, 0);		/* count 0 stops it */
	apic_wr(self->bus, 1, 0x320, 0x20031);
	hw_clock_advance(100000);
	EXPECT_EQ(100, self->r.kicks[1]);
	EXPECT_EQ(0u, apic_rd(self->bus, 1, 0x390));
}

TEST_F(lapic, timer_short_periods_are_coalesced)
{
	/* 100 ns periods: interrupts at most every 10 us, the count exact */
	apic_wr(self->bus, 0, 0x3e0, 0xb);
	apic_wr(self->bus, 0, 0x320, 0x20031);
	apic_wr(self->bus, 0, 0x380, 100);
	hw_clock_advance(1000000);
	EXPECT_EQ(100, self->r.kicks[0]);
	hw_clock_advance(30);
	EXPECT_EQ(70u, apic_rd(self->bus, 0, 0x390));
}

TEST_F(lapic, timer_divide_values)
{
	static const uint32_t tdcr[8] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb };
	static const uint64_t div[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };

	apic_wr(self->bus, 2, 0x320, 0x40);
	for (int i = 0; i < 8; i++) {
		int kicks = self->r.kicks[2];

		apic_wr(self->bus, 2, 0x3e0, tdcr[i]);
		EXPECT_EQ(tdcr[i], apic_rd(self->bus, 2, 0x3e0));
		apic_wr(self->bus, 2, 0x380, 100);
		hw_clock_advance(100 * div[i] - 1);
		EXPECT_EQ(kicks, self->r.kicks[2]);
		EXPECT_EQ(1u, apic_rd(self->bus, 2, 0x390));
		hw_clock_advance(1);
		EXPECT_EQ(kicks + 1, self->r.kicks[2]);
	}
}

TEST_F(lapic, tsc_deadline_mode_is_a_stopped_one_shot)
{
	apic_wr(self->bus, 0, 0x320, 0x40040);		/* TSC-deadline, vector 0x40 */
	apic_wr(self->bus, 0, 0x380, 100);		/* ignored */
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x380));
	hw_clock_advance(1000000);
	EXPECT_EQ(0, self->r.kicks[0]);
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x390));
}

TEST_F(lapic, ipis_fixed_self_and_shorthands)
{
	struct lapic *l = self->l;

	apic_wr(self->bus, 0, 0x310, 0x02000000);	/* destination 2 */
	apic_wr(self->bus, 0, 0x300, 0x1050);		/* fixed 0x50, "busy" */
	EXPECT_EQ(0x50u, apic_rd(self->bus, 0, 0x300));	/* status reads idle */
	EXPECT_EQ(0x50, lapic_pending(l, 2));
	EXPECT_EQ(-1, lapic_pending(l, 1));
	EXPECT_EQ(1, self->r.kicks[2]);
	EXPECT_EQ((2ull << 56) | 0x50, lapic_last_icr(l, 0));

	apic_wr(self->bus, 1, 0x300, 0x40051);		/* self */
	EXPECT_EQ(0x51, lapic_pending(l, 1));
	EXPECT_EQ(-1, lapic_pending(l, 0));
	apic_wr(self->bus, 1, 0x300, 0xc0062);		/* all but self */
	EXPECT_EQ(0x62, lapic_pending(l, 0));
	EXPECT_EQ(0x62, lapic_pending(l, 2));
	EXPECT_EQ(0x51, lapic_pending(l, 1));
	apic_wr(self->bus, 1, 0x300, 0x80073);		/* all including self */
	for (int cpu = 0; cpu < 3; cpu++)
		EXPECT_EQ(0x73, lapic_pending(l, cpu));
	apic_wr(self->bus, 0, 0x310, 0xff000000);	/* physical broadcast */
	apic_wr(self->bus, 0, 0x300, 0x84);
	for (int cpu = 0; cpu < 3; cpu++)
		EXPECT_EQ(0x84, lapic_pending(l, cpu));
	EXPECT_EQ(5u, lapic_ipi_count(l));
}

TEST_F(lapic, logical_destinations_flat_and_cluster)
{
	struct lapic *l = self->l;

	apic_wr(self->bus, 1, 0xd0, 0x02000000);	/* flat: bit 1 */
	apic_wr(self->bus, 2, 0xd0, 0x04000000);	/* bit 2 */
	apic_wr(self->bus, 0, 0x310, 0x04000000);
	apic_wr(self->bus, 0, 0x300, 0x0850);		/* logical 0x04 */
	EXPECT_EQ(0x50, lapic_pending(l, 2));
	EXPECT_EQ(-1, lapic_pending(l, 1));
	apic_wr(self->bus, 0, 0x310, 0x06000000);
	apic_wr(self->bus, 0, 0x300, 0x0960);		/* lowest priority of 1, 2 */
	EXPECT_EQ(0x60, lapic_pending(l, 1));
	EXPECT_EQ(0x50, lapic_pending(l, 2));
	for (int cpu = 0; cpu < 3; cpu++)
		apic_wr(self->bus, cpu, 0xe0, 0x0fffffff);	/* cluster model */
	EXPECT_EQ(0x0fffffffu, apic_rd(self->bus, 0, 0xe0));
	apic_wr(self->bus, 1, 0xd0, 0x31000000);	/* cluster 3, bit 0 */
	apic_wr(self->bus, 2, 0xd0, 0x21000000);	/* cluster 2, bit 0 */
	apic_wr(self->bus, 0, 0x310, 0x21000000);
	apic_wr(self->bus, 0, 0x300, 0x0870);
	EXPECT_EQ(0x70, lapic_pending(l, 2));
	EXPECT_EQ(0x60, lapic_pending(l, 1));
}

TEST_F(lapic, nmi_init_and_startup_ipis)
{
	struct lapic *l = self->l;

	apic_wr(self->bus, 0, 0x310, 0x01000000);
	apic_wr(self->bus, 0, 0x300, 0x0400);		/* NMI */
	EXPECT_TRUE(lapic_take_nmi(l, 1));
	EXPECT_FALSE(lapic_take_nmi(l, 1));
	EXPECT_EQ(1u, lapic_nmi_count(l));
	apic_wr(self->bus, 1, 0x80, 0x20);
	apic_wr(self->bus, 0, 0x300, 0xc500);		/* INIT, level, assert */
	EXPECT_EQ(1, self->r.inits[1]);
	EXPECT_EQ(0u, apic_rd(self->bus, 1, 0x80));	/* INIT resets the APIC ... */
	EXPECT_EQ(0xffu, apic_rd(self->bus, 1, 0xf0));
	EXPECT_EQ(1u << 24, apic_rd(self->bus, 1, 0x20));	/* ... but the ID */
	apic_wr(self->bus, 0, 0x300, 0x8500);		/* INIT level de-assert */
	EXPECT_EQ(1, self->r.inits[1]);
	apic_wr(self->bus, 0, 0x300, 0x069a);		/* STARTUP, vector 0x9a */
	EXPECT_EQ(1, self->r.sipis[1]);
	EXPECT_EQ(0x9a, self->r.sipi_vector[1]);
	EXPECT_EQ(0, self->r.sipis[0]);
	EXPECT_EQ(0, self->r.inits[2]);
}

TEST_F(lapic, esr_latches_on_write)
{
	apic_wr(self->bus, 0, 0x310, 0x01000000);
	apic_wr(self->bus, 0, 0x300, 0x0005);		/* fixed vector 5: illegal */
	EXPECT_EQ(-1, lapic_pending(self->l, 1));
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x280));	/* not latched yet */
	apic_wr(self->bus, 0, 0x280, 0);
	EXPECT_EQ(0x20u, apic_rd(self->bus, 0, 0x280));	/* send illegal vector */
	apic_wr(self->bus, 0, 0x280, 0);
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x280));
}

TEST_F(lapic, lint0_extint_asks_the_pic)
{
	struct lapic *l = self->l;

	EXPECT_EQ(-1, lapic_pending(l, 0));
	apic_wr(self->bus, 0, 0x350, 0x700);		/* ExtINT, unmasked */
	EXPECT_EQ(0x700u, apic_rd(self->bus, 0, 0x350));
	self->r.intr = true;
	self->r.inta_vector = 0x21;
	EXPECT_EQ(-1, lapic_pending(l, 0));		/* not an IRR vector */
	EXPECT_EQ(0, self->r.intas);
	EXPECT_EQ(-1, lapic_pending(l, 1));
	apic_wr(self->bus, 0, 0xf0, 0xff);		/* software-disable: LVTs masked */
	EXPECT_EQ(0x10700u, apic_rd(self->bus, 0, 0x350));
}

TEST_F(lapic, odd_accesses_read_zero)
{
	uint64_t q = ~0ull;
	uint16_t w = 0xffff;

	hw_set_current_vcpu(0);
	EXPECT_TRUE(bus_mmio(self->bus, LAPIC_BASE + 0x30, false, &q, 8));
	EXPECT_EQ(0ull, q);
	EXPECT_TRUE(bus_mmio(self->bus, LAPIC_BASE + 0x80, false, &w, 2));
	EXPECT_EQ(0, w);
	w = 0xff;
	bus_mmio(self->bus, LAPIC_BASE + 0x80, true, &w, 2);
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x80));
	mmio_wr(self->bus, LAPIC_BASE + 0x84, 0xff);
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x80));
}

/* ---- irqchip: line to vector -------------------------------------- */

FIXTURE(chip) {
	struct bus *bus;
	struct irqchip *c;
	struct rec r;
};

FIXTURE_SETUP(chip)
{
	memset(&self->r, 0, sizeof(self->r));
	hw_clock_manual(0);
	self->bus = bus_new();
	self->c = irqchip_new(2, &rec_chip_ops, &self->r);
	ASSERT_NE(NULL, self->c);
	ASSERT_EQ(0, irqchip_attach(self->c, self->bus));
	self->r.chip = self->c;
}

FIXTURE_TEARDOWN(chip)
{
	bus_free(self->bus);
	irqchip_free(self->c);
}

static void pulse(struct irqchip *c, unsigned gsi)
{
	struct irq_line line = { irqchip_set_irq, c, gsi };

	irq_line_pulse(&line);
}

TEST_F(chip, ioapic_id_follows_the_lapics)
{
	EXPECT_EQ(0x02000000u, ioapic_rd(self->bus, 0));
	EXPECT_EQ(1u << 24, apic_rd(self->bus, 1, 0x20));
}

TEST_F(chip, pit_irq0_arrives_on_ioapic_pin2)
{
	struct irq_stats st;

	apic_wr(self->bus, 0, 0xf0, 0x1ff);
	ioapic_wr(self->bus, 0x14, 0x30);		/* pin 2: 0x30, edge, CPU 0 */
	ioapic_wr(self->bus, 0x15, 0x00000000);
	EXPECT_EQ(-1, irqchip_take(self->c, 0));
	pulse(self->c, IRQ_PIT);
	EXPECT_EQ(1, self->r.kicks[0]);
	EXPECT_TRUE(self->r.chip_pending_in_kick);	/* called with the lock released */
	EXPECT_TRUE(irqchip_has_pending(self->c, 0));
	EXPECT_FALSE(irqchip_has_pending(self->c, 1));
	EXPECT_EQ(0x30, irqchip_take(self->c, 0));
	EXPECT_EQ(-1, irqchip_take(self->c, 0));
	EXPECT_EQ(0x10000u, apic_rd(self->bus, 0, 0x100 + 0x10));	/* in service */
	apic_wr(self->bus, 0, 0xb0, 0);
	EXPECT_EQ(0u, apic_rd(self->bus, 0, 0x100 + 0x10));
	pulse(self->c, 2);				/* nothing on pin 2 but IRQ 0 */
	EXPECT_EQ(-1, irqchip_take(self->c, 0));
	pulse(self->c, IRQ_PIT);
	EXPECT_EQ(0x30, irqchip_take(self->c, 0));
	irqchip_stats(self->c, &st);
	EXPECT_EQ(2u, st.raised[0]);
	EXPECT_EQ(1u, st.raised[2]);
	EXPECT_EQ(2u, st.injected[0x30]);
}

TEST_F(chip, pic_extint_before_the_apic_is_enabled)
{
	pic_program(self->bus, 0x01);
	out(self->bus, 0x21, 0xfc, 1);			/* IRQ 0 and 1 */
	pulse(self->c, IRQ_PIT);
	EXPECT_EQ(1, self->r.kicks[0]);
	EXPECT_EQ(0, self->r.kicks[1]);
	EXPECT_TRUE(irqchip_has_pending(self->c, 0));
	EXPECT_FALSE(irqchip_has_pending(self->c, 1));
	EXPECT_EQ(-1, irqchip_take(self->c, 1));
	EXPECT_EQ(0x20, irqchip_take(self->c, 0));
	EXPECT_EQ(-1, irqchip_take(self->c, 0));
	out(self->bus, 0x20, 0x20, 1);

	/* the OS enables its APIC: LINT0 decides from now on */
	apic_wr(self->bus, 0, 0xf0, 0x1ff);
	pulse(self->c, IRQ_KBD);
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));
	EXPECT_EQ(-1, irqchip_take(self->c, 0));
	apic_wr(self->bus, 0, 0x350, 0x700);		/* LINT0: ExtINT */
	EXPECT_TRUE(irqchip_has_pending(self->c, 0));
	EXPECT_EQ(0x21, irqchip_take(self->c, 0));
	out(self->bus, 0x20, 0x20, 1);
	/* disabled again: no return to the direct path */
	apic_wr(self->bus, 0, 0xf0, 0xff);
	pulse(self->c, IRQ_PIT);
	EXPECT_EQ(-1, irqchip_take(self->c, 0));
}

/*
 * irqchip_has_pending keeps its "nothing" answer until someone takes the
 * chip's lock: each kind of change after a "nothing" must still be seen
 * (a line, the TPR, an EOI of a higher vector, an APIC enabled).
 */
TEST_F(chip, a_cached_nothing_pending_follows_every_change)
{
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));	/* the cached answer */
	apic_wr(self->bus, 0, 0xf0, 0x1ff);
	ioapic_wr(self->bus, 0x14, 0x30);		/* pin 2: 0x30, edge, CPU 0 */
	ioapic_wr(self->bus, 0x15, 0x00000000);
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));
	pulse(self->c, IRQ_PIT);			/* a line */
	EXPECT_TRUE(irqchip_has_pending(self->c, 0));
	apic_wr(self->bus, 0, 0x80, 0x40);		/* TPR above the vector */
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));
	apic_wr(self->bus, 0, 0x80, 0x00);		/* and below it again */
	EXPECT_TRUE(irqchip_has_pending(self->c, 0));
	EXPECT_EQ(0x30, irqchip_take(self->c, 0));
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));
	pulse(self->c, IRQ_PIT);			/* same class: waits for the EOI */
	EXPECT_FALSE(irqchip_has_pending(self->c, 0));
	apic_wr(self->bus, 0, 0xb0, 0);			/* EOI */
	EXPECT_TRUE(irqchip_has_pending(self->c, 0));
	EXPECT_FALSE(irqchip_has_pending(self->c, 1));	/* the other vCPU: nothing */
}

TEST_F(chip, unmasking_the_pic_kicks_vcpu0)
{
	pic_program(self->bus, 0x01);
	out(self->bus, 0x21, 0xff, 1);
	pulse(self->c, IRQ_COM1);
	EXPECT_EQ(0, self->r.kicks[0]);
	out(self->bus, 0x21, 0xef, 1);
	EXPECT_EQ(1, self->r.kicks[0]);
	EXPECT_EQ(0x24, irqchip_take(self->c, 0));
}

TEST_F(chip, level_gsi_redelivered_until_the_device_lets_go)
{
	apic_wr(self->bus, 1, 0xf0, 0x1ff);
	ioapic_wr(self->bus, 0x10 + 2 * 17, 0x8041);	/* GSI 17: 0x41, level */
	ioapic_wr(self->bus, 0x11 + 2 * 17, 0x01000000);	/* CPU 1 */
	irqchip_set_irq(self->c, 17, 1);
	EXPECT_EQ(0x41, irqchip_take(self->c, 1));
	apic_wr(self->bus, 1, 0xb0, 0);			/* EOI, line still up */
	EXPECT_EQ(0x41, irqchip_take(self->c, 1));
	irqchip_set_irq(self->c, 17, 0);
	apic_wr(self->bus, 1, 0xb0, 0);
	EXPECT_EQ(-1, irqchip_take(self->c, 1));
	EXPECT_EQ(0u, ioapic_rd(self->bus, 0x10 + 2 * 17) & 0x4000);
	pic_program(self->bus, 0x01);			/* GSI 16+ never reach the PIC */
	irqchip_set_irq(self->c, 17, 1);
	EXPECT_EQ(0x00, pic_irr(self->bus, 0x20) | pic_irr(self->bus, 0xa0));
}

TEST_F(chip, ipis_and_nmis_reach_the_ops)
{
	struct irq_stats st;

	apic_wr(self->bus, 0, 0xf0, 0x1ff);
	apic_wr(self->bus, 1, 0xf0, 0x1ff);
	apic_wr(self->bus, 0, 0x310, 0x01000000);
	apic_wr(self->bus, 0, 0x300, 0x4500);		/* INIT */
	apic_wr(self->bus, 0, 0x300, 0x4608);		/* STARTUP 0x08 */
	EXPECT_EQ(1, self->r.inits[1]);
	EXPECT_EQ(1, self->r.sipis[1]);
	EXPECT_EQ(0x08, self->r.sipi_vector[1]);
	apic_wr(self->bus, 1, 0xf0, 0x1ff);		/* INIT disabled it */
	apic_wr(self->bus, 0, 0x300, 0x00ef);		/* fixed 0xef */
	EXPECT_EQ(1, self->r.kicks[1]);
	EXPECT_EQ(0xef, irqchip_take(self->c, 1));
	apic_wr(self->bus, 0, 0x300, 0x0400);		/* NMI */
	EXPECT_EQ(2, self->r.kicks[1]);
	EXPECT_TRUE(irqchip_has_pending(self->c, 1));
	EXPECT_TRUE(irqchip_take_nmi(self->c, 1));
	EXPECT_FALSE(irqchip_take_nmi(self->c, 1));
	irqchip_stats(self->c, &st);
	EXPECT_EQ(4u, st.ipis);
	EXPECT_EQ(1u, st.nmis);
	EXPECT_EQ(1u, st.injected[0xef]);
}

TEST_F(chip, apic_timer_through_the_chip)
{
	apic_wr(self->bus, 0, 0xf0, 0x1ff);
	apic_wr(self->bus, 0, 0x3e0, 0xb);		/* divide by 1 */
	apic_wr(self->bus, 0, 0x320, 0x200ec);		/* periodic 0xec */
	apic_wr(self->bus, 0, 0x380, 1000000);		/* 1 ms */
	for (int i = 0; i < 10; i++) {
		hw_clock_advance(1000000);
		EXPECT_EQ(0xec, irqchip_take(self->c, 0));
		apic_wr(self->bus, 0, 0xb0, 0);
	}
	EXPECT_EQ(10, self->r.kicks[0]);
}

/*
 * The real clock and threads: the timer thread fires a fast APIC timer,
 * a device thread pulses a line, two vCPU threads take and EOI.  Whatever
 * the interleaving, nothing deadlocks (kick calls back into the chip) and
 * every vector taken is one that was sent.
 */
struct stress {
	struct bus *bus;
	struct irqchip *c;
	atomic_bool stop;
	atomic_int kicks;
	atomic_int taken_all;	/* both vCPUs, read while they run */
	int bad;
	int taken[2];
};

static void stress_kick(void *ctx, int cpu)
{
	struct stress *s = ctx;

	atomic_fetch_add(&s->kicks, 1);
	irqchip_has_pending(s->c, cpu);		/* calls back in: the lock is free */
}

static void *stress_vcpu(void *arg)
{
	struct stress *s = arg;
	static _Atomic int next_id;
	int cpu = atomic_fetch_add(&next_id, 1);

	while (!atomic_load(&s->stop)) {
		int v = irqchip_take(s->c, cpu);

		if (v < 0)
			continue;
		if (v != 0xec && v != 0x31)
			s->bad++;
		s->taken[cpu]++;
		atomic_fetch_add(&s->taken_all, 1);
		apic_wr(s->bus, cpu, 0xb0, 0);
	}
	return NULL;
}

static void *stress_device(void *arg)
{
	struct stress *s = arg;

	while (!atomic_load(&s->stop)) {
		irqchip_set_irq(s->c, 9, 1);
		irqchip_set_irq(s->c, 9, 0);
	}
	return NULL;
}

TEST(chip_threads_and_the_timer_thread)
{
	static const struct irqchip_ops ops = { .kick = stress_kick };
	struct stress s = { 0 };
	pthread_t t[3];
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int waited;

	s.bus = bus_new();
	s.c = irqchip_new(2, &ops, &s);
	ASSERT_NE(NULL, s.c);
	ASSERT_EQ(0, irqchip_attach(s.c, s.bus));
	ASSERT_EQ(0, hw_timers_start());
	apic_wr(s.bus, 0, 0xf0, 0x1ff);
	apic_wr(s.bus, 1, 0xf0, 0x1ff);
	ioapic_wr(s.bus, 0x10 + 2 * 9, 0x8031);		/* GSI 9: 0x31 level, CPU 1 */
	ioapic_wr(s.bus, 0x11 + 2 * 9, 0x01000000);
	apic_wr(s.bus, 0, 0x3e0, 0xb);
	apic_wr(s.bus, 0, 0x320, 0x200ec);		/* periodic 0xec, 100 us */
	apic_wr(s.bus, 0, 0x380, 100000);
	pthread_create(&t[0], NULL, stress_vcpu, &s);
	pthread_create(&t[1], NULL, stress_vcpu, &s);
	pthread_create(&t[2], NULL, stress_device, &s);
	/*
	 * At least 50 ms of it, and on a loaded machine up to 5 s for the
	 * threads to be scheduled at all: the checks below are about what
	 * happened, not how fast.
	 */
	for (waited = 0; waited < 500; waited++) {
		nanosleep(&ts, NULL);
		if (waited >= 4 && atomic_load(&s.taken_all) > 0 &&
		    atomic_load(&s.kicks) > 0)
			break;
	}
	atomic_store(&s.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	hw_timers_stop();
	EXPECT_EQ(0, s.bad);
	EXPECT_LT(0, s.taken[0] + s.taken[1]);
	EXPECT_LT(0, atomic_load(&s.kicks));
	bus_free(s.bus);
	irqchip_free(s.c);
}

TEST_HARNESS_MAIN
