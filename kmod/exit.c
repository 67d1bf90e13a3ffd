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
		hv_rmode_interrupt(vcpu, vector, 0);
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

static unsigned long get_gpr(struct hv_vcpu *vcpu, int n)
{
	return n == HV_RSP ? vmcs_readl(GUEST_RSP) : vcpu->gpr[n];
}

static void set_gpr(struct hv_vcpu *vcpu, int n, unsigned long v)
{
	if (n == HV_RSP)
		vmcs_writel(GUEST_RSP, v);
	else
		vcpu->gpr[n] = v;
}

static bool long_mode(void)
{
	return vmcs_read64(GUEST_IA32_EFER) & EFER_LMA;	/* real == guest's */
}

/* What a MOV to CR3 loads: bit 63 is the PCID "no flush" hint (long mode). */
static unsigned long cr3_operand(unsigned long val)
{
	return long_mode() ? val & ~(1ul << 63) : val;
}

/* Stop the vCPU: userspace gets HVLAB_EXIT_INTERNAL_ERROR.  Returns 0. */
int hv_internal_error(struct hv_vcpu *vcpu, u32 sub, u64 d0, u64 d1)
{
	struct hvlab_run *run = vcpu->run;

	run->exit_reason = HVLAB_EXIT_INTERNAL_ERROR;
	run->internal.suberror = sub;
	run->internal.ndata = 2;
	run->internal.data[0] = d0;
	run->internal.data[1] = d1;
	return 0;
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
static int reflect_exception(struct hv_vcpu *vcpu, u32 info)
{
	u32 type = info & 0x700, len = 0;

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
		hv_rmode_interrupt(vcpu, info & 0xff, len);
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
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID |
				     INTR_INFO_DELIVER_CODE |
				     INTR_TYPE_HARD_EXCEPTION | X86_TRAP_DF);
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
	if (vector == X86_TRAP_PF && vcpu->shadow && !vcpu->rmode)
		return hv_shadow_page_fault(vcpu, vmcs_readl(EXIT_QUALIFICATION),
					    vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
	if ((vcpu->vm->flags & HVLAB_VM_TRAP_EXCEPTIONS) && !vcpu->rmode)
		return show_exception(vcpu, info);
	if (vector == X86_TRAP_DB || vector == X86_TRAP_AC)
		return reflect_exception(vcpu, info);
	if (vcpu->rmode)	/* real mode in vm86: every exception exits */
		return hv_rmode_exception(vcpu, info);
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
	if (vcpu->shadow) {
		/* the guest may rely on its table writes from here on */
		hv_shadow_resolve_writes(vcpu);
		hv_shadow_invlpg(vcpu, gva);
	}
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

/* ---- control and debug registers ---------------------------------- */

static int set_cr0(struct hv_vcpu *vcpu, unsigned long val)
{
	unsigned long cr4 = hv_guest_cr4(vcpu);

	/* SDM Vol. 3 2.5 and MOV CR0 in Vol. 2: the #GP conditions */
	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(cr4 & X86_CR4_PAE) &&
	     (hv_guest_efer(vcpu) & EFER_LME)))
		return -1;
	hv_vmcs_set_cr0(vcpu, val);
	if (vcpu->shadow)
		return hv_shadow_reset(vcpu);
	return hv_vmcs_load_pdptrs(vcpu);
}

static int set_cr4(struct hv_vcpu *vcpu, unsigned long val)
{
	/* bits of features CPUID hides are reserved (pure_cpuid.h) */
	if ((val & ~(unsigned long)HV_CR4_GUEST_ALLOWED) ||
	    (long_mode() && !(val & X86_CR4_PAE)))
		return -1;
	hv_vmcs_set_cr4(vcpu, val);
	if (vcpu->shadow)
		return hv_shadow_reset(vcpu);
	return hv_vmcs_load_pdptrs(vcpu);
}

/*
 * MOV to CR3: the seed's example of an intercepted sensitive instruction.
 * With HVLAB_VM_TRAP_CR3 userspace also hears of each write (HVLAB_EXIT_CR3,
 * purely informational: the write is already done when it sees it).
 * Returns 0 when done, or an errno of the hypervisor's own (-ENOMEM).
 */
static int set_cr3(struct hv_vcpu *vcpu, unsigned long val)
{
	struct hvlab_run *run = vcpu->run;

	if (vcpu->vm->flags & HVLAB_VM_TRAP_CR3) {
		run->exit_reason = HVLAB_EXIT_CR3;
		run->cr3.old_cr3 = hv_guest_cr3(vcpu);
		run->cr3.new_cr3 = val;
	}
	vcpu->rec->value = val;
	vcpu->stats->cr3_writes++;
	val = cr3_operand(val);
	if (vcpu->shadow) {	/* a kept root, or a new one filled lazily */
		hv_shadow_resolve_writes(vcpu);	/* before roots switch */
		return hv_shadow_set_cr3(vcpu, val);
	}
	/* LAB 4: BEGIN set_cr3_ept */
	vmcs_writel(GUEST_CR3, val);
	/* the guest expects its non-global TLB entries gone */
	if (vcpu->vpid)
		hv_invvpid(HV_INVVPID_SINGLE, vcpu->vpid, 0);
	return hv_vmcs_load_pdptrs(vcpu);
	/* LAB 4: END set_cr3_ept */
}

/*
 * May the fast path (run.c) handle this CR-access exit?  Reads of CR3 and
 * CR8 and writes of CR8 are register copies: the table's handle_cr does
 * them.  A MOV to CR3 is fast only under shadow paging when its root is
 * kept: switching to it allocates nothing and never sleeps, and
 * hv_fastpath_cr3 does it without decoding the exit again.  A trapped CR3
 * write goes to userspace, and CR0/CR4 writes may rebuild the shadow
 * tables: slow path.
 */
enum hv_fast hv_cr_exit_is_fast(struct hv_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	int cr = q & 15, type = (q >> 4) & 3;

	if (type == 1 || (type == 0 && cr == 8))
		return cr == 3 || cr == 8 ? HV_FAST_TABLE : HV_FAST_NO;
	if (type != 0 || cr != 3 || !vcpu->shadow ||
	    (vcpu->vm->flags & HVLAB_VM_TRAP_CR3))
		return HV_FAST_NO;
	vcpu->fast_cr3 = get_gpr(vcpu, (q >> 8) & 15);
	return hv_shadow_cr3_cached(vcpu, cr3_operand(vcpu->fast_cr3)) ?
	       HV_FAST_CR3 : HV_FAST_NO;
}

/*
 * The fast path's MOV to CR3, to the kept root hv_cr_exit_is_fast found:
 * what handle_cr and set_cr3 would do on that path, minus the decoding.
 * A CR-access exit never interrupts event delivery, so there is no
 * IDT-vectoring information to re-inject (SDM 27.2.4).
 */
int hv_fastpath_cr3(struct hv_vcpu *vcpu)
{
	unsigned long val = vcpu->fast_cr3;

	vcpu->run->hw_exit_reason = HVLAB_VMX_EXIT_CR_ACCESS;
	vcpu->run->exit_qualification = vcpu->rec->qualification;
	vcpu->rec->info = vcpu->rec->qualification;
	vcpu->rec->value = val;
	vcpu->stats->cr3_writes++;
	hv_shadow_set_cr3(vcpu, cr3_operand(val));	/* cannot fail here */
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

/*
 * An emulated MOV to CR0, CR3, CR4 or CR8 (here or in rmode.c): 0 done,
 * non-zero: the guest gets #GP.
 */
int hv_set_cr(struct hv_vcpu *vcpu, int cr, unsigned long val)
{
	switch (cr) {
	case 0:
		return set_cr0(vcpu, val);
	case 3:
		return set_cr3(vcpu, val);
	case 4:
		return set_cr4(vcpu, val);
	case 8:
		if (val > 15)
			return -1;
		vcpu->cr8 = val;
		return 0;
	}
	return -1;
}

/* LAB 4: BEGIN mov_to_cr3 */
/*
 * The CR-access exit of a MOV to CR3 (SDM Vol. 3 28.2.1, table 28-3: bits
 * 3:0 of the qualification name the control register, bits 5:4 the
 * access type, 0 for MOV to CR, bits 11:8 the general-purpose register
 * that holds the new value).  The write is emulated by set_cr3; an error
 * of the hypervisor's own stops the run.  Returns what an exit handler
 * returns: 1 resume the guest, 0 exit to userspace (a trapped write,
 * HVLAB_EXIT_CR3), <0 an errno.
 */
static int mov_to_cr3(struct hv_vcpu *vcpu, unsigned long q)
{
	unsigned long val = get_gpr(vcpu, (q >> 8) & 15);
	int err;

	vcpu->rec->value = val;
	err = set_cr3(vcpu, val);
	if (err < 0)
		return err;
	if (err) {
		hv_inject_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	hv_skip_instruction(vcpu, insn_len());
	/* a trapped write is reported to userspace (see set_cr3) */
	return !(vcpu->vm->flags & HVLAB_VM_TRAP_CR3);
}
/* LAB 4: END mov_to_cr3 */

static int handle_cr(struct hv_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	unsigned long val = get_gpr(vcpu, reg), cr0;
	int err = 0;

	vcpu->rec->info = q;
	if (type == 0 && cr == 3)
		return mov_to_cr3(vcpu, q);
	switch (type) {
	case 0:		/* MOV to CR (SDM 27.2.1, table 27-3) */
		vcpu->rec->value = val;
		err = hv_set_cr(vcpu, cr, val);
		break;
	case 1:		/* MOV from CR */
		if (cr == 3)
			val = hv_guest_cr3(vcpu);
		else if (cr == 8)
			val = vcpu->cr8;
		else
			return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION,
						HVLAB_VMX_EXIT_CR_ACCESS, q);
		vcpu->rec->value = val;
		set_gpr(vcpu, reg, val);
		break;
	case 2:		/* CLTS */
		cr0 = hv_guest_cr0(vcpu) & ~X86_CR0_TS;
		err = set_cr0(vcpu, cr0);
		break;
	case 3:		/* LMSW: sets PE but never clears it (SDM Vol. 2) */
		cr0 = hv_guest_cr0(vcpu);
		val = (q >> 16) & 0xf;
		err = set_cr0(vcpu, (cr0 & ~0xeul) | val | (cr0 & X86_CR0_PE));
		break;
	}
	if (err) {
		hv_inject_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

static int handle_dr(struct hv_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	int dr = q & 7, reg = (q >> 8) & 15;
	bool from = q & BIT(4);
	unsigned long *slot = dr < 4 ? &vcpu->dr[dr] : &vcpu->dr6;

	/* emulated in software: the hardware DRs stay the host's */
	if (dr == 7) {
		if (from)
			set_gpr(vcpu, reg, vmcs_readl(GUEST_DR7));
		else
			vmcs_writel(GUEST_DR7, (get_gpr(vcpu, reg) & 0xffff2bff) | 0x400);
	} else if (dr == 4 || dr == 5 || dr == 6) {
		if (from)
			set_gpr(vcpu, reg, *slot | 0xffff0ff0);
		else
			*slot = get_gpr(vcpu, reg);
	} else {
		if (from)
			set_gpr(vcpu, reg, *slot);
		else
			*slot = get_gpr(vcpu, reg);
	}
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

/* ---- MSRs: msr.c gives the values, pure_cpuid.c the list ---------- */

static int handle_rdmsr(struct hv_vcpu *vcpu)
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
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

static int handle_wrmsr(struct hv_vcpu *vcpu)
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
	hv_skip_instruction(vcpu, insn_len());
	return 1;
}

static int handle_xsetbv(struct hv_vcpu *vcpu)
{
	u64 val = (u32)vcpu->gpr[HV_RAX] | (u64)vcpu->gpr[HV_RDX] << 32;

	vcpu->rec->value = val;
	/* XCR0: x87 must be set; guests get x87 and SSE only (see CPUID 0xd) */
	if ((u32)vcpu->gpr[HV_RCX] != 0 || !(val & 1) || (val & ~3ull)) {
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
	[HVLAB_VMX_EXIT_CR_ACCESS]		= handle_cr,
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
	if (basic < ARRAY_SIZE(exit_handlers) && exit_handlers[basic])
		return exit_handlers[basic](vcpu);
	return handle_unexpected(vcpu);
}
