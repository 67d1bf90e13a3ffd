// SPDX-License-Identifier: GPL-2.0
/*
 * test_host_state.c - state the guest shares with the host CPU, and what
 * a guest must not be able to do to the host through it.
 *
 *  - SWAPGS: KERNEL_GS_BASE is not switched by VMX.  A 64-bit guest sets
 *    its own KERNEL_GS_BASE and GS base, does SWAPGS and reads through GS:
 *    it must see its own value, and the host thread's user GS base must
 *    be the same after the run as before.
 *  - #DB: intercepted (CVE-2015-8104) and reflected; a real-mode guest that
 *    single-steps still reaches its own #DB handler, and the exit counter
 *    shows the exception went through hvlab.
 *  - INVD and WBINVD exit.
 *  - A failed VM entry leaves the VMCS not launched: the next try gives
 *    the same, real error, and the vCPU runs once the state is repaired.
 *
 * The guests are raw code at GPA 0x1000 in a 64 KiB slot; HVLAB_PAGING
 * picks EPT or shadow paging.
 */
#include <asm/prctl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"

#define RAM	0x10000

struct tvm {
	int sys, vm, vcpu;
	unsigned char *ram;
	struct hvlab_run *run;
	size_t map_size;
};

static int tvm_open(struct tvm *t, const unsigned char *code, size_t len)
{
	const char *p = getenv("HVLAB_PAGING");
	unsigned long flags = p && !strcmp(p, "shadow") ?
			      HVLAB_VM_SHADOW_PAGING : 0;
	struct hvlab_memory_region r = { 0 };
	struct hvlab_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct hvlab_sregs s;

	memset(t, 0, sizeof(*t));
	t->sys = hvlab_open_dev();
	if (t->sys < 0)
		return -1;
	t->vm = ioctl(t->sys, HVLAB_CREATE_VM, flags);
	t->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->vm < 0 || t->ram == MAP_FAILED)
		return -1;
	memset(t->ram, 0xf4, RAM);	/* HLT wherever the guest strays */
	memcpy(t->ram + 0x1000, code, len);
	r.size = RAM;
	r.userspace_addr = (unsigned long)t->ram;
	if (ioctl(t->vm, HVLAB_SET_MEMORY_REGION, &r))
		return -1;
	t->vcpu = ioctl(t->vm, HVLAB_CREATE_VCPU, 0);
	if (t->vcpu < 0)
		return -1;
	t->map_size = ioctl(t->sys, HVLAB_GET_VCPU_MMAP_SIZE, 0);
	t->run = mmap(NULL, t->map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      t->vcpu, 0);
	if (t->run == MAP_FAILED || ioctl(t->vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(t->vcpu, HVLAB_SET_SREGS, &s))
		return -1;
	return ioctl(t->vcpu, HVLAB_SET_REGS, &regs);
}

static void tvm_close(struct tvm *t)
{
	munmap(t->run, t->map_size);
	munmap(t->ram, RAM);
	close(t->vcpu);
	close(t->vm);
	close(t->sys);
}

static int run_once(struct tvm *t)
{
	if (ioctl(t->vcpu, HVLAB_RUN, 0))
		return -errno;
	return t->run->exit_reason;
}

static unsigned char io_byte(struct tvm *t)
{
	return ((unsigned char *)t->run)[t->run->io.data_offset];
}

/*
 * 64-bit mode, paging on: identity-mapped 4 KiB pages for the slot, tables
 * at 0x8000 (PML4), 0x9000, 0xa000, 0xb000 (PT).
 */
static int enter_long_mode(struct tvm *t)
{
	struct hvlab_segment code = {
		.limit = 0xffffffff, .selector = 8, .type = 0xb, .s = 1,
		.present = 1, .l = 1, .g = 1,
	};
	struct hvlab_segment data = {
		.limit = 0xffffffff, .selector = 0x10, .type = 0x3, .s = 1,
		.present = 1, .db = 1, .g = 1,
	};
	unsigned long long *pt = (void *)(t->ram + 0x8000);
	struct hvlab_sregs s;
	int i;

	pt[0] = 0x9003;
	pt[512] = 0xa003;
	pt[1024] = 0xb003;
	for (i = 0; i < RAM / 4096; i++)
		pt[1536 + i] = i * 4096ull | 3;
	if (ioctl(t->vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.cr3 = 0x8000;
	s.cr4 = 0x20;			/* PAE */
	s.efer = 0x500;			/* LME, LMA */
	s.cr0 = 0x80000031;		/* PG, NE, ET, PE */
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
	struct tvm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, swapgs_guest, sizeof(swapgs_guest)));
	ASSERT_EQ(0, enter_long_mode(&t));
	t.ram[0x3000] = 0x33;		/* the guest's KERNEL_GS_BASE */
	t.ram[0x4000] = 0x44;		/* the guest's GS base */
	t.ram[0x5000] = 0x55;		/* what the host's user GS base names */
	/* this thread's user GS base: what the host's SWAPGS restores */
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, mine));

	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t));
	EXPECT_EQ(0x33, io_byte(&t));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t));
	EXPECT_EQ(0x40, io_byte(&t));	/* SWAPGS put 0x4000 there */
	ASSERT_EQ(HVLAB_EXIT_HLT, run_once(&t));

	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &after));
	EXPECT_EQ(mine, after);
	/* and the ioctl reads what the guest's SWAPGS left */
	m.entries[0].index = 0xc0000102;
	ASSERT_EQ(1, ioctl(t.vcpu, HVLAB_GET_MSRS, &m));
	EXPECT_EQ(0x4000, m.entries[0].data);
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
	tvm_close(&t);
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
	struct tvm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	st = (void *)((char *)t.run + HVLAB_STATS_OFFSET);
	/* IVT vector 1 -> 0000:1100: out 0x98, al; hlt */
	memcpy(t.ram + 4, "\x00\x11\x00\x00", 4);
	memcpy(t.ram + 0x1100, "\xe6\x98\xf4", 3);
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_REGS, &regs));
	regs.rsp = 0x8000;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_REGS, &regs));

	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t));
	EXPECT_EQ(0x98, t.run->io.port);
	EXPECT_LE(1, st->by_reason[HVLAB_VMX_EXIT_EXCEPTION_NMI]);
	tvm_close(&t);
}

/* An entry that fails on guest state can be retried and repaired. */
TEST(failed_entry_leaves_vmcs_not_launched)
{
	static const unsigned char code[] = { 0xe6, 0x99, 0xf4 };
	struct hvlab_sregs good, bad;
	struct tvm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
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
	ASSERT_EQ(HVLAB_EXIT_FAIL_ENTRY, run_once(&t));
	EXPECT_EQ(HVLAB_VMX_EXIT_INVALID_STATE,
		  t.run->fail_entry.hardware_entry_failure_reason & 0xffff);
	/* the same error again, not "VMRESUME with non-launched VMCS" */
	ASSERT_EQ(HVLAB_EXIT_FAIL_ENTRY, run_once(&t));
	EXPECT_EQ(HVLAB_VMX_EXIT_INVALID_STATE,
		  t.run->fail_entry.hardware_entry_failure_reason & 0xffff);
	EXPECT_EQ(0, t.run->fail_entry.vm_instruction_error);
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &good));
	EXPECT_EQ(HVLAB_EXIT_IO, run_once(&t));
	tvm_close(&t);
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
	struct tvm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, tvm_open(&t, code, sizeof(code)));
	st = (void *)((char *)t.run + HVLAB_STATS_OFFSET);
	/* 16-bit protected mode, CPL 0: vm86 mode would #GP on INVD first */
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_SREGS, &s));
	s.cr0 |= 1;
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(HVLAB_EXIT_IO, run_once(&t));
	EXPECT_EQ(1, st->by_reason[HVLAB_VMX_EXIT_WBINVD]);
	EXPECT_EQ(1, st->by_reason[HVLAB_VMX_EXIT_INVD]);
	tvm_close(&t);
}

TEST_HARNESS_MAIN
