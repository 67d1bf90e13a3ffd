// SPDX-License-Identifier: GPL-2.0
/*
 * pure_rmode.c - which privileged instruction a real-mode guest, run in
 * virtual-8086 mode, tried to execute.
 *
 * Virtual-8086 code runs at CPL 3, so every instruction reserved to ring 0
 * raises #GP(0) there (SDM Vol. 3 5.9).  The few a real-mode boot path uses
 * are decoded here: LGDT, LIDT, LMSW and INVLPG (0F 01 /2 /3 /6 /7), CLTS,
 * INVD, WBINVD, MOV from/to CR0/2/3/4, RDMSR, WRMSR and HLT.  The caller
 * emulates them.
 *
 * The code is 16-bit: operands and addresses are 16 bits unless a 66 or
 * 67 prefix makes them 32 (SDM Vol. 2 2.1.1).  A memory operand is turned
 * into a segment and an offset, computed from the guest's registers the way
 * the CPU would: table 2-1 for 16-bit addressing, where BP as a base means
 * SS; tables 2-2 and 2-3 (SIB) with a 67 prefix, where ESP or EBP as the
 * base means SS.  MOV CR ignores ModRM.mod and always names a register
 * (SDM Vol. 2, MOV--Move to/from Control Registers).
 *
 * Invariants:
 *  - Every byte is read through insn_take() (pure_insn.h), which refuses
 *    to go past avail or past INSN_MAX_LEN: a truncated or over-long instruction is -1, never
 *    an out-of-bounds read.
 *  - *out is written only when the decode succeeds.
 *  - ea is wrapped to the address size: 16 bits unless there was a 67.
 *    Without a memory operand ea is 0 and seg is DS or the override.
 */
#include <linux/types.h>
#include "pure_insn.h"
#include "pure_rmode.h"

/* GPR numbers as in ModRM and SIB; GPR_NONE: no register in that slot. */
enum { GPR_BX = 3, GPR_SP, GPR_BP, GPR_SI, GPR_DI, GPR_NONE };

/* A displacement: none, disp8 (sign-extended), disp16 or disp32. */
static int take_disp(struct insn_cursor *c, unsigned int n, __u32 *disp)
{
	__u64 v;

	if (insn_take(c, n, &v))
		return -1;
	*disp = n == 1 ? ((__u32)v ^ 0x80) - 0x80 : (__u32)v;
	return 0;
}

/* SDM Vol. 2 table 2-1: the registers each 16-bit ModRM.rm adds up. */
static const __u8 base16[8] = {
	GPR_BX, GPR_BX, GPR_BP, GPR_BP, GPR_SI, GPR_DI, GPR_BP, GPR_BX,
};

static const __u8 index16[8] = {
	GPR_SI, GPR_DI, GPR_SI, GPR_DI, GPR_NONE, GPR_NONE, GPR_NONE, GPR_NONE,
};

static int ea16(struct insn_cursor *c, unsigned int mod, unsigned int rm,
		const __u64 *gpr, struct rm_insn *r)
{
	__u32 disp, sum;

	if (mod == 0 && rm == 6) {		/* [disp16], not [bp] */
		if (take_disp(c, 2, &disp))
			return -1;
		r->ea = disp;
		r->seg = RM_DS;
		return 0;
	}
	if (take_disp(c, mod == 1 ? 1 : mod == 2 ? 2 : 0, &disp))
		return -1;
	sum = (__u32)gpr[base16[rm]] + disp;
	if (index16[rm] != GPR_NONE)
		sum += (__u32)gpr[index16[rm]];
	r->ea = sum & 0xffff;
	r->seg = base16[rm] == GPR_BP ? RM_SS : RM_DS;
	return 0;
}

/* SDM Vol. 2 tables 2-2 and 2-3: 32-bit ModRM, with a SIB when rm = 4. */
static int ea32(struct insn_cursor *c, unsigned int mod, unsigned int rm,
		const __u64 *gpr, struct rm_insn *r)
{
	unsigned int base = rm, index = GPR_NONE, scale = 0, disp_len;
	__u32 disp, sum;
	__u64 sib;

	if (rm == 4) {
		if (insn_take(c, 1, &sib))
			return -1;
		scale = sib >> 6;
		index = (sib >> 3) & 7;
		if (index == GPR_SP)		/* index 4: none */
			index = GPR_NONE;
		base = sib & 7;
	}
	/* mod = 0 with rm = 5, or with SIB base = 5: no base, a disp32 */
	if (mod == 0 && base == GPR_BP)
		base = GPR_NONE;
	if (mod == 1)
		disp_len = 1;
	else if (mod == 2 || base == GPR_NONE)
		disp_len = 4;
	else
		disp_len = 0;
	if (take_disp(c, disp_len, &disp))
		return -1;
	sum = disp;
	if (base != GPR_NONE)
		sum += (__u32)gpr[base];
	if (index != GPR_NONE)
		sum += (__u32)gpr[index] << scale;
	r->ea = sum;
	r->seg = base == GPR_SP || base == GPR_BP ? RM_SS : RM_DS;
	return 0;
}

/* The segment an override prefix names, or -1 if b is not one. */
static int seg_prefix(__u32 b)
{
	if (b == 0x64 || b == 0x65)
		return RM_FS + (b - 0x64);
	/* 26, 2E, 36, 3E carry the 2-bit sreg in bits 4:3 */
	if ((b & 0xe7) == 0x26)
		return (b >> 3) & 3;
	return -1;
}

/* 0F 01 by ModRM.reg; 0 for the rows that are not ours (SMSW is not). */
static const __u8 grp7[8] = {
	[2] = RM_OP_LGDT, [3] = RM_OP_LIDT, [6] = RM_OP_LMSW,
	[7] = RM_OP_INVLPG,
};

int rm_decode(const __u8 *bytes, unsigned int avail, const __u64 *gpr,
	      struct rm_insn *out)
{
	struct insn_cursor c;
	struct rm_insn r = { .opsize = 2, .seg = RM_DS };
	int addr32 = 0, over = -1;
	unsigned int mod, reg, rm;
	__u64 b, modrm;

	insn_cursor_init(&c, bytes, avail);

	/*
	 * Prefixes, any number of them.  F2/F3 change none of our opcodes
	 * (F3 0F 09 is WBNOINVD, which WBINVD emulates well enough).  LOCK
	 * makes all of them #UD, not the #GP we are called for.  Of several
	 * segment overrides the last one counts, as objdump also shows it.
	 */
	for (;;) {
		if (insn_take(&c, 1, &b) || b == 0xf0)
			return -1;
		if (b == 0x66)
			r.opsize = 4;
		else if (b == 0x67)
			addr32 = 1;
		else if (seg_prefix(b) >= 0)
			over = seg_prefix(b);
		else if (b != 0xf2 && b != 0xf3)
			break;
	}

	if (b == 0xf4) {
		r.op = RM_OP_HLT;
		goto done;
	}
	if (b != 0x0f || insn_take(&c, 1, &b))
		return -1;
	switch (b) {
	case 0x06:
		r.op = RM_OP_CLTS;
		goto done;
	case 0x08:
		r.op = RM_OP_INVD;
		goto done;
	case 0x09:
		r.op = RM_OP_WBINVD;
		goto done;
	case 0x30:
		r.op = RM_OP_WRMSR;
		goto done;
	case 0x32:
		r.op = RM_OP_RDMSR;
		goto done;
	case 0x01:
	case 0x20:
	case 0x22:
		break;
	default:
		return -1;
	}
	if (insn_take(&c, 1, &modrm))
		return -1;
	mod = modrm >> 6;
	reg = (modrm >> 3) & 7;
	rm = modrm & 7;

	if (b != 0x01) {
		/* MOV CR: mod is ignored; CR1, CR5-CR7 are #UD */
		if (reg == 1 || reg > 4)
			return -1;
		r.op = b == 0x20 ? RM_OP_MOV_FROM_CR : RM_OP_MOV_TO_CR;
		r.cr = reg;
		r.gpr = rm;
		goto done;
	}

	r.op = grp7[reg];
	if (!r.op)
		return -1;
	if (mod == 3) {
		/* a register: fine for LMSW, another instruction otherwise */
		if (r.op != RM_OP_LMSW)
			return -1;
		r.gpr = rm;
		goto done;
	}
	r.has_mem = 1;
	if (addr32 ? ea32(&c, mod, rm, gpr, &r) : ea16(&c, mod, rm, gpr, &r))
		return -1;
done:
	if (over >= 0)
		r.seg = over;
	r.len = c.pos;
	*out = r;
	return 0;
}

__u32 rm_table_base(const __u8 operand[6], unsigned int opsize)
{
	__u32 base = operand[2] | operand[3] << 8 | operand[4] << 16 |
		     (__u32)operand[5] << 24;

	/* a 16-bit operand size loads 24 bits of base (SDM Vol. 2, LGDT) */
	return opsize == 4 ? base : base & 0x00ffffff;
}
