// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid - proves the guest is told only what hvlab implements
 * (kmod/pure_cpuid.c), and that what it is not told is really absent:
 *  - leaf 1 ECX bit 5 (VMX) is clear and bit 31 (hypervisor present) set;
 *  - leaf 0x40000000 (the hypervisor range) names hvlab: EBX, ECX, EDX hold
 *    the 12 bytes "hvlabhvlabhv" (EBX = "hvla", ECX = "bhvl", EDX = "abhv")
 *    and EAX, the highest hypervisor leaf, is at least 0x40000000;
 *  - no hidden feature is visible: VMX, SMX, MONITOR, x2APIC, TSC-deadline,
 *    PCID, AVX, MCE/MCA, PKU, INVPCID, RDTSCP/RDPID, the speculation-control
 *    bits, and leaves 6 and 0xa (power, PMU) read 0;
 *  - RDMSR of a hidden feature's MSR raises #GP (x2APIC ID 0x802,
 *    TSC_DEADLINE 0x6e0, SPEC_CTRL 0x48, ARCH_CAPABILITIES 0x10a, MCG_CAP
 *    0x179, TSC_AUX 0xc0000103), and RDTSCP and INVPCID raise #UD, as on a
 *    CPU without them; so does a MOV to CR4 that sets PCIDE, PKE or UMIP;
 *  - IA32_APIC_BASE: writing it with the enable bit reads back the same;
 *    clearing the enable bit clears CPUID.1:EDX.APIC until it is set again;
 *    x2APIC mode (bit 10) and moving the APIC page raise #GP.
 * With `qemu` on the command line only the VMX and hypervisor bits and the
 * IA32_APIC_BASE write-back are checked: QEMU's TCG shows its own features
 * and signature, and reads some of these MSRs.
 */
#include "guest.h"

#define MSR_X2APIC_ID		0x802
#define MSR_TSC_DEADLINE	0x6e0
#define MSR_SPEC_CTRL		0x48
#define MSR_ARCH_CAPABILITIES	0x10a
#define MSR_MCG_CAP		0x179
#define MSR_TSC_AUX		0xc0000103
#define APIC_BASE_EXTD		(1ull << 10)
#define APIC_BASE_EN		(1ull << 11)
#define CPUID1_EDX_APIC		(1u << 9)

static const struct {
	const char *name;
	uint32_t leaf, sub;
	int reg;			/* 0 EAX, 1 EBX, 2 ECX, 3 EDX */
	uint32_t bits;
} hidden[] = {
	{ "VMX", 1, 0, 2, 1u << 5 },
	{ "SMX", 1, 0, 2, 1u << 6 },
	{ "MONITOR", 1, 0, 2, 1u << 3 },
	{ "PDCM", 1, 0, 2, 1u << 15 },
	{ "PCID", 1, 0, 2, 1u << 17 },
	{ "x2APIC", 1, 0, 2, 1u << 21 },
	{ "TSC-deadline", 1, 0, 2, 1u << 24 },
	{ "AVX", 1, 0, 2, 1u << 28 },
	{ "MCE", 1, 0, 3, 1u << 7 },
	{ "MCA", 1, 0, 3, 1u << 14 },
	{ "TSC_ADJUST", 7, 0, 1, 1u << 1 },
	{ "AVX2", 7, 0, 1, 1u << 5 },
	{ "INVPCID", 7, 0, 1, 1u << 10 },
	{ "AVX-512F", 7, 0, 1, 1u << 16 },
	{ "PKU", 7, 0, 2, 1u << 3 },
	{ "OSPKE", 7, 0, 2, 1u << 4 },
	{ "RDPID", 7, 0, 2, 1u << 22 },
	{ "MD_CLEAR", 7, 0, 3, 1u << 10 },
	{ "IBRS/IBPB", 7, 0, 3, 1u << 26 },
	{ "STIBP", 7, 0, 3, 1u << 27 },
	{ "L1D_FLUSH", 7, 0, 3, 1u << 28 },
	{ "ARCH_CAPABILITIES", 7, 0, 3, 1u << 29 },
	{ "SSBD", 7, 0, 3, 1u << 31 },
	{ "leaf 6", 6, 0, 0, ~0u },
	{ "leaf 0xa (PMU)", 0xa, 0, 0, ~0u },
	{ "RDTSCP", 0x80000001, 0, 3, 1u << 27 },
};

static uint32_t reg(struct cpuid_regs r, int n)
{
	return n == 0 ? r.eax : n == 1 ? r.ebx : n == 2 ? r.ecx : r.edx;
}

static void check_hidden(void)
{
	uint32_t max = cpuid(0, 0).eax, maxx = cpuid(0x80000000, 0).eax;
	unsigned int i;

	GUEST_PRINTF("cpuid.0: max leaf 0x%x, cpuid.80000000: 0x%x", max, maxx);
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		uint32_t l = hidden[i].leaf;
		struct cpuid_regs r = cpuid(l, hidden[i].sub);

		if (l < 0x80000000u ? l > max : l > maxx)
			continue;		/* beyond the range: absent */
		if (hidden[i].reg == 0 && hidden[i].bits == ~0u)	/* whole leaf */
			r.eax |= r.ebx | r.ecx | r.edx;
		if (reg(r, hidden[i].reg) & hidden[i].bits)
			guest_assert_fail(__FILE__, __LINE__, "%s visible: leaf 0x%x",
					  hidden[i].name, l);
	}
	GUEST_PRINTF("cpuid: %u hidden features absent",
		     (unsigned int)(sizeof(hidden) / sizeof(hidden[0])));
}

static void check_refused_msrs(void)
{
	static const uint32_t msrs[] = {
		MSR_X2APIC_ID, MSR_TSC_DEADLINE, MSR_SPEC_CTRL,
		MSR_ARCH_CAPABILITIES, MSR_MCG_CAP, MSR_TSC_AUX,
	};
	unsigned int i;
	uint64_t v;
	int vec;

	for (i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		vec = rdmsr_safe(msrs[i], &v);
		GUEST_PRINTF("rdmsr 0x%x: vector %d", msrs[i], vec);
		GUEST_ASSERT_EQ(vec, X86_GP);
	}
}

/* RDTSCP and INVPCID: the VMCS controls are off, so #UD (SDM 25.6.2). */
static void check_ud(void)
{
	static uint64_t desc[2] __attribute__((aligned(16)));
	uint32_t a = 0, c = 0, d = 0, type = 2;	/* all contexts */

	guest_cpu()->fault_vector = 0;
	asm volatile(ASM_SAFE("rdtscp") : "+a"(a), "+c"(c), "+d"(d) : : "memory");
	GUEST_PRINTF("rdtscp: vector %u", guest_cpu()->fault_vector);
	GUEST_ASSERT_EQ(guest_cpu()->fault_vector, X86_UD);

	guest_cpu()->fault_vector = 0;
	asm volatile(ASM_SAFE("invpcid %0, %1") : : "m"(desc), "r"(type) : "memory");
	GUEST_PRINTF("invpcid: vector %u", guest_cpu()->fault_vector);
	GUEST_ASSERT_EQ(guest_cpu()->fault_vector, X86_UD);
}

/*
 * CR4 bits of hidden features are reserved: setting PCIDE, PKE or UMIP
 * raises #GP, as on a CPU without them, and CR4 stays as it was.
 */
static void check_cr4(void)
{
	static const unsigned long bits[] = { 1ul << 17, 1ul << 22, 1ul << 11 };
	unsigned long cr4 = read_cr4();

	for (unsigned int i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		unsigned long v = cr4 | bits[i];

		guest_cpu()->fault_vector = 0;
		asm volatile(ASM_SAFE("mov %0, %%cr4") : : "r"(v) : "memory");
		GUEST_ASSERT_EQ(guest_cpu()->fault_vector, X86_GP);
		GUEST_ASSERT_EQ(read_cr4(), cr4);
	}
	GUEST_PRINTF("cr4: PCIDE, PKE and UMIP refused");
}

static void check_apic_base(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE), v;

	GUEST_PRINTF("apic base: 0x%llx", (unsigned long long)base);
	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
	v = rdmsr(MSR_IA32_APIC_BASE);
	GUEST_ASSERT_EQ(v, base | APIC_BASE_EN);
	GUEST_PRINTF("apic base with EN written: 0x%llx", (unsigned long long)v);
	if (guest_on_qemu)
		return;
	/* disabled, the APIC is gone from CPUID too (SDM Vol. 3 11.4.3) */
	wrmsr(MSR_IA32_APIC_BASE, base & ~APIC_BASE_EN);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_APIC_BASE), base & ~APIC_BASE_EN);
	GUEST_ASSERT(!(cpuid(1, 0).edx & CPUID1_EDX_APIC));
	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
	GUEST_ASSERT(cpuid(1, 0).edx & CPUID1_EDX_APIC);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD), X86_GP);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APIC_BASE, (base & 0xfff) | 0xfed00000u),
			X86_GP);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_APIC_BASE), base | APIC_BASE_EN);
	GUEST_PRINTF("apic base: disable/enable ok, x2APIC and relocation refused");
}

void guest_main(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	char sig[13];

	GUEST_PRINTF("cpuid.1: ecx=0x%08x edx=0x%08x", r.ecx, r.edx);
	GUEST_ASSERT(!(r.ecx & (1u << 5)));	/* VMX hidden */
	GUEST_ASSERT(r.ecx & (1u << 31));	/* hypervisor present */

	r = cpuid(0x40000000, 0);
	memcpy(sig + 0, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	for (int i = 0; i < 12; i++)	/* printable, whatever came back */
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '.';
	GUEST_PRINTF("cpuid.40000000: eax=0x%08x signature \"%s\"", r.eax, sig);
	if (!guest_on_qemu) {
		GUEST_ASSERT(!memcmp(sig, "hvlabhvlabhv", 12));
		GUEST_ASSERT(r.eax >= 0x40000000 && r.eax < 0x40000100);
		check_hidden();
		check_refused_msrs();
		check_ud();
		check_cr4();
	}
	check_apic_base();
	GUEST_DONE();
}
