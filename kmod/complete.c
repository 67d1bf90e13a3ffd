// SPDX-License-Identifier: GPL-2.0
/*
 * complete.c - the edges of HVLAB_RUN that VMX and SVM share: what
 * userspace answered for the last exit goes into the guest before the next
 * entry, and the run page tells userspace where the guest stopped.
 *
 * An exit that needs userspace (an IN, an MMIO load, a hypercall) leaves
 * RIP on the instruction, and records in vcpu->pending what is owed and in
 * vcpu->pending_len how long the instruction is.  The next HVLAB_RUN
 * starts with hv_run_begin(): the data goes to RAX, to the register the
 * decoder named, or to guest RAM (INS), and only then does RIP move past
 * the instruction.  Had RIP moved at the exit, a signal between the exit
 * and the answer would leave the guest one instruction ahead with a
 * register never written.  KVM calls this step complete_userspace_io.
 *
 * Between entries both backends check the same things (hv_run_check), and
 * both stamp the TSC for make bench's breakdown (hv_bench_stamp, vm.h).
 *
 * The vendor backends differ only in where RSP lives (the VMCS or the
 * VMCB) and how RIP moves past an instruction and ends an STI/MOV-SS
 * shadow: hv_ops's get_gpr, set_gpr and skip_insn.  The second half of an
 * MMIO read-modify-write or MOVS is mmio.c's.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "hvlab.h"
#include "pure_insn.h"
#include "vm.h"

/*
 * Stop the vCPU, from either backend's exit handlers or from here:
 * userspace gets HVLAB_EXIT_INTERNAL_ERROR.  Returns 0, the exit
 * handlers' "back to userspace".
 */
int hv_internal_error(struct hv_vcpu *vcpu, u32 sub, u64 d0, u64 d1)
{
	struct hvlab_run *run = vcpu->run;

	run->exit_reason = HVLAB_EXIT_INTERNAL_ERROR;
	run->internal.suberror = sub;
	run->internal.ndata = 2;
	run->internal.data[0] = d0;
	run->internal.data[1] = d1;
	return 0;
}

/* 0: the guest may be entered; 1: a stop with run->exit_reason set */
static int complete_pending(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;
	enum hv_pending p = vcpu->pending;
	unsigned long *rax = &vcpu->gpr[HV_RAX];
	u64 v = 0;

	vcpu->pending = HV_PENDING_NONE;
	switch (p) {
	case HV_PENDING_NONE:
		return 0;
	case HV_PENDING_PIO_IN:
		if (vcpu->io_count) {	/* INS: data goes to guest memory */
			u64 bytes = (u64)vcpu->io_count * vcpu->io_size;

			/*
			 * The destination is no writable RAM (a device, a
			 * read-only slot): a defined stop, not a failed ioctl.
			 */
			if (hv_write_guest(vcpu->vm, vcpu->io_gpa, run->io_data,
					   bytes)) {
				hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION,
						  vcpu->io_gpa, 0);
				return 1;
			}
			if (vcpu->paging->guest_written)
				vcpu->paging->guest_written(vcpu, vcpu->io_gpa,
							    bytes);
			break;
		}
		/* sizes come from the vCPU, never from the shared run page */
		memcpy(&v, run->io_data, vcpu->io_size);
		if (vcpu->io_size == 4)
			*rax = (u32)v;	/* 32-bit results zero-extend */
		else
			*rax = (*rax & ~((1ul << (8 * vcpu->io_size)) - 1)) | v;
		break;
	case HV_PENDING_MMIO_READ:
		memcpy(&v, run->mmio.data, vcpu->mmio.size);
		hv_ops->set_gpr(vcpu, vcpu->mmio.reg,
				insn_merge_load(hv_ops->get_gpr(vcpu,
						vcpu->mmio.reg),
						v, &vcpu->mmio));
		break;
	case HV_PENDING_HYPERCALL:
		*rax = run->hypercall.ret;
		break;
	case HV_PENDING_PIO_OUT:
	case HV_PENDING_MMIO_WRITE:
		break;
	case HV_PENDING_MMIO_RMW:
	case HV_PENDING_MMIO_MOVS_IN:
	case HV_PENDING_MMIO_MOVS_OUT:
		return hv_mmio_complete(vcpu, p);
	}
	if (vcpu->pending_len)
		hv_ops->skip_insn(vcpu, vcpu->pending_len);
	vcpu->pending_len = 0;
	return 0;
}

/*
 * The start of HVLAB_RUN.  Returns 1 when the guest may be entered, else
 * what HVLAB_RUN returns (0 with run->exit_reason set, or -errno), the
 * exit handlers' contract.
 */
int hv_run_begin(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;
	int ret;

	hv_bench_stamp(vcpu, &run->bench.ioctl_in);
	ret = complete_pending(vcpu);
	if (ret)
		return ret < 0 ? ret : 0;
	run->exit_reason = HVLAB_EXIT_UNKNOWN;
	if (run->immediate_exit) {
		run->exit_reason = HVLAB_EXIT_INTR;
		return -EINTR;
	}
	return 1;
}

/*
 * Before each entry: a signal ends HVLAB_RUN, so Ctrl-C always works; the
 * loop yields when asked, so a spinning guest cannot hog a CPU; and a full
 * exit ring stops the vCPU until userspace has read it.  Returns 1 to
 * enter the guest, else what HVLAB_RUN returns (0 with run->exit_reason
 * set, or -EINTR).
 */
int hv_run_check(struct hv_vcpu *vcpu)
{
	if (signal_pending(current)) {
		vcpu->run->exit_reason = HVLAB_EXIT_INTR;
		return -EINTR;
	}
	cond_resched();
	if (hv_ring_full(vcpu)) {
		vcpu->run->exit_reason = HVLAB_EXIT_RING_FULL;
		return 0;
	}
	return 1;
}

/*
 * The end of HVLAB_RUN: where the guest stopped, and whether an interrupt
 * could be injected now (IF set, no STI/MOV-SS shadow, nothing queued).
 */
void hv_run_end(struct hv_vcpu *vcpu, u64 rip, u64 rflags, bool shadow)
{
	struct hvlab_run *run = vcpu->run;

	run->guest_rip = rip;
	run->if_flag = !!(rflags & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection = run->if_flag && !shadow &&
					     !vcpu->event_pending;
	vcpu->stats->exits_to_user++;
	hv_bench_stamp(vcpu, &run->bench.ioctl_out);
}
