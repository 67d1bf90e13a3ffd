// SPDX-License-Identifier: GPL-2.0
/*
 * irqchip.c - the interrupt wiring of hvlab's PC, and what the vCPU
 * threads ask of it.  It owns the three models and joins them as the
 * board does (irq.h draws the picture):
 *
 *   GSI 0..15   ISA IRQs: the 8259A pair's IR inputs AND the I/O APIC's
 *               pins, IRQ 0 on pin 2 (the MADT's interrupt source
 *               override, ACPI 6.4 5.2.12.5), the others on the pin of
 *               the same number; IRQ 2 is the PICs' cascade and pin 0 is
 *               left unconnected
 *   GSI 16..23  PCI INTA#..INTD#: the I/O APIC only
 *   PIC INTR    LINT0 of every local APIC (in ExtINT mode it is taken with
 *               an INTA cycle of the PIC)
 *   I/O APIC    messages to the local APICs (lapic_deliver); a local APIC's
 *               EOI of a level-triggered vector clears remote IRR there
 *   I/O APIC ID ncpus: the local APICs are 0..ncpus-1, as the MADT says
 *
 * Before the OS sets up its local APIC, vCPU 0 takes the PIC's INTR
 * directly: while vCPU 0's APIC is software-disabled and has never been
 * enabled since power-on, irqchip_take(0) runs the PIC's INTA cycle
 * itself.  A real PC does the same through LINT0, which the BIOS leaves in
 * ExtINT mode ("virtual wire", MP spec 3.6.2.2); hvlab has no BIOS to
 * program it and an APIC cannot unmask LINT0 while software-disabled.
 * Once the OS enables its APIC, only LINT0's own programming counts.
 *
 * Locking: one mutex serialises all three models, whoever calls: device
 * lines from vCPU and timer threads, the models' MMIO and port handlers
 * (through the irq_lock hooks, irq_int.h), the APIC timer's function, the
 * vCPU threads' irqchip_take.  What the models ask of irqchip_ops (kick,
 * INIT, STARTUP) is queued while it is held and called, in order, once it
 * is released, so ops may take locks of their own or call back in.
 *
 * Before every HVLAB_RUN each vCPU thread asks whether it has an interrupt
 * to take (irqchip_has_pending).  Most exits change nothing here (an OUT
 * to a port no interrupt model owns), so the answer is cached: `stale`
 * holds a bit per vCPU, set by every chip_unlock() (whoever held the lock
 * may have changed what is pending: raised a line, written TPR or EOI,
 * enabled an APIC) and cleared by the vCPU's own look, under the lock,
 * when it found nothing.  A clear bit read without the lock means no
 * holder of the lock came since that look, so the answer is still "no".
 * A device that raises a line while the vCPU is past its look kicks it
 * (immediate_exit, vcpu_irq.c), as it would after a locked look.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/hvlab.h>

#include "hw/irq.h"
#include "hw/irq_int.h"

enum call_kind { CALL_INIT, CALL_SIPI };

struct call {
	enum call_kind kind;
	int cpu;
	uint8_t vector;
};

/* One ICR write makes at most one INIT or STARTUP per vCPU. */
#define MAX_CALLS	(4 * HVLAB_MAX_VCPUS)

struct irqchip {
	pthread_mutex_t lock;
	unsigned ncpus;
	struct pic *pic;
	struct ioapic *io;
	struct lapic *lapic;
	const struct irqchip_ops *ops;
	void *ctx;
	struct irq_stats stats;
	uint32_t lines;			/* the GSIs' levels, for counting edges */
	/* queued for after the unlock */
	uint32_t kicks;
	struct call calls[MAX_CALLS];
	unsigned ncalls;
	/* vCPUs whose "nothing pending" may be out of date (see the top) */
	uint32_t stale;
};

/* ---- the lock and the deferred callbacks -------------------------- */

static void chip_lock(void *arg)
{
	struct irqchip *c = arg;

	pthread_mutex_lock(&c->lock);
}

static void chip_unlock(void *arg)
{
	struct irqchip *c = arg;
	struct call calls[MAX_CALLS];
	unsigned n = c->ncalls;
	uint32_t kicks = c->kicks;

	memcpy(calls, c->calls, n * sizeof(calls[0]));
	c->ncalls = 0;
	c->kicks = 0;
	/* seq_cst: paired with the kicked vCPU's look, see the top */
	__atomic_store_n(&c->stale, ~0u, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&c->lock);
	if (!c->ops)
		return;
	for (unsigned i = 0; i < n; i++) {
		if (calls[i].kind == CALL_INIT && c->ops->init)
			c->ops->init(c->ctx, calls[i].cpu);
		else if (calls[i].kind == CALL_SIPI && c->ops->sipi)
			c->ops->sipi(c->ctx, calls[i].cpu, calls[i].vector);
	}
	for (unsigned i = 0; i < c->ncpus; i++)
		if ((kicks & (1u << i)) && c->ops->kick)
			c->ops->kick(c->ctx, (int)i);
}

static void queue_call(struct irqchip *c, enum call_kind kind, int cpu, uint8_t vector)
{
	if (c->ncalls < MAX_CALLS)
		c->calls[c->ncalls++] = (struct call){ kind, cpu, vector };
}

/* ---- lapic_ops: called with the lock held ------------------------- */

static void on_kick(void *arg, int cpu)
{
	struct irqchip *c = arg;

	if (cpu >= 0 && (unsigned)cpu < c->ncpus)
		c->kicks |= 1u << cpu;
}

static void on_init(void *arg, int cpu)
{
	queue_call(arg, CALL_INIT, cpu, 0);
}

static void on_sipi(void *arg, int cpu, uint8_t vector)
{
	queue_call(arg, CALL_SIPI, cpu, vector);
}

static void on_eoi(void *arg, uint8_t vector)
{
	struct irqchip *c = arg;

	ioapic_eoi(c->io, vector);
}

static bool on_extint(void *arg)
{
	struct irqchip *c = arg;

	return pic_intr(c->pic);
}

static int on_extint_ack(void *arg)
{
	struct irqchip *c = arg;

	return pic_inta(c->pic);
}

static const struct lapic_ops chip_lapic_ops = {
	.kick = on_kick,
	.init = on_init,
	.sipi = on_sipi,
	.eoi = on_eoi,
	.extint = on_extint,
	.extint_ack = on_extint_ack,
};

static void on_ioapic_msg(void *arg, const struct apic_msg *m)
{
	struct irqchip *c = arg;

	lapic_deliver(c->lapic, m);
}

/* vCPU 0 takes the PIC's INTR itself (see the overview). */
static bool pic_direct(struct irqchip *c, int cpu)
{
	return cpu == 0 && !lapic_sw_enabled(c->lapic, 0) && !lapic_ever_enabled(c->lapic, 0);
}

/* The PIC's INTR rose: kick whoever would take it. */
static void pic_changed(void *arg)
{
	struct irqchip *c = arg;

	for (unsigned i = 0; i < c->ncpus; i++)
		if (pic_direct(c, (int)i) || lapic_extint_routed(c->lapic, (int)i))
			on_kick(c, (int)i);
}

/* ---- life --------------------------------------------------------- */

struct irqchip *irqchip_new(unsigned ncpus, const struct irqchip_ops *ops, void *ctx)
{
	struct irqchip *c = calloc(1, sizeof(*c));
	struct irq_lock lk = { chip_lock, chip_unlock, c };

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->ops = ops;
	c->ctx = ctx;
	c->pic = pic_new();
	c->lapic = lapic_new(ncpus, &chip_lapic_ops, c);
	if (c->lapic)
		c->ncpus = lapic_ncpus(c->lapic);
	c->io = ioapic_new((uint8_t)c->ncpus, on_ioapic_msg, c);
	if (!c->pic || !c->lapic || !c->io) {
		irqchip_free(c);
		return NULL;
	}
	pic_set_lock(c->pic, &lk, pic_changed);
	ioapic_set_lock(c->io, &lk);
	lapic_set_lock(c->lapic, &lk);
	return c;
}

int irqchip_attach(struct irqchip *c, struct bus *bus)
{
	if (pic_attach(c->pic, bus) || ioapic_attach(c->io, bus, IOAPIC_BASE) ||
	    lapic_attach(c->lapic, bus, LAPIC_BASE))
		return -1;
	return 0;
}

/* After bus_free(), and with the timer thread stopped (hw_timers_stop). */
void irqchip_free(struct irqchip *c)
{
	if (!c)
		return;
	pic_free(c->pic);
	ioapic_free(c->io);
	lapic_free(c->lapic);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- lines -------------------------------------------------------- */

void irqchip_set_irq(void *chip, unsigned gsi, int level)
{
	struct irqchip *c = chip;
	uint32_t bit = 1u << gsi;

	if (gsi >= IOAPIC_PINS)
		return;
	chip_lock(c);
	if (level && !(c->lines & bit))
		c->stats.raised[gsi]++;
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
	if (gsi < 16) {
		bool was = pic_intr(c->pic);

		pic_set_irq(c->pic, gsi, level);
		if (!was && pic_intr(c->pic))
			pic_changed(c);
		/* ISA IRQ 2 is the PICs' cascade: pin 2 belongs to IRQ 0 */
		if (gsi != 2)
			ioapic_set_irq(c->io, gsi == IRQ_PIT ? IOAPIC_PIT_PIN : gsi, level);
	} else {
		ioapic_set_irq(c->io, gsi, level);
	}
	chip_unlock(c);
}

/* ---- the vCPU side ------------------------------------------------ */

bool irqchip_has_pending(struct irqchip *c, int cpu)
{
	uint32_t bit = cpu >= 0 && cpu < 32 ? 1u << cpu : ~0u;
	bool yes;

	/* nothing changed since this vCPU last found nothing (see the top) */
	if (!(__atomic_load_n(&c->stale, __ATOMIC_SEQ_CST) & bit))
		return false;
	/* a look changes nothing: the bare mutex, not chip_unlock's marking */
	pthread_mutex_lock(&c->lock);
	yes = lapic_pending(c->lapic, cpu) >= 0 || lapic_nmi_pending(c->lapic, cpu) ||
	      lapic_extint_waiting(c->lapic, cpu) || (pic_direct(c, cpu) && pic_intr(c->pic));
	if (!yes)
		__atomic_fetch_and(&c->stale, ~bit, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&c->lock);
	return yes;
}

int irqchip_take(struct irqchip *c, int cpu)
{
	int v;

	chip_lock(c);
	v = lapic_pending(c->lapic, cpu);
	if (v >= 0)
		lapic_ack(c->lapic, cpu, v);
	else if (lapic_extint_waiting(c->lapic, cpu))
		v = lapic_take_extint(c->lapic, cpu);
	else if (pic_direct(c, cpu) && pic_intr(c->pic))
		v = pic_inta(c->pic);
	if (v >= 0)
		c->stats.injected[v & 0xFF]++;
	chip_unlock(c);
	return v;
}

bool irqchip_take_nmi(struct irqchip *c, int cpu)
{
	bool nmi;

	chip_lock(c);
	nmi = lapic_take_nmi(c->lapic, cpu);
	chip_unlock(c);
	return nmi;
}

void irqchip_stats(struct irqchip *c, struct irq_stats *out)
{
	chip_lock(c);
	*out = c->stats;
	out->ipis = lapic_ipi_count(c->lapic);
	out->nmis = lapic_nmi_count(c->lapic);
	chip_unlock(c);
}

struct lapic *irqchip_lapic(struct irqchip *c)
{
	return c->lapic;
}

struct pic *irqchip_pic(struct irqchip *c)
{
	return c->pic;
}
