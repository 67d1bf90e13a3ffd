/* SPDX-License-Identifier: GPL-2.0 */
/*
 * raw_vm.h - a VM driven by the ioctls directly, for the in-VM kernel tests
 * that run a few bytes of guest code without `hvlab run`.
 *
 * The pieces, in the order a test uses them:
 *
 *   raw_vm_create()     /dev/hvlab, HVLAB_CREATE_VM, anonymous guest RAM
 *                       (zero-filled; the test writes its code into it)
 *   raw_vm_add_vcpu()   RAM as slot 0 at GPA 0, vCPU 0 and its run page
 *   raw_real_mode()     CS = 0, RIP = rip: unrestricted guest under EPT,
 *                       vm86 under shadow paging
 *   raw_identity_map()  + raw_long_mode_sregs(): 64-bit mode with the RAM
 *                       identity-mapped by 4 KiB pages, tables at 0x8000
 *   raw_vm_run()        one HVLAB_RUN: the exit reason or -errno
 *   raw_vm_close()      undoes whatever raw_vm_create/add_vcpu got to
 *
 * The lower-level helpers take plain fds, so a test that builds its own
 * slot layout (several slots, vCPUs created after slot changes) uses them
 * without struct raw_vm.  $HVLAB_PAGING ("shadow" or anything else for
 * EPT) picks the paging mode through raw_vm_flags().
 */
#ifndef RAW_VM_H
#define RAW_VM_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvlab_test.h"

/* The HVLAB_CREATE_VM flags for the paging mode $HVLAB_PAGING names. */
static inline unsigned long raw_vm_flags(void)
{
	const char *p = getenv("HVLAB_PAGING");

	return p && !strcmp(p, "shadow") ? HVLAB_VM_SHADOW_PAGING : 0;
}

/* HVLAB_SET_MEMORY_REGION; size 0 deletes the slot.  0 or -errno. */
static inline int raw_set_slot(int vm, unsigned int slot, unsigned long gpa,
			       void *mem, size_t size)
{
	struct hvlab_memory_region r = {
		.slot = slot, .guest_phys = gpa, .size = size,
		.userspace_addr = (unsigned long)mem,
	};

	return ioctl(vm, HVLAB_SET_MEMORY_REGION, &r) ? -errno : 0;
}

/*
 * vCPU 0 of vm and its run page.  *fd is set before the mmap, so a caller's
 * clean-up closes it even when the mapping fails.  0 or -1.
 */
static inline int raw_vcpu_create(int sys, int vm, int *fd,
				  struct hvlab_run **run, size_t *map_size)
{
	*fd = ioctl(vm, HVLAB_CREATE_VCPU, 0);
	if (*fd < 0)
		return -1;
	*map_size = ioctl(sys, HVLAB_GET_VCPU_MMAP_SIZE, 0);
	*run = mmap(NULL, *map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    *fd, 0);
	return *run == MAP_FAILED ? -1 : 0;
}

/* Real mode from the module's reset state, but CS = 0 and IP = rip. */
static inline int raw_real_mode(int vcpu, unsigned long rip)
{
	struct hvlab_regs regs = { .rip = rip, .rflags = 2 };
	struct hvlab_sregs s;

	if (ioctl(vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(vcpu, HVLAB_SET_SREGS, &s))
		return -1;
	return ioctl(vcpu, HVLAB_SET_REGS, &regs);
}

/*
 * Identity-maps the first ram_size bytes by 4 KiB pages with the PTE bits
 * in pte (3: present, writable; 7: and user): PML4 at 0x8000, PDPT at
 * 0x9000, PD at 0xa000, PT at 0xb000.  Only the entries in use are
 * written; the rest of the tables must hold non-present entries already.
 */
static inline void raw_identity_map(unsigned char *ram, size_t ram_size,
				    unsigned int pte)
{
	unsigned long long *pt = (void *)(ram + 0x8000);
	size_t i;

	pt[0] = 0x9000 | pte;
	pt[512] = 0xa000 | pte;
	pt[1024] = 0xb000 | pte;
	for (i = 0; i < ram_size / 4096; i++)
		pt[1536 + i] = i * 4096ull | pte;
}

/*
 * 64-bit mode with the tables of raw_identity_map(): flat code segment 8
 * (L = 1) and data segment 0x10 in every data register, CR3 = 0x8000,
 * PAE, EFER.LME/LMA, CR0.PG/PE (SDM Vol. 3 10.8.5).  Sets the fields in
 * s, which the caller read with HVLAB_GET_SREGS and writes back.
 */
static inline void raw_long_mode_sregs(struct hvlab_sregs *s)
{
	static const struct hvlab_segment code = {
		.limit = 0xffffffff, .selector = 8, .type = 0xb, .s = 1,
		.present = 1, .l = 1, .g = 1,
	};
	static const struct hvlab_segment data = {
		.limit = 0xffffffff, .selector = 0x10, .type = 0x3, .s = 1,
		.present = 1, .db = 1, .g = 1,
	};

	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->cr3 = 0x8000;
	s->cr4 = 0x20;			/* PAE */
	s->efer = 0x500;		/* LME, LMA */
	s->cr0 = 0x80000031;		/* PG, NE, ET, PE */
}

/* One HVLAB_RUN: the exit reason, or -errno. */
static inline int raw_run(int vcpu, const struct hvlab_run *run)
{
	if (ioctl(vcpu, HVLAB_RUN, 0))
		return -errno;
	return run->exit_reason;
}

/* The first data byte of an HVLAB_EXIT_IO. */
static inline unsigned char raw_io_byte(const struct hvlab_run *run)
{
	return ((const unsigned char *)run)[run->io.data_offset];
}

/* One VM with one RAM slot at GPA 0 and vCPU 0. */
struct raw_vm {
	int sys, vm, vcpu;
	unsigned char *ram;
	size_t ram_size;
	struct hvlab_run *run;
	size_t map_size;
};

/* /dev/hvlab, a VM with flags, ram_size bytes of RAM not yet in a slot. */
static inline int raw_vm_create(struct raw_vm *t, unsigned long flags,
				size_t ram_size)
{
	memset(t, 0, sizeof(*t));
	t->sys = hvlab_open_dev();
	if (t->sys < 0)
		return -1;
	t->vm = ioctl(t->sys, HVLAB_CREATE_VM, flags);
	t->ram_size = ram_size;
	t->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->vm < 0 || t->ram == MAP_FAILED)
		return -1;
	return 0;
}

/* The RAM as slot 0 at GPA 0, then vCPU 0 and its run page. */
static inline int raw_vm_add_vcpu(struct raw_vm *t)
{
	if (raw_set_slot(t->vm, 0, 0, t->ram, t->ram_size))
		return -1;
	return raw_vcpu_create(t->sys, t->vm, &t->vcpu, &t->run, &t->map_size);
}

static inline int raw_vm_run(struct raw_vm *t)
{
	return raw_run(t->vcpu, t->run);
}

static inline unsigned char raw_vm_io_byte(const struct raw_vm *t)
{
	return raw_io_byte(t->run);
}

static inline void raw_vm_close(struct raw_vm *t)
{
	if (t->run && t->run != MAP_FAILED)
		munmap(t->run, t->map_size);
	if (t->ram && t->ram != MAP_FAILED)
		munmap(t->ram, t->ram_size);
	if (t->vcpu > 0)
		close(t->vcpu);
	if (t->vm > 0)
		close(t->vm);
	if (t->sys > 0)
		close(t->sys);
}

#endif
