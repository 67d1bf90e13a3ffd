// SPDX-License-Identifier: GPL-2.0
/*
 * test_module.c - hvlab.ko as a kernel module: it is loaded, it creates
 * /dev/hvlab with the right owner and mode, only root may open it, and it
 * unloads and loads again cleanly many times in a row, each time able to
 * take VMX for a VM.
 *
 * The init script of the VM already did the first insmod (and reported it
 * as its own TAP result); these tests check what that load left behind.
 * The reload test leaves the module loaded, as later programs expect.
 */
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"

#define NOBODY 65534

TEST(module_is_loaded)
{
	char state[32] = "";
	FILE *f;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_TRUE(hvlab_module_loaded("hvlab"));
	/* "live" once module_init returned 0 (not "coming"/"going"). */
	f = fopen("/sys/module/hvlab/initstate", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(state, sizeof(state), f));
	fclose(f);
	EXPECT_STREQ("live\n", state);
}

TEST(device_node_is_root_only_char_device)
{
	struct stat st;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, hvlab_wait_node(HVLAB_DEVICE));
	ASSERT_EQ(0, stat(HVLAB_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	/* A misc device: major 10 (Documentation/admin-guide/devices.txt). */
	EXPECT_EQ(10, major(st.st_rdev));
}

TEST(unprivileged_open_is_refused)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, hvlab_wait_node(HVLAB_DEVICE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		/* Drop every capability: setuid() from root to non-root. */
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		fd = open(HVLAB_DEVICE, O_RDWR);
		if (fd >= 0)
			_exit(101);
		_exit(errno == EACCES || errno == EPERM ? 0 : 102);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 100)
		TH_LOG("child could not become uid %d", NOBODY);
	if (WEXITSTATUS(status) == 101)
		TH_LOG("uid %d opened %s", NOBODY, HVLAB_DEVICE);
	if (WEXITSTATUS(status) == 102)
		TH_LOG("open failed, but not with EACCES/EPERM");
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(rmmod_insmod_ten_times)
{
	struct stat st;
	int i, fd, vm;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	for (i = 0; i < 10; i++) {
		TH_LOG("round %d", i + 1);
		ASSERT_EQ(0, hvlab_rmmod("hvlab"));
		ASSERT_FALSE(hvlab_module_loaded("hvlab"));
		/* The misc device goes away with the module. */
		ASSERT_NE(0, stat(HVLAB_DEVICE, &st));
		ASSERT_EQ(0, hvlab_insmod(hvlab_ko_path()));
		ASSERT_EQ(0, hvlab_wait_node(HVLAB_DEVICE));
		/*
		 * ...and comes back working, not just present: the first VM
		 * takes VMX on every CPU (VMXON, kmod/vmx.c), and closing it
		 * gives VMX back before the next rmmod.
		 */
		fd = open(HVLAB_DEVICE, O_RDWR);
		ASSERT_LE(0, fd);
		EXPECT_EQ(HVLAB_API_VERSION, ioctl(fd, HVLAB_GET_API_VERSION, 0));
		vm = ioctl(fd, HVLAB_CREATE_VM, 0);
		EXPECT_LE(0, vm) TH_LOG("HVLAB_CREATE_VM: %s", strerror(errno));
		if (vm >= 0)
			close(vm);
		close(fd);
	}
}

TEST_HARNESS_MAIN
