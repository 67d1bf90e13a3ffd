// SPDX-License-Identifier: GPL-2.0
/*
 * pure_ept.c - the EPT walker and the EPT entry builders, pure logic.
 *
 * With EPT the CPU translates twice: the guest's own tables turn a GVA into
 * a GPA (pure_walk.c), then the hypervisor's EPT turns every GPA - the final
 * one and each guest table the first walk reads - into an HPA.  This file is
 * the second stage as the CPU performs it (SDM Vol. 3 29.3), so the
 * inspector can show it and the tests can state what the hardware would do.
 *
 * Invariants:
 *  - Host memory is touched only through ctx->mem (reads, and A/D
 *    compare-exchange); the builders also use mem->write and
 *    mem->alloc_table.  A refused address gives HVLAB_EPT_MEM_ERROR.
 *  - One entry per level, at most five levels: every walk terminates.
 *  - Order of checks per level, as the CPU does them: an entry with bits
 *    2:0 = 0 is not present (EPT violation; its other bits are ignored);
 *    a present entry is then checked for misconfiguration (W without R,
 *    execute-only without support, reserved bits, memory type 2/3/7 in a
 *    leaf - 29.3.3.1); the access rights, ANDed over all levels, are checked
 *    once the leaf is reached.
 *  - The exit qualification is built exactly as table 28-7 says: bits 2:0
 *    the access, bits 5:3 the AND of bits 2:0 of every entry used (up to and
 *    including a not-present one), bits 8:7 copied from the access.
 *  - The builders only ever produce entries this walker accepts: WB leaves,
 *    RWX tables, no reserved bit set.
 */
#include <linux/types.h>
#include <uapi/hvlab.h>
#include "pure_walk.h"
#include "pure_ept.h"

static __u64 mask64(unsigned int hi, unsigned int lo)
{
	if (hi < lo || lo > 63)
		return 0;
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static unsigned int maxphy(unsigned int m)
{
	if (m == 0 || m > 52)
		return 52;
	return m < 32 ? 32 : m;
}

int hvlab_eptp_valid(__u64 eptp, unsigned int maxphyaddr)
{
	unsigned int mt = eptp & 7, walk = (eptp >> 3) & 7;

	if (mt != HVLAB_MT_UC && mt != HVLAB_MT_WB)
		return 0;
	if (walk != 3 && walk != 4)
		return 0;
	return !(eptp & (mask64(11, 7) | mask64(63, maxphy(maxphyaddr))));
}

static int ept_is_leaf(__u64 e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) &&
			      (e & HVLAB_EPT_PS));
}

int hvlab_ept_misconfigured(__u64 e, unsigned int level,
			    unsigned int maxphyaddr, unsigned int flags)
{
	unsigned int rwx = e & 7, mt;
	__u64 rsvd = mask64(51, maxphy(maxphyaddr));

	if (rwx == 0)
		return 0;		/* not present: everything else ignored */
	if ((rwx & 3) == 2)
		return 1;		/* writable but not readable */
	if (rwx == 4 && (flags & HVLAB_EPTF_NO_EXEC_ONLY))
		return 1;
	if (level >= 4) {
		rsvd |= mask64(7, 3);
	} else if (level == 3 || level == 2) {
		if (e & HVLAB_EPT_PS) {
			if (level == 3 && (flags & HVLAB_EPTF_NO_1G))
				return 1;
			if (level == 2 && (flags & HVLAB_EPTF_NO_2M))
				return 1;
			rsvd |= level == 3 ? mask64(29, 12) : mask64(20, 12);
		} else {
			rsvd |= mask64(7, 3);
		}
	}
	if (e & rsvd)
		return 1;
	if (ept_is_leaf(e, level)) {
		mt = (e >> HVLAB_EPT_MT_SHIFT) & 7;
		if (mt == 2 || mt == 3 || mt == 7)
			return 1;
	}
	return 0;
}

static int ept_fail(struct hvlab_ept_walk *w, int status, unsigned int level)
{
	w->status = status;
	w->fault_level = level;
	return status;
}

static int ept_update_ad(const struct hvlab_ept_ctx *c,
			 struct hvlab_ept_walk *w, unsigned int access)
{
	struct hvlab_gwalk_step *s;
	unsigned int i;
	__u64 want;
	int rc;

	for (i = 0; i < w->nsteps; i++) {
		s = &w->steps[i];
		want = s->entry | HVLAB_EPT_A;
		if (i == w->nsteps - 1 && (access & HVLAB_EPT_ACC_WRITE))
			want |= HVLAB_EPT_D;
		if (want == s->entry)
			continue;
		rc = c->mem->cmpxchg(c->mem->opaque, s->entry_addr, 8,
				     s->entry, want);
		if (rc)
			return rc < 0 ? -1 : 1;
	}
	return 0;
}

/* LAB 6: BEGIN ept_walk */
static int ept_walk_once(const struct hvlab_ept_ctx *c, __u64 gpa,
			 unsigned int access, struct hvlab_ept_walk *w)
{
	unsigned int levels = ((c->eptp >> 3) & 7) + 1;
	unsigned int m = maxphy(c->maxphyaddr);
	unsigned int level, deny = 0, shift;
	__u64 table = c->eptp & mask64(m - 1, 12), e = 0, ea;
	struct hvlab_gwalk_step *s;

	w->perm = HVLAB_EPT_RWX;
	for (level = levels; level >= 1; level--) {
		ea = table + (__u64)hvlab_ept_index(gpa, level) * 8;
		if (c->mem->read(c->mem->opaque, ea, 8, &e))
			return ept_fail(w, HVLAB_EPT_MEM_ERROR, level);
		s = &w->steps[w->nsteps++];
		s->level = level;
		s->table = table;
		s->entry_addr = ea;
		s->entry = e;
		w->perm &= e & HVLAB_EPT_RWX;
		if ((e & HVLAB_EPT_RWX) == 0) {
			deny = level;
			break;
		}
		if (hvlab_ept_misconfigured(e, level, m, c->flags))
			return ept_fail(w, HVLAB_EPT_MISCONFIG, level);
		/* the topmost entry that withholds a right is to blame */
		if (!deny && (((access & HVLAB_EPT_ACC_READ) &&
			       !(e & HVLAB_EPT_R)) ||
			      ((access & HVLAB_EPT_ACC_WRITE) &&
			       !(e & HVLAB_EPT_W)) ||
			      ((access & HVLAB_EPT_ACC_FETCH) &&
			       !(e & HVLAB_EPT_X))))
			deny = level;
		if (ept_is_leaf(e, level))
			break;
		table = e & mask64(m - 1, 12);
	}
	if (deny) {
		w->qual = (access & (HVLAB_EPT_ACC_READ | HVLAB_EPT_ACC_WRITE |
				     HVLAB_EPT_ACC_FETCH)) |
			  ((__u64)w->perm << 3);
		if (access & HVLAB_EPT_ACC_GLA_VALID)
			w->qual |= HVLAB_EPTQ_GLA_VALID |
				   (access & HVLAB_EPT_ACC_GLA_FINAL);
		return ept_fail(w, HVLAB_EPT_VIOLATION, deny);
	}
	shift = 12 + 9 * (level - 1);
	w->page_shift = shift;
	w->hpa = (e & mask64(m - 1, shift)) | (gpa & mask64(shift - 1, 0));
	w->memtype = (e >> HVLAB_EPT_MT_SHIFT) & 7;
	w->ipat = !!(e & HVLAB_EPT_IPAT);
	return HVLAB_EPT_OK;
}
/* LAB 6: END ept_walk */

int hvlab_ept_walk(const struct hvlab_ept_ctx *c, __u64 gpa,
		   unsigned int access, struct hvlab_ept_walk *w)
{
	unsigned int tries;
	int rc;

	for (tries = 0; tries < 4; tries++) {
		w->status = HVLAB_EPT_OK;
		w->gpa = gpa;
		w->hpa = 0;
		w->qual = 0;
		w->fault_level = 0;
		w->page_shift = 12;
		w->perm = 0;
		w->memtype = 0;
		w->ipat = 0;
		w->nsteps = 0;
		if (!hvlab_eptp_valid(c->eptp, c->maxphyaddr))
			return ept_fail(w, HVLAB_EPT_BAD_EPTP, 0);
		/* GPAs are limited by MAXPHYADDR like any physical address */
		if (gpa & mask64(63, maxphy(c->maxphyaddr)))
			return ept_fail(w, HVLAB_EPT_MEM_ERROR, 0);
		if (ept_walk_once(c, gpa, access, w) != HVLAB_EPT_OK)
			return w->status;
		if (!(c->eptp & HVLAB_EPTP_AD) || !c->mem->cmpxchg)
			return w->status;
		rc = ept_update_ad(c, w, access);
		if (rc < 0)
			return ept_fail(w, HVLAB_EPT_MEM_ERROR,
					w->steps[w->nsteps - 1].level);
		if (rc == 0)
			return w->status;
	}
	return ept_fail(w, HVLAB_EPT_MEM_ERROR, 0);
}

void hvlab_ept_walk_to_translation(const struct hvlab_ept_walk *w,
				   struct hvlab_translation *t)
{
	t->shadow = 0;
	t->second_steps = w->nsteps;
	hvlab_walk_copy_steps(t->second, w->steps, w->nsteps);
	if (w->status == HVLAB_EPT_OK) {
		t->hpa = w->hpa;
		return;
	}
	t->hpa = 0;
	t->fault = HVLAB_WALK_EPT_FAULT;
	t->fault_level = w->fault_level;
}

__u64 hvlab_ept_make_eptp(__u64 pml4_hpa, int ad)
{
	return (pml4_hpa & mask64(51, 12)) | HVLAB_EPTP_MT_WB |
	       HVLAB_EPTP_WALK_4 | (ad ? HVLAB_EPTP_AD : 0);
}

__u64 hvlab_ept_table_entry(__u64 table_hpa)
{
	/* rights in a non-leaf entry limit the whole subtree: give all */
	return (table_hpa & mask64(51, 12)) | HVLAB_EPT_RWX;
}

__u64 hvlab_ept_leaf(__u64 hpa, unsigned int level, unsigned int perm)
{
	unsigned int shift = 12 + 9 * (level - 1);
	__u64 e;

	if (level < 1 || level > 3)
		return 0;
	e = (hpa & mask64(51, shift)) | (perm & HVLAB_EPT_RWX) |
	    ((__u64)HVLAB_MT_WB << HVLAB_EPT_MT_SHIFT);
	/* W without R is a misconfiguration: never build one */
	if ((e & HVLAB_EPT_W) && !(e & HVLAB_EPT_R))
		e |= HVLAB_EPT_R;
	if (level > 1)
		e |= HVLAB_EPT_PS;
	return e;
}

unsigned int hvlab_ept_index(__u64 gpa, unsigned int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & 0x1ff;
}

int hvlab_ept_map(const struct hvlab_pmem *mem, __u64 pml4_hpa, __u64 gpa,
		  __u64 leaf, unsigned int level)
{
	__u64 table = pml4_hpa & mask64(51, 12), ea, e, t;
	unsigned int l;

	if (level < 1 || level > 3 || !mem->write)
		return -1;
	for (l = 4; l > level; l--) {
		ea = table + (__u64)hvlab_ept_index(gpa, l) * 8;
		if (mem->read(mem->opaque, ea, 8, &e))
			return -1;
		if ((e & HVLAB_EPT_RWX) == 0) {
			if (!mem->alloc_table || mem->alloc_table(mem->opaque, &t))
				return -1;
			e = hvlab_ept_table_entry(t);
			if (mem->write(mem->opaque, ea, 8, e))
				return -1;
		} else if (ept_is_leaf(e, l)) {
			return -2;
		}
		table = e & mask64(51, 12);
	}
	ea = table + (__u64)hvlab_ept_index(gpa, level) * 8;
	return mem->write(mem->opaque, ea, 8, leaf) ? -1 : 0;
}
