// SPDX-License-Identifier: GPL-2.0
/*
 * hlt - proves HLT exits: with interrupts off (IF = 0) nothing can wake
 * the vCPU again, so the HLT exit must end the run (`hvlab run` exits 0,
 * one HLT exit in --stats) instead of leaving the host thread spinning.
 * Prints "halting" first; must never print "woke up".
 */
#include "guest.h"

void guest_main(void)
{
	GUEST_PRINTF("halting");
	cli();
	hlt();
	uart_puts("woke up?!\n");
	GUEST_ASSERT(!"HLT with IF=0 returned");
}
