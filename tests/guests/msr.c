// SPDX-License-Identifier: GPL-2.0
/*
 * msr - proves RDMSR/WRMSR reach the allow-listed MSRs and nothing else
 * (a 64-bit guest, so FS/GS base are meaningful):
 *  - IA32_SYSENTER_CS/ESP/EIP, IA32_PAT, IA32_FS_BASE, IA32_GS_BASE:
 *    a written value reads back, and %fs: really uses the new FS base;
 *  - STAR, LSTAR, CSTAR, SFMASK and KERNEL_GS_BASE (which hvlab keeps in
 *    the CPU only while the guest runs): a written value reads back, and
 *    none of the writes moves the GS base in use (%gs: still finds the
 *    marker), as Linux's syscall_init() and cpu_init() expect;
 *  - IA32_EFER reads LME|LMA (we are in long mode) and a write of the same
 *    value is accepted;
 *  - IA32_TSC: a written value reads back a little larger;
 *  - IA32_APIC_BASE reads 0xFEE00000 | enabled | BSP (on vCPU 0);
 *  - an unknown MSR (0x12345678): RDMSR and WRMSR raise #GP, which the
 *    hypervisor must inject (SDM Vol. 4: reserved MSR addresses fault).
 * With `qemu` the IA32_TSC and unknown-MSR checks are skipped: QEMU's TCG
 * ignores IA32_TSC and reads unknown MSRs as 0 without a #GP.
 */
#include "guest.h"

#define MSR_UNKNOWN	0x12345678

static void check_rw(uint32_t msr, uint64_t v)
{
	uint64_t old = rdmsr(msr);

	wrmsr(msr, v);
	GUEST_ASSERT_EQ(rdmsr(msr), v);
	wrmsr(msr, old);
	GUEST_ASSERT_EQ(rdmsr(msr), old);
}

static volatile uint64_t marker = 0x5eed5eed5eed5eedull;

void guest_main(void)
{
	uint64_t v, tsc, efer;
	int vec;

	check_rw(MSR_IA32_SYSENTER_CS, 0x10);
	check_rw(MSR_IA32_SYSENTER_ESP, 0xffff800012345670ull);
	check_rw(MSR_IA32_SYSENTER_EIP, 0xffff800000401000ull);
	/* PAT entries must be valid memory types (SDM Vol. 3 11.12.2). */
	check_rw(MSR_IA32_PAT, 0x0007010600070106ull);
	check_rw(MSR_GS_BASE, 0x12345000);
	GUEST_PRINTF("sysenter, pat, gs base: written values read back");

	wrmsr(MSR_GS_BASE, (uintptr_t)&marker);
	check_rw(MSR_STAR, 0x0023001000000000ull);
	check_rw(MSR_LSTAR, 0xffffffff81e00000ull);
	check_rw(MSR_CSTAR, 0xffffffff81e01000ull);
	check_rw(MSR_SYSCALL_MASK, 0x47700);
	check_rw(MSR_KERNEL_GS_BASE, 0xffff888012340000ull);
	asm volatile("movq %%gs:0, %0" : "=r"(v));
	GUEST_ASSERT_EQ(v, marker);
	GUEST_ASSERT_EQ(rdmsr(MSR_GS_BASE), (uintptr_t)&marker);
	wrmsr(MSR_GS_BASE, 0);
	GUEST_PRINTF("syscall msrs, kernel gs base: read back, gs base untouched");

	/* FS base: not just stored, but used by %fs-relative accesses. */
	wrmsr(MSR_FS_BASE, (uintptr_t)&marker);
	asm volatile("movq %%fs:0, %0" : "=r"(v));
	GUEST_ASSERT_EQ(v, marker);
	wrmsr(MSR_FS_BASE, 0);

	efer = rdmsr(MSR_IA32_EFER);
	GUEST_ASSERT((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));
	wrmsr(MSR_IA32_EFER, efer);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_EFER), efer);
	GUEST_PRINTF("efer: 0x%llx", (unsigned long long)efer);

	wrmsr(MSR_IA32_TSC, 1ull << 40);
	tsc = rdmsr(MSR_IA32_TSC);
	GUEST_PRINTF("tsc after writing 1<<40: 0x%llx", (unsigned long long)tsc);
	if (!guest_on_qemu) {	/* QEMU's TCG ignores the IA32_TSC MSR */
		GUEST_ASSERT(tsc >= (1ull << 40) && tsc < (1ull << 40) + (1ull << 36));
		GUEST_ASSERT(rdtsc() >= tsc);
	}

	v = rdmsr(MSR_IA32_APIC_BASE);
	GUEST_PRINTF("apic base: 0x%llx", (unsigned long long)v);
	GUEST_ASSERT_EQ(v & 0xffffff000ull, 0xfee00000);
	GUEST_ASSERT(v & (1u << 11));		/* xAPIC enabled */
	GUEST_ASSERT(v & (1u << 8));		/* BSP */

	/* QEMU's TCG reads unknown MSRs as 0 instead of faulting. */
	vec = rdmsr_safe(MSR_UNKNOWN, &v);
	GUEST_PRINTF("rdmsr 0x%x: vector %d", MSR_UNKNOWN, vec);
	if (!guest_on_qemu)
		GUEST_ASSERT_EQ(vec, X86_GP);
	vec = wrmsr_safe(MSR_UNKNOWN, 1);
	GUEST_PRINTF("wrmsr 0x%x: vector %d", MSR_UNKNOWN, vec);
	if (!guest_on_qemu)
		GUEST_ASSERT_EQ(vec, X86_GP);
	GUEST_DONE();
}
