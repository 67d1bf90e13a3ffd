// SPDX-License-Identifier: GPL-2.0
/*
 * hwvirt.c - hardware virtualization on in every online CPU while VMs
 * exist, for either vendor.
 *
 * A guest can run on any CPU its vCPU thread is scheduled on, so the
 * extension (VMX or SVM) must be on in all of them while some VM exists,
 * and off in all of them otherwise: until the first VM, another hypervisor
 * may use it freely.  This file keeps that one rule; the backend says how
 * to switch the extension on and off in the CPU it runs on (hv_ops's
 * cpu_on/cpu_off: VMXON/VMXOFF in vmx.c, EFER.SVME and VM_HSAVE_PA in
 * svm.c), as KVM's kvm_main.c does with its vendor hooks.
 *
 * Invariant: virt_users > 0  <=>  every online CPU has the extension on,
 * switched on by hvlab.  Three things change the set of CPUs or their
 * state, and each keeps the invariant:
 *  - the first VM and the last (hv_virt_get/put, from vm.c): on or off in
 *    every online CPU, by IPI.  virt_lock (a mutex) and the CPU-hotplug
 *    lock hold virt_users and the online set still meanwhile.
 *  - CPU hotplug (a cpuhp state): a CPU coming online while VMs exist
 *    switches the extension on before the scheduler may put a vCPU there;
 *    a CPU going offline switches it off, since the sleep or INIT that
 *    follows loses it, and VMX blocks INIT altogether.
 *  - suspend and resume (syscore_ops, as KVM's kvm_suspend/kvm_resume):
 *    every other CPU went through the hotplug callbacks already; the one
 *    left switches off before the sleep state and on again after.
 * A failure on one CPU undoes every CPU already switched on: -EBUSY, with
 * the CPU and the likely owner in the kernel log.  On reboot or crash the
 * backend's emergency_off leaves the extension in every CPU, or INIT would
 * stay blocked (VMX) or GIF clear (SVM).
 *
 * HVLAB_PROBE is here too: on and off again in each online CPU, under
 * virt_lock so that no VM starts meanwhile.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/reboot.h>

#include "compat.h"
#include "hvlab.h"

static DEFINE_MUTEX(virt_lock);
static int virt_users;
static enum cpuhp_state hp_state;
static bool emergency_cb_registered;
static bool suspended;

/*
 * kvm.ko exports kvm_rebooting (GPL) on every kernel hvlab supports: if it
 * resolves, KVM is loaded.  (kvm_debugfs_dir, exported by 6.1, is static
 * in 6.12.)
 */
bool hv_kvm_loaded(void)
{
	void *sym = __symbol_get("kvm_rebooting");

	if (!sym)
		return false;
	__symbol_put("kvm_rebooting");
	return true;
}

/* The first CPU that refused, and why, for the kernel log. */
struct on_result {
	atomic_t failed;
	int cpu;
	int err;
};

static void on_ipi(void *arg)
{
	struct on_result *r = arg;
	int err = hv_ops->cpu_on();

	if (err && atomic_inc_return(&r->failed) == 1) {
		r->cpu = smp_processor_id();
		r->err = err;
	}
}

static void off_ipi(void *unused)
{
	hv_ops->cpu_off();
}

static void report_failure(const struct on_result *r)
{
	if (r->err == -EBUSY)
		pr_warn("hvlab: cannot enable %s on CPU %d: it is held by %s. Stop that hypervisor's VMs (or rmmod it) and try again.\n",
			hv_ops->name, r->cpu, hv_kvm_loaded() ? hv_ops->kvm_name :
			"another hypervisor (VirtualBox vboxdrv, VMware vmmon, ...)");
	else
		pr_warn("hvlab: cannot enable %s on CPU %d (error %d)\n",
			hv_ops->name, r->cpu, r->err);
}

int hv_virt_get(void)
{
	struct on_result r = { .failed = ATOMIC_INIT(0) };
	int ret = 0;

	mutex_lock(&virt_lock);
	cpus_read_lock();
	if (virt_users++ > 0)
		goto out;

	on_each_cpu(on_ipi, &r, 1);
	if (atomic_read(&r.failed)) {
		report_failure(&r);
		on_each_cpu(off_ipi, NULL, 1);
		virt_users = 0;
		ret = -EBUSY;
		goto out;
	}
	/*
	 * KVM, when loaded, owns the single emergency callback slot; its
	 * callback leaves VMX or SVM whoever entered it, which covers us too.
	 */
	if (!hv_kvm_loaded()) {
		cpu_emergency_register_virt_callback(hv_ops->emergency_off);
		emergency_cb_registered = true;
	}
out:
	cpus_read_unlock();
	mutex_unlock(&virt_lock);
	return ret;
}

void hv_virt_put(void)
{
	mutex_lock(&virt_lock);
	cpus_read_lock();
	if (!WARN_ON(virt_users <= 0) && --virt_users == 0) {
		on_each_cpu(off_ipi, NULL, 1);
		if (emergency_cb_registered) {
			cpu_emergency_unregister_virt_callback(hv_ops->emergency_off);
			emergency_cb_registered = false;
		}
	}
	cpus_read_unlock();
	mutex_unlock(&virt_lock);
}

/*
 * CPU hotplug.  The callbacks run on the CPU concerned, in its hotplug
 * thread, with the hotplug lock held for writing: virt_users cannot move
 * (hv_virt_get/put hold the lock for reading).
 */
static int hv_cpu_online(unsigned int cpu)
{
	int ret = 0;

	if (virt_users) {
		local_irq_disable();
		ret = hv_ops->cpu_on();
		local_irq_enable();
		if (ret)
			pr_warn("hvlab: cannot enable %s on CPU %u coming online (%d)\n",
				hv_ops->name, cpu, ret);
	}
	return ret;
}

static int hv_cpu_offline(unsigned int cpu)
{
	local_irq_disable();
	hv_ops->cpu_off();	/* nothing if it is off here */
	local_irq_enable();
	return 0;
}

/*
 * Suspend and resume.  By the time these run, every other CPU went
 * offline through the hotplug callbacks above and interrupts are off:
 * only the CPU doing the suspend is left.  The sleep state loses what
 * the extension keeps in the CPU, and the kernel's restore of CR4 and
 * EFER must not find VMXE or SVME set by an hvlab that is not on there
 * any more.  No task runs, so virt_users is stable without virt_lock.
 */
static int hv_suspend(HV_SYSCORE_ARGS)
{
	if (!virt_users)
		return 0;
	hv_ops->cpu_off();
	suspended = true;
	pr_info("hvlab: %s off on CPU %d for suspend\n", hv_ops->name,
		smp_processor_id());
	return 0;
}

static void hv_resume(HV_SYSCORE_ARGS)
{
	if (!suspended)
		return;
	suspended = false;
	if (!virt_users)
		return;
	if (hv_ops->cpu_on())
		pr_warn("hvlab: cannot enable %s on CPU %d after resume\n",
			hv_ops->name, smp_processor_id());
	else
		pr_info("hvlab: %s on again on CPU %d after resume\n",
			hv_ops->name, smp_processor_id());
}

static struct hv_syscore hv_syscore = {
	.ops = { .suspend = hv_suspend, .resume = hv_resume },
};

/*
 * HVLAB_PROBE: the backend's probe_cpu turns the extension on and off
 * again in the CPU it runs on and fills its struct hvlab_probe_cpu.
 * virt_lock keeps VMs from starting meanwhile; the CPU hotplug lock
 * keeps the online set still.
 */
int hv_virt_probe(struct hvlab_probe *p)
{
	int cpu;

	memset(p, 0, sizeof(*p));
	mutex_lock(&virt_lock);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct hvlab_probe_cpu *r;

		if (p->nr_cpus >= HVLAB_MAX_CPUS)
			break;
		r = &p->cpu[p->nr_cpus++];
		r->cpu = cpu;
		smp_call_function_single(cpu, hv_ops->probe_cpu, r, 1);
		if (r->result == -EBUSY)
			r->owner = hv_kvm_loaded() ? HVLAB_OWNER_KVM :
				   HVLAB_OWNER_UNKNOWN;
		if (r->result && !p->result)
			p->result = r->result;
	}
	cpus_read_unlock();
	mutex_unlock(&virt_lock);
	if (p->result == -EBUSY)
		pr_info("hvlab: probe: %s is held by %s\n", hv_ops->name,
			p->cpu[0].owner == HVLAB_OWNER_KVM ? hv_ops->kvm_name :
			"another hypervisor");
	return 0;
}

/* Module load, after the backend's hw_init: the hotplug and PM hooks. */
int hv_virt_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "hvlab:online",
					hv_cpu_online, hv_cpu_offline);
	if (ret < 0)
		return ret;
	hp_state = ret;
	hv_register_syscore(&hv_syscore);
	return 0;
}

/* Module unload: every VM is gone (their files hold a module reference). */
void hv_virt_exit(void)
{
	WARN_ON(virt_users);
	hv_unregister_syscore(&hv_syscore);
	cpuhp_remove_state_nocalls(hp_state);
}
