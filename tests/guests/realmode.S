/* SPDX-License-Identifier: GPL-2.0 */
/*
 * realmode.S - the 16-bit start of the realmode guest, a flat binary for
 * `hvlab run --flat 0x8000` (built as build/guests/realmode.bin).  It starts
 * in real mode with CS:IP = 0x0800:0000 (linear 0x8000, the first byte of
 * the file) and walks the x86 boot path itself:
 *
 *   real mode        UART "realmode: 16-bit real mode", ucall SYNC(16)
 *     | LGDT, CR0.PE = 1, far jump (SDM Vol. 3 10.9.1)
 *   protected mode   UART "realmode: 32-bit protected mode", ucall SYNC(32)
 *     | jump to the lib64 entry _start (start64.S): PAE, LME, PG
 *   long mode        realmode.c: ucall SYNC(64), then GUEST_DONE
 *
 * Needs unrestricted guest on hvlab (VMX cannot run real mode otherwise).
 * Nothing but CS is trusted at entry: DS, ES, SS and SP are set here.  The
 * two ucall structs are pre-filled, so real-mode code only does the OUT.
 * UCALL_SYNC is 3 in user/hw/ucall.h.
 */
#include "guest_asm.h"

#define UCALL_PORT	0xe0
#define UCALL_SYNC	3
#define OFF(x)		((x) - realmode_entry)	/* offset from CS base 0x8000 */

	.section .text.entry16, "ax"
	.code16
	.globl realmode_entry
realmode_entry:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $OFF(rm_stack_top), %sp

	movw $OFF(msg16), %si
	call rm_puts
	movl $uc16, %eax		/* linear address of the struct */
	outl %eax, $UCALL_PORT

	lgdtl OFF(rm_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax			/* CR0.PE */
	movl %eax, %cr0
	ljmpl $GDT_CODE32, $pm32	/* reloads CS: protected mode */

rm_puts:				/* DS:SI -> UART, polling LSR.THRE */
	lodsb
	testb %al, %al
	jz 2f
	movb %al, %bl
	movw $0x3fd, %dx
1:	inb %dx, %al
	testb $0x20, %al
	jz 1b
	movw $0x3f8, %dx
	movb %bl, %al
	outb %al, %dx
	jmp rm_puts
2:	ret

	.code32
pm32:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl $msg32, %esi
3:	lodsb
	testb %al, %al
	jz 5f
	movb %al, %bl
	movw $0x3fd, %dx
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movw $0x3f8, %dx
	movb %bl, %al
	outb %al, %dx
	jmp 3b
5:	movl $uc32, %eax
	outl %eax, $UCALL_PORT
	xorl %eax, %eax			/* no multiboot magic */
	xorl %ebx, %ebx
	jmp _start			/* on to long mode */

	.align 4
	.word 0
rm_gdt_ptr:
	.word 4 * 8 - 1
	.long guest_gdt
msg16:	.asciz "realmode: 16-bit real mode\n"
msg32:	.asciz "realmode: 32-bit protected mode\n"

	/* struct ucall: cmd, args[4], line, pad, file[64], text[128] */
	.align 16
uc16:	.quad UCALL_SYNC, 16, 0, 0, 0
	.long 0, 0
	.skip 64 + 128
	.align 16
uc32:	.quad UCALL_SYNC, 32, 0, 0, 0
	.long 0, 0
	.skip 64 + 128

	.align 16
rm_stack:
	.skip 256
rm_stack_top:
