// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 3's native checks: the emulation of a trapped CPUID
 * (kmod/pure_cpuid.c, find_row and hv_cpuid_guest).  The exit handlers
 * that call it, advance RIP and emulate HLT and VMCALL are checked in the
 * VM (grade.list).
 *
 * Host CPUID answers are random per run, so a function that returns the
 * values of one machine fails; the expected answers follow the table
 * hv_cpuid_rows[] (the policy: which host bits pass, which hvlab sets) and
 * the rules atop the function.
 */
#include "grade.h"
#include "../../kmod/pure_cpuid.h"

static const struct hv_cpuid_row *row_of(__u32 leaf, __u32 sub)
{
	for (unsigned int i = 0; i < hv_cpuid_nrows; i++)
		if (hv_cpuid_rows[i].leaf == leaf &&
		    (hv_cpuid_rows[i].sub == HV_CPUID_ANY_SUB || hv_cpuid_rows[i].sub == sub))
			return &hv_cpuid_rows[i];
	return NULL;
}

static struct hv_cpuid random_regs(void)
{
	return (struct hv_cpuid){ (__u32)rnd(), (__u32)rnd(), (__u32)rnd(), (__u32)rnd() };
}

static struct hv_cpuid_vcpu random_vcpu(void)
{
	return (struct hv_cpuid_vcpu){
		.apic_id = (__u32)rnd_range(0, 255),
		.osxsave = (int)(rnd() & 1),
		.apic_enabled = (int)(rnd() & 1),
		.host_max_basic = (__u32)rnd_range(0xd, 0x20),
		.host_max_ext = (__u32)rnd_range(0x80000008u, 0x80000020u),
	};
}

#define SAME(what, a, b) \
	CHECK((a) == (b), "leaf %#x sub %#x %s: %#010x, want %#010x", leaf, sub, what, a, b)

LAB_TEST(cpuid_rows_random_host)
{
	for (int k = 0; k < 2000; k++) {
		const struct hv_cpuid_row *r = &hv_cpuid_rows[rnd() % hv_cpuid_nrows];
		__u32 leaf = r->leaf, sub = r->sub == HV_CPUID_ANY_SUB ? (__u32)rnd() : r->sub;
		struct hv_cpuid host = random_regs(), out, want;
		struct hv_cpuid_vcpu v = random_vcpu();
		int hv = leaf >= HV_CPUID_HV_BASE && leaf < 0x50000000u;

		if (row_of(leaf, sub) != r || leaf == 0 || leaf == 1 || leaf == 0x80000000u)
			continue;	/* the special leaves have their own checks */
		hv_cpuid_guest(leaf, sub, &host, &v, &out);
		want.eax = (hv ? 0 : host.eax & r->keep.eax) | r->set.eax;
		want.ebx = (hv ? 0 : host.ebx & r->keep.ebx) | r->set.ebx;
		want.ecx = (hv ? 0 : host.ecx & r->keep.ecx) | r->set.ecx;
		want.edx = (hv ? 0 : host.edx & r->keep.edx) | r->set.edx;
		SAME("EAX", out.eax, want.eax);
		SAME("EBX", out.ebx, want.ebx);
		SAME("ECX", out.ecx, want.ecx);
		SAME("EDX", out.edx, want.edx);
	}
}

LAB_TEST(cpuid_leaf1_hides_vmx_and_shows_the_vcpu)
{
	for (int k = 0; k < 500; k++) {
		__u32 leaf = 1, sub = 0;
		struct hv_cpuid host = random_regs(), out;
		struct hv_cpuid_vcpu v = random_vcpu();
		const struct hv_cpuid_row *r = row_of(1, 0);

		host.ecx |= CPUID1_ECX_VMX_BIT;	/* the host has VT-x... */
		hv_cpuid_guest(1, 0, &host, &v, &out);
		CHECK(!(out.ecx & CPUID1_ECX_VMX_BIT), "leaf 1 ECX %#010x: the guest must not see "
		      "VMX (bit 5)", out.ecx);
		CHECK(out.ecx & CPUID1_ECX_HYPERVISOR, "leaf 1 ECX %#010x: bit 31 says a hypervisor "
		      "is there", out.ecx);
		SAME("EBX[31:24] (APIC ID)", out.ebx >> 24, v.apic_id);
		SAME("EBX[15:0]", out.ebx & 0xffff, host.ebx & 0xffff);
		SAME("EAX", out.eax, host.eax & r->keep.eax);
		CHECK(!!(out.ecx & CPUID1_ECX_OSXSAVE) ==
		      (v.osxsave && (host.ecx & r->keep.ecx & CPUID1_ECX_XSAVE)),
		      "OSXSAVE %d with guest CR4.OSXSAVE %d and XSAVE %d",
		      !!(out.ecx & CPUID1_ECX_OSXSAVE), v.osxsave,
		      !!(host.ecx & r->keep.ecx & CPUID1_ECX_XSAVE));
		CHECK(!!(out.edx & CPUID1_EDX_APIC) ==
		      (v.apic_enabled && !!(host.edx & r->keep.edx & CPUID1_EDX_APIC)),
		      "EDX.APIC %d with the guest's APIC %s", !!(out.edx & CPUID1_EDX_APIC),
		      v.apic_enabled ? "enabled" : "disabled");
		SAME("ECX (other bits)", out.ecx & ~(CPUID1_ECX_OSXSAVE | CPUID1_ECX_HYPERVISOR),
		     host.ecx & r->keep.ecx & ~CPUID1_ECX_OSXSAVE);
	}
}

LAB_TEST(cpuid_ranges_and_signature)
{
	for (int k = 0; k < 500; k++) {
		struct hv_cpuid host = random_regs(), out;
		struct hv_cpuid_vcpu v = random_vcpu();
		__u32 leaf, sub = 0;

		v.host_max_basic = (__u32)rnd_range(2, 0x20);
		leaf = 0;
		hv_cpuid_guest(0, 0, &host, &v, &out);
		SAME("EAX (highest basic leaf)", out.eax,
		     v.host_max_basic < HV_CPUID_MAX_BASIC ? v.host_max_basic : HV_CPUID_MAX_BASIC);
		SAME("EBX (vendor)", out.ebx, host.ebx);
		leaf = 0x80000000u;
		hv_cpuid_guest(leaf, 0, &host, &v, &out);
		SAME("EAX (highest extended leaf)", out.eax,
		     v.host_max_ext < HV_CPUID_MAX_EXT ? v.host_max_ext : HV_CPUID_MAX_EXT);
		/* a listed leaf beyond the host's range: zeros */
		leaf = 0xd;
		if (v.host_max_basic < 0xd) {
			hv_cpuid_guest(leaf, 0, &host, &v, &out);
			CHECK(!(out.eax | out.ebx | out.ecx | out.edx), "leaf 0xd beyond the host's "
			      "highest leaf %#x must read 0", v.host_max_basic);
		}
		/* leaves the table does not list: zeros */
		leaf = (__u32)rnd_range(0x14, 0x3fffffff);
		hv_cpuid_guest(leaf, 0, &host, &v, &out);
		CHECK(!(out.eax | out.ebx | out.ecx | out.edx), "unlisted leaf %#x must read 0", leaf);
		leaf = HV_CPUID_HV_BASE;
		hv_cpuid_guest(leaf, 0, &host, &v, &out);
		CHECK(out.ebx == 0x616c7668 && out.ecx == 0x6c766862 && out.edx == 0x76686261 &&
		      out.eax == HV_CPUID_HV_BASE + 1, "leaf 0x40000000: \"hvlabhvlabhv\" and the "
		      "highest hypervisor leaf, whatever the host says");
	}
}
