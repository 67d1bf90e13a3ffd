// SPDX-License-Identifier: GPL-2.0
/*
 * exit_io.c - VMX exits that become device accesses in userspace: port
 * I/O (IN/OUT and the string forms INS/OUTS) and MMIO (EPT violations on
 * guest-physical addresses that are not RAM, handed to mmio.c).
 *
 * Both follow the same two-step protocol: the handler fills the run page
 * (run->io or run->mmio), records what must happen once userspace has
 * answered in vcpu->pending, and returns 0; the next HVLAB_RUN completes it
 * (complete.c) -- an IN's value into RAX, an MMIO load into its register
 * -- and moves RIP past the instruction.
 *
 * An EPT violation names the address and the direction but not the size
 * or the register (SDM Vol. 3 28.2.3.2): mmio.c, shared with the SVM
 * backend, decodes the instruction at the guest's RIP.  Every length and
 * size that later indexes memory is kept in the vCPU, never re-read from
 * the run page userspace can scribble on.
 */
#include <linux/kernel.h>
#include <asm/processor.h>

#include "hvlab.h"
#include "pure_insn.h"
#include "vm.h"
#include "vmcs.h"

/* What the module cannot emulate stops the vCPU with a clean error. */
static int internal(struct hv_vcpu *vcpu, u64 d0, u64 d1)
{
	return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, d0, d1);
}

/* INS/OUTS, with or without REP: up to a page or 1 KiB per exit. */
static int string_io(struct hv_vcpu *vcpu, bool in, unsigned int size)
{
	struct hvlab_run *run = vcpu->run;
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	bool rep = vmcs_readl(EXIT_QUALIFICATION) & BIT(5);
	/* address size, SDM 27.2.5 table 27-8: 0 = 16, 1 = 32, 2 = 64 bits */
	unsigned int asz = (info >> 7) & 7;
	u64 mask = asz == 0 ? 0xffff : asz == 1 ? 0xffffffff : ~0ull;
	u64 lin = vmcs_readl(GUEST_LINEAR_ADDRESS), gpa, count, n;
	bool down = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	int idx = in ? HV_RDI : HV_RSI;
	unsigned long *reg = &vcpu->gpr[idx];

	count = rep ? vcpu->gpr[HV_RCX] & mask : 1;
	if (!count) {
		hv_skip_instruction(vcpu, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
		return 1;
	}
	n = down ? 1 : min3(count, (u64)sizeof(run->io_data) / size,
			     (PAGE_SIZE - (lin & ~PAGE_MASK)) / size);
	if (!n || hv_gva_to_gpa(vcpu, lin, &gpa))
		return internal(vcpu, lin, vmcs_readl(EXIT_QUALIFICATION));
	if (!in && hv_read_guest(vcpu->vm, gpa, run->io_data, n * size))
		return internal(vcpu, gpa, vmcs_readl(EXIT_QUALIFICATION));

	/* the register effects do not depend on the data: apply them now */
	*reg = (*reg & ~mask) | ((*reg + (down ? -n : n) * size) & mask);
	if (rep)
		vcpu->gpr[HV_RCX] = (vcpu->gpr[HV_RCX] & ~mask) |
				    ((vcpu->gpr[HV_RCX] - n) & mask);
	/* REP with more to do: run the same instruction again (RIP stays) */
	vcpu->pending_len = rep && (vcpu->gpr[HV_RCX] & mask) ? 0 :
			    vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	vcpu->io_count = n;
	vcpu->io_gpa = gpa;
	run->io.count = n;
	return 0;
}

int hv_handle_io(struct hv_vcpu *vcpu)
{
	struct hvlab_run *run = vcpu->run;
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	/* SDM 27.2.1 table 27-5: size-1, direction, string, REP, port */
	unsigned int size = (q & 7) + 1;
	bool in = q & BIT(3), string = q & BIT(4);
	u16 port = q >> 16;
	u64 v;

	if (size != 1 && size != 2 && size != 4)
		return internal(vcpu, q, 0);
	run->exit_reason = HVLAB_EXIT_IO;
	run->io.direction = in ? HVLAB_IO_IN : HVLAB_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = offsetof(struct hvlab_run, io_data);
	vcpu->io_size = size;
	vcpu->io_count = 0;
	vcpu->pending = in ? HV_PENDING_PIO_IN : HV_PENDING_PIO_OUT;
	vcpu->rec->info = port | size << 16 | (in ? 1u << 24 : 0);
	if (string)
		return string_io(vcpu, in, size);
	if (!in) {
		v = vcpu->gpr[HV_RAX] & ((1ull << (8 * size)) - 1);
		memcpy(run->io_data, &v, size);
		vcpu->rec->value = v;
	}
	vcpu->pending_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	return 0;
}

/* ---- what mmio.c needs of the VMCS (hv_vmx_ops) --------------------- */

void hv_vmx_insn_view(struct hv_vcpu *vcpu, struct hv_insn_view *iv)
{
	iv->rip_linear = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);
	iv->mode = insn_mode(!!(vmcs_read64(GUEST_IA32_EFER) & EFER_LMA),
			     vmcs_read32(GUEST_CS_AR_BYTES));
	iv->nbytes = 0;		/* VMX does not report the fetched bytes */
}

u64 hv_vmx_seg_base(struct hv_vcpu *vcpu, int seg)
{
	static const u32 bases[] = {
		GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
		GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE,
	};

	return vmcs_readl(bases[seg]);
}

void hv_vmx_set_rflags(struct hv_vcpu *vcpu, unsigned long rflags)
{
	vmcs_writel(GUEST_RFLAGS, rflags);
}

int hv_handle_ept_violation(struct hv_vcpu *vcpu)
{
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	unsigned long q = vmcs_readl(EXIT_QUALIFICATION);
	u32 idt;
	int ret;

	vcpu->rec->gpa = gpa;
	vcpu->rec->info = q & 0x1ff;
	/* qualification bit 1: a write; bit 2: an instruction fetch */
	ret = hv_ept_fault(vcpu, gpa, q & BIT(1));
	if (ret == -ENOMEM) {	/* RLIMIT_MEMLOCK: HVLAB_RUN fails */
		atomic_set(&vcpu->vm->pin_error, 0);
		return ret;
	}
	if (ret)
		return ret > 0 ? 1 : internal(vcpu, gpa, q);
	if (q & BIT(2))		/* executing from a device: nothing to emulate */
		return internal(vcpu, gpa, q);
	/*
	 * Bit 7 set, bit 8 clear: the CPU was reading the guest's own page
	 * tables, which point outside its memory (SDM 28.2.3.2).  No
	 * instruction to emulate: stop the vCPU cleanly.
	 */
	if ((q & BIT(7)) && !(q & BIT(8)))
		return internal(vcpu, gpa, q);
	/*
	 * The access belongs to an event's delivery (IDT-vectoring
	 * information valid, SDM Vol. 3 28.2.4): the IDT read or a push on
	 * the handler's stack.  The instruction at RIP did not make it, and
	 * emulating that one would skip code the guest never ran.
	 */
	idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	if (idt & INTR_INFO_VALID)
		return hv_internal_error(vcpu, HVLAB_INTERNAL_DELIVERY_EV, gpa,
					 idt);
	return hv_mmio_exit(vcpu, gpa, q & BIT(1));
}

int hv_handle_ept_misconfig(struct hv_vcpu *vcpu)
{
	/* hvlab wrote a bad EPT entry: a bug to report, not to guess around */
	return internal(vcpu, vmcs_read64(GUEST_PHYSICAL_ADDRESS), 0);
}
