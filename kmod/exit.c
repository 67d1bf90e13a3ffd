// SPDX-License-Identifier: GPL-2.0
/*
 * exit.c - what hvlab does on each VM exit: the exit-handler table.
 *
 * hv_handle_exit() looks the basic exit reason (SDM Vol. 3 Appendix C) up
 * in exit_handlers[] and calls the handler.  The contract, the same for
 * every handler:
 *
 *	return 1	handled in the module: resume the guest;
 *	return 0	userspace must act: run->exit_reason says why;
 *	return <0	an error: HVLAB_RUN fails with that errno.
 *
 * A handler that emulates an instruction advances RIP itself with
 * hv_skip_instruction(); one that needs userspace first (IN, an MMIO load,
 * a hypercall) leaves RIP alone and sets vcpu->pending, which run.c
 * completes on the next HVLAB_RUN.  Reasons with no handler go to
 * handle_unexpected(), which stops the vCPU with an internal error rather
 * than guessing.  Nothing here prints: the exit path never calls printk.
 * The control registers' handler, hv_handle_cr, is cr.c's, and what
 * depends on the paging backend (a #PF, INVLPG, real mode in vm86) goes
 * through vcpu->paging (vm.h): an EPT vCPU never enters shadow.c or
 * rmode.c.
 */
#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "hvlab.h"
#include "pure_caps.h"
#include "pure_cpuid.h"
#include "pure_event.h"
#include "vm.h"
#include "vmcs.h"

#define UD_VECTOR	6
#define GP_VECTOR	13

void hv_skip_instruction(struct hv_vcpu *vcpu, unsigned int len)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + len);
	/* an emulated instruction ends STI/MOV-SS blocking (SDM 25.4.2) */
	if (intr & (GUEST_INTR_STI | GUEST_INTR_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STI | GUEST_INTR_MOV_SS));
}

void hv_inject_exception(struct hv_vcpu *vcpu, u8 vector, bool has_err,
			 u32 err)
{
	if (vcpu->rmode) {	/* vm86 would use the protected-mode IDT */
		vcpu->paging->rm_interrupt(vcpu, vector, 0);
		return;
	}
	/* real mode delivers no error code (SDM 26.2.1.3) */
	if (!(vmcs_readl(GUEST_CR0) & X86_CR0_PE))
		has_err = false;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID |
		     INTR_TYPE_HARD_EXCEPTION | vector |
		     (has_err ? INTR_INFO_DELIVER_CODE : 0));
	if (has_err)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, err);
}

static unsigned int insn_len(void)
{
	return vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
}

unsigned long hv_get_gpr(struct hv_vcpu *vcpu, int n)
{
	return n == HV_RSP ? vmcs_readl(GUEST_RSP) : vcpu->gpr[n];
}

void hv_set_gpr(struct hv_vcpu *vcpu, int n, unsigned long v)
{
	if (n == HV_RSP)
		vmcs_writel(GUEST_RSP, v);
	else
		vcpu->gpr[n] = v;
}

/* ---- simple exits -------------------------------------------------- */

static int handle_resume(struct hv_vcpu *vcpu)
{
	return 1;	/* external interrupt, preemption timer, PAUSE */
}

/*
 * #DB and #AC are always intercepted (HV_EXC_ALWAYS): a guest that makes
 * their delivery raise the same exception again (#AC on a misaligned IDT
 * or stack, #DB through a breakpoint on its own IDT) would otherwise keep
 * the CPU in a microcode loop no interrupt can end (CVE-2015-5307,
 * CVE-2015-8104).  Intercepted, each delivery is a VM exit, and the host
 * keeps its CPU.  The exception goes back to the guest as it came: the
 * same type (ICEBP's #DB is a privileged software exception, with the
 * instruction length), #AC with its error code 0, and for #DB the DR6
 * bits the exit qualification reports (SDM 27.2.1) in the emulated DR6.
 */
/*
 * An exception delivers an error code only in protected mode; with CR0.PE
 * clear VM entry refuses an event that claims one (SDM Vol. 3 26.2.1.3),
 * whatever the exit's interruption information said.
 */
static u32 no_code_in_real_mode(u32 info)
{
	if (!(vmcs_readl(GUEST_CR0) & X86_CR0_PE))
		info &= ~INTR_INFO_DELIVER_CODE;
	return info;
}

static int reflect_exception(struct hv_vcpu *vcpu, u32 info)
{
	u32 type = info & 0x700, len = 0;

	info = no_code_in_real_mode(info);

	if (type == (5u << 8) || type == INTR_TYPE_SOFT_EXCEPTION)
		len = insn_len();
	if ((info & 0xff) == X86_TRAP_DB) {
		vcpu->dr6 = (vcpu->dr6 & ~0xful) |
			    (vmcs_readl(EXIT_QUALIFICATION) & 0x600f);
		/*
		 * A single step right after STI or MOV SS: VM entry wants BS
		 * in the pending debug exceptions (SDM 26.3.1.5), or a guest
		 * could make its own next entry fail.
		 */
		if (!len && (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF) &&
		    (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		     (GUEST_INTR_STI | GUEST_INTR_MOV_SS)))
			vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
				    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) |
				    BIT(14));
	}
	if (vcpu->rmode) {	/* through the guest's IVT (rmode.c) */
		vcpu->paging->rm_interrupt(vcpu, info & 0xff, len);
		return 1;
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & 0x80000fff);
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
	if (len)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, len);
	return 1;
}

/*
 * HVLAB_VM_TRAP_EXCEPTIONS: every guest exception exits, lands in the exit
 * ring (vector and type in `info`, the error code in `value`, the #PF
 * address in the qualification), is queued for the guest as the CPU would
 * have delivered it, and goes up to userspace as HVLAB_EXIT_EXCEPTION.
 * Two things the exit took over: a #PF that causes a VM exit leaves CR2
 * unwritten (SDM Vol. 3 27.1), and an exception raised while delivering
 * another (IDT-vectoring information, already queued again by
 * reinject_vectoring()) may have to become a double fault or a shutdown
 * (pure_event.c).
 */
static int show_exception(struct hv_vcpu *vcpu, u32 info)
{
	u32 first = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	struct hvlab_run *run = vcpu->run;
	u8 vector = info & 0xff;

	info = no_code_in_real_mode(info);
	memset(&run->exception, 0, sizeof(run->exception));
	run->exception.vector = vector;
	run->exception.delivered = vector;
	vcpu->rec->info = info;
	if (info & INTR_INFO_DELIVER_CODE) {
		run->exception.has_error_code = 1;
		run->exception.error_code = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
		vcpu->rec->value = run->exception.error_code;
	}
	if (vector == X86_TRAP_PF) {
		vcpu->cr2 = vmcs_readl(EXIT_QUALIFICATION);
		run->exception.address = vcpu->cr2;
	}
	run->exit_reason = HVLAB_EXIT_EXCEPTION;
	if ((first & INTR_INFO_VALID) &&
	    (first & 0x700) == INTR_TYPE_HARD_EXCEPTION) {
		switch (hv_exception_merge(first & 0xff, vector)) {
		case HV_EXC_TRIPLE:
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
			run->exit_reason = HVLAB_EXIT_SHUTDOWN;
			return 0;
		case HV_EXC_DOUBLE:
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
				     no_code_in_real_mode(INTR_INFO_VALID |
					INTR_INFO_DELIVER_CODE |
					INTR_TYPE_HARD_EXCEPTION | X86_TRAP_DF));
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
			run->exception.delivered = X86_TRAP_DF;
			return 0;
		case HV_EXC_SERIAL:
			break;
		}
	}
	reflect_exception(vcpu, info);
	return 0;
}

static int handle_exception_nmi(struct hv_vcpu *vcpu)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u8 vector = info & 0xff;

	if ((info & 0x700) == INTR_TYPE_NMI)
		return 1;	/* host_state.c already handed the NMI to the host */
	if (vector == X86_TRAP_MC)
		return 1;	/* host_state.c gave it to the host's handler */
	/* shadow paging's #PF: mostly its own fills, never shown as such */
	if (vector == X86_TRAP_PF && vcpu->paging->page_fault && !vcpu->rmode)
		return vcpu->paging->page_fault(vcpu,
						vmcs_readl(EXIT_QUALIFICATION),
						vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
	if ((vcpu->vm->flags & HVLAB_VM_TRAP_EXCEPTIONS) && !vcpu->rmode)
		return show_exception(vcpu, info);
	if (vector == X86_TRAP_DB || vector == X86_TRAP_AC)
		return reflect_exception(vcpu, info);
	if (vcpu->rmode)	/* real mode in vm86: every exception exits */
		return vcpu->paging->rm_exception(vcpu, info);
	/* no other exception is intercepted: this one is unexpected */
	return hv_internal_error(vcpu, HVLAB_INTERNAL_UNEXPECTED_EXIT,
				HVLAB_VMX_EXIT_EXCEPTION_NMI, info);
}

static int handle_triple_fault(struct hv_vcpu *vcpu)
{
	vcpu->run->exit_reason = HVLAB_EXIT_SHUTDOWN;
	return 0;
}

/*
 * Interrupt-window exiting is armed by run.c for two reasons: an event
 * queued by HVLAB_INJECT that waits for RFLAGS.IF and the end of STI/MOV-SS
 * blocking, or userspace's request_interrupt_window (it has an interrupt
 * to give and asks to hear when the guest can take one: KVM's
 * KVM_EXIT_IRQ_WINDOW_OPEN).  The window is open now (SDM 26.7.5).
 */
static int handle_interrupt_window(struct hv_vcpu *vcpu)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);

	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc & ~PROC_INTR_WINDOW_EXITING);
	if (READ_ONCE(vcpu->run->request_interrupt_window) &&
	    !vcpu->event_pending) {
		vcpu->run->exit_reason = HVLAB_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}
	return 1;	/* run.c injects the queued event on the way in */
}

/* Virtual-NMI blocking has ended (the guest's IRET): the NMI may go in. */
static int handle_nmi_window(struct hv_vcpu *vcpu)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);

	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc & ~PROC_NMI_WINDOW_EXITING);
	return 1;
}

/*
 * Could the event HVLAB_INJECT queued be delivered right now?  An NMI
 * ignores RFLAGS.IF but not NMI blocking; an external interrupt needs IF
 * (STI blocking ends with the HLT that exited).  An exception always goes.
 * (__maybe_unused: lab 3's starter tree cuts out its only caller.)
 */
static bool __maybe_unused queued_event_deliverable(struct hv_vcpu *vcpu)
{
	if (!vcpu->event_pending)
		return false;
	switch (vcpu->event.type) {
	case HVLAB_EVENT_NMI:
		return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
			 GUEST_INTR_NMI);
	case HVLAB_EVENT_EXTINT:
		return vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;
	default:
		return true;
	}
}

/*
 * HLT waits for the next interrupt.  When userspace already queued one the
 * guest can take (`sti; hlt` with an event pending), the wait is over
 * before it began: step over the HLT and resume, so run.c injects the
 * event and the guest's handler returns to the instruction after HLT, as
 * on hardware.  Otherwise the vCPU is halted: userspace waits for its next
 * interrupt (run->if_flag says whether one can wake it).
 */
/* LAB 3: BEGIN handle_hlt */
static int handle_hlt(struct hv_vcpu *vcpu)
{
	hv_skip_instruction(vcpu, insn_len());
	if (queued_event_deliverable(vcpu))
		return 1;
	vcpu->run->exit_reason = HVLAB_EXIT_HLT;
	return 0;
}
/* LAB 3: END handle_hlt */

static int handle_invlpg(struct hv_vcpu *vcpu)
{
	u64 gva = vmcs_readl(EXIT_QUALIFICATION);

	vcpu->rec->value = gva;
	if (vcpu->paging->invlpg)	/* shadow paging drops the entry */
		vcpu->paging->invlpg(vcpu, gva);
	/* the guest's own TLB entries are tagged by its VPID */
	if (vcpu->vpid)
		hv_invvpid(HV_INVVPID_ADDR, vcpu->vpid, gva);
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

static int handle_ud(struct hv_vcpu *vcpu)
{
	/* VMX instructions, MONITOR/MWAIT: CPUID tells the guest they are absent */
	hv_inject_exception(vcpu, UD_VECTOR, false, 0);
	return 1;
}

static int handle_gp(struct hv_vcpu *vcpu)
{
	hv_inject_exception(vcpu, GP_VECTOR, true, 0);	/* RDPMC */
	return 1;
}

static int handle_mtf(struct hv_vcpu *vcpu)
{
	if (!vcpu->singlestep)
		return 1;
	vcpu->run->exit_reason = HVLAB_EXIT_DEBUG;
	return 0;
}

/*
 * INVD always exits (SDM 26.1.2) and WBINVD does with "WBINVD exiting"
 * (vmcs.c): a guest must not flush, or worse drop, the host's caches.
 */
static int handle_wbinvd(struct hv_vcpu *vcpu)
{
	hv_skip_instruction(vcpu, insn_len());	/* caches are the host's */
	return 1;
}

/* ---- CPUID: the allow-list itself is in pure_cpuid.c ---------------- */

/* LAB 3: BEGIN handle_cpuid */
static int handle_cpuid(struct hv_vcpu *vcpu)
{
	u32 leaf = vcpu->gpr[HV_RAX], sub = vcpu->gpr[HV_RCX];
	struct hv_cpuid_vcpu v = {
		.apic_id = vcpu->id,
		.osxsave = !!(vmcs_readl(GUEST_CR4) & X86_CR4_OSXSAVE),
		.apic_enabled = !!(vcpu->msr_apic_base & HV_APIC_BASE_EN),
		.host_max_basic = boot_cpu_data.cpuid_level,
		.host_max_ext = boot_cpu_data.extended_cpuid_level,
	};
	struct hv_cpuid host = { 0 }, out;

	vcpu->rec->info = leaf;
	vcpu->rec->value = sub;
	if (leaf < HV_CPUID_HV_BASE || leaf >= 0x50000000)
		cpuid_count(leaf, sub, &host.eax, &host.ebx, &host.ecx,
			    &host.edx);
	hv_cpuid_guest(leaf, sub, &host, &v, &out);
	vcpu->gpr[HV_RAX] = out.eax;
	vcpu->gpr[HV_RBX] = out.ebx;
	vcpu->gpr[HV_RCX] = out.ecx;
	vcpu->gpr[HV_RDX] = out.edx;
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}
/* LAB 3: END handle_cpuid */

/* ---- debug registers (control registers: cr.c) -------------------- */

static int handle_dr(struct hv_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	int dr = q & 7, reg = (q >> 8) & 15;
	bool from = q & BIT(4);
	unsigned long *slot = dr < 4 ? &vcpu->dr[dr] : &vcpu->dr6;

	/* emulated in software: the hardware DRs stay the host's */
	if (dr == 7) {
		if (from)
			hv_set_gpr(vcpu, reg, vmcs_readl(GUEST_DR7));
		else
			vmcs_writel(GUEST_DR7, (hv_get_gpr(vcpu, reg) & 0xffff2bff) | 0x400);
	} else if (dr == 4 || dr == 5 || dr == 6) {
		if (from)
			hv_set_gpr(vcpu, reg, *slot | 0xffff0ff0);
		else
			*slot = hv_get_gpr(vcpu, reg);
	} else {
		if (from)
			hv_set_gpr(vcpu, reg, *slot);
		else
			*slot = hv_get_gpr(vcpu, reg);
	}
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

/* ---- MSRs: msr.c gives the values, pure_cpuid.c the list ---------- */

/*
 * RDMSR and WRMSR of len bytes: from their exits, and from rmode.c, where
 * real-mode code run in vm86 mode raises #GP instead (CPL 3).  A refused
 * MSR is #GP(0) in the guest, delivered the way its mode delivers it.
 */
int hv_emulate_rdmsr(struct hv_vcpu *vcpu, unsigned int len)
{
	u32 index = vcpu->gpr[HV_RCX];
	u64 val;

	vcpu->rec->info = index;
	if (hv_msr_get(vcpu, index, &val)) {
		if (!hv_msr_access(index))
			hv_msr_note_refused(vcpu->stats, index, false);
		hv_inject_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	vcpu->rec->value = val;
	vcpu->gpr[HV_RAX] = (u32)val;
	vcpu->gpr[HV_RDX] = val >> 32;
	hv_skip_instruction(vcpu, len);
	return 1;
}

int hv_emulate_wrmsr(struct hv_vcpu *vcpu, unsigned int len)
{
	u32 index = vcpu->gpr[HV_RCX];
	u64 val = (u32)vcpu->gpr[HV_RAX] | (u64)vcpu->gpr[HV_RDX] << 32;

	vcpu->rec->info = index;
	vcpu->rec->value = val;
	if (hv_msr_set(vcpu, index, val)) {
		if (!hv_msr_access(index))
			hv_msr_note_refused(vcpu->stats, index, true);
		hv_inject_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	hv_skip_instruction(vcpu, len);
	return 1;
}

static int handle_rdmsr(struct hv_vcpu *vcpu)
{
	return hv_emulate_rdmsr(vcpu, insn_len());
}

static int handle_wrmsr(struct hv_vcpu *vcpu)
{
	return hv_emulate_wrmsr(vcpu, insn_len());
}

static int handle_xsetbv(struct hv_vcpu *vcpu)
{
	u64 val = (u32)vcpu->gpr[HV_RAX] | (u64)vcpu->gpr[HV_RDX] << 32;

	vcpu->rec->value = val;
	if (!hv_xcr0_valid(vcpu->gpr[HV_RCX], val)) {
		hv_inject_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	vcpu->xcr0 = val;
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

/* ---- VMCALL: the hypercall ABI (docs/hypercalls.md) ------------------- */

/* LAB 3: BEGIN handle_vmcall */
static int handle_vmcall(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;
	u64 nr = vcpu->gpr[HV_RAX];

	vcpu->rec->info = nr;
	if (nr == HVLAB_HC_NOP) {
		vcpu->gpr[HV_RAX] = 0;
		hv_skip_instruction(vcpu, insn_len());
		return 1;
	}
	if (nr != HVLAB_HC_WALK && nr < HVLAB_HC_USER_BASE) {
		vcpu->gpr[HV_RAX] = (unsigned long)-1000;	/* -ENOSYS */
		hv_skip_instruction(vcpu, insn_len());
		return 1;
	}
	run->exit_reason = HVLAB_EXIT_HYPERCALL;
	run->hypercall.nr = nr;
	run->hypercall.args[0] = vcpu->gpr[HV_RBX];
	run->hypercall.args[1] = vcpu->gpr[HV_RCX];
	run->hypercall.args[2] = vcpu->gpr[HV_RDX];
	run->hypercall.args[3] = vcpu->gpr[HV_RSI];
	run->hypercall.ret = 0;
	vcpu->pending = HV_PENDING_HYPERCALL;
	vcpu->pending_len = insn_len();
	return 0;
}
/* LAB 3: END handle_vmcall */

/* ---- entry failures ----------------------------------------------------- */

static int handle_entry_failure(struct hv_vcpu *vcpu, u32 reason)
{
	struct hvlab_run *run = vcpu->run;
	u32 basic = reason & 0xffff;

	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->exit_reason = HVLAB_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.qualification = vmcs_readl(EXIT_QUALIFICATION);
	/* SDM 26.3.1 and 27.8: which family of checks the guest state broke */
	strscpy(run->fail_entry.check,
		basic == HVLAB_VMX_EXIT_INVALID_STATE ?
		"invalid guest state (SDM 26.3.1: segments, CRs, RIP, RFLAGS)" :
		basic == HVLAB_VMX_EXIT_MSR_LOAD_FAIL ?
		"MSR loading failed (SDM 26.4)" :
		"machine-check during VM entry (SDM 26.9)",
		sizeof(run->fail_entry.check));
	return 0;
}

static int handle_unexpected(struct hv_vcpu *vcpu)
{
	return hv_internal_error(vcpu, HVLAB_INTERNAL_UNEXPECTED_EXIT,
				vcpu->rec->reason,
				vmcs_readl(EXIT_QUALIFICATION));
}

static int (*const exit_handlers[])(struct hv_vcpu *vcpu) = {
	[HVLAB_VMX_EXIT_EXCEPTION_NMI]		= handle_exception_nmi,
	[HVLAB_VMX_EXIT_EXTERNAL_INT]		= handle_resume,
	[HVLAB_VMX_EXIT_TRIPLE_FAULT]		= handle_triple_fault,
	[HVLAB_VMX_EXIT_INIT]			= handle_resume,
	[HVLAB_VMX_EXIT_INTR_WINDOW]		= handle_interrupt_window,
	[HVLAB_VMX_EXIT_NMI_WINDOW]		= handle_nmi_window,
	[HVLAB_VMX_EXIT_CPUID]			= handle_cpuid,
	[HVLAB_VMX_EXIT_HLT]			= handle_hlt,
	[HVLAB_VMX_EXIT_INVD]			= handle_wbinvd,
	[HVLAB_VMX_EXIT_INVLPG]			= handle_invlpg,
	[HVLAB_VMX_EXIT_RDPMC]			= handle_gp,
	[HVLAB_VMX_EXIT_VMCALL]			= handle_vmcall,
	[HVLAB_VMX_EXIT_VMCLEAR]		= handle_ud,
	[HVLAB_VMX_EXIT_VMLAUNCH]		= handle_ud,
	[HVLAB_VMX_EXIT_VMPTRLD]		= handle_ud,
	[HVLAB_VMX_EXIT_VMPTRST]		= handle_ud,
	[HVLAB_VMX_EXIT_VMREAD]			= handle_ud,
	[HVLAB_VMX_EXIT_VMRESUME]		= handle_ud,
	[HVLAB_VMX_EXIT_VMWRITE]		= handle_ud,
	[HVLAB_VMX_EXIT_VMXOFF]			= handle_ud,
	[HVLAB_VMX_EXIT_VMXON]			= handle_ud,
	[HVLAB_VMX_EXIT_CR_ACCESS]		= hv_handle_cr,
	[HVLAB_VMX_EXIT_DR_ACCESS]		= handle_dr,
	[HVLAB_VMX_EXIT_IO]			= hv_handle_io,
	[HVLAB_VMX_EXIT_RDMSR]			= handle_rdmsr,
	[HVLAB_VMX_EXIT_WRMSR]			= handle_wrmsr,
	[HVLAB_VMX_EXIT_MWAIT]			= handle_ud,
	[HVLAB_VMX_EXIT_MTF]			= handle_mtf,
	[HVLAB_VMX_EXIT_MONITOR]		= handle_ud,
	[HVLAB_VMX_EXIT_PAUSE]			= handle_resume,
	[HVLAB_VMX_EXIT_EPT_VIOLATION]		= hv_handle_ept_violation,
	[HVLAB_VMX_EXIT_EPT_MISCONFIG]		= hv_handle_ept_misconfig,
	[HVLAB_VMX_EXIT_INVEPT]			= handle_ud,
	[HVLAB_VMX_EXIT_PREEMPTION_TIMER]	= handle_resume,
	[HVLAB_VMX_EXIT_INVVPID]		= handle_ud,
	[HVLAB_VMX_EXIT_WBINVD]			= handle_wbinvd,
	[HVLAB_VMX_EXIT_XSETBV]			= handle_xsetbv,
};

/*
 * An exit that interrupted the delivery of an event (say an EPT violation
 * on the guest's IDT or stack, which hvlab maps lazily) must deliver that
 * event again on the next entry (SDM 27.2.4, 28.2.4.x).
 */
static void reinject_vectoring(struct hv_vcpu *vcpu)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);

	if (!(info & INTR_INFO_VALID))
		return;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & 0x80000fff);
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if ((info & 0x700) >= INTR_TYPE_SOFT_INTR)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, insn_len());
	/*
	 * An NMI delivered again: with virtual NMIs, VM entry refuses to
	 * inject one while blocking by NMI is set (SDM 26.3.1.5), and the
	 * delivery sets it anyway.
	 */
	if ((info & 0x700) == INTR_TYPE_NMI && vcpu->vnmi)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
			     ~GUEST_INTR_NMI);
}

/*
 * With virtual NMIs, a guest IRET that faulted (an EPT violation on its
 * stack, a #PF under shadow paging) has already ended NMI blocking; it
 * runs again after the exit and must find NMIs still blocked, or a second
 * NMI could nest inside the first handler (SDM 27.2.3, 31.7.1.2).
 */
static void nmi_unblocked_by_iret(struct hv_vcpu *vcpu, u32 basic)
{
	u32 bits;

	if (!vcpu->vnmi)
		return;
	if (basic == HVLAB_VMX_EXIT_EXCEPTION_NMI)
		bits = vmcs_read32(VM_EXIT_INTR_INFO);
	else if (basic == HVLAB_VMX_EXIT_EPT_VIOLATION)
		bits = vmcs_readl(EXIT_QUALIFICATION);
	else
		return;
	if (!(bits & HV_NMI_UNBLOCKED_BY_IRET) ||
	    (vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID))
		return;
	if (basic == HVLAB_VMX_EXIT_EXCEPTION_NMI &&
	    (bits & 0x7ff) == (INTR_TYPE_HARD_EXCEPTION | 8))
		return;		/* #DF: the SDM leaves bit 12 undefined */
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
		     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_NMI);
}

int hv_handle_exit(struct hv_vcpu *vcpu, u32 reason)
{
	u32 basic = reason & 0xffff;

	vcpu->run->hw_exit_reason = basic;
	vcpu->run->exit_qualification = vcpu->rec->qualification;
	if (reason & EXIT_REASON_ENTRY_FAIL)
		return handle_entry_failure(vcpu, reason);
	if (basic != HVLAB_VMX_EXIT_TRIPLE_FAULT) {
		nmi_unblocked_by_iret(vcpu, basic);
		reinject_vectoring(vcpu);
	}
	/* the most frequent exit to userspace: a direct call, no retpoline */
	if (basic == HVLAB_VMX_EXIT_IO)
		return hv_handle_io(vcpu);
	if (basic < ARRAY_SIZE(exit_handlers) && exit_handlers[basic])
		return exit_handlers[basic](vcpu);
	return handle_unexpected(vcpu);
}
