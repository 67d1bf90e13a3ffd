/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trampoline.S - where an application processor starts after INIT-SIPI-SIPI
 * (SDM Vol. 3 8.4.4): real mode, CS = vector << 8, IP = 0.  smp.c copies
 * these bytes to a page below 1 MiB.  The code is position independent
 * (CS-relative), loads the guests' GDT, sets CR0.PE and far-jumps to
 * _start, so the AP then boots exactly like a vCPU hvlab starts at the
 * multiboot entry.  Only needed where firmware parks the APs (QEMU): hvlab
 * starts every vCPU at the entry point itself.
 */
#include "guest_asm.h"

	.section .rodata
	.code16
	.globl trampoline_start, trampoline_end
trampoline_start:
	cli
	lgdtl %cs:(tramp_gdt_ptr - trampoline_start)
	movl %cr0, %eax
	orl $1, %eax			/* CR0.PE */
	movl %eax, %cr0
	ljmpl $GDT_CODE32, $_start
	.align 4
tramp_gdt_ptr:
	.word 4 * 8 - 1
	.long guest_gdt
trampoline_end:
	.code32
