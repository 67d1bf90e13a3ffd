/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dash.h - the live dashboard, as `hvlab run --dashboard` drives it.
 *
 * Who calls what (two threads: the vCPU thread runs HVLAB_RUN, the main
 * thread owns the terminal):
 *
 *   main thread                       vCPU thread
 *   -----------                       -----------
 *   d = dash_open(&cfg, err, len)
 *   bus_set_observer(bus, dash_on_io, d)
 *                                     loop:
 *                                       if (dash_gate(d, 0) < 0) stop
 *                                       ioctl(vcpu, HVLAB_RUN)
 *                                       ... emulate; serial bytes ->
 *                                       dash_on_console(d, buf, n)
 *                                       if (dash_want_regs(d, 0))
 *                                         GET_REGS/SREGS, dash_on_regs()
 *   dash_set_irq_source(d, fn, ctx)   (optional: the interrupt panel)
 *   while (dash_poll(d, 100) == DASH_RUN && guest alive) ;
 *   dash_close(d)
 *
 * dash_poll() reads the exit counters and the exit ring straight from the
 * mmap-ed struct hvlab_stats (cfg.stats[]) without any ioctl, so it never
 * stops a vCPU; it redraws at most 10 times a second and handles keys.
 * The on_* calls take a short lock and copy: they never wait for the UI.
 * dash_gate() is where pause and single-step happen: it blocks the vCPU
 * thread while the user has paused the guest and, for a step, arms the
 * monitor trap flag with HVLAB_SET_DEBUG (HVLAB_DEBUG_SINGLESTEP) so the
 * next HVLAB_RUN returns HVLAB_EXIT_DEBUG after one instruction.  Called
 * from the main thread itself (a single-threaded run loop), it keeps the
 * UI alive while paused.
 *
 * With cfg.record set, everything the dashboard sees is also written to
 * that trace (so `--dashboard --record` share one reader of the ring).
 * Without the dashboard, `--record` uses the trace_* calls of trace.h
 * directly: trace_on_io as the bus observer, trace_record_stats() from a
 * timer, trace_write_console/regs/vga from the run loop.
 *
 * `hvlab top` (dash/top.c) watches a VM another process runs: cfg.attached,
 * only cfg.stats[] set, no vCPU thread at all.  Its main thread just loops
 * on dash_poll().  The keys and panels that need the run process (pause,
 * step, walks, registers, device I/O, console) say so instead of acting.
 * With cfg.headless there is no terminal: dash_dump() prints the panels.
 */
#ifndef HVLAB_DASH_DASH_H
#define HVLAB_DASH_DASH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/hvlab.h>

#include "dash/trace.h"
#include "hw/bus.h"

struct dash_config {
	const char *image;		/* shown in the status line */
	uint32_t vm_flags;		/* HVLAB_VM_* the VM was created with */
	uint32_t vendor;		/* TRACE_VENDOR_*: how to read the exit records */
	uint64_t mem_size;
	unsigned nr_vcpus;		/* 1..TRACE_MAX_VCPUS */
	/* per vCPU: its fd (HVLAB_TRANSLATE, HVLAB_SET_DEBUG) or -1 */
	int vcpu_fd[TRACE_MAX_VCPUS];
	/* per vCPU: mmap of the fd at HVLAB_STATS_OFFSET, or NULL */
	const struct hvlab_stats *stats[TRACE_MAX_VCPUS];
	/* host view of guest-physical 0xB8000 (4000 bytes), or NULL */
	const uint8_t *vga_mem;
	/*
	 * per vCPU, optional: where to publish how far the ring has been read
	 * (&run->ring_tail of a lossless run, see the uapi), or NULL
	 */
	__u64 *ring_tail[TRACE_MAX_VCPUS];
	/* optional: also record to this trace (the caller closes it) */
	struct trace_writer *record;
	/* register snapshots per second asked by dash_want_regs (0 = 10) */
	unsigned regs_hz;
	/* hvlab top: read-only, another process runs the VM (see above) */
	bool attached;
	/* no terminal (dash_dump); dash_poll only reads the rings */
	bool headless;
	/* at most one redraw per redraw_ms (0 = 100) */
	unsigned redraw_ms;
};

struct dash;

#define DASH_RUN	0
#define DASH_QUIT	1

/* Takes over the terminal.  NULL with a sentence in err if it cannot. */
struct dash *dash_open(const struct dash_config *cfg, char *err, size_t errlen);
/*
 * Makes every dash_gate() return -1 from now on, waking vCPU threads that
 * wait in it (paused).  Call it when the VM stops for another reason
 * (Ctrl-C, guest exit) before joining the vCPU threads.
 */
void dash_stop(struct dash *d);
/* Gives the terminal back.  Join the vCPU threads before calling it. */
void dash_close(struct dash *d);

/* Main thread: drain the exit rings, redraw (<= 10 Hz), handle keys. */
int dash_poll(struct dash *d, int timeout_ms);
/*
 * Optional: dash_poll's wait for a key also ends when a signal arrives
 * that `mask` (the main thread's signal mask during that wait) lets
 * through, e.g. a vCPU thread asking for its ring to be drained now.
 */
void dash_set_wait_mask(struct dash *d, const sigset_t *mask);
/*
 * Drains the rings and prints the panels (enum dash_panel values) as
 * text, w x h each, a blank line between them.  0, or -1 out of memory.
 */
int dash_dump(struct dash *d, const int *panels, int npanels, int w, int h, FILE *f);
/* vCPU thread, on HVLAB_EXIT_RING_FULL: drain its own ring now. */
void dash_drain_vcpu(struct dash *d, unsigned vcpu);
/* vCPU thread, before each HVLAB_RUN: 0 run, 1 run one step, -1 quit. */
int dash_gate(struct dash *d, unsigned vcpu);
bool dash_paused(const struct dash *d);

/* Events from the run loop (any thread). */
void dash_on_io(void *ctx, const struct bus_access *a);	/* bus_observer_fn */
void dash_on_console(struct dash *d, const void *buf, size_t len);
void dash_on_regs(struct dash *d, unsigned vcpu, const struct hvlab_regs *r,
		  const struct hvlab_sregs *s);
/* An exit the ring does not hold (no stats mmap): counts and logs it. */
void dash_on_exit(struct dash *d, unsigned vcpu, const struct hvlab_exit_record *e);
/*
 * A translation the run loop made (the VMCALL HVLAB_HC_WALK handler): shown
 * by the walk panel when HVLAB_TRANSLATE is unavailable, and recorded.
 */
void dash_on_walk(struct dash *d, unsigned vcpu, const struct hvlab_translation *t);
/*
 * Where the interrupts panel gets its numbers: dash_poll (main thread)
 * calls fn(ctx, out) every poll to fill a snapshot of the VM's counters,
 * and with cfg.record also records it (trace_record_irq: at most ten a
 * second, and a last one at dash_close).  fn must not block for long: it
 * is the irqchip's lock and a copy.  Call before the first dash_poll.
 */
typedef void (*dash_irq_fn)(void *ctx, struct trace_irq *out);
void dash_set_irq_source(struct dash *d, dash_irq_fn fn, void *ctx);
/* A network frame of card nic (TRACE_FRAME_IN/OUT), any thread: shown and recorded. */
void dash_on_frame(struct dash *d, unsigned nic, unsigned dir, const uint8_t *frame, size_t len);
/* True when a register snapshot is due (rate limit, or paused/stepping). */
bool dash_want_regs(struct dash *d, unsigned vcpu);

#endif
