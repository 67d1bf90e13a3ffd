/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_asm.h - constants and macros shared by the guests' assembly files
 * (start32.S, start64.S, trampoline.S, realmode.S).  Must match guest.h.
 */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

#define MB_HEADER_MAGIC		0x1badb002
#define MB_HEADER_FLAGS		0x00000002	/* bit 1: memory information */
#define MB_BOOT_MAGIC		0x2badb002	/* in EAX at entry */

#define GDT_CODE32	0x08
#define GDT_DATA	0x10
#define GDT_CODE64	0x18

#define GUEST_MAX_CPUS		8
#define GUEST_STACK_SHIFT	13		/* 8 KiB = GUEST_STACK_SIZE */

#define LAPIC_ID_REG		0xfee00020

/*
 * %ecx = this vCPU's local-APIC ID; %esp = top of guest_stacks[ID].  An ID
 * beyond the table would overrun another vCPU's stack: park such a vCPU.
 * Clobbers %eax.
 */
#define PICK_STACK					\
	movl LAPIC_ID_REG, %ecx;			\
	shrl $24, %ecx;					\
	cmpl $GUEST_MAX_CPUS, %ecx;			\
	jb 91f;						\
90:	cli; hlt; jmp 90b;				\
91:	leal 1(%ecx), %eax;				\
	shll $GUEST_STACK_SHIFT, %eax;			\
	leal guest_stacks(%eax), %esp

/* Zero [__bss_start, __bss_end).  Clobbers %eax, %ecx, %edi. */
#define CLEAR_BSS					\
	movl $__bss_start, %edi;			\
	movl $__bss_end, %ecx;				\
	subl %edi, %ecx;				\
	xorl %eax, %eax;				\
	rep stosb

#define WAIT_BSS_READY					\
92:	pause;						\
	cmpl $0, guest_bss_ready;			\
	je 92b

#endif
