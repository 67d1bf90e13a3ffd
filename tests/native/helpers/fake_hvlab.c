// SPDX-License-Identifier: GPL-2.0
/*
 * fake_hvlab.c - an LD_PRELOAD stand-in for /dev/hvlab, so `hvlab run`'s
 * whole path (open, API version, VM, memory slot, vCPUs, run pages, boot
 * registers, the vCPU threads, exit handling, signals, exit status) runs
 * on a machine without VT-x.  It is not a CPU: each HVLAB_RUN of vCPU 0
 * returns the next exit of a script, FAKE_HVLAB_EXITS, a comma-separated
 * list of
 *
 *   out:PORT:SIZE:VALUE    a port write          in:PORT:SIZE   a port read
 *   outs:PORT:TEXT         REP OUTSB of TEXT     mmio_r:GPA:LEN an MMIO read
 *   mmio_w:GPA:LEN:VALUE   an MMIO write         hc:NR:ARG0     a VMCALL
 *   ucall:CMD              a struct ucall (file fake.c, line 7, text
 *                          "boom") at GPA 0x5000, then OUT 0xe0
 *   hlt  shutdown  fail_entry  spin (block until a signal)
 *
 * When the script ends, and on every other vCPU, RUN blocks like a
 * spinning guest until a signal arrives (-1, EINTR), as the module does.
 * What the VMM handed back (IN data, MMIO read data, hypercall return)
 * and the boot registers it set are written to stderr as "fake: ..." lines
 * for the test to check.
 *
 * A vCPU fd is a memfd the size of the vCPU mapping, and its mmap maps
 * that memfd: the run page, then a struct hvlab_stats in which every exit
 * the script plays is counted (by_reason, exits, the exit ring), as the
 * module does.  So the fd can be passed to another process (`hvlab run
 * --stats-socket` and `hvlab top`) and still show the same page.
 *
 * Failures on demand: FAKE_HVLAB_API=N answers HVLAB_GET_API_VERSION with N;
 * FAKE_HVLAB_CREATE_ERRNO=N makes HVLAB_CREATE_VM fail with errno N, with
 * HVLAB_PROBE naming KVM as the owner of VMX and HVLAB_GET_CAPS reporting
 * status FAKE_HVLAB_STATUS (default HVLAB_STATUS_NO_VMX).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/hvlab.h>
#include "hw/ucall.h"

#define MAXFD 1024
#define VCPU_MAP_SIZE	((HVLAB_STATS_OFFSET + sizeof(struct hvlab_stats) + 4095) & ~4095ul)
enum { F_NONE, F_SYS, F_VM, F_VCPU };
static int kind[MAXFD], vcpu_id[MAXFD];
static struct hvlab_run *runs[HVLAB_MAX_VCPUS];
static char *ram;
static char script[4096], *cursor;
static int pending_log;		/* what to report at the next RUN of vCPU 0 */
static char pending_what[64];

static int fake_fd(int k, int id)
{
	int fd = k == F_VCPU ? memfd_create("fake-hvlab-vcpu", MFD_CLOEXEC) :
			       (int)syscall(2 /* open */, "/dev/null", O_RDWR | O_CLOEXEC);

	if (fd >= 0 && k == F_VCPU && ftruncate(fd, VCPU_MAP_SIZE)) {
		close(fd);
		return -1;
	}
	if (fd >= 0 && fd < MAXFD) {
		kind[fd] = k;
		vcpu_id[fd] = id;
	}
	return fd;
}

static int do_open(const char *path, int flags, mode_t mode,
		   int (*real)(const char *, int, ...))
{
	if (!strcmp(path, HVLAB_DEVICE))
		return fake_fd(F_SYS, 0);
	return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	if (!real)
		real = dlsym(RTLD_NEXT, "open");
	return do_open(path, flags, mode, real);
}

int open64(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	if (!real)
		real = dlsym(RTLD_NEXT, "open64");
	return do_open(path, flags, mode, real);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	void *p;

	if (!real)
		real = dlsym(RTLD_NEXT, "mmap");
	if (fd < 0 || fd >= MAXFD || kind[fd] != F_VCPU)
		return real(addr, len, prot, flags, fd, off);
	if (off || len > VCPU_MAP_SIZE) {	/* as the module refuses them */
		errno = EINVAL;
		return MAP_FAILED;
	}
	p = real(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED)
		runs[vcpu_id[fd]] = p;
	return p;
}

/* The module's bookkeeping of an exit it passes to userspace. */
static void count_exit(const struct hvlab_run *run)
{
	struct hvlab_stats *st = (struct hvlab_stats *)((char *)run + HVLAB_STATS_OFFSET);
	struct hvlab_exit_record e = { .rip = run->guest_rip };

	switch (run->exit_reason) {
	case HVLAB_EXIT_IO:
		e.reason = HVLAB_VMX_EXIT_IO;
		e.info = run->io.port | (uint32_t)run->io.size << 16 |
			 (uint32_t)(run->io.direction == HVLAB_IO_IN) << 24;
		e.qualification = (uint64_t)run->io.port << 16 | (run->io.size - 1u) |
				  (run->io.direction == HVLAB_IO_IN ? 8u : 0u);
		if (run->io.direction == HVLAB_IO_OUT)
			memcpy(&e.value, run->io_data, run->io.size <= 8 ? run->io.size : 8);
		break;
	case HVLAB_EXIT_MMIO:
		e.reason = HVLAB_VMX_EXIT_EPT_VIOLATION;
		e.gpa = run->mmio.phys_addr;
		break;
	case HVLAB_EXIT_HLT:
		e.reason = HVLAB_VMX_EXIT_HLT;
		break;
	case HVLAB_EXIT_HYPERCALL:
		e.reason = HVLAB_VMX_EXIT_VMCALL;
		e.value = run->hypercall.nr;	/* RAX */
		break;
	default:
		return;
	}
	st->ring[st->head % HVLAB_EXIT_RING_SIZE] = e;
	__atomic_store_n(&st->head, st->head + 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&st->by_reason[e.reason], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->exits, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->exits_to_user, 1, __ATOMIC_RELAXED);
}

/* Blocks like a guest that never exits, until a signal interrupts. */
static int spin(struct hvlab_run *run)
{
	pause();
	run->exit_reason = HVLAB_EXIT_INTR;
	errno = EINTR;
	return -1;
}

static void report_previous(struct hvlab_run *run)
{
	unsigned long long v = 0;

	switch (pending_log) {
	case 1:
		memcpy(&v, run->io_data, run->io.size);
		fprintf(stderr, "fake: %s -> 0x%llx\n", pending_what, v);
		break;
	case 2:
		memcpy(&v, run->mmio.data, run->mmio.len);
		fprintf(stderr, "fake: %s -> 0x%llx\n", pending_what, v);
		break;
	case 3:
		fprintf(stderr, "fake: %s -> 0x%llx\n", pending_what,
			(unsigned long long)run->hypercall.ret);
		break;
	}
	pending_log = 0;
}

static void set_io(struct hvlab_run *run, int dir, unsigned port, unsigned size, unsigned count)
{
	run->exit_reason = HVLAB_EXIT_IO;
	run->io.direction = (unsigned char)dir;
	run->io.port = (unsigned short)port;
	run->io.size = (unsigned char)size;
	run->io.count = count;
	run->io.data_offset = __builtin_offsetof(struct hvlab_run, io_data);
}

static int next_exit(struct hvlab_run *run)
{
	char *tok, *a[4] = { 0 };
	int n = 0;

	report_previous(run);
	if (!cursor) {
		snprintf(script, sizeof(script), "%s", getenv("FAKE_HVLAB_EXITS") ?: "");
		cursor = script;
	}
	tok = strsep(&cursor, ",");
	if (!tok || !*tok) {
		cursor = NULL;
		script[0] = 0;
		cursor = script + strlen(script);
		return spin(run);
	}
	for (char *p = strtok(tok, ":"); p && n < 4; p = strtok(NULL, ":"))
		a[n++] = p;
	run->guest_rip = 0x100000;
	if (!strcmp(a[0], "out")) {
		unsigned long v = strtoul(a[3], NULL, 0);

		set_io(run, HVLAB_IO_OUT, strtoul(a[1], NULL, 0), strtoul(a[2], NULL, 0), 1);
		memcpy(run->io_data, &v, 4);
	} else if (!strcmp(a[0], "in")) {
		set_io(run, HVLAB_IO_IN, strtoul(a[1], NULL, 0), strtoul(a[2], NULL, 0), 1);
		memset(run->io_data, 0, 8);
		snprintf(pending_what, sizeof(pending_what), "in %s", a[1]);
		pending_log = 1;
	} else if (!strcmp(a[0], "outs")) {
		set_io(run, HVLAB_IO_OUT, strtoul(a[1], NULL, 0), 1, (unsigned)strlen(a[2]));
		memcpy(run->io_data, a[2], strlen(a[2]));
	} else if (!strcmp(a[0], "mmio_r") || !strcmp(a[0], "mmio_w")) {
		run->exit_reason = HVLAB_EXIT_MMIO;
		run->mmio.phys_addr = strtoull(a[1], NULL, 0);
		run->mmio.len = (unsigned)strtoul(a[2], NULL, 0);
		run->mmio.is_write = a[0][5] == 'w';
		memset(run->mmio.data, 0, 8);
		if (run->mmio.is_write) {
			unsigned long long v = strtoull(a[3], NULL, 0);

			memcpy(run->mmio.data, &v, 8);
		} else {
			snprintf(pending_what, sizeof(pending_what), "mmio read %s", a[1]);
			pending_log = 2;
		}
	} else if (!strcmp(a[0], "hc")) {
		run->exit_reason = HVLAB_EXIT_HYPERCALL;
		run->hypercall.nr = strtoull(a[1], NULL, 0);
		run->hypercall.args[0] = strtoull(a[2], NULL, 0);
		snprintf(pending_what, sizeof(pending_what), "hypercall %s", a[1]);
		pending_log = 3;
	} else if (!strcmp(a[0], "ucall")) {
		struct ucall *uc = (struct ucall *)(ram + 0x5000);
		unsigned v = 0x5000;

		memset(uc, 0, sizeof(*uc));
		uc->cmd = strtoull(a[1], NULL, 0);
		uc->line = 7;
		strcpy(uc->file, "fake.c");
		strcpy(uc->text, "boom");
		set_io(run, HVLAB_IO_OUT, UCALL_PORT, 4, 1);
		memcpy(run->io_data, &v, 4);
	} else if (!strcmp(a[0], "hlt")) {
		run->exit_reason = HVLAB_EXIT_HLT;
	} else if (!strcmp(a[0], "shutdown")) {
		run->exit_reason = HVLAB_EXIT_SHUTDOWN;
	} else if (!strcmp(a[0], "fail_entry")) {
		run->exit_reason = HVLAB_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = 0x80000021;
		run->fail_entry.vm_instruction_error = 0;
		strcpy(run->fail_entry.check, "guest CR0.PG set without CR0.PE");
	} else {
		return spin(run);
	}
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = dlsym(RTLD_NEXT, "ioctl");
	if (fd < 0 || fd >= MAXFD || kind[fd] == F_NONE)
		return real(fd, req, arg);
	switch (req) {
	case HVLAB_GET_API_VERSION:
		return getenv("FAKE_HVLAB_API") ? atoi(getenv("FAKE_HVLAB_API")) : HVLAB_API_VERSION;
	case HVLAB_CREATE_VM:
		if (getenv("FAKE_HVLAB_CREATE_ERRNO")) {
			errno = atoi(getenv("FAKE_HVLAB_CREATE_ERRNO"));
			return -1;
		}
		return fake_fd(F_VM, 0);
	case HVLAB_PROBE: {
		struct hvlab_probe *p = arg;

		memset(p, 0, sizeof(*p));
		p->nr_cpus = 2;
		p->result = -EBUSY;
		p->cpu[1].cpu = 1;
		p->cpu[1].result = -EBUSY;
		p->cpu[1].owner = HVLAB_OWNER_KVM;
		return 0;
	}
	case HVLAB_GET_CAPS: {
		struct hvlab_caps *c = arg;

		memset(c, 0, sizeof(*c));
		c->api_version = HVLAB_API_VERSION;
		c->status = getenv("FAKE_HVLAB_STATUS") ? (unsigned)atoi(getenv("FAKE_HVLAB_STATUS")) :
							  HVLAB_STATUS_NO_VMX;
		return 0;
	}
	case HVLAB_GET_VCPU_MMAP_SIZE:
		return (int)VCPU_MAP_SIZE;
	case HVLAB_SET_MEMORY_REGION:
		ram = (char *)(unsigned long)((struct hvlab_memory_region *)arg)->userspace_addr;
		return 0;
	case HVLAB_CREATE_VCPU:
		return fake_fd(F_VCPU, (int)(unsigned long)arg);
	case HVLAB_SET_SREGS:
		fprintf(stderr, "fake: vcpu %d cr0=0x%llx cs=0x%x cs.base=0x%llx apic_base=0x%llx\n",
			vcpu_id[fd], (unsigned long long)((struct hvlab_sregs *)arg)->cr0,
			((struct hvlab_sregs *)arg)->cs.selector,
			(unsigned long long)((struct hvlab_sregs *)arg)->cs.base,
			(unsigned long long)((struct hvlab_sregs *)arg)->apic_base);
		return 0;
	case HVLAB_SET_REGS: {
		const struct hvlab_regs *r = arg;

		fprintf(stderr, "fake: vcpu %d rip=0x%llx rax=0x%llx rbx=0x%llx rsp=0x%llx\n",
			vcpu_id[fd], (unsigned long long)r->rip, (unsigned long long)r->rax,
			(unsigned long long)r->rbx, (unsigned long long)r->rsp);
		return 0;
	}
	case HVLAB_TRANSLATE: {
		/* the seed's example: 32-bit paging maps GVA 0x1000 to GPA 0x2000 */
		struct hvlab_translation *t = arg;
		unsigned long long gva = t->gva;

		memset(t, 0, sizeof(*t));
		t->gva = gva;
		t->gpa = gva == 0x1000 ? 0x2000 : gva;
		t->hpa = t->gpa + 0x7000;
		t->paging_mode = 2;
		t->guest_steps = 2;
		t->guest[0].level = 2;
		t->guest[0].table = 0x3000;
		t->guest[0].entry = 0x4027;
		t->guest[1].level = 1;
		t->guest[1].table = 0x4000;
		t->guest[1].entry = (t->gpa & ~0xfffull) | 0x63;
		t->second_steps = 1;
		t->second[0].level = 1;
		t->second[0].table = 0x9000;
		t->second[0].entry = (t->hpa & ~0xfffull) | 7;
		return 0;
	}
	case HVLAB_GET_REGS:
	case HVLAB_GET_SREGS:
		memset(arg, 0, req == HVLAB_GET_REGS ? sizeof(struct hvlab_regs) :
						       sizeof(struct hvlab_sregs));
		return 0;
	case HVLAB_RUN: {
		struct hvlab_run *run = runs[vcpu_id[fd]];
		int ret;

		if (run->immediate_exit) {
			run->exit_reason = HVLAB_EXIT_INTR;
			errno = EINTR;
			return -1;
		}
		if (vcpu_id[fd] != 0)
			return spin(run);
		ret = next_exit(run);
		if (ret == 0)
			count_exit(run);
		return ret;
	}
	default:
		errno = ENOTTY;
		return -1;
	}
}
