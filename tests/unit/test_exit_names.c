// SPDX-License-Identifier: GPL-2.0
/*
 * test_exit_names.c - the exit-reason decoder (user/exit_names.c), the
 * statistics table of hvlab run, natively.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "exit_names.h"
#include "vm.h"

TEST(basic_reasons_by_number)
{
	EXPECT_STREQ("EXCEPTION_NMI", vmx_exit_name(0));
	EXPECT_STREQ("TRIPLE_FAULT", vmx_exit_name(HVLAB_VMX_EXIT_TRIPLE_FAULT));
	EXPECT_STREQ("CPUID", vmx_exit_name(HVLAB_VMX_EXIT_CPUID));
	EXPECT_STREQ("HLT", vmx_exit_name(HVLAB_VMX_EXIT_HLT));
	EXPECT_STREQ("VMCALL", vmx_exit_name(HVLAB_VMX_EXIT_VMCALL));
	EXPECT_STREQ("CR_ACCESS", vmx_exit_name(HVLAB_VMX_EXIT_CR_ACCESS));
	EXPECT_STREQ("IO_INSTRUCTION", vmx_exit_name(HVLAB_VMX_EXIT_IO));
	EXPECT_STREQ("MSR_READ", vmx_exit_name(HVLAB_VMX_EXIT_RDMSR));
	EXPECT_STREQ("EPT_VIOLATION", vmx_exit_name(HVLAB_VMX_EXIT_EPT_VIOLATION));
	EXPECT_STREQ("XSETBV", vmx_exit_name(HVLAB_VMX_EXIT_XSETBV));
	EXPECT_STREQ("XRSTORS", vmx_exit_name(HVLAB_VMX_EXIT_XRSTORS));
}

TEST(unused_and_out_of_range_reasons_are_unknown)
{
	/* 35, 38 and 42 are unused in SDM Appendix C */
	EXPECT_STREQ("UNKNOWN", vmx_exit_name(35));
	EXPECT_STREQ("UNKNOWN", vmx_exit_name(38));
	EXPECT_STREQ("UNKNOWN", vmx_exit_name(42));
	EXPECT_STREQ("UNKNOWN", vmx_exit_name(HVLAB_NR_EXIT_REASONS));
	EXPECT_STREQ("UNKNOWN", vmx_exit_name(0x80000021u));	/* entry-failure bit */
	EXPECT_STREQ("UNKNOWN", vmx_exit_name(~0u));
}

TEST(every_reason_the_uapi_names_has_a_name)
{
	static const unsigned int known[] = {
		0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
		22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 36, 37, 39, 40, 41,
		43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60,
		61, 62, 63, 64,
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		EXPECT_STRNE("UNKNOWN", vmx_exit_name(known[i]));
}

TEST(names_are_unique_and_reversible)
{
	for (unsigned int i = 0; i < HVLAB_NR_EXIT_REASONS; i++) {
		const char *n = vmx_exit_name(i);

		if (!strcmp(n, "UNKNOWN"))
			continue;
		EXPECT_EQ((int)i, vmx_exit_from_name(n));
	}
	EXPECT_EQ(HVLAB_VMX_EXIT_CPUID, vmx_exit_from_name("cpuid"));
	EXPECT_EQ(-1, vmx_exit_from_name("NO_SUCH_EXIT"));
	EXPECT_EQ(-1, vmx_exit_from_name(NULL));
	EXPECT_EQ(-1, vmx_exit_from_name(""));
}

TEST(run_exit_reasons)
{
	EXPECT_STREQ("IO", hvlab_exit_name(HVLAB_EXIT_IO));
	EXPECT_STREQ("MMIO", hvlab_exit_name(HVLAB_EXIT_MMIO));
	EXPECT_STREQ("HLT", hvlab_exit_name(HVLAB_EXIT_HLT));
	EXPECT_STREQ("SHUTDOWN", hvlab_exit_name(HVLAB_EXIT_SHUTDOWN));
	EXPECT_STREQ("HYPERCALL", hvlab_exit_name(HVLAB_EXIT_HYPERCALL));
	EXPECT_STREQ("FAIL_ENTRY", hvlab_exit_name(HVLAB_EXIT_FAIL_ENTRY));
	EXPECT_STREQ("INTERNAL_ERROR", hvlab_exit_name(HVLAB_EXIT_INTERNAL_ERROR));
	EXPECT_STREQ("INTR", hvlab_exit_name(HVLAB_EXIT_INTR));
	EXPECT_STREQ("DEBUG", hvlab_exit_name(HVLAB_EXIT_DEBUG));
	EXPECT_STREQ("CR3", hvlab_exit_name(HVLAB_EXIT_CR3));
	EXPECT_STREQ("RING_FULL", hvlab_exit_name(HVLAB_EXIT_RING_FULL));
	EXPECT_STREQ("UNKNOWN", hvlab_exit_name(HVLAB_EXIT_UNKNOWN));
	EXPECT_STREQ("IRQ_WINDOW_OPEN", hvlab_exit_name(HVLAB_EXIT_IRQ_WINDOW_OPEN));
	EXPECT_STREQ("EXCEPTION", hvlab_exit_name(HVLAB_EXIT_EXCEPTION));
	EXPECT_STREQ("UNKNOWN", hvlab_exit_name(14));
	EXPECT_STREQ("UNKNOWN", hvlab_exit_name(~0u));
}

TEST(vm_instruction_errors)
{
	EXPECT_NE(NULL, strstr(vm_instruction_error_name(7), "invalid control field"));
	EXPECT_NE(NULL, strstr(vm_instruction_error_name(8), "host-state"));
	EXPECT_NE(NULL, strstr(vm_instruction_error_name(26), "MOV SS"));
	EXPECT_STREQ("unknown error", vm_instruction_error_name(0));
	EXPECT_STREQ("unknown error", vm_instruction_error_name(14));
	EXPECT_STREQ("unknown error", vm_instruction_error_name(1000));
	EXPECT_STREQ("unexpected VM exit",
		     internal_suberror_name(HVLAB_INTERNAL_UNEXPECTED_EXIT));
	EXPECT_STREQ("unknown error", internal_suberror_name(99));
}

/* The statistics table of one vCPU, captured into a malloc-ed string. */
static __attribute__((noinline)) char *capture_stats(const struct hvlab_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vcpu_print_stats(st, 1, f);
	fclose(f);
	return buf;
}

TEST(stats_table_lists_nonzero_reasons_most_frequent_first)
{
	struct hvlab_stats *st = calloc(1, sizeof(*st));
	char *out, *io, *cpuid, *hlt;

	ASSERT_NE(NULL, st);
	st->exits = 111;
	st->exits_to_user = 100;
	st->entries = 112;
	st->by_reason[HVLAB_VMX_EXIT_CPUID] = 10;
	st->by_reason[HVLAB_VMX_EXIT_IO] = 100;
	st->by_reason[HVLAB_VMX_EXIT_HLT] = 1;
	out = capture_stats(st);
	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "vCPU 1: 111 exits, 100 to userspace, 112 entries"));
	io = strstr(out, "IO_INSTRUCTION");
	cpuid = strstr(out, "CPUID");
	hlt = strstr(out, "HLT");
	ASSERT_NE(NULL, io);
	ASSERT_NE(NULL, cpuid);
	ASSERT_NE(NULL, hlt);
	EXPECT_TRUE(io < cpuid && cpuid < hlt);
	EXPECT_EQ(NULL, strstr(out, "RDMSR"));
	EXPECT_EQ(NULL, strstr(out, "EXCEPTION_NMI"));
	free(out);
	free(st);
}

/* AMD APM Vol. 2 Appendix C: SVM EXITCODEs and the VMX reason each counts under. */
TEST(svm_exit_codes_by_number)
{
	EXPECT_STREQ("VMEXIT_CR0_READ", svm_exit_name(0x00));
	EXPECT_STREQ("VMEXIT_CR3_WRITE", svm_exit_name(0x13));
	EXPECT_STREQ("VMEXIT_DR7_WRITE", svm_exit_name(0x37));
	EXPECT_STREQ("VMEXIT_EXCP14", svm_exit_name(0x4e));
	EXPECT_STREQ("VMEXIT_EXCP16", svm_exit_name(0x50));
	EXPECT_STREQ("VMEXIT_EXCP31", svm_exit_name(0x5f));
	EXPECT_STREQ("VMEXIT_INTR", svm_exit_name(0x60));
	EXPECT_STREQ("VMEXIT_CPUID", svm_exit_name(0x72));
	EXPECT_STREQ("VMEXIT_HLT", svm_exit_name(0x78));
	EXPECT_STREQ("VMEXIT_IOIO", svm_exit_name(0x7b));
	EXPECT_STREQ("VMEXIT_MSR", svm_exit_name(0x7c));
	EXPECT_STREQ("VMEXIT_SHUTDOWN", svm_exit_name(0x7f));
	EXPECT_STREQ("VMEXIT_VMMCALL", svm_exit_name(0x81));
	EXPECT_STREQ("VMEXIT_XSETBV", svm_exit_name(0x8d));
	EXPECT_STREQ("VMEXIT_CR15_WRITE_TRAP", svm_exit_name(0x9f));
	EXPECT_STREQ("VMEXIT_NPF", svm_exit_name(0x400));
	EXPECT_STREQ("VMEXIT_INVALID", svm_exit_name(0xffffffffu));
	/* unassigned */
	EXPECT_STREQ("VMEXIT_UNKNOWN", svm_exit_name(0xa5));
	EXPECT_STREQ("VMEXIT_UNKNOWN", svm_exit_name(0x3ff));
	EXPECT_STREQ("VMEXIT_UNKNOWN", svm_exit_name(0x404));
	EXPECT_TRUE(svm_exit_known(0x7b));
	EXPECT_FALSE(svm_exit_known(0x404));
	/* every code below the high ones is named or unknown, never NULL */
	for (uint32_t c = 0; c < 0x500; c++)
		ASSERT_NE(NULL, svm_exit_name(c));
}

TEST(svm_exit_common_reasons)
{
	EXPECT_EQ(HVLAB_VMX_EXIT_CPUID, svm_exit_common(0x72, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_IO, svm_exit_common(0x7b, 0x3f80010));
	EXPECT_EQ(HVLAB_VMX_EXIT_EPT_VIOLATION, svm_exit_common(0x400, 6));
	EXPECT_EQ(HVLAB_VMX_EXIT_HLT, svm_exit_common(0x78, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_NMI_WINDOW, svm_exit_common(0x74, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_VMCALL, svm_exit_common(0x81, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_TRIPLE_FAULT, svm_exit_common(0x7f, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_EXTERNAL_INT, svm_exit_common(0x60, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_CR_ACCESS, svm_exit_common(0x13, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_DR_ACCESS, svm_exit_common(0x27, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_EXCEPTION_NMI, svm_exit_common(0x4e, 0));
	/* VMEXIT_MSR: EXITINFO1 bit 0 is the direction (APM 15.11) */
	EXPECT_EQ(HVLAB_VMX_EXIT_RDMSR, svm_exit_common(0x7c, 0));
	EXPECT_EQ(HVLAB_VMX_EXIT_WRMSR, svm_exit_common(0x7c, 1));
	EXPECT_EQ(HVLAB_VMX_EXIT_INVALID_STATE, svm_exit_common(0xffffffffu, 0));
	/* SVM instructions have no VMX exit */
	EXPECT_EQ(-1, svm_exit_common(0x80, 0));
	EXPECT_EQ(-1, svm_exit_common(0x84, 0));
	EXPECT_EQ(-1, svm_exit_common(0x404, 0));
	for (uint32_t c = 0; c < 0x500; c++)
		ASSERT_LT(svm_exit_common(c, 0), HVLAB_NR_EXIT_REASONS);
}

TEST_HARNESS_MAIN
