// SPDX-License-Identifier: GPL-2.0
/*
 * mmio.c - an access to a guest-physical address that is no RAM, turned
 * into an MMIO exit for userspace's device model; shared by the VMX and
 * SVM backends.
 *
 * The second-level fault (an EPT violation, a nested page fault, or a
 * shadow #PF on a device page) names the address and the direction but
 * not the size or the register (SDM Vol. 3 28.2.3.2; APM 15.25.6), so the
 * instruction at the guest's RIP is decoded (pure_insn.c): the bytes the
 * CPU fetched where it reports them (SVM decode assists), else read
 * through the guest's own page tables.  Then:
 *  - a plain load or store (MOV, MOVZX, MOVSX) is one exit; a load's
 *    value goes into its register on the next HVLAB_RUN (complete.c);
 *  - a read-modify-write (OR, AND, XCHG) is two: the read, then the
 *    write of what the instruction computes, with RFLAGS or the register
 *    updated in between;
 *  - MOVS between RAM and a device is one exit per element, the RAM side
 *    copied here, rSI/rDI/rCX advanced as the CPU would, RIP moved once
 *    rCX reaches 0.
 * What the backends differ in comes through hv_ops: where RIP's
 * instruction is and in which mode (insn_view), the segment bases
 * (seg_base), RSP (get_gpr/set_gpr), RFLAGS (paging_hw->rflags,
 * set_rflags) and moving RIP (skip_insn).
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "hvlab.h"
#include "pure_insn.h"
#include "vm.h"

/* What the module cannot emulate stops the vCPU with a clean error. */
static int internal(struct hv_vcpu *vcpu, u64 d0, u64 d1)
{
	return hv_internal_error(vcpu, HVLAB_INTERNAL_EMULATION, d0, d1);
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
	const struct insn_mmio *m = &vcpu->mmio;
	int seg = dest ? INSN_SEG_ES : m->seg;
	u64 off = vcpu->gpr[dest ? HV_RDI : HV_RSI];

	if (m->addr_size < 8)
		off &= (1ull << (8 * m->addr_size)) - 1;
	/* 64-bit mode: only FS and GS have a base (SDM Vol. 3 3.2.4) */
	if (vcpu->mmio_mode == 64)
		return seg >= INSN_SEG_FS ? hv_ops->seg_base(vcpu, seg) + off :
					    off;
	return (u32)(hv_ops->seg_base(vcpu, seg) + off);
}

/* One element of guest RAM at a linear address; it may not cross a page. */
static int movs_ram(struct hv_vcpu *vcpu, u64 lin, void *buf, bool write)
{
	unsigned int size = vcpu->mmio.size;
	u64 gpa;

	if ((lin & ~PAGE_MASK) + size > PAGE_SIZE ||
	    hv_gva_to_gpa(vcpu, lin, &gpa))
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
	u64 step = (hv_ops->paging_hw->rflags(vcpu) & X86_EFLAGS_DF) ?
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
		hv_ops->skip_insn(vcpu, m->len);
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
	reg = hv_ops->get_gpr(vcpu, r);
	store = insn_rmw_store(loaded, reg, m);
	if (m->op == INSN_MMIO_XCHG)
		hv_ops->set_gpr(vcpu, r, insn_merge_load(reg, loaded, m));
	hv_ops->set_rflags(vcpu, insn_rmw_flags(
				   hv_ops->paging_hw->rflags(vcpu), store, m));
	mmio_exit(vcpu, vcpu->mmio_gpa, m->size, true, store);
	vcpu->pending = HV_PENDING_MMIO_WRITE;
	vcpu->pending_len = m->len;
}

/*
 * complete.c: userspace answered the read of a read-modify-write (1: its
 * write is the next exit) or a MOVS element.
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
 * Up to 15 bytes of the instruction at CS:RIP into buf, and its mode (16,
 * 32 or 64): the bytes the CPU fetched where it reports them, else read
 * through the guest's page tables.  Returns how many bytes buf holds.
 */
unsigned int hv_fetch_insn(struct hv_vcpu *vcpu, u8 *buf, int *mode)
{
	struct hv_insn_view iv = { };

	hv_ops->insn_view(vcpu, &iv);
	*mode = iv.mode;
	if (iv.nbytes && iv.nbytes <= INSN_MAX_LEN) {	/* the CPU's fetch */
		memcpy(buf, iv.bytes, iv.nbytes);
		return iv.nbytes;
	}
	return hv_read_linear(vcpu, iv.rip_linear, buf, INSN_MAX_LEN);
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
	int err, mode;
	u64 v;

	/* RAM that could not be pinned (RLIMIT_MEMLOCK) is no device */
	err = atomic_xchg(&vcpu->vm->pin_error, 0);
	if (err)
		return err;
	avail = hv_fetch_insn(vcpu, bytes, &mode);
	vcpu->mmio_mode = mode;
	if (insn_decode_mmio(bytes, avail, mode, m))
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
		v = insn_store_value(hv_ops->get_gpr(vcpu, m->reg & 15), m);
		mmio_exit(vcpu, gpa, m->size, true, v);
		vcpu->pending = HV_PENDING_MMIO_WRITE;
	} else {
		mmio_exit(vcpu, gpa, m->size, false, 0);
		vcpu->pending = HV_PENDING_MMIO_READ;
	}
	vcpu->pending_len = m->len;
	return 0;
}

