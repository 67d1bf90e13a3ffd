// SPDX-License-Identifier: GPL-2.0
/*
 * vmcs.c - filling a vCPU's VMCS: controls, host state, guest state.
 *
 * Controls are computed from the capability MSRs (pure_caps.c decoded them
 * into must_be_1/may_be_1): a wanted control the CPU cannot set is an
 * error, a control the CPU insists on is added (SDM Vol. 3 A.3-A.5).
 *
 * Host state is what the CPU loads on every VM exit (SDM 27.5): Linux's
 * kernel segments, CR0/CR3/CR4, this CPU's GDT/TSS/IDT and SYSENTER MSRs,
 * EFER and PAT.  Some of it is per CPU and is refreshed when the vCPU
 * moves (hv_vmcs_set_host_percpu).
 *
 * Guest control registers, their guest/host masks and read shadows, are
 * cr.c's.  Under shadow paging, real mode runs in vm86 mode (rmode.c,
 * through vcpu->paging): RFLAGS and the segments the guest reads back are
 * translated to what it set.
 * All functions act on the current VMCS: the caller has loaded it.
 */
#include <linux/kernel.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/cpu_entry_area.h>

#include "hvlab.h"
#include "pure_caps.h"
#include "pure_cpuid.h"
#include "vm.h"
#include "vmcs.h"

/* The control value to write, or -1 if a wanted bit is not allowed. */
/* LAB 1: BEGIN adjust */
static s64 adjust(const struct hvlab_ctl_caps *c, u32 want, u32 optional)
{
	u32 v;

	if (want & ~c->may_be_1)
		return -1;
	v = want | (optional & c->may_be_1) | c->must_be_1;
	return v;
}
/* LAB 1: END adjust */

/* Access-rights field from the uapi segment (SDM 25.4.1, table 25-2). */
static u32 seg_to_ar(const struct hvlab_segment *s)
{
	if (s->unusable)
		return 1u << 16;
	return (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

static void ar_to_seg(u32 ar, struct hvlab_segment *s)
{
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->unusable = (ar >> 16) & 1;
}

/* The four fields of one guest segment, by its selector field. */
struct seg_fields {
	enum vmcs_field sel, base, limit, ar;
};

#define SEG(n) { GUEST_##n##_SELECTOR, GUEST_##n##_BASE, GUEST_##n##_LIMIT, \
		 GUEST_##n##_AR_BYTES }
static const struct seg_fields segs[] = {
	SEG(CS), SEG(DS), SEG(ES), SEG(FS), SEG(GS), SEG(SS), SEG(TR), SEG(LDTR)
};

static void write_seg(const struct seg_fields *f, const struct hvlab_segment *s)
{
	__hv_vmwrite(f->sel, s->selector);
	__hv_vmwrite(f->base, s->base);
	__hv_vmwrite(f->limit, s->limit);
	__hv_vmwrite(f->ar, seg_to_ar(s));
}

static void read_seg(const struct seg_fields *f, struct hvlab_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->selector = __hv_vmread(f->sel);
	s->base = __hv_vmread(f->base);
	s->limit = __hv_vmread(f->limit);
	ar_to_seg(__hv_vmread(f->ar), s);
}

/*
 * In vm86 mode (rmode.c) the VMCS holds DPL-3 data segments and hvlab's
 * TSS: show the real-mode segments and the TR the guest had instead.
 */
static void rmode_view(struct hv_vcpu *vcpu, struct hvlab_sregs *s)
{
	struct hvlab_segment *seg[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(seg); i++) {
		seg[i]->type = seg[i] == &s->cs ? 0xb : 0x3;
		seg[i]->dpl = 0;
	}
	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.selector = vcpu->rm_tr.sel;
	s->tr.base = vcpu->rm_tr.base;
	s->tr.limit = vcpu->rm_tr.limit;
	ar_to_seg(vcpu->rm_tr.ar, &s->tr);
}

void hv_vmcs_get_sregs(struct hv_vcpu *vcpu, struct hvlab_sregs *s)
{
	struct hvlab_segment *dst[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt
	};
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		read_seg(&segs[i], dst[i]);
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	/* the guest's view: owned bits come from the read shadows */
	s->cr0 = hv_guest_cr0(vcpu);
	s->cr4 = hv_guest_cr4(vcpu);
	s->cr2 = vcpu->cr2;
	s->cr3 = hv_guest_cr3(vcpu);
	s->efer = hv_guest_efer(vcpu);
	s->apic_base = vcpu->msr_apic_base;
	if (vcpu->rmode)
		rmode_view(vcpu, s);
}

/* Reserved EFER bits and CR bits we refuse from userspace. */
#define EFER_VALID (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

int hv_vmcs_set_sregs(struct hv_vcpu *vcpu, const struct hvlab_sregs *s)
{
	const struct hvlab_segment *src[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt
	};
	int i;

	if ((s->efer & ~EFER_VALID) || (s->cr0 >> 32) ||
	    (s->cr4 & ~(u64)HV_CR4_GUEST_ALLOWED) ||
	    s->cr8 > 15 || s->gdt.limit > 0xffff ||
	    s->idt.limit > 0xffff)
		return -EINVAL;
	/* leave vm86 mode first: set_cr0 below enters it with the new state */
	if (vcpu->rmode)
		vcpu->paging->real_mode(vcpu, false);
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		write_seg(&segs[i], src[i]);
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	vcpu->cr2 = s->cr2;
	if (vcpu->shadow)
		vcpu->guest_cr3 = s->cr3;
	else
		vmcs_writel(GUEST_CR3, s->cr3);
	hv_vmcs_set_efer(vcpu, s->efer);
	hv_vmcs_set_cr4(vcpu, s->cr4);
	hv_vmcs_set_cr0(vcpu, s->cr0);
	vcpu->msr_apic_base = s->apic_base;
	return vcpu->paging->reload(vcpu);
}

void hv_vmcs_get_regs(struct hv_vcpu *vcpu, struct hvlab_regs *r)
{
	r->rsp = vmcs_readl(GUEST_RSP);
	r->rip = vmcs_readl(GUEST_RIP);
	r->rflags = vmcs_readl(GUEST_RFLAGS);
	if (vcpu->rmode)	/* vm86 mode's VM and IOPL are hvlab's */
		r->rflags = vcpu->paging->rm_guest_rflags(vcpu, r->rflags);
}

void hv_vmcs_set_regs(struct hv_vcpu *vcpu, const struct hvlab_regs *r)
{
	/* bit 1 is always 1; VM entry checks reserved bits (SDM 26.3.1.4) */
	unsigned long rflags = (r->rflags & 0x3f7fd7ul) | 2;

	vmcs_writel(GUEST_RSP, r->rsp);
	vmcs_writel(GUEST_RIP, r->rip);
	if (vcpu->rmode)
		rflags = vcpu->paging->rm_real_rflags(vcpu, rflags);
	vmcs_writel(GUEST_RFLAGS, rflags);
}

/* Per-CPU host state: GDT, TSS, kernel GS base, SYSENTER stack (SDM 27.5.2). */
void hv_vmcs_set_host_percpu(struct hv_vcpu *vcpu, int cpu)
{
	u64 v;

	vmcs_writel(HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_cpu_gdt_ro(cpu));
	rdmsrl(MSR_GS_BASE, v);
	vmcs_writel(HOST_GS_BASE, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, v);
}

static int setup_controls(struct hv_vcpu *vcpu)
{
	const struct hvlab_caps *c = hvlab_vmx_caps();
	s64 pin, proc, proc2, exit, entry;
	/* LAB 2: BEGIN controls */
	u32 proc_want;

	/*
	 * Virtual NMIs (SDM 25.6.1, 26.6.1.2): the CPU tracks the guest's own
	 * NMI blocking, ended by its IRET, and NMI-window exiting says when
	 * an NMI queued by HVLAB_INJECT can go in.  Used together or not at
	 * all; without them run.c retries the NMI at each exit.
	 */
	pin = adjust(&c->pin, PIN_EXT_INTR_EXITING | PIN_NMI_EXITING,
		     PIN_PREEMPTION_TIMER |
		     ((c->proc.may_be_1 & PROC_NMI_WINDOW_EXITING) ?
		      PIN_VIRTUAL_NMIS : 0));
	proc_want = PROC_HLT_EXITING | PROC_INVLPG_EXITING |
		    PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
		    PROC_MOV_DR_EXITING | PROC_USE_IO_BITMAPS |
		    PROC_USE_MSR_BITMAPS | PROC_SECONDARY | PROC_RDPMC_EXITING |
		    PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
		    PROC_TSC_OFFSETTING;	/* WRMSR to IA32_TSC moves RDTSC too */
	if (vcpu->trap_cr3 || vcpu->shadow)
		proc_want |= PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING;
	proc = adjust(&c->proc, proc_want, 0);
	/*
	 * "Enable RDTSCP", "enable INVPCID" and "enable XSAVES/XRSTORS" stay
	 * 0: CPUID hides those features (pure_cpuid.c), and with the control
	 * clear the instructions raise #UD as on a CPU without them (SDM
	 * Vol. 3 25.6.2, table 25-7).  RDPID follows "enable RDTSCP".
	 * WBINVD exiting: the host's caches are not the guest's to flush.
	 */
	if (vcpu->shadow)	/* no EPT, hence no unrestricted guest either */
		proc2 = adjust(&c->proc2, 0, PROC2_VPID | PROC2_WBINVD_EXITING);
	else
		proc2 = adjust(&c->proc2, PROC2_EPT | PROC2_UNRESTRICTED,
			       PROC2_VPID | PROC2_WBINVD_EXITING);
	exit = adjust(&c->exit, EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_EFER |
		      EXIT_LOAD_EFER, EXIT_SAVE_PAT | EXIT_LOAD_PAT);
	entry = adjust(&c->entry, ENTRY_LOAD_EFER,
		       ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG_CTLS);
	/* LAB 2: END controls */
	if (pin < 0 || proc < 0 || proc2 < 0 || exit < 0 || entry < 0)
		return -EOPNOTSUPP;
	/* without TRUE controls CR3 exiting is "default1" and stays on */
	if (!vcpu->trap_cr3 && (proc & PROC_CR3_LOAD_EXITING))
		vcpu->trap_cr3 = true;
	if (!vcpu->vpid)
		proc2 &= ~PROC2_VPID;
	vcpu->vnmi = pin & PIN_VIRTUAL_NMIS;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write32(VM_EXIT_CONTROLS, exit);
	vmcs_write32(VM_ENTRY_CONTROLS, entry & ~ENTRY_IA32E_MODE);
	vmcs_write32(EXCEPTION_BITMAP, hv_exception_bitmap(vcpu));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(IO_BITMAP_A, __pa(vcpu->vm->io_bitmap));
	vmcs_write64(IO_BITMAP_B, __pa(vcpu->vm->io_bitmap) + PAGE_SIZE);
	vmcs_write64(MSR_BITMAP, __pa(vcpu->vm->msr_bitmap));
	vmcs_write64(EPT_POINTER, vcpu->vm->eptp);
	if (vcpu->vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vcpu->vpid);
	vmcs_write64(VMCS_LINK_POINTER, ~0ull);
	vmcs_write64(TSC_OFFSET, 0);
	/*
	 * Bound every stay in the guest: without "save preemption timer"
	 * the CPU reloads this value at each VM entry (SDM 26.7.4), so a
	 * guest that spins with host interrupts pending still exits.
	 */
	if (pin & PIN_PREEMPTION_TIMER)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE,
			     (1u << 22) >> c->preemption_timer_shift);
	hv_cr_setup_masks(vcpu);
	return 0;
}

/* LAB 2: BEGIN host_state */
static void setup_host_state(void)
{
	struct desc_ptr idt;
	u64 v;

	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_writel(HOST_CR3, __read_cr3());
	vmcs_writel(HOST_CR4, cr4_read_shadow());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)hv_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write32(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write64(HOST_IA32_EFER, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write64(HOST_IA32_PAT, v);
	/* HOST_FS_BASE is per thread: vcpu.c writes it at every ioctl */
}
/* LAB 2: END host_state */

/* The state of a CPU after RESET, in real mode at 0000:0000 (SDM 9.1.1). */
/* LAB 2: BEGIN guest_state */
static void setup_guest_state(struct hv_vcpu *vcpu)
{
	struct hvlab_segment code = {
		.limit = 0xffff, .type = 0xb, .present = 1, .s = 1,
	};
	struct hvlab_segment data = {
		.limit = 0xffff, .type = 0x3, .present = 1, .s = 1,
	};
	struct hvlab_segment tr = { .limit = 0xffff, .type = 0xb, .present = 1 };
	struct hvlab_segment ldt = { .limit = 0xffff, .type = 0x2, .present = 1 };
	int i;

	write_seg(&segs[0], &code);
	for (i = 1; i < 6; i++)
		write_seg(&segs[i], &data);
	write_seg(&segs[6], &tr);
	write_seg(&segs[7], &ldt);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_CR3, 0);
	vmcs_write64(GUEST_IA32_EFER, 0);
	vcpu->guest_cr3 = 0;
	vcpu->guest_efer = 0;
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RIP, 0);
	vmcs_writel(GUEST_RFLAGS, 2);
	hv_vmcs_set_cr4(vcpu, 0);
	hv_vmcs_set_cr0(vcpu, X86_CR0_ET);	/* last: may enter vm86 mode */
	vmcs_writel(GUEST_DR7, 0x400);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ull);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vcpu->msr_apic_base = 0xfee00000ull | (1ull << 11) |
			      (vcpu->id == 0 ? 1ull << 8 : 0);
	/* what firmware leaves: fast strings, MTRRs on with WB default */
	vcpu->msr_misc_enable = HV_MISC_ENABLE_RESET;
	vcpu->msr_mtrr_def_type = HV_MTRR_DEF_TYPE_RESET;
	vcpu->xcr0 = 1;		/* x87 only, as after RESET (SDM Vol. 1 13.3) */
}
/* LAB 2: END guest_state */

/* Called once, with the new VMCS current on this CPU. */
int hv_vmcs_setup(struct hv_vcpu *vcpu)
{
	int ret = setup_controls(vcpu);

	if (ret)
		return ret;
	setup_host_state();
	setup_guest_state(vcpu);
	return 0;
}
