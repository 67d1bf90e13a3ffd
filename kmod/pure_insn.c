// SPDX-License-Identifier: GPL-2.0
/*
 * pure_insn.c - a small x86 instruction decoder for MMIO emulation.
 *
 * When the guest loads from or stores to a guest-physical address that no
 * memory slot backs (the local APIC at 0xfee00000, a device's registers),
 * the EPT violation tells us the address and the direction, and nothing
 * else.  To emulate the access we need three more facts, all of them in the
 * instruction bytes at the guest RIP:
 *
 *   - the access size (1, 2, 4 or 8 bytes),
 *   - the register loaded or stored, or the immediate stored,
 *   - the instruction length, to advance RIP past it.
 *
 * The effective address does not matter (the CPU already computed it and
 * handed us the GPA), so the ModRM/SIB/displacement bytes are only counted,
 * never evaluated.  The instructions understood are the ones compilers and
 * kernels use for device registers: MOV (88, 89, 8A, 8B, C6 /0, C7 /0,
 * A0-A3 with a memory offset), MOVZX (0F B6/B7), MOVSX (0F BE/BF) and
 * MOVSXD (63, 64-bit mode); the read-modify-write forms a driver uses on a
 * register, OR and AND with a memory destination (08, 09, 20, 21, 80/81/83
 * /1 and /4) and XCHG (86, 87), LOCK allowed; and MOVS (A4, A5), with or
 * without REP, as memcpy_toio()/memcpy_fromio() emit it.  Any legacy
 * prefixes and, in 64-bit mode, REX.  Anything else (ADD, TEST, CMP, a
 * register-only operand, ...) is refused: the caller stops the vCPU with
 * an internal error that names the instruction bytes.
 *
 * Layout of an instruction (SDM Vol. 2 2.1, figure 2-1):
 *   legacy prefixes, REX (64-bit mode), opcode (1 or 2 bytes),
 *   ModRM, SIB, displacement (0/1/2/4), immediate (0/1/2/4), or for A0-A3
 *   an address-sized memory offset instead of ModRM.
 *
 * Invariants:
 *  - Every byte is read through insn_take() (pure_insn.h), which refuses
 *    to go past avail or past INSN_MAX_LEN; a truncated or over-long
 *    instruction is -1, never an out-of-bounds read.
 *  - *out is written only when the decode succeeds.
 *  - The result describes exactly one memory access of size bytes; the
 *    register or immediate side is recorded so that insn_merge_load() and
 *    insn_store_value() need nothing but the struct.
 */
#include <linux/types.h>
#include "pure_insn.h"

/* REX prefix bits (SDM Vol. 2 2.2.1.2). */
#define REX_W	0x8	/* 64-bit operand size */
#define REX_R	0x4	/* extends ModRM.reg */

/* Step over n bytes whose value does not matter (displacements, offsets). */
static int skip(struct insn_cursor *c, unsigned int n)
{
	__u64 unused;

	return insn_take(c, n, &unused);
}

/*
 * Skip the SIB and displacement bytes that follow a ModRM byte whose
 * operand is memory.  addr_size is 2 for 16-bit addressing (SDM Vol. 2
 * table 2-1), 4 or 8 for 32/64-bit addressing (tables 2-2 and 2-3).
 */
static int skip_mem_operand(struct insn_cursor *c, __u8 modrm, int addr_size)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	unsigned int disp;
	__u64 sib;

	if (addr_size == 2) {
		/* [bx+si]..[bx]; mod=0 rm=6 is a bare [disp16], not [bp] */
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == 6)
			disp = 2;
		else
			disp = 0;
		return skip(c, disp);
	}

	disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	/*
	 * rm=4 means "a SIB byte follows", rm=5 with mod=0 means [disp32]
	 * (RIP+disp32 in 64-bit mode).  REX.B does not change either: these
	 * are decided on the three ModRM bits alone (SDM Vol. 2 2.2.1.2).
	 */
	if (rm == 4) {
		if (insn_take(c, 1, &sib))
			return -1;
		/* SIB base=5 with mod=0: no base register, a disp32 instead */
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;
	} else if (mod == 0 && rm == 5) {
		disp = 4;
	}
	return skip(c, disp);
}

/* How the operand that is not memory is encoded. */
enum operand {
	OP_MODRM_REG,	/* the register in ModRM.reg */
	OP_MODRM_IMM,	/* ModRM.reg must be 0 (the /0); an immediate follows */
	OP_MOFFS,	/* no ModRM: an address-sized offset; the register is rAX */
	OP_GROUP1,	/* 80/81/83: ModRM.reg picks OR (/1) or AND (/4); imm */
	OP_NONE,	/* MOVS: operands implied (rSI, rDI) */
};

int insn_decode_mmio(const __u8 *bytes, unsigned int avail, int mode,
		     struct insn_mmio *out)
{
	struct insn_cursor c;
	struct insn_mmio m = { 0 };
	int opsize_prefix = 0, adsize_prefix = 0, lock = 0, rep = 0;
	int op_size, addr_size, imm_size = 0, seg = INSN_SEG_DS;
	enum operand kind;
	__u8 rex = 0;
	__u64 b, modrm;

	if (mode != 16 && mode != 32 && mode != 64)
		return -1;
	insn_cursor_init(&c, bytes, avail);

	/*
	 * Prefixes, in any order and number (up to the 15-byte limit).  A REX
	 * prefix counts only right before the opcode: a legacy prefix after
	 * it makes the CPU ignore it (SDM Vol. 2 2.2.1).  In 16- and 32-bit
	 * mode 40-4F are INC/DEC, which we do not decode.
	 */
	for (;;) {
		if (insn_take(&c, 1, &b))
			return -1;
		if (mode == 64 && (b & 0xf0) == 0x40) {
			rex = b;
			continue;
		}
		switch (b) {
		case 0x66:		/* operand-size override */
			opsize_prefix = 1;
			break;
		case 0x67:		/* address-size override */
			adsize_prefix = 1;
			break;
		/* segment overrides: the GPA is known, MOVS needs the base */
		case 0x26:
			seg = INSN_SEG_ES;
			break;
		case 0x2e:
			seg = INSN_SEG_CS;
			break;
		case 0x36:
			seg = INSN_SEG_SS;
			break;
		case 0x3e:
			seg = INSN_SEG_DS;
			break;
		case 0x64:
			seg = INSN_SEG_FS;
			break;
		case 0x65:
			seg = INSN_SEG_GS;
			break;
		case 0xf2: case 0xf3:	/* REPNE/REP: no effect on MOV */
			rep = 1;
			break;
		case 0xf0:		/* LOCK: checked against the opcode */
			lock = 1;
			break;
		default:
			goto opcode;
		}
		rex = 0;
	}
opcode:
	/* SDM Vol. 1 table 3-4 and Vol. 2 2.2.1.2 */
	if (rex & REX_W)
		op_size = 8;
	else if (mode == 16)
		op_size = opsize_prefix ? 4 : 2;
	else
		op_size = opsize_prefix ? 2 : 4;
	if (mode == 64)
		addr_size = adsize_prefix ? 4 : 8;
	else if (mode == 32)
		addr_size = adsize_prefix ? 2 : 4;
	else
		addr_size = adsize_prefix ? 4 : 2;

	switch (b) {
	case 0x08:	/* OR r/m8, r8 */
	case 0x09:	/* OR r/m, r */
	case 0x20:	/* AND r/m8, r8 */
	case 0x21:	/* AND r/m, r */
	case 0x86:	/* XCHG r/m8, r8 (r8, r/m8 is the same) */
	case 0x87:	/* XCHG r/m, r */
		kind = OP_MODRM_REG;
		m.op = b < 0x10 ? INSN_MMIO_OR : b < 0x80 ? INSN_MMIO_AND :
		       INSN_MMIO_XCHG;
		m.is_write = 1;
		m.size = (b & 1) ? op_size : 1;
		m.dst_size = m.size;
		break;
	case 0x80:	/* grp1 r/m8, imm8 */
	case 0x81:	/* grp1 r/m, imm16/32 */
	case 0x83:	/* grp1 r/m, imm8 sign-extended */
		kind = OP_GROUP1;
		m.is_write = 1;
		m.has_imm = 1;
		m.size = b == 0x80 ? 1 : op_size;
		m.dst_size = m.size;
		imm_size = b == 0x81 ? (m.size < 4 ? m.size : 4) : 1;
		break;
	case 0xa4:	/* MOVS m8, m8 */
	case 0xa5:	/* MOVS m, m */
		kind = OP_NONE;
		m.op = INSN_MMIO_MOVS;
		m.size = b == 0xa5 ? op_size : 1;
		m.dst_size = m.size;
		m.rep = rep;
		m.addr_size = addr_size;
		m.seg = seg;
		break;
	case 0x88:	/* MOV r/m8, r8 */
	case 0x89:	/* MOV r/m, r */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x8b:	/* MOV r, r/m */
		kind = OP_MODRM_REG;
		m.is_write = !(b & 2);
		m.size = (b & 1) ? op_size : 1;
		m.dst_size = m.size;
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m, imm16/32 */
		kind = OP_MODRM_IMM;
		m.is_write = 1;
		m.has_imm = 1;
		m.size = (b & 1) ? op_size : 1;
		m.dst_size = m.size;
		break;
	case 0xa0:	/* MOV AL, moffs8 */
	case 0xa1:	/* MOV eAX, moffs */
	case 0xa2:	/* MOV moffs8, AL */
	case 0xa3:	/* MOV moffs, eAX */
		kind = OP_MOFFS;
		m.is_write = !!(b & 2);
		m.size = (b & 1) ? op_size : 1;
		m.dst_size = m.size;
		break;
	case 0x63:	/* MOVSXD r64, r/m32 (ARPL outside 64-bit mode) */
		if (mode != 64)
			return -1;
		kind = OP_MODRM_REG;
		/* without REX.W it is a plain MOV r, r/m (SDM Vol. 2, MOVSX) */
		m.size = op_size == 8 ? 4 : op_size;
		m.sign_extend = op_size == 8;
		m.dst_size = op_size;
		break;
	case 0x0f:
		if (insn_take(&c, 1, &b))
			return -1;
		switch (b) {
		case 0xb6:	/* MOVZX r, r/m8 */
		case 0xb7:	/* MOVZX r, r/m16 */
			m.zero_extend = 1;
			break;
		case 0xbe:	/* MOVSX r, r/m8 */
		case 0xbf:	/* MOVSX r, r/m16 */
			m.sign_extend = 1;
			break;
		default:
			return -1;
		}
		kind = OP_MODRM_REG;
		m.size = (b & 1) ? 2 : 1;
		m.dst_size = op_size;
		break;
	default:
		return -1;
	}

	/*
	 * LOCK is for the read-modify-write forms only (XCHG locks anyway);
	 * with MOV or MOVS it raises #UD before memory is touched (SDM Vol.
	 * 2, LOCK), so those bytes are not what faulted.
	 */
	if (lock && kind != OP_GROUP1 &&	/* its op comes with ModRM */
	    (m.op == INSN_MMIO_MOV || m.op == INSN_MMIO_MOVS))
		return -1;
	if (kind == OP_NONE)
		goto done;

	if (kind == OP_MOFFS) {
		/* The offset is as wide as an address (SDM Vol. 2, MOV) */
		if (skip(&c, addr_size))
			return -1;
		m.reg = 0;
		goto done;
	}

	if (insn_take(&c, 1, &modrm))
		return -1;
	/* mod=3 names a register, not memory: this was no MMIO access */
	if ((modrm >> 6) == 3)
		return -1;
	if (skip_mem_operand(&c, modrm, addr_size))
		return -1;

	if (kind == OP_GROUP1) {
		unsigned int sub = (modrm >> 3) & 7;

		/* ADD, ADC, SBB, SUB, XOR, CMP: not what drivers use on devices */
		if (sub != 1 && sub != 4)
			return -1;
		m.op = sub == 1 ? INSN_MMIO_OR : INSN_MMIO_AND;
		if (insn_take(&c, imm_size, &b))
			return -1;
		/* imm8 (83) and imm32 (81, 64-bit) are sign-extended */
		if (imm_size < m.size && (b >> (8 * imm_size - 1)) & 1)
			b |= ~0ULL << (8 * imm_size);
		m.imm = b & (m.size >= 8 ? ~0ULL : (1ULL << (8 * m.size)) - 1);
		goto done;
	}

	if (kind == OP_MODRM_IMM) {
		/* C6/C7 with reg != 0 are other instructions (or #UD) */
		if ((modrm >> 3) & 7)
			return -1;
		/* imm8, imm16 or imm32; the last is sign-extended to 64 bits */
		if (insn_take(&c, m.size < 4 ? m.size : 4, &b))
			return -1;
		if (m.size == 8 && (b & 0x80000000ULL))
			b |= 0xffffffff00000000ULL;
		m.imm = b;
		goto done;
	}

	m.reg = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
	/*
	 * A byte register 4..7 is AH, CH, DH, BH without a REX prefix, and
	 * SPL, BPL, SIL, DIL with any REX prefix (SDM Vol. 1 3.4.1.1).
	 */
	if (m.dst_size == 1 && !rex && m.reg >= 4) {
		m.reg -= 4;
		m.high_byte = 1;
	}
done:
	m.len = c.pos;
	*out = m;
	return 0;
}

static __u64 low_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

__u64 insn_merge_load(__u64 old_reg, __u64 loaded, const struct insn_mmio *m)
{
	__u64 val = loaded & low_mask(m->size);
	__u64 keep;

	if (m->sign_extend && m->size >= 1 && m->size < 8 &&
	    (val >> (8 * m->size - 1)) & 1)
		val |= ~low_mask(m->size);
	if (m->high_byte)
		return (old_reg & ~0xff00ULL) | ((val & 0xff) << 8);
	/* A 32-bit destination clears bits 63:32 (SDM Vol. 1 3.4.1.1) */
	if (m->dst_size >= 4)
		return val & low_mask(m->dst_size);
	/* 8- and 16-bit destinations leave the rest of the register alone */
	keep = ~low_mask(m->dst_size);
	return (old_reg & keep) | (val & ~keep);
}

__u64 insn_store_value(__u64 reg_value, const struct insn_mmio *m)
{
	__u64 val = m->has_imm ? m->imm : reg_value;

	if (m->high_byte && !m->has_imm)
		val >>= 8;
	return val & low_mask(m->size);
}

__u64 insn_rmw_store(__u64 loaded, __u64 reg_value, const struct insn_mmio *m)
{
	__u64 operand = insn_store_value(reg_value, m);

	switch (m->op) {
	case INSN_MMIO_OR:
		return (loaded | operand) & low_mask(m->size);
	case INSN_MMIO_AND:
		return (loaded & operand) & low_mask(m->size);
	default:		/* XCHG: the register's value goes to memory */
		return operand;
	}
}

#define FL_CF	(1ULL << 0)
#define FL_PF	(1ULL << 2)
#define FL_AF	(1ULL << 4)
#define FL_ZF	(1ULL << 6)
#define FL_SF	(1ULL << 7)
#define FL_OF	(1ULL << 11)

__u64 insn_rmw_flags(__u64 rflags, __u64 result, const struct insn_mmio *m)
{
	unsigned int ones = 0, i;

	if (m->op != INSN_MMIO_OR && m->op != INSN_MMIO_AND)
		return rflags;
	result &= low_mask(m->size);
	rflags &= ~(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF);
	if (!result)
		rflags |= FL_ZF;
	if ((result >> (8 * m->size - 1)) & 1)
		rflags |= FL_SF;
	/* PF: even parity of the low byte only (SDM Vol. 1 3.4.3.1) */
	for (i = 0; i < 8; i++)
		ones += (result >> i) & 1;
	if (!(ones & 1))
		rflags |= FL_PF;
	return rflags;
}

int insn_mode(int long_mode, __u32 cs_ar)
{
	/* Guest CS access rights: L is bit 13, D/B bit 14 (SDM Vol. 3 24.4.1) */
	if (long_mode && (cs_ar & (1U << 13)))
		return 64;
	return (cs_ar & (1U << 14)) ? 32 : 16;
}

/*
 * The effective address of a ModRM memory operand (SDM Vol. 2 2.1.5,
 * tables 2-1 to 2-3): 16-bit addressing from the fixed pairs of table
 * 2-1, 32/64-bit from base + index * scale + displacement, RIP-relative
 * in 64-bit mode for mod=0 rm=5.  The default segment is SS when the base
 * is rBP or rSP, else DS.  Reads from the cursor, which sits after ModRM.
 */
static int mem_operand_ea(struct insn_cursor *c, __u8 modrm, __u8 rex,
			  int addr_size, const __u64 *gpr, __u64 *ea,
			  int *seg)
{
	static const signed char base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const signed char index16[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	__u64 v = 0, d, sib;
	int base, index = -1, scale = 0, disp = 0;

	*seg = INSN_SEG_DS;
	if (addr_size == 2) {
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 6))
			disp = 2;
		base = (mod == 0 && rm == 6) ? -1 : base16[rm];
		index = index16[rm];
		if (base == 5)
			*seg = INSN_SEG_SS;
		if (base >= 0)
			v += gpr[base] & 0xffff;
		if (index >= 0)
			v += gpr[index] & 0xffff;
		if (insn_take(c, disp, &d))
			return -1;
		v += disp == 1 ? (__u64)(__s64)(__s8)d : d;
		*ea = v & 0xffff;
		return 0;
	}
	disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	base = rm | ((rex & 1) ? 8 : 0);
	if (rm == 4) {
		if (insn_take(c, 1, &sib))
			return -1;
		scale = sib >> 6;
		index = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0);
		if (index == 4)		/* no index (REX.X=0, index=100b) */
			index = -1;
		base = (sib & 7) | ((rex & 1) ? 8 : 0);
		if (mod == 0 && (sib & 7) == 5) {
			base = -1;
			disp = 4;
		}
	} else if (mod == 0 && rm == 5) {
		base = -1;	/* [disp32], or RIP-relative: the caller's */
		disp = 4;
	}
	if (base == 4 || base == 5)
		*seg = INSN_SEG_SS;
	if (base >= 0)
		v += gpr[base];
	if (index >= 0)
		v += gpr[index] << scale;
	if (insn_take(c, disp, &d))
		return -1;
	v += disp == 1 ? (__u64)(__s64)(__s8)d :
	     disp == 4 ? (__u64)(__s64)(__s32)d : 0;
	*ea = v;
	return 0;
}

int insn_decode_mem(const __u8 *bytes, unsigned int avail, int mode,
		    const __u64 *gpr, __u64 rip, struct insn_mem *out)
{
	struct insn_cursor c;
	int adsize_prefix = 0, addr_size, seg = -1, dseg;
	__u8 rex = 0;
	__u64 b, op, modrm, ea;

	if (mode != 16 && mode != 32 && mode != 64)
		return -1;
	insn_cursor_init(&c, bytes, avail);
	for (;;) {
		if (insn_take(&c, 1, &b))
			return -1;
		if (mode == 64 && (b & 0xf0) == 0x40) {
			rex = b;
			continue;
		}
		if (b == 0x67)
			adsize_prefix = 1;
		else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e)
			seg = (b >> 3) & 3;	/* ES, CS, SS, DS */
		else if (b == 0x64 || b == 0x65)
			seg = b - 0x64 + INSN_SEG_FS;
		else if (b != 0x66 && b != 0xf0 && b != 0xf2 && b != 0xf3)
			break;
		rex = 0;	/* a legacy prefix after REX voids it */
	}
	if (b != 0x0f || insn_take(&c, 1, &op) || insn_take(&c, 1, &modrm) ||
	    (modrm >> 6) == 3)
		return -1;
	if (mode == 64)
		addr_size = adsize_prefix ? 4 : 8;
	else if (mode == 32)
		addr_size = adsize_prefix ? 2 : 4;
	else
		addr_size = adsize_prefix ? 4 : 2;
	if (mem_operand_ea(&c, modrm, rex, addr_size, gpr, &ea, &dseg))
		return -1;
	/* RIP-relative: from the end of the instruction (SDM Vol. 2 2.2.1.6) */
	if (mode == 64 && (modrm >> 6) == 0 && (modrm & 7) == 5)
		ea += rip + c.pos;
	if (addr_size == 4)
		ea &= 0xffffffffull;
	out->ea = ea;
	out->len = c.pos;
	out->opcode = op;
	out->reg = (modrm >> 3) & 7;
	out->seg = seg >= 0 ? seg : dseg;
	return 0;
}
