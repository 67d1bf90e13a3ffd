/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm.h - one virtual machine as hvlab run builds it: the fds of
 * /dev/hvlab, the VM and its vCPUs, guest RAM, the device bus, and the
 * userspace run loop that turns each exit into device work.
 *
 * Life of a VM (run.c drives it):
 *   vm_init        RAM (anonymous mmap) + the board's devices, and the
 *                  --disk images behind the ATA controller; no module yet,
 *                  so everything up to here also runs in native unit tests
 *   boot_load      (loader/) the image into RAM
 *   vm_create      /dev/hvlab: API version, CREATE_VM, the memory slot,
 *                  the vCPUs, their run pages and statistics
 *   vm_set_boot_state  registers of every vCPU (boot_vcpu_state)
 *   vm_run         one thread per vCPU until the guest stops; returns the
 *                  process exit status (the VM_EXIT_* codes below)
 *   vm_destroy
 *
 * Stopping: whoever decides the run is over (a device, an exit handler,
 * Ctrl-C) calls vm_request_stop(); the first status wins, every vCPU is
 * kicked out of HVLAB_RUN with a signal, and vm_run returns that status.
 *
 * Watching (--dashboard, --record): run.c opens a dashboard (dash/dash.h)
 * or a trace writer (dash/trace.h), makes it the bus observer and stores it
 * in vm->dash or vm->rec before vm_run.  vm_run then drives it from the
 * main thread (dash_poll, or trace_record_stats every tick), the vCPU
 * threads pass through dash_gate() before each HVLAB_RUN, the guest's
 * console goes to it instead of stdout, and messages wait until the
 * terminal is back.  vm_run closes the dashboard; run.c closes the trace.
 */
#ifndef HVLAB_VM_H
#define HVLAB_VM_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/hvlab.h>

#include "guestmem.h"
#include "hw/bus.h"
#include "net/netdev.h"

struct boot_image;
struct hv_device;
struct irqchip;
struct pci_host;
struct dash;
struct disk;
struct trace_writer;

/* Exit statuses of hvlab run (also in hvlab run --help and docs/running.md). */
#define VM_EXIT_OK		0	/* UCALL_DONE, or every vCPU halted */
#define VM_EXIT_ASSERT		2	/* GUEST_ASSERT failed (ucall) */
#define VM_EXIT_TRIPLE_FAULT	3	/* shutdown */
#define VM_EXIT_VMX_ERROR	4	/* VM-entry failure, internal error */
#define VM_EXIT_STRICT		5	/* --strict: unclaimed port/MMIO access */
#define VM_EXIT_RESET		7	/* the guest asked for a reset (reboot) */
#define VM_EXIT_USAGE		64	/* bad command line */
#define VM_EXIT_BAD_IMAGE	65	/* malformed image, does not fit */
#define VM_EXIT_NO_IMAGE	66	/* missing or unreadable image/module */
#define VM_EXIT_UNAVAILABLE	69	/* no module, no VMX, VMX busy */
#define VM_EXIT_OSERR		71	/* out of memory, other system errors */
#define VM_EXIT_SIGINT		130	/* Ctrl-C */
/* debug-exit: (v << 1) | 1, always odd */

#define VM_MAX_WALKS		16
#define VM_MAX_DISKS		4	/* ATA primary, then secondary channel */
#define VM_MAX_NICS		4	/* --net, each an e1000 on the PCI bus */

struct vm_options {
	uint64_t ram_size;
	unsigned ncpus;
	uint32_t vm_flags;		/* HVLAB_VM_* */
	bool strict;			/* unclaimed accesses are fatal */
	bool verbose;			/* -v: explain, then print statistics */
	bool stats;			/* --stats: exit statistics at the end */
	uint64_t walk[VM_MAX_WALKS];	/* --walk GVA: printed on HVLAB_HC_WALK */
	unsigned nwalk;
	const char *cmdline;		/* fw_cfg */
	FILE *console;			/* UART output; NULL = stdout */
	FILE *console_log;		/* --console-log: a copy of it, or NULL */
	/* --disk FILE[,format=vdi|raw][,readonly]: master, then slave */
	const char *disk[VM_MAX_DISKS];
	unsigned ndisks;
	/* --net MODE (--mac, --pcap apply to the --net before them) */
	struct netdev_config net[VM_MAX_NICS];
	unsigned nnics;
};

struct vm;

/* Where a vCPU is, apart from running (vcpu_irq.c). */
enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_WAIT_SIPI,		/* after INIT, or an AP of a Linux boot */
};

/* The signal that kicks a vCPU thread out of HVLAB_RUN (a no-op handler). */
#define VM_KICK_SIGNAL	SIGUSR1
/* vCPU thread -> main thread: a ring is filling up, --record should drain it */
#define VM_DRAIN_SIGNAL	SIGUSR2

struct vcpu {
	struct vm *vm;
	int id;
	int fd;				/* -1 in native tests */
	struct hvlab_run *run;
	struct hvlab_stats *stats;	/* NULL if the module maps none */
	size_t mmap_size;
	pthread_t thread;
	atomic_bool done;

	/* vcpu_irq.c: waking, kicking, INIT and STARTUP */
	pthread_mutex_t wait_lock;	/* the four fields below */
	pthread_cond_t wake;
	bool woken;			/* kicked since the last wait */
	bool init_pending, sipi_pending;
	uint8_t sipi_vector;
	enum vcpu_state state;		/* written by its own thread only */
	atomic_bool in_run;		/* inside HVLAB_RUN: a kick signals */
	uint64_t injected, halts;	/* interrupts injected, HLTs slept in */
	uint64_t exceptions;		/* HVLAB_EXIT_EXCEPTION seen */
	/*
	 * --bench-floor: where the round trips to userspace (port I/O) spend
	 * their TSC cycles, summed over n of them (vm.c, bench_account).
	 */
	struct {
		uint64_t n, exit, ret, dispatch, loop, call, enter, guest;
		/* call and ret split at the vCPU file's ioctl (fop_in ...) */
		uint64_t sysin, lockin, sw, lockout, sysout;
		uint64_t nvcsw, nivcsw;	/* the thread's context switches */
		uint64_t handled;	/* TSC when the last I/O exit was handled */
	} bench;
};

struct vm {
	struct vm_options opt;
	int sys_fd, fd;			/* /dev/hvlab, the VM; -1 when closed */
	void *ram;
	struct guest_mem mem;
	struct bus *bus;
	struct irqchip *irq;		/* PIC, IOAPIC, local APICs; freed after the bus */
	struct hv_device *uart;		/* COM1: the console, typed into */
	struct pci_host *pci;		/* the PCI host bridge (hw/pci.h) */
	bool console_input;		/* a terminal can type into COM1 */
	struct hv_device *ata;		/* with --disk, else NULL */
	struct disk *disk[VM_MAX_DISKS];	/* closed by vm_destroy after bus_free */
	struct netdev *nic[VM_MAX_NICS];	/* --net: stopped before bus_free, freed after */
	unsigned ncpus;			/* vCPUs created */
	struct vcpu vcpu[HVLAB_MAX_VCPUS];

	pthread_mutex_t lock;		/* the fields below */
	atomic_bool stopping;
	int exit_status;
	unsigned halted;
	uint8_t port_seen[65536 / 8];	/* unclaimed ports already logged */
	uint64_t mmio_seen[64];		/* unclaimed MMIO addresses logged */
	unsigned nmmio_seen;
	char stop_why[512];		/* the message of the first stop */
	bool stop_why_pending;		/* not printed yet (dashboard on) */

	FILE *console;			/* the guest's console: UART, ucall PRINT */
	struct dash *dash;		/* --dashboard, or NULL */
	struct trace_writer *rec;	/* --record without --dashboard, or NULL */
	struct ioq *rec_io;		/* its device accesses, for the main thread */
	pthread_mutex_t rec_lock;	/* rec_cursor: the main and vCPU threads drain */
	uint64_t rec_cursor[HVLAB_MAX_VCPUS];
	pthread_t main_thread;		/* vm_run's, which drains for --record */
	atomic_bool drain_asked;	/* VM_DRAIN_SIGNAL sent, not yet answered */
};

/* What vcpu_handle_exit() tells the vCPU thread. */
enum vcpu_action {
	VCPU_CONTINUE,
	VCPU_HALTED,		/* halted for good: nothing can wake it */
	VCPU_STOP,
	VCPU_WAIT_IRQ,		/* HLT with interrupts on: sleep until one comes */
};

/* Returns 0, or a VM_EXIT_* status with a message on stderr. */
int vm_init(struct vm *vm, const struct vm_options *opt);
int vm_create(struct vm *vm);
int vm_set_boot_state(struct vm *vm, const struct boot_image *img);
int vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);

/*
 * The board: which device answers where.  Called by vm_init; exported so
 * tests can build the same board on a bus of their own.
 */
int board_setup(struct vm *vm);

/* hw_stop_fn for the devices: record `status` (first wins), stop vCPUs. */
void vm_request_stop(void *vm, int status, bool quiet, const char *why);
bool vm_stopping(struct vm *vm);

/* Registers and segments a vCPU starts with (multiboot, --flat, bzImage). */
void boot_vcpu_state(const struct boot_image *img, int id, struct hvlab_regs *regs,
		     struct hvlab_sregs *sregs);

/* -v: the registers of a stopped vCPU, on stderr (vcpu_loop.c). */
void vcpu_dump_regs(struct vcpu *v);

/* One exit, from vcpu->run: device work, messages, the next step. */
enum vcpu_action vcpu_handle_exit(struct vcpu *vcpu);

/* A message for the user on stderr; held back while the dashboard is on. */
void vm_log(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Lossless watching (run->ring_wait): the module waits for the exit ring to
 * be read instead of overwriting it.  vm_drain_ring() reads vCPU i's ring
 * into the dashboard or the recording, whichever reads the rings.
 */
void vm_set_lossless(struct vm *vm, bool on);
/* Once vm->dash or vm->rec is set: the --net cards' frames go to it too. */
void vm_watch_nics(struct vm *vm);
void vm_drain_ring(struct vm *vm, unsigned i);

/* Exit statistics from the mmap-ed hvlab_stats of every vCPU, then the disks'. */
void vm_print_stats(struct vm *vm, FILE *f);
/*
 * The interrupt counters (irqchip_stats and each vCPU's injected/halts)
 * as the dashboard and the trace hold them; a dash_irq_fn, ctx the vm.
 * Any thread: the per-vCPU counts are read while their threads run.
 */
struct trace_irq;
void vm_irq_snapshot(void *vm, struct trace_irq *out);
void vcpu_print_stats(const struct hvlab_stats *st, int id, FILE *f);

/*
 * vcpu_irq.c: interrupts from the vCPU's side.  vm_irqchip_ops is what the
 * board gives irqchip_new().  vcpu_prepare_run() runs before each
 * HVLAB_RUN: INIT/STARTUP, then the next vector; 0, 1 when the VM stops
 * meanwhile, or -errno.  vcpu_wait_irq() sleeps through an HLT.
 */
struct irqchip_ops;
extern const struct irqchip_ops vm_irqchip_ops;
void vcpu_irq_init(struct vcpu *v);
void vcpu_irq_destroy(struct vcpu *v);
void vcpu_kick(struct vcpu *v);
int vcpu_prepare_run(struct vcpu *v);
enum vcpu_action vcpu_wait_irq(struct vcpu *v);

/* console.c: with a terminal on stdin, raw mode and typing into COM1. */
int console_open(struct vm *vm);
void console_close(struct vm *vm);

/* hypercall.c: HVLAB_EXIT_HYPERCALL (HVLAB_HC_WALK prints walk_print.c's text). */
void vcpu_hypercall(struct vcpu *vcpu);

#endif
