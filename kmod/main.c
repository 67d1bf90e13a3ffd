// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - Linux glue: module load/unload and /dev/hvlab.
 *
 * This file holds no VMX or SVM code.  It picks the vendor backend by the
 * CPU's vendor (hv_ops: vmx.c and friends on Intel, svm.c on AMD), creates
 * the misc device /dev/hvlab (mode 0600: only root may open it, since a VM
 * pins host memory and runs code on the host CPU in guest mode) and
 * dispatches the system ioctls of include/uapi/hvlab.h: the API version,
 * the capability report, the per-CPU probe (hwvirt.c, with the
 * backend's hooks), and VM creation (vm.c), which returns a new fd.
 *
 * Every ioctl validates its argument before acting: unknown numbers are
 * -ENOTTY, arguments that must be 0 are checked, user pointers are copied
 * with copy_to_user/copy_from_user and a fault is -EFAULT.
 */
#include <linux/cpu.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/processor.h>

#include "hvlab.h"

const struct hv_x86_ops *hv_ops;

/*
 * bench_floor=1 at insmod lets a VM ask for the benchmark floor
 * (HVLAB_VM_BENCH_FLOOR, see the uapi).  Mode 0444: sysfs shows it but
 * nobody, root included, can turn it on in a module already loaded, so a
 * production system gets the floor only by being loaded for benchmarks.
 */
static bool bench_floor;
module_param(bench_floor, bool, 0444);
MODULE_PARM_DESC(bench_floor, "allow HVLAB_VM_BENCH_FLOOR VMs (benchmarks only)");

/*
 * svm=1 was once needed to load the module on an AMD CPU.  The backend is
 * chosen by the CPU's vendor alone; the parameter is still accepted, and
 * ignored, so that old command lines and modprobe.d files keep working.
 */
static bool svm;
module_param(svm, bool, 0444);
MODULE_PARM_DESC(svm, "ignored, kept for old command lines: the SVM backend is chosen on AMD and Hygon CPUs");

static long hvlab_dev_ioctl(struct file *f, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct hvlab_probe *probe;
	long ret;

	switch (cmd) {
	case HVLAB_GET_API_VERSION:
		return arg ? -EINVAL : HVLAB_API_VERSION;
	case HVLAB_GET_CAPS:
		if (copy_to_user(uarg, hv_ops->caps(), sizeof(struct hvlab_caps)))
			return -EFAULT;
		return 0;
	case HVLAB_PROBE:
		probe = kzalloc(sizeof(*probe), GFP_KERNEL);
		if (!probe)
			return -ENOMEM;
		ret = hv_virt_probe(probe);
		if (!ret && copy_to_user(uarg, probe, sizeof(*probe)))
			ret = -EFAULT;
		kfree(probe);
		return ret;
	case HVLAB_CREATE_VM:
		if (arg & ~(unsigned long)HVLAB_VM_FLAGS_ALL)
			return -EINVAL;
		if ((arg & HVLAB_VM_BENCH_FLOOR) && !bench_floor)
			return -EPERM;
		return hvlab_vm_create(arg);
	case HVLAB_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : hvlab_vcpu_mmap_size();
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hvlab_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hvlab_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hvlab_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hvlab",
	.fops = &hvlab_dev_fops,
	.mode = 0600,
};

static int __init hvlab_init(void)
{
	int ret;

	/* Hygon's Dhyana is a licensed Zen: SVM, as on AMD */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		hv_ops = &hv_svm_ops;
	else
		hv_ops = &hv_vmx_ops;
	ret = hv_ops->hw_init();
	if (ret)
		return ret;
	ret = hv_virt_init();
	if (ret)
		goto out_hw;
	hv_vcpu_init_percpu();
	ret = misc_register(&hvlab_dev);
	if (ret) {
		hv_vcpu_exit_percpu();
		hv_virt_exit();
		goto out_hw;
	}
	pr_info("hvlab: ready: /dev/hvlab, %s, VMCS revision %#x, features %#llx\n",
		hv_ops->name, hv_ops->caps()->vmcs_revision,
		hv_ops->caps()->features);
	return 0;
out_hw:
	hv_ops->hw_exit();
	return ret;
}

static void __exit hvlab_exit(void)
{
	misc_deregister(&hvlab_dev);
	hv_vcpu_exit_percpu();
	hv_virt_exit();
	hv_ops->hw_exit();
}

module_init(hvlab_init);
module_exit(hvlab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvlab: an educational type-2 hypervisor for Intel VMX and AMD SVM");
MODULE_AUTHOR("hvlab developers");
