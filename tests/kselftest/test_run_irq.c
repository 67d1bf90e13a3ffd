// SPDX-License-Identifier: GPL-2.0
/*
 * test_run_irq.c - events injected with HVLAB_INJECT, as a VMM without an
 * in-kernel interrupt controller uses them (the KVM_INTERRUPT / KVM_NMI
 * model, include/uapi/hvlab.h):
 *
 *  - an interrupt queued while the guest has RFLAGS.IF clear waits; the
 *    guest's `sti; hlt` takes it (the HLT never reaches userspace as
 *    "halted"), and its handler returns to the instruction after the HLT;
 *  - `cli; hlt` with an interrupt queued is a real halt: HVLAB_EXIT_HLT,
 *    with if_flag 0;
 *  - request_interrupt_window ends HVLAB_RUN with
 *    HVLAB_EXIT_IRQ_WINDOW_OPEN once the guest sets IF;
 *  - with HVLAB_VM_TRAP_EXCEPTIONS every guest exception exits first and
 *    is recorded, yet the guest's handlers see exactly what they would
 *    without it (vector, error code, CR2, return address);
 *  - an NMI ignores IF, runs its handler once, and a second NMI queued
 *    while the first handler runs waits for that handler's IRET (NMI
 *    blocking, SDM Vol. 3 6.7.1; virtual NMIs, SDM 25.6.1);
 *  - a trapped real-mode double fault is queued without an error code,
 *    so the triple fault after it is a shutdown, not a failed VM entry.
 *
 * The guests are raw 64-bit code at GPA 0x1000 in a 64 KiB slot with an
 * IDT at 0x2000 and a GDT at 0x6000; each reports progress by OUT to a
 * port (0x90 ...).  HVLAB_PAGING picks EPT or shadow paging.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "raw_vm.h"

#define RAM		0x10000
#define VEC_IRQ		0x30
#define NMI_COUNT	0x3000	/* byte the NMI handler increments */

/* The external interrupt's handler: out 0x91, al; iretq */
static const unsigned char irq_handler[] = { 0xe6, 0x91, 0x48, 0xcf };

/* The NMI handler: inc byte [0x3000]; out 0x94, al; out 0x96, al; iretq */
static const unsigned char nmi_handler[] = {
	0xfe, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00,
	0xe6, 0x94, 0xe6, 0x96, 0x48, 0xcf,
};

static void set_gate(unsigned char *ram, int vector, unsigned int handler)
{
	unsigned int *gate = (unsigned int *)(ram + 0x2000 + vector * 16);

	gate[0] = 8 << 16 | (handler & 0xffff);	/* selector 8, offset 15:0 */
	gate[1] = (handler & 0xffff0000) | 0x8e00;	/* present, interrupt gate */
	gate[2] = gate[3] = 0;
}

/*
 * 64-bit mode, identity-mapped pages, IDT with the two handlers; flags
 * beyond the paging mode's are added to HVLAB_CREATE_VM's.
 */
static int tvm_open_flags(struct raw_vm *t, const unsigned char *code, size_t len,
			  unsigned long flags)
{
	static const unsigned long long gdt[] = {
		0, 0x00209a0000000000ull, 0x0000920000000000ull,
	};
	struct hvlab_regs regs = { .rip = 0x1000, .rsp = 0x7c00, .rflags = 2 };
	struct hvlab_sregs s;

	if (raw_vm_create(t, raw_vm_flags() | flags, RAM))
		return -1;
	memset(t->ram, 0xf4, RAM);	/* HLT wherever the guest strays */
	memcpy(t->ram + 0x1000, code, len);
	memcpy(t->ram + 0x1100, irq_handler, sizeof(irq_handler));
	memcpy(t->ram + 0x1180, nmi_handler, sizeof(nmi_handler));
	memset(t->ram + 0x2000, 0, 0x1000);
	set_gate(t->ram, 2, 0x1180);
	set_gate(t->ram, VEC_IRQ, 0x1100);
	t->ram[NMI_COUNT] = 0;
	memcpy(t->ram + 0x6000, gdt, sizeof(gdt));
	raw_identity_map(t->ram, RAM, 3);

	if (raw_vm_add_vcpu(t) || ioctl(t->vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	raw_long_mode_sregs(&s);
	s.gdt.base = 0x6000;
	s.gdt.limit = sizeof(gdt) - 1;
	s.idt.base = 0x2000;
	s.idt.limit = 0xfff;
	if (ioctl(t->vcpu, HVLAB_SET_SREGS, &s))
		return -1;
	return ioctl(t->vcpu, HVLAB_SET_REGS, &regs);
}

static int tvm_open(struct raw_vm *t, const unsigned char *code, size_t len)
{
	return tvm_open_flags(t, code, len, 0);
}

/* Run; the port of the OUT it stopped at, or -(exit reason) for others. */
static int run_to_port(struct raw_vm *t)
{
	int r = raw_vm_run(t);

	if (r != HVLAB_EXIT_IO)
		return r < 0 ? r : -r;
	return t->run->io.port;
}

static int inject(struct raw_vm *t, unsigned int type, unsigned int vector)
{
	struct hvlab_event e = { .type = type, .vector = vector };

	return ioctl(t->vcpu, HVLAB_INJECT, &e);
}

/* cli; out 0x90; sti; hlt; out 0x92; hlt */
static const unsigned char sti_hlt_guest[] = {
	0xfa, 0xe6, 0x90, 0xfb, 0xf4, 0xe6, 0x92, 0xf4,
};

TEST(sti_hlt_takes_the_queued_interrupt)
{
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, sti_hlt_guest, sizeof(sti_hlt_guest)));
	ASSERT_EQ(0x90, run_to_port(&t));
	EXPECT_EQ(0, t.run->if_flag);
	EXPECT_EQ(0, t.run->ready_for_interrupt_injection);
	/* IF is clear: the interrupt waits for the guest's STI */
	ASSERT_EQ(0, inject(&t, HVLAB_EVENT_EXTINT, VEC_IRQ));
	/* the handler runs from the HLT, not a "halted" exit */
	EXPECT_EQ(0x91, run_to_port(&t));
	/* and its IRET returns past the HLT */
	EXPECT_EQ(0x92, run_to_port(&t));
	/* a HLT with nothing queued is userspace's to wait out */
	EXPECT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
	EXPECT_EQ(1, t.run->if_flag);
	EXPECT_EQ(1, t.run->ready_for_interrupt_injection);
	EXPECT_EQ(0x1008, t.run->guest_rip);
	raw_vm_close(&t);
}

/* cli; out 0x90; hlt; out 0x92 */
TEST(cli_hlt_with_a_queued_interrupt_halts)
{
	static const unsigned char code[] = { 0xfa, 0xe6, 0x90, 0xf4, 0xe6, 0x92 };
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	ASSERT_EQ(0x90, run_to_port(&t));
	ASSERT_EQ(0, inject(&t, HVLAB_EVENT_EXTINT, VEC_IRQ));
	EXPECT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
	EXPECT_EQ(0, t.run->if_flag);
	EXPECT_EQ(0, t.run->ready_for_interrupt_injection);
	EXPECT_EQ(0x1004, t.run->guest_rip);
	/* still queued: a second one is refused */
	EXPECT_EQ(-1, inject(&t, HVLAB_EVENT_EXTINT, VEC_IRQ));
	EXPECT_EQ(EINVAL, errno);
	raw_vm_close(&t);
}

/* cli; out 0x90; sti; nop; out 0x93; hlt */
TEST(request_interrupt_window_exits_when_if_is_set)
{
	static const unsigned char code[] = {
		0xfa, 0xe6, 0x90, 0xfb, 0x90, 0xe6, 0x93, 0xf4,
	};
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	ASSERT_EQ(0x90, run_to_port(&t));
	t.run->request_interrupt_window = 1;
	ASSERT_EQ(HVLAB_EXIT_IRQ_WINDOW_OPEN, raw_vm_run(&t));
	EXPECT_EQ(1, t.run->if_flag);
	EXPECT_EQ(1, t.run->ready_for_interrupt_injection);
	/* after the STI's one-instruction shadow: at the NOP or past it */
	EXPECT_LE(0x1004, t.run->guest_rip);
	EXPECT_GE(0x1005, t.run->guest_rip);
	t.run->request_interrupt_window = 0;
	ASSERT_EQ(0, inject(&t, HVLAB_EVENT_EXTINT, VEC_IRQ));
	EXPECT_EQ(0x91, run_to_port(&t));
	EXPECT_EQ(0x93, run_to_port(&t));
	EXPECT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
	raw_vm_close(&t);
}

/* cli; out 0x90; out 0x95; hlt: the NMI arrives with IF clear */
static const unsigned char nmi_guest[] = { 0xfa, 0xe6, 0x90, 0xe6, 0x95, 0xf4 };

TEST(nmi_runs_its_handler_once)
{
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, nmi_guest, sizeof(nmi_guest)));
	ASSERT_EQ(0x90, run_to_port(&t));
	ASSERT_EQ(0, inject(&t, HVLAB_EVENT_NMI, 2));
	EXPECT_EQ(0x94, run_to_port(&t));
	EXPECT_EQ(0x96, run_to_port(&t));
	EXPECT_EQ(0x95, run_to_port(&t));
	EXPECT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
	EXPECT_EQ(1, t.ram[NMI_COUNT]);
	raw_vm_close(&t);
}

TEST(second_nmi_waits_for_the_first_handlers_iret)
{
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, nmi_guest, sizeof(nmi_guest)));
	ASSERT_EQ(0x90, run_to_port(&t));
	ASSERT_EQ(0, inject(&t, HVLAB_EVENT_NMI, 2));
	ASSERT_EQ(0x94, run_to_port(&t));
	/* inside the handler: NMIs are blocked until its IRET */
	ASSERT_EQ(0, inject(&t, HVLAB_EVENT_NMI, 2));
	EXPECT_EQ(0x96, run_to_port(&t));
	EXPECT_EQ(1, t.ram[NMI_COUNT]);
	/* the IRET ends the blocking: the second NMI goes in */
	EXPECT_EQ(0x94, run_to_port(&t));
	EXPECT_EQ(0x96, run_to_port(&t));
	EXPECT_EQ(0x95, run_to_port(&t));
	EXPECT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
	EXPECT_EQ(2, t.ram[NMI_COUNT]);
	raw_vm_close(&t);
}

/*
 * ud2 (#UD); out 0x90; mov rax, [0x30000] (#PF: only the 64 KiB of RAM are
 * mapped); out 0x99; hlt.  The #UD handler at 0x1200 skips the ud2 and
 * says 0x97; the #PF handler at 0x1280 reports CR2 at port 0x98 and skips
 * the 8-byte MOV.
 */
static const unsigned char exc_guest[] = {
	0x0f, 0x0b, 0xe6, 0x90,
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x03, 0x00,
	0xe6, 0x99, 0xf4,
};
/* add qword [rsp], 2; out 0x97, al; iretq */
static const unsigned char ud_handler[] = {
	0x48, 0x83, 0x04, 0x24, 0x02, 0xe6, 0x97, 0x48, 0xcf,
};
/* mov rax, cr2; out 0x98, eax; add qword [rsp+8], 8; add rsp, 8; iretq */
static const unsigned char pf_handler[] = {
	0x0f, 0x20, 0xd0, 0xe7, 0x98,
	0x48, 0x83, 0x44, 0x24, 0x08, 0x08, 0x48, 0x83, 0xc4, 0x08, 0x48, 0xcf,
};

/* With trap: one HVLAB_EXIT_EXCEPTION must come first, saying vector/code. */
static void exc_expect(struct __test_metadata *_metadata, struct raw_vm *t,
		       bool trap, int vector, int has_code, __u64 address)
{
	if (!trap)
		return;
	ASSERT_EQ(-HVLAB_EXIT_EXCEPTION, run_to_port(t));
	EXPECT_EQ(vector, t->run->exception.vector);
	EXPECT_EQ(vector, t->run->exception.delivered);
	EXPECT_EQ(has_code, t->run->exception.has_error_code);
	EXPECT_EQ(0, t->run->exception.error_code);	/* #PF: read, not present */
	EXPECT_EQ(address, t->run->exception.address);
}

static void exc_run(struct __test_metadata *_metadata, unsigned long flags,
		    struct hvlab_stats **stats, struct raw_vm *t)
{
	/* under shadow paging the #PF is the shadow code's, not shown */
	bool trap = flags & HVLAB_VM_TRAP_EXCEPTIONS, pf = trap && !raw_vm_flags();

	ASSERT_EQ(0, tvm_open_flags(t, exc_guest, sizeof(exc_guest), flags));
	memcpy(t->ram + 0x1200, ud_handler, sizeof(ud_handler));
	memcpy(t->ram + 0x1280, pf_handler, sizeof(pf_handler));
	set_gate(t->ram, 6, 0x1200);
	set_gate(t->ram, 14, 0x1280);
	exc_expect(_metadata, t, trap, 6, 0, 0);
	EXPECT_EQ(0x97, run_to_port(t));
	EXPECT_EQ(0x90, run_to_port(t));
	exc_expect(_metadata, t, pf, 14, 1, 0x30000);
	EXPECT_EQ(0x98, run_to_port(t));
	EXPECT_EQ(0x30000, *(unsigned int *)((char *)t->run + t->run->io.data_offset));
	EXPECT_EQ(0x99, run_to_port(t));
	EXPECT_EQ(HVLAB_EXIT_HLT, raw_vm_run(t));
	*stats = (void *)((char *)t->run + HVLAB_STATS_OFFSET);
}

TEST(trapped_exceptions_reach_the_guest_unchanged)
{
	struct hvlab_stats *st;
	const struct hvlab_exit_record *ud = NULL, *pf = NULL;
	/* the record's reason: VMX's 0, or SVM's EXITCODE 0x40 + vector */
	int svm = hvlab_is_svm();
	struct raw_vm t;
	__u64 i;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	/*
	 * without the flag (EPT): the exceptions never leave the guest; on
	 * SVM the #UD exits once into the module, which intercepts every #UD
	 * to turn Intel's VMCALL into a hypercall, and gives it back
	 */
	if (!raw_vm_flags()) {
		exc_run(_metadata, 0, &st, &t);
		EXPECT_EQ(svm ? 1 : 0, st->by_reason[0]);
		raw_vm_close(&t);
	}
	exc_run(_metadata, HVLAB_VM_TRAP_EXCEPTIONS, &st, &t);
	for (i = 0; i < st->head && i < HVLAB_EXIT_RING_SIZE; i++) {
		const struct hvlab_exit_record *e = &st->ring[i];

		if (svm ? (e->reason & ~0x1fu) != 0x40 : e->reason != 0)
			continue;
		if ((e->info & 0xff) == 6)
			ud = e;
		if ((e->info & 0xff) == 14)
			pf = e;
	}
	ASSERT_NE(NULL, ud);
	EXPECT_EQ(0x1000, ud->rip);
	EXPECT_EQ(0x80000306, ud->info);	/* valid, hardware exception, #UD */
	if (raw_vm_flags()) {	/* shadow: the #UD and the shadow code's #PFs */
		EXPECT_LE(2, st->by_reason[0]);
	} else {
		EXPECT_EQ(2, st->by_reason[0]);
		ASSERT_NE(NULL, pf);
		EXPECT_EQ(0x1004, pf->rip);
		/* the address: VMX's qualification, SVM's EXITINFO2 */
		EXPECT_EQ(0x30000, svm ? pf->gpa : pf->qualification);
		EXPECT_EQ(0x80000b0e, pf->info);	/* + error code delivered */
		EXPECT_EQ(0, pf->value);
	}
	raw_vm_close(&t);
}

/*
 * Real mode, IDTR limit 0, then a divide error: delivering #DE reads the
 * IVT beyond its limit (#GP), which makes a double fault, whose delivery
 * fails the same way: a triple fault.  With the exceptions trapped the
 * module merges the #GP into #DF itself, and a real-mode #DF pushes no
 * error code: VM entry refuses an event that delivers one while CR0.PE
 * is clear (SDM Vol. 3 26.2.1.3).  Under shadow paging real mode runs in
 * vm86 and hvlab delivers its events itself (rmode.c), which does not
 * check the IVT limit: the #DE goes through the IVT entry anyway, to an
 * address outside RAM, an internal error where a CPU would shut down.
 * Either way the run must end in a defined exit, never a failed VM entry.
 *
 * lidt [0x1100]; xor ax, ax; div al; hlt
 */
TEST(real_mode_double_fault_carries_no_error_code)
{
	static const unsigned char code[] = {
		0x0f, 0x01, 0x1e, 0x00, 0x11, 0x31, 0xc0, 0xf6, 0xf0, 0xf4,
	};
	struct raw_vm t;
	int i, r = 0;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, raw_vm_create(&t, raw_vm_flags() | HVLAB_VM_TRAP_EXCEPTIONS, RAM));
	memset(t.ram, 0xf4, RAM);
	memcpy(t.ram + 0x1000, code, sizeof(code));
	memset(t.ram + 0x1100, 0, 6);	/* IDTR image: limit 0, base 0 */
	ASSERT_EQ(0, raw_vm_add_vcpu(&t));
	ASSERT_EQ(0, raw_real_mode(t.vcpu, 0x1000));
	for (i = 0; i < 8; i++) {
		r = raw_vm_run(&t);
		if (r != HVLAB_EXIT_EXCEPTION)
			break;
		printf("# exception %u, delivered %u, error code %s\n",
		       t.run->exception.vector, t.run->exception.delivered,
		       t.run->exception.has_error_code ? "yes" : "no");
		/* real mode: no exception delivers an error code */
		EXPECT_EQ(0, t.run->exception.has_error_code);
	}
	printf("# ended with exit reason %d\n", r);
	EXPECT_NE(HVLAB_EXIT_FAIL_ENTRY, r);
	if (raw_vm_flags()) {
		EXPECT_TRUE(r == HVLAB_EXIT_SHUTDOWN ||
			    r == HVLAB_EXIT_INTERNAL_ERROR);
	} else {
		EXPECT_EQ(HVLAB_EXIT_SHUTDOWN, r);
	}
	raw_vm_close(&t);
}

TEST_HARNESS_MAIN
