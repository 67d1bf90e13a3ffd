// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - HVLAB_RUN on VMX: the loop that enters the guest and dispatches
 * each exit, and the events injected on the way in.
 *
 * The run loop (hv_vcpu_run).  Finish what userspace completed (an IN's
 * data, an MMIO read: complete.c, shared with SVM), then: check signals
 * and need_resched, inject a
 * queued event or arm the window exit that says when it can be, enter the
 * guest with interrupts off, turn interrupts back on (a host interrupt
 * that caused the exit is serviced right there), record the exit in the
 * statistics and hand it to the exit-handler table (exit.c).  Its return
 * value decides: 1 resume the guest, 0 return to userspace with
 * run->exit_reason set, <0 an error.  A pending signal ends HVLAB_RUN
 * with -EINTR, so Ctrl-C always works, and the loop reschedules when
 * asked, so a spinning guest cannot hog a CPU.
 *
 * The fast path (run_guest).  Exits that never sleep and never need
 * userspace (an external interrupt, CPUID, RDMSR, ...) are handled without
 * leaving the guest's context: the guest's FPU, XCR0 and MSRs stay loaded
 * (host_state.c) and the guest is entered again at once.  Any other exit
 * leaves run_guest, the host state is put back, and the slow path handles
 * it with preemption on.
 *
 * Events (inject_pending).  HVLAB_INJECT queues one interrupt, NMI or
 * exception; it goes into the VM-entry interruption-information field
 * (SDM Vol. 3 26.6) once the guest can take it, and until then the
 * interrupt-window or NMI-window exit is armed.
 */
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <asm/msr.h>

#include "compat.h"
#include "hvlab.h"
#include "host_state.h"
#include "pure_caps.h"
#include "vm.h"
#include "vmcs.h"

/* Record an exit, handle it, publish the record (see the uapi reader rule). */
static int handle_one_exit(struct hv_vcpu *vcpu, u32 reason,
			   enum hv_fast fast);

/*
 * Exits the fast path may handle without leaving the guest's context (FPU
 * loaded, preemption off): handlers that never sleep and never need
 * userspace.  Everything else leaves through the slow path.
 */
static enum hv_fast fastpath_exit(struct hv_vcpu *vcpu, u32 reason)
{
	switch (reason) {	/* an entry failure has bit 31: never here */
	case HVLAB_VMX_EXIT_EXTERNAL_INT:
	case HVLAB_VMX_EXIT_PREEMPTION_TIMER:
	case HVLAB_VMX_EXIT_PAUSE:
	case HVLAB_VMX_EXIT_CPUID:
	case HVLAB_VMX_EXIT_RDMSR:
		return HV_FAST_TABLE;
	case HVLAB_VMX_EXIT_VMCALL:
		return vcpu->gpr[HV_RAX] == HVLAB_HC_NOP ? HV_FAST_TABLE :
							   HV_FAST_NO;
	case HVLAB_VMX_EXIT_CR_ACCESS:
		return hv_cr_exit_is_fast(vcpu);	/* a kept shadow root */
	case HVLAB_VMX_EXIT_EXCEPTION_NMI:	/* a shadow fill, done here */
		return vcpu->paging->fast_pf && vcpu->paging->fast_pf(vcpu) ?
		       HV_FAST_PF : HV_FAST_NO;
	}
	return HV_FAST_NO;
}

/*
 * The benchmark floor (HVLAB_VM_BENCH_FLOOR, see the uapi): the leanest
 * exit there is.  Right after the VM exit, still in the guest's context
 * (interrupts off, guest FPU and XCR0 loaded), a CPUID of the floor leaf
 * is answered and skipped, and the guest entered again: no statistics, no
 * exit record, no host-state work, no signal or reschedule check.  Only
 * make bench's VMs get here (main.c refuses the flag unless the module was
 * loaded with bench_floor=1); a host interrupt still exits with its own
 * reason and takes the ordinary path, so the host keeps its CPU.  STI
 * blocking is left as it was: bench.elf's loop never runs CPUID right
 * after STI.
 */
static __always_inline bool bench_floor_cpuid(struct hv_vcpu *vcpu)
{
	if (vmcs_read32(VM_EXIT_REASON) != HVLAB_VMX_EXIT_CPUID ||
	    (u32)vcpu->gpr[HV_RAX] != HVLAB_CPUID_BENCH_FLOOR)
		return false;
	vcpu->gpr[HV_RAX] = HVLAB_BENCH_FLOOR_SIG;
	vcpu->gpr[HV_RBX] = 0;
	vcpu->gpr[HV_RCX] = 0;
	vcpu->gpr[HV_RDX] = 0;
	/* the VM-exit instruction-length field (SDM Vol. 3 28.2.4) */
	vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) +
		    vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vcpu->launched = true;
	return true;
}

/*
 * Run the guest until an exit the fast path cannot handle.  Returns 0 with
 * that exit's reason in *reason (bit 31 set for a VM-entry failure, SDM
 * 27.8), 1 when it stopped after a handled exit because the host wants the
 * CPU (need_resched, a signal), or -EIO when VMLAUNCH/VMRESUME itself
 * failed (run->fail_entry set).
 *
 * The guest's FPU state, XCR0 and KERNEL_GS_BASE stay loaded for the whole
 * loop, and the host state VMX does not restore (GDT and TSS limits,
 * segment selectors, DR7, DEBUGCTL, KERNEL_GS_BASE) is put back once at
 * the end: nothing in between returns to userspace, switches tasks or
 * relies on it.  The SYSCALL MSRs stay the guest's even longer, until
 * this CPU returns to user mode (msr.c).  Interrupts are enabled after every exit,
 * so the host interrupt that caused one is serviced at once.
 */
static int run_guest(struct hv_vcpu *vcpu, u32 *reason)
{
	/* in the vCPU, not on the stack, which the kernel may zero per call */
	struct hv_host_state *h = &vcpu->host;
	enum hv_fast fast = HV_FAST_NO;
	int fail, ret;
	u64 t = 0;

	preempt_disable();
	if (vcpu->load_failed) {	/* set by a reschedule's vcpu_load */
		preempt_enable();
		return -EIO;
	}
	hv_host_state_enter(vcpu, h);

	for (;;) {
		local_irq_disable();
		hv_host_state_before_entry(vcpu, h);
		if (native_read_cr2() != vcpu->cr2)
			native_write_cr2(vcpu->cr2);	/* not in the VMCS */

		hv_bench_stamp(vcpu, &vcpu->run->bench.vmenter);
		if (unlikely(vcpu->guest_cycles))
			t = rdtsc();
		do {
			fail = hv_vmenter(vcpu->gpr, vcpu->launched);
		} while (unlikely(vcpu->bench_floor) && !fail &&
			 bench_floor_cpuid(vcpu));
		/*
		 * --stats: the time in VMX non-root operation, entry and exit
		 * included; asked for (HVLAB_VM_GUEST_CYCLES), since the two
		 * RDTSCs would otherwise cost every exit
		 */
		if (unlikely(vcpu->guest_cycles))
			vcpu->stats->guest_cycles += rdtsc() - t;
		hv_bench_stamp(vcpu, &vcpu->run->bench.vmexit);

		vcpu->cr2 = native_read_cr2();
		hv_host_state_after_exit(vcpu, h);
		vcpu->stats->entries++;
		if (fail)
			break;
		*reason = vmcs_read32(VM_EXIT_REASON);
		/*
		 * A VM entry that fails on guest state (bit 31) leaves the
		 * launch state as it was (SDM 31.4, VMLAUNCH): the next try
		 * must be a VMLAUNCH again, or it fails with "VMRESUME with
		 * non-launched VMCS" instead of the real error.
		 */
		if (!(*reason & EXIT_REASON_ENTRY_FAIL))
			vcpu->launched = true;
		hv_host_event_after_exit(*reason);
		/* asked once: handling the exit changes the answer */
		fast = fastpath_exit(vcpu, *reason);
		if (!fast)
			break;
		handle_one_exit(vcpu, *reason, fast);
		local_irq_enable();
		if (need_resched() || signal_pending(current) ||
		    vcpu->event_pending || hv_ring_full(vcpu)) {
			local_irq_disable();
			break;
		}
	}
	ret = fail ? -EIO : fast ? 1 : 0;
	hv_host_state_leave(vcpu, h);
	local_irq_enable();
	preempt_enable();

	if (fail) {
		struct hvlab_run *run = vcpu->run;

		memset(&run->fail_entry, 0, sizeof(run->fail_entry));
		run->exit_reason = HVLAB_EXIT_FAIL_ENTRY;
		run->fail_entry.vm_instruction_error =
			vmcs_read32(VM_INSTRUCTION_ERROR);
		strscpy(run->fail_entry.check,
			run->fail_entry.vm_instruction_error == 7 ?
			"invalid control field (SDM 26.2.1)" :
			run->fail_entry.vm_instruction_error == 8 ?
			"invalid host-state field (SDM 26.2.2-26.2.4)" :
			"VMLAUNCH/VMRESUME failed (SDM 31.4)",
			sizeof(run->fail_entry.check));
	}
	return ret;
}

static void set_proc_bits(u32 set, u32 clear)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	u32 want = (proc & ~clear) | set;

	if (want != proc)
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, want);
}

/*
 * A queued NMI: it ignores RFLAGS.IF, but waits while NMIs are blocked
 * (the guest is in its NMI handler, SDM 6.7.1) and, as KVM does, for the
 * end of STI or MOV-SS blocking (VM entry refuses MOV-SS blocking with an
 * NMI, SDM 26.3.1.5).  Returns true when injected.  With virtual NMIs the
 * CPU tracks the guest's blocking and NMI-window exiting says when it
 * ends.  Without them hvlab cannot hear the IRET: the NMI is retried at
 * every exit (the preemption timer bounds the wait).
 */
static bool inject_nmi(struct hv_vcpu *vcpu)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS | GUEST_INTR_NMI)) {
		if (vcpu->vnmi && (intr & GUEST_INTR_NMI))
			set_proc_bits(PROC_NMI_WINDOW_EXITING, 0);
		else if (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF)
			set_proc_bits(PROC_INTR_WINDOW_EXITING, 0);
		return false;
	}
	if (vcpu->rmode)	/* vm86 would use the protected-mode IDT */
		vcpu->paging->rm_interrupt(vcpu, 2, 0);
	else
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID |
			     INTR_TYPE_NMI | 2);
	set_proc_bits(0, vcpu->vnmi ? PROC_NMI_WINDOW_EXITING : 0);
	return true;
}

/*
 * Before each entry: inject a queued HVLAB_INJECT event when the guest can
 * take it, or arm the exit that says when it can.  Without a queued event,
 * run->request_interrupt_window arms interrupt-window exiting, and exit.c
 * returns HVLAB_EXIT_IRQ_WINDOW_OPEN when it fires.
 */
static void inject_pending(struct hv_vcpu *vcpu)
{
	struct hvlab_event *e = &vcpu->event;

	if (likely(!vcpu->event_pending)) {
		if (READ_ONCE(vcpu->run->request_interrupt_window))
			set_proc_bits(PROC_INTR_WINDOW_EXITING, 0);
		return;
	}
	/* an event being delivered again (exit.c) goes first */
	if (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID)
		return;
	if (e->type == HVLAB_EVENT_EXCEPTION) {
		hv_inject_exception(vcpu, e->vector, e->has_error_code,
				    e->error_code);
	} else if (e->type == HVLAB_EVENT_NMI) {
		if (!inject_nmi(vcpu))
			return;
	} else if ((vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
		   !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		     (GUEST_INTR_STI | GUEST_INTR_MOV_SS))) {
		if (vcpu->rmode)	/* vm86 would use the protected-mode IDT */
			vcpu->paging->rm_interrupt(vcpu, e->vector, 0);
		else
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID |
				     INTR_TYPE_EXT_INTR | (e->vector & 0xff));
		set_proc_bits(0, PROC_INTR_WINDOW_EXITING);
	} else {
		/* SDM 26.7.5: exit as soon as the guest can take it */
		set_proc_bits(PROC_INTR_WINDOW_EXITING, 0);
		return;
	}
	vcpu->event_pending = false;
}

/*
 * HVLAB_EVENT_CLEAR: forget the queued event and whatever event the VMCS
 * holds for the next entry (see the uapi), and the window exits armed
 * for it; inject_pending() arms the interrupt window again if userspace
 * still asks for it.
 */
int hv_clear_event(struct hv_vcpu *vcpu, const struct hvlab_event *e)
{
	if (e->vector || e->has_error_code || e->error_code)
		return -EINVAL;
	vcpu->event_pending = false;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	set_proc_bits(0, PROC_INTR_WINDOW_EXITING |
		      (vcpu->vnmi ? PROC_NMI_WINDOW_EXITING : 0));
	return 0;
}

static void record_exit(struct hv_vcpu *vcpu, u32 reason)
{
	struct hvlab_stats *st = vcpu->stats;
	struct hvlab_exit_record *rec;
	u32 basic = reason & 0xffff;

	st->exits++;
	if (basic < HVLAB_NR_EXIT_REASONS)
		st->by_reason[basic]++;
	rec = &st->ring[st->head & (HVLAB_EXIT_RING_SIZE - 1)];
	rec->tsc = rdtsc();
	rec->rip = vmcs_readl(GUEST_RIP);
	rec->qualification = vmcs_readl(EXIT_QUALIFICATION);
	rec->reason = basic;
	rec->gpa = 0;
	rec->info = 0;
	rec->value = 0;
	vcpu->rec = rec;
}

static int handle_one_exit(struct hv_vcpu *vcpu, u32 reason,
			   enum hv_fast fast)
{
	int ret;

	record_exit(vcpu, reason);
	if (fast == HV_FAST_CR3) {	/* KVM's habit: a fastpath handler */
		ret = hv_fastpath_cr3(vcpu);
	} else if (fast == HV_FAST_PF) {	/* already filled */
		vcpu->rec->tsc = vcpu->sh_fast_tsc;
		vcpu->rec->gpa = vcpu->sh_fast_gpa;
		vcpu->rec->value = vcpu->sh_fast_gva;
		ret = 1;
	} else {
		ret = hv_handle_exit(vcpu, reason);
	}
	vcpu->rec->cycles = rdtsc() - vcpu->rec->tsc;
	smp_wmb();	/* the record before the head (see the uapi) */
	vcpu->stats->head++;
	return ret;
}

/*
 * Real mode under shadow paging runs in vm86 mode, which cannot hold every
 * real-mode state (rmode.c): say why instead of entering.
 */
static bool rmode_stuck(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;
	const char *why = vcpu->paging->rm_unfit(vcpu);

	if (!why)
		return false;
	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->exit_reason = HVLAB_EXIT_FAIL_ENTRY;
	strscpy(run->fail_entry.check, why, sizeof(run->fail_entry.check));
	return true;
}

int hv_vcpu_run(struct hv_vcpu *vcpu)
{
	u32 reason;
	int ret;

	ret = hv_run_begin(vcpu);
	if (ret <= 0)
		return ret;
	for (;;) {
		ret = hv_run_check(vcpu);
		if (ret <= 0)
			break;
		if (unlikely(vcpu->rmode) && rmode_stuck(vcpu)) {
			ret = 0;
			break;
		}
		inject_pending(vcpu);
		ret = run_guest(vcpu, &reason);
		if (ret < 0) {
			/* run->fail_entry describes a failed entry */
			ret = vcpu->load_failed ? -EIO : 0;
			break;
		}
		if (ret == 1)
			continue;	/* handled; the host wanted the CPU */
		ret = handle_one_exit(vcpu, reason, HV_FAST_NO);
		if (ret <= 0)
			break;
	}
	hv_run_end(vcpu, vmcs_readl(GUEST_RIP), vmcs_readl(GUEST_RFLAGS),
		   vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		   (GUEST_INTR_STI | GUEST_INTR_MOV_SS));
	return ret < 0 ? ret : 0;
}
