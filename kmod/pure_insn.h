/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_insn.h - decoding the x86 instruction behind an MMIO exit, as pure
 * logic (no kernel API, no libc), so that it is unit-tested natively
 * (tests/unit/test_insn.c) and built into the module unchanged.
 *
 * An EPT violation gives the guest-physical address and whether it was a
 * read or a write, but not the access size, the register, or the length of
 * the instruction (the VM-exit instruction-length field is undefined for EPT
 * violations, SDM Vol. 3 28.2.4).  The module fetches up to INSN_MAX_LEN
 * bytes at the guest RIP and asks insn_decode_mmio() for the rest.
 *
 * Not to be confused with the kernel's general decoder (asm/insn.h, and
 * asm/insn-eval.h, which declares another insn_decode_mmio()): this file
 * does not use it, and a file including both would not compile.
 */
#ifndef HVLAB_PURE_INSN_H
#define HVLAB_PURE_INSN_H

#include <linux/types.h>

/* No x86 instruction is longer than 15 bytes (SDM Vol. 2 2.3.11). */
#define INSN_MAX_LEN	15

/*
 * The instruction bytes still to be read, bytes[pos..lim): the one way
 * this decoder and the real-mode one (pure_rmode.c) read them, so that
 * neither reads past what the caller fetched nor past INSN_MAX_LEN.
 */
struct insn_cursor {
	const __u8 *bytes;
	unsigned int pos;
	unsigned int lim;
};

static inline void insn_cursor_init(struct insn_cursor *c, const __u8 *bytes,
				    unsigned int avail)
{
	c->bytes = bytes;
	c->pos = 0;
	c->lim = avail < INSN_MAX_LEN ? avail : INSN_MAX_LEN;
}

/* Take the next n (0..8) bytes as a little-endian value; -1 if cut short. */
static inline int insn_take(struct insn_cursor *c, unsigned int n, __u64 *val)
{
	__u64 v = 0;
	unsigned int i;

	if (n > c->lim - c->pos)
		return -1;
	for (i = 0; i < n; i++)
		v |= (__u64)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*val = v;
	return 0;
}

/* What the instruction does with the memory operand (insn_mmio.op). */
enum insn_mmio_op {
	INSN_MMIO_MOV,		/* one load or one store (also MOVZX/MOVSX) */
	INSN_MMIO_OR,		/* read, OR in reg or imm, write; sets flags */
	INSN_MMIO_AND,		/* read, AND with reg or imm, write; sets flags */
	INSN_MMIO_XCHG,		/* read into reg, write reg's old value */
	INSN_MMIO_MOVS,		/* one element of (REP) MOVS: see seg, rep */
};

/* insn_mmio.seg: a segment override, in the SDM's order (Vol. 3 24.4.1) */
#define INSN_SEG_ES	0
#define INSN_SEG_CS	1
#define INSN_SEG_SS	2
#define INSN_SEG_DS	3
#define INSN_SEG_FS	4
#define INSN_SEG_GS	5

/*
 * One decoded MMIO access.  16 bytes, so that it stays small in the vCPU
 * between the exit and the completing HVLAB_RUN.
 */
struct insn_mmio {
	__u64 imm;		/* the immediate of a store (has_imm) */
	__u8 len;		/* instruction length in bytes: RIP += len */
	__u8 size;		/* memory access size: 1, 2, 4 or 8 */
	__u8 dst_size;		/* register width a load writes: 1, 2, 4, 8 */
	__u8 reg;		/* GPR: 0=RAX 1=RCX 2=RDX 3=RBX 4=RSP ... 15 */
	__u8 is_write:1;	/* 1: store to memory, 0: load from memory */
	__u8 has_imm:1;		/* the store writes imm, not a register */
	__u8 zero_extend:1;	/* MOVZX: size bytes zero-extended */
	__u8 sign_extend:1;	/* MOVSX/MOVSXD: size bytes sign-extended */
	__u8 high_byte:1;	/* reg is AH/CH/DH/BH: bits 15:8 of reg 0..3 */
	__u8 rep:1;		/* MOVS: with a REP prefix (F2 or F3) */
	__u8 op;		/* enum insn_mmio_op */
	__u8 addr_size;		/* MOVS: 2, 4 or 8 (rSI, rDI, rCX width) */
	__u8 seg;		/* MOVS: source segment, INSN_SEG_* (DS default) */
};

/*
 * Decode the instruction in bytes[0..avail).  mode is the code segment's
 * default operand size: 64 if CS.L (IA-32e mode), else 32 if CS.D, else 16.
 * Returns 0 and fills *out, or -1 if the instruction is not one of the
 * supported forms (MOV, MOVZX, MOVSX, MOVSXD; OR, AND, XCHG with a memory
 * destination, LOCK allowed; MOVS with or without REP), is invalid, has a
 * register operand only, or is cut short by avail (a page boundary) or by
 * INSN_MAX_LEN.  Never reads bytes[avail] or beyond.  For MOVS, is_write
 * is 0: which of its two operands is the device only the exit tells.
 */
int insn_decode_mmio(const __u8 *bytes, unsigned int avail, int mode,
		     struct insn_mmio *out);

/*
 * The new value of GPR m->reg after a load of `loaded' (the bytes userspace
 * returned, little endian; bits above m->size are ignored), given its old
 * value.  Writing 4 bytes zero-extends into the 64-bit register; writing 1
 * or 2 bytes keeps the other bits (SDM Vol. 1 3.4.1.1).  For high_byte the
 * caller passes and stores the register m->reg (RAX..RBX).  The caller
 * stores the result into the whole 64-bit register.
 */
__u64 insn_merge_load(__u64 old_reg, __u64 loaded, const struct insn_mmio *m);

/*
 * The value a store writes, m->size bytes wide: the immediate, or the
 * relevant part of reg_value, the current value of GPR m->reg.
 */
__u64 insn_store_value(__u64 reg_value, const struct insn_mmio *m);

/*
 * The read-modify-write forms (op OR, AND, XCHG): given the value read from
 * the device (`loaded', m->size bytes) and the current value of GPR
 * m->reg, the value to write back (m->size bytes).  XCHG writes the
 * register's old value; the register then takes insn_merge_load(loaded).
 */
__u64 insn_rmw_store(__u64 loaded, __u64 reg_value, const struct insn_mmio *m);

/*
 * RFLAGS after OR or AND stored `result' (m->size bytes): CF and OF clear,
 * SF, ZF and PF from the result, AF cleared (undefined, SDM Vol. 2 OR/AND).
 * XCHG leaves the flags alone.
 */
__u64 insn_rmw_flags(__u64 rflags, __u64 result, const struct insn_mmio *m);

/*
 * The mode argument of insn_decode_mmio(): long_mode is EFER.LMA (the
 * "IA-32e mode guest" entry control), cs_ar the VMCS guest CS access rights.
 */
int insn_mode(int long_mode, __u32 cs_ar);

/*
 * The memory operand of a two-byte instruction 0F op /r (INVLPG is
 * 0F 01 /7): legacy prefixes and REX, then 0F, op, ModRM, SIB and
 * displacement.  gpr[16] holds the guest's registers in the hardware's
 * numbering, rip the instruction's own address (for RIP-relative
 * operands).  Fills *out: the effective address, masked to the address
 * size (without the segment base), the segment it is in (the override or
 * the default), the length, op and ModRM.reg.  -1 if the operand is a
 * register, the bytes are cut short, or the instruction is not 0F op.
 */
struct insn_mem {
	__u64 ea;
	__u8 len;
	__u8 opcode;		/* the byte after 0F */
	__u8 reg;		/* ModRM.reg: the /digit */
	__u8 seg;		/* INSN_SEG_* */
};

int insn_decode_mem(const __u8 *bytes, unsigned int avail, int mode,
		    const __u64 *gpr, __u64 rip, struct insn_mem *out);

#endif /* HVLAB_PURE_INSN_H */
