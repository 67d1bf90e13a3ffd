/* SPDX-License-Identifier: GPL-2.0 */
/*
 * start64.S - multiboot header and entry of the 64-bit guests: the 32-bit
 * multiboot entry switches the vCPU into long mode (SDM Vol. 3 10.8.5,
 * "Initializing IA-32e Mode") before any C runs:
 *
 *   1. vCPU 0 builds identity page tables for the low 4 GiB with 2 MiB
 *      pages: PML4[0] -> PDPT, PDPT[0..3] -> four page directories, so the
 *      local APIC (0xFEE00000) and the unmapped MMIO hole stay reachable;
 *   2. CR4.PAE = 1, CR3 = the PML4;
 *   3. IA32_EFER.LME = 1 (MSR 0xC0000080);
 *   4. CR0.PG = 1: the CPU is now in IA-32e compatibility mode, EFER.LMA = 1;
 *   5. a far jump to a code segment with L = 1 enters 64-bit mode.
 *
 * The same rules as start32.S: the APIC ID picks the stack, only vCPU 0
 * clears the BSS (page tables included) and the others wait for it.  The
 * object is ELF64; guests.mk converts the linked guest to ELF32
 * (objcopy -O elf32-i386) so it stays a multiboot image, as the entry
 * below is 32-bit code at a 32-bit address.
 */
#include "guest_asm.h"

	.section .multiboot, "a"
	.align 4
	.long MB_HEADER_MAGIC, MB_HEADER_FLAGS, -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi			/* multiboot magic */
	lgdt guest_gdt_ptr
	ljmp $GDT_CODE32, $1f
1:	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	PICK_STACK
	testl %ecx, %ecx
	jnz 3f
	CLEAR_BSS
	call build_page_tables
	movl $1, guest_bss_ready
	jmp 4f
3:	WAIT_BSS_READY

4:	movl %cr4, %eax			/* 2. PAE paging */
	orl $0x20, %eax			/* CR4.PAE */
	movl %eax, %cr4
	movl $pt_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* 3. IA32_EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax			/* 4. paging on: IA-32e mode */
	orl $0x80000001, %eax
	movl %eax, %cr0
	ljmp $GDT_CODE64, $start64	/* 5. into 64-bit code */

/* 1. identity map of [0, 4 GiB) with 2 MiB pages (SDM Vol. 3 4.5). */
build_page_tables:
	movl $pt_pdpt + 3, pt_pml4	/* present, writable */
	xorl %ecx, %ecx
5:	movl %ecx, %eax
	shll $12, %eax
	addl $pt_pd + 3, %eax
	movl %eax, pt_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 5b
	xorl %ecx, %ecx
6:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, PS (2 MiB) */
	movl %eax, pt_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 6b
	ret

	.code64
start64:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl %esp, %esp			/* zero-extend the stack pointer */
	movl %esi, %edi			/* guest_start(magic, mbi) */
	movl %ebx, %esi
	call guest_start
7:	cli
	hlt
	jmp 7b

	.section .bss
	.align 4096
	.globl pt_pml4, pt_pdpt, pt_pd
pt_pml4:
	.skip 4096
pt_pdpt:
	.skip 4096
pt_pd:
	.skip 4 * 4096
