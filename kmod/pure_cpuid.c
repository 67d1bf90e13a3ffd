// SPDX-License-Identifier: GPL-2.0
/*
 * pure_cpuid.c - the CPUID the guest sees and the MSRs it may use, as
 * tables (pure logic: compiled natively for tests/unit/test_cpuid.c, and
 * into the module, where exit.c and msr.c ask it).
 *
 * CPUID is an allow-list.  Each row names a leaf (and subleaf) and, per
 * register, the host bits passed through (`keep`) and the bits hvlab sets
 * itself (`set`); a leaf without a row reads 0, and so does a bit not in
 * `keep`.  A few values depend on the vCPU and are filled in by
 * hv_cpuid_guest(): the highest leaves, the APIC ID, OSXSAVE (a copy of
 * CR4.OSXSAVE) and the APIC flag (a copy of IA32_APIC_BASE.EN, as on real
 * hardware, SDM Vol. 3 11.4.3).
 *
 * What is left out, and why (SDM Vol. 2 CPUID, tables 3-10/3-11 and 3-8):
 *  - VMX, SMX: no nested virtualization;
 *  - MONITOR/MWAIT, WAITPKG: the instructions exit, or would need controls
 *    hvlab does not set, and there is nothing to wait for;
 *  - x2APIC, TSC-deadline: the local APIC is the xAPIC at 0xFEE00000, the
 *    x2APIC MSRs (0x800-0x8FF) and IA32_TSC_DEADLINE do not exist;
 *  - AVX, AVX2, AVX-512, FMA, F16C, VAES, ...: XCR0 is x87|SSE only (see
 *    the XSETBV handler), so their state cannot be enabled;
 *  - XSAVES: "enable XSAVES/XRSTORS" is off, the instructions #UD;
 *  - PCID, INVPCID: a MOV to CR3 that hvlab emulates (--trap-cr3, shadow
 *    paging) does not flush per PCID; the INVPCID control is off (#UD).
 *    Under EPT too the guest cannot turn PCIDs on: CR4.PCIDE is owned by
 *    hvlab (the CR4 guest/host mask), and a MOV to CR4 setting it raises
 *    #GP, as on a CPU without PCID (HV_CR4_GUEST_ALLOWED, pure_cpuid.h);
 *  - RDTSCP, RDPID: IA32_TSC_AUX is not switched; the RDTSCP control is
 *    off, so both #UD (SDM Vol. 3 25.6.2, table 25-7);
 *  - PKU/OSPKE: PKRU is not switched between host and guest, and
 *    CR4.PKE is refused (#GP) like PCIDE;
 *  - MCE, MCA: no IA32_MCG_* or bank MSRs;
 *  - IBRS/IBPB, STIBP, SSBD, L1D_FLUSH, ARCH_CAPABILITIES, MD_CLEAR,
 *    CORE_CAPABILITIES: their MSRs (0x48, 0x49, 0x10a, 0x10b, 0xcf) are
 *    not implemented;
 *  - TSC_ADJUST, PDCM, DS, ACPI thermal, EIST, HLE/RTM, PT, SGX, LA57,
 *    CET, and leaves 5 (MONITOR), 6 (power), 0xa (PMU), 0xb (x2APIC
 *    topology): MSRs or state hvlab does not provide;
 *  - HTT and the sharing counts of leaf 4: every vCPU is a package of one.
 * MTRR is offered with the smallest honest implementation: IA32_MTRRCAP
 * reads 0 (no variable or fixed ranges, no WC) and IA32_MTRR_DEF_TYPE is
 * stored.  The guest's memory types are not applied: the memory is the
 * host's ordinary write-back memory.
 */
#include <linux/types.h>
#include <uapi/hvlab.h>

#include "pure_cpuid.h"

#define B(n)	(1u << (n))

/* Leaf 1 (table 3-10, 3-11): the features hvlab keeps. */
#define L1_ECX	(B(0) /* SSE3 */ | B(1) /* PCLMULQDQ */ | B(9) /* SSSE3 */ | \
		 B(13) /* CMPXCHG16B */ | B(19) /* SSE4.1 */ |		\
		 B(20) /* SSE4.2 */ | B(22) /* MOVBE */ | B(23) /* POPCNT */ | \
		 B(25) /* AES */ | CPUID1_ECX_XSAVE | B(30) /* RDRAND */)
#define L1_EDX	(B(0) /* FPU */ | B(1) /* VME */ | B(2) /* DE */ |	\
		 B(3) /* PSE */ | CPUID1_EDX_TSC | CPUID1_EDX_MSR |	\
		 B(6) /* PAE */ | B(8) /* CX8 */ | CPUID1_EDX_APIC |	\
		 CPUID1_EDX_SEP | CPUID1_EDX_MTRR | B(13) /* PGE */ |	\
		 B(15) /* CMOV */ | CPUID1_EDX_PAT | B(17) /* PSE-36 */ | \
		 B(19) /* CLFSH */ | B(23) /* MMX */ | B(24) /* FXSR */ | \
		 B(25) /* SSE */ | B(26) /* SSE2 */ | B(27) /* SS */)

/* Leaf 7.0: instructions that run natively and need nothing from hvlab. */
#define L7_EBX	(B(0) /* FSGSBASE */ | B(3) /* BMI1 */ |		\
		 B(6) /* FDP_EXCPTN_ONLY */ | B(7) /* SMEP */ |		\
		 B(8) /* BMI2 */ | B(9) /* ERMS */ | B(13) /* FCS/FDS */ | \
		 B(18) /* RDSEED */ | B(19) /* ADX */ | B(20) /* SMAP */ | \
		 B(23) /* CLFLUSHOPT */ | B(24) /* CLWB */ | B(29) /* SHA */)
#define L7_ECX	(B(8) /* GFNI (its SSE forms) */)
#define L7_EDX	(B(4) /* FSRM */ | B(14) /* SERIALIZE */)

/* Leaf 80000001H. */
#define LX1_ECX	(B(0) /* LAHF/SAHF */ | B(5) /* LZCNT */ | B(8) /* PREFETCHW */)
#define LX1_EDX	(CPUIDX1_EDX_SYSCALL | CPUIDX1_EDX_NX |			\
		 B(26) /* 1-GByte pages */ | CPUIDX1_EDX_LM)

#define ALL	0xffffffffu
#define ROW(l, s, ka, kb, kc, kd) \
	{ .leaf = (l), .sub = (s), .keep = { ka, kb, kc, kd } }

/* "hvlabhvlabhv" in EBX, ECX, EDX of leaf 0x40000000. */
#define HV_SIG_EBX	0x616c7668	/* "hvla" */
#define HV_SIG_ECX	0x6c766862	/* "bhvl" */
#define HV_SIG_EDX	0x76686261	/* "abhv" */

const struct hv_cpuid_row hv_cpuid_rows[] = {
	/* EAX (the highest leaf) is clamped in hv_cpuid_guest(); vendor */
	ROW(0, HV_CPUID_ANY_SUB, 0, ALL, ALL, ALL),
	/* signature; brand index and CLFLUSH size (the APIC ID is the vCPU's) */
	{ .leaf = 1, .sub = HV_CPUID_ANY_SUB,
	  .keep = { ALL, 0x0000ffff, L1_ECX, L1_EDX },
	  .set = { 0, 0, CPUID1_ECX_HYPERVISOR, 0 } },
	ROW(2, HV_CPUID_ANY_SUB, ALL, ALL, ALL, ALL),	/* cache descriptors */
	/* cache parameters, without the sharing counts (EAX[31:14]) */
	ROW(4, HV_CPUID_ANY_SUB, 0x00003fff, ALL, ALL, 0x7),
	ROW(7, 0, 0, L7_EBX, L7_ECX, L7_EDX),	/* EAX 0: no subleaf 1 */
	/* XSAVE: the legacy area and header (576 bytes) for x87|SSE */
	{ .leaf = 0xd, .sub = 0, .set = { 3, 576, 576, 0 } },
	ROW(0x80000000, HV_CPUID_ANY_SUB, 0, 0, 0, 0),	/* EAX clamped */
	ROW(0x80000001, HV_CPUID_ANY_SUB, 0, 0, LX1_ECX, LX1_EDX),
	ROW(0x80000002, HV_CPUID_ANY_SUB, ALL, ALL, ALL, ALL),	/* brand */
	ROW(0x80000003, HV_CPUID_ANY_SUB, ALL, ALL, ALL, ALL),
	ROW(0x80000004, HV_CPUID_ANY_SUB, ALL, ALL, ALL, ALL),
	/*
	 * L1 caches and TLBs (AMD; reserved, 0, on Intel).  Linux divides by
	 * the L1 instruction cache's associativity here on AMD family 15h
	 * (bsp_init_amd), so a 0 is a divide error before its console.
	 */
	ROW(0x80000005, HV_CPUID_ANY_SUB, ALL, ALL, ALL, ALL),
	ROW(0x80000006, HV_CPUID_ANY_SUB, 0, 0, ALL, 0),	/* L2 cache */
	ROW(0x80000007, HV_CPUID_ANY_SUB, 0, 0, 0, B(8)),	/* invariant TSC */
	/* physical and linear address widths */
	ROW(0x80000008, HV_CPUID_ANY_SUB, 0x0000ffff, 0, 0, 0),
	{ .leaf = HV_CPUID_HV_BASE, .sub = HV_CPUID_ANY_SUB,
	  .set = { HV_CPUID_HV_BASE + 1, HV_SIG_EBX, HV_SIG_ECX, HV_SIG_EDX } },
};

const unsigned int hv_cpuid_nrows = sizeof(hv_cpuid_rows) /
				    sizeof(hv_cpuid_rows[0]);

/* LAB 3: BEGIN cpuid */
static const struct hv_cpuid_row *find_row(__u32 leaf, __u32 sub)
{
	unsigned int i;

	for (i = 0; i < hv_cpuid_nrows; i++)
		if (hv_cpuid_rows[i].leaf == leaf &&
		    (hv_cpuid_rows[i].sub == HV_CPUID_ANY_SUB ||
		     hv_cpuid_rows[i].sub == sub))
			return &hv_cpuid_rows[i];
	return (const struct hv_cpuid_row *)0;
}

static __u32 min_u32(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

void hv_cpuid_guest(__u32 leaf, __u32 sub, const struct hv_cpuid *host,
		    const struct hv_cpuid_vcpu *v, struct hv_cpuid *out)
{
	const struct hv_cpuid_row *r = find_row(leaf, sub);
	int hv = leaf >= HV_CPUID_HV_BASE && leaf < 0x50000000u;

	out->eax = out->ebx = out->ecx = out->edx = 0;
	if (!r)
		return;
	/* beyond the host's range the CPU answers another leaf: not ours */
	if (!hv && (leaf < 0x80000000u ? leaf > v->host_max_basic :
		    leaf > v->host_max_ext))
		return;
	if (!hv) {
		out->eax = host->eax & r->keep.eax;
		out->ebx = host->ebx & r->keep.ebx;
		out->ecx = host->ecx & r->keep.ecx;
		out->edx = host->edx & r->keep.edx;
	}
	out->eax |= r->set.eax;
	out->ebx |= r->set.ebx;
	out->ecx |= r->set.ecx;
	out->edx |= r->set.edx;

	switch (leaf) {
	case 0:
		out->eax = min_u32(v->host_max_basic, HV_CPUID_MAX_BASIC);
		break;
	case 1:
		out->ebx |= v->apic_id << 24;
		if (v->osxsave && (out->ecx & CPUID1_ECX_XSAVE))
			out->ecx |= CPUID1_ECX_OSXSAVE;
		if (!v->apic_enabled)
			out->edx &= ~CPUID1_EDX_APIC;
		break;
	case 0x80000000u:
		out->eax = min_u32(v->host_max_ext, HV_CPUID_MAX_EXT);
		break;
	}
}
/* LAB 3: END cpuid */

/* ---- MSRs ---------------------------------------------------------- */

/*
 * Every MSR the guest may touch, with the feature that brings it.  The
 * values and their checks are in msr.c; tests/unit/test_cpuid.c checks
 * that each advertised feature finds its MSRs here and each hidden one
 * does not.
 */
const struct hv_msr_row hv_msr_rows[] = {
	{ 0x00000010, HV_MSR_RW, "IA32_TSC" },			/* TSC */
	{ 0x00000017, HV_MSR_R,  "IA32_PLATFORM_ID" },	/* microcode loader */
	{ 0x0000001b, HV_MSR_RW, "IA32_APIC_BASE" },		/* APIC */
	{ 0x0000003a, HV_MSR_R,  "IA32_FEATURE_CONTROL" },	/* locked, no VMX */
	{ 0x0000008b, HV_MSR_RW, "IA32_BIOS_SIGN_ID" },	/* microcode rev. */
	{ 0x000000fe, HV_MSR_R,  "IA32_MTRRCAP" },		/* MTRR */
	{ 0x00000174, HV_MSR_RW, "IA32_SYSENTER_CS" },		/* SEP */
	{ 0x00000175, HV_MSR_RW, "IA32_SYSENTER_ESP" },
	{ 0x00000176, HV_MSR_RW, "IA32_SYSENTER_EIP" },
	{ 0x000001a0, HV_MSR_RW, "IA32_MISC_ENABLE" },
	{ 0x000001d9, HV_MSR_RW, "IA32_DEBUGCTL" },		/* reads 0 */
	{ 0x00000277, HV_MSR_RW, "IA32_PAT" },			/* PAT */
	{ 0x000002ff, HV_MSR_RW, "IA32_MTRR_DEF_TYPE" },	/* MTRR */
	{ 0xc0000080, HV_MSR_RW, "IA32_EFER" },		/* SYSCALL, NX, LM */
	{ 0xc0000081, HV_MSR_RW, "IA32_STAR" },		/* SYSCALL */
	{ 0xc0000082, HV_MSR_RW, "IA32_LSTAR" },
	{ 0xc0000083, HV_MSR_RW, "IA32_CSTAR" },
	{ 0xc0000084, HV_MSR_RW, "IA32_FMASK" },
	{ 0xc0000100, HV_MSR_RW, "IA32_FS_BASE" },		/* LM */
	{ 0xc0000101, HV_MSR_RW, "IA32_GS_BASE" },
	{ 0xc0000102, HV_MSR_RW, "IA32_KERNEL_GS_BASE" },
	/*
	 * AMD's HWCR: Linux reads it with rdmsrl, not rdmsr_safe, on family
	 * 10h and later (bsp_init_amd, "does the TSC count at P0?"), so a
	 * #GP there is an "unchecked MSR access" warning in its log.
	 * Read-only, and #GP on an Intel host, where it does not exist (msr.c).
	 */
	{ 0xc0010015, HV_MSR_R,  "AMD_HWCR" },
};

const unsigned int hv_msr_nrows = sizeof(hv_msr_rows) /
				   sizeof(hv_msr_rows[0]);

__u32 hv_msr_access(__u32 index)
{
	unsigned int i;

	for (i = 0; i < hv_msr_nrows; i++)
		if (hv_msr_rows[i].index == index)
			return hv_msr_rows[i].access;
	return 0;
}

int hv_apic_base_write(__u64 old, __u64 val, __u32 maxphyaddr, __u64 *out)
{
	__u64 base_mask = ((1ull << maxphyaddr) - 1) & ~0xfffull;

	if (val & ~(base_mask | HV_APIC_BASE_BSP | HV_APIC_BASE_EN |
		    HV_APIC_BASE_EXTD))
		return -1;			/* reserved bits */
	if (val & HV_APIC_BASE_EXTD)
		return -1;			/* x2APIC: not offered */
	if ((val & base_mask) != HV_APIC_BASE_DEFAULT)
		return -1;			/* the APIC page does not move */
	*out = (val & ~HV_APIC_BASE_BSP) | (old & HV_APIC_BASE_BSP);
	return 0;
}

int hv_misc_enable_write(__u64 old, __u64 val, __u64 *out)
{
	if ((val ^ old) & ~HV_MISC_ENABLE_FAST_STRING)
		return -1;
	*out = val;
	return 0;
}

void hv_msr_note_refused(struct hvlab_stats *st, __u32 index, int write)
{
	struct hvlab_msr_refused *slot;
	unsigned int i;

	st->msr_refused++;
	for (i = 0; i < HVLAB_MSR_REFUSED_SLOTS; i++) {
		slot = &st->msr_refused_by_index[i];
		if (slot->reads + slot->writes == 0)
			slot->index = index;	/* first free slot: take it */
		if (slot->index != index)
			continue;
		if (write)
			slot->writes++;
		else
			slot->reads++;
		return;
	}
	/* more distinct indices than slots: only the total counts it */
}
