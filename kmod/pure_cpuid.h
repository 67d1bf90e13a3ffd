/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_cpuid.h - what the guest is told about its CPU (CPUID) and which
 * MSRs it may touch, as two allow-lists in pure logic (no kernel API), so
 * that tests/unit/test_cpuid.c holds them against each other natively and
 * the module builds the same file unchanged.
 *
 * The rule both lists keep: a feature is advertised only if hvlab does
 * what the feature promises, including every MSR that comes with it; an
 * MSR is admitted only if something the guest was told about uses it.
 * Everything else reads 0 (CPUID) or raises #GP (MSRs).
 */
#ifndef HVLAB_PURE_CPUID_H
#define HVLAB_PURE_CPUID_H

#include <linux/types.h>
#include <uapi/hvlab.h>

struct hv_cpuid {
	__u32 eax, ebx, ecx, edx;
};

/* The guest state CPUID reflects, and how far the host's leaves go. */
struct hv_cpuid_vcpu {
	__u32 apic_id;
	int osxsave;		/* guest CR4.OSXSAVE */
	int apic_enabled;	/* IA32_APIC_BASE.EN: CPUID.1:EDX.APIC follows it */
	__u32 host_max_basic;	/* host CPUID.0:EAX */
	__u32 host_max_ext;	/* host CPUID.80000000H:EAX */
};

/* One row: the host bits passed through, and bits hvlab sets itself. */
#define HV_CPUID_ANY_SUB	0xffffffffu	/* the leaf has no subleaves */
struct hv_cpuid_row {
	__u32 leaf, sub;
	struct hv_cpuid keep, set;
};

extern const struct hv_cpuid_row hv_cpuid_rows[];
extern const unsigned int hv_cpuid_nrows;

/* The highest leaves the guest sees (CPUID.0:EAX, CPUID.80000000H:EAX). */
#define HV_CPUID_MAX_BASIC	0xdu
#define HV_CPUID_MAX_EXT	0x80000008u
#define HV_CPUID_HV_BASE	0x40000000u	/* "hvlabhvlabhv" */

/*
 * The guest's CPUID(leaf, sub), given the host's answer to the same
 * question.  A leaf without a row, or beyond the host's range, reads 0.
 */
void hv_cpuid_guest(__u32 leaf, __u32 sub, const struct hv_cpuid *host,
		    const struct hv_cpuid_vcpu *v, struct hv_cpuid *out);

/*
 * XSETBV(index, val) a guest may do: XCR0 only, x87 always set (SDM Vol. 1
 * 13.3), and no state beyond x87|SSE, the state CPUID leaf 0xd describes
 * and the FXSAVE image the hypervisor switches.  Else the CPU's answer is
 * #GP(0).
 */
static inline int hv_xcr0_valid(__u32 index, __u64 val)
{
	return index == 0 && (val & 1) && !(val & ~3ull);
}

/*
 * The CR4 bits a guest may set (SDM Vol. 3 2.5): the architectural ones
 * every x86-64 CPU has, and those whose feature CPUID advertises.  Any
 * other bit is reserved for the guest, so a MOV to CR4 setting it raises
 * #GP, as on a CPU without the feature; vmcs.c owns all of them in the
 * CR4 guest/host mask so that such a write always exits.  Left out with
 * their CPUID bits: VMXE, SMXE, UMIP, LA57, PCIDE (with INVPCID), PKE,
 * CET, PKS.  MCE stays settable although CPUID hides MCE: Linux and older
 * guests set it freely, and machine checks are the host's anyway (host_state.c).
 * tests/unit/test_cpuid.c checks this mask against the CPUID table.
 */
#define HV_CR4_VME		(1u << 0)
#define HV_CR4_PVI		(1u << 1)
#define HV_CR4_TSD		(1u << 2)
#define HV_CR4_DE		(1u << 3)
#define HV_CR4_PSE		(1u << 4)
#define HV_CR4_PAE		(1u << 5)
#define HV_CR4_MCE		(1u << 6)
#define HV_CR4_PGE		(1u << 7)
#define HV_CR4_PCE		(1u << 8)
#define HV_CR4_OSFXSR		(1u << 9)
#define HV_CR4_OSXMMEXCPT	(1u << 10)
#define HV_CR4_UMIP		(1u << 11)
#define HV_CR4_LA57		(1u << 12)
#define HV_CR4_VMXE		(1u << 13)
#define HV_CR4_SMXE		(1u << 14)
#define HV_CR4_FSGSBASE		(1u << 16)
#define HV_CR4_PCIDE		(1u << 17)
#define HV_CR4_OSXSAVE		(1u << 18)
#define HV_CR4_SMEP		(1u << 20)
#define HV_CR4_SMAP		(1u << 21)
#define HV_CR4_PKE		(1u << 22)
#define HV_CR4_CET		(1u << 23)
#define HV_CR4_PKS		(1u << 24)
#define HV_CR4_GUEST_ALLOWED	(HV_CR4_VME | HV_CR4_PVI | HV_CR4_TSD |	\
				 HV_CR4_DE | HV_CR4_PSE | HV_CR4_PAE |	\
				 HV_CR4_MCE | HV_CR4_PGE | HV_CR4_PCE |	\
				 HV_CR4_OSFXSR | HV_CR4_OSXMMEXCPT |	\
				 HV_CR4_FSGSBASE | HV_CR4_OSXSAVE |	\
				 HV_CR4_SMEP | HV_CR4_SMAP)

/* Feature bits the code above and the tests name (SDM Vol. 2 CPUID). */
#define CPUID1_ECX_MONITOR		(1u << 3)
#define CPUID1_ECX_VMX_BIT		(1u << 5)
#define CPUID1_ECX_SMX			(1u << 6)
#define CPUID1_ECX_EIST			(1u << 7)
#define CPUID1_ECX_PDCM			(1u << 15)
#define CPUID1_ECX_PCID			(1u << 17)
#define CPUID1_ECX_X2APIC		(1u << 21)
#define CPUID1_ECX_TSC_DEADLINE		(1u << 24)
#define CPUID1_ECX_XSAVE		(1u << 26)
#define CPUID1_ECX_OSXSAVE		(1u << 27)
#define CPUID1_ECX_AVX			(1u << 28)
#define CPUID1_ECX_HYPERVISOR		(1u << 31)
#define CPUID1_EDX_TSC			(1u << 4)
#define CPUID1_EDX_MSR			(1u << 5)
#define CPUID1_EDX_MCE			(1u << 7)
#define CPUID1_EDX_APIC			(1u << 9)
#define CPUID1_EDX_SEP			(1u << 11)
#define CPUID1_EDX_MTRR			(1u << 12)
#define CPUID1_EDX_MCA			(1u << 14)
#define CPUID1_EDX_PAT			(1u << 16)
#define CPUID1_EDX_DS			(1u << 21)
#define CPUID1_EDX_ACPI			(1u << 22)
#define CPUID7_EBX_TSC_ADJUST		(1u << 1)
#define CPUID7_EBX_INVPCID		(1u << 10)
#define CPUID7_ECX_PKU			(1u << 3)
#define CPUID7_ECX_OSPKE		(1u << 4)
#define CPUID7_ECX_WAITPKG		(1u << 5)
#define CPUID7_ECX_RDPID		(1u << 22)
#define CPUID7_EDX_IBRS_IBPB		(1u << 26)
#define CPUID7_EDX_STIBP		(1u << 27)
#define CPUID7_EDX_L1D_FLUSH		(1u << 28)
#define CPUID7_EDX_ARCH_CAPS		(1u << 29)
#define CPUID7_EDX_CORE_CAPS		(1u << 30)
#define CPUID7_EDX_SSBD			(1u << 31)
#define CPUIDX1_EDX_SYSCALL		(1u << 11)
#define CPUIDX1_EDX_NX			(1u << 20)
#define CPUIDX1_EDX_RDTSCP		(1u << 27)
#define CPUIDX1_EDX_LM			(1u << 29)

/* ---- MSRs ---------------------------------------------------------- */

/* How the guest may use an admitted MSR (RDMSR / WRMSR). */
#define HV_MSR_R	1u
#define HV_MSR_W	2u
#define HV_MSR_RW	(HV_MSR_R | HV_MSR_W)

struct hv_msr_row {
	__u32 index;
	__u32 access;		/* HV_MSR_R, HV_MSR_W */
	const char *name;
};

extern const struct hv_msr_row hv_msr_rows[];
extern const unsigned int hv_msr_nrows;

/*
 * The access (HV_MSR_R | HV_MSR_W) the guest has to MSR `index`; 0: none,
 * RDMSR and WRMSR raise #GP.  msr.c asks this before it looks at the value.
 */
__u32 hv_msr_access(__u32 index);

/* IA32_MTRRCAP as the guest reads it: no variable or fixed ranges, no WC. */
#define HV_MTRRCAP		0ull
/* IA32_MTRR_DEF_TYPE as firmware leaves it: MTRRs enabled, default WB. */
#define HV_MTRR_DEF_TYPE_RESET	0x806ull

/* IA32_APIC_BASE (SDM Vol. 3 11.4.4): only the xAPIC, at its reset base. */
#define HV_APIC_BASE_BSP	(1ull << 8)
#define HV_APIC_BASE_EXTD	(1ull << 10)	/* x2APIC mode */
#define HV_APIC_BASE_EN		(1ull << 11)
#define HV_APIC_BASE_DEFAULT	0xfee00000ull

/*
 * A guest WRMSR to IA32_APIC_BASE: 0 and the new value in *out, or -1 for
 * #GP (reserved bits, x2APIC mode — not offered —, or moving the APIC
 * page, which hvlab does not support).  BSP is the CPU's, not the guest's
 * to change: the old value's bit stays.
 */
int hv_apic_base_write(__u64 old, __u64 val, __u32 maxphyaddr, __u64 *out);

/*
 * IA32_MISC_ENABLE (SDM Vol. 4 table 2-2): fast strings on, no BTS or
 * PEBS.  The guest may switch fast strings; every other bit is fixed.
 */
#define HV_MISC_ENABLE_FAST_STRING	(1ull << 0)
#define HV_MISC_ENABLE_RESET		(HV_MISC_ENABLE_FAST_STRING | \
					 (1ull << 11) | (1ull << 12))
int hv_misc_enable_write(__u64 old, __u64 val, __u64 *out);

/* Count one RDMSR/WRMSR of an MSR not in the list, in the stats page. */
void hv_msr_note_refused(struct hvlab_stats *st, __u32 index, int write);

#endif
