/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rmback.S - real mode, 16-bit protected mode, and back to real mode: a
 * flat binary for `hvlab run --flat 0x8000` (build/guests/rmback.bin),
 * started with CS:IP = 0x0800:0000.
 *
 *   real mode        LGDT, CR0.PE = 1, far jump to selector 0x08
 *   16-bit PM        CS base 0x8000 from the GDT; CR0.PE = 0
 *   real mode        far jump to 0x0800:rm_again, UART "rmback: back in
 *                    real mode", ucall DONE
 *
 * Between clearing CR0.PE and that far jump the CPU runs real-mode code
 * with CS = 0x08 but the base 0x8000 cached from the GDT (SDM Vol. 3
 * 10.9.2).  An unrestricted guest (EPT) does that; virtual-8086 mode
 * (shadow paging, kmod/rmode.c) cannot hold such a segment, so there hvlab
 * must stop the vCPU and say why instead of running something else.
 * Nothing but CS is trusted at entry.  UCALL_DONE is 1 (user/hw/ucall.h).
 */
#define UCALL_PORT	0xe0
#define UCALL_DONE	1
#define BASE		0x8000

	.code16
	.text
	.globl _start
_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $stack_top, %sp
	lgdtl gdt_ptr
	movl %cr0, %eax
	orb $1, %al			/* CR0.PE */
	movl %eax, %cr0
	ljmp $0x08, $pm16		/* CS base 0x8000: offsets stay valid */
pm16:
	movw $0x10, %ax
	movw %ax, %ds
	movl %cr0, %eax
	andb $0xfe, %al
	movl %eax, %cr0			/* real mode, with CS = 0x08 cached */
	ljmp $(BASE >> 4), $rm_again
rm_again:
	movw %cs, %ax
	movw %ax, %ds
	movw $msg, %si
1:	lodsb				/* DS:SI -> UART, polling LSR.THRE */
	testb %al, %al
	jz 3f
	movb %al, %bl
	movw $0x3fd, %dx
2:	inb %dx, %al
	testb $0x20, %al
	jz 2b
	movw $0x3f8, %dx
	movb %bl, %al
	outb %al, %dx
	jmp 1b
3:	movl $(BASE + uc_done), %eax	/* linear address of the struct */
	outl %eax, $UCALL_PORT
4:	hlt
	jmp 4b

	.align 8
gdt:	.quad 0
	.quad 0x00009a008000ffff	/* 0x08: 16-bit code, base 0x8000 */
	.quad 0x000092008000ffff	/* 0x10: 16-bit data, base 0x8000 */
gdt_ptr:
	.word 3 * 8 - 1
	.long BASE + gdt
msg:	.asciz "rmback: back in real mode\n"

	/* struct ucall: cmd, args[4], line, pad, file[64], text[128] */
	.align 16
uc_done:
	.quad UCALL_DONE, 0, 0, 0, 0
	.long 0, 0
	.skip 64 + 128
	.align 16
	.skip 256
stack_top:
