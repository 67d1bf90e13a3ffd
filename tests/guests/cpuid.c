// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid - proves the CPUID exit filters what the guest sees:
 *  - leaf 1 ECX bit 5 (VMX) is clear: no nested VMX offered to the guest;
 *  - leaf 1 ECX bit 31 (hypervisor present) is set;
 *  - leaf 0x40000000 (the hypervisor range) names hvlab: EBX, ECX, EDX hold
 *    the 12 bytes "hvlabhvlabhv" (EBX = "hvla", ECX = "bhvl", EDX = "abhv")
 *    and EAX, the highest hypervisor leaf, is at least 0x40000000.
 * With `qemu` on the command line only the first two are checked (QEMU's
 * TCG has no hvlab signature).
 */
#include "guest.h"

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
	}
	GUEST_DONE();
}
