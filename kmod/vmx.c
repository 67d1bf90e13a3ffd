// SPDX-License-Identifier: GPL-2.0
/*
 * vmx.c - turning VMX on and off on every CPU, and what the CPU offers.
 *
 * At load (hvlab_vmx_init) we only look: CPUID.1:ECX.VMX, the firmware's
 * IA32_FEATURE_CONTROL, the capability MSRs, decoded by pure_caps.c.  VMX
 * is taken only when the first VM needs it and given back when the last
 * VM goes, like KVM's hardware_enable_all: until then another hypervisor
 * may use VMX freely.  When, and in which CPUs, is hwvirt.c's rule,
 * shared with SVM (the first VM, CPU hotplug, suspend and resume); this
 * file says how, in the CPU it runs on: cpu_vmxon, cpu_vmxoff, and the
 * hooks hv_vmx_ops gives hwvirt.c (hvlab_vmx_cpu_on/off, hvlab_vmx_probe_cpu,
 * hvlab_vmx_emergency_off).
 *
 * Invariants:
 *  - hv_cpu.on  <=>  this CPU is in VMX root operation with hvlab's own
 *    VMXON region and CR4.VMXE set by hvlab.
 *  - hvlab never executes VMXON on a CPU whose CR4.VMXE is already set:
 *    someone else (kvm_intel, VirtualBox, ...) owns VMX there.  That is
 *    -EBUSY, reported with a guess of the owner, never a takeover.
 *  - VMXOFF leaves CR4 as VMXON found it: only the bits hvlab set are
 *    cleared.
 */
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/reboot.h>
#include <asm/tlbflush.h>

#include "compat.h"
#include "hvlab.h"
#include "pure_caps.h"
#include "vmx_ops.h"

struct hv_cpu {
	void *vmxon_region;	/* one 4 KiB page, allocated at load */
	bool on;		/* hvlab executed VMXON here */
	unsigned long cr4_added; /* CR4 bits hvlab set, cleared on VMXOFF */
};

static DEFINE_PER_CPU(struct hv_cpu, hv_cpu);
static struct hvlab_caps caps;

const struct hvlab_caps *hvlab_vmx_caps(void)
{
	return &caps;
}

/*
 * VMXON on this CPU.  Runs with interrupts off (IPI or hotplug thread).
 * SDM 24.7/24.8: CR0 and CR4 must respect the FIXED0/FIXED1 MSRs in VMX
 * operation.  Linux already runs with CR0.PE/NE/PG set; CR4 needs VMXE.  We
 * set missing fixed-1 CR4 bits and remember them, but never clear a bit the
 * kernel relies on: a CR0/CR4 that cannot be made legal is -EIO.
 */
/* LAB 2: BEGIN vmxon */
static int cpu_vmxon(struct hv_cpu *c)
{
	u64 cr0 = read_cr0(), cr4 = __read_cr4();
	u64 add4;
	int ret;

	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	if ((cr0 & caps.msr.cr0_fixed0) != caps.msr.cr0_fixed0 ||
	    (cr0 & ~caps.msr.cr0_fixed1))
		return -EIO;
	add4 = (caps.msr.cr4_fixed0 | X86_CR4_VMXE) & ~cr4;
	if ((cr4 | add4) & ~caps.msr.cr4_fixed1)
		return -EIO;

	cr4_set_bits(add4);
	/* SDM 24.11.5: the region starts with the VMCS revision identifier */
	*(u32 *)c->vmxon_region = caps.vmcs_revision;
	ret = hv_vmxon(__pa(c->vmxon_region));
	if (ret) {
		cr4_clear_bits(add4);
		return ret;
	}
	c->cr4_added = add4;
	c->on = true;
	return 0;
}
/* LAB 2: END vmxon */

static void cpu_vmxoff(struct hv_cpu *c)
{
	if (!c->on)
		return;
	/*
	 * No guest runs here until VMXON again: give the host its SYSCALL
	 * MSRs back now, since a CPU that goes offline or to sleep has them
	 * rewritten by the kernel behind msr.c's record of them.
	 */
	hv_user_msrs_drop();
	hv_vmxoff();
	cr4_clear_bits(c->cr4_added);
	c->on = false;
}

/* Called on reboot/crash (possibly in NMI context): INIT is blocked in VMX. */
void hvlab_vmx_emergency_off(void)
{
	struct hv_cpu *c = this_cpu_ptr(&hv_cpu);

	if (c->on) {
		hv_vmxoff();
		cr4_clear_bits(X86_CR4_VMXE);
		c->on = false;
	}
}

/* hv_ops->cpu_on, for hwvirt.c: VMXON on this CPU, interrupts off. */
int hvlab_vmx_cpu_on(void)
{
	return cpu_vmxon(this_cpu_ptr(&hv_cpu));
}

/*
 * hv_ops->cpu_off: VMXOFF on this CPU, interrupts off.  Every VMCS active
 * here is written back first (VMCLEAR, SDM Vol. 3 25.11.1): the CPU may
 * go offline or to sleep, and its cached VMCS data with it.  A VMCS
 * cleared here is loaded and launched again by the next vcpu_load
 * (vcpu.c).
 */
void hvlab_vmx_cpu_off(void)
{
	hv_vcpu_clear_all_on_cpu();
	cpu_vmxoff(this_cpu_ptr(&hv_cpu));
}

/* hv_ops->probe_cpu: VMXON then VMXOFF here, recording what happened. */
void hvlab_vmx_probe_cpu(void *arg)
{
	struct hvlab_probe_cpu *r = arg;
	struct hv_cpu *c = this_cpu_ptr(&hv_cpu);

	r->cr4_vmxe_before = !!(__read_cr4() & X86_CR4_VMXE);
	if (c->on) {
		r->result = 0;
		r->owner = HVLAB_OWNER_HVLAB;
	} else {
		r->result = cpu_vmxon(c);
		cpu_vmxoff(c);
	}
	r->cr4_vmxe_after = !!(__read_cr4() & X86_CR4_VMXE);
}

static int read_msrs(struct hvlab_vmx_msrs *m)
{
	static const struct { u32 index; size_t off; bool optional; } tbl[] = {
#define M(idx, field, opt) { idx, offsetof(struct hvlab_vmx_msrs, field), opt }
		M(MSR_FEATURE_CONTROL, feature_control, false),
		M(MSR_VMX_BASIC, basic, false),
		M(MSR_VMX_PINBASED, pinbased, false),
		M(MSR_VMX_PROCBASED, procbased, false),
		M(MSR_VMX_EXIT, exit, false),
		M(MSR_VMX_ENTRY, entry, false),
		M(MSR_VMX_MISC, misc, false),
		M(MSR_VMX_CR0_FIXED0, cr0_fixed0, false),
		M(MSR_VMX_CR0_FIXED1, cr0_fixed1, false),
		M(MSR_VMX_CR4_FIXED0, cr4_fixed0, false),
		M(MSR_VMX_CR4_FIXED1, cr4_fixed1, false),
		M(MSR_VMX_VMCS_ENUM, vmcs_enum, false),
		/* the rest exist only when the features do (SDM A.3.3, A.10) */
		M(MSR_VMX_PROCBASED2, procbased2, true),
		M(MSR_VMX_EPT_VPID_CAP, ept_vpid_cap, true),
		M(MSR_VMX_TRUE_PINBASED, true_pinbased, true),
		M(MSR_VMX_TRUE_PROCBASED, true_procbased, true),
		M(MSR_VMX_TRUE_EXIT, true_exit, true),
		M(MSR_VMX_TRUE_ENTRY, true_entry, true),
		M(MSR_VMX_VMFUNC, vmfunc, true),
#undef M
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tbl); i++) {
		u64 *v = (u64 *)((char *)m + tbl[i].off);

		/* Bochs and nested hypervisors lack some MSRs: never #GP */
		if (rdmsrl_safe(tbl[i].index, v)) {
			*v = 0;
			if (!tbl[i].optional)
				return -EIO;
		}
	}
	return 0;
}

static void free_regions(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(hv_cpu, cpu).vmxon_region);
		per_cpu(hv_cpu, cpu).vmxon_region = NULL;
	}
}

int hvlab_vmx_init(void)
{
	u32 ecx = cpuid_ecx(1);
	int cpu;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN) {
		pr_err("hvlab: not an Intel CPU: hvlab needs Intel VT-x (AMD-V is not supported yet)\n");
		return -ENODEV;
	}
	if (!(ecx & CPUID1_ECX_VMX)) {
		pr_err("hvlab: this CPU does not offer VMX (CPUID.1:ECX.VMX=0). Inside a VM, enable nested VT-x in the host (VMware: \"Virtualize Intel VT-x/EPT\", VirtualBox: --nested-hw-virt on, KVM: kvm_intel nested=1).\n");
		return -ENODEV;
	}
	if (read_msrs(&caps.msr)) {
		pr_err("hvlab: the VMX capability MSRs cannot be read\n");
		return -EIO;
	}
	caps.online_cpus = num_online_cpus();
	hvlab_caps_decode(&caps, ecx);
	switch (caps.status) {
	case HVLAB_STATUS_OK:
		break;
	case HVLAB_STATUS_FW_DISABLED:
	case HVLAB_STATUS_FW_UNLOCKED:
		pr_err("hvlab: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx): enable \"Intel Virtualization Technology\" in the BIOS/UEFI setup and power-cycle\n",
		       caps.msr.feature_control);
		return -ENODEV;
	case HVLAB_STATUS_BAD_BASIC:
		pr_err("hvlab: unusable IA32_VMX_BASIC %#llx\n", caps.msr.basic);
		return -EIO;
	default:
		pr_err("hvlab: this CPU's VMX lacks what hvlab needs (EPT with unrestricted guest, I/O and MSR bitmaps, EFER load/save); features=%#llx\n",
		       caps.features);
		return -ENODEV;
	}

	for_each_possible_cpu(cpu) {
		void *p = (void *)get_zeroed_page(GFP_KERNEL);

		if (!p) {
			free_regions();
			return -ENOMEM;
		}
		per_cpu(hv_cpu, cpu).vmxon_region = p;
	}
	return 0;
}

void hvlab_vmx_exit(void)
{
	free_regions();
}
