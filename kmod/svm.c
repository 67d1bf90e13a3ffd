// SPDX-License-Identifier: GPL-2.0
/*
 * svm.c - the AMD SVM backend (AMD APM Vol. 2, chapter 15): SVM on and off
 * on every CPU, one VMCB per vCPU, the run loop and its exit handlers.
 *
 * Turning SVM on in a CPU (cpu_svm_on) is EFER.SVME plus the physical
 * address of a host save area in VM_HSAVE_PA; a CPU whose EFER.SVME is
 * already set belongs to another hypervisor (kvm_amd): -EBUSY, as with
 * VMX.  VM_CR.SVMDIS set means the firmware turned SVM off.  Which CPUs,
 * and when (the first VM, CPU hotplug, suspend and resume), is hwvirt.c's
 * rule, shared with VMX.
 *
 * The VMCB (svm.h) is the VMCS's counterpart, but ordinary memory: the
 * host fills it with plain stores.  Each vCPU's VMCB intercepts what a
 * guest must not do to the host: host interrupts and NMIs (so the host
 * keeps its CPU), every port (an all-ones I/O permission map) and every
 * MSR (an all-ones MSR permission map), CPUID, HLT, VMMCALL, SHUTDOWN,
 * every SVM instruction, XSETBV, #DB, #AC and #MC as on VMX (vm.h,
 * HV_EXC_ALWAYS), and #UD, which turns Intel's VMCALL into VMMCALL.
 * Guest memory is mapped by nested paging (NPT), built
 * on demand from the memory slots by ept.c in the ordinary x86-64 page
 * table format (vm->npt).  Each vCPU has its own ASID, and its TLB
 * entries are flushed when it moves to another CPU.
 *
 * Exits are turned into hvlab's common reasons (include/uapi/hvlab.h):
 * IOIO -> HVLAB_EXIT_IO (EXITINFO1 gives port, size, direction; the next
 * RIP comes from NRIP), HLT -> HVLAB_EXIT_HLT, VMMCALL ->
 * HVLAB_EXIT_HYPERCALL, SHUTDOWN -> HVLAB_EXIT_SHUTDOWN; CPUID is answered
 * here from pure_cpuid.c.  HVLAB_INJECT's event goes into EVENTINJ, with
 * a virtual interrupt request as the interrupt window; an injected NMI
 * blocks the next one until its handler's IRET, which is intercepted
 * (nmi_after_exit).  The statistics
 * count each exit under the VMX basic reason it corresponds to, so `hvlab
 * run --stats` reads the same on both vendors.  A nested page fault
 * outside every slot is MMIO, emulated by mmio.c as on VMX.  Shadow paging
 * (HVLAB_VM_SHADOW_PAGING) is shadow.c's, wired to the VMCB in its own
 * section below.  MSRs go through msr.c's allow-list, as on VMX.
 * HVLAB_VM_TRAP_EXCEPTIONS intercepts every exception vector and reports
 * each one as exit.c does on VMX (svm_exception).  The guest's debug
 * registers: DR6 and DR7 in the VMCB, DR0-3 kept in the vCPU and loaded
 * around VMRUN when the guest's DR7 enables a breakpoint (svm_dr_exit,
 * run_once).  Not done yet (docs/svm.md): HVLAB_SET_DEBUG.
 */
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/nospec-branch.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/reboot.h>

#include "compat.h"
#include "host_state.h"
#include "hvlab.h"
#include "pure_cpuid.h"
#include "pure_event.h"
#include "pure_insn.h"
#include "pure_svm_io.h"
#include "pure_walk.h"
#include "svm.h"
#include "vm.h"

struct svm_cpu {
	void *hsave;		/* VM_HSAVE_PA: VMRUN's save area for the host */
	void *host_vmcb;	/* VMSAVE/VMLOAD of the host's hidden state */
	u64 host_tsc_aux;	/* this CPU's TSC_AUX, when RDPID reads it */
	bool on;		/* hvlab set EFER.SVME here */
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);
static DEFINE_IDA(asid_ida);
static struct hvlab_caps caps;
static u32 svm_features;	/* CPUID 0x8000000A:EDX */

#define SVM_PAUSE_COUNT	3000	/* PAUSEs before a PAUSE exit (svm_vcpu_setup) */
static u32 nr_asids;		/* CPUID 0x8000000A:EBX */
static void *iopm, *msrpm;	/* all ones: every port and MSR exits */

#define IOPM_ORDER	2	/* 12 KiB used (APM 15.10.1), 16 allocated */
#define MSRPM_ORDER	1	/* 8 KiB (APM 15.11) */

static const struct hvlab_caps *svm_caps(void)
{
	return &caps;
}

/* EFER.SVME on this CPU (APM 15.4); IRQs off.  -EBUSY: someone else's. */
static int cpu_svm_on(struct svm_cpu *c)
{
	u64 efer, vm_cr;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	/* an emulator without VM_CR (Bochs) has no firmware switch either */
	if (!rdmsrl_safe(MSR_VM_CR_HV, &vm_cr) && (vm_cr & VM_CR_SVMDIS))
		return -ENODEV;
	wrmsrl(MSR_VM_HSAVE_PA_HV, __pa(c->hsave));
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	/* the kernel wrote it once, at boot (CPU and node numbers) */
	if (boot_cpu_has(X86_FEATURE_RDPID))
		rdmsrl(MSR_TSC_AUX, c->host_tsc_aux);
	c->on = true;
	return 0;
}

static void cpu_svm_off(struct svm_cpu *c)
{
	u64 efer;

	if (!c->on)
		return;
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA_HV, 0);
	c->on = false;
}

/* Reboot or crash: leave SVM with GIF set, or INIT stays blocked. */
static void svm_emergency_off(void)
{
	struct svm_cpu *c = this_cpu_ptr(&svm_cpu);

	if (c->on) {
		asm volatile("stgi" ::: "memory");
		cpu_svm_off(c);
	}
}

/* hv_ops->cpu_on and cpu_off, for hwvirt.c: this CPU, interrupts off */
static int svm_cpu_on(void)
{
	return cpu_svm_on(this_cpu_ptr(&svm_cpu));
}

static void svm_cpu_off(void)
{
	cpu_svm_off(this_cpu_ptr(&svm_cpu));
}

/*
 * hv_ops->probe_cpu: EFER.SVME set and cleared again here.  The enable
 * bit found and left behind is reported in the cr4_vmxe fields, SVM's
 * counterpart of CR4.VMXE: another hypervisor's must stay set.
 */
static void svm_probe_cpu(void *arg)
{
	struct hvlab_probe_cpu *r = arg;
	struct svm_cpu *c = this_cpu_ptr(&svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	r->cr4_vmxe_before = !!(efer & EFER_SVME);
	if (c->on) {
		r->owner = HVLAB_OWNER_HVLAB;
	} else {
		r->result = cpu_svm_on(c);
		cpu_svm_off(c);
	}
	rdmsrl(MSR_EFER, efer);
	r->cr4_vmxe_after = !!(efer & EFER_SVME);
}

static void free_percpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *c = &per_cpu(svm_cpu, cpu);

		free_page((unsigned long)c->hsave);
		free_page((unsigned long)c->host_vmcb);
		c->hsave = NULL;
		c->host_vmcb = NULL;
	}
	free_pages((unsigned long)iopm, IOPM_ORDER);
	free_pages((unsigned long)msrpm, MSRPM_ORDER);
	iopm = NULL;
	msrpm = NULL;
}

static int svm_hw_init(void)
{
	u32 eax, ebx, ecx, edx;
	int cpu;

	BUILD_BUG_ON(sizeof(struct vmcb_control) != 0x400);
	BUILD_BUG_ON(offsetof(struct vmcb, s.cpl) != 0x4cb);
	BUILD_BUG_ON(offsetof(struct vmcb, s.cr4) != 0x548);
	BUILD_BUG_ON(offsetof(struct vmcb, s.rax) != 0x5f8);
	BUILD_BUG_ON(offsetof(struct vmcb, s.cr2) != 0x640);
	BUILD_BUG_ON(offsetof(struct vmcb, s.g_pat) != 0x668);

	if (!(cpuid_ecx(0x80000001) & (1u << 2))) {
		pr_err("hvlab: this AMD CPU does not offer SVM (CPUID 8000_0001h:ECX.SVM=0). Inside a VM, enable nested AMD-V in the host (KVM: kvm_amd nested=1).\n");
		return -ENODEV;
	}
	cpuid(0x8000000a, &eax, &ebx, &ecx, &edx);
	svm_features = edx;
	nr_asids = ebx;
	caps.api_version = HVLAB_API_VERSION;
	caps.online_cpus = num_online_cpus();
	caps.features = HVLAB_CAP_SVM | HVLAB_CAP_IO_BITMAPS |
			HVLAB_CAP_MSR_BITMAPS;
	if (edx & SVM_FEAT_NPT)
		caps.features |= HVLAB_CAP_NPT;
	if (edx & SVM_FEAT_NRIP)
		caps.features |= HVLAB_CAP_NRIP;
	if (edx & SVM_FEAT_FLUSH_ASID)
		caps.features |= HVLAB_CAP_FLUSH_ASID;
	if (edx & SVM_FEAT_DECODE)
		caps.features |= HVLAB_CAP_DECODE_ASSISTS;
	caps.status = HVLAB_STATUS_OK;
	if (!(edx & SVM_FEAT_NPT) || !(edx & SVM_FEAT_NRIP) || nr_asids < 2) {
		caps.status = HVLAB_STATUS_NO_FEATURES;
		pr_err("hvlab: this CPU's SVM lacks what hvlab needs (nested paging and NRIP save); CPUID 8000_000Ah:EDX=%#x\n",
		       edx);
		return -ENODEV;
	}

	for_each_possible_cpu(cpu) {
		struct svm_cpu *c = &per_cpu(svm_cpu, cpu);

		c->hsave = (void *)get_zeroed_page(GFP_KERNEL);
		c->host_vmcb = (void *)get_zeroed_page(GFP_KERNEL);
		if (!c->hsave || !c->host_vmcb)
			goto nomem;
	}
	iopm = (void *)__get_free_pages(GFP_KERNEL, IOPM_ORDER);
	msrpm = (void *)__get_free_pages(GFP_KERNEL, MSRPM_ORDER);
	if (!iopm || !msrpm)
		goto nomem;
	memset(iopm, 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(msrpm, 0xff, PAGE_SIZE << MSRPM_ORDER);
	return 0;
nomem:
	free_percpu_pages();
	return -ENOMEM;
}

static void svm_hw_exit(void)
{
	free_percpu_pages();
}

/*
 * What a VM may ask for: nested or shadow paging, CR3 traps (the shadow
 * paging section below) and every exception shown (svm_exception): all
 * of HVLAB_CREATE_VM's flags.
 */
static int svm_vm_check(unsigned long flags)
{
	return 0;
}

static void svm_sh_setup(struct hv_vcpu *vcpu);
static int svm_sh_reload(struct hv_vcpu *vcpu);
static void svm_sh_get_sregs(struct hv_vcpu *vcpu, struct hvlab_sregs *s);
static int svm_sh_set_sregs(struct hv_vcpu *vcpu,
			    const struct hvlab_sregs *s);
static int svm_sh_set_efer(struct hv_vcpu *vcpu, u64 val);
static void svm_guest_regs(struct hv_vcpu *vcpu, struct hvlab_gwalk_ctx *ctx);

/* ---- the vCPU: vcpu->vmcs holds its VMCB, vcpu->vpid its ASID ------- */

static struct vmcb *to_vmcb(struct hv_vcpu *vcpu)
{
	return vcpu->vmcs;
}

static int svm_vcpu_create(struct hv_vcpu *vcpu)
{
	int asid;

	vcpu->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->vmcs)
		return -ENOMEM;
	/* ASID 0 is the host's: VMRUN refuses it (APM 15.5.1) */
	asid = ida_alloc_range(&asid_ida, 1, nr_asids - 1, GFP_KERNEL);
	if (asid < 0)
		return asid;
	vcpu->vpid = asid;
	return 0;
}

static void svm_vcpu_free(struct hv_vcpu *vcpu)
{
	if (vcpu->vpid)
		ida_free(&asid_ida, vcpu->vpid);
	vcpu->vpid = 0;
	free_page((unsigned long)vcpu->vmcs);
	vcpu->vmcs = NULL;
}

static void set_seg(struct vmcb_seg *v, u16 sel, u64 base, u32 limit,
		    u16 attrib)
{
	v->selector = sel;
	v->base = base;
	v->limit = limit;
	v->attrib = attrib;
}

/* The VMCB of a CPU after RESET (APM Vol. 2 14.1.3), in real mode. */
static int svm_vcpu_setup(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);
	struct vmcb_control *c = &v->c;
	struct vmcb_save *s = &v->s;

	/*
	 * MOV to and from DR0-7: VMRUN switches only DR6 and DR7, so a
	 * guest that could use DR0-3 directly would read the host's
	 * watchpoint addresses and leave its own in the host's registers.
	 * Every access exits and is emulated (svm_dr_exit).
	 */
	c->intercept_dr = 0xffffffff;
	/* and #UD, for Intel's VMCALL (handle_exit) */
	c->intercept_exc = hv_exception_bitmap(vcpu) | BIT(6);
	c->intercept3 = SVM_I3_INTR | SVM_I3_NMI | SVM_I3_SMI | SVM_I3_INIT |
			SVM_I3_CPUID | SVM_I3_INVD | SVM_I3_HLT |
			SVM_I3_INVLPGA | SVM_I3_IOIO | SVM_I3_MSR |
			SVM_I3_SHUTDOWN;
	/* the VMRUN intercept is mandatory (APM 15.5.1) */
	c->intercept4 = SVM_I4_VMRUN | SVM_I4_VMMCALL | SVM_I4_VMLOAD |
			SVM_I4_VMSAVE | SVM_I4_STGI | SVM_I4_CLGI |
			SVM_I4_SKINIT | SVM_I4_XSETBV |
			/* TSC_AUX is the host's (CPUID hides RDTSCP) */
			SVM_I4_RDTSCP |
			/* no flush of the host's caches at the guest's will */
			SVM_I4_WBINVD | SVM_I4_MONITOR | SVM_I4_MWAIT;
	/*
	 * PAUSE filtering (APM 15.14.4): after this many PAUSEs in one run
	 * of the guest, an exit.  A vCPU spinning on a lock or a flag then
	 * comes back to the run loop, which checks for signals and lets the
	 * scheduler run others (hv_run_check), instead of keeping the CPU
	 * until the host's next interrupt; KVM's default count.
	 */
	if (svm_features & SVM_FEAT_PAUSE_FILTER) {
		c->intercept3 |= SVM_I3_PAUSE;
		c->pause_count = SVM_PAUSE_COUNT;
	}
	c->iopm_base_pa = __pa(iopm);
	c->msrpm_base_pa = __pa(msrpm);
	c->asid = vcpu->vpid;
	c->tlb_control = 1;
	/* the guest's RFLAGS.IF masks only virtual interrupts (15.21.1) */
	c->v_intr = SVM_VINTR_MASKING;
	c->np_enable = 1;
	c->n_cr3 = __pa(vcpu->vm->ept_root);

	set_seg(&s->cs, 0xf000, 0xffff0000, 0xffff, 0x9b);
	set_seg(&s->ds, 0, 0, 0xffff, 0x93);
	set_seg(&s->es, 0, 0, 0xffff, 0x93);
	set_seg(&s->fs, 0, 0, 0xffff, 0x93);
	set_seg(&s->gs, 0, 0, 0xffff, 0x93);
	set_seg(&s->ss, 0, 0, 0xffff, 0x93);
	set_seg(&s->tr, 0, 0, 0xffff, 0x8b);
	set_seg(&s->ldtr, 0, 0, 0xffff, 0x82);
	set_seg(&s->gdtr, 0, 0, 0xffff, 0);
	set_seg(&s->idtr, 0, 0, 0xffff, 0);
	s->cr0 = X86_CR0_ET;
	s->efer = EFER_SVME;	/* VMRUN requires it in the guest's EFER */
	s->rflags = X86_EFLAGS_FIXED;
	s->rip = 0xfff0;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = 0x0007040600070406ull;	/* the reset PAT */
	vcpu->msr_apic_base = 0xfee00000 | (1 << 11) | (vcpu->id ? 0 : 1 << 8);
	/* what firmware leaves, as on VMX (vmcs.c) */
	vcpu->msr_misc_enable = HV_MISC_ENABLE_RESET;
	vcpu->msr_mtrr_def_type = HV_MTRR_DEF_TYPE_RESET;
	vcpu->xcr0 = 1;		/* x87 only, as after RESET (SDM Vol. 1 13.3) */
	svm_sh_setup(vcpu);
	return vcpu->shadow ? svm_sh_reload(vcpu) : 0;
}

static void svm_vcpu_load(struct hv_vcpu *vcpu, bool ioctl)
{
	int cpu = smp_processor_id();

	/* another CPU's TLB may hold stale entries of this ASID */
	if (vcpu->cpu != cpu) {
		vcpu->cpu = cpu;
		vcpu->launched = false;
		/* another guest may have run here: IBPB, as on a VMCS switch */
		indirect_branch_prediction_barrier();
	}
}

/* ---- registers ------------------------------------------------------ */

static void svm_get_regs(struct hv_vcpu *vcpu, struct hvlab_regs *r)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;

	r->rsp = s->rsp;
	r->rip = s->rip;
	r->rflags = s->rflags;
}

static void svm_set_regs(struct hv_vcpu *vcpu, const struct hvlab_regs *r)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;

	s->rsp = r->rsp;
	s->rip = r->rip;
	/* bit 1 is fixed to 1, the reserved bits to 0 (SDM Vol. 1 3.4.3) */
	s->rflags = (r->rflags & 0x3f7fd7) | X86_EFLAGS_FIXED;
}

/* The VMCB packs the attributes of a segment in 12 bits (APM 15.5.1). */
static void seg_out(const struct vmcb_seg *v, struct hvlab_segment *s)
{
	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->type = v->attrib & 15;
	s->s = (v->attrib >> 4) & 1;
	s->dpl = (v->attrib >> 5) & 3;
	s->present = (v->attrib >> 7) & 1;
	s->avl = (v->attrib >> 8) & 1;
	s->l = (v->attrib >> 9) & 1;
	s->db = (v->attrib >> 10) & 1;
	s->g = (v->attrib >> 11) & 1;
	s->unusable = !s->present;
}

static void seg_in(struct vmcb_seg *v, const struct hvlab_segment *s)
{
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->attrib = (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
		    (s->present && !s->unusable) << 7 | (s->avl & 1) << 8 |
		    (s->l & 1) << 9 | (s->db & 1) << 10 | (s->g & 1) << 11;
}

static void svm_get_sregs(struct hv_vcpu *vcpu, struct hvlab_sregs *s)
{
	struct vmcb_save *v = &to_vmcb(vcpu)->s;

	memset(s, 0, sizeof(*s));
	seg_out(&v->cs, &s->cs);
	seg_out(&v->ds, &s->ds);
	seg_out(&v->es, &s->es);
	seg_out(&v->fs, &s->fs);
	seg_out(&v->gs, &s->gs);
	seg_out(&v->ss, &s->ss);
	seg_out(&v->tr, &s->tr);
	seg_out(&v->ldtr, &s->ldt);
	s->gdt.base = v->gdtr.base;
	s->gdt.limit = v->gdtr.limit;
	s->idt.base = v->idtr.base;
	s->idt.limit = v->idtr.limit;
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->efer = v->efer & ~EFER_SVME;	/* hvlab's, not the guest's */
	s->apic_base = vcpu->msr_apic_base;
	if (vcpu->shadow)	/* the CPU's are hvlab's: see svm_sh_apply */
		svm_sh_get_sregs(vcpu, s);
}

#define SVM_EFER_GUEST	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static int svm_set_sregs(struct hv_vcpu *vcpu, const struct hvlab_sregs *s)
{
	struct vmcb_save *v = &to_vmcb(vcpu)->s;

	if ((s->efer & ~SVM_EFER_GUEST) || (s->cr0 >> 32) ||
	    (s->cr4 & ~(u64)HV_CR4_GUEST_ALLOWED) || s->cr8 > 15 ||
	    s->gdt.limit > 0xffff || s->idt.limit > 0xffff)
		return -EINVAL;
	seg_in(&v->cs, &s->cs);
	seg_in(&v->ds, &s->ds);
	seg_in(&v->es, &s->es);
	seg_in(&v->fs, &s->fs);
	seg_in(&v->gs, &s->gs);
	seg_in(&v->ss, &s->ss);
	seg_in(&v->tr, &s->tr);
	seg_in(&v->ldtr, &s->ldt);
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->efer = s->efer | EFER_SVME;
	/* the CPL is SS.DPL, 0 in real mode (APM 15.5.1) */
	v->cpl = (s->cr0 & X86_CR0_PE) ? s->ss.dpl & 3 : 0;
	vcpu->msr_apic_base = s->apic_base;
	return vcpu->shadow ? svm_sh_set_sregs(vcpu, s) : 0;
}

static void window(struct vmcb *v, bool on);
static void nmi_unmask(struct hv_vcpu *vcpu);

static int svm_clear_event(struct hv_vcpu *vcpu, const struct hvlab_event *e)
{
	if (e->vector || e->has_error_code || e->error_code)
		return -EINVAL;
	/* an NMI not delivered yet blocks nothing */
	if ((to_vmcb(vcpu)->c.event_inj & (SVM_EVT_VALID | 0x700)) ==
	    (SVM_EVT_VALID | SVM_EVT_NMI))
		nmi_unmask(vcpu);
	vcpu->event_pending = false;
	to_vmcb(vcpu)->c.event_inj = 0;
	window(to_vmcb(vcpu), false);
	return 0;
}

/* ---- exits ---------------------------------------------------------- */

/* hv_ops->skip_insn: past len bytes; the STI/MOV-SS shadow ends */
static void svm_skip(struct hv_vcpu *vcpu, unsigned int len)
{
	struct vmcb *v = to_vmcb(vcpu);

	v->s.rip += len;
	v->c.int_state &= ~1ull;
}

/*
 * The length of the instruction that exited: NRIP save (APM 15.7.1),
 * which svm_hw_init requires, gives the next RIP for intercepted
 * instructions.  A nested page fault has none: the decoder's length.
 */
static unsigned int insn_len(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);

	return v->c.next_rip - v->s.rip;
}

static void skip_insn(struct hv_vcpu *vcpu)
{
	svm_skip(vcpu, insn_len(vcpu));
}

/* hv_ops->get_gpr/set_gpr: RSP is the VMCB's, the rest vcpu->gpr */
static unsigned long svm_get_gpr(struct hv_vcpu *vcpu, int n)
{
	return n == HV_RSP ? to_vmcb(vcpu)->s.rsp : vcpu->gpr[n];
}

static void svm_set_gpr(struct hv_vcpu *vcpu, int n, unsigned long val)
{
	if (n == HV_RSP)
		to_vmcb(vcpu)->s.rsp = val;
	else
		vcpu->gpr[n] = val;
}

static void inject_exc(struct hv_vcpu *vcpu, u8 vector, bool has_err,
		       u32 err)
{
	struct vmcb *v = to_vmcb(vcpu);

	if (!(v->s.cr0 & X86_CR0_PE))
		has_err = false;
	v->c.event_inj = SVM_EVT_VALID | SVM_EVT_EXC | vector |
			 (has_err ? SVM_EVT_ERR | ((u64)err << 32) : 0);
}

static int handle_cpuid(struct hv_vcpu *vcpu)
{
	u32 leaf = vcpu->gpr[HV_RAX], sub = vcpu->gpr[HV_RCX];
	struct vmcb *vm = to_vmcb(vcpu);
	struct hv_cpuid_vcpu v = {
		.apic_id = vcpu->id,
		.osxsave = !!(vm->s.cr4 & X86_CR4_OSXSAVE),
		.apic_enabled = !!(vcpu->msr_apic_base & HV_APIC_BASE_EN),
		.host_max_basic = boot_cpu_data.cpuid_level,
		.host_max_ext = boot_cpu_data.extended_cpuid_level,
	};
	struct hv_cpuid host = { 0 }, out;

	vcpu->rec->info = leaf;		/* as on VMX (exit.c) */
	vcpu->rec->value = sub;
	if (leaf < HV_CPUID_HV_BASE || leaf >= 0x50000000)
		cpuid_count(leaf, sub, &host.eax, &host.ebx, &host.ecx,
			    &host.edx);
	hv_cpuid_guest(leaf, sub, &host, &v, &out);
	/* no nested SVM: CPUID 8000_0001h:ECX.SVM, and its leaf, read 0 */
	if (leaf == 0x80000001)
		out.ecx &= ~(1u << 2);
	if (leaf == 0x8000000a)
		memset(&out, 0, sizeof(out));
	vcpu->gpr[HV_RAX] = out.eax;
	vcpu->gpr[HV_RBX] = out.ebx;
	vcpu->gpr[HV_RCX] = out.ecx;
	vcpu->gpr[HV_RDX] = out.edx;
	skip_insn(vcpu);
	return 1;
}

/*
 * INS/OUTS, with or without REP, as exit_io.c does on VMX: up to 1 KiB or
 * the end of the page per exit.  The address size and OUTS's segment come
 * from EXITINFO1 (hv_svm_ioio_decode); INS always writes ES:rDI.
 * (__maybe_unused: lab 13's starter tree cuts out its only caller.)
 */
static int __maybe_unused string_io(struct hv_vcpu *vcpu, const struct hv_svm_io *io)
{
	struct vmcb *v = to_vmcb(vcpu);
	struct hvlab_run *run = vcpu->run;
	unsigned int size = io->size, seg = io->seg;
	bool in = io->in, rep = io->rep;
	u64 mask = io->addr_mask;
	const struct vmcb_seg *segs[] = {
		&v->s.es, &v->s.cs, &v->s.ss, &v->s.ds, &v->s.fs, &v->s.gs
	};
	bool down = v->s.rflags & X86_EFLAGS_DF;
	unsigned long *reg = &vcpu->gpr[in ? HV_RDI : HV_RSI];
	u64 lin, gpa, count, n;

	/* in 64-bit mode only FS and GS have a base (SDM Vol. 1 3.4.2.1) */
	lin = (*reg & mask) + ((v->s.efer & EFER_LMA) && (v->s.cs.attrib & BIT(9)) &&
			       seg < 4 ? 0 : segs[seg]->base);
	count = rep ? vcpu->gpr[HV_RCX] & mask : 1;
	if (!count) {
		skip_insn(vcpu);
		return 1;
	}
	n = down ? 1 : min3(count, (u64)sizeof(run->io_data) / size,
			     (PAGE_SIZE - (lin & ~PAGE_MASK)) / size);
	if (!n || hv_gva_to_gpa(vcpu, lin, &gpa) ||
	    (!in && hv_read_guest(vcpu->vm, gpa, run->io_data, n * size)))
		return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, lin,
					 v->c.exit_info1);
	/* the register effects do not depend on the data: apply them now */
	*reg = (*reg & ~mask) | ((*reg + (down ? -n : n) * size) & mask);
	if (rep)
		vcpu->gpr[HV_RCX] = (vcpu->gpr[HV_RCX] & ~mask) |
				    ((vcpu->gpr[HV_RCX] - n) & mask);
	/* REP with more to do: run the same instruction again (RIP stays) */
	vcpu->pending_len = rep && (vcpu->gpr[HV_RCX] & mask) ? 0 :
			    insn_len(vcpu);
	vcpu->io_count = n;
	vcpu->io_gpa = gpa;
	run->io.count = n;
	return 0;
}

/*
 * IOIO: the SVM side of exit_io.c's hv_handle_io.  EXITINFO1 (APM
 * 15.10.2) plays the part of VMX's exit qualification and instruction
 * information; NRIP that of the instruction length.
 */
static int handle_ioio(struct hv_vcpu *vcpu)
{
	/* LAB 13: BEGIN handle_ioio */
	struct vmcb *v = to_vmcb(vcpu);
	struct hvlab_run *run = vcpu->run;
	u32 info = v->c.exit_info1;
	struct hv_svm_io io;

	vcpu->rec->info = info;
	if (hv_svm_ioio_decode(info, &io))
		return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION,
					 v->c.exit_code, info);
	/* the backend-neutral I/O exit, as hv_handle_io fills it on VMX */
	run->exit_reason = HVLAB_EXIT_IO;
	run->io.direction = io.in ? HVLAB_IO_IN : HVLAB_IO_OUT;
	run->io.size = io.size;
	run->io.port = io.port;
	run->io.count = 1;
	run->io.data_offset = offsetof(struct hvlab_run, io_data);
	vcpu->io_size = io.size;
	vcpu->io_count = 0;
	vcpu->pending = io.in ? HV_PENDING_PIO_IN : HV_PENDING_PIO_OUT;
	if (io.str)
		return string_io(vcpu, &io);
	if (!io.in)
		memcpy(run->io_data, &vcpu->gpr[HV_RAX], io.size);
	vcpu->pending_len = insn_len(vcpu);	/* RIP moves when answered */
	return 0;
	/* LAB 13: END handle_ioio */
}

/*
 * VMMCALL, and Intel's VMCALL turned into it (handle_exit): len is the
 * instruction's length, which RIP moves past once the call is answered.
 */
static int handle_vmmcall(struct hv_vcpu *vcpu, unsigned int len)
{
	struct hvlab_run *run = vcpu->run;
	u64 nr = vcpu->gpr[HV_RAX];

	vcpu->rec->info = nr;
	if (nr == HVLAB_HC_NOP || (nr != HVLAB_HC_WALK &&
				   nr < HVLAB_HC_USER_BASE)) {
		vcpu->gpr[HV_RAX] = nr == HVLAB_HC_NOP ? 0 :
				    (unsigned long)-1000;	/* -ENOSYS */
		svm_skip(vcpu, len);
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
	vcpu->pending_len = len;
	return 0;
}

/*
 * The MSRs the VMCB holds (hv_svm_ops.msr_read/msr_write): msr.c checks
 * the value against the allow-list, these fetch and store it.  The
 * SYSCALL MSRs and KERNEL_GS_BASE stay in the vCPU (msr.c), copied into
 * the VMCB around each VMRUN (run_once).
 */
static u64 svm_msr_read(struct hv_vcpu *vcpu, u32 index)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;

	switch (index) {
	case MSR_IA32_TSC:
		return rdtsc() + to_vmcb(vcpu)->c.tsc_offset;
	case MSR_IA32_SYSENTER_CS:
		return s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return s->sysenter_eip;
	case MSR_IA32_CR_PAT:
		return s->g_pat;
	case MSR_EFER:	/* SVME is hvlab's, not the guest's */
		return vcpu->shadow ? vcpu->guest_efer : s->efer & ~EFER_SVME;
	case MSR_FS_BASE:
		return s->fs.base;
	case MSR_GS_BASE:
		return s->gs.base;
	default:
		return 0;	/* DEBUGCTL: only 0 is accepted (msr.c) */
	}
}

static int svm_msr_write(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;

	switch (index) {
	case MSR_IA32_TSC:
		to_vmcb(vcpu)->c.tsc_offset = val - rdtsc();
		break;
	case MSR_IA32_SYSENTER_CS:
		s->sysenter_cs = (u16)val;
		break;
	case MSR_IA32_SYSENTER_ESP:
		s->sysenter_esp = val;
		break;
	case MSR_IA32_SYSENTER_EIP:
		s->sysenter_eip = val;
		break;
	case MSR_IA32_CR_PAT:
		s->g_pat = val;
		break;
	case MSR_EFER:
		if (vcpu->shadow) {	/* the guest's own, kept in the vCPU */
			if (((val ^ vcpu->guest_efer) & EFER_LME) &&
			    (vcpu->guest_cr0 & X86_CR0_PG))
				return -1;
			return svm_sh_set_efer(vcpu, val) ? -1 : 0;
		}
		/* LME may not change while paging is on (SDM 10.8.5) */
		if (((val ^ s->efer) & EFER_LME) && (s->cr0 & X86_CR0_PG))
			return -1;
		/* LMA is the CPU's to set, when paging turns on */
		s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
		break;
	case MSR_FS_BASE:
		s->fs.base = val;
		break;
	case MSR_GS_BASE:
		s->gs.base = val;
		break;
	default:
		return -1;
	}
	return 0;
}

/*
 * RDMSR/WRMSR (EXITINFO1 bit 0: write): msr.c's allow-list and values,
 * as exit.c does on VMX; a refused MSR is #GP(0), counted in the stats.
 */
static int handle_msr(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);
	u32 index = vcpu->gpr[HV_RCX];
	bool write = v->c.exit_info1 & 1;
	u64 val = (vcpu->gpr[HV_RDX] << 32) | (u32)vcpu->gpr[HV_RAX];
	int err;

	vcpu->rec->info = index;
	err = write ? hv_msr_set(vcpu, index, val) :
		      hv_msr_get(vcpu, index, &val);
	if (err) {
		if (!hv_msr_access(index))
			hv_msr_note_refused(vcpu->stats, index, write);
		inject_exc(vcpu, 13, true, 0);
		return 1;
	}
	vcpu->rec->value = val;
	if (!write) {
		vcpu->gpr[HV_RAX] = (u32)val;
		vcpu->gpr[HV_RDX] = val >> 32;
	}
	skip_insn(vcpu);
	return 1;
}

/*
 * XSETBV: intercepted unconditionally (svm_vcpu_setup), so the guest's
 * XCR0 stays within what pure_cpuid.h allows (x87|SSE) and what run_once()
 * switches; anything else is #GP(0), as on VMX (exit.c).
 */
static int handle_xsetbv(struct hv_vcpu *vcpu)
{
	u64 val = (vcpu->gpr[HV_RDX] << 32) | (u32)vcpu->gpr[HV_RAX];

	vcpu->rec->value = val;
	if (!hv_xcr0_valid(vcpu->gpr[HV_RCX], val)) {
		inject_exc(vcpu, 13, true, 0);
		return 1;
	}
	vcpu->xcr0 = val;
	skip_insn(vcpu);
	return 1;
}

/*
 * hv_ops->insn_view, for mmio.c: CS:RIP and the mode it runs in, and the
 * bytes the CPU fetched, which decode assists put in the VMCB on a nested
 * page fault or an intercepted #PF (APM 15.33.2).
 */
static void svm_insn_view(struct hv_vcpu *vcpu, struct hv_insn_view *iv)
{
	struct vmcb *v = to_vmcb(vcpu);
	/* the VMCB's 12 attribute bits in the VMX access-rights layout */
	u32 cs_ar = (v->s.cs.attrib & 0xff) | ((v->s.cs.attrib & 0xf00) << 4);
	u64 code = v->c.exit_code;

	iv->rip_linear = v->s.cs.base + v->s.rip;
	iv->mode = insn_mode(!!(v->s.efer & EFER_LMA), cs_ar);
	iv->bytes = v->c.insn_bytes;
	iv->nbytes = code == SVM_EXIT_NPF || code == SVM_EXIT_EXCP_BASE + 14 ?
		     v->c.insn_len : 0;
}

/* hv_ops->seg_base: ES, CS, SS, DS, FS, GS (INSN_SEG_*) */
static u64 svm_seg_base(struct hv_vcpu *vcpu, int seg)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;
	const struct vmcb_seg *segs[] = {
		&s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs
	};

	return segs[seg]->base;
}

static void svm_set_rflags(struct hv_vcpu *vcpu, unsigned long rflags)
{
	to_vmcb(vcpu)->s.rflags = rflags;
}

/* Nested page fault: EXITINFO2 the GPA, EXITINFO1 the #PF-style code. */
static int handle_npf(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);
	u64 gpa = v->c.exit_info2, code = v->c.exit_info1;
	int ret;

	vcpu->rec->gpa = gpa;
	vcpu->rec->info = code;
	ret = hv_ept_fault(vcpu, gpa, code & 2);
	if (ret)
		return ret;
	/*
	 * Executing from a device (bit 4), or the CPU walking guest page
	 * tables that point outside its memory (bit 33): nothing to emulate.
	 */
	if ((code & BIT(4)) || (code & BIT_ULL(33)))
		return hv_internal_error(vcpu, HVLAB_INTERNAL_MMIO_DECODE, gpa,
					 code);
	/*
	 * The access belongs to an event's delivery (EXITINTINFO valid, APM
	 * 15.7.2): the IDT read or a push on the handler's stack, not the
	 * instruction at RIP, which emulating would skip.  As on VMX.
	 */
	if (v->c.exit_int_info & SVM_EVT_VALID)
		return hv_internal_error(vcpu, HVLAB_INTERNAL_DELIVERY_EV, gpa,
					 v->c.exit_int_info);
	return hv_mmio_exit(vcpu, gpa, code & 2);	/* mmio.c */
}

/* ---- shadow paging and CR3 traps (HVLAB_VM_SHADOW_PAGING, TRAP_CR3) -- */

/*
 * Shadow paging on SVM is shadow.c's, as on VMX: this section only wires
 * the VMCB to it (struct hv_paging_hw, vm.h) and turns SVM's intercepts
 * into the calls of vcpu->paging that cr.c and exit.c make on VMX.
 *
 * Nested paging is off, so the VMCB's CR3 is the loaded shadow root, and
 * the CPU translates every guest access through it.  SVM has no CR0/CR4
 * guest/host masks nor read shadows (VMX's, cr.c): every read and write
 * of CR0, CR3 and CR4 is intercepted (APM 15.9), the values the guest
 * wrote live in vcpu->guest_cr0/cr3/cr4/efer, and svm_sh_apply() derives
 * what the CPU runs with: CR0.PG and WP always on, CR4.PAE always on and
 * PSE, PGE, PCIDE and LA57 off (the shadow tables are PAE or 4-level, no
 * global or PCID tags), EFER.LME only once the guest's paging is on.
 *
 * Real mode: VMX runs it in vm86 mode (rmode.c).  SVM has "paged real
 * mode" instead (APM 15.19): VMRUN accepts CR0.PG=1 with PE=0, so a
 * real-mode guest runs as it is, through the shadow root's identity map
 * of guest-physical memory (guest paging off, shadow.c).
 *
 * Decode assists (CPUID 8000_000Ah:EDX bit 7, APM 15.33) give the GPR of
 * a MOV CR in EXITINFO1 and INVLPG's address; without them (Bochs's
 * zambezi) the instruction is decoded here (MOV CR, CLTS, and the
 * register forms of LMSW and SMSW), and INVLPG's memory operand by
 * pure_insn.c (insn_decode_mem).
 */

#define SVM_SH_CR4_OWNED (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | \
			  X86_CR4_PCIDE | X86_CR4_LA57)

/* What the CPU runs with, from what the guest wrote (top of section). */
static void svm_sh_apply(struct hv_vcpu *vcpu)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;
	unsigned long cr0 = vcpu->guest_cr0, cr4 = vcpu->guest_cr4;
	bool pg = cr0 & X86_CR0_PG;
	/* IA-32e mode follows EFER.LME && CR0.PG (APM Vol. 2 14.6) */
	bool lma = (vcpu->guest_efer & EFER_LME) && pg;

	vcpu->guest_efer = lma ? vcpu->guest_efer | EFER_LMA :
				 vcpu->guest_efer & ~EFER_LMA;
	/* PE stays the guest's: PE=0 with PG=1 is paged real mode */
	s->cr0 = (cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | X86_CR0_PG | X86_CR0_WP;
	s->cr4 = (cr4 & ~SVM_SH_CR4_OWNED) | X86_CR4_PAE;
	/* the identity map of guest paging off is no user mapping to refuse */
	if (!pg)
		s->cr4 &= ~(X86_CR4_SMEP | X86_CR4_SMAP);
	s->efer = (vcpu->guest_efer & ~(EFER_LME | EFER_LMA)) | EFER_SVME |
		  (lma ? EFER_LME | EFER_LMA : 0);
}

/* The guest's registers changed (sregs, CR0, CR4, EFER): new roots. */
static int svm_sh_reload(struct hv_vcpu *vcpu)
{
	svm_sh_apply(vcpu);
	return vcpu->paging->reload(vcpu);
}

static void svm_sh_setup(struct hv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->c;

	if (vcpu->shadow) {
		c->np_enable = 0;
		c->n_cr3 = 0;
		c->intercept_exc |= BIT(14);	/* every #PF fills or reflects */
		c->intercept_cr = SVM_CR_READ(0) | SVM_CR_READ(3) |
				  SVM_CR_READ(4) | SVM_CR_WRITE(0) |
				  SVM_CR_WRITE(3) | SVM_CR_WRITE(4);
		c->intercept3 |= SVM_I3_INVLPG;
		vcpu->guest_cr0 = X86_CR0_ET;
		vcpu->guest_cr4 = 0;
		vcpu->guest_cr3 = 0;
		vcpu->guest_efer = 0;
	} else if (vcpu->trap_cr3) {
		c->intercept_cr = SVM_CR_WRITE(3);
	}
}

static void svm_sh_get_sregs(struct hv_vcpu *vcpu, struct hvlab_sregs *s)
{
	s->cr0 = vcpu->guest_cr0;
	s->cr3 = vcpu->guest_cr3;
	s->cr4 = vcpu->guest_cr4;
	s->efer = vcpu->guest_efer;
}

static int svm_sh_set_sregs(struct hv_vcpu *vcpu, const struct hvlab_sregs *s)
{
	vcpu->guest_cr0 = s->cr0 | X86_CR0_ET;
	vcpu->guest_cr3 = s->cr3;
	vcpu->guest_cr4 = s->cr4;
	vcpu->guest_efer = s->efer & ~EFER_LMA;
	return svm_sh_reload(vcpu);
}

/* WRMSR to EFER under shadow paging: a change of LME or NXE, new roots */
static int svm_sh_set_efer(struct hv_vcpu *vcpu, u64 val)
{
	vcpu->guest_efer = (val & ~EFER_LMA) | (vcpu->guest_efer & EFER_LMA);
	return svm_sh_reload(vcpu);
}

/* ---- struct hv_paging_hw: what shadow.c and walk.c ask of the VMCB -- */

static void svm_guest_regs(struct hv_vcpu *vcpu, struct hvlab_gwalk_ctx *ctx)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;

	if (vcpu->shadow) {
		ctx->cr0 = vcpu->guest_cr0;
		ctx->cr3 = vcpu->guest_cr3;
		ctx->cr4 = vcpu->guest_cr4;
		ctx->efer = vcpu->guest_efer;
		return;
	}
	ctx->cr0 = s->cr0;
	ctx->cr3 = s->cr3;
	ctx->cr4 = s->cr4;
	ctx->efer = s->efer & ~EFER_SVME;
}

/* TLB_CONTROL at the next VMRUN: this ASID's entries go (run_once) */
static void svm_flush_all(struct hv_vcpu *vcpu)
{
	vcpu->launched = false;
}

static void svm_set_root(struct hv_vcpu *vcpu, u64 hpa)
{
	to_vmcb(vcpu)->s.cr3 = hpa;
	svm_flush_all(vcpu);
}

/*
 * One address: INVLPGA drops this CPU's translation of gva under the
 * vCPU's ASID (APM 15.16.3).  If the vCPU last ran on another CPU, the
 * move there flushes the whole ASID anyway (svm_vcpu_load).
 */
static void svm_flush(struct hv_vcpu *vcpu, u64 gva)
{
	if (gva == HV_FLUSH_ALL) {
		svm_flush_all(vcpu);
		return;
	}
	preempt_disable();
	if (vcpu->cpu == smp_processor_id())
		asm volatile("invlpga" : : "a" (gva), "c" ((u32)vcpu->vpid)
			     : "memory");
	preempt_enable();
}

static unsigned int svm_cpl(struct hv_vcpu *vcpu)
{
	return to_vmcb(vcpu)->s.cpl;
}

static unsigned long svm_rflags(struct hv_vcpu *vcpu)
{
	return to_vmcb(vcpu)->s.rflags;
}

/* EXITINTINFO: valid bit 31, type 10:8, vector 7:0, as VMX's format */
static u32 svm_vectoring(struct hv_vcpu *vcpu)
{
	return to_vmcb(vcpu)->c.exit_int_info;
}

/* reinject_interrupted() already put it in EVENTINJ: take it out */
static void svm_cancel_event(struct hv_vcpu *vcpu)
{
	to_vmcb(vcpu)->c.event_inj = 0;
}

/* VMRUN loads CR2 from the VMCB, not from vcpu->cr2 (APM 15.5.1) */
static void svm_sh_inject(struct hv_vcpu *vcpu, u8 vector, bool has_err,
			  u32 err)
{
	if (vector == 14)
		to_vmcb(vcpu)->s.cr2 = vcpu->cr2;
	inject_exc(vcpu, vector, has_err, err);
}

/*
 * For the exit fast path (svm_fastpath_exit): a #PF intercept that
 * interrupted no event delivery (EXITINTINFO, APM 15.7.2).  EXITINFO1 is
 * the error code, EXITINFO2 the address (APM 15.12.15).
 */
static bool svm_fast_pf_exit(struct hv_vcpu *vcpu, u64 *gva, u32 *error_code)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->c;

	if (c->exit_code != SVM_EXIT_EXCP_BASE + 14 ||
	    (c->exit_int_info & SVM_EVT_VALID))
		return false;
	*gva = c->exit_info2;
	*error_code = c->exit_info1;
	return true;
}

static const struct hv_paging_hw svm_paging_hw = {
	.guest_regs	= svm_guest_regs,
	.set_root	= svm_set_root,
	.flush		= svm_flush,
	.cpl		= svm_cpl,
	.rflags		= svm_rflags,
	.vectoring	= svm_vectoring,
	.cancel_event	= svm_cancel_event,
	.inject		= svm_sh_inject,
	.fast_pf_exit	= svm_fast_pf_exit,
	.mmio_exit	= hv_mmio_exit,
};

/* ---- the CR-access, INVLPG and #PF exits ----------------------------- */

enum svm_cr_op { CR_MOV_TO, CR_MOV_FROM, CR_CLTS, CR_LMSW, CR_SMSW };

struct svm_cr_insn {
	enum svm_cr_op op;
	int cr, gpr;
	unsigned int len;
};

/*
 * The instruction at CS:RIP under shadow paging, read through the loaded
 * shadow root: the CPU has just fetched it through that root, so its page
 * is mapped there, and every page a shadow entry maps is pinned.  No lock
 * and no sleep, unlike hv_fetch_insn (which walks the guest's tables and
 * takes the memory slots' lock), so the exit fast path can decode a MOV
 * CR with it.  The root is hvlab's own x86 table, PAE (4 PDPTEs, not
 * page-aligned) or 4-level, walked here by hand: its entries are written
 * by shadow.c only.  Up to the end of that page; 0 when it is not mapped.
 */
#define SVM_SH_ADDR	0x000ffffffffff000ull	/* bits 51:12 (SDM 4.5) */

static unsigned int svm_sh_fetch(struct hv_vcpu *vcpu, u8 *buf, int *mode)
{
	struct hv_insn_view iv = { };
	unsigned int level = vcpu->sh_levels, shift, n;
	u64 lin, table = vcpu->sh_root, e, hpa;

	svm_insn_view(vcpu, &iv);
	*mode = iv.mode;
	lin = iv.mode == 64 ? iv.rip_linear : (u32)iv.rip_linear;
	if (!vcpu->shadow || !table || (level != 3 && level != 4))
		return 0;
	for (;; level--) {
		shift = 12 + 9 * (level - 1);
		/* a PAE root has 4 entries (SDM 4.4.1) */
		e = ((u64 *)__va(table))[(lin >> shift) &
					 (level == 3 && vcpu->sh_levels == 3 ?
					  3 : 511)];
		if (!(e & HVLAB_PTE_P))
			return 0;
		if (level == 1 || ((e & HVLAB_PTE_PS) && level < vcpu->sh_levels))
			break;
		table = e & SVM_SH_ADDR;
	}
	hpa = (e & SVM_SH_ADDR & ~((1ull << shift) - 1)) |
	      (lin & ((1ull << shift) - 1));
	if (!pfn_valid(PHYS_PFN(hpa)))
		return 0;
	n = min_t(unsigned int, INSN_MAX_LEN, PAGE_SIZE - (lin & ~PAGE_MASK));
	memcpy(buf, __va(hpa), n);
	return n;
}

/*
 * Without decode assists: the instruction at CS:RIP (svm_sh_fetch, or,
 * may_sleep, hv_fetch_insn if that found too few bytes).  Legacy prefixes,
 * then REX in 64-bit mode (R extends the CR number, B the GPR: SDM Vol.
 * 2 2.2.1), then 0F 22 /r (MOV to CR), 0F 20 /r (MOV from CR), 0F 06
 * (CLTS), 0F 01 /6 (LMSW) or 0F 01 /4 (SMSW).  MOV CR ignores ModRM.mod
 * (always a register); LMSW and SMSW with a memory operand are not
 * handled.  MOV to and from a debug register (0F 23 /r, 0F 21 /r) has
 * the same form: d->cr is then the DR number (svm_dr_exit).  0 or -1.
 */
static int svm_cr_decode(struct hv_vcpu *vcpu, struct svm_cr_insn *d,
			 bool may_sleep)
{
	u8 b[INSN_MAX_LEN], rex = 0, modrm;
	int mode;
	unsigned int n = svm_sh_fetch(vcpu, b, &mode), i = 0;
	bool l64;

	if (n < INSN_MAX_LEN && may_sleep)
		n = hv_fetch_insn(vcpu, b, &mode);
	l64 = mode == 64;

	while (i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 ||
			 b[i] == 0xf3 || b[i] == 0x26 || b[i] == 0x2e ||
			 b[i] == 0x36 || b[i] == 0x3e || b[i] == 0x64 ||
			 b[i] == 0x65))
		i++;
	if (l64 && i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 2 > n || b[i] != 0x0f)
		return -1;
	if (b[i + 1] == 0x06) {
		d->op = CR_CLTS;
		d->cr = 0;
		d->len = i + 2;
		return 0;
	}
	if (i + 3 > n)
		return -1;
	modrm = b[i + 2];
	d->len = i + 3;
	d->gpr = (modrm & 7) | (rex & 1 ? 8 : 0);
	d->cr = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	switch (b[i + 1]) {
	case 0x22:
	case 0x23:
		d->op = CR_MOV_TO;
		return 0;
	case 0x20:
	case 0x21:
		d->op = CR_MOV_FROM;
		return 0;
	case 0x01:
		if ((modrm >> 6) != 3)
			return -1;
		d->cr = 0;
		d->op = ((modrm >> 3) & 7) == 6 ? CR_LMSW :
			((modrm >> 3) & 7) == 4 ? CR_SMSW : -1;
		return (int)d->op < 0 ? -1 : 0;
	}
	return -1;
}

/* A MOV to CR3 under nested paging (--trap-cr3): load it, report it. */
static int svm_npt_cr3(struct hv_vcpu *vcpu, unsigned long val)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;

	hv_cr3_note(vcpu, val, s->cr3);
	s->cr3 = (s->efer & EFER_LMA) ? val & ~(1ul << 63) : val;
	svm_flush_all(vcpu);	/* the guest's non-global entries go */
	return 0;
}

/* The emulated access; 0 done, 1 #GP, <0 an errno of hvlab's own. */
static int svm_cr_do(struct hv_vcpu *vcpu, const struct svm_cr_insn *d)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;
	unsigned long val = svm_get_gpr(vcpu, d->gpr), cr0 = vcpu->guest_cr0;
	/* EFER.LMA is the same in the guest's view and the CPU's */
	bool lma = s->efer & EFER_LMA, m64 = lma && (s->cs.attrib & BIT(9));

	/* outside 64-bit mode MOV CR moves 32 bits (SDM Vol. 2, MOV CR) */
	if (!m64)
		val = (u32)val;
	if (!vcpu->shadow)
		return d->op == CR_MOV_TO && d->cr == 3 ?
		       svm_npt_cr3(vcpu, val) : 1;
	switch (d->op) {
	case CR_MOV_FROM:
	case CR_SMSW:
		val = d->cr == 0 ? cr0 : d->cr == 3 ? vcpu->guest_cr3 :
		      vcpu->guest_cr4;
		if (d->op == CR_SMSW)
			val = (svm_get_gpr(vcpu, d->gpr) & ~0xfffful) |
			      (val & 0xffff);
		else if (!m64)
			val = (u32)val;
		vcpu->rec->value = val;
		svm_set_gpr(vcpu, d->gpr, val);
		return 0;
	case CR_CLTS:
		val = cr0 & ~X86_CR0_TS;
		break;
	case CR_LMSW:	/* sets PE but never clears it (SDM Vol. 2) */
		val = (cr0 & ~0xeul) | (val & 0xf) | (cr0 & X86_CR0_PE);
		break;
	case CR_MOV_TO:
		break;
	}
	vcpu->rec->value = val;
	if (d->cr == 3) {
		int err = hv_cr3_write(vcpu, val, vcpu->guest_cr3, lma);

		return err < 0 ? err : !!err;
	}
	if (d->cr == 0) {
		if (hv_cr0_check(val, vcpu->guest_cr4, vcpu->guest_efer))
			return 1;
		vcpu->guest_cr0 = val | X86_CR0_ET;
	} else {
		if (hv_cr4_check(val, lma))
			return 1;
		vcpu->guest_cr4 = val;
	}
	return svm_sh_reload(vcpu);
}

/*
 * The MOV CR svm_cr_exit_is_fast decoded, for svm_cr_exit right after it
 * on the same CPU (preemption off in between), so the instruction is not
 * fetched and decoded twice.  vcpu: whose it is, NULL once taken; the
 * slow path, preemptible, may look at another CPU's and finds it not its
 * own.
 */
struct svm_cr_fast {
	struct svm_cr_insn d;
	struct hv_vcpu *vcpu;
};

static DEFINE_PER_CPU(struct svm_cr_fast, svm_cr_fast);

/* The access of a CR exit: from decode assists or decoded here.  0 or -1. */
static int svm_cr_insn(struct hv_vcpu *vcpu, u64 code, struct svm_cr_insn *d,
		       bool may_sleep)
{
	struct vmcb *v = to_vmcb(vcpu);
	u64 info = v->c.exit_info1;
	struct svm_cr_fast *f = raw_cpu_ptr(&svm_cr_fast);

	if (READ_ONCE(f->vcpu) == vcpu) {	/* the fast path's, this exit */
		*d = f->d;
		WRITE_ONCE(f->vcpu, NULL);
		return 0;
	}
	if ((info & SVM_CR_INFO_MOV) && v->c.next_rip > v->s.rip) {
		d->op = code >= SVM_EXIT_WRITE_CR0 ? CR_MOV_TO : CR_MOV_FROM;
		d->cr = code & 15;
		d->gpr = info & 15;
		d->len = v->c.next_rip - v->s.rip;
		return 0;
	}
	if (svm_cr_decode(vcpu, d, may_sleep) || d->cr != (code & 15) ||
	    (code >= SVM_EXIT_WRITE_CR0) !=
	    (d->op == CR_MOV_TO || d->op == CR_CLTS || d->op == CR_LMSW))
		return -1;
	return 0;
}

/*
 * May the exit fast path (svm_fastpath_exit) handle this CR exit?  Under
 * shadow paging a read of CR0, CR3 or CR4 (MOV from CR, SMSW) is a
 * register copy; a MOV to CR3 is fast only when shadow.c keeps a root for
 * the new value (paging->cr3_cached, which leaves it for set_cr3 to take),
 * as cr.c's hv_cr_exit_is_fast decides on VMX.  The instruction must
 * decode without sleeping (decode assists, or svm_sh_fetch).  A CR0 or
 * CR4 write may rebuild the shadow tables, a trapped CR3 write goes to
 * userspace: slow path.  The handler is the ordinary one (svm_cr_exit),
 * which finds the same instruction and the same kept root.
 */
static enum hv_fast svm_cr_exit_is_fast(struct hv_vcpu *vcpu, u64 code)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->s;
	struct svm_cr_insn d;
	struct svm_cr_fast *f;
	unsigned long val;
	bool lma = s->efer & EFER_LMA;

	if (!vcpu->shadow || svm_cr_insn(vcpu, code, &d, false))
		return HV_FAST_NO;
	if (d.op != CR_MOV_FROM && d.op != CR_SMSW) {
		if (d.op != CR_MOV_TO || d.cr != 3 ||
		    !vcpu->paging->cr3_cached ||
		    (vcpu->vm->flags & HVLAB_VM_TRAP_CR3))
			return HV_FAST_NO;
		/* the value svm_cr_do and hv_cr3_write hand to set_cr3 */
		val = svm_get_gpr(vcpu, d.gpr);
		if (!(lma && (s->cs.attrib & BIT(9))))
			val = (u32)val;
		if (lma)
			val &= ~(1ul << 63);	/* the PCID "no flush" hint */
		if (!vcpu->paging->cr3_cached(vcpu, val))
			return HV_FAST_NO;
	}
	f = this_cpu_ptr(&svm_cr_fast);
	f->d = d;
	WRITE_ONCE(f->vcpu, vcpu);
	return HV_FAST_TABLE;
}

static int svm_cr_exit(struct hv_vcpu *vcpu, u64 code)
{
	struct vmcb *v = to_vmcb(vcpu);
	struct svm_cr_insn d;
	int ret;

	vcpu->rec->info = code;
	if (svm_cr_insn(vcpu, code, &d, true))
		return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, code,
					 v->s.rip);
	ret = svm_cr_do(vcpu, &d);
	if (ret < 0)
		return ret;
	if (ret) {
		inject_exc(vcpu, 13, true, 0);
		return 1;
	}
	svm_skip(vcpu, d.len);
	/* a trapped MOV to CR3 is reported to userspace (hv_cr3_note) */
	return !(d.op == CR_MOV_TO && d.cr == 3 &&
		 (vcpu->vm->flags & HVLAB_VM_TRAP_CR3));
}

/*
 * INVLPG's linear address without decode assists: the instruction at
 * CS:RIP, 0F 01 /7, its memory operand decoded by pure_insn.c.  In 64-bit
 * mode only FS and GS have a base (SDM Vol. 1 3.4.2.1).  0 or -1.
 */
static int svm_invlpg_decode(struct hv_vcpu *vcpu, u64 *lin,
			     unsigned int *len)
{
	struct vmcb *v = to_vmcb(vcpu);
	u8 bytes[INSN_MAX_LEN];
	int mode;
	unsigned int n = hv_fetch_insn(vcpu, bytes, &mode);
	struct insn_mem m;
	u64 gpr[HV_NR_GPRS];
	int i;

	for (i = 0; i < HV_NR_GPRS; i++)
		gpr[i] = svm_get_gpr(vcpu, i);
	if (insn_decode_mem(bytes, n, mode, gpr, v->s.rip, &m) ||
	    m.opcode != 0x01 || m.reg != 7 || m.seg > INSN_SEG_GS)
		return -1;
	*lin = m.ea + (mode == 64 && m.seg < INSN_SEG_FS ? 0 :
		       svm_seg_base(vcpu, m.seg));
	if (mode != 64)
		*lin &= 0xffffffffull;
	*len = m.len;
	return 0;
}

/* INVLPG: EXITINFO1 holds the linear address with decode assists (15.33.2) */
static int svm_invlpg_exit(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);
	unsigned int len;
	u64 lin;

	if (svm_features & SVM_FEAT_DECODE) {
		lin = v->c.exit_info1;
		len = v->c.next_rip - v->s.rip;
	} else if (svm_invlpg_decode(vcpu, &lin, &len)) {
		return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION,
					 SVM_EXIT_INVLPG, v->s.rip);
	}
	vcpu->rec->value = lin;
	vcpu->paging->invlpg(vcpu, lin);
	svm_skip(vcpu, len);
	return 1;
}

/* #PF: EXITINFO1 the error code, EXITINFO2 the address (APM 15.12.15) */
/* ---- exceptions and debug registers ---------------------------------- */

/* The vectors that push an error code (SDM Vol. 3 table 6-1; APM 8.2) */
#define SVM_EXC_WITH_CODE (BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | \
			   BIT(14) | BIT(17) | BIT(21) | BIT(29) | BIT(30))

/*
 * An intercepted exception: #DB and #AC always (HV_EXC_ALWAYS), every
 * vector with HVLAB_VM_TRAP_EXCEPTIONS (hv_exception_bitmap).  EXITINFO1
 * holds the error code and, for #PF, EXITINFO2 the address, which the
 * intercept kept out of CR2 (APM Vol. 2 15.12): it goes into the VMCB's
 * CR2 for the delivery.  INT3 and INTO are traps: the intercept leaves
 * RIP on the instruction and nRIP past it (APM 15.7.1), where the
 * guest's handler must return.  The exception goes back to the guest
 * through EVENTINJ.  With HVLAB_VM_TRAP_EXCEPTIONS it is also shown to
 * userspace as exit.c's show_exception() does on VMX: the same
 * run->exception, and in the exit record VMX's interruption-information
 * layout (EXITINTINFO's own, APM 15.7.2) in `info` and the error code in
 * `value`.  An exception raised while the CPU delivered another
 * (EXITINTINFO) becomes a #DF or a shutdown as the CPU would have made
 * it (pure_event.c).
 */
static int svm_exception(struct hv_vcpu *vcpu, u8 vector)
{
	struct vmcb *v = to_vmcb(vcpu);
	struct hvlab_run *run = vcpu->run;
	u64 first = v->c.exit_int_info;
	bool has_err = (SVM_EXC_WITH_CODE & BIT(vector)) &&
		       (v->s.cr0 & X86_CR0_PE);
	u32 err = has_err ? (u32)v->c.exit_info1 : 0;
	u32 type = SVM_EVT_EXC;

	if ((vector == 3 || vector == 4) && v->c.next_rip > v->s.rip) {
		svm_skip(vcpu, v->c.next_rip - v->s.rip);
		type = 6u << 8;	/* VMX's "software exception" */
	}
	if (vector == 14) {
		vcpu->cr2 = v->c.exit_info2;
		v->s.cr2 = vcpu->cr2;
	}
	if (!(vcpu->vm->flags & HVLAB_VM_TRAP_EXCEPTIONS)) {
		inject_exc(vcpu, vector, has_err, err);
		return 1;
	}
	memset(&run->exception, 0, sizeof(run->exception));
	run->exception.vector = vector;
	run->exception.delivered = vector;
	run->exception.has_error_code = has_err;
	run->exception.error_code = err;
	if (vector == 14)
		run->exception.address = vcpu->cr2;
	vcpu->rec->info = SVM_EVT_VALID | type | vector |
			  (has_err ? SVM_EVT_ERR : 0);
	vcpu->rec->value = err;
	run->exit_reason = HVLAB_EXIT_EXCEPTION;
	if ((first & SVM_EVT_VALID) && (first & 0x700) == SVM_EVT_EXC) {
		switch (hv_exception_merge(first & 0xff, vector)) {
		case HV_EXC_TRIPLE:
			v->c.event_inj = 0;
			run->exit_reason = HVLAB_EXIT_SHUTDOWN;
			return 0;
		case HV_EXC_DOUBLE:
			inject_exc(vcpu, 8, true, 0);
			run->exception.delivered = 8;
			return 0;
		case HV_EXC_SERIAL:
			break;
		}
	}
	inject_exc(vcpu, vector, has_err, err);
	return 0;
}

/*
 * MOV to or from DRn (EXITCODE 0x20-0x3F).  The guest's DR6 and DR7 are
 * the VMCB's, which VMRUN loads and #VMEXIT saves (APM 15.5.1); DR0-3
 * are vcpu->dr[], which run_once() puts in the hardware only while the
 * guest runs with a breakpoint enabled.  The register operand comes from
 * EXITINFO1 with decode assists (APM 15.33.1), else from the instruction.
 * DR4 and DR5 are DR6 and DR7 unless CR4.DE makes them #UD (SDM Vol. 3
 * 18.2.2); a MOV DR at CPL > 0 is #GP(0), as is a write of bits 63:32 of
 * DR6 or DR7.  Fixed bits are kept as the CPU keeps them (SDM 18.2.3-4).
 */
static int svm_dr_exit(struct hv_vcpu *vcpu, u64 code)
{
	struct vmcb *v = to_vmcb(vcpu);
	bool write = code >= SVM_EXIT_WRITE_DR0;
	bool m64 = (v->s.efer & EFER_LMA) && (v->s.cs.attrib & BIT(9));
	u64 cr4 = vcpu->shadow ? vcpu->guest_cr4 : v->s.cr4;
	struct svm_cr_insn d;
	int dr = code & 15;
	unsigned long val;

	vcpu->rec->info = code;
	if ((svm_features & SVM_FEAT_DECODE) && v->c.next_rip > v->s.rip) {
		d.gpr = v->c.exit_info1 & 15;
		d.len = v->c.next_rip - v->s.rip;
	} else if (svm_cr_decode(vcpu, &d, true) || d.cr != dr ||
		   (d.op != CR_MOV_TO && d.op != CR_MOV_FROM) ||
		   (d.op == CR_MOV_TO) != write) {
		return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, code,
					 v->s.rip);
	}
	if (dr > 7 || ((dr == 4 || dr == 5) && (cr4 & X86_CR4_DE))) {
		inject_exc(vcpu, 6, false, 0);
		return 1;
	}
	if (v->s.cpl) {
		inject_exc(vcpu, 13, true, 0);
		return 1;
	}
	if (dr == 4 || dr == 5)
		dr += 2;
	if (write) {
		val = svm_get_gpr(vcpu, d.gpr);
		if (!m64)
			val = (u32)val;
		if (dr >= 6 && (val >> 32)) {
			inject_exc(vcpu, 13, true, 0);
			return 1;
		}
		if (dr < 4)
			vcpu->dr[dr] = val;
		else if (dr == 6)	/* B0-3, BD, BS, BT; the rest fixed */
			v->s.dr6 = (val & 0xe00f) | 0xffff0ff0;
		else			/* bit 10 is 1, 11, 12, 14, 15 are 0 */
			v->s.dr7 = (val & 0xffff23ff) | 0x400;
	} else {
		val = dr < 4 ? vcpu->dr[dr] : dr == 6 ? v->s.dr6 : v->s.dr7;
		svm_set_gpr(vcpu, d.gpr, m64 ? val : (u32)val);
	}
	svm_skip(vcpu, d.len);
	return 1;
}

static int svm_pf_exit(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);

	vcpu->rec->info = v->c.exit_info1;
	return vcpu->paging->page_fault(vcpu, v->c.exit_info2,
					v->c.exit_info1);
}

static int svm_paging_exit(struct hv_vcpu *vcpu, u64 code)
{
	if (code == SVM_EXIT_INVLPG && vcpu->shadow)
		return svm_invlpg_exit(vcpu);
	if (code == SVM_EXIT_EXCP_BASE + 14)
		return vcpu->shadow ? svm_pf_exit(vcpu) : svm_exception(vcpu, 14);
	if (code < SVM_EXIT_WRITE_CR0 + 16)
		return svm_cr_exit(vcpu, code);
	return hv_internal_error(vcpu, HVLAB_INTERNAL_UNEXPECTED_EXIT, code,
				 to_vmcb(vcpu)->c.exit_info1);
}

/*
 * Intel's VMCALL (0f 01 c1) is #UD on an AMD CPU: VMMCALL (0f 01 d9) is
 * the hypercall there (APM Vol. 3, VMMCALL).  Guests written for VMX use
 * it all the same, so #UD is intercepted and the instruction at RIP
 * looked at: a VMCALL becomes the VMMCALL it stands for, anything else
 * gets its #UD back unchanged.  An exception intercept saves no next RIP
 * (APM 15.7.1), so the length is VMCALL's own, 3.  Only the bare opcode
 * is recognised, as KVM's emulator does in effect: prefixes on VMCALL
 * are reserved (SDM Vol. 2, VMCALL).
 */
#define VMCALL_LEN	3

static bool ud_is_vmcall(struct hv_vcpu *vcpu)
{
	u8 b[INSN_MAX_LEN];
	int mode;
	unsigned int n = hv_fetch_insn(vcpu, b, &mode);

	return n >= VMCALL_LEN && b[0] == 0x0f && b[1] == 0x01 && b[2] == 0xc1;
}

/*
 * NMI blocking (APM Vol. 2 15.20, 15.21; SDM Vol. 3 6.7.1): the CPU that
 * delivers an NMI holds the next one until the handler's IRET.  For an
 * NMI injected through EVENTINJ, SVM leaves that blocking to the
 * hypervisor (later CPUs have virtual NMIs, APM 15.21.10; Bochs's
 * zambezi has none), so the vCPU keeps it:
 *
 *  - injecting an NMI sets nmi_masked and the IRET intercept (inject_nmi);
 *  - the IRET intercept exits before the IRET executes (APM 15.9): the
 *    intercept goes and the IRET's RIP is kept, so it runs at re-entry;
 *  - the first later exit at another RIP shows that the guest got past
 *    the IRET, and NMIs are unblocked (nmi_after_exit).  An IRET that
 *    faults (a nested page fault on its stack) exits at its own RIP and
 *    leaves them blocked: it runs again.
 *
 * KVM hears the end of the IRET at once by single-stepping over it with
 * RFLAGS.TF; that is avoided here, since on Bochs 2.7 a single-step trap
 * still pending at an exit for another reason is taken by the host
 * (docs/svm.md).  What remains is a delay: from the IRET to the guest's
 * next exit its NMIs stay blocked, at most until the host's next
 * interrupt ends the run.  A queued NMI is injected at that exit.  When the
 * exit stopped the guest before an instruction ran (an intercepted
 * instruction, APM 15.9, a nested page fault, whose instruction restarts,
 * or a host interrupt) the exit is recorded but not handled
 * (nmi_goes_first): the NMI is taken at that instruction's boundary, as
 * the CPU would take an NMI arriving just then, and the instruction runs,
 * and exits, again after the handler's IRET.
 */
static void nmi_unmask(struct hv_vcpu *vcpu)
{
	vcpu->nmi_masked = false;
	vcpu->nmi_iret = false;
	to_vmcb(vcpu)->c.intercept3 &= ~SVM_I3_IRET;
}

/* Right after an exit: true when this exit ended NMI blocking. */
static bool nmi_after_exit(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);

	if (!vcpu->nmi_iret || v->s.rip == vcpu->nmi_iret_rip)
		return false;
	nmi_unmask(vcpu);
	return true;
}

static bool nmi_goes_first(struct hv_vcpu *vcpu, u64 code)
{
	struct vmcb *v = to_vmcb(vcpu);

	if (!vcpu->event_pending || vcpu->event.type != HVLAB_EVENT_NMI ||
	    (v->c.event_inj & SVM_EVT_VALID) || (v->c.int_state & 1))
		return false;
	switch (code) {
	case SVM_EXIT_READ_CR0 ... SVM_EXIT_WRITE_DR0 + 15:
	case SVM_EXIT_INTR ... SVM_EXIT_INIT:
	case SVM_EXIT_CPUID:
	case SVM_EXIT_INVD:
	case SVM_EXIT_PAUSE:
	case SVM_EXIT_HLT:
	case SVM_EXIT_INVLPG:
	case SVM_EXIT_IOIO:
	case SVM_EXIT_MSR:
	case SVM_EXIT_VMMCALL:
	case SVM_EXIT_WBINVD:
	case SVM_EXIT_XSETBV:
	case SVM_EXIT_NPF:
		return true;
	}
	return false;
}

/* The IRET of an injected NMI's handler, before it executes. */
static int handle_iret(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);

	v->c.intercept3 &= ~SVM_I3_IRET;
	vcpu->nmi_iret = true;
	vcpu->nmi_iret_rip = v->s.rip;
	return 1;
}

/* The VMX basic reason an SVM exit counts under in the statistics. */
static u32 stat_reason(u64 code)
{
	switch (code) {
	case SVM_EXIT_INTR:	return HVLAB_VMX_EXIT_EXTERNAL_INT;
	case SVM_EXIT_CPUID:	return HVLAB_VMX_EXIT_CPUID;
	case SVM_EXIT_IRET:	return HVLAB_VMX_EXIT_NMI_WINDOW;
	case SVM_EXIT_HLT:	return HVLAB_VMX_EXIT_HLT;
	case SVM_EXIT_IOIO:	return HVLAB_VMX_EXIT_IO;
	case SVM_EXIT_MSR:	return HVLAB_VMX_EXIT_RDMSR;	/* or WRMSR */
	case SVM_EXIT_SHUTDOWN:	return HVLAB_VMX_EXIT_TRIPLE_FAULT;
	case SVM_EXIT_VMMCALL:	return HVLAB_VMX_EXIT_VMCALL;
	case SVM_EXIT_NPF:	return HVLAB_VMX_EXIT_EPT_VIOLATION;
	case SVM_EXIT_INVD:	return HVLAB_VMX_EXIT_INVD;
	case SVM_EXIT_WBINVD:	return HVLAB_VMX_EXIT_WBINVD;
	case SVM_EXIT_READ_CR0 ... SVM_EXIT_WRITE_CR0 + 15:
				return HVLAB_VMX_EXIT_CR_ACCESS;
	case SVM_EXIT_INVLPG:	return HVLAB_VMX_EXIT_INVLPG;
	case SVM_EXIT_PAUSE:	return HVLAB_VMX_EXIT_PAUSE;
	case SVM_EXIT_XSETBV:	return HVLAB_VMX_EXIT_XSETBV;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR0 + 15:
				return HVLAB_VMX_EXIT_DR_ACCESS;
	default:		return HVLAB_VMX_EXIT_EXCEPTION_NMI;
	}
}

/*
 * Record an exit in the statistics and the exit ring, and handle it.
 * fast: how svm_fastpath_exit let the fast path take it (HV_FAST_NO on the
 * slow path); HV_FAST_PF is a shadow #PF shadow.c already handled.
 */
static int handle_exit(struct hv_vcpu *vcpu, enum hv_fast fast)
{
	struct vmcb *v = to_vmcb(vcpu);
	struct hvlab_stats *st = vcpu->stats;
	struct hvlab_exit_record *rec;
	u64 code = v->c.exit_code;
	/* a VMCALL's #UD counts as the hypercall it becomes */
	bool vmcall = code == SVM_EXIT_EXCP_BASE + 6 && ud_is_vmcall(vcpu);
	u32 basic = vmcall ? HVLAB_VMX_EXIT_VMCALL : stat_reason(code);
	bool nmi_first = nmi_after_exit(vcpu) && nmi_goes_first(vcpu, code);
	int ret;

	if (code == SVM_EXIT_MSR && (v->c.exit_info1 & 1))
		basic = HVLAB_VMX_EXIT_WRMSR;

	st->exits++;
	st->by_reason[basic]++;
	rec = &st->ring[st->head & (HVLAB_EXIT_RING_SIZE - 1)];
	/*
	 * The record keeps the hardware's own words, as run.c does on VMX:
	 * reason is the EXITCODE (APM Vol. 2 App. C), qualification EXITINFO1
	 * and gpa EXITINFO2 (a handler may set gpa, info and value after).
	 * Userspace knows them for SVM by HVLAB_CAP_SVM and names them.
	 */
	rec->tsc = rdtsc();
	rec->rip = v->s.rip;
	rec->qualification = v->c.exit_info1;
	rec->reason = (u32)code;
	rec->gpa = v->c.exit_info2;
	rec->info = 0;
	rec->value = 0;
	vcpu->rec = rec;
	vcpu->run->hw_exit_reason = basic;
	vcpu->run->exit_qualification = v->c.exit_info1;

	if (fast == HV_FAST_PF) {	/* as svm_pf_exit's slow fill records it */
		rec->tsc = vcpu->sh_fast_tsc;
		rec->info = v->c.exit_info1;
		rec->gpa = vcpu->sh_fast_gpa;
		rec->value = vcpu->sh_fast_gva;
		ret = 1;
		goto done;
	}
	if (nmi_first) {	/* the queued NMI first: see nmi_goes_first */
		/* a MOV CR the fast path decoded runs again later */
		WRITE_ONCE(raw_cpu_ptr(&svm_cr_fast)->vcpu, NULL);
		ret = 1;
		goto done;
	}
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		ret = 1;	/* the host's: it took it at STGI */
		break;
	case SVM_EXIT_EXCP_BASE + 18:	/* the host's machine check */
		hv_machine_check();
		ret = 1;
		break;
	case SVM_EXIT_EXCP_BASE ... SVM_EXIT_EXCP_BASE + 5:
	case SVM_EXIT_EXCP_BASE + 7 ... SVM_EXIT_EXCP_BASE + 13:
	case SVM_EXIT_EXCP_BASE + 15 ... SVM_EXIT_EXCP_BASE + 17:
	case SVM_EXIT_EXCP_BASE + 19 ... SVM_EXIT_EXCP_BASE + 31:
		ret = svm_exception(vcpu, code - SVM_EXIT_EXCP_BASE);
		break;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR0 + 15:
		ret = svm_dr_exit(vcpu, code);
		break;
	case SVM_EXIT_WBINVD:	/* and INVD: RAM here is always coherent */
	case SVM_EXIT_INVD:
		skip_insn(vcpu);
		ret = 1;
		break;
	case SVM_EXIT_VINTR:	/* the window is open */
		window(v, false);
		if (READ_ONCE(vcpu->run->request_interrupt_window) &&
		    !vcpu->event_pending) {
			vcpu->run->exit_reason = HVLAB_EXIT_IRQ_WINDOW_OPEN;
			ret = 0;
		} else {
			ret = 1;	/* inject_pending() on the way in */
		}
		break;
	case SVM_EXIT_CPUID:
		ret = handle_cpuid(vcpu);
		break;
	case SVM_EXIT_IRET:
		ret = handle_iret(vcpu);
		break;
	case SVM_EXIT_HLT:
		skip_insn(vcpu);
		/* an interrupt it can take now wakes it at once */
		if (vcpu->event_pending && (v->s.rflags & X86_EFLAGS_IF)) {
			ret = 1;
			break;
		}
		vcpu->run->exit_reason = HVLAB_EXIT_HLT;
		ret = 0;
		break;
	case SVM_EXIT_IOIO:
		ret = handle_ioio(vcpu);
		break;
	case SVM_EXIT_MSR:
		ret = handle_msr(vcpu);
		break;
	case SVM_EXIT_XSETBV:
		ret = handle_xsetbv(vcpu);
		break;
	case SVM_EXIT_PAUSE:	/* a spinning vCPU: back to the run loop */
		ret = 1;
		break;
	case SVM_EXIT_SHUTDOWN:
		vcpu->run->exit_reason = HVLAB_EXIT_SHUTDOWN;
		ret = 0;
		break;
	case SVM_EXIT_VMMCALL:
		ret = handle_vmmcall(vcpu, insn_len(vcpu));
		break;
	case SVM_EXIT_EXCP_BASE + 6:	/* #UD: Intel's VMCALL, or the guest's */
		if (vmcall)
			ret = handle_vmmcall(vcpu, VMCALL_LEN);
		else
			ret = svm_exception(vcpu, 6);
		break;
	case SVM_EXIT_NPF:
		ret = handle_npf(vcpu);
		break;
	case SVM_EXIT_READ_CR0 ... SVM_EXIT_WRITE_CR0 + 15:
	case SVM_EXIT_INVLPG:
	case SVM_EXIT_EXCP_BASE + 14:
		ret = svm_paging_exit(vcpu, code);
		break;
	case SVM_EXIT_VMRUN:	/* and below, the other SVM instructions */
	case SVM_EXIT_VMRUN + 2 ... SVM_EXIT_VMRUN + 6:
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
		inject_exc(vcpu, 6, false, 0);	/* #UD: CPUID hides them */
		ret = 1;
		break;
	case SVM_EXIT_INVALID:
		memset(&vcpu->run->fail_entry, 0,
		       sizeof(vcpu->run->fail_entry));
		vcpu->run->exit_reason = HVLAB_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason = code;
		strscpy(vcpu->run->fail_entry.check,
			"VMRUN: invalid guest state (APM 15.5.1)",
			sizeof(vcpu->run->fail_entry.check));
		ret = 0;
		break;
	default:
		ret = hv_internal_error(vcpu, HVLAB_INTERNAL_UNEXPECTED_EXIT,
					code, v->c.exit_info1);
		break;
	}
done:
	rec->cycles = rdtsc() - rec->tsc;
	smp_wmb();	/* the record before the head (see the uapi) */
	st->head++;
	return ret;
}

/*
 * An event the exit interrupted while the CPU was delivering it (a nested
 * page fault on the guest's IDT or stack, say) is in EXITINTINFO: it goes
 * back into EVENTINJ, or the guest would lose it (APM 15.7.2).  Software
 * interrupts (INTn, type 4) are not re-injected: RIP still points at the
 * INTn, which runs again.  Nor are the #BP and #OF of the guest's own
 * INT3 and INTO: EXITINTINFO calls them exceptions (type 3, APM 15.7.2),
 * but RIP is back on the instruction as well, so injected from there they
 * would push the INT3's own address where the handler expects the next
 * instruction's (Linux's int3 handler, finding no breakpoint one byte
 * before that address, resumes there, in the middle of an instruction).
 * Run again, the instruction raises its exception anew.  A #BP or #OF
 * that hvlab injected itself (`injected`, EVENTINJ at VMRUN) has no
 * instruction behind it and goes back.
 */
static void reinject_interrupted(struct hv_vcpu *vcpu, u64 injected)
{
	struct vmcb *v = to_vmcb(vcpu);
	u64 info = v->c.exit_int_info;
	u32 type = (info >> 8) & 7, vec = info & 0xff;

	v->c.event_inj = 0;
	if (!(info & SVM_EVT_VALID) || type == 4)
		return;
	if (type == 3 && (vec == 3 || vec == 4) &&
	    (!(injected & SVM_EVT_VALID) || (u32)injected != (u32)info))
		return;
	v->c.event_inj = info;
}

/*
 * HVLAB_INJECT's queued event, when the guest can take it: an exception
 * at once, an NMI outside the interrupt shadow, an interrupt when
 * RFLAGS.IF is set and no STI/MOV-SS shadow holds.  Until then a virtual
 * interrupt request (V_IRQ, TPR ignored) with the VINTR intercept makes
 * the CPU exit as soon as the guest could take one (APM 15.21.4): SVM's
 * interrupt window.
 */
static void window(struct vmcb *v, bool on)
{
	if (on) {
		v->c.v_intr |= SVM_VINTR_IRQ | SVM_VINTR_IGN_TPR;
		v->c.intercept3 |= SVM_I3_VINTR;
	} else {
		v->c.v_intr &= ~(SVM_VINTR_IRQ | SVM_VINTR_IGN_TPR);
		v->c.intercept3 &= ~SVM_I3_VINTR;
	}
}

/* blocked until the handler's IRET: see nmi_after_exit */
static void inject_nmi(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);

	v->c.event_inj = SVM_EVT_VALID | SVM_EVT_NMI | 2;
	v->c.intercept3 |= SVM_I3_IRET;
	vcpu->nmi_masked = true;
	vcpu->nmi_iret = false;
}

static void inject_pending(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);
	struct hvlab_event *e = &vcpu->event;
	bool shadow = v->c.int_state & 1;
	bool open = (v->s.rflags & X86_EFLAGS_IF) && !shadow;

	if (!vcpu->event_pending) {
		window(v, READ_ONCE(vcpu->run->request_interrupt_window));
		return;
	}
	if (v->c.event_inj & SVM_EVT_VALID)
		return;		/* an interrupted event goes first */
	if (e->type == HVLAB_EVENT_EXCEPTION) {
		inject_exc(vcpu, e->vector, e->has_error_code, e->error_code);
	} else if (e->type == HVLAB_EVENT_NMI && vcpu->nmi_masked) {
		/* the handler's IRET unblocks it (nmi_after_exit) */
		window(v, false);
		return;
	} else if (e->type == HVLAB_EVENT_NMI && !shadow) {
		inject_nmi(vcpu);
	} else if (e->type == HVLAB_EVENT_EXTINT && open) {
		v->c.event_inj = SVM_EVT_VALID | SVM_EVT_INTR |
				 (e->vector & 0xff);
	} else {
		window(v, true);
		return;
	}
	window(v, false);
	vcpu->event_pending = false;
}

/*
 * The benchmark floor (HVLAB_VM_BENCH_FLOOR, see the uapi and run.c's
 * bench_floor_cpuid): right after the #VMEXIT, GIF still clear and the
 * guest's FPU and XCR0 still loaded, a CPUID of the floor leaf is answered
 * and skipped (NRIP, APM 15.7.1) and the guest run again: no statistics,
 * no exit record, no checks.  Only a VM of a module loaded with
 * bench_floor=1 gets here (main.c); any other exit, a host interrupt's
 * included, leaves the loop for the ordinary path.
 */
static __always_inline bool svm_bench_floor(struct hv_vcpu *vcpu,
					    struct vmcb *v)
{
	if (v->c.exit_code != SVM_EXIT_CPUID ||
	    (u32)v->s.rax != HVLAB_CPUID_BENCH_FLOOR)
		return false;
	v->s.rax = HVLAB_BENCH_FLOOR_SIG;
	vcpu->gpr[HV_RBX] = 0;
	vcpu->gpr[HV_RCX] = 0;
	vcpu->gpr[HV_RDX] = 0;
	skip_insn(vcpu);
	v->c.event_inj = 0;	/* delivered: as reinject_interrupted does */
	v->c.tlb_control = 0;
	return true;
}

/* What run_once() puts back after each #VMEXIT, read once per stay. */
struct svm_host {
	u64 xcr0;
	u32 pkru;
	bool osxsave, ospke;
};

/*
 * One VMRUN (more for the benchmark floor), interrupts off, the guest's
 * FPU state loaded (run_guest).  GIF is clear from CLGI to STGI: the host
 * interrupt or NMI that ended the guest's run waits there, and is taken
 * at STGI (NMI) or when interrupts come back on.
 *
 * What VMRUN and #VMEXIT do not switch, and CR4 writes (not intercepted
 * under nested paging) would let the guest reach:
 *  - XCR0: the guest's, x87|SSE at most (its XSETBV exits), so it can
 *    never enable AVX state and read the host task's upper halves; where
 *    the host runs without OSXSAVE it is left loaded (host_state.h);
 *  - PKRU: a guest that sets CR4.PKE can WRPKRU; the host's value is put
 *    back before anything in the host touches user memory;
 *  - DR0-3: every MOV DR exits (svm_dr_exit).  VMRUN loads the guest's
 *    DR7, whose breakpoints would match the host's DR0-3: while it
 *    enables one, the guest's DR0-3 are loaded for the run (host DR7
 *    cleared first, so no host breakpoint matches meanwhile), and after
 *    the exit hw_breakpoint_restore() puts back the host's DR0-3, DR7
 *    and a clean DR6 (#VMEXIT leaves the guest's), as it does for a host
 *    breakpoint, as KVM and host_state.c on VMX do;
 *  - branch predictors: IBPB after the exit where the host's SRSO
 *    mitigation asks for it (X86_FEATURE_IBPB_ON_VMEXIT).
 */
static void run_once(struct hv_vcpu *vcpu, struct svm_cpu *c,
		     const struct svm_host *h)
{
	struct vmcb *v = to_vmcb(vcpu);
	u64 t = 0;
	bool guest_drs = v->s.dr7 & 0xff;	/* L0-3, G0-3 */

	if (h->osxsave) {
		if (h->xcr0 != vcpu->xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	} else {
		hv_xcr0_load_hostless(vcpu->xcr0);
	}
	if (unlikely(guest_drs)) {
		set_debugreg(0, 7);
		set_debugreg(vcpu->dr[0], 0);
		set_debugreg(vcpu->dr[1], 1);
		set_debugreg(vcpu->dr[2], 2);
		set_debugreg(vcpu->dr[3], 3);
	}
	if (!vcpu->launched) {
		/* APM 15.16.1: 3 flushes this ASID only, 1 the whole TLB */
		v->c.tlb_control = (svm_features & SVM_FEAT_FLUSH_ASID) ? 3 : 1;
		vcpu->launched = true;
	} else {
		v->c.tlb_control = 0;
	}
	v->s.rax = vcpu->gpr[HV_RAX];
	/* VMLOAD switches these; msr.c keeps their values (see its top) */
	v->s.star = vcpu->msr_star;
	v->s.lstar = vcpu->msr_lstar;
	v->s.cstar = vcpu->msr_cstar;
	v->s.sfmask = vcpu->msr_fmask;
	v->s.kernel_gs_base = vcpu->msr_kernel_gs_base;
	asm volatile("clgi" ::: "memory");
	/*
	 * CR2: VMRUN loads the guest's from the VMCB (APM 15.5.1), but Bochs
	 * 2.7's VMRUN reads it and never loads it (cpu/svm.cc), so a guest's
	 * #PF handler would read the host's last fault address.  Loaded here
	 * by hand, as on VMX, with GIF clear; the host needs its own CR2 only
	 * in its #PF entry, which has read it by now.
	 */
	if (native_read_cr2() != v->s.cr2)
		native_write_cr2(v->s.cr2);
	/*
	 * TSC_AUX: RDPID cannot be intercepted (RDTSCP is), so a guest on a
	 * CPU with RDPID reads the register itself; it gets 0, not the
	 * host's CPU number.  Switched with GIF clear: the host's NMI entry
	 * reads TSC_AUX with RDPID to find its per-CPU data (Linux's
	 * GET_PERCPU_BASE), so the host's value must be back before STGI.
	 */
	if (c->host_tsc_aux)
		wrmsrl(MSR_TSC_AUX, 0);
	hv_bench_stamp(vcpu, &vcpu->run->bench.vmenter);
	if (unlikely(vcpu->guest_cycles))	/* --stats, as on VMX (run.c) */
		t = rdtsc();
	do {
		hv_svm_vmrun(vcpu->gpr, __pa(v), __pa(c->host_vmcb));
		if (cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
			indirect_branch_prediction_barrier();
	} while (unlikely(vcpu->bench_floor) && svm_bench_floor(vcpu, v));
	if (unlikely(vcpu->guest_cycles))
		vcpu->stats->guest_cycles += rdtsc() - t;
	hv_bench_stamp(vcpu, &vcpu->run->bench.vmexit);
	if (c->host_tsc_aux)
		wrmsrl(MSR_TSC_AUX, c->host_tsc_aux);
	if (h->ospke && rdpkru() != h->pkru)
		wrpkru(h->pkru);
	if (h->osxsave && h->xcr0 != vcpu->xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, h->xcr0);
	/* the host's DR0-3, DR6 and DR7 from the kernel's own copy, as KVM */
	if (unlikely(guest_drs) || hw_breakpoint_active())
		hw_breakpoint_restore();
	else if (unlikely(v->s.dr6 != DR6_RESERVED))
		set_debugreg(DR6_RESERVED, 6);
	asm volatile("stgi" ::: "memory");
	vcpu->gpr[HV_RAX] = v->s.rax;
	/* the guest's SWAPGS changes it without an exit */
	vcpu->msr_kernel_gs_base = v->s.kernel_gs_base;
	vcpu->stats->entries++;
}

/*
 * Exits the fast path may handle without leaving the guest's context (FPU
 * loaded, preemption and interrupts off), the set run.c's fastpath_exit
 * takes on VMX: handlers that never sleep and never need userspace.  A
 * host interrupt, PAUSE, CPUID, RDMSR and VMMCALL's no-op go through
 * handle_exit()'s usual handlers; a MOV from CR or a MOV to CR3 with a
 * kept shadow root (svm_cr_exit_is_fast) likewise; a shadow #PF is filled
 * or reflected by shadow.c's fast_pf here.  Everything else leaves through
 * the slow path.
 */
static enum hv_fast svm_fastpath_exit(struct hv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->c;

	switch (c->exit_code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_PAUSE:
	case SVM_EXIT_CPUID:
		return HV_FAST_TABLE;
	case SVM_EXIT_MSR:	/* EXITINFO1 bit 0 clear: RDMSR */
		return c->exit_info1 & 1 ? HV_FAST_NO : HV_FAST_TABLE;
	case SVM_EXIT_VMMCALL:
		return vcpu->gpr[HV_RAX] == HVLAB_HC_NOP ? HV_FAST_TABLE :
							   HV_FAST_NO;
	case SVM_EXIT_READ_CR0 ... SVM_EXIT_WRITE_CR0 + 15:
		return svm_cr_exit_is_fast(vcpu, c->exit_code);
	case SVM_EXIT_EXCP_BASE + 14:
		return vcpu->paging->fast_pf && vcpu->paging->fast_pf(vcpu) ?
		       HV_FAST_PF : HV_FAST_NO;
	}
	return HV_FAST_NO;
}

/*
 * Run the guest until an exit the fast path cannot handle, as run.c's
 * run_guest does on VMX.  Returns 0 with that exit in the VMCB for
 * handle_exit(), or 1 when it stopped after a handled exit because the
 * host wants the CPU (need_resched, a signal), an event is queued or the
 * exit ring is full.
 *
 * The guest's FPU state is in the CPU only between kernel_fpu_begin() and
 * kernel_fpu_end(), so the host task's never leaks in or out; it stays
 * loaded for the whole loop, as on VMX, since nothing in between returns
 * to userspace or switches tasks.  XCR0, PKRU and the debug registers are
 * switched around each VMRUN (run_once), with interrupts off.  Interrupts
 * come back on after every exit the fast path handled (after STGI, so GIF
 * is set), and the host interrupt that caused the exit is serviced there.
 */
static int run_guest(struct hv_vcpu *vcpu)
{
	struct svm_host h = {
		.osxsave = cpu_feature_enabled(X86_FEATURE_OSXSAVE),
		.ospke = cpu_feature_enabled(X86_FEATURE_OSPKE),
	};
	enum hv_fast fast;
	struct svm_cpu *c;
	u64 injected;

	preempt_disable();
	c = this_cpu_ptr(&svm_cpu);
	kernel_fpu_begin();
	asm volatile("fxrstorq %0" : : "m" (*(u8 (*)[512])vcpu->fpu));
	if (h.osxsave)
		h.xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (h.ospke)
		h.pkru = rdpkru();
	for (;;) {
		injected = to_vmcb(vcpu)->c.event_inj;
		local_irq_disable();
		run_once(vcpu, c, &h);
		reinject_interrupted(vcpu, injected);
		/* asked once: handling the exit changes the answer */
		fast = svm_fastpath_exit(vcpu);
		if (!fast)
			break;
		handle_exit(vcpu, fast);
		local_irq_enable();
		if (need_resched() || signal_pending(current) ||
		    vcpu->event_pending || hv_ring_full(vcpu))
			break;
	}
	local_irq_enable();
	asm volatile("fxsaveq %0" : "=m" (*(u8 (*)[512])vcpu->fpu));
	kernel_fpu_end();
	preempt_enable();
	return fast ? 1 : 0;
}

static int svm_run(struct hv_vcpu *vcpu)
{
	struct vmcb *v = to_vmcb(vcpu);
	int ret;

	ret = hv_run_begin(vcpu);
	if (ret <= 0)
		return ret;
	for (;;) {
		ret = hv_run_check(vcpu);
		if (ret <= 0)
			break;
		inject_pending(vcpu);
		if (run_guest(vcpu))
			continue;	/* handled; the host wanted the CPU */
		ret = handle_exit(vcpu, HV_FAST_NO);
		if (ret <= 0)
			break;
	}
	hv_run_end(vcpu, v->s.rip, v->s.rflags, v->c.int_state & 1);
	return ret < 0 ? ret : 0;
}

/*
 * HVLAB_GET/SET_MSRS, and HVLAB_TRANSLATE: walk.c's inspector, which
 * walks the nested page table (or the shadow entry) as the second stage.
 */
static long svm_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int cmd,
			   void __user *uarg)
{
	switch (cmd) {
	case HVLAB_GET_MSRS:
		return hv_msrs_ioctl(vcpu, uarg, false);
	case HVLAB_SET_MSRS:
		return hv_msrs_ioctl(vcpu, uarg, true);
	case HVLAB_TRANSLATE:
		return hv_translate(vcpu, uarg);
	default:
		return -EOPNOTSUPP;
	}
}

/* The SVM backend: this file, svm_enter.S, and ept.c's tables as NPT. */
const struct hv_x86_ops hv_svm_ops = {
	.name = "SVM",
	.npt = true,
	.hw_init = svm_hw_init,
	.hw_exit = svm_hw_exit,
	.kvm_name = "kvm_amd (KVM)",
	.cpu_on = svm_cpu_on,
	.cpu_off = svm_cpu_off,
	.emergency_off = svm_emergency_off,
	.probe_cpu = svm_probe_cpu,
	.caps = svm_caps,
	.vm_check = svm_vm_check,
	.vcpu_create = svm_vcpu_create,
	.vcpu_setup = svm_vcpu_setup,
	.vcpu_free = svm_vcpu_free,
	.vcpu_load = svm_vcpu_load,
	.run = svm_run,
	.get_regs = svm_get_regs,
	.set_regs = svm_set_regs,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.inject = true,
	.clear_event = svm_clear_event,
	.get_gpr = svm_get_gpr,
	.set_gpr = svm_set_gpr,
	.skip_insn = svm_skip,
	.insn_view = svm_insn_view,
	.seg_base = svm_seg_base,
	.set_rflags = svm_set_rflags,
	.msr_read = svm_msr_read,
	.msr_write = svm_msr_write,
	.vcpu_ioctl = svm_vcpu_ioctl,
	.paging_hw = &svm_paging_hw,
};
