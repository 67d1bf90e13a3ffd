// SPDX-License-Identifier: GPL-2.0
/*
 * shadow.c - shadow page tables: paging without EPT.
 *
 * The seed's first memory mechanism.  The guest keeps its own page tables
 * and believes CR3 points at them; in truth the CPU walks tables hvlab
 * keeps, which map the guest's virtual addresses straight to host frames
 * (guest VA 0x1000 -> host frame 0x2000, skipping the guest-physical step).
 * hvlab fills them lazily: every #PF exits (exception bitmap bit 14), and
 * pure_shadow.c decides from a walk of the guest's own tables whether to
 * install a shadow entry, reflect the fault into the guest (its own tables
 * say "not mapped"), or treat the address as MMIO.
 *
 * Each guest address space (CR3) gets a shadow root, and up to
 * HVLAB_SROOT_SLOTS roots are kept, so a guest switching between a few
 * processes finds its shadow tables filled when it comes back.  That is
 * only safe because the guest's page-table pages are write-protected.
 *
 * Invariants (pure_shadow.c has the rules of each entry and of the cache):
 *  - a shadow entry never grants more than the guest's tables and the
 *    memory slots do, and points only at pinned pages of the VM's slots;
 *  - every guest page a synced root was built from is mapped read-only in
 *    every root: a fill maps it so (HVLAB_SPTE_RO), and when a page first
 *    becomes tracked its existing writable mappings are found and
 *    downgraded (write_protect; sh_wgva says where a page may have one, so
 *    most pages need no search).  A guest write to such a page is
 *    HVLAB_SPF_PT_WRITE: the page is copied, mapped writable at that
 *    GVA in the loaded root, and the guest writes on (defer_write).  The
 *    guest may rely on what it wrote only after INVLPG or a MOV to CR3, and
 *    both first compare each written page with its copy: every kept root
 *    loses the shadow entries the changed guest entries gave it, and the
 *    page is read-only again (hv_shadow_resolve_writes).  A write that
 *    cannot be handled so (two vCPUs) frees the other roots built from the
 *    page and unsyncs the loaded one (dropped when the guest leaves it);
 *  - only the loaded root ever maps a written, not yet resolved page
 *    writable, and a MOV to CR3 resolves before it switches roots;
 *  - the kernel's own writes into guest RAM (string IN) count as guest
 *    writes (hv_shadow_guest_written).  No device model of hvlab writes
 *    guest RAM from userspace while the guest runs (no DMA yet): the day
 *    one does, it must say so, or the cache must be dropped;
 *  - only a VM with one vCPU keeps roots: another vCPU's writes would go
 *    through its own shadows unseen.  With two, every MOV to CR3 starts an
 *    empty root, as every change of CR0/CR4/EFER paging bits always does;
 *    INVLPG clears the one entry;
 *  - a root is PAE-format (3 levels) while the guest is outside long mode,
 *    with all four PDPTEs present from the start (the CPU caches PDPTEs at
 *    VM entry, SDM 4.4.1), and 4-level in long mode.  The PAE root sits
 *    below 4 GiB, because CR3 holds 32 bits in PAE mode;
 *  - guest paging off is an identity map of guest-physical memory; in
 *    real mode (vm86, rmode.c) the root also maps hvlab's TSS, above
 *    what vm86 code can address (hv_shadow_map_own);
 *  - only the vCPU's own thread touches its tables (vcpu->mutex).
 */
#include <linux/gfp.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/io.h>

#include "hvlab.h"
#include "pure_caps.h"
#include "pure_shadow.h"
#include "pure_walk.h"
#include "shadow.h"
#include "vm.h"
#include "vmcs.h"

/* The vendor's side: the VMCS or the VMCB (vm.h, struct hv_paging_hw). */
static const struct hv_paging_hw *hw(void)
{
	return hv_ops->paging_hw;
}

/*
 * The calls of every fill and CR3 switch: direct on VMX (INDIRECT_CALL_1
 * compares the pointer first), as a retpoline would cost each of them.
 */
static void hw_set_root(struct hv_vcpu *vcpu, u64 hpa)
{
	INDIRECT_CALL_1(hw()->set_root, hv_vmx_set_root, vcpu, hpa);
}

static void hw_flush(struct hv_vcpu *vcpu, u64 gva)
{
	INDIRECT_CALL_1(hw()->flush, hv_vmx_flush, vcpu, gva);
}

static unsigned int hw_cpl(struct hv_vcpu *vcpu)
{
	return INDIRECT_CALL_1(hw()->cpl, hv_vmx_cpl, vcpu);
}

static unsigned long hw_rflags(struct hv_vcpu *vcpu)
{
	return INDIRECT_CALL_1(hw()->rflags, hv_vmx_rflags, vcpu);
}

/* The shadow tables changed other than by a fill: fill_near starts over. */
static void forget_last(struct hv_vcpu *vcpu)
{
	vcpu->sh_last.ok = false;
}

/* Shadow tables are hvlab's own pages: written by HPA (read: walk.c). */
static int sh_write(void *opaque, __u64 pa, unsigned int size, __u64 val)
{
	if (size != 8 || !pfn_valid(PHYS_PFN(pa)))
		return -1;
	WRITE_ONCE(*(u64 *)__va(pa), val);
	return 0;
}

static struct page *sh_alloc_page(struct hv_vcpu *vcpu, int slot, gfp_t extra)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | extra);

	if (page)
		list_add(&page->lru, &vcpu->sh_slot[slot].pages);
	return page;
}

/*
 * The pool: zeroed pages kept ready, so that a fill never allocates in the
 * #PF fast path (interrupts off, no sleeping).  The slow path tops it up.
 */
static void pool_fill(struct hv_vcpu *vcpu)
{
	struct page *page;

	while (vcpu->sh_npool < HV_SH_POOL) {
		page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!page)
			return;
		vcpu->sh_pool[vcpu->sh_npool++] = page;
	}
}

static void pool_free(struct hv_vcpu *vcpu)
{
	while (vcpu->sh_npool)
		__free_page(vcpu->sh_pool[--vcpu->sh_npool]);
}

/* New tables always belong to the loaded root (fills happen only there). */
static int sh_alloc_table(void *opaque, __u64 *pa)
{
	struct hv_vcpu *vcpu = opaque;
	struct page *page = NULL;

	if (vcpu->sh_npool) {
		page = vcpu->sh_pool[--vcpu->sh_npool];
		list_add(&page->lru, &vcpu->sh_slot[vcpu->sh_cur].pages);
	} else if (!vcpu->sh_fast) {
		page = sh_alloc_page(vcpu, vcpu->sh_cur, 0);
	}
	if (!page)
		return -1;
	*pa = page_to_phys(page);
	return 0;
}

/*
 * A table cut loose by hvlab_shadow_zap_range: off its root's list, and
 * back to the pool if there is room.  The caller flushes the TLB before
 * the guest runs again, so no paging-structure cache still points at it.
 */
static void sh_free_table(void *opaque, __u64 pa)
{
	struct hv_vcpu *vcpu = opaque;
	struct page *page = pfn_to_page(PHYS_PFN(pa));

	forget_last(vcpu);
	list_del(&page->lru);
	if (vcpu->sh_npool < HV_SH_POOL) {
		clear_page(page_address(page));
		vcpu->sh_pool[vcpu->sh_npool++] = page;
		return;
	}
	__free_page(page);
}

static void sh_mem(struct hv_vcpu *vcpu, struct hvlab_pmem *mem)
{
	*mem = (struct hvlab_pmem){
		.opaque = vcpu, .read = hv_read_own_table, .write = sh_write,
		.alloc_table = sh_alloc_table, .free_table = sh_free_table,
	};
}

/*
 * Guest memory for the shadow code: pinned pages are found without a lock;
 * others are pinned (which may sleep), except in the fast path.
 */
static int sh_gpa_to_hpa(struct hv_vcpu *vcpu, u64 gpa, u64 *hpa, bool *ro)
{
	int r = hv_gpa_to_hpa_pinned(vcpu->vm, gpa, hpa, ro);

	if (r == -EAGAIN && !vcpu->sh_fast)
		r = hv_gpa_to_hpa(vcpu->vm, gpa, hpa, ro);
	return r;
}

/* Frees the root in slot (the cache entry is the caller's business). */
static void slot_free(struct hv_vcpu *vcpu, int slot)
{
	struct hv_sroot *s = &vcpu->sh_slot[slot];
	struct page *page, *tmp;

	forget_last(vcpu);
	list_for_each_entry_safe(page, tmp, &s->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	s->root = 0;
	if (vcpu->sh_cur == slot) {
		vcpu->sh_cur = -1;
		vcpu->sh_root = 0;
	}
}

static void free_slots(struct hv_vcpu *vcpu, unsigned int mask)
{
	int i;

	for (i = 0; i < HVLAB_SROOT_SLOTS; i++)
		if (mask & (1u << i))
			slot_free(vcpu, i);
}

static int hv_shadow_init(struct hv_vcpu *vcpu)
{
	int i;

	vcpu->sh_cur = -1;
	vcpu->sh_next = -1;
	for (i = 0; i < HVLAB_SROOT_SLOTS; i++)
		INIT_LIST_HEAD(&vcpu->sh_slot[i].pages);
	if (!vcpu->shadow)
		return 0;
	vcpu->sh_cache = kzalloc(sizeof(*vcpu->sh_cache), GFP_KERNEL_ACCOUNT);
	if (!vcpu->sh_cache)
		return -ENOMEM;
	hvlab_sroot_init(vcpu->sh_cache);
	return hv_rmode_init(vcpu);	/* real mode needs vm86 mode here */
}

static void hv_shadow_free(struct hv_vcpu *vcpu)
{
	int i;

	for (i = 0; i < HV_SH_PENDING; i++) {
		free_page((unsigned long)vcpu->sh_snap[i]);
		vcpu->sh_snap[i] = NULL;
	}
	free_slots(vcpu, ~0u);
	pool_free(vcpu);
	kvfree(vcpu->sh_wgva);
	vcpu->sh_wgva = NULL;
	kfree(vcpu->sh_cache);
	vcpu->sh_cache = NULL;
	hv_rmode_free(vcpu);
}

/* The role of the guest's current paging state (pure_shadow.c). */
static u32 sh_role(struct hv_vcpu *vcpu)
{
	struct hvlab_gwalk_ctx ctx;
	struct hvlab_pmem gmem;

	hv_guest_paging(vcpu, &gmem, &ctx);
	return hvlab_sroot_role(&ctx);
}

/* Another vCPU's writes would bypass our write protection: see the top. */
static bool cache_usable(struct hv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->vm->nr_vcpus) == 1;
}

static void load_root(struct hv_vcpu *vcpu, int slot)
{
	forget_last(vcpu);
	vcpu->sh_cur = slot;
	vcpu->sh_root = vcpu->sh_slot[slot].root;
	vcpu->sh_levels = vcpu->sh_slot[slot].levels;
	/* the CPU's CR3, and the old root's translations flushed */
	hw_set_root(vcpu, vcpu->sh_root);
}

/* An empty root for the guest's CR3 and mode, in the cache's next slot. */
static int new_root(struct hv_vcpu *vcpu, u32 role)
{
	struct hvlab_sroot_cache *c = vcpu->sh_cache;
	int slot = hvlab_sroot_victim(c), i;
	unsigned int levels = (vcpu->guest_efer & EFER_LMA) ? 4 : 3;
	struct page *root;
	u64 *pdpt;

	slot_free(vcpu, slot);
	hvlab_sroot_claim(c, slot, vcpu->guest_cr3, role);
	root = sh_alloc_page(vcpu, slot, levels == 3 ? GFP_DMA32 : 0);
	if (!root)
		goto nomem;
	if (levels == 3) {
		pdpt = page_address(root);
		for (i = 0; i < 4; i++) {
			struct page *pd = sh_alloc_page(vcpu, slot, 0);

			if (!pd)
				goto nomem;
			pdpt[i] = hvlab_shadow_table_entry(page_to_phys(pd), 1);
		}
	}
	vcpu->sh_slot[slot].root = page_to_phys(root);
	vcpu->sh_slot[slot].levels = levels;
	load_root(vcpu, slot);
	pool_fill(vcpu);	/* a new root is filled next */
	return 0;
nomem:
	slot_free(vcpu, slot);
	hvlab_sroot_drop(c, slot);
	return -ENOMEM;
}

/*
 * sh_wgva, one entry per page of the VM's memory, allocated by the first
 * reset (at vCPU creation: the memory slots cannot change while a vCPU
 * exists, vm.c).  8 bytes per 4 KiB page, 0.2 % of the guest's memory.
 * It is not cleared when the roots are thrown away: what it says is only
 * ever more than the truth, and an entry is exact again after its next
 * write_protect().
 */
static int wgva_alloc(struct hv_vcpu *vcpu)
{
	u64 end = 0, e;
	int i;

	if (vcpu->sh_wgva)
		return 0;
	for (i = 0; i < HVLAB_MAX_MEMSLOTS; i++) {
		e = (vcpu->vm->slots[i].gpa >> PAGE_SHIFT) +
		    vcpu->vm->slots[i].npages;
		if (vcpu->vm->slots[i].npages && e > end)
			end = e;
	}
	vcpu->sh_wgva = kvcalloc(max_t(u64, end, 1), sizeof(u64),
				 GFP_KERNEL_ACCOUNT);
	if (!vcpu->sh_wgva)
		return -ENOMEM;
	vcpu->sh_wgva_n = end;
	return 0;
}

/*
 * Throw every root away and start an empty one for the guest's mode: the
 * paging mode, CR0.WP, NXE... changed (each root is built for one), or
 * userspace set the registers.
 */
int hv_shadow_reset(struct hv_vcpu *vcpu)
{
	int i;

	vcpu->sh_npend = 0;	/* the roots it would fix are going anyway */

	for (i = 0; i < HVLAB_SROOT_SLOTS; i++)
		hvlab_sroot_drop(vcpu->sh_cache, i);
	free_slots(vcpu, ~0u);
	if (wgva_alloc(vcpu))
		return -ENOMEM;
	return new_root(vcpu, sh_role(vcpu));
}

/*
 * Would a MOV to CR3 of this value find its root cached?  The fast path
 * asks, with interrupts off: a hit needs no allocation, so it can be
 * handled there.
 */
static bool hv_shadow_cr3_cached(struct hv_vcpu *vcpu, u64 cr3)
{
	struct hvlab_sroot_cache *c = vcpu->sh_cache;
	int cur;

	/* first what the guest wrote to its tables (never sleeps) */
	if (vcpu->sh_npend)
		hv_shadow_resolve_writes(vcpu);
	cur = vcpu->sh_cur;
	/* a MOV to CR3 keeps the paging role: the loaded root's is current */
	vcpu->sh_next = -1;
	if (cur >= 0 && c->e[cur].synced && cache_usable(vcpu))
		vcpu->sh_next = hvlab_sroot_peek(c, cr3, c->e[cur].role);
	return vcpu->sh_next >= 0;
}

/* The guest's MOV to CR3 (its value already checked). */
/* LAB 7: BEGIN set_cr3 */
int hv_shadow_set_cr3(struct hv_vcpu *vcpu, u64 cr3)
{
	struct hvlab_sroot_cache *c = vcpu->sh_cache;
	int cur = vcpu->sh_cur, slot;
	u32 role;

	vcpu->guest_cr3 = cr3;
	slot = vcpu->sh_next;
	vcpu->sh_next = -1;
	if (slot >= 0) {	/* the fast path already found it */
		hvlab_sroot_touch(c, slot);
		goto hit;
	}
	if (cur < 0 || !cache_usable(vcpu))
		return hv_shadow_reset(vcpu);
	/*
	 * Every change of the paging role resets (hv_shadow_reset), so the
	 * loaded root's role is the guest's.  An unsynced root may be stale
	 * for anyone but its last user: it goes.
	 */
	role = c->e[cur].role;
	if (!c->e[cur].synced) {
		slot_free(vcpu, cur);
		hvlab_sroot_drop(c, cur);
	}
	slot = hvlab_sroot_lookup(c, cr3, role);
	if (slot < 0) {
		vcpu->stats->shadow_root_misses++;
		return new_root(vcpu, role);
	}
hit:
	vcpu->stats->shadow_root_hits++;
	load_root(vcpu, slot);
	return 0;
}
/* LAB 7: END set_cr3 */

/*
 * A writable shadow leaf for guest page gfn is installed at gva: remember
 * where.  Linux's page tables are ordinary pages of its direct map, written
 * (zeroed) there before use, at the same address in every address space,
 * so one GVA per page is usually enough; a page found writable at a second
 * GVA gets HV_SH_WGVA_MANY, and only a search of every root finds all its
 * mappings then.  Every memory slot's page has an entry (wgva_alloc).
 */
static void wmap_set(struct hv_vcpu *vcpu, u64 gfn, u64 gva)
{
	u64 *e;

	if (gfn >= vcpu->sh_wgva_n)
		return;
	e = &vcpu->sh_wgva[gfn];
	gva &= PAGE_MASK;
	if (!*e)
		*e = gva;
	else if (*e != gva)
		*e = HV_SH_WGVA_MANY;
}

/* Root s's leaf for gva loses W if it maps frame hpa.  1 if it did. */
static int wp_at(struct hv_vcpu *vcpu, struct hv_sroot *s, u64 gva, u64 hpa)
{
	struct hvlab_pmem smem;
	struct hvlab_gwalk w;
	const struct hvlab_gwalk_step *leaf;

	sh_mem(vcpu, &smem);
	if (hvlab_shadow_walk(&smem, s->root, s->levels, gva, &w) !=
	    HVLAB_GW_OK || !w.nsteps)
		return 0;
	leaf = &w.steps[w.nsteps - 1];
	if (!(leaf->entry & HVLAB_PTE_W) || (w.gpa & PAGE_MASK) != hpa)
		return 0;
	sh_write(vcpu, leaf->entry_addr, 8, leaf->entry & ~(u64)HVLAB_PTE_W);
	return 1;
}

/* gfn just became a tracked guest table: no root may map it writable. */
static void write_protect(struct hv_vcpu *vcpu, u64 gfn)
{
	u64 where = gfn < vcpu->sh_wgva_n ? vcpu->sh_wgva[gfn] :
					    HV_SH_WGVA_MANY;
	struct hvlab_pmem smem;
	bool flush = false, all = true, ro;
	u64 hpa;
	int i, n;

	if (!where || sh_gpa_to_hpa(vcpu, gfn << 12, &hpa, &ro))
		return;
	forget_last(vcpu);
	hpa &= PAGE_MASK;
	sh_mem(vcpu, &smem);
	for (i = 0; i < HVLAB_SROOT_SLOTS; i++) {
		struct hv_sroot *s = &vcpu->sh_slot[i];

		if (!s->root)
			continue;
		/* its one known address, or a search of the whole root */
		if (where != HV_SH_WGVA_MANY)
			n = wp_at(vcpu, s, where, hpa);
		else
			n = hvlab_shadow_write_protect(&smem, s->root,
						       s->levels, hpa);
		if (n > 0 && i == vcpu->sh_cur)
			flush = true;
		if (n < 0)
			all = false;
	}
	/* no root maps it writable any more: its history starts again */
	if (all && gfn < vcpu->sh_wgva_n)
		vcpu->sh_wgva[gfn] = 0;
	if (flush)
		hw_flush(vcpu, HV_FLUSH_ALL);
}

/* The loaded root now depends on every table this walk read, there. */
static void note_tables(struct hv_vcpu *vcpu, const struct hvlab_gwalk *w)
{
	unsigned int i;

	for (i = 0; i < w->nsteps && i < HVLAB_WALK_MAX_STEPS; i++) {
		u64 gfn = w->steps[i].table >> 12;

		if (hvlab_sroot_note_use(vcpu->sh_cache, vcpu->sh_cur, w->mode,
					 &w->steps[i], w->gva))
			write_protect(vcpu, gfn);
	}
}

/*
 * hvlab_sroot_table_written's callback: clear what slot's root maps in
 * [start, last].  A root whose tables cannot be read is not trusted again.
 */
static void sh_zap(void *opaque, int slot, __u64 start, __u64 last)
{
	struct hv_vcpu *vcpu = opaque;
	struct hv_sroot *s = &vcpu->sh_slot[slot];
	struct hvlab_pmem smem;
	int n;

	if (!s->root)
		return;
	forget_last(vcpu);
	sh_mem(vcpu, &smem);
	n = hvlab_shadow_zap_range(&smem, s->root, s->levels, start, last);
	if (n < 0)
		hvlab_sroot_unsync(vcpu->sh_cache, slot);
	if (n && slot == vcpu->sh_cur)
		vcpu->sh_flush = true;
}

/*
 * Guest table page gfn changed from old (NULL: unknown) to what it holds
 * now: every kept root that was built from it loses the entries the
 * changed guest entries gave it, and stays kept.
 */
static void table_changed(struct hv_vcpu *vcpu, u64 gfn, const void *old,
			  const void *cur)
{
	struct hvlab_sroot_cache *c = vcpu->sh_cache;
	unsigned int freed;
	int i;

	forget_last(vcpu);
	freed = hvlab_sroot_table_written(c, gfn, old, cur, sh_zap, vcpu);
	/* and the roots sh_zap could not fix (never the loaded one's duty) */
	for (i = 0; i < HVLAB_SROOT_SLOTS; i++)
		if (c->e[i].used && !c->e[i].synced && i != vcpu->sh_cur) {
			hvlab_sroot_drop(c, i);
			freed |= 1u << i;
		}
	free_slots(vcpu, freed);
}

static void flush_if_needed(struct hv_vcpu *vcpu)
{
	if (vcpu->sh_flush)
		hw_flush(vcpu, HV_FLUSH_ALL);
	vcpu->sh_flush = false;
}

/* Writes into guest RAM that did not go through the guest's own tables. */
static void hv_shadow_guest_written(struct hv_vcpu *vcpu, u64 gpa, u64 len)
{
	u64 gfn;

	if (!vcpu->shadow || !len)
		return;
	forget_last(vcpu);
	for (gfn = gpa >> 12; gfn <= (gpa + len - 1) >> 12; gfn++)
		table_changed(vcpu, gfn, NULL, NULL);
	flush_if_needed(vcpu);
}

/*
 * Can a write to a tracked guest table be let through now and looked at
 * later?  Only with one vCPU: another's writes would not be seen (top).
 */
static bool can_defer(struct hv_vcpu *vcpu)
{
	return cache_usable(vcpu);
}

/*
 * A guest write to a tracked table page, with its roots kept: copy the page
 * (once), map it writable at the faulting GVA in the loaded root, and let
 * the guest write on.  The guest may rely on what it wrote only after an
 * INVLPG or a MOV to CR3 (SDM Vol. 3 4.10.4.1), and both look first at
 * the pages written meanwhile (resolve_writes).  0, or -1 if it cannot be
 * done (nothing changed then).
 */
static int defer_write(struct hv_vcpu *vcpu, const struct hvlab_spf *spf)
{
	u64 gfn = spf->gpa >> 12, page = spf->hpa & PAGE_MASK;
	unsigned int i, snap = HV_SH_PENDING;
	struct hvlab_pmem smem;
	struct hv_sh_write *pw;

	if (!(spf->spte & HVLAB_PTE_W) || !pfn_valid(PHYS_PFN(page)))
		return -1;
	forget_last(vcpu);
	/* the same page through another GVA: share its copy */
	for (i = 0; i < vcpu->sh_npend; i++)
		if (vcpu->sh_pend[i].gfn == gfn)
			snap = vcpu->sh_pend[i].snap;
	if (vcpu->sh_npend == HV_SH_PENDING)
		hv_shadow_resolve_writes(vcpu);
	i = vcpu->sh_npend;
	if (snap == HV_SH_PENDING || !vcpu->sh_npend) {
		snap = i;
		if (!vcpu->sh_snap[snap]) {
			vcpu->sh_snap[snap] =
				(void *)__get_free_page(GFP_KERNEL_ACCOUNT);
			if (!vcpu->sh_snap[snap])
				return -1;
		}
		memcpy(vcpu->sh_snap[snap], __va(page), PAGE_SIZE);
	}
	sh_mem(vcpu, &smem);
	if (hvlab_shadow_map(&smem, vcpu->sh_root, vcpu->sh_levels, spf->gva,
			     spf->spte))
		return -1;
	wmap_set(vcpu, gfn, spf->gva);
	note_tables(vcpu, &spf->walk);	/* the leaf stays, read-only later */
	pw = &vcpu->sh_pend[i];
	pw->gfn = gfn;
	pw->hpa = page;
	pw->gva = spf->gva;
	pw->snap = snap;
	vcpu->sh_npend++;
	hw_flush(vcpu, spf->gva);	/* the entry was read-only, or absent */
	return 0;
}

/* The shadow leaf for gva in the loaded root, if it maps frame hpa: RO. */
static void unwrite(struct hv_vcpu *vcpu, u64 gva, u64 hpa)
{
	struct hvlab_pmem smem;
	struct hvlab_gwalk w;
	const struct hvlab_gwalk_step *leaf;

	sh_mem(vcpu, &smem);
	if (hvlab_shadow_walk(&smem, vcpu->sh_root, vcpu->sh_levels, gva, &w) !=
	    HVLAB_GW_OK || !w.nsteps)
		return;
	leaf = &w.steps[w.nsteps - 1];
	if ((leaf->entry & HVLAB_PTE_W) && (w.gpa & PAGE_MASK) == hpa) {
		sh_write(vcpu, leaf->entry_addr, 8,
			 leaf->entry & ~(u64)HVLAB_PTE_W);
		vcpu->sh_flush = true;
	}
}

/*
 * Before an INVLPG or a MOV to CR3 takes effect: each table page written
 * since its first write fault is compared with its copy, every kept root
 * loses the shadow entries the changed guest entries gave it, and the page
 * is read-only again.  Never sleeps (the CR3 fast path may call it).
 */
void hv_shadow_resolve_writes(struct hv_vcpu *vcpu)
{
	unsigned int i;

	if (vcpu->sh_npend)
		forget_last(vcpu);
	for (i = 0; i < vcpu->sh_npend; i++) {
		struct hv_sh_write *pw = &vcpu->sh_pend[i];

		if (pw->snap == i)	/* once per page */
			table_changed(vcpu, pw->gfn, vcpu->sh_snap[i],
				      __va(pw->hpa));
		unwrite(vcpu, pw->gva, pw->hpa);
	}
	vcpu->sh_npend = 0;
	flush_if_needed(vcpu);
}

static int slot_hpa(void *opaque, __u64 gpa, __u64 *hpa, int *ro)
{
	bool r;

	if (sh_gpa_to_hpa(opaque, gpa, hpa, &r))
		return -1;
	*ro = r;
	return 0;
}

/* The walker reads naturally aligned 4- and 8-byte entries only. */
static int guest_read(void *opaque, __u64 pa, unsigned int size, __u64 *val)
{
	u64 hpa;
	bool ro;

	if ((size != 4 && size != 8) || (pa & (size - 1)) ||
	    sh_gpa_to_hpa(opaque, pa, &hpa, &ro))
		return -1;
	*val = size == 8 ? READ_ONCE(*(u64 *)__va(hpa)) :
			   READ_ONCE(*(u32 *)__va(hpa));
	return 0;
}

static int guest_cmpxchg(void *opaque, __u64 pa, unsigned int size, __u64 old,
			 __u64 nval)
{
	u64 hpa;
	bool ro;
	void *p;

	if ((size != 4 && size != 8) || (pa & (size - 1)) ||
	    sh_gpa_to_hpa(opaque, pa, &hpa, &ro) || ro)
		return -1;
	p = __va(hpa);	/* a pinned page, in the direct map */
	if (size == 8)
		return cmpxchg((u64 *)p, old, nval) == old ? 0 : 1;
	return cmpxchg((u32 *)p, (u32)old, (u32)nval) == (u32)old ? 0 : 1;
}

/* hvlab_shadow_prefetch's callback: a not-present leaf gets spte. */
static int sh_install(void *opaque, __u64 gva, __u64 gpa, __u64 spte)
{
	struct hv_vcpu *vcpu = opaque;
	struct hvlab_pmem smem;
	int r;

	sh_mem(vcpu, &smem);
	/* not present before: nothing of it is in the TLB (SDM 4.10.2.3) */
	r = hvlab_shadow_map_new(&smem, vcpu->sh_root, vcpu->sh_levels, gva,
				 spte);
	if (r > 0 && (spte & HVLAB_PTE_W))
		wmap_set(vcpu, gpa >> 12, gva);
	return r;
}

/*
 * A fill just done in the loaded root (its tables noted): a later fault
 * under the same guest and shadow leaf tables may start from it.
 */
static void remember_last(struct hv_vcpu *vcpu,
			  const struct hvlab_gwalk_ctx *ctx,
			  const struct hvlab_spf *spf)
{
	struct hv_sh_last *l = &vcpu->sh_last;
	const struct hvlab_gwalk *w = &spf->walk;
	struct hvlab_pmem smem;
	u64 leaf;

	l->ok = false;
	if (!cache_usable(vcpu) || w->mode == HVLAB_PG_OFF || !w->nsteps)
		return;
	sh_mem(vcpu, &smem);
	if (hvlab_shadow_leaf(&smem, vcpu->sh_root, vcpu->sh_levels, spf->gva,
			      &leaf))
		return;
	l->spt = leaf & PAGE_MASK;
	l->root = vcpu->sh_root;
	l->gmem = *ctx->mem;
	l->ctx = *ctx;
	l->ctx.mem = &l->gmem;
	l->walk = *w;
	l->ok = true;
}

/*
 * A fault under the last fill's guest leaf table and shadow leaf table:
 * the guest entries above the leaf are taken as that walk read them, as
 * a processor's paging-structure caches may until the next INVLPG or MOV
 * to CR3 (SDM Vol. 3 4.10.3, 4.10.4.1: both forget the last fill here),
 * and the shadow leaf is written in its known table.  The guest tables
 * it depends on were noted by that fill.  Anything but a fill of RAM the
 * guest may use (a table write, MMIO, a #PF of the guest's) goes the
 * whole way: false.
 */
static bool fill_near(struct hv_vcpu *vcpu, u64 gva, u32 access,
		      struct hvlab_spf *spf)
{
	struct hv_sh_last *l = &vcpu->sh_last;
	unsigned int flags = (l->ctx.efer & EFER_NX) ? HVLAB_SPTE_NX : 0;
	u64 hpa;
	bool ro;

	if (!l->ok || l->root != vcpu->sh_root || !cache_usable(vcpu) ||
	    ((gva ^ l->walk.gva) >> 21) ||
	    hvlab_gwalk_neighbour(&l->ctx, &l->walk, gva, access,
				  &spf->walk) != HVLAB_GW_OK ||
	    sh_gpa_to_hpa(vcpu, spf->walk.gpa, &hpa, &ro) || ro)
		return false;
	if (hvlab_sroot_tracks_gfn(vcpu->sh_cache, spf->walk.gpa >> 12)) {
		if (access & HVLAB_ACC_WRITE)
			return false;		/* HVLAB_SPF_PT_WRITE */
		flags |= HVLAB_SPTE_RO;
	}
	spf->action = HVLAB_SPF_FILL;
	spf->gva = gva;
	spf->gpa = spf->walk.gpa;
	spf->hpa = hpa;
	spf->error_code = 0;
	spf->cr2 = 0;
	spf->spte = hvlab_shadow_pte(&spf->walk, hpa, access, flags);
	WRITE_ONCE(*(u64 *)__va(l->spt + ((gva >> 12) & 511) * 8), spf->spte);
	if (spf->spte & HVLAB_PTE_W)
		wmap_set(vcpu, spf->gpa >> 12, gva);
	return true;
}

/*
 * After a read fill, its neighbours in the same guest page table.  Not
 * after a write: that is mostly the second fault on a page a read already
 * brought in, with its neighbours.  Only pages already pinned (sh_fast):
 * a guess pins nothing and never sleeps.
 */
static void sh_prefetch(struct hv_vcpu *vcpu,
			const struct hvlab_gwalk_ctx *ctx,
			const struct hvlab_gwalk *w, u32 error_code)
{
	struct hvlab_slots slots = { .opaque = vcpu, .gpa_to_hpa = slot_hpa };
	bool fast = vcpu->sh_fast;

	if (HV_SH_PREFETCH < 2 || (error_code & HVLAB_ACC_WRITE))
		return;
	vcpu->sh_fast = true;
	hvlab_shadow_prefetch(ctx, &slots, vcpu->sh_cache, w, error_code,
			      (ctx->efer & EFER_NX) ? HVLAB_SPTE_NX : 0,
			      HV_SH_PREFETCH, sh_install, vcpu);
	vcpu->sh_fast = fast;
}

/*
 * Ask pure_shadow.c what a #PF at gva means and, for FILL and PT_WRITE,
 * install the entry.  Returns the HVLAB_SPF_* action (-1 if installing
 * failed; PT_WRITE is reported as FILL once done).
 */
static int sh_fault(struct hv_vcpu *vcpu, u64 gva, u32 error_code,
		    struct hvlab_spf *spf)
{
	struct hvlab_pmem gmem, smem;
	struct hvlab_gwalk_ctx ctx;
	struct hvlab_slots slots = { .opaque = vcpu, .gpa_to_hpa = slot_hpa };

	if (vcpu->sh_cur < 0)
		return -1;
	/*
	 * SMAP (SDM Vol. 3 4.6.1): a supervisor-mode access at CPL 3 is
	 * implicit and always checked; at CPL < 3, EFLAGS.AC=1 lets explicit
	 * ones reach user pages (Linux's copy_to/from_user, between STAC and
	 * CLAC).  The error code says neither, and without AC the walk would
	 * refuse the access the CPU allows: a #PF reflected, the guest
	 * finding nothing to fix, and the same fault for ever.  An implicit
	 * access at CPL < 3 (to a descriptor table in a user page) is taken
	 * as explicit: the shadow entry keeps U, so the CPU still applies
	 * SMAP to it.
	 */
	if (!(error_code & HVLAB_ACC_USER)) {
		if (hw_cpl(vcpu) == 3)
			error_code |= HVLAB_ACC_IMPLICIT;
		else if (hw_rflags(vcpu) & X86_EFLAGS_AC)
			error_code |= HVLAB_ACC_AC;
	}
	error_code &= HVLAB_ACC_WRITE | HVLAB_ACC_USER | HVLAB_ACC_FETCH |
		      HVLAB_ACC_AC | HVLAB_ACC_IMPLICIT;
	if (fill_near(vcpu, gva, error_code, spf)) {
		sh_prefetch(vcpu, &vcpu->sh_last.ctx, &spf->walk, error_code);
		hw_flush(vcpu, gva);
		return HVLAB_SPF_FILL;
	}
	hv_guest_paging(vcpu, &gmem, &ctx);
	gmem.opaque = vcpu;
	gmem.read = guest_read;
	gmem.cmpxchg = guest_cmpxchg;
	ctx.flags |= HVLAB_GW_SET_AD;		/* keep guest A/D truthful */
	hvlab_shadow_page_fault(&ctx, &slots, vcpu->sh_cache, gva, error_code,
				(ctx.efer & EFER_NX) ? HVLAB_SPTE_NX : 0, spf);
	if (spf->action == HVLAB_SPF_PT_WRITE) {
		if (vcpu->sh_fast)	/* may allocate: the slow path's job */
			return spf->action;
		vcpu->stats->shadow_pt_writes++;
		forget_last(vcpu);
		/* kept roots stay: the write is let through, looked at later */
		if (can_defer(vcpu) && !defer_write(vcpu, spf))
			return HVLAB_SPF_FILL;
		/* else roots built from the table are stale: they go */
		free_slots(vcpu, hvlab_sroot_invalidate_gfn(vcpu->sh_cache,
							    spf->gpa >> 12,
							    vcpu->sh_cur));
		spf->action = HVLAB_SPF_FILL;
	}
	if (spf->action != HVLAB_SPF_FILL)
		return spf->action;
	sh_mem(vcpu, &smem);
	if (hvlab_shadow_map(&smem, vcpu->sh_root, vcpu->sh_levels, gva,
			     spf->spte))
		return -1;
	if (spf->spte & HVLAB_PTE_W)
		wmap_set(vcpu, spf->gpa >> 12, gva);
	/* its neighbours in the same guest page table, while we are here */
	sh_prefetch(vcpu, &ctx, &spf->walk, error_code);
	/* a present entry may have become writable: drop the old one */
	hw_flush(vcpu, gva);
	/* after the map, so that a table mapping itself is caught too */
	note_tables(vcpu, &spf->walk);
	remember_last(vcpu, &ctx, spf);
	return HVLAB_SPF_FILL;
}
/*
 * The guest's own tables say #PF: deliver it, CR2 and all.  If the fault
 * happened while the CPU was delivering another exception, the hardware
 * rules for double faults apply (SDM Vol. 3 6.15, table 6-5): a #PF during
 * a #PF or a contributory exception is a #DF, anything during a #DF is a
 * triple fault.  Under EPT the CPU does this itself; here the #PF exit
 * stopped it half-way, so hvlab must.
 */
static int reflect_page_fault(struct hv_vcpu *vcpu, struct hvlab_spf *spf)
{
	u32 idt = hw()->vectoring(vcpu);
	u8 vec = idt & 0xff;

	vcpu->cr2 = spf->cr2;
	if ((idt & INTR_INFO_VALID) &&
	    (idt & 0x700) == INTR_TYPE_HARD_EXCEPTION) {
		if (vec == 8) {
			hw()->cancel_event(vcpu);
			vcpu->run->exit_reason = HVLAB_EXIT_SHUTDOWN;
			return 0;
		}
		if (vec == 14 || vec == 0 || (vec >= 10 && vec <= 13)) {
			hw()->inject(vcpu, 8, true, 0);
			return 1;
		}
	}
	hw()->inject(vcpu, 14, true, spf->error_code);
	return 1;
}

/*
 * A #PF in shadow mode (SDM 27.2.2: the exit qualification is the linear
 * address; the error code is the hardware's, about *our* tables).
 * Returns the exit-handler contract: 1 resume, 0 userspace.
 */
int hv_shadow_page_fault(struct hv_vcpu *vcpu, u64 gva, u32 error_code)
{
	struct hvlab_spf spf;
	int action;

	pool_fill(vcpu);	/* for this fill and the fast path's next ones */
	action = sh_fault(vcpu, gva, error_code, &spf);

	vcpu->rec->gpa = spf.gpa;
	vcpu->rec->value = gva;
	switch (action) {
	case HVLAB_SPF_FILL:
		vcpu->stats->ept_faults++;	/* "pages faulted in" */
		return 1;
	case HVLAB_SPF_REFLECT:
		return reflect_page_fault(vcpu, &spf);
	case HVLAB_SPF_MMIO:
		return hw()->mmio_exit(vcpu, spf.gpa, error_code & 2);
	case HVLAB_SPF_RETRY:
		return 1;
	}
	return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, gva, action);
}

/*
 * The #PF fast path, from the exit fast path (run.c on VMX, svm.c on SVM;
 * interrupts off, guest FPU loaded): a fill that needs only pinned guest
 * pages and pool pages, or a #PF the guest's tables explain.  Returns true
 * if it handled the exit; false leaves it to the slow path, which does it
 * all again (the guest A/D bits already set stay set: the access is being
 * made anyway).
 */
static bool hv_shadow_fast_pf(struct hv_vcpu *vcpu)
{
	struct hvlab_spf spf;
	u32 error_code;
	int action;
	u64 gva;

	if (!vcpu->shadow || vcpu->rmode || vcpu->sh_npool < 4 ||
	    !INDIRECT_CALL_1(hw()->fast_pf_exit, hv_vmx_fast_pf_exit, vcpu,
			     &gva, &error_code))
		return false;
	vcpu->sh_fast_tsc = rdtsc();
	vcpu->sh_fast = true;
	action = sh_fault(vcpu, gva, error_code, &spf);
	vcpu->sh_fast = false;
	vcpu->sh_fast_gpa = spf.gpa;
	vcpu->sh_fast_gva = spf.gva;
	switch (action) {
	case HVLAB_SPF_FILL:
		vcpu->stats->ept_faults++;
		return true;
	case HVLAB_SPF_RETRY:
		return true;
	case HVLAB_SPF_REFLECT:
		vcpu->cr2 = spf.cr2;
		INDIRECT_CALL_1(hw()->inject, hv_inject_exception, vcpu, 14,
				true, spf.error_code);
		return true;
	}
	return false;
}

/* LAB 7: BEGIN invlpg */
void hv_shadow_invlpg(struct hv_vcpu *vcpu, u64 gva)
{
	struct hvlab_pmem smem;

	sh_mem(vcpu, &smem);
	if (vcpu->sh_root)
		hvlab_shadow_zap(&smem, vcpu->sh_root, vcpu->sh_levels, gva);
}
/* LAB 7: END invlpg */

/*
 * Map a page hvlab owns (not guest memory) at gva in the loaded root:
 * supervisor-only, so only the CPU's own accesses (vm86 mode's TSS) use it.
 * A not-present entry is never in the TLB, so nothing needs flushing.
 */
int hv_shadow_map_own(struct hv_vcpu *vcpu, u64 gva, u64 hpa)
{
	struct hvlab_pmem smem;

	if (!vcpu->sh_root)
		return -1;
	forget_last(vcpu);
	sh_mem(vcpu, &smem);
	return hvlab_shadow_map(&smem, vcpu->sh_root, vcpu->sh_levels, gva,
				hpa | HVLAB_PTE_P | HVLAB_PTE_W | HVLAB_PTE_A |
				HVLAB_PTE_D);
}

/* The inspector's second stage in shadow mode: the shadow entry itself. */
static int hv_shadow_translate(struct hv_vcpu *vcpu, u64 gva,
			       struct hvlab_translation *t)
{
	struct hvlab_pmem smem;
	struct hvlab_gwalk w;
	struct hvlab_spf spf;

	sh_mem(vcpu, &smem);
	if (!vcpu->sh_root)
		return -ENOENT;
	/* show the frame the guest will use: fill as a read would */
	if (hvlab_shadow_walk(&smem, vcpu->sh_root, vcpu->sh_levels, gva, &w) !=
	    HVLAB_GW_OK)
		sh_fault(vcpu, gva, 0, &spf);
	hvlab_shadow_walk(&smem, vcpu->sh_root, vcpu->sh_levels, gva, &w);
	hvlab_shadow_walk_to_translation(&w, t);
	return 0;
}

/* The guest's MOV to CR3: its table writes count from here (top). */
static int sh_mov_cr3(struct hv_vcpu *vcpu, u64 cr3)
{
	hv_shadow_resolve_writes(vcpu);	/* before roots switch */
	return hv_shadow_set_cr3(vcpu, cr3);
}

/* The guest's INVLPG: the same, then the one entry goes. */
static void sh_invlpg(struct hv_vcpu *vcpu, u64 gva)
{
	hv_shadow_resolve_writes(vcpu);
	forget_last(vcpu);
	hv_shadow_invlpg(vcpu, gva);
}

/*
 * The shadow-paging backend (vm.h): every way into shadow.c and rmode.c
 * from the rest of the module.  Any change of CR0, CR4 or EFER.NXE
 * starts the roots afresh (hv_shadow_reset).
 */
const struct hv_paging_ops hv_shadow_paging = {
	.init		= hv_shadow_init,
	.free		= hv_shadow_free,
	.reload		= hv_shadow_reset,
	.nx_changed	= hv_shadow_reset,
	.set_cr3	= sh_mov_cr3,
	.cr3_cached	= hv_shadow_cr3_cached,
	.page_fault	= hv_shadow_page_fault,
	.fast_pf	= hv_shadow_fast_pf,
	.invlpg		= sh_invlpg,
	.guest_written	= hv_shadow_guest_written,
	.translate	= hv_shadow_translate,
	.real_mode	= hv_rmode_switch,
	.rm_unfit	= hv_rmode_unfit,
	.rm_interrupt	= hv_rmode_interrupt,
	.rm_exception	= hv_rmode_exception,
	.rm_guest_rflags = hv_rmode_guest_rflags,
	.rm_real_rflags	= hv_rmode_real_rflags,
};
