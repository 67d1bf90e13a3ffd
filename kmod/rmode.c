// SPDX-License-Identifier: GPL-2.0
/*
 * rmode.c - real mode under shadow paging, run in virtual-8086 mode.
 *
 * VMX runs a guest with CR0.PE = 0 only as an "unrestricted guest", and
 * that control needs EPT (SDM Vol. 3 26.2.1.1).  Without EPT, hvlab does
 * what VMX-era hypervisors did before it: the CPU really runs the guest's
 * real-mode code in virtual-8086 mode (SDM Vol. 3 chapter 20), a protected
 * mode flavour that forms addresses as selector * 16 + offset, like real
 * mode.  The guest still sees CR0.PE = 0 (the read shadow), and:
 *
 *   - every segment is in vm86 form (base = selector * 16, limit 0xffff,
 *     access rights 0xf3), as VM entry demands (SDM 26.3.1.2); a real-mode
 *     state that does not fit (a cached base from protected mode, an
 *     "unreal" limit) is refused by hv_rmode_unfit() with its reason;
 *   - RFLAGS.VM = 1 and IOPL = 3, so CLI, STI, PUSHF, POPF and IRET run
 *     natively; the guest's own IOPL is kept in rm_iopl and shown instead;
 *   - TR points at a TSS hvlab owns, mapped at HV_RM_TSS_LA (a linear
 *     address vm86 code cannot form) on the first #PF there.  Its I/O
 *     bitmap is all zeros, so port I/O reaches VMX's own I/O exiting (the
 *     TSS check comes first, SDM 26.1.1), and with CR4.VME its interrupt
 *     redirection bitmap, all zeros too, sends INT n to the real-mode IVT
 *     at linear 0 (SDM 20.3.3, method 5);
 *   - every exception exits (exception bitmap all ones), because vm86
 *     would deliver it through the protected-mode IDT.  #GP means the
 *     guest ran a ring-0 instruction: pure_rmode.c decodes it and it is
 *     emulated here (LGDT, LIDT, MOV to/from CR, LMSW, CLTS, HLT...) or
 *     by exit.c's own handler (RDMSR, WRMSR: Linux's AP trampoline reads
 *     IA32_MISC_ENABLE in real mode, arch/x86/kernel/verify_cpu.S).
 *     Other exceptions, and interrupts hvlab injects, are delivered the
 *     real-mode way in software (hv_rmode_interrupt): FLAGS, CS, IP pushed
 *     on SS:SP, CS:IP loaded from the IVT.
 *
 * The guest leaves vm86 mode when it sets CR0.PE (hv_vmcs_set_cr0 calls
 * hv_rmode_switch): segments become 16-bit protected-mode segments with
 * the same bases, TR and IOPL return, and the guest's next far jump loads
 * its own CS as on hardware.  Going back from protected to real mode works
 * only if the segments then fit vm86 form; otherwise the vCPU stops with
 * the reason (fail_entry) rather than run something else.
 *
 * All functions act on the current VMCS.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/io.h>

#include "compat.h"
#include "hvlab.h"
#include "pure_rmode.h"
#include "shadow.h"
#include "vm.h"
#include "vmcs.h"

/* The TSS: 104 bytes, 32-byte redirection bitmap, 8 KiB I/O bitmap, 0xff. */
#define RM_TSS_IOMAP	(104 + 32)
#define RM_TSS_LIMIT	(RM_TSS_IOMAP + 8192)	/* the 0xff byte is the last */
#define RM_TSS_PAGES	3
#define RM_AR_VM86	0xf3	/* present, DPL 3, data read/write, accessed */
#define RM_AR_CODE16	0x9b	/* present, DPL 0, code execute/read, accessed */
#define RM_AR_DATA16	0x93	/* present, DPL 0, data read/write, accessed */
#define RM_AR_TSS32	0x8b	/* present, 32-bit busy TSS */

/* The six segment registers' VMCS fields are 2 apart, in ES..GS order. */
static u16 seg_sel(int s)
{
	return __hv_vmread(GUEST_ES_SELECTOR + 2 * s);
}

static u64 seg_base(int s)
{
	return __hv_vmread(GUEST_ES_BASE + 2 * s);
}

static void seg_write(int s, u16 sel, u64 base, u32 limit, u32 ar)
{
	__hv_vmwrite(GUEST_ES_SELECTOR + 2 * s, sel);
	__hv_vmwrite(GUEST_ES_BASE + 2 * s, base);
	__hv_vmwrite(GUEST_ES_LIMIT + 2 * s, limit);
	__hv_vmwrite(GUEST_ES_AR_BYTES + 2 * s, ar);
}

int hv_rmode_init(struct hv_vcpu *vcpu)
{
	u8 *tss;

	vcpu->rm_tss = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO,
				   get_order(RM_TSS_PAGES * PAGE_SIZE));
	if (!vcpu->rm_tss)
		return -ENOMEM;
	tss = page_address(vcpu->rm_tss);
	*(u16 *)(tss + 102) = RM_TSS_IOMAP;	/* I/O map base (SDM 8.7) */
	tss[RM_TSS_LIMIT] = 0xff;		/* the bitmap's end (SDM 19.5.2) */
	return 0;
}

void hv_rmode_free(struct hv_vcpu *vcpu)
{
	if (vcpu->rm_tss)
		__free_pages(vcpu->rm_tss, get_order(RM_TSS_PAGES * PAGE_SIZE));
	vcpu->rm_tss = NULL;
}

/*
 * A #PF at gva while in vm86 mode: if it is the CPU reading our TSS (the
 * shadow root was rebuilt since), map that page.  Supervisor-only: the
 * guest could not touch it even if it could reach the address.
 */
static bool tss_fault(struct hv_vcpu *vcpu, u64 gva)
{
	u64 off = gva - HV_RM_TSS_LA;

	if (!vcpu->rmode || gva < HV_RM_TSS_LA ||
	    off >= RM_TSS_PAGES * PAGE_SIZE)
		return false;
	return !hv_shadow_map_own(vcpu, gva & PAGE_MASK,
				  page_to_phys(vcpu->rm_tss) + (off & PAGE_MASK));
}

/* Why vm86 form cannot hold the segments (the first that does not fit). */
static const char *unfit_segment(void)
{
	static const char *const why[] = {
		"vm86 mode needs ES base = selector*16, limit 0xffff",
		"vm86 mode needs CS base = selector*16, limit 0xffff",
		"vm86 mode needs SS base = selector*16, limit 0xffff",
		"vm86 mode needs DS base = selector*16, limit 0xffff",
		"vm86 mode needs FS base = selector*16, limit 0xffff",
		"vm86 mode needs GS base = selector*16, limit 0xffff",
	};
	int s;

	for (s = 0; s < ARRAY_SIZE(why); s++)
		if (seg_base(s) != (u64)seg_sel(s) << 4 ||
		    __hv_vmread(GUEST_ES_LIMIT + 2 * s) != 0xffff)
			return why[s];
	return NULL;
}

static void enter_vm86(struct hv_vcpu *vcpu)
{
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);
	int s;

	vcpu->rm_unfit = unfit_segment();
	vcpu->rm_tr.sel = vmcs_read16(GUEST_TR_SELECTOR);
	vcpu->rm_tr.base = vmcs_readl(GUEST_TR_BASE);
	vcpu->rm_tr.limit = vmcs_read32(GUEST_TR_LIMIT);
	vcpu->rm_tr.ar = vmcs_read32(GUEST_TR_AR_BYTES);
	vcpu->rm_iopl = rflags & X86_EFLAGS_IOPL;
	/* unfit: the vCPU will not run; leave the segments for inspection */
	for (s = 0; s < RM_GS + 1 && !vcpu->rm_unfit; s++)
		seg_write(s, seg_sel(s), (u64)seg_sel(s) << 4, 0xffff,
			  RM_AR_VM86);
	vmcs_write16(GUEST_TR_SELECTOR, 0);
	vmcs_writel(GUEST_TR_BASE, HV_RM_TSS_LA);
	vmcs_write32(GUEST_TR_LIMIT, RM_TSS_LIMIT);
	vmcs_write32(GUEST_TR_AR_BYTES, RM_AR_TSS32);
	vmcs_writel(GUEST_RFLAGS, rflags | X86_EFLAGS_VM | X86_EFLAGS_IOPL);
	vmcs_write32(EXCEPTION_BITMAP, ~0u);
	vcpu->rmode = true;
	hv_vmcs_set_cr4(vcpu, hv_guest_cr4(vcpu));	/* adds CR4.VME */
}

/*
 * CR0.PE was set: the segments keep their bases as 16-bit protected-mode
 * segments at CPL 0, which is what the CPU's descriptor caches hold right
 * after MOV to CR0 (SDM Vol. 3 10.9.1).  CS and SS lose their RPL bits:
 * VM entry wants SS.RPL = CS.RPL = CPL (SDM 26.3.1.2).
 */
static void leave_vm86(struct hv_vcpu *vcpu)
{
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);
	int s;

	for (s = 0; s < RM_GS + 1; s++) {
		u16 sel = seg_sel(s);

		if (s == RM_CS)
			seg_write(s, sel & ~3, seg_base(s), 0xffff, RM_AR_CODE16);
		else if (s == RM_SS)
			seg_write(s, sel & ~3, seg_base(s), 0xffff, RM_AR_DATA16);
		else
			seg_write(s, sel, seg_base(s), 0xffff,
				  RM_AR_DATA16 | (sel & 3) << 5);
	}
	vmcs_write16(GUEST_TR_SELECTOR, vcpu->rm_tr.sel);
	vmcs_writel(GUEST_TR_BASE, vcpu->rm_tr.base);
	vmcs_write32(GUEST_TR_LIMIT, vcpu->rm_tr.limit);
	vmcs_write32(GUEST_TR_AR_BYTES, vcpu->rm_tr.ar);
	rflags &= ~(X86_EFLAGS_VM | X86_EFLAGS_IOPL);
	vmcs_writel(GUEST_RFLAGS, rflags | vcpu->rm_iopl);
	vmcs_write32(EXCEPTION_BITMAP, hv_exception_bitmap(vcpu));
	vcpu->rmode = false;
	vcpu->rm_unfit = NULL;
	hv_vmcs_set_cr4(vcpu, hv_guest_cr4(vcpu));	/* drops CR4.VME */
}

/* Shadow paging only: the guest's CR0.PE became !real_mode. */
void hv_rmode_switch(struct hv_vcpu *vcpu, bool real_mode)
{
	if (real_mode && !vcpu->rmode)
		enter_vm86(vcpu);
	else if (!real_mode && vcpu->rmode)
		leave_vm86(vcpu);
}

/*
 * Why the vCPU cannot go on in real mode, or NULL: its segments do not fit
 * vm86 form, or a real-mode interrupt found no RAM for its stack or IVT.
 * run.c asks before every VM entry and stops the vCPU (fail_entry).
 */
const char *hv_rmode_unfit(struct hv_vcpu *vcpu)
{
	return vcpu->rmode ? vcpu->rm_unfit : NULL;
}

/* RFLAGS as the guest believes it to be, and back. */
unsigned long hv_rmode_guest_rflags(struct hv_vcpu *vcpu, unsigned long real)
{
	if (!vcpu->rmode)
		return real;
	return (real & ~(X86_EFLAGS_VM | X86_EFLAGS_IOPL)) | vcpu->rm_iopl;
}

unsigned long hv_rmode_real_rflags(struct hv_vcpu *vcpu, unsigned long val)
{
	if (!vcpu->rmode)
		return val;
	vcpu->rm_iopl = val & X86_EFLAGS_IOPL;
	return val | X86_EFLAGS_VM | X86_EFLAGS_IOPL;
}

static int push16(struct hv_vcpu *vcpu, u16 *sp, u16 val)
{
	*sp -= 2;
	return hv_write_guest(vcpu->vm, seg_base(RM_SS) + *sp, &val, 2);
}

/*
 * Deliver interrupt or exception `vector' as real mode does (SDM Vol. 2,
 * INT n, real-address mode): push FLAGS, CS and IP + ip_advance, clear IF,
 * TF and AC, jump to entry `vector' of the IVT at IDTR.base.  No error code
 * exists in real mode.  (The guest's own INT n, redirected by vm86 mode,
 * always uses the IVT at linear 0: a guest that moved its IVT with LIDT
 * sees the difference.)
 */
void hv_rmode_interrupt(struct hv_vcpu *vcpu, u8 vector, unsigned int ip_advance)
{
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);
	u16 sp = vmcs_readl(GUEST_RSP), ip = vmcs_readl(GUEST_RIP) + ip_advance;
	u16 ivt[2];	/* offset, segment */

	if (push16(vcpu, &sp, hv_rmode_guest_rflags(vcpu, rflags)) ||
	    push16(vcpu, &sp, seg_sel(RM_CS)) || push16(vcpu, &sp, ip) ||
	    hv_read_guest(vcpu->vm, vmcs_readl(GUEST_IDTR_BASE) + vector * 4,
			  ivt, sizeof(ivt))) {
		/* a real CPU would shut down; stop before the next entry */
		vcpu->rm_unfit = "real-mode interrupt: stack or IVT not in RAM";
		return;
	}
	vmcs_writel(GUEST_RSP, (vmcs_readl(GUEST_RSP) & ~0xfffful) | sp);
	vmcs_writel(GUEST_RFLAGS, rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_TF |
					     X86_EFLAGS_AC));
	seg_write(RM_CS, ivt[1], (u64)ivt[1] << 4, 0xffff, RM_AR_VM86);
	vmcs_writel(GUEST_RIP, ivt[0]);
}

/* A #GP in vm86 mode: the guest ran an instruction only ring 0 may. */
static int emulate_gp(struct hv_vcpu *vcpu)
{
	u64 ip = seg_base(RM_CS) + (vmcs_readl(GUEST_RIP) & 0xffff);
	u64 gpr[8], cr0 = hv_guest_cr0(vcpu), val = 0;
	u8 bytes[15], op[6];
	unsigned int avail, i;
	struct rm_insn in;
	int err = 0;

	for (avail = 0; avail < sizeof(bytes); avail++)
		if (hv_read_guest(vcpu->vm, ip + avail, &bytes[avail], 1))
			break;
	for (i = 0; i < 8; i++)
		gpr[i] = i == HV_RSP ? vmcs_readl(GUEST_RSP) : vcpu->gpr[i];
	if (rm_decode(bytes, avail, gpr, &in))
		return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, ip,
					 avail >= 8 ? get_unaligned((u64 *)bytes) : 0);
	if (in.has_mem && in.op != RM_OP_INVLPG &&
	    hv_read_guest(vcpu->vm, seg_base(in.seg) + in.ea, op,
			  in.op == RM_OP_LMSW ? 2 : 6)) {
		hv_inject_exception(vcpu, 13, true, 0);
		return 1;
	}
	switch (in.op) {
	case RM_OP_LGDT:
		vmcs_writel(GUEST_GDTR_BASE, rm_table_base(op, in.opsize));
		vmcs_write32(GUEST_GDTR_LIMIT, get_unaligned((u16 *)op));
		break;
	case RM_OP_LIDT:
		vmcs_writel(GUEST_IDTR_BASE, rm_table_base(op, in.opsize));
		vmcs_write32(GUEST_IDTR_LIMIT, get_unaligned((u16 *)op));
		break;
	case RM_OP_LMSW:	/* sets PE but never clears it (SDM Vol. 2) */
		val = in.has_mem ? get_unaligned((u16 *)op) : gpr[in.gpr];
		err = hv_set_cr(vcpu, 0, (cr0 & ~0xeul) | (val & 0xf));
		break;
	case RM_OP_CLTS:
		err = hv_set_cr(vcpu, 0, cr0 & ~X86_CR0_TS);
		break;
	case RM_OP_MOV_TO_CR:
		err = hv_set_cr(vcpu, in.cr, (u32)gpr[in.gpr]);
		break;
	case RM_OP_MOV_FROM_CR:
		val = in.cr == 0 ? cr0 : in.cr == 2 ? vcpu->cr2 :
		      in.cr == 3 ? hv_guest_cr3(vcpu) : hv_guest_cr4(vcpu);
		if (in.gpr == HV_RSP)
			vmcs_writel(GUEST_RSP, (u32)val);
		else
			vcpu->gpr[in.gpr] = (u32)val;
		break;
	case RM_OP_HLT:
		hv_skip_instruction(vcpu, in.len);
		vcpu->run->exit_reason = HVLAB_EXIT_HLT;
		return 0;
	case RM_OP_RDMSR:	/* exit.c's, as if RDMSR had exited */
		return hv_emulate_rdmsr(vcpu, in.len);
	case RM_OP_WRMSR:
		return hv_emulate_wrmsr(vcpu, in.len);
	default:	/* INVLPG, INVD, WBINVD: nothing cached to drop */
		break;
	}
	if (err) {
		hv_inject_exception(vcpu, 13, true, 0);
		return 1;
	}
	hv_skip_instruction(vcpu, in.len);
	return 1;
}

/* An exception exit while in vm86 mode (all of them exit: see the top). */
int hv_rmode_exception(struct hv_vcpu *vcpu, u32 info)
{
	u8 vector = info & 0xff;

	if (vector == 14) {
		u64 gva = vmcs_readl(EXIT_QUALIFICATION);

		if (tss_fault(vcpu, gva))
			return 1;
		return hv_shadow_page_fault(vcpu, gva,
					    vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
	}
	if (vector == 13)
		return emulate_gp(vcpu);
	/* INT3 and INTO are traps: return past them (SDM 27.2.5) */
	hv_rmode_interrupt(vcpu, vector,
			   (info & 0x700) == INTR_TYPE_SOFT_EXCEPTION ?
			   vmcs_read32(VM_EXIT_INSTRUCTION_LEN) : 0);
	return 1;
}
