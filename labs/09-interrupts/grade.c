// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 9's checks: priority resolution in the interrupt
 * controllers, the 8259A PIC (user/hw/pic8259.c: rank, highest,
 * chip_request) and the local APIC (user/hw/lapic.c: ppr, lapic_pending,
 * eoi).
 *
 * Each check raises random interrupt lines or vectors, takes them the way
 * the vCPU loop does (pic_inta, lapic_pending + lapic_ack: the CPU's
 * interrupt acknowledge), ends handlers at random with EOI through the
 * device's registers, and compares every answer with a model written here
 * from the 8259A datasheet and SDM Vol. 3 11.8.3-11.8.5.
 *
 * The last check is the vCPU's side (user/vcpu_irq.c, inject): when the
 * pending vector goes to the module, and when the interrupt window is
 * requested instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>

#include "grade.h"
#include "hw_stubs.h"
#include "vm.h"

/* ---- the PIC ------------------------------------------------------ */

struct mchip {
	uint8_t irr, imr, isr, lowest;
};

static int m_rank(const struct mchip *c, int irq)
{
	return (irq - c->lowest + 7) & 7;
}

static int m_highest(const struct mchip *c, uint8_t bits)
{
	int best = -1;

	for (int irq = 0; irq < 8; irq++)
		if (bits & (1u << irq) && (best < 0 || m_rank(c, irq) < m_rank(c, best)))
			best = irq;
	return best;
}

static int m_request(const struct mchip *c)
{
	int req = m_highest(c, c->irr & ~c->imr), srv = m_highest(c, c->isr);

	if (req < 0 || (srv >= 0 && m_rank(c, srv) <= m_rank(c, req)))
		return -1;
	return req;
}

static struct bus *bus;
static struct pic *pic;
static struct mchip mc[2];

/* The slave's INT drives the master's IR2 (an edge input). */
static void m_cascade(void)
{
	if (m_request(&mc[1]) >= 0)
		mc[0].irr |= 4;
}

static void pic_setup(int rotate)
{
	if (bus)
		bus_free(bus);
	bus = bus_new();
	pic = pic_new();
	pic_attach(pic, bus);
	/* ICW1..ICW4 as a BIOS does: edge, cascade, bases 0x20 and 0x28 */
	out(bus, 0x20, 0x11, 1);
	out(bus, 0x21, 0x20, 1);
	out(bus, 0x21, 0x04, 1);
	out(bus, 0x21, 0x01, 1);
	out(bus, 0xA0, 0x11, 1);
	out(bus, 0xA1, 0x28, 1);
	out(bus, 0xA1, 0x02, 1);
	out(bus, 0xA1, 0x01, 1);
	memset(mc, 0, sizeof(mc));
	mc[0].lowest = mc[1].lowest = 7;
	mc[0].imr = (uint8_t)(rnd() & rnd() & 0xFB);
	mc[1].imr = (uint8_t)(rnd() & rnd());
	out(bus, 0x21, mc[0].imr, 1);
	out(bus, 0xA1, mc[1].imr, 1);
	if (rotate) {
		/* OCW2 "set priority": a random line becomes the lowest */
		for (int i = 0; i < 2; i++) {
			mc[i].lowest = (uint8_t)rnd_range(0, 7);
			out(bus, i ? 0xA0 : 0x20, 0xC0 | mc[i].lowest, 1);
		}
	}
}

static void raise_irq(unsigned int irq)
{
	pic_set_irq(pic, irq, 1);
	pic_set_irq(pic, irq, 0);
	mc[irq >> 3].irr |= (uint8_t)(1u << (irq & 7));
	m_cascade();
}

/* The expected vector of an INTA cycle, or -1 when INTR is low. */
static int m_inta(void)
{
	int irq = m_request(&mc[0]), s;

	if (irq < 0)
		return -1;
	mc[0].irr &= (uint8_t)~(1u << irq);
	mc[0].isr |= (uint8_t)(1u << irq);
	if (irq != 2)
		return 0x20 + irq;
	s = m_request(&mc[1]);
	mc[1].irr &= (uint8_t)~(1u << s);
	mc[1].isr |= (uint8_t)(1u << s);
	m_cascade();
	return 0x28 + s;
}

/* A non-specific EOI to one chip (OCW2 0x20). */
static void eoi_chip(int chip)
{
	int irq = m_highest(&mc[chip], mc[chip].isr);

	out(bus, chip ? 0xA0 : 0x20, 0x20, 1);
	if (irq >= 0)
		mc[chip].isr &= (uint8_t)~(1u << irq);
	m_cascade();
}

static void pic_run(int rotate)
{
	for (int round = 0; round < 100; round++) {
		pic_setup(rotate);
		for (int step = 0; step < 60; step++) {
			unsigned int r = (unsigned int)rnd_range(0, 9);
			int want, got;

			if (r < 4) {
				unsigned int irq = (unsigned int)rnd_range(0, 15);

				if (irq != 2)
					raise_irq(irq);
				continue;
			}
			if (r < 7) {
				eoi_chip((int)(rnd() & 1));
				continue;
			}
			want = m_inta();
			got = pic_intr(pic);
			if (want < 0) {
				CHECK(!got, "round %d: INTR up with nothing deliverable "
				      "(IRR %02x/%02x IMR %02x/%02x ISR %02x/%02x)", round, mc[0].irr,
				      mc[1].irr, mc[0].imr, mc[1].imr, mc[0].isr, mc[1].isr);
				continue;
			}
			CHECK(got, "round %d: INTR low with vector %#x deliverable", round, want);
			got = pic_inta(pic);
			CHECK(want == got, "round %d step %d: INTA gave vector %#x, want %#x "
			      "(after it: ISR %02x/%02x, lowest-priority lines %u/%u)", round, step,
			      got, want, mc[0].isr, mc[1].isr, mc[0].lowest, mc[1].lowest);
		}
	}
}

LAB_TEST(pic_fully_nested_random)
{
	pic_run(0);
}

LAB_TEST(pic_rotated_priorities_random)
{
	pic_run(1);
}

/* ---- the local APIC ---------------------------------------------- */

#define APIC	0xFEE00000ull

static struct lapic *apic;
static uint32_t irr[8], isr[8], tmr[8];
static unsigned int tpr, eoi_vector, eoi_calls;

static void on_eoi(void *ctx, uint8_t vector)
{
	(void)ctx;
	eoi_vector = vector;
	eoi_calls++;
}

static const struct lapic_ops apic_ops = { .eoi = on_eoi };

static int hi256(const uint32_t *r)
{
	for (int v = 255; v >= 0; v--)
		if (r[v / 32] & (1u << (v % 32)))
			return v;
	return -1;
}

static unsigned int m_ppr(void)
{
	int s = hi256(isr);

	return s >= 0 && (unsigned int)(s & 0xF0) > (tpr & 0xF0) ? (unsigned int)(s & 0xF0) : tpr;
}

static int m_pending(void)
{
	int v = hi256(irr);

	return v >= 0 && (unsigned int)(v & 0xF0) > (m_ppr() & 0xF0) ? v : -1;
}

static void apic_setup(void)
{
	if (bus)
		bus_free(bus);
	bus = bus_new();
	apic = lapic_new(1, &apic_ops, NULL);
	lapic_attach(apic, bus, APIC);
	mmio_wr(bus, APIC + 0xF0, 0x1FF);	/* SVR: software-enabled */
	memset(irr, 0, sizeof(irr));
	memset(isr, 0, sizeof(isr));
	memset(tmr, 0, sizeof(tmr));
	tpr = 0;
	eoi_calls = 0;
}

static void deliver(unsigned int v, int level)
{
	struct apic_msg m = { .dest = 0, .mode = APIC_DM_FIXED, .vector = (uint8_t)v,
			      .level = level };

	lapic_deliver(apic, &m);
	irr[v / 32] |= 1u << (v % 32);
	if (level)
		tmr[v / 32] |= 1u << (v % 32);
	else
		tmr[v / 32] &= ~(1u << (v % 32));
}

static void check_regs(const char *when)
{
	for (int i = 0; i < 8; i++) {
		uint32_t a = mmio_rd(bus, APIC + 0x100 + 0x10 * i);
		uint32_t b = mmio_rd(bus, APIC + 0x200 + 0x10 * i);

		CHECK(a == isr[i] && b == irr[i], "%s: ISR[%d] %08x IRR[%d] %08x, want %08x %08x",
		      when, i, a, i, b, isr[i], irr[i]);
	}
}

static void apic_run(int use_tpr, int use_level)
{
	for (int round = 0; round < 100; round++) {
		apic_setup();
		for (int step = 0; step < 80; step++) {
			unsigned int r = (unsigned int)rnd_range(0, 9);
			int want, got;

			if (r < 3) {
				deliver((unsigned int)rnd_range(16, 255), use_level && (rnd() & 1));
				continue;
			}
			if (r == 3 && use_tpr) {
				tpr = (unsigned int)(rnd() & 0xF0);
				mmio_wr(bus, APIC + 0x80, tpr);
				continue;
			}
			if (r < 7) {
				int v = hi256(isr);

				eoi_calls = 0;
				mmio_wr(bus, APIC + 0xB0, 0);
				if (v >= 0) {
					int lvl = !!(tmr[v / 32] & (1u << (v % 32)));

					isr[v / 32] &= ~(1u << (v % 32));
					CHECK(eoi_calls == (unsigned int)lvl && (!lvl || eoi_vector == (unsigned int)v),
					      "EOI of vector %#x (%s-triggered): %u IOAPIC EOI call(s)",
					      v, lvl ? "level" : "edge", eoi_calls);
				}
				check_regs("after EOI");
				BAIL();
				continue;
			}
			want = m_pending();
			got = lapic_pending(apic, 0);
			CHECK(got == want, "round %d step %d: pending vector %d, want %d (TPR %#x, "
			      "highest IRR %d, highest ISR %d)", round, step, got, want, tpr,
			      hi256(irr), hi256(isr));
			CHECK(mmio_rd(bus, APIC + 0xA0) == m_ppr(), "PPR %#x, want %#x",
			      mmio_rd(bus, APIC + 0xA0), m_ppr());
			if (got >= 0) {
				lapic_ack(apic, 0, got);
				irr[got / 32] &= ~(1u << (got % 32));
				isr[got / 32] |= 1u << (got % 32);
			}
		}
	}
}

LAB_TEST(lapic_irr_isr_eoi_random)
{
	apic_run(0, 0);
}

LAB_TEST(lapic_tpr_and_level_eoi_random)
{
	apic_run(1, 1);
}

/* ---- the vCPU's side: inject() in user/vcpu_irq.c ------------------- */

/*
 * inject() runs before every HVLAB_RUN.  Here the controllers and the
 * module are stand-ins: the binary is linked with --wrap for the three
 * irqchip calls inject() makes and for ioctl (labs/09-interrupts/grade.mk),
 * so the check decides what is pending and records every HVLAB_INJECT.
 * Other callers (the PIC and APIC checks above) reach the real functions.
 */
bool __real_irqchip_has_pending(struct irqchip *c, int cpu);
int __real_irqchip_take(struct irqchip *c, int cpu);
bool __real_irqchip_take_nmi(struct irqchip *c, int cpu);
int __real_ioctl(int fd, unsigned long req, ...);

static struct irqchip *fake_chip;	/* the stand-in's address */
static int f_vec[8], f_nvec;		/* vectors pending, taken from the end */
static bool f_nmi;
static bool f_vanish;			/* the request goes away at INTA */
static bool f_busy;			/* HVLAB_INJECT fails (one still queued) */
static struct hvlab_event f_ev[8];	/* HVLAB_INJECT attempts */
static int f_nev, f_takes;

bool __wrap_irqchip_has_pending(struct irqchip *c, int cpu)
{
	if (c != fake_chip)
		return __real_irqchip_has_pending(c, cpu);
	return f_nmi || f_nvec > 0;
}

int __wrap_irqchip_take(struct irqchip *c, int cpu)
{
	if (c != fake_chip)
		return __real_irqchip_take(c, cpu);
	f_takes++;
	if (f_vanish || !f_nvec) {
		f_nvec = 0;
		return -1;
	}
	return f_vec[--f_nvec];
}

bool __wrap_irqchip_take_nmi(struct irqchip *c, int cpu)
{
	bool nmi = f_nmi;

	if (c != fake_chip)
		return __real_irqchip_take_nmi(c, cpu);
	f_nmi = false;
	return nmi;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != 1000 || req != HVLAB_INJECT)
		return __real_ioctl(fd, req, arg);
	/* every attempt is recorded, a refused one too */
	if (f_nev < 8)
		f_ev[f_nev] = *(struct hvlab_event *)arg;
	f_nev++;
	if (f_busy) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

LAB_TEST(vcpu_injects_when_the_guest_can_take_it)
{
	static struct vm vm;
	static struct hvlab_run run;
	struct vcpu *v = &vm.vcpu[0];
	uint64_t injected = 0;

	fake_chip = (struct irqchip *)&f_vec;	/* any address but a chip's */
	vm.irq = fake_chip;
	vm.ncpus = 1;
	v->vm = &vm;
	v->fd = 1000;
	v->run = &run;
	v->state = VCPU_RUNNABLE;
	vcpu_irq_init(v);
	for (int round = 0; round < 400; round++) {
		bool ready = rnd() % 3 != 0, nmi = rnd() % 5 == 0, had;
		int nvec = (int)rnd_range(0, 3), want_vec = -1;
		const char *why;

		f_nvec = nvec;
		for (int i = 0; i < nvec; i++)
			f_vec[i] = (int)rnd_range(32, 255);
		f_nmi = nmi;
		f_vanish = rnd() % 8 == 0;
		f_busy = rnd() % 10 == 0;
		f_nev = f_takes = 0;
		had = nmi || nvec;
		run.ready_for_interrupt_injection = ready;
		run.request_interrupt_window = (__u8)(rnd() & 1);
		if (nvec)
			want_vec = f_vec[nvec - 1];
		CHECK(vcpu_prepare_run(v) == 0, "round %d: vcpu_prepare_run failed", round);
		why = nmi ? "an NMI" : nvec ? "an interrupt" : "nothing";
		if (!had) {
			CHECK(f_nev == 0 && f_takes == 0,
			      "round %d: nothing is pending, yet %d injection(s), %d INTA(s)",
			      round, f_nev, f_takes);
			CHECK(!run.request_interrupt_window,
			      "round %d: nothing is pending, yet the window is requested", round);
			continue;
		}
		if (!ready) {
			CHECK(f_nev == 0 && f_takes == 0 && f_nmi == nmi && f_nvec == nvec,
			      "round %d: %s is pending but the guest cannot take it: it must wait "
			      "(%d injection(s), %d INTA(s))", round, why, f_nev, f_takes);
			CHECK(run.request_interrupt_window,
			      "round %d: %s waits for the guest: request the interrupt window",
			      round, why);
			continue;
		}
		if (nmi) {
			CHECK(f_nev == 1 && f_ev[0].type == HVLAB_EVENT_NMI && f_ev[0].vector == 2,
			      "round %d: an NMI (and %d vector(s)) pending: inject the NMI first "
			      "(%d injection(s), type %u vector %u)", round, nvec, f_nev,
			      f_nev ? f_ev[0].type : 0, f_nev ? f_ev[0].vector : 0);
			CHECK(f_takes == 0 && f_nvec == nvec,
			      "round %d: with an NMI going in, no vector may be taken too", round);
		} else if (f_vanish) {
			CHECK(f_nev == 0, "round %d: the request went away at INTA (-1): nothing "
			      "to inject, yet %d injection(s)", round, f_nev);
			CHECK(!run.request_interrupt_window,
			      "round %d: the request went away: no window to ask for", round);
			continue;
		} else {
			CHECK(f_takes == 1 && f_nev == 1 && f_ev[0].type == HVLAB_EVENT_EXTINT &&
			      (int)f_ev[0].vector == want_vec,
			      "round %d: vector %d pending: one INTA and one HVLAB_INJECT of it "
			      "(%d INTA(s), %d injection(s), vector %u)", round, want_vec,
			      f_takes, f_nev, f_nev ? f_ev[0].vector : 0);
		}
		if (f_busy) {
			CHECK(v->injected == injected, "round %d: HVLAB_INJECT failed, yet counted",
			      round);
		} else {
			injected++;
			CHECK(v->injected == injected, "round %d: v->injected %" PRIu64 ", want %"
			      PRIu64, round, v->injected, injected);
			CHECK(!run.ready_for_interrupt_injection,
			      "round %d: after an injection the guest is not ready until the "
			      "next exit says so", round);
		}
		CHECK(!!run.request_interrupt_window == (f_nmi || f_nvec > 0),
		      "round %d: %d vector(s) still pending: the window request is %d", round,
		      f_nvec, run.request_interrupt_window);
	}
	vcpu_irq_destroy(v);
}
