// SPDX-License-Identifier: GPL-2.0
/*
 * test_run_cpu.c - `hvlab run` on the guests that test the CPU's exits and
 * modes: the CPUID allow-list and the hypervisor leaf (with the CR4 bits of
 * hidden features refused), the MSR allow-list,
 * #GP on unknown MSRs and their count in --stats, VMCALL, XSETBV, long mode entered by the guest, a
 * flat real-mode binary switching real -> protected -> long mode (and one
 * going back to real mode), INT3 whose #BP delivery is cut by an exit,
 * and two vCPUs in one VM.  Every guest checks itself with GUEST_ASSERT (a failure
 * is status 2 with "guest assertion failed: FILE:LINE: TEXT" on stderr);
 * these tests add what only the host can see: exit counts from --stats.
 */
#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "../guests/run_fixture.h"

/*
 * Leaf 1: VMX clear, hypervisor bit set; leaf 0x40000000: "hvlabhvlabhv";
 * no hidden feature visible, their MSRs #GP, RDTSCP/INVPCID #UD, and
 * IA32_APIC_BASE takes the enable bit.  --stats names each refused MSR.
 */
TEST_F(run, cpuid)
{
	static const char *const refused[] = {
		"0x00000802", "0x000006e0", "0x00000048", "0x0000010a",
		"0x00000179", "0xc0000103",
	};
	char line[96];

	RUN(RUN_TIMEOUT, NULL, "--stats", G("cpuid.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "signature \"hvlabhvlabhv\""));
	EXPECT_TRUE(HAS(R->out, "hidden features absent\n"));
	EXPECT_TRUE(HAS(R->out, "rdmsr 0x6e0: vector 13\n"));
	EXPECT_TRUE(HAS(R->out, "rdtscp: vector 6\n"));
	EXPECT_TRUE(HAS(R->out, "invpcid: vector 6\n"));
	EXPECT_TRUE(HAS(R->out, "cr4: PCIDE, PKE and UMIP refused\n"));
	EXPECT_TRUE(HAS(R->out, "apic base: disable/enable ok, x2APIC and relocation refused\n"));
	EXPECT_LE(2, guest_stat(R, "CPUID"));
	/* six unknown MSRs, one RDMSR each; the refused APIC_BASE values are not */
	EXPECT_TRUE(HAS(R->err, "MSRs refused (#GP): 6 accesses\n"));
	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(line, sizeof(line), "msr %s        1 rdmsr        0 wrmsr\n",
			 refused[i]);
		if (!HAS(R->err, line))
			TH_LOG("missing from --stats: %s", line);
		EXPECT_TRUE(HAS(R->err, line));
	}
}

/* Allow-listed MSRs read back; 0x12345678 raises #GP on RDMSR and WRMSR. */
TEST_F(run, msr)
{
	RUN(RUN_TIMEOUT, NULL, "--stats", G("msr.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "rdmsr 0x12345678: vector 13\n"));
	EXPECT_TRUE(HAS(R->out, "wrmsr 0x12345678: vector 13\n"));
	EXPECT_TRUE(HAS(R->err, "msr 0x12345678        1 rdmsr        1 wrmsr\n"));
	/* an MSR outside both bitmap ranges always exits (SDM Vol. 3 25.1.3) */
	EXPECT_LE(1, guest_stat(R, "MSR_READ"));
	EXPECT_LE(1, guest_stat(R, "MSR_WRITE"));
}

/* HVLAB_HC_NOP returns 0 in RAX; 0x101 goes to userspace; 2 VMCALL exits. */
TEST_F(run, vmcall)
{
	RUN(RUN_TIMEOUT, NULL, "--stats", G("vmcall.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "vmcall nop: vector 0, rax 0x0\n"));
	EXPECT_TRUE(HAS(R->out, "vmcall 0x101: vector 0"));
	EXPECT_EQ(2, guest_stat(R, "VMCALL"));
}

/*
 * XCR0 = x87|SSE reads back; XCR0 = SSE alone is refused with #GP.  The
 * SVM backend hides XSAVE and makes XSETBV #UD (docs/svm.md, "What the
 * SVM backend does not do yet"): the guest's first check cannot hold.
 */
TEST_F(run, xsetbv)
{
	RUN(RUN_TIMEOUT, NULL, "--stats", G("xsetbv.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "xcr0: 0x3\n"));
	/* XSETBV exits unconditionally; the value check is the hypervisor's */
	EXPECT_EQ(2, guest_stat(R, "XSETBV"));
}

/* 32-bit multiboot entry -> long mode -> a ucall and CPUID in 64-bit code. */
TEST_F(run, longmode)
{
	RUN(RUN_TIMEOUT, NULL, "-v", G("longmode.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->err, "ucall sync: 0x40 "));
	EXPECT_TRUE(HAS(R->out, "long mode: cpuid.0 eax=0x"));
}

/*
 * A flat binary at 0x8000 in real mode: real -> protected -> long mode.
 * With EPT it runs as an unrestricted guest, with shadow paging in vm86
 * mode (kmod/rmode.c): the same output either way.
 */
TEST_F(run, realmode)
{
	const char *o16, *o32, *o64, *paging = getenv("HVLAB_PAGING");
	bool shadow = paging && !strcmp(paging, "shadow");
	/* SVM runs real mode under shadow paging as paged real mode */
	bool vm86 = shadow && !hvlab_is_svm();

	RUN(RUN_TIMEOUT, NULL, "-v", "--stats", "--flat", "0x8000",
	    G("realmode.bin"));
	EXPECT_EQ(0, R->status);
	o16 = strstr(R->out, "realmode: 16-bit real mode\n");
	o32 = strstr(R->out, "realmode: 32-bit protected mode\n");
	o64 = strstr(R->out, "realmode: 64-bit long mode\n");
	ASSERT_TRUE(o16 && o32 && o64);
	EXPECT_TRUE(o16 < o32 && o32 < o64);
	EXPECT_FALSE(HAS(R->out, "CR0.PE reads 1"));
	/* the guest's IVT took a software interrupt and an exception */
	EXPECT_TRUE(HAS(R->out, "realmode: INT 0x40 through the IVT\n"));
	EXPECT_TRUE(HAS(R->out, "realmode: #UD through the IVT\n"));
	/*
	 * WBINVD, RDMSR and WRMSR in real mode, as Linux's AP trampoline
	 * runs them (EFER.SCE set there is asserted in long mode), and a
	 * refused MSR's #GP delivered through the guest's IVT.
	 */
	EXPECT_TRUE(HAS(R->out, "realmode: RDMSR and WRMSR in real mode\n"));
	EXPECT_TRUE(HAS(R->out, "realmode: #GP through the IVT\n"));
	EXPECT_TRUE(HAS(R->err, "msr 0x12345678        1 rdmsr        0 wrmsr\n"));
	/*
	 * vm86 mode turns LGDT, three MOVs with CR0, WBINVD, four RDMSRs, two
	 * WRMSRs and the #UD into exception exits (plus #PFs that fill the
	 * shadow tables); an unrestricted guest takes no exception exit at
	 * all (WBINVD and the MSRs exit as themselves), but for the #UD on
	 * SVM, which intercepts #UD to find Intel's VMCALL (docs/svm.md) and
	 * gives this one back to the guest.  --stats lists only
	 * the reasons that occurred, so "none" is the absence of the line (-1)
	 * in a list that is there: the guest's output and ucalls are port I/O
	 * exits.
	 */
	ASSERT_LE(3, guest_stat(R, "IO_INSTRUCTION"));
	if (vm86) {
		EXPECT_LE(12, guest_stat(R, "EXCEPTION_NMI"));
	} else if (shadow) {	/* paged real mode: only the #PF fills */
		EXPECT_LE(1, guest_stat(R, "EXCEPTION_NMI"));
	} else if (hvlab_is_svm()) {
		EXPECT_EQ(1, guest_stat(R, "EXCEPTION_NMI"));
	} else {
		EXPECT_EQ(-1, guest_stat(R, "EXCEPTION_NMI"));
	}
	/* each step's ucall, in order: SYNC(16), SYNC(32), SYNC(64) */
	o16 = strstr(R->err, "ucall sync: 0x10 ");
	o32 = strstr(R->err, "ucall sync: 0x20 ");
	o64 = strstr(R->err, "ucall sync: 0x40 ");
	ASSERT_TRUE(o16 && o32 && o64);
	EXPECT_TRUE(o16 < o32 && o32 < o64);
}

/*
 * Back from protected to real mode: between clearing CR0.PE and the far
 * jump, CS holds a base vm86 mode cannot express.  With EPT the guest gets
 * there; under shadow paging on VMX hvlab must stop it and say why.  SVM
 * runs real mode as paged real mode (docs/svm.md), which has no such
 * limit: the guest gets there as with EPT.
 */
TEST_F(run, realmode_and_back)
{
	const char *paging = getenv("HVLAB_PAGING");

	RUN(RUN_TIMEOUT, NULL, "--flat", "0x8000", G("rmback.bin"));
	if (paging && !strcmp(paging, "shadow") && !hvlab_is_svm()) {
		EXPECT_EQ(4, R->status);
		EXPECT_TRUE(HAS(R->err, "vm86 mode needs CS base = selector*16"));
		EXPECT_FALSE(HAS(R->out, "back in real mode"));
		return;
	}
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "rmback: back in real mode\n"));
}

/*
 * Two vCPUs: distinct APIC IDs, each its own ucalls, shared memory works.
 * vCPU 1 spins without exiting until the run ends; on Bochs's AMD model
 * such a guest is not always ended by the host's interrupts (docs/svm.md,
 * "Testing it without AMD hardware"), and its CPU then stays in the guest
 * for good, which stalls the rest of the boot.
 */
TEST_F(run, smp_two_vcpus)
{
	RUN(RUN_TIMEOUT, NULL, "--cpus", "2", "--stats", G("smp.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "vcpu 0: apic id 0\n"));
	EXPECT_TRUE(HAS(R->out, "vcpu 1: apic id 1\n"));
	EXPECT_TRUE(HAS(R->out, "vcpu 0: saw vcpu 1\n"));
	EXPECT_TRUE(HAS(R->err, "vCPU 0:"));
	EXPECT_TRUE(HAS(R->err, "vCPU 1:"));
}

/*
 * INT3 on stack pages untouched since the guest turned paging on: under
 * shadow paging the #BP's delivery stops at a #PF exit half-way, and the
 * guest's handler must still get one #BP with the address after the INT3
 * (int3.c).  On SVM, re-injecting EXITINTINFO's #BP as it stands pushed
 * the INT3's own address (svm.c, reinject_interrupted).
 */
TEST_F(run, int3_delivery_cut_by_an_exit)
{
	RUN(RUN_TIMEOUT, NULL, G("int3.elf"));
	EXPECT_EQ(0, R->status);
	EXPECT_TRUE(HAS(R->out, "int3: 8 breakpoints, each after its INT3\n"));
}

TEST_HARNESS_MAIN
