// SPDX-License-Identifier: GPL-2.0
/*
 * pure_walk.c - the guest page-table walker (GVA -> GPA), pure logic.
 *
 * This is what the CPU does on a TLB miss, written out so that a student can
 * follow it and so that the hypervisor can do it for the guest: the shadow
 * pager walks the guest's tables on every shadow miss, and the translation
 * inspector (HVLAB_TRANSLATE, `hvlab run --walk`) shows each step.
 *
 * The modes (SDM Vol. 3 4.1.1): CR0.PG=0 no paging; CR4.PAE=0 32-bit paging
 * (two levels of 4-byte entries, 4 MiB pages with CR4.PSE, PSE-36); PAE
 * (four PDPTEs, then two levels, 2 MiB pages); EFER.LMA=1 4-level paging, or
 * 5-level with CR4.LA57 (2 MiB and 1 GiB pages).
 *
 * Invariants:
 *  - Memory is touched only through ctx->mem; a table address the callback
 *    refuses ends the walk with HVLAB_GW_MEM_ERROR, never a stray access.
 *  - At most one entry is read per level, so any table contents terminate,
 *    including tables that point at themselves; a restart happens only when
 *    an A/D compare-exchange loses a race, at most HVLAB_GW_MAX_TRIES times.
 *  - Faults follow the SDM's order: per level, top down, "not present" and
 *    then "reserved bit set" (both stop the walk); the access rights are
 *    checked once the leaf is reached, over the combined rights of all levels
 *    (4.6).  The error code is built from the access as 4.7 says.
 *  - A/D bits are written only for a walk that succeeds, as KVM does: A in
 *    every entry used (PAE PDPTEs have none), D in the leaf for a write.  A
 *    walk that faults changes nothing.
 *  - The guest's own permission bits are reported, never widened: the caller
 *    decides what a shadow entry may allow (pure_shadow.c).
 */
#include <linux/types.h>
#include <uapi/hvlab.h>
#include "pure_walk.h"

#define HVLAB_GW_MAX_TRIES	4

static __u64 mask64(unsigned int hi, unsigned int lo)
{
	if (hi < lo || lo > 63)
		return 0;
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static unsigned int maxphy(const struct hvlab_gwalk_ctx *c)
{
	if (c->maxphyaddr == 0 || c->maxphyaddr > 52)
		return 52;
	if (c->maxphyaddr < 32)
		return 32;
	return c->maxphyaddr;
}

int hvlab_paging_mode(__u64 cr0, __u64 cr4, __u64 efer)
{
	if (!(cr0 & HVLAB_CR0_PG))
		return HVLAB_PG_OFF;
	if (efer & HVLAB_EFER_LMA) {
		/* long mode requires PAE (SDM Vol. 3 9.8.5) */
		if (!(cr4 & HVLAB_CR4_PAE))
			return HVLAB_PG_INVALID;
		return (cr4 & HVLAB_CR4_LA57) ? HVLAB_PG_5LEVEL :
						HVLAB_PG_4LEVEL;
	}
	return (cr4 & HVLAB_CR4_PAE) ? HVLAB_PG_PAE : HVLAB_PG_32;
}

/* Bit position of the lowest address bit a level's index translates. */
static unsigned int level_shift(int mode, unsigned int level)
{
	if (mode == HVLAB_PG_32)
		return level == 2 ? 22 : 12;
	return 12 + 9 * (level - 1);
}

/* LAB 5: BEGIN pt_index */
unsigned int hvlab_pt_index(int mode, unsigned int level, __u64 va)
{
	unsigned int shift = level_shift(mode, level);

	if (mode == HVLAB_PG_32)
		return (va >> shift) & 0x3ff;
	if (mode == HVLAB_PG_PAE && level == 3)
		return (va >> 30) & 0x3;
	return (va >> shift) & 0x1ff;
}
/* LAB 5: END pt_index */

/* Does this present entry map a page (rather than point to a table)? */
static int is_leaf(int mode, unsigned int level, __u64 e, __u64 cr4)
{
	if (level == 1)
		return 1;
	if (level == 2 && (e & HVLAB_PTE_PS))
		return mode != HVLAB_PG_32 || (cr4 & HVLAB_CR4_PSE);
	if (level == 3 && mode >= HVLAB_PG_4LEVEL)
		return !!(e & HVLAB_PTE_PS);
	return 0;
}

/*
 * Bits that must be 0 in a present entry, per SDM Vol. 3 tables 4-4..4-6
 * (32-bit), 4-8..4-11 (PAE) and 4-14..4-20 (4/5-level).
 */
static __u64 rsvd_mask(const struct hvlab_gwalk_ctx *c, int mode,
		       unsigned int level, __u64 e)
{
	unsigned int m = maxphy(c);
	int nx = !!(c->efer & HVLAB_EFER_NXE);
	unsigned int mm;
	__u64 r;

	switch (mode) {
	case HVLAB_PG_32:
		if (level == 2 && (e & HVLAB_PTE_PS) &&
		    (c->cr4 & HVLAB_CR4_PSE)) {
			/* PSE-36: bits (M-19):13 hold address bits (M-1):32 */
			mm = (c->flags & HVLAB_GW_PSE36) ? (m < 40 ? m : 40) : 32;
			return mask64(21, mm - 19);
		}
		return 0;
	case HVLAB_PG_PAE:
		if (level == 3)
			return mask64(63, m) | mask64(8, 5) | mask64(2, 1);
		r = mask64(62, m);
		if (!nx)
			r |= HVLAB_PTE_XD;
		if (level == 2 && (e & HVLAB_PTE_PS))
			r |= mask64(20, 13);
		return r;
	default:
		r = mask64(51, m);
		if (!nx)
			r |= HVLAB_PTE_XD;
		if (level >= 4)
			r |= HVLAB_PTE_PS;
		else if (level == 3 && (e & HVLAB_PTE_PS))
			r |= (c->flags & HVLAB_GW_NO_1G) ? HVLAB_PTE_PS :
							   mask64(29, 13);
		else if (level == 2 && (e & HVLAB_PTE_PS))
			r |= mask64(20, 13);
		return r;
	}
}

/* Physical address an entry holds (table, or page frame of a leaf). */
static __u64 entry_addr(int mode, unsigned int level, __u64 e, int leaf)
{
	if (mode == HVLAB_PG_32) {
		if (level == 2 && leaf)
			return (e & 0xffc00000ULL) | (((e >> 13) & 0xff) << 32);
		return e & 0xfffff000ULL;
	}
	if (leaf)
		return e & mask64(51, level_shift(mode, level));
	return e & mask64(51, 12);
}

static __u32 pf_error(const struct hvlab_gwalk_ctx *c, int mode,
		      unsigned int access, __u32 why)
{
	__u32 ec = why | (access & (HVLAB_PFERR_W | HVLAB_PFERR_U));

	/* I/D is reported only when XD or SMEP is in force (SDM 4.7) */
	if ((access & HVLAB_ACC_FETCH) &&
	    ((c->cr4 & HVLAB_CR4_SMEP) ||
	     (mode >= HVLAB_PG_PAE && (c->efer & HVLAB_EFER_NXE))))
		ec |= HVLAB_PFERR_I;
	return ec;
}

static int walk_fault(struct hvlab_gwalk *w, __u32 ec, unsigned int level)
{
	w->status = HVLAB_GW_PAGE_FAULT;
	w->error_code = ec;
	w->fault_level = level;
	return w->status;
}

static void walk_reset(const struct hvlab_gwalk_ctx *c, __u64 gva, int mode,
		       struct hvlab_gwalk *w)
{
	w->status = HVLAB_GW_OK;
	w->mode = mode;
	w->gva = gva;
	w->gpa = 0;
	w->error_code = 0;
	w->fault_level = 0;
	w->page_shift = 12;
	w->perm = 0;
	w->dirty = 0;
	w->wp = !!(c->cr0 & HVLAB_CR0_WP);
	w->nxe = !!(c->efer & HVLAB_EFER_NXE);
	w->leaf = 0;
	w->nsteps = 0;
}

/*
 * Access rights over the whole walk (SDM Vol. 3 4.6).  Returns 0 if the
 * access is allowed, else the level to blame (the topmost entry that denies
 * it; the leaf for SMEP/SMAP, which depend on all levels together).
 */
static unsigned int check_rights(const struct hvlab_gwalk_ctx *c,
				 struct hvlab_gwalk *w, unsigned int access)
{
	unsigned int first_ro = 0, first_sup = 0, first_xd = 0, i;
	unsigned int leaf_level = w->steps[w->nsteps - 1].level;
	int pdpte_pae;
	__u64 e;

	for (i = 0; i < w->nsteps; i++) {
		e = w->steps[i].entry;
		/* PAE PDPTEs carry no R/W, U/S or XD bits */
		pdpte_pae = w->mode == HVLAB_PG_PAE && w->steps[i].level == 3;
		if (pdpte_pae)
			continue;
		if (!(e & HVLAB_PTE_W) && !first_ro)
			first_ro = w->steps[i].level;
		if (!(e & HVLAB_PTE_U) && !first_sup)
			first_sup = w->steps[i].level;
		if (w->nxe && (e & HVLAB_PTE_XD) && !first_xd)
			first_xd = w->steps[i].level;
	}
	w->perm = (first_ro ? 0 : HVLAB_PERM_W) |
		  (first_sup ? 0 : HVLAB_PERM_U) |
		  (first_xd ? 0 : HVLAB_PERM_X);

	if (access & HVLAB_ACC_USER) {
		if (first_sup)
			return first_sup;
		if ((access & HVLAB_ACC_WRITE) && first_ro)
			return first_ro;
		if ((access & HVLAB_ACC_FETCH) && first_xd)
			return first_xd;
		return 0;
	}
	/* supervisor-mode access */
	if (access & HVLAB_ACC_FETCH) {
		if (first_xd)
			return first_xd;
		if ((c->cr4 & HVLAB_CR4_SMEP) && !first_sup)
			return leaf_level;
		return 0;
	}
	if ((c->cr4 & HVLAB_CR4_SMAP) && !first_sup &&
	    (!(access & HVLAB_ACC_AC) || (access & HVLAB_ACC_IMPLICIT)))
		return leaf_level;
	if ((access & HVLAB_ACC_WRITE) && first_ro && w->wp)
		return first_ro;
	return 0;
}

/*
 * Sets A in every entry used and D in the leaf for a write.  Returns 0 when
 * done, 1 when an entry changed under us (walk again), -1 on a memory error.
 */
static int update_ad(const struct hvlab_gwalk_ctx *c, struct hvlab_gwalk *w,
		     unsigned int access)
{
	unsigned int i, size = w->mode == HVLAB_PG_32 ? 4 : 8;
	struct hvlab_gwalk_step *s;
	__u64 want;
	int rc;

	for (i = 0; i < w->nsteps; i++) {
		s = &w->steps[i];
		if (w->mode == HVLAB_PG_PAE && s->level == 3)
			continue;
		want = s->entry | HVLAB_PTE_A;
		if (i == w->nsteps - 1 && (access & HVLAB_ACC_WRITE))
			want |= HVLAB_PTE_D;
		if (want == s->entry)
			continue;
		rc = c->mem->cmpxchg(c->mem->opaque, s->entry_addr, size,
				     s->entry, want);
		if (rc)
			return rc < 0 ? -1 : 1;
		if (i == w->nsteps - 1)
			w->leaf = want;
	}
	return 0;
}

/* LAB 5: BEGIN walk_once */
static int walk_once(const struct hvlab_gwalk_ctx *c, __u64 gva,
		     unsigned int access, struct hvlab_gwalk *w, int mode)
{
	unsigned int level, esize, idx, blame;
	__u64 table, e, ea, rsvd;
	struct hvlab_gwalk_step *s;

	switch (mode) {
	case HVLAB_PG_32:
		table = c->cr3 & 0xfffff000ULL;
		esize = 4;
		break;
	case HVLAB_PG_PAE:
		/* CR3 holds the 32-byte aligned PDPT (SDM 4.4.1) */
		table = c->cr3 & 0xffffffe0ULL;
		esize = 8;
		break;
	default:
		table = c->cr3 & mask64(maxphy(c) - 1, 12);
		esize = 8;
		break;
	}

	for (level = mode; level >= 1; level--) {
		idx = hvlab_pt_index(mode, level, gva);
		ea = table + (__u64)idx * esize;
		if (c->mem->read(c->mem->opaque, ea, esize, &e)) {
			w->status = HVLAB_GW_MEM_ERROR;
			w->fault_level = level;
			return w->status;
		}
		if (esize == 4)
			e &= 0xffffffffULL;
		s = &w->steps[w->nsteps++];
		s->level = level;
		s->table = table;
		s->entry_addr = ea;
		s->entry = e;

		if (!(e & HVLAB_PTE_P))
			return walk_fault(w, pf_error(c, mode, access, 0),
					  level);
		rsvd = rsvd_mask(c, mode, level, e);
		if (e & rsvd) {
			if (mode == HVLAB_PG_PAE && level == 3) {
				/* MOV to CR3 would have raised #GP */
				w->status = HVLAB_GW_BAD_PDPTE;
				w->fault_level = level;
				return w->status;
			}
			return walk_fault(w, pf_error(c, mode, access,
						      HVLAB_PFERR_P |
						      HVLAB_PFERR_RSVD),
					  level);
		}
		if (is_leaf(mode, level, e, c->cr4))
			break;
		table = entry_addr(mode, level, e, 0);
	}

	w->leaf = e;
	w->page_shift = level_shift(mode, level);
	w->gpa = entry_addr(mode, level, e, 1) |
		 (gva & mask64(w->page_shift - 1, 0));
	blame = check_rights(c, w, access);
	if (blame)
		return walk_fault(w, pf_error(c, mode, access, HVLAB_PFERR_P),
				  blame);
	return HVLAB_GW_OK;
}
/* LAB 5: END walk_once */

static int canonical(int mode, __u64 gva)
{
	unsigned int bits = mode == HVLAB_PG_5LEVEL ? 57 : 48;
	__u64 top = gva >> (bits - 1);

	if (mode == HVLAB_PG_4LEVEL || mode == HVLAB_PG_5LEVEL)
		return top == 0 || top == (~0ULL >> (bits - 1));
	/* no paging, 32-bit and PAE paging: linear addresses are 32 bits */
	return (gva >> 32) == 0;
}

int hvlab_gwalk(const struct hvlab_gwalk_ctx *c, __u64 gva,
		unsigned int access, struct hvlab_gwalk *w)
{
	int mode = hvlab_paging_mode(c->cr0, c->cr4, c->efer);
	unsigned int tries;
	int rc;

	walk_reset(c, gva, mode, w);
	if (mode == HVLAB_PG_INVALID) {
		w->status = HVLAB_GW_BAD_MODE;
		return w->status;
	}
	if (!canonical(mode, gva)) {
		w->status = HVLAB_GW_NONCANONICAL;
		return w->status;
	}
	if (mode == HVLAB_PG_OFF) {
		/* no paging: linear = physical, every access allowed */
		w->gpa = gva;
		w->perm = HVLAB_PERM_W | HVLAB_PERM_U | HVLAB_PERM_X;
		w->dirty = 1;
		return w->status;
	}
	for (tries = 0; tries < HVLAB_GW_MAX_TRIES; tries++) {
		walk_reset(c, gva, mode, w);
		if (walk_once(c, gva, access, w, mode) != HVLAB_GW_OK)
			return w->status;
		if (!(c->flags & HVLAB_GW_SET_AD) || !c->mem->cmpxchg)
			rc = 0;
		else
			rc = update_ad(c, w, access);
		if (rc < 0) {
			w->status = HVLAB_GW_MEM_ERROR;
			w->fault_level = w->steps[w->nsteps - 1].level;
			return w->status;
		}
		if (rc == 0) {
			w->dirty = !!(w->leaf & HVLAB_PTE_D);
			return w->status;
		}
	}
	w->status = HVLAB_GW_RETRY;
	return w->status;
}

/*
 * The upper levels are w's: a processor may cache them too (the
 * paging-structure caches, SDM Vol. 3 4.10.3) and translate another
 * address under the same entries by reading only its leaf.  Their A bits
 * were set by w's own walk, so only the leaf's A (and D) may change here.
 */
int hvlab_gwalk_neighbour(const struct hvlab_gwalk_ctx *c,
			  const struct hvlab_gwalk *w, __u64 gva,
			  unsigned int access, struct hvlab_gwalk *out)
{
	unsigned int esize = w->mode == HVLAB_PG_32 ? 4 : 8, i, n = w->nsteps;
	unsigned int level, reach, blame;
	struct hvlab_gwalk_step *s;
	__u64 e, ea;
	int rc;

	walk_reset(c, gva, w->mode, out);
	if (w->status != HVLAB_GW_OK || w->mode == HVLAB_PG_OFF || !n ||
	    n > HVLAB_WALK_MAX_STEPS) {
		out->status = HVLAB_GW_BAD_MODE;	/* not a walk to use */
		return out->status;
	}
	/* the address bits the leaf's table tells apart, and those above */
	level = w->steps[n - 1].level;
	reach = level_shift(w->mode, level) + (w->mode == HVLAB_PG_32 ? 10 : 9);
	if (reach < 64 && ((gva ^ w->gva) >> reach)) {
		out->status = HVLAB_GW_BAD_MODE;	/* not a neighbour */
		return out->status;
	}
	for (i = 0; i + 1 < n; i++) {
		out->steps[i] = w->steps[i];
		if ((c->flags & HVLAB_GW_SET_AD) &&
		    !(w->mode == HVLAB_PG_PAE && w->steps[i].level == 3))
			out->steps[i].entry |= HVLAB_PTE_A;
	}
	out->nsteps = n - 1;
	ea = w->steps[n - 1].table +
	     (__u64)hvlab_pt_index(w->mode, level, gva) * esize;
	if (c->mem->read(c->mem->opaque, ea, esize, &e)) {
		out->status = HVLAB_GW_MEM_ERROR;
		out->fault_level = level;
		return out->status;
	}
	if (esize == 4)
		e &= 0xffffffffULL;
	s = &out->steps[out->nsteps++];
	s->level = level;
	s->table = w->steps[n - 1].table;
	s->entry_addr = ea;
	s->entry = e;
	if (!(e & HVLAB_PTE_P))
		return walk_fault(out, pf_error(c, w->mode, access, 0), level);
	if (e & rsvd_mask(c, w->mode, level, e))
		return walk_fault(out, pf_error(c, w->mode, access,
						HVLAB_PFERR_P |
						HVLAB_PFERR_RSVD), level);
	if (!is_leaf(w->mode, level, e, c->cr4)) {
		out->status = HVLAB_GW_BAD_MODE;	/* the walk goes deeper */
		return out->status;
	}
	out->leaf = e;
	out->page_shift = level_shift(w->mode, level);
	out->gpa = entry_addr(w->mode, level, e, 1) |
		   (gva & mask64(out->page_shift - 1, 0));
	blame = check_rights(c, out, access);
	if (blame)
		return walk_fault(out, pf_error(c, w->mode, access,
						HVLAB_PFERR_P), blame);
	if ((c->flags & HVLAB_GW_SET_AD) && c->mem->cmpxchg) {
		rc = update_ad(c, out, access);
		if (rc) {
			out->status = rc < 0 ? HVLAB_GW_MEM_ERROR :
					       HVLAB_GW_RETRY;
			out->fault_level = level;
			return out->status;
		}
	}
	out->dirty = !!(out->leaf & HVLAB_PTE_D);
	return out->status;
}

void hvlab_walk_copy_steps(struct hvlab_walk_step *dst,
			   const struct hvlab_gwalk_step *src, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && i < HVLAB_WALK_MAX_STEPS; i++) {
		dst[i].level = src[i].level;
		dst[i].pad = 0;
		dst[i].table = src[i].table;
		dst[i].entry = src[i].entry;
	}
}

void hvlab_gwalk_to_translation(const struct hvlab_gwalk *w,
				struct hvlab_translation *t)
{
	t->gva = w->gva;
	t->gpa = w->status == HVLAB_GW_OK ? w->gpa : 0;
	t->paging_mode = w->mode < 0 ? 0 : w->mode;
	t->guest_steps = w->nsteps;
	hvlab_walk_copy_steps(t->guest, w->steps, w->nsteps);
	if (w->status == HVLAB_GW_OK) {
		t->fault = HVLAB_WALK_OK;
		t->fault_level = 0;
	} else {
		/* a table outside guest memory is reported like a GPA miss */
		t->fault = w->status == HVLAB_GW_MEM_ERROR ?
			   HVLAB_WALK_NO_SLOT : HVLAB_WALK_GUEST_FAULT;
		t->fault_level = w->fault_level;
	}
}
