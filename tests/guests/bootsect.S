/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootsect.S - a boot sector, used only to run realmode.bin under QEMU
 * (tests/native/guests_qemu.sh): QEMU cannot start a flat binary in real
 * mode the way `hvlab run --flat 0x8000` does, but its BIOS boots a disk.
 * Loaded by the BIOS at 0x7C00 with DL = boot drive, it reads sectors
 * 1..120 (realmode.bin, padded) to 0x0800:0000 with the INT 13h extended
 * read (function 42h, a disk address packet) and jumps there: the guest
 * then starts exactly as hvlab starts it, CS:IP = 0x0800:0000.
 */
	.code16
	.text
bootsect:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7c00, %sp
	movw $(0x7c00 + dap - bootsect), %si
	movb $0x42, %ah
	int $0x13
	jc fail
	ljmp $0x0800, $0
fail:
	movw $(0x7c00 + msg - bootsect), %si
1:	lodsb
	testb %al, %al
	jz 2f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 1b
2:	hlt
	jmp 2b

	.align 4
dap:	.byte 0x10, 0			/* packet size, reserved */
	.word 120			/* sectors */
	.word 0, 0x0800			/* buffer offset, segment */
	.quad 1				/* first LBA */
msg:	.asciz "bootsect: disk read failed\n"
	.org 510
	.word 0xaa55
