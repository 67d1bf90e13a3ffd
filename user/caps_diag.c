// SPDX-License-Identifier: GPL-2.0
/*
 * caps_diag.c - why VMX is or is not usable here, and what to do about it.
 *
 * The checks run in the order a CPU would fail them: vendor, CPUID, the
 * firmware lock (Linux drops "vmx" from /proc/cpuinfo when
 * IA32_FEATURE_CONTROL forbids VMXON, so CPUID-yes/cpuinfo-no means
 * firmware), then the module, then what the module itself found (features,
 * and the per-CPU VMXON probe that reveals another hypervisor).
 *
 * An AMD CPU takes its own path: no SVM in CPUID (and, inside a VM, how to
 * expose it), SVM switched off by the firmware (VM_CR.SVMDIS, AMD APM
 * Vol. 2 15.30.1), then what the module's SVM backend found (HVLAB_CAP_SVM:
 * nested paging, NRIP save, and the per-CPU EFER.SVME probe that reveals
 * another hypervisor such as kvm_amd).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "caps_diag.h"

#define N 256

static const char *owner_hint(const struct host_facts *h)
{
	if (h->kvm_intel)
		return "kvm_intel (KVM: QEMU/libvirt/GNOME Boxes VMs)";
	if (h->vboxdrv)
		return "VirtualBox (vboxdrv)";
	if (h->vmmon)
		return "VMware (vmmon)";
	return "another hypervisor";
}

/*
 * Another hypervisor holds VMX.  KVM before 6.12 (and 6.12+ with
 * kvm.enable_virt_at_load=0) holds it only while one of its VMs exists;
 * 6.12+ by default holds it from the moment kvm_intel loads, so an idle
 * KVM blocks hvlab too, and closing VMs does not help.
 */
static void busy_advice(const struct host_facts *h, char *why, char *todo)
{
	bool kvm = h->probe.nr_cpus && h->probe.cpu[0].owner == HVLAB_OWNER_KVM;
	const char *owner = kvm ? "kvm_intel (KVM)" : owner_hint(h);

	if ((kvm || h->kvm_intel) && h->kvm_virt_at_load) {
		snprintf(why, N, "VMX is held by kvm_intel on every CPU since it loaded, with or without KVM VMs (kvm.enable_virt_at_load=Y, the default since Linux 6.12)");
		snprintf(todo, N, "if no KVM VM is needed: sudo modprobe -r kvm_intel; or boot with kvm.enable_virt_at_load=0 (or reload kvm with that option), so KVM holds VMX only while its VMs run");
		return;
	}
	snprintf(why, N, "VMX is held by %s on this machine's CPUs", owner);
	snprintf(todo, N, "close that hypervisor's VMs (KVM enables VMX only while a VM exists), or unload it (sudo rmmod kvm_intel), then retry");
}

static void nested_advice(const struct host_facts *h, char *todo)
{
	const char *v = h->hv_vendor;

	if (!strcmp(v, "VMwareVMware"))
		snprintf(todo, N, "power the VM off and tick \"Virtualize Intel VT-x/EPT or AMD-V/RVI\" in its CPU settings");
	else if (!strcmp(v, "VBoxVBoxVBox"))
		snprintf(todo, N, "on the host: VBoxManage modifyvm <vm> --nested-hw-virt on (VirtualBox 6.1+)");
	else if (!strcmp(v, "Microsoft Hv"))
		snprintf(todo, N, "Hyper-V/WSL2 owns VT-x: on the host, Set-VMProcessor -VMName <vm> -ExposeVirtualizationExtensions $true (WSL2: nestedVirtualization=true in .wslconfig)");
	else if (!strcmp(v, "KVMKVMKVM"))
		snprintf(todo, N, "on the host: modprobe %s nested=1, and give the VM '-cpu host' (libvirt: host-passthrough)",
			 h->amd ? "kvm_amd" : "kvm_intel");
	else
		snprintf(todo, N, "enable nested %s (\"expose virtualization extensions\") for this VM in the host hypervisor",
			 h->amd ? "AMD-V" : "VT-x");
}

const char *svm_feature_name(unsigned int bit)
{
	static const char *const names[] = {
		[0] = "nested paging (NPT)",
		[1] = "LBR virtualization",
		[2] = "SVM lock (VM_CR.LOCK by key)",
		[3] = "next-RIP save (NRIP)",
		[4] = "TSC rate MSR",
		[5] = "VMCB clean bits",
		[6] = "flush by ASID",
		[7] = "decode assists",
		[10] = "pause filter",
		[12] = "pause filter threshold",
		[13] = "AVIC (virtual APIC)",
		[15] = "virtual VMSAVE/VMLOAD",
		[16] = "virtual GIF",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

/* Inside a VM whose hypervisor does not pass EXT (VT-x, AMD-V) through. */
static enum verdict no_nested(const struct host_facts *h, const char *ext, char *why, char *todo)
{
	snprintf(why, N, "running inside a %s VM that does not expose %s (no nested virtualization)",
		 h->hv_vendor[0] ? h->hv_vendor : "hypervisor's", ext);
	nested_advice(h, todo);
	return VERDICT_NESTED;
}

static enum verdict diagnose_amd(const struct host_facts *h, char *why, char *todo)
{
	if (!h->cpuid_svm) {
		if (h->in_vm)
			return no_nested(h, "AMD-V", why, todo);
		snprintf(why, N, "this AMD CPU reports no SVM (CPUID 0x80000001:ECX.SVM=0)");
		snprintf(todo, N, "this CPU cannot run hardware VMs; use 'make demo' to run hvlab in Bochs (emulated VMX)");
		return VERDICT_NO_VMX;
	}
	if (h->vm_cr >= 0 && (h->vm_cr & VM_CR_SVMDIS)) {
		snprintf(why, N, "AMD-V is switched off by the firmware (VM_CR.SVMDIS=1%s)",
			 h->vm_cr & VM_CR_LOCK ? ", locked" : "");
		snprintf(todo, N, "enable \"SVM Mode\" (AMD-V) in the BIOS/UEFI setup, then power-cycle; meanwhile, 'make demo' runs hvlab in Bochs");
		return VERDICT_FIRMWARE;
	}
	if (h->have_caps && (h->caps.features & HVLAB_CAP_SVM)) {
		if (h->have_probe && h->probe.result == -EBUSY) {
			snprintf(why, N, "SVM is held by %s (EFER.SVME already set)",
				 h->probe.cpu[0].owner == HVLAB_OWNER_KVM ? "kvm_amd (KVM)" : "another hypervisor");
			snprintf(todo, N, "close that hypervisor's VMs, or unload it (sudo rmmod kvm_amd), then retry");
			return VERDICT_BUSY;
		}
		if (h->have_probe && h->probe.result) {
			snprintf(why, N, "enabling SVM failed (error %d) on at least one CPU", h->probe.result);
			snprintf(todo, N, "check dmesg for hvlab messages");
			return VERDICT_PROBE_FAILED;
		}
		snprintf(why, N, "AMD-V (SVM) with nested paging is usable on every CPU, through hvlab's SVM backend (docs/svm.md: what it does not do yet)");
		return VERDICT_OK;
	}
	snprintf(why, N, "this is an AMD CPU with AMD-V (SVM%s%s), but the hvlab module %s",
		 h->svm_features & SVM_FEAT_NPT ? ", nested paging" : ", no nested paging",
		 h->vm_cr < 0 ? ", firmware switch unread: run as root with the msr module" : "",
		 h->module_loaded ? "does not offer SVM here (its backend needs nested paging and NRIP save)" :
		 "is not loaded");
	snprintf(todo, N, "%s", h->module_loaded ?
		 "run hvlab in Bochs ('make demo', 'make check', 'make vm-shell'); KVM or VirtualBox can use AMD-V here" :
		 "sudo insmod kmod/hvlab.ko (after 'make'; the SVM backend is young, docs/svm.md); dmesg says why if it refuses");
	return VERDICT_AMD_SVM;
}

enum verdict caps_diagnose(const struct host_facts *h, char *why, char *todo)
{
	why[0] = todo[0] = '\0';

	if (h->amd)
		return diagnose_amd(h, why, todo);
	if (!h->intel) {
		snprintf(why, N, "this CPU is neither Intel nor AMD");
		snprintf(todo, N, "use an Intel machine, or run hvlab in Bochs: make demo, make check");
		return VERDICT_NOT_INTEL;
	}
	if (!h->cpuid_vmx) {
		if (h->in_vm)
			return no_nested(h, "VT-x", why, todo);
		snprintf(why, N, "the CPU reports no VMX (CPUID.1:ECX.VMX=0)");
		snprintf(todo, N, "this CPU cannot run hvlab; use 'make demo' to run it in Bochs (emulated VMX)");
		return VERDICT_NO_VMX;
	}
	if (!h->cpuinfo_vmx && !h->have_caps) {
		snprintf(why, N, "VT-x is present but switched off by the firmware (Linux hid the vmx flag)");
		snprintf(todo, N, "enable \"Intel Virtualization Technology (VT-x)\" in the BIOS/UEFI setup, then power-cycle");
		return VERDICT_FIRMWARE;
	}
	if (h->dev_errno == EACCES || h->dev_errno == EPERM) {
		snprintf(why, N, "this user may not open /dev/hvlab (root only, mode 0600, unless a udev rule gives it to a group)");
		snprintf(todo, N, "run as root (sudo hvlab caps), or join the device's group: ls -l /dev/hvlab, docs/install.md");
		return VERDICT_NO_ACCESS;
	}
	if (h->dev_errno || !h->have_caps) {
		snprintf(why, N, "%s", h->module_loaded ?
			 "hvlab.ko is loaded but /dev/hvlab cannot be opened" :
			 "the hvlab module is not loaded");
		snprintf(todo, N, "sudo insmod kmod/hvlab.ko (after 'make'); dmesg says why if it refuses");
		return VERDICT_NO_MODULE;
	}
	if (h->caps.status == HVLAB_STATUS_FW_DISABLED ||
	    h->caps.status == HVLAB_STATUS_FW_UNLOCKED) {
		snprintf(why, N, "VT-x is switched off by the firmware (IA32_FEATURE_CONTROL)");
		snprintf(todo, N, "enable \"Intel Virtualization Technology (VT-x)\" in the BIOS/UEFI setup, then power-cycle");
		return VERDICT_FIRMWARE;
	}
	if (h->caps.status != HVLAB_STATUS_OK) {
		snprintf(why, N, "this CPU's VMX lacks a feature hvlab needs (EPT with unrestricted guest, I/O and MSR bitmaps, EFER load/save)");
		snprintf(todo, N, "%s", h->in_vm ?
			 "the outer hypervisor exposes a reduced VMX: enable EPT/unrestricted guest for nested guests" :
			 "use a newer Intel CPU (Westmere or later), or Bochs: make demo");
		return VERDICT_FEATURES;
	}
	if (h->have_probe && h->probe.result == -EBUSY) {
		busy_advice(h, why, todo);
		return VERDICT_BUSY;
	}
	if (h->have_probe && h->probe.result) {
		snprintf(why, N, "VMXON failed (error %d) on at least one CPU", h->probe.result);
		snprintf(todo, N, "check dmesg for hvlab messages");
		return VERDICT_PROBE_FAILED;
	}
	snprintf(why, N, "VMX with EPT and unrestricted guest is usable on every CPU");
	return VERDICT_OK;
}
