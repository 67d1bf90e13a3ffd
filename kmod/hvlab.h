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

/* vmx.c: VMX on and off in one CPU (hwvirt.c's hooks); the capabilities */
int hvlab_vmx_init(void);		/* module load: CPUID, MSRs, caps */
void hvlab_vmx_exit(void);		/* module unload */
const struct hvlab_caps *hvlab_vmx_caps(void);
int hvlab_vmx_cpu_on(void);		/* VMXON here */
void hvlab_vmx_cpu_off(void);		/* VMCLEAR what is active here, VMXOFF */
void hvlab_vmx_emergency_off(void);	/* reboot or crash */
void hvlab_vmx_probe_cpu(void *r);	/* VMXON and VMXOFF, recorded */

/*
 * hwvirt.c: the extension on in every online CPU while VMs exist (first
 * VM, CPU hotplug, suspend and resume), through the backend's cpu_on and
 * cpu_off; HVLAB_PROBE's loop over the CPUs
 */
int hv_virt_init(void);			/* module load: hotplug and PM hooks */
void hv_virt_exit(void);		/* module unload */
int hv_virt_get(void);			/* first VM: on in every online CPU */
void hv_virt_put(void);			/* last VM gone: off everywhere */
int hv_virt_probe(struct hvlab_probe *p);	/* HVLAB_PROBE */
bool hv_kvm_loaded(void);		/* kvm.ko is loaded */

/*
 * The vendor boundary (as KVM's kvm_x86_ops): what differs between Intel
 * VMX (vmx.c, vcpu.c, vmcs.c, run.c, exit.c) and AMD SVM (svm.c; ept.c
 * builds its nested page tables).  main.c picks one table at load by the
 * CPU's vendor; the generic code (ioctls, memory slots, statistics, the
 * edges of HVLAB_RUN in complete.c) calls through hv_ops.
 */
struct hv_vm;
struct hv_vcpu;
struct hv_insn_view;
struct hv_paging_hw;
struct hv_x86_ops {
	const char *name;		/* "VMX" or "SVM", for messages */
	bool npt;			/* ept.c builds x86-format tables */
	int (*hw_init)(void);		/* module load: CPUID, MSRs, caps */
	void (*hw_exit)(void);		/* module unload */
	const char *kvm_name;		/* KVM's module here, for messages */
	/* this CPU, interrupts off (hwvirt.c): 0, -EBUSY (held), -errno */
	int (*cpu_on)(void);
	void (*cpu_off)(void);		/* this CPU; nothing if it is off */
	void (*emergency_off)(void);	/* reboot or crash, maybe in NMI */
	/* on and off again here: a struct hvlab_probe_cpu filled */
	void (*probe_cpu)(void *r);
	const struct hvlab_caps *(*caps)(void);
	int (*vm_check)(unsigned long flags);	/* HVLAB_VM_* it can offer */
	int (*vcpu_create)(struct hv_vcpu *vcpu);	/* VMCS/VMCB pages */
	int (*vcpu_setup)(struct hv_vcpu *vcpu);	/* loaded: fill it */
	void (*vcpu_free)(struct hv_vcpu *vcpu);
	/* preemption off; ioctl: at the start of an ioctl, else sched_in */
	void (*vcpu_load)(struct hv_vcpu *vcpu, bool ioctl);
	int (*run)(struct hv_vcpu *vcpu);	/* HVLAB_RUN */
	/* RSP, RIP, RFLAGS: the rest of hvlab_regs is vcpu->gpr (vcpu.c) */
	void (*get_regs)(struct hv_vcpu *vcpu, struct hvlab_regs *r);
	void (*set_regs)(struct hv_vcpu *vcpu, const struct hvlab_regs *r);
	void (*get_sregs)(struct hv_vcpu *vcpu, struct hvlab_sregs *s);
	int (*set_sregs)(struct hv_vcpu *vcpu, const struct hvlab_sregs *s);
	/*
	 * The MSRs the control block holds (msr.c's hv_msr_get/set check
	 * the values first): TSC (through the TSC offset), SYSENTER_*, PAT,
	 * EFER, FS/GS base, DEBUGCTL.  msr_write returns -1 to refuse.
	 */
	u64 (*msr_read)(struct hv_vcpu *vcpu, u32 index);
	int (*msr_write)(struct hv_vcpu *vcpu, u32 index, u64 val);
	bool inject;			/* HVLAB_INJECT's queue is served */
	int (*clear_event)(struct hv_vcpu *vcpu, const struct hvlab_event *e);
	/* complete.c's and mmio.c's vendor parts: RSP, moving RIP */
	unsigned long (*get_gpr)(struct hv_vcpu *vcpu, int n);
	void (*set_gpr)(struct hv_vcpu *vcpu, int n, unsigned long v);
	void (*skip_insn)(struct hv_vcpu *vcpu, unsigned int len);
	/* mmio.c: the instruction at RIP, segment bases, RFLAGS */
	void (*insn_view)(struct hv_vcpu *vcpu, struct hv_insn_view *iv);
	u64 (*seg_base)(struct hv_vcpu *vcpu, int seg);	/* INSN_SEG_* */
	void (*set_rflags)(struct hv_vcpu *vcpu, unsigned long rflags);
	/* every other vCPU ioctl (MSRs, debug, translate), or NULL */
	long (*vcpu_ioctl)(struct hv_vcpu *vcpu, unsigned int cmd,
			   void __user *uarg);
	/* what shadow paging and walk.c ask of the vendor (vm.h) */
	const struct hv_paging_hw *paging_hw;
};
extern const struct hv_x86_ops *hv_ops;
extern const struct hv_x86_ops hv_vmx_ops;	/* vcpu.c */
extern const struct hv_x86_ops hv_svm_ops;	/* svm.c */

/* complete.c: the edges of HVLAB_RUN, shared by both backends */
int hv_run_begin(struct hv_vcpu *vcpu);	/* 1: enter, else RUN's result */
int hv_run_check(struct hv_vcpu *vcpu);	/* before each entry: the same */
void hv_run_end(struct hv_vcpu *vcpu, u64 rip, u64 rflags, bool shadow);
int hv_internal_error(struct hv_vcpu *vcpu, u32 sub, u64 d0, u64 d1);

/* vm.c: VM objects (vm.h has the structures and the rest of the API) */
int hvlab_vm_create(unsigned long flags);	/* returns a VM fd or -errno */

/* vcpu.c: vCPU objects */
int hvlab_vcpu_mmap_size(void);
void hv_vcpu_init_percpu(void);		/* module load */
void hv_vcpu_exit_percpu(void);		/* module unload */
void hv_vcpu_clear_all_on_cpu(void);	/* VMX: before VMXOFF on this CPU */

/* msr.c: the host's SYSCALL MSRs back on this CPU now (before VMXOFF) */
void hv_user_msrs_drop(void);

#endif
