// SPDX-License-Identifier: GPL-2.0
/*
 * test_run_mmio.c - MMIO by the instructions a Linux driver emits beyond a
 * plain MOV (kmod/pure_insn.c decodes them, kmod/exit_io.c emulates them):
 *
 *  - OR, AND and XCHG on a device register are a read then a write: two
 *    HVLAB_EXIT_MMIO exits, the second carrying the combined value; OR and
 *    AND set the flags from the result, XCHG loads the register;
 *  - REP MOVS to a device (memcpy_toio) is one MMIO write per element,
 *    REP MOVS from one (memcpy_fromio) one MMIO read per element, the data
 *    landing in guest RAM; rSI, rDI and rCX end as the CPU leaves them;
 *  - anything else (ADD on a register) stops the vCPU with
 *    HVLAB_INTERNAL_MMIO_DECODE naming the instruction bytes;
 *  - an access outside RAM by an event's delivery (a push on the
 *    handler's stack) is no instruction's: HVLAB_INTERNAL_DELIVERY_EV;
 *  - INS into a device, and an IN whose RIP userspace moved before the
 *    next run: a defined stop, and a dropped completion.
 *
 * The guests are raw 64-bit code at GPA 0x1000 in a 64 KiB slot; GPA
 * 0x20000 (mapped at the same address) has no slot, so it is a device.
 * HVLAB_PAGING picks EPT or shadow paging.
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

#define RAM	0x10000
#define DEV	0x20000

static int tvm_open(struct raw_vm *t, const unsigned char *code, size_t len)
{
	struct hvlab_regs regs = { .rip = 0x1000, .rsp = 0x7c00, .rflags = 2 };
	unsigned long long *pt;
	struct hvlab_sregs s;

	if (raw_vm_create(t, raw_vm_flags(), RAM))
		return -1;
	memset(t->ram, 0xf4, RAM);	/* HLT wherever the guest strays */
	memcpy(t->ram + 0x1000, code, len);
	pt = (void *)(t->ram + 0x8000);
	memset(pt, 0, 0x4000);
	raw_identity_map(t->ram, RAM, 3);
	pt[1536 + DEV / 4096] = DEV | 3;	/* the device page */

	if (raw_vm_add_vcpu(t) || ioctl(t->vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	raw_long_mode_sregs(&s);
	if (ioctl(t->vcpu, HVLAB_SET_SREGS, &s))
		return -1;
	return ioctl(t->vcpu, HVLAB_SET_REGS, &regs);
}

static unsigned long long mmio_value(const struct raw_vm *t)
{
	unsigned long long v = 0;

	memcpy(&v, t->run->mmio.data, t->run->mmio.len);
	return v;
}

/* Expect an MMIO exit at gpa of len bytes; for a read, answer with v. */
#define EXPECT_MMIO(t, gpa, n, write, v) do {				\
	ASSERT_EQ(HVLAB_EXIT_MMIO, raw_vm_run(t));			\
	EXPECT_EQ((gpa), (t)->run->mmio.phys_addr);			\
	EXPECT_EQ((n), (t)->run->mmio.len);				\
	EXPECT_EQ((write), (t)->run->mmio.is_write);			\
	if (write) {							\
		EXPECT_EQ((unsigned long long)(v), mmio_value(t));	\
	} else {							\
		unsigned long long _v = (v);				\
		memcpy((t)->run->mmio.data, &_v, (n));			\
	}								\
} while (0)

#define FLAGS_SF	0x80
#define FLAGS_ZF	0x40

/* mov edx,0x20010; mov eax,0xf; or [rdx],eax; pushfq; pop rbx; out 0x90 */
TEST(or_reads_then_writes_and_sets_flags)
{
	static const unsigned char code[] = {
		0xba, 0x10, 0x00, 0x02, 0x00, 0xb8, 0x0f, 0x00, 0x00, 0x00,
		0x09, 0x02, 0x9c, 0x5b, 0xe6, 0x90, 0xf4,
	};
	struct hvlab_regs regs;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	EXPECT_MMIO(&t, DEV + 0x10, 4, 0, 0x80000100);
	EXPECT_MMIO(&t, DEV + 0x10, 4, 1, 0x8000010f);
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(FLAGS_SF, regs.rbx & (FLAGS_SF | FLAGS_ZF | 1));
	EXPECT_EQ(0x0f, regs.rax);
	raw_vm_close(&t);
}

/* mov edx,0x20020; mov eax,0x11223344; xchg [rdx],eax; out 0x90 */
TEST(xchg_swaps_register_and_device)
{
	static const unsigned char code[] = {
		0xba, 0x20, 0x00, 0x02, 0x00, 0xb8, 0x44, 0x33, 0x22, 0x11,
		0x87, 0x02, 0xe6, 0x90, 0xf4,
	};
	struct hvlab_regs regs;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	EXPECT_MMIO(&t, DEV + 0x20, 4, 0, 0xaabbccdd);
	EXPECT_MMIO(&t, DEV + 0x20, 4, 1, 0x11223344);
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(0xaabbccddull, regs.rax);
	EXPECT_EQ(0x100c, regs.rip);	/* at the OUT */
	raw_vm_close(&t);
}

/* mov edx,0x20030; lock and byte [rdx],0xfe; pushfq; pop rbx; out 0x90 */
TEST(lock_and_byte_immediate)
{
	static const unsigned char code[] = {
		0xba, 0x30, 0x00, 0x02, 0x00, 0xf0, 0x80, 0x22, 0xfe,
		0x9c, 0x5b, 0xe6, 0x90, 0xf4,
	};
	struct hvlab_regs regs;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	EXPECT_MMIO(&t, DEV + 0x30, 1, 0, 0x01);
	EXPECT_MMIO(&t, DEV + 0x30, 1, 1, 0x00);
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(FLAGS_ZF, regs.rbx & (FLAGS_SF | FLAGS_ZF | 1));
	raw_vm_close(&t);
}

/* memcpy_toio: mov esi,0x3000; mov edi,0x20100; mov ecx,3; cld; rep movsd */
TEST(rep_movs_to_a_device)
{
	static const unsigned char code[] = {
		0xbe, 0x00, 0x30, 0x00, 0x00, 0xbf, 0x00, 0x01, 0x02, 0x00,
		0xb9, 0x03, 0x00, 0x00, 0x00, 0xfc, 0xf3, 0xa5, 0xe6, 0x90,
		0xf4,
	};
	static const unsigned int src[] = { 0x11111111, 0x22222222, 0x33333333 };
	struct hvlab_regs regs;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	memcpy(t.ram + 0x3000, src, sizeof(src));
	for (int i = 0; i < 3; i++)
		EXPECT_MMIO(&t, DEV + 0x100 + 4 * i, 4, 1, src[i]);
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(0, regs.rcx);
	EXPECT_EQ(0x300c, regs.rsi);
	EXPECT_EQ(DEV + 0x10c, regs.rdi);
	raw_vm_close(&t);
}

/* memcpy_fromio: mov esi,0x20200; mov edi,0x3100; mov ecx,4; cld; rep movsb */
TEST(rep_movs_from_a_device)
{
	static const unsigned char code[] = {
		0xbe, 0x00, 0x02, 0x02, 0x00, 0xbf, 0x00, 0x31, 0x00, 0x00,
		0xb9, 0x04, 0x00, 0x00, 0x00, 0xfc, 0xf3, 0xa4, 0xe6, 0x90,
		0xf4,
	};
	struct hvlab_regs regs;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	for (int i = 0; i < 4; i++)
		EXPECT_MMIO(&t, DEV + 0x200 + i, 1, 0, 0xa0 + i);
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0, memcmp(t.ram + 0x3100, "\xa0\xa1\xa2\xa3", 4));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(0, regs.rcx);
	EXPECT_EQ(DEV + 0x204, regs.rsi);
	EXPECT_EQ(0x3104, regs.rdi);
	raw_vm_close(&t);
}

/* mov edx,0x20040; add [rdx],eax: not emulated, and the bytes are named */
TEST(other_instructions_name_their_bytes)
{
	static const unsigned char code[] = {
		0xba, 0x40, 0x00, 0x02, 0x00, 0x01, 0x02, 0xf4,
	};
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	ASSERT_EQ(HVLAB_EXIT_INTERNAL_ERROR, raw_vm_run(&t));
	EXPECT_EQ(HVLAB_INTERNAL_MMIO_DECODE, t.run->internal.suberror);
	EXPECT_EQ(4, t.run->internal.ndata);
	EXPECT_EQ(DEV + 0x40, t.run->internal.data[0]);
	/* 01 02 f4, then the HLT filler of the page */
	EXPECT_EQ(0xf4f4f4f4f4f40201ull, t.run->internal.data[1]);
	EXPECT_EQ(15, t.run->internal.data[3]);
	raw_vm_close(&t);
}

/*
 * An access outside RAM by an event's delivery is not the instruction's:
 * real mode (EPT: unrestricted guest), an external interrupt injected
 * before MOV [BX],AL, the stack (SS base DEV) in no slot.  The first push
 * of the delivery faults; the vCPU stops with HVLAB_INTERNAL_DELIVERY_EV
 * naming the push's GPA and the interrupt, and the MOV has not run.
 * Decoding the MOV instead would report it as a device write at the
 * stack's address and step over it.
 */
TEST(event_delivery_outside_ram_is_not_the_instructions)
{
	static const unsigned char code[] = { 0x88, 0x07, 0xf4 };
	struct hvlab_event ev = { .type = HVLAB_EVENT_EXTINT, .vector = 0x20 };
	struct hvlab_regs regs;
	struct hvlab_sregs s;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, raw_vm_create(&t, 0, RAM));	/* EPT in every pass */
	memset(t.ram, 0xf4, RAM);
	memcpy(t.ram + 0x1000, code, sizeof(code));
	memcpy(t.ram + 0x20 * 4, (unsigned char[]){ 0, 0x20, 0, 0 }, 4);
	ASSERT_EQ(0, raw_vm_add_vcpu(&t));
	ASSERT_EQ(0, raw_real_mode(t.vcpu, 0x1000));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_SREGS, &s));
	s.ss.selector = DEV >> 4;
	s.ss.base = DEV;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	regs.rsp = 0x100;
	regs.rbx = 0x500;
	regs.rax = 0x5a;
	regs.rflags = 0x202;			/* IF */
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_REGS, &regs));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_INJECT, &ev));

	ASSERT_EQ(HVLAB_EXIT_INTERNAL_ERROR, raw_vm_run(&t));
	EXPECT_EQ(HVLAB_INTERNAL_DELIVERY_EV, t.run->internal.suberror);
	/* FLAGS goes first, at SS:SP - 2 */
	EXPECT_EQ(DEV + 0xfe, t.run->internal.data[0]);
	/* valid, external interrupt, vector 0x20 (SDM Vol. 3 25.9.3) */
	EXPECT_EQ(0x80000020, t.run->internal.data[1] & 0x80000fff);
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(0x1000, regs.rip);
	EXPECT_EQ(0xf4, t.ram[0x500]);
	raw_vm_close(&t);
}

/*
 * mov edi,0x20000; mov edx,0x60; insb: the IN exits as usual, but its
 * data has nowhere to go.  The next HVLAB_RUN stops the vCPU with an
 * internal error naming the address; it does not fail with EFAULT (no
 * exit reason at all).
 */
TEST(ins_to_a_device_is_a_defined_stop)
{
	static const unsigned char code[] = {
		0xbf, 0x00, 0x00, 0x02, 0x00, 0xba, 0x60, 0x00, 0x00, 0x00,
		0x6c, 0xf4,
	};
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(HVLAB_IO_IN, t.run->io.direction);
	EXPECT_EQ(0x60, t.run->io.port);
	ASSERT_EQ(HVLAB_EXIT_INTERNAL_ERROR, raw_vm_run(&t));
	EXPECT_EQ(HVLAB_INTERNAL_EMULATION, t.run->internal.suberror);
	EXPECT_EQ(DEV, t.run->internal.data[0]);
	raw_vm_close(&t);
}

/*
 * An IN at 0x1000 exits; userspace then moves RIP to 0x1100 (OUT 0xe9,
 * AL).  The IN's completion belongs to the old RIP and is dropped: AL
 * keeps what SET_REGS gave it and no instruction is skipped.  With RIP
 * unchanged (0x1200: IN, OUT) the completion still happens.
 */
TEST(set_regs_moving_rip_abandons_a_pending_in)
{
	static const unsigned char code[] = { 0xe4, 0x80, 0xf4 };
	struct hvlab_regs regs;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	memcpy(t.ram + 0x1100, (unsigned char[]){ 0xe6, 0xe9, 0xf4 }, 3);
	memcpy(t.ram + 0x1200,
	       (unsigned char[]){ 0xe4, 0x80, 0xe6, 0xe9, 0xf4 }, 5);

	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(HVLAB_IO_IN, t.run->io.direction);
	((unsigned char *)t.run)[t.run->io.data_offset] = 0x77;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	regs.rip = 0x1100;
	regs.rax = 0x11;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_REGS, &regs));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0xe9, t.run->io.port);
	EXPECT_EQ(0x11, raw_vm_io_byte(&t));

	/* the same RIP written back: the IN completes */
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	regs.rip = 0x1200;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_REGS, &regs));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x80, t.run->io.port);
	((unsigned char *)t.run)[t.run->io.data_offset] = 0x66;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_REGS, &regs));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0xe9, t.run->io.port);
	EXPECT_EQ(0x66, raw_vm_io_byte(&t));
	raw_vm_close(&t);
}

TEST_HARNESS_MAIN
