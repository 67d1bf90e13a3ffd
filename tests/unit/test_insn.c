// SPDX-License-Identifier: GPL-2.0
/*
 * test_insn.c - the MMIO instruction decoder (kmod/pure_insn.c), natively.
 *
 * The table holds real encodings, assembled with GNU as (.code16/32/64,
 * Intel syntax) and checked with objdump -d -M intel; the disassembly is
 * the comment.  Every decode in this file reads its input from the end of a
 * page followed by an inaccessible page (guarded_copy.h), so a decoder that
 * reads one byte past `avail' crashes the test instead of passing it.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../kmod/pure_insn.h"
#include "guarded_copy.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13,
	R14, R15 };

/* Decode exactly n bytes placed right before the guard page. */
static int decode(const __u8 *bytes, unsigned int n, int mode,
		  struct insn_mmio *m)
{
	return insn_decode_mmio(guarded_copy(bytes, n), n, mode, m);
}

struct enc {
	int mode;
	const char *bytes;
	unsigned int n;
	const char *asm_text;
	struct insn_mmio want;	/* .len is n */
};

#define I(s)		(s), sizeof(s) - 1
#define LD(sz, r)	{ .size = (sz), .dst_size = (sz), .reg = (r) }
#define ST(sz, r)	{ .size = (sz), .dst_size = (sz), .reg = (r), .is_write = 1 }
#define LDH(r)		{ .size = 1, .dst_size = 1, .reg = (r), .high_byte = 1 }
#define STH(r)		{ .size = 1, .dst_size = 1, .reg = (r), .is_write = 1, \
			  .high_byte = 1 }
#define IMM(sz, v)	{ .size = (sz), .dst_size = (sz), .is_write = 1, \
			  .has_imm = 1, .imm = (v) }
#define ZX(sz, d, r)	{ .size = (sz), .dst_size = (d), .reg = (r), \
			  .zero_extend = 1 }
#define SX(sz, d, r)	{ .size = (sz), .dst_size = (d), .reg = (r), \
			  .sign_extend = 1 }
#define RMW(o, sz, r)	{ .op = INSN_MMIO_##o, .size = (sz), .dst_size = (sz), \
			  .reg = (r), .is_write = 1 }
#define RMWH(o, r)	{ .op = INSN_MMIO_##o, .size = 1, .dst_size = 1, \
			  .reg = (r), .is_write = 1, .high_byte = 1 }
#define RMWI(o, sz, v)	{ .op = INSN_MMIO_##o, .size = (sz), .dst_size = (sz), \
			  .is_write = 1, .has_imm = 1, .imm = (v) }
#define MOVS(sz, as, sg, r) { .op = INSN_MMIO_MOVS, .size = (sz), \
			  .dst_size = (sz), .addr_size = (as), \
			  .seg = INSN_SEG_##sg, .rep = (r) }

static const struct enc table[] = {
	/* 32-bit code: the local APIC and a device at 0xc0000000 */
	{ 32, I("\x8b\x05\x30\x00\xe0\xfe"), "mov eax,DWORD PTR ds:0xfee00030",
	  LD(4, RAX) },
	{ 32, I("\xc7\x05\xb0\x00\xe0\xfe\x00\x00\x00\x00"),
	  "mov DWORD PTR ds:0xfee000b0,0x0", IMM(4, 0) },
	{ 32, I("\x89\x4b\x10"), "mov DWORD PTR [ebx+0x10],ecx", ST(4, RCX) },
	{ 32, I("\x8a\x16"), "mov dl,BYTE PTR [esi]", LD(1, RDX) },
	{ 32, I("\x8a\x23"), "mov ah,BYTE PTR [ebx]", LDH(RAX) },
	{ 32, I("\x88\xbc\x91\x78\x56\x34\x12"),
	  "mov BYTE PTR [ecx+edx*4+0x12345678],bh", STH(RBX) },
	{ 32, I("\x66\x8b\x07"), "mov ax,WORD PTR [edi]", LD(2, RAX) },
	{ 32, I("\x66\xc7\x00\x34\x12"), "mov WORD PTR [eax],0x1234",
	  IMM(2, 0x1234) },
	{ 32, I("\xc6\x45\xfc\x7f"), "mov BYTE PTR [ebp-0x4],0x7f",
	  IMM(1, 0x7f) },
	{ 32, I("\xa1\x20\x00\xe0\xfe"), "mov eax,ds:0xfee00020", LD(4, RAX) },
	{ 32, I("\xa2\x00\x00\x00\xc0"), "mov ds:0xc0000000,al", ST(1, RAX) },
	{ 32, I("\x66\xa1\x02\x00\x00\xc0"), "mov ax,ds:0xc0000002",
	  LD(2, RAX) },
	{ 32, I("\x0f\xb6\x01"), "movzx eax,BYTE PTR [ecx]", ZX(1, 4, RAX) },
	{ 32, I("\x0f\xb7\x44\x24\x08"), "movzx eax,WORD PTR [esp+0x8]",
	  ZX(2, 4, RAX) },
	{ 32, I("\x0f\xbe\x14\x18"), "movsx edx,BYTE PTR [eax+ebx*1]",
	  SX(1, 4, RDX) },
	{ 32, I("\x66\x0f\xbe\x0e"), "movsx cx,BYTE PTR [esi]", SX(1, 2, RCX) },
	{ 32, I("\x0f\xbf\x3d\x00\x03\xe0\xfe"),
	  "movsx edi,WORD PTR ds:0xfee00300", SX(2, 4, RDI) },
	{ 32, I("\x8b\x45\x00"), "mov eax,DWORD PTR [ebp+0x0]", LD(4, RAX) },
	{ 32, I("\x8b\x04\x24"), "mov eax,DWORD PTR [esp]", LD(4, RAX) },
	{ 32, I("\x8b\x04\x5d\x00\x01\x00\x00"),
	  "mov eax,DWORD PTR [ebx*2+0x100] (SIB base=5, mod=0)", LD(4, RAX) },
	{ 32, I("\x64\x8b\x03"), "mov eax,DWORD PTR fs:[ebx]", LD(4, RAX) },
	{ 32, I("\x67\x8b\x40\x08"), "mov eax,DWORD PTR [bx+si+0x8]",
	  LD(4, RAX) },
	{ 32, I("\x26\xc7\x04\xc5\x00\x10\x00\x00\xef\xbe\xad\xde"),
	  "mov DWORD PTR es:[eax*8+0x1000],0xdeadbeef", IMM(4, 0xdeadbeef) },
	{ 32, I("\xf3\x8b\x03"), "repz mov eax,DWORD PTR [ebx]", LD(4, RAX) },

	/* 16-bit code (real mode, or a 16-bit code segment) */
	{ 16, I("\x8a\x27"), "mov ah,BYTE PTR [bx]", LDH(RAX) },
	{ 16, I("\x8b\x42\x10"), "mov ax,WORD PTR [bp+si+0x10]", LD(2, RAX) },
	{ 16, I("\x8b\x06\x34\x12"), "mov ax,WORD PTR ds:0x1234 ([disp16])",
	  LD(2, RAX) },
	{ 16, I("\x89\x89\x34\x12"), "mov WORD PTR [bx+di+0x1234],cx",
	  ST(2, RCX) },
	{ 16, I("\x66\x8b\x04"), "mov eax,DWORD PTR [si]", LD(4, RAX) },
	{ 16, I("\xc6\x46\x00\x05"), "mov BYTE PTR [bp+0x0],0x5", IMM(1, 5) },
	{ 16, I("\xc7\x47\x20\xef\xbe"), "mov WORD PTR [bx+0x20],0xbeef",
	  IMM(2, 0xbeef) },
	{ 16, I("\x66\xc7\x05\x78\x56\x34\x12"), "mov DWORD PTR [di],0x12345678",
	  IMM(4, 0x12345678) },
	{ 16, I("\xa0\x00\x01"), "mov al,ds:0x100", LD(1, RAX) },
	{ 16, I("\xa3\x00\x02"), "mov ds:0x200,ax", ST(2, RAX) },
	{ 16, I("\x66\xa3\x00\x03"), "mov ds:0x300,eax", ST(4, RAX) },
	{ 16, I("\x67\xa1\x00\x00\xe0\xfe"), "addr32 mov ax,ds:0xfee00000",
	  LD(2, RAX) },
	{ 16, I("\x0f\xb6\x07"), "movzx ax,BYTE PTR [bx]", ZX(1, 2, RAX) },
	{ 16, I("\x66\x0f\xbf\x43\xfe"), "movsx eax,WORD PTR [bp+di-0x2]",
	  SX(2, 4, RAX) },
	{ 16, I("\x67\x66\x8b\x8c\x43\x00\x10\x00\x00"),
	  "mov ecx,DWORD PTR [ebx+eax*2+0x1000]", LD(4, RCX) },
	{ 16, I("\x26\xa1\x10\x00"), "mov ax,es:0x10", LD(2, RAX) },

	/* 64-bit code */
	{ 64, I("\x48\x8b\x04\x25\x30\x00\xe0\xfe"),
	  "mov rax,QWORD PTR ds:0xfffffffffee00030 (SIB, no base)",
	  LD(8, RAX) },
	{ 64, I("\x8b\x05\x00\x02\x00\x00"), "mov eax,DWORD PTR [rip+0x200]",
	  LD(4, RAX) },
	{ 64, I("\x45\x8b\x05\x00\x10\x00\x00"),
	  "mov r8d,DWORD PTR [rip+0x1000]", LD(4, R8) },
	{ 64, I("\x44\x8b\x07"), "mov r8d,DWORD PTR [rdi]", LD(4, R8) },
	{ 64, I("\x4f\x89\x4c\xf7\x40"), "mov QWORD PTR [r15+r14*8+0x40],r9",
	  ST(8, R9) },
	{ 64, I("\x4c\x89\x04\x25\xb0\x00\xe0\xfe"),
	  "mov QWORD PTR ds:0xfffffffffee000b0,r8", ST(8, R8) },
	{ 64, I("\x48\x8b\x54\x24\x18"), "mov rdx,QWORD PTR [rsp+0x18]",
	  LD(8, RDX) },
	{ 64, I("\x40\x8a\x30"), "mov sil,BYTE PTR [rax]", LD(1, RSI) },
	{ 64, I("\x40\x8a\x23"), "mov spl,BYTE PTR [rbx] (REX: not AH)",
	  LD(1, RSP) },
	{ 64, I("\x8a\x23"), "mov ah,BYTE PTR [rbx]", LDH(RAX) },
	{ 64, I("\x41\x88\x27"), "mov BYTE PTR [r15],spl", ST(1, RSP) },
	{ 64, I("\x44\x8a\x65\x00"), "mov r12b,BYTE PTR [rbp+0x0]",
	  LD(1, R12) },
	{ 64, I("\x41\x8b\x45\x00"), "mov eax,DWORD PTR [r13+0x0]",
	  LD(4, RAX) },
	{ 64, I("\x41\x8b\x04\x24"), "mov eax,DWORD PTR [r12]", LD(4, RAX) },
	{ 64, I("\x41\x8b\x44\x24\x08"), "mov eax,DWORD PTR [r12+0x8]",
	  LD(4, RAX) },
	{ 64, I("\x48\xc7\x03\xff\xff\xff\xff"),
	  "mov QWORD PTR [rbx],0xffffffffffffffff", IMM(8, ~0ULL) },
	{ 64, I("\xc7\x87\x00\x03\x00\x00\x00\x00\xe0\xfe"),
	  "mov DWORD PTR [rdi+0x300],0xfee00000", IMM(4, 0xfee00000) },
	{ 64, I("\x48\xc7\x05\x10\x00\x00\x00\xff\xff\xff\x7f"),
	  "mov QWORD PTR [rip+0x10],0x7fffffff", IMM(8, 0x7fffffff) },
	{ 64, I("\x41\xc6\x04\x24\xaa"), "mov BYTE PTR [r12],0xaa",
	  IMM(1, 0xaa) },
	{ 64, I("\x66\x41\xc7\x45\x08\x34\x12"), "mov WORD PTR [r13+0x8],0x1234",
	  IMM(2, 0x1234) },
	{ 64, I("\x48\xa1\x30\x00\xe0\xfe\x00\x00\x00\x00"),
	  "movabs rax,ds:0xfee00030", LD(8, RAX) },
	{ 64, I("\xa3\xb0\x00\xe0\xfe\x00\x00\x00\x00"),
	  "movabs ds:0xfee000b0,eax", ST(4, RAX) },
	{ 64, I("\xa0\x00\x00\x00\xc0\x00\x00\x00\x00"),
	  "movabs al,ds:0xc0000000", LD(1, RAX) },
	{ 64, I("\x66\xa3\x02\x00\x00\xc0\x00\x00\x00\x00"),
	  "movabs ds:0xc0000002,ax", ST(2, RAX) },
	{ 64, I("\x67\xa1\x30\x00\xe0\xfe"), "addr32 mov eax,ds:0xfee00030",
	  LD(4, RAX) },
	{ 64, I("\x67\x8b\x45\x10"), "mov eax,DWORD PTR [ebp+0x10]",
	  LD(4, RAX) },
	{ 64, I("\x44\x0f\xb6\x11"), "movzx r10d,BYTE PTR [rcx]",
	  ZX(1, 4, R10) },
	{ 64, I("\x48\x0f\xb7\x43\x10"), "movzx rax,WORD PTR [rbx+0x10]",
	  ZX(2, 8, RAX) },
	{ 64, I("\x4c\x0f\xbe\x1a"), "movsx r11,BYTE PTR [rdx]",
	  SX(1, 8, R11) },
	{ 64, I("\x43\x0f\xbf\x04\x08"), "movsx eax,WORD PTR [r8+r9*1]",
	  SX(2, 4, RAX) },
	{ 64, I("\x48\x63\x02"), "movsxd rax,DWORD PTR [rdx]", SX(4, 8, RAX) },
	{ 64, I("\x63\x02"), "movsxd eax,DWORD PTR [rdx] (a plain mov)",
	  LD(4, RAX) },
	{ 64, I("\x65\x8b\x04\x25\x10\x00\x00\x00"),
	  "mov eax,DWORD PTR gs:0x10", LD(4, RAX) },
	{ 64, I("\x66\x8b\x00"), "mov ax,WORD PTR [rax]", LD(2, RAX) },
	/* REX counts only right before the opcode (SDM Vol. 2 2.2.1) */
	{ 64, I("\x48\x66\x8b\x03"), "rex.W data16 mov ax,WORD PTR [rbx]",
	  LD(2, RAX) },
	{ 64, I("\x66\x48\x8b\x03"), "data16 mov rax,QWORD PTR [rbx]",
	  LD(8, RAX) },

	/* read-modify-write forms on a device register (GNU as encodings) */
	{ 64, I("\xf0\x81\x8a\x00\x03\x00\x00\x00\x01\x00\x00"),
	  "lock or DWORD PTR [rdx+0x300],0x100", RMWI(OR, 4, 0x100) },
	{ 64, I("\x09\x02"), "or DWORD PTR [rdx],eax", RMW(OR, 4, RAX) },
	{ 64, I("\x83\x4f\x08\x10"), "or DWORD PTR [rdi+0x8],0x10",
	  RMWI(OR, 4, 0x10) },
	{ 64, I("\x83\x23\xfe"), "and DWORD PTR [rbx],0xfffffffe",
	  RMWI(AND, 4, 0xfffffffe) },
	{ 64, I("\x41\x83\x64\x24\x10\xef"), "and DWORD PTR [r12+0x10],-17",
	  RMWI(AND, 4, 0xffffffef) },
	{ 64, I("\x48\x09\x4c\xd8\x40"), "or QWORD PTR [rax+rbx*8+0x40],rcx",
	  RMW(OR, 8, RCX) },
	{ 64, I("\xf0\x80\x0e\x80"), "lock or BYTE PTR [rsi],0x80",
	  RMWI(OR, 1, 0x80) },
	{ 64, I("\x66\x21\x02"), "and WORD PTR [rdx],ax", RMW(AND, 2, RAX) },
	{ 64, I("\x66\x81\x0a\x34\x12"), "or WORD PTR [rdx],0x1234",
	  RMWI(OR, 2, 0x1234) },
	{ 64, I("\x87\x02"), "xchg DWORD PTR [rdx],eax", RMW(XCHG, 4, RAX) },
	{ 64, I("\x4d\x87\x48\x18"), "xchg QWORD PTR [r8+0x18],r9",
	  RMW(XCHG, 8, R9) },
	{ 64, I("\x86\x23"), "xchg BYTE PTR [rbx],ah", RMWH(XCHG, RAX) },
	{ 64, I("\x20\x0f"), "and BYTE PTR [rdi],cl", RMW(AND, 1, RCX) },
	{ 64, I("\x48\x81\x0f\xff\xff\xff\x7f"),
	  "or QWORD PTR [rdi],0x7fffffff", RMWI(OR, 8, 0x7fffffff) },
	{ 64, I("\x48\x83\x27\xf8"), "and QWORD PTR [rdi],-8",
	  RMWI(AND, 8, ~7ULL) },
	{ 32, I("\x83\x0d\xf0\x00\xe0\xfe\x04"), "or DWORD PTR ds:0xfee000f0,0x4",
	  RMWI(OR, 4, 4) },
	{ 32, I("\x87\x1d\x10\x00\xc0\xfe"), "xchg DWORD PTR ds:0xfec00010,ebx",
	  RMW(XCHG, 4, RBX) },
	{ 32, I("\x21\x16"), "and DWORD PTR [esi],edx", RMW(AND, 4, RDX) },

	/* string moves: memcpy_toio() / memcpy_fromio() */
	{ 64, I("\xf3\x48\xa5"), "rep movsq", MOVS(8, 8, DS, 1) },
	{ 64, I("\xf3\xa5"), "rep movsd", MOVS(4, 8, DS, 1) },
	{ 64, I("\xa4"), "movsb", MOVS(1, 8, DS, 0) },
	{ 64, I("\xf3\xa4"), "rep movsb", MOVS(1, 8, DS, 1) },
	{ 64, I("\x66\xf3\xa5"), "rep movsw", MOVS(2, 8, DS, 1) },
	{ 64, I("\x64\xa5"), "movsd fs:[rsi]", MOVS(4, 8, FS, 0) },
	{ 64, I("\x67\xf3\xa4"), "rep movsb [esi],[edi]", MOVS(1, 4, DS, 1) },
	{ 32, I("\xf3\xa5"), "rep movsd (32-bit)", MOVS(4, 4, DS, 1) },
	{ 16, I("\xf3\xa4"), "rep movsb (16-bit)", MOVS(1, 2, DS, 1) },
	{ 16, I("\x26\x66\xa5"), "movsd es:[si] (16-bit)", MOVS(4, 2, ES, 0) },
};

/* Field by field: the flags are bit-fields and padding is unspecified. */
static int same(const struct insn_mmio *a, const struct insn_mmio *b)
{
	return a->len == b->len && a->size == b->size &&
	       a->dst_size == b->dst_size && a->reg == b->reg &&
	       a->is_write == b->is_write && a->has_imm == b->has_imm &&
	       a->zero_extend == b->zero_extend &&
	       a->sign_extend == b->sign_extend &&
	       a->high_byte == b->high_byte && a->imm == b->imm &&
	       a->op == b->op && a->rep == b->rep &&
	       a->addr_size == b->addr_size && a->seg == b->seg;
}

static void show(struct __test_metadata *_metadata, const char *what,
		 const struct insn_mmio *m)
{
	TH_LOG("%s: len %u size %u dst %u reg %u write %u imm? %u zx %u sx %u high %u imm %#llx op %u rep %u as %u seg %u",
	       what, m->len, m->size, m->dst_size, m->reg, m->is_write,
	       m->has_imm, m->zero_extend, m->sign_extend, m->high_byte,
	       (unsigned long long)m->imm, m->op, m->rep, m->addr_size, m->seg);
}

TEST(table_of_real_encodings)
{
	unsigned int i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct enc *e = &table[i];
		struct insn_mmio want = e->want, got;

		want.len = e->n;
		memset(&got, 0xa5, sizeof(got));
		ASSERT_EQ(0, decode((const __u8 *)e->bytes, e->n, e->mode, &got))
			TH_LOG("%d-bit: %s", e->mode, e->asm_text);
		if (!same(&want, &got)) {
			TH_LOG("%d-bit: %s", e->mode, e->asm_text);
			show(_metadata, "want", &want);
			show(_metadata, "got ", &got);
			_metadata->passed = 0;
		}
	}
}

/* Trailing bytes after the instruction do not change the decode. */
TEST(extra_bytes_are_ignored)
{
	unsigned int i;
	__u8 buf[32];

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct enc *e = &table[i];
		struct insn_mmio got;

		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, e->bytes, e->n);
		ASSERT_EQ(0, decode(buf, sizeof(buf), e->mode, &got))
			TH_LOG("%s", e->asm_text);
		EXPECT_EQ(e->n, got.len) TH_LOG("%s", e->asm_text);
	}
}

/* A page boundary may cut the fetch anywhere: every short prefix is -1. */
TEST(truncated_at_every_length)
{
	unsigned int i, n;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct enc *e = &table[i];
		struct insn_mmio got;

		for (n = 0; n < e->n; n++) {
			memset(&got, 0x5a, sizeof(got));
			EXPECT_EQ(-1, decode((const __u8 *)e->bytes, n, e->mode,
					     &got))
				TH_LOG("%s cut to %u bytes", e->asm_text, n);
			/* *out is untouched on failure */
			EXPECT_EQ(0x5a, got.len);
		}
	}
}

TEST(fifteen_bytes_at_most)
{
	__u8 buf[32];
	struct insn_mmio got;

	/* 13 prefixes + mov eax,[ebx] = 15 bytes: the longest legal one */
	memset(buf, 0x3e, 13);
	buf[13] = 0x8b;
	buf[14] = 0x03;
	ASSERT_EQ(0, decode(buf, 15, 32, &got));
	EXPECT_EQ(15, got.len);
	EXPECT_EQ(4, got.size);

	/* 14 prefixes: 16 bytes, #GP on real hardware */
	memset(buf, 0x3e, 14);
	buf[14] = 0x8b;
	buf[15] = 0x03;
	EXPECT_EQ(-1, decode(buf, 16, 32, &got));
	EXPECT_EQ(-1, decode(buf, sizeof(buf), 32, &got));

	/* mov dword [disp32 via SIB], imm32 with 4 prefixes: 15 bytes */
	memcpy(buf, "\x3e\x3e\x3e\x3e\xc7\x04\x25\x00\x00\xe0\xfe"
		    "\x01\x02\x03\x04", 15);
	ASSERT_EQ(0, decode(buf, 15, 64, &got));
	EXPECT_EQ(15, got.len);
	EXPECT_EQ(0x04030201, got.imm);
	memmove(buf + 1, buf, 15);
	EXPECT_EQ(-1, decode(buf, 16, 64, &got));
}

/* mod=3: the operand is a register, so this cannot be an MMIO access. */
TEST(register_operands_are_rejected)
{
	static const struct { int mode; const char *b; unsigned int n; }
	cases[] = {
		{ 32, I("\x8b\xc0") },			/* mov eax,eax */
		{ 32, I("\x89\xd8") },			/* mov eax,ebx */
		{ 16, I("\x88\xe0") },			/* mov al,ah */
		{ 64, I("\x4d\x8b\xc8") },		/* mov r9,r8 */
		{ 32, I("\xc7\xc0\x01\x00\x00\x00") },	/* mov eax,0x1 */
		{ 32, I("\xc6\xc4\x01") },		/* mov ah,0x1 */
		{ 32, I("\x0f\xb6\xc0") },		/* movzx eax,al */
		{ 64, I("\x48\x0f\xbf\xc1") },		/* movsx rax,cx */
		{ 64, I("\x48\x63\xc1") },		/* movsxd rax,ecx */
	};
	struct insn_mmio got;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(-1, decode((const __u8 *)cases[i].b, cases[i].n,
				     cases[i].mode, &got)) TH_LOG("case %u", i);
}

TEST(unsupported_and_invalid)
{
	static const struct { int mode; const char *b; unsigned int n; }
	cases[] = {
		{ 32, I("\xf0\x89\x03") },	/* lock mov [ebx],eax: #UD */
		{ 32, I("\xc7\x48\x10\x01\x02\x03\x04") },	/* C7 /1 */
		{ 32, I("\xc6\x78\x10\x01") },	/* C6 /7 */
		{ 32, I("\x63\x02") },		/* arpl [edx],ax */
		{ 32, I("\x48\x8b\x03") },	/* dec eax; mov eax,[ebx] */
		{ 32, I("\xf0\xa5") },		/* lock movsd: #UD */
		{ 64, I("\xf0\x48\x8b\x03") },	/* lock mov rax,[rbx]: #UD */
		{ 32, I("\x81\x03\x01\x00\x00\x00") },	/* add dword [ebx],1 */
		{ 32, I("\x83\x33\x01") },	/* xor dword [ebx],1 */
		{ 32, I("\x80\x2b\x01") },	/* sub byte [ebx],1 */
		{ 32, I("\x31\x03") },		/* xor [ebx],eax */
		{ 32, I("\x0b\x03") },		/* or eax,[ebx] (register dest.) */
		{ 32, I("\xa7") },		/* cmpsd */
		{ 32, I("\xab") },		/* stosd */
		{ 32, I("\x09\xc3") },		/* or ebx,eax (registers) */
		{ 32, I("\x85\x03") },		/* test [ebx],eax */
		{ 32, I("\x83\x3b\x00") },	/* cmp dword [ebx],0 */
		{ 32, I("\x01\x03") },		/* add [ebx],eax */
		{ 32, I("\x0f\xb8\x03") },	/* jmpe / popcnt without F3 */
		{ 32, I("\x0f\x0b") },		/* ud2 */
		{ 64, I("\x40\x40\x40") },	/* only REX prefixes */
		{ 32, I("\x66\x67\x2e") },	/* only prefixes */
	};
	struct insn_mmio got;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(-1, decode((const __u8 *)cases[i].b, cases[i].n,
				     cases[i].mode, &got)) TH_LOG("case %u", i);
	/* a mode that does not exist */
	EXPECT_EQ(-1, decode((const __u8 *)"\x8b\x03", 2, 8, &got));
	EXPECT_EQ(-1, decode((const __u8 *)"\x8b\x03", 2, 0, &got));
	EXPECT_EQ(0, decode((const __u8 *)"\x8b\x03", 2, 32, &got));
}

static struct insn_mmio must_decode(struct __test_metadata *_metadata,
				    const char *b, unsigned int n, int mode)
{
	struct insn_mmio m;

	memset(&m, 0, sizeof(m));
	EXPECT_EQ(0, decode((const __u8 *)b, n, mode, &m));
	return m;
}

#define DEC(s, mode)	must_decode(_metadata, I(s), (mode))

TEST(merge_loads)
{
	const __u64 old = 0x1122334455667788ULL;
	struct insn_mmio m;

	/* mov eax,[0xfee00030]: the APIC version register, upper half cleared */
	m = DEC("\x8b\x05\x30\x00\xe0\xfe", 32);
	EXPECT_EQ(0x50014ULL, insn_merge_load(~0ULL, 0x50014, &m));
	/* a 32-bit load zero-extends into the 64-bit register */
	m = DEC("\x44\x8b\x07", 64);			/* mov r8d,[rdi] */
	EXPECT_EQ(0xdeadbeefULL, insn_merge_load(old, 0xffffffffdeadbeefULL,
						 &m));
	/* 64-bit load replaces everything */
	m = DEC("\x48\x8b\x54\x24\x18", 64);		/* mov rdx,[rsp+0x18] */
	EXPECT_EQ(0x8877665544332211ULL,
		  insn_merge_load(old, 0x8877665544332211ULL, &m));
	/* 16- and 8-bit loads keep the upper bits */
	m = DEC("\x66\x8b\x00", 64);			/* mov ax,[rax] */
	EXPECT_EQ(0x112233445566abcdULL, insn_merge_load(old, 0xffffabcd, &m));
	m = DEC("\x8a\x16", 32);			/* mov dl,[esi] */
	EXPECT_EQ(0x11223344556677abULL, insn_merge_load(old, 0xffab, &m));
	m = DEC("\x40\x8a\x30", 64);			/* mov sil,[rax] */
	EXPECT_EQ(0x11223344556677abULL, insn_merge_load(old, 0xab, &m));
	/* AH: bits 15:8 of RAX, the rest untouched */
	m = DEC("\x8a\x27", 16);			/* mov ah,[bx] */
	EXPECT_EQ(RAX, m.reg);
	EXPECT_EQ(0x112233445566ab88ULL, insn_merge_load(old, 0xab, &m));
	m = DEC("\x8a\x3b", 32);			/* mov bh,[ebx] */
	EXPECT_EQ(RBX, m.reg);
	EXPECT_EQ(0x1122334455660088ULL, insn_merge_load(old, 0x100, &m));
}

TEST(merge_extending_loads)
{
	const __u64 old = 0x1122334455667788ULL;
	struct insn_mmio m;

	m = DEC("\x0f\xb6\x01", 32);			/* movzx eax,byte [ecx] */
	EXPECT_EQ(0xf0ULL, insn_merge_load(old, 0x12f0, &m));
	m = DEC("\x0f\xbe\x14\x18", 32);		/* movsx edx,byte [..] */
	EXPECT_EQ(0xfffffff0ULL, insn_merge_load(old, 0xf0, &m));
	EXPECT_EQ(0x70ULL, insn_merge_load(old, 0x70, &m));
	m = DEC("\x66\x0f\xbe\x0e", 32);		/* movsx cx,byte [esi] */
	EXPECT_EQ(0x112233445566fff0ULL, insn_merge_load(old, 0xf0, &m));
	m = DEC("\x0f\xb6\x07", 16);			/* movzx ax,byte [bx] */
	EXPECT_EQ(0x11223344556600f0ULL, insn_merge_load(old, 0xf0, &m));
	m = DEC("\x4c\x0f\xbe\x1a", 64);		/* movsx r11,byte [rdx] */
	EXPECT_EQ(0xffffffffffffff80ULL, insn_merge_load(old, 0x80, &m));
	m = DEC("\x48\x0f\xb7\x43\x10", 64);		/* movzx rax,word [..] */
	EXPECT_EQ(0x8000ULL, insn_merge_load(old, 0xffff8000, &m));
	m = DEC("\x43\x0f\xbf\x04\x08", 64);		/* movsx eax,word [..] */
	EXPECT_EQ(0xffff8000ULL, insn_merge_load(old, 0x8000, &m));
	m = DEC("\x48\x63\x02", 64);			/* movsxd rax,[rdx] */
	EXPECT_EQ(0xfffffffffee00000ULL, insn_merge_load(old, 0xfee00000, &m));
	m = DEC("\x63\x02", 64);			/* movsxd eax,[rdx] */
	EXPECT_EQ(0xfee00000ULL, insn_merge_load(old, 0xfee00000, &m));
}

TEST(store_values)
{
	const __u64 reg = 0x1122334455667788ULL;
	struct insn_mmio m;

	m = DEC("\x89\x4b\x10", 32);			/* mov [ebx+0x10],ecx */
	EXPECT_EQ(0x55667788ULL, insn_store_value(reg, &m));
	m = DEC("\x4f\x89\x4c\xf7\x40", 64);		/* mov [..],r9 */
	EXPECT_EQ(reg, insn_store_value(reg, &m));
	m = DEC("\x66\xa3\x02\x00\x00\xc0\x00\x00\x00\x00", 64); /* ax */
	EXPECT_EQ(0x7788ULL, insn_store_value(reg, &m));
	m = DEC("\xa2\x00\x00\x00\xc0", 32);		/* mov [..],al */
	EXPECT_EQ(0x88ULL, insn_store_value(reg, &m));
	m = DEC("\x88\xbc\x91\x78\x56\x34\x12", 32);	/* mov [..],bh */
	EXPECT_EQ(RBX, m.reg);
	EXPECT_EQ(0x77ULL, insn_store_value(reg, &m));
	m = DEC("\x41\x88\x27", 64);			/* mov [r15],spl */
	EXPECT_EQ(0x88ULL, insn_store_value(reg, &m));
	/* immediates: the register value does not matter */
	m = DEC("\xc7\x05\xb0\x00\xe0\xfe\x00\x00\x00\x00", 32);
	EXPECT_EQ(0ULL, insn_store_value(reg, &m));
	m = DEC("\x48\xc7\x03\xff\xff\xff\xff", 64);	/* mov qword [rbx],-1 */
	EXPECT_EQ(~0ULL, insn_store_value(reg, &m));
	m = DEC("\x48\xc7\x05\x10\x00\x00\x00\xff\xff\xff\x7f", 64);
	EXPECT_EQ(0x7fffffffULL, insn_store_value(reg, &m));
	m = DEC("\xc6\x45\xfc\x7f", 32);		/* mov byte [ebp-4],0x7f */
	EXPECT_EQ(0x7fULL, insn_store_value(reg, &m));
	m = DEC("\xc7\x47\x20\xef\xbe", 16);		/* mov word [bx+0x20],.. */
	EXPECT_EQ(0xbeefULL, insn_store_value(reg, &m));
}

/* What OR, AND and XCHG write back, and the flags OR and AND leave. */
TEST(read_modify_write)
{
	struct insn_mmio m;

	m = DEC("\x09\x02", 64);			/* or [rdx],eax */
	EXPECT_EQ(0x80000101ULL, insn_rmw_store(0x100, 0xffffffff80000001ULL, &m));
	/* SF from bit 31, PF from the low byte 0x01 (odd), CF/OF/ZF cleared */
	EXPECT_EQ(0x282ULL, insn_rmw_flags(0xac3, 0x80000101, &m));
	m = DEC("\x83\x23\xfe", 64);		/* and dword [rbx],-2 */
	EXPECT_EQ(0xfffffffeULL, m.imm);
	EXPECT_EQ(0x10ULL, insn_rmw_store(0x11, 0, &m));
	m = DEC("\x48\x83\x27\xf8", 64);		/* and qword [rdi],-8 */
	EXPECT_EQ(0x8000000000000000ULL,
		  insn_rmw_store(0x8000000000000007ULL, 0, &m));
	/* a zero result: ZF and PF (zero ones is even) */
	EXPECT_EQ(0x246ULL, insn_rmw_flags(0x203, 0, &m));
	m = DEC("\x20\x0f", 64);			/* and [rdi],cl */
	EXPECT_EQ(0x0fULL, insn_rmw_store(0x3f, 0x1234560f, &m));
	EXPECT_EQ(0x206ULL, insn_rmw_flags(0x202, 0x0f, &m));	/* 4 ones: PF */
	m = DEC("\x66\x81\x0a\x34\x12", 64);	/* or word [rdx],0x1234 */
	EXPECT_EQ(0xf234ULL, insn_rmw_store(0xe000, 0, &m));
	EXPECT_EQ(0x282ULL, insn_rmw_flags(0x202, 0xf234, &m));	/* SF, bit 15 */
	/* XCHG: memory gets the register, the register the old memory */
	m = DEC("\x87\x02", 64);			/* xchg [rdx],eax */
	EXPECT_EQ(0x89abcdefULL, insn_rmw_store(0x11111111, 0x0123456789abcdefULL, &m));
	EXPECT_EQ(0x11111111ULL, insn_merge_load(0x0123456789abcdefULL, 0x11111111, &m));
	EXPECT_EQ(0xac3ULL, insn_rmw_flags(0xac3, 0, &m));	/* flags untouched */
	m = DEC("\x86\x23", 64);			/* xchg [rbx],ah */
	EXPECT_EQ(0x12ULL, insn_rmw_store(0x99, 0x1234, &m));
	EXPECT_EQ(0x9934ULL, insn_merge_load(0x1234, 0x99, &m));
}

/* The module keeps a decoded access in the vCPU's u64 mmio_insn[2]. */
TEST(fits_in_sixteen_bytes)
{
	EXPECT_LE(sizeof(struct insn_mmio), 16);
}

TEST(mode_from_cs)
{
	const __u32 l = 1U << 13, db = 1U << 14, code = 0x9b;

	EXPECT_EQ(64, insn_mode(1, code | l));
	EXPECT_EQ(32, insn_mode(1, code | db));	/* compatibility mode */
	EXPECT_EQ(16, insn_mode(1, code));
	EXPECT_EQ(32, insn_mode(0, code | db));
	EXPECT_EQ(16, insn_mode(0, code));
	EXPECT_EQ(16, insn_mode(0, code | l));	/* L means nothing outside IA-32e */
}

/* xorshift64: a fixed sequence, so a failure can be replayed */
static __u64 rng = 0x2545f4914f6cdd1dULL;

static __u64 next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What must hold of any successful decode of buf[0..n). */
static void check_result(struct __test_metadata *_metadata, const __u8 *buf,
			 unsigned int n, int mode, const struct insn_mmio *m)
{
	struct insn_mmio again;

	ASSERT_GE(m->len, 1);
	ASSERT_LE(m->len, n);
	ASSERT_LE(m->len, INSN_MAX_LEN);
	ASSERT_TRUE(m->size == 1 || m->size == 2 || m->size == 4 ||
		    m->size == 8);
	ASSERT_TRUE(m->dst_size == 1 || m->dst_size == 2 ||
		    m->dst_size == 4 || m->dst_size == 8);
	ASSERT_LT(m->reg, 16);
	ASSERT_FALSE(m->high_byte && m->reg > 3);
	/* only the first len bytes count */
	ASSERT_EQ(0, decode(buf, m->len, mode, &again));
	ASSERT_TRUE(same(m, &again));
	ASSERT_EQ(-1, decode(buf, m->len - 1, mode, &again));
}

/* Every 1- and 2-byte input in every mode, against the guard page. */
TEST(exhaustive_short_inputs)
{
	static const int modes[] = { 16, 32, 64 };
	struct insn_mmio m;
	unsigned int i, v;
	__u8 buf[2];

	for (i = 0; i < 3; i++) {
		for (v = 0; v < 0x10000; v++) {
			buf[0] = v;
			buf[1] = v >> 8;
			if (decode(buf, 1, modes[i], &m) == 0)
				check_result(_metadata, buf, 1, modes[i], &m);
			if (decode(buf, 2, modes[i], &m) == 0)
				check_result(_metadata, buf, 2, modes[i], &m);
		}
	}
}

/*
 * Random bytes, every prefix length 1..16, every mode.  The bytes are
 * drawn mostly from prefixes and the opcodes we know, so that most inputs
 * reach the ModRM/SIB/displacement code instead of failing at once.
 */
TEST(random_inputs)
{
	static const __u8 favourite[] = {
		0x66, 0x67, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65, 0xf2, 0xf3,
		0x40, 0x41, 0x44, 0x48, 0x4c, 0x4f, 0x88, 0x89, 0x8a, 0x8b,
		0xc6, 0xc7, 0xa0, 0xa1, 0xa2, 0xa3, 0x0f, 0xb6, 0xb7, 0xbe,
		0xbf, 0x63, 0x04, 0x05, 0x44, 0x84, 0x25, 0x24,
		0x08, 0x09, 0x20, 0x21, 0x86, 0x87, 0x80, 0x81, 0x83, 0xa4,
		0xa5, 0xf0,
	};
	static const int modes[] = { 16, 32, 64 };
	unsigned int iter, i, n, ok = 0;
	struct insn_mmio m;
	__u8 buf[16];

	for (iter = 0; iter < 200000; iter++) {
		for (i = 0; i < sizeof(buf); i++) {
			__u64 r = next_random();

			buf[i] = (r & 1) ? (__u8)(r >> 8) :
				 favourite[(r >> 8) % sizeof(favourite)];
		}
		for (n = 1; n <= sizeof(buf); n++) {
			int mode = modes[iter % 3];

			if (decode(buf, n, mode, &m) == 0) {
				ok++;
				check_result(_metadata, buf, n, mode, &m);
			}
		}
	}
	/* the generator does reach successful decodes */
	EXPECT_GT(ok, 10000);
}

/*
 * insn_decode_mem: INVLPG's memory operand (SVM without decode assists,
 * kmod/svm.c).  Registers hold distinct values so that a wrong base,
 * index or scale shows; encodings from GNU as, as above.
 */
struct mem_enc {
	int mode;
	const char *bytes;
	unsigned int n;
	const char *asm_text;
	__u64 ea;
	int seg;
};

static const struct mem_enc mem_table[] = {
	{ 64, I("\x0f\x01\x38"), "invlpg [rax]", 0x1000, INSN_SEG_DS },
	{ 64, I("\x0f\x01\x3d\x10\x00\x00\x00"), "invlpg [rip+0x10]",
	  0x400000 + 7 + 0x10, INSN_SEG_DS },
	{ 64, I("\x0f\x01\x7c\x8d\x08"), "invlpg [rbp+rcx*4+0x8]",
	  0x6000 + 4 * 0x2000 + 8, INSN_SEG_SS },
	{ 64, I("\x65\x41\x0f\x01\xbc\x24\x00\x01\x00\x00"),
	  "invlpg gs:[r12+0x100]", 0xc000 + 0x100, INSN_SEG_GS },
	/* r13 is no rBP: DS (in 64-bit mode no segment but FS/GS counts) */
	{ 64, I("\x41\x0f\x01\x7d\x00"), "invlpg [r13+0x0]", 0xd000,
	  INSN_SEG_DS },
	{ 64, I("\x67\x43\x0f\x01\x7c\xc8\xe0"), "invlpg [r8d+r9d*8-0x20]",
	  0x8000 + 8 * 0x9000 - 0x20, INSN_SEG_DS },
	{ 32, I("\x0f\x01\x7c\x73\xfc"), "invlpg [ebx+esi*2-0x4]",
	  0x4000 + 2 * 0x7000 - 4, INSN_SEG_DS },
	{ 32, I("\x0f\x01\x3d\x78\x56\x34\x12"), "invlpg ds:[0x12345678]",
	  0x12345678, INSN_SEG_DS },
	{ 32, I("\x0f\x01\x7c\x24\x40"), "invlpg [esp+0x40]", 0x5040,
	  INSN_SEG_SS },
	{ 16, I("\x0f\x01\x7b\x05"), "invlpg [bp+di+5]",
	  (0x6000 + 0x8000 + 5) & 0xffff, INSN_SEG_SS },
	{ 16, I("\x0f\x01\x3e\x34\x12"), "invlpg ds:[0x1234]", 0x1234,
	  INSN_SEG_DS },
	{ 16, I("\x26\x0f\x01\x78\xfe"), "invlpg es:[bx+si-2]",
	  (0x4000 + 0x7000 - 2) & 0xffff, INSN_SEG_ES },
};

static const __u64 mem_gpr[16] = {
	0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000, 0x8000,
	0x8000, 0x9000, 0xa000, 0xb000, 0xc000, 0xd000, 0xe000, 0xf000,
};

TEST(mem_operand_ea)
{
	unsigned int i;

	for (i = 0; i < sizeof(mem_table) / sizeof(mem_table[0]); i++) {
		const struct mem_enc *e = &mem_table[i];
		struct insn_mem m;
		int r;

		memset(&m, 0xa5, sizeof(m));
		r = insn_decode_mem(guarded_copy((const __u8 *)e->bytes, e->n),
				    e->n, e->mode, mem_gpr, 0x400000, &m);
		EXPECT_EQ(0, r) TH_LOG("%s", e->asm_text);
		EXPECT_EQ(e->ea, m.ea) TH_LOG("%s: ea %#llx", e->asm_text,
					      (unsigned long long)m.ea);
		EXPECT_EQ(e->seg, m.seg) TH_LOG("%s", e->asm_text);
		EXPECT_EQ(e->n, m.len) TH_LOG("%s", e->asm_text);
		EXPECT_EQ(1, m.opcode);
		EXPECT_EQ(7, m.reg);
		/* one byte short: refused, never read past (guard page) */
		r = insn_decode_mem(guarded_copy((const __u8 *)e->bytes,
						 e->n - 1),
				    e->n - 1, e->mode, mem_gpr, 0, &m);
		EXPECT_EQ(-1, r) TH_LOG("%s cut", e->asm_text);
	}
}

/* A register operand (0F 01 F8 is SWAPGS) has no address. */
TEST(mem_operand_register_refused)
{
	struct insn_mem m;

	EXPECT_EQ(-1, insn_decode_mem(guarded_copy((const __u8 *)"\x0f\x01\xf8",
						   3), 3, 64, mem_gpr, 0, &m));
	EXPECT_EQ(-1, insn_decode_mem(guarded_copy((const __u8 *)"\x90\x90\x90",
						   3), 3, 64, mem_gpr, 0, &m));
}

TEST_HARNESS_MAIN
