// SPDX-License-Identifier: GPL-2.0
/*
 * int3 - INT3 whose #BP delivery is stopped half-way by an exit.
 *
 * After turning paging on, the guest runs each INT3 on a stack page it has
 * not touched since (the stacks of vCPUs it does not start), so the CPU's push of the exception frame is the
 * page's first access under the new address space: under shadow paging a
 * #PF exit in the middle of the #BP's delivery, which the hypervisor must
 * complete as bare metal would (on SVM the exit names the #BP in
 * EXITINTINFO, APM 15.7.2, with RIP back on the INT3; on VMX the
 * IDT-vectoring information names it a software exception, SDM 27.2.4).
 * The #BP is a trap: its handler must see the address after the INT3
 * (SDM Vol. 3 6.5), which is the only address the fixup table below
 * names, so a #BP reported at the INT3 itself is an unexpected exception
 * and fails the guest.  Prints "int3: 8 breakpoints, each after its INT3".
 */
#include "guest.h"

#define PAGES	8

static uint32_t pd[1024] __attribute__((aligned(4096)));

/*
 * INT3 with ESP at the top of page `page` of the stacks of the vCPUs this
 * guest does not start (guest_stacks[1..4], two pages each): idt.c finds
 * its vCPU by the stack, so the #BP's fixup, which resumes after the INT3,
 * records the vector in that vCPU's guest_cpus[] entry.
 */
static unsigned int int3_on(unsigned int page)
{
	unsigned int cpu = 1 + page / 2;
	uintptr_t top = (uintptr_t)guest_stacks[cpu] + 4096 * (1 + page % 2);

	guest_cpus[cpu].fault_vector = 0;
	asm volatile("xchg %0, %%esp\n"
		     "1: int3\n"
		     "2: xchg %0, %%esp\n"
		     ".pushsection .ex_table, \"a\"\n"
		     ASM_PTR " 2b, 2b\n"
		     ".popsection"
		     : "+r"(top) : : "memory");
	return guest_cpus[cpu].fault_vector;
}

void guest_main(void)
{
	unsigned int i;

	if (guest_cpu_id())
		return;
	pt32_identity(pd);
	paging32_enable(pd);
	for (i = 0; i < PAGES; i++)
		GUEST_ASSERT_EQ(int3_on(i), 3);
	GUEST_PRINTF("int3: %u breakpoints, each after its INT3", i);
	GUEST_DONE();
}
