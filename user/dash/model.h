/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model.h - what the dashboard knows about the guest, built from events.
 *
 * Live and replay feed the same model with the same events (struct
 * trace_event): the recorder writes them, the reader returns them, and
 * the live dashboard makes them from the exit ring and the bus.  The
 * panels only read the model.  So replaying a trace up to record N shows
 * exactly what the live dashboard showed when that record was made.
 *
 * Invariants: every table is bounded (the logs are rings that keep the
 * newest entries); model_apply() accepts any event a valid trace can hold
 * and ignores what it does not use; no event can make the model read or
 * write outside its arrays (ids and offsets were validated by the reader,
 * and are checked again here for the live path).
 */
#ifndef HVLAB_DASH_MODEL_H
#define HVLAB_DASH_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <uapi/hvlab.h>

#include "dash/trace.h"

#define MODEL_EXIT_LOG	4096	/* exits kept for the log panel */
#define MODEL_IO_LOG	1024
#define MODEL_CONSOLE	(32 * 1024)	/* serial bytes kept */
#define MODEL_WALKS	256
#define MODEL_FRAME_LOG	512	/* frames kept for the network panel */
#define MODEL_UNCLAIMED	TRACE_MAX_DEVICES	/* device slot of unclaimed accesses */

struct model_exit {
	uint64_t seq;		/* 1 = the first exit seen */
	uint64_t time_ns;
	uint32_t vcpu;
	struct hvlab_exit_record e;
};

struct model_io {
	uint64_t seq;
	uint64_t time_ns;
	struct trace_io io;
};

/* One frame of a --net card (TRACE_FRAME): its head, for the decoder. */
struct model_frame {
	uint64_t seq;
	uint64_t time_ns;
	uint8_t nic, dir;	/* TRACE_FRAME_IN/OUT */
	uint16_t cap;		/* bytes kept in head */
	uint32_t wire_len;
	uint8_t head[TRACE_FRAME_CAP];
};

/* Per card, counted from the frames seen (index TRACE_FRAME_OUT/IN). */
struct model_nic {
	uint64_t frames[2], bytes[2];
};

struct model_device {
	char name[TRACE_DEVNAME_MAX + 1];
	uint64_t reads, writes;
	uint64_t last_addr;
};

struct model_vcpu {
	bool valid;
	uint64_t time_ns;
	struct hvlab_regs regs, prev_regs;
	struct hvlab_sregs sregs, prev_sregs;
	bool has_prev;
};

/*
 * Interrupts: the newest snapshot of the VM's counters (cumulative, see
 * struct trace_irq), and per-second rates sampled once a second like the
 * exit rates, counted from the first snapshot (not from zero: a trace
 * whose first IRQ record comes late must not show its history as one
 * second's rate).
 */
struct model_irq {
	bool valid;			/* a snapshot arrived (live: an irqchip exists) */
	uint64_t time_ns;		/* of the newest snapshot */
	uint64_t rate_since_ns;		/* when prev was taken */
	struct trace_irq now;
	struct trace_irq prev;		/* at the last rate sample */
	struct trace_irq rate;		/* per second over the last sample interval */
};

struct dash_model {
	struct trace_config cfg;
	uint64_t now_ns;		/* time of the newest event */
	uint64_t events;		/* events applied */

	/* exits by reason, and per-second rates sampled once a second */
	uint64_t total, by_reason[HVLAB_NR_EXIT_REASONS];
	uint64_t rate_total, rate[HVLAB_NR_EXIT_REASONS];
	uint64_t rate_prev_total, rate_prev[HVLAB_NR_EXIT_REASONS];
	uint64_t rate_since_ns;
	uint64_t lost;
	/*
	 * AMD traces (cfg.vendor): exits count under their common reason
	 * (decode_common_reason; 0 when VMX has none, as the module's
	 * statistics do), and svm_code[reason] is the SVM EXITCODE last
	 * counted there, which the exits panel names (svm_seen: one was; live,
	 * the counts come from the module, which may count an exit under a
	 * reason no record of the log was counted under).
	 */
	uint32_t svm_code[HVLAB_NR_EXIT_REASONS];
	bool svm_seen[HVLAB_NR_EXIT_REASONS];

	/* exits seen one by one (total may be larger: live, it is the module's count) */
	uint64_t exit_seq;
	struct model_exit exits[MODEL_EXIT_LOG];	/* ring by seq */

	struct model_device devs[TRACE_MAX_DEVICES + 1];	/* + unclaimed */
	uint64_t io_total;
	struct model_io io[MODEL_IO_LOG];

	/* serial console: a ring of the last MODEL_CONSOLE bytes */
	char console[MODEL_CONSOLE];
	uint64_t console_len;		/* bytes ever received */

	bool vga_valid;
	uint8_t vga[TRACE_VGA_BYTES];

	struct model_vcpu vcpu[TRACE_MAX_VCPUS];

	unsigned nr_walks;		/* newest MODEL_WALKS kept, by gva */
	struct hvlab_translation walks[MODEL_WALKS];

	char marker[TRACE_MARKER_MAX + 1];
	uint64_t marker_ns;

	struct model_irq irq;

	/* --net: frames per card and the newest ones */
	struct model_nic nic[TRACE_FRAME_NICS];
	uint64_t frame_seq;
	struct model_frame frames[MODEL_FRAME_LOG];	/* ring by seq */
};

/* The model is large (~400 KiB): allocate it. */
struct dash_model *model_new(const struct trace_config *cfg);
void model_free(struct dash_model *m);
void model_reset(struct dash_model *m);
void model_apply(struct dash_model *m, const struct trace_event *ev);
/* Re-samples the per-second rates when a second has passed since the last. */
void model_tick(struct dash_model *m, uint64_t now_ns);

/* The exit with sequence number seq, or NULL if it left the ring. */
const struct model_exit *model_exit_at(const struct dash_model *m, uint64_t seq);
const struct model_io *model_io_at(const struct dash_model *m, uint64_t seq);
const struct model_frame *model_frame_at(const struct dash_model *m, uint64_t seq);
/* Id of a device name, adding it (live path); MODEL_UNCLAIMED if full. */
unsigned model_device_id(struct dash_model *m, const char *name);
/* The newest recorded walk of the page holding gva; false if none. */
bool model_find_walk(const struct dash_model *m, uint64_t gva, struct hvlab_translation *out);
/* All interrupts injected so far (the sum over vectors). */
uint64_t model_irq_total(const struct trace_irq *s);

#endif
