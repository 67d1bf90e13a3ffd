/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdt.S - the one GDT every guest loads first thing at _start, so its
 * selectors are known whatever the loader (hvlab, QEMU, the real-mode and
 * AP trampolines) left in GDTR.  Flat 4 GiB segments (SDM Vol. 3 3.4.5):
 *   0x08  32-bit code      0x10  data      0x18  64-bit code (L=1)
 */
	.section .data
	.align 16
	.globl guest_gdt, guest_gdt_ptr
guest_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, 32-bit, base 0, 4 GiB */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
	.quad 0x00af9a000000ffff	/* 0x18: code, 64-bit (L=1, D=0) */
guest_gdt_end:

	.align 4
	.word 0				/* so the base below is 4-aligned */
guest_gdt_ptr:
	.word guest_gdt_end - guest_gdt - 1
	.long guest_gdt
	.long 0				/* upper base half for LGDT in 64-bit */

	/* Set by vCPU 0 once the BSS is clear: the others wait for it. */
	.align 4
	.globl guest_bss_ready
guest_bss_ready:
	.long 0
