// SPDX-License-Identifier: GPL-2.0
/*
 * dash.c - the live dashboard (the calling protocol is in dash.h).
 *
 * State: one model (model.h) under one mutex.  Writers (the on_* calls
 * from the vCPU thread, the ring drain in dash_poll) hold the lock only
 * to apply one event; the main thread holds it while it renders into the
 * canvas, never while it talks to the terminal.  The exit counters shown
 * are the module's own (hvlab_stats.by_reason), so they stay exact even
 * when the ring wraps faster than the dashboard reads it; the exit log
 * shows what the ring still held (the rest is counted as lost).
 *
 * Attached (hvlab top): the reader starts at the oldest exit the ring still
 * holds, not at 0, so exits from before the attach are not "lost", and the
 * rates start from the counters found then, not from zero.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "dash/dash.h"
#include "dash/ioq.h"
#include "dash/model.h"
#include "dash/ring.h"
#include "dash/ui.h"
#include "dash/view.h"

#define REDRAW_NS	100000000ull	/* 10 Hz at most */

struct dash {
	struct dash_config cfg;
	pthread_mutex_t lock;
	pthread_cond_t resume;
	pthread_t ui_thread;
	struct dash_model *m;
	struct dash_view v;
	struct ui *ui;
	struct canvas *c;
	uint64_t start_ns, last_draw, last_regs[TRACE_MAX_VCPUS];
	bool regs_seen[TRACE_MAX_VCPUS];	/* a snapshot was taken: the first is at once */
	/*
	 * Running: the main thread sets regs_due[c] once a period (dash_poll)
	 * and vCPU c's thread takes it, so that the question asked after
	 * every exit is one load, not a clock read.
	 */
	bool regs_due[TRACE_MAX_VCPUS];
	uint64_t regs_asked[TRACE_MAX_VCPUS];	/* main thread: when regs_due was set */
	pthread_mutex_t ring_lock;	/* cursor[]: main and vCPU threads drain */
	uint64_t cursor[TRACE_MAX_VCPUS];
	bool paused, quit;		/* written locked; vCPUs peek unlocked */
	unsigned step_req;		/* steps asked for, not yet taken */
	struct ioq *io;			/* device accesses from the vCPU threads */
	bool mtf_armed[TRACE_MAX_VCPUS];
	int step_err;			/* -errno of HVLAB_SET_DEBUG */
	uint8_t vga_last[TRACE_VGA_BYTES];
	bool vga_recorded;
	bool drained;			/* the first drain has been done */
	dash_irq_fn irq_fn;		/* interrupt counters, or NULL */
	void *irq_ctx;
	struct trace_irq irq;		/* the main thread's snapshot buffer */
	bool wait_masked;		/* dash_set_wait_mask: wait_mask is set */
	sigset_t wait_mask;
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	/* coarse: no system call on every event (see writer_time in trace.c) */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

static uint64_t since(const struct dash *d)
{
	return mono_ns() - d->start_ns;
}

static int live_translate(void *ctx, uint64_t gva, struct hvlab_translation *out)
{
	struct dash *d = ctx;
	int fd = d->cfg.vcpu_fd[d->v.vcpu < TRACE_MAX_VCPUS ? d->v.vcpu : 0];

	memset(out, 0, sizeof(*out));
	out->gva = gva;
	if (fd < 0)
		return -ENODEV;
	if (ioctl(fd, HVLAB_TRANSLATE, out) < 0)
		return -errno;
	if (d->cfg.record)
		trace_write_walk(d->cfg.record, d->v.vcpu, out);
	return 0;
}

struct dash *dash_open(const struct dash_config *cfg, char *err, size_t errlen)
{
	struct trace_config tc = { 0 };
	struct dash *d;

	if (!cfg || cfg->nr_vcpus < 1 || cfg->nr_vcpus > TRACE_MAX_VCPUS) {
		snprintf(err, errlen, "dashboard: bad configuration (vCPUs 1..%d)",
			 TRACE_MAX_VCPUS);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->cfg = *cfg;
	tc.nr_vcpus = cfg->nr_vcpus;
	tc.vm_flags = cfg->vm_flags;
	tc.vendor = cfg->vendor;
	tc.mem_size = cfg->mem_size;
	snprintf(tc.image, sizeof(tc.image), "%s", cfg->image ? cfg->image : "");
	d->m = model_new(&tc);
	d->io = ioq_new();
	d->ui = d->m && d->io && !cfg->headless ? ui_open(err, errlen) : NULL;
	if (!d->m || !d->io || (!d->ui && !cfg->headless)) {
		if (!d->m || !d->io)
			snprintf(err, errlen, "out of memory");
		model_free(d->m);
		ioq_free(d->io);
		free(d);
		return NULL;
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->ring_lock, NULL);
	pthread_cond_init(&d->resume, NULL);
	d->ui_thread = pthread_self();
	d->start_ns = mono_ns();
	view_init(&d->v, cfg->attached ? "top" : "live");
	d->v.attached = cfg->attached;
	if (!cfg->attached) {
		d->v.translate = live_translate;
		d->v.translate_ctx = d;
	}
	for (unsigned c = 0; cfg->attached && c < cfg->nr_vcpus; c++) {
		uint64_t head = cfg->stats[c] ? __atomic_load_n(&cfg->stats[c]->head,
								__ATOMIC_ACQUIRE) : 0;

		d->cursor[c] = head > HVLAB_EXIT_RING_SIZE ? head - HVLAB_EXIT_RING_SIZE : 0;
	}
	return d;
}

void dash_stop(struct dash *d)
{
	pthread_mutex_lock(&d->lock);
	__atomic_store_n(&d->quit, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&d->resume);
	pthread_mutex_unlock(&d->lock);
}

void dash_set_wait_mask(struct dash *d, const sigset_t *mask)
{
	d->wait_mask = *mask;
	d->wait_masked = true;
}

void dash_set_irq_source(struct dash *d, dash_irq_fn fn, void *ctx)
{
	d->irq_fn = fn;
	d->irq_ctx = ctx;
}

static void apply(struct dash *d, const struct trace_event *ev);

/* Takes the VM's interrupt counters into the model (and the recording). */
static void poll_irq(struct dash *d, bool last)
{
	struct trace_event ev = { .type = TRACE_IRQ, .irq = &d->irq };

	if (!d->irq_fn)
		return;
	memset(&d->irq, 0, sizeof(d->irq));
	d->irq_fn(d->irq_ctx, &d->irq);
	ev.time_ns = since(d);
	apply(d, &ev);
	if (d->cfg.record)
		trace_record_irq(d->cfg.record, &d->irq, last);
}

void dash_close(struct dash *d)
{
	if (!d)
		return;
	dash_stop(d);
	/* the vCPUs have stopped: the trace gets the final counts */
	poll_irq(d, true);
	ui_close(d->ui);
	canvas_free(d->c);
	model_free(d->m);
	ioq_free(d->io);
	/* the vCPU thread may still be leaving dash_gate: let the caller join it first */
	pthread_cond_destroy(&d->resume);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->ring_lock);
	free(d);
}

static void apply(struct dash *d, const struct trace_event *ev)
{
	pthread_mutex_lock(&d->lock);
	model_apply(d->m, ev);
	pthread_mutex_unlock(&d->lock);
}

/*
 * A device access, on a vCPU thread: queued without a lock (ioq.c) and
 * applied by the main thread in drain(), so a vCPU never waits while the
 * screen is drawn.  A full queue drops the access (with --record, a
 * marker in the trace says how many).
 */
void dash_on_io(void *ctx, const struct bus_access *a)
{
	struct dash *d = ctx;

	ioq_push(d->io, a);
}

static void drain_io(struct dash *d)
{
	struct bus_access a[256];
	uint64_t lost;
	size_t n;

	while ((n = ioq_pop(d->io, a, 256))) {
		uint64_t now = since(d);

		pthread_mutex_lock(&d->lock);
		for (size_t k = 0; k < n; k++) {
			struct trace_event ev = { .type = TRACE_IO, .time_ns = now,
						  .io = trace_io_from_access(&a[k]) };

			if (a[k].dev && a[k].dev->name)
				ev.io.dev = model_device_id(d->m, a[k].dev->name);
			model_apply(d->m, &ev);
		}
		pthread_mutex_unlock(&d->lock);
		for (size_t k = 0; d->cfg.record && k < n; k++)
			trace_on_io(d->cfg.record, &a[k]);
	}
	lost = ioq_take_lost(d->io);
	if (d->cfg.record)
		trace_write_io_dropped(d->cfg.record, lost);
}

void dash_on_console(struct dash *d, const void *buf, size_t len)
{
	struct trace_event ev = { .type = TRACE_CONSOLE, .time_ns = since(d),
				  .data = buf, .len = len };

	apply(d, &ev);
	if (d->cfg.record)
		trace_write_console(d->cfg.record, TRACE_CONSOLE_SERIAL, buf, len);
}

void dash_on_frame(struct dash *d, unsigned nic, unsigned dir, const uint8_t *frame, size_t len)
{
	struct trace_event ev = { .type = TRACE_FRAME, .time_ns = since(d), .data = frame,
				  .len = (uint32_t)(len < TRACE_FRAME_CAP ? len : TRACE_FRAME_CAP) };

	if (nic >= TRACE_FRAME_NICS || dir > TRACE_FRAME_IN || !len)
		return;
	ev.frame.nic = (uint8_t)nic;
	ev.frame.dir = (uint8_t)dir;
	ev.frame.wire_len = (uint32_t)len;
	apply(d, &ev);
	if (d->cfg.record)
		trace_write_frame(d->cfg.record, nic, dir, frame, len);
}

void dash_on_regs(struct dash *d, unsigned vcpu, const struct hvlab_regs *r,
		  const struct hvlab_sregs *s)
{
	struct trace_event ev = { .type = TRACE_REGS, .time_ns = since(d), .vcpu = vcpu };

	if (vcpu >= d->cfg.nr_vcpus)
		return;
	ev.regs.regs = *r;
	ev.regs.sregs = *s;
	apply(d, &ev);
	if (d->cfg.record)
		trace_write_regs(d->cfg.record, vcpu, r, s);
}

void dash_on_exit(struct dash *d, unsigned vcpu, const struct hvlab_exit_record *e)
{
	struct trace_event ev = { .type = TRACE_EXIT, .time_ns = since(d), .vcpu = vcpu,
				  .exit = *e };

	if (vcpu >= d->cfg.nr_vcpus)
		return;
	apply(d, &ev);
	if (d->cfg.record)
		trace_write_exit(d->cfg.record, vcpu, e);
}

void dash_on_walk(struct dash *d, unsigned vcpu, const struct hvlab_translation *t)
{
	struct trace_event ev = { .type = TRACE_WALK, .time_ns = since(d), .vcpu = vcpu,
				  .walk = *t };

	if (vcpu >= d->cfg.nr_vcpus)
		return;
	apply(d, &ev);
	if (d->cfg.record)
		trace_write_walk(d->cfg.record, vcpu, t);
}

static uint64_t regs_period(const struct dash *d)
{
	return 1000000000ull / (d->cfg.regs_hz ? d->cfg.regs_hz : 10);
}

/* Main thread: a register snapshot is due on each vCPU once a period. */
static void ask_regs(struct dash *d)
{
	uint64_t now = since(d);

	for (unsigned c = 0; c < d->cfg.nr_vcpus; c++)
		if (now - d->regs_asked[c] >= regs_period(d)) {
			d->regs_asked[c] = now;
			__atomic_store_n(&d->regs_due[c], true, __ATOMIC_RELAXED);
		}
}

bool dash_want_regs(struct dash *d, unsigned vcpu)
{
	uint64_t now, period = regs_period(d);
	bool due;

	if (vcpu >= TRACE_MAX_VCPUS)
		return false;
	/*
	 * Running: the main thread's flag (ask_regs; the first exit too, so
	 * that the vCPU panel and a replay have a state at once); regs_seen
	 * and last_regs[vcpu] are this vCPU thread's own, no lock needed.
	 */
	if (!__atomic_load_n(&d->paused, __ATOMIC_RELAXED)) {
		due = !d->regs_seen[vcpu] ||
		      (__atomic_load_n(&d->regs_due[vcpu], __ATOMIC_RELAXED) &&
		       __atomic_exchange_n(&d->regs_due[vcpu], false, __ATOMIC_RELAXED));
		if (due) {
			d->last_regs[vcpu] = since(d);
			d->regs_seen[vcpu] = true;
		}
		return due;
	}
	now = since(d);
	pthread_mutex_lock(&d->lock);
	due = d->paused || d->step_req || !d->regs_seen[vcpu] ||
	      now - d->last_regs[vcpu] >= period;
	if (due) {
		d->last_regs[vcpu] = now;
		d->regs_seen[vcpu] = true;
	}
	pthread_mutex_unlock(&d->lock);
	return due;
}

bool dash_paused(const struct dash *d)
{
	return d->paused;
}

/* Arms or disarms the monitor trap flag (SDM Vol. 3 26.5.2) on one vCPU. */
static void set_mtf(struct dash *d, unsigned vcpu, bool on)
{
	struct hvlab_debug dbg = { .flags = on ? HVLAB_DEBUG_SINGLESTEP : 0 };
	int fd = d->cfg.vcpu_fd[vcpu];

	if (d->mtf_armed[vcpu] == on)
		return;
	if (fd < 0 || ioctl(fd, HVLAB_SET_DEBUG, &dbg) < 0) {
		d->step_err = fd < 0 ? -ENODEV : -errno;
		return;
	}
	d->mtf_armed[vcpu] = on;
}

int dash_gate(struct dash *d, unsigned vcpu)
{
	bool on_ui = pthread_equal(pthread_self(), d->ui_thread);
	int ret;

	if (vcpu >= d->cfg.nr_vcpus)
		return -1;
	/*
	 * The common case, running and not stepping, without the lock the
	 * main thread holds while it draws.  A pause that races with this
	 * look takes effect at the vCPU's next exit to userspace, as every
	 * pause does.
	 */
	if (!__atomic_load_n(&d->paused, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&d->quit, __ATOMIC_ACQUIRE) && !d->mtf_armed[vcpu])
		return 0;
	pthread_mutex_lock(&d->lock);
	while (d->paused && !d->step_req && !d->quit) {
		if (on_ui) {
			/* single-threaded run loop: keep the screen alive ourselves */
			pthread_mutex_unlock(&d->lock);
			dash_poll(d, 100);
			pthread_mutex_lock(&d->lock);
		} else {
			pthread_cond_wait(&d->resume, &d->lock);
		}
	}
	if (d->quit) {
		ret = -1;
	} else if (d->paused && d->step_req) {
		d->step_req--;
		set_mtf(d, vcpu, true);
		ret = 1;
	} else {
		set_mtf(d, vcpu, false);
		ret = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/*
 * Copies one vCPU's new ring entries into the model and the recording, and
 * tells the module how far it has read (cfg.ring_tail, for lossless runs).
 * The main thread drains every vCPU each poll; a vCPU thread drains its own
 * ring when the module stops it with HVLAB_EXIT_RING_FULL.
 */
static void drain_vcpu(struct dash *d, unsigned c)
{
	struct hvlab_exit_record recs[HVLAB_EXIT_RING_SIZE];
	const struct hvlab_stats *s = d->cfg.stats[c];
	struct trace_event ev = { .type = TRACE_EXIT, .vcpu = c };
	uint64_t lost = 0;
	size_t n;

	/*
	 * One batch, one lock of the model: the main thread holds that lock
	 * while it draws, and a vCPU draining its full ring waits for it.
	 */
	pthread_mutex_lock(&d->ring_lock);
	n = stats_ring_read(s, &d->cursor[c], recs, HVLAB_EXIT_RING_SIZE, &lost);
	ev.time_ns = since(d);
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < n; i++) {
		ev.exit = recs[i];
		model_apply(d->m, &ev);
	}
	if (lost) {
		ev.type = TRACE_LOST;
		ev.lost = lost;
		model_apply(d->m, &ev);
	}
	pthread_mutex_unlock(&d->lock);
	for (size_t i = 0; d->cfg.record && i < n; i++)
		trace_write_exit(d->cfg.record, c, &recs[i]);
	if (lost && d->cfg.record)
		trace_write_lost(d->cfg.record, lost);
	if (d->cfg.ring_tail[c])
		__atomic_store_n(d->cfg.ring_tail[c], d->cursor[c], __ATOMIC_RELEASE);
	pthread_mutex_unlock(&d->ring_lock);
}

void dash_drain_vcpu(struct dash *d, unsigned vcpu)
{
	if (vcpu < d->cfg.nr_vcpus && d->cfg.stats[vcpu])
		drain_vcpu(d, vcpu);
}

/* Drains every vCPU's ring; takes the module's exact counters. */
static void drain(struct dash *d)
{
	uint64_t sum[HVLAB_NR_EXIT_REASONS] = { 0 }, total = 0;
	bool any = false;

	drain_io(d);
	poll_irq(d, false);

	for (unsigned c = 0; c < d->cfg.nr_vcpus; c++) {
		const struct hvlab_stats *s = d->cfg.stats[c];

		if (!s)
			continue;
		any = true;
		drain_vcpu(d, c);
		for (int r = 0; r < HVLAB_NR_EXIT_REASONS; r++)
			sum[r] += __atomic_load_n(&s->by_reason[r], __ATOMIC_RELAXED);
		total += __atomic_load_n(&s->exits, __ATOMIC_RELAXED);
	}
	if (!any)
		return;
	/* The module's counters are exact; the ring may have dropped some. */
	pthread_mutex_lock(&d->lock);
	memcpy(d->m->by_reason, sum, sizeof(sum));
	d->m->total = total > d->m->total ? total : d->m->total;
	if (d->cfg.attached && !d->drained) {
		/* rates count from the attach, not from the VM's start */
		memcpy(d->m->rate_prev, sum, sizeof(sum));
		d->m->rate_prev_total = d->m->total;
		d->m->rate_since_ns = since(d);
	}
	d->drained = true;
	pthread_mutex_unlock(&d->lock);
}

static void copy_vga(struct dash *d)
{
	if (!d->cfg.vga_mem)
		return;
	pthread_mutex_lock(&d->lock);
	/* A racy read of guest memory: a torn cell is redrawn 100 ms later. */
	memcpy(d->m->vga, d->cfg.vga_mem, TRACE_VGA_BYTES);
	d->m->vga_valid = true;
	pthread_mutex_unlock(&d->lock);
	if (d->cfg.record && (!d->vga_recorded || memcmp(d->vga_last, d->m->vga, TRACE_VGA_BYTES))) {
		memcpy(d->vga_last, d->m->vga, TRACE_VGA_BYTES);
		trace_write_vga(d->cfg.record, 0, d->vga_last, TRACE_VGA_BYTES);
		d->vga_recorded = true;
	}
}

static void status(struct dash *d)
{
	const char *img = d->cfg.image ? strrchr(d->cfg.image, '/') : NULL;

	img = img ? img + 1 : d->cfg.image ? d->cfg.image : "";
	if (d->cfg.attached) {
		snprintf(d->v.status, sizeof(d->v.status), " %s  ATTACHED, read-only  t=%.1fs",
			 img, since(d) / 1e9);
		d->v.keys = "";
		return;
	}
	if (d->step_err)
		snprintf(d->v.status, sizeof(d->v.status),
			 " %s  %s  single-step unavailable: HVLAB_SET_DEBUG failed (%s)", img,
			 d->paused ? "PAUSED" : "RUNNING", strerror(-d->step_err));
	else
		snprintf(d->v.status, sizeof(d->v.status), " %s  %s  t=%.1fs%s", img,
			 d->paused ? "PAUSED" : "RUNNING", since(d) / 1e9,
			 d->cfg.record ? "  recording" : "");
	d->v.keys = "p pause s step";
}

/* hvlab top: the keys that would need the run process explain that instead. */
static bool attached_key(struct dash *d, int key)
{
	switch (key) {
	case 'p': case ' ': case 's': case '.':
		snprintf(d->v.message, sizeof(d->v.message),
			 "pause and step: not available in hvlab top (only hvlab run can stop its vCPUs)");
		return true;
	case 'w': case '/':
		if (d->v.panel != PANEL_WALK)
			d->v.prev_panel = d->v.panel;
		d->v.panel = PANEL_WALK;
		snprintf(d->v.message, sizeof(d->v.message),
			 "page walks: not available in hvlab top (HVLAB_TRANSLATE is the run's)");
		return true;
	default:
		return false;
	}
}

static bool live_key(struct dash *d, int key)
{
	if (d->v.input != INPUT_NONE)
		return false;
	if (d->cfg.attached)
		return attached_key(d, key);
	switch (key) {
	case 'p':
	case ' ':
		pthread_mutex_lock(&d->lock);
		__atomic_store_n(&d->paused, !d->paused, __ATOMIC_RELEASE);
		d->step_req = 0;
		pthread_cond_broadcast(&d->resume);
		pthread_mutex_unlock(&d->lock);
		return true;
	case 's':
	case '.':
		pthread_mutex_lock(&d->lock);
		__atomic_store_n(&d->paused, true, __ATOMIC_RELEASE);
		d->step_req++;
		pthread_cond_broadcast(&d->resume);
		pthread_mutex_unlock(&d->lock);
		return true;
	default:
		return false;
	}
}

int dash_poll(struct dash *d, int timeout_ms)
{
	uint64_t now, redraw = d->cfg.redraw_ms ? d->cfg.redraw_ms * 1000000ull : REDRAW_NS;
	int key, w, h;

	drain(d);
	if (!d->cfg.attached)
		ask_regs(d);
	if (d->cfg.headless)
		return d->quit ? DASH_QUIT : DASH_RUN;
	now = since(d);
	if (now - d->last_draw >= redraw || !d->c) {
		copy_vga(d);
		ui_size(d->ui, &w, &h);
		if (!d->c || d->c->w != w || d->c->h != h) {
			canvas_free(d->c);
			d->c = canvas_new(w, h);
		}
		if (d->c) {
			status(d);
			pthread_mutex_lock(&d->lock);
			model_tick(d->m, now);
			view_render(d->m, &d->v, d->c);
			pthread_mutex_unlock(&d->lock);
			ui_draw(d->ui, d->c);
		}
		d->last_draw = now;
	}
	key = d->wait_masked ? ui_key_sigmask(d->ui, timeout_ms, &d->wait_mask) :
			       ui_key(d->ui, timeout_ms);
	/*
	 * Without the lock: the view is the main thread's alone, view_key only
	 * reads two counters of the model for scroll limits, and a typed GVA
	 * runs HVLAB_TRANSLATE, which must not hold up the vCPU thread's events.
	 */
	if (key != DK_NONE && key != DK_RESIZE && !live_key(d, key))
		view_key(&d->v, d->m, key);
	if (key != DK_NONE)
		d->last_draw = 0;	/* answer a key at once */
	if (d->v.quit) {
		pthread_mutex_lock(&d->lock);
		__atomic_store_n(&d->quit, true, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&d->resume);
		pthread_mutex_unlock(&d->lock);
	}
	return d->quit ? DASH_QUIT : DASH_RUN;
}

int dash_dump(struct dash *d, const int *panels, int npanels, int w, int h, FILE *f)
{
	struct canvas *c = canvas_new(w, h);

	if (!c)
		return -1;
	drain(d);
	copy_vga(d);
	status(d);
	for (int i = 0; i < npanels; i++) {
		char *text;

		pthread_mutex_lock(&d->lock);
		d->v.panel = panels[i] >= 0 && panels[i] < PANEL_NR ? panels[i] : PANEL_EXITS;
		model_tick(d->m, since(d));
		view_render(d->m, &d->v, c);
		pthread_mutex_unlock(&d->lock);
		text = canvas_to_text(c);
		if (!text) {
			canvas_free(c);
			return -1;
		}
		fputs(text, f);
		free(text);
		if (i + 1 < npanels)
			fputc('\n', f);
	}
	canvas_free(c);
	return 0;
}
