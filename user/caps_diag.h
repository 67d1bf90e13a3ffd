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

	/* AMD-V, read from CPUID and (as root, with the msr module) VM_CR */
	bool cpuid_svm;			/* CPUID 0x80000001:ECX.SVM */
	bool cpuinfo_svm;		/* Linux kept "svm" in /proc/cpuinfo */
	unsigned int svm_revision;	/* CPUID 0x8000000A:EAX[7:0] */
	unsigned int svm_asids;		/* CPUID 0x8000000A:EBX: ASIDs */
	unsigned int svm_features;	/* CPUID 0x8000000A:EDX */
	int vm_cr;			/* MSR VM_CR (0xC0010114), -1: unread */
	bool kvm_amd;			/* /sys/module/kvm_amd */
};

/* CPUID 0x8000000A:EDX bits (AMD APM Vol. 3, appendix E.4.9) */
#define SVM_FEAT_NPT		(1u << 0)
#define SVM_FEAT_NRIPS		(1u << 3)
#define SVM_FEAT_FLUSH_ASID	(1u << 6)
#define SVM_FEAT_DECODE		(1u << 7)
#define SVM_FEAT_AVIC		(1u << 13)
/* VM_CR.SVMDIS: EFER.SVME cannot be set (AMD APM Vol. 2, 15.30.1) */
#define VM_CR_SVMDIS		(1u << 4)
/* VM_CR.LOCK: SVMDIS is locked by the firmware (or by an SVM key) */
#define VM_CR_LOCK		(1u << 3)

/* The name of CPUID 0x8000000A:EDX bit `bit`, or NULL for a reserved one. */
const char *svm_feature_name(unsigned int bit);

enum verdict {
	VERDICT_OK,		/* can run hvlab guests */
	VERDICT_NOT_INTEL,	/* neither Intel nor AMD */
	VERDICT_AMD_SVM,	/* AMD-V usable, but hvlab drives VT-x only */
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
