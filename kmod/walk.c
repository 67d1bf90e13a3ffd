// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c - guest virtual -> guest physical -> host physical, in the module.
 *
 * The walking itself is pure logic in pure_walk.c (the guest's tables)
 * and pure_ept.c (the EPT); this file only supplies the memory they read:
 * guest-physical memory through the memory slots (ept.c), and the VM's
 * own EPT tables, which are kernel pages hvlab allocated.
 *
 * hv_translate() answers HVLAB_TRANSLATE, the translation inspector: the
 * whole two-dimensional walk of one address, step by step, so a student
 * can see where guest VA 0x1000 really lives in host memory.  Both
 * backends share it: the guest's registers come from the vendor's
 * hv_paging_hw, the second stage is the EPT on VMX, the nested page
 * table on SVM (ordinary 4-level x86-64 tables, walked by the same walker
 * as the guest's own) or, under shadow paging, hvlab's shadow entry.
 */
#include <linux/indirect_call_wrapper.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "hvlab.h"
#include "pure_ept.h"
#include "pure_walk.h"
#include "vm.h"
#include "vmcs.h"

static int guest_read(void *opaque, __u64 pa, unsigned int size, __u64 *val)
{
	*val = 0;
	return hv_read_guest(opaque, pa, val, size) ? -1 : 0;
}

/* The guest's own paging, as it believes it to be, over guest memory. */
void hv_guest_paging(struct hv_vcpu *vcpu, struct hvlab_pmem *mem,
		     struct hvlab_gwalk_ctx *ctx)
{
	*mem = (struct hvlab_pmem){ .opaque = vcpu->vm, .read = guest_read };
	*ctx = (struct hvlab_gwalk_ctx){ .mem = mem };
	INDIRECT_CALL_1(hv_ops->paging_hw->guest_regs, hv_vmx_guest_regs, vcpu,
			ctx);
}

/*
 * A linear address to guest-physical, through the guest's paging or, with
 * CR0.PG clear, its absence (the address wraps at 4 GiB).  Both backends'
 * emulation reads the instruction and string operands this way.
 */
int hv_gva_to_gpa(struct hv_vcpu *vcpu, u64 gva, u64 *gpa)
{
	struct hvlab_pmem mem;
	struct hvlab_gwalk_ctx ctx;
	struct hvlab_gwalk w;

	hv_guest_paging(vcpu, &mem, &ctx);
	if (!(ctx.cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffffull;
		return 0;
	}
	if (hvlab_gwalk(&ctx, gva, HVLAB_ACC_READ, &w) != HVLAB_GW_OK)
		return -EFAULT;
	*gpa = w.gpa;
	return 0;
}

/* Up to len bytes at a linear address, page by page; how many were read */
unsigned int hv_read_linear(struct hv_vcpu *vcpu, u64 lin, void *buf,
			    unsigned int len)
{
	unsigned int got = 0;
	u64 gpa;

	while (got < len) {
		unsigned int n = min_t(unsigned int, len - got,
				       PAGE_SIZE - ((lin + got) & ~PAGE_MASK));

		if (hv_gva_to_gpa(vcpu, lin + got, &gpa) ||
		    hv_read_guest(vcpu->vm, gpa, (u8 *)buf + got, n))
			break;
		got += n;
	}
	return got;
}

/*
 * EPT and shadow tables are pages hvlab allocated: read them by their HPA
 * (the walkers only follow entries hvlab itself wrote).
 */
int hv_read_own_table(void *opaque, __u64 pa, unsigned int size, __u64 *val)
{
	if (!pfn_valid(PHYS_PFN(pa)) || size != 8)
		return -1;
	*val = *(u64 *)__va(pa);
	return 0;
}

/*
 * SVM's second stage: the nested page table has the x86-64 long-mode
 * format, and the CPU walks it as a user access with the guest's own
 * paging rules set aside (AMD APM Vol. 2 15.25): 4-level paging, NX on,
 * rooted at nCR3 (= vm->ept_root).  The walk only reads hvlab's tables.
 */
static void npt_walk(struct hv_vcpu *vcpu, u64 gpa, struct hvlab_translation *t)
{
	struct hvlab_pmem hmem = { .read = hv_read_own_table };
	struct hvlab_gwalk_ctx nctx = {
		.cr0 = X86_CR0_PE | X86_CR0_PG,
		.cr4 = X86_CR4_PAE,
		.efer = EFER_LME | EFER_LMA | EFER_NX,
		.cr3 = __pa(vcpu->vm->ept_root),
		.mem = &hmem,
	};
	struct hvlab_gwalk nw;

	mutex_lock(&vcpu->vm->mmu_lock);
	hvlab_gwalk(&nctx, gpa, HVLAB_ACC_USER, &nw);
	mutex_unlock(&vcpu->vm->mmu_lock);
	t->shadow = 0;
	t->second_steps = nw.nsteps;
	hvlab_walk_copy_steps(t->second, nw.steps, nw.nsteps);
	if (nw.status == HVLAB_GW_OK) {
		t->hpa = nw.gpa;
		return;
	}
	t->hpa = 0;
	t->fault = HVLAB_WALK_EPT_FAULT;
	t->fault_level = nw.fault_level;
}

int hv_translate(struct hv_vcpu *vcpu, void __user *uarg)
{
	struct hvlab_translation t;
	struct hvlab_pmem gmem, hmem = { .read = hv_read_own_table };
	struct hvlab_gwalk_ctx gctx;
	struct hvlab_ept_ctx ectx = { .eptp = vcpu->vm->eptp, .mem = &hmem };
	struct hvlab_gwalk gw;
	struct hvlab_ept_walk ew;
	u64 gva;

	if (copy_from_user(&gva, uarg, sizeof(gva)))
		return -EFAULT;
	hv_guest_paging(vcpu, &gmem, &gctx);
	hvlab_gwalk(&gctx, gva, HVLAB_ACC_READ, &gw);
	memset(&t, 0, sizeof(t));
	hvlab_gwalk_to_translation(&gw, &t);
	if (gw.status == HVLAB_GW_OK && vcpu->paging->translate) {
		/* second stage = hvlab's shadow entry for the same GVA */
		if (vcpu->paging->translate(vcpu, gva, &t))
			t.fault = HVLAB_WALK_NO_SLOT;
	} else if (gw.status == HVLAB_GW_OK) {
		/* show the frame the guest will really use: map it if needed */
		if (hv_ept_fault(vcpu, gw.gpa, false) <= 0) {
			t.fault = HVLAB_WALK_NO_SLOT;
		} else if (hv_ops->npt) {
			npt_walk(vcpu, gw.gpa, &t);
		} else {
			mutex_lock(&vcpu->vm->mmu_lock);
			hvlab_ept_walk(&ectx, gw.gpa, HVLAB_EPT_ACC_READ, &ew);
			mutex_unlock(&vcpu->vm->mmu_lock);
			hvlab_ept_walk_to_translation(&ew, &t);
		}
	}
	t.shadow = vcpu->shadow;
	return copy_to_user(uarg, &t, sizeof(t)) ? -EFAULT : 0;
}
