// SPDX-License-Identifier: GPL-2.0
/*
 * smp - proves two vCPUs run in one VM, each with its own state, sharing
 * guest memory.  Run with `hvlab run --cpus 2`: both vCPUs start at the
 * entry point; each reads its local-APIC ID (distinct, 0 and 1), which
 * must match the stack start32.S gave it, and reports it with its own
 * ucall (GUEST_SYNC(id) and "vcpu N: apic id N").  vCPU 1 then raises a
 * flag in shared memory; vCPU 0 waits for that flag, prints
 * "vcpu 0: saw vcpu 1" and ends the run with GUEST_DONE while vCPU 1
 * spins.  Under QEMU (`qemu`, -smp 2) the firmware parks vCPU 1, so vCPU 0
 * first wakes it with INIT-SIPI-SIPI (lib/smp.c).
 */
#include "guest.h"

static volatile uint32_t ap_ready;

void guest_main(void)
{
	unsigned int cpu = guest_cpu_id();
	uint32_t apic = lapic_read(LAPIC_ID) >> 24;
	unsigned long spins = 0;

	GUEST_ASSERT_EQ(apic, cpu);
	GUEST_SYNC(apic);
	GUEST_PRINTF("vcpu %u: apic id %u", cpu, apic);
	if (cpu != 0) {
		__atomic_store_n(&ap_ready, apic, __ATOMIC_SEQ_CST);
		for (;;)
			cpu_relax();
	}
	if (guest_on_qemu)
		smp_wake_aps_qemu(1);
	while (!__atomic_load_n(&ap_ready, __ATOMIC_SEQ_CST)) {
		if (++spins == 100000000)
			GUEST_PRINTF("vcpu 0: still waiting for vcpu 1");
		cpu_relax();
	}
	GUEST_ASSERT_EQ(ap_ready, 1);
	GUEST_PRINTF("vcpu 0: saw vcpu 1");
	GUEST_DONE();
}
