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
 * (EFER, PAT, SYSENTER_*, FS/GS base).  Values are checked as the CPU
 * would (canonical addresses, PAT memory types, reserved EFER bits).
 *
 * The SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK) and KERNEL_GS_BASE are
 * not switched by VMX, yet the guest's SYSCALL and SWAPGS use the hardware
 * values.  hv_guest_msrs_load() puts the guest's into the hardware for one
 * stay in the run loop (preemption off: nothing on this CPU can return to
 * userspace or switch tasks meanwhile) and hv_guest_msrs_put() restores
 * the host's: the guest never sees the host's SYSCALL entry or user GS
 * base, and its SWAPGS never changes the host thread's GS base.  While
 * they are loaded, the guest's KERNEL_GS_BASE lives in the hardware (a
 * SWAPGS changes it without an exit), so reads and writes go there.
 */
#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "hvlab.h"
#include "pure_cpuid.h"
#include "vm.h"
#include "vmcs.h"

/* MSR_KERNEL_GS_BASE first: the one SWAPGS changes behind our back */
static const u32 switched_msrs[HV_NR_SWITCHED_MSRS] = {
	MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
};

static u64 *guest_msr_slot(struct hv_vcpu *vcpu, int i)
{
	switch (switched_msrs[i]) {
	case MSR_KERNEL_GS_BASE:
		return &vcpu->msr_kernel_gs_base;
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
 * Save the host's values into *host and load the guest's.  Preemption is
 * off until the matching hv_guest_msrs_put().  The guest's values were
 * checked when written (canonical addresses, SFMASK's reserved half), so
 * the writes cannot fault.
 */
void hv_guest_msrs_load(struct hv_vcpu *vcpu, u64 *host)
{
	int i;

	for (i = 0; i < HV_NR_SWITCHED_MSRS; i++) {
		rdmsrl(switched_msrs[i], host[i]);
		if (host[i] != *guest_msr_slot(vcpu, i))
			wrmsrl(switched_msrs[i], *guest_msr_slot(vcpu, i));
	}
	vcpu->guest_msrs_loaded = true;
}

void hv_guest_msrs_put(struct hv_vcpu *vcpu, const u64 *host)
{
	int i;

	/* only KERNEL_GS_BASE changes without an exit (SWAPGS) */
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->msr_kernel_gs_base);
	vcpu->guest_msrs_loaded = false;
	for (i = 0; i < HV_NR_SWITCHED_MSRS; i++)
		if (host[i] != *guest_msr_slot(vcpu, i))
			wrmsrl(switched_msrs[i], host[i]);
}

static bool canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

/* Returns 0, or -1 for "not allowed" (#GP in the guest, EINVAL outside). */
int hv_msr_get(struct hv_vcpu *vcpu, u32 index, u64 *val)
{
	if (!(hv_msr_access(index) & HV_MSR_R))
		return -1;
	switch (index) {
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcs_read64(TSC_OFFSET);
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
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read32(GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_readl(GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_readl(GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_CR_PAT:
		*val = vmcs_read64(GUEST_IA32_PAT);
		break;
	case MSR_EFER:
		*val = hv_guest_efer(vcpu);
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
	case MSR_FS_BASE:
		*val = vmcs_readl(GUEST_FS_BASE);
		break;
	case MSR_GS_BASE:
		*val = vmcs_readl(GUEST_GS_BASE);
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
	case MSR_IA32_DEBUGCTLMSR:
		*val = vmcs_read64(GUEST_IA32_DEBUGCTL);
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
	u64 efer;

	if (!(hv_msr_access(index) & HV_MSR_W))
		return -1;
	switch (index) {
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, val - rdtsc());
		break;
	case MSR_IA32_APICBASE:
		return hv_apic_base_write(vcpu->msr_apic_base, val,
					  boot_cpu_data.x86_phys_bits,
					  &vcpu->msr_apic_base);
	case MSR_IA32_MISC_ENABLE:
		return hv_misc_enable_write(vcpu->msr_misc_enable, val,
					    &vcpu->msr_misc_enable);
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, val);
		break;
	case MSR_IA32_SYSENTER_ESP:
		if (!canonical(val))
			return -1;
		vmcs_writel(GUEST_SYSENTER_ESP, val);
		break;
	case MSR_IA32_SYSENTER_EIP:
		if (!canonical(val))
			return -1;
		vmcs_writel(GUEST_SYSENTER_EIP, val);
		break;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(val))
			return -1;
		vmcs_write64(GUEST_IA32_PAT, val);
		break;
	case MSR_EFER:
		efer = hv_guest_efer(vcpu);
		if (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -1;
		/* LME may not change while paging is on (SDM 10.8.5) */
		if (((val ^ efer) & EFER_LME) &&
		    (hv_guest_cr0(vcpu) & X86_CR0_PG))
			return -1;
		hv_vmcs_set_efer(vcpu, val);
		/* NXE changes what shadow entries may say */
		if (vcpu->shadow && ((val ^ efer) & EFER_NX))
			return hv_shadow_reset(vcpu) ? -1 : 0;
		break;
	case MSR_STAR:
		vcpu->msr_star = val;
		if (vcpu->guest_msrs_loaded)
			wrmsrl(index, val);
		break;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
		if (!canonical(val))
			return -1;
		if (index == MSR_LSTAR)
			vcpu->msr_lstar = val;
		else if (index == MSR_CSTAR)
			vcpu->msr_cstar = val;
		else
			vcpu->msr_kernel_gs_base = val;
		if (vcpu->guest_msrs_loaded)	/* see the top */
			wrmsrl(index, val);
		break;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!canonical(val))
			return -1;
		vmcs_writel(index == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE,
			    val);
		break;
	case MSR_SYSCALL_MASK:
		if (val >> 32)		/* reserved: WRMSR would #GP */
			return -1;
		vcpu->msr_fmask = val;
		if (vcpu->guest_msrs_loaded)
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
	return 0;
}
