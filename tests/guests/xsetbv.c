// SPDX-License-Identifier: GPL-2.0
/*
 * xsetbv - proves the XSETBV exit: with CR4.OSXSAVE set (allowed when
 * CPUID.1:ECX.XSAVE is 1) the guest sets XCR0 = x87 | SSE (bits 0 and 1)
 * and reads it back with XGETBV; XSETBV always exits in VMX non-root
 * operation (SDM Vol. 3 25.1.3), so the hypervisor must load the value.
 * Setting XCR0 without the x87 bit must #GP (SDM Vol. 1 13.3).
 */
#include "guest.h"

void guest_main(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	int vec;

	GUEST_ASSERT(r.ecx & (1u << 26));	/* XSAVE */
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXSAVE);
	GUEST_ASSERT(cpuid(1, 0).ecx & (1u << 27));	/* OSXSAVE reflected */

	vec = xsetbv_safe(0, 0x3);
	GUEST_ASSERT_EQ(vec, 0);
	GUEST_ASSERT_EQ(xgetbv(0), 0x3);
	vec = xsetbv_safe(0, 0x2);		/* SSE without x87: invalid */
	GUEST_ASSERT_EQ(vec, X86_GP);
	GUEST_ASSERT_EQ(xgetbv(0), 0x3);
	GUEST_PRINTF("xcr0: 0x%llx", (unsigned long long)xgetbv(0));
	GUEST_DONE();
}
