// SPDX-License-Identifier: GPL-2.0
/*
 * pure_shadow.c - the rules of shadow paging, pure logic.
 *
 * Without EPT the CPU knows one translation only, the one in the real CR3.
 * In shadow mode the hypervisor points the real CR3 at tables of its own -
 * the shadow tables - that map guest-virtual addresses straight to host
 * frames: the guest touches VA 0x1000, its own tables say GPA 0x2000, the
 * memory slot says that GPA lives in some host frame, and the shadow PTE for
 * 0x1000 holds that host frame.  The guest still reads its own CR3 (the
 * CR3 read shadow), and every #PF comes to the hypervisor first.
 *
 * Invariants (the module's shadow.c keeps them using these functions):
 *  1. A shadow PTE never grants more than the guest's tables do for the
 *     same GVA, nor more than the memory slot allows (hvlab_shadow_pte).
 *     It may grant less: then the access faults, the hypervisor walks the
 *     guest tables, finds the access allowed and fills (HVLAB_SPF_FILL).
 *  2. Guest A/D bits are truthful: a shadow PTE exists only after a guest
 *     walk set A on every level, and it is writable only once the guest
 *     leaf has D set - the first write faults and sets D.
 *  3. A #PF the guest's own tables explain is reflected to the guest with
 *     the error code the CPU would have given and CR2 = the GVA; every other
 *     #PF is the hypervisor's business and the guest never sees it.
 *  4. A cached shadow root is valid only while no guest page-table page it
 *     was built from has been written.  Its slot lists those pages exactly
 *     (hvlab_sroot_note_table); they are mapped read-only in every shadow
 *     (hvlab_shadow_write_protect when a page first becomes tracked,
 *     HVLAB_SPTE_RO when a mapping is filled), so a guest write to one is a
 *     #PF, HVLAB_SPF_PT_WRITE.  Each use of a page is noted with its place
 *     (hvlab_sroot_note_use: level and base GVA), so once the write is
 *     done hvlab_sroot_table_written names the GVA ranges whose guest
 *     entries changed, for every root using the page, and the caller
 *     clears them (hvlab_shadow_zap_range): the roots stay kept.  Where
 *     that cannot be done, hvlab_sroot_invalidate_gfn frees every other
 *     root built from the page and unsyncs the loaded one: it stays
 *     correct by the architecture's own rule (a changed entry counts after
 *     INVLPG or a CR3 write) and is dropped when left.
 *  5. The root cache is fixed-size (HVLAB_SROOT_SLOTS), least recently
 *     used out first; the caller frees a slot's root exactly when it gives
 *     the slot away (victim, invalidate, drop), so no root leaks.
 */
#include <linux/types.h>
#include <uapi/hvlab.h>
#include "pure_walk.h"
#include "pure_shadow.h"

static __u64 mask64(unsigned int hi, unsigned int lo)
{
	if (hi < lo || lo > 63)
		return 0;
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static __u64 width_mask(unsigned int width)
{
	return width >= 64 ? ~0ULL : (1ULL << width) - 1;
}

__u64 hvlab_shadow_pte(const struct hvlab_gwalk *w, __u64 hpa,
		       unsigned int access, unsigned int flags)
{
	__u64 e = (hpa & mask64(51, 12)) | HVLAB_PTE_P | HVLAB_PTE_A |
		  HVLAB_PTE_D;
	int writable = (w->perm & HVLAB_PERM_W) && w->dirty;
	int user = !!(w->perm & HVLAB_PERM_U);

	/*
	 * Guest CR0.WP=0 lets the kernel write read-only pages; the real
	 * CR0.WP stays 1, so the shadow says "kernel page, writable" and a
	 * later user access faults and gets the user view back (as KVM).
	 */
	if (!(w->perm & HVLAB_PERM_W) && !w->wp &&
	    (access & HVLAB_ACC_WRITE) && !(access & HVLAB_ACC_USER)) {
		writable = 1;
		user = 0;
	}
	if (flags & HVLAB_SPTE_RO)
		writable = 0;
	if (writable)
		e |= HVLAB_PTE_W;
	if (user)
		e |= HVLAB_PTE_U;
	if (!(w->perm & HVLAB_PERM_X) && (flags & HVLAB_SPTE_NX))
		e |= HVLAB_PTE_XD;
	/* the guest's caching attributes: PWT, PCD and PAT (moved to bit 7) */
	if (w->mode != HVLAB_PG_OFF) {
		e |= w->leaf & (HVLAB_PTE_PWT | HVLAB_PTE_PCD);
		if (w->page_shift == 12 ? (w->leaf & HVLAB_PTE_PS) :
					  (w->leaf & HVLAB_PTE_PAT_LARGE))
			e |= HVLAB_PTE_PS;
	}
	return e;
}

__u64 hvlab_shadow_table_entry(__u64 table_hpa, int pae_pdpte)
{
	__u64 e = (table_hpa & mask64(51, 12)) | HVLAB_PTE_P;

	/* PAE PDPTE bits 2:1 and 8:5 are reserved (SDM Vol. 3 table 4-8) */
	if (!pae_pdpte)
		e |= HVLAB_PTE_W | HVLAB_PTE_U | HVLAB_PTE_A;
	return e;
}

/* LAB 7: BEGIN shadow_fault */
int hvlab_shadow_page_fault(const struct hvlab_gwalk_ctx *g,
			    const struct hvlab_slots *slots,
			    const struct hvlab_sroot_cache *cache,
			    __u64 gva, __u32 hw_error, unsigned int spte_flags,
			    struct hvlab_spf *out)
{
	unsigned int access = hw_error & (HVLAB_ACC_WRITE | HVLAB_ACC_USER |
					  HVLAB_ACC_FETCH | HVLAB_ACC_AC |
					  HVLAB_ACC_IMPLICIT);
	unsigned int flags = spte_flags & HVLAB_SPTE_NX;
	__u64 hpa = 0;
	int ro = 0;

	out->gva = gva;
	out->gpa = 0;
	out->hpa = 0;
	out->spte = 0;
	out->error_code = 0;
	out->cr2 = 0;
	switch (hvlab_gwalk(g, gva, access, &out->walk)) {
	case HVLAB_GW_OK:
		break;
	case HVLAB_GW_PAGE_FAULT:
		/* the guest's own tables forbid it: the guest's fault */
		out->action = HVLAB_SPF_REFLECT;
		out->error_code = out->walk.error_code;
		out->cr2 = gva;
		return out->action;
	case HVLAB_GW_RETRY:
		out->action = HVLAB_SPF_RETRY;
		return out->action;
	default:
		out->action = HVLAB_SPF_ERROR;
		return out->action;
	}
	out->gpa = out->walk.gpa;
	if (slots->gpa_to_hpa(slots->opaque, out->gpa, &hpa, &ro) ||
	    (ro && (access & HVLAB_ACC_WRITE))) {
		/* not RAM (or RAM the guest may not write): emulate it */
		out->action = HVLAB_SPF_MMIO;
		return out->action;
	}
	out->hpa = hpa;
	if (ro)
		flags |= HVLAB_SPTE_RO;
	if (cache && hvlab_sroot_tracks_gfn(cache, out->gpa >> 12)) {
		if (access & HVLAB_ACC_WRITE) {
			/* spte is what to install once the roots are dropped */
			out->spte = hvlab_shadow_pte(&out->walk, hpa, access,
						     flags);
			out->action = HVLAB_SPF_PT_WRITE;
			return out->action;
		}
		flags |= HVLAB_SPTE_RO;
	}
	out->spte = hvlab_shadow_pte(&out->walk, hpa, access, flags);
	out->action = HVLAB_SPF_FILL;
	return out->action;
}
/* LAB 7: END shadow_fault */

/*
 * hvlab_shadow_page_fault's answer for a read that w, a successful walk,
 * allows: the spte, or 0 for no RAM (an MMIO page is never prefetched).
 */
static __u64 read_spte(const struct hvlab_slots *slots,
		       const struct hvlab_sroot_cache *cache,
		       const struct hvlab_gwalk *w, unsigned int access,
		       unsigned int spte_flags)
{
	unsigned int flags = spte_flags & HVLAB_SPTE_NX;
	__u64 hpa;
	int ro;

	if (slots->gpa_to_hpa(slots->opaque, w->gpa, &hpa, &ro))
		return 0;
	if (ro || (cache && hvlab_sroot_tracks_gfn(cache, w->gpa >> 12)))
		flags |= HVLAB_SPTE_RO;
	return hvlab_shadow_pte(w, hpa, access, flags);
}

int hvlab_shadow_prefetch(const struct hvlab_gwalk_ctx *g,
			  const struct hvlab_slots *slots,
			  const struct hvlab_sroot_cache *cache,
			  const struct hvlab_gwalk *w, __u32 hw_error,
			  unsigned int spte_flags, unsigned int n,
			  int (*install)(void *opaque, __u64 gva,
					  __u64 gpa, __u64 spte),
			  void *opaque)
{
	unsigned int access = hw_error & HVLAB_ACC_USER, i;
	struct hvlab_gwalk nb;
	__u64 first, gva, spte;
	int done = 0;

	if (w->status != HVLAB_GW_OK || w->page_shift != 12 || n < 2 ||
	    n > 512 || (n & (n - 1)))
		return 0;
	first = (w->gva >> 12 & ~(__u64)(n - 1)) << 12;
	for (i = 0; i < n; i++) {
		gva = first + ((__u64)i << 12);
		if (gva == (w->gva & ~0xfffULL))
			continue;
		/* the group lies in w's leaf table: only the leaf is read */
		if (hvlab_gwalk_neighbour(g, w, gva, access, &nb) !=
		    HVLAB_GW_OK)
			continue;
		spte = read_spte(slots, cache, &nb, access, spte_flags);
		if (spte && install(opaque, gva, nb.gpa, spte) > 0)
			done++;
	}
	return done;
}

static int shadow_mode(unsigned int levels)
{
	switch (levels) {
	case 3:
		return HVLAB_PG_PAE;
	case 4:
		return HVLAB_PG_4LEVEL;
	case 5:
		return HVLAB_PG_5LEVEL;
	default:
		return HVLAB_PG_INVALID;
	}
}

/*
 * Finds the address of the shadow leaf for gva; allocates missing tables
 * when alloc is set.  Returns 0 and *leaf_addr, 1 if a table is missing
 * (and alloc is not set), -1 on an error.
 */
static int shadow_leaf_addr(const struct hvlab_pmem *mem, __u64 root_hpa,
			    unsigned int levels, __u64 gva, int alloc,
			    __u64 *leaf_addr)
{
	int mode = shadow_mode(levels);
	__u64 table = root_hpa & mask64(51, 12), ea, e, t;
	unsigned int l;

	if (mode == HVLAB_PG_INVALID)
		return -1;
	for (l = levels; l > 1; l--) {
		ea = table + (__u64)hvlab_pt_index(mode, l, gva) * 8;
		if (mem->read(mem->opaque, ea, 8, &e))
			return -1;
		if (!(e & HVLAB_PTE_P)) {
			if (!alloc)
				return 1;
			if (!mem->alloc_table || !mem->write ||
			    mem->alloc_table(mem->opaque, &t))
				return -1;
			e = hvlab_shadow_table_entry(t, mode == HVLAB_PG_PAE &&
						     l == 3);
			if (mem->write(mem->opaque, ea, 8, e))
				return -1;
		} else if (l <= 3 && (e & HVLAB_PTE_PS) &&
			   !(mode == HVLAB_PG_PAE && l == 3)) {
			return -1;	/* shadow tables use 4 KiB pages only */
		}
		table = e & mask64(51, 12);
	}
	*leaf_addr = table + (__u64)hvlab_pt_index(mode, 1, gva) * 8;
	return 0;
}

int hvlab_shadow_map(const struct hvlab_pmem *mem, __u64 root_hpa,
		     unsigned int levels, __u64 gva, __u64 spte)
{
	__u64 ea;

	if (!mem->write ||
	    shadow_leaf_addr(mem, root_hpa, levels, gva, 1, &ea) != 0)
		return -1;
	return mem->write(mem->opaque, ea, 8, spte) ? -1 : 0;
}

int hvlab_shadow_map_new(const struct hvlab_pmem *mem, __u64 root_hpa,
			 unsigned int levels, __u64 gva, __u64 spte)
{
	__u64 ea, e;

	if (!mem->write ||
	    shadow_leaf_addr(mem, root_hpa, levels, gva, 1, &ea) != 0 ||
	    mem->read(mem->opaque, ea, 8, &e))
		return -1;
	if (e & HVLAB_PTE_P)
		return 0;
	return mem->write(mem->opaque, ea, 8, spte) ? -1 : 1;
}

int hvlab_shadow_leaf(const struct hvlab_pmem *mem, __u64 root_hpa,
		      unsigned int levels, __u64 gva, __u64 *leaf_addr)
{
	return shadow_leaf_addr(mem, root_hpa, levels, gva, 0, leaf_addr);
}

int hvlab_shadow_zap(const struct hvlab_pmem *mem, __u64 root_hpa,
		     unsigned int levels, __u64 gva)
{
	__u64 ea, e;
	int rc = shadow_leaf_addr(mem, root_hpa, levels, gva, 0, &ea);

	if (rc)
		return rc > 0 ? 0 : -1;
	if (mem->read(mem->opaque, ea, 8, &e))
		return -1;
	if (!(e & HVLAB_PTE_P))
		return 0;
	if (!mem->write || mem->write(mem->opaque, ea, 8, 0))
		return -1;
	return 1;
}

/* Frees the shadow table at `table` (level `level`) and all below it. */
static int free_subtree(const struct hvlab_pmem *mem, __u64 table,
			unsigned int level)
{
	unsigned int i;
	__u64 e;

	for (i = 0; level > 1 && i < 512; i++) {
		if (mem->read(mem->opaque, table + i * 8, 8, &e))
			return -1;
		if ((e & HVLAB_PTE_P) &&
		    free_subtree(mem, e & mask64(51, 12), level - 1))
			return -1;
	}
	if (mem->free_table)
		mem->free_table(mem->opaque, table);
	return 0;
}

/* zap_range within one shadow table of level l; [start, last] inside it */
static int zap_table(const struct hvlab_pmem *mem, int mode, __u64 table,
		     unsigned int l, __u64 start, __u64 last)
{
	__u64 span = 1ULL << (12 + 9 * (l - 1)), a = start, ebase, elast, e;
	unsigned int i;
	int n = 0, r;

	for (;;) {
		i = hvlab_pt_index(mode, l, a);
		ebase = a & ~(span - 1);
		elast = ebase + span - 1;
		if (mem->read(mem->opaque, table + i * 8, 8, &e))
			return -1;
		if (!(e & HVLAB_PTE_P)) {
			/* nothing mapped here */
		} else if (l == 1 || (a == ebase && elast <= last &&
				      !(mode == HVLAB_PG_PAE && l == 3))) {
			/* the whole entry goes, with the tables below it */
			if (l > 1 &&
			    free_subtree(mem, e & mask64(51, 12), l - 1))
				return -1;
			if (mem->write(mem->opaque, table + i * 8, 8, 0))
				return -1;
			n++;
		} else {
			r = zap_table(mem, mode, e & mask64(51, 12), l - 1, a,
				      elast < last ? elast : last);
			if (r < 0)
				return r;
			n += r;
		}
		if (elast >= last)
			return n;
		a = elast + 1;
	}
}

int hvlab_shadow_zap_range(const struct hvlab_pmem *mem, __u64 root_hpa,
			   unsigned int levels, __u64 start, __u64 last)
{
	int mode = shadow_mode(levels);
	__u64 wm = width_mask(levels == 3 ? 32 : levels == 5 ? 57 : 48);

	if (mode == HVLAB_PG_INVALID || !mem->write)
		return -1;
	start &= wm;
	last &= wm;
	if (last < start)
		return 0;
	return zap_table(mem, mode, root_hpa & mask64(51, 12), levels, start,
			 last);
}

int hvlab_shadow_walk(const struct hvlab_pmem *mem, __u64 root_hpa,
		      unsigned int levels, __u64 gva, struct hvlab_gwalk *w)
{
	struct hvlab_gwalk_ctx c = {
		.cr0 = HVLAB_CR0_PG | HVLAB_CR0_WP,
		.cr3 = root_hpa,
		.cr4 = HVLAB_CR4_PAE | (levels == 5 ? HVLAB_CR4_LA57 : 0),
		.efer = HVLAB_EFER_NXE |
			(levels >= 4 ? HVLAB_EFER_LMA | HVLAB_EFER_LME : 0),
		.maxphyaddr = 52,
		.flags = 0,
		.mem = mem,
	};

	/* the shadow tables are ordinary x86 tables: walk them as the CPU */
	return hvlab_gwalk(&c, gva, HVLAB_ACC_READ, w);
}

void hvlab_shadow_walk_to_translation(const struct hvlab_gwalk *w,
				      struct hvlab_translation *t)
{
	t->shadow = 1;
	t->second_steps = w->nsteps;
	hvlab_walk_copy_steps(t->second, w->steps, w->nsteps);
	if (w->status == HVLAB_GW_OK) {
		t->hpa = w->gpa;
		return;
	}
	/* not filled yet: the next access will fault and fill it */
	t->hpa = 0;
	t->fault = HVLAB_WALK_EPT_FAULT;
	t->fault_level = w->fault_level;
}

/* Recursively clear W in leaves mapping frame; level 1 holds the leaves. */
static int wp_table(const struct hvlab_pmem *mem, __u64 table,
		    unsigned int level, unsigned int nent, __u64 frame)
{
	__u64 e;
	unsigned int i;
	int n = 0, r;

	for (i = 0; i < nent; i++) {
		if (mem->read(mem->opaque, table + i * 8, 8, &e))
			return -1;
		if (!(e & HVLAB_PTE_P))
			continue;
		if (level > 1) {
			/* shadow tables use 4 KiB leaves only (shadow_leaf_addr) */
			r = wp_table(mem, e & mask64(51, 12), level - 1, 512,
				     frame);
			if (r < 0)
				return r;
			n += r;
		} else if ((e & HVLAB_PTE_W) && (e & mask64(51, 12)) == frame) {
			if (mem->write(mem->opaque, table + i * 8, 8,
				       e & ~(__u64)HVLAB_PTE_W))
				return -1;
			n++;
		}
	}
	return n;
}

int hvlab_shadow_write_protect(const struct hvlab_pmem *mem, __u64 root_hpa,
			       unsigned int levels, __u64 frame_hpa)
{
	if (shadow_mode(levels) == HVLAB_PG_INVALID || !mem->write)
		return -1;
	/* a PAE-format root holds 4 PDPTEs, the others 512 entries */
	return wp_table(mem, root_hpa & mask64(51, 12), levels,
			levels == 3 ? 4 : 512, frame_hpa & mask64(51, 12));
}

/* ---- the root cache --------------------------------------------------- */

__u32 hvlab_sroot_role(const struct hvlab_gwalk_ctx *g)
{
	int mode = hvlab_paging_mode(g->cr0, g->cr4, g->efer);

	return (__u32)(mode & 7) |
	       (g->cr0 & HVLAB_CR0_WP ? 1u << 3 : 0) |
	       (g->efer & HVLAB_EFER_NXE ? 1u << 4 : 0) |
	       (g->cr4 & HVLAB_CR4_SMEP ? 1u << 5 : 0) |
	       (g->cr4 & HVLAB_CR4_SMAP ? 1u << 6 : 0) |
	       (g->cr4 & HVLAB_CR4_PSE ? 1u << 7 : 0);
}

/* Only the bits that select the top-level table identify a root. */
static __u64 sroot_key(__u64 cr3, __u32 role)
{
	switch (role & 7) {
	case HVLAB_PG_OFF:
		return 0;
	case HVLAB_PG_PAE:
		return cr3 & 0xffffffe0ULL;
	case HVLAB_PG_32:
		return cr3 & 0xfffff000ULL;
	default:
		return cr3 & mask64(51, 12);
	}
}

static void bloom_bits(__u64 gfn, unsigned int *b1, unsigned int *b2)
{
	__u64 h = gfn * 0x9E3779B97F4A7C15ULL;	/* Fibonacci hashing */

	*b1 = (h >> 56) & (HVLAB_SROOT_BLOOM_BITS - 1);
	*b2 = (h >> 40) & (HVLAB_SROOT_BLOOM_BITS - 1);
}

static void bloom_add(struct hvlab_sroot_cache *c, __u64 gfn)
{
	unsigned int b1, b2;

	bloom_bits(gfn, &b1, &b2);
	c->bloom[b1 / 64] |= 1ULL << (b1 % 64);
	c->bloom[b2 / 64] |= 1ULL << (b2 % 64);
}

static int bloom_has(const struct hvlab_sroot_cache *c, __u64 gfn)
{
	unsigned int b1, b2;

	bloom_bits(gfn, &b1, &b2);
	return ((c->bloom[b1 / 64] >> (b1 % 64)) & 1) &&
	       ((c->bloom[b2 / 64] >> (b2 % 64)) & 1);
}

/* A Bloom filter cannot forget: rebuild it when a slot stops tracking. */
static void bloom_rebuild(struct hvlab_sroot_cache *c)
{
	unsigned int i, j;

	for (i = 0; i < HVLAB_SROOT_BLOOM_BITS / 64; i++)
		c->bloom[i] = 0;
	for (i = 0; i < HVLAB_SROOT_SLOTS; i++)
		if (c->e[i].used && c->e[i].synced)
			for (j = 0; j < c->e[i].ntables; j++)
				bloom_add(c, c->e[i].tables[j].gfn);
}

static void sroot_clear(struct hvlab_sroot *s)
{
	s->used = 0;
	s->synced = 0;
	s->cr3 = 0;
	s->role = 0;
	s->ntables = 0;
	s->last_used = 0;
}

void hvlab_sroot_init(struct hvlab_sroot_cache *c)
{
	unsigned int i;

	c->clock = 0;
	c->hits = 0;
	c->misses = 0;
	c->evictions = 0;
	c->invalidations = 0;
	for (i = 0; i < HVLAB_SROOT_SLOTS; i++)
		sroot_clear(&c->e[i]);
	bloom_rebuild(c);
}

static int valid_slot(int slot)
{
	return slot >= 0 && slot < HVLAB_SROOT_SLOTS;
}

int hvlab_sroot_peek(const struct hvlab_sroot_cache *c, __u64 cr3,
		     __u32 role)
{
	__u64 key = sroot_key(cr3, role);
	int i;

	/* the address first: it is what tells slots apart (CR3 fast path) */
	for (i = 0; i < HVLAB_SROOT_SLOTS; i++)
		if (c->e[i].cr3 == key && c->e[i].used && c->e[i].synced &&
		    c->e[i].role == role)
			return i;
	return -1;
}

void hvlab_sroot_touch(struct hvlab_sroot_cache *c, int slot)
{
	if (!valid_slot(slot))
		return;
	c->hits++;
	c->e[slot].last_used = ++c->clock;
}

int hvlab_sroot_lookup(struct hvlab_sroot_cache *c, __u64 cr3, __u32 role)
{
	int i = hvlab_sroot_peek(c, cr3, role);

	if (i < 0) {
		c->misses++;
		return -1;
	}
	hvlab_sroot_touch(c, i);
	return i;
}

int hvlab_sroot_victim(struct hvlab_sroot_cache *c)
{
	int i, victim = 0;

	for (i = 0; i < HVLAB_SROOT_SLOTS; i++) {
		if (!c->e[i].used)
			return i;
		if (c->e[i].last_used < c->e[victim].last_used)
			victim = i;
	}
	c->evictions++;
	return victim;
}

void hvlab_sroot_claim(struct hvlab_sroot_cache *c, int slot, __u64 cr3,
		       __u32 role)
{
	struct hvlab_sroot *s;

	if (!valid_slot(slot))
		return;
	s = &c->e[slot];
	if (s->used)
		hvlab_sroot_drop(c, slot);
	s->used = 1;
	s->synced = 1;
	s->cr3 = sroot_key(cr3, role);
	s->role = role;
	s->ntables = 0;
	s->last_used = ++c->clock;
}

/*
 * The uses of guest page gfn in the synced roots, one at a time: from
 * (*slot, *j) on, the next slot and index whose tables[] entry is that
 * page.  1 with them set, 0 when there is none left.  for_each_use()
 * walks them all; its body may unsync or clear the root it is on (the
 * walk then goes on with the next root), never another.
 */
static int next_use(const struct hvlab_sroot_cache *c, __u64 gfn, int *slot,
		    unsigned int *j)
{
	for (; *slot < HVLAB_SROOT_SLOTS; (*slot)++, *j = 0) {
		const struct hvlab_sroot *s = &c->e[*slot];

		if (!s->used || !s->synced)
			continue;
		for (; *j < s->ntables; (*j)++)
			if (s->tables[*j].gfn == gfn)
				return 1;
	}
	return 0;
}

#define for_each_use(c, gfn, i, j) \
	for ((i) = 0, (j) = 0; next_use((c), (gfn), &(i), &(j)); (j)++)

int hvlab_sroot_tracks_gfn(const struct hvlab_sroot_cache *c, __u64 gfn)
{
	unsigned int j;
	int i;

	if (!bloom_has(c, gfn))	/* the common answer, without a search */
		return 0;
	for_each_use(c, gfn, i, j)
		return 1;
	return 0;
}

static int note(struct hvlab_sroot_cache *c, int slot,
		const struct hvlab_stable *t)
{
	struct hvlab_sroot *s;
	unsigned int j;
	int fresh;

	if (!valid_slot(slot))
		return 0;
	s = &c->e[slot];
	if (!s->used || !s->synced)
		return 0;
	for (j = 0; j < s->ntables; j++)
		if (s->tables[j].gfn == t->gfn && s->tables[j].off == t->off &&
		    s->tables[j].level == t->level &&
		    s->tables[j].base == t->base)
			return 0;
	if (s->ntables == HVLAB_SROOT_TABLES) {
		/* too many tables to track: keep it while loaded only */
		hvlab_sroot_unsync(c, slot);
		return 0;
	}
	fresh = !hvlab_sroot_tracks_gfn(c, t->gfn);
	s->tables[s->ntables++] = *t;
	bloom_add(c, t->gfn);
	return fresh;
}

int hvlab_sroot_note_table(struct hvlab_sroot_cache *c, int slot, __u64 gfn)
{
	struct hvlab_stable t = { .gfn = gfn };

	return note(c, slot, &t);
}

/*
 * The shape of a level-`level` guest table in `mode`: entries, their size,
 * log2 of the GVA span of one entry, and the width of a GVA.  0 if the
 * mode has no such level.
 */
static int table_geom(int mode, unsigned int level, unsigned int *n,
		      unsigned int *esize, unsigned int *shift,
		      unsigned int *width)
{
	*esize = 8;
	*n = 512;
	switch (mode) {
	case HVLAB_PG_32:
		if (level < 1 || level > 2)
			return 0;
		*esize = 4;
		*n = 1024;
		*shift = 12 + 10 * (level - 1);
		*width = 32;
		return 1;
	case HVLAB_PG_PAE:
		if (level < 1 || level > 3)
			return 0;
		if (level == 3)
			*n = 4;
		*width = 32;
		break;
	case HVLAB_PG_4LEVEL:
	case HVLAB_PG_5LEVEL:
		if (level < 1 || level > (unsigned int)mode)
			return 0;
		*width = mode == HVLAB_PG_5LEVEL ? 57 : 48;
		break;
	default:
		return 0;
	}
	*shift = 12 + 9 * (level - 1);
	return 1;
}

int hvlab_sroot_note_use(struct hvlab_sroot_cache *c, int slot, int mode,
			 const struct hvlab_gwalk_step *st, __u64 gva)
{
	struct hvlab_stable t = { .gfn = st->table >> 12 };
	unsigned int n, esize, shift, width;
	__u64 cover;

	if (!table_geom(mode, st->level, &n, &esize, &shift, &width))
		return note(c, slot, &t);	/* place unknown: level 0 */
	/* the GVA bits above those the table's entries select are its base */
	cover = (1ULL << shift) * n;
	t.base = gva & ~(cover - 1) & width_mask(width);
	t.off = st->table & 0xfff;
	t.level = st->level;
	t.mode = mode;
	return note(c, slot, &t);
}

void hvlab_sroot_unsync(struct hvlab_sroot_cache *c, int slot)
{
	if (!valid_slot(slot) || !c->e[slot].synced)
		return;
	c->e[slot].synced = 0;
	c->e[slot].ntables = 0;
	bloom_rebuild(c);
}

unsigned int hvlab_sroot_invalidate_gfn(struct hvlab_sroot_cache *c,
					__u64 gfn, int keep)
{
	unsigned int freed = 0, j;
	int i;

	if (!bloom_has(c, gfn))
		return 0;
	/* each root once: what the body does to it ends its uses */
	for_each_use(c, gfn, i, j) {
		c->invalidations++;
		if (i == keep) {
			c->e[i].synced = 0;
			c->e[i].ntables = 0;
		} else {
			sroot_clear(&c->e[i]);
			freed |= 1u << i;
		}
	}
	bloom_rebuild(c);
	return freed;
}

static __u64 entry_at(const void *page, unsigned int off, unsigned int esize)
{
	const unsigned char *b = (const unsigned char *)page + off;
	__u64 v = 0;
	unsigned int k;

	for (k = 0; k < esize; k++)
		v |= (__u64)b[k] << (8 * k);
	return v;
}

/*
 * Does a guest entry's change matter to the shadow built from it?  A or D
 * going from 0 to 1 does not (the shadow has them preset, and hvlab's own
 * walker sets them); anything else does, A or D cleared included.
 */
static int entry_changed(__u64 old, __u64 cur)
{
	__u64 d = old ^ cur;

	d &= ~(cur & ~old & (HVLAB_PTE_A | HVLAB_PTE_D));
	return d != 0;
}

/* Calls zap for each run of entries of use t that differ in old and cur. */
static void use_written(const struct hvlab_stable *t, int slot,
			const void *old, const void *cur,
			void (*zap)(void *, int, __u64, __u64), void *opaque)
{
	unsigned int n, esize, shift, width, i, first = 0;
	int run = 0;

	if (!table_geom(t->mode, t->level, &n, &esize, &shift, &width) ||
	    t->off + n * esize > 4096)
		return;
	for (i = 0; i <= n; i++) {
		int changed = i < n && (!old ||
			entry_changed(entry_at(old, t->off + i * esize, esize),
				      entry_at(cur, t->off + i * esize, esize)));

		if (changed && !run) {
			first = i;
			run = 1;
		} else if (!changed && run) {
			/* entries [first, i) map [base + first*span, ...) */
			zap(opaque, slot, t->base + ((__u64)first << shift),
			    (t->base + ((__u64)i << shift) - 1) &
			    width_mask(width));
			run = 0;
		}
	}
}

unsigned int hvlab_sroot_table_written(struct hvlab_sroot_cache *c,
				       __u64 gfn, const void *old,
				       const void *cur,
				       void (*zap)(void *opaque, int slot,
						   __u64 start, __u64 last),
				       void *opaque)
{
	unsigned int freed = 0, j;
	int i;

	if (!bloom_has(c, gfn))
		return 0;
	for_each_use(c, gfn, i, j) {
		if (!c->e[i].tables[j].level) {
			/* no place known: the whole root goes */
			c->invalidations++;
			sroot_clear(&c->e[i]);
			freed |= 1u << i;
			continue;
		}
		use_written(&c->e[i].tables[j], i, old, cur, zap, opaque);
	}
	if (freed)
		bloom_rebuild(c);
	return freed;
}

void hvlab_sroot_drop(struct hvlab_sroot_cache *c, int slot)
{
	if (!valid_slot(slot) || !c->e[slot].used)
		return;
	sroot_clear(&c->e[slot]);
	bloom_rebuild(c);
}
