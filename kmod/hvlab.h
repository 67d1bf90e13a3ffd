/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvlab.h (kmod) - the index of the module: every function one file of
 * kmod/ offers another, grouped by file, as xv6's defs.h does.  Read this
 * first to see the whole module at once.
 */
#ifndef HVLAB_KMOD_H
#define HVLAB_KMOD_H

#include <linux/types.h>
#include <uapi/hvlab.h>

/* vmx.c: VMX on/off on every CPU, reference-counted; the capability probe */
int hvlab_vmx_init(void);		/* module load: CPUID, MSRs, caps */
void hvlab_vmx_exit(void);		/* module unload */
int hvlab_vmx_get(void);		/* first user turns VMX on everywhere */
void hvlab_vmx_put(void);		/* last user turns it off */
const struct hvlab_caps *hvlab_vmx_caps(void);
int hvlab_vmx_probe(struct hvlab_probe *p);

/* vm.c: VM objects (vm.h has the structures and the rest of the API) */
int hvlab_vm_create(unsigned long flags);	/* returns a VM fd or -errno */

/* vcpu.c: vCPU objects */
int hvlab_vcpu_mmap_size(void);
void hv_vcpu_init_percpu(void);		/* module load */
void hv_vcpu_exit_percpu(void);		/* module unload */
void hv_vcpu_clear_all_on_cpu(void);	/* before VMXOFF on this CPU */

/* msr.c: the host's SYSCALL MSRs back on this CPU now (before VMXOFF) */
void hv_user_msrs_drop(void);

#endif
