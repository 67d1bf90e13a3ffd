// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu.c - the vCPU object: its creation and release, its file descriptor
 * (ioctls and the mmap-ed run and statistics pages), and where its VMCS
 * lives.  HVLAB_RUN itself is run.c; the host state switched around a
 * guest's stay is host_state.c.
 *
 * Where the VMCS lives.  A VMCS is "active" on one CPU at a time: the CPU
 * may cache it, so before another CPU can VMPTRLD it, the old CPU must
 * VMCLEAR it (SDM Vol. 3 25.11.1).  vcpu->cpu names that CPU (or -1).
 * vcpu_load() runs whenever the vCPU's thread starts running on a CPU --
 * at each ioctl and, through a preempt notifier, after every reschedule
 * -- and moves the VMCS if the CPU changed (VMCLEAR on the old CPU by
 * IPI, VMPTRLD here, refresh the per-CPU host state).  A VMCLEAR resets
 * the launch state, so the next entry is a VMLAUNCH, not a VMRESUME.
 * Each CPU keeps a list of the VMCSs active on it, cleared before VMXOFF.
 *
 * The vCPU file.  Every ioctl runs under vcpu->mutex with the VMCS loaded
 * (vcpu_get/vcpu_put), and only the process that created the VM may use
 * it: the guest's memory is that process's.  Another process holding the
 * fd may map the run page read-only, to watch.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fsgsbase.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>

#include "compat.h"
#include "hvlab.h"
#include "host_state.h"
#include "pure_caps.h"
#include "vm.h"
#include "vmcs.h"

static DEFINE_PER_CPU(struct list_head, loaded_vcpus);
static DEFINE_PER_CPU(void *, current_vmcs);
static DEFINE_IDA(vpid_ida);

/* VMCLEAR on the CPU the VMCS is active on; runs there, IRQs off. */
static void vmclear_local(void *arg)
{
	struct hv_vcpu *vcpu = arg;

	if (vcpu->cpu != smp_processor_id())
		return;
	hv_vmclear(__pa(vcpu->vmcs));
	list_del(&vcpu->loaded_link);
	if (this_cpu_read(current_vmcs) == vcpu->vmcs)
		this_cpu_write(current_vmcs, NULL);
	vcpu->cpu = -1;
	vcpu->launched = false;
}

static void vmclear_anywhere(struct hv_vcpu *vcpu)
{
	int cpu = vcpu->cpu;

	if (cpu >= 0)
		smp_call_function_single(cpu, vmclear_local, vcpu, 1);
}

/* Before VMXOFF on this CPU (hotplug): flush every VMCS active here. */
void hv_vcpu_clear_all_on_cpu(void)
{
	struct list_head *list = this_cpu_ptr(&loaded_vcpus);
	struct hv_vcpu *vcpu, *tmp;

	if (!list->next)
		return;
	list_for_each_entry_safe(vcpu, tmp, list, loaded_link)
		vmclear_local(vcpu);
}

/*
 * Drop what this CPU may cache for the vCPU: single-context first, the
 * all-context form when that fails (or is not supported).  False when
 * neither worked: the guest must not run on stale translations.
 */
static bool flush_guest_tlb(struct hv_vcpu *vcpu)
{
	bool ok = !hv_ept_flush_local(vcpu->vm);

	if (vcpu->vpid && hv_invvpid(HV_INVVPID_SINGLE, vcpu->vpid, 0) &&
	    hv_invvpid(HV_INVVPID_ALL, 0, 0))
		ok = false;
	return ok;
}

/*
 * Make the VMCS current on this CPU.  Preemption is disabled.  A VMPTRLD
 * or TLB flush that fails sets vcpu->load_failed, which stops the ioctl
 * and the run loop with -EIO (no VMCS may be used half loaded).
 */
static void vmx_vcpu_load(struct hv_vcpu *vcpu, bool ioctl)
{
	int cpu = smp_processor_id();
	unsigned long flags;
	u64 fs_base;

	if (vcpu->cpu != cpu) {
		vmclear_anywhere(vcpu);
		local_irq_save(flags);
		list_add(&vcpu->loaded_link, this_cpu_ptr(&loaded_vcpus));
		vcpu->cpu = cpu;
		local_irq_restore(flags);
		/*
		 * Another VMCS was (or may have been) current here: a guest
		 * must not steer this one's indirect branches (Spectre v2),
		 * so IBPB where the host uses it, as KVM does on a VMCS switch.
		 */
		indirect_branch_prediction_barrier();
		if (hv_vmptrld(__pa(vcpu->vmcs))) {
			vcpu->load_failed = true;
			return;
		}
		this_cpu_write(current_vmcs, vcpu->vmcs);
		hv_vmcs_set_host_percpu(vcpu, cpu);
		/* the guest's TLB entries on the new CPU may be stale */
		if (!flush_guest_tlb(vcpu))
			vcpu->load_failed = true;
	} else if (this_cpu_read(current_vmcs) != vcpu->vmcs) {
		indirect_branch_prediction_barrier();	/* see above */
		if (hv_vmptrld(__pa(vcpu->vmcs))) {
			vcpu->load_failed = true;
			return;
		}
		this_cpu_write(current_vmcs, vcpu->vmcs);
	}
	/*
	 * At an ioctl: VM exit loads FS.base from the VMCS, and Linux does
	 * not reload it on the way back to userspace: it must be this
	 * thread's TLS base, which differs between the threads that run a
	 * VM's vCPUs.
	 */
	if (ioctl && !vcpu->load_failed) {
		fs_base = x86_fsbase_read_cpu();	/* RDFSBASE where it can */
		vmcs_writel(HOST_FS_BASE, fs_base);
	}
}

static void vcpu_sched_in(struct preempt_notifier *pn, int cpu)
{
	hv_ops->vcpu_load(container_of(pn, struct hv_vcpu, pn), false);
}

static void vcpu_sched_out(struct preempt_notifier *pn,
			   struct task_struct *next)
{
	/* lazy: the VMCS stays active here until it is needed elsewhere */
}

static struct preempt_ops vcpu_preempt_ops = {
	.sched_in = vcpu_sched_in,
	.sched_out = vcpu_sched_out,
};

/*
 * Bracket every vCPU ioctl: the VMCS follows the thread while it runs.
 * The backend is fixed once the module is in, so on the way to each
 * HVLAB_RUN its calls compare and branch directly (INDIRECT_CALL_1)
 * instead of going through a retpoline where the kernel uses them.
 */
static void vcpu_get(struct hv_vcpu *vcpu)
{
	preempt_disable();
	preempt_notifier_register(&vcpu->pn);
	INDIRECT_CALL_1(hv_ops->vcpu_load, vmx_vcpu_load, vcpu, true);
	preempt_enable();
}

static void vcpu_put(struct hv_vcpu *vcpu)
{
	preempt_disable();
	preempt_notifier_unregister(&vcpu->pn);
	preempt_enable();
}

/* ---- the vCPU file ------------------------------------------------ */

/* HVLAB_GET/SET_MSRS, for both backends' vcpu_ioctl */
long hv_msrs_ioctl(struct hv_vcpu *vcpu, void __user *uarg, bool set)
{
	struct hvlab_msrs *m;
	long ret;
	u32 i;

	m = memdup_user(uarg, sizeof(*m));
	if (IS_ERR(m))
		return PTR_ERR(m);
	ret = -EINVAL;
	if (m->nmsrs > HVLAB_MAX_MSR_ENTRIES)
		goto out;
	for (i = 0; i < m->nmsrs; i++) {
		struct hvlab_msr_entry *e = &m->entries[i];

		if (set ? hv_msr_set(vcpu, e->index, e->data) :
			  hv_msr_get(vcpu, e->index, &e->data))
			break;
	}
	ret = i;	/* entries processed, as KVM_GET/SET_MSRS */
	if (!set && copy_to_user(uarg, m, sizeof(*m)))
		ret = -EFAULT;
out:
	kfree(m);
	return ret;
}

/* The ioctls only the VMX backend implements (hv_vmx_ops.vcpu_ioctl). */
static long vmx_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int cmd,
			   void __user *uarg)
{
	struct hvlab_debug debug;
	u32 proc;

	switch (cmd) {
	case HVLAB_GET_MSRS:
		return hv_msrs_ioctl(vcpu, uarg, false);
	case HVLAB_SET_MSRS:
		return hv_msrs_ioctl(vcpu, uarg, true);
	case HVLAB_SET_DEBUG:
		if (copy_from_user(&debug, uarg, sizeof(debug)))
			return -EFAULT;
		if (debug.flags & ~HVLAB_DEBUG_SINGLESTEP)
			return -EINVAL;
		if ((debug.flags & HVLAB_DEBUG_SINGLESTEP) &&
		    !(hvlab_vmx_caps()->features & HVLAB_CAP_MONITOR_TRAP_FLAG))
			return -EOPNOTSUPP;
		vcpu->singlestep = debug.flags & HVLAB_DEBUG_SINGLESTEP;
		proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~PROC_MTF;
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
			     proc | (vcpu->singlestep ? PROC_MTF : 0));
		return 0;
	case HVLAB_TRANSLATE:
		return hv_translate(vcpu, uarg);
	default:
		return -ENOTTY;
	}
}

/*
 * The general-purpose registers the hardware does not keep (all but RSP)
 * live in vcpu->gpr for both backends; hv_ops->get_regs and set_regs add
 * RSP, RIP and RFLAGS from the VMCS or the VMCB.
 */
static void get_regs(struct hv_vcpu *vcpu, struct hvlab_regs *r)
{
	const unsigned long *g = vcpu->gpr;

	r->rax = g[HV_RAX]; r->rbx = g[HV_RBX]; r->rcx = g[HV_RCX];
	r->rdx = g[HV_RDX]; r->rsi = g[HV_RSI]; r->rdi = g[HV_RDI];
	r->rbp = g[HV_RBP]; r->r8 = g[HV_R8]; r->r9 = g[HV_R9];
	r->r10 = g[HV_R10]; r->r11 = g[HV_R11]; r->r12 = g[HV_R12];
	r->r13 = g[HV_R13]; r->r14 = g[HV_R14]; r->r15 = g[HV_R15];
	hv_ops->get_regs(vcpu, r);
}

static void set_regs(struct hv_vcpu *vcpu, const struct hvlab_regs *r)
{
	unsigned long *g = vcpu->gpr;

	g[HV_RAX] = r->rax; g[HV_RBX] = r->rbx; g[HV_RCX] = r->rcx;
	g[HV_RDX] = r->rdx; g[HV_RSI] = r->rsi; g[HV_RDI] = r->rdi;
	g[HV_RBP] = r->rbp; g[HV_R8] = r->r8; g[HV_R9] = r->r9;
	g[HV_R10] = r->r10; g[HV_R11] = r->r11; g[HV_R12] = r->r12;
	g[HV_R13] = r->r13; g[HV_R14] = r->r14; g[HV_R15] = r->r15;
	hv_ops->set_regs(vcpu, r);
}

/* Every vCPU ioctl but HVLAB_RUN (vcpu_ioctl), under the vCPU's lock. */
static noinline long vcpu_ioctl_locked(struct hv_vcpu *vcpu, unsigned int cmd,
				       void __user *uarg)
{
	union {
		struct hvlab_regs regs;
		struct hvlab_sregs sregs;
		struct hvlab_event event;
	} u;

	switch (cmd) {
	case HVLAB_GET_REGS:
		get_regs(vcpu, &u.regs);
		return copy_to_user(uarg, &u.regs, sizeof(u.regs)) ? -EFAULT : 0;
	case HVLAB_SET_REGS:
		if (copy_from_user(&u.regs, uarg, sizeof(u.regs)))
			return -EFAULT;
		/*
		 * A completion still pending (an IN's data, an MMIO load, the
		 * step over the instruction) belongs to the instruction at the
		 * old RIP.  Userspace that moves RIP has abandoned it: applied
		 * at the new RIP it would clobber a register and skip code the
		 * guest never ran.  KVM drops a PIO completion the same way.
		 */
		if (vcpu->pending != HV_PENDING_NONE) {
			struct hvlab_regs old;

			hv_ops->get_regs(vcpu, &old);	/* RIP */
			if (old.rip != u.regs.rip) {
				vcpu->pending = HV_PENDING_NONE;
				vcpu->pending_len = 0;
			}
		}
		set_regs(vcpu, &u.regs);
		return 0;
	case HVLAB_GET_SREGS:
		hv_ops->get_sregs(vcpu, &u.sregs);
		u.sregs.cr8 = vcpu->cr8;
		return copy_to_user(uarg, &u.sregs, sizeof(u.sregs)) ? -EFAULT : 0;
	case HVLAB_SET_SREGS:
		if (copy_from_user(&u.sregs, uarg, sizeof(u.sregs)))
			return -EFAULT;
		vcpu->cr8 = u.sregs.cr8;
		return hv_ops->set_sregs(vcpu, &u.sregs);
	case HVLAB_INJECT:
		if (!hv_ops->inject)
			return -EOPNOTSUPP;
		if (copy_from_user(&u.event, uarg, sizeof(u.event)))
			return -EFAULT;
		if (u.event.type == HVLAB_EVENT_CLEAR)
			return hv_ops->clear_event(vcpu, &u.event);
		if (u.event.vector > 255 || vcpu->event_pending ||
		    (u.event.type != HVLAB_EVENT_EXTINT &&
		     u.event.type != HVLAB_EVENT_NMI &&
		     u.event.type != HVLAB_EVENT_EXCEPTION) ||
		    (u.event.type == HVLAB_EVENT_EXCEPTION && u.event.vector > 31))
			return -EINVAL;
		vcpu->event = u.event;
		vcpu->event_pending = true;
		return 0;
	case HVLAB_GET_MSRS:
	case HVLAB_SET_MSRS:
	case HVLAB_SET_DEBUG:
	case HVLAB_TRANSLATE:
		return hv_ops->vcpu_ioctl ? hv_ops->vcpu_ioctl(vcpu, cmd, uarg) :
					    -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
}

static long vcpu_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct hv_vcpu *vcpu = f->private_data;
	long ret;

	/* the VM's memory is its creator's: other processes may not run it */
	if (current->mm != vcpu->vm->mm)
		return -EIO;
	hv_bench_stamp(vcpu, &vcpu->run->bench.fop_in);
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	vcpu_get(vcpu);
	hv_bench_stamp(vcpu, &vcpu->run->bench.locked);
	/*
	 * HVLAB_RUN straight away: vcpu_ioctl_locked's union is zeroed on
	 * entry in kernels built with CONFIG_INIT_STACK_ALL_ZERO (Debian's),
	 * work every exit to userspace would pay for nothing.
	 */
	if (READ_ONCE(vcpu->load_failed))
		ret = -EIO;
	else if (cmd == HVLAB_RUN)
		ret = arg ? -EINVAL :
		      INDIRECT_CALL_1(hv_ops->run, hv_vcpu_run, vcpu);
	else
		ret = vcpu_ioctl_locked(vcpu, cmd, (void __user *)arg);
	vcpu_put(vcpu);
	mutex_unlock(&vcpu->mutex);
	hv_bench_stamp(vcpu, &vcpu->run->bench.fop_out);
	return ret;
}

static vm_fault_t vcpu_fault(struct vm_fault *vmf)
{
	struct hv_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	/* a writable mapping inherited by fork() stays empty in the child */
	if (vmf->vma->vm_mm != vcpu->vm->mm && (vmf->vma->vm_flags & VM_WRITE))
		return VM_FAULT_SIGBUS;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff < (unsigned long)hvlab_vcpu_mmap_size() >> PAGE_SHIFT)
		page = virt_to_page((char *)vcpu->stats +
				    ((vmf->pgoff - 1) << PAGE_SHIFT));
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vcpu_vm_ops = {
	.fault = vcpu_fault,
};

static int vcpu_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct hv_vcpu *vcpu = f->private_data;

	/*
	 * The run page is the creator's, like the vCPU's ioctls.  Another
	 * process that holds the fd (hvlab top, docs/dashboard.md) may only
	 * watch: read-only, and mprotect cannot make it writable later.
	 */
	if (current->mm != vcpu->vm->mm) {
		if (vma->vm_flags & VM_WRITE)
			return -EIO;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start >
	    (unsigned long)hvlab_vcpu_mmap_size())
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYEXEC);
	vma->vm_ops = &vcpu_vm_ops;
	return 0;
}

/* The VMX half of a vCPU: its VMCS (written back first) and VPID. */
static void vmx_vcpu_free(struct hv_vcpu *vcpu)
{
	if (vcpu->vmcs)
		vmclear_anywhere(vcpu);
	if (vcpu->vpid)
		ida_free(&vpid_ida, vcpu->vpid);
	vcpu->vpid = 0;
	free_page((unsigned long)vcpu->vmcs);
	vcpu->vmcs = NULL;
}

/* Give the VMCS its revision id, then VMCLEAR it (SDM 25.2), and a VPID. */
static int vmx_vcpu_create(struct hv_vcpu *vcpu)
{
	int vpid;

	vcpu->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->vmcs)
		return -ENOMEM;
	if (hvlab_vmx_caps()->features & HVLAB_CAP_VPID) {
		vpid = ida_alloc_range(&vpid_ida, 1, 0xffff, GFP_KERNEL);
		vcpu->vpid = vpid > 0 ? vpid : 0;
	}
	*(u32 *)vcpu->vmcs = hvlab_vmx_caps()->vmcs_revision;
	if (hv_vmclear(__pa(vcpu->vmcs)))
		return -EIO;
	return 0;
}

static int vmx_vcpu_setup(struct hv_vcpu *vcpu)
{
	int ret = hv_vmcs_setup(vcpu);

	if (!ret)
		ret = vcpu->paging->reload(vcpu);
	return ret;
}

void hv_vcpu_free(struct hv_vcpu *vcpu)
{
	struct hv_vm *vm = vcpu->vm;

	hv_ops->vcpu_free(vcpu);
	/*
	 * Shadow tables point at pages the slots pin: free them while the
	 * vCPU still counts, so a slot change (allowed once no vCPU is left,
	 * vm.c) never finds one that outlives its vCPU.
	 */
	if (vcpu->paging->free)
		vcpu->paging->free(vcpu);
	mutex_lock(&vm->lock);
	vm->vcpus[vcpu->id] = NULL;
	WRITE_ONCE(vm->nr_vcpus, vm->nr_vcpus - 1);
	mutex_unlock(&vm->lock);
	free_page((unsigned long)vcpu->run);
	free_pages_exact(vcpu->stats, PAGE_ALIGN(sizeof(*vcpu->stats)));
	kfree(vcpu->fpu);
	kfree(vcpu);
	hv_vm_put(vm);
}

static int vcpu_release(struct inode *inode, struct file *f)
{
	hv_vcpu_free(f->private_data);
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vcpu_mmap,
	.release = vcpu_release,
	.llseek = noop_llseek,
};

int hv_vcpu_create(struct hv_vm *vm, u32 id)
{
	struct hv_vcpu *vcpu;
	int ret, fd;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->trap_cr3 = vm->flags & HVLAB_VM_TRAP_CR3;
	vcpu->shadow = vm->flags & HVLAB_VM_SHADOW_PAGING;
	/* the paging backend, for the vCPU's whole life (vm.h) */
	vcpu->paging = vcpu->shadow ? &hv_shadow_paging : &hv_ept_paging;
	vcpu->bench_floor = vm->flags & HVLAB_VM_BENCH_FLOOR;
	vcpu->guest_cycles = vm->flags & HVLAB_VM_GUEST_CYCLES;
	mutex_init(&vcpu->mutex);
	INIT_LIST_HEAD(&vcpu->loaded_link);
	preempt_notifier_init(&vcpu->pn, &vcpu_preempt_ops);
	ret = -ENOMEM;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->stats = alloc_pages_exact(PAGE_ALIGN(sizeof(*vcpu->stats)),
					GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	vcpu->fpu = kzalloc(512, GFP_KERNEL_ACCOUNT);	/* kmalloc: 16-aligned */
	if (!vcpu->run || !vcpu->stats || !vcpu->fpu ||
	    (vcpu->paging->init && vcpu->paging->init(vcpu)))
		goto free;
	/* FXSAVE image of an initialized FPU: FCW 0x37f, MXCSR 0x1f80 */
	*(u16 *)vcpu->fpu = 0x37f;
	*(u32 *)(vcpu->fpu + 24) = 0x1f80;
	ret = hv_ops->vcpu_create(vcpu);
	if (ret)
		goto free;

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		ret = -EEXIST;
		goto free;
	}
	vm->vcpus[id] = vcpu;
	vm->had_vcpus = true;	/* slot changes must zap from now on (vm.c) */
	WRITE_ONCE(vm->nr_vcpus, vm->nr_vcpus + 1);
	mutex_unlock(&vm->lock);
	kref_get(&vm->ref);

	vcpu_get(vcpu);
	ret = hv_ops->vcpu_setup(vcpu);
	vcpu_put(vcpu);
	if (ret) {
		hv_vcpu_free(vcpu);
		return ret;
	}
	fd = anon_inode_getfd("hvlab-vcpu", &vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hv_vcpu_free(vcpu);
	return fd;

free:
	hv_ops->vcpu_free(vcpu);
	free_page((unsigned long)vcpu->run);
	if (vcpu->stats)
		free_pages_exact(vcpu->stats, PAGE_ALIGN(sizeof(*vcpu->stats)));
	kfree(vcpu->fpu);
	kfree(vcpu->sh_cache);	/* no shadow pages exist yet */
	kfree(vcpu);
	return ret;
}

void hv_vcpu_init_percpu(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(loaded_vcpus, cpu));
	hv_host_state_init();
	preempt_notifier_inc();
}

void hv_vcpu_exit_percpu(void)
{
	preempt_notifier_dec();
}

static int vmx_vm_check(unsigned long flags)
{
	return 0;	/* EPT and shadow paging both */
}

/* The VMX backend: vmx.c, this file, vmcs.c, run.c, exit.c and the rest. */
const struct hv_x86_ops hv_vmx_ops = {
	.name = "VMX",
	.hw_init = hvlab_vmx_init,
	.hw_exit = hvlab_vmx_exit,
	.kvm_name = "kvm_intel (KVM)",
	.cpu_on = hvlab_vmx_cpu_on,
	.cpu_off = hvlab_vmx_cpu_off,
	.emergency_off = hvlab_vmx_emergency_off,
	.probe_cpu = hvlab_vmx_probe_cpu,
	.caps = hvlab_vmx_caps,
	.vm_check = vmx_vm_check,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_setup = vmx_vcpu_setup,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_vcpu_load,
	.run = hv_vcpu_run,
	.get_regs = hv_vmcs_get_regs,
	.set_regs = hv_vmcs_set_regs,
	.get_sregs = hv_vmcs_get_sregs,
	.set_sregs = hv_vmcs_set_sregs,
	.inject = true,
	.clear_event = hv_clear_event,
	.get_gpr = hv_get_gpr,
	.set_gpr = hv_set_gpr,
	.skip_insn = hv_skip_instruction,
	.insn_view = hv_vmx_insn_view,
	.seg_base = hv_vmx_seg_base,
	.set_rflags = hv_vmx_set_rflags,
	.msr_read = hv_vmx_msr_read,
	.msr_write = hv_vmx_msr_write,
	.vcpu_ioctl = vmx_vcpu_ioctl,
	.paging_hw = &hv_vmx_paging_hw,
};
