// SPDX-License-Identifier: GPL-2.0
/*
 * test_kvm_coexist.c - hvlab and KVM on the same machine.
 *
 * VMX is one per CPU: whoever executed VMXON owns it until VMXOFF (SDM
 * Vol. 3 24.7-24.8), and a second VMXON by someone else fails or, worse,
 * silently shares state.  hvlab must therefore notice when KVM holds VMX and
 * refuse with EBUSY, naming KVM as the owner, and must work again once KVM
 * lets go.  Debian's own kvm.ko/kvm-intel.ko are loaded for this.
 *
 * KVM (6.1) turns VMX on when the first VM is created (hardware_enable_all
 * from KVM_CREATE_VM), not when kvm-intel loads, so "loaded but idle" and
 * "holding VMX" are two distinct states to test.  The tests run in the order
 * written and share the kernel's state; the last one unloads KVM.
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"

#define PROBE_POISON 0xa5a5a5a5u

static int load_kvm(char *why, size_t len)
{
	static const char *const mods[][2] = {
		{ "irqbypass", "irqbypass.ko" },
		{ "kvm", "kvm.ko" },
		{ "kvm_intel", "kvm-intel.ko" },
	};
	const char *dir = hvlab_env("HVLAB_KVM_DIR", "/modules/kvm");
	char path[512];
	int ret;

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		if (hvlab_module_loaded(mods[i][0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, mods[i][1]);
		ret = hvlab_insmod(path);
		if (ret && ret != -EEXIST) {
			snprintf(why, len, "insmod %s: %s", path, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* HVLAB_PROBE into *p; returns 0 or -errno of the ioctl. */
static int probe(int fd, struct hvlab_probe *p)
{
	memset(p, 0xa5, sizeof(*p));
	return ioctl(fd, HVLAB_PROBE, p) ? -errno : 0;
}

FIXTURE(kvm) {
	int fd;
	int kvm_ret;		/* load_kvm(): 0 or -errno */
	char why[600];		/* why KVM is unusable */
};

/*
 * The 6.1 harness runs the test body even after SKIP() in the setup, so
 * every body starts with this.
 */
#define REQUIRE_KVM() do { \
	if (self->kvm_ret) \
		SKIP(return, "Debian's KVM does not load in this VM (%s)", self->why); \
} while (0)

FIXTURE_SETUP(kvm)
{
	self->fd = hvlab_open_dev();
	ASSERT_LE(0, self->fd) {
		TH_LOG("open %s: %s", HVLAB_DEVICE, strerror(-self->fd));
	}
	self->kvm_ret = load_kvm(self->why, sizeof(self->why));
}

FIXTURE_TEARDOWN(kvm)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(kvm, kvm_intel_is_loaded)
{
	struct stat st;

	REQUIRE_KVM();
	EXPECT_TRUE(hvlab_module_loaded("kvm_intel"));
	EXPECT_EQ(0, hvlab_wait_node("/dev/kvm"));
	EXPECT_EQ(0, stat("/dev/kvm", &st));
}

TEST_F(kvm, probe_succeeds_while_kvm_is_idle)
{
	struct hvlab_probe p;

	REQUIRE_KVM();
	ASSERT_EQ(0, probe(self->fd, &p));
	EXPECT_EQ(0, p.result);
	ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN), p.nr_cpus);
	for (__u32 i = 0; i < p.nr_cpus; i++) {
		EXPECT_EQ(0, p.cpu[i].result);
		EXPECT_EQ(0, p.cpu[i].cr4_vmxe_after);
	}
}

TEST_F(kvm, probe_is_ebusy_while_kvm_holds_vmx)
{
	struct hvlab_probe p;
	int kvm, vm, ret;

	REQUIRE_KVM();
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kvm) {
		TH_LOG("open /dev/kvm: %s", strerror(errno));
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		int err = errno;

		close(kvm);
		SKIP(return, "KVM_CREATE_VM fails on this CPU model (%s), so KVM never takes VMX",
		     strerror(err));
	}

	ret = probe(self->fd, &p);
	TH_LOG("probe with a KVM VM open: ioctl %d, result %d, nr_cpus %u",
	       ret, p.result, p.nr_cpus);
	/* Either the ioctl fails with EBUSY or it reports -EBUSY inside. */
	EXPECT_TRUE(ret == -EBUSY || (ret == 0 && p.result == -EBUSY));
	if (p.nr_cpus != PROBE_POISON) {
		ASSERT_GE(HVLAB_MAX_CPUS, p.nr_cpus);
		EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), p.nr_cpus);
		for (__u32 i = 0; i < p.nr_cpus && i < HVLAB_MAX_CPUS; i++) {
			EXPECT_EQ(-EBUSY, p.cpu[i].result);
			EXPECT_EQ(HVLAB_OWNER_KVM, p.cpu[i].owner);
			/* KVM's VMXE must be left exactly as found. */
			EXPECT_EQ(1, p.cpu[i].cr4_vmxe_after);
		}
	} else {
		TH_LOG("the failing probe did not fill struct hvlab_probe: owner not reported");
		EXPECT_NE(PROBE_POISON, p.nr_cpus);
	}

	/* KVM turns VMX off when its last VM goes (hardware_disable_all). */
	close(vm);
	close(kvm);
	ret = probe(self->fd, &p);
	EXPECT_EQ(0, ret) {
		TH_LOG("probe after closing the KVM VM: %s", strerror(-ret));
	}
	EXPECT_EQ(0, p.result);
}

TEST_F(kvm, unload_kvm)
{
	REQUIRE_KVM();
	EXPECT_EQ(0, hvlab_rmmod("kvm_intel"));
	EXPECT_EQ(0, hvlab_rmmod("kvm"));
	EXPECT_EQ(0, hvlab_rmmod("irqbypass"));
	EXPECT_FALSE(hvlab_module_loaded("kvm"));
}

TEST_HARNESS_MAIN
