/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_rmode.h - decoding the real-mode instructions that fault in
 * virtual-8086 mode, as pure logic (no kernel API, no libc), unit-tested
 * natively by tests/unit/test_rmode.c and built into the module unchanged.
 *
 * Without EPT there is no "unrestricted guest" (SDM Vol. 3 26.2.1.1), so
 * VMX cannot run a guest with CR0.PE = 0.  Under shadow paging hvlab runs
 * real-mode code in virtual-8086 mode instead (kmod/rmode.c), which runs
 * at CPL 3 (SDM Vol. 3 20.2.1), so the privileged instructions (Vol. 3
 * 5.9) raise #GP(0).  The module intercepts that #GP, fetches the bytes at CS:IP and
 * asks rm_decode() which privileged instruction it was; it then does what
 * the instruction would have done in real mode and advances IP by len.
 *
 * Real mode's defaults are 16-bit operands and 16-bit addresses; 66 and 67
 * prefixes switch each to 32 bits (SDM Vol. 2 2.1.1, table 2-1 for the
 * 16-bit ModRM forms, table 2-2 and 2-3 for the 32-bit ones with SIB).
 */
#ifndef HVLAB_PURE_RMODE_H
#define HVLAB_PURE_RMODE_H

#include <linux/types.h>

/* Which instruction rm_decode() found. */
enum rm_op {
	RM_OP_LGDT = 1,		/* 0F 01 /2 m: load GDTR from seg:ea */
	RM_OP_LIDT,		/* 0F 01 /3 m: load IDTR from seg:ea */
	RM_OP_LMSW,		/* 0F 01 /6 r/m16: CR0[3:0] from the operand */
	RM_OP_INVLPG,		/* 0F 01 /7 m */
	RM_OP_CLTS,		/* 0F 06 */
	RM_OP_INVD,		/* 0F 08 */
	RM_OP_WBINVD,		/* 0F 09 */
	RM_OP_MOV_FROM_CR,	/* 0F 20 /r: gpr <- CR(cr), 32 bits */
	RM_OP_MOV_TO_CR,	/* 0F 22 /r: CR(cr) <- gpr, 32 bits */
	RM_OP_WRMSR,		/* 0F 30: MSR(ECX) <- EDX:EAX */
	RM_OP_RDMSR,		/* 0F 32: EDX:EAX <- MSR(ECX) */
	RM_OP_HLT,		/* F4 */
};

/* Segment register numbers, the SDM's sreg encoding (Vol. 2 3.1.1.3). */
enum rm_seg { RM_ES, RM_CS, RM_SS, RM_DS, RM_FS, RM_GS };

struct rm_insn {
	__u32 ea;	/* has_mem: offset in seg (address-size wrap), else 0 */
	__u8 op;	/* enum rm_op */
	__u8 len;	/* instruction length in bytes, prefixes included */
	__u8 opsize;	/* operand size, 2 or 4 (66 prefix) */
	__u8 cr;	/* MOV CR: the control register number (ModRM.reg) */
	__u8 gpr;	/* MOV CR, LMSW with mod = 3: GPR 0=EAX 1=ECX ... 7 */
	__u8 has_mem;	/* the operand is in memory at seg:ea */
	__u8 seg;	/* enum rm_seg, after any override prefix */
};

/*
 * Decode the instruction in bytes[0..avail) for a CPU in real or
 * virtual-8086 mode.  gpr[0..7] are the guest's EAX, ECX, EDX, EBX, ESP,
 * EBP, ESI, EDI (only their low 16 bits are used with 16-bit addressing),
 * needed to compute the effective address.  Returns 0 and fills *out, or -1
 * if the instruction is not one of enum rm_op, is invalid (LOCK prefix,
 * LGDT/LIDT/INVLPG with a register operand, MOV CR with a CR other than
 * 0, 2, 3, 4), or is cut short by avail or INSN_MAX_LEN (15).  Never reads
 * bytes[avail] or beyond; writes *out only on success.
 */
int rm_decode(const __u8 *bytes, unsigned int avail, const __u64 *gpr,
	      struct rm_insn *out);

/*
 * The base a real-mode LGDT/LIDT loads from its 6-byte operand (limit in
 * bytes 0-1, base in bytes 2-5): with a 16-bit operand size only 24 bits of
 * the base are used (SDM Vol. 2, LGDT/LIDT).
 */
__u32 rm_table_base(const __u8 operand[6], unsigned int opsize);

#endif /* HVLAB_PURE_RMODE_H */
