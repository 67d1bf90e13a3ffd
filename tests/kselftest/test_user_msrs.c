// SPDX-License-Identifier: GPL-2.0
/*
 * test_user_msrs.c - the SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK) and
 * KERNEL_GS_BASE, which VMX does not switch, between guest and host.
 *
 * The module loads the guest's SYSCALL MSRs before an entry and puts the
 * host's back only when the CPU returns to user mode (a user-return
 * notifier, kmod/msr.c); KERNEL_GS_BASE is switched for each stay.  Both
 * directions are checked:
 *
 *  - the host: after a guest wrote all five, the same thread makes real
 *    system calls (SYSCALL and SYSRET use the host's STAR, LSTAR and
 *    SFMASK) and reads its own GS base with arch_prctl(ARCH_GET_GS);
 *  - the guest: after the host thread ran in user mode (which puts the
 *    host's values back), the guest's own SYSCALL lands at its own LSTAR
 *    and keeps the RFLAGS bits its SFMASK leaves (the host's SFMASK
 *    clears DF, the guest's does not).  A stale record of what the CPU
 *    holds would send the guest to the host's system-call entry.
 *
 * Two threads with two VMs whose LSTARs differ, moved between CPUs at
 * every round, check that a vCPU finds the right values on each CPU.  A
 * guest entered with EFER.SCE clear gets none loaded, and must find its
 * own once it sets SCE.
 *
 * Guest: 64-bit mode, code at GPA 0x1000, EFER.SCE set; raw_vm.h.
 */
#include <asm/prctl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "raw_vm.h"

#define RAM		0x10000
#define MSR_STAR	0xc0000081u
#define MSR_LSTAR	0xc0000082u
#define MSR_CSTAR	0xc0000083u
#define MSR_SFMASK	0xc0000084u
#define MSR_KGS_BASE	0xc0000102u
#define GUEST_STAR	0x0010000800000000ull	/* SYSCALL CS 8, SS 0x10 */
#define EFLAGS_DF	0x400

/*
 * The SYSCALL target: pushfq; pop rax; shr eax, 8; out 0x97, al (RFLAGS
 * bits 15:8: DF is bit 2); then back to 0x1000.
 */
static const unsigned char handler[] = {
	0x9c, 0x58, 0xc1, 0xe8, 0x08, 0xe6, 0x97,
	0xb8, 0x00, 0x10, 0x00, 0x00,	/* mov eax, 0x1000 */
	0xff, 0xe0,			/* jmp rax */
};

static int open_64bit(struct raw_vm *t, const unsigned char *code,
		      size_t len, unsigned long lstar)
{
	struct hvlab_sregs s;
	struct hvlab_regs regs;

	if (raw_vm_create(t, raw_vm_flags(), RAM))
		return -1;
	memset(t->ram, 0xf4, RAM);	/* HLT wherever the guest strays */
	memcpy(t->ram + 0x1000, code, len);
	memcpy(t->ram + lstar, handler, sizeof(handler));
	if (raw_vm_add_vcpu(t) || raw_real_mode(t->vcpu, 0x1000))
		return -1;
	raw_identity_map(t->ram, RAM, 7);
	if (ioctl(t->vcpu, HVLAB_GET_SREGS, &s))
		return -1;
	raw_long_mode_sregs(&s);
	s.efer |= 1;			/* SCE: SYSCALL enabled */
	if (ioctl(t->vcpu, HVLAB_SET_SREGS, &s) ||
	    ioctl(t->vcpu, HVLAB_GET_REGS, &regs))
		return -1;
	regs.rsp = 0x7000;
	return ioctl(t->vcpu, HVLAB_SET_REGS, &regs);
}

static int set_msr(int vcpu, unsigned int index, unsigned long long val)
{
	struct hvlab_msrs m = { .nmsrs = 1 };

	m.entries[0].index = index;
	m.entries[0].data = val;
	return ioctl(vcpu, HVLAB_SET_MSRS, &m) == 1 ? 0 : -1;
}

/* What must hold in this thread after the guest ran: see the top. */
static int host_intact(unsigned long gs_base)
{
	unsigned long now = 0;

	if (syscall(SYS_getpid) != getpid() ||
	    syscall(SYS_gettid) <= 0 ||
	    syscall(SYS_arch_prctl, ARCH_GET_GS, &now))
		return 0;
	return now == gs_base;
}

/* The guest writes all five with WRMSR, then exits; then SYSCALL. */
TEST(guest_syscall_msrs_stay_out_of_the_host)
{
	static const unsigned char code[] = {
		0xb9, 0x82, 0x00, 0x00, 0xc0,	/* mov ecx, LSTAR */
		0xb8, 0x00, 0x11, 0x00, 0x00,	/* mov eax, 0x1100 */
		0x31, 0xd2,			/* xor edx, edx */
		0x0f, 0x30,			/* wrmsr */
		0xb9, 0x83, 0x00, 0x00, 0xc0,	/* mov ecx, CSTAR */
		0xb8, 0x00, 0x12, 0x00, 0x00,	/* mov eax, 0x1200 */
		0x0f, 0x30,			/* wrmsr */
		0xb9, 0x84, 0x00, 0x00, 0xc0,	/* mov ecx, SFMASK */
		0x31, 0xc0,			/* xor eax, eax: mask nothing */
		0x0f, 0x30,			/* wrmsr */
		0xb9, 0x02, 0x01, 0x00, 0xc0,	/* mov ecx, KERNEL_GS_BASE */
		0xb8, 0x00, 0x30, 0x00, 0x00,	/* mov eax, 0x3000 */
		0x0f, 0x30,			/* wrmsr */
		0xb9, 0x81, 0x00, 0x00, 0xc0,	/* mov ecx, STAR */
		0x31, 0xc0,			/* xor eax, eax */
		0xba, 0x08, 0x00, 0x10, 0x00,	/* mov edx, 0x00100008 */
		0x0f, 0x30,			/* wrmsr */
		0xe6, 0x99,			/* out 0x99, al */
		0xfd,				/* std */
		0x0f, 0x05,			/* syscall */
		0xf4,
	};
	static const unsigned int idx[] = {
		MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KGS_BASE,
	};
	static const unsigned long long want[] = {
		GUEST_STAR, 0x1100, 0x1200, 0, 0x3000,
	};
	unsigned long mine = 0x5000;
	struct hvlab_msrs m = { .nmsrs = 5 };
	struct raw_vm t;
	int i;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, open_64bit(&t, code, sizeof(code), 0x1100));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, mine));

	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	ASSERT_EQ(0x99, t.run->io.port);
	/* the guest's values are its own, whatever the hardware holds */
	for (i = 0; i < 5; i++)
		m.entries[i].index = idx[i];
	ASSERT_EQ(5, ioctl(t.vcpu, HVLAB_GET_MSRS, &m));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(want[i], m.entries[i].data);
	/* this thread has been to user mode: real system calls work */
	EXPECT_TRUE(host_intact(mine));
	usleep(1000);		/* and to sleep, maybe to another CPU */
	EXPECT_TRUE(host_intact(mine));

	/* the guest's SYSCALL: its LSTAR, its SFMASK (DF kept) */
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x97, t.run->io.port);
	EXPECT_EQ(0x04, raw_vm_io_byte(&t) & 0x04);
	EXPECT_TRUE(host_intact(mine));
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
	raw_vm_close(&t);
}

/*
 * A guest entered with EFER.SCE clear gets no SYSCALL MSRs loaded (it
 * could not use them, kmod/msr.c); once it sets SCE itself, after an exit
 * to userspace put the host's values back, its SYSCALL must still land
 * at its own LSTAR with its own SFMASK.
 */
TEST(syscall_msrs_follow_a_guest_that_sets_efer_sce)
{
	static const unsigned char code[] = {
		0xe6, 0x99,			/* out 0x99, al */
		0xb9, 0x80, 0x00, 0x00, 0xc0,	/* mov ecx, EFER */
		0x0f, 0x32,			/* rdmsr */
		0x83, 0xc8, 0x01,		/* or eax, 1: SCE */
		0x0f, 0x30,			/* wrmsr */
		0xfd,				/* std */
		0x0f, 0x05,			/* syscall */
		0xf4,
	};
	struct hvlab_sregs s;
	struct raw_vm t;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	ASSERT_EQ(0, open_64bit(&t, code, sizeof(code), 0x1100));
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_GET_SREGS, &s));
	s.efer &= ~1ull;		/* SCE clear at the first entry */
	ASSERT_EQ(0, ioctl(t.vcpu, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(0, set_msr(t.vcpu, MSR_LSTAR, 0x1100));
	ASSERT_EQ(0, set_msr(t.vcpu, MSR_STAR, GUEST_STAR));
	ASSERT_EQ(0, set_msr(t.vcpu, MSR_SFMASK, 0));

	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	ASSERT_EQ(0x99, t.run->io.port);
	EXPECT_TRUE(host_intact(0));
	ASSERT_EQ(HVLAB_EXIT_IO, raw_vm_run(&t));
	EXPECT_EQ(0x97, t.run->io.port);
	EXPECT_EQ(0x04, raw_vm_io_byte(&t) & 0x04);
	EXPECT_TRUE(host_intact(0));
	raw_vm_close(&t);
}

struct round_trip {
	unsigned long lstar;	/* 0x1100 or 0x1200: each VM its own */
	unsigned long gs_base;	/* this thread's user GS base */
	int rounds, ncpus;
	int bad_guest, bad_host, errors;
};

/*
 * One thread, one VM: the guest sets DF and executes SYSCALL in a loop;
 * every SYSCALL reaches userspace through the handler's OUT.  Between
 * rounds the thread moves to the next CPU, so both threads' guests take
 * turns on each CPU.
 */
static void *round_trips(void *arg)
{
	static const unsigned char code[] = {
		0xfd,			/* std */
		0x0f, 0x05,		/* syscall */
		0xf4,
	};
	struct round_trip *r = arg;
	struct raw_vm t;
	cpu_set_t set;
	int i;

	memset(&t, 0, sizeof(t));
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, r->gs_base) ||
	    open_64bit(&t, code, sizeof(code), r->lstar) ||
	    set_msr(t.vcpu, MSR_LSTAR, r->lstar) ||
	    set_msr(t.vcpu, MSR_STAR, GUEST_STAR) ||
	    set_msr(t.vcpu, MSR_SFMASK, 0) ||
	    set_msr(t.vcpu, MSR_KGS_BASE, 0x3000 + r->lstar)) {
		r->errors++;
		raw_vm_close(&t);
		return NULL;
	}
	for (i = 0; i < r->rounds; i++) {
		CPU_ZERO(&set);
		CPU_SET((i + (r->lstar == 0x1200)) % r->ncpus, &set);
		sched_setaffinity(0, sizeof(set), &set);
		if (raw_vm_run(&t) != HVLAB_EXIT_IO ||
		    t.run->io.port != 0x97 || !(raw_vm_io_byte(&t) & 0x04))
			r->bad_guest++;
		if (!host_intact(r->gs_base))
			r->bad_host++;
		if (i % 8 == 7)
			sched_yield();
	}
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
	raw_vm_close(&t);
	return NULL;
}

TEST(two_vms_moving_between_cpus_keep_their_own_msrs)
{
	struct round_trip r[2] = {
		{ .lstar = 0x1100, .gs_base = 0x5000 },
		{ .lstar = 0x1200, .gs_base = 0x6000 },
	};
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[2];
	int i;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	for (i = 0; i < 2; i++) {
		r[i].rounds = 64;
		r[i].ncpus = ncpus > 1 ? 2 : 1;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, round_trips, &r[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, r[i].errors);
		EXPECT_EQ(0, r[i].bad_guest);
		EXPECT_EQ(0, r[i].bad_host);
	}
}

TEST_HARNESS_MAIN
