// SPDX-License-Identifier: GPL-2.0
/*
 * test_isolation.c - what a VM's memory and files must never leak.
 *
 * Memory slots after vCPUs: a slot may change once the last vCPU is gone,
 * and the guest of the next vCPU must then see the new layout -- an MMIO
 * exit for a deleted slot, the new page for a replaced one -- never the
 * page the old translations pointed at.  File access: the run page of a
 * vCPU is its creator's, like its ioctls.  Pinned guest pages are charged
 * to the owner's locked_vm (VmLck) within RLIMIT_MEMLOCK, and stay pinned
 * until their slot goes, whatever munmap/mremap does to the mapping.
 *
 * The guests are raw real-mode code at GPA 0x1000 (unrestricted guest
 * under EPT, vm86 mode under shadow paging; HVLAB_PAGING picks which):
 *   a0 00 20   mov al, [0x2000]
 *   e6 99      out 0x99, al        -> HVLAB_EXIT_IO, data = that byte
 *   f4         hlt
 * GPA 0x0000-0x1fff is slot 0 (the code), GPA 0x2000-0x2fff slot 1 (the
 * data page the tests delete or replace).
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "raw_vm.h"

#define CODE_SIZE	0x2000
#define DATA_GPA	0x2000

static const unsigned char read_out_hlt[] = {
	0xa0, 0x00, 0x20, 0xe6, 0x99, 0xf4,
};

static void *page_of(unsigned char byte, size_t size)
{
	unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, byte, size);
	return p;
}

struct vcpu {
	int fd;
	struct hvlab_run *run;
	size_t map_size;
};

/* A vCPU in real mode at 0000:1000. */
static int vcpu_open(int sys, int vm, struct vcpu *v)
{
	if (raw_vcpu_create(sys, vm, &v->fd, &v->run, &v->map_size))
		return -1;
	return raw_real_mode(v->fd, 0x1000);
}

static void vcpu_close(struct vcpu *v)
{
	munmap(v->run, v->map_size);
	close(v->fd);
}

static int run_once(struct vcpu *v)
{
	return raw_run(v->fd, v->run);
}

static unsigned char io_byte(struct vcpu *v)
{
	return raw_io_byte(v->run);
}

FIXTURE(slots) {
	int sys, vm;
	unsigned char *code, *old_data;
};

FIXTURE_SETUP(slots)
{
	struct vcpu v;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	self->sys = hvlab_open_dev();
	ASSERT_LE(0, self->sys);
	self->vm = ioctl(self->sys, HVLAB_CREATE_VM, raw_vm_flags());
	ASSERT_LE(0, self->vm);
	self->code = page_of(0xf4, CODE_SIZE);
	self->old_data = page_of(0xaa, 4096);
	ASSERT_NE(NULL, self->code);
	ASSERT_NE(NULL, self->old_data);
	memcpy(self->code + 0x1000, read_out_hlt, sizeof(read_out_hlt));
	ASSERT_EQ(0, raw_set_slot(self->vm, 0, 0, self->code, CODE_SIZE));
	ASSERT_EQ(0, raw_set_slot(self->vm, 1, DATA_GPA, self->old_data, 4096));

	/* the first vCPU maps GPA 0x2000 -> old_data and reads it */
	ASSERT_EQ(0, vcpu_open(self->sys, self->vm, &v));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&v));
	ASSERT_EQ(0xaa, io_byte(&v));
	/* while a vCPU exists its translations pin the layout */
	EXPECT_EQ(-EBUSY, raw_set_slot(self->vm, 1, DATA_GPA, NULL, 0));
	vcpu_close(&v);
}

FIXTURE_TEARDOWN(slots)
{
	close(self->vm);
	close(self->sys);
	munmap(self->code, CODE_SIZE);
	munmap(self->old_data, 4096);
}

/* Deleted: the old GPA is no longer RAM, the guest's read is MMIO. */
TEST_F(slots, deleted_slot_is_mmio_for_the_next_vcpu)
{
	struct vcpu v;

	ASSERT_EQ(0, raw_set_slot(self->vm, 1, DATA_GPA, NULL, 0));
	ASSERT_EQ(0, vcpu_open(self->sys, self->vm, &v));
	/* old_data still holds 0xaa: a stale translation would read it */
	ASSERT_EQ(HVLAB_EXIT_MMIO, run_once(&v));
	EXPECT_EQ(DATA_GPA, v.run->mmio.phys_addr);
	EXPECT_EQ(0, v.run->mmio.is_write);
	v.run->mmio.data[0] = 0x42;
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&v));
	EXPECT_EQ(0x42, io_byte(&v));
	vcpu_close(&v);
}

/* Replaced: the same GPA now reads the new page. */
TEST_F(slots, replaced_slot_shows_new_data_to_the_next_vcpu)
{
	unsigned char *new_data = page_of(0xcc, 4096);
	struct vcpu v;

	ASSERT_NE(NULL, new_data);
	ASSERT_EQ(0, raw_set_slot(self->vm, 1, DATA_GPA, new_data, 4096));
	ASSERT_EQ(0, vcpu_open(self->sys, self->vm, &v));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&v));
	EXPECT_EQ(0xcc, io_byte(&v));
	vcpu_close(&v);
	munmap(new_data, 4096);
}

/* Moved: the old GPA is MMIO, the new GPA reads the page. */
TEST_F(slots, moved_slot_leaves_no_alias)
{
	struct vcpu v;

	ASSERT_EQ(0, raw_set_slot(self->vm, 1, 0x3000, self->old_data, 4096));
	ASSERT_EQ(0, vcpu_open(self->sys, self->vm, &v));
	ASSERT_EQ(HVLAB_EXIT_MMIO, run_once(&v));
	EXPECT_EQ(DATA_GPA, v.run->mmio.phys_addr);
	vcpu_close(&v);
}

/* A fresh VM with the layout above and a vCPU at 0x1000; not yet run. */
struct tvm {
	int sys, vm;
	unsigned char *code, *data;
	struct vcpu v;
};

static int tvm_open(struct tvm *t)
{
	t->sys = hvlab_open_dev();
	if (t->sys < 0)
		return -1;
	t->vm = ioctl(t->sys, HVLAB_CREATE_VM, raw_vm_flags());
	t->code = page_of(0xf4, CODE_SIZE);
	t->data = page_of(0xaa, 4096);
	if (t->vm < 0 || !t->code || !t->data)
		return -1;
	memcpy(t->code + 0x1000, read_out_hlt, sizeof(read_out_hlt));
	if (raw_set_slot(t->vm, 0, 0, t->code, CODE_SIZE) ||
	    raw_set_slot(t->vm, 1, DATA_GPA, t->data, 4096))
		return -1;
	return vcpu_open(t->sys, t->vm, &t->v);
}

static void tvm_close(struct tvm *t)
{
	vcpu_close(&t->v);
	close(t->vm);
	close(t->sys);
	munmap(t->code, CODE_SIZE);
}

/*
 * Rerun the guest, stopped at its HLT, from 0x1000: the byte it reads at
 * GPA 0x2000, or -1.
 */
static int reread(struct tvm *t)
{
	struct hvlab_regs regs = { .rip = 0x1000, .rflags = 2 };

	if (ioctl(t->v.fd, HVLAB_SET_REGS, &regs) ||
	    run_once(&t->v) != HVLAB_EXIT_IO)
		return -1;
	return io_byte(&t->v);
}

/*
 * Another process can map a vCPU's run page only read-only (hvlab top
 * watches a run that way, docs/dashboard.md): never writable, not even by
 * mprotect later, and the creator's writable mapping that fork() copied
 * faults in the child.
 */
TEST(mmap_from_other_process_is_read_only)
{
	struct tvm t;
	pid_t pid;
	int status;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t.v));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *w = mmap(NULL, t.v.map_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, t.v.fd, 0);
		int werr = errno;
		struct hvlab_run *r = mmap(NULL, t.v.map_size, PROT_READ,
					   MAP_SHARED, t.v.fd, 0);

		if (w != MAP_FAILED || werr != EIO)
			_exit(1);
		if (r == MAP_FAILED || r->exit_reason != HVLAB_EXIT_IO)
			_exit(2);
		_exit(mprotect(r, t.v.map_size, PROT_READ | PROT_WRITE) ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* the mapping fork() copied faults with SIGBUS, not the parent's data */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(*(volatile unsigned int *)&t.v.run->exit_reason == 0x5a5a);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	if (WIFSIGNALED(status))
		EXPECT_EQ(SIGBUS, WTERMSIG(status));
	tvm_close(&t);
	munmap(t.data, 4096);
}

/* Each pinned page counts in VmLck until its slot goes. */
TEST(pins_are_charged_to_locked_vm)
{
	long before, during, after;
	struct tvm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	before = hvlab_vm_lck_kib();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, tvm_open(&t));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t.v));
	during = hvlab_vm_lck_kib();
	/* at least the code page and the data page */
	EXPECT_LE(before + 8, during);
	tvm_close(&t);
	after = hvlab_vm_lck_kib();
	EXPECT_EQ(before, after);
	munmap(t.data, 4096);
}

/* munmap: the guest keeps the page it had until the slot goes. */
TEST(munmap_keeps_the_pin_until_the_slot_goes)
{
	long before;
	struct tvm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t.v));
	ASSERT_EQ(0xaa, io_byte(&t.v));
	ASSERT_EQ(HVLAB_EXIT_HLT, run_once(&t.v));
	before = hvlab_vm_lck_kib();
	ASSERT_EQ(0, munmap(t.data, 4096));
	EXPECT_EQ(0xaa, reread(&t));
	EXPECT_EQ(before, hvlab_vm_lck_kib());
	/* the slot goes with the last vCPU; then the charge goes too */
	vcpu_close(&t.v);
	ASSERT_EQ(0, raw_set_slot(t.vm, 1, DATA_GPA, NULL, 0));
	EXPECT_EQ(before - 4, hvlab_vm_lck_kib());
	ASSERT_EQ(0, vcpu_open(t.sys, t.vm, &t.v));
	tvm_close(&t);
}

/* mremap: the pinned page moves with the mapping; both see one page. */
TEST(mremap_moves_the_pinned_page)
{
	unsigned char *moved;
	struct tvm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t.v));
	ASSERT_EQ(0xaa, io_byte(&t.v));
	ASSERT_EQ(HVLAB_EXIT_HLT, run_once(&t.v));
	moved = page_of(0, 4096);
	ASSERT_NE(NULL, moved);
	moved = mremap(t.data, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED,
		       moved);
	ASSERT_NE(MAP_FAILED, moved);
	moved[0] = 0x77;
	EXPECT_EQ(0x77, reread(&t));
	tvm_close(&t);
	munmap(moved, 4096);
}

static int drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d);
}

/*
 * Past RLIMIT_MEMLOCK, HVLAB_RUN fails with ENOMEM.  The guest reads one
 * byte of every 4 KiB page from GPA 0x2000 on, in a slot of 64 pages, with
 * a limit of 16; without the limit it would reach the end of the slot and
 * stop with an MMIO exit there.
 */
TEST(memlock_limit_is_enomem)
{
	static const unsigned char walk[] = {
		0xb8, 0x00, 0x02,	/* mov ax, 0x0200 */
		0x8e, 0xd8,		/* 1: mov ds, ax */
		0xa0, 0x00, 0x00,	/* mov al, [0] */
		0x05, 0x00, 0x01,	/* add ax, 0x100 (next page) */
		0xeb, 0xf6,		/* jmp 1b */
	};
	pid_t pid;
	int status;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { 16 * 4096, 16 * 4096 };
		unsigned char *ram = page_of(0xf4, 64 * 4096);
		struct vcpu v;
		int sys = hvlab_open_dev(), vm, r;

		if (!ram || sys < 0 || drop_cap_ipc_lock() ||
		    setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(10);
		memcpy(ram + 0x1000, walk, sizeof(walk));
		vm = ioctl(sys, HVLAB_CREATE_VM, raw_vm_flags());
		if (vm < 0 || raw_set_slot(vm, 0, 0, ram, 64 * 4096) ||
		    vcpu_open(sys, vm, &v))
			_exit(11);
		r = run_once(&v);
		_exit(r == -ENOMEM ? 0 : r == HVLAB_EXIT_MMIO ? 12 : 13);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
