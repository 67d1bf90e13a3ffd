// SPDX-License-Identifier: GPL-2.0
/*
 * test_cpuid.c - the CPUID allow-list and the MSR allow-list of
 * kmod/pure_cpuid.c, natively, and held against each other.
 *
 * "Advertised" here means: set in what hv_cpuid_guest() returns when the
 * host sets every bit of every leaf, so the verdict does not depend on the
 * machine the test runs on.  For each feature that brings MSRs, the MSRs
 * must be admitted when the feature is advertised and must raise #GP
 * (hv_msr_access() == 0) when it is not.  A feature advertised without its
 * MSRs is what a guest kernel trips over (x2APIC offered, then #GP on
 * 0x802); an MSR admitted for a hidden feature is state nobody switches.
 * The rest checks the pieces the module calls on the guest's behalf:
 * IA32_APIC_BASE and IA32_MISC_ENABLE writes, the refused-MSR counters and
 * how `hvlab run --stats` prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../kmod/pure_cpuid.h"
#include "vm.h"

enum { EAX, EBX, ECX, EDX };

/* The guest's answer when the host has every feature. */
static struct hv_cpuid guest_all(__u32 leaf, __u32 sub)
{
	const struct hv_cpuid host = { ~0u, ~0u, ~0u, ~0u };
	const struct hv_cpuid_vcpu v = {
		.apic_id = 0, .osxsave = 1, .apic_enabled = 1,
		.host_max_basic = 0x20, .host_max_ext = 0x80000008,
	};
	struct hv_cpuid out;

	hv_cpuid_guest(leaf, sub, &host, &v, &out);
	return out;
}

static __u32 reg_of(const struct hv_cpuid *c, int reg)
{
	return reg == EAX ? c->eax : reg == EBX ? c->ebx : reg == ECX ? c->ecx : c->edx;
}

static int advertised(__u32 leaf, __u32 sub, int reg, __u32 bit)
{
	struct hv_cpuid c = guest_all(leaf, sub);

	return !!(reg_of(&c, reg) & bit);
}

/* A feature flag and the MSR ranges [first, last] that come with it. */
struct feature_msrs {
	const char *name;
	__u32 leaf, sub;
	int reg;
	__u32 bit;
	struct { __u32 first, last; } msr[6];
};

#define F(n, l, s, r, b) .name = n, .leaf = l, .sub = s, .reg = r, .bit = b

static const struct feature_msrs features[] = {
	{ F("TSC", 1, 0, EDX, CPUID1_EDX_TSC), .msr = { { 0x10, 0x10 } } },
	{ F("APIC", 1, 0, EDX, CPUID1_EDX_APIC), .msr = { { 0x1b, 0x1b } } },
	{ F("PAT", 1, 0, EDX, CPUID1_EDX_PAT), .msr = { { 0x277, 0x277 } } },
	{ F("SEP", 1, 0, EDX, CPUID1_EDX_SEP), .msr = { { 0x174, 0x176 } } },
	{ F("MTRR", 1, 0, EDX, CPUID1_EDX_MTRR),
	  .msr = { { 0xfe, 0xfe }, { 0x2ff, 0x2ff } } },
	{ F("MCE", 1, 0, EDX, CPUID1_EDX_MCE), .msr = { { 0x179, 0x17b } } },
	{ F("MCA", 1, 0, EDX, CPUID1_EDX_MCA),
	  .msr = { { 0x179, 0x17b }, { 0x400, 0x47f } } },
	{ F("DS", 1, 0, EDX, CPUID1_EDX_DS), .msr = { { 0x600, 0x600 } } },
	{ F("ACPI (thermal)", 1, 0, EDX, CPUID1_EDX_ACPI),
	  .msr = { { 0x19a, 0x19c } } },
	{ F("x2APIC", 1, 0, ECX, CPUID1_ECX_X2APIC), .msr = { { 0x802, 0x83f } } },
	{ F("TSC-deadline", 1, 0, ECX, CPUID1_ECX_TSC_DEADLINE),
	  .msr = { { 0x6e0, 0x6e0 } } },
	{ F("PDCM", 1, 0, ECX, CPUID1_ECX_PDCM), .msr = { { 0x345, 0x345 } } },
	{ F("EIST", 1, 0, ECX, CPUID1_ECX_EIST), .msr = { { 0x198, 0x199 } } },
	{ F("VMX", 1, 0, ECX, CPUID1_ECX_VMX_BIT), .msr = { { 0x480, 0x491 } } },
	{ F("TSC_ADJUST", 7, 0, EBX, CPUID7_EBX_TSC_ADJUST),
	  .msr = { { 0x3b, 0x3b } } },
	{ F("WAITPKG", 7, 0, ECX, CPUID7_ECX_WAITPKG), .msr = { { 0xe1, 0xe1 } } },
	{ F("RDPID", 7, 0, ECX, CPUID7_ECX_RDPID),
	  .msr = { { 0xc0000103, 0xc0000103 } } },
	{ F("IBRS/IBPB", 7, 0, EDX, CPUID7_EDX_IBRS_IBPB),
	  .msr = { { 0x48, 0x49 } } },
	{ F("STIBP", 7, 0, EDX, CPUID7_EDX_STIBP), .msr = { { 0x48, 0x48 } } },
	{ F("SSBD", 7, 0, EDX, CPUID7_EDX_SSBD), .msr = { { 0x48, 0x48 } } },
	{ F("L1D_FLUSH", 7, 0, EDX, CPUID7_EDX_L1D_FLUSH),
	  .msr = { { 0x10b, 0x10b } } },
	{ F("ARCH_CAPABILITIES", 7, 0, EDX, CPUID7_EDX_ARCH_CAPS),
	  .msr = { { 0x10a, 0x10a } } },
	{ F("CORE_CAPABILITIES", 7, 0, EDX, CPUID7_EDX_CORE_CAPS),
	  .msr = { { 0xcf, 0xcf } } },
	{ F("XSAVES", 0xd, 1, EAX, 1u << 3), .msr = { { 0xda0, 0xda0 } } },
	{ F("PMU", 0xa, 0, EAX, 0xff),
	  .msr = { { 0xc1, 0xc8 }, { 0x186, 0x18d }, { 0x38d, 0x390 } } },
	{ F("NX", 0x80000001, 0, EDX, CPUIDX1_EDX_NX),
	  .msr = { { 0xc0000080, 0xc0000080 } } },
	{ F("SYSCALL", 0x80000001, 0, EDX, CPUIDX1_EDX_SYSCALL),
	  .msr = { { 0xc0000080, 0xc0000084 } } },
	{ F("LM", 0x80000001, 0, EDX, CPUIDX1_EDX_LM),
	  .msr = { { 0xc0000080, 0xc0000080 }, { 0xc0000082, 0xc0000082 },
		   { 0xc0000100, 0xc0000102 } } },
	{ F("RDTSCP", 0x80000001, 0, EDX, CPUIDX1_EDX_RDTSCP),
	  .msr = { { 0xc0000103, 0xc0000103 } } },
};

/* MSRs that come with no CPUID flag of their own, yet hvlab admits. */
static int admitted_without_feature(__u32 index)
{
	return index == 0x17 || index == 0x3a || index == 0x8b ||
	       index == 0x1a0 || index == 0x1d9 ||
	       index == 0xc0010015;	/* AMD's HWCR, read by Linux unguarded */
}

TEST(every_advertised_feature_finds_its_msrs)
{
	for (unsigned i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct feature_msrs *f = &features[i];

		if (!advertised(f->leaf, f->sub, f->reg, f->bit))
			continue;
		for (unsigned j = 0; j < 6 && f->msr[j].first; j++)
			for (__u32 m = f->msr[j].first; m <= f->msr[j].last; m++) {
				if (hv_msr_access(m) & HV_MSR_R)
					continue;
				TH_LOG("%s is advertised but MSR 0x%x is not readable",
				       f->name, m);
				ASSERT_TRUE(0);
			}
	}
}

TEST(every_hidden_feature_leaves_its_msrs_refused)
{
	for (unsigned i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct feature_msrs *f = &features[i];

		if (advertised(f->leaf, f->sub, f->reg, f->bit))
			continue;
		for (unsigned j = 0; j < 6 && f->msr[j].first; j++)
			for (__u32 m = f->msr[j].first; m <= f->msr[j].last; m++) {
				int shared = 0;

				/* an MSR another, advertised, feature brings */
				for (unsigned k = 0; k < sizeof(features) / sizeof(features[0]); k++)
					for (unsigned l = 0; l < 6 && features[k].msr[l].first; l++)
						if (k != i && m >= features[k].msr[l].first &&
						    m <= features[k].msr[l].last &&
						    advertised(features[k].leaf, features[k].sub,
							       features[k].reg, features[k].bit))
							shared = 1;
				if (shared || !hv_msr_access(m))
					continue;
				TH_LOG("%s is hidden but MSR 0x%x is admitted", f->name, m);
				ASSERT_TRUE(0);
			}
	}
}

/* The other direction: every admitted MSR belongs to something offered. */
TEST(every_admitted_msr_has_a_reason)
{
	for (unsigned i = 0; i < hv_msr_nrows; i++) {
		__u32 m = hv_msr_rows[i].index;
		int why = admitted_without_feature(m);

		for (unsigned k = 0; k < sizeof(features) / sizeof(features[0]); k++)
			for (unsigned l = 0; l < 6 && features[k].msr[l].first; l++)
				if (m >= features[k].msr[l].first && m <= features[k].msr[l].last &&
				    advertised(features[k].leaf, features[k].sub,
					       features[k].reg, features[k].bit))
					why = 1;
		if (!why)
			TH_LOG("MSR 0x%x (%s) is admitted for no advertised feature",
			       m, hv_msr_rows[i].name);
		EXPECT_TRUE(why);
		for (unsigned j = 0; j < i; j++)
			EXPECT_NE(m, hv_msr_rows[j].index);	/* listed once */
	}
}

/* MTRR: IA32_MTRRCAP's counts promise variable and fixed MSRs. */
TEST(mtrrcap_promises_only_admitted_ranges)
{
	unsigned vcnt = HV_MTRRCAP & 0xff;
	int fix = !!(HV_MTRRCAP & (1u << 8));
	static const __u32 fixed[] = {
		0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f
	};

	ASSERT_TRUE(advertised(1, 0, EDX, CPUID1_EDX_MTRR));
	EXPECT_EQ(HV_MSR_R, hv_msr_access(0xfe));	/* MTRRCAP is read-only */
	EXPECT_EQ(HV_MSR_RW, hv_msr_access(0x2ff));
	for (unsigned i = 0; i < 16; i++) {
		EXPECT_EQ(i < vcnt ? HV_MSR_RW : 0, hv_msr_access(0x200 + 2 * i));
		EXPECT_EQ(i < vcnt ? HV_MSR_RW : 0, hv_msr_access(0x201 + 2 * i));
	}
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		EXPECT_EQ(fix ? HV_MSR_RW : 0, hv_msr_access(fixed[i]));
	/* enabled (E), default type WB: what a kernel expects from firmware */
	EXPECT_EQ(0x806ull, HV_MTRR_DEF_TYPE_RESET);
}

/* Features hvlab cannot honour read 0, whatever the host has. */
TEST(hidden_features_read_zero)
{
	static const struct { const char *name; __u32 leaf, sub; int reg; __u32 bits; } hidden[] = {
		{ "MONITOR VMX SMX EIST PDCM PCID x2APIC TSC-deadline AVX", 1, 0, ECX,
		  CPUID1_ECX_MONITOR | CPUID1_ECX_VMX_BIT | CPUID1_ECX_SMX | CPUID1_ECX_EIST |
		  CPUID1_ECX_PDCM | CPUID1_ECX_PCID | CPUID1_ECX_X2APIC |
		  CPUID1_ECX_TSC_DEADLINE | CPUID1_ECX_AVX | (1u << 12) /* FMA */ |
		  (1u << 29) /* F16C */ },
		{ "MCE MCA DS ACPI HTT", 1, 0, EDX, CPUID1_EDX_MCE | CPUID1_EDX_MCA |
		  CPUID1_EDX_DS | CPUID1_EDX_ACPI | (1u << 28) },
		{ "logical processor count", 1, 0, EBX, 0x00ff0000 },
		{ "TSC_ADJUST INVPCID AVX2 RTM HLE AVX-512", 7, 0, EBX,
		  CPUID7_EBX_TSC_ADJUST | CPUID7_EBX_INVPCID | (1u << 5) | (1u << 4) |
		  (1u << 11) | (1u << 16) },
		{ "PKU OSPKE WAITPKG LA57 RDPID", 7, 0, ECX, CPUID7_ECX_PKU |
		  CPUID7_ECX_OSPKE | CPUID7_ECX_WAITPKG | (1u << 16) | CPUID7_ECX_RDPID },
		{ "MD_CLEAR IBRS STIBP L1D_FLUSH ARCH_CAPS CORE_CAPS SSBD", 7, 0, EDX,
		  (1u << 10) | CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP |
		  CPUID7_EDX_L1D_FLUSH | CPUID7_EDX_ARCH_CAPS | CPUID7_EDX_CORE_CAPS |
		  CPUID7_EDX_SSBD },
		{ "leaf 7 subleaves", 7, 0, EAX, ~0u },
		{ "RDTSCP", 0x80000001, 0, EDX, CPUIDX1_EDX_RDTSCP },
	};

	for (unsigned i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		struct hv_cpuid c = guest_all(hidden[i].leaf, hidden[i].sub);
		__u32 got = reg_of(&c, hidden[i].reg) & hidden[i].bits;

		if (got)
			TH_LOG("%s: leaf 0x%x bits 0x%08x visible", hidden[i].name,
			       hidden[i].leaf, got);
		EXPECT_EQ(0u, got);
	}
}

/*
 * The CR4 bits a guest may set (pure_cpuid.h) against CPUID: a bit whose
 * feature is hidden must be refused (#GP), one whose feature is offered
 * must be settable.  PCIDE with PCID, PKE with PKU, LA57, UMIP, OSXSAVE
 * with XSAVE, FSGSBASE, SMEP, SMAP; VMXE and SMXE never.
 */
TEST(cr4_bits_follow_cpuid)
{
	static const struct { const char *name; __u32 cr4, leaf; int reg; __u32 bit; } bits[] = {
		{ "PCIDE", HV_CR4_PCIDE, 1, ECX, CPUID1_ECX_PCID },
		{ "OSXSAVE", HV_CR4_OSXSAVE, 1, ECX, CPUID1_ECX_XSAVE },
		{ "VMXE", HV_CR4_VMXE, 1, ECX, CPUID1_ECX_VMX_BIT },
		{ "SMXE", HV_CR4_SMXE, 1, ECX, CPUID1_ECX_SMX },
		{ "PGE", HV_CR4_PGE, 1, EDX, 1u << 13 },
		{ "PAE", HV_CR4_PAE, 1, EDX, 1u << 6 },
		{ "PSE", HV_CR4_PSE, 1, EDX, 1u << 3 },
		{ "VME", HV_CR4_VME, 1, EDX, 1u << 1 },
		{ "DE", HV_CR4_DE, 1, EDX, 1u << 2 },
		{ "OSFXSR", HV_CR4_OSFXSR, 1, EDX, 1u << 24 },
		{ "FSGSBASE", HV_CR4_FSGSBASE, 7, EBX, 1u << 0 },
		{ "SMEP", HV_CR4_SMEP, 7, EBX, 1u << 7 },
		{ "SMAP", HV_CR4_SMAP, 7, EBX, 1u << 20 },
		{ "UMIP", HV_CR4_UMIP, 7, ECX, 1u << 2 },
		{ "PKE", HV_CR4_PKE, 7, ECX, CPUID7_ECX_PKU },
		{ "LA57", HV_CR4_LA57, 7, ECX, 1u << 16 },
		{ "CET", HV_CR4_CET, 7, ECX, 1u << 7 },
		{ "PKS", HV_CR4_PKS, 7, ECX, 1u << 31 },
	};

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		int offered = advertised(bits[i].leaf, 0, bits[i].reg, bits[i].bit);
		int settable = !!(HV_CR4_GUEST_ALLOWED & bits[i].cr4);

		if (offered != settable)
			TH_LOG("CR4.%s: CPUID says %d, CR4 allows %d", bits[i].name,
			       offered, settable);
		EXPECT_EQ(offered, settable);
	}
	/* INVPCID comes with PCID: hidden alike */
	EXPECT_FALSE(advertised(7, 0, EBX, CPUID7_EBX_INVPCID));
	/* bits 63:32 and the undefined ones are never settable */
	EXPECT_EQ(0u, HV_CR4_GUEST_ALLOWED & ((1u << 15) | (1u << 19) | 0xfe000000u));
}

/* AMD's L1 cache leaf is the host's: Linux divides by a field of it */
TEST(l1_cache_leaf_is_the_hosts)
{
	struct hv_cpuid c = guest_all(0x80000005, 0);

	EXPECT_EQ(~0u, c.eax & c.ebx & c.ecx & c.edx);
}

TEST(leaves_without_a_row_read_zero)
{
	static const __u32 leaves[][2] = {
		{ 3, 0 }, { 5, 0 }, { 6, 0 }, { 7, 1 }, { 0xa, 0 }, { 0xb, 0 }, { 0xb, 1 },
		{ 0xd, 1 }, { 0xd, 2 }, { 0xd, 5 }, { 0x14, 0 }, { 0x1f, 0 },
		{ 0x40000001, 0 }, { 0x40000100, 0 }, { 0x80000009, 0 },
	};

	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct hv_cpuid c = guest_all(leaves[i][0], leaves[i][1]);

		if (c.eax | c.ebx | c.ecx | c.edx)
			TH_LOG("leaf 0x%x.%u is not empty", leaves[i][0], leaves[i][1]);
		EXPECT_EQ(0u, c.eax | c.ebx | c.ecx | c.edx);
	}
}

TEST(highest_leaves_are_clamped_to_the_table)
{
	const struct hv_cpuid host = { 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 };
	struct hv_cpuid_vcpu v = { .host_max_basic = 0x16, .host_max_ext = 0x80000008 };
	struct hv_cpuid out;

	hv_cpuid_guest(0, 0, &host, &v, &out);
	EXPECT_EQ(HV_CPUID_MAX_BASIC, out.eax);
	EXPECT_EQ(0x756e6547u, out.ebx);	/* "GenuineIntel" stays */
	v.host_max_basic = 7;		/* an older CPU: its own maximum */
	hv_cpuid_guest(0, 0, &host, &v, &out);
	EXPECT_EQ(7u, out.eax);
	/* beyond the host's range the CPU answers with another leaf: 0 */
	hv_cpuid_guest(0xd, 0, &host, &v, &out);
	EXPECT_EQ(0u, out.eax | out.ebx | out.ecx | out.edx);
	v.host_max_ext = 0x80000008;
	hv_cpuid_guest(0x80000000, 0, &host, &v, &out);
	EXPECT_EQ(HV_CPUID_MAX_EXT, out.eax);
	v.host_max_ext = 0x80000020;
	hv_cpuid_guest(0x80000000, 0, &host, &v, &out);
	EXPECT_EQ(HV_CPUID_MAX_EXT, out.eax);
}

TEST(leaf1_follows_the_vcpu)
{
	const struct hv_cpuid host = { 0x50654, 0x12345678, ~0u, ~0u };
	struct hv_cpuid_vcpu v = { .apic_id = 3, .osxsave = 0, .apic_enabled = 1,
				   .host_max_basic = 0xd, .host_max_ext = 0x80000008 };
	struct hv_cpuid out;

	hv_cpuid_guest(1, 0, &host, &v, &out);
	EXPECT_EQ(0x50654u, out.eax);
	EXPECT_EQ(0x03005678u, out.ebx);		/* APIC ID 3, no count */
	EXPECT_TRUE(out.ecx & CPUID1_ECX_HYPERVISOR);
	EXPECT_TRUE(out.ecx & CPUID1_ECX_XSAVE);
	EXPECT_FALSE(out.ecx & CPUID1_ECX_OSXSAVE);	/* CR4.OSXSAVE is 0 */
	EXPECT_TRUE(out.edx & CPUID1_EDX_APIC);
	v.osxsave = 1;
	v.apic_enabled = 0;			/* SDM Vol. 3 11.4.3 */
	hv_cpuid_guest(1, 0, &host, &v, &out);
	EXPECT_TRUE(out.ecx & CPUID1_ECX_OSXSAVE);
	EXPECT_FALSE(out.edx & CPUID1_EDX_APIC);
}

TEST(xsave_leaf_and_signature)
{
	struct hv_cpuid c = guest_all(0xd, 0);

	EXPECT_EQ(3u, c.eax);		/* x87 | SSE */
	EXPECT_EQ(576u, c.ebx);
	EXPECT_EQ(576u, c.ecx);
	EXPECT_EQ(0u, c.edx);
	c = guest_all(0x40000000, 0);
	EXPECT_EQ(0x40000001u, c.eax);
	EXPECT_EQ(0, memcmp(&c.ebx, "hvla", 4));
	EXPECT_EQ(0, memcmp(&c.ecx, "bhvl", 4));
	EXPECT_EQ(0, memcmp(&c.edx, "abhv", 4));
}

/* XSETBV: what leaf 0xd promises, and nothing the FXSAVE image lacks */
TEST(xcr0_writes_match_leaf_0xd)
{
	struct hv_cpuid d = guest_all(0xd, 0);
	__u64 v;

	for (v = 0; v < 64; v++)
		EXPECT_EQ((v & 1) && !(v & ~(__u64)d.eax),
			  hv_xcr0_valid(0, v)) TH_LOG("XCR0 %#llx", (unsigned long long)v);
	EXPECT_FALSE(hv_xcr0_valid(1, 3));	/* XCR1: not offered */
	EXPECT_FALSE(hv_xcr0_valid(0, 1ull << 32 | 3));
	EXPECT_TRUE(hv_xcr0_valid(0, 1));
}

TEST(apic_base_writes)
{
	const __u64 bsp = 0xfee00000ull | HV_APIC_BASE_EN | HV_APIC_BASE_BSP;
	__u64 v = 0;

	/* disable, enable again; the BSP flag stays the CPU's */
	ASSERT_EQ(0, hv_apic_base_write(bsp, 0xfee00000ull, 36, &v));
	EXPECT_EQ(0xfee00000ull | HV_APIC_BASE_BSP, v);
	ASSERT_EQ(0, hv_apic_base_write(v, 0xfee00000ull | HV_APIC_BASE_EN, 36, &v));
	EXPECT_EQ(bsp, v);
	ASSERT_EQ(0, hv_apic_base_write(0xfee00000ull | HV_APIC_BASE_EN,
					bsp, 36, &v));	/* an AP cannot become BSP */
	EXPECT_EQ(0xfee00000ull | HV_APIC_BASE_EN, v);
	v = bsp;
	/* x2APIC mode only if CPUID offers x2APIC */
	EXPECT_EQ(advertised(1, 0, ECX, CPUID1_ECX_X2APIC) ? 0 : -1,
		  hv_apic_base_write(bsp, bsp | HV_APIC_BASE_EXTD, 36, &v));
	v = bsp;
	/* moving the page, reserved bits (9, above MAXPHYADDR) */
	EXPECT_EQ(-1, hv_apic_base_write(bsp, (bsp & 0xfff) | 0xfed00000ull, 36, &v));
	EXPECT_EQ(-1, hv_apic_base_write(bsp, bsp | (1ull << 9), 36, &v));
	EXPECT_EQ(-1, hv_apic_base_write(bsp, bsp | (1ull << 36), 36, &v));
	EXPECT_EQ(bsp, v);	/* failures leave *out alone */
}

TEST(misc_enable_writes)
{
	__u64 v = 0;

	EXPECT_EQ(0, hv_misc_enable_write(HV_MISC_ENABLE_RESET,
					  HV_MISC_ENABLE_RESET & ~1ull, &v));
	EXPECT_EQ(HV_MISC_ENABLE_RESET & ~1ull, v);
	/* limit CPUID maxval (22), XD disable (34): not honoured, refused */
	EXPECT_EQ(-1, hv_misc_enable_write(HV_MISC_ENABLE_RESET,
					   HV_MISC_ENABLE_RESET | (1ull << 22), &v));
	EXPECT_EQ(-1, hv_misc_enable_write(HV_MISC_ENABLE_RESET,
					   HV_MISC_ENABLE_RESET | (1ull << 34), &v));
}

static __attribute__((noinline)) char *capture_stats(const struct hvlab_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vcpu_print_stats(st, 0, f);
	fclose(f);
	return buf;
}

TEST(refused_msrs_are_counted_and_printed)
{
	struct hvlab_stats *st = calloc(1, sizeof(*st));
	char *out;

	ASSERT_NE(NULL, st);
	hv_msr_note_refused(st, 0x802, 0);
	hv_msr_note_refused(st, 0x802, 0);
	hv_msr_note_refused(st, 0x48, 1);
	EXPECT_EQ(3u, st->msr_refused);
	EXPECT_EQ(0x802u, st->msr_refused_by_index[0].index);
	EXPECT_EQ(2u, st->msr_refused_by_index[0].reads);
	EXPECT_EQ(0x48u, st->msr_refused_by_index[1].index);
	EXPECT_EQ(1u, st->msr_refused_by_index[1].writes);
	/* index 0 is an MSR too (IA32_P5_MC_ADDR): a slot with counts */
	hv_msr_note_refused(st, 0, 0);
	EXPECT_EQ(0u, st->msr_refused_by_index[2].index);
	EXPECT_EQ(1u, st->msr_refused_by_index[2].reads);
	hv_msr_note_refused(st, 0x48, 0);
	EXPECT_EQ(1u, st->msr_refused_by_index[1].reads);
	/* more distinct indices than slots: the total still counts */
	for (__u32 i = 0; i < HVLAB_MSR_REFUSED_SLOTS + 4; i++)
		hv_msr_note_refused(st, 0x1000 + i, 1);
	EXPECT_EQ(5u + HVLAB_MSR_REFUSED_SLOTS + 4, st->msr_refused);
	EXPECT_EQ(0x1000u + HVLAB_MSR_REFUSED_SLOTS - 4,
		  st->msr_refused_by_index[HVLAB_MSR_REFUSED_SLOTS - 1].index);

	out = capture_stats(st);
	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "MSRs refused (#GP): 25 accesses\n"));
	EXPECT_NE(NULL, strstr(out, "msr 0x00000802        2 rdmsr        0 wrmsr\n"));
	EXPECT_NE(NULL, strstr(out, "msr 0x00000048        1 rdmsr        1 wrmsr\n"));
	EXPECT_NE(NULL, strstr(out, "(7 more to indices beyond the first 16)\n"));
	free(out);
	memset(st, 0, sizeof(*st));
	out = capture_stats(st);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(NULL, strstr(out, "MSRs refused"));	/* none: no line */
	free(out);
	free(st);
}

TEST_HARNESS_MAIN
