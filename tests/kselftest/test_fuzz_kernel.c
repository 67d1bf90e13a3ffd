// SPDX-License-Identifier: GPL-2.0
/*
 * test_fuzz_kernel.c - the kernel fuzzer: hostile userspace and hostile
 * guests against the module, with the host's health checked afterwards.
 *
 *  - ioctl_storm: several threads share one table of /dev/hvlab, VM and
 *    vCPU fds and make random calls on them, with typed arguments
 *    (syzkaller-style: valid, boundary and garbage values for each field):
 *    create and close races, HVLAB_RUN while another thread closes the fd
 *    or changes the memory slots, bad sizes and pointers (NULL, unmapped,
 *    kernel addresses), unknown ioctl numbers, mmap and munmap of the run
 *    page with any length, offset and protection.
 *  - random_guests: random instruction sequences, built from a table of
 *    interesting instructions (privileged, port and MMIO accesses, MSRs,
 *    control and debug registers, INT n, exceptions, VMX instructions) and
 *    random bytes, run in real, 32-bit protected and 64-bit long mode,
 *    half of them with HVLAB_VM_TRAP_EXCEPTIONS.  Every run must end in
 *    one of the uapi's exit reasons or in EINTR.
 *
 * Oracles catch what leaves the host quiet: GET/SET_MSRS and
 * SET_MEMORY_REGION results checked against the uapi's bounds; a canary
 * at the start of every guest (its number, written to a port) while the
 * guests' RAM slot moves between two buffers, so a guest that runs a
 * replaced slot's pages is seen; and the vectors every run raises must
 * reach userspace in the VMs that trap exceptions.
 *
 * A thread sends every worker a signal every few milliseconds, so a guest
 * that loops ends its HVLAB_RUN with EINTR; the tests measure nothing in
 * time.  After each test every fd is closed, and the test checks what a
 * leak would show: the process's fd count and locked_vm (pinned guest
 * pages are charged there, kmod/ept.c) back to where they were, the
 * module's reference count back to its value before, and no
 * Oops/WARNING/BUG line added to the kernel log.
 *
 * Seeded and replayable: HVLAB_FUZZ_SEED (default 1) seeds each thread's
 * generator (seed + thread number), HVLAB_FUZZ_SCALE (default 1) multiplies
 * the number of calls and guests; both are printed first.  The calls of
 * one thread replay exactly; how the threads interleave does not.
 * `make fuzz-kernel` runs this program alone with a larger scale.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"
#include "raw_vm.h"

#define NTHREADS	4
#define NOBJ		24
#define GUEST_RAM	0x10000

static unsigned long fuzz_seed, fuzz_scale;

static void fuzz_params(void)
{
	fuzz_seed = strtoul(hvlab_env("HVLAB_FUZZ_SEED", "1"), NULL, 0);
	fuzz_scale = strtoul(hvlab_env("HVLAB_FUZZ_SCALE", "1"), NULL, 0);
	if (!fuzz_scale)
		fuzz_scale = 1;
	printf("# fuzz: HVLAB_FUZZ_SEED=%lu HVLAB_FUZZ_SCALE=%lu\n",
	       fuzz_seed, fuzz_scale);
}

/* xorshift64*: small, and the same sequence on every machine */
static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static unsigned long long pick(unsigned long long *s, unsigned long long n)
{
	return rnd(s) % n;
}

/* ---- the host's health ------------------------------------------------ */

struct health {
	int fds;
	long locked_kb;
	long refcnt;
	int bad_klog;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;		/* the DIR's own fd */
}

static long module_refcnt(void)
{
	long v = -1;
	FILE *f = fopen("/sys/module/hvlab/refcnt", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Lines of the kernel log that the suite's kernel-log check rejects. */
static int bad_klog_lines(void)
{
	static const char *const bad[] = {
		"Oops", "WARNING:", "BUG:", "general protection",
		"Call Trace", "refcount_t:", "list_add corruption",
	};
	int len = klogctl(10, NULL, 0), n = 0;	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *p;
	size_t i;

	if (len <= 0)
		return 0;
	buf = calloc(1, len + 1);
	if (!buf)
		return 0;
	len = klogctl(3, buf, len);		/* SYSLOG_ACTION_READ_ALL */
	for (i = 0; len > 0 && i < sizeof(bad) / sizeof(bad[0]); i++)
		for (p = buf; (p = strstr(p, bad[i])); p++)
			n++;
	free(buf);
	return n;
}

/*
 * What the host kernel decided about this CPU's speculation bugs: the
 * module's hygiene steps follow it (docs/security.md), so the log says
 * which of them were live during the run.
 */
static void print_mitigations(void)
{
	static const char *const names[] = {
		"spectre_v2", "mds", "l1tf", "mmio_stale_data", "retbleed",
		"vmscape",
	};
	char path[128], line[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/vulnerabilities/%s", names[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f))
			printf("# host %s: %s", names[i], line);
		fclose(f);
	}
}

static void health(struct health *h)
{
	h->fds = count_fds();
	h->locked_kb = hvlab_vm_lck_kib();
	h->refcnt = module_refcnt();
	h->bad_klog = bad_klog_lines();
}

/* ---- the kicker: signals end runaway HVLAB_RUNs --------------------- */

static volatile int kicking;
static pthread_t kick_targets[NTHREADS + 1];
static int nkick_targets;

static void on_kick(int sig)
{
	(void)sig;
}

static void *kicker(void *arg)
{
	int i;

	(void)arg;
	while (kicking) {
		usleep(2000);
		for (i = 0; i < nkick_targets; i++)
			pthread_kill(kick_targets[i], SIGUSR1);
	}
	return NULL;
}

static void kick_setup(void)
{
	struct sigaction sa = { .sa_handler = on_kick };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: RUN returns EINTR */
}

/* ---- typed arguments -------------------------------------------------- */

static unsigned char *guest_ram;	/* GUEST_RAM bytes, shared by all VMs */
static void *unmapped;			/* a page that was unmapped */

/* A pointer argument: mostly good, sometimes anything but. */
static void *any_ptr(unsigned long long *s, void *good)
{
	switch (pick(s, 8)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return unmapped;
	case 3:
		return (void *)0xffff888000000000ull;	/* the direct map */
	case 4:
		return (char *)good + 4090;	/* straddles a page end */
	default:
		return good;
	}
}

static unsigned long long any_u64(unsigned long long *s)
{
	static const unsigned long long edge[] = {
		0, 1, 0xfff, 0x1000, 0xfffff000, 0xffffffff, 0x100000000ull,
		0x7fffffffffffull, 0x800000000000ull, 0xffff800000000000ull,
		~0ull, 0x8000000000000000ull, 0xfee00000, 0xfec00000,
	};

	switch (pick(s, 3)) {
	case 0:
		return edge[pick(s, sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return pick(s, 0x20000);
	default:
		return rnd(s);
	}
}

/* ---- ioctl_storm -------------------------------------------------------- */

enum kind { FREE, DEV, VM, VCPU };

static struct obj {
	int fd;
	enum kind kind;
	void *map;
	size_t map_len;
} objs[NOBJ];
static pthread_mutex_t objs_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long calls_made;
/*
 * Oracles: results the uapi rules out, whatever the arguments (a count past
 * the array accepted, a bad slot taken, a guest that sees stale memory).
 * Each one is logged; the test expects none.
 */
static unsigned long oracle_failures;

#define oracle_fail(fmt, ...) do {					\
	if (__atomic_add_fetch(&oracle_failures, 1, __ATOMIC_RELAXED) <= 8) \
		printf("# oracle: " fmt "\n", ##__VA_ARGS__);		\
} while (0)
/* what the calls achieved: a fuzzer that only gets EBADF tests nothing */
static unsigned long made[VCPU + 1], runs_entered, runs_interrupted;

/* An fd of that kind (or -1); racy by design: it may be closed meanwhile. */
static int any_fd(unsigned long long *s, enum kind kind)
{
	int i, start = pick(s, NOBJ), fd = -1;

	pthread_mutex_lock(&objs_lock);
	for (i = 0; i < NOBJ; i++) {
		struct obj *o = &objs[(start + i) % NOBJ];

		if (o->kind == kind) {
			fd = o->fd;
			break;
		}
	}
	pthread_mutex_unlock(&objs_lock);
	return fd;
}

static void add_obj(int fd, enum kind kind, void *map, size_t len)
{
	int i;

	if (fd < 0)
		return;
	__atomic_add_fetch(&made[kind], 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&objs_lock);
	for (i = 0; i < NOBJ; i++) {
		if (objs[i].kind == FREE) {
			objs[i] = (struct obj){ fd, kind, map, len };
			pthread_mutex_unlock(&objs_lock);
			return;
		}
	}
	pthread_mutex_unlock(&objs_lock);
	if (map)
		munmap(map, len);
	close(fd);		/* table full */
}

static void close_obj(struct obj *o)
{
	if (o->map)
		munmap(o->map, o->map_len);
	close(o->fd);
	o->kind = FREE;
	o->map = NULL;
}

static void drop_any(unsigned long long *s)
{
	struct obj o = { .kind = FREE };
	int i = pick(s, NOBJ);

	pthread_mutex_lock(&objs_lock);
	if (objs[i].kind != FREE) {
		o = objs[i];
		objs[i].kind = FREE;
		objs[i].map = NULL;
	}
	pthread_mutex_unlock(&objs_lock);
	if (o.kind != FREE)
		close_obj(&o);	/* other threads may be inside its ioctls */
}

static void op_memory(unsigned long long *s, int vm)
{
	struct hvlab_memory_region r = {
		.slot = pick(s, HVLAB_MAX_MEMSLOTS + 2),
		.flags = pick(s, 4) ? 0 : any_u64(s),
		.guest_phys = pick(s, 2) ? pick(s, 16) << 12 : any_u64(s),
		.size = pick(s, 2) ? pick(s, 17) << 12 : any_u64(s),
		.userspace_addr = (unsigned long)any_ptr(s, guest_ram),
	};

	if (r.size > GUEST_RAM && r.userspace_addr == (unsigned long)guest_ram &&
	    pick(s, 2))
		r.size = GUEST_RAM;
	if (pick(s, 8)) {
		/* the slot's own argument checks, as the uapi states them */
		if (!ioctl(vm, HVLAB_SET_MEMORY_REGION, &r) &&
		    (r.slot >= HVLAB_MAX_MEMSLOTS ||
		     ((r.guest_phys | r.size) & 0xfff)))
			oracle_fail("SET_MEMORY_REGION took slot %u gpa %llx size %llx",
				    r.slot, (unsigned long long)r.guest_phys,
				    (unsigned long long)r.size);
		return;
	}
	ioctl(vm, HVLAB_SET_MEMORY_REGION, any_ptr(s, &r));
}

static void op_vcpu_state(unsigned long long *s, int vcpu)
{
	union {
		struct hvlab_regs regs;
		struct hvlab_sregs sregs;
		struct hvlab_msrs msrs;
		struct hvlab_event ev;
		struct hvlab_debug dbg;
		struct hvlab_translation tr;
		unsigned char b[1];
	} u;
	static const unsigned long cmds[] = {
		HVLAB_GET_REGS, HVLAB_SET_REGS, HVLAB_GET_SREGS,
		HVLAB_SET_SREGS, HVLAB_GET_MSRS, HVLAB_SET_MSRS,
		HVLAB_INJECT, HVLAB_SET_DEBUG, HVLAB_TRANSLATE,
	};
	static const unsigned int msr_idx[] = {
		0x10, 0x1b, 0x3a, 0x48, 0x174, 0x1d9, 0x277, 0x2ff,
		0xc0000080, 0xc0000081, 0xc0000082, 0xc0000100, 0xc0000102,
		0xc0000103,
	};
	unsigned long cmd = cmds[pick(s, sizeof(cmds) / sizeof(cmds[0]))];
	unsigned int i, n, nmsrs;
	int ret;

	memset(&u, 0, sizeof(u));
	/* read first, then mutate a few fields: deep states, not just junk */
	if (cmd == HVLAB_SET_REGS)
		ioctl(vcpu, HVLAB_GET_REGS, &u.regs);
	if (cmd == HVLAB_SET_SREGS)
		ioctl(vcpu, HVLAB_GET_SREGS, &u.sregs);
	n = pick(s, 4);
	for (i = 0; i < n; i++) {
		size_t size = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 8;
		size_t at = pick(s, size / 8) * 8;

		memcpy(u.b + at, &(unsigned long long){ any_u64(s) }, 8);
	}
	if (cmd == HVLAB_GET_MSRS || cmd == HVLAB_SET_MSRS) {
		/* all entries readable at times: a count past the array must
		 * then be refused, not walked
		 */
		unsigned int nidx = pick(s, 2) ? 4 : HVLAB_MAX_MSR_ENTRIES;

		u.msrs.nmsrs = pick(s, 8) ? pick(s, nidx + 1) : any_u64(s);
		for (i = 0; i < nidx; i++)
			u.msrs.entries[i].index =
				nidx == 4 && pick(s, 4) ? any_u64(s) :
				msr_idx[pick(s, sizeof(msr_idx) / sizeof(msr_idx[0]))];
		if (nidx == HVLAB_MAX_MSR_ENTRIES && !pick(s, 4))
			u.msrs.nmsrs = HVLAB_MAX_MSR_ENTRIES + 1 + pick(s, 64);
	}
	if (cmd == HVLAB_INJECT && pick(s, 2))
		u.ev.type = (unsigned int[]){ 0, 2, 3, 0xff }[pick(s, 4)];
	if (!pick(s, 8)) {
		ioctl(vcpu, cmd, any_ptr(s, &u));
		return;
	}
	nmsrs = u.msrs.nmsrs;
	ret = ioctl(vcpu, cmd, &u);
	/* KVM_GET/SET_MSRS's contract: entries done, never past the count */
	if ((cmd == HVLAB_GET_MSRS || cmd == HVLAB_SET_MSRS) &&
	    ((nmsrs > HVLAB_MAX_MSR_ENTRIES && ret >= 0) ||
	     (ret >= 0 && (unsigned int)ret > nmsrs)))
		oracle_fail("%s_MSRS with nmsrs %u gave %d",
			    cmd == HVLAB_GET_MSRS ? "GET" : "SET", nmsrs, ret);
}

static void op_mmap(unsigned long long *s, int vcpu)
{
	size_t len = pick(s, 2) ? pick(s, 6) << 12 : any_u64(s);
	int prot = (int[]){ PROT_READ, PROT_READ | PROT_WRITE, PROT_EXEC,
			    PROT_READ | PROT_EXEC }[pick(s, 4)];
	off_t off = pick(s, 4) ? 0 : (off_t)(pick(s, 8) << 12);
	void *p = mmap(NULL, len, prot, MAP_SHARED, vcpu, off);

	if (p == MAP_FAILED)
		return;
	if (prot & PROT_READ)
		(void)*(volatile unsigned char *)p;
	if (pick(s, 2))
		mprotect(p, len, PROT_READ | PROT_WRITE);
	munmap(p, len);
}

static void op_run(unsigned long long *s, int vcpu)
{
	struct hvlab_regs regs;
	size_t len = 4096;
	struct hvlab_run *run;

	run = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run != MAP_FAILED) {
		run->immediate_exit = !pick(s, 8);
		run->request_interrupt_window = !pick(s, 4);
		run->ring_wait = !pick(s, 8);
		munmap(run, len);
	}
	if (!pick(s, 4) && !ioctl(vcpu, HVLAB_GET_REGS, &regs)) {
		regs.rip = 0x1000 + pick(s, 0x100);
		ioctl(vcpu, HVLAB_SET_REGS, &regs);
	}
	if (!ioctl(vcpu, HVLAB_RUN, pick(s, 16) ? 0ul : any_u64(s)))
		__atomic_add_fetch(&runs_entered, 1, __ATOMIC_RELAXED);
	else if (errno == EINTR)
		__atomic_add_fetch(&runs_interrupted, 1, __ATOMIC_RELAXED);
}

static void fuzz_one(unsigned long long *s)
{
	int fd;

	switch (pick(s, 16)) {
	case 0:
		add_obj(hvlab_open_dev(), DEV, NULL, 0);
		break;
	case 1:
	case 2:
		fd = any_fd(s, DEV);
		add_obj(ioctl(fd, HVLAB_CREATE_VM, pick(s, 4) ?
			      pick(s, 8) & HVLAB_VM_FLAGS_ALL : any_u64(s)),
			VM, NULL, 0);
		break;
	case 3:
	case 4:
		fd = ioctl(any_fd(s, VM), HVLAB_CREATE_VCPU,
			   pick(s, 4) ? pick(s, HVLAB_MAX_VCPUS + 1) :
					any_u64(s));
		add_obj(fd, VCPU, NULL, 0);
		break;
	case 5:
	case 6:
		op_memory(s, any_fd(s, VM));
		break;
	case 7:
	case 8:
	case 9:
		op_run(s, any_fd(s, VCPU));
		break;
	case 10:
	case 11:
		op_vcpu_state(s, any_fd(s, VCPU));
		break;
	case 12:
		op_mmap(s, any_fd(s, VCPU));
		break;
	case 13:
		drop_any(s);
		break;
	case 14: {
		/* any ioctl number, on any kind of fd */
		static const enum kind kinds[] = { DEV, VM, VCPU };
		unsigned long cmd = pick(s, 2) ?
			_IOC(pick(s, 4), HVLAB_IOC, pick(s, 0x30),
			     pick(s, 0x400)) : any_u64(s);

		ioctl(any_fd(s, kinds[pick(s, 3)]), cmd,
		      any_ptr(s, guest_ram));
		break;
	}
	default: {
		/* /dev/hvlab's own calls with bad arguments */
		static const unsigned long cmds[] = {
			HVLAB_GET_API_VERSION, HVLAB_GET_CAPS, HVLAB_PROBE,
			HVLAB_GET_VCPU_MMAP_SIZE,
		};

		unsigned long cmd = cmds[pick(s, 4)];

		fd = any_fd(s, DEV);
		if (cmd == HVLAB_PROBE && pick(s, 4))
			break;	/* VMXON on every CPU: keep it rare */
		ioctl(fd, cmd, any_ptr(s, guest_ram));
		break;
	}
	}
}

struct worker {
	unsigned long long state;
	unsigned long calls;
};

static int workers_left;

/*
 * A worker stays alive until the kicker stops: pthread_kill() on a thread
 * that has ended is undefined.
 */
static void *storm_worker(void *arg)
{
	struct worker *w = arg;
	unsigned long i;

	for (i = 0; i < w->calls; i++)
		fuzz_one(&w->state);
	__atomic_sub_fetch(&workers_left, 1, __ATOMIC_SEQ_CST);
	while (kicking)
		usleep(1000);
	return NULL;
}

static void fuzz_globals(void)
{
	guest_ram = mmap(NULL, GUEST_RAM, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	munmap(unmapped, 4096);
}

static void expect_healthy(struct __test_metadata *_metadata,
			   const struct health *before)
{
	struct health after;

	health(&after);
	EXPECT_EQ(before->fds, after.fds);
	EXPECT_EQ(before->locked_kb, after.locked_kb);
	EXPECT_EQ(before->refcnt, after.refcnt);
	EXPECT_EQ(before->bad_klog, after.bad_klog);
	printf("# after: %d fds, VmLck %ld kB, module refcnt %ld, %d bad kernel log lines\n",
	       after.fds, after.locked_kb, after.refcnt, after.bad_klog);
}

TEST(ioctl_storm)
{
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS], kick;
	struct health before;
	int i;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	/*
	 * Bochs 2.7's SVM loads the host's EFER before its RFLAGS on a
	 * #VMEXIT and asserts that VM is clear in long mode: any exit from
	 * a guest in virtual-8086 mode (random RFLAGS, a random IRET) stops
	 * the emulator with a panic, and the suite with it.
	 */
	if (hvlab_is_svm())
		SKIP(return, "SVM on Bochs: an exit from virtual-8086 mode panics the emulator");
	fuzz_params();
	fuzz_globals();
	ASSERT_NE(MAP_FAILED, guest_ram);
	/* a guest that does a bit of everything before it stops */
	for (i = 0; i < GUEST_RAM; i++)
		guest_ram[i] = (unsigned char[]){ 0xe6, 0x80, 0xf4, 0x90,
						  0x0f, 0xa2, 0xeb, 0xfe }[i % 8];
	kick_setup();
	print_mitigations();
	health(&before);

	kicking = 1;
	workers_left = NTHREADS;
	for (i = 0; i < NTHREADS; i++) {
		w[i].state = fuzz_seed * 0x9e3779b97f4a7c15ull + i + 1;
		w[i].calls = 400 * fuzz_scale;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, storm_worker, &w[i]));
		kick_targets[i] = th[i];
	}
	nkick_targets = NTHREADS;
	ASSERT_EQ(0, pthread_create(&kick, NULL, kicker, NULL));
	while (__atomic_load_n(&workers_left, __ATOMIC_SEQ_CST))
		usleep(10000);
	kicking = 0;
	pthread_join(kick, NULL);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		calls_made += w[i].calls;
	}
	for (i = 0; i < NOBJ; i++)
		if (objs[i].kind != FREE)
			close_obj(&objs[i]);
	munmap(guest_ram, GUEST_RAM);
	printf("# ioctl_storm: %lu calls in %d threads: %lu /dev/hvlab opens, %lu VMs, %lu vCPUs, %lu runs ended in an exit, %lu by a signal\n",
	       calls_made, NTHREADS, made[DEV], made[VM], made[VCPU],
	       runs_entered, runs_interrupted);
	EXPECT_EQ(0, oracle_failures);
	expect_healthy(_metadata, &before);
}

/* ---- random_guests ------------------------------------------------------ */

/* Instructions worth meeting, in any mode (16/32/64-bit alike or close). */
/* One instruction's bytes (NULs included) and its length. */
struct snippet {
	unsigned char len;
	const char *bytes;
};
#define S(b) { sizeof(b) - 1, b }

static const struct snippet snippets[] = {
	S("\xf4"), S("\xe6\x80"), S("\xe4\x80"), S("\xec"), S("\xee"),
	S("\xed"), S("\xef"), S("\x6c"), S("\x6e"), S("\xf3\x6c"),
	S("\xf3\x6e"), S("\x0f\xa2"), S("\x0f\x32"), S("\x0f\x30"),
	S("\x0f\x31"), S("\x0f\x33"), S("\x0f\x01\xf9"), S("\x0f\x0b"),
	S("\xcc"), S("\xcd\x03"), S("\xcd\x80"), S("\xcd\x0d"), S("\xf1"),
	S("\xce"), S("\x0f\x22\xc0"), S("\x0f\x22\xd8"), S("\x0f\x22\xe0"),
	S("\x0f\x20\xc0"), S("\x0f\x20\xe0"), S("\x0f\x23\xf8"),
	S("\x0f\x23\xc0"), S("\x0f\x21\xc0"), S("\x0f\x21\xf0"),
	S("\x0f\x01\xd1"), S("\x0f\x01\xd0"), S("\x0f\x09"), S("\x0f\x08"),
	S("\x0f\x01\x38"), S("\x0f\x01\xc1"), S("\x0f\x01\xc2"),
	S("\x0f\x01\xc3"), S("\x0f\x78\xc0"), S("\x0f\x79\xc0"),
	S("\x0f\xc7\x30"), S("\xfa"), S("\xfb"), S("\xcf"), S("\x9d"),
	S("\x9c"), S("\x8e\xd8"), S("\x8e\xd0"), S("\x0f\x00\xd8"),
	S("\x0f\x00\xd0"), S("\x0f\x01\x10"), S("\x0f\x01\x18"),
	S("\xf3\x90"), S("\xa4"), S("\xf3\xa4"), S("\xa5"), S("\x89\x00"),
	S("\x8b\x00"), S("\x88\x00"), S("\x87\x00"), S("\x09\x00"),
	S("\x21\x00"), S("\xff\xe0"), S("\xff\xd0"), S("\xc3"),
	S("\x0f\x05"), S("\x0f\x07"), S("\x0f\x34"), S("\x0f\x35"),
	S("\x0f\x01\xf8"), S("\x0f\xaa"), S("\xd9\xee"), S("\x0f\xae\x20"),
	S("\x0f\xae\x28"), S("\x0f\x01\xd4"), S("\x0f\x01\xd8"),
	S("\x0f\x37"), S("\x66\x0f\x38\x80\x00"), S("\x0f\x01\xca"),
	S("\x0f\x01\xcb"), S("\xf3\x0f\xc7\xf8"), S("\x0f\xc7\xf0"),
	S("\x0f\xae\xf0"), S("\x31\xc0"), S("\xf7\xf0"), S("\x0f\x06"),
	S("\x0f\x01\xe8"), S("\x0f\x01\xe0"),
};

/* Operands that reach devices, slots' ends and MSRs of interest. */
static const unsigned int imms[] = {
	0xfee00000, 0xfec00000, 0xfed00000, 0x000b8000, 0x0000fff0,
	0x00010000, 0x0000ff00, 0xc0000080, 0xc0000082, 0xc0000102,
	0x0000001b, 0x00000048, 0x000001d9, 0x00000277, 0x00000010,
	0x000003f8, 0x00000cf8, 0x00000070, 0x00000020, 0x80000011,
	0x00002000, 0x00000000, 0xffffffff, 0x00000600,
};

static void random_code(unsigned long long *s, unsigned char *p, size_t len)
{
	size_t at = 0;

	while (at + 16 < len) {
		unsigned int k = pick(s, 10);

		if (k < 6) {
			const struct snippet *sn = &snippets[pick(s,
				sizeof(snippets) / sizeof(snippets[0]))];

			memcpy(p + at, sn->bytes, sn->len);
			at += sn->len;
		} else if (k < 9) {
			/* mov r32, imm32: eax, ecx, edx, ebx, esi or edi */
			unsigned int imm = pick(s, 2) ? imms[pick(s,
				sizeof(imms) / sizeof(imms[0]))] : rnd(s);

			p[at++] = (unsigned char[]){ 0xb8, 0xb9, 0xba, 0xbb,
						     0xbe, 0xbf }[pick(s, 6)];
			memcpy(p + at, &imm, 4);
			at += 4;
		} else {
			p[at++] = rnd(s);
		}
	}
	while (at < len)
		p[at++] = 0xf4;
}

enum mode { REAL, PROT32, LONG64, NMODES };

/*
 * What each guest gets fresh: the IVT, its code at 0x1000, the IDT at
 * 0x3000 and the GDT at 0x4000.  The rest of RAM keeps the random code of
 * the guests before it (filled once per VM), so a jump lands in random
 * code anyway, and a guest costs a fifth of a full 64 KiB fill.
 */
#define FRESH		0x5000
/*
 * Every guest starts with MOV AL, n; OUT CANARY_PORT, AL (the same bytes
 * in every mode), n its number: the first exit names the code the vCPU
 * really ran, so a guest that runs a slot's old pages is caught.
 */
#define CANARY_PORT	0xe9

static int guest_mode(struct raw_vm *t, enum mode m, unsigned long long *s)
{
	static const struct hvlab_segment code32 = {
		.limit = 0xffffffff, .selector = 8, .type = 0xb, .s = 1,
		.present = 1, .db = 1, .g = 1,
	};
	static const struct hvlab_segment data32 = {
		.limit = 0xffffffff, .selector = 0x10, .type = 0x3, .s = 1,
		.present = 1, .db = 1, .g = 1,
	};
	struct hvlab_regs regs;
	struct hvlab_sregs sr;
	unsigned long long *gpr = &regs.rax;
	int i;

	if (raw_real_mode(t->vcpu, 0x1000) ||
	    ioctl(t->vcpu, HVLAB_GET_SREGS, &sr))
		return -1;
	if (m == PROT32) {
		sr.cs = code32;
		sr.ds = sr.es = sr.fs = sr.gs = sr.ss = data32;
		sr.cr0 = 0x31;			/* PE, ET, NE */
	} else if (m == LONG64) {
		memset(t->ram + 0x8000, 0, 0x4000);	/* the tables only */
		raw_identity_map(t->ram, t->ram_size, 7);
		raw_long_mode_sregs(&sr);
	}
	sr.idt.base = 0x3000;			/* random, like the rest */
	sr.idt.limit = 0x7ff;
	sr.gdt.base = 0x4000;
	sr.gdt.limit = 0x7ff;
	if (ioctl(t->vcpu, HVLAB_SET_SREGS, &sr) ||
	    ioctl(t->vcpu, HVLAB_GET_REGS, &regs))
		return -1;
	for (i = 0; i < 16; i++)
		gpr[i] = pick(s, 2) ? imms[pick(s, sizeof(imms) /
						   sizeof(imms[0]))] : rnd(s);
	regs.rsp = 0x7000;
	regs.rip = 0x1000;
	regs.rflags = 2 | (pick(s, 2) ? 0x200 : 0);
	return ioctl(t->vcpu, HVLAB_SET_REGS, &regs);
}

/*
 * Slot 0 moves to the other of two buffers: the vCPU goes (a slot never
 * changes under one, vm.c), the slot is replaced, a vCPU comes back.  The
 * module must drop every translation of the old pages (ept.c); the next
 * guest's canary says whether it did.
 */
static int swap_ram(struct raw_vm *t, unsigned char *other)
{
	munmap(t->run, t->map_size);
	t->run = NULL;
	close(t->vcpu);
	t->vcpu = -1;
	if (raw_set_slot(t->vm, 0, 0, other, t->ram_size))
		return -1;
	t->ram = other;
	return raw_vcpu_create(t->sys, t->vm, &t->vcpu, &t->run, &t->map_size);
}

/* The MMIO-decode and emulation failures, by instruction bytes. */
struct ie_kind {
	unsigned int sub;
	unsigned long long d0, d1;
	unsigned long n;
};

static void note_internal(struct ie_kind *tab, size_t len,
			  const struct hvlab_run *run)
{
	unsigned int sub = run->internal.suberror;
	/*
	 * data[0] is mostly an address; what names the kind: the first 4
	 * instruction bytes (MMIO decode), the event's type and vector
	 * (delivery), the exit qualification (emulation).
	 */
	unsigned long long d0 = 0, d1 = run->internal.data[1];

	if (sub == HVLAB_INTERNAL_MMIO_DECODE)
		d1 &= 0xffffffff;
	else if (sub == HVLAB_INTERNAL_DELIVERY_EV)
		d1 &= 0x7ff;
	else if (sub != HVLAB_INTERNAL_EMULATION)
		d0 = run->internal.data[0];
	size_t i;

	for (i = 0; i < len; i++) {
		if (!tab[i].n)
			tab[i] = (struct ie_kind){ sub, d0, d1, 0 };
		if (tab[i].sub == sub && tab[i].d0 == d0 && tab[i].d1 == d1) {
			tab[i].n++;
			return;
		}
	}
}

/*
 * Vectors that the random code raises many times in every run and that a
 * VM with HVLAB_VM_TRAP_EXCEPTIONS must therefore show: #UD (UD2, invalid
 * opcodes), #GP (WRMSR of a bad MSR, privileged instructions).  One
 * missing means its intercept is gone.
 */
static const int must_see[] = { 6, 13 };

TEST(random_guests)
{
	static const char *const names[] = { "real", "protected", "long" };
	unsigned long by_reason[16] = { 0 }, by_sub[8] = { 0 };
	unsigned long by_vector[32] = { 0 }, swaps = 0;
	unsigned long intr = 0, guests = 0, canaries = 0;
	unsigned long n, i, undefined = 0;
	struct ie_kind ie[24] = { { 0 } };
	unsigned char *spare;
	struct health before;
	unsigned long long s;
	pthread_t kick;
	struct raw_vm t;
	int v, r, k;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	/*
	 * Bochs 2.7's SVM loads the host's EFER before its RFLAGS on a
	 * #VMEXIT and asserts that VM is clear in long mode: any exit from
	 * a guest in virtual-8086 mode (random RFLAGS, a random IRET) stops
	 * the emulator with a panic, and the suite with it.
	 */
	if (hvlab_is_svm())
		SKIP(return, "SVM on Bochs: an exit from virtual-8086 mode panics the emulator");
	fuzz_params();
	s = fuzz_seed * 0x2545f4914f6cdd1dull + 99;
	n = 120 * fuzz_scale;
	kick_setup();
	health(&before);
	kicking = 1;
	nkick_targets = 1;
	kick_targets[0] = pthread_self();
	ASSERT_EQ(0, pthread_create(&kick, NULL, kicker, NULL));

	/* per mode: half the guests plain, half with every exception shown */
	for (v = 0; v < 2 * NMODES; v++) {
		int m = v / 2, trap = v % 2;
		unsigned long half = trap ? n - n / 2 : n / 2;

		ASSERT_EQ(0, raw_vm_create(&t, raw_vm_flags() |
			  (trap ? HVLAB_VM_TRAP_EXCEPTIONS : 0), GUEST_RAM));
		spare = mmap(NULL, GUEST_RAM, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, spare);
		random_code(&s, t.ram, GUEST_RAM);
		random_code(&s, spare, GUEST_RAM);
		ASSERT_EQ(0, raw_vm_add_vcpu(&t));
		for (i = 0; i < half; i++) {
			unsigned char id = guests;

			if (!pick(&s, 4)) {
				unsigned char *old = t.ram;

				ASSERT_EQ(0, swap_ram(&t, spare));
				spare = old;
				swaps++;
			}
			/* no event left queued by the guest before */
			ioctl(t.vcpu, HVLAB_INJECT, &(struct hvlab_event){
				.type = HVLAB_EVENT_CLEAR });
			random_code(&s, t.ram, FRESH);
			memcpy(t.ram + 0x1000, (unsigned char[]){ 0xb0, id,
			       0xe6, CANARY_PORT }, 4);
			ASSERT_EQ(0, guest_mode(&t, m, &s));
			guests++;
			/* the canary: a signal may end the first runs early */
			for (k = 0; k < 64; k++) {
				r = raw_vm_run(&t);
				if (r != -EINTR)
					break;
			}
			/*
			 * Another first exit is possible: a breakpoint in DR7
			 * or an event the last guest left queued.  The canary
			 * port with another number is stale code.
			 */
			if (r == HVLAB_EXIT_IO && t.run->io.port == CANARY_PORT) {
				if (raw_vm_io_byte(&t) != id)
					oracle_fail("%s guest %lu: canary %#x, not %#x",
						    names[m], i,
						    raw_vm_io_byte(&t), id);
				canaries++;
			}
			/* a few exits each: I/O, MMIO, exceptions are resumed */
			for (k = 0; k < 4; k++) {
				r = raw_vm_run(&t);
				if (r == -EINTR) {
					intr++;
					break;
				}
				if (r < 0 || r > HVLAB_EXIT_EXCEPTION) {
					undefined++;
					TH_LOG("%s guest %lu: run gave %d",
					       names[m], i, r);
					break;
				}
				by_reason[r]++;
				if (r == HVLAB_EXIT_INTERNAL_ERROR) {
					by_sub[t.run->internal.suberror & 7]++;
					note_internal(ie, sizeof(ie) / sizeof(ie[0]),
						      t.run);
				}
				if (r == HVLAB_EXIT_EXCEPTION)
					by_vector[t.run->exception.vector & 31]++;
				if (r != HVLAB_EXIT_IO && r != HVLAB_EXIT_MMIO &&
				    r != HVLAB_EXIT_HYPERCALL &&
				    r != HVLAB_EXIT_EXCEPTION)
					break;
			}
		}
		raw_vm_close(&t);
		munmap(spare, GUEST_RAM);
	}
	kicking = 0;
	pthread_join(kick, NULL);

	printf("# random_guests: %lu guests (%lu per mode), %lu canaries seen, %lu slot swaps, %lu ended by a signal\n",
	       guests, n, canaries, swaps, intr);
	for (r = 0; r < 16; r++)
		if (by_reason[r])
			printf("#   exit reason %d: %lu\n", r, by_reason[r]);
	for (r = 0; r < 8; r++)
		if (by_sub[r])
			printf("#   internal error %d: %lu\n", r, by_sub[r]);
	for (i = 0; i < sizeof(ie) / sizeof(ie[0]) && ie[i].n; i++)
		printf("#     suberror %u, data %llx %llx: %lu\n", ie[i].sub,
		       ie[i].d0, ie[i].d1, ie[i].n);
	for (r = 0; r < 32; r++)
		if (by_vector[r])
			printf("#   exception vector %d: %lu\n", r, by_vector[r]);
	for (i = 0; i < sizeof(must_see) / sizeof(must_see[0]); i++)
		if (!by_vector[must_see[i]]) {
			printf("# oracle: no exception exit for vector %d\n",
			       must_see[i]);
			oracle_failures++;
		}
	EXPECT_EQ(0, undefined);
	EXPECT_EQ(0, oracle_failures);
	expect_healthy(_metadata, &before);
}

/*
 * The harness's limit (30 s by default) grows with the run: a long run is
 * bounded by HVLAB_PROG_TIMEOUT in the VM anyway (tests/vm/init.sh).
 */
static void __attribute__((constructor)) fuzz_timeouts(void)
{
	unsigned long scale = strtoul(hvlab_env("HVLAB_FUZZ_SCALE", "1"),
				      NULL, 0);

	scale = scale ? scale : 1;
	_ioctl_storm_object.timeout = 60 * scale;
	_random_guests_object.timeout = 60 * scale;
}

TEST_HARNESS_MAIN
