// SPDX-License-Identifier: GPL-2.0
/*
 * cr.c - the guest's control registers: CR0, CR3, CR4, CR8 and EFER's
 * paging bits, as the guest sees them and as the CPU runs them.
 *
 * Ownership (SDM Vol. 3 25.6.6).  For each bit of CR0 and CR4 the VMCS's
 * guest/host mask says who owns it.  The guest owns a bit that is clear
 * in the mask: it reads and writes the real register bit directly.  For
 * a bit hvlab owns (set in the mask) the guest reads the read shadow
 * instead, and a MOV to CR0/CR4, CLTS or LMSW that would change it exits.
 * So the register has two values: the one the guest believes in
 * (hv_guest_cr0, the read shadow merged in) and the one the CPU runs with
 * (GUEST_CR0), forced to what VMX accepts (the FIXED0/FIXED1 MSRs,
 * SDM A.7-A.8).  hvlab owns CR0.PE/PG (to switch the "IA-32e mode guest"
 * entry control, load PAE PDPTEs and under shadow paging enter vm86),
 * CR0.NE/CD/NW, CR4.PAE and every CR4 bit of a feature CPUID hides, and
 * under shadow paging every bit that changes how addresses translate.
 *
 * CR-access exits (SDM Vol. 3 28.2.1, table 28-3).  The exit
 * qualification names the register (bits 3:0), the access type (bits 5:4:
 * MOV to CR, MOV from CR, CLTS, LMSW), the general-purpose register
 * (bits 11:8) and LMSW's source data (bits 31:16).  hv_handle_cr is the
 * exit table's handler, with its contract (exit.c): 1 resume the guest,
 * 0 exit to userspace, <0 an error.  A write the architecture refuses
 * gives the guest #GP; MOV from CR3 exits only when CR3-store exiting is
 * on (shadow paging, --trap-cr3), and CR8 is emulated in both directions.
 *
 * The paging backend (vcpu->paging, vm.h) does what a change means for
 * the address space: EPT's hooks are here and in ept.c, shadow paging's
 * in shadow.c.  This file never calls shadow.c or rmode.c itself.
 */
#include <linux/kernel.h>
#include <asm/processor.h>

#include "hvlab.h"
#include "pure_caps.h"
#include "pure_cpuid.h"
#include "vm.h"
#include "vmcs.h"

#define GP_VECTOR	13

#define CR0_OWNED (X86_CR0_PE | X86_CR0_PG | X86_CR0_NE | X86_CR0_CD | \
		   X86_CR0_NW)
/*
 * CR4: PAE, and every bit the guest may not set (pure_cpuid.h), so that a
 * MOV to CR4 setting one (PCIDE, PKE, LA57, ...) exits and gets #GP.
 */
#define CR4_OWNED (X86_CR4_PAE | ~(unsigned long)HV_CR4_GUEST_ALLOWED)
/* shadow paging also owns every bit that changes how addresses translate */
#define CR0_OWNED_SHADOW (CR0_OWNED | X86_CR0_WP)
#define CR4_OWNED_SHADOW (CR4_OWNED | X86_CR4_PSE | X86_CR4_PGE | \
			  X86_CR4_LA57 | X86_CR4_PCIDE | X86_CR4_SMEP | \
			  X86_CR4_SMAP | X86_CR4_VME)

static unsigned long cr0_owned(struct hv_vcpu *vcpu)
{
	return vcpu->shadow ? CR0_OWNED_SHADOW : CR0_OWNED;
}

static unsigned long cr4_owned(struct hv_vcpu *vcpu)
{
	return vcpu->shadow ? CR4_OWNED_SHADOW : CR4_OWNED;
}

/* The guest/host masks, once, when the VMCS is set up (vmcs.c). */
void hv_cr_setup_masks(struct hv_vcpu *vcpu)
{
	vmcs_writel(CR0_GUEST_HOST_MASK, cr0_owned(vcpu));
	vmcs_writel(CR4_GUEST_HOST_MASK, cr4_owned(vcpu));
}

/* ---- the registers as the guest believes them to be ----------------- */

unsigned long hv_guest_cr0(struct hv_vcpu *vcpu)
{
	return (vmcs_readl(GUEST_CR0) & ~cr0_owned(vcpu)) |
	       (vmcs_readl(CR0_READ_SHADOW) & cr0_owned(vcpu));
}

unsigned long hv_guest_cr4(struct hv_vcpu *vcpu)
{
	return (vmcs_readl(GUEST_CR4) & ~cr4_owned(vcpu)) |
	       (vmcs_readl(CR4_READ_SHADOW) & cr4_owned(vcpu));
}

/* Under shadow paging the real CR3 and EFER are hvlab's: see below. */
u64 hv_guest_cr3(struct hv_vcpu *vcpu)
{
	return vcpu->shadow ? vcpu->guest_cr3 : vmcs_readl(GUEST_CR3);
}

u64 hv_guest_efer(struct hv_vcpu *vcpu)
{
	return vcpu->shadow ? vcpu->guest_efer : vmcs_read64(GUEST_IA32_EFER);
}

/* ---- loading a value into the VMCS (checked by the caller) ---------- */

/*
 * IA-32e mode follows EFER.LME && CR0.PG (SDM 10.8.5); VMX needs us to
 * say so in the "IA-32e mode guest" entry control and EFER.LMA.  Under
 * shadow paging the real CR0.PG is always 1, so the real EFER.LME may
 * only be set once the guest's own paging is on (SDM 26.3.1.1).
 */
static void update_long_mode(struct hv_vcpu *vcpu)
{
	u64 efer = hv_guest_efer(vcpu);
	u32 entry = vmcs_read32(VM_ENTRY_CONTROLS);
	bool lma = (efer & EFER_LME) && (hv_guest_cr0(vcpu) & X86_CR0_PG);

	efer = lma ? efer | EFER_LMA : efer & ~EFER_LMA;
	entry = lma ? entry | ENTRY_IA32E_MODE : entry & ~ENTRY_IA32E_MODE;
	if (vcpu->shadow) {
		vcpu->guest_efer = efer;
		efer &= ~EFER_LME;
		if (lma)
			efer |= EFER_LME;
	}
	vmcs_write64(GUEST_IA32_EFER, efer);
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
}

void hv_vmcs_set_efer(struct hv_vcpu *vcpu, u64 efer)
{
	if (vcpu->shadow)
		vcpu->guest_efer = efer & ~EFER_LMA;
	else
		vmcs_write64(GUEST_IA32_EFER, efer & ~EFER_LMA);
	update_long_mode(vcpu);
}

void hv_vmcs_set_cr0(struct hv_vcpu *vcpu, unsigned long val)
{
	const struct hvlab_caps *c = hvlab_vmx_caps();
	/* with unrestricted guest PE and PG may be 0 (SDM 26.3.1.1) */
	unsigned long fixed0 = c->msr.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);
	unsigned long real = (val | fixed0) & ~(X86_CR0_CD | X86_CR0_NW);

	/*
	 * Shadow paging: the CPU always translates through hvlab's tables
	 * (PE, PG on, WP on so read-only shadow entries hold for the kernel
	 * too); the guest's PG/WP live only in the read shadow.
	 */
	if (vcpu->shadow)
		real |= X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
	vmcs_writel(CR0_READ_SHADOW, val);
	vmcs_writel(GUEST_CR0, real & c->msr.cr0_fixed1);
	update_long_mode(vcpu);
	/* ... and without unrestricted guest real mode runs in vm86 mode */
	if (vcpu->paging->real_mode)
		vcpu->paging->real_mode(vcpu, !(val & X86_CR0_PE));
}

void hv_vmcs_set_cr4(struct hv_vcpu *vcpu, unsigned long val)
{
	const struct hvlab_caps *c = hvlab_vmx_caps();
	unsigned long real = val;

	/*
	 * Shadow tables are PAE or 4-level format; no global or PCID tags.
	 * vm86 mode needs VME to send INT n to the guest's IVT (rmode.c).
	 */
	if (vcpu->shadow)
		real = (val & ~CR4_OWNED_SHADOW) | X86_CR4_PAE |
		       (val & (X86_CR4_SMEP | X86_CR4_SMAP)) |
		       (vcpu->rmode ? X86_CR4_VME : val & X86_CR4_VME);
	vmcs_writel(CR4_READ_SHADOW, val);
	vmcs_writel(GUEST_CR4, (real | c->msr.cr4_fixed0) & c->msr.cr4_fixed1);
}

/*
 * PAE paging outside IA-32e mode: with EPT the CPU takes the four PDPTEs
 * from the VMCS at VM entry, not from memory (SDM 26.3.2.4), so whoever
 * changes CR0.PG, CR4.PAE or CR3 in that mode must reload them.  EPT's
 * reload hook (hv_ept_paging); without EPT the CPU reads the (shadow)
 * PDPTEs itself.
 */
int hv_vmcs_load_pdptrs(struct hv_vcpu *vcpu)
{
	unsigned long cr0 = vmcs_readl(GUEST_CR0), cr4 = vmcs_readl(GUEST_CR4);
	u64 pdpte[4];
	int i;

	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) ||
	    (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA))
		return 0;
	if (hv_read_guest(vcpu->vm, vmcs_readl(GUEST_CR3) & ~0x1ful, pdpte,
			  sizeof(pdpte)))
		memset(pdpte, 0, sizeof(pdpte));
	for (i = 0; i < 4; i++)
		__hv_vmwrite(GUEST_PDPTR0 + 2 * i, pdpte[i]);
	return 0;
}

/* ---- the guest's writes, emulated ----------------------------------- */

static unsigned int insn_len(void)
{
	return vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
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

/*
 * The #GP conditions of a MOV to CR0 (SDM Vol. 3 2.5, MOV CR0 in Vol. 2),
 * given the guest's CR4 and EFER: shared with svm.c.  0 valid, -1 #GP.
 */
int hv_cr0_check(unsigned long val, unsigned long cr4, u64 efer)
{
	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(cr4 & X86_CR4_PAE) && (efer & EFER_LME)))
		return -1;
	return 0;
}

/* ... and of a MOV to CR4: bits of features CPUID hides are reserved */
int hv_cr4_check(unsigned long val, bool long_mode)
{
	if ((val & ~(unsigned long)HV_CR4_GUEST_ALLOWED) ||
	    (long_mode && !(val & X86_CR4_PAE)))
		return -1;
	return 0;
}

static int set_cr0(struct hv_vcpu *vcpu, unsigned long val)
{
	if (hv_cr0_check(val, hv_guest_cr4(vcpu), hv_guest_efer(vcpu)))
		return -1;
	hv_vmcs_set_cr0(vcpu, val);
	return vcpu->paging->reload(vcpu);
}

static int set_cr4(struct hv_vcpu *vcpu, unsigned long val)
{
	if (hv_cr4_check(val, long_mode()))
		return -1;
	hv_vmcs_set_cr4(vcpu, val);
	return vcpu->paging->reload(vcpu);
}

/*
 * EPT's MOV to CR3 (hv_ept_paging.set_cr3): the guest's CR3 is a
 * guest-physical address, which EPT confines, so it goes to the CPU as
 * the guest wrote it.
 */
int hv_ept_set_cr3(struct hv_vcpu *vcpu, u64 val)
{
	/* LAB 4: BEGIN set_cr3_ept */
	vmcs_writel(GUEST_CR3, val);
	/* the guest expects its non-global TLB entries gone */
	if (vcpu->vpid)
		hv_invvpid(HV_INVVPID_SINGLE, vcpu->vpid, 0);
	return hv_vmcs_load_pdptrs(vcpu);
	/* LAB 4: END set_cr3_ept */
}

/*
 * MOV to CR3: the seed's example of an intercepted sensitive instruction.
 * With HVLAB_VM_TRAP_CR3 userspace also hears of each write (HVLAB_EXIT_CR3,
 * purely informational: the write is already done when it sees it).  The
 * backend loads it: hv_ept_set_cr3 above, or a kept shadow root or a new
 * one filled lazily (shadow.c).  Returns 0 when done, or an errno of the
 * hypervisor's own (-ENOMEM).  Shared with svm.c: old is the guest's CR3
 * before the write, long_mode its EFER.LMA; hv_cr3_note is the reporting
 * alone, for SVM's nested paging, which loads the value itself.
 */
void hv_cr3_note(struct hv_vcpu *vcpu, unsigned long val, u64 old)
{
	struct hvlab_run *run = vcpu->run;

	if (vcpu->vm->flags & HVLAB_VM_TRAP_CR3) {
		run->exit_reason = HVLAB_EXIT_CR3;
		run->cr3.old_cr3 = old;
		run->cr3.new_cr3 = val;
	}
	vcpu->rec->value = val;
	vcpu->stats->cr3_writes++;
}

int hv_cr3_write(struct hv_vcpu *vcpu, unsigned long val, u64 old,
		 bool long_mode)
{
	hv_cr3_note(vcpu, val, old);
	/* bit 63 is the PCID "no flush" hint in long mode */
	return vcpu->paging->set_cr3(vcpu, long_mode ? val & ~(1ul << 63) :
					   val);
}

static int set_cr3(struct hv_vcpu *vcpu, unsigned long val)
{
	return hv_cr3_write(vcpu, val, hv_guest_cr3(vcpu), long_mode());
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

/* ---- the CR-access exit -------------------------------------------- */

/*
 * May the fast path (run.c) handle this CR-access exit?  Reads of CR3 and
 * CR8 and writes of CR8 are register copies: the table's hv_handle_cr
 * does them.  A MOV to CR3 is fast only when the backend can switch to
 * its tables without allocating or sleeping (a kept shadow root; EPT has
 * no such hook, and exits on CR3 only when trapped); hv_fastpath_cr3
 * then does it without decoding the exit again.  A trapped CR3 write
 * goes to userspace, and CR0/CR4 writes may rebuild the shadow tables:
 * slow path.
 */
enum hv_fast hv_cr_exit_is_fast(struct hv_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	int cr = q & 15, type = (q >> 4) & 3;

	if (type == 1 || (type == 0 && cr == 8))
		return cr == 3 || cr == 8 ? HV_FAST_TABLE : HV_FAST_NO;
	if (type != 0 || cr != 3 || !vcpu->paging->cr3_cached ||
	    (vcpu->vm->flags & HVLAB_VM_TRAP_CR3))
		return HV_FAST_NO;
	vcpu->fast_cr3 = hv_get_gpr(vcpu, (q >> 8) & 15);
	return vcpu->paging->cr3_cached(vcpu, cr3_operand(vcpu->fast_cr3)) ?
	       HV_FAST_CR3 : HV_FAST_NO;
}

/*
 * The fast path's MOV to CR3, to the tables hv_cr_exit_is_fast found:
 * what hv_handle_cr and set_cr3 would do on that path, minus the
 * decoding.  A CR-access exit never interrupts event delivery, so there
 * is no IDT-vectoring information to re-inject (SDM 27.2.4).
 */
int hv_fastpath_cr3(struct hv_vcpu *vcpu)
{
	unsigned long val = vcpu->fast_cr3;

	vcpu->run->hw_exit_reason = HVLAB_VMX_EXIT_CR_ACCESS;
	vcpu->run->exit_qualification = vcpu->rec->qualification;
	vcpu->rec->info = vcpu->rec->qualification;
	vcpu->rec->value = val;
	vcpu->stats->cr3_writes++;
	/* cannot fail here: the tables are kept */
	vcpu->paging->set_cr3(vcpu, cr3_operand(val));
	hv_skip_instruction(vcpu, insn_len());
	return 1;
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
	unsigned long val = hv_get_gpr(vcpu, (q >> 8) & 15);
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

/* The exit-handler table's CR_ACCESS entry (exit.c). */
int hv_handle_cr(struct hv_vcpu *vcpu)
{
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	unsigned long val = hv_get_gpr(vcpu, reg), cr0;
	int err = 0;

	vcpu->rec->info = q;
	if (type == 0 && cr == 3)
		return mov_to_cr3(vcpu, q);
	switch (type) {
	case 0:		/* MOV to CR */
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
		hv_set_gpr(vcpu, reg, val);
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

/*
 * ---- what the paging backends need of VMX (vm.h) -------------------
 * Not static: shadow.c and walk.c call them directly when the table is
 * VMX's (INDIRECT_CALL_1), since a retpoline costs every #PF and CR3 exit.
 */

void hv_vmx_guest_regs(struct hv_vcpu *vcpu, struct hvlab_gwalk_ctx *ctx)
{
	ctx->cr0 = hv_guest_cr0(vcpu);
	ctx->cr3 = hv_guest_cr3(vcpu);
	ctx->cr4 = hv_guest_cr4(vcpu);
	ctx->efer = hv_guest_efer(vcpu);
}

void hv_vmx_set_root(struct hv_vcpu *vcpu, u64 hpa)
{
	vmcs_writel(GUEST_CR3, hpa);
	/* the old root's translations may still sit in the TLB under our VPID */
	if (vcpu->vpid)
		hv_invvpid(HV_INVVPID_SINGLE, vcpu->vpid, 0);
}

void hv_vmx_flush(struct hv_vcpu *vcpu, u64 gva)
{
	if (!vcpu->vpid)	/* without VPID every VM entry flushes */
		return;
	if (gva == HV_FLUSH_ALL)
		hv_invvpid(HV_INVVPID_SINGLE, vcpu->vpid, 0);
	else
		hv_invvpid(HV_INVVPID_ADDR, vcpu->vpid, gva);
}

/* SS.DPL is the CPL (SDM Vol. 3 25.4.1) */
unsigned int hv_vmx_cpl(struct hv_vcpu *vcpu)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

unsigned long hv_vmx_rflags(struct hv_vcpu *vcpu)
{
	return vmcs_readl(GUEST_RFLAGS);
}

static u32 vmx_vectoring(struct hv_vcpu *vcpu)
{
	return vmcs_read32(IDT_VECTORING_INFO_FIELD);
}

static void vmx_cancel_event(struct hv_vcpu *vcpu)
{
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
}

/* a plain #PF, not met while delivering another event (SDM 27.2.4) */
bool hv_vmx_fast_pf_exit(struct hv_vcpu *vcpu, u64 *gva, u32 *error_code)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	if ((info & (INTR_INFO_VALID | 0x7ff)) !=
	    (INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | 14) ||
	    (info & HV_NMI_UNBLOCKED_BY_IRET) ||
	    (vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID))
		return false;
	*gva = vmcs_readl(EXIT_QUALIFICATION);
	*error_code = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
	return true;
}

/* CR2 goes to the CPU before each entry (run.c) */
const struct hv_paging_hw hv_vmx_paging_hw = {
	.guest_regs	= hv_vmx_guest_regs,
	.set_root	= hv_vmx_set_root,
	.flush		= hv_vmx_flush,
	.cpl		= hv_vmx_cpl,
	.rflags		= hv_vmx_rflags,
	.vectoring	= vmx_vectoring,
	.cancel_event	= vmx_cancel_event,
	.inject		= hv_inject_exception,
	.fast_pf_exit	= hv_vmx_fast_pf_exit,
	.mmio_exit	= hv_mmio_exit,
};
