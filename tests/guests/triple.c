// SPDX-License-Identifier: GPL-2.0
/*
 * triple - proves a triple fault becomes a clean shutdown exit: with an
 * empty IDT (limit 0) a divide error cannot be delivered (#GP), nor can
 * the #GP, nor the double fault: the CPU shuts down (SDM Vol. 3 6.15,
 * "Interrupt 8 - Double Fault Exception").  `hvlab run` must report the
 * shutdown (exit status 3), never hang or crash.  The guest prints
 * "about to triple fault" first; it must never print "survived".
 */
#include "guest.h"

void guest_main(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		unsigned long base;
	} empty = { 0, 0 };

	GUEST_PRINTF("about to triple fault");
	/* In asm: a C division by zero is undefined, the compiler may drop it. */
	asm volatile("lidt %0\n\t"
		     "xorl %%edx, %%edx\n\t"
		     "movl $1, %%eax\n\t"
		     "xorl %%ecx, %%ecx\n\t"
		     "divl %%ecx"			/* #DE */
		     : : "m"(empty) : "eax", "ecx", "edx", "memory");
	uart_puts("survived the triple fault?!\n");
	GUEST_ASSERT(!"survived a triple fault");
}
