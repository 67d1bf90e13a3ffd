// SPDX-License-Identifier: GPL-2.0
/*
 * test_dash_decode.c - exits in words, against exit qualifications built
 * by hand from the tables of SDM Vol. 3 27.2.1: control-register access
 * (Table 27-3), I/O instructions (27-5), EPT violations (27-7); plus
 * CPUID/MSR/VMCALL/HLT, the reason names, and paging-entry flags.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "dash/decode.h"

static const char *words(unsigned reason, uint64_t qual, uint32_t info, uint64_t value,
			 uint64_t gpa)
{
	static char buf[160];
	struct hvlab_exit_record e = {
		.reason = reason, .qualification = qual, .info = info, .value = value, .gpa = gpa,
	};

	decode_exit(&e, buf, sizeof(buf));
	return buf;
}

/* CR number in 3:0, access type in 5:4, GPR in 11:8, LMSW data in 31:16. */
TEST(cr_access)
{
	struct cr_qual c;

	EXPECT_STREQ("MOV to CR3 ← 0x5000", words(28, 0x3, 0, 0x5000, 0));
	EXPECT_STREQ("MOV to CR0 ← 0x80000011", words(28, 0x0, 0, 0x80000011, 0));
	EXPECT_STREQ("MOV to CR4 ← 0x20", words(28, 0x4, 0, 0x20, 0));
	EXPECT_STREQ("MOV from CR3 → rbx = 0x5000", words(28, 0x313, 0, 0x5000, 0));
	EXPECT_STREQ("MOV from CR8 → r12", words(28, 0xc18, 0, 0, 0));
	EXPECT_STREQ("CLTS (clear CR0.TS)", words(28, 0x20, 0, 0, 0));
	EXPECT_STREQ("LMSW ← 0x1", words(28, (1ull << 16) | 0x30, 0, 0, 0));

	decode_cr_qual((0xbeefull << 16) | (1 << 6) | (3 << 4) | 0xa00 | 0, &c);
	EXPECT_EQ(0u, c.cr);
	EXPECT_EQ((unsigned)CR_ACCESS_LMSW, c.type);
	EXPECT_TRUE(c.lmsw_mem);
	EXPECT_EQ(10u, c.gpr);
	EXPECT_EQ(0xbeef, c.lmsw_data);
}

/* size-1 in 2:0, IN in 3, string 4, REP 5, immediate 6, port 31:16. */
TEST(io_instruction)
{
	struct io_qual q;

	EXPECT_STREQ("OUT 0x3f8 ← 'H'", words(30, 0x3f8ull << 16, 0, 'H', 0));
	EXPECT_STREQ("OUT 0x3f8 ← '\\n'", words(30, 0x3f8ull << 16, 0, '\n', 0));
	EXPECT_STREQ("OUT 0x80 ← 0x01", words(30, 0x80ull << 16 | 0x40, 0, 1, 0));
	EXPECT_STREQ("IN 0x60 → 0x1c", words(30, 0x60ull << 16 | 8, 0, 0x1c, 0));
	EXPECT_STREQ("IN 0x1f0 → 0xbeef", words(30, 0x1f0ull << 16 | 8 | 1, 0, 0xbeef, 0));
	EXPECT_STREQ("OUT 0xcf8 ← 0x80000000", words(30, 0xcf8ull << 16 | 3, 0, 0x80000000, 0));
	EXPECT_STREQ("REP OUTSB 0x3f8", words(30, 0x3f8ull << 16 | 0x30, 0, 0, 0));
	EXPECT_STREQ("INSW 0x1f0", words(30, 0x1f0ull << 16 | 0x19, 0, 0, 0));
	/* the value is cut to the access size */
	EXPECT_STREQ("OUT 0x70 ← 0x0f", words(30, 0x70ull << 16, 0, 0xabcd0f, 0));
	/* the module may leave the qualification 0 and fill `info` instead */
	EXPECT_STREQ("OUT 0x3f8 ← 'H'", words(30, 0, 0x3f8 | 1u << 16, 'H', 0));
	EXPECT_STREQ("IN 0x64 → 0x1c", words(30, 0, 0x64 | 1u << 16 | 1u << 24, 0x1c, 0));

	decode_io_qual(0x3f8ull << 16 | 0x40 | 0x20 | 0x10 | 0x8 | 3, &q);
	EXPECT_EQ(4u, q.size);
	EXPECT_TRUE(q.in);
	EXPECT_TRUE(q.string);
	EXPECT_TRUE(q.rep);
	EXPECT_TRUE(q.imm);
	EXPECT_EQ(0x3f8, q.port);
}

/* R/W/X of the access in 2:0, of the entry in 5:3, GLA valid 7, translated 8. */
TEST(ept_violation)
{
	struct ept_qual q;

	EXPECT_STREQ("EPT violation GPA 0xfee00300 write (not mapped)",
		     words(48, 0x182, 0, 0, 0xfee00300));
	EXPECT_STREQ("EPT violation GPA 0x5000 read", words(48, 0x1 | 0x20 | 0x80, 0, 0, 0x5000));
	EXPECT_STREQ("EPT violation GPA 0x3000 fetch", words(48, 0x4 | 0x8, 0, 0, 0x3000));
	EXPECT_STREQ("EPT violation GPA 0x3000 read+write (not mapped)",
		     words(48, 0x3, 0, 0, 0x3000));
	/* the qualification bits may come in `info` */
	EXPECT_STREQ("EPT violation GPA 0xb8000 write (not mapped)", words(48, 0, 0x2, 0, 0xb8000));

	decode_ept_qual(0x182 | 0x1000, &q);
	EXPECT_TRUE(q.write);
	EXPECT_FALSE(q.read);
	EXPECT_FALSE(q.ent_r);
	EXPECT_TRUE(q.gla_valid);
	EXPECT_TRUE(q.translated);
	EXPECT_TRUE(q.nmi_unblocking);
	/* bit 8 means nothing when bit 7 is clear */
	decode_ept_qual(0x100 | 0x2, &q);
	EXPECT_FALSE(q.gla_valid);
	EXPECT_FALSE(q.translated);
}

TEST(other_reasons)
{
	EXPECT_STREQ("CPUID leaf 0x1", words(10, 0, 1, 0, 0));
	EXPECT_STREQ("CPUID leaf 0x7 subleaf 0x2", words(10, 0, 7, 2, 0));
	EXPECT_STREQ("RDMSR 0x10 (IA32_TIME_STAMP_COUNTER)", words(31, 0, 0x10, 0, 0));
	EXPECT_STREQ("WRMSR 0xc0000080 (IA32_EFER) ← 0x500", words(32, 0, 0xc0000080, 0x500, 0));
	EXPECT_STREQ("RDMSR 0x123", words(31, 0, 0x123, 0, 0));
	EXPECT_STREQ("HLT", words(12, 0, 0, 0, 0));
	EXPECT_STREQ("VMCALL nr 1 (walk)", words(18, 0, 0, 1, 0));
	EXPECT_STREQ("VMCALL nr 256", words(18, 0, 0, 256, 0));
	EXPECT_STREQ("INVLPG 0x1000", words(14, 0x1000, 0, 0, 0));
	EXPECT_STREQ("MOV to DR7 ← 0x400", words(29, 7, 0, 0x400, 0));
	EXPECT_STREQ("MOV from DR6 → rax", words(29, 6 | 0x10, 0, 0, 0));
	EXPECT_STREQ("Exception #PF (vector 14) error 0x2 addr 0xdead000",
		     words(0, 0xdead000, 0x80000b0e, 2, 0));
	EXPECT_STREQ("Exception #UD (vector 6)", words(0, 0, 0x80000306, 0, 0));
	EXPECT_STREQ("NMI", words(0, 0, 0x80000202, 0, 0));
	EXPECT_STREQ("External interrupt vector 0x20", words(1, 0, 0x80000020, 0, 0));
	EXPECT_STREQ("APIC access offset 0x300 write", words(44, 0x1300, 0, 0, 0));
	EXPECT_STREQ("Task switch to TSS 0x28 (JMP)", words(9, 0x80000028, 0, 0, 0));
	EXPECT_STREQ("Monitor trap flag (one instruction stepped)", words(37, 0, 0, 0, 0));
	EXPECT_STREQ("RDTSC", words(16, 0, 0, 0, 0));
	EXPECT_STREQ("reason_35", words(35, 0, 0, 0, 0));
}

TEST(reason_names_and_parse)
{
	EXPECT_STREQ("CR_ACCESS", decode_reason_name(28));
	EXPECT_STREQ("IO_INSTRUCTION", decode_reason_name(30));
	EXPECT_STREQ("EPT_VIOLATION", decode_reason_name(48));
	EXPECT_STREQ("reason_200", decode_reason_name(200));
	EXPECT_EQ(28, decode_reason_parse("CR_ACCESS"));
	EXPECT_EQ(28, decode_reason_parse("cr_access"));
	EXPECT_EQ(30, decode_reason_parse("30"));
	EXPECT_EQ(48, decode_reason_parse("0x30"));
	EXPECT_EQ(-1, decode_reason_parse("80"));
	EXPECT_EQ(-1, decode_reason_parse("bogus"));
	EXPECT_EQ(-1, decode_reason_parse(""));
	EXPECT_STREQ("rbx", decode_gpr_name(3));
	EXPECT_STREQ("r15", decode_gpr_name(15));
}

TEST(fields_show_the_qualification_bits)
{
	struct hvlab_exit_record io = { .reason = 30, .qualification = 0x3f8ull << 16 | 0x20 | 0x10,
					.value = 'H' };
	struct hvlab_exit_record cr = { .reason = 28, .qualification = 0x3, .value = 0x5000 };
	char lines[12][96];
	int n;

	n = decode_exit_fields(&io, lines, 12);
	ASSERT_GE(n, 7);
	EXPECT_NE(NULL, strstr(lines[1], "1 byte"));
	EXPECT_NE(NULL, strstr(lines[2], "OUT"));
	EXPECT_NE(NULL, strstr(lines[3], "yes (INS/OUTS)"));
	EXPECT_NE(NULL, strstr(lines[4], "yes"));
	EXPECT_NE(NULL, strstr(lines[6], "0x3f8"));
	n = decode_exit_fields(&cr, lines, 12);
	EXPECT_NE(NULL, strstr(lines[1], "CR number    3"));
	EXPECT_NE(NULL, strstr(lines[2], "MOV to CR"));
	EXPECT_NE(NULL, strstr(lines[3], "rax"));
	/* never more lines than asked for */
	EXPECT_EQ(2, decode_exit_fields(&io, lines, 2));
}

TEST(small_buffers_are_never_overrun)
{
	static const struct hvlab_exit_record es[] = {
		{ .reason = 28, .qualification = 3, .value = 0x5000 },
		{ .reason = 30, .qualification = 0x3f8ull << 16, .value = 'H' },
		{ .reason = 48, .qualification = 0x182, .gpa = 0xfee00300 },
		{ .reason = 32, .info = 0xc0000080, .value = 0x500 },
		{ .reason = 77 },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++) {
		for (size_t len = 0; len < 40; len++) {
			size_t n;

			memset(buf, 'Z', sizeof(buf));
			n = decode_exit(&es[i], buf, len);
			EXPECT_EQ('Z', buf[len]) TH_LOG("exit %zu len %zu", i, len);
			if (len) {
				EXPECT_LT(n, len);
				EXPECT_EQ(0, buf[n]);
			}
		}
	}
}

TEST(paging_entry_flags)
{
	char b[64];

	decode_pte_flags(0x8000000000001063ull, true, b, sizeof(b));
	EXPECT_STREQ("P RW A D NX", b);
	decode_pte_flags(0x200083, true, b, sizeof(b));
	EXPECT_STREQ("P RW PS", b);
	decode_pte_flags(0x1006, true, b, sizeof(b));
	EXPECT_STREQ("not present", b);
	decode_ept_flags(0x2037, b, sizeof(b));
	EXPECT_STREQ("RWX WB", b);
	decode_ept_flags(0x200000 | 0x80 | 0x35, b, sizeof(b));
	EXPECT_STREQ("R-X WB PS", b);
	decode_ept_flags(0x1000, b, sizeof(b));
	EXPECT_STREQ("not present", b);
}

TEST_HARNESS_MAIN
