// SPDX-License-Identifier: GPL-2.0
/*
 * msr.c - the MSRs a guest (and HVLAB_GET/SET_MSRS) may read and write.
 *
 * Every RDMSR and WRMSR exits (the MSR bitmap is all ones), and only the
 * MSRs of the allow-list in pure_cpuid.c are admitted, each for reading,
 * writing or both; any other access raises #GP in the guest (counted in
 * the stats page by exit.c), or EINVAL from the ioctl.  The list is next
 * to the CPUID table so that a unit test can hold the two against each
 * other; the switches below give each admitted MSR its value.
 * MSRs that VMX switches on entry and exit live in the VMCS
 * (EFER, PAT, SYSENTER_*, FS/GS base), reached through the backend's
 * msr_read/msr_write (hv_vmx_msr_read/write below; svm.c keeps them in
 * the VMCB's save area).  Values are checked here, as the CPU would
 * (canonical addresses, PAT memory types, reserved EFER bits), for both
 * backends.
 *
 * MSRs VMX does not switch, yet the guest's SYSCALL, SYSRET and SWAPGS
 * use the hardware values:
 *
 *  - The SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK) are switched lazily, as
 *    KVM's user-return MSRs: the host kernel uses them only when user mode
 *    executes SYSCALL and when the kernel returns there with SYSRET, so the
 *    host's values need to be back only before this CPU returns to user
 *    mode.  Per CPU, hv_user_msrs_load() reads the host's values when it
 *    arms a user-return notifier, writes a guest value only when the CPU
 *    holds a different one, and the notifier puts the host's back on the
 *    way to user mode (fire_user_return_notifiers() in the kernel's
 *    exit-to-user path; a context switch hands the notification on to the
 *    next task on this CPU, so any task's return triggers it).  Exits
 *    handled in the kernel, reschedules and other vCPUs with the same
 *    values on that CPU cost no WRMSR; an exit to userspace costs one
 *    restore and one load.  A guest with EFER.SCE clear cannot execute
 *    SYSCALL or SYSRET (#UD), so for it nothing is loaded at all: the
 *    hardware keeps the host's values (or another guest's, still
 *    waiting for the return to user mode), which it cannot reach.  A vCPU that moves to another CPU is compared
 *    with that CPU's record at its next entry.  The
 *    per-CPU record is dropped (host values written back) when VMX goes
 *    off on a CPU (last VM gone, CPU hotplug, suspend), since the kernel
 *    rewrites these MSRs itself when a CPU comes back.
 *  - KERNEL_GS_BASE is switched for each stay in the run loop
 *    (hv_guest_msrs_load/put, preemption off: nothing on this CPU can
 *    return to userspace or switch tasks meanwhile).  It cannot wait for
 *    the return to user mode: the guest's SWAPGS changes it without an
 *    exit, and the host kernel reads it as the thread's user GS base
 *    (arch_prctl, the context switch's save of the FS/GS state).  While
 *    it is loaded, the guest's value lives in the hardware, so reads and
 *    writes go there.
 *
 * Either way the guest never sees the host's SYSCALL entry or user GS
 * base, and no guest value reaches the host's user mode.  Kernels built
 * without CONFIG_USER_RETURN_NOTIFIER switch the SYSCALL MSRs for each
 * stay too (compat.h).
 *
 * On SVM none of this switching is needed: VMLOAD and VMSAVE switch the
 * SYSCALL MSRs and KERNEL_GS_BASE with FS, GS, TR and LDTR (AMD APM
 * Vol. 2 15.5.2), and svm.c copies the values kept here into the VMCB
 * before each VMRUN (guest_msrs_loaded stays false).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/user-return-notifier.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "compat.h"
#include "hvlab.h"
#include "pure_cpuid.h"
#include "vm.h"
#include "vmcs.h"

/* The MSRs the host needs back only before user mode: see the top. */
#define HV_NR_USER_MSRS	4
static const u32 user_msrs[HV_NR_USER_MSRS] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
};

struct hv_user_msrs {
	struct user_return_notifier urn;
	bool registered;		/* host[] valid, notifier armed */
	u64 host[HV_NR_USER_MSRS];	/* this CPU's own values */
	u64 curr[HV_NR_USER_MSRS];	/* what the hardware holds now */
};
static DEFINE_PER_CPU(struct hv_user_msrs, user_msr_state);

static u64 *user_msr_slot(struct hv_vcpu *vcpu, int i)
{
	switch (user_msrs[i]) {
	case MSR_STAR:
		return &vcpu->msr_star;
	case MSR_LSTAR:
		return &vcpu->msr_lstar;
	case MSR_CSTAR:
		return &vcpu->msr_cstar;
	default:
		return &vcpu->msr_fmask;
	}
}

/*
 * Put the host's values back and disarm.  Runs on the way to user mode
 * (interrupts off), or from hv_user_msrs_drop() on this CPU.
 */
static void on_user_return(struct user_return_notifier *urn)
{
	struct hv_user_msrs *s = container_of(urn, struct hv_user_msrs, urn);
	unsigned long flags;
	int i;

	local_irq_save(flags);
	if (s->registered) {
		s->registered = false;
		if (HVLAB_LAZY_USER_MSRS)
			user_return_notifier_unregister(urn);
		for (i = 0; i < HV_NR_USER_MSRS; i++) {
			if (s->curr[i] != s->host[i]) {
				wrmsrl(user_msrs[i], s->host[i]);
				s->curr[i] = s->host[i];
			}
		}
	}
	local_irq_restore(flags);
}

/*
 * Before entering the guest, preemption off: the guest's SYSCALL MSRs in
 * this CPU's hardware.  The guest's values were checked when written
 * (canonical addresses, SFMASK's reserved half), so WRMSR cannot fault.
 */
void hv_user_msrs_load(struct hv_vcpu *vcpu)
{
	struct hv_user_msrs *s = this_cpu_ptr(&user_msr_state);
	unsigned long flags;
	int i;

	/*
	 * Without EFER.SCE, SYSCALL and SYSRET raise #UD (SDM Vol. 2B,
	 * SYSCALL, SYSRET) and RDMSR/WRMSR exit, so nothing the guest runs
	 * reads these MSRs: leave the hardware as it is, and spare the exits
	 * to userspace the restore (KVM's vmx_setup_uret_msrs does the same).
	 */
	if (!(hv_guest_efer(vcpu) & EFER_SCE))
		return;
	local_irq_save(flags);
	if (!s->registered) {
		for (i = 0; i < HV_NR_USER_MSRS; i++) {
			rdmsrl(user_msrs[i], s->host[i]);
			s->curr[i] = s->host[i];
		}
		s->urn.on_user_return = on_user_return;
		if (HVLAB_LAZY_USER_MSRS)
			user_return_notifier_register(&s->urn);
		s->registered = true;
	}
	for (i = 0; i < HV_NR_USER_MSRS; i++) {
		u64 v = *user_msr_slot(vcpu, i);

		if (s->curr[i] != v) {
			wrmsrl(user_msrs[i], v);
			s->curr[i] = v;
		}
	}
	local_irq_restore(flags);
}

/* After a stay: only kernels without user-return notifiers restore now. */
void hv_user_msrs_put(void)
{
	if (!HVLAB_LAZY_USER_MSRS)
		hv_user_msrs_drop();
}

/* The host's values back on this CPU now: VMX goes off here (vmx.c). */
void hv_user_msrs_drop(void)
{
	on_user_return(&this_cpu_ptr(&user_msr_state)->urn);
}

/*
 * KERNEL_GS_BASE for one stay: save the host's into *host, load the
 * guest's.  Preemption is off until the matching hv_guest_msrs_put().
 */
void hv_guest_msrs_load(struct hv_vcpu *vcpu, u64 *host)
{
	rdmsrl(MSR_KERNEL_GS_BASE, *host);
	if (*host != vcpu->msr_kernel_gs_base)
		wrmsrl(MSR_KERNEL_GS_BASE, vcpu->msr_kernel_gs_base);
	vcpu->guest_msrs_loaded = true;
}

void hv_guest_msrs_put(struct hv_vcpu *vcpu, u64 host)
{
	/* SWAPGS changes it without an exit: read back what the guest left */
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->msr_kernel_gs_base);
	vcpu->guest_msrs_loaded = false;
	if (host != vcpu->msr_kernel_gs_base)
		wrmsrl(MSR_KERNEL_GS_BASE, host);
}

static bool canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

/*
 * The MSRs a VMX guest keeps in its VMCS (hv_vmx_ops.msr_read/msr_write;
 * svm.c keeps them in the VMCB): hv_msr_get/set check the value, these
 * fetch and store it.  The TSC is the host's plus the TSC offset.
 */
u64 hv_vmx_msr_read(struct hv_vcpu *vcpu, u32 index)
{
	switch (index) {
	case MSR_IA32_TSC:
		return rdtsc() + vmcs_read64(TSC_OFFSET);
	case MSR_IA32_SYSENTER_CS:
		return vmcs_read32(GUEST_SYSENTER_CS);
	case MSR_IA32_SYSENTER_ESP:
		return vmcs_readl(GUEST_SYSENTER_ESP);
	case MSR_IA32_SYSENTER_EIP:
		return vmcs_readl(GUEST_SYSENTER_EIP);
	case MSR_IA32_CR_PAT:
		return vmcs_read64(GUEST_IA32_PAT);
	case MSR_EFER:
		return hv_guest_efer(vcpu);
	case MSR_FS_BASE:
		return vmcs_readl(GUEST_FS_BASE);
	case MSR_GS_BASE:
		return vmcs_readl(GUEST_GS_BASE);
	case MSR_IA32_DEBUGCTLMSR:
		return vmcs_read64(GUEST_IA32_DEBUGCTL);
	default:
		return 0;
	}
}

int hv_vmx_msr_write(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	u64 efer;

	switch (index) {
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, val - rdtsc());
		break;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, val);
		break;
	case MSR_IA32_SYSENTER_ESP:
		vmcs_writel(GUEST_SYSENTER_ESP, val);
		break;
	case MSR_IA32_SYSENTER_EIP:
		vmcs_writel(GUEST_SYSENTER_EIP, val);
		break;
	case MSR_IA32_CR_PAT:
		vmcs_write64(GUEST_IA32_PAT, val);
		break;
	case MSR_EFER:
		efer = hv_guest_efer(vcpu);
		/* LME may not change while paging is on (SDM 10.8.5) */
		if (((val ^ efer) & EFER_LME) &&
		    (hv_guest_cr0(vcpu) & X86_CR0_PG))
			return -1;
		hv_vmcs_set_efer(vcpu, val);
		/* NXE changes what shadow entries may say */
		if (((val ^ efer) & EFER_NX) && vcpu->paging->nx_changed)
			return vcpu->paging->nx_changed(vcpu) ? -1 : 0;
		break;
	case MSR_FS_BASE:
		vmcs_writel(GUEST_FS_BASE, val);
		break;
	case MSR_GS_BASE:
		vmcs_writel(GUEST_GS_BASE, val);
		break;
	default:
		return -1;
	}
	return 0;
}

/* Returns 0, or -1 for "not allowed" (#GP in the guest, EINVAL outside). */
int hv_msr_get(struct hv_vcpu *vcpu, u32 index, u64 *val)
{
	if (!(hv_msr_access(index) & HV_MSR_R))
		return -1;
	switch (index) {
	case MSR_IA32_TSC:
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_CR_PAT:
	case MSR_EFER:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_DEBUGCTLMSR:
		*val = hv_ops->msr_read(vcpu, index);
		break;
	case MSR_IA32_APICBASE:
		*val = vcpu->msr_apic_base;
		break;
	case MSR_IA32_FEAT_CTL:
		*val = 1;	/* locked, VMX off: no nested VMX */
		break;
	case MSR_IA32_MISC_ENABLE:
		*val = vcpu->msr_misc_enable;
		break;
	case MSR_STAR:
		*val = vcpu->msr_star;
		break;
	case MSR_LSTAR:
		*val = vcpu->msr_lstar;
		break;
	case MSR_CSTAR:
		*val = vcpu->msr_cstar;
		break;
	case MSR_SYSCALL_MASK:
		*val = vcpu->msr_fmask;
		break;
	case MSR_KERNEL_GS_BASE:
		if (vcpu->guest_msrs_loaded)	/* see the top */
			rdmsrl(MSR_KERNEL_GS_BASE, vcpu->msr_kernel_gs_base);
		*val = vcpu->msr_kernel_gs_base;
		break;
	case MSR_MTRRcap:
		*val = HV_MTRRCAP;
		break;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_PLATFORM_ID:
		*val = 0;
		break;
	case MSR_MTRRdefType:
		*val = vcpu->msr_mtrr_def_type;
		break;
	case MSR_K7_HWCR:
		if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
		    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON)
			return -1;
		/* TscFreqSel: the TSC counts at P0, it is the host's (AMD BKDG) */
		*val = BIT_ULL(24);
		break;
	default:
		return -1;
	}
	return 0;
}

static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

int hv_msr_set(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	if (!(hv_msr_access(index) & HV_MSR_W))
		return -1;
	switch (index) {
	case MSR_IA32_TSC:
	case MSR_IA32_SYSENTER_CS:
		return hv_ops->msr_write(vcpu, index, val);
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!canonical(val))
			return -1;
		return hv_ops->msr_write(vcpu, index, val);
	case MSR_IA32_CR_PAT:
		if (!pat_valid(val))
			return -1;
		return hv_ops->msr_write(vcpu, index, val);
	case MSR_EFER:
		if (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -1;
		return hv_ops->msr_write(vcpu, index, val);
	case MSR_IA32_APICBASE:
		return hv_apic_base_write(vcpu->msr_apic_base, val,
					  boot_cpu_data.x86_phys_bits,
					  &vcpu->msr_apic_base);
	case MSR_IA32_MISC_ENABLE:
		return hv_misc_enable_write(vcpu->msr_misc_enable, val,
					    &vcpu->msr_misc_enable);
	case MSR_STAR:
		vcpu->msr_star = val;
		break;
	case MSR_LSTAR:
		if (!canonical(val))
			return -1;
		vcpu->msr_lstar = val;
		break;
	case MSR_CSTAR:
		if (!canonical(val))
			return -1;
		vcpu->msr_cstar = val;
		break;
	case MSR_SYSCALL_MASK:
		if (val >> 32)		/* reserved: WRMSR would #GP */
			return -1;
		vcpu->msr_fmask = val;
		break;
	case MSR_KERNEL_GS_BASE:
		if (!canonical(val))
			return -1;
		vcpu->msr_kernel_gs_base = val;
		if (vcpu->guest_msrs_loaded)	/* see the top */
			wrmsrl(index, val);
		break;
	case MSR_MTRRdefType:
		if (val & ~0xcffull)
			return -1;
		vcpu->msr_mtrr_def_type = val;
		break;
	case MSR_IA32_UCODE_REV:
		break;		/* microcode updates: ignored */
	case MSR_IA32_DEBUGCTLMSR:
		if (val)
			return -1;
		break;
	default:
		return -1;
	}
	/* inside a stay, the hardware must follow at once (see the top) */
	if (vcpu->guest_msrs_loaded)
		hv_user_msrs_load(vcpu);
	return 0;
}
