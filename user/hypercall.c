// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall.c - the hypercalls the module passes to userspace (VMCALL with
 * RAX = number, arguments in RBX, RCX, RDX, RSI; run->hypercall.ret goes
 * back to the guest's RAX).  docs/running.md lists them.
 *
 *   HVLAB_HC_WALK (1)  RBX = a guest-virtual address.  hvlab asks the
 *                      module for the translation of RBX (HVLAB_TRANSLATE)
 *                      and prints the two-dimensional walk: the guest's
 *                      page tables GVA -> GPA, then EPT (or the shadow
 *                      tables) GPA -> HPA.  Then it does the same for every
 *                      `--walk GVA` given on the command line, so a student
 *                      can follow fixed addresses at the points the guest
 *                      chooses.  The text is walk_print.c's, on stderr.
 *                      RAX = the GPA, or -1 if the guest's own walk faulted
 *                      (or the module could not translate).
 *   anything else      RAX = -1 (logged once with -v)
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "dash/dash.h"
#include "dash/trace.h"
#include "vm.h"
#include "walk_print.h"

/* Translates and prints one GVA; returns the GPA or -1. */
static uint64_t walk_one(struct vcpu *v, uint64_t gva)
{
	struct hvlab_translation t;

	memset(&t, 0, sizeof(t));
	t.gva = gva;
	if (v->fd < 0 || ioctl(v->fd, HVLAB_TRANSLATE, &t) < 0) {
		vm_log(v->vm, "hvlab: cannot translate GVA 0x%" PRIx64 " (HVLAB_TRANSLATE: %s)\n", gva,
		       v->fd < 0 ? "no vCPU" : strerror(errno));
		return (uint64_t)-1;
	}
	if (v->vm->dash)
		dash_on_walk(v->vm->dash, (unsigned)v->id, &t);	/* records it too */
	else if (v->vm->rec)
		trace_write_walk(v->vm->rec, (unsigned)v->id, &t);
	if (!v->vm->dash) {	/* the dashboard has its own walk panel */
		vm_log(v->vm, "hvlab: walk on vCPU %d (HVLAB_HC_WALK at RIP 0x%llx):\n", v->id,
		       (unsigned long long)v->run->guest_rip);
		walk_fprint(stderr, "  ", &t, 0);
	}
	return t.fault == HVLAB_WALK_OK || t.fault == HVLAB_WALK_NO_SLOT ||
	       t.fault == HVLAB_WALK_EPT_FAULT ? t.gpa : (uint64_t)-1;
}

void vcpu_hypercall(struct vcpu *v)
{
	struct hvlab_run *run = v->run;
	struct vm *vm = v->vm;

	if (run->hypercall.nr == HVLAB_HC_WALK) {
		run->hypercall.ret = walk_one(v, run->hypercall.args[0]);
		for (unsigned i = 0; i < vm->opt.nwalk; i++)
			walk_one(v, vm->opt.walk[i]);
		return;
	}
	if (vm->opt.verbose)
		vm_log(vm, "hvlab: vCPU %d: unknown hypercall %llu at RIP 0x%llx, returns -1\n",
			v->id, (unsigned long long)run->hypercall.nr,
			(unsigned long long)run->guest_rip);
	run->hypercall.ret = (uint64_t)-1;
}
