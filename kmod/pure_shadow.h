/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pure_shadow.h - the decisions of shadow paging, as pure logic: what a
 * shadow PTE must hold, what a #PF in the guest means, which shadow roots
 * stay valid.  The module's shadow.c owns the pages and the VMCS; this file
 * owns the rules, so they can be unit-tested (tests/unit/test_shadow.c).
 */
#ifndef HVLAB_PURE_SHADOW_H
#define HVLAB_PURE_SHADOW_H

#include <linux/types.h>
#include <uapi/hvlab.h>
#include "pure_walk.h"

/* The memory slots, seen as a GPA -> HPA function. */
struct hvlab_slots {
	void *opaque;
	/*
	 * HPA of the byte at gpa, 0; or -1 if no slot covers gpa.  *ro is set
	 * to 1 for a read-only slot (HVLAB_MEM_READONLY), else 0.
	 */
	int (*gpa_to_hpa)(void *opaque, __u64 gpa, __u64 *hpa, int *ro);
};

/* hvlab_shadow_pte() flags */
#define HVLAB_SPTE_NX		(1u << 0)	/* XD is usable (EFER.NXE=1) */
#define HVLAB_SPTE_RO		(1u << 1)	/* never writable (RO slot, or */
						/* a write-protected guest table) */

/*
 * The 4 KiB shadow PTE (PAE/4-level format) for the page holding w->gpa,
 * backed by host frame hpa, after a walk that succeeded for `access`.
 * It never allows more than the guest's tables: W only if the guest's
 * translation is writable AND its dirty bit is already set (so the first
 * write faults and the guest's D bit stays truthful); U and XD as the guest
 * says.  Guest CR0.WP=0: a supervisor write to a read-only page gets a
 * W=1, U=0 entry (the real CR0.WP is always 1).  A and D are preset so the
 * CPU never writes the shadow tables.  Global is never set: shadow roots
 * are switched without flushing global TLB entries otherwise.
 */
__u64 hvlab_shadow_pte(const struct hvlab_gwalk *w, __u64 hpa,
		       unsigned int access, unsigned int flags);

/*
 * A non-leaf shadow entry pointing at table_hpa.  Rights are granted in
 * full above the leaf; PAE PDPTEs (pae_pdpte != 0) may only hold P.
 */
__u64 hvlab_shadow_table_entry(__u64 table_hpa, int pae_pdpte);

/* ---- what a #PF means in shadow mode ---------------------------------- */

#define HVLAB_SPF_FILL		0	/* install spte for gva, resume */
#define HVLAB_SPF_REFLECT	1	/* inject #PF(error_code), CR2 = cr2 */
#define HVLAB_SPF_MMIO		2	/* GPA not RAM, or write to RO slot */
#define HVLAB_SPF_PT_WRITE	3	/* write to a tracked guest table */
#define HVLAB_SPF_RETRY		4	/* lost A/D races: just resume */
#define HVLAB_SPF_ERROR		5	/* guest tables outside memory etc. */

struct hvlab_sroot_cache;

struct hvlab_spf {
	int action;			/* HVLAB_SPF_* */
	__u64 gva;
	__u64 gpa;			/* FILL, MMIO, PT_WRITE */
	__u64 hpa;			/* FILL, PT_WRITE: frame + offset */
	__u64 spte;			/* FILL: the entry to install */
	__u32 error_code;		/* REFLECT: for the guest's #PF */
	__u64 cr2;			/* REFLECT: the guest's new CR2 */
	struct hvlab_gwalk walk;	/* the guest walk behind the answer */
};

/*
 * A #PF was intercepted at gva with the hardware error code hw_error (it
 * describes the shadow tables, not the guest's).  Walks the guest's tables
 * for the same access (setting guest A/D through g->mem when g->flags has
 * HVLAB_GW_SET_AD) and decides.  cache may be NULL; if given, a write to a
 * page it tracks as a guest page table is HVLAB_SPF_PT_WRITE and a mapping
 * of such a page is built read-only.  spte_flags: HVLAB_SPTE_NX.
 * hw_error may also carry HVLAB_ACC_AC and HVLAB_ACC_IMPLICIT, which the
 * hardware's error code does not: the caller knows them from the guest's
 * EFLAGS.AC and CPL, and the guest walk needs them for SMAP.
 */
int hvlab_shadow_page_fault(const struct hvlab_gwalk_ctx *g,
			    const struct hvlab_slots *slots,
			    const struct hvlab_sroot_cache *cache,
			    __u64 gva, __u32 hw_error, unsigned int spte_flags,
			    struct hvlab_spf *out);

/*
 * Prefetch: a processor may cache translations no instruction asked for,
 * setting their accessed flags as it does (SDM Vol. 3 4.8, 4.10.2.3), and
 * so may the shadow code.  After a fill for a 4 KiB guest page (w), each
 * other page of the aligned group of n pages around w->gva (n a power of
 * two, at most 512: the group lies in one guest page table) is walked for
 * a read of the same privilege (hw_error's U bit); each walk that succeeds
 * on RAM gives install(opaque, gva, gpa, spte).  Never a write: no dirty bit is
 * set that the guest did not earn.  Returns how many install() accepted.
 */
int hvlab_shadow_prefetch(const struct hvlab_gwalk_ctx *g,
			  const struct hvlab_slots *slots,
			  const struct hvlab_sroot_cache *cache,
			  const struct hvlab_gwalk *w, __u32 hw_error,
			  unsigned int spte_flags, unsigned int n,
			  int (*install)(void *opaque, __u64 gva,
					  __u64 gpa, __u64 spte),
			  void *opaque);

/* ---- the shadow tables themselves ------------------------------------ */

/*
 * Installs spte for gva in the shadow table rooted at root_hpa, with
 * `levels` = 4 or 5 (long-mode format) or 3 (PAE format: a root holding
 * four PDPTEs), allocating missing tables through mem->alloc_table.
 * Returns 0 or -1.
 */
int hvlab_shadow_map(const struct hvlab_pmem *mem, __u64 root_hpa,
		     unsigned int levels, __u64 gva, __u64 spte);

/*
 * hvlab_shadow_map only where no shadow leaf is present: 1 installed, 0
 * one was there (left as it is), -1 on an error.
 */
int hvlab_shadow_map_new(const struct hvlab_pmem *mem, __u64 root_hpa,
			 unsigned int levels, __u64 gva, __u64 spte);

/*
 * The address of the shadow leaf (4 KiB level) for gva in the tables at
 * root_hpa, without allocating: 0 and *leaf_addr, 1 if a table is
 * missing, -1 on an error.
 */
int hvlab_shadow_leaf(const struct hvlab_pmem *mem, __u64 root_hpa,
		      unsigned int levels, __u64 gva, __u64 *leaf_addr);

/*
 * INVLPG gva: clears the shadow leaf for gva if there is one.  Returns 1 if
 * an entry was cleared, 0 if none, -1 on a memory error.
 */
int hvlab_shadow_zap(const struct hvlab_pmem *mem, __u64 root_hpa,
		     unsigned int levels, __u64 gva);

/*
 * Clears every shadow entry that maps part of the GVA range [start, last]
 * (inclusive; bits above the root's address width are ignored).  A table
 * entry wholly inside the range goes with the tables below it, handed back
 * through mem->free_table; the four PDPTEs of a PAE-format root stay.
 * Returns how many entries were cleared, or -1 on a memory error.
 */
int hvlab_shadow_zap_range(const struct hvlab_pmem *mem, __u64 root_hpa,
			   unsigned int levels, __u64 start, __u64 last);

/*
 * Walks the shadow tables for gva (for the inspector); the result uses the
 * guest walker's structure, its addresses being host-physical.
 */
int hvlab_shadow_walk(const struct hvlab_pmem *mem, __u64 root_hpa,
		      unsigned int levels, __u64 gva, struct hvlab_gwalk *w);

/* Copies a shadow walk into second[] (shadow = 1), hpa, fault/level. */
void hvlab_shadow_walk_to_translation(const struct hvlab_gwalk *w,
				      struct hvlab_translation *t);

/*
 * Clears the W bit of every writable shadow leaf (4 KiB level) that maps
 * the host frame frame_hpa, in the tables rooted at root_hpa.  Used when a
 * guest page becomes a tracked page table.  Returns how many entries
 * changed, or -1 on a memory error.
 */
int hvlab_shadow_write_protect(const struct hvlab_pmem *mem, __u64 root_hpa,
			       unsigned int levels, __u64 frame_hpa);

/* ---- the cache of shadow roots, keyed by guest CR3 -------------------- */

#define HVLAB_SROOT_SLOTS	8	/* address spaces kept at once */
#define HVLAB_SROOT_TABLES	128	/* guest table uses one root may track */
#define HVLAB_SROOT_BLOOM_BITS	2048

/*
 * One guest page-table page a root was built from, and where it sits in
 * that root's address space: the table at byte `off` of page gfn is a
 * level-`level` table of paging mode `mode` whose entry 0 maps GVA `base`.
 * A table used at two places of one root is two uses.  level 0: the place
 * is unknown (hvlab_sroot_note_table), so any write to the page ends the
 * root.
 */
struct hvlab_stable {
	__u64 gfn;
	__u64 base;
	__u16 off;
	__u8 level;
	__u8 mode;
};

/*
 * One slot of the cache.  A slot in use holds one shadow root (the pages
 * are the module's, kept in a parallel array indexed by slot).  A synced
 * slot knows exactly which guest page-table pages its root was built from
 * (tables[]); those pages are write-protected in every shadow, so the root
 * stays valid while it is not loaded.  An unsynced slot tracks nothing: its
 * root may be used while loaded (INVLPG and CR3 rules, as without a cache)
 * but is dropped, not kept, when the guest leaves it.
 */
struct hvlab_sroot {
	__u64 cr3;			/* key: guest CR3, table address bits */
	__u32 role;			/* key: hvlab_sroot_role() */
	__u8 used;
	__u8 synced;
	__u16 ntables;
	__u64 last_used;		/* LRU clock at the last hit */
	struct hvlab_stable tables[HVLAB_SROOT_TABLES];	/* exact */
};

struct hvlab_sroot_cache {
	__u64 clock;
	__u64 hits, misses, evictions, invalidations;
	/* union of the synced slots' tables: a quick "surely not tracked" */
	__u64 bloom[HVLAB_SROOT_BLOOM_BITS / 64];
	struct hvlab_sroot e[HVLAB_SROOT_SLOTS];
};

/* What, besides CR3, a shadow root depends on: mode, CR0.WP, NXE, SMEP. */
__u32 hvlab_sroot_role(const struct hvlab_gwalk_ctx *g);

void hvlab_sroot_init(struct hvlab_sroot_cache *c);
/* The slot of (cr3, role) if it is synced, else -1.  Changes nothing. */
int hvlab_sroot_peek(const struct hvlab_sroot_cache *c, __u64 cr3,
		     __u32 role);
/*
 * A guest MOV to CR3: the slot holding a synced root for (cr3, role), made
 * most recently used (a hit), or -1 (a miss).
 */
int hvlab_sroot_lookup(struct hvlab_sroot_cache *c, __u64 cr3, __u32 role);
/* The same hit, for a slot hvlab_sroot_peek found. */
void hvlab_sroot_touch(struct hvlab_sroot_cache *c, int slot);
/*
 * The slot a new root should go to: a free one, else the least recently
 * used (an eviction: the caller frees that slot's root first).
 */
int hvlab_sroot_victim(struct hvlab_sroot_cache *c);
/* slot now holds a new, empty, synced root for (cr3, role). */
void hvlab_sroot_claim(struct hvlab_sroot_cache *c, int slot, __u64 cr3,
		       __u32 role);
/*
 * The root in slot was built from guest table page gfn.  Returns 1 if no
 * synced slot tracked gfn before: the caller must write-protect existing
 * writable mappings of it.  Else 0.  A slot whose tables[] is full stops
 * being synced (hvlab_sroot_unsync) instead.
 */
int hvlab_sroot_note_table(struct hvlab_sroot_cache *c, int slot, __u64 gfn);
/*
 * The walk step s (of a walk in paging mode `mode` for gva) read a guest
 * table for the root in slot: note that use, with its place.  Returns 1 if
 * no synced slot tracked the page before (write-protect it), else 0; a
 * slot whose tables[] is full is unsynced instead.
 */
int hvlab_sroot_note_use(struct hvlab_sroot_cache *c, int slot, int mode,
			 const struct hvlab_gwalk_step *s, __u64 gva);
/* Is gfn a guest page table some synced root was built from?  (exact) */
int hvlab_sroot_tracks_gfn(const struct hvlab_sroot_cache *c, __u64 gfn);
/* slot stops tracking: usable while loaded, dropped when left. */
void hvlab_sroot_unsync(struct hvlab_sroot_cache *c, int slot);
/*
 * The guest wrote to page gfn.  Every synced slot tracking it is freed
 * (bit i of the result: the caller frees slot i's root), except `keep`,
 * the loaded slot, which is unsynced instead (-1: none loaded).
 */
unsigned int hvlab_sroot_invalidate_gfn(struct hvlab_sroot_cache *c,
					__u64 gfn, int keep);
/*
 * The guest changed table page gfn from old[] to cur[] (4 KiB each; old
 * NULL: any entry may have changed).  For each use of the page by a synced
 * root and each run of changed entries in it, calls zap(opaque, slot,
 * start, last) with the GVA range [start, last] those entries map: the
 * caller clears the shadow entries of that range in slot's root, which
 * stays synced.  Slots that used the page at an unknown place (level 0)
 * are freed instead: bit i of the result, as hvlab_sroot_invalidate_gfn.
 */
unsigned int hvlab_sroot_table_written(struct hvlab_sroot_cache *c,
				       __u64 gfn, const void *old,
				       const void *cur,
				       void (*zap)(void *opaque, int slot,
						   __u64 start, __u64 last),
				       void *opaque);
/* The caller freed slot's root (or is about to). */
void hvlab_sroot_drop(struct hvlab_sroot_cache *c, int slot);

#endif
