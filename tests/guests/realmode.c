// SPDX-License-Identifier: GPL-2.0
/*
 * realmode - the 64-bit end of the realmode guest (see realmode.S): after
 * real mode -> protected mode -> long mode it reports the last step
 * ("realmode: 64-bit long mode" on the UART, GUEST_SYNC(64)), checks that
 * EFER.LMA is set and that EFER.SCE, set by WRMSR in real mode, stayed
 * set, and ends with GUEST_DONE.
 */
#include "guest.h"

void guest_main(void)
{
	GUEST_ASSERT(rdmsr(MSR_IA32_EFER) & EFER_LMA);
	/* set by WRMSR in real mode (realmode.S) */
	GUEST_ASSERT(rdmsr(MSR_IA32_EFER) & EFER_SCE);
	uart_puts("realmode: 64-bit long mode\n");
	GUEST_SYNC(64);
	GUEST_DONE();
}
