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
 *  - an NMI ignores IF, runs its handler once, and a second NMI queued
 *    while the first handler runs waits for that handler's IRET (NMI
 *    blocking, SDM Vol. 3 6.7.1; virtual NMIs, SDM 25.6.1).
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

/* 64-bit mode, identity-mapped pages, IDT with the two handlers. */
static int tvm_open(struct raw_vm *t, const unsigned char *code, size_t len)
{
	static const unsigned long long gdt[] = {
		0, 0x00209a0000000000ull, 0x0000920000000000ull,
	};
	struct hvlab_regs regs = { .rip = 0x1000, .rsp = 0x7c00, .rflags = 2 };
	struct hvlab_sregs s;

	if (raw_vm_create(t, raw_vm_flags(), RAM))
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

TEST_HARNESS_MAIN
