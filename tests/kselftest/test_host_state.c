// SPDX-License-Identifier: GPL-2.0
/*
 * test_host_state.c - state the guest shares with the host CPU, and what
 * a guest must not be able to do to the host through it.
 *
 *  - SWAPGS: KERNEL_GS_BASE is not switched by VMX.  A 64-bit guest sets
 *    its own KERNEL_GS_BASE and GS base, does SWAPGS and reads through GS:
 *    it must see its own value, and the host thread's user GS base must
 *    be the same after the run as before.
 *  - #DB and #AC: intercepted (CVE-2015-8104, CVE-2015-5307) and
 *    reflected; a real-mode guest that single-steps, and a 64-bit guest
 *    that makes a misaligned access at CPL 3, still reach their own
 *    handlers, and the exit counter shows the exception went through hvlab.
 *  - INVD and WBINVD exit.
 *  - A failed VM entry leaves the VMCS not launched: the next try gives
 *    the same, real error, and the vCPU runs once the state is repaired.
 *  - An injected event the CPU refuses can be dropped by userspace
 *    (HVLAB_EVENT_CLEAR), after which the vCPU runs.
 *  - Debug registers: a guest reads its own DR0, its own breakpoint fires
 *    at its own address, what it writes to DR0-3 and DR7 reads back, and
 *    a hardware breakpoint of the host thread still fires after the run.
 *  - LDTR: a VM exit loads a null LDTR; a host process with an LDT
 *    (modify_ldt) still has it after running a guest.
 *  - What the guest cannot reach, so nothing needs switching: RDTSCP and
 *    RDPID #UD, TSC_AUX, SPEC_CTRL and PRED_CMD #GP, CR4.PKE #GP, a
 *    non-zero DEBUGCTL #GP.
 *
 * The guests are raw code at GPA 0x1000 in a 64 KiB slot; HVLAB_PAGING
 * picks EPT or shadow paging.
 */
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <cpuid.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "raw_vm.h"

#define RAM	0x10000

static int tvm_open(struct raw_vm *t, const unsigned char *code, size_t len)
{
	if (raw_vm_create(t, raw_vm_flags(), RAM))
		return -1;
	memset(t->ram, 0xf4, RAM);	/* HLT wherever the guest strays */
	memcpy(t->ram + 0x1000, code, len);
	if (raw_vm_add_vcpu(t))
		return -1;
	return raw_real_mode(t->vcpu, 0x1000);
}

/*
 * 64-bit mode, paging on: identity-mapped 4 KiB user pages for the slot,
 * tables at 0x8000 (PML4), 0x9000, 0xa000, 0xb000 (PT).
 */
static int enter_long_mode(struct raw_vm *t)
{
	struct hvlab_sregs s;

	raw_identity_map(t->ram, RAM, 7);	/* present, writable, user */
	if (ioctl(t->vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	raw_long_mode_sregs(&s);
	return ioctl(t->vcpu, HVLAB_SET_SREGS, &s);
}

static const unsigned char swapgs_guest[] = {
	0xb9, 0x02, 0x01, 0x00, 0xc0,	/* mov ecx, KERNEL_GS_BASE */
	0xb8, 0x00, 0x30, 0x00, 0x00,	/* mov eax, 0x3000 */
	0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,			/* wrmsr */
	0xb9, 0x01, 0x01, 0x00, 0xc0,	/* mov ecx, GS_BASE */
	0xb8, 0x00, 0x40, 0x00, 0x00,	/* mov eax, 0x4000 */
	0x0f, 0x30,			/* wrmsr */
	0x0f, 0x01, 0xf8,		/* swapgs */
	0x65, 0x8a, 0x04, 0x25, 0, 0, 0, 0,	/* mov al, gs:[0] */
	0xe6, 0x99,			/* out 0x99, al: 0x33 */
	0xb9, 0x02, 0x01, 0x00, 0xc0,	/* mov ecx, KERNEL_GS_BASE */
	0x0f, 0x32,			/* rdmsr */
	0xc1, 0xe8, 0x08,		/* shr eax, 8 */
	0xe6, 0x99,			/* out 0x99, al: 0x40 */
	0xf4,				/* hlt */
};

/* The guest's SWAPGS uses the guest's KERNEL_GS_BASE, never the host's. */
TEST(swapgs_sees_guest_value_and_spares_the_host)
{
	unsigned long mine = 0x5000, after = 0;
	struct hvlab_msrs m = { .nmsrs = 1 };
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, swapgs_guest, sizeof(swapgs_guest)));
	ASSERT_EQ(0, enter_long_mode(&t));
	t.ram[0x3000] = 0x33;		/* the guest's KERNEL_GS_BASE */
	t.ram[0x4000] = 0x44;		/* the guest's GS base */
	t.ram[0x5000] = 0x55;		/* what the host's user GS base names */
	/* this thread's user GS base: what the host's SWAPGS restores */
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, mine));

	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x33, raw_vm_io_byte(&t));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x40, raw_vm_io_byte(&t));	/* SWAPGS put 0x4000 there */
	ASSERT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));

	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &after));
	EXPECT_EQ(mine, after);
	/* and the ioctl reads what the guest's SWAPGS left */
	m.entries[0].index = 0xc0000102;
	ASSERT_EQ(1, ioctl(t.vcpu, HVLAB_GET_MSRS, &m));
	EXPECT_EQ(0x4000, m.entries[0].data);
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
	raw_vm_close(&t);
}

/*
 * #AC: a 64-bit guest drops to CPL 3 with CR0.AM and RFLAGS.AC set and does
 * a misaligned load.  Its #AC handler (IDT at 0x2000, vector 17 -> 0x1100,
 * stack from the TSS at 0x7000) must run, through an exception exit.
 * GDT at 0x6000: 8 kernel code, 0x1b user data, 0x23 user code.
 */
TEST(alignment_check_is_intercepted_and_reflected)
{
	static const unsigned char code[] = {
		0x6a, 0x1b,			/* push 0x1b (SS) */
		0x68, 0x00, 0x78, 0, 0,		/* push 0x7800 (RSP) */
		0x68, 0x02, 0x30, 0x04, 0,	/* push 0x43002 (AC, IOPL 3) */
		0x6a, 0x23,			/* push 0x23 (CS) */
		0x68, 0x00, 0x12, 0, 0,		/* push 0x1200 (RIP) */
		0x48, 0xcf,			/* iretq */
	};
	static const unsigned long long gdt[] = {
		0, 0x00209a0000000000ull, 0x0000920000000000ull,
		0x0000f20000000000ull, 0x0020fa0000000000ull,
	};
	struct hvlab_stats *st;
	struct hvlab_sregs s;
	struct hvlab_regs regs;
	unsigned int *gate;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	st = (void *)((char *)t.run + HVLAB_STATS_OFFSET);
	ASSERT_EQ(0, enter_long_mode(&t));
	memcpy(t.ram + 0x6000, gdt, sizeof(gdt));
	/*
	 * CPL 3: mov eax, [0x3001]; out 0x97, al (no #AC: IOPL 3 allows it).
	 * The #AC handler: out 0x98, al; hlt.
	 */
	memcpy(t.ram + 0x1200, "\x8b\x04\x25\x01\x30\x00\x00\xe6\x97", 9);
	memcpy(t.ram + 0x1100, "\xe6\x98\xf4", 3);
	gate = (unsigned int *)(t.ram + 0x2000 + 17 * 16);
	gate[0] = 8 << 16 | 0x1100;	/* selector 8, offset 15:0 */
	gate[1] = 0x8e00;		/* present, DPL 0, interrupt gate */
	gate[2] = gate[3] = 0;
	*(unsigned long long *)(t.ram + 0x7004) = 0x7e00;	/* TSS.RSP0 */

	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_SREGS, &s));
	s.cr0 |= 1u << 18;		/* AM */
	s.gdt.base = 0x6000;
	s.gdt.limit = sizeof(gdt) - 1;
	s.idt.base = 0x2000;
	s.idt.limit = 0xfff;
	s.tr.base = 0x7000;
	s.tr.limit = 0x67;
	s.tr.selector = 0x28;
	s.tr.type = 0xb;
	s.tr.s = 0;
	s.tr.present = 1;
	s.tr.g = 0;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	regs.rsp = 0x7c00;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_REGS, &regs));

	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	if (t.run->io.port == 0x97) {
		raw_vm_close(&t);
		SKIP(return, "this CPU model raised no #AC at all");
	}
	EXPECT_EQ(0x98, t.run->io.port);
	EXPECT_LE(1, st->by_reason[HVLAB_VMX_EXIT_EXCEPTION_NMI]);
	raw_vm_close(&t);
}

/* Single-stepping real-mode code: the guest's #DB handler still runs. */
TEST(debug_exception_is_intercepted_and_reflected)
{
	static const unsigned char code[] = {
		0x9c,			/* pushf */
		0x58,			/* pop ax */
		0x0d, 0x00, 0x01,	/* or ax, 0x100 (TF) */
		0x50,			/* push ax */
		0x9d,			/* popf */
		0x90,			/* nop: #DB after it */
		0x90,
		0xe6, 0x97,		/* out 0x97: the trap was lost */
		0xf4,
	};
	struct hvlab_stats *st;
	struct hvlab_regs regs;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	st = (void *)((char *)t.run + HVLAB_STATS_OFFSET);
	/* IVT vector 1 -> 0000:1100: out 0x98, al; hlt */
	memcpy(t.ram + 4, "\x00\x11\x00\x00", 4);
	memcpy(t.ram + 0x1100, "\xe6\x98\xf4", 3);
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	regs.rsp = 0x8000;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_REGS, &regs));

	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x98, t.run->io.port);
	EXPECT_LE(1, st->by_reason[HVLAB_VMX_EXIT_EXCEPTION_NMI]);
	raw_vm_close(&t);
}

/* An entry that fails on guest state can be retried and repaired. */
TEST(failed_entry_leaves_vmcs_not_launched)
{
	static const unsigned char code[] = { 0xe6, 0x99, 0xf4 };
	struct hvlab_sregs good, bad;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	/* VMRUN does not check TR's type (AMD APM Vol. 2 15.5.1) */
	HVLAB_SKIP_ON_SVM();
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_SREGS, &good));
	bad = good;
	/*
	 * SDM 26.3.1.2: TR must be a TSS.  Protected mode, so that shadow
	 * paging does not swap in vm86 mode's own TSS (rmode.c).
	 */
	bad.cr0 |= 1;
	bad.tr.type = 0;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &bad));
	ASSERT_EQ(HVLAB_EXIT_FAIL_ENTRY, raw_vm_run(&t));
	EXPECT_EQ(HVLAB_VMX_EXIT_INVALID_STATE,
		  t.run->fail_entry.hardware_entry_failure_reason & 0xffff);
	/* the same error again, not "VMRESUME with non-launched VMCS" */
	ASSERT_EQ(HVLAB_EXIT_FAIL_ENTRY, raw_vm_run(&t));
	EXPECT_EQ(HVLAB_VMX_EXIT_INVALID_STATE,
		  t.run->fail_entry.hardware_entry_failure_reason & 0xffff);
	EXPECT_EQ(0, t.run->fail_entry.vm_instruction_error);
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &good));
	EXPECT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	raw_vm_close(&t);
}

/*
 * An event the CPU refuses: #BP with an error code in protected mode
 * (SDM Vol. 3 26.2.1.3: only vectors 8, 10-14 and 17 deliver one).  Every
 * entry fails with it until userspace drops it with HVLAB_EVENT_CLEAR.
 */
TEST(refused_event_can_be_cleared)
{
	static const unsigned char code[] = { 0xe6, 0x99, 0xf4 };
	struct hvlab_event bad = {
		.type = HVLAB_EVENT_EXCEPTION, .vector = 3,
		.has_error_code = 1,
	};
	struct hvlab_event clear = { .type = HVLAB_EVENT_CLEAR };
	struct hvlab_sregs s;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	/*
	 * VMRUN does not refuse the event: the guest takes it, and with no
	 * IDT the triple fault resets Bochs's whole machine on SVM.
	 */
	HVLAB_SKIP_ON_SVM();
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	/* 16-bit protected mode: vm86 mode would deliver it by hand */
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_SREGS, &s));
	s.cr0 |= 1;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &s));
	/* nothing pending: clearing is harmless; stray fields are not */
	EXPECT_EQ(0, ioctl(t.vcpu, HVLAB_INJECT, &clear));
	clear.vector = 1;
	EXPECT_EQ(-1, ioctl(t.vcpu, HVLAB_INJECT, &clear));
	EXPECT_EQ(EINVAL, errno);
	clear.vector = 0;

	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_INJECT, &bad));
	ASSERT_EQ(HVLAB_EXIT_FAIL_ENTRY, raw_vm_run(&t));
	EXPECT_EQ(7, t.run->fail_entry.vm_instruction_error);
	/* the event stays in the VMCS: the same failure again */
	ASSERT_EQ(HVLAB_EXIT_FAIL_ENTRY, raw_vm_run(&t));
	EXPECT_EQ(7, t.run->fail_entry.vm_instruction_error);

	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_INJECT, &clear));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x99, t.run->io.port);

	/* a queued event not yet written to the VMCS is dropped too */
	bad.type = HVLAB_EVENT_EXTINT;
	bad.vector = 0x20;
	bad.has_error_code = 0;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_INJECT, &bad));
	EXPECT_EQ(-1, ioctl(t.vcpu, HVLAB_INJECT, &bad));	/* still queued */
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_INJECT, &clear));
	EXPECT_EQ(0, ioctl(t.vcpu, HVLAB_INJECT, &bad));
	raw_vm_close(&t);
}

/* INVD and WBINVD exit (and are skipped): the caches are the host's. */
TEST(invd_and_wbinvd_exit)
{
	static const unsigned char code[] = {
		0x0f, 0x09,		/* wbinvd */
		0x0f, 0x08,		/* invd */
		0xe6, 0x99,		/* out 0x99, al */
		0xf4,
	};
	struct hvlab_stats *st;
	struct hvlab_sregs s;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	st = (void *)((char *)t.run + HVLAB_STATS_OFFSET);
	/* 16-bit protected mode, CPL 0: vm86 mode would #GP on INVD first */
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_SREGS, &s));
	s.cr0 |= 1;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(1, st->by_reason[HVLAB_VMX_EXIT_WBINVD]);
	EXPECT_EQ(1, st->by_reason[HVLAB_VMX_EXIT_INVD]);
	raw_vm_close(&t);
}

/*
 * 64-bit mode with an IDT at 0x2000 whose gates (selector 8, GDT at
 * 0x6000) send vector v (0-15) to the handler at 0x1100 + 0x10 * v,
 * which reports v through port 0x98.  The code under test is at 0x1200.
 */
static int exception_guest(struct raw_vm *t, const unsigned char *code,
			   size_t len)
{
	static const unsigned long long gdt[] = {
		0, 0x00209a0000000000ull, 0x0000920000000000ull,
	};
	struct hvlab_regs regs;
	struct hvlab_sregs s;
	static const unsigned char hlt[] = { 0xf4 };
	unsigned int v, *gate;

	if (tvm_open(t, hlt, sizeof(hlt)) || enter_long_mode(t))
		return -1;
	memcpy(t->ram + 0x6000, gdt, sizeof(gdt));
	for (v = 0; v < 16; v++) {
		unsigned char *h = t->ram + 0x1100 + 0x10 * v;

		/* mov al, v; out 0x98, al; hlt -- one handler per vector */
		h[0] = 0xb0;
		h[1] = v;
		memcpy(h + 2, "\xe6\x98\xf4", 3);
		gate = (unsigned int *)(t->ram + 0x2000 + v * 16);
		gate[0] = 8 << 16 | (0x1100 + 0x10 * v);
		gate[1] = 0x8e00;
		gate[2] = gate[3] = 0;
	}
	memcpy(t->ram + 0x1200, code, len);
	if (ioctl(t->vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	s.gdt.base = 0x6000;
	s.gdt.limit = sizeof(gdt) - 1;
	s.idt.base = 0x2000;
	s.idt.limit = 16 * 16 - 1;
	if (ioctl(t->vcpu, HVLAB_SET_SREGS, &s) ||
	    ioctl(t->vcpu, HVLAB_GET_REGS, &regs))
		return -1;
	regs.rip = 0x1200;
	regs.rsp = 0x7c00;
	return ioctl(t->vcpu, HVLAB_SET_REGS, &regs);
}

/* Run from 0x1200 with RCX = rcx: the vector reported, or 0 for none. */
static int fault_of(struct raw_vm *t, unsigned long rcx)
{
	struct hvlab_regs regs;

	if (ioctl(t->vcpu, HVLAB_GET_REGS, &regs))
		return -1;
	regs.rip = 0x1200;
	regs.rsp = 0x7c00;
	regs.rcx = rcx;
	regs.rflags = 2;
	if (ioctl(t->vcpu, HVLAB_SET_REGS, &regs) ||
	    raw_vm_run(t) != HVLAB_EXIT_IO)
		return -1;
	return t->run->io.port == 0x98 ? raw_vm_io_byte(t) : 0;
}

static volatile char host_watched;

/*
 * A hardware breakpoint of the calling thread on writes to host_watched,
 * through perf: the kernel then owns DR0-3 and DR7 for it.
 */
static int host_breakpoint_open(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W, .bp_len = HW_BREAKPOINT_LEN_1,
		.bp_addr = (unsigned long)&host_watched,
		.exclude_kernel = 1, .exclude_hv = 1,
	};

	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

/* Write host_watched once more; how many writes the breakpoint has seen. */
static long long host_write_count(int bp)
{
	unsigned long long count = 0;

	host_watched++;
	if (read(bp, &count, sizeof(count)) != sizeof(count))
		return -1;
	return count;
}

/*
 * Debug registers.  The host thread watches a variable with a hardware
 * breakpoint (perf, so the kernel owns DR0-3 and DR7 for it).  The guest
 * reads DR0 -- its own value, 0 -- then sets a write breakpoint at GPA
 * 0x3000 and writes there: its #DB handler must run, which needs the
 * guest's DR0 in the hardware, not the host's.  After the run the host's
 * breakpoint must still count the host's writes.
 */
TEST(debug_registers_are_the_guests_and_host_breakpoints_survive)
{
	static const unsigned char code[] = {
		0x0f, 0x21, 0xc0,		/* mov rax, dr0 */
		0xe6, 0x99,			/* out 0x99, al: 0 */
		0xb8, 0x00, 0x30, 0x00, 0x00,	/* mov eax, 0x3000 */
		0x0f, 0x23, 0xc0,		/* mov dr0, rax */
		0xb8, 0x01, 0x00, 0x01, 0x00,	/* mov eax, 0x10001: L0, W */
		0x0f, 0x23, 0xf8,		/* mov dr7, rax */
		0x88, 0x04, 0x25, 0x00, 0x30, 0, 0,	/* mov [0x3000], al */
		0xe6, 0x97,			/* out 0x97: no #DB */
		0xf4,
	};
	struct raw_vm t;
	int bp;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	bp = host_breakpoint_open();
	if (bp < 0)
		SKIP(return, "no hardware breakpoints here (errno %d)", errno);
	ASSERT_EQ(1, host_write_count(bp));

	ASSERT_EQ(0, exception_guest(&t, code, sizeof(code)));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x99, t.run->io.port);
	EXPECT_EQ(0, raw_vm_io_byte(&t));	/* never the host's DR0 */
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x98, t.run->io.port);	/* the guest's #DB ran */
	EXPECT_EQ(1, raw_vm_io_byte(&t));

	EXPECT_EQ(2, host_write_count(bp));	/* the host's breakpoint */
	close(bp);
	raw_vm_close(&t);
}

/*
 * All four address registers and DR7 are the guest's: it writes DR0-3
 * with four addresses and DR7 with their four local enables (execution
 * breakpoints it never reaches), reads each back into a GPR and halts.
 * The values must come back as written (DR7 with its fixed bit 10), and
 * the host thread's hardware breakpoint, in the host's DR0 and DR7
 * while the guest's are loaded for the run, must still count after it.
 */
TEST(debug_registers_read_back_and_the_hosts_stay)
{
	static const unsigned char code[] = {
		0x48, 0xb8, 0x00, 0xa0, 0x00, 0x10, 0, 0, 0, 0,	/* mov rax, A0 */
		0x0f, 0x23, 0xc0,				/* mov dr0, rax */
		0x48, 0xb8, 0x00, 0xb0, 0x00, 0x20, 0, 0, 0, 0,	/* mov rax, A1 */
		0x0f, 0x23, 0xc8,				/* mov dr1, rax */
		0x48, 0xb8, 0x00, 0xc0, 0x00, 0x30, 0, 0, 0, 0,	/* mov rax, A2 */
		0x0f, 0x23, 0xd0,				/* mov dr2, rax */
		0x48, 0xb8, 0x00, 0xd0, 0x00, 0x40, 0, 0, 0, 0,	/* mov rax, A3 */
		0x0f, 0x23, 0xd8,				/* mov dr3, rax */
		0xb8, 0x55, 0x01, 0x00, 0x00,	/* mov eax, 0x155: L0-3, LE */
		0x0f, 0x23, 0xf8,		/* mov dr7, rax */
		0x0f, 0x21, 0xc3,		/* mov rbx, dr0 */
		0x0f, 0x21, 0xc9,		/* mov rcx, dr1 */
		0x0f, 0x21, 0xd2,		/* mov rdx, dr2 */
		0x0f, 0x21, 0xde,		/* mov rsi, dr3 */
		0x0f, 0x21, 0xff,		/* mov rdi, dr7 */
		0xf4,				/* hlt */
	};
	struct hvlab_regs regs;
	struct raw_vm t;
	int bp;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	bp = host_breakpoint_open();
	if (bp < 0)
		SKIP(return, "no hardware breakpoints here (errno %d)", errno);
	ASSERT_EQ(1, host_write_count(bp));

	ASSERT_EQ(0, exception_guest(&t, code, sizeof(code)));
	ASSERT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(0x1000a000ull, regs.rbx);
	EXPECT_EQ(0x2000b000ull, regs.rcx);
	EXPECT_EQ(0x3000c000ull, regs.rdx);
	EXPECT_EQ(0x4000d000ull, regs.rsi);
	EXPECT_EQ(0x555ull, regs.rdi);
	/* a second run with the guest's breakpoints still enabled */
	ASSERT_EQ(HVLAB_EXIT_HLT, raw_vm_run(&t));

	EXPECT_EQ(2, host_write_count(bp));	/* the host's breakpoint */
	close(bp);
	raw_vm_close(&t);
}

/* LAR on LDT entry 0 (selector 7): does this CPU hold our LDT? */
static int ldt_entry_usable(void)
{
	unsigned long sel = 7, ar = 0;
	unsigned char ok;

	__asm__ __volatile__("lar %2, %1\n\tsetz %0" : "=q" (ok), "=r" (ar)
		     : "r" (sel) : "cc");
	return ok;
}

/*
 * A VM exit loads LDTR with a null selector (SDM Vol. 3 28.5.2): the
 * module must load the host's LDT again, or a process with one (Wine,
 * DOSEMU) loses it until its next context switch.
 */
TEST(host_ldt_survives_a_guest)
{
	static const unsigned char code[] = {
		0xe6, 0x99,		/* out 0x99, al */
		0xeb, 0xfc,		/* jmp back to it */
	};
	struct user_desc d = {
		.entry_number = 0, .limit = 0xfffff, .seg_32bit = 1,
		.limit_in_pages = 1, .useable = 1,
	};
	struct raw_vm t;
	int i, lost = 0;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)))
		SKIP(return, "modify_ldt: errno %d", errno);
	ASSERT_EQ(1, ldt_entry_usable());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
		lost += !ldt_entry_usable();
	}
	EXPECT_EQ(0, lost);
	raw_vm_close(&t);
}

/*
 * TSC_AUX, SPEC_CTRL, PKRU: VMX switches none of them, and hvlab does not
 * either, because the guest can neither read nor write them (see
 * docs/security.md).  Each way in faults.
 */
TEST(unswitched_state_is_out_of_the_guests_reach)
{
	static const unsigned char rdtscp[] = { 0x0f, 0x01, 0xf9, 0xe6, 0x97, 0xf4 };
	static const unsigned char rdpid[] = {
		0xf3, 0x0f, 0xc7, 0xf8, 0xe6, 0x97, 0xf4,	/* rdpid rax */
	};
	static const unsigned char rdmsr[] = { 0x0f, 0x32, 0xe6, 0x97, 0xf4 };
	static const unsigned char wrmsr[] = {
		0xb8, 0x01, 0, 0, 0,		/* mov eax, 1 */
		0x31, 0xd2,			/* xor edx, edx */
		0x0f, 0x30, 0xe6, 0x97, 0xf4,	/* wrmsr */
	};
	static const unsigned char pke[] = {
		0x0f, 0x20, 0xe0,		/* mov rax, cr4 */
		0x48, 0x0d, 0x00, 0x00, 0x40, 0x00,	/* or rax, 1 << 22 */
		0x0f, 0x22, 0xe0,		/* mov cr4, rax */
		0xe6, 0x97, 0xf4,
	};
	static const struct {
		const unsigned char *code;
		size_t len;
		unsigned long rcx;
		int vector;
		const char *what;
	} probes[] = {
		{ rdtscp, sizeof(rdtscp), 0, 6, "RDTSCP" },
		{ rdpid, sizeof(rdpid), 0, 6, "RDPID" },
		{ rdmsr, sizeof(rdmsr), 0xc0000103, 13, "RDMSR TSC_AUX" },
		{ wrmsr, sizeof(wrmsr), 0xc0000103, 13, "WRMSR TSC_AUX" },
		{ rdmsr, sizeof(rdmsr), 0x48, 13, "RDMSR SPEC_CTRL" },
		{ wrmsr, sizeof(wrmsr), 0x48, 13, "WRMSR SPEC_CTRL" },
		{ wrmsr, sizeof(wrmsr), 0x49, 13, "WRMSR PRED_CMD" },
		{ wrmsr, sizeof(wrmsr), 0x1d9, 13, "WRMSR DEBUGCTL 1" },
		{ pke, sizeof(pke), 0, 13, "MOV CR4.PKE" },
	};
	struct raw_vm t;
	size_t i;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		ASSERT_EQ(0, exception_guest(&t, probes[i].code,
					     probes[i].len));
		EXPECT_EQ(probes[i].vector, fault_of(&t, probes[i].rcx))
			TH_LOG("%s", probes[i].what);
		raw_vm_close(&t);
	}
	/* DEBUGCTL reads 0: the guest's own, never the host's */
	ASSERT_EQ(0, exception_guest(&t, rdmsr, sizeof(rdmsr)));
	EXPECT_EQ(0, fault_of(&t, 0x1d9));
	EXPECT_EQ(0x97, t.run->io.port);
	EXPECT_EQ(0, raw_vm_io_byte(&t));
	raw_vm_close(&t);
}

/* RDTSCP in the host: ECX is this CPU's TSC_AUX (Linux: node << 12 | CPU) */
static unsigned int host_tsc_aux(void)
{
	unsigned int lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux));
	return aux;
}

/*
 * TSC_AUX on a CPU whose value is not 0.  VMX hides it behind "enable
 * RDTSCP" (RDPID #UDs); SVM cannot intercept RDPID, so on a CPU with
 * RDPID the module gives the guest 0 for the run and puts the host's
 * value back before the host can read it (kmod/svm.c, run_once).  The
 * guest sees #UD or 0, never the host's CPU number, and the host's RDTSCP
 * on the same CPU reads its own value after the run.
 */
TEST(tsc_aux_is_not_the_hosts_in_the_guest)
{
	static const unsigned char rdpid[] = {
		0x31, 0xc0,				/* xor eax, eax */
		0xf3, 0x0f, 0xc7, 0xf8, 0xe6, 0x97, 0xf4,	/* rdpid rax */
	};
	unsigned int a, b, c, d, before;
	struct raw_vm t;
	cpu_set_t set;
	int cpu, i;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(d & (1u << 27)))
		SKIP(return, "the host CPU has no RDTSCP: no TSC_AUX to read");
	cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	if (cpu < 1)
		SKIP(return, "one CPU: its TSC_AUX is 0, as the guest's");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	before = host_tsc_aux();
	ASSERT_EQ((unsigned int)cpu, before & 0xfff);
	for (i = 0; i < 3; i++) {
		int f;

		ASSERT_EQ(0, exception_guest(&t, rdpid, sizeof(rdpid)));
		f = fault_of(&t, 0);
		if (f == 0) {	/* it ran: the guest's own value */
			EXPECT_EQ(0x97, t.run->io.port);
			EXPECT_EQ(0, raw_vm_io_byte(&t));
		} else {
			EXPECT_EQ(6, f);
		}
		raw_vm_close(&t);
		EXPECT_EQ(before, host_tsc_aux());
	}
	CPU_ZERO(&set);
	for (i = 0; i <= cpu; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

TEST_HARNESS_MAIN
