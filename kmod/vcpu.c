// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu.c - the vCPU: its file descriptor, where its VMCS lives, and the
 * run loop that enters the guest and dispatches each exit.
 *
 * Where the VMCS lives.  A VMCS is "active" on one CPU at a time: the CPU
 * may cache it, so before another CPU can VMPTRLD it, the old CPU must
 * VMCLEAR it (SDM Vol. 3 25.11.1).  vcpu->cpu names that CPU (or -1).
 * vcpu_load() runs whenever the vCPU's thread starts running on a CPU --
 * at each ioctl and, through a preempt notifier, after every reschedule
 * -- and moves the VMCS if the CPU changed (VMCLEAR on the old CPU by
 * IPI, VMPTRLD here, refresh the per-CPU host state).  A VMCLEAR resets
 * the launch state, so the next entry is a VMLAUNCH, not a VMRESUME.
 * Each CPU keeps a list of the VMCSs active on it, cleared before VMXOFF.
 *
 * The run loop (HVLAB_RUN).  Finish what userspace completed (an IN's
 * data, an MMIO read), then: check signals and need_resched, enter the
 * guest with interrupts off, restore the host state VMX does not, turn
 * interrupts back on (a host interrupt that caused the exit is serviced
 * right there), record the exit in the statistics and hand it to the
 * exit-handler table (exit.c).  Its return value decides: 1 resume the
 * guest, 0 return to userspace with run->exit_reason set, <0 an error.
 * A pending signal ends HVLAB_RUN with -EINTR, so Ctrl-C always works, and
 * the loop reschedules when asked, so a spinning guest cannot hog a CPU.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "compat.h"
#include "hvlab.h"
#include "pure_caps.h"
#include "vm.h"
#include "vmcs.h"

static DEFINE_PER_CPU(struct list_head, loaded_vcpus);
static DEFINE_PER_CPU(void *, current_vmcs);
static DEFINE_IDA(vpid_ida);
static bool cpu_has_xsave;	/* CPUID.1:ECX.XSAVE, whatever Linux uses */
/* XCR0 left in hardware by a guest where the host does not use XSAVE */
static DEFINE_PER_CPU(u64, guest_xcr0_loaded);

/* VMCLEAR on the CPU the VMCS is active on; runs there, IRQs off. */
static void vmclear_local(void *arg)
{
	struct hv_vcpu *vcpu = arg;

	if (vcpu->cpu != smp_processor_id())
		return;
	hv_vmclear(__pa(vcpu->vmcs));
	list_del(&vcpu->loaded_link);
	if (this_cpu_read(current_vmcs) == vcpu->vmcs)
		this_cpu_write(current_vmcs, NULL);
	vcpu->cpu = -1;
	vcpu->launched = false;
}

static void vmclear_anywhere(struct hv_vcpu *vcpu)
{
	int cpu = vcpu->cpu;

	if (cpu >= 0)
		smp_call_function_single(cpu, vmclear_local, vcpu, 1);
}

/* Before VMXOFF on this CPU (hotplug): flush every VMCS active here. */
void hv_vcpu_clear_all_on_cpu(void)
{
	struct list_head *list = this_cpu_ptr(&loaded_vcpus);
	struct hv_vcpu *vcpu, *tmp;

	if (!list->next)
		return;
	list_for_each_entry_safe(vcpu, tmp, list, loaded_link)
		vmclear_local(vcpu);
}

/*
 * Drop what this CPU may cache for the vCPU: single-context first, the
 * all-context form when that fails (or is not supported).  False when
 * neither worked: the guest must not run on stale translations.
 */
static bool flush_guest_tlb(struct hv_vcpu *vcpu)
{
	bool ok = !hv_ept_flush_local(vcpu->vm);

	if (vcpu->vpid && hv_invvpid(HV_INVVPID_SINGLE, vcpu->vpid, 0) &&
	    hv_invvpid(HV_INVVPID_ALL, 0, 0))
		ok = false;
	return ok;
}

/*
 * Make the VMCS current on this CPU.  Preemption is disabled.  A VMPTRLD
 * or TLB flush that fails sets vcpu->load_failed, which stops the ioctl
 * and the run loop with -EIO (no VMCS may be used half loaded).
 */
static void vcpu_load(struct hv_vcpu *vcpu)
{
	int cpu = smp_processor_id();
	unsigned long flags;

	if (vcpu->cpu != cpu) {
		vmclear_anywhere(vcpu);
		local_irq_save(flags);
		list_add(&vcpu->loaded_link, this_cpu_ptr(&loaded_vcpus));
		vcpu->cpu = cpu;
		local_irq_restore(flags);
		if (hv_vmptrld(__pa(vcpu->vmcs))) {
			vcpu->load_failed = true;
			return;
		}
		this_cpu_write(current_vmcs, vcpu->vmcs);
		hv_vmcs_set_host_percpu(vcpu, cpu);
		/* the guest's TLB entries on the new CPU may be stale */
		if (!flush_guest_tlb(vcpu))
			vcpu->load_failed = true;
	} else if (this_cpu_read(current_vmcs) != vcpu->vmcs) {
		if (hv_vmptrld(__pa(vcpu->vmcs))) {
			vcpu->load_failed = true;
			return;
		}
		this_cpu_write(current_vmcs, vcpu->vmcs);
	}
}

static void vcpu_sched_in(struct preempt_notifier *pn, int cpu)
{
	vcpu_load(container_of(pn, struct hv_vcpu, pn));
}

static void vcpu_sched_out(struct preempt_notifier *pn,
			   struct task_struct *next)
{
	/* lazy: the VMCS stays active here until it is needed elsewhere */
}

static struct preempt_ops vcpu_preempt_ops = {
	.sched_in = vcpu_sched_in,
	.sched_out = vcpu_sched_out,
};

/* Bracket every vCPU ioctl: the VMCS follows the thread while it runs. */
static void vcpu_get(struct hv_vcpu *vcpu)
{
	u64 fs_base;

	preempt_disable();
	preempt_notifier_register(&vcpu->pn);
	vcpu_load(vcpu);
	/*
	 * VM exit loads FS.base from the VMCS, and Linux does not reload it on
	 * the way back to userspace: it must be this thread's TLS base, which
	 * differs between the threads that run a VM's vCPUs.
	 */
	rdmsrl(MSR_FS_BASE, fs_base);
	vmcs_writel(HOST_FS_BASE, fs_base);
	preempt_enable();
}

static void vcpu_put(struct hv_vcpu *vcpu)
{
	preempt_disable();
	preempt_notifier_unregister(&vcpu->pn);
	preempt_enable();
}

/* The host's #MC handler, entered through its IDT (vector 18). */
static void hv_machine_check(void)
{
	if (IS_ENABLED(CONFIG_X86_MCE))
		asm volatile("int $0x12");
}

/* Host state VMX leaves changed after an exit (SDM 27.5). */
struct host_extra {
	u16 ds, es, fs, gs;
	unsigned long dr7;
	u64 debugctl, xcr0;
};

static void save_host_extra(struct host_extra *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	get_debugreg(h->dr7, 7);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	/*
	 * Not boot_cpu_has(XSAVE): Linux may disable its XSAVE use (it does on
	 * Bochs's CPU) and still leave CR4.OSXSAVE and XCR0 set in hardware.
	 */
	h->xcr0 = (__read_cr4() & X86_CR4_OSXSAVE) ? xgetbv(0) : 0;
}

static void restore_host_extra(const struct host_extra *h)
{
	/* GDTR.limit and TR.limit are set to 0xffff / 0x67 on exit */
	load_fixmap_gdt(raw_smp_processor_id());
	invalidate_tss_limit();
	if (h->ds | h->es) {
		loadsegment(ds, h->ds);
		loadsegment(es, h->es);
	}
	if (h->fs & 7)
		loadsegment(fs, h->fs);
	if (h->gs & 7)
		load_gs_index(h->gs);
	if (h->dr7 != 0x400)	/* DR7 is 0x400 after an exit */
		set_debugreg(h->dr7, 7);
	if (h->debugctl)	/* DEBUGCTL is cleared on exit */
		wrmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
}

/*
 * Lossless recording (run->ring_wait, see the uapi): the next exit would
 * overwrite a record userspace has not read.  ring_tail comes from
 * userspace and is only compared: a wrong value costs that process exits
 * to userspace, nothing else.
 */
static bool ring_full(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;

	return READ_ONCE(run->ring_wait) &&
	       vcpu->stats->head - READ_ONCE(run->ring_tail) >=
	       HVLAB_EXIT_RING_SIZE;
}

/*
 * Right after an exit, interrupts still off: an NMI or machine check that
 * arrived while the guest ran is the host's.  The NMI is raised again by
 * an IPI to this CPU: send_IPI() turns NMI_VECTOR into the NMI delivery
 * mode on xAPIC and x2APIC alike, where send_IPI_self() on x2APIC (the
 * SELF IPI register) could only send a fixed interrupt with vector 2.
 * The #MC goes to the host's handler through its own IDT, as
 * KVM does it, never to the guest (not even through vm86's IVT).  A #MC
 * during VM entry (exit reason 41, SDM 27.8) likewise.
 */
static void host_event_after_exit(u32 reason)
{
	u32 info;

	if ((reason & 0xffff) == HVLAB_VMX_EXIT_MCE_DURING_ENTRY) {
		hv_machine_check();
		return;
	}
	if ((reason & 0xffff) != HVLAB_VMX_EXIT_EXCEPTION_NMI)
		return;
	info = vmcs_read32(VM_EXIT_INTR_INFO);
	if ((info & (INTR_INFO_VALID | 0x700)) == (INTR_INFO_VALID | INTR_TYPE_NMI))
		apic->send_IPI(smp_processor_id(), NMI_VECTOR);
	else if ((info & (INTR_INFO_VALID | 0x7ff)) ==
		 (INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | X86_TRAP_MC))
		hv_machine_check();
}

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
	}
	return HV_FAST_NO;
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
	struct host_extra h;
	u64 host_kgs;
	unsigned long cr3, cr4;
	enum hv_fast fast = HV_FAST_NO;
	int fail, ret;

	preempt_disable();
	if (vcpu->load_failed) {	/* set by a reschedule's vcpu_load */
		preempt_enable();
		return -EIO;
	}
	cr3 = __read_cr3();
	if (cr3 != vcpu->host_cr3) {
		vmcs_writel(HOST_CR3, cr3);
		vcpu->host_cr3 = cr3;
	}
	cr4 = cr4_read_shadow();
	if (cr4 != vcpu->host_cr4) {
		vmcs_writel(HOST_CR4, cr4);
		vcpu->host_cr4 = cr4;
	}
	save_host_extra(&h);
	hv_user_msrs_load(vcpu);	/* SYSCALL MSRs: until user mode */
	hv_guest_msrs_load(vcpu, &host_kgs);	/* KERNEL_GS_BASE: this stay */
	kernel_fpu_begin();
	asm volatile("fxrstor64 %0" : : "m" (*(char (*)[512])vcpu->fpu));

	for (;;) {
		local_irq_disable();
		if (h.xcr0 && vcpu->xcr0 != h.xcr0) {
			xsetbv(0, vcpu->xcr0);
		} else if (!h.xcr0 && cpu_has_xsave &&
			   this_cpu_read(guest_xcr0_loaded) != vcpu->xcr0) {
			/*
			 * The host runs without CR4.OSXSAVE (Linux turns
			 * XSAVE off on Bochs's CPU), so it never reads XCR0:
			 * load the guest's with OSXSAVE set for just that
			 * instruction, and leave it there.
			 */
			cr4_set_bits_irqsoff(X86_CR4_OSXSAVE);
			xsetbv(0, vcpu->xcr0);
			cr4_clear_bits_irqsoff(X86_CR4_OSXSAVE);
			this_cpu_write(guest_xcr0_loaded, vcpu->xcr0);
		}
		if (native_read_cr2() != vcpu->cr2)
			native_write_cr2(vcpu->cr2);	/* not in the VMCS */

		fail = hv_vmenter(vcpu->gpr, vcpu->launched);

		vcpu->cr2 = native_read_cr2();
		if (h.xcr0 && vcpu->xcr0 != h.xcr0)
			xsetbv(0, h.xcr0);
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
		host_event_after_exit(*reason);
		/* asked once: handling the exit changes the answer */
		fast = fastpath_exit(vcpu, *reason);
		if (!fast)
			break;
		handle_one_exit(vcpu, *reason, fast);
		local_irq_enable();
		if (need_resched() || signal_pending(current) ||
		    vcpu->event_pending || ring_full(vcpu)) {
			local_irq_disable();
			break;
		}
	}
	ret = fail ? -EIO : fast ? 1 : 0;
	restore_host_extra(&h);
	hv_guest_msrs_put(vcpu, host_kgs);
	hv_user_msrs_put();
	asm volatile("fxsave64 %0" : "=m" (*(char (*)[512])vcpu->fpu));
	kernel_fpu_end();
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
		hv_rmode_interrupt(vcpu, 2, 0);
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
			hv_rmode_interrupt(vcpu, e->vector, 0);
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
static int clear_event(struct hv_vcpu *vcpu, const struct hvlab_event *e)
{
	if (e->vector || e->has_error_code || e->error_code)
		return -EINVAL;
	vcpu->event_pending = false;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	set_proc_bits(0, PROC_INTR_WINDOW_EXITING |
		      (vcpu->vnmi ? PROC_NMI_WINDOW_EXITING : 0));
	return 0;
}

/*
 * Copy what userspace completed back into the guest (KVM: complete_*).
 * Returns 0 to enter the guest, 1 when userspace must act again first
 * (run->exit_reason set: the write half of a read-modify-write), <0 on
 * error.
 */
static int complete_pending(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;
	enum hv_pending p = vcpu->pending;
	unsigned long *rax = &vcpu->gpr[HV_RAX];
	u64 v = 0;

	vcpu->pending = HV_PENDING_NONE;
	switch (p) {
	case HV_PENDING_NONE:
		return 0;
	case HV_PENDING_PIO_IN:
		if (vcpu->io_count) {	/* INS: data goes to guest memory */
			if (hv_write_guest(vcpu->vm, vcpu->io_gpa, run->io_data,
					   vcpu->io_count * vcpu->io_size))
				return -EFAULT;
			hv_shadow_guest_written(vcpu, vcpu->io_gpa,
						vcpu->io_count * vcpu->io_size);
			break;
		}
		/* sizes come from the vCPU, never from the shared run page */
		memcpy(&v, run->io_data, vcpu->io_size);
		if (vcpu->io_size == 4)
			*rax = (u32)v;	/* 32-bit results zero-extend */
		else
			*rax = (*rax & ~((1ul << (8 * vcpu->io_size)) - 1)) | v;
		break;
	case HV_PENDING_MMIO_READ:
		memcpy(&v, run->mmio.data, vcpu->mmio.size);
		if (vcpu->mmio.reg == HV_RSP)
			vmcs_writel(GUEST_RSP, insn_merge_load(
				vmcs_readl(GUEST_RSP), v, &vcpu->mmio));
		else
			vcpu->gpr[vcpu->mmio.reg] = insn_merge_load(
				vcpu->gpr[vcpu->mmio.reg], v, &vcpu->mmio);
		break;
	case HV_PENDING_MMIO_RMW:
		hv_mmio_rmw_complete(vcpu);	/* sets up the write exit */
		return 1;
	case HV_PENDING_MMIO_MOVS_IN:
	case HV_PENDING_MMIO_MOVS_OUT:
		return hv_mmio_movs_complete(vcpu, p == HV_PENDING_MMIO_MOVS_IN);
	case HV_PENDING_HYPERCALL:
		*rax = run->hypercall.ret;
		break;
	default:
		break;
	}
	if (vcpu->pending_len)
		hv_skip_instruction(vcpu, vcpu->pending_len);
	vcpu->pending_len = 0;
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
	if (fast == HV_FAST_CR3)	/* KVM's habit: a fastpath handler */
		ret = hv_fastpath_cr3(vcpu);
	else
		ret = hv_handle_exit(vcpu, reason);
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
	const char *why = hv_rmode_unfit(vcpu);

	if (!why)
		return false;
	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->exit_reason = HVLAB_EXIT_FAIL_ENTRY;
	strscpy(run->fail_entry.check, why, sizeof(run->fail_entry.check));
	return true;
}

static int vcpu_run(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;
	u32 reason;
	int ret;

	ret = complete_pending(vcpu);
	if (ret)
		return ret < 0 ? ret : 0;
	run->exit_reason = HVLAB_EXIT_UNKNOWN;
	if (run->immediate_exit) {
		run->exit_reason = HVLAB_EXIT_INTR;
		return -EINTR;
	}
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = HVLAB_EXIT_INTR;
			ret = -EINTR;
			break;
		}
		cond_resched();
		if (unlikely(vcpu->rmode) && rmode_stuck(vcpu))
			break;
		if (ring_full(vcpu)) {
			run->exit_reason = HVLAB_EXIT_RING_FULL;
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
	run->guest_rip = vmcs_readl(GUEST_RIP);
	run->if_flag = !!(vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection = run->if_flag &&
		!(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & 3) &&
		!vcpu->event_pending;
	vcpu->stats->exits_to_user++;
	return ret < 0 ? ret : 0;
}

/* ---- the vCPU file ------------------------------------------------ */

static long do_msrs(struct hv_vcpu *vcpu, void __user *uarg, bool set)
{
	struct hvlab_msrs *m;
	long ret;
	u32 i;

	m = memdup_user(uarg, sizeof(*m));
	if (IS_ERR(m))
		return PTR_ERR(m);
	ret = -EINVAL;
	if (m->nmsrs > HVLAB_MAX_MSR_ENTRIES)
		goto out;
	for (i = 0; i < m->nmsrs; i++) {
		struct hvlab_msr_entry *e = &m->entries[i];

		if (set ? hv_msr_set(vcpu, e->index, e->data) :
			  hv_msr_get(vcpu, e->index, &e->data))
			break;
	}
	ret = i;	/* entries processed, as KVM_GET/SET_MSRS */
	if (!set && copy_to_user(uarg, m, sizeof(*m)))
		ret = -EFAULT;
out:
	kfree(m);
	return ret;
}

static long vcpu_ioctl_locked(struct hv_vcpu *vcpu, unsigned int cmd,
			      void __user *uarg)
{
	union {
		struct hvlab_regs regs;
		struct hvlab_sregs sregs;
		struct hvlab_event event;
		struct hvlab_debug debug;
	} u;
	u32 proc;

	switch (cmd) {
	case HVLAB_RUN:
		if (uarg)
			return -EINVAL;
		return vcpu_run(vcpu);
	case HVLAB_GET_REGS:
		hv_vmcs_get_regs(vcpu, &u.regs);
		return copy_to_user(uarg, &u.regs, sizeof(u.regs)) ? -EFAULT : 0;
	case HVLAB_SET_REGS:
		if (copy_from_user(&u.regs, uarg, sizeof(u.regs)))
			return -EFAULT;
		hv_vmcs_set_regs(vcpu, &u.regs);
		return 0;
	case HVLAB_GET_SREGS:
		hv_vmcs_get_sregs(vcpu, &u.sregs);
		u.sregs.cr8 = vcpu->cr8;
		return copy_to_user(uarg, &u.sregs, sizeof(u.sregs)) ? -EFAULT : 0;
	case HVLAB_SET_SREGS:
		if (copy_from_user(&u.sregs, uarg, sizeof(u.sregs)))
			return -EFAULT;
		vcpu->cr8 = u.sregs.cr8;
		return hv_vmcs_set_sregs(vcpu, &u.sregs);
	case HVLAB_GET_MSRS:
		return do_msrs(vcpu, uarg, false);
	case HVLAB_SET_MSRS:
		return do_msrs(vcpu, uarg, true);
	case HVLAB_INJECT:
		if (copy_from_user(&u.event, uarg, sizeof(u.event)))
			return -EFAULT;
		if (u.event.type == HVLAB_EVENT_CLEAR)
			return clear_event(vcpu, &u.event);
		if (u.event.vector > 255 || vcpu->event_pending ||
		    (u.event.type != HVLAB_EVENT_EXTINT &&
		     u.event.type != HVLAB_EVENT_NMI &&
		     u.event.type != HVLAB_EVENT_EXCEPTION) ||
		    (u.event.type == HVLAB_EVENT_EXCEPTION && u.event.vector > 31))
			return -EINVAL;
		vcpu->event = u.event;
		vcpu->event_pending = true;
		return 0;
	case HVLAB_SET_DEBUG:
		if (copy_from_user(&u.debug, uarg, sizeof(u.debug)))
			return -EFAULT;
		if (u.debug.flags & ~HVLAB_DEBUG_SINGLESTEP)
			return -EINVAL;
		if ((u.debug.flags & HVLAB_DEBUG_SINGLESTEP) &&
		    !(hvlab_vmx_caps()->features & HVLAB_CAP_MONITOR_TRAP_FLAG))
			return -EOPNOTSUPP;
		vcpu->singlestep = u.debug.flags & HVLAB_DEBUG_SINGLESTEP;
		proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~PROC_MTF;
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
			     proc | (vcpu->singlestep ? PROC_MTF : 0));
		return 0;
	case HVLAB_TRANSLATE:
		return hv_translate(vcpu, uarg);
	default:
		return -ENOTTY;
	}
}

static long vcpu_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct hv_vcpu *vcpu = f->private_data;
	long ret;

	/* the VM's memory is its creator's: other processes may not run it */
	if (current->mm != vcpu->vm->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	vcpu_get(vcpu);
	ret = READ_ONCE(vcpu->load_failed) ? -EIO :
	      vcpu_ioctl_locked(vcpu, cmd, (void __user *)arg);
	vcpu_put(vcpu);
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static vm_fault_t vcpu_fault(struct vm_fault *vmf)
{
	struct hv_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	/* a writable mapping inherited by fork() stays empty in the child */
	if (vmf->vma->vm_mm != vcpu->vm->mm && (vmf->vma->vm_flags & VM_WRITE))
		return VM_FAULT_SIGBUS;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff < (unsigned long)hvlab_vcpu_mmap_size() >> PAGE_SHIFT)
		page = virt_to_page((char *)vcpu->stats +
				    ((vmf->pgoff - 1) << PAGE_SHIFT));
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vcpu_vm_ops = {
	.fault = vcpu_fault,
};

static int vcpu_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct hv_vcpu *vcpu = f->private_data;

	/*
	 * The run page is the creator's, like the vCPU's ioctls.  Another
	 * process that holds the fd (hvlab top, docs/dashboard.md) may only
	 * watch: read-only, and mprotect cannot make it writable later.
	 */
	if (current->mm != vcpu->vm->mm) {
		if (vma->vm_flags & VM_WRITE)
			return -EIO;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start >
	    (unsigned long)hvlab_vcpu_mmap_size())
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYEXEC);
	vma->vm_ops = &vcpu_vm_ops;
	return 0;
}

void hv_vcpu_free(struct hv_vcpu *vcpu)
{
	struct hv_vm *vm = vcpu->vm;

	vmclear_anywhere(vcpu);
	/*
	 * Shadow tables point at pages the slots pin: free them while the
	 * vCPU still counts, so a slot change (allowed once no vCPU is left,
	 * vm.c) never finds one that outlives its vCPU.
	 */
	hv_shadow_free(vcpu);
	mutex_lock(&vm->lock);
	vm->vcpus[vcpu->id] = NULL;
	WRITE_ONCE(vm->nr_vcpus, vm->nr_vcpus - 1);
	mutex_unlock(&vm->lock);
	if (vcpu->vpid)
		ida_free(&vpid_ida, vcpu->vpid);
	free_page((unsigned long)vcpu->vmcs);
	free_page((unsigned long)vcpu->run);
	free_pages_exact(vcpu->stats, PAGE_ALIGN(sizeof(*vcpu->stats)));
	kfree(vcpu->fpu);
	kfree(vcpu);
	hv_vm_put(vm);
}

static int vcpu_release(struct inode *inode, struct file *f)
{
	hv_vcpu_free(f->private_data);
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vcpu_mmap,
	.release = vcpu_release,
	.llseek = noop_llseek,
};

int hv_vcpu_create(struct hv_vm *vm, u32 id)
{
	struct hv_vcpu *vcpu;
	int ret, fd, vpid;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->trap_cr3 = vm->flags & HVLAB_VM_TRAP_CR3;
	vcpu->shadow = vm->flags & HVLAB_VM_SHADOW_PAGING;
	mutex_init(&vcpu->mutex);
	INIT_LIST_HEAD(&vcpu->loaded_link);
	preempt_notifier_init(&vcpu->pn, &vcpu_preempt_ops);
	ret = -ENOMEM;
	vcpu->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->stats = alloc_pages_exact(PAGE_ALIGN(sizeof(*vcpu->stats)),
					GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	vcpu->fpu = kzalloc(512, GFP_KERNEL_ACCOUNT);	/* kmalloc: 16-aligned */
	if (!vcpu->vmcs || !vcpu->run || !vcpu->stats || !vcpu->fpu ||
	    hv_shadow_init(vcpu))
		goto free;
	/* FXSAVE image of an initialized FPU: FCW 0x37f, MXCSR 0x1f80 */
	*(u16 *)vcpu->fpu = 0x37f;
	*(u32 *)(vcpu->fpu + 24) = 0x1f80;
	if (hvlab_vmx_caps()->features & HVLAB_CAP_VPID) {
		vpid = ida_alloc_range(&vpid_ida, 1, 0xffff, GFP_KERNEL);
		vcpu->vpid = vpid > 0 ? vpid : 0;
	}
	/* SDM 25.2: the VMCS starts with the revision id, then VMCLEAR */
	*(u32 *)vcpu->vmcs = hvlab_vmx_caps()->vmcs_revision;
	if (hv_vmclear(__pa(vcpu->vmcs))) {
		ret = -EIO;
		goto free;
	}

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		ret = -EEXIST;
		goto free;
	}
	vm->vcpus[id] = vcpu;
	vm->had_vcpus = true;	/* slot changes must zap from now on (vm.c) */
	WRITE_ONCE(vm->nr_vcpus, vm->nr_vcpus + 1);
	mutex_unlock(&vm->lock);
	kref_get(&vm->ref);

	vcpu_get(vcpu);
	ret = hv_vmcs_setup(vcpu);
	if (!ret && vcpu->shadow)
		ret = hv_shadow_reset(vcpu);
	vcpu_put(vcpu);
	if (ret) {
		hv_vcpu_free(vcpu);
		return ret;
	}
	fd = anon_inode_getfd("hvlab-vcpu", &vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hv_vcpu_free(vcpu);
	return fd;

free:
	if (vcpu->vpid)
		ida_free(&vpid_ida, vcpu->vpid);
	free_page((unsigned long)vcpu->vmcs);
	free_page((unsigned long)vcpu->run);
	if (vcpu->stats)
		free_pages_exact(vcpu->stats, PAGE_ALIGN(sizeof(*vcpu->stats)));
	kfree(vcpu->fpu);
	kfree(vcpu->sh_cache);	/* no shadow pages exist yet */
	kfree(vcpu);
	return ret;
}

void hv_vcpu_init_percpu(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(loaded_vcpus, cpu));
	cpu_has_xsave = cpuid_ecx(1) & BIT(26);
	preempt_notifier_inc();
}

void hv_vcpu_exit_percpu(void)
{
	preempt_notifier_dec();
}
