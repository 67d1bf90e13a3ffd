// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu_irq.c - the vCPU thread's side of interrupts: injecting the next
 * vector, sleeping in HLT until one arrives, being kicked out of the guest
 * when one arrives while it runs, and the INIT/STARTUP sequence that
 * brings up the other processors.
 *
 * The interrupt controllers live in userspace (hw/irq.h), as with KVM
 * without its in-kernel irqchip.  So, before every HVLAB_RUN:
 *
 *   controller has a vector   and the guest can take one now
 *                             (run->ready_for_interrupt_injection, as the
 *                             module computed it at the last exit)
 *                             -> irqchip_take + HVLAB_INJECT
 *                             otherwise -> run->request_interrupt_window:
 *                             the module arms interrupt-window exiting
 *                             (SDM Vol. 3 26.7.5) and comes back with
 *                             HVLAB_EXIT_IRQ_WINDOW_OPEN the moment the
 *                             guest sets RFLAGS.IF.
 *
 * A device raises a line from any thread (a vCPU's, or the timer thread of
 * hw/clock.c); the chip then calls irqchip_ops.kick for the vCPU that must
 * act.  The kick wakes the vCPU if it sleeps here (HLT, waiting for
 * STARTUP) and, if it is inside HVLAB_RUN, sets run->immediate_exit and
 * sends it the kick signal, so the module leaves the guest at once (the
 * signal interrupts the guest through an external-interrupt exit on the
 * host CPU).  immediate_exit is set before the signal and cleared by the
 * vCPU thread only before it looks for vectors again, so a kick that lands
 * between that look and the ioctl is never lost: the ioctl returns at once.
 *
 * SMP (Intel MultiProcessor Specification, SDM Vol. 3 9.4): for a Linux
 * boot the application processors start in wait-for-SIPI.  INIT puts a
 * vCPU there (its local APIC reset), STARTUP with vector VV starts it in
 * real mode at VV00:0000, i.e. physical address VV000.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "hw/clock.h"
#include "hw/irq.h"
#include "loader/loader.h"
#include "vm.h"

#define WAIT_SLICE_NS	(20 * 1000 * 1000)	/* re-check the stop flag this often */

void vcpu_irq_init(struct vcpu *v)
{
	pthread_condattr_t a;

	pthread_mutex_init(&v->wait_lock, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&v->wake, &a);
	pthread_condattr_destroy(&a);
}

void vcpu_irq_destroy(struct vcpu *v)
{
	pthread_cond_destroy(&v->wake);
	pthread_mutex_destroy(&v->wait_lock);
}

/* Sleep until kicked or WAIT_SLICE_NS passed.  wait_lock held. */
static void wait_slice(struct vcpu *v)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec + WAIT_SLICE_NS;
	ts.tv_sec = (time_t)(t / NSEC_PER_SEC);
	ts.tv_nsec = (long)(t % NSEC_PER_SEC);
	if (!v->woken)
		pthread_cond_timedwait(&v->wake, &v->wait_lock, &ts);
	v->woken = false;
}

void vcpu_kick(struct vcpu *v)
{
	pthread_mutex_lock(&v->wait_lock);
	v->woken = true;
	pthread_cond_signal(&v->wake);
	pthread_mutex_unlock(&v->wait_lock);
	if (!v->run)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (atomic_load(&v->in_run) && v->fd >= 0)
		pthread_kill(v->thread, VM_KICK_SIGNAL);
}

/* A vCPU starts or stops sleeping (HLT, wait-for-SIPI): vm->halted counts them. */
static void count_sleeper(struct vm *vm, int delta)
{
	pthread_mutex_lock(&vm->lock);
	vm->halted = (unsigned)((int)vm->halted + delta);
	pthread_mutex_unlock(&vm->lock);
}

/* ---- irqchip_ops: what the interrupt controllers ask of the VM ---- */

static struct vcpu *vcpu_of(void *ctx, int cpu)
{
	struct vm *vm = ctx;

	return cpu >= 0 && (unsigned)cpu < vm->ncpus ? &vm->vcpu[cpu] : NULL;
}

static void op_kick(void *ctx, int cpu)
{
	struct vcpu *v = vcpu_of(ctx, cpu);

	if (v)
		vcpu_kick(v);
}

static void op_init(void *ctx, int cpu)
{
	struct vcpu *v = vcpu_of(ctx, cpu);

	if (!v)
		return;
	pthread_mutex_lock(&v->wait_lock);
	/*
	 * A processor already waiting for STARTUP stays there: the INIT only
	 * drops a STARTUP it has not taken yet.  Left pending, it would send
	 * the processor back to waiting after the STARTUP that follows it,
	 * as Linux sends them: INIT, STARTUP, STARTUP (SDM Vol. 3 9.4.4.1).
	 */
	if (v->state == VCPU_WAIT_SIPI)
		v->sipi_pending = false;
	else
		v->init_pending = true;
	pthread_mutex_unlock(&v->wait_lock);
	vcpu_kick(v);
}

static void op_sipi(void *ctx, int cpu, uint8_t vector)
{
	struct vcpu *v = vcpu_of(ctx, cpu);

	if (!v)
		return;
	pthread_mutex_lock(&v->wait_lock);
	/* only a processor waiting for it takes a STARTUP (SDM Vol. 3 9.4.4) */
	if (v->state == VCPU_WAIT_SIPI && !v->sipi_pending) {
		v->sipi_pending = true;
		v->sipi_vector = vector;
	}
	pthread_mutex_unlock(&v->wait_lock);
	vcpu_kick(v);
}

const struct irqchip_ops vm_irqchip_ops = {
	.kick = op_kick,
	.init = op_init,
	.sipi = op_sipi,
};

/* ---- before each HVLAB_RUN ---------------------------------------- */

/* STARTUP: real mode at vector << 12, as --flat starts a guest there. */
static int start_at_sipi(struct vcpu *v, uint8_t vector)
{
	struct boot_image img = { .flat = true, .entry = (uint64_t)vector << 12 };
	struct hvlab_regs regs;
	struct hvlab_sregs sregs;

	boot_vcpu_state(&img, v->id, &regs, &sregs);
	regs.rsp = 0;
	if (ioctl(v->fd, HVLAB_SET_SREGS, &sregs) < 0 ||
	    ioctl(v->fd, HVLAB_SET_REGS, &regs) < 0)
		return -errno;
	v->run->ready_for_interrupt_injection = 0;
	return 0;
}

/*
 * Wait for STARTUP, or take INIT: returns 0 to run, 1 when the VM stops,
 * -errno when the registers cannot be set.
 */
static int wait_for_sipi(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint8_t vector;

	count_sleeper(vm, 1);
	pthread_mutex_lock(&v->wait_lock);
	while (!v->sipi_pending && !vm_stopping(vm))
		wait_slice(v);
	v->sipi_pending = false;
	v->state = VCPU_RUNNABLE;
	vector = v->sipi_vector;
	pthread_mutex_unlock(&v->wait_lock);
	count_sleeper(vm, -1);
	if (vm_stopping(vm))
		return 1;
	return start_at_sipi(v, vector);
}

static void take_init(struct vcpu *v)
{
	/*
	 * Before every HVLAB_RUN, and an INIT is rare: look without the lock
	 * first.  An INIT set just after the look is taken before the next
	 * HVLAB_RUN, as one set just after a locked look would be.
	 */
	if (!__atomic_load_n(&v->init_pending, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&v->wait_lock);
	if (v->init_pending) {
		v->init_pending = false;
		v->sipi_pending = false;
		v->state = VCPU_WAIT_SIPI;	/* the BSP too: SDM Vol. 3 9.1 */
	}
	pthread_mutex_unlock(&v->wait_lock);
}

/* LAB 9: BEGIN inject */
static void inject(struct vcpu *v)
{
	struct hvlab_run *run = v->run;
	struct irqchip *chip = v->vm->irq;
	struct hvlab_event ev = { .type = HVLAB_EVENT_EXTINT };
	int vector;

	if (!chip || !irqchip_has_pending(chip, v->id)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return;
	}
	if (irqchip_take_nmi(chip, v->id)) {
		ev.type = HVLAB_EVENT_NMI;
		ev.vector = 2;
	} else {
		vector = irqchip_take(chip, v->id);
		if (vector < 0) {
			run->request_interrupt_window = 0;
			return;
		}
		ev.vector = (uint32_t)vector;
	}
	if (ioctl(v->fd, HVLAB_INJECT, &ev) == 0) {
		v->injected++;
		/* the module holds it now; the next exit says when it can take more */
		run->ready_for_interrupt_injection = 0;
	}
	run->request_interrupt_window = irqchip_has_pending(chip, v->id);
}
/* LAB 9: END inject */

int vcpu_prepare_run(struct vcpu *v)
{
	int err;

	if (v->vm->irq)
		take_init(v);
	if (v->state == VCPU_WAIT_SIPI) {
		err = wait_for_sipi(v);
		if (err)
			return err;
	}
	/* a kick from before this point is answered by what follows */
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	inject(v);
	return 0;
}

/* ---- HLT ------------------------------------------------------------ */

/*
 * HLT with interrupts enabled: sleep until the controllers have something
 * for this vCPU.  When every vCPU sleeps here (or is halted for good) and
 * no timer is armed and no one can type, nothing will ever wake them: the
 * run ends as a halted guest's does.  Returns VCPU_CONTINUE or VCPU_HALTED.
 */
enum vcpu_action vcpu_wait_irq(struct vcpu *v)
{
	struct vm *vm = v->vm;
	enum vcpu_action act = VCPU_CONTINUE;
	bool counted = false;

	v->halts++;
	pthread_mutex_lock(&v->wait_lock);
	while (!vm_stopping(vm) && !irqchip_has_pending(vm->irq, v->id) && !v->init_pending) {
		bool stuck;

		if (!counted) {
			count_sleeper(vm, 1);
			counted = true;
		}
		pthread_mutex_lock(&vm->lock);
		stuck = vm->halted >= vm->ncpus && !hw_timers_any_armed() &&
			!vm->console_input;
		pthread_mutex_unlock(&vm->lock);
		if (stuck) {
			char why[160];

			snprintf(why, sizeof(why),
				 "guest halted at RIP 0x%llx (every vCPU is in HLT, no timer is armed: nothing can wake them)",
				 (unsigned long long)v->run->guest_rip);
			vm_request_stop(vm, VM_EXIT_OK, false, why);
			act = VCPU_HALTED;
			break;
		}
		wait_slice(v);
	}
	pthread_mutex_unlock(&v->wait_lock);
	if (counted)
		count_sleeper(vm, -1);
	return act;
}
