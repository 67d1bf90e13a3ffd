/* SPDX-License-Identifier: GPL-2.0 */
/*
 * start32.S - multiboot header and entry of the 32-bit guests.
 *
 * Entered in 32-bit protected mode, paging off, interrupts off, by the
 * multiboot loader (EAX = 0x2BADB002, EBX = multiboot info) on every vCPU
 * at once, or by the AP trampoline (smp.c) under QEMU.  Invariants:
 *  - no stack is touched before the vCPU knows its own: the local-APIC ID
 *    (MMIO 0xFEE00020, bits 31:24) selects guest_stacks[id];
 *  - only vCPU 0 clears the BSS (where the stacks live); the others spin on
 *    guest_bss_ready, which lives in .data, until it is done.
 */
#include "guest_asm.h"

	.section .multiboot, "a"
	.align 4
	/* Multiboot 1 header: magic, flags (bit 1: want memory info), checksum */
	.long MB_HEADER_MAGIC, MB_HEADER_FLAGS, -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi			/* multiboot magic, for guest_start() */
	lgdt guest_gdt_ptr
	ljmp $GDT_CODE32, $1f
1:	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	PICK_STACK			/* %ecx = APIC ID, %esp = its stack */

	testl %ecx, %ecx
	jnz 3f
	CLEAR_BSS			/* vCPU 0 only */
	movl $1, guest_bss_ready
	jmp 4f
3:	WAIT_BSS_READY
4:	pushl %ebx			/* multiboot info */
	pushl %esi			/* multiboot magic */
	call guest_start
5:	cli
	hlt
	jmp 5b
