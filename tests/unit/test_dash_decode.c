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
#include "dash/trace.h"

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

/* AMD: the record holds EXITCODE, EXITINFO1 (qualification), EXITINFO2 (gpa). */
static const char *svm_words(uint32_t code, uint64_t info1, uint32_t info, uint64_t value,
			     uint64_t info2)
{
	static char buf[160];
	struct hvlab_exit_record e = {
		.reason = code, .qualification = info1, .info = info, .value = value, .gpa = info2,
	};

	decode_exit_vendor(TRACE_VENDOR_AMD, &e, buf, sizeof(buf));
	return buf;
}

/* APM Vol. 2 15.10.2, Figure 15-2: IOIO EXITINFO1. */
TEST(svm_ioio_exitinfo1)
{
	struct svm_io_info io;

	/* OUT DX=0x3f8, 1 byte: port 31:16, SZ8 bit 4, TYPE 0 */
	decode_svm_io(0x3f8ull << 16 | 1u << 4, &io);
	EXPECT_EQ(0x3f8, io.port);
	EXPECT_EQ(1u, io.size);
	EXPECT_FALSE(io.in);
	EXPECT_FALSE(io.string);
	EXPECT_FALSE(io.rep);
	/* REP INSW from port 0x1f0, 32-bit addresses, ES */
	decode_svm_io(0x1f0ull << 16 | 1u << 8 | 1u << 5 | 1u << 3 | 1u << 2 | 1u, &io);
	EXPECT_EQ(0x1f0, io.port);
	EXPECT_EQ(2u, io.size);
	EXPECT_TRUE(io.in);
	EXPECT_TRUE(io.string);
	EXPECT_TRUE(io.rep);
	EXPECT_EQ(32u, io.addr_bits);
	EXPECT_EQ(0u, io.seg);
	/* IN EAX from 0xcfc: SZ32 bit 6 */
	decode_svm_io(0xcfcull << 16 | 1u << 6 | 1u, &io);
	EXPECT_EQ(4u, io.size);

	EXPECT_STREQ("VMEXIT_IOIO: OUT 0x3f8, 1 byte",
		     svm_words(0x7b, 0x3f8ull << 16 | 1u << 4, 0x3f80010, 0, 0x100005));
	EXPECT_STREQ("VMEXIT_IOIO: IN 0xcfc, 4 bytes",
		     svm_words(0x7b, 0xcfcull << 16 | 1u << 6 | 1u, 0, 0, 0));
	EXPECT_STREQ("VMEXIT_IOIO: REP INSW 0x1f0",
		     svm_words(0x7b, 0x1f0ull << 16 | 1u << 8 | 1u << 5 | 1u << 3 | 1u << 2 | 1u,
			       0, 0, 0));
}

/* APM Vol. 2 15.25.6: NPF EXITINFO1, a #PF error code plus bits 32 and 33. */
TEST(svm_npf_exitinfo1)
{
	struct svm_npf_info f;

	decode_svm_npf(1ull << 32 | 1u << 2 | 1u << 1, &f);
	EXPECT_FALSE(f.present);
	EXPECT_TRUE(f.write);
	EXPECT_TRUE(f.user);
	EXPECT_FALSE(f.reserved);
	EXPECT_FALSE(f.fetch);
	EXPECT_TRUE(f.final);
	EXPECT_FALSE(f.table);
	decode_svm_npf(1ull << 33 | 1u << 4 | 1u << 3 | 1u, &f);
	EXPECT_TRUE(f.present);
	EXPECT_TRUE(f.reserved);
	EXPECT_TRUE(f.fetch);
	EXPECT_TRUE(f.table);
	EXPECT_FALSE(f.final);

	EXPECT_STREQ("VMEXIT_NPF: nested page fault GPA 0xfee00300 write (not present), final address",
		     svm_words(0x400, 1ull << 32 | 6, 6, 0, 0xfee00300));
	EXPECT_STREQ("VMEXIT_NPF: nested page fault GPA 0x5000 read (not present), walking guest tables",
		     svm_words(0x400, 1ull << 33 | 4, 0, 0, 0x5000));
	EXPECT_STREQ("VMEXIT_NPF: nested page fault GPA 0x2000 fetch (protection)",
		     svm_words(0x400, 0x15, 0, 0, 0x2000));
}

TEST(svm_names_beside_the_common_reason)
{
	struct hvlab_exit_record cpuid = { .reason = 0x72, .info = 0x80000001 };
	struct hvlab_exit_record wrmsr = { .reason = 0x7c, .qualification = 1, .info = 0x10 };
	struct hvlab_exit_record vmrun = { .reason = 0x80 };

	EXPECT_STREQ("VMEXIT_CPUID: CPUID leaf 0x80000001",
		     svm_words(0x72, 0, 0x80000001, 0, 0));
	EXPECT_STREQ("VMEXIT_HLT: HLT", svm_words(0x78, 0, 0, 0, 0));
	EXPECT_STREQ("VMEXIT_VMMCALL: VMMCALL nr 1", svm_words(0x81, 0, 1, 0, 0));
	EXPECT_STREQ("VMEXIT_EXCP14: exception #PF (vector 14)", svm_words(0x4e, 2, 0, 0, 0));
	EXPECT_STREQ("VMEXIT_VMRUN: no VMX counterpart", svm_words(0x80, 0, 0, 0, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_CPUID, decode_common_reason(TRACE_VENDOR_AMD, &cpuid));
	EXPECT_EQ(HVLAB_VMX_EXIT_WRMSR, decode_common_reason(TRACE_VENDOR_AMD, &wrmsr));
	EXPECT_EQ(-1, decode_common_reason(TRACE_VENDOR_AMD, &vmrun));
	EXPECT_STREQ("VMEXIT_CPUID", decode_record_name(TRACE_VENDOR_AMD, &cpuid));
	/* the same number on Intel is a VMX reason: 0x72 = 114 is none */
	EXPECT_EQ(-1, decode_common_reason(TRACE_VENDOR_INTEL, &cpuid));
	cpuid.reason = HVLAB_VMX_EXIT_CPUID;
	EXPECT_STREQ("CPUID", decode_record_name(TRACE_VENDOR_INTEL, &cpuid));
}

/* The detail view: EXITINFO1 bit by bit. */
TEST(svm_fields_show_exitinfo1_bits)
{
	struct hvlab_exit_record npf = { .reason = 0x400, .qualification = 1ull << 33 | 6,
					 .gpa = 0x7000 };
	struct hvlab_exit_record io = { .reason = 0x7b, .qualification = 0x3f8ull << 16 | 0x10,
					.gpa = 0x100020 };
	char lines[12][96];
	int n;

	n = decode_exit_fields_vendor(TRACE_VENDOR_AMD, &npf, lines, 12);
	ASSERT_GE(n, 10);
	EXPECT_STREQ("EXITCODE    0x400 VMEXIT_NPF (common: EPT_VIOLATION)", lines[0]);
	EXPECT_STREQ("EXITINFO1   0x200000006", lines[1]);
	EXPECT_STREQ("  0     present      no", lines[2]);
	EXPECT_STREQ("  1     write        yes", lines[3]);
	EXPECT_STREQ("  33    table walk   yes (reading a guest page table)", lines[8]);
	EXPECT_STREQ("EXITINFO2   0x7000 (the GPA)", lines[9]);
	n = decode_exit_fields_vendor(TRACE_VENDOR_AMD, &io, lines, 12);
	ASSERT_GE(n, 8);
	EXPECT_STREQ("  0     direction    OUT", lines[2]);
	EXPECT_STREQ("  6:4   size         1 byte(s)", lines[5]);
	EXPECT_STREQ("  31:16 port         0x3f8", lines[6]);
	EXPECT_STREQ("EXITINFO2   0x100020 (the next RIP)", lines[7]);
	/* small buffers: never past len */
	npf.qualification = 6;
	for (size_t len = 0; len < 40; len++) {
		char buf[64];

		memset(buf, 'X', sizeof(buf));
		decode_exit_vendor(TRACE_VENDOR_AMD, &npf, buf, len);
		EXPECT_EQ('X', buf[len]);
	}
}

TEST_HARNESS_MAIN
