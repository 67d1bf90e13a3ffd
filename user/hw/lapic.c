// SPDX-License-Identifier: GPL-2.0
/*
 * lapic.c - the local APICs of hvlab's PC, one xAPIC per vCPU, all
 * answering at the same 4 KiB of MMIO (LAPIC_BASE): each access reaches the
 * register file of the vCPU that makes it (hw_current_vcpu()).
 * SDM Vol. 3 chapter 11 ("Advanced Programmable Interrupt Controller").
 *
 * Registers (SDM Vol. 3 11.4.1, table 11-1), 32 bits at 16-byte-aligned
 * offsets; any other access reads 0 and writes are dropped:
 *   0x020 ID        bits 31:24, reset to the vCPU index, writable
 *   0x030 version   0x00050014: integrated APIC, 6 LVT entries (no CMCI),
 *                   no EOI-broadcast suppression
 *   0x080 TPR       0x0A0 PPR (SDM 11.8.3.1: TPR, or the in-service
 *                   vector's class if that is higher)
 *   0x0B0 EOI       clears the highest ISR bit; a level-triggered vector
 *                   (TMR set) is passed on to the I/O APIC (ops->eoi)
 *   0x0D0 LDR, 0x0E0 DFR (flat 0xF / cluster 0x0 model, SDM 11.6.2.2)
 *   0x0F0 SVR       bit 8 software enable, bits 7:0 the spurious vector
 *   0x100 ISR, 0x180 TMR, 0x200 IRR: 8 x 32 bits each, read-only
 *   0x280 ESR       a write latches the errors gathered since the last
 *                   write and clears them (SDM 11.5.3)
 *   0x300/0x310 ICR low/high: a write of the low half sends the IPI
 *   0x320 LVT timer, 0x330 thermal, 0x340 perf, 0x350 LINT0, 0x360 LINT1,
 *   0x370 LVT error; 0x380 initial count, 0x390 current count, 0x3E0 divide
 * Reset (power-on and INIT, SDM 11.4.7.1/11.4.7.3): every LVT masked, SVR
 * 0xFF (software-disabled), DFR all ones, everything else 0; INIT keeps the
 * ID.  The IA32_APIC_BASE MSR is the module's; the page does not move.
 *
 * Accepting interrupts (SDM 11.5.1, 11.6.1).  A fixed or lowest-priority
 * message sets the IRR bit (and TMR for level-triggered ones) and kicks
 * the vCPU.  Lowest priority goes to the lowest-numbered CPU among the
 * destinations instead of arbitrating by priority: any one of them is a
 * correct target.  NMI sets the vCPU's NMI-pending flag; INIT resets the
 * APIC (keeping the ID) and calls ops->init; STARTUP calls ops->sipi with
 * the vector; SMI is ignored.  An ExtINT message makes the CPU take its
 * next vector from the PIC (ops->extint_ack), as LINT0 in ExtINT mode does.
 * LINT0 in any other mode and LINT1 have no wire behind them on this
 * board: their entries are stored only.
 *
 * Software-disabled APIC (SVR bit 8 clear, SDM 11.4.7.2): INIT, NMI, SMI
 * and SIPI are still accepted and IPIs can still be sent; fixed and lowest-
 * priority messages are discarded (as KVM does), IRR and ISR keep what
 * they hold but nothing is dispensed (lapic_pending answers -1), and every
 * LVT mask bit is forced set.
 *
 * lapic_pending: the highest IRR vector whose class (vector >> 4) exceeds
 * the PPR's class (SDM 11.8.3); lapic_ack moves it to ISR.
 *
 * Destinations (SDM 11.6.2): physical, an APIC ID, 0xFF for all; logical,
 * matched against LDR in the flat or cluster model; shorthands self, all
 * including self, all excluding self.  Vectors 0-15 are illegal: the
 * sender's ESR gets "send illegal vector" (bit 5), the receiver's "receive
 * illegal vector" (bit 6), and nothing is delivered (errors are not
 * signalled through the LVT error entry).  The ICR's delivery
 * status always reads idle: an IPI is delivered by the time the write
 * returns.  An INIT with the level bit clear and trigger level ("INIT level
 * de-assert") does nothing.
 *
 * Timer (SDM 11.5.4): it counts at LAPIC_TIMER_HZ (irq.h: a 1 GHz bus
 * clock) divided by the divide configuration (1, 2, 4, ... 128), from the
 * initial count down to 0, in one-shot or periodic mode; the current
 * count is computed from hw_clock_ns(), and one hw_timer per vCPU fires
 * at each expiry.  A masked LVT still counts, it only does not interrupt.
 * Periodic interrupts come at most every 10 us (LAPIC_MIN_PERIOD_NS):
 * shorter periods are coalesced, the count itself is exact.
 * A new divide value takes effect at the next write of the initial count
 * (a guest programs the divider first).  TSC-deadline mode is not offered
 * (CPUID.01H:ECX[24] is clear): writing that mode acts as one-shot, and the
 * initial-count writes it ignores leave the timer stopped, as count 0.
 *
 * Locking: see irq_int.h; the bus handlers and the timer function take
 * the irqchip lock through the hooks.  The bus does not own the model:
 * lapic_free() after bus_free().
 */
#include <stdlib.h>
#include <string.h>

#include <uapi/hvlab.h>

#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/devices.h"
#include "hw/irq.h"
#include "hw/irq_int.h"

#define LAPIC_SIZE	0x1000
/* The shortest interval between two periodic timer interrupts: 10 us. */
#define LAPIC_MIN_PERIOD_NS	10000ull
#define LAPIC_VERSION	0x00050014u

enum {
	REG_ID = 0x020, REG_VERSION = 0x030, REG_TPR = 0x080, REG_APR = 0x090,
	REG_PPR = 0x0A0, REG_EOI = 0x0B0, REG_RRD = 0x0C0, REG_LDR = 0x0D0,
	REG_DFR = 0x0E0, REG_SVR = 0x0F0, REG_ISR = 0x100, REG_TMR = 0x180,
	REG_IRR = 0x200, REG_ESR = 0x280, REG_ICR_LO = 0x300, REG_ICR_HI = 0x310,
	REG_LVT_TIMER = 0x320, REG_LVT_ERROR = 0x370, REG_TMICT = 0x380,
	REG_TMCCT = 0x390, REG_TDCR = 0x3E0,
};

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, NLVT };

#define SVR_ENABLE		(1u << 8)
#define LVT_MASKED		(1u << 16)
#define LVT_DM(v)		(((v) >> 8) & 7)
#define LVT_TIMER_MODE(v)	(((v) >> 17) & 3)
#define TIMER_ONESHOT		0
#define TIMER_PERIODIC		1
#define TIMER_TSC_DEADLINE	2

#define ICR_DM(v)		(((v) >> 8) & 7)
#define ICR_LOGICAL		(1u << 11)
#define ICR_ASSERT		(1u << 14)
#define ICR_LEVEL		(1u << 15)
#define ICR_SHORTHAND(v)	(((v) >> 18) & 3)
#define ICR_LO_WRITABLE		0x000CCFFFu	/* vector, mode, dest mode, level, trigger, shorthand */

#define ESR_SEND_ILLEGAL	(1u << 5)
#define ESR_RECV_ILLEGAL	(1u << 6)

/* The writable bits of each LVT entry (SDM 11.5.1, figure 11-8). */
static const uint32_t lvt_writable[NLVT] = {
	[LVT_TIMER] = 0x000700FF,	/* vector, mask, timer mode */
	[LVT_THERMAL] = 0x000107FF,	/* vector, delivery mode, mask */
	[LVT_PERF] = 0x000107FF,
	[LVT_LINT0] = 0x0001A7FF,	/* + polarity, trigger */
	[LVT_LINT1] = 0x0001A7FF,
	[LVT_ERROR] = 0x000100FF,
};

struct lapic;

struct lapic_cpu {
	struct lapic *l;
	int index;
	uint32_t id, tpr, ldr, dfr, svr;
	uint32_t isr[8], tmr[8], irr[8];
	uint32_t esr, esr_pending;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[NLVT];
	uint32_t tmict, tdcr;
	/* the running timer: counting from tmict at start_ns, div at load */
	bool timer_on;
	uint64_t start_ns, expiry_ns;
	unsigned timer_div;
	struct hw_timer *timer;
	bool nmi, extint, ever_enabled;
	uint64_t eoi_count, last_icr;
	uint64_t fired_tsc;	/* host TSC at the last timer interrupt (make bench) */
};

struct lapic {
	struct hv_device dev;
	uint64_t base;
	unsigned ncpus;
	const struct lapic_ops *ops;
	void *ctx;
	struct irq_lock lk;
	uint64_t ipis, nmis;
	struct lapic_cpu cpu[HVLAB_MAX_VCPUS];
};

/* ---- vectors ------------------------------------------------------ */

static void set_bit256(uint32_t *r, unsigned v)
{
	r[v / 32] |= 1u << (v % 32);
}

static void clear_bit256(uint32_t *r, unsigned v)
{
	r[v / 32] &= ~(1u << (v % 32));
}

static bool test_bit256(const uint32_t *r, unsigned v)
{
	return r[v / 32] & (1u << (v % 32));
}

/* The highest vector set in a 256-bit register, or -1. */
static int highest256(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

static bool enabled(const struct lapic_cpu *c)
{
	return c->svr & SVR_ENABLE;
}

/* LAB 9: BEGIN ppr */
static uint32_t ppr(const struct lapic_cpu *c)
{
	int isrv = highest256(c->isr);

	if (isrv < 0 || (c->tpr & 0xF0) >= ((uint32_t)isrv & 0xF0))
		return c->tpr & 0xFF;
	return (uint32_t)isrv & 0xF0;
}
/* LAB 9: END ppr */

static void kick(struct lapic *l, int cpu)
{
	if (l->ops && l->ops->kick)
		l->ops->kick(l->ctx, cpu);
}

/* ---- accepting a message ------------------------------------------ */

static void reset_cpu(struct lapic_cpu *c, bool keep_id);

static void accept_fixed(struct lapic_cpu *c, uint8_t vector, bool level)
{
	if (vector < 16) {
		c->esr_pending |= ESR_RECV_ILLEGAL;
		return;
	}
	if (!enabled(c))
		return;		/* SDM 11.4.7.2: only NMI, INIT, SMI, SIPI get through */
	set_bit256(c->irr, vector);
	if (level)
		set_bit256(c->tmr, vector);
	else
		clear_bit256(c->tmr, vector);
	kick(c->l, c->index);
}

static void accept(struct lapic_cpu *c, const struct apic_msg *m)
{
	struct lapic *l = c->l;

	switch (m->mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		accept_fixed(c, m->vector, m->level);
		break;
	case APIC_DM_NMI:
		c->nmi = true;
		l->nmis++;
		kick(l, c->index);
		break;
	case APIC_DM_INIT:
		reset_cpu(c, true);
		if (l->ops && l->ops->init)
			l->ops->init(l->ctx, c->index);
		break;
	case APIC_DM_STARTUP:
		if (l->ops && l->ops->sipi)
			l->ops->sipi(l->ctx, c->index, m->vector);
		break;
	case APIC_DM_EXTINT:
		c->extint = true;
		kick(l, c->index);
		break;
	default:		/* SMI, reserved: no SMM here */
		break;
	}
}

/* Does CPU c answer destination `dest` (SDM 11.6.2.1, 11.6.2.2)? */
static bool matches(const struct lapic_cpu *c, uint8_t dest, bool logical)
{
	uint8_t ldr = (uint8_t)(c->ldr >> 24);

	if (!logical)
		return dest == 0xFF || dest == (uint8_t)(c->id >> 24);
	if (dest == 0xFF)
		return true;
	if ((c->dfr >> 28) == 0xF)		/* flat: one bit per APIC */
		return ldr & dest;
	/* cluster: cluster number in the high nibble, a bit per APIC in the low */
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0x0F);
}

static void deliver_mask(struct lapic *l, uint32_t mask, const struct apic_msg *m)
{
	if (m->mode == APIC_DM_LOWEST && mask) {
		uint32_t on = 0;

		/* the lowest-numbered destination, one that can accept it if any */
		for (unsigned i = 0; i < l->ncpus; i++)
			if ((mask & (1u << i)) && enabled(&l->cpu[i]))
				on |= 1u << i;
		if (on)
			mask = on;
		mask &= -mask;
	}
	for (unsigned i = 0; i < l->ncpus; i++)
		if (mask & (1u << i))
			accept(&l->cpu[i], m);
}

void lapic_deliver(struct lapic *l, const struct apic_msg *m)
{
	uint32_t mask = 0;

	for (unsigned i = 0; i < l->ncpus; i++)
		if (matches(&l->cpu[i], m->dest, m->logical))
			mask |= 1u << i;
	deliver_mask(l, mask, m);
}

/* ---- the vCPU side ------------------------------------------------ */

static struct lapic_cpu *cpu_of(struct lapic *l, int cpu)
{
	return (cpu >= 0 && (unsigned)cpu < l->ncpus) ? &l->cpu[cpu] : NULL;
}

static const struct lapic_cpu *ccpu_of(const struct lapic *l, int cpu)
{
	return (cpu >= 0 && (unsigned)cpu < l->ncpus) ? &l->cpu[cpu] : NULL;
}

/* LAB 9: BEGIN lapic_pending */
int lapic_pending(struct lapic *l, int cpu)
{
	struct lapic_cpu *c = cpu_of(l, cpu);
	int v;

	if (!c || !enabled(c))
		return -1;
	v = highest256(c->irr);
	if (v < 0 || ((uint32_t)v & 0xF0) <= (ppr(c) & 0xF0))
		return -1;
	return v;
}
/* LAB 9: END lapic_pending */

void lapic_ack(struct lapic *l, int cpu, int vector)
{
	struct lapic_cpu *c = cpu_of(l, cpu);

	if (!c || vector < 0 || vector > 255)
		return;
	clear_bit256(c->irr, (unsigned)vector);
	set_bit256(c->isr, (unsigned)vector);
}

bool lapic_take_nmi(struct lapic *l, int cpu)
{
	struct lapic_cpu *c = cpu_of(l, cpu);
	bool nmi = c && c->nmi;

	if (nmi)
		c->nmi = false;
	return nmi;
}

bool lapic_nmi_pending(const struct lapic *l, int cpu)
{
	const struct lapic_cpu *c = ccpu_of(l, cpu);

	return c && c->nmi;
}

bool lapic_extint_routed(const struct lapic *l, int cpu)
{
	const struct lapic_cpu *c = ccpu_of(l, cpu);

	if (!c)
		return false;
	if (c->extint)
		return true;
	return enabled(c) && !(c->lvt[LVT_LINT0] & LVT_MASKED) &&
	       LVT_DM(c->lvt[LVT_LINT0]) == APIC_DM_EXTINT;
}

bool lapic_extint_waiting(struct lapic *l, int cpu)
{
	return lapic_extint_routed(l, cpu) && l->ops && l->ops->extint && l->ops->extint(l->ctx);
}

int lapic_take_extint(struct lapic *l, int cpu)
{
	struct lapic_cpu *c = cpu_of(l, cpu);

	if (!lapic_extint_waiting(l, cpu) || !l->ops->extint_ack)
		return -1;
	c->extint = false;	/* an ExtINT message asks for one INTA cycle */
	return l->ops->extint_ack(l->ctx);
}

bool lapic_ever_enabled(const struct lapic *l, int cpu)
{
	const struct lapic_cpu *c = ccpu_of(l, cpu);

	return c && c->ever_enabled;
}

bool lapic_sw_enabled(const struct lapic *l, int cpu)
{
	const struct lapic_cpu *c = ccpu_of(l, cpu);

	return c && enabled(c);
}

/* ---- timer -------------------------------------------------------- */

static unsigned divisor(uint32_t tdcr)
{
	unsigned v = (tdcr & 3) | ((tdcr >> 1) & 4);	/* bits 0, 1, 3 */

	return v == 7 ? 1 : 2u << v;
}

static uint64_t period_ns(const struct lapic_cpu *c)
{
	return hw_ticks_to_ns((uint64_t)c->tmict * c->timer_div, LAPIC_TIMER_HZ);
}

static uint32_t current_count(const struct lapic_cpu *c)
{
	uint64_t now = hw_clock_ns(), ticks;

	if (!c->timer_on || now < c->start_ns)
		return c->timer_on ? c->tmict : 0;
	ticks = hw_ns_to_ticks(now - c->start_ns, LAPIC_TIMER_HZ) / c->timer_div;
	if (LVT_TIMER_MODE(c->lvt[LVT_TIMER]) == TIMER_PERIODIC)
		return c->tmict - (uint32_t)(ticks % c->tmict);
	return ticks >= c->tmict ? 0 : c->tmict - (uint32_t)ticks;
}

static void timer_stop(struct lapic_cpu *c)
{
	c->timer_on = false;
	if (c->timer)
		hw_timer_cancel(c->timer);
}

static void timer_start(struct lapic_cpu *c)
{
	timer_stop(c);
	if (!c->tmict || LVT_TIMER_MODE(c->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
		return;
	c->timer_div = divisor(c->tdcr);
	c->start_ns = hw_clock_ns();
	c->expiry_ns = c->start_ns + period_ns(c);
	c->timer_on = true;
	if (c->timer)
		hw_timer_arm(c->timer, c->expiry_ns);
}

static uint64_t host_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void timer_fire(void *arg)
{
	struct lapic_cpu *c = arg;
	struct lapic *l = c->l;
	uint64_t now, p;
	uint32_t lvt;

	irq_lock_take(&l->lk);
	now = hw_clock_ns();
	/* a stale firing: stopped or restarted since this arming */
	if (!c->timer_on || now < c->expiry_ns)
		goto out;
	lvt = c->lvt[LVT_TIMER];
	if (!(lvt & LVT_MASKED)) {
		/*
		 * The moment the model raises the interrupt, before the kick:
		 * where make bench's interrupt latency starts (lapic_timer_tsc).
		 */
		__atomic_store_n(&c->fired_tsc, host_tsc(), __ATOMIC_RELAXED);
		accept_fixed(c, (uint8_t)lvt, false);
	}
	if (LVT_TIMER_MODE(lvt) == TIMER_PERIODIC) {
		p = period_ns(c);
		/*
		 * The next expiry on the grid of periods that is at least
		 * LAPIC_MIN_PERIOD_NS away: periods slept through, or shorter
		 * than that, are coalesced into one interrupt, so a tiny count
		 * cannot keep the timer thread busy.  The current count still
		 * follows the true periods.
		 */
		c->expiry_ns += ((now + LAPIC_MIN_PERIOD_NS - c->expiry_ns) + p - 1) / p * p;
		c->start_ns = c->expiry_ns - p;
		hw_timer_arm(c->timer, c->expiry_ns);
	} else {
		c->timer_on = false;
	}
out:
	irq_lock_drop(&l->lk);
}

/* ---- reset -------------------------------------------------------- */

static void reset_cpu(struct lapic_cpu *c, bool keep_id)
{
	uint32_t id = keep_id ? c->id : (uint32_t)c->index << 24;

	timer_stop(c);
	c->id = id;
	c->tpr = c->ldr = c->esr = c->esr_pending = 0;
	c->icr_lo = c->icr_hi = 0;
	c->dfr = 0xFFFFFFFF;
	c->svr = 0xFF;
	memset(c->isr, 0, sizeof(c->isr));
	memset(c->tmr, 0, sizeof(c->tmr));
	memset(c->irr, 0, sizeof(c->irr));
	for (int i = 0; i < NLVT; i++)
		c->lvt[i] = LVT_MASKED;
	c->tmict = c->tdcr = 0;
	c->timer_div = 2;
	c->nmi = c->extint = false;
	if (!keep_id)
		c->ever_enabled = false;
}

void lapic_reset(struct lapic *l, int cpu)
{
	struct lapic_cpu *c = cpu_of(l, cpu);

	if (c)
		reset_cpu(c, false);
}

/* ---- registers ---------------------------------------------------- */

static void send_ipi(struct lapic *l, struct lapic_cpu *self)
{
	uint32_t lo = self->icr_lo, mask = 0, all = (1u << l->ncpus) - 1;
	struct apic_msg m = {
		.dest = (uint8_t)(self->icr_hi >> 24),
		.logical = lo & ICR_LOGICAL,
		.mode = (uint8_t)ICR_DM(lo),
		.vector = (uint8_t)lo,
		.level = lo & ICR_LEVEL,
	};

	self->last_icr = (uint64_t)self->icr_hi << 32 | lo;
	if (m.mode == APIC_DM_INIT && (lo & ICR_LEVEL) && !(lo & ICR_ASSERT))
		return;		/* INIT level de-assert: only synchronises arbitration IDs */
	if ((m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST) && m.vector < 16) {
		self->esr_pending |= ESR_SEND_ILLEGAL;
		return;
	}
	l->ipis++;
	switch (ICR_SHORTHAND(lo)) {
	case 0:
		for (unsigned i = 0; i < l->ncpus; i++)
			if (matches(&l->cpu[i], m.dest, m.logical))
				mask |= 1u << i;
		break;
	case 1:
		mask = 1u << self->index;
		break;
	case 2:
		mask = all;
		break;
	default:
		mask = all & ~(1u << self->index);
	}
	deliver_mask(l, mask, &m);
}

/* LAB 9: BEGIN eoi */
static void eoi(struct lapic *l, struct lapic_cpu *c)
{
	int v = highest256(c->isr);

	c->eoi_count++;
	if (v < 0)
		return;
	clear_bit256(c->isr, (unsigned)v);
	if (test_bit256(c->tmr, (unsigned)v) && l->ops && l->ops->eoi)
		l->ops->eoi(l->ctx, (uint8_t)v);
	if (lapic_pending(l, c->index) >= 0)
		kick(l, c->index);
}
/* LAB 9: END eoi */

static uint32_t read_reg(struct lapic_cpu *c, uint32_t off)
{
	if (off >= REG_ISR && off < REG_ISR + 0x80)
		return c->isr[(off - REG_ISR) / 16];
	if (off >= REG_TMR && off < REG_TMR + 0x80)
		return c->tmr[(off - REG_TMR) / 16];
	if (off >= REG_IRR && off < REG_IRR + 0x80)
		return c->irr[(off - REG_IRR) / 16];
	if (off >= REG_LVT_TIMER && off <= REG_LVT_ERROR)
		return c->lvt[(off - REG_LVT_TIMER) / 16];
	switch (off) {
	case REG_ID:
		return c->id;
	case REG_VERSION:
		return LAPIC_VERSION;
	case REG_TPR:
		return c->tpr;
	case REG_PPR:
		return ppr(c);
	case REG_LDR:
		return c->ldr;
	case REG_DFR:
		return c->dfr;
	case REG_SVR:
		return c->svr;
	case REG_ESR:
		return c->esr;
	case REG_ICR_LO:
		return c->icr_lo;	/* delivery status (bit 12): idle */
	case REG_ICR_HI:
		return c->icr_hi;
	case REG_TMICT:
		return c->tmict;
	case REG_TMCCT:
		return current_count(c);
	case REG_TDCR:
		return c->tdcr;
	default:		/* APR, EOI, RRD, reserved */
		return 0;
	}
}

static void write_lvt(struct lapic_cpu *c, int i, uint32_t v)
{
	uint32_t old = c->lvt[i];

	v &= lvt_writable[i];
	if (!enabled(c))
		v |= LVT_MASKED;	/* SDM 11.4.7.2: masks cannot be cleared */
	if (i == LVT_LINT0 || i == LVT_LINT1)
		v |= old & (1u << 14);	/* remote IRR is read-only */
	c->lvt[i] = v;
	if (i == LVT_TIMER && LVT_TIMER_MODE(v) != LVT_TIMER_MODE(old)) {
		/* a mode change: keep the count running, re-arm for the new mode */
		if (LVT_TIMER_MODE(v) == TIMER_TSC_DEADLINE) {
			c->tmict = 0;
			timer_stop(c);
		} else if (c->timer_on && c->timer) {
			hw_timer_arm(c->timer, c->expiry_ns);
		}
	}
}

static void write_reg(struct lapic *l, struct lapic_cpu *c, uint32_t off, uint32_t v)
{
	if (off >= REG_LVT_TIMER && off <= REG_LVT_ERROR) {
		write_lvt(c, (int)(off - REG_LVT_TIMER) / 16, v);
		return;
	}
	switch (off) {
	case REG_ID:
		c->id = v & 0xFF000000;
		break;
	case REG_TPR:
		c->tpr = v & 0xFF;
		if (lapic_pending(l, c->index) >= 0)
			kick(l, c->index);
		break;
	case REG_EOI:
		eoi(l, c);
		break;
	case REG_LDR:
		c->ldr = v & 0xFF000000;
		break;
	case REG_DFR:
		c->dfr = v | 0x0FFFFFFF;
		break;
	case REG_SVR:
		c->svr = v & 0x3FF;
		if (enabled(c)) {
			c->ever_enabled = true;
			if (lapic_pending(l, c->index) >= 0)
				kick(l, c->index);
		} else {
			for (int i = 0; i < NLVT; i++)
				c->lvt[i] |= LVT_MASKED;
		}
		break;
	case REG_ESR:
		c->esr = c->esr_pending;
		c->esr_pending = 0;
		break;
	case REG_ICR_LO:
		c->icr_lo = v & ICR_LO_WRITABLE;
		send_ipi(l, c);
		break;
	case REG_ICR_HI:
		c->icr_hi = v & 0xFF000000;
		break;
	case REG_TMICT:
		if (LVT_TIMER_MODE(c->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
			break;	/* SDM 11.5.4.1: ignored in TSC-deadline mode */
		c->tmict = v;
		timer_start(c);
		break;
	case REG_TDCR:
		c->tdcr = v & 0xB;
		break;
	default:		/* read-only or reserved */
		break;
	}
}

static struct lapic_cpu *this_cpu(struct lapic *l)
{
	int id = hw_current_vcpu();

	return &l->cpu[(id >= 0 && (unsigned)id < l->ncpus) ? id : 0];
}

static void mmio_read(struct hv_device *dev, uint64_t addr, void *data, unsigned len)
{
	struct lapic *l = dev->priv;
	uint32_t off = (uint32_t)(addr - l->base), v;

	memset(data, 0, len);
	if (len != 4 || (off & 15))
		return;
	irq_lock_take(&l->lk);
	v = read_reg(this_cpu(l), off);
	irq_lock_drop(&l->lk);
	memcpy(data, &v, 4);
}

static void mmio_write(struct hv_device *dev, uint64_t addr, const void *data, unsigned len)
{
	struct lapic *l = dev->priv;
	uint32_t off = (uint32_t)(addr - l->base), v;

	if (len != 4 || (off & 15))
		return;
	memcpy(&v, data, 4);
	irq_lock_take(&l->lk);
	write_reg(l, this_cpu(l), off, v);
	irq_lock_drop(&l->lk);
}

static const struct hv_device_ops lapic_dev_ops = {
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
	/* no destroy: lapic_free() frees it */
};

/* ---- life --------------------------------------------------------- */

struct lapic *lapic_new(unsigned ncpus, const struct lapic_ops *ops, void *ctx)
{
	struct lapic *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->dev = (struct hv_device){ .name = "lapic", .ops = &lapic_dev_ops, .priv = l };
	l->ncpus = ncpus > HVLAB_MAX_VCPUS ? HVLAB_MAX_VCPUS : (ncpus ? ncpus : 1);
	l->ops = ops;
	l->ctx = ctx;
	for (unsigned i = 0; i < l->ncpus; i++) {
		struct lapic_cpu *c = &l->cpu[i];

		c->l = l;
		c->index = (int)i;
		c->timer = hw_timer_new(timer_fire, c);
		if (!c->timer) {
			lapic_free(l);
			return NULL;
		}
		reset_cpu(c, false);
	}
	return l;
}

int lapic_attach(struct lapic *l, struct bus *bus, uint64_t base)
{
	l->base = base;
	return bus_register_mmio(bus, base, LAPIC_SIZE, &l->dev) ? -1 : 0;
}

void lapic_free(struct lapic *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < l->ncpus; i++)
		hw_timer_free(l->cpu[i].timer);
	free(l);
}

void lapic_set_lock(struct lapic *l, const struct irq_lock *lk)
{
	l->lk = *lk;
}

uint64_t lapic_eoi_count(const struct lapic *l, int cpu)
{
	const struct lapic_cpu *c = ccpu_of(l, cpu);

	return c ? c->eoi_count : 0;
}

uint64_t lapic_timer_tsc(const struct lapic *l, int cpu)
{
	const struct lapic_cpu *c = ccpu_of(l, cpu);

	return c ? __atomic_load_n(&c->fired_tsc, __ATOMIC_RELAXED) : 0;
}

uint64_t lapic_last_icr(const struct lapic *l, int cpu)
{
	const struct lapic_cpu *c = ccpu_of(l, cpu);

	return c ? c->last_icr : 0;
}

uint64_t lapic_ipi_count(const struct lapic *l)
{
	return l->ipis;
}

uint64_t lapic_nmi_count(const struct lapic *l)
{
	return l->nmis;
}

unsigned lapic_ncpus(const struct lapic *l)
{
	return l->ncpus;
}
