// SPDX-License-Identifier: GPL-2.0
/*
 * spin - a guest that never exits on its own: it announces itself, then
 * loops with no I/O, no MMIO and no instruction that exits.  Proves that
 * the host stays in control: a signal (SIGINT) must stop `hvlab run`
 * (exit status 130) within a second, through the external-interrupt or
 * preemption-timer exits and the signal check of the run loop.  With
 * `sti` on the command line it spins with RFLAGS.IF set (no interrupt is
 * expected: one would end in an unexpected #NP, idt.c).
 */
#include "guest.h"

void guest_main(void)
{
	volatile unsigned long counter = 0;

	if (guest_cmdline_flag("sti"))
		asm volatile("sti");
	GUEST_PRINTF("spinning");
	for (;;)
		counter++;
}
