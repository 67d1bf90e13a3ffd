// SPDX-License-Identifier: GPL-2.0
/*
 * test_probe.c - HVLAB_PROBE: VMXON then VMXOFF on every online CPU.
 *
 * The probe must visit each online CPU once, succeed on each (nobody else
 * holds VMX in this VM), and leave CR4.VMXE as it found it - clear, since
 * hvlab itself only keeps VMX on while a VM exists (SDM Vol. 3 24.7: after
 * VMXOFF, software may clear CR4.VMXE; leaving it set would make the next
 * VMX user believe someone else owns the CPU).
 */
#include <sys/ioctl.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = hvlab_open_dev();
	ASSERT_LE(0, self->fd) {
		TH_LOG("open %s: %s", HVLAB_DEVICE, strerror(-self->fd));
	}
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, vm_has_the_cpus_asked_for)
{
	long want = hvlab_expected_cpus();

	if (!want)
		SKIP(return, "HVLAB_VM_CPUS not set (not run by tests/vm/run-suite.sh)");
	EXPECT_EQ(want, sysconf(_SC_NPROCESSORS_ONLN));
}

TEST_F(dev, probe_every_cpu)
{
	struct hvlab_probe p;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	__u64 seen = 0;

	memset(&p, 0xa5, sizeof(p));
	ASSERT_EQ(0, ioctl(self->fd, HVLAB_PROBE, &p)) {
		TH_LOG("HVLAB_PROBE: %s", strerror(errno));
	}
	EXPECT_EQ(0, p.result);
	ASSERT_EQ(online, p.nr_cpus);
	for (__u32 i = 0; i < p.nr_cpus; i++) {
		const struct hvlab_probe_cpu *c = &p.cpu[i];

		TH_LOG("cpu %u: result %d owner %u vmxe %u->%u", c->cpu,
		       c->result, c->owner, c->cr4_vmxe_before, c->cr4_vmxe_after);
		ASSERT_GT(HVLAB_MAX_CPUS, c->cpu);
		EXPECT_FALSE(seen & (1ull << c->cpu));	/* each CPU once */
		seen |= 1ull << c->cpu;
		EXPECT_EQ(0, c->result);
		EXPECT_EQ(HVLAB_OWNER_NONE, c->owner);
		EXPECT_EQ(0, c->cr4_vmxe_before);
		EXPECT_EQ(0, c->cr4_vmxe_after);
	}
}

TEST_F(dev, probe_twice_gives_the_same_answer)
{
	struct hvlab_probe a, b;

	/* A probe that leaked VMX on would make the second one fail. */
	ASSERT_EQ(0, ioctl(self->fd, HVLAB_PROBE, &a));
	ASSERT_EQ(0, ioctl(self->fd, HVLAB_PROBE, &b));
	EXPECT_EQ(0, b.result);
	EXPECT_EQ(a.nr_cpus, b.nr_cpus);
	for (__u32 i = 0; i < b.nr_cpus && i < HVLAB_MAX_CPUS; i++)
		EXPECT_EQ(0, b.cpu[i].cr4_vmxe_after);
}

TEST_HARNESS_MAIN
