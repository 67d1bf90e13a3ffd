/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq.h - how an interrupt travels through the emulated PC, and the
 * interfaces of the four models it passes: 8259A PIC pair, IOAPIC, the
 * local APICs, and irqchip, the board wiring that joins them.
 *
 *   device --irq_line--> irqchip_set_irq(gsi)
 *                          |-- gsi < 16: pic_set_irq(irq)  --INTR--+
 *                          '-- ioapic_set_irq(pin)                 |
 *                                 | (IRQ 0 is wired to pin 2)      |
 *                                 v redirection entry               v
 *                           lapic_deliver(dest, mode, vector)   LINT0 (ExtINT)
 *                                 |                                 |
 *                                 v                                 v
 *              vCPU thread: irqchip_take(cpu) -> vector -> HVLAB_INJECT
 *                           guest EOI -> lapic -> ioapic_eoi(vector)
 *
 * A device holds a struct irq_line and calls irq_line_set(line, level):
 * 1 while it wants service, 0 when it no longer does (a level-triggered
 * line follows the device's state; an ISA edge device pulses it).  Device
 * tests give it a recording stub instead of the chip.
 *
 * The vCPU side (vm.c) never looks inside a model: it takes from irqchip
 * the vector to inject (the module holds it until the guest can accept
 * it, with interrupt-window exiting), and is told through
 * irqchip_ops when a vCPU must be woken or kicked (a new interrupt), and
 * when one receives INIT or STARTUP (SMP bring-up).
 *
 * Threads: a line may be raised from any vCPU thread or the timer thread
 * (clock.h).  irqchip serialises the models with one mutex of its own;
 * irqchip_ops functions are called with it released.
 */
#ifndef HVLAB_HW_IRQ_H
#define HVLAB_HW_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct bus;

/* ---- the line a device raises ------------------------------------ */

typedef void (*irq_set_fn)(void *ctx, unsigned gsi, int level);

struct irq_line {
	irq_set_fn set;		/* NULL: the line is not connected */
	void *ctx;
	unsigned gsi;
};

static inline void irq_line_set(const struct irq_line *l, int level)
{
	if (l && l->set)
		l->set(l->ctx, l->gsi, level);
}

/* An edge: raise then lower (what an ISA device's edge-triggered IRQ is). */
static inline void irq_line_pulse(const struct irq_line *l)
{
	irq_line_set(l, 1);
	irq_line_set(l, 0);
}

/* ---- the board's fixed assignments ------------------------------- */

#define IRQ_PIT		0
#define IRQ_KBD		1
#define IRQ_COM2	3
#define IRQ_COM1	4
#define IRQ_RTC		8
#define IRQ_SCI		9	/* ACPI, level-triggered, active high (MADT override) */
#define IRQ_MOUSE	12
#define IRQ_IDE0	14
#define IRQ_IDE1	15
#define IRQ_PCI_FIRST	16	/* GSIs 16..23: IOAPIC only, PCI INTA#..INTD# */

#define IOAPIC_BASE	0xFEC00000ull
#define IOAPIC_PINS	24
#define IOAPIC_PIT_PIN	2	/* ISA IRQ 0 arrives on pin 2 (MADT override) */

/* ---- pic8259.c: the master/slave pair, 0x20-0x21, 0xA0-0xA1, ELCR 0x4D0-0x4D1 */

struct pic;
struct pic *pic_new(void);
int pic_attach(struct pic *p, struct bus *bus);	/* 0 or -1 */
void pic_free(struct pic *p);
/* ISA IRQ 0..15 (2 is the cascade); edge or level per the ELCR. */
void pic_set_irq(struct pic *p, unsigned irq, int level);
/* The master's INTR output: is an unmasked request waiting? */
bool pic_intr(const struct pic *p);
/* The INTA cycle: the vector to deliver (IRR -> ISR), or the spurious one. */
int pic_inta(struct pic *p);
/* For the dashboard and tests. */
uint8_t pic_imr(const struct pic *p, int chip);	/* 0 master, 1 slave */
uint8_t pic_vector_base(const struct pic *p, int chip);
bool pic_ready(const struct pic *p, int chip);

/* ---- ioapic.c: 24 pins at IOAPIC_BASE ---------------------------- */

/* How a redirection entry or an IPI asks for delivery (SDM 11.6.1). */
#define APIC_DM_FIXED		0
#define APIC_DM_LOWEST		1
#define APIC_DM_SMI		2
#define APIC_DM_NMI		4
#define APIC_DM_INIT		5
#define APIC_DM_STARTUP		6
#define APIC_DM_EXTINT		7

struct apic_msg {
	uint8_t dest;		/* APIC ID, or logical mask when logical */
	bool logical;
	uint8_t mode;		/* APIC_DM_* */
	uint8_t vector;
	bool level;		/* trigger mode: level (the LAPIC sets TMR) */
};

typedef void (*apic_deliver_fn)(void *ctx, const struct apic_msg *m);

struct ioapic;
struct ioapic *ioapic_new(uint8_t id, apic_deliver_fn deliver, void *ctx);
int ioapic_attach(struct ioapic *io, struct bus *bus, uint64_t base);
void ioapic_free(struct ioapic *io);
void ioapic_set_irq(struct ioapic *io, unsigned pin, int level);
/* A local APIC's EOI of a level-triggered vector: clears remote IRR. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* ---- lapic.c: xAPIC registers at 0xFEE00000, one per vCPU -------- */

#define LAPIC_BASE	0xFEE00000ull
/* The APIC timer's input clock (the bus clock) before the divider: 1 GHz. */
#define LAPIC_TIMER_HZ	1000000000ull

struct lapic_ops {
	void (*kick)(void *ctx, int cpu);	/* something became pending */
	void (*init)(void *ctx, int cpu);	/* INIT IPI received */
	void (*sipi)(void *ctx, int cpu, uint8_t vector);	/* STARTUP IPI */
	void (*eoi)(void *ctx, uint8_t vector);	/* level-triggered EOI */
	bool (*extint)(void *ctx);		/* LINT0 ExtINT: PIC INTR up? */
	int (*extint_ack)(void *ctx);		/* LINT0 ExtINT: INTA */
};

struct lapic;
struct lapic *lapic_new(unsigned ncpus, const struct lapic_ops *ops, void *ctx);
int lapic_attach(struct lapic *l, struct bus *bus, uint64_t base);
void lapic_free(struct lapic *l);
void lapic_deliver(struct lapic *l, const struct apic_msg *m);
int lapic_pending(struct lapic *l, int cpu);		/* vector, or -1 */
void lapic_ack(struct lapic *l, int cpu, int vector);	/* injected */
bool lapic_take_nmi(struct lapic *l, int cpu);	/* an NMI was waiting */
void lapic_reset(struct lapic *l, int cpu);		/* INIT: power-on state */
uint64_t lapic_eoi_count(const struct lapic *l, int cpu);
uint64_t lapic_last_icr(const struct lapic *l, int cpu);
/*
 * The host TSC when CPU's timer last raised its (unmasked) interrupt, 0 if
 * it never did: make bench's interrupt latency (the ucall TIMER_TSC).
 */
uint64_t lapic_timer_tsc(const struct lapic *l, int cpu);

/* ---- irqchip.c: the wiring, and what the vCPU threads use -------- */

struct irqchip_ops {
	void (*kick)(void *ctx, int cpu);	/* wake from HLT / leave the guest */
	void (*init)(void *ctx, int cpu);
	void (*sipi)(void *ctx, int cpu, uint8_t vector);
};

/* Interrupts raised per source, for --stats and the dashboard. */
struct irq_stats {
	uint64_t raised[IOAPIC_PINS];		/* rising edges per GSI */
	uint64_t injected[256];			/* per vector, all vCPUs */
	uint64_t ipis;
	uint64_t nmis;
};

struct irqchip;
struct irqchip *irqchip_new(unsigned ncpus, const struct irqchip_ops *ops, void *ctx);
int irqchip_attach(struct irqchip *c, struct bus *bus);	/* PIC, IOAPIC, LAPIC */
void irqchip_free(struct irqchip *c);
/* The irq_set_fn every device line uses: irq_line{ irqchip_set_irq, chip, gsi }. */
void irqchip_set_irq(void *chip, unsigned gsi, int level);
/* Would vCPU `cpu` take an interrupt now (HLT wake-up test)? NMI included. */
bool irqchip_has_pending(struct irqchip *c, int cpu);
/*
 * The vector vCPU `cpu` takes next, or -1, acknowledged in one step under
 * the chip's lock: IRR -> ISR in the LAPIC, or the PIC's INTA cycle for an
 * ExtINT on LINT0 (or, on vCPU 0, while its LAPIC is software-disabled
 * and has never been enabled: the state before the OS sets up its APIC).
 */
int irqchip_take(struct irqchip *c, int cpu);
bool irqchip_take_nmi(struct irqchip *c, int cpu);
void irqchip_stats(struct irqchip *c, struct irq_stats *out);
struct lapic *irqchip_lapic(struct irqchip *c);
struct pic *irqchip_pic(struct irqchip *c);

#endif
