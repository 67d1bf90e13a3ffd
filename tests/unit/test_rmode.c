// SPDX-License-Identifier: GPL-2.0
/*
 * test_rmode.c - the decoder of the privileged instructions a real-mode
 * guest runs in virtual-8086 mode (kmod/pure_rmode.c), natively.
 *
 * The encodings are real: GNU as (.code16) produced them and objdump -d
 * -M i8086,intel shows the text in each comment; the few hand-made ones
 * (register forms of 0F 01, CR1/CR5-CR7) were checked the same way.
 * Every decode reads its bytes from the very end of a readable page whose
 * successor is PROT_NONE (guarded_copy.h), so one byte read past `avail'
 * is a SIGSEGV, not a pass.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../kmod/pure_rmode.h"
#include "guarded_copy.h"

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

/*
 * The registers the table's addresses are computed from.  The high halves
 * are set so that 16-bit addressing must drop bits 31:16 and 32-bit
 * addressing bits 63:32.
 */
static const __u64 regs[8] = {
	[EAX] = 0xfeedface12340010ULL, [ECX] = 0xfeedface23450020ULL,
	[EDX] = 0xfeedface34560030ULL, [EBX] = 0xfeedface45670300ULL,
	[ESP] = 0xfeedface5678fff0ULL, [EBP] = 0xfeedface67890500ULL,
	[ESI] = 0xfeedface789a0060ULL, [EDI] = 0xfeedface89ab0007ULL,
};

static int decode(const void *bytes, unsigned int n, const __u64 *gpr,
		  struct rm_insn *r)
{
	return rm_decode(guarded_copy(bytes, n), n, gpr, r);
}

struct enc {
	const char *bytes;
	unsigned int n;
	const char *text;
	struct rm_insn want;	/* .len is n; .opsize 0 means 2 */
};

#define B(s)		(s), sizeof(s) - 1
#define MEM(o, e, s)	{ .op = RM_OP_##o, .has_mem = 1, .ea = (e), .seg = (s) }
#define MEM32(o, e, s)	{ .op = RM_OP_##o, .has_mem = 1, .ea = (e), \
			  .seg = (s), .opsize = 4 }
#define REG(o, g)	{ .op = RM_OP_##o, .gpr = (g) }
#define CR(o, c, g)	{ .op = RM_OP_##o, .cr = (c), .gpr = (g) }
#define NONE(o)		{ .op = RM_OP_##o }

static const struct enc table[] = {
	/* 16-bit addressing, SDM Vol. 2 table 2-1 */
	{ B("\x66\x0f\x01\x16\x34\x12"), "lgdtd ds:0x1234",
	  MEM32(LGDT, 0x1234, RM_DS) },
	{ B("\x0f\x01\x50\x05"), "lgdtw [bx+si+0x5]",
	  MEM(LGDT, 0x0365, RM_DS) },
	{ B("\x0f\x01\x11"), "lgdtw [bx+di]", MEM(LGDT, 0x0307, RM_DS) },
	{ B("\x0f\x01\x5e\x02"), "lidtw [bp+0x2]", MEM(LIDT, 0x0502, RM_SS) },
	{ B("\x0f\x01\x5e\x00"), "lidtw [bp+0x0]", MEM(LIDT, 0x0500, RM_SS) },
	{ B("\x0f\x01\x50\xfe"), "lgdtw [bx+si-0x2]",
	  MEM(LGDT, 0x035e, RM_DS) },
	{ B("\x0f\x01\x9f\x80\x00"), "lidtw [bx+0x80] (disp16, positive)",
	  MEM(LIDT, 0x0380, RM_DS) },
	{ B("\x0f\x01\x93\x00\xf0"), "lgdtw [bp+di-0x1000]",
	  MEM(LGDT, 0xf507, RM_SS) },
	{ B("\x0f\x01\x3d"), "invlpg BYTE PTR [di]",
	  MEM(INVLPG, 0x0007, RM_DS) },
	{ B("\x0f\x01\x3e\xfe\xff"), "invlpg BYTE PTR ds:0xfffe",
	  MEM(INVLPG, 0xfffe, RM_DS) },
	/* segment overrides */
	{ B("\x26\x0f\x01\x15"), "lgdtw es:[di]", MEM(LGDT, 0x0007, RM_ES) },
	{ B("\x2e\x0f\x01\x9f\x34\x12"), "lidtw cs:[bx+0x1234]",
	  MEM(LIDT, 0x1534, RM_CS) },
	{ B("\x36\x66\x0f\x01\x17"), "lgdtd ss:[bx]",
	  MEM32(LGDT, 0x0300, RM_SS) },
	{ B("\x2e\x3e\x0f\x01\x17"), "cs lgdtw ds:[bx] (the last one counts)",
	  MEM(LGDT, 0x0300, RM_DS) },
	/* 32-bit addressing (67), SDM Vol. 2 tables 2-2 and 2-3 */
	{ B("\x67\x0f\x01\x54\x88\x08"), "lgdtw [eax+ecx*4+0x8]",
	  MEM(LGDT, 0x9f480098, RM_DS) },
	{ B("\x67\x0f\x01\x5d\x04"), "lidtw [ebp+0x4]",
	  MEM(LIDT, 0x67890504, RM_SS) },
	{ B("\x67\x0f\x01\x14\x24"), "lgdtw [esp]",
	  MEM(LGDT, 0x5678fff0, RM_SS) },
	{ B("\x67\x0f\x01\x54\x45\x00"), "lgdtw [ebp+eax*2+0x0]",
	  MEM(LGDT, 0x8bf10520, RM_SS) },
	{ B("\x67\x0f\x01\x14\x2b"), "lgdtw [ebx+ebp*1] (EBP as index: DS)",
	  MEM(LGDT, 0xacf00800, RM_DS) },
	{ B("\x67\x0f\x01\x14\xcd\x00\x00\x01\x00"),
	  "lgdtw [ecx*8+0x10000] (SIB base 5, mod 0)",
	  MEM(LGDT, 0x1a290100, RM_DS) },
	{ B("\x67\x0f\x01\x14\x65\x00\x01\x00\x00"),
	  "addr32 lgdtw [eiz*2+0x100] (no base, no index)",
	  MEM(LGDT, 0x100, RM_DS) },
	{ B("\x67\x0f\x01\x15\x45\x23\x01\x00"), "addr32 lgdtw ds:0x12345",
	  MEM(LGDT, 0x12345, RM_DS) },
	{ B("\x67\x0f\x01\x5c\xfe\xf0"), "lidtw [esi+edi*8-0x10]",
	  MEM(LIDT, 0xc5f20088, RM_DS) },
	{ B("\x64\x67\x66\x0f\x01\x94\x24\x00\x01\x00\x00"),
	  "lgdtd fs:[esp+0x100]", MEM32(LGDT, 0x567900f0, RM_FS) },
	{ B("\x65\x67\x0f\x01\x7d\xf8"), "invlpg BYTE PTR gs:[ebp-0x8]",
	  MEM(INVLPG, 0x678904f8, RM_GS) },
	/* LMSW, register or memory */
	{ B("\x0f\x01\xf0"), "lmsw ax", REG(LMSW, EAX) },
	{ B("\x0f\x01\xf6"), "lmsw si", REG(LMSW, ESI) },
	{ B("\x0f\x01\xf7"), "lmsw di", REG(LMSW, EDI) },
	{ B("\x0f\x01\x37"), "lmsw WORD PTR [bx]", MEM(LMSW, 0x0300, RM_DS) },
	/* MOV CR: ModRM.mod is ignored, no displacement follows */
	{ B("\x0f\x20\xc0"), "mov eax,cr0", CR(MOV_FROM_CR, 0, EAX) },
	{ B("\x0f\x22\xc0"), "mov cr0,eax", CR(MOV_TO_CR, 0, EAX) },
	{ B("\x0f\x22\xdb"), "mov cr3,ebx", CR(MOV_TO_CR, 3, EBX) },
	{ B("\x0f\x20\xe2"), "mov edx,cr4", CR(MOV_FROM_CR, 4, EDX) },
	{ B("\x0f\x20\xd1"), "mov ecx,cr2", CR(MOV_FROM_CR, 2, ECX) },
	{ B("\x0f\x20\xdf"), "mov edi,cr3", CR(MOV_FROM_CR, 3, EDI) },
	{ B("\x0f\x22\xe4"), "mov cr4,esp", CR(MOV_TO_CR, 4, ESP) },
	{ B("\x0f\x20\x00"), "mov eax,cr0 (mod 0)", CR(MOV_FROM_CR, 0, EAX) },
	{ B("\x0f\x22\x5a"), "mov cr3,edx (mod 1)", CR(MOV_TO_CR, 3, EDX) },
	{ B("\x66\x0f\x20\xc0"), "data32 mov eax,cr0",
	  { .op = RM_OP_MOV_FROM_CR, .opsize = 4 } },
	/* no operands */
	{ B("\x0f\x06"), "clts", NONE(CLTS) },
	{ B("\x0f\x08"), "invd", NONE(INVD) },
	{ B("\x0f\x09"), "wbinvd", NONE(WBINVD) },
	{ B("\x0f\x30"), "wrmsr", NONE(WRMSR) },
	{ B("\x0f\x32"), "rdmsr", NONE(RDMSR) },
	{ B("\x66\x0f\x32"), "data32 rdmsr",
	  { .op = RM_OP_RDMSR, .opsize = 4 } },
	{ B("\xf4"), "hlt", NONE(HLT) },
	{ B("\xf3\xf4"), "repz hlt", NONE(HLT) },
	{ B("\x26\xf4"), "es hlt", NONE(HLT) },
};

/* ea and seg mean something only with a memory operand. */
static int same(const struct rm_insn *a, const struct rm_insn *b)
{
	if (a->has_mem != b->has_mem)
		return 0;
	if (a->has_mem && (a->ea != b->ea || a->seg != b->seg))
		return 0;
	return a->op == b->op && a->len == b->len &&
	       a->opsize == b->opsize && a->cr == b->cr && a->gpr == b->gpr;
}

static void show(struct __test_metadata *_metadata, const char *what,
		 const struct rm_insn *r)
{
	TH_LOG("%s: op %u len %u opsize %u cr %u gpr %u mem %u seg %u ea %#x",
	       what, r->op, r->len, r->opsize, r->cr, r->gpr, r->has_mem,
	       r->seg, r->ea);
}

static struct rm_insn wanted(const struct enc *e)
{
	struct rm_insn w = e->want;

	w.len = e->n;
	if (!w.opsize)
		w.opsize = 2;
	return w;
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

TEST(table_of_real_encodings)
{
	unsigned int i;

	for (i = 0; i < N(table); i++) {
		const struct enc *e = &table[i];
		struct rm_insn want = wanted(e), got;

		memset(&got, 0xa5, sizeof(got));
		ASSERT_EQ(0, decode(e->bytes, e->n, regs, &got))
			TH_LOG("%s", e->text);
		if (!same(&want, &got)) {
			TH_LOG("%s", e->text);
			show(_metadata, "want", &want);
			show(_metadata, "got ", &got);
			_metadata->passed = 0;
		}
	}
}

/* What follows the instruction does not change it. */
TEST(trailing_bytes_are_ignored)
{
	unsigned int i;
	__u8 buf[32];

	for (i = 0; i < N(table); i++) {
		const struct enc *e = &table[i];
		struct rm_insn want = wanted(e), got;

		memset(buf, 0xff, sizeof(buf));
		memcpy(buf, e->bytes, e->n);
		ASSERT_EQ(0, decode(buf, sizeof(buf), regs, &got))
			TH_LOG("%s", e->text);
		EXPECT_TRUE(same(&want, &got)) TH_LOG("%s", e->text);
	}
}

/* A fetch cut short anywhere is -1, reads nothing beyond, writes nothing. */
TEST(every_strict_prefix_is_refused)
{
	unsigned int i, n;

	for (i = 0; i < N(table); i++) {
		const struct enc *e = &table[i];
		struct rm_insn got;

		for (n = 0; n < e->n; n++) {
			memset(&got, 0x5a, sizeof(got));
			EXPECT_EQ(-1, decode(e->bytes, n, regs, &got))
				TH_LOG("%s cut to %u bytes", e->text, n);
			EXPECT_EQ(0x5a, got.len);
			EXPECT_EQ(0x5a, got.op);
		}
	}
}

TEST(fifteen_bytes_at_most)
{
	__u8 buf[32];
	struct rm_insn got;

	/* 14 prefixes and hlt: 15 bytes, the longest legal instruction */
	memset(buf, 0x3e, 14);
	buf[14] = 0xf4;
	ASSERT_EQ(0, decode(buf, 15, regs, &got));
	EXPECT_EQ(RM_OP_HLT, got.op);
	EXPECT_EQ(15, got.len);

	/* 15 and 16 prefixes: #GP on real hardware, and not ours */
	memset(buf, 0x3e, 15);
	buf[15] = 0xf4;
	EXPECT_EQ(-1, decode(buf, 16, regs, &got));
	memset(buf, 0x3e, 16);
	buf[16] = 0xf4;
	EXPECT_EQ(-1, decode(buf, 17, regs, &got));
	EXPECT_EQ(-1, decode(buf, sizeof(buf), regs, &got));

	/* addr32 lgdtw [ecx*8+0x10000] is 9 bytes: 6 prefixes fit, 7 do not */
	memset(buf, 0x26, 6);
	memcpy(buf + 6, "\x67\x0f\x01\x14\xcd\x00\x00\x01\x00", 9);
	ASSERT_EQ(0, decode(buf, 15, regs, &got));
	EXPECT_EQ(15, got.len);
	EXPECT_EQ(RM_ES, got.seg);
	EXPECT_EQ(0x1a290100, got.ea);
	memmove(buf + 1, buf, 15);
	EXPECT_EQ(-1, decode(buf, 16, regs, &got));
}

TEST(refused)
{
	static const struct { const char *b; unsigned int n; } cases[] = {
		{ B("") },
		{ B("\xf0\x0f\x01\x17") },	/* lock lgdtw [bx]: #UD */
		{ B("\xf0\x0f\x20\xc0") },	/* mov eax,cr8 (AMD: LOCK MOV CR0) */
		{ B("\xf0\xf4") },		/* lock hlt: #UD */
		{ B("\x0f\x20\xc8") },		/* mov eax,cr1 */
		{ B("\x0f\x22\xe8") },		/* mov cr5,eax */
		{ B("\x0f\x20\xf0") },		/* mov eax,cr6 */
		{ B("\x0f\x22\xf8") },		/* mov cr7,eax */
		{ B("\x0f\x21\xc0") },		/* mov eax,dr0 */
		{ B("\x0f\x23\xc0") },		/* mov dr0,eax */
		{ B("\x0f\x01\xe0") },		/* smsw ax: no #GP in vm86 */
		{ B("\x0f\x01\x27") },		/* smsw WORD PTR [bx] */
		{ B("\x0f\x01\x07") },		/* sgdtw [bx] */
		{ B("\x0f\x01\x0f") },		/* sidtw [bx] */
		{ B("\x0f\x01\x2f") },		/* 0F 01 /5 m: (bad) */
		{ B("\x0f\x00\x17") },		/* lldt WORD PTR [bx] */
		{ B("\x0f\x0b") },		/* ud2 */
		{ B("\x0f\x31") },		/* rdtsc: no #GP (CR4.TSD = 0) */
		{ B("\x0f\x33") },		/* rdpmc: not emulated */
		{ B("\x90") },			/* nop */
		{ B("\x66\x67\x2e") },		/* prefixes only */
	};
	static const __u8 reg_rows[] = { 0xd0, 0xd8, 0xf8 };
	struct rm_insn got;
	unsigned int i, j;
	__u8 b[3] = { 0x0f, 0x01, 0 };

	for (i = 0; i < N(cases); i++)
		EXPECT_EQ(-1, decode(cases[i].b, cases[i].n, regs, &got))
			TH_LOG("case %u", i);

	/*
	 * 0F 01 with mod = 3 and reg 2, 3 or 7 is not LGDT, LIDT or INVLPG
	 * of a register but another instruction: D0 xgetbv, D7 enclu,
	 * D8 vmrun, F8 swapgs, FF tlbsync...
	 */
	for (i = 0; i < N(reg_rows); i++) {
		for (j = 0; j < 8; j++) {
			b[2] = reg_rows[i] + j;
			EXPECT_EQ(-1, decode(b, 3, regs, &got))
				TH_LOG("0f 01 %02x", b[2]);
		}
	}
}

/* The offset wraps at the address size, as the CPU computes it. */
TEST(effective_address_wraps)
{
	__u64 r[8] = { 0 };
	struct rm_insn got;

	/* lgdtw [bx+si] with bx = 0xffff, si = 2 */
	r[EBX] = 0xffff;
	r[ESI] = 2;
	ASSERT_EQ(0, decode("\x0f\x01\x10", 3, r, &got));
	EXPECT_EQ(1, got.ea);

	/* lgdtw [bx+si-0x2] with bx = 1, si = 0: disp8 sign-extended */
	r[EBX] = 1;
	r[ESI] = 0;
	ASSERT_EQ(0, decode("\x0f\x01\x50\xfe", 4, r, &got));
	EXPECT_EQ(0xffff, got.ea);

	/* lidtw [bp+0x2] with ebp = 0x1234fffe: only BP counts */
	r[EBP] = 0x1234fffeULL;
	ASSERT_EQ(0, decode("\x0f\x01\x5e\x02", 4, r, &got));
	EXPECT_EQ(0, got.ea);
	EXPECT_EQ(RM_SS, got.seg);

	/* lgdtw [eax-0x4] with eax = 2: 32 bits, bits 63:32 ignored */
	r[EAX] = 0xffffffff00000002ULL;
	ASSERT_EQ(0, decode("\x67\x0f\x01\x50\xfc", 5, r, &got));
	EXPECT_EQ(0xfffffffe, got.ea);

	/* lidtw [esi+edi*8-0x10] */
	r[ESI] = 0x10;
	r[EDI] = 0x20000000;
	ASSERT_EQ(0, decode("\x67\x0f\x01\x5c\xfe\xf0", 6, r, &got));
	EXPECT_EQ(0, got.ea);
}

TEST(table_base)
{
	/* limit 0xffff, base 0x12341000 / 0xf2345678 */
	static const __u8 a[6] = { 0xff, 0xff, 0x00, 0x10, 0x34, 0x12 };
	static const __u8 b[6] = { 0xff, 0x00, 0x78, 0x56, 0x34, 0xf2 };

	EXPECT_EQ(0x12341000, rm_table_base(a, 4));
	EXPECT_EQ(0x00341000, rm_table_base(a, 2));
	EXPECT_EQ(0xf2345678, rm_table_base(b, 4));
	EXPECT_EQ(0x00345678, rm_table_base(b, 2));
}

TEST_HARNESS_MAIN
