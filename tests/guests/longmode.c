// SPDX-License-Identifier: GPL-2.0
/*
 * longmode - proves a guest can switch itself from the 32-bit multiboot
 * entry into long mode (start64.S: identity page tables, CR4.PAE, CR3,
 * EFER.LME, CR0.PG, a far jump to a 64-bit code segment): this C code is
 * 64-bit, it checks EFER.LMA and CR0/CR4, makes a ucall from 64-bit mode
 * (GUEST_SYNC(64)) and executes CPUID there.
 */
#include "guest.h"

void guest_main(void)
{
	struct cpuid_regs r;
	uint64_t big = 0x123456789abcdef0ull;

	GUEST_ASSERT(rdmsr(MSR_IA32_EFER) & EFER_LMA);
	GUEST_ASSERT(read_cr0() & X86_CR0_PG);
	GUEST_ASSERT(read_cr4() & X86_CR4_PAE);
	GUEST_ASSERT_EQ(sizeof(void *), 8);
	/* 64-bit arithmetic in one register: we really are in 64-bit mode. */
	big = (big << 4) | (big >> 60);
	GUEST_ASSERT_EQ(big, 0x23456789abcdef01ull);
	GUEST_SYNC(64);

	r = cpuid(0x80000001, 0);
	GUEST_ASSERT(r.edx & (1u << 29));	/* LM: long mode supported */
	r = cpuid(0, 0);
	GUEST_PRINTF("long mode: cpuid.0 eax=0x%x, rip=%p", r.eax, (void *)guest_main);
	GUEST_DONE();
}
