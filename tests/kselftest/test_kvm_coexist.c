// SPDX-License-Identifier: GPL-2.0
/*
 * test_kvm_coexist.c - hvlab and KVM on the same machine.
 *
 * VMX is one per CPU: whoever executed VMXON owns it until VMXOFF (SDM
 * Vol. 3 24.7-24.8), and a second VMXON by someone else fails or, worse,
 * silently shares state.  hvlab must therefore notice when KVM holds VMX and
 * refuse with EBUSY, naming KVM as the owner, and must work again once KVM
 * lets go.  Debian's own kvm.ko/kvm-intel.ko are loaded for this.  On
 * AMD the same holds for SVM and kvm-amd.ko: whoever set EFER.SVME and
 * VM_HSAVE_PA owns it (APM Vol. 2 15.4), and hvlab finds it already set.
 *
 * When KVM holds VMX depends on the kernel:
 *  - before 6.12, KVM turns VMX on when its first VM is created and off
 *    when the last one goes (hardware_enable_all from KVM_CREATE_VM), so
 *    "loaded but idle" and "holding VMX" are two distinct states;
 *  - from 6.12, kvm.ko has the parameter enable_virt_at_load, default Y:
 *    kvm_intel turns VMX on on every CPU as it loads and keeps it until it
 *    unloads, VM or no VM (virt/kvm/kvm_main.c, kvm_init_virtualization).
 *    With enable_virt_at_load=0 it behaves as before 6.12.
 * The tests read /sys/module/kvm/parameters/enable_virt_at_load (absent
 * before 6.12) and expect whichever behaviour the kernel has; on 6.12 they
 * also reload KVM with enable_virt_at_load=0 and check the per-VM
 * behaviour there.  The tests run in the order written and share the
 * kernel's state; the last one unloads KVM.
 */
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"

#define PROBE_POISON 0xa5a5a5a5u
#define VIRT_AT_LOAD "/sys/module/kvm/parameters/enable_virt_at_load"

/* finit_module(2) with module parameters: 0 or -errno. */
static int insmod_params(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret, err;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	close(fd);
	return ret ? -err : 0;
}

/* KVM's vendor module for the extension hvlab drives here */
static const char *kvm_vendor(void)
{
	return hvlab_is_svm() ? "kvm_amd" : "kvm_intel";
}

/*
 * Loads irqbypass, kvm (with KVM_PARAMS) and kvm_intel, or on AMD ccp
 * (the crypto coprocessor driver kvm_amd needs for SEV) and kvm_amd:
 * 0 or -errno.
 */
static int load_kvm(const char *kvm_params, char *why, size_t len)
{
	bool amd = hvlab_is_svm();
	const char *const mods[][2] = {	/* a NULL name: not on this vendor */
		{ "irqbypass", "irqbypass.ko" },
		{ "kvm", "kvm.ko" },
		{ amd ? "ccp" : NULL, "ccp.ko" },
		{ amd ? "kvm_amd" : "kvm_intel", amd ? "kvm-amd.ko" : "kvm-intel.ko" },
	};
	const char *dir = hvlab_env("HVLAB_KVM_DIR", "/modules/kvm");
	char path[512];
	int ret;

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		if (!mods[i][0] || hvlab_module_loaded(mods[i][0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, mods[i][1]);
		ret = insmod_params(path, i == 1 ? kvm_params : "");
		if (ret && ret != -EEXIST) {
			snprintf(why, len, "insmod %s: %s", path, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * kvm.enable_virt_at_load of the loaded kvm.ko: 1 (Y), 0 (N), or -1 when
 * the parameter does not exist (kernels before 6.12).
 */
static int kvm_virt_at_load(void)
{
	char v[8] = "";
	FILE *f = fopen(VIRT_AT_LOAD, "r");

	if (!f)
		return -1;
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	return v[0] == 'Y' || v[0] == '1';
}

/* Is the running kernel MAJOR.MINOR or newer? */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* HVLAB_PROBE into *p; returns 0 or -errno of the ioctl. */
static int probe(int fd, struct hvlab_probe *p)
{
	memset(p, 0xa5, sizeof(*p));
	return ioctl(fd, HVLAB_PROBE, p) ? -errno : 0;
}

/*
 * What hvlab must see with KVM holding VMX (kvm_holds) or not: the probe
 * fails with EBUSY on every CPU, naming KVM and leaving KVM's CR4.VMXE
 * set, and HVLAB_CREATE_VM fails with EBUSY; or both succeed.
 */
static void expect_hvlab(struct __test_metadata *_metadata, int fd,
			 bool kvm_holds, const char *when)
{
	struct hvlab_probe p;
	int ret, vm, err;

	ret = probe(fd, &p);
	TH_LOG("%s: probe ioctl %d, result %d, nr_cpus %u", when, ret,
	       p.result, p.nr_cpus);
	if (!kvm_holds) {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0, p.result);
		ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN), p.nr_cpus);
		for (__u32 i = 0; i < p.nr_cpus; i++) {
			EXPECT_EQ(0, p.cpu[i].result);
			EXPECT_EQ(0, p.cpu[i].cr4_vmxe_after);
		}
	} else {
		/* Either the ioctl fails with EBUSY or it reports it inside. */
		EXPECT_TRUE(ret == -EBUSY || (ret == 0 && p.result == -EBUSY));
		ASSERT_NE(PROBE_POISON, p.nr_cpus) {
			TH_LOG("the failing probe did not fill struct hvlab_probe: owner not reported");
		}
		ASSERT_GE(HVLAB_MAX_CPUS, p.nr_cpus);
		EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), p.nr_cpus);
		for (__u32 i = 0; i < p.nr_cpus && i < HVLAB_MAX_CPUS; i++) {
			EXPECT_EQ(-EBUSY, p.cpu[i].result);
			EXPECT_EQ(HVLAB_OWNER_KVM, p.cpu[i].owner);
			/* KVM's VMXE must be left exactly as found. */
			EXPECT_EQ(1, p.cpu[i].cr4_vmxe_after);
		}
	}

	vm = ioctl(fd, HVLAB_CREATE_VM, 0);
	err = errno;
	if (vm >= 0)
		close(vm);
	TH_LOG("%s: HVLAB_CREATE_VM %s", when, vm >= 0 ? "ok" : strerror(err));
	if (kvm_holds) {
		EXPECT_EQ(-1, vm);
		EXPECT_EQ(EBUSY, err);
	} else {
		EXPECT_LE(0, vm);
	}
}

/* The output of `hvlab caps` (stdout and stderr) into buf. */
static void hvlab_caps_output(char *buf, size_t len)
{
	FILE *p = popen("hvlab caps 2>&1", "r");
	size_t n = 0;

	if (p) {
		n = fread(buf, 1, len - 1, p);
		pclose(p);
	}
	buf[n] = '\0';
}

/* KVM_CREATE_VM on an open /dev/kvm: the VM fd, or -errno. */
static int kvm_create_vm(int kvm)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	return vm < 0 ? -errno : vm;
}

/*
 * KVM that takes VMX per VM (before 6.12, or enable_virt_at_load=0):
 * idle, hvlab works; with a KVM VM, hvlab gets EBUSY; with an hvlab VM,
 * KVM_CREATE_VM fails; with neither, both work again.
 */
static void check_per_vm_kvm(struct __test_metadata *_metadata, int fd)
{
	int kvm, vm, hv;

	expect_hvlab(_metadata, fd, false, "KVM loaded, no KVM VM");

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kvm) {
		TH_LOG("open /dev/kvm: %s", strerror(errno));
	}
	vm = kvm_create_vm(kvm);
	ASSERT_LE(0, vm) {
		TH_LOG("KVM_CREATE_VM with nobody holding VMX: %s", strerror(-vm));
		close(kvm);
	}
	expect_hvlab(_metadata, fd, true, "a KVM VM open");
	/* KVM turns VMX off when its last VM goes. */
	close(vm);
	expect_hvlab(_metadata, fd, false, "the KVM VM closed");

	/*
	 * The other direction: an hvlab VM holds VMX, KVM's VMXON finds
	 * CR4.VMXE set and KVM_CREATE_VM fails: EBUSY on 6.1
	 * (hardware_enable_all), EIO on 6.12 (kvm_enable_virtualization_cpu,
	 * run as a CPU-hotplug callback); nothing else breaks.
	 */
	hv = ioctl(fd, HVLAB_CREATE_VM, 0);
	ASSERT_LE(0, hv) {
		TH_LOG("HVLAB_CREATE_VM: %s", strerror(errno));
		close(kvm);
	}
	vm = kvm_create_vm(kvm);
	TH_LOG("KVM_CREATE_VM while an hvlab VM exists: %s",
	       vm >= 0 ? "succeeded" : strerror(-vm));
	EXPECT_EQ(kernel_at_least(6, 12) ? -EIO : -EBUSY, vm);
	if (vm >= 0)
		close(vm);
	close(hv);
	/* and once hvlab let go, KVM can have VMX */
	vm = kvm_create_vm(kvm);
	EXPECT_LE(0, vm) {
		TH_LOG("KVM_CREATE_VM after the hvlab VM closed: %s", strerror(-vm));
	}
	if (vm >= 0)
		close(vm);
	close(kvm);
	expect_hvlab(_metadata, fd, false, "KVM idle again");
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
	/* the kernel's defaults, as a plain `modprobe kvm_intel` loads it */
	self->kvm_ret = load_kvm("", self->why, sizeof(self->why));
}

FIXTURE_TEARDOWN(kvm)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(kvm, kvm_module_is_loaded)
{
	struct stat st;
	int at_load;

	REQUIRE_KVM();
	EXPECT_TRUE(hvlab_module_loaded(kvm_vendor()));
	EXPECT_EQ(0, hvlab_wait_node("/dev/kvm"));
	EXPECT_EQ(0, stat("/dev/kvm", &st));
	at_load = kvm_virt_at_load();
	TH_LOG("kvm.enable_virt_at_load: %s", at_load < 0 ? "no such parameter" :
	       at_load ? "Y" : "N");
	/* 6.12 added it with the default Y; older kernels do not have it */
	if (kernel_at_least(6, 12)) {
		EXPECT_EQ(1, at_load);
	} else {
		EXPECT_EQ(-1, at_load);
	}
}

/*
 * KVM loaded with the kernel's defaults and no KVM VM: before 6.12 it
 * does not hold VMX, so hvlab works; from 6.12 it holds VMX on every CPU
 * since it loaded, so HVLAB_CREATE_VM gets EBUSY.
 */
TEST_F(kvm, hvlab_while_kvm_is_idle)
{
	bool at_load;
	char out[8192];

	REQUIRE_KVM();
	at_load = kvm_virt_at_load() == 1;
	expect_hvlab(_metadata, self->fd, at_load,
		     "KVM loaded with its defaults, no KVM VM");

	/* `hvlab caps` must tell which case this is, and the way out */
	hvlab_caps_output(out, sizeof(out));
	if (at_load) {
		EXPECT_NE(NULL, strstr(out, "cannot run hvlab guests"));
		EXPECT_NE(NULL, strstr(out, "enable_virt_at_load=Y"));
		EXPECT_NE(NULL, strstr(out, hvlab_is_svm() ? "modprobe -r kvm_amd" :
						   "modprobe -r kvm_intel"));
		EXPECT_NE(NULL, strstr(out, "kvm.enable_virt_at_load=0"));
	} else {
		EXPECT_NE(NULL, strstr(out, "can run hvlab guests"));
		EXPECT_EQ(NULL, strstr(out, "cannot run hvlab guests"));
	}
	if (!_metadata->passed)
		TH_LOG("hvlab caps said:\n%s", out);
}

TEST_F(kvm, probe_is_ebusy_while_kvm_holds_vmx)
{
	bool at_load;
	int kvm, vm;

	REQUIRE_KVM();
	at_load = kvm_virt_at_load() == 1;
	if (!at_load) {
		check_per_vm_kvm(_metadata, self->fd);
		return;
	}
	/* 6.12 defaults: a KVM VM changes nothing, and closing it neither */
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kvm) {
		TH_LOG("open /dev/kvm: %s", strerror(errno));
	}
	vm = kvm_create_vm(kvm);
	ASSERT_LE(0, vm) {
		TH_LOG("KVM_CREATE_VM: %s", strerror(-vm));
		close(kvm);
	}
	expect_hvlab(_metadata, self->fd, true, "a KVM VM open");
	close(vm);
	close(kvm);
	expect_hvlab(_metadata, self->fd, true, "the KVM VM closed, KVM loaded");
}

/*
 * 6.12+: kvm reloaded with enable_virt_at_load=0 (the fix `hvlab caps`
 * suggests) takes VMX per VM again, as before 6.12.
 */
TEST_F(kvm, enable_virt_at_load_0_takes_vmx_per_vm)
{
	int ret;

	REQUIRE_KVM();
	if (kvm_virt_at_load() < 0) {
		/* only a kernel older than 6.12 may lack the parameter */
		ASSERT_FALSE(kernel_at_least(6, 12));
		SKIP(return, "this kernel's kvm.ko has no enable_virt_at_load (before 6.12 KVM takes VMX per VM; probe_is_ebusy_while_kvm_holds_vmx tested that)");
	}
	ASSERT_EQ(0, hvlab_rmmod(kvm_vendor()));
	ASSERT_EQ(0, hvlab_rmmod("kvm"));
	/* with kvm_intel (kvm_amd) gone, nobody holds VMX: hvlab works */
	expect_hvlab(_metadata, self->fd, false, "KVM unloaded");
	ret = load_kvm("enable_virt_at_load=0", self->why, sizeof(self->why));
	ASSERT_EQ(0, ret) {
		TH_LOG("%s", self->why);
	}
	ASSERT_EQ(0, kvm_virt_at_load());
	check_per_vm_kvm(_metadata, self->fd);
}

TEST_F(kvm, unload_kvm)
{
	REQUIRE_KVM();
	EXPECT_EQ(0, hvlab_rmmod(kvm_vendor()));
	EXPECT_EQ(0, hvlab_rmmod("kvm"));
	EXPECT_EQ(0, hvlab_rmmod("irqbypass"));
	EXPECT_FALSE(hvlab_module_loaded("kvm"));
	/* and hvlab has VMX to itself */
	expect_hvlab(_metadata, self->fd, false, "KVM unloaded");
}

TEST_HARNESS_MAIN
