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
 * Invariants (the simple policy; pure_shadow.c has the rules of each entry):
 *  - a shadow entry never grants more than the guest's tables and the
 *    memory slots do, and points only at pinned pages of the VM's slots;
 *  - the shadow tables are thrown away whenever the guest could have
 *    changed what they mirror without telling us: on every MOV to CR3 and
 *    every change of CR0/CR4/EFER paging bits ("full resync"); INVLPG
 *    clears the one entry.  Guest page tables are not write-protected, so
 *    no stale root may be kept: a cache of roots per guest CR3 (whose rules
 *    pure_shadow.c already has) needs write protection first;
 *  - the root is PAE-format (3 levels) while the guest is outside long
 *    mode, with all four PDPTEs present from the start (the CPU caches
 *    PDPTEs at VM entry, SDM 4.4.1), and 4-level in long mode.  The PAE
 *    root sits below 4 GiB, because CR3 holds 32 bits in PAE mode;
 *  - guest paging off is an identity map of guest-physical memory;
 *  - only the vCPU's own thread touches its tables (vcpu->mutex).
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <asm/io.h>

#include "hvlab.h"
#include "pure_shadow.h"
#include "pure_walk.h"
#include "vm.h"
#include "vmcs.h"

/* Shadow tables are hvlab's own pages: written by HPA (read: walk.c). */
static int sh_write(void *opaque, __u64 pa, unsigned int size, __u64 val)
{
	if (size != 8 || !pfn_valid(PHYS_PFN(pa)))
		return -1;
	WRITE_ONCE(*(u64 *)__va(pa), val);
	return 0;
}

static struct page *sh_alloc_page(struct hv_vcpu *vcpu, gfp_t extra)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | extra);

	if (page)
		list_add(&page->lru, &vcpu->sh_pages);
	return page;
}

static int sh_alloc_table(void *opaque, __u64 *pa)
{
	struct page *page = sh_alloc_page(opaque, 0);

	if (!page)
		return -1;
	*pa = page_to_phys(page);
	return 0;
}

static void sh_mem(struct hv_vcpu *vcpu, struct hvlab_pmem *mem)
{
	*mem = (struct hvlab_pmem){
		.opaque = vcpu, .read = hv_read_own_table, .write = sh_write,
		.alloc_table = sh_alloc_table,
	};
}

void hv_shadow_free(struct hv_vcpu *vcpu)
{
	struct page *page, *tmp;

	if (!vcpu->sh_pages.next)
		return;
	list_for_each_entry_safe(page, tmp, &vcpu->sh_pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	vcpu->sh_root = 0;
}

/* Throw the tables away and start an empty root for the guest's mode. */
int hv_shadow_reset(struct hv_vcpu *vcpu)
{
	struct page *root;
	u64 *pdpt;
	int i;

	hv_shadow_free(vcpu);
	vcpu->sh_levels = (hv_guest_efer(vcpu) & EFER_LMA) ? 4 : 3;
	root = sh_alloc_page(vcpu, vcpu->sh_levels == 3 ? GFP_DMA32 : 0);
	if (!root)
		return -ENOMEM;
	vcpu->sh_root = page_to_phys(root);
	if (vcpu->sh_levels == 3) {
		pdpt = page_address(root);
		for (i = 0; i < 4; i++) {
			struct page *pd = sh_alloc_page(vcpu, 0);

			if (!pd)
				return -ENOMEM;
			pdpt[i] = hvlab_shadow_table_entry(page_to_phys(pd), 1);
		}
	}
	vmcs_writel(GUEST_CR3, vcpu->sh_root);
	/* the old translations may still sit in the TLB under our VPID */
	if (vcpu->vpid)
		hv_invvpid(HV_INVVPID_SINGLE, vcpu->vpid, 0);
	return 0;
}

static int slot_hpa(void *opaque, __u64 gpa, __u64 *hpa, int *ro)
{
	bool r;

	if (hv_gpa_to_hpa(opaque, gpa, hpa, &r))
		return -1;
	*ro = r;
	return 0;
}

static int guest_cmpxchg(void *opaque, __u64 pa, unsigned int size, __u64 old,
			 __u64 nval)
{
	return hv_cmpxchg_guest(opaque, pa, size, old, nval);
}

/*
 * Ask pure_shadow.c what a #PF at gva means and, for FILL, install the
 * entry.  Returns the HVLAB_SPF_* action (-1 if installing failed).
 */
static int sh_fault(struct hv_vcpu *vcpu, u64 gva, u32 error_code,
		    struct hvlab_spf *spf)
{
	struct hvlab_pmem gmem, smem;
	struct hvlab_gwalk_ctx ctx;
	struct hvlab_slots slots = { .opaque = vcpu->vm,
				     .gpa_to_hpa = slot_hpa };

	hv_guest_paging(vcpu, &gmem, &ctx);
	gmem.cmpxchg = guest_cmpxchg;
	ctx.flags |= HVLAB_GW_SET_AD;		/* keep guest A/D truthful */
	hvlab_shadow_page_fault(&ctx, &slots, NULL, gva, error_code,
				(ctx.efer & EFER_NX) ? HVLAB_SPTE_NX : 0, spf);
	if (spf->action != HVLAB_SPF_FILL)
		return spf->action;
	sh_mem(vcpu, &smem);
	if (hvlab_shadow_map(&smem, vcpu->sh_root, vcpu->sh_levels, gva,
			     spf->spte))
		return -1;
	/* a present entry may have become writable: drop the old one */
	if (vcpu->vpid)
		hv_invvpid(HV_INVVPID_ADDR, vcpu->vpid, gva);
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
	u32 idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u8 vec = idt & 0xff;

	vcpu->cr2 = spf->cr2;
	if ((idt & INTR_INFO_VALID) &&
	    (idt & 0x700) == INTR_TYPE_HARD_EXCEPTION) {
		if (vec == 8) {
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
			vcpu->run->exit_reason = HVLAB_EXIT_SHUTDOWN;
			return 0;
		}
		if (vec == 14 || vec == 0 || (vec >= 10 && vec <= 13)) {
			hv_inject_exception(vcpu, 8, true, 0);
			return 1;
		}
	}
	hv_inject_exception(vcpu, 14, true, spf->error_code);
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
	int action = sh_fault(vcpu, gva, error_code, &spf);

	vcpu->rec->gpa = spf.gpa;
	vcpu->rec->value = gva;
	switch (action) {
	case HVLAB_SPF_FILL:
		vcpu->stats->ept_faults++;	/* "pages faulted in" */
		return 1;
	case HVLAB_SPF_REFLECT:
		return reflect_page_fault(vcpu, &spf);
	case HVLAB_SPF_MMIO:
		return hv_mmio_exit(vcpu, spf.gpa);
	case HVLAB_SPF_RETRY:
		return 1;
	}
	return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, gva, action);
}

void hv_shadow_invlpg(struct hv_vcpu *vcpu, u64 gva)
{
	struct hvlab_pmem smem;

	sh_mem(vcpu, &smem);
	if (vcpu->sh_root)
		hvlab_shadow_zap(&smem, vcpu->sh_root, vcpu->sh_levels, gva);
}

/* The inspector's second stage in shadow mode: the shadow entry itself. */
int hv_shadow_translate(struct hv_vcpu *vcpu, u64 gva,
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
