/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host_state.h - the host state a VM entry and exit do not switch, saved
 * before the run loop enters a guest and put back when it leaves
 * (host_state.c).  Used by the run loop (run.c) only.
 */
#ifndef HVLAB_HOST_STATE_H
#define HVLAB_HOST_STATE_H

#include <linux/percpu.h>
#include <linux/types.h>

struct hv_vcpu;

/* Host state VMX leaves changed after an exit (SDM 27.5). */
struct hv_host_state {
	u16 ds, es, fs, gs, ldt;
	unsigned long dr7;
	u64 debugctl, xcr0;
	u64 kernel_gs_base;
	bool guest_drs;		/* the guest's DR0-3 are in the hardware */
};

void hv_host_state_init(void);		/* module load */
/* Preemption off: save the host's state, load the guest's for a stay. */
void hv_host_state_enter(struct hv_vcpu *vcpu, struct hv_host_state *h);
/* Interrupts off, around each VMLAUNCH/VMRESUME: XCR0. */
void hv_host_state_before_entry(struct hv_vcpu *vcpu,
				const struct hv_host_state *h);
void hv_host_state_after_exit(struct hv_vcpu *vcpu,
			      const struct hv_host_state *h);
/* Interrupts off: the host's state back at the end of a stay. */
void hv_host_state_leave(struct hv_vcpu *vcpu, const struct hv_host_state *h);
/*
 * XCR0 for a guest where the host runs without CR4.OSXSAVE (Linux turns
 * its XSAVE use off on Bochs's CPU): nothing in the host reads XCR0 then,
 * so the guest's value is loaded once and left in the CPU; the per-CPU
 * copy says what is there.  Interrupts off.
 */
DECLARE_PER_CPU(u64, hv_guest_xcr0_loaded);
void hv_xcr0_load_slow(u64 xcr0);

static inline void hv_xcr0_load_hostless(u64 xcr0)
{
	if (this_cpu_read(hv_guest_xcr0_loaded) != xcr0)
		hv_xcr0_load_slow(xcr0);
}

/* Right after an exit: an NMI or #MC that hit the guest is the host's. */
void hv_host_event_after_exit(u32 reason);
void hv_machine_check(void);		/* a host #MC, to the host's handler */

#endif
