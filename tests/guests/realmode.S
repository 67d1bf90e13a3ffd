/* SPDX-License-Identifier: GPL-2.0 */
/*
 * realmode.S - the 16-bit start of the realmode guest, a flat binary for
 * `hvlab run --flat 0x8000` (built as build/guests/realmode.bin).  It starts
 * in real mode with CS:IP = 0x0800:0000 (linear 0x8000, the first byte of
 * the file) and walks the x86 boot path itself:
 *
 *   real mode        UART "realmode: 16-bit real mode", ucall SYNC(16),
 *                    INT 0x40 and a #UD through its own IVT; WBINVD,
 *                    RDMSR and WRMSR as Linux's AP trampoline runs them,
 *                    EFER.SCE set, and a refused MSR's #GP through the IVT
 *     | LGDT, CR0.PE = 1, far jump (SDM Vol. 3 10.9.1)
 *   protected mode   UART "realmode: 32-bit protected mode", ucall SYNC(32)
 *     | jump to the lib64 entry _start (start64.S): PAE, LME, PG
 *   long mode        realmode.c: ucall SYNC(64), then GUEST_DONE
 *
 * With EPT, hvlab runs it as an unrestricted guest; under shadow paging, in
 * virtual-8086 mode (kmod/rmode.c), which the INT 0x40 / #UD / CR0 checks
 * exercise, and the ring-0 instructions WBINVD, RDMSR and WRMSR too.
 * Nothing but CS is trusted at entry: DS, ES, SS and SP are set here.  The
 * two ucall structs are pre-filled, so real-mode code only does the OUT.
 * UCALL_SYNC is 3 in user/hw/ucall.h.
 */
#include "guest_asm.h"

#define UCALL_PORT	0xe0
#define UCALL_SYNC	3
#define MSR_MISC_ENABLE	0x1a0
#define MSR_EFER	0xc0000080
#define EFER_SCE	0x1
#define MSR_REFUSED	0x12345678	/* no such MSR: #GP (not under QEMU) */
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

	/*
	 * The guest's own IVT at linear 0.  Without EPT hvlab runs this code
	 * in virtual-8086 mode: INT n must still reach the IVT (CR4.VME and
	 * the TSS redirection bitmap), an exception too (hvlab delivers it),
	 * and CR0 must still read PE = 0.
	 */
	xorw %ax, %ax
	movw %ax, %es
	movw $OFF(rm_int40), %es:0x40 * 4
	movw %cs, %es:0x40 * 4 + 2
	movw $OFF(rm_ud), %es:6 * 4
	movw %cs, %es:6 * 4 + 2
	int $0x40
	ud2				/* #UD: rm_ud skips it */
	movl %cr0, %eax
	testb $1, %al
	jz 6f
	movw $OFF(msgpe), %si		/* PE reads 1: stop here */
	call rm_puts
7:	hlt
	jmp 7b
6:
	/*
	 * Linux's AP trampoline starts like this (trampoline_64.S and
	 * verify_cpu.S): WBINVD, then IA32_MISC_ENABLE read and written
	 * back, all in real mode.  In vm86 mode each is a #GP that hvlab
	 * emulates.  EFER.SCE, set here, must still be set in long mode
	 * (realmode.c); a refused MSR is a #GP through the IVT.
	 */
	wbinvd
	movl $MSR_MISC_ENABLE, %ecx
	rdmsr
	wrmsr				/* the same value back */
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_SCE, %eax
	wrmsr
	xorl %eax, %eax
	rdmsr
	movw $OFF(msgmsr), %si
	testb $EFER_SCE, %al
	jnz 8f
	movw $OFF(msgsce), %si		/* SCE reads 0: say so, go on */
8:	call rm_puts
	movw $OFF(rm_gp), %es:13 * 4
	movw %cs, %es:13 * 4 + 2
	movl $MSR_REFUSED, %ecx
	rdmsr				/* #GP: rm_gp skips it */


	lgdtl OFF(rm_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax			/* CR0.PE */
	movl %eax, %cr0
	ljmpl $GDT_CODE32, $pm32	/* reloads CS: protected mode */

rm_int40:
	pushw %si
	movw $OFF(msgint), %si
	call rm_puts
	popw %si
	iret

rm_ud:					/* return past the 2-byte ud2 */
	pushw %bp
	movw %sp, %bp
	addw $2, 2(%bp)
	movw $OFF(msgud), %si
	call rm_puts
	popw %bp
	iret

rm_gp:					/* return past the 2-byte rdmsr */
	pushw %bp
	movw %sp, %bp
	addw $2, 2(%bp)
	movw $OFF(msggp), %si
	call rm_puts
	popw %bp
	iret

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
msgint:	.asciz "realmode: INT 0x40 through the IVT\n"
msgud:	.asciz "realmode: #UD through the IVT\n"
msgmsr:	.asciz "realmode: RDMSR and WRMSR in real mode\n"
msgsce:	.asciz "realmode: EFER.SCE reads 0 after WRMSR\n"
msggp:	.asciz "realmode: #GP through the IVT\n"
msgpe:	.asciz "realmode: CR0.PE reads 1 in real mode\n"

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
