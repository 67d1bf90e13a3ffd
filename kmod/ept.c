// SPDX-License-Identifier: GPL-2.0
/*
 * ept.c - guest-physical memory: memory slots, EPT, and guest access.
 *
 * A VM's RAM is the owner process's memory, described by memory slots
 * (GPA range -> userspace address).  The EPT starts empty; the first
 * access to a guest page is an EPT violation (SDM Vol. 3 29.3.3), and
 * hv_ept_fault() then pins that one userspace page and maps it with a
 * 4 KiB EPT entry, write-back, RWX (RX for a read-only slot).  A GPA that
 * no slot covers, or a write to a read-only slot, is not RAM: the caller
 * turns it into an MMIO exit for userspace.
 *
 * Pins are charged to the owner's locked_vm and bounded by its
 * RLIMIT_MEMLOCK (slot_page); a pin that would exceed it makes HVLAB_RUN
 * fail with ENOMEM.  A pin lasts until its slot is changed or the VM dies,
 * whatever userspace does to the mapping meanwhile: after munmap the guest
 * keeps the page it had (and userspace no longer sees it), after mremap
 * both see the same page at its new address (docs/security.md).
 *
 * Invariants:
 *  - every present EPT leaf points at a page pinned in slot->pages[] and
 *    nothing else, so the guest can reach only memory its slots name;
 *  - an entry goes from not-present to present, never the other way,
 *    while any vCPU exists, so no INVEPT is needed on insert (not-present
 *    entries are never cached, SDM 29.4.1);
 *  - a slot change (allowed only while no vCPU exists, vm.c) first takes
 *    the whole EPT down below the root and flushes it on every CPU
 *    (hv_ept_zap_all), and only then releases the slot's pins: no
 *    present entry, and no cached translation, ever points at a page
 *    that went back to the allocator;
 *  - vm->mmu_lock (a mutex: pinning may sleep) guards the tables and the
 *    pages[] arrays.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/io.h>

#include "hvlab.h"
#include "pure_caps.h"
#include "vm.h"
#include "vmx_ops.h"

/* EPT entry bits (SDM 29.3.2, tables 29-1..29-6) */
#define EPT_R		(1ull << 0)
#define EPT_W		(1ull << 1)
#define EPT_X		(1ull << 2)
#define EPT_MT_WB	(6ull << 3)
#define EPT_IGNORE_PAT	(1ull << 6)
#define EPT_ADDR_MASK	0x000ffffffffff000ull

/*
 * AMD's nested page tables (APM Vol. 2 15.25) have the ordinary x86-64
 * format, and EPT's R, W, X bits 0-2 read there as P, R/W, U/S: the
 * tables above the leaves are the same bits on both.  A nested walk is a
 * user access, so every NPT entry has U/S set.  Leaves differ: NPT has no
 * memory type field (the host's PAT applies), so only P, R/W, U/S, and
 * A and D set up front.
 */
#define NPT_RW		(1ull << 1)
#define NPT_LEAF	((1ull << 0) | (1ull << 2) | (1ull << 5) | (1ull << 6))

int hv_ept_init(struct hv_vm *vm)
{
	vm->ept_root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->ept_root)
		return -ENOMEM;
	/* EPTP: WB paging-structure memory, 4-level walk (SDM 25.6.11) */
	vm->eptp = __pa(vm->ept_root) | (3ull << 3) | 6;
	return 0;
}

static void free_table(u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < 512; i++)
			if (table[i] & EPT_R)
				free_table(__va(table[i] & EPT_ADDR_MASK),
					   level - 1);
	}
	free_page((unsigned long)table);
}

void hv_ept_destroy(struct hv_vm *vm)
{
	if (vm->ept_root)
		free_table(vm->ept_root, 4);
	vm->ept_root = NULL;
}

/*
 * Drop what this CPU caches for the VM's EPT: single-context INVEPT, the
 * all-context form when that fails (SDM 29.4.3.1).  0, or -EIO when
 * neither worked.  Without INVEPT there is nothing to drop.
 */
int hv_ept_flush_local(struct hv_vm *vm)
{
	if (!(hvlab_vmx_caps()->features & HVLAB_CAP_INVEPT))
		return 0;
	if (hv_invept(HV_INVEPT_SINGLE, vm->eptp) &&
	    hv_invept(HV_INVEPT_GLOBAL, 0))
		return -EIO;
	return 0;
}

/* INVEPT on this CPU: runs in every CPU by IPI, VMX is on in all of them. */
static void invept_ipi(void *arg)
{
	struct hv_vm *vm = arg;

	/*
	 * Single-context drops the guest-physical and combined mappings of
	 * this EPTP; all-context INVVPID also drops the linear ones tagged
	 * with a VPID, which shadow paging leaves behind.
	 */
	if (hv_ept_flush_local(vm))
		atomic_inc(&vm->flush_failed);
	if ((hvlab_vmx_caps()->features & HVLAB_CAP_VPID) &&
	    hv_invvpid(HV_INVVPID_ALL, 0, 0))
		atomic_inc(&vm->flush_failed);
}

/*
 * Tear the EPT down below the root and flush every CPU, before a slot
 * change releases pinned pages.  No vCPU exists (vm.c checks), so nothing
 * walks the tables meanwhile; the old tables are detached first and freed
 * only after the flush, since a CPU's paging-structure cache may still
 * point into them.  The caller holds mmu_lock.  0, -ENOMEM (nothing
 * changed), or -EIO when a flush failed: the caller must then keep the
 * pins (the EPT is empty, but a CPU may still cache translations).
 */
int hv_ept_zap_all(struct hv_vm *vm)
{
	u64 *old;
	int i;

	lockdep_assert_held(&vm->mmu_lock);
	for (i = 0; i < 512; i++)
		if (vm->ept_root[i] & EPT_R)
			break;
	old = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!old)
		return -ENOMEM;
	if (i < 512) {
		memcpy(old, vm->ept_root, PAGE_SIZE);
		memset(vm->ept_root, 0, PAGE_SIZE);
	}
	/* flush even an empty EPT: shadow paging leaves VPID-tagged entries */
	atomic_set(&vm->flush_failed, 0);
	on_each_cpu(invept_ipi, vm, 1);
	free_table(old, 4);
	return atomic_read(&vm->flush_failed) ? -EIO : 0;
}

/*
 * Release a slot's pins and give their charge back to the owner's locked_vm.
 * The owner may be exiting (its mm has no users left): then there is no
 * counter left to correct.
 */
void hv_unpin_slot(struct hv_vm *vm, struct hv_memslot *slot)
{
	unsigned long n = 0;
	u64 i;

	if (!slot->pages)
		return;
	for (i = 0; i < slot->npages; i++)
		if (slot->pages[i]) {
			unpin_user_pages_dirty_lock(&slot->pages[i], 1,
				!(slot->flags & HVLAB_MEM_READONLY));
			n++;
		}
	kvfree(slot->pages);
	slot->pages = NULL;
	if (n && mmget_not_zero(vm->mm)) {
		account_locked_vm(vm->mm, n, false);
		mmput(vm->mm);
	}
}

static struct hv_memslot *find_slot(struct hv_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < HVLAB_MAX_MEMSLOTS; i++) {
		struct hv_memslot *s = &vm->slots[i];

		if (s->npages && gpa >= s->gpa &&
		    gpa - s->gpa < s->npages << PAGE_SHIFT)
			return s;
	}
	return NULL;
}

/*
 * The pinned page behind a slot index; pins it on first use and charges it
 * to the owner's locked_vm, as VFIO does: more than RLIMIT_MEMLOCK (without
 * CAP_IPC_LOCK) is -ENOMEM.  -EFAULT: not the owner, or no page there.
 */
static struct page *slot_page(struct hv_vm *vm, struct hv_memslot *s, u64 idx)
{
	unsigned int gup = FOLL_LONGTERM;
	struct page *page;
	int ret;

	lockdep_assert_held(&vm->mmu_lock);
	if (s->pages[idx])
		return s->pages[idx];
	/* only the owner's threads may fault its memory in */
	if (current->mm != vm->mm)
		return ERR_PTR(-EFAULT);
	ret = account_locked_vm(vm->mm, 1, true);
	if (ret) {
		atomic_set(&vm->pin_error, ret);
		return ERR_PTR(ret);
	}
	if (!(s->flags & HVLAB_MEM_READONLY))
		gup |= FOLL_WRITE;
	if (pin_user_pages_fast(s->uaddr + (idx << PAGE_SHIFT), 1, gup,
				&page) != 1) {
		account_locked_vm(vm->mm, 1, false);
		return ERR_PTR(-EFAULT);
	}
	WRITE_ONCE(s->pages[idx], page);	/* hv_gpa_to_hpa_pinned reads it */
	return page;
}

/* LAB 6: BEGIN ept_leaf */
static u64 *ept_leaf(struct hv_vm *vm, u64 gpa)
{
	u64 *table = vm->ept_root;
	int level;

	for (level = 4; level > 1; level--) {
		u64 *e = &table[(gpa >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & EPT_R)) {
			u64 *next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

			if (!next)
				return NULL;
			*e = __pa(next) | EPT_R | EPT_W | EPT_X;
		}
		table = __va(*e & EPT_ADDR_MASK);
	}
	return &table[(gpa >> 12) & 511];
}
/* LAB 6: END ept_leaf */

int hv_ept_fault(struct hv_vcpu *vcpu, u64 gpa, bool write)
{
	struct hv_vm *vm = vcpu->vm;
	struct hv_memslot *s;
	struct page *page;
	u64 *leaf, idx;
	int ret = 1;

	mutex_lock(&vm->mmu_lock);
	s = find_slot(vm, gpa);
	if (!s || (write && (s->flags & HVLAB_MEM_READONLY))) {
		ret = 0;
		goto out;
	}
	idx = (gpa - s->gpa) >> PAGE_SHIFT;
	page = slot_page(vm, s, idx);
	if (IS_ERR(page)) {
		ret = PTR_ERR(page);
		goto out;
	}
	leaf = ept_leaf(vm, gpa);
	if (!leaf) {
		ret = -ENOMEM;
		goto out;
	}
	if (hv_ops->npt)	/* NPT: a user page, accessed and dirty */
		*leaf = page_to_phys(page) | NPT_LEAF |
			((s->flags & HVLAB_MEM_READONLY) ? 0 : NPT_RW);
	else
		*leaf = page_to_phys(page) | EPT_R | EPT_X | EPT_MT_WB |
			EPT_IGNORE_PAT |
			((s->flags & HVLAB_MEM_READONLY) ? 0 : EPT_W);
	vcpu->stats->ept_faults++;
out:
	mutex_unlock(&vm->mmu_lock);
	return ret;
}

/* Copy to/from guest-physical memory, page by page; -EFAULT outside RAM. */
static int access_guest(struct hv_vm *vm, u64 gpa, void *buf,
			unsigned int len, bool write)
{
	int ret = 0;

	mutex_lock(&vm->mmu_lock);
	while (len) {
		unsigned int off = gpa & ~PAGE_MASK;
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		struct hv_memslot *s = find_slot(vm, gpa);
		struct page *page;

		if (!s || (write && (s->flags & HVLAB_MEM_READONLY))) {
			ret = -EFAULT;
			break;
		}
		page = slot_page(vm, s, (gpa - s->gpa) >> PAGE_SHIFT);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			break;
		}
		if (write)
			memcpy(page_address(page) + off, buf, n);
		else
			memcpy(buf, page_address(page) + off, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	mutex_unlock(&vm->mmu_lock);
	return ret;
}

int hv_read_guest(struct hv_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return access_guest(vm, gpa, buf, len, false);
}

int hv_write_guest(struct hv_vm *vm, u64 gpa, const void *buf,
		   unsigned int len)
{
	return access_guest(vm, gpa, (void *)buf, len, true);
}

/*
 * Shadow paging needs the host frame behind a GPA without any EPT: pin it
 * like an EPT fault would.  0 and *hpa, or -EFAULT when no slot has it;
 * *ro says whether the slot is read-only.
 */
int hv_gpa_to_hpa(struct hv_vm *vm, u64 gpa, u64 *hpa, bool *ro)
{
	struct hv_memslot *s;
	struct page *page = ERR_PTR(-EFAULT);

	mutex_lock(&vm->mmu_lock);
	s = find_slot(vm, gpa);
	if (s)
		page = slot_page(vm, s, (gpa - s->gpa) >> PAGE_SHIFT);
	if (!IS_ERR(page)) {
		*hpa = page_to_phys(page) | (gpa & ~PAGE_MASK);
		*ro = s->flags & HVLAB_MEM_READONLY;
	}
	mutex_unlock(&vm->mmu_lock);
	return IS_ERR(page) ? PTR_ERR(page) : 0;
}

/*
 * hv_gpa_to_hpa for a context that may not sleep (shadow paging's #PF fast
 * path, interrupts off): only pages already pinned, read without
 * mmu_lock.  That is safe while a vCPU runs: slots change only while no
 * vCPU exists, and a pages[] entry, once set, stays until then.  -EAGAIN
 * when the page is not pinned yet (the caller takes the slow path).
 */
int hv_gpa_to_hpa_pinned(struct hv_vm *vm, u64 gpa, u64 *hpa, bool *ro)
{
	struct hv_memslot *s = find_slot(vm, gpa);
	struct page *page;

	if (!s)
		return -EFAULT;
	page = READ_ONCE(s->pages[(gpa - s->gpa) >> PAGE_SHIFT]);
	if (!page)
		return -EAGAIN;
	*hpa = page_to_phys(page) | (gpa & ~PAGE_MASK);
	*ro = s->flags & HVLAB_MEM_READONLY;
	return 0;
}

/* Atomic compare-exchange in guest memory: the walker's A/D updates. */
int hv_cmpxchg_guest(struct hv_vm *vm, u64 gpa, unsigned int size, u64 old,
		     u64 new)
{
	u64 hpa;
	bool ro;
	void *p;
	int ret;

	if ((size != 4 && size != 8) || (gpa & (size - 1)) ||
	    hv_gpa_to_hpa(vm, gpa, &hpa, &ro) || ro)
		return -1;
	p = __va(hpa);	/* a pinned page, in the direct map */
	if (size == 8)
		ret = cmpxchg((u64 *)p, old, new) == old ? 0 : 1;
	else
		ret = cmpxchg((u32 *)p, (u32)old, (u32)new) == (u32)old ? 0 : 1;
	return ret;
}

/*
 * The EPT backend (vm.h).  The CPU walks the guest's own page tables, so
 * a MOV to CR3 is only loaded (cr.c, hv_ept_set_cr3) and a change of CR0
 * or CR4 only reloads the PAE PDPTEs; #PF, INVLPG and real mode need
 * nothing of hvlab (unrestricted guest runs real mode as it is).
 */
const struct hv_paging_ops hv_ept_paging = {
	.reload		= hv_vmcs_load_pdptrs,
	.set_cr3	= hv_ept_set_cr3,
};
