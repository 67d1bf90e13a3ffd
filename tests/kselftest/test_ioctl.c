// SPDX-License-Identifier: GPL-2.0
/*
 * test_ioctl.c - the system ioctls of /dev/hvlab, good and bad.
 *
 * Good calls: the API version and the capability report, checked against
 * what Bochs's corei7_skylake_x model is known to offer (EPT, VPID,
 * unrestricted guest; see /work/shared/notes/bochs.md).
 * Bad calls: each must come back with the documented errno and nothing
 * else; an oops or WARNING they might cause is caught by the suite's final
 * "kernel log clean" result, which reads dmesg after every program ran.
 */
#include <sys/ioctl.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"

/* Not an address any process has mapped: the kernel must return EFAULT. */
#define BAD_PTR ((void *)1)

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

TEST_F(dev, api_version)
{
	EXPECT_EQ(HVLAB_API_VERSION, ioctl(self->fd, HVLAB_GET_API_VERSION, 0));
}

TEST_F(dev, caps_on_bochs_skylake)
{
	struct hvlab_caps caps;

	HVLAB_SKIP_ON_SVM();
	memset(&caps, 0xa5, sizeof(caps));
	ASSERT_EQ(0, ioctl(self->fd, HVLAB_GET_CAPS, &caps));
	EXPECT_EQ(HVLAB_API_VERSION, caps.api_version);
	EXPECT_EQ(HVLAB_STATUS_OK, caps.status);
	EXPECT_FALSE(caps.features & HVLAB_CAP_SVM);
	EXPECT_NE(0, caps.vmcs_revision);
	/* SDM Vol. 3 A.1: bit 31 of the revision identifier is always 0. */
	EXPECT_EQ(0, caps.vmcs_revision & 0x80000000u);
	EXPECT_EQ(caps.vmcs_revision, (__u32)(caps.msr.basic & 0x7fffffff));
	/* A.1: the VMCS region is at most 4 KiB. */
	EXPECT_LT(0, caps.vmcs_size);
	EXPECT_GE(4096, caps.vmcs_size);
	EXPECT_TRUE(caps.features & HVLAB_CAP_EPT);
	EXPECT_TRUE(caps.features & HVLAB_CAP_VPID);
	EXPECT_TRUE(caps.features & HVLAB_CAP_UNRESTRICTED_GUEST);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), caps.online_cpus);
}

/*
 * Bochs's zambezi (AMD FX-4100, tests/vm/run-suite.sh --cpu amd) offers
 * SVM with nested paging, NRIP save and flush-by-ASID, and no decode
 * assists (/work/shared/notes/bochs.md); the VMX fields stay 0.
 */
TEST_F(dev, caps_on_bochs_zambezi)
{
	struct hvlab_caps caps;

	if (!hvlab_is_svm())
		SKIP(return, "SVM only: the module drives Intel VMX");
	memset(&caps, 0xa5, sizeof(caps));
	ASSERT_EQ(0, ioctl(self->fd, HVLAB_GET_CAPS, &caps));
	EXPECT_EQ(HVLAB_API_VERSION, caps.api_version);
	EXPECT_EQ(HVLAB_STATUS_OK, caps.status);
	EXPECT_TRUE(caps.features & HVLAB_CAP_NPT);
	EXPECT_TRUE(caps.features & HVLAB_CAP_NRIP);
	EXPECT_TRUE(caps.features & HVLAB_CAP_FLUSH_ASID);
	EXPECT_FALSE(caps.features & HVLAB_CAP_EPT);
	EXPECT_EQ(0, caps.vmcs_revision);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), caps.online_cpus);
}

/*
 * SVM offers shadow paging, CR3 traps and every exception shown
 * (HVLAB_VM_TRAP_EXCEPTIONS) as VMX does (docs/svm.md).
 */
TEST_F(dev, svm_vm_flags)
{
	int vm;

	if (!hvlab_is_svm())
		SKIP(return, "SVM only: the module drives Intel VMX");
	vm = ioctl(self->fd, HVLAB_CREATE_VM,
		   HVLAB_VM_SHADOW_PAGING | HVLAB_VM_TRAP_EXCEPTIONS);
	EXPECT_LE(0, vm);
	if (vm >= 0)
		close(vm);
	vm = ioctl(self->fd, HVLAB_CREATE_VM, HVLAB_VM_TRAP_EXCEPTIONS);
	EXPECT_LE(0, vm);
	if (vm >= 0)
		close(vm);
	vm = ioctl(self->fd, HVLAB_CREATE_VM,
		   HVLAB_VM_SHADOW_PAGING | HVLAB_VM_TRAP_CR3);
	EXPECT_LE(0, vm);
	if (vm >= 0)
		close(vm);
	vm = ioctl(self->fd, HVLAB_CREATE_VM, HVLAB_VM_TRAP_CR3);
	EXPECT_LE(0, vm);
	if (vm >= 0)
		close(vm);
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IO(HVLAB_IOC, 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
	/* Another driver's magic number. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IO('Z', 0x01), 0));
	EXPECT_EQ(ENOTTY, errno);
	/* A VM ioctl on the system fd is unknown here too. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVLAB_RUN, 0));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, wrong_size_encoding_is_refused)
{
	/* GET_CAPS's number and direction, but a 4-byte size. */
	unsigned long bad = _IOR(HVLAB_IOC, 0x01, __u32);
	struct hvlab_caps caps;

	ASSERT_NE(bad, (unsigned long)HVLAB_GET_CAPS);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, bad, &caps));
	EXPECT_TRUE(errno == ENOTTY || errno == EINVAL) {
		TH_LOG("errno %d (%s)", errno, strerror(errno));
	}
	/* PROBE's number with the direction flipped to write. */
	bad = _IOW(HVLAB_IOC, 0x02, struct hvlab_probe);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, bad, &caps));
	EXPECT_TRUE(errno == ENOTTY || errno == EINVAL) {
		TH_LOG("errno %d (%s)", errno, strerror(errno));
	}
}

TEST_F(dev, get_caps_bad_pointer_is_efault)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVLAB_GET_CAPS, BAD_PTR));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVLAB_GET_CAPS, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, probe_bad_pointer_is_efault)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVLAB_PROBE, BAD_PTR));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, api_version_with_argument_is_einval)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVLAB_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVLAB_GET_API_VERSION, BAD_PTR));
	EXPECT_EQ(EINVAL, errno);
	/* ...and a good call right after still works. */
	EXPECT_EQ(HVLAB_API_VERSION, ioctl(self->fd, HVLAB_GET_API_VERSION, 0));
}

TEST_HARNESS_MAIN
