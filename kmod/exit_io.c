// SPDX-License-Identifier: GPL-2.0
/*
 * exit_io.c - exits that become device accesses in userspace: port I/O
 * (IN/OUT and the string forms INS/OUTS) and MMIO (EPT violations on
 * guest-physical addresses that are not RAM).
 *
 * Both follow the same two-step protocol: the handler fills the run page
 * (run->io or run->mmio), records what must happen once userspace has
 * answered in vcpu->pending, and returns 0; the next HVLAB_RUN completes it
 * (run.c: complete_pending) -- an IN's value into RAX, an MMIO load into
 * its register -- and moves RIP past the instruction.
 *
 * MMIO needs one more step: an EPT violation names the address and the
 * direction but not the size or the register (SDM Vol. 3 28.2.3.2), so we
 * fetch the instruction at the guest's RIP and decode it (pure_insn.c).
 * Every length and size that later indexes memory is kept in the vCPU,
 * never re-read from the run page userspace can scribble on.
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

/* Linear -> guest-physical, honouring the guest's paging (or its absence). */
static int linear_to_gpa(struct hv_vcpu *vcpu, u64 lin, u64 *gpa)
{
	if (!(hv_guest_cr0(vcpu) & X86_CR0_PG)) {
		*gpa = lin & 0xffffffffull;
		return 0;
	}
	return hv_gva_to_gpa(vcpu, lin, gpa);
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
	if (!n || linear_to_gpa(vcpu, lin, &gpa))
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

/* Up to 15 instruction bytes at CS:RIP; returns how many could be read. */
static unsigned int fetch_insn(struct hv_vcpu *vcpu, u8 *buf)
{
	u64 lin = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP), gpa;
	unsigned int got = 0;

	while (got < INSN_MAX_LEN) {
		unsigned int n = min_t(unsigned int, INSN_MAX_LEN - got,
				       PAGE_SIZE - ((lin + got) & ~PAGE_MASK));

		if (linear_to_gpa(vcpu, lin + got, &gpa) ||
		    hv_read_guest(vcpu->vm, gpa, buf + got, n))
			break;
		got += n;
	}
	return got;
}

/*
 * No instruction hvlab can emulate touched the device: stop the vCPU and
 * name the instruction bytes (HVLAB_INTERNAL_MMIO_DECODE in the uapi), so
 * the report says what the guest ran, not just that it failed.
 */
static int undecodable(struct hv_vcpu *vcpu, u64 gpa, const u8 *bytes,
		       unsigned int avail)
{
	struct hvlab_run *run = vcpu->run;
	u64 lo = 0, hi = 0;

	memcpy(&lo, bytes, min(avail, 8u));
	if (avail > 8)
		memcpy(&hi, bytes + 8, avail - 8);
	hv_internal_error(vcpu, HVLAB_INTERNAL_MMIO_DECODE, gpa, lo);
	run->internal.ndata = 4;
	run->internal.data[2] = hi;
	run->internal.data[3] = avail;
	return 0;
}

static void mmio_exit(struct hv_vcpu *vcpu, u64 gpa, unsigned int size,
		      bool write, u64 v)
{
	struct hvlab_run *run = vcpu->run;

	run->exit_reason = HVLAB_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		memcpy(run->mmio.data, &v, size);
		vcpu->rec->value = v;
	}
}

/* The linear address of a MOVS operand: rSI in seg, or rDI in ES. */
static u64 movs_linear(struct hv_vcpu *vcpu, bool dest)
{
	static const u32 bases[] = {
		GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
		GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE,
	};
	const struct insn_mmio *m = &vcpu->mmio;
	int seg = dest ? INSN_SEG_ES : m->seg;
	u64 off = vcpu->gpr[dest ? HV_RDI : HV_RSI];

	if (m->addr_size < 8)
		off &= (1ull << (8 * m->addr_size)) - 1;
	/* 64-bit mode: only FS and GS have a base (SDM Vol. 3 3.2.4) */
	if (insn_mode(!!(vmcs_read64(GUEST_IA32_EFER) & EFER_LMA),
		      vmcs_read32(GUEST_CS_AR_BYTES)) == 64)
		return seg >= INSN_SEG_FS ? vmcs_readl(bases[seg]) + off : off;
	return (u32)(vmcs_readl(bases[seg]) + off);
}

/* One element of guest RAM at a linear address; it may not cross a page. */
static int movs_ram(struct hv_vcpu *vcpu, u64 lin, void *buf, bool write)
{
	unsigned int size = vcpu->mmio.size;
	u64 gpa;

	if ((lin & ~PAGE_MASK) + size > PAGE_SIZE || linear_to_gpa(vcpu, lin, &gpa))
		return -1;
	if (!write)
		return hv_read_guest(vcpu->vm, gpa, buf, size) ? -1 : 0;
	if (hv_write_guest(vcpu->vm, gpa, buf, size))
		return -1;
	if (vcpu->paging->guest_written)	/* shadow paging's tables */
		vcpu->paging->guest_written(vcpu, gpa, size);
	return 0;
}

/*
 * A MOVS element has been copied: advance rSI and rDI (backwards with
 * RFLAGS.DF), count rCX down with REP, and step over the instruction once
 * rCX reaches 0.  Until then RIP stays: the guest runs the REP MOVS again
 * for the rest, which costs one exit per device element (SDM Vol. 2 MOVS,
 * REP: the CPU itself may stop and restart a REP string this way).
 */
static void movs_advance(struct hv_vcpu *vcpu)
{
	const struct insn_mmio *m = &vcpu->mmio;
	u64 mask = m->addr_size == 8 ? ~0ull : (1ull << (8 * m->addr_size)) - 1;
	u64 step = (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF) ?
		   -(u64)m->size : m->size;
	static const int regs[] = { HV_RSI, HV_RDI, HV_RCX };
	bool done = true;
	int i;

	for (i = 0; i < (m->rep ? 3 : 2); i++) {
		u64 *r = (u64 *)&vcpu->gpr[regs[i]];
		u64 v = (*r + (regs[i] == HV_RCX ? -1ull : step)) & mask;

		/* a 32-bit register write zero-extends; 16 bits keep the rest */
		*r = m->addr_size == 2 ? (*r & ~mask) | v : v;
		if (regs[i] == HV_RCX)
			done = !v;
	}
	if (done)
		hv_skip_instruction(vcpu, m->len);
}

/* MOVS with a device on one side, RAM on the other: one element per exit. */
static int mmio_movs(struct hv_vcpu *vcpu, u64 gpa, bool write)
{
	struct insn_mmio *m = &vcpu->mmio;
	u64 v = 0;

	if (!write) {		/* memcpy_fromio: the device is the source */
		mmio_exit(vcpu, gpa, m->size, false, 0);
		vcpu->pending = HV_PENDING_MMIO_MOVS_IN;
		return 0;
	}
	if (movs_ram(vcpu, movs_linear(vcpu, false), &v, false))
		return internal(vcpu, gpa, vcpu->gpr[HV_RSI]);	/* both devices */
	mmio_exit(vcpu, gpa, m->size, true, v);
	vcpu->pending = HV_PENDING_MMIO_MOVS_OUT;
	return 0;
}

/*
 * The MOVS element userspace completed: 0, or 1 when the destination is no
 * RAM either (an internal error for userspace).
 */
static int mmio_movs_complete(struct hv_vcpu *vcpu, bool in)
{
	u64 v = 0;

	if (in) {
		memcpy(&v, vcpu->run->mmio.data, vcpu->mmio.size);
		if (movs_ram(vcpu, movs_linear(vcpu, true), &v, true)) {
			internal(vcpu, vcpu->mmio_gpa, vcpu->gpr[HV_RDI]);
			return 1;
		}
	}
	movs_advance(vcpu);
	return 0;
}

/*
 * The read of a read-modify-write (OR, AND, XCHG) came back: compute what
 * goes back to the device, update the register (XCHG) or the flags (OR,
 * AND), and describe the write as a second MMIO exit.  RIP moves when
 * that write completes.
 */
static void mmio_rmw_complete(struct hv_vcpu *vcpu)
{
	const struct insn_mmio *m = &vcpu->mmio;
	u64 loaded = 0, reg, store;
	int r = m->reg & 15;

	memcpy(&loaded, vcpu->run->mmio.data, m->size);
	reg = r == HV_RSP ? vmcs_readl(GUEST_RSP) : vcpu->gpr[r];
	store = insn_rmw_store(loaded, reg, m);
	if (m->op == INSN_MMIO_XCHG) {
		reg = insn_merge_load(reg, loaded, m);
		if (r == HV_RSP)
			vmcs_writel(GUEST_RSP, reg);
		else
			vcpu->gpr[r] = reg;
	}
	vmcs_writel(GUEST_RFLAGS, insn_rmw_flags(vmcs_readl(GUEST_RFLAGS),
						 store, m));
	mmio_exit(vcpu, vcpu->mmio_gpa, m->size, true, store);
	vcpu->pending = HV_PENDING_MMIO_WRITE;
	vcpu->pending_len = m->len;
}

/*
 * hv_ops->complete_emulation (complete.c): userspace answered the read of
 * a read-modify-write (1: its write is the next exit) or a MOVS element.
 */
int hv_mmio_complete(struct hv_vcpu *vcpu, unsigned int pending)
{
	if (pending == HV_PENDING_MMIO_RMW) {
		mmio_rmw_complete(vcpu);
		return 1;
	}
	return mmio_movs_complete(vcpu, pending == HV_PENDING_MMIO_MOVS_IN);
}

/*
 * gpa is not RAM (or is a read-only slot being written): decode the
 * instruction at CS:RIP and describe the access to userspace.  write is
 * the direction the exit reports; MOVS needs it to know its device side.
 */
int hv_mmio_exit(struct hv_vcpu *vcpu, u64 gpa, bool write)
{
	struct insn_mmio *m = &vcpu->mmio;
	u8 bytes[INSN_MAX_LEN];
	unsigned int avail;
	int err;
	u64 v;

	/* RAM that could not be pinned (RLIMIT_MEMLOCK) is no device */
	err = atomic_xchg(&vcpu->vm->pin_error, 0);
	if (err)
		return err;
	avail = fetch_insn(vcpu, bytes);
	if (insn_decode_mmio(bytes, avail,
			     insn_mode(!!(vmcs_read64(GUEST_IA32_EFER) & EFER_LMA),
				       vmcs_read32(GUEST_CS_AR_BYTES)), m))
		return undecodable(vcpu, gpa, bytes, avail);
	vcpu->mmio_gpa = gpa;
	vcpu->pending_len = 0;

	switch (m->op) {
	case INSN_MMIO_MOVS:
		return mmio_movs(vcpu, gpa, write);
	case INSN_MMIO_OR:
	case INSN_MMIO_AND:
	case INSN_MMIO_XCHG:
		/* first the read; mmio_rmw_complete() asks for the write */
		mmio_exit(vcpu, gpa, m->size, false, 0);
		vcpu->pending = HV_PENDING_MMIO_RMW;
		return 0;
	}
	if (m->is_write) {
		v = insn_store_value(m->reg == HV_RSP ? vmcs_readl(GUEST_RSP) :
				     vcpu->gpr[m->reg & 15], m);
		mmio_exit(vcpu, gpa, m->size, true, v);
		vcpu->pending = HV_PENDING_MMIO_WRITE;
	} else {
		mmio_exit(vcpu, gpa, m->size, false, 0);
		vcpu->pending = HV_PENDING_MMIO_READ;
	}
	vcpu->pending_len = m->len;
	return 0;
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
