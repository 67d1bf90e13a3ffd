/* SPDX-License-Identifier: GPL-2.0 */
/*
 * isr.S - entry stubs for the 32 exception vectors, 32- or 64-bit.
 *
 * Every stub leaves the same frame for exception_handler() (idt.c): the
 * general registers, the vector, an error code (0 when the CPU pushes none,
 * SDM Vol. 3 6.13), then the CPU's own IP/CS/FLAGS (64-bit: also RSP/SS).
 * The handler may change the saved IP (exception fixups); the stub then
 * returns to it with IRET.
 */
	.text
.macro STUB vec, has_err
	.align 8
isr_\vec:
	.if \has_err == 0
	push $0
	.endif
	push $\vec
	jmp isr_common
.endm

#ifdef __x86_64__
isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi		/* 22 quadwords pushed: RSP is 16-aligned */
	call exception_handler
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp		/* vector, error code */
	iretq
#define PTR .quad
#else
isr_common:
	pusha
	push %esp
	call exception_handler
	add $4, %esp
	popa
	add $8, %esp
	iret
#define PTR .long
#endif

STUB 0, 0
STUB 1, 0
STUB 2, 0
STUB 3, 0
STUB 4, 0
STUB 5, 0
STUB 6, 0
STUB 7, 0
STUB 8, 1
STUB 9, 0
STUB 10, 1
STUB 11, 1
STUB 12, 1
STUB 13, 1
STUB 14, 1
STUB 15, 0
STUB 16, 0
STUB 17, 1
STUB 18, 0
STUB 19, 0
STUB 20, 0
STUB 21, 1
STUB 22, 0
STUB 23, 0
STUB 24, 0
STUB 25, 0
STUB 26, 0
STUB 27, 0
STUB 28, 0
STUB 29, 1
STUB 30, 1
STUB 31, 0

	.section .rodata
	.align 8
	.globl isr_table
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	PTR isr_\v
	.endr
