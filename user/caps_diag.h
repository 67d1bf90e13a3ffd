/* SPDX-License-Identifier: GPL-2.0 */
/*
 * caps_diag.h - the decision behind `hvlab caps`: from facts gathered about
 * the host (CPUID, /proc/cpuinfo, loaded modules, /dev/hvlab, the module's
 * probe) to one verdict and the advice that goes with it.  Pure logic, so
 * every branch is unit-tested (tests/unit/test_caps.c).
 */
#ifndef HVLAB_CAPS_DIAG_H
#define HVLAB_CAPS_DIAG_H

#include <stdbool.h>
#include <uapi/hvlab.h>

struct host_facts {
	bool intel, amd;		/* CPUID vendor */
	bool cpuid_vmx;			/* raw CPUID.1:ECX.VMX */
	bool cpuinfo_vmx;		/* Linux kept "vmx" in /proc/cpuinfo */
	bool in_vm;			/* CPUID.1:ECX.hypervisor */
	char hv_vendor[13];		/* CPUID 0x40000000 signature */
	bool kvm_intel, vboxdrv, vmmon;	/* modules that may own VMX */
	bool kvm_virt_at_load;		/* kvm.enable_virt_at_load=Y (6.12+) */
	bool module_loaded;		/* /sys/module/hvlab */
	int dev_errno;			/* opening /dev/hvlab: 0 or errno */
	bool have_caps;			/* HVLAB_GET_CAPS answered */
	struct hvlab_caps caps;
	bool have_probe;		/* HVLAB_PROBE answered */
	struct hvlab_probe probe;
};

enum verdict {
	VERDICT_OK,		/* can run hvlab guests */
	VERDICT_NOT_INTEL,
	VERDICT_NESTED,		/* in a VM without nested VT-x */
	VERDICT_NO_VMX,		/* CPU without VMX */
	VERDICT_FIRMWARE,	/* VT-x switched off in firmware */
	VERDICT_NO_MODULE,	/* VMX fine, hvlab.ko not loaded */
	VERDICT_NO_ACCESS,	/* /dev/hvlab needs root */
	VERDICT_FEATURES,	/* VMX lacks EPT/unrestricted guest/... */
	VERDICT_BUSY,		/* another hypervisor holds VMX */
	VERDICT_PROBE_FAILED,	/* VMXON failed for another reason */
};

/* Fills `why` and `todo` (static strings or into the buffers) and returns
 * the verdict.  `why`/`todo` buffers are at least 256 bytes. */
enum verdict caps_diagnose(const struct host_facts *h, char *why, char *todo);

#endif
