// SPDX-License-Identifier: GPL-2.0
/*
 * test_bench_floor.c - the benchmark floor stays out of ordinary VMs.
 *
 * `make bench` measures the leanest exit path the module can take (VM
 * exit, CPUID answered, RIP advanced, VM entry: no statistics, no exit
 * record, no checks) and divides every other figure by it.  That path
 * skips what a production VM relies on -- the statistics the dashboard
 * shows, the exit ring --record keeps, the host's chance to reschedule --
 * so it is reachable only by a VM created with HVLAB_VM_BENCH_FLOOR, and
 * the module grants that flag only when it was loaded with bench_floor=1.
 * The suite loads the module without it, as every production system does:
 *
 *   param_read_only       the parameter is 0444 and stays N even for a
 *                         root write through sysfs
 *   flag_refused          HVLAB_CREATE_VM with the flag fails with EPERM
 *   ordinary_vm_counts    an ordinary VM's CPUID of the floor leaf goes
 *                         the ordinary way: counted in the statistics,
 *                         answered by the CPUID table (0), not the floor
 *
 * The guest (real mode, at 0x1000):
 *   66 b8 f0 00 00 40   mov eax, HVLAB_CPUID_BENCH_FLOOR
 *   66 31 c9            xor ecx, ecx
 *   0f a2               cpuid
 *   f4                  hlt         -> HVLAB_EXIT_HLT
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "raw_vm.h"

#define PARAM	"/sys/module/hvlab/parameters/bench_floor"
#define RAM	0x10000

static const unsigned char floor_cpuid_hlt[] = {
	0x66, 0xb8, 0xf0, 0x00, 0x00, 0x40,
	0x66, 0x31, 0xc9,
	0x0f, 0xa2,
	0xf4,
};

/* The parameter's value: 'Y', 'N', or 0 when it cannot be read. */
static char param_value(void)
{
	char c = 0;
	int fd = open(PARAM, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c;
}

TEST(param_read_only)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, stat(PARAM, &st));
	EXPECT_EQ(0, st.st_mode & 0222);
	if (param_value() != 'N')
		SKIP(return, "hvlab.ko was loaded with bench_floor=1 (a benchmark run)");
	/* root may open a 0444 file for writing; the store must still fail */
	fd = open(PARAM, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		EXPECT_EQ(-1, write(fd, "Y", 1));
		close(fd);
	}
	EXPECT_EQ('N', param_value());
}

TEST(flag_refused)
{
	int sys, vm;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	if (param_value() != 'N')
		SKIP(return, "hvlab.ko was loaded with bench_floor=1 (a benchmark run)");
	sys = hvlab_open_dev();
	ASSERT_LE(0, sys);
	vm = ioctl(sys, HVLAB_CREATE_VM, HVLAB_VM_BENCH_FLOOR | raw_vm_flags());
	EXPECT_EQ(-1, vm);
	EXPECT_EQ(EPERM, errno);
	if (vm >= 0)
		close(vm);
	/* the same VM without the flag is fine */
	vm = ioctl(sys, HVLAB_CREATE_VM, raw_vm_flags());
	EXPECT_LE(0, vm);
	if (vm >= 0)
		close(vm);
	close(sys);
}

TEST(ordinary_vm_counts)
{
	struct raw_vm t;
	struct hvlab_stats *st;
	struct hvlab_regs regs;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, raw_vm_create(&t, raw_vm_flags(), RAM));
	memcpy(t.ram + 0x1000, floor_cpuid_hlt, sizeof(floor_cpuid_hlt));
	ASSERT_EQ(0, raw_vm_add_vcpu(&t));
	ASSERT_EQ(0, raw_real_mode(t.vcpu, 0x1000));
	st = (void *)((char *)t.run + HVLAB_STATS_OFFSET);
	ASSERT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_NE(HVLAB_BENCH_FLOOR_SIG, (unsigned int)regs.rax);
	EXPECT_EQ(0, (unsigned int)regs.rax);	/* a leaf the table lacks */
	EXPECT_EQ(1, st->by_reason[HVLAB_VMX_EXIT_CPUID]);
	EXPECT_EQ(st->exits, st->head);
	raw_vm_close(&t);
}

TEST_HARNESS_MAIN
