/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvlab_test.h - helpers shared by the in-VM kernel tests.
 *
 * The tests run inside the Bochs VM that tests/vm/run-suite.sh boots, as
 * root, with the module files at fixed places in the initramfs:
 *
 *   $HVLAB_KO       (default /modules/hvlab.ko)      our module
 *   $HVLAB_KVM_DIR  (default /modules/kvm)           Debian's irqbypass.ko,
 *                                                    kvm.ko, kvm-intel.ko
 *   $HVLAB_VM_CPUS  the CPU count the harness asked Bochs for
 *
 * Modules are loaded with finit_module(2) and removed with delete_module(2)
 * directly, so a test sees the kernel's own errno instead of whatever text
 * insmod prints.  Every test program may find the module loaded or not (an
 * earlier program may have failed half-way); hvlab_ensure_loaded() puts it
 * back, so one failure does not cascade into every later program.
 */
#ifndef HVLAB_TEST_H
#define HVLAB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <uapi/hvlab.h>

static inline const char *hvlab_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static inline const char *hvlab_ko_path(void)
{
	return hvlab_env("HVLAB_KO", "/modules/hvlab.ko");
}

/* Is module NAME (as /sys/module spells it: '-' becomes '_') loaded? */
static inline int hvlab_module_loaded(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

/* finit_module(2) on a .ko file: 0, or -errno. */
static inline int hvlab_insmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret, err;

	if (fd < 0)
		return -errno;
	/* module parameters, as tests/vm/init.sh loads it */
	ret = syscall(SYS_finit_module, fd, getenv("HVLAB_KO_ARGS") ?: "", 0);
	err = errno;
	close(fd);
	return ret ? -err : 0;
}

/* delete_module(2): 0, or -errno (EBUSY while something holds it). */
static inline int hvlab_rmmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* Loads hvlab.ko unless it is already there: 0 or -errno. */
static inline int hvlab_ensure_loaded(void)
{
	int ret;

	if (hvlab_module_loaded("hvlab"))
		return 0;
	ret = hvlab_insmod(hvlab_ko_path());
	return ret == -EEXIST ? 0 : ret;
}

/*
 * Waits up to ~2 s for a device node.  devtmpfs creates nodes from
 * device_add() synchronously, so this normally returns at once; the wait
 * only keeps a slow emulator from turning into a flaky test.
 */
static inline int hvlab_wait_node(const char *path)
{
	struct stat st;

	for (int i = 0; i < 200; i++) {
		if (stat(path, &st) == 0)
			return 0;
		usleep(10000);
	}
	return -ENOENT;
}

/* Opens /dev/hvlab after making sure the module is in: fd or -errno. */
static inline int hvlab_open_dev(void)
{
	int fd, ret = hvlab_ensure_loaded();

	if (ret)
		return ret;
	if (hvlab_wait_node(HVLAB_DEVICE))
		return -ENOENT;
	fd = open(HVLAB_DEVICE, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * VmLck of this process in KiB, or -1: pinned guest pages are charged
 * there (kmod/ept.c), so a leak or a missed unpin shows.
 */
static inline long hvlab_vm_lck_kib(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* CPUs the harness asked for; 0 when not run by the harness. */
/*
 * Does the loaded module drive AMD SVM (HVLAB_CAP_SVM in its capability
 * report) rather than Intel VMX?  Asked of the module, not guessed from
 * the CPU: 1 SVM, 0 VMX or no answer.
 */
static inline int hvlab_is_svm(void)
{
	struct hvlab_caps caps;
	int fd = open(HVLAB_DEVICE, O_RDWR | O_CLOEXEC), svm = 0;

	if (fd < 0)
		return 0;
	if (ioctl(fd, HVLAB_GET_CAPS, &caps) == 0)
		svm = !!(caps.features & HVLAB_CAP_SVM);
	close(fd);
	return svm;
}

/* In a test (kselftest_harness.h): what only VMX offers skips on SVM. */
#define HVLAB_SKIP_ON_SVM() do {				\
	if (hvlab_is_svm())					\
		SKIP(return, "VMX only: the module drives AMD SVM");	\
} while (0)

static inline long hvlab_expected_cpus(void)
{
	return strtol(hvlab_env("HVLAB_VM_CPUS", "0"), NULL, 10);
}

/*
 * Randomized inputs (the labs' graders, labs/tools/lab.sh): a test draws
 * its addresses and counts from the seed HVLAB_LAB_SEED, or from
 * /dev/urandom when that is unset, and logs the seed, so that an answer
 * hard-coded for one run fails the next, and a failure can be replayed.
 * hvlab_rand() steps an xorshift32 state (never 0) started from the seed.
 */
static inline unsigned int hvlab_seed(void)
{
	const char *e = getenv("HVLAB_LAB_SEED");
	unsigned int seed = 0;
	int fd;

	if (e && *e)
		return (unsigned int)strtoul(e, NULL, 10);
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &seed, sizeof(seed)) != sizeof(seed))
			seed = 0;
		close(fd);
	}
	return seed ? seed : (unsigned int)getpid();
}

static inline unsigned int hvlab_rand(unsigned int *state)
{
	unsigned int x = *state ? *state : 0x2545f491;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

#endif
