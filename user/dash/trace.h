/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - the hvlab trace: a recording of one guest run that
 * `hvlab replay` shows in the dashboard on any Linux machine.
 *
 * File layout (all integers little-endian; docs/trace-format.md has the
 * byte tables):
 *
 *   header   "HVLABTRC" magic, u16 major, u16 minor, u32 header size,
 *            then the VM configuration (memory size, vCPUs, HVLAB_VM_*
 *            flags, TSC rate, start time, image name)
 *   records  repeated until the end of the file:
 *            u16 type, u16 flags (0), u32 payload length, u64 time in ns
 *            since the trace started, then `length` bytes of payload
 *
 * Invariants the reader enforces, so that a corrupt file can never make it
 * read out of bounds: every length is checked against the bytes that are
 * left and against the exact (or maximum) size of its record type; every
 * enumerated field (exit reason, access size, walk level, ...) is checked
 * against its range; time never goes backwards.  A record type the reader
 * does not know is skipped (its length says how far), so a newer minor
 * version stays readable; a newer major version is refused.  On the first
 * bad record the reader stops, keeps everything before it, and says where
 * and why in trace_error().
 *
 * The writer is thread-safe: the vCPU thread (exits, I/O) and the main
 * thread (console, snapshots) may record at the same time.
 */
#ifndef HVLAB_DASH_TRACE_H
#define HVLAB_DASH_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/hvlab.h>

#include "hw/bus.h"

#define TRACE_MAGIC		"HVLABTRC"
/*
 * 1.1: IRQ records; 1.2: FRAME records; 2.0: the header names the vendor,
 * and an EXIT record of an AMD trace holds the SVM EXITCODE as its reason.
 * The reader reads 1.x (always Intel) and 2.x.
 */
#define TRACE_VERSION_MAJOR	2
#define TRACE_VERSION_MINOR	0
#define TRACE_OLDEST_MAJOR	1

/* Which virtualization extension recorded the trace (header offset 112). */
#define TRACE_VENDOR_INTEL	0	/* VMX: exit reasons of SDM Vol. 3 App. C */
#define TRACE_VENDOR_AMD	1	/* SVM: EXITCODEs of APM Vol. 2 App. C */

/* Record types.  Numbers are part of the format: never reuse one. */
enum trace_type {
	TRACE_EXIT	= 1,	/* one VM exit (struct hvlab_exit_record) */
	TRACE_REGS	= 2,	/* hvlab_regs + hvlab_sregs of one vCPU */
	TRACE_IO	= 3,	/* one port or MMIO access seen by the bus */
	TRACE_DEVNAME	= 4,	/* binds a device id to a name */
	TRACE_CONSOLE	= 5,	/* bytes the guest wrote to its console */
	TRACE_WALK	= 6,	/* one GVA -> GPA -> HPA translation */
	TRACE_MARKER	= 7,	/* a label ("boot", "CR3 switch") */
	TRACE_VGA	= 8,	/* bytes of the VGA text buffer at 0xB8000 */
	TRACE_LOST	= 9,	/* exits the recorder could not keep */
	TRACE_END	= 10,	/* clean end of the recording */
	TRACE_IRQ	= 11,	/* interrupt counters so far (since 1.1) */
	TRACE_FRAME	= 12,	/* the head of one network frame (since 1.2) */
	TRACE_NR_TYPES
};

/* Sizes of the record header, the fixed header, and the bounded payloads. */
#define TRACE_FILE_HEADER_SIZE	128
#define TRACE_RECORD_HEADER	16
#define TRACE_EXIT_SIZE		64
#define TRACE_REGS_SIZE		432
#define TRACE_IO_SIZE		24
#define TRACE_WALK_SIZE		296
#define TRACE_LOST_SIZE		8
#define TRACE_END_SIZE		8
#define TRACE_DEVNAME_MAX	32	/* name bytes, no NUL */
#define TRACE_CONSOLE_MAX	4096
#define TRACE_MARKER_MAX	128
#define TRACE_IMAGE_MAX		64
#define TRACE_MAX_DEVICES	256	/* device ids 0..255 */
#define TRACE_MAX_VCPUS		HVLAB_MAX_VCPUS
#define TRACE_IRQ_GSIS		24	/* I/O APIC pins: GSI 0..23 */
#define TRACE_IRQ_VECTORS	256
#define TRACE_IRQ_ENTRY_SIZE	16
#define TRACE_IRQ_MAX_ENTRIES	1024	/* bounds an IRQ record (unknown kinds included) */
/* at most one IRQ record per this much time, unless forced (trace_record_irq) */
#define TRACE_IRQ_PERIOD_NS	100000000ull

/* Kinds of the entries of an IRQ record; numbers are part of the format. */
enum trace_irq_kind {
	TRACE_IRQ_GSI		= 1,	/* index: GSI; rising edges of that line */
	TRACE_IRQ_VECTOR	= 2,	/* index: vector; injected into any vCPU */
	TRACE_IRQ_IPI		= 3,	/* index 0: interprocessor interrupts sent */
	TRACE_IRQ_NMI		= 4,	/* index 0: NMIs delivered */
	TRACE_IRQ_VCPU_INJECTED	= 5,	/* index: vCPU; interrupts injected into it */
	TRACE_IRQ_VCPU_HALTS	= 6,	/* index: vCPU; times it slept in HLT */
};

/* VGA text mode: 80x25 cells of (character, attribute) at GPA 0xB8000. */
#define TRACE_VGA_COLS		80
#define TRACE_VGA_ROWS		25
#define TRACE_VGA_BYTES		(TRACE_VGA_COLS * TRACE_VGA_ROWS * 2)
#define TRACE_VGA_GPA		0xB8000ull

/*
 * FRAME: u8 NIC index, u8 direction, u16 0, u32 length on the wire, then
 * the first bytes of the frame (at most TRACE_FRAME_CAP: the headers the
 * decoder shows, not the payload).
 */
#define TRACE_FRAME_HDR		8
#define TRACE_FRAME_CAP		128
#define TRACE_FRAME_NICS	4
#define TRACE_FRAME_OUT		0	/* sent by the guest */
#define TRACE_FRAME_IN		1	/* delivered to the guest */

/* Flags of an I/O record. */
#define TRACE_IO_WRITE		(1u << 0)
#define TRACE_IO_MMIO		(1u << 1)
#define TRACE_IO_UNCLAIMED	(1u << 2)
#define TRACE_IO_FLAGS_ALL	0x7u

/* Console sources. */
#define TRACE_CONSOLE_SERIAL	0
#define TRACE_CONSOLE_DEBUGCON	1

/* What the header tells about the VM that was recorded. */
struct trace_config {
	uint64_t mem_size;		/* guest RAM, bytes */
	uint32_t nr_vcpus;		/* 1..TRACE_MAX_VCPUS */
	uint32_t vm_flags;		/* HVLAB_VM_* */
	uint64_t tsc_hz;		/* 0 when unknown */
	uint64_t start_unix_ns;		/* wall clock at the start, 0 unknown */
	char image[TRACE_IMAGE_MAX + 1];	/* NUL-terminated */
	uint32_t vendor;		/* TRACE_VENDOR_*; 1.x traces: Intel */
};

struct trace_io {
	uint64_t addr;			/* port or GPA */
	uint64_t value;
	uint8_t size;			/* 1, 2, 4 or 8 */
	uint8_t flags;			/* TRACE_IO_* */
	uint16_t dev;			/* device id, see TRACE_DEVNAME */
	uint32_t vcpu;
};

/*
 * The interrupt counters of a VM at one moment, all cumulative since it
 * started (user/hw/irq.h struct irq_stats, plus the per-vCPU counts of
 * user/vm.h).  An IRQ record holds a whole snapshot: the newest one
 * replaces the older ones, so seeking in a replay needs no history.
 */
struct trace_irq {
	uint64_t raised[TRACE_IRQ_GSIS];
	uint64_t injected[TRACE_IRQ_VECTORS];
	uint64_t ipis, nmis;
	uint64_t vcpu_injected[TRACE_MAX_VCPUS];
	uint64_t vcpu_halts[TRACE_MAX_VCPUS];
};

/* One decoded record.  `data` points into the reader's buffer. */
struct trace_event {
	uint16_t type;			/* enum trace_type */
	uint64_t time_ns;
	uint64_t offset;		/* where the record starts in the file */
	uint32_t vcpu;
	union {
		struct hvlab_exit_record exit;
		struct {
			struct hvlab_regs regs;
			struct hvlab_sregs sregs;
		} regs;
		struct trace_io io;
		struct hvlab_translation walk;
		uint64_t lost;
		/* IRQ: valid until the reader decodes its next record */
		const struct trace_irq *irq;
		struct {
			uint8_t nic, dir;	/* FRAME: card, TRACE_FRAME_IN/OUT */
			uint32_t wire_len;	/* FRAME: bytes on the wire (data: the head) */
		} frame;
		struct {
			uint16_t id;		/* DEVNAME: device id */
			uint16_t source;	/* CONSOLE: TRACE_CONSOLE_* */
			uint32_t vga_offset;	/* VGA: byte offset in 0..3999 */
		};
	};
	const uint8_t *data;		/* DEVNAME, CONSOLE, MARKER, VGA bytes */
	uint32_t len;
};

/* ---- writing ------------------------------------------------------ */

struct trace_writer;

/* Creates PATH and writes the header.  NULL with errno on failure. */
struct trace_writer *trace_create(const char *path, const struct trace_config *cfg);
/*
 * Flushes, appends the END record and closes.  Returns 0, or -errno if any
 * write failed since trace_create (the first error is kept).
 */
int trace_close(struct trace_writer *w);
/*
 * Time stamps: by default the writer reads CLOCK_MONOTONIC.  After
 * trace_set_time() it uses the given time (ns since start) until the next
 * call: tests and generated fixtures are reproducible that way.
 */
void trace_set_time(struct trace_writer *w, uint64_t ns);

int trace_write_exit(struct trace_writer *w, unsigned vcpu, const struct hvlab_exit_record *e);
int trace_write_regs(struct trace_writer *w, unsigned vcpu, const struct hvlab_regs *r,
		     const struct hvlab_sregs *s);
/* `dev` is an id from trace_device_id(), or TRACE_NO_DEVICE. */
int trace_write_io(struct trace_writer *w, const struct trace_io *io);
int trace_write_console(struct trace_writer *w, unsigned source, const void *buf, size_t len);
int trace_write_walk(struct trace_writer *w, unsigned vcpu, const struct hvlab_translation *t);
int trace_write_marker(struct trace_writer *w, const char *text);
/* A marker saying n device accesses were dropped (ioq.c full), if n > 0. */
int trace_write_io_dropped(struct trace_writer *w, uint64_t n);
int trace_write_vga(struct trace_writer *w, unsigned offset, const void *buf, size_t len);
int trace_write_lost(struct trace_writer *w, uint64_t n);
/* The head of a frame of card `nic` (TRACE_FRAME_IN/OUT); thread-safe. */
int trace_write_frame(struct trace_writer *w, unsigned nic, unsigned dir, const void *frame,
		      size_t len);
/* An interrupt snapshot, as entries for the counters that are not zero. */
int trace_write_irq(struct trace_writer *w, const struct trace_irq *s);
/*
 * The same, but only when *s differs from the last snapshot recorded and
 * TRACE_IRQ_PERIOD_NS have passed since it (`force`: whenever it differs,
 * for the last one before trace_close).  0 when nothing had to be written.
 */
int trace_record_irq(struct trace_writer *w, const struct trace_irq *s, bool force);

#define TRACE_NO_DEVICE	0xffff
/* The id of a device name, writing a DEVNAME record the first time. */
int trace_device_id(struct trace_writer *w, const char *name);

/*
 * A bus observer (see hw/bus.h): bus_set_observer(bus, trace_on_io, w)
 * records every port/MMIO access with its device name.
 */
void trace_on_io(void *ctx, const struct bus_access *a);
/* The trace's view of a bus access; dev is left TRACE_NO_DEVICE. */
struct trace_io trace_io_from_access(const struct bus_access *a);

/*
 * Records the exits in the mmap-ed statistics of one vCPU that are new
 * since the last call (`*cursor` starts at 0), plus a LOST record when the
 * ring wrapped before they could be read.  Returns the number recorded.
 */
int trace_record_stats(struct trace_writer *w, unsigned vcpu,
		       const struct hvlab_stats *stats, uint64_t *cursor);

/* ---- reading ------------------------------------------------------ */

struct trace_reader;

/*
 * Opens a trace.  On success the header is valid; records are then read
 * one at a time.  NULL only when the file cannot be read at all (errno
 * set); a bad header still gives a reader, with trace_error() set.
 */
struct trace_reader *trace_open(const char *path);
/* The same over a buffer the caller keeps alive (fuzzing, tests). */
struct trace_reader *trace_open_mem(const void *buf, size_t len);
void trace_free(struct trace_reader *r);

const struct trace_config *trace_config(const struct trace_reader *r);
void trace_version(const struct trace_reader *r, unsigned *major, unsigned *minor);
/*
 * Reads the next record: 1 with *ev filled, 0 at the end of the file,
 * -1 on a bad record (trace_error() says what; the reader stays there).
 * Unknown record types are skipped.
 */
int trace_next(struct trace_reader *r, struct trace_event *ev);
/* Decodes the record at a byte offset returned in ev->offset earlier. */
int trace_read_at(struct trace_reader *r, uint64_t offset, struct trace_event *ev);
/* NULL while all is well, else a sentence saying where and what broke. */
const char *trace_error(const struct trace_reader *r);
/* Records read successfully so far, and whether the END record was seen. */
uint64_t trace_records(const struct trace_reader *r);
bool trace_complete(const struct trace_reader *r);
/* The name bound to a device id so far ("dev#N" when none). */
const char *trace_device_name(const struct trace_reader *r, unsigned id);
const char *trace_type_name(unsigned type);

#endif
