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
 *                      chooses.  RAX = the GPA, or -1 if the walk faulted.
 *   anything else      RAX = -1 (logged once with -v)
 */
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vm.h"

static const char *paging_mode_name(uint32_t mode)
{
	switch (mode) {
	case 0:
		return "paging off";
	case 2:
		return "32-bit paging";
	case 3:
		return "PAE paging";
	case 4:
		return "4-level paging";
	case 5:
		return "5-level paging";
	default:
		return "unknown paging mode";
	}
}

/* Flags of a guest paging-structure entry (SDM Vol. 3 4.3-4.5). */
static void guest_flags(char *buf, size_t n, uint64_t e)
{
	snprintf(buf, n, "%s%s%s%s%s%s%s", e & 1 ? "P" : "-", e & 2 ? " W" : "",
		 e & 4 ? " U" : "", e & 0x20 ? " A" : "", e & 0x40 ? " D" : "",
		 e & 0x80 ? " PS" : "", e >> 63 ? " NX" : "");
}

/* Flags of an EPT entry (SDM Vol. 3 29.3.2): read, write, execute. */
static void ept_flags(char *buf, size_t n, uint64_t e)
{
	snprintf(buf, n, "%c%c%c%s", e & 1 ? 'R' : '-', e & 2 ? 'W' : '-', e & 4 ? 'X' : '-',
		 e & 0x80 ? " PS" : "");
}

void walk_print(FILE *f, int vcpu, const struct hvlab_translation *t)
{
	unsigned ng = t->guest_steps < HVLAB_WALK_MAX_STEPS ? t->guest_steps : HVLAB_WALK_MAX_STEPS;
	unsigned ns = t->second_steps < HVLAB_WALK_MAX_STEPS ? t->second_steps : HVLAB_WALK_MAX_STEPS;
	const char *second = t->shadow ? "shadow" : "EPT";
	char fl[32];

	fprintf(f, "walk of GVA 0x%llx on vCPU %d (%s, %s):\n", (unsigned long long)t->gva, vcpu,
		paging_mode_name(t->paging_mode), second);
	for (unsigned i = 0; i < ng; i++) {
		guest_flags(fl, sizeof(fl), t->guest[i].entry);
		fprintf(f, "  guest  L%u table GPA 0x%llx entry 0x%016llx [%s]\n", t->guest[i].level,
			(unsigned long long)t->guest[i].table,
			(unsigned long long)t->guest[i].entry, fl);
	}
	if (t->fault == HVLAB_WALK_GUEST_FAULT) {
		fprintf(f, "  stops at guest L%u: not present or not allowed (the guest gets #PF)\n",
			t->fault_level);
		return;
	}
	fprintf(f, "  GVA 0x%llx -> GPA 0x%llx\n", (unsigned long long)t->gva,
		(unsigned long long)t->gpa);
	if (t->fault == HVLAB_WALK_NO_SLOT) {
		fprintf(f, "  GPA 0x%llx is outside every memory slot (an access is an MMIO exit)\n",
			(unsigned long long)t->gpa);
		return;
	}
	for (unsigned i = 0; i < ns; i++) {
		if (t->shadow)
			guest_flags(fl, sizeof(fl), t->second[i].entry);
		else
			ept_flags(fl, sizeof(fl), t->second[i].entry);
		fprintf(f, "  %-6s L%u table HPA 0x%llx entry 0x%016llx [%s]\n", second,
			t->second[i].level, (unsigned long long)t->second[i].table,
			(unsigned long long)t->second[i].entry, fl);
	}
	if (t->fault == HVLAB_WALK_EPT_FAULT) {
		fprintf(f, "  stops at %s L%u: entry not present (not mapped yet)\n", second,
			t->fault_level);
		return;
	}
	fprintf(f, "  GPA 0x%llx -> HPA 0x%llx (host frame 0x%llx)\n", (unsigned long long)t->gpa,
		(unsigned long long)t->hpa, (unsigned long long)(t->hpa & ~0xFFFull));
}

/* Translates and prints one GVA; returns the GPA or -1. */
static uint64_t walk_one(struct vcpu *v, uint64_t gva)
{
	struct hvlab_translation t;

	memset(&t, 0, sizeof(t));
	t.gva = gva;
	if (v->fd < 0 || ioctl(v->fd, HVLAB_TRANSLATE, &t) < 0) {
		fprintf(stderr, "hvlab: cannot translate GVA 0x%" PRIx64 " (HVLAB_TRANSLATE: %m)\n", gva);
		return (uint64_t)-1;
	}
	fflush(stdout);
	walk_print(stderr, v->id, &t);
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
		fprintf(stderr, "hvlab: vCPU %d: unknown hypercall %llu at RIP 0x%llx, returns -1\n",
			v->id, (unsigned long long)run->hypercall.nr,
			(unsigned long long)run->guest_rip);
	run->hypercall.ret = (uint64_t)-1;
}
