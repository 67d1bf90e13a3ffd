// SPDX-License-Identifier: GPL-2.0
/*
 * host_state.c - the host state that VM entry and VM exit do not switch,
 * and the host events that arrive while a guest runs.
 *
 * A VM exit loads only what the VMCS host-state area holds: CR0, CR3, CR4,
 * RSP, RIP, the segment selectors, FS/GS/TR/GDTR/IDTR bases, SYSENTER and
 * (with the exit controls) EFER and PAT (SDM Vol. 3 27.5).  Everything
 * else is left as the guest had it or set to a fixed value: the GDTR and
 * TR limits (0xffff and 0x67), DS/ES/FS/GS selectors without their
 * descriptors' contents, DR7 (0x400), DEBUGCTL (0), XCR0, the FPU/SSE
 * registers, and the MSRs msr.c switches.  The run loop (run.c) calls
 * hv_host_state_enter() once before it enters the guest and
 * hv_host_state_leave() once after the last exit of a stay: nothing in
 * between returns to userspace, switches tasks or relies on that state,
 * since preemption stays off.
 *
 * The FPU: kernel_fpu_begin_mask() saves the host task's registers (Linux
 * restores them on the way back to user mode), then the guest's FXSAVE
 * image is loaded and saved again at the end.  XCR0 is switched around
 * each entry when the host uses XSAVE, and left as the guest's where the
 * host runs without CR4.OSXSAVE (Linux on Bochs's CPU), since nothing in
 * the host then reads it.
 *
 * Debug registers.  MOV-DR always exits (vmcs.c) and the guest's DR0-3
 * and DR6 are kept in the vCPU (exit.c), so the guest never reads the
 * host's.  DR7 is the guest's while it runs (GUEST_DR7, loaded by VM
 * entry), so a guest that enables a breakpoint would have it match
 * against the host's DR0-3 -- a probe of the host's watchpoints, and its
 * own breakpoints would not work.  When the guest's DR7 enables any
 * breakpoint, its DR0-3 are loaded for the stay (host DR7 cleared first,
 * so no host breakpoint fires on a guest address), and the kernel's own
 * hw_breakpoint_restore() puts the host's DR0-3, DR6 and DR7 back, as KVM
 * does.  While such a guest is in a stay the host's kernel-mode
 * breakpoints on that CPU are off; user-mode ones cannot fire meanwhile.
 * DR6: a #DB is intercepted, and a #DB that exits does not write DR6
 * (SDM 27.1), so the hardware DR6 stays the host's.
 *
 * Speculation (before each entry): an L1D flush where the host's L1TF
 * mitigation asks for one (see hv_host_state_init); after the run loop
 * the VMSCAPE mitigation's IBPB on the way back to user mode.  VERW and
 * the return-stack fill are in vmenter.S, IBPB on a VMCS switch in vcpu.c.
 *
 * Host events.  An NMI or machine check that arrives while the guest runs
 * causes a VM exit (the pin-based "NMI exiting" control, and #MC in the
 * exception bitmap); hv_host_event_after_exit() hands it to the host's own
 * handler before interrupts are turned back on, as KVM does.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "compat.h"
#include "hvlab.h"
#include "host_state.h"
#include "vm.h"
#include "vmcs.h"

/* DR7's L0-G3 bits: some breakpoint is enabled */
#define DR7_ENABLES	0xffUL

static bool cpu_has_xsave;	/* CPUID.1:ECX.XSAVE, whatever Linux uses */
static bool l1d_flush;		/* IA32_FLUSH_CMD before every entry */
/* XCR0 left in hardware by a guest where the host does not use XSAVE */
DEFINE_PER_CPU(u64, hv_guest_xcr0_loaded);

/*
 * L1TF (Intel's "L1 Terminal Fault" guidance; KVM's
 * vmx_setup_l1d_flush): a guest can read L1D contents through a
 * non-present PTE, so the L1D is flushed before each entry when the CPU
 * has the bug, the host did not boot with l1tf=off, the CPU has the
 * IA32_FLUSH_CMD MSR, and IA32_ARCH_CAPABILITIES does not say the flush
 * is unneeded.  KVM's "cond" mode (flush only after certain exits) and
 * its software fallback without the MSR are not reproduced: docs/security.md.
 */
void hv_host_state_init(void)
{
	u64 caps = 0;

	cpu_has_xsave = cpuid_ecx(1) & BIT(26);
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, caps);
	l1d_flush = boot_cpu_has_bug(X86_BUG_L1TF) &&
		    l1tf_mitigation != L1TF_MITIGATION_OFF &&
		    boot_cpu_has(X86_FEATURE_FLUSH_L1D) &&
		    !(caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH);
}

/* The host's #MC handler, entered through its IDT (vector 18). */
void hv_machine_check(void)
{
	if (IS_ENABLED(CONFIG_X86_MCE))
		asm volatile("int $0x12");
}

static void save_host_extra(struct hv_host_state *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=g" (h->ldt));
	get_debugreg(h->dr7, 7);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	/*
	 * Not boot_cpu_has(XSAVE): Linux may disable its XSAVE use (it does on
	 * Bochs's CPU) and still leave CR4.OSXSAVE and XCR0 set in hardware.
	 */
	h->xcr0 = (__read_cr4() & X86_CR4_OSXSAVE) ? xgetbv(0) : 0;
}

static void restore_host_extra(const struct hv_host_state *h)
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
	if (h->ldt)		/* LDTR is null after an exit (SDM 28.5.2) */
		asm volatile("lldt %0" : : "rm" (h->ldt));
	if (h->dr7 != 0x400)	/* DR7 is 0x400 after an exit */
		set_debugreg(h->dr7, 7);
	if (h->debugctl)	/* DEBUGCTL is cleared on exit */
		wrmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
}

void hv_host_state_enter(struct hv_vcpu *vcpu, struct hv_host_state *h)
{
	unsigned long cr3, cr4;

	/* LAB 12: BEGIN host_cr3_cr4 */
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
	/* LAB 12: END host_cr3_cr4 */
	save_host_extra(h);
	/* the guest's breakpoints match its own DR0-3 (see the top) */
	h->guest_drs = vmcs_readl(GUEST_DR7) & DR7_ENABLES;
	if (h->guest_drs) {
		set_debugreg(0, 7);
		set_debugreg(vcpu->dr[0], 0);
		set_debugreg(vcpu->dr[1], 1);
		set_debugreg(vcpu->dr[2], 2);
		set_debugreg(vcpu->dr[3], 3);
	}
	hv_user_msrs_load(vcpu);	/* SYSCALL MSRs: until user mode */
	hv_guest_msrs_load(vcpu, &h->kernel_gs_base);	/* this stay */
	/* no FNINIT or LDMXCSR: the FXRSTOR loads all of that state */
	kernel_fpu_begin_mask(0);
	asm volatile("fxrstor64 %0" : : "m" (*(char (*)[512])vcpu->fpu));
}

/* OSXSAVE set for just the XSETBV (see host_state.h) */
void hv_xcr0_load_slow(u64 xcr0)
{
	if (cpu_has_xsave) {	/* else there is no XCR0: remember, skip */
		cr4_set_bits_irqsoff(X86_CR4_OSXSAVE);
		xsetbv(0, xcr0);
		cr4_clear_bits_irqsoff(X86_CR4_OSXSAVE);
	}
	this_cpu_write(hv_guest_xcr0_loaded, xcr0);
}

void hv_host_state_before_entry(struct hv_vcpu *vcpu,
				const struct hv_host_state *h)
{
	if (h->xcr0 && vcpu->xcr0 != h->xcr0)
		xsetbv(0, vcpu->xcr0);
	else if (!h->xcr0)
		hv_xcr0_load_hostless(vcpu->xcr0);
	if (l1d_flush)
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}

void hv_host_state_after_exit(struct hv_vcpu *vcpu,
			      const struct hv_host_state *h)
{
	if (h->xcr0 && vcpu->xcr0 != h->xcr0)
		xsetbv(0, h->xcr0);
}

void hv_host_state_leave(struct hv_vcpu *vcpu, const struct hv_host_state *h)
{
	restore_host_extra(h);
	if (h->guest_drs)
		hw_breakpoint_restore();	/* DR0-3, DR6, DR7 */
	/*
	 * VMSCAPE: the guest may have trained the branch predictors against
	 * the host's userspace (the VMM); where the host mitigates it, an
	 * IBPB on the next return to user mode, as after a KVM guest.
	 */
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
	hv_guest_msrs_put(vcpu, h->kernel_gs_base);
	hv_user_msrs_put();
	asm volatile("fxsave64 %0" : "=m" (*(char (*)[512])vcpu->fpu));
	kernel_fpu_end();
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
void hv_host_event_after_exit(u32 reason)
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
