/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm.h - the VM and vCPU objects the rest of the module works on.
 *
 * Ownership: a VM lives while its fd or any of its vCPU fds is open (kref);
 * each vCPU fd holds a reference on its VM.  The VM holds a reference on
 * VMX or SVM (hv_virt_get, hwvirt.c) for its whole life, so it is on
 * exactly while some VM exists.  A VM belongs to the process (mm) that created it: memory
 * slots are that process's memory, and only that mm may run its vCPUs.
 *
 * Locks: vm->lock (mutex) guards slots and the vCPU table; vm->mmu_lock
 * (mutex) guards the EPT tables and pinned pages; vcpu->mutex serializes the vCPU's
 * ioctls, so one thread at a time runs a vCPU.
 */
#ifndef HVLAB_VM_H
#define HVLAB_VM_H

#include <linux/bitmap.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/spinlock.h>
#include <asm/msr.h>
#include <uapi/hvlab.h>

#include "host_state.h"
#include "pure_insn.h"
#include "pure_shadow.h"

struct hv_memslot {
	u64 gpa;		/* guest-physical base, page aligned */
	u64 npages;		/* 0: slot unused */
	unsigned long uaddr;	/* userspace address in vm->mm */
	u32 flags;		/* HVLAB_MEM_* */
	struct page **pages;	/* pinned pages, NULL until faulted in */
};

struct hv_vm {
	struct kref ref;
	struct mutex lock;		/* slots, vcpus[] */
	struct mutex mmu_lock;		/* EPT tables, pinned pages */
	struct mm_struct *mm;		/* owner; mmgrab-ed */
	u32 flags;			/* HVLAB_VM_* */
	struct hv_memslot slots[HVLAB_MAX_MEMSLOTS];
	struct hv_vcpu *vcpus[HVLAB_MAX_VCPUS];
	int nr_vcpus;			/* written under lock, read anywhere */
	u64 *ept_root;			/* EPT PML4 (one page) */
	u64 eptp;
	atomic_t pin_error;		/* -ENOMEM once a pin passed RLIMIT_MEMLOCK */
	atomic_t flush_failed;		/* hv_ept_zap_all: CPUs whose flush failed */
	bool had_vcpus;			/* translations may exist: see vm.c */
	unsigned long *io_bitmap;	/* 2 pages, all ones: every port exits */
	unsigned long *msr_bitmap;	/* 1 page, all ones: every MSR exits */
};

#define HV_SH_WGVA_MANY 1	/* not a page address: mapped at several */
#define HV_SH_PENDING 4		/* written table pages looked at later */
#define HV_SH_POOL 8		/* shadow table pages kept ready per vCPU */
#define HV_SH_PREFETCH 16	/* pages a read fill looks at, 0: none (memory.md) */

/* Guest GPRs in the hardware's numbering (SDM Vol. 2, table 2-2). */
enum hv_reg {
	HV_RAX, HV_RCX, HV_RDX, HV_RBX, HV_RSP, HV_RBP, HV_RSI, HV_RDI,
	HV_R8, HV_R9, HV_R10, HV_R11, HV_R12, HV_R13, HV_R14, HV_R15,
	HV_NR_GPRS
};

/* What the next HVLAB_RUN must finish before entering the guest. */
enum hv_pending {
	HV_PENDING_NONE,
	HV_PENDING_PIO_IN,	/* copy run->io data into RAX, skip insn */
	HV_PENDING_PIO_OUT,	/* skip insn */
	HV_PENDING_MMIO_READ,	/* merge run->mmio.data into a register */
	HV_PENDING_MMIO_WRITE,	/* skip insn */
	HV_PENDING_MMIO_RMW,	/* OR/AND/XCHG read done: now the write */
	HV_PENDING_MMIO_MOVS_IN,	/* MOVS from a device: data to rDI */
	HV_PENDING_MMIO_MOVS_OUT,	/* MOVS to a device: advance */
	HV_PENDING_HYPERCALL,	/* RAX = run->hypercall.ret, skip insn */
};

struct hv_vcpu;

/*
 * A vCPU's paging backend, chosen once when vcpu.c creates the vCPU:
 * hv_ept_paging (ept.c) or hv_shadow_paging (shadow.c, which brings real
 * mode in vm86, rmode.c, with it: without EPT there is no unrestricted
 * guest).  Everything the two do differently on the exit path and in the
 * ioctls goes through this table, so code common to both (exit.c, cr.c,
 * run.c, exit_io.c, msr.c, vmcs.c, walk.c) never names a function of
 * shadow.c or rmode.c, and an EPT vCPU never enters them
 * (tests/native/paging_split.sh checks the module's objects for it).
 * A NULL hook: that backend has nothing to do there.  The rm_* hooks run
 * only while vcpu->rmode, which only real_mode sets.
 */
struct hv_paging_ops {
	int (*init)(struct hv_vcpu *vcpu);
	void (*free)(struct hv_vcpu *vcpu);
	/* CR0/CR4 changed, or new sregs: how addresses translate (cr.c) */
	int (*reload)(struct hv_vcpu *vcpu);
	/* EFER.NXE changed (msr.c) */
	int (*nx_changed)(struct hv_vcpu *vcpu);
	/* an emulated MOV to CR3, PCID hint stripped: 0 or an errno */
	int (*set_cr3)(struct hv_vcpu *vcpu, u64 cr3);
	/* may the fast path do this MOV to CR3 (no sleeping, no allocation) */
	bool (*cr3_cached)(struct hv_vcpu *vcpu, u64 cr3);
	/* an intercepted #PF: the exit handler's contract (exit.c) */
	int (*page_fault)(struct hv_vcpu *vcpu, u64 gva, u32 error_code);
	/* the exit fast path's #PF (run.c, svm.c): true if handled */
	bool (*fast_pf)(struct hv_vcpu *vcpu);
	void (*invlpg)(struct hv_vcpu *vcpu, u64 gva);
	/* the module wrote guest RAM (string IN, an MMIO MOVS) */
	void (*guest_written)(struct hv_vcpu *vcpu, u64 gpa, u64 len);
	/* HVLAB_TRANSLATE's second stage; NULL: the EPT walk (walk.c) */
	int (*translate)(struct hv_vcpu *vcpu, u64 gva,
			 struct hvlab_translation *t);
	/* guest CR0.PE changed: real mode on or off */
	void (*real_mode)(struct hv_vcpu *vcpu, bool on);
	const char *(*rm_unfit)(struct hv_vcpu *vcpu);
	void (*rm_interrupt)(struct hv_vcpu *vcpu, u8 vector,
			     unsigned int ip_advance);
	int (*rm_exception)(struct hv_vcpu *vcpu, u32 info);
	unsigned long (*rm_guest_rflags)(struct hv_vcpu *vcpu,
					 unsigned long real);
	unsigned long (*rm_real_rflags)(struct hv_vcpu *vcpu,
					unsigned long val);
};

/*
 * What the paging backends need of the vendor (hv_x86_ops.paging_hw):
 * the few places where shadow paging (shadow.c) and the guest-view
 * helpers (walk.c) touch the VMCS or the VMCB.  VMX's are in cr.c
 * (hv_vmx_paging_hw), SVM's in svm.c.  Nothing here names shadow code.
 */
#define HV_FLUSH_ALL	(~0ull)
/* Where the instruction at RIP is, for mmio.c (hv_ops->insn_view). */
struct hv_insn_view {
	u64 rip_linear;			/* CS.base + RIP */
	int mode;			/* 16, 32 or 64 (insn_mode) */
	const u8 *bytes;		/* what the CPU fetched, or NULL */
	unsigned int nbytes;
};

struct hv_paging_hw {
	/* CR0, CR3, CR4 and EFER as the guest believes them to be */
	void (*guest_regs)(struct hv_vcpu *vcpu, struct hvlab_gwalk_ctx *ctx);
	/* the CPU's CR3 is now hpa (a shadow root); the vCPU's TLB flushed */
	void (*set_root)(struct hv_vcpu *vcpu, u64 hpa);
	/* drop the vCPU's translations of gva, or all (HV_FLUSH_ALL) */
	void (*flush)(struct hv_vcpu *vcpu, u64 gva);
	unsigned int (*cpl)(struct hv_vcpu *vcpu);
	unsigned long (*rflags)(struct hv_vcpu *vcpu);
	/*
	 * The event the exit interrupted, in the VMX IDT-vectoring format
	 * (SDM 25.9.3), which SVM's EXITINTINFO shares (APM 15.7.2); and
	 * forgetting it instead of delivering it again.
	 */
	u32 (*vectoring)(struct hv_vcpu *vcpu);
	void (*cancel_event)(struct hv_vcpu *vcpu);
	/* an exception for the guest; a #PF takes vcpu->cr2 with it */
	void (*inject)(struct hv_vcpu *vcpu, u8 vector, bool has_err, u32 err);
	/*
	 * For the exit fast path's #PF (fast_pf): true if the exit is a
	 * plain #PF met while delivering no other event, with its linear
	 * address and error code.
	 */
	bool (*fast_pf_exit)(struct hv_vcpu *vcpu, u64 *gva, u32 *error_code);
	/* gpa is no RAM: decode the access for userspace (exit contract) */
	int (*mmio_exit)(struct hv_vcpu *vcpu, u64 gpa, bool write);
};

struct hv_vcpu {
	struct hv_vm *vm;
	u32 id;
	const struct hv_paging_ops *paging;	/* EPT or shadow: see above */
	u16 vpid;
	struct mutex mutex;		/* one ioctl at a time */

	/* Guest registers the CPU does not keep in the VMCS. */
	unsigned long gpr[HV_NR_GPRS];	/* [HV_RSP] unused: GUEST_RSP */
	unsigned long cr2;
	u64 xcr0;
	void *fpu;			/* FXSAVE area (512 bytes, 16-aligned) */

	/* The VMCS and where it is loaded. */
	void *vmcs;
	int cpu;			/* CPU whose VMCS cache holds it, or -1 */
	bool launched;			/* VMLAUNCH done since the last VMCLEAR */
	bool load_failed;		/* VMPTRLD/INVEPT failed: the vCPU is dead */
	struct list_head loaded_link;	/* on that CPU's list of loaded VMCSs */
	struct preempt_notifier pn;
	unsigned long host_cr3, host_cr4;	/* cached HOST_CR3/CR4 */
	struct hv_host_state host;	/* VMX: saved for a stay (run.c) */

	/* Shared with userspace through mmap. */
	struct hvlab_run *run;		/* page 0 */
	struct hvlab_stats *stats;	/* following pages */

	/* State between exits. */
	enum hv_pending pending;
	u8 pending_len;			/* instruction length to skip */
	struct insn_mmio mmio;		/* decoded MMIO instruction */
	u64 mmio_gpa;
	int mmio_mode;			/* and its mode: 16, 32 or 64 */
	unsigned long fast_cr3;		/* HV_FAST_CR3: the value written */
	u8 io_size;			/* port I/O element size */
	u32 io_count;			/* string I/O: elements in io_data */
	u64 io_gpa;			/* string INS: where the data goes */
	bool event_pending;		/* HVLAB_INJECT waiting for a window */
	bool vnmi;			/* virtual NMIs and NMI-window exiting */
	/*
	 * SVM's NMI blocking (svm.c, inject_nmi): the CPU keeps none for an
	 * NMI injected through EVENTINJ, so the module does.
	 */
	bool nmi_masked;		/* an injected NMI's handler runs */
	bool nmi_iret;			/* its IRET intercepted, at ... */
	u64 nmi_iret_rip;		/* ... this RIP, not yet past it */
	struct hvlab_event event;
	bool singlestep;

	/*
	 * MSRs VMX does not switch (msr.c): the SYSCALL MSRs are in hardware
	 * from hv_user_msrs_load() until this CPU returns to user mode, and
	 * KERNEL_GS_BASE only while guest_msrs_loaded.
	 */
	u64 msr_star, msr_lstar, msr_cstar, msr_fmask, msr_kernel_gs_base;
	bool guest_msrs_loaded;		/* msr.c: hv_guest_msrs_load/put */
	u64 msr_apic_base, msr_misc_enable, msr_mtrr_def_type;
	unsigned long dr[4], dr6;	/* debug registers, emulated */
	u8 cr8;				/* task priority (CR8), emulated */
	bool trap_cr3;
	struct hvlab_exit_record *rec;	/* the exit being handled */

	/* Shadow paging (shadow.c): the guest's view and hvlab's tables. */
	bool shadow;
	bool bench_floor;		/* HVLAB_VM_BENCH_FLOOR: make bench only (run.c) */
	bool guest_cycles;		/* HVLAB_VM_GUEST_CYCLES: stats->guest_cycles */
	u64 guest_cr3, guest_efer;	/* what the guest wrote */
	/* SVM has no read shadows: CR0 and CR4 as the guest wrote them */
	unsigned long guest_cr0, guest_cr4;
	u64 sh_root;			/* HPA of the loaded shadow root, 0: none */
	unsigned int sh_levels;		/* 3 (PAE format) or 4 */
	int sh_cur;			/* its slot in sh_cache, -1: none */
	int sh_next;			/* slot the fast path found, -1: none */
	struct hvlab_sroot_cache *sh_cache;	/* which roots are kept */
	struct hv_sroot {		/* per slot of sh_cache */
		struct list_head pages;	/* every table page of the root */
		u64 root;		/* HPA of the root page, 0: none */
		unsigned int levels;
	} sh_slot[HVLAB_SROOT_SLOTS];
	/*
	 * Per guest page: where a writable shadow leaf may map it (0: nowhere,
	 * a GVA, or HV_SH_WGVA_MANY), sh_wgva_n pages (shadow.c, wmap_set)
	 */
	u64 *sh_wgva;
	u64 sh_wgva_n;
	/* guest writes to tracked tables, looked at later (shadow.c) */
	struct hv_sh_write {
		u64 gfn, hpa;		/* the table page */
		u64 gva;		/* made writable there, in the loaded root */
		unsigned int snap;	/* sh_snap[] holding its old contents */
	} sh_pend[HV_SH_PENDING];
	unsigned int sh_npend;
	void *sh_snap[HV_SH_PENDING];	/* each page before the first write */
	bool sh_flush;			/* loaded root lost entries: INVVPID */
	bool sh_fast;			/* in the #PF fast path: never sleep */
	u64 sh_fast_gpa, sh_fast_gva;	/* its fill, for the exit record */
	u64 sh_fast_tsc;		/* when it began */
	unsigned int sh_npool;		/* zeroed table pages ready for fills */
	struct page *sh_pool[HV_SH_POOL];
	/*
	 * The last 4 KiB fill's guest walk and shadow leaf table: a fault
	 * under the same guest and shadow leaf tables reads only its leaf
	 * (shadow.c, fill_near).  Forgotten at every INVLPG, root switch,
	 * reset and change of the shadow tables other than a fill.
	 */
	struct hv_sh_last {
		bool ok;
		u64 root;			/* the loaded root it belongs to */
		u64 spt;			/* HPA of the shadow leaf table */
		struct hvlab_pmem gmem;		/* ctx.mem */
		struct hvlab_gwalk_ctx ctx;
		struct hvlab_gwalk walk;
	} sh_last;

	/* Real mode under shadow paging, run in vm86 mode (rmode.c). */
	bool rmode;			/* guest CR0.PE = 0: RFLAGS.VM is set */
	const char *rm_unfit;		/* why it cannot run on, or NULL */
	unsigned long rm_iopl;		/* the guest's RFLAGS.IOPL */
	struct {			/* the guest's TR, while ours is in */
		u16 sel;
		u64 base;
		u32 limit, ar;
	} rm_tr;
	struct page *rm_tss;		/* RM_TSS_PAGES pages: TSS + bitmaps */
};

/*
 * Exceptions every vCPU intercepts, in every mode (exit.c): #DB and #AC
 * (CVE-2015-8104, CVE-2015-5307) and #MC, which belongs to the host.
 */
#define HV_EXC_ALWAYS	(BIT(1) | BIT(17) | BIT(18))

/*
 * The exception bitmap outside vm86 mode: shadow paging must see every #PF
 * (it fills its tables on them); HVLAB_VM_TRAP_EXCEPTIONS shows every
 * exception, 0-31, before it goes back to the guest (exit.c).
 */
static inline u32 hv_exception_bitmap(const struct hv_vcpu *vcpu)
{
	if (vcpu->vm->flags & HVLAB_VM_TRAP_EXCEPTIONS)
		return ~0u;
	return HV_EXC_ALWAYS | (vcpu->shadow ? BIT(14) : 0);
}

/* Where vm86 mode finds hvlab's TSS: above what vm86 code can address. */
#define HV_RM_TSS_LA	0xffc00000ul

/* ept.c */
int hv_ept_init(struct hv_vm *vm);
void hv_ept_destroy(struct hv_vm *vm);
int hv_ept_zap_all(struct hv_vm *vm);
int hv_ept_flush_local(struct hv_vm *vm);
/* 1: mapped, resume; 0: not guest RAM (MMIO); -errno: failure */
int hv_ept_fault(struct hv_vcpu *vcpu, u64 gpa, bool write);
int hv_read_guest(struct hv_vm *vm, u64 gpa, void *buf, unsigned int len);
int hv_write_guest(struct hv_vm *vm, u64 gpa, const void *buf, unsigned int len);
void hv_unpin_slot(struct hv_vm *vm, struct hv_memslot *slot);
int hv_gpa_to_hpa(struct hv_vm *vm, u64 gpa, u64 *hpa, bool *ro);
int hv_gpa_to_hpa_pinned(struct hv_vm *vm, u64 gpa, u64 *hpa, bool *ro);
int hv_cmpxchg_guest(struct hv_vm *vm, u64 gpa, unsigned int size, u64 old,
		     u64 new);

/*
 * The paging backends: EPT (ept.c, with cr.c's hv_ept_set_cr3) and shadow
 * paging (shadow.c, with real mode in vm86, rmode.c; shadow.h holds their
 * own interface).  vcpu.c picks one when it creates the vCPU.
 */
extern const struct hv_paging_ops hv_ept_paging;
extern const struct hv_paging_ops hv_shadow_paging;

/*
 * Lossless recording (run->ring_wait, see the uapi): the next exit would
 * overwrite a record userspace has not read.  ring_tail comes from
 * userspace and is only compared: a wrong value costs that process exits
 * to userspace, nothing else.
 */
static inline bool hv_ring_full(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;

	return READ_ONCE(run->ring_wait) &&
	       vcpu->stats->head - READ_ONCE(run->ring_tail) >=
	       HVLAB_EXIT_RING_SIZE;
}

/* mmio.c: an access to no RAM, for either backend (exit contract) */
int hv_mmio_exit(struct hv_vcpu *vcpu, u64 gpa, bool write);
unsigned int hv_fetch_insn(struct hv_vcpu *vcpu, u8 *buf, int *mode);
int hv_mmio_complete(struct hv_vcpu *vcpu, unsigned int pending);

/* make bench's breakdown of a round trip: a TSC stamp in the run page */
static __always_inline void hv_bench_stamp(struct hv_vcpu *vcpu, __u64 *where)
{
	if (unlikely(vcpu->bench_floor))
		*where = rdtsc();
}

/* vm.c */
void hv_vm_put(struct hv_vm *vm);

/* vcpu.c */
int hv_vcpu_create(struct hv_vm *vm, u32 id);
void hv_vcpu_free(struct hv_vcpu *vcpu);

/* run.c: HVLAB_RUN, and HVLAB_INJECT's HVLAB_EVENT_CLEAR */
int hv_vcpu_run(struct hv_vcpu *vcpu);
int hv_clear_event(struct hv_vcpu *vcpu, const struct hvlab_event *e);

/* walk.c: guest page tables, the translation inspector */
struct hvlab_gwalk_ctx;
struct hvlab_pmem;
void hv_guest_paging(struct hv_vcpu *vcpu, struct hvlab_pmem *mem,
		     struct hvlab_gwalk_ctx *ctx);
int hv_gva_to_gpa(struct hv_vcpu *vcpu, u64 gva, u64 *gpa);	/* linear */
unsigned int hv_read_linear(struct hv_vcpu *vcpu, u64 lin, void *buf,
			    unsigned int len);
int hv_translate(struct hv_vcpu *vcpu, void __user *uarg);
int hv_read_own_table(void *opaque, __u64 pa, unsigned int size, __u64 *val);

/* vmcs.c */
int hv_vmcs_setup(struct hv_vcpu *vcpu);
void hv_vmcs_set_host_percpu(struct hv_vcpu *vcpu, int cpu);
void hv_vmcs_get_regs(struct hv_vcpu *vcpu, struct hvlab_regs *r);
void hv_vmcs_set_regs(struct hv_vcpu *vcpu, const struct hvlab_regs *r);
void hv_vmcs_get_sregs(struct hv_vcpu *vcpu, struct hvlab_sregs *s);
int hv_vmcs_set_sregs(struct hv_vcpu *vcpu, const struct hvlab_sregs *s);

/* cr.c: the control registers, EFER's paging bits, the CR-access exit */
void hv_cr_setup_masks(struct hv_vcpu *vcpu);
void hv_vmcs_set_cr0(struct hv_vcpu *vcpu, unsigned long val);
void hv_vmcs_set_cr4(struct hv_vcpu *vcpu, unsigned long val);
void hv_vmcs_set_efer(struct hv_vcpu *vcpu, u64 efer);
unsigned long hv_guest_cr0(struct hv_vcpu *vcpu);	/* as the guest sees them */
unsigned long hv_guest_cr4(struct hv_vcpu *vcpu);
u64 hv_guest_cr3(struct hv_vcpu *vcpu);
u64 hv_guest_efer(struct hv_vcpu *vcpu);
int hv_vmcs_load_pdptrs(struct hv_vcpu *vcpu);
int hv_ept_set_cr3(struct hv_vcpu *vcpu, u64 val);
int hv_set_cr(struct hv_vcpu *vcpu, int cr, unsigned long val);
int hv_handle_cr(struct hv_vcpu *vcpu);
extern const struct hv_paging_hw hv_vmx_paging_hw;
/* its entries, named for INDIRECT_CALL_1 (shadow.c, walk.c) */
void hv_vmx_guest_regs(struct hv_vcpu *vcpu, struct hvlab_gwalk_ctx *ctx);
void hv_vmx_set_root(struct hv_vcpu *vcpu, u64 hpa);
void hv_vmx_flush(struct hv_vcpu *vcpu, u64 gva);
unsigned int hv_vmx_cpl(struct hv_vcpu *vcpu);
unsigned long hv_vmx_rflags(struct hv_vcpu *vcpu);
bool hv_vmx_fast_pf_exit(struct hv_vcpu *vcpu, u64 *gva, u32 *error_code);
/* the checks and the CR3 path both vendors share: 0 valid, -1 #GP */
int hv_cr0_check(unsigned long val, unsigned long cr4, u64 efer);
int hv_cr4_check(unsigned long val, bool long_mode);
void hv_cr3_note(struct hv_vcpu *vcpu, unsigned long val, u64 old);
int hv_cr3_write(struct hv_vcpu *vcpu, unsigned long val, u64 old,
		 bool long_mode);

/* exit_io.c: port I/O and EPT exits; what mmio.c needs of the VMCS */
int hv_handle_io(struct hv_vcpu *vcpu);
void hv_vmx_insn_view(struct hv_vcpu *vcpu, struct hv_insn_view *iv);
u64 hv_vmx_seg_base(struct hv_vcpu *vcpu, int seg);
void hv_vmx_set_rflags(struct hv_vcpu *vcpu, unsigned long rflags);
int hv_handle_ept_violation(struct hv_vcpu *vcpu);
int hv_handle_ept_misconfig(struct hv_vcpu *vcpu);

/* exit.c: 1 = resume the guest, 0 = return to userspace, <0 = error */
int hv_handle_exit(struct hv_vcpu *vcpu, u32 reason);
/* How the fast path (run.c) may handle an exit. */
enum hv_fast {
	HV_FAST_NO,		/* it may not: the slow path handles it */
	HV_FAST_TABLE,		/* through the exit-handler table */
	HV_FAST_CR3,		/* hv_fastpath_cr3: to a kept shadow root */
	HV_FAST_PF,		/* hv_shadow_fast_pf: a shadow fill, done */
};
enum hv_fast hv_cr_exit_is_fast(struct hv_vcpu *vcpu);	/* cr.c */
int hv_fastpath_cr3(struct hv_vcpu *vcpu);			/* cr.c */
void hv_skip_instruction(struct hv_vcpu *vcpu, unsigned int len);
/* a general-purpose register by its number (table 2-2); RSP is the VMCS's */
unsigned long hv_get_gpr(struct hv_vcpu *vcpu, int n);
void hv_set_gpr(struct hv_vcpu *vcpu, int n, unsigned long v);
void hv_inject_exception(struct hv_vcpu *vcpu, u8 vector, bool has_err,
			 u32 err);
int hv_emulate_rdmsr(struct hv_vcpu *vcpu, unsigned int len);
int hv_emulate_wrmsr(struct hv_vcpu *vcpu, unsigned int len);

/* msr.c: the MSR allow-list, and the MSRs VMX does not switch */
void hv_user_msrs_load(struct hv_vcpu *vcpu);	/* SYSCALL MSRs, lazily */
void hv_user_msrs_put(void);
void hv_guest_msrs_load(struct hv_vcpu *vcpu, u64 *host);	/* KERNEL_GS_BASE */
void hv_guest_msrs_put(struct hv_vcpu *vcpu, u64 host);
int hv_msr_get(struct hv_vcpu *vcpu, u32 index, u64 *val);
int hv_msr_set(struct hv_vcpu *vcpu, u32 index, u64 val);
u64 hv_vmx_msr_read(struct hv_vcpu *vcpu, u32 index);
int hv_vmx_msr_write(struct hv_vcpu *vcpu, u32 index, u64 val);
long hv_msrs_ioctl(struct hv_vcpu *vcpu, void __user *uarg, bool set);

/* vmenter.S: 0 = VM exit, 1 = VMLAUNCH/VMRESUME failed */
int hv_vmenter(unsigned long *gprs, int launched);
extern const char hv_vmexit[];

#endif
