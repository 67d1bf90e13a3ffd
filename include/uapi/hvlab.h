/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvlab.h - the only header the module (kmod/) and the tool (user/) share.
 *
 * Everything that crosses the /dev/hvlab boundary is defined here: ioctl
 * numbers, the structures they carry, the layout of the mmap-able vCPU run
 * page, and the exit reasons as userspace sees them.  The shape follows KVM
 * on purpose (system fd -> VM fd -> vCPU fd, an mmap-ed run structure) so a
 * student who learns hvlab recognises KVM later.
 *
 * Rules of this ABI:
 *  - every structure has explicit padding and only fixed-width types, so the
 *    layout is identical for the 64-bit kernel and any 64-bit userspace;
 *  - the module validates every field it reads (sizes, flags that must be
 *    zero, pointers) and answers -EINVAL/-EFAULT, never trusts the caller;
 *  - HVLAB_API_VERSION changes whenever a structure below changes.
 */
#ifndef _UAPI_HVLAB_H
#define _UAPI_HVLAB_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HVLAB_API_VERSION	3
#define HVLAB_DEVICE		"/dev/hvlab"
#define HVLAB_IOC		0xB7	/* ioctl "magic" of hvlab */

/* ------------------------------------------------------------------ */
/* System ioctls, on /dev/hvlab                                        */
/* ------------------------------------------------------------------ */

/* Returns HVLAB_API_VERSION; the argument must be 0. */
#define HVLAB_GET_API_VERSION	_IO(HVLAB_IOC, 0x00)
/* Fills struct hvlab_caps with the decoded VMX capabilities. */
#define HVLAB_GET_CAPS		_IOR(HVLAB_IOC, 0x01, struct hvlab_caps)
/* Turns VMX on and off on every online CPU, reports each in hvlab_probe. */
#define HVLAB_PROBE		_IOR(HVLAB_IOC, 0x02, struct hvlab_probe)
/* Creates a VM; the argument is HVLAB_VM_* flags; returns a VM fd. */
#define HVLAB_CREATE_VM		_IO(HVLAB_IOC, 0x03)
/* Size of the region to mmap on a vCPU fd (run page + statistics). */
#define HVLAB_GET_VCPU_MMAP_SIZE _IO(HVLAB_IOC, 0x04)

/* Flags of HVLAB_CREATE_VM. */
#define HVLAB_VM_TRAP_CR3	(1u << 0)  /* exit on every MOV to/from CR3 */
#define HVLAB_VM_SHADOW_PAGING	(1u << 1)  /* shadow page tables, not EPT */
#define HVLAB_VM_TRAP_EXCEPTIONS (1u << 2) /* exit on every guest exception */
/*
 * Benchmarks only: CPUID leaf HVLAB_CPUID_BENCH_FLOOR takes the leanest
 * exit path the module has (VM exit, CPUID answered, RIP advanced, VM
 * entry: no statistics, no exit record, no checks), the yardstick `make
 * bench` divides every figure by.  HVLAB_CREATE_VM refuses the flag with
 * EPERM unless the module was loaded with bench_floor=1, a parameter that
 * cannot be changed once the module is in.
 */
#define HVLAB_VM_BENCH_FLOOR	(1u << 3)
/*
 * Sum the TSC cycles of every stay in the guest into
 * hvlab_stats.guest_cycles (two RDTSCs around each VM entry; without the
 * flag guest_cycles stays 0).
 */
#define HVLAB_VM_GUEST_CYCLES	(1u << 4)
#define HVLAB_VM_FLAGS_ALL	(HVLAB_VM_TRAP_CR3 | HVLAB_VM_SHADOW_PAGING | \
				 HVLAB_VM_TRAP_EXCEPTIONS | HVLAB_VM_BENCH_FLOOR | \
				 HVLAB_VM_GUEST_CYCLES)
/* The floor's CPUID leaf, and what it answers in EAX (EBX, ECX, EDX: 0). */
#define HVLAB_CPUID_BENCH_FLOOR	0x400000f0u
#define HVLAB_BENCH_FLOOR_SIG	0x726f6c66u	/* "flor" in EAX's bytes */

/* ---- capabilities ------------------------------------------------- */

/* Bits of hvlab_caps.features. */
#define HVLAB_CAP_EPT			(1ull << 0)
#define HVLAB_CAP_EPT_4LEVEL		(1ull << 1)
#define HVLAB_CAP_EPT_5LEVEL		(1ull << 2)
#define HVLAB_CAP_EPT_2M		(1ull << 3)
#define HVLAB_CAP_EPT_1G		(1ull << 4)
#define HVLAB_CAP_EPT_AD		(1ull << 5)
#define HVLAB_CAP_EPT_EXEC_ONLY		(1ull << 6)
#define HVLAB_CAP_EPT_WB		(1ull << 7)
#define HVLAB_CAP_INVEPT		(1ull << 8)
#define HVLAB_CAP_VPID			(1ull << 9)
#define HVLAB_CAP_INVVPID		(1ull << 10)
#define HVLAB_CAP_UNRESTRICTED_GUEST	(1ull << 11)
#define HVLAB_CAP_VMCS_SHADOWING	(1ull << 12)
#define HVLAB_CAP_PREEMPTION_TIMER	(1ull << 13)
#define HVLAB_CAP_POSTED_INTERRUPTS	(1ull << 14)
#define HVLAB_CAP_MSR_BITMAPS		(1ull << 15)
#define HVLAB_CAP_IO_BITMAPS		(1ull << 16)
#define HVLAB_CAP_TRUE_CONTROLS		(1ull << 17)
#define HVLAB_CAP_SECONDARY_CONTROLS	(1ull << 18)
#define HVLAB_CAP_MONITOR_TRAP_FLAG	(1ull << 19)
#define HVLAB_CAP_VMFUNC		(1ull << 20)
#define HVLAB_CAP_TPR_SHADOW		(1ull << 21)
#define HVLAB_CAP_VIRT_APIC_ACCESS	(1ull << 22)
#define HVLAB_CAP_LOAD_EFER		(1ull << 23)
#define HVLAB_CAP_LOAD_PAT		(1ull << 24)
#define HVLAB_CAP_WB_VMCS		(1ull << 25)  /* VMCS memory type WB */
#define HVLAB_CAP_INS_OUTS_INFO		(1ull << 26)
#define HVLAB_CAP_XSAVES		(1ull << 27)
#define HVLAB_CAP_RDTSCP		(1ull << 28)
#define HVLAB_CAP_INVPCID		(1ull << 29)
/*
 * AMD SVM: the module drives SVM, not VMX (the VMX fields of hvlab_caps
 * are then 0), and what CPUID 8000_000Ah says of it (AMD APM Vol. 2 15).
 */
#define HVLAB_CAP_SVM			(1ull << 32)
#define HVLAB_CAP_NPT			(1ull << 33)
#define HVLAB_CAP_NRIP			(1ull << 34)
#define HVLAB_CAP_FLUSH_ASID		(1ull << 35)
#define HVLAB_CAP_DECODE_ASSISTS	(1ull << 36)

/* Why VMX cannot be used (hvlab_caps.status). */
#define HVLAB_STATUS_OK			0
#define HVLAB_STATUS_NO_VMX		1  /* CPUID.1:ECX.VMX = 0 */
#define HVLAB_STATUS_FW_DISABLED	2  /* FEATURE_CONTROL locked, VMX off */
#define HVLAB_STATUS_FW_UNLOCKED	3  /* FEATURE_CONTROL not locked */
#define HVLAB_STATUS_BAD_BASIC		4  /* IA32_VMX_BASIC unusable */
#define HVLAB_STATUS_NO_FEATURES	5  /* a required control is missing */

/* One VM-execution control field: allowed-0 and allowed-1 settings. */
struct hvlab_ctl_caps {
	__u32 must_be_1;	/* bits 31:0 of the capability MSR */
	__u32 may_be_1;		/* bits 63:32 of the capability MSR */
};

/* Raw capability MSRs, in the order of SDM Vol. 3 Appendix A. */
struct hvlab_vmx_msrs {
	__u64 feature_control;	/* 0x3a */
	__u64 basic;		/* 0x480 */
	__u64 pinbased;		/* 0x481 */
	__u64 procbased;	/* 0x482 */
	__u64 exit;		/* 0x483 */
	__u64 entry;		/* 0x484 */
	__u64 misc;		/* 0x485 */
	__u64 cr0_fixed0;	/* 0x486 */
	__u64 cr0_fixed1;	/* 0x487 */
	__u64 cr4_fixed0;	/* 0x488 */
	__u64 cr4_fixed1;	/* 0x489 */
	__u64 vmcs_enum;	/* 0x48a */
	__u64 procbased2;	/* 0x48b, 0 when secondary controls absent */
	__u64 ept_vpid_cap;	/* 0x48c */
	__u64 true_pinbased;	/* 0x48d, 0 when true controls absent */
	__u64 true_procbased;	/* 0x48e */
	__u64 true_exit;	/* 0x48f */
	__u64 true_entry;	/* 0x490 */
	__u64 vmfunc;		/* 0x491 */
};

struct hvlab_caps {
	__u32 api_version;
	__u32 status;		/* HVLAB_STATUS_* */
	__u64 features;		/* HVLAB_CAP_* */
	__u32 vmcs_revision;	/* IA32_VMX_BASIC[30:0] */
	__u32 vmcs_size;	/* bytes, IA32_VMX_BASIC[44:32] */
	__u32 cr3_target_count;	/* IA32_VMX_MISC[24:16] */
	__u32 preemption_timer_shift; /* timer ticks every 2^shift TSC */
	__u32 msr_list_max;	/* recommended max MSRs in load/store lists */
	__u32 online_cpus;
	/* effective allowed settings (the TRUE MSRs when they exist) */
	struct hvlab_ctl_caps pin;
	struct hvlab_ctl_caps proc;
	struct hvlab_ctl_caps proc2;
	struct hvlab_ctl_caps exit;
	struct hvlab_ctl_caps entry;
	struct hvlab_vmx_msrs msr;
};

/* ---- the per-CPU VMXON probe -------------------------------------- */

#define HVLAB_MAX_CPUS		64

/* Who holds VMX on a CPU where hvlab could not take it. */
#define HVLAB_OWNER_NONE	0
#define HVLAB_OWNER_UNKNOWN	1  /* CR4.VMXE set by someone we cannot name */
#define HVLAB_OWNER_KVM		2  /* kvm.ko is loaded: most likely kvm_intel */
#define HVLAB_OWNER_HVLAB	3  /* hvlab itself (a VM is running) */

struct hvlab_probe_cpu {
	__u32 cpu;
	__s32 result;		/* 0, or -errno of the VMXON attempt */
	__u32 owner;		/* HVLAB_OWNER_* */
	__u32 cr4_vmxe_before;	/* CR4.VMXE (EFER.SVME on AMD) found */
	__u32 cr4_vmxe_after;	/* ... left behind (must equal before) */
	__u32 pad;
};

struct hvlab_probe {
	__u32 nr_cpus;		/* entries filled in cpu[] */
	__s32 result;		/* 0 if every CPU succeeded, else first error */
	struct hvlab_probe_cpu cpu[HVLAB_MAX_CPUS];
};

/* ------------------------------------------------------------------ */
/* VM ioctls, on a VM fd                                               */
/* ------------------------------------------------------------------ */

#define HVLAB_SET_MEMORY_REGION	_IOW(HVLAB_IOC, 0x10, struct hvlab_memory_region)
/* Creates vCPU number `arg` (0..HVLAB_MAX_VCPUS-1); returns a vCPU fd. */
#define HVLAB_CREATE_VCPU	_IO(HVLAB_IOC, 0x11)

#define HVLAB_MAX_MEMSLOTS	8
#define HVLAB_MAX_VCPUS		8
#define HVLAB_MEM_READONLY	(1u << 0)

/*
 * Maps [guest_phys, guest_phys + size) to userspace memory at
 * userspace_addr.  Page aligned; slots may not overlap; size 0 deletes.
 */
struct hvlab_memory_region {
	__u32 slot;
	__u32 flags;		/* HVLAB_MEM_* */
	__u64 guest_phys;
	__u64 size;
	__u64 userspace_addr;
};

/* ------------------------------------------------------------------ */
/* vCPU ioctls, on a vCPU fd                                           */
/* ------------------------------------------------------------------ */

#define HVLAB_RUN		_IO(HVLAB_IOC, 0x20)
#define HVLAB_GET_REGS		_IOR(HVLAB_IOC, 0x21, struct hvlab_regs)
#define HVLAB_SET_REGS		_IOW(HVLAB_IOC, 0x22, struct hvlab_regs)
#define HVLAB_GET_SREGS		_IOR(HVLAB_IOC, 0x23, struct hvlab_sregs)
#define HVLAB_SET_SREGS		_IOW(HVLAB_IOC, 0x24, struct hvlab_sregs)
#define HVLAB_GET_MSRS		_IOWR(HVLAB_IOC, 0x25, struct hvlab_msrs)
#define HVLAB_SET_MSRS		_IOW(HVLAB_IOC, 0x26, struct hvlab_msrs)
#define HVLAB_INJECT		_IOW(HVLAB_IOC, 0x27, struct hvlab_event)
#define HVLAB_TRANSLATE		_IOWR(HVLAB_IOC, 0x28, struct hvlab_translation)
#define HVLAB_SET_DEBUG		_IOW(HVLAB_IOC, 0x29, struct hvlab_debug)

struct hvlab_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* A segment register with its hidden part (SDM Vol. 3 3.4.3). */
struct hvlab_segment {
	__u64 base;
	__u32 limit;		/* in bytes - 1, already scaled by G */
	__u16 selector;
	__u8  type;		/* 4-bit type field */
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;
	__u8  pad;
};

struct hvlab_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

struct hvlab_sregs {
	struct hvlab_segment cs, ds, es, fs, gs, ss;
	struct hvlab_segment tr, ldt;
	struct hvlab_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
};

#define HVLAB_MAX_MSR_ENTRIES	32
struct hvlab_msr_entry {
	__u32 index;
	__u32 pad;
	__u64 data;
};

/* Only MSRs on the module's allow-list may be read or written. */
struct hvlab_msrs {
	__u32 nmsrs;		/* in: entries to process; <= MAX */
	__u32 pad;
	struct hvlab_msr_entry entries[HVLAB_MAX_MSR_ENTRIES];
};

/*
 * HVLAB_INJECT queues one event (-EINVAL while one is still queued).  The
 * module delivers it at the first VM entry where the guest can take it:
 * an external interrupt needs RFLAGS.IF and no STI/MOV-SS blocking
 * (interrupt-window exiting waits for that), an NMI needs no NMI blocking
 * (virtual NMIs and NMI-window exiting wait for the guest's IRET), an
 * exception goes in at once.  A HLT the queued event can end does not
 * reach userspace: the guest takes the event and resumes after its HLT.
 *
 * HVLAB_EVENT_CLEAR (vector, has_error_code and error_code 0) drops the
 * event, whether still queued or already written for the next VM entry,
 * together with any event the module was delivering again after an exit
 * interrupted its delivery.  An event the CPU refuses (VM entry fails with
 * HVLAB_EXIT_FAIL_ENTRY, VM-instruction error 7: say an error code for a
 * vector that has none, SDM Vol. 3 26.2.1.3) would otherwise fail every
 * later entry the same way.  Modules before this type answer -EINVAL.
 */
#define HVLAB_EVENT_EXTINT	0	/* external interrupt */
#define HVLAB_EVENT_NMI		2
#define HVLAB_EVENT_EXCEPTION	3	/* hardware exception */
#define HVLAB_EVENT_CLEAR	0xff	/* drop the pending event */
struct hvlab_event {
	__u32 type;		/* HVLAB_EVENT_* */
	__u32 vector;
	__u32 has_error_code;
	__u32 error_code;
};

/* HVLAB_SET_DEBUG: single-step the guest with the monitor trap flag. */
#define HVLAB_DEBUG_SINGLESTEP	(1u << 0)
struct hvlab_debug {
	__u32 flags;
	__u32 pad;
};

/* ---- the translation inspector (GVA -> GPA -> HPA) ----------------- */

#define HVLAB_WALK_MAX_STEPS	5

struct hvlab_walk_step {
	__u32 level;		/* 5..1, as the SDM numbers paging levels */
	__u32 pad;
	__u64 table;		/* address of the table (GPA or HPA) */
	__u64 entry;		/* the entry's value */
};

/* hvlab_translation.fault: where the walk stopped. */
#define HVLAB_WALK_OK		0
#define HVLAB_WALK_GUEST_FAULT	1	/* the guest's tables say #PF */
#define HVLAB_WALK_NO_SLOT	2	/* GPA outside every memory slot */
#define HVLAB_WALK_EPT_FAULT	3	/* EPT entry not present */

struct hvlab_translation {
	__u64 gva;		/* in */
	__u64 gpa;		/* out */
	__u64 hpa;		/* out: host frame + offset */
	__u32 fault;		/* out: HVLAB_WALK_* */
	__u32 fault_level;	/* out: level where it stopped */
	__u32 paging_mode;	/* out: 0 off, 2 32-bit, 3 PAE, 4/5 level */
	__u32 shadow;		/* out: 1 if second stage is shadow paging */
	__u32 guest_steps;
	__u32 second_steps;
	struct hvlab_walk_step guest[HVLAB_WALK_MAX_STEPS];
	struct hvlab_walk_step second[HVLAB_WALK_MAX_STEPS];
};

/* ------------------------------------------------------------------ */
/* The run page, mmap-ed at offset 0 of a vCPU fd                      */
/* ------------------------------------------------------------------ */

/* hvlab_run.exit_reason: why HVLAB_RUN returned to userspace. */
#define HVLAB_EXIT_UNKNOWN	0
#define HVLAB_EXIT_IO		1	/* port I/O: emulate, run again */
#define HVLAB_EXIT_MMIO		2	/* access to a GPA outside any slot */
#define HVLAB_EXIT_HLT		3	/* HLT, no queued event it can take */
#define HVLAB_EXIT_SHUTDOWN	4	/* triple fault */
#define HVLAB_EXIT_HYPERCALL	5	/* VMCALL not handled in the module */
#define HVLAB_EXIT_FAIL_ENTRY	6	/* VM entry failed */
#define HVLAB_EXIT_INTERNAL_ERROR 7	/* the module could not continue */
#define HVLAB_EXIT_INTR		8	/* a signal is pending (EINTR) */
#define HVLAB_EXIT_DEBUG	9	/* single step completed */
#define HVLAB_EXIT_CR3		10	/* informational CR3 write (trap-cr3) */
#define HVLAB_EXIT_RING_FULL	11	/* run->ring_wait: read the exit ring */
#define HVLAB_EXIT_IRQ_WINDOW_OPEN 12	/* request_interrupt_window: inject now */
#define HVLAB_EXIT_EXCEPTION	13	/* a guest exception (trap-exceptions) */

#define HVLAB_IO_IN		0
#define HVLAB_IO_OUT		1

/* hvlab_run.internal.suberror */
#define HVLAB_INTERNAL_UNEXPECTED_EXIT	1	/* data[0] = basic reason */
#define HVLAB_INTERNAL_EMULATION	2
#define HVLAB_INTERNAL_VMX_INSTRUCTION	3	/* data[0] = VM-instr error */
/*
 * An MMIO access by an instruction the module does not emulate: data[0] =
 * the GPA, data[1] = instruction bytes 0-7 (byte 0 in bits 7:0), data[2]
 * = bytes 8-14, data[3] = how many bytes could be fetched.
 */
#define HVLAB_INTERNAL_MMIO_DECODE	4
/*
 * An access outside guest RAM while the CPU was delivering an event (the
 * IDT or IVT read, the pushes on the handler's stack): no instruction to
 * emulate, the one at RIP has not run.  data[0] = the GPA, data[1] = the
 * IDT-vectoring information (SDM Vol. 3 25.9.3).  KVM's
 * KVM_INTERNAL_ERROR_DELIVERY_EV.
 */
#define HVLAB_INTERNAL_DELIVERY_EV	5

struct hvlab_run {
	/* in */
	/*
	 * Set when userspace has an interrupt to give but the last exit said
	 * !ready_for_interrupt_injection: HVLAB_RUN returns with
	 * HVLAB_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take one.
	 */
	__u8  request_interrupt_window;
	__u8  immediate_exit;
	/*
	 * Lossless exit ring: when set, the module never overwrites a record
	 * userspace has not read.  Before each VM entry it compares the ring's
	 * head with ring_tail (the head value up to which userspace has read,
	 * stored by userspace after each drain) and, if the next record would
	 * overwrite an unread one, returns HVLAB_EXIT_RING_FULL instead of
	 * entering.  Userspace drains, advances ring_tail, runs again.
	 */
	__u8  ring_wait;
	__u8  pad0[5];
	/* out */
	__u32 exit_reason;		/* HVLAB_EXIT_* */
	__u32 hw_exit_reason;		/* basic VMX exit reason (SDM App. C) */
	__u64 exit_qualification;
	__u64 guest_rip;
	__u8  if_flag;
	__u8  ready_for_interrupt_injection;
	__u8  pad1[6];
	union {
		/* HVLAB_EXIT_IO: data lives at (char *)run + data_offset */
		struct {
			__u8  direction;	/* HVLAB_IO_IN / OUT */
			__u8  size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;		/* > 1 for REP INS/OUTS */
			__u64 data_offset;
		} io;
		/* HVLAB_EXIT_MMIO: reads fill data[] before the next RUN */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
			__u8  pad[3];
		} mmio;
		/* HVLAB_EXIT_HYPERCALL: nr = RAX, args = RBX,RCX,RDX,RSI */
		struct {
			__u64 nr;
			__u64 args[4];
			__u64 ret;		/* written to RAX on resume */
		} hypercall;
		/* HVLAB_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 vm_instruction_error;
			__u32 pad;
			__u64 qualification;
			char  check[64];	/* the failed check, in words */
		} fail_entry;
		/* HVLAB_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[8];
		} internal;
		/* HVLAB_EXIT_CR3 (trap-cr3) */
		struct {
			__u64 old_cr3;
			__u64 new_cr3;
		} cr3;
		/*
		 * HVLAB_EXIT_EXCEPTION (HVLAB_VM_TRAP_EXCEPTIONS): the guest
		 * raised an exception; the module has already queued it for
		 * the guest (as #DF when raised while delivering another,
		 * SDM Vol. 3 6.15): running again delivers it.
		 */
		struct {
			__u8  vector;		/* 0-31 */
			__u8  has_error_code;
			__u8  delivered;	/* the vector the guest gets */
			__u8  pad;
			__u32 error_code;
			__u64 address;		/* #PF: the linear address (CR2) */
		} exception;
		char padding[256];
	};
	/* I/O data area used by HVLAB_EXIT_IO (up to 1 KiB of REP data) */
	__u8 io_data[1024];
	/* in, with ring_wait: records read so far (a value of stats->head) */
	__u64 ring_tail;
	/*
	 * out, HVLAB_VM_BENCH_FLOOR VMs only (0 in every other): host TSC
	 * stamps of the last HVLAB_RUN, for make bench's breakdown of a round
	 * trip to userspace.  vmenter is the last VM entry before the exit
	 * that ended the call; fop_in, locked and fop_out split the system
	 * call around HVLAB_RUN (vcpu.c).
	 */
	struct {
		__u64 ioctl_in;		/* HVLAB_RUN began */
		__u64 vmenter;		/* just before VMLAUNCH/VMRESUME or VMRUN */
		__u64 vmexit;		/* just after the VM exit (#VMEXIT) */
		__u64 ioctl_out;	/* HVLAB_RUN about to return */
		__u64 fop_in;		/* the vCPU file's ioctl entered */
		__u64 locked;		/* its lock taken, the VMCS/VMCB loaded */
		__u64 fop_out;		/* the vCPU file's ioctl about to return */
	} bench;
};

/* ------------------------------------------------------------------ */
/* Per-vCPU statistics, mmap-ed right after the run page               */
/* ------------------------------------------------------------------ */

#define HVLAB_NR_EXIT_REASONS	80	/* basic reasons 0..79 */
#define HVLAB_EXIT_RING_SIZE	256	/* power of two */
#define HVLAB_MSR_REFUSED_SLOTS	16

/*
 * One exit as the module saw it.  `info` and `value` depend on the reason:
 * I/O: info = port | size << 16 | in << 24, value = data;
 * CR access: info = the exit qualification, value = the register value;
 * CPUID: info = leaf, value = subleaf; MSR: info = index, value = data;
 * EPT violation: gpa set, info = qualification bits.
 *
 * On AMD (HVLAB_CAP_SVM) the fields hold the VMCB's words instead: reason
 * is the EXITCODE (AMD APM Vol. 2 Appendix C, e.g. 0x7B IOIO, 0x400 NPF),
 * qualification is EXITINFO1 and gpa is EXITINFO2 (for NPF, the GPA).
 * CPUID: info = leaf, value = subleaf; IOIO: info = EXITINFO1; MSR and
 * VMMCALL: info = index / number; NPF: info = EXITINFO1 bits 31:0.
 * hvlab_stats.by_reason still counts each SVM exit under a VMX reason.
 */
struct hvlab_exit_record {
	__u64 tsc;		/* guest TSC at the exit */
	__u64 rip;		/* guest RIP of the exiting instruction */
	__u64 qualification;
	__u64 gpa;
	__u64 value;
	__u32 reason;		/* basic exit reason */
	__u32 info;
	__u64 cycles;		/* host TSC cycles spent handling */
};

/*
 * Written only by the vCPU's own thread; readers (the dashboard) may read at
 * any time.  A reader copies ring entries older than `head` and then checks
 * `head` again to detect overwrites.
 */
struct hvlab_stats {
	__u64 exits;			/* all exits */
	__u64 exits_to_user;		/* returns of HVLAB_RUN */
	__u64 entries;			/* VM entries */
	__u64 head;			/* records written; ring index = head % size */
	__u64 by_reason[HVLAB_NR_EXIT_REASONS];
	__u64 cr3_writes;		/* MOV to CR3 intercepted */
	__u64 ept_faults;		/* EPT violations that mapped a page */
	/* shadow paging: MOV to CR3 that found / did not find its root kept */
	__u64 shadow_root_hits, shadow_root_misses;
	__u64 shadow_pt_writes;		/* guest writes to its tracked tables */
	/*
	 * TSC cycles from each VMLAUNCH/VMRESUME to its VM exit, summed; only
	 * in a VM created with HVLAB_VM_GUEST_CYCLES (0 in every other)
	 */
	__u64 guest_cycles;
	__u64 reserved[2];
	struct hvlab_exit_record ring[HVLAB_EXIT_RING_SIZE];
	/*
	 * RDMSR/WRMSR of MSRs hvlab does not implement (the guest got #GP):
	 * all of them, and by index the first HVLAB_MSR_REFUSED_SLOTS distinct
	 * indices (index 0 in a slot with no counts: unused).
	 */
	__u64 msr_refused;
	struct hvlab_msr_refused {
		__u32 index;
		__u32 pad;
		__u64 reads, writes;
	} msr_refused_by_index[HVLAB_MSR_REFUSED_SLOTS];
};

#define HVLAB_RUN_PAGES		1
#define HVLAB_STATS_OFFSET	(HVLAB_RUN_PAGES * 4096)

/* ---- hypercalls (VMCALL with RAX = number), see docs/hypercalls.md -- */
#define HVLAB_HC_NOP		0	/* handled in the module, returns 0 */
#define HVLAB_HC_WALK		1	/* RBX = GVA: userspace prints the walk */
#define HVLAB_HC_USER_BASE	0x100	/* numbers >= this go to userspace */

/* Basic VMX exit reasons (SDM Vol. 3 Appendix C), for the ring and stats. */
#define HVLAB_VMX_EXIT_EXCEPTION_NMI	0
#define HVLAB_VMX_EXIT_EXTERNAL_INT	1
#define HVLAB_VMX_EXIT_TRIPLE_FAULT	2
#define HVLAB_VMX_EXIT_INIT		3
#define HVLAB_VMX_EXIT_SIPI		4
#define HVLAB_VMX_EXIT_INTR_WINDOW	7
#define HVLAB_VMX_EXIT_NMI_WINDOW	8
#define HVLAB_VMX_EXIT_TASK_SWITCH	9
#define HVLAB_VMX_EXIT_CPUID		10
#define HVLAB_VMX_EXIT_GETSEC		11
#define HVLAB_VMX_EXIT_HLT		12
#define HVLAB_VMX_EXIT_INVD		13
#define HVLAB_VMX_EXIT_INVLPG		14
#define HVLAB_VMX_EXIT_RDPMC		15
#define HVLAB_VMX_EXIT_RDTSC		16
#define HVLAB_VMX_EXIT_RSM		17
#define HVLAB_VMX_EXIT_VMCALL		18
#define HVLAB_VMX_EXIT_VMCLEAR		19
#define HVLAB_VMX_EXIT_VMLAUNCH		20
#define HVLAB_VMX_EXIT_VMPTRLD		21
#define HVLAB_VMX_EXIT_VMPTRST		22
#define HVLAB_VMX_EXIT_VMREAD		23
#define HVLAB_VMX_EXIT_VMRESUME		24
#define HVLAB_VMX_EXIT_VMWRITE		25
#define HVLAB_VMX_EXIT_VMXOFF		26
#define HVLAB_VMX_EXIT_VMXON		27
#define HVLAB_VMX_EXIT_CR_ACCESS	28
#define HVLAB_VMX_EXIT_DR_ACCESS	29
#define HVLAB_VMX_EXIT_IO		30
#define HVLAB_VMX_EXIT_RDMSR		31
#define HVLAB_VMX_EXIT_WRMSR		32
#define HVLAB_VMX_EXIT_INVALID_STATE	33
#define HVLAB_VMX_EXIT_MSR_LOAD_FAIL	34
#define HVLAB_VMX_EXIT_MWAIT		36
#define HVLAB_VMX_EXIT_MTF		37
#define HVLAB_VMX_EXIT_MONITOR		39
#define HVLAB_VMX_EXIT_PAUSE		40
#define HVLAB_VMX_EXIT_MCE_DURING_ENTRY	41
#define HVLAB_VMX_EXIT_TPR_BELOW	43
#define HVLAB_VMX_EXIT_APIC_ACCESS	44
#define HVLAB_VMX_EXIT_EOI_INDUCED	45
#define HVLAB_VMX_EXIT_GDTR_IDTR	46
#define HVLAB_VMX_EXIT_LDTR_TR		47
#define HVLAB_VMX_EXIT_EPT_VIOLATION	48
#define HVLAB_VMX_EXIT_EPT_MISCONFIG	49
#define HVLAB_VMX_EXIT_INVEPT		50
#define HVLAB_VMX_EXIT_RDTSCP		51
#define HVLAB_VMX_EXIT_PREEMPTION_TIMER	52
#define HVLAB_VMX_EXIT_INVVPID		53
#define HVLAB_VMX_EXIT_WBINVD		54
#define HVLAB_VMX_EXIT_XSETBV		55
#define HVLAB_VMX_EXIT_APIC_WRITE	56
#define HVLAB_VMX_EXIT_RDRAND		57
#define HVLAB_VMX_EXIT_INVPCID		58
#define HVLAB_VMX_EXIT_VMFUNC		59
#define HVLAB_VMX_EXIT_ENCLS		60
#define HVLAB_VMX_EXIT_RDSEED		61
#define HVLAB_VMX_EXIT_PML_FULL		62
#define HVLAB_VMX_EXIT_XSAVES		63
#define HVLAB_VMX_EXIT_XRSTORS		64

#endif /* _UAPI_HVLAB_H */
