// SPDX-License-Identifier: GPL-2.0
/*
 * pure_caps.c - decoding the VMX capability MSRs into struct hvlab_caps.
 *
 * Pure logic: the raw MSR values go in (caps->msr, filled by vmx.c on the
 * CPU), the decoded fields come out.  No kernel API is used, so the same
 * file is compiled natively and unit-tested with MSR values recorded from
 * Bochs's Skylake model and from real CPUs (tests/unit/test_caps.c).
 *
 * The layouts are in SDM Vol. 3 Appendix A.  Two rules matter:
 *  - a control MSR holds allowed-0 settings in bits 31:0 (a 1 there means
 *    the control must be 1) and allowed-1 settings in bits 63:32 (a 0 there
 *    means it must be 0);
 *  - when IA32_VMX_BASIC[55] is set, the TRUE_* MSRs (0x48d-0x490) replace
 *    the pin/proc/exit/entry MSRs, since they allow clearing "default1"
 *    controls (A.2).
 * status is HVLAB_STATUS_OK only when every control hvlab relies on may be 1.
 */
#include <linux/types.h>
#include <uapi/hvlab.h>

#include "pure_caps.h"

/* LAB 1: BEGIN split */
static void split(struct hvlab_ctl_caps *c, __u64 msr)
{
	c->must_be_1 = (__u32)msr;
	c->may_be_1 = (__u32)(msr >> 32);
}

static int may(const struct hvlab_ctl_caps *c, __u32 bit)
{
	return (c->may_be_1 & bit) != 0;
}
/* LAB 1: END split */

void hvlab_caps_decode(struct hvlab_caps *caps, __u32 cpuid1_ecx)
{
	const struct hvlab_vmx_msrs *m = &caps->msr;
	__u64 f = 0;
	int true_ctls;

	caps->api_version = HVLAB_API_VERSION;
	caps->features = 0;

	if (!(cpuid1_ecx & CPUID1_ECX_VMX)) {
		caps->status = HVLAB_STATUS_NO_VMX;
		return;
	}
	/* SDM 23.7: VMXON #GPs unless the lock bit and VMX-outside-SMX are set */
	if (!(m->feature_control & HV_FEAT_CTL_LOCKED)) {
		caps->status = HVLAB_STATUS_FW_UNLOCKED;
		return;
	}
	if (!(m->feature_control & HV_FEAT_CTL_VMX_OUTSIDE_SMX)) {
		caps->status = HVLAB_STATUS_FW_DISABLED;
		return;
	}

	/* A.1: revision 30:0, region size 44:32 (at most 4 KiB), type 53:50 */
	caps->vmcs_revision = (__u32)(m->basic & 0x7fffffff);
	caps->vmcs_size = (__u32)((m->basic >> 32) & 0x1fff);
	if (caps->vmcs_revision == 0 || caps->vmcs_size == 0 ||
	    caps->vmcs_size > 4096 || (m->basic & HV_VMX_BASIC_32BIT_ADDR)) {
		caps->status = HVLAB_STATUS_BAD_BASIC;
		return;
	}
	if (((m->basic >> 50) & 0xf) == MEMTYPE_WB)
		f |= HVLAB_CAP_WB_VMCS;
	if (m->basic & HV_VMX_BASIC_INOUT)
		f |= HVLAB_CAP_INS_OUTS_INFO;
	true_ctls = (m->basic & HV_VMX_BASIC_TRUE_CTLS) != 0;
	if (true_ctls)
		f |= HVLAB_CAP_TRUE_CONTROLS;

	split(&caps->pin, true_ctls ? m->true_pinbased : m->pinbased);
	split(&caps->proc, true_ctls ? m->true_procbased : m->procbased);
	split(&caps->exit, true_ctls ? m->true_exit : m->exit);
	split(&caps->entry, true_ctls ? m->true_entry : m->entry);
	if (may(&caps->proc, PROC_SECONDARY)) {
		f |= HVLAB_CAP_SECONDARY_CONTROLS;
		split(&caps->proc2, m->procbased2);
	} else {
		split(&caps->proc2, 0);
	}

	if (may(&caps->pin, PIN_PREEMPTION_TIMER))
		f |= HVLAB_CAP_PREEMPTION_TIMER;
	if (may(&caps->pin, PIN_POSTED_INTR))
		f |= HVLAB_CAP_POSTED_INTERRUPTS;
	if (may(&caps->proc, PROC_USE_MSR_BITMAPS))
		f |= HVLAB_CAP_MSR_BITMAPS;
	if (may(&caps->proc, PROC_USE_IO_BITMAPS))
		f |= HVLAB_CAP_IO_BITMAPS;
	if (may(&caps->proc, PROC_MTF))
		f |= HVLAB_CAP_MONITOR_TRAP_FLAG;
	if (may(&caps->proc, PROC_TPR_SHADOW))
		f |= HVLAB_CAP_TPR_SHADOW;
	if (may(&caps->proc2, PROC2_VIRT_APIC_ACCESS))
		f |= HVLAB_CAP_VIRT_APIC_ACCESS;
	if (may(&caps->proc2, PROC2_RDTSCP))
		f |= HVLAB_CAP_RDTSCP;
	if (may(&caps->proc2, PROC2_INVPCID))
		f |= HVLAB_CAP_INVPCID;
	if (may(&caps->proc2, PROC2_VMFUNC))
		f |= HVLAB_CAP_VMFUNC;
	if (may(&caps->proc2, PROC2_SHADOW_VMCS))
		f |= HVLAB_CAP_VMCS_SHADOWING;
	if (may(&caps->proc2, PROC2_XSAVES))
		f |= HVLAB_CAP_XSAVES;
	if (may(&caps->entry, ENTRY_LOAD_EFER) &&
	    may(&caps->exit, EXIT_LOAD_EFER) && may(&caps->exit, EXIT_SAVE_EFER))
		f |= HVLAB_CAP_LOAD_EFER;
	if (may(&caps->entry, ENTRY_LOAD_PAT) && may(&caps->exit, EXIT_LOAD_PAT))
		f |= HVLAB_CAP_LOAD_PAT;

	/* A.10: the EPT/VPID capability MSR only means something if enabled */
	if (may(&caps->proc2, PROC2_EPT)) {
		f |= HVLAB_CAP_EPT;
		if (m->ept_vpid_cap & EPT_CAP_EXEC_ONLY)
			f |= HVLAB_CAP_EPT_EXEC_ONLY;
		if (m->ept_vpid_cap & EPT_CAP_WALK4)
			f |= HVLAB_CAP_EPT_4LEVEL;
		if (m->ept_vpid_cap & EPT_CAP_WALK5)
			f |= HVLAB_CAP_EPT_5LEVEL;
		if (m->ept_vpid_cap & EPT_CAP_WB)
			f |= HVLAB_CAP_EPT_WB;
		if (m->ept_vpid_cap & EPT_CAP_2M)
			f |= HVLAB_CAP_EPT_2M;
		if (m->ept_vpid_cap & EPT_CAP_1G)
			f |= HVLAB_CAP_EPT_1G;
		if (m->ept_vpid_cap & EPT_CAP_INVEPT)
			f |= HVLAB_CAP_INVEPT;
		if (m->ept_vpid_cap & EPT_CAP_AD)
			f |= HVLAB_CAP_EPT_AD;
	}
	if (may(&caps->proc2, PROC2_VPID)) {
		f |= HVLAB_CAP_VPID;
		if (m->ept_vpid_cap & VPID_CAP_INVVPID)
			f |= HVLAB_CAP_INVVPID;
	}
	/* unrestricted guest needs EPT (SDM 26.2.1.1) */
	if (may(&caps->proc2, PROC2_UNRESTRICTED) && (f & HVLAB_CAP_EPT))
		f |= HVLAB_CAP_UNRESTRICTED_GUEST;

	/* A.6: misc */
	caps->preemption_timer_shift = (__u32)(m->misc & 0x1f);
	caps->cr3_target_count = (__u32)((m->misc >> 16) & 0x1ff);
	caps->msr_list_max = 512 * ((__u32)((m->misc >> 25) & 7) + 1);

	caps->features = f;
	caps->status = (f & HVLAB_REQUIRED_FEATURES) == HVLAB_REQUIRED_FEATURES ?
		       HVLAB_STATUS_OK : HVLAB_STATUS_NO_FEATURES;
}
