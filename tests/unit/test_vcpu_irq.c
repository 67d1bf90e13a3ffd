// SPDX-License-Identifier: GPL-2.0
/*
 * test_vcpu_irq.c - the vCPU thread's side of interrupts (user/vcpu_irq.c)
 * natively, with the module replaced by a fake.
 *
 * The test defines ioctl() itself: the executable's definition comes first,
 * so vcpu_irq.c's HVLAB_INJECT / HVLAB_SET_SREGS / HVLAB_SET_REGS land here
 * and are recorded instead of reaching /dev/hvlab.  The interrupt
 * controllers are the real ones (user/hw/irqchip.c) on a bus; a local APIC
 * is programmed through its MMIO page as a guest would (SVR to enable it,
 * ICR to send an IPI), with hw_set_current_vcpu() naming the sender.
 *
 * What must hold (the contract in vcpu_irq.c's header):
 *  - a pending vector goes to HVLAB_INJECT only when the last exit said
 *    ready_for_interrupt_injection; otherwise request_interrupt_window;
 *  - INIT then STARTUP VV starts a vCPU in real mode at VV00:0000, a
 *    STARTUP to a vCPU that is not waiting for one is ignored;
 *  - a vCPU asleep in HLT wakes when an interrupt arrives for it, and when
 *    every vCPU sleeps with no timer armed the VM stops as halted.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw_stubs.h"
#include "vm.h"

#define LAPIC		0xFEE00000u
#define ICR_LO		0x300
#define ICR_HI		0x310
#define SVR		0x0F0

/* ---- the fake module ------------------------------------------------ */

static struct {
	int injects, set_sregs, set_regs;
	struct hvlab_event ev;
	struct hvlab_sregs sregs;
	struct hvlab_regs regs;
} fake;

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	(void)fd;
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req == HVLAB_INJECT) {
		fake.injects++;
		fake.ev = *(struct hvlab_event *)arg;
	} else if (req == HVLAB_SET_SREGS) {
		fake.set_sregs++;
		fake.sregs = *(struct hvlab_sregs *)arg;
	} else if (req == HVLAB_SET_REGS) {
		fake.set_regs++;
		fake.regs = *(struct hvlab_regs *)arg;
	}
	return 0;
}

/* ---- a VM of two vCPUs without a module ------------------------------ */

static struct vm vm;		/* large: not on the stack */
static struct hvlab_run runs[2];

FIXTURE(irq) {
	struct bus *bus;
};

FIXTURE_SETUP(irq)
{
	memset(&vm, 0, sizeof(vm));
	memset(runs, 0, sizeof(runs));
	memset(&fake, 0, sizeof(fake));
	pthread_mutex_init(&vm.lock, NULL);
	vm.ncpus = 2;
	vm.fd = vm.sys_fd = -1;
	for (unsigned i = 0; i < 2; i++) {
		vm.vcpu[i] = (struct vcpu){ .vm = &vm, .id = (int)i, .fd = 100 + (int)i,
					    .run = &runs[i] };
		vcpu_irq_init(&vm.vcpu[i]);
	}
	self->bus = bus_new();
	vm.irq = irqchip_new(2, &vm_irqchip_ops, &vm);
	ASSERT_NE(NULL, vm.irq);
	ASSERT_EQ(0, irqchip_attach(vm.irq, self->bus));
	for (int i = 0; i < 2; i++) {	/* software-enable each local APIC */
		hw_set_current_vcpu(i);
		mmio_wr(self->bus, LAPIC + SVR, 0x1ff);
	}
}

FIXTURE_TEARDOWN(irq)
{
	bus_free(self->bus);
	irqchip_free(vm.irq);
	for (unsigned i = 0; i < 2; i++)
		vcpu_irq_destroy(&vm.vcpu[i]);
	pthread_mutex_destroy(&vm.lock);
}

/* vCPU `from` sends an IPI: ICR high (destination) then low (sends). */
static void ipi(struct bus *bus, int from, unsigned dest, uint32_t lo)
{
	hw_set_current_vcpu(from);
	mmio_wr(bus, LAPIC + ICR_HI, dest << 24);
	mmio_wr(bus, LAPIC + ICR_LO, lo);
}

#define FIXED(v)	(0x4000u | (v))		/* fixed, assert, physical */
#define INIT		0x4500u
#define STARTUP(vv)	(0x4600u | (vv))

TEST_F(irq, a_vector_is_injected_when_the_guest_can_take_it)
{
	struct vcpu *v = &vm.vcpu[0];

	ipi(self->bus, 1, 0, FIXED(0x41));
	ASSERT_TRUE(irqchip_has_pending(vm.irq, 0));
	runs[0].ready_for_interrupt_injection = 1;
	ASSERT_EQ(0, vcpu_prepare_run(v));
	EXPECT_EQ(1, fake.injects);
	EXPECT_EQ(HVLAB_EVENT_EXTINT, fake.ev.type);
	EXPECT_EQ(0x41u, fake.ev.vector);
	EXPECT_EQ(1u, v->injected);
	/* the module holds it: no second one until the next exit says so */
	EXPECT_EQ(0, runs[0].ready_for_interrupt_injection);
	EXPECT_EQ(0, runs[0].request_interrupt_window);
	EXPECT_FALSE(irqchip_has_pending(vm.irq, 0));
	/* nothing for vCPU 1 */
	runs[1].ready_for_interrupt_injection = 1;
	ASSERT_EQ(0, vcpu_prepare_run(&vm.vcpu[1]));
	EXPECT_EQ(1, fake.injects);
}

TEST_F(irq, not_ready_asks_for_the_interrupt_window)
{
	ipi(self->bus, 1, 0, FIXED(0x42));
	runs[0].ready_for_interrupt_injection = 0;
	ASSERT_EQ(0, vcpu_prepare_run(&vm.vcpu[0]));
	EXPECT_EQ(0, fake.injects);
	EXPECT_EQ(1, runs[0].request_interrupt_window);
	EXPECT_TRUE(irqchip_has_pending(vm.irq, 0));	/* still waiting in IRR */
	/* the window opened: the next prepare injects it */
	runs[0].ready_for_interrupt_injection = 1;
	ASSERT_EQ(0, vcpu_prepare_run(&vm.vcpu[0]));
	EXPECT_EQ(1, fake.injects);
	EXPECT_EQ(0x42u, fake.ev.vector);
	EXPECT_EQ(0, runs[0].request_interrupt_window);
}

TEST_F(irq, a_kick_before_the_run_sets_immediate_exit)
{
	runs[0].immediate_exit = 1;		/* an old kick: answered below */
	ASSERT_EQ(0, vcpu_prepare_run(&vm.vcpu[0]));
	EXPECT_EQ(0, runs[0].immediate_exit);
	ipi(self->bus, 1, 0, FIXED(0x43));	/* the chip kicks vCPU 0 */
	EXPECT_EQ(1, runs[0].immediate_exit);
}

/* pthread_join with a limit: 0, or nonzero when the thread still runs. */
static int join_within(pthread_t t, int seconds, void **ret)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += seconds;
	return pthread_timedjoin_np(t, ret, &dl);
}

static void *prepare_thread(void *arg)
{
	return (void *)(intptr_t)vcpu_prepare_run(arg);
}

TEST_F(irq, init_then_startup_starts_real_mode_at_vv000)
{
	struct vcpu *ap = &vm.vcpu[1];
	pthread_t t;
	void *ret;

	/* a STARTUP to a vCPU that waits for none is ignored */
	ipi(self->bus, 0, 1, STARTUP(0x9a));
	EXPECT_FALSE(ap->sipi_pending);
	ipi(self->bus, 0, 1, INIT);
	EXPECT_TRUE(ap->init_pending);
	ASSERT_EQ(0, pthread_create(&t, NULL, prepare_thread, ap));
	/* the AP's thread takes the INIT and waits for STARTUP */
	for (int i = 0; i < 200 && ap->state != VCPU_WAIT_SIPI; i++)
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	ASSERT_EQ(VCPU_WAIT_SIPI, ap->state);
	EXPECT_EQ(0, fake.set_sregs);
	ipi(self->bus, 0, 1, STARTUP(0x9a));
	ASSERT_EQ(0, pthread_join(t, &ret));
	EXPECT_EQ(0, (int)(intptr_t)ret);
	EXPECT_EQ(VCPU_RUNNABLE, ap->state);
	EXPECT_EQ(1, fake.set_sregs);
	EXPECT_EQ(1, fake.set_regs);
	EXPECT_EQ(0x9a00, fake.sregs.cs.selector);
	EXPECT_EQ(0x9a000u, fake.sregs.cs.base);
	EXPECT_EQ(0u, fake.regs.rip);
	EXPECT_EQ(0u, fake.sregs.cr0 & 1);		/* real mode */
}

/*
 * An AP of a Linux image starts in wait-for-SIPI; Linux still sends INIT,
 * STARTUP, STARTUP.  After the first STARTUP it runs, and it must keep
 * running: the INIT it got while waiting is not taken again later.
 */
TEST_F(irq, init_to_a_waiting_ap_does_not_stop_it_after_startup)
{
	struct vcpu *ap = &vm.vcpu[1];
	pthread_t t;
	void *ret;
	int rc;

	ap->state = VCPU_WAIT_SIPI;
	ipi(self->bus, 0, 1, INIT);
	ipi(self->bus, 0, 1, STARTUP(0x9a));
	ASSERT_EQ(0, pthread_create(&t, NULL, prepare_thread, ap));
	ASSERT_EQ(0, pthread_join(t, &ret));
	EXPECT_EQ(0, (int)(intptr_t)ret);
	EXPECT_EQ(VCPU_RUNNABLE, ap->state);
	EXPECT_EQ(1, fake.set_sregs);
	/* the second STARTUP finds it running: ignored */
	ipi(self->bus, 0, 1, STARTUP(0x9a));
	/*
	 * Its next entry: still running, not back in wait-for-SIPI (where it
	 * would wait for good: after 2 s the VM is stopped to end the wait).
	 */
	ASSERT_EQ(0, pthread_create(&t, NULL, prepare_thread, ap));
	rc = join_within(t, 2, &ret);
	if (rc) {
		vm_request_stop(&vm, VM_EXIT_OK, true, NULL);
		pthread_join(t, &ret);
	}
	EXPECT_EQ(0, rc) TH_LOG("the AP went back to waiting for STARTUP");
	EXPECT_EQ(VCPU_RUNNABLE, ap->state);
	EXPECT_EQ(1, fake.set_sregs);
}

static void *hlt_thread(void *arg)
{
	return (void *)(intptr_t)vcpu_wait_irq(arg);
}

TEST_F(irq, hlt_sleeps_until_an_interrupt_arrives)
{
	struct timespec a, b;
	pthread_t t;
	void *ret;

	ASSERT_EQ(0, pthread_create(&t, NULL, hlt_thread, &vm.vcpu[0]));
	nanosleep(&(struct timespec){ 0, 100000000 }, NULL);	/* 100 ms asleep */
	EXPECT_EQ(1u, vm.halted);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ipi(self->bus, 1, 0, FIXED(0x44));
	ASSERT_EQ(0, pthread_join(t, &ret));
	clock_gettime(CLOCK_MONOTONIC, &b);
	EXPECT_EQ(VCPU_CONTINUE, (int)(intptr_t)ret);
	EXPECT_EQ(0u, vm.halted);
	EXPECT_EQ(1u, vm.vcpu[0].halts);
	EXPECT_FALSE(vm_stopping(&vm));
	/* woken by the kick, not by the stop flag nor a long timeout */
	EXPECT_GT(0.5, (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

TEST_F(irq, every_vcpu_asleep_with_no_timer_is_a_halted_guest)
{
	vm.ncpus = 1;			/* only vCPU 0, and it halts */
	EXPECT_EQ(VCPU_HALTED, vcpu_wait_irq(&vm.vcpu[0]));
	EXPECT_TRUE(vm_stopping(&vm));
	EXPECT_EQ(VM_EXIT_OK, vm.exit_status);
}

/* A network card can bring a frame, and its interrupt, at any time. */
TEST_F(irq, a_vm_with_a_nic_waits_in_hlt_without_a_timer)
{
	pthread_t t;
	void *ret;

	vm.ncpus = 1;
	vm.opt.nnics = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, hlt_thread, &vm.vcpu[0]));
	nanosleep(&(struct timespec){ 0, 100000000 }, NULL);	/* 100 ms asleep */
	EXPECT_EQ(1u, vm.halted);
	EXPECT_FALSE(vm_stopping(&vm));
	ipi(self->bus, 1, 0, FIXED(0x44));
	ASSERT_EQ(0, pthread_join(t, &ret));
	EXPECT_EQ(VCPU_CONTINUE, (int)(intptr_t)ret);
	EXPECT_FALSE(vm_stopping(&vm));
}

TEST_HARNESS_MAIN
