// SPDX-License-Identifier: GPL-2.0
/*
 * test_caps.c - decoding VMX capability MSRs (kmod/pure_caps.c) and the
 * `hvlab caps` verdicts (user/caps_diag.c), natively.
 *
 * The "bochs" fixture holds the MSRs of Bochs 2.7's corei7_skylake_x model
 * exactly as the module read them inside the VM; the other cases change one
 * field of it to what an older CPU or a firmware switch would show.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../kmod/pure_caps.h"
#include "caps_diag.h"

/*
 * Read by the module inside the VM suite's Bochs 2.7 (corei7_skylake_x) and
 * printed by `hvlab caps --raw` (tests/vm/t_caps.sh puts it in the log).
 */
static void bochs_msrs(struct hvlab_vmx_msrs *m)
{
	memset(m, 0, sizeof(*m));
	m->feature_control = 0x0000000000000005ull;
	m->basic = 0x00d810000000002bull;
	m->pinbased = 0x0000007f00000016ull;
	m->procbased = 0xf7f9fffe0401e172ull;
	m->exit = 0x007fffff00036dffull;
	m->entry = 0x0000ffff000011ffull;
	m->misc = 0x00000000600401e0ull;
	m->cr0_fixed0 = 0x0000000080000021ull;
	m->cr0_fixed1 = 0x00000000ffffffffull;
	m->cr4_fixed0 = 0x0000000000002000ull;
	m->cr4_fixed1 = 0x00000000003727ffull;
	m->vmcs_enum = 0x0000000000000034ull;
	m->procbased2 = 0x02177fff00000000ull;
	m->ept_vpid_cap = 0x00000f0106334141ull;
	m->true_pinbased = 0x0000007f00000016ull;
	m->true_procbased = 0xf7f9fffe04006172ull;
	m->true_exit = 0x007fffff00036dfbull;
	m->true_entry = 0x0000ffff000011fbull;
	m->vmfunc = 0x0000000000000001ull;
}

TEST(bochs_skylake_has_everything_hvlab_needs)
{
	struct hvlab_caps c = { 0 };

	bochs_msrs(&c.msr);
	hvlab_caps_decode(&c, CPUID1_ECX_VMX);
	ASSERT_EQ(HVLAB_STATUS_OK, c.status);
	EXPECT_EQ(0x2bu, c.vmcs_revision);
	EXPECT_EQ(0x1000u, c.vmcs_size);
	EXPECT_TRUE(c.features & HVLAB_CAP_EPT);
	EXPECT_TRUE(c.features & HVLAB_CAP_EPT_4LEVEL);
	EXPECT_TRUE(c.features & HVLAB_CAP_EPT_2M);
	EXPECT_TRUE(c.features & HVLAB_CAP_EPT_1G);
	EXPECT_TRUE(c.features & HVLAB_CAP_EPT_AD);
	EXPECT_TRUE(c.features & HVLAB_CAP_VPID);
	EXPECT_TRUE(c.features & HVLAB_CAP_UNRESTRICTED_GUEST);
	EXPECT_TRUE(c.features & HVLAB_CAP_TRUE_CONTROLS);
	EXPECT_TRUE(c.features & HVLAB_CAP_WB_VMCS);
	EXPECT_TRUE(c.features & HVLAB_CAP_PREEMPTION_TIMER);
	EXPECT_FALSE(c.features & HVLAB_CAP_POSTED_INTERRUPTS);
	EXPECT_TRUE(c.features & HVLAB_CAP_VMCS_SHADOWING);
	EXPECT_EQ(0u, c.preemption_timer_shift);	/* ticks with the TSC */
	EXPECT_EQ(4u, c.cr3_target_count);
	EXPECT_EQ(512u, c.msr_list_max);
	/* TRUE controls replace the defaults: CR3 exiting may now be 0 */
	EXPECT_EQ(0u, c.proc.must_be_1 & PROC_CR3_LOAD_EXITING);
	EXPECT_EQ(0x04006172u, c.proc.must_be_1);
}

TEST(without_true_controls_the_default1_bits_stay)
{
	struct hvlab_caps c = { 0 };

	bochs_msrs(&c.msr);
	c.msr.basic &= ~HV_VMX_BASIC_TRUE_CTLS;
	hvlab_caps_decode(&c, CPUID1_ECX_VMX);
	EXPECT_FALSE(c.features & HVLAB_CAP_TRUE_CONTROLS);
	EXPECT_EQ(0x0401e172u, c.proc.must_be_1);
}

TEST(no_secondary_controls_means_no_ept)
{
	struct hvlab_caps c = { 0 };

	bochs_msrs(&c.msr);
	c.msr.true_procbased &= ~((__u64)PROC_SECONDARY << 32);
	hvlab_caps_decode(&c, CPUID1_ECX_VMX);
	EXPECT_FALSE(c.features & HVLAB_CAP_EPT);
	EXPECT_FALSE(c.features & HVLAB_CAP_UNRESTRICTED_GUEST);
	EXPECT_EQ(HVLAB_STATUS_NO_FEATURES, c.status);
}

TEST(firmware_switch)
{
	struct hvlab_caps c = { 0 };

	bochs_msrs(&c.msr);
	c.msr.feature_control = 1;	/* locked, VMX off */
	hvlab_caps_decode(&c, CPUID1_ECX_VMX);
	EXPECT_EQ(HVLAB_STATUS_FW_DISABLED, c.status);
	c.msr.feature_control = 0;	/* not locked */
	hvlab_caps_decode(&c, CPUID1_ECX_VMX);
	EXPECT_EQ(HVLAB_STATUS_FW_UNLOCKED, c.status);
	hvlab_caps_decode(&c, 0);
	EXPECT_EQ(HVLAB_STATUS_NO_VMX, c.status);
}

TEST(bad_vmx_basic)
{
	struct hvlab_caps c = { 0 };

	bochs_msrs(&c.msr);
	c.msr.basic = 0x2b | (8192ull << 32);	/* region larger than a page */
	hvlab_caps_decode(&c, CPUID1_ECX_VMX);
	EXPECT_EQ(HVLAB_STATUS_BAD_BASIC, c.status);
}

static void good_host(struct host_facts *h)
{
	memset(h, 0, sizeof(*h));
	h->intel = h->cpuid_vmx = h->cpuinfo_vmx = true;
	h->module_loaded = h->have_caps = h->have_probe = true;
	bochs_msrs(&h->caps.msr);
	hvlab_caps_decode(&h->caps, CPUID1_ECX_VMX);
	h->probe.nr_cpus = 2;
}

TEST(verdicts)
{
	struct host_facts h;
	char why[256], todo[256];

	good_host(&h);
	EXPECT_EQ(VERDICT_OK, caps_diagnose(&h, why, todo));

	good_host(&h);
	h.intel = false;
	EXPECT_EQ(VERDICT_NOT_INTEL, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(todo, "Bochs"));

	good_host(&h);
	h.cpuid_vmx = h.cpuinfo_vmx = h.have_caps = false;
	h.in_vm = true;
	strcpy(h.hv_vendor, "VMwareVMware");
	EXPECT_EQ(VERDICT_NESTED, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(todo, "Virtualize Intel VT-x/EPT"));

	strcpy(h.hv_vendor, "Microsoft Hv");
	EXPECT_EQ(VERDICT_NESTED, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(todo, "ExposeVirtualizationExtensions"));

	good_host(&h);
	h.cpuinfo_vmx = h.have_caps = h.have_probe = false;
	h.module_loaded = false;
	h.dev_errno = ENOENT;
	EXPECT_EQ(VERDICT_FIRMWARE, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(todo, "BIOS"));

	good_host(&h);
	h.have_caps = h.have_probe = h.module_loaded = false;
	h.dev_errno = ENOENT;
	EXPECT_EQ(VERDICT_NO_MODULE, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(todo, "insmod"));

	good_host(&h);
	h.have_caps = h.have_probe = false;
	h.dev_errno = EACCES;
	EXPECT_EQ(VERDICT_NO_ACCESS, caps_diagnose(&h, why, todo));

	good_host(&h);
	h.kvm_intel = true;
	h.probe.result = -EBUSY;
	h.probe.cpu[0].result = -EBUSY;
	h.probe.cpu[0].owner = HVLAB_OWNER_KVM;
	EXPECT_EQ(VERDICT_BUSY, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "kvm_intel"));
	EXPECT_NE(NULL, strstr(todo, "rmmod kvm_intel"));

	good_host(&h);
	h.caps.status = HVLAB_STATUS_NO_FEATURES;
	EXPECT_EQ(VERDICT_FEATURES, caps_diagnose(&h, why, todo));
}

static void amd_host(struct host_facts *h)
{
	memset(h, 0, sizeof(*h));
	h->amd = h->cpuid_svm = h->cpuinfo_svm = true;
	h->svm_features = SVM_FEAT_NPT | SVM_FEAT_NRIPS | SVM_FEAT_FLUSH_ASID;
	h->vm_cr = 0;
}

/*
 * AMD: `hvlab caps` tells a student with a Ryzen laptop which case holds
 * -- no AMD-V at all (and, nested, how to expose it), AMD-V off in the
 * firmware, the module not loaded or without its SVM backend, AMD-V held
 * by kvm_amd, or usable by hvlab's SVM backend.
 */
TEST(amd_verdicts)
{
	struct host_facts h;
	char why[256], todo[256];

	amd_host(&h);
	EXPECT_EQ(VERDICT_AMD_SVM, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "nested paging"));
	EXPECT_NE(NULL, strstr(why, "not loaded"));
	EXPECT_NE(NULL, strstr(todo, "insmod"));
	EXPECT_EQ(NULL, strstr(why, "unread"));

	/* loaded, but without SVM (a CPU lacking NPT or NRIP) */
	h.module_loaded = true;
	EXPECT_EQ(VERDICT_AMD_SVM, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "does not offer SVM"));
	EXPECT_NE(NULL, strstr(todo, "make demo"));

	/* the SVM backend answers: usable, or held by kvm_amd */
	h.have_caps = h.have_probe = true;
	h.caps.features = HVLAB_CAP_SVM | HVLAB_CAP_NPT | HVLAB_CAP_NRIP;
	EXPECT_EQ(VERDICT_OK, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "SVM backend"));
	h.probe.result = -EBUSY;
	h.probe.nr_cpus = 1;
	h.probe.cpu[0].owner = HVLAB_OWNER_KVM;
	EXPECT_EQ(VERDICT_BUSY, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "kvm_amd"));
	amd_host(&h);

	/* VM_CR unreadable (not root, no msr.ko): said, not guessed */
	h.vm_cr = -1;
	EXPECT_EQ(VERDICT_AMD_SVM, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "msr module"));

	amd_host(&h);
	h.svm_features = 0;
	EXPECT_EQ(VERDICT_AMD_SVM, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "no nested paging"));

	amd_host(&h);
	h.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK;
	EXPECT_EQ(VERDICT_FIRMWARE, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "locked"));
	EXPECT_NE(NULL, strstr(todo, "SVM Mode"));

	amd_host(&h);
	h.cpuid_svm = h.cpuinfo_svm = false;
	EXPECT_EQ(VERDICT_NO_VMX, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "ECX.SVM=0"));

	h.in_vm = true;
	strcpy(h.hv_vendor, "KVMKVMKVM");
	EXPECT_EQ(VERDICT_NESTED, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "AMD-V"));
	EXPECT_NE(NULL, strstr(todo, "kvm_amd nested=1"));
}

TEST(svm_feature_names)
{
	EXPECT_STREQ("nested paging (NPT)", svm_feature_name(0));
	EXPECT_STREQ("next-RIP save (NRIP)", svm_feature_name(3));
	EXPECT_STREQ("flush by ASID", svm_feature_name(6));
	EXPECT_STREQ("AVIC (virtual APIC)", svm_feature_name(13));
	EXPECT_EQ(NULL, svm_feature_name(8));	/* reserved */
	EXPECT_EQ(NULL, svm_feature_name(31));
}

/*
 * Linux 6.12+: kvm_intel holds VMX from the moment it loads
 * (kvm.enable_virt_at_load=Y), so closing KVM VMs is no fix; the advice
 * must name the parameter and both ways out.  Without it (6.1, or the
 * parameter N) the advice stays "close the VMs or unload".
 */
TEST(kvm_holding_vmx_from_load)
{
	struct host_facts h;
	char why[256], todo[256];

	good_host(&h);
	h.kvm_intel = true;
	h.kvm_virt_at_load = true;
	h.probe.result = -EBUSY;
	h.probe.cpu[0].result = -EBUSY;
	h.probe.cpu[0].owner = HVLAB_OWNER_KVM;
	EXPECT_EQ(VERDICT_BUSY, caps_diagnose(&h, why, todo));
	EXPECT_NE(NULL, strstr(why, "kvm_intel"));
	EXPECT_NE(NULL, strstr(why, "since it loaded"));
	EXPECT_NE(NULL, strstr(why, "enable_virt_at_load=Y"));
	EXPECT_NE(NULL, strstr(todo, "modprobe -r kvm_intel"));
	EXPECT_NE(NULL, strstr(todo, "kvm.enable_virt_at_load=0"));
	EXPECT_EQ(NULL, strstr(todo, "close that hypervisor's VMs"));

	/* the same EBUSY with the parameter N or absent: per-VM advice */
	h.kvm_virt_at_load = false;
	EXPECT_EQ(VERDICT_BUSY, caps_diagnose(&h, why, todo));
	EXPECT_EQ(NULL, strstr(why, "enable_virt_at_load"));
	EXPECT_NE(NULL, strstr(todo, "close that hypervisor's VMs"));

	/* the parameter alone is no diagnosis: the probe must have failed */
	good_host(&h);
	h.kvm_intel = true;
	h.kvm_virt_at_load = true;
	EXPECT_EQ(VERDICT_OK, caps_diagnose(&h, why, todo));
}

TEST_HARNESS_MAIN
