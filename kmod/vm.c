// SPDX-License-Identifier: GPL-2.0
/*
 * vm.c - the VM object behind a VM file descriptor.
 *
 * HVLAB_CREATE_VM takes a reference on VMX (vmx.c: the first VM turns VMX
 * on in every CPU), allocates the EPT root and the all-ones I/O and MSR
 * bitmaps every vCPU of this VM shares, and returns an anonymous-inode
 * fd.  The VM fd then adds memory slots and creates vCPUs (vcpu.c).
 *
 * Invariants: slots never overlap; a slot is never changed or removed
 * while a vCPU exists (its VMCS and shadow tables point into the slots).
 * Once the last vCPU is gone a slot may change again, but the EPT built
 * for the old slots is torn down and flushed on every CPU before the old
 * pages are unpinned (hv_ept_zap_all, ept.c): otherwise the next vCPU
 * would reach pages that went back to the allocator.  The VM is freed
 * when the last reference (its fd, or a vCPU) goes, and only then gives
 * VMX back.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvlab.h"
#include "vm.h"

static void vm_free(struct kref *ref)
{
	struct hv_vm *vm = container_of(ref, struct hv_vm, ref);
	int i;

	hv_ept_destroy(vm);
	for (i = 0; i < HVLAB_MAX_MEMSLOTS; i++)
		hv_unpin_slot(vm, &vm->slots[i]);
	free_pages((unsigned long)vm->io_bitmap, 1);
	free_page((unsigned long)vm->msr_bitmap);
	mmdrop(vm->mm);
	kfree(vm);
	hv_virt_put();
	module_put(THIS_MODULE);
}

void hv_vm_put(struct hv_vm *vm)
{
	kref_put(&vm->ref, vm_free);
}

static bool has_vcpus(struct hv_vm *vm)
{
	int i;

	for (i = 0; i < HVLAB_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			return true;
	return false;
}

/* 512 GiB: what a 4-level EPT maps, and far beyond any lab guest. */
#define HV_MAX_GPA	(1ull << 39)

static int set_memory_region(struct hv_vm *vm,
			     const struct hvlab_memory_region *r)
{
	struct hv_memslot *s;
	u64 npages = r->size >> PAGE_SHIFT;
	int i, ret = 0;

	if (r->slot >= HVLAB_MAX_MEMSLOTS || (r->flags & ~HVLAB_MEM_READONLY))
		return -EINVAL;
	if ((r->guest_phys | r->size | r->userspace_addr) & ~PAGE_MASK)
		return -EINVAL;
	if (r->guest_phys >= HV_MAX_GPA || r->size > HV_MAX_GPA - r->guest_phys)
		return -EINVAL;
	if (r->size && !access_ok((void __user *)(unsigned long)r->userspace_addr,
				  r->size))
		return -EFAULT;

	mutex_lock(&vm->lock);
	s = &vm->slots[r->slot];
	if (has_vcpus(vm)) {
		ret = -EBUSY;	/* vCPUs hold translations: see top */
		goto out;
	}
	for (i = 0; i < HVLAB_MAX_MEMSLOTS && npages; i++) {
		struct hv_memslot *o = &vm->slots[i];

		if (i == r->slot || !o->npages)
			continue;
		if (r->guest_phys < o->gpa + (o->npages << PAGE_SHIFT) &&
		    o->gpa < r->guest_phys + r->size) {
			ret = -EEXIST;
			goto out;
		}
	}
	mutex_lock(&vm->mmu_lock);
	/* before any page is unpinned; no vCPU yet: nothing to flush */
	ret = vm->had_vcpus ? hv_ept_zap_all(vm) : 0;
	if (ret) {
		mutex_unlock(&vm->mmu_lock);
		goto out;
	}
	hv_unpin_slot(vm, s);
	s->npages = 0;
	if (npages) {
		s->pages = kvcalloc(npages, sizeof(*s->pages), GFP_KERNEL_ACCOUNT);
		if (!s->pages) {
			ret = -ENOMEM;
		} else {
			s->gpa = r->guest_phys;
			s->uaddr = r->userspace_addr;
			s->flags = r->flags;
			s->npages = npages;
		}
	}
	mutex_unlock(&vm->mmu_lock);
out:
	mutex_unlock(&vm->lock);
	return ret;
}

static long vm_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct hv_vm *vm = f->private_data;
	struct hvlab_memory_region r;

	if (current->mm != vm->mm)
		return -EIO;
	switch (cmd) {
	case HVLAB_SET_MEMORY_REGION:
		if (copy_from_user(&r, (void __user *)arg, sizeof(r)))
			return -EFAULT;
		return set_memory_region(vm, &r);
	case HVLAB_CREATE_VCPU:
		if (arg >= HVLAB_MAX_VCPUS)
			return -EINVAL;
		return hv_vcpu_create(vm, arg);
	default:
		return -ENOTTY;
	}
}

static int vm_release(struct inode *inode, struct file *f)
{
	hv_vm_put(f->private_data);
	return 0;
}

static const struct file_operations vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vm_release,
	.llseek = noop_llseek,
};

int hvlab_vm_create(unsigned long flags)
{
	struct hv_vm *vm;
	int ret, fd;

	ret = hv_ops->vm_check(flags);
	if (ret)
		return ret;
	ret = hv_virt_get();
	if (ret)
		return ret;
	ret = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto put_vmx;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	vm->flags = flags;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->io_bitmap = (void *)__get_free_pages(GFP_KERNEL_ACCOUNT, 1);
	vm->msr_bitmap = (void *)__get_free_page(GFP_KERNEL_ACCOUNT);
	if (!vm->io_bitmap || !vm->msr_bitmap || hv_ept_init(vm))
		goto free_vm;
	/* every port and every MSR exits (SDM 25.6.4, 25.6.9) */
	memset(vm->io_bitmap, 0xff, 2 * PAGE_SIZE);
	memset(vm->msr_bitmap, 0xff, PAGE_SIZE);

	__module_get(THIS_MODULE);	/* dropped in vm_free */
	fd = anon_inode_getfd("hvlab-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hv_vm_put(vm);
	return fd;

free_vm:
	hv_ept_destroy(vm);
	free_pages((unsigned long)vm->io_bitmap, 1);
	free_page((unsigned long)vm->msr_bitmap);
	mmdrop(vm->mm);
	kfree(vm);
put_vmx:
	hv_virt_put();
	return ret;
}

int hvlab_vcpu_mmap_size(void)
{
	return HVLAB_STATS_OFFSET + PAGE_ALIGN(sizeof(struct hvlab_stats));
}
