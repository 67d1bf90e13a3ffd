/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq_int.h - what the interrupt models (pic8259.c, ioapic.c, lapic.c)
 * and irqchip.c, the board wiring, share beyond the public irq.h.
 *
 * Locking: the models' public functions (pic_set_irq, lapic_deliver, ...)
 * take no lock; their caller holds irqchip's.  Only the entry points a
 * model has of its own, its bus handlers and the LAPIC timer's function,
 * take the lock, through the irq_lock hooks irqchip installs.  Without
 * hooks (a model tested alone) nothing is locked.
 */
#ifndef HVLAB_HW_IRQ_INT_H
#define HVLAB_HW_IRQ_INT_H

#include "hw/irq.h"

struct irq_lock {
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);	/* also runs the callbacks queued meanwhile */
	void *ctx;
};

static inline void irq_lock_take(const struct irq_lock *l)
{
	if (l->lock)
		l->lock(l->ctx);
}

static inline void irq_lock_drop(const struct irq_lock *l)
{
	if (l->unlock)
		l->unlock(l->ctx);
}

/* `changed`: called (locked) when a guest access raised the PIC's INTR. */
void pic_set_lock(struct pic *p, const struct irq_lock *lk, void (*changed)(void *ctx));
void ioapic_set_lock(struct ioapic *io, const struct irq_lock *lk);
void lapic_set_lock(struct lapic *l, const struct irq_lock *lk);

/* LINT0 is ExtINT and unmasked, the APIC software-enabled: INTR reaches this CPU. */
bool lapic_extint_routed(const struct lapic *l, int cpu);
/* ... and the PIC's INTR is up (ops->extint); take it with an INTA (ops->extint_ack). */
bool lapic_extint_waiting(struct lapic *l, int cpu);
int lapic_take_extint(struct lapic *l, int cpu);	/* vector, or -1 */
/* SVR bit 8 was set at least once since power-on. */
bool lapic_ever_enabled(const struct lapic *l, int cpu);
bool lapic_sw_enabled(const struct lapic *l, int cpu);
/* An NMI waits (not taken). */
bool lapic_nmi_pending(const struct lapic *l, int cpu);
/* Counters for irqchip_stats: IPIs sent through the ICR, NMIs accepted. */
uint64_t lapic_ipi_count(const struct lapic *l);
uint64_t lapic_nmi_count(const struct lapic *l);
unsigned lapic_ncpus(const struct lapic *l);

#endif
