// SPDX-License-Identifier: GPL-2.0
/*
 * test_vm_api.c - the VM and vCPU ioctls driven directly, without
 * `hvlab run`: isolation between VMs, MMIO exits for unbacked GPAs, entry
 * failures, the statistics page, bad arguments, and 100 create/destroy
 * cycles without leaking memory.
 *
 * The leak check counts the module's own memory, not the machine's: every
 * page and object of a VM is allocated with GFP_KERNEL_ACCOUNT, i.e.
 * charged to the memory cgroup of the process creating it, so the test runs
 * in a cgroup of its own and compares its memory.current (exact to the
 * page once the per-CPU charge caches are drained) before and after.
 *
 * The guests are a few real-mode instructions poked into guest RAM at
 * 0x1000 (unrestricted guest runs real mode directly):
 *   a0 00 20   mov al, [0x2000]
 *   e6 99      out 0x99, al        -> HVLAB_EXIT_IO, data = that byte
 *   f4         hlt                 -> HVLAB_EXIT_HLT
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "raw_vm.h"

#define RAM	0x10000

static const unsigned char read_out_hlt[] = {
	0xa0, 0x00, 0x20, 0xe6, 0x99, 0xf4,
};

static int tvm_open(struct raw_vm *t, const unsigned char *code, size_t len,
		    unsigned long flags)
{
	if (raw_vm_create(t, flags, RAM))
		return -1;
	memcpy(t->ram + 0x1000, code, len);
	if (raw_vm_add_vcpu(t))
		return -1;
	/* real mode, CS = 0: the module's reset state; start at 0x1000 */
	return raw_real_mode(t->vcpu, 0x1000);
}

FIXTURE(vm) {
	struct raw_vm a;
};

FIXTURE_SETUP(vm)
{
	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&self->a, read_out_hlt, sizeof(read_out_hlt), 0));
}

FIXTURE_TEARDOWN(vm)
{
	raw_vm_close(&self->a);
}

/* The full round trip: IO exit with the byte, then HLT, stats counted. */
TEST_F(vm, io_then_hlt)
{
	struct hvlab_stats *st = (void *)((char *)self->a.run + HVLAB_STATS_OFFSET);

	self->a.ram[0x2000] = 0x5a;
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&self->a));
	EXPECT_EQ(0x99, self->a.run->io.port);
	EXPECT_EQ(HVLAB_IO_OUT, self->a.run->io.direction);
	EXPECT_EQ(1, self->a.run->io.size);
	EXPECT_EQ(0x5a, ((unsigned char *)self->a.run)[self->a.run->io.data_offset]);
	ASSERT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&self->a));
	EXPECT_EQ(0x1006, self->a.run->guest_rip);
	EXPECT_LE(2, st->exits);
	EXPECT_EQ(1, st->by_reason[HVLAB_VMX_EXIT_IO]);
	EXPECT_EQ(1, st->by_reason[HVLAB_VMX_EXIT_HLT]);
	EXPECT_EQ(2, st->exits_to_user);
	EXPECT_EQ(st->exits, st->head);
}

/* Two VMs, the same GPA, different memory: each sees only its own. */
TEST_F(vm, two_vms_are_isolated)
{
	struct raw_vm b;

	self->a.ram[0x2000] = 0xaa;
	ASSERT_EQ(0, tvm_open(&b, read_out_hlt, sizeof(read_out_hlt), 0));
	b.ram[0x2000] = 0xbb;
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&b));
	EXPECT_EQ(0xbb, ((unsigned char *)b.run)[b.run->io.data_offset]);
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&self->a));
	EXPECT_EQ(0xaa, ((unsigned char *)self->a.run)[self->a.run->io.data_offset]);
	raw_vm_close(&b);
}

/* A GPA outside every slot is MMIO: decoded size, direction, address. */
TEST_F(vm, unbacked_gpa_is_mmio)
{
	static const unsigned char code[] = {
		0xb8, 0x00, 0x20,	/* mov ax, 0x2000 (segment: 0x20000) */
		0x8e, 0xd8,		/* mov ds, ax */
		0xa0, 0x10, 0x00,	/* mov al, [0x10] -> GPA 0x20010 */
		0xe6, 0x99,		/* out 0x99, al */
		0xf4,
	};
	struct raw_vm t;

	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code), 0));
	ASSERT_EQ(HVLAB_EXIT_MMIO, raw_vm_run(&t));
	EXPECT_EQ(0x20010, t.run->mmio.phys_addr);
	EXPECT_EQ(1, t.run->mmio.len);
	EXPECT_EQ(0, t.run->mmio.is_write);
	t.run->mmio.data[0] = 0x42;	/* the "device" answers */
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x42, ((unsigned char *)t.run)[t.run->io.data_offset]);
	raw_vm_close(&t);
}

/* A broken guest state fails VM entry with a reason, not an oops. */
TEST_F(vm, bad_guest_state_fails_entry)
{
	struct hvlab_sregs s;

	/* SVM's VMRUN checks other things (AMD APM 15.5.1): not these */
	HVLAB_SKIP_ON_SVM();
	ASSERT_EQ(0, ioctl(self->a.vcpu, HVLAB_GET_SREGS, &s));
	s.cs.present = 0;		/* SDM 26.3.1.2: CS must be usable */
	s.tr.type = 0;			/* and TR a TSS */
	ASSERT_EQ(0, ioctl(self->a.vcpu, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(HVLAB_EXIT_FAIL_ENTRY, raw_vm_run(&self->a));
	EXPECT_EQ(HVLAB_VMX_EXIT_INVALID_STATE,
		  self->a.run->fail_entry.hardware_entry_failure_reason & 0xffff);
	EXPECT_NE(NULL, strstr(self->a.run->fail_entry.check, "guest state"));
}

TEST_F(vm, bad_arguments)
{
	struct hvlab_memory_region r = { .slot = 1, .guest_phys = 0x8000,
		.size = 0x1000, .userspace_addr = (unsigned long)self->a.ram };
	struct hvlab_msrs m = { .nmsrs = 2 };

	/* overlapping, unaligned, out-of-range slots */
	EXPECT_EQ(-1, ioctl(self->a.vm, HVLAB_SET_MEMORY_REGION, &r));
	EXPECT_TRUE(errno == EEXIST || errno == EBUSY);
	r.guest_phys = 0x100000;
	r.size = 0x1234;
	EXPECT_EQ(-1, ioctl(self->a.vm, HVLAB_SET_MEMORY_REGION, &r));
	EXPECT_EQ(EINVAL, errno);
	r.slot = HVLAB_MAX_MEMSLOTS;
	EXPECT_EQ(-1, ioctl(self->a.vm, HVLAB_SET_MEMORY_REGION, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->a.vm, HVLAB_SET_MEMORY_REGION, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	/* vCPU ids */
	EXPECT_EQ(-1, ioctl(self->a.vm, HVLAB_CREATE_VCPU, HVLAB_MAX_VCPUS));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->a.vm, HVLAB_CREATE_VCPU, 0));
	EXPECT_EQ(EEXIST, errno);
	/* unknown flags and ioctls */
	EXPECT_EQ(-1, ioctl(self->a.sys, HVLAB_CREATE_VM, 0x80));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->a.vcpu, _IO(HVLAB_IOC, 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->a.vcpu, HVLAB_GET_REGS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->a.vcpu, HVLAB_RUN, 1));
	EXPECT_EQ(EINVAL, errno);
	/* MSRs: only the allow-list; the count says where it stopped */
	m.entries[0].index = 0x174;	/* IA32_SYSENTER_CS */
	m.entries[1].index = 0x12345678;
	EXPECT_EQ(1, ioctl(self->a.vcpu, HVLAB_GET_MSRS, &m));
	m.nmsrs = HVLAB_MAX_MSR_ENTRIES + 1;
	EXPECT_EQ(-1, ioctl(self->a.vcpu, HVLAB_GET_MSRS, &m));
	EXPECT_EQ(EINVAL, errno);
	/* the run/statistics mapping has a fixed size */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->a.map_size + 4096, PROT_READ,
				   MAP_SHARED, self->a.vcpu, 0));
}

/* Another process holding the fd cannot run the VM (its memory is ours). */
TEST_F(vm, other_process_cannot_run)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ioctl(self->a.vcpu, HVLAB_RUN, 0) == -1 && errno == EIO ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

static long mem_available_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_TEST		CG_ROOT "/hvlab-vm-api"

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, s, strlen(s));
		close(fd);
	}
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Moves this process into a fresh cgroup CG_TEST with the memory controller. */
static int cg_enter(struct __test_metadata *_metadata)
{
	char pid[32];

	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL)) {
			TH_LOG("mount cgroup2 on %s: %s", CG_ROOT, strerror(errno));
			return -1;
		}
	}
	if (write_file(CG_ROOT "/cgroup.subtree_control", "+memory")) {
		TH_LOG("cannot enable the memory controller: %s", strerror(errno));
		return -1;
	}
	rmdir(CG_TEST);		/* left over by an earlier run that failed */
	if (mkdir(CG_TEST, 0755)) {
		TH_LOG("mkdir %s: %s", CG_TEST, strerror(errno));
		return -1;
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(CG_TEST "/cgroup.procs", pid);
}

static void cg_leave(void)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", getpid());
	write_file(CG_ROOT "/cgroup.procs", pid);
	rmdir(CG_TEST);
}

static long read_pages(int current_fd)
{
	char buf[64] = "";

	if (lseek(current_fd, 0, SEEK_SET) || read(current_fd, buf, sizeof(buf) - 1) <= 0)
		return -1;
	return atol(buf) / sysconf(_SC_PAGESIZE);
}

/*
 * Pages charged to CG_TEST.  memory.current also counts what each CPU has
 * charged in advance (up to 64 pages); writing a memory.high below the
 * usage drains those caches (mm/memcontrol.c, memory_high_write: at once
 * on this CPU, by a work item on the others, hence the pause), then "max"
 * lifts the limit again.  The reclaim in between finds nothing to take:
 * the cgroup holds the test's anonymous memory (there is no swap) and
 * kernel memory.  Nothing may be charged in between, or the cache fills
 * again (and with memory.high at 0 the kernel would throttle the test):
 * both files are opened, and memory.current read once (its seq_file
 * buffer is charged on the first read), before the first measurement.
 */
static long cg_pages(int high_fd, int current_fd)
{
	/* cgroup files take each write whole; seq_file refuses pwrite */
	if (write(high_fd, "0", 1) != 1)
		return -1;
	usleep(20 * 1000);
	if (write(high_fd, "max", 3) != 3)
		return -1;
	return read_pages(current_fd);
}

/*
 * 100 create/run/destroy cycles: every page comes back.  One page leaked
 * per VM makes 100 pages; the allowance is 16 (what is left of byte-sized
 * slab charges per CPU).  Objects freed after an RCU grace period (the
 * files of the closed fds) may come back a little later, so a difference
 * is measured again for up to 2 s before it counts as a leak.
 */
#define LEAK_CYCLES	100
#define LEAK_ALLOWED	16

TEST(create_destroy_100_without_leaks)
{
	long before, after = -1, avail_before, avail_after;
	int i, high_fd, current_fd;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, cg_enter(_metadata));
	high_fd = open(CG_TEST "/memory.high", O_WRONLY);
	current_fd = open(CG_TEST "/memory.current", O_RDONLY);
	ASSERT_LE(0, high_fd);
	ASSERT_LE(0, current_fd);
	ASSERT_LT(0, read_pages(current_fd));
	for (i = 0; i < 5; i++) {	/* the first VMs fill caches for good */
		struct raw_vm t;

		ASSERT_EQ(0, tvm_open(&t, read_out_hlt, sizeof(read_out_hlt), 0));
		ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
		raw_vm_close(&t);
	}
	usleep(100 * 1000);
	before = cg_pages(high_fd, current_fd);
	ASSERT_LT(0, before);
	avail_before = mem_available_kb();
	for (i = 0; i < LEAK_CYCLES; i++) {
		struct raw_vm t;

		ASSERT_EQ(0, tvm_open(&t, read_out_hlt, sizeof(read_out_hlt), 0));
		ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
		ASSERT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
		raw_vm_close(&t);
	}
	for (i = 0; i < 20; i++) {
		after = cg_pages(high_fd, current_fd);
		if (after >= 0 && after - before <= LEAK_ALLOWED)
			break;
		usleep(100 * 1000);
	}
	avail_after = mem_available_kb();
	TH_LOG("pages charged to the test's cgroup: %ld before, %ld after %d VMs",
	       before, after, LEAK_CYCLES);
	TH_LOG("(MemAvailable, for comparison: %ld kB before, %ld kB after)",
	       avail_before, avail_after);
	close(high_fd);
	close(current_fd);
	cg_leave();
	ASSERT_LE(0, after);
	EXPECT_GE(LEAK_ALLOWED, after - before);
}

/* Two vCPUs of one VM run at once on two threads. */
struct vcpu_thread {
	int fd;
	struct hvlab_run *run;
	int reason;
};

static void *vcpu_thread(void *arg)
{
	struct vcpu_thread *v = arg;

	v->reason = ioctl(v->fd, HVLAB_RUN, 0) ? -errno : v->run->exit_reason;
	return NULL;
}

TEST_F(vm, two_vcpus_on_two_threads)
{
	struct vcpu_thread v[2] = { { self->a.vcpu, self->a.run, 0 } };
	struct hvlab_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct hvlab_sregs s;
	pthread_t th[2];
	int i;

	self->a.ram[0x2000] = 0x77;
	v[1].fd = ioctl(self->a.vm, HVLAB_CREATE_VCPU, 1);
	ASSERT_LE(0, v[1].fd);
	v[1].run = mmap(NULL, self->a.map_size, PROT_READ | PROT_WRITE,
			MAP_SHARED, v[1].fd, 0);
	ASSERT_NE(MAP_FAILED, v[1].run);
	ASSERT_EQ(0, ioctl(v[1].fd, HVLAB_GET_SREGS, &s));
	s.cs.selector = 0;
	s.cs.base = 0;
	ASSERT_EQ(0, ioctl(v[1].fd, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(v[1].fd, HVLAB_SET_REGS, &regs));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, vcpu_thread, &v[i]));
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(HVLAB_EXIT_IO, v[i].reason);
		EXPECT_EQ(0x77, ((unsigned char *)v[i].run)[v[i].run->io.data_offset]);
	}
	munmap(v[1].run, self->a.map_size);
	close(v[1].fd);
}

TEST_HARNESS_MAIN
