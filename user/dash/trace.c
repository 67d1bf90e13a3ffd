// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - writer and reader of the hvlab trace format (see trace.h and
 * docs/trace-format.md for the layout).
 *
 * Every field is written and read one at a time with explicit
 * little-endian helpers, never by copying a C struct, so the file layout
 * does not depend on the compiler and a change to a uapi structure cannot
 * silently change the format.
 *
 * The reader works on one buffer holding the whole file.  Its single rule:
 * no byte is read before the length that covers it has been checked
 * against what is left of the buffer.  A record is decoded completely and
 * validated before it is handed out; on the first bad record the reader
 * records the reason (with the byte offset and the record number) and
 * stops there, so the caller still has everything before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exit_names.h"
#include "dash/ring.h"
#include "dash/trace.h"

/* ---- little-endian helpers ------------------------------------------ */

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }
static uint16_t get16(const uint8_t *p) { return p[0] | (uint16_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static const char *const type_names[TRACE_NR_TYPES] = {
	[TRACE_EXIT] = "exit", [TRACE_REGS] = "regs", [TRACE_IO] = "io",
	[TRACE_DEVNAME] = "devname", [TRACE_CONSOLE] = "console",
	[TRACE_WALK] = "walk", [TRACE_MARKER] = "marker", [TRACE_VGA] = "vga",
	[TRACE_LOST] = "lost", [TRACE_END] = "end", [TRACE_IRQ] = "irq",
	[TRACE_FRAME] = "frame",
};

const char *trace_type_name(unsigned type)
{
	if (type < TRACE_NR_TYPES && type_names[type])
		return type_names[type];
	return "unknown";
}

/* ---- serialisation of the uapi structures ----------------------------- */

/* Segment: u64 base, u32 limit, u16 selector, 10 x u8 = 24 bytes. */
static uint8_t *put_seg(uint8_t *p, const struct hvlab_segment *s)
{
	put64(p, s->base);
	put32(p + 8, s->limit);
	put16(p + 12, s->selector);
	p[14] = s->type;
	p[15] = s->present;
	p[16] = s->dpl;
	p[17] = s->db;
	p[18] = s->s;
	p[19] = s->l;
	p[20] = s->g;
	p[21] = s->avl;
	p[22] = s->unusable;
	p[23] = 0;
	return p + 24;
}

static const uint8_t *get_seg(const uint8_t *p, struct hvlab_segment *s)
{
	s->base = get64(p);
	s->limit = get32(p + 8);
	s->selector = get16(p + 12);
	s->type = p[14];
	s->present = p[15];
	s->dpl = p[16];
	s->db = p[17];
	s->s = p[18];
	s->l = p[19];
	s->g = p[20];
	s->avl = p[21];
	s->unusable = p[22];
	s->pad = p[23];
	return p + 24;
}

static bool seg_valid(const struct hvlab_segment *s)
{
	return s->type <= 15 && s->present <= 1 && s->dpl <= 3 && s->db <= 1 &&
	       s->s <= 1 && s->l <= 1 && s->g <= 1 && s->avl <= 1 &&
	       s->unusable <= 1 && s->pad == 0;
}

static struct hvlab_segment *sregs_seg(struct hvlab_sregs *s, int i)
{
	struct hvlab_segment *segs[8] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	return segs[i];
}

static __u64 *regs_gpr(struct hvlab_regs *r, int i)
{
	__u64 *v[18] = {
		&r->rax, &r->rbx, &r->rcx,
		&r->rdx, &r->rsi, &r->rdi,
		&r->rsp, &r->rbp, &r->r8,
		&r->r9, &r->r10, &r->r11,
		&r->r12, &r->r13, &r->r14,
		&r->r15, &r->rip, &r->rflags,
	};
	return v[i];
}

static __u64 *sregs_cr(struct hvlab_sregs *s, int i)
{
	__u64 *v[7] = {
		&s->cr0, &s->cr2, &s->cr3,
		&s->cr4, &s->cr8, &s->efer,
		&s->apic_base,
	};
	return v[i];
}

/* ---- writer ------------------------------------------------------------ */

struct trace_writer {
	FILE *f;
	pthread_mutex_t lock;
	int error;			/* first -errno, sticky */
	bool manual_time;
	uint64_t now_ns;		/* manual time */
	uint64_t last_ns;		/* keeps time monotonic */
	struct timespec start;
	uint64_t records;
	unsigned nr_devs;
	char devs[TRACE_MAX_DEVICES][TRACE_DEVNAME_MAX + 1];
	const void *dev_ptr[TRACE_MAX_DEVICES];	/* cache: name pointer */
	unsigned nr_vcpus;		/* from the header: bounds the vCPU entries */
	struct trace_irq irq_last;	/* trace_record_irq: the last one written */
	uint64_t irq_ns;
	bool irq_any;
};

static uint64_t writer_time(struct trace_writer *w)
{
	uint64_t t;

	if (w->manual_time) {
		t = w->now_ns;
	} else {
		struct timespec now;

		/*
		 * The coarse clock (a few ms resolution, plenty for replay)
		 * is read from the vDSO page alone.  CLOCK_MONOTONIC becomes
		 * a system call when the clock source is not the TSC (as in
		 * the Bochs VM), and this runs on every recorded device
		 * access: that was most of --record's cost (make bench).
		 */
		clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
		t = (uint64_t)(now.tv_sec - w->start.tv_sec) * 1000000000ull +
		    (uint64_t)now.tv_nsec - (uint64_t)w->start.tv_nsec;
	}
	if (t < w->last_ns)		/* the format promises monotonic time */
		t = w->last_ns;
	w->last_ns = t;
	return t;
}

/*
 * Appends one record; the caller holds the lock.  One fwrite per record,
 * unlocked (w->lock already orders the writers): with --record this runs
 * for every exit and every device access, so it is kept short.
 */
static int emit(struct trace_writer *w, unsigned type, const void *payload, size_t len)
{
	uint8_t rec[TRACE_RECORD_HEADER + 256];
	uint8_t *hdr = rec;
	size_t n;

	put16(hdr, type);
	put16(hdr + 2, 0);
	put32(hdr + 4, (uint32_t)len);
	put64(hdr + 8, writer_time(w));
	if (len <= sizeof(rec) - TRACE_RECORD_HEADER) {
		if (len)
			memcpy(rec + TRACE_RECORD_HEADER, payload, len);
		n = fwrite_unlocked(rec, TRACE_RECORD_HEADER + len, 1, w->f);
	} else {
		n = fwrite_unlocked(hdr, TRACE_RECORD_HEADER, 1, w->f) == 1 &&
		    fwrite_unlocked(payload, len, 1, w->f) == 1;
	}
	if (n != 1) {
		if (!w->error)
			w->error = errno ? -errno : -EIO;
		return w->error;
	}
	w->records++;
	return 0;
}

static int emit_locked(struct trace_writer *w, unsigned type, const void *payload, size_t len)
{
	int ret;

	pthread_mutex_lock(&w->lock);
	ret = emit(w, type, payload, len);
	pthread_mutex_unlock(&w->lock);
	return ret;
}

struct trace_writer *trace_create(const char *path, const struct trace_config *cfg)
{
	uint8_t hdr[TRACE_FILE_HEADER_SIZE] = { 0 };
	struct trace_writer *w;
	size_t n;

	if (!cfg || cfg->nr_vcpus < 1 || cfg->nr_vcpus > TRACE_MAX_VCPUS ||
	    (cfg->vm_flags & ~HVLAB_VM_FLAGS_ALL)) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->f = fopen(path, "wb");
	if (!w->f) {
		free(w);
		return NULL;
	}
	/* A large buffer: the vCPU thread should rarely wait for the disk. */
	setvbuf(w->f, NULL, _IOFBF, 1 << 18);
	pthread_mutex_init(&w->lock, NULL);
	w->nr_vcpus = cfg->nr_vcpus;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &w->start);

	memcpy(hdr, TRACE_MAGIC, 8);
	put16(hdr + 8, TRACE_VERSION_MAJOR);
	put16(hdr + 10, TRACE_VERSION_MINOR);
	put32(hdr + 12, TRACE_FILE_HEADER_SIZE);
	put64(hdr + 16, cfg->mem_size);
	put32(hdr + 24, cfg->nr_vcpus);
	put32(hdr + 28, cfg->vm_flags);
	put64(hdr + 32, cfg->tsc_hz);
	put64(hdr + 40, cfg->start_unix_ns);
	n = strnlen(cfg->image, TRACE_IMAGE_MAX);
	memcpy(hdr + 48, cfg->image, n);	/* NUL-padded, not terminated */
	put32(hdr + 112, cfg->vendor);
	if (fwrite(hdr, sizeof(hdr), 1, w->f) != 1) {
		int e = errno;

		fclose(w->f);
		free(w);
		errno = e;
		return NULL;
	}
	return w;
}

int trace_close(struct trace_writer *w)
{
	uint8_t p[TRACE_END_SIZE];
	int ret;

	if (!w)
		return -EINVAL;
	pthread_mutex_lock(&w->lock);
	put64(p, w->records);
	emit(w, TRACE_END, p, sizeof(p));
	if (fclose(w->f) && !w->error)
		w->error = -errno;
	ret = w->error;
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return ret;
}

void trace_set_time(struct trace_writer *w, uint64_t ns)
{
	pthread_mutex_lock(&w->lock);
	w->manual_time = true;
	w->now_ns = ns;
	pthread_mutex_unlock(&w->lock);
}

int trace_write_exit(struct trace_writer *w, unsigned vcpu, const struct hvlab_exit_record *e)
{
	uint8_t p[TRACE_EXIT_SIZE];

	put32(p, vcpu);
	put32(p + 4, e->reason);
	put32(p + 8, e->info);
	put32(p + 12, 0);
	put64(p + 16, e->tsc);
	put64(p + 24, e->rip);
	put64(p + 32, e->qualification);
	put64(p + 40, e->gpa);
	put64(p + 48, e->value);
	put64(p + 56, e->cycles);
	return emit_locked(w, TRACE_EXIT, p, sizeof(p));
}

int trace_write_regs(struct trace_writer *w, unsigned vcpu, const struct hvlab_regs *r,
		     const struct hvlab_sregs *s)
{
	struct hvlab_regs rc = *r;
	struct hvlab_sregs sc = *s;
	uint8_t p[TRACE_REGS_SIZE], *q = p;

	put32(q, vcpu);
	put32(q + 4, 0);
	q += 8;
	for (int i = 0; i < 18; i++, q += 8)
		put64(q, *regs_gpr(&rc, i));
	for (int i = 0; i < 8; i++)
		q = put_seg(q, sregs_seg(&sc, i));
	put64(q, sc.gdt.base);
	put16(q + 8, sc.gdt.limit);
	memset(q + 10, 0, 6);
	put64(q + 16, sc.idt.base);
	put16(q + 24, sc.idt.limit);
	memset(q + 26, 0, 6);
	q += 32;
	for (int i = 0; i < 7; i++, q += 8)
		put64(q, *sregs_cr(&sc, i));
	return emit_locked(w, TRACE_REGS, p, sizeof(p));
}

int trace_write_io(struct trace_writer *w, const struct trace_io *io)
{
	uint8_t p[TRACE_IO_SIZE];

	put64(p, io->addr);
	put64(p + 8, io->value);
	p[16] = io->size;
	p[17] = io->flags;
	put16(p + 18, io->dev);
	put32(p + 20, io->vcpu);
	return emit_locked(w, TRACE_IO, p, sizeof(p));
}

int trace_write_console(struct trace_writer *w, unsigned source, const void *buf, size_t len)
{
	uint8_t p[2 + TRACE_CONSOLE_MAX];
	const uint8_t *b = buf;
	int ret = 0;

	/* Long output is split: one record holds at most TRACE_CONSOLE_MAX. */
	while (len && !ret) {
		size_t n = len < TRACE_CONSOLE_MAX ? len : TRACE_CONSOLE_MAX;

		put16(p, source);
		memcpy(p + 2, b, n);
		ret = emit_locked(w, TRACE_CONSOLE, p, n + 2);
		b += n;
		len -= n;
	}
	return ret;
}

int trace_write_walk(struct trace_writer *w, unsigned vcpu, const struct hvlab_translation *t)
{
	uint8_t p[TRACE_WALK_SIZE], *q;

	put32(p, vcpu);
	put32(p + 4, 0);
	put64(p + 8, t->gva);
	put64(p + 16, t->gpa);
	put64(p + 24, t->hpa);
	put32(p + 32, t->fault);
	put32(p + 36, t->fault_level);
	put32(p + 40, t->paging_mode);
	put32(p + 44, t->shadow);
	put32(p + 48, t->guest_steps);
	put32(p + 52, t->second_steps);
	q = p + 56;
	for (int i = 0; i < 2 * HVLAB_WALK_MAX_STEPS; i++, q += 24) {
		const struct hvlab_walk_step *s = i < HVLAB_WALK_MAX_STEPS ?
			&t->guest[i] : &t->second[i - HVLAB_WALK_MAX_STEPS];

		put32(q, s->level);
		put32(q + 4, 0);
		put64(q + 8, s->table);
		put64(q + 16, s->entry);
	}
	return emit_locked(w, TRACE_WALK, p, sizeof(p));
}

int trace_write_frame(struct trace_writer *w, unsigned nic, unsigned dir, const void *frame,
		      size_t len)
{
	uint8_t p[TRACE_FRAME_HDR + TRACE_FRAME_CAP];
	size_t n = len < TRACE_FRAME_CAP ? len : TRACE_FRAME_CAP;

	if (nic >= TRACE_FRAME_NICS || dir > TRACE_FRAME_IN || !len || len > UINT32_MAX)
		return -EINVAL;
	p[0] = (uint8_t)nic;
	p[1] = (uint8_t)dir;
	put16(p + 2, 0);
	put32(p + 4, (uint32_t)len);
	memcpy(p + TRACE_FRAME_HDR, frame, n);
	return emit_locked(w, TRACE_FRAME, p, TRACE_FRAME_HDR + n);
}

int trace_write_marker(struct trace_writer *w, const char *text)
{
	size_t n = strnlen(text, TRACE_MARKER_MAX);

	if (!n)
		return -EINVAL;
	return emit_locked(w, TRACE_MARKER, text, n);
}

int trace_write_io_dropped(struct trace_writer *w, uint64_t n)
{
	char what[96];

	if (!n)
		return 0;
	/* LOST counts exits; this is said in words instead */
	snprintf(what, sizeof(what), "%llu device accesses not recorded (queue full)",
		 (unsigned long long)n);
	return trace_write_marker(w, what);
}

int trace_write_vga(struct trace_writer *w, unsigned offset, const void *buf, size_t len)
{
	uint8_t p[4 + TRACE_VGA_BYTES];

	if (!len || offset >= TRACE_VGA_BYTES || len > TRACE_VGA_BYTES - offset)
		return -EINVAL;
	put32(p, offset);
	memcpy(p + 4, buf, len);
	return emit_locked(w, TRACE_VGA, p, len + 4);
}

int trace_write_lost(struct trace_writer *w, uint64_t n)
{
	uint8_t p[TRACE_LOST_SIZE];

	put64(p, n);
	return emit_locked(w, TRACE_LOST, p, sizeof(p));
}

/* One IRQ entry: u8 kind, u8 zero, u16 index, u32 zero, u64 count. */
static uint8_t *put_irq_entry(uint8_t *q, unsigned kind, unsigned index, uint64_t count)
{
	if (!count)
		return q;	/* absent means zero: a snapshot stays small */
	q[0] = kind;
	q[1] = 0;
	put16(q + 2, index);
	put32(q + 4, 0);
	put64(q + 8, count);
	return q + TRACE_IRQ_ENTRY_SIZE;
}

/* Called with the lock held. */
static int emit_irq(struct trace_writer *w, const struct trace_irq *s)
{
	uint8_t p[8 + TRACE_IRQ_ENTRY_SIZE * (TRACE_IRQ_GSIS + TRACE_IRQ_VECTORS + 2 +
					      2 * TRACE_MAX_VCPUS)];
	uint8_t *q = p + 8;

	for (unsigned i = 0; i < TRACE_IRQ_GSIS; i++)
		q = put_irq_entry(q, TRACE_IRQ_GSI, i, s->raised[i]);
	for (unsigned i = 0; i < TRACE_IRQ_VECTORS; i++)
		q = put_irq_entry(q, TRACE_IRQ_VECTOR, i, s->injected[i]);
	q = put_irq_entry(q, TRACE_IRQ_IPI, 0, s->ipis);
	q = put_irq_entry(q, TRACE_IRQ_NMI, 0, s->nmis);
	for (unsigned i = 0; i < w->nr_vcpus; i++) {
		q = put_irq_entry(q, TRACE_IRQ_VCPU_INJECTED, i, s->vcpu_injected[i]);
		q = put_irq_entry(q, TRACE_IRQ_VCPU_HALTS, i, s->vcpu_halts[i]);
	}
	put32(p, (uint32_t)((q - p - 8) / TRACE_IRQ_ENTRY_SIZE));
	put32(p + 4, 0);
	return emit(w, TRACE_IRQ, p, (size_t)(q - p));
}

int trace_write_irq(struct trace_writer *w, const struct trace_irq *s)
{
	int ret;

	pthread_mutex_lock(&w->lock);
	ret = emit_irq(w, s);
	w->irq_last = *s;
	w->irq_any = true;
	w->irq_ns = w->last_ns;
	pthread_mutex_unlock(&w->lock);
	return ret;
}

int trace_record_irq(struct trace_writer *w, const struct trace_irq *s, bool force)
{
	int ret = 0;

	pthread_mutex_lock(&w->lock);
	if (w->irq_any && !memcmp(&w->irq_last, s, sizeof(*s)))
		goto out;
	/* a timer at 1 kHz changes the counters on every look: sample them */
	if (w->irq_any && !force && writer_time(w) - w->irq_ns < TRACE_IRQ_PERIOD_NS)
		goto out;
	ret = emit_irq(w, s);
	w->irq_last = *s;
	w->irq_any = true;
	w->irq_ns = w->last_ns;
out:
	pthread_mutex_unlock(&w->lock);
	return ret;
}

/* Called with the lock held. */
static int device_id_locked(struct trace_writer *w, const char *name, const void *key)
{
	uint8_t p[2 + TRACE_DEVNAME_MAX];
	char clean[TRACE_DEVNAME_MAX + 1];
	size_t n = 0;

	for (unsigned i = 0; i < w->nr_devs; i++)
		if ((key && w->dev_ptr[i] == key) || !strcmp(w->devs[i], name))
			return i;
	if (w->nr_devs >= TRACE_MAX_DEVICES)
		return TRACE_NO_DEVICE;
	/* Names are printable ASCII in the file; anything else becomes '?'. */
	for (; name[n] && n < TRACE_DEVNAME_MAX; n++)
		clean[n] = (name[n] > 0x20 && name[n] < 0x7f) ? name[n] : '?';
	if (!n)
		clean[n++] = '?';
	clean[n] = 0;
	memcpy(w->devs[w->nr_devs], clean, n + 1);
	w->dev_ptr[w->nr_devs] = key;
	put16(p, w->nr_devs);
	memcpy(p + 2, clean, n);
	if (emit(w, TRACE_DEVNAME, p, n + 2))
		return TRACE_NO_DEVICE;
	return w->nr_devs++;
}

int trace_device_id(struct trace_writer *w, const char *name)
{
	int id;

	pthread_mutex_lock(&w->lock);
	id = device_id_locked(w, name, NULL);
	pthread_mutex_unlock(&w->lock);
	return id;
}

struct trace_io trace_io_from_access(const struct bus_access *a)
{
	return (struct trace_io){
		.addr = a->addr, .value = a->value, .size = a->size,
		.flags = (a->is_write ? TRACE_IO_WRITE : 0) |
			 (a->is_mmio ? TRACE_IO_MMIO : 0) |
			 (a->dev ? 0 : TRACE_IO_UNCLAIMED),
		.dev = TRACE_NO_DEVICE,
	};
}

void trace_on_io(void *ctx, const struct bus_access *a)
{
	struct trace_writer *w = ctx;
	struct trace_io io = trace_io_from_access(a);

	if (a->dev && a->dev->name) {
		pthread_mutex_lock(&w->lock);
		io.dev = device_id_locked(w, a->dev->name, a->dev);
		pthread_mutex_unlock(&w->lock);
	}
	trace_write_io(w, &io);
}

int trace_record_stats(struct trace_writer *w, unsigned vcpu,
		       const struct hvlab_stats *stats, uint64_t *cursor)
{
	struct hvlab_exit_record recs[64];
	uint64_t lost = 0;
	size_t n;
	int total = 0;

	do {
		n = stats_ring_read(stats, cursor, recs, 64, &lost);
		if (lost) {
			trace_write_lost(w, lost);
			lost = 0;
		}
		for (size_t i = 0; i < n; i++)
			trace_write_exit(w, vcpu, &recs[i]);
		total += n;
	} while (n == 64);
	return total;
}

/* ---- reader ------------------------------------------------------------ */

struct trace_reader {
	const uint8_t *buf;
	size_t len;
	uint8_t *owned;
	size_t pos;
	uint64_t records;
	uint64_t last_ns;
	bool complete;
	bool failed;
	unsigned major, minor;
	struct trace_config cfg;
	char error[256];
	char devs[TRACE_MAX_DEVICES][TRACE_DEVNAME_MAX + 1];
	char devtmp[16];
	struct trace_irq irq;		/* the last IRQ record decoded */
};

static int fail(struct trace_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->error, sizeof(r->error), "record %llu at offset 0x%zx: ",
		     (unsigned long long)r->records + 1, r->pos);
	if (n < 0 || (size_t)n >= sizeof(r->error))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->error + n, sizeof(r->error) - n, fmt, ap);
	va_end(ap);
	r->failed = true;
	return -1;
}

static void parse_header(struct trace_reader *r)
{
	const uint8_t *h = r->buf;
	uint32_t hsize;

	if (r->len < 8 || memcmp(h, TRACE_MAGIC, 8)) {
		snprintf(r->error, sizeof(r->error),
			 "not an hvlab trace (the file does not start with \"%s\")", TRACE_MAGIC);
		r->failed = true;
		return;
	}
	if (r->len < TRACE_FILE_HEADER_SIZE) {
		snprintf(r->error, sizeof(r->error),
			 "truncated header: %zu of %d bytes", r->len, TRACE_FILE_HEADER_SIZE);
		r->failed = true;
		return;
	}
	r->major = get16(h + 8);
	r->minor = get16(h + 10);
	hsize = get32(h + 12);
	if (r->major < TRACE_OLDEST_MAJOR || r->major > TRACE_VERSION_MAJOR) {
		snprintf(r->error, sizeof(r->error),
			 "trace format version %u.%u; this hvlab reads versions %d.x to %d.x",
			 r->major, r->minor, TRACE_OLDEST_MAJOR, TRACE_VERSION_MAJOR);
		r->failed = true;
		return;
	}
	/* A later minor version may grow the header; its size says by how much. */
	if (hsize < TRACE_FILE_HEADER_SIZE || hsize > 65536 || hsize > r->len) {
		snprintf(r->error, sizeof(r->error),
			 "bad header size %u (file has %zu bytes)", hsize, r->len);
		r->failed = true;
		return;
	}
	r->cfg.mem_size = get64(h + 16);
	r->cfg.nr_vcpus = get32(h + 24);
	r->cfg.vm_flags = get32(h + 28);
	r->cfg.tsc_hz = get64(h + 32);
	r->cfg.start_unix_ns = get64(h + 40);
	for (int i = 0; i < TRACE_IMAGE_MAX && h[48 + i]; i++)
		r->cfg.image[i] = (h[48 + i] >= 0x20 && h[48 + i] < 0x7f) ? h[48 + i] : '?';
	if (r->cfg.nr_vcpus < 1 || r->cfg.nr_vcpus > TRACE_MAX_VCPUS) {
		snprintf(r->error, sizeof(r->error), "header: bad vCPU count %u (1..%d)",
			 r->cfg.nr_vcpus, TRACE_MAX_VCPUS);
		r->failed = true;
		return;
	}
	/* 1.x had no vendor field (those bytes were reserved): only VMX wrote them. */
	r->cfg.vendor = r->major >= 2 ? get32(h + 112) : TRACE_VENDOR_INTEL;
	if (r->cfg.vendor != TRACE_VENDOR_INTEL && r->cfg.vendor != TRACE_VENDOR_AMD) {
		snprintf(r->error, sizeof(r->error), "header: unknown vendor %u", r->cfg.vendor);
		r->failed = true;
		return;
	}
	if (r->cfg.vm_flags & ~HVLAB_VM_FLAGS_ALL) {
		snprintf(r->error, sizeof(r->error), "header: unknown VM flags 0x%x",
			 r->cfg.vm_flags);
		r->failed = true;
		return;
	}
	r->pos = hsize;
}

struct trace_reader *trace_open_mem(const void *buf, size_t len)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->buf = buf;
	r->len = len;
	parse_header(r);
	return r;
}

struct trace_reader *trace_open(const char *path)
{
	struct trace_reader *r;
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	r = trace_open_mem(buf, got);
	if (!r) {
		free(buf);
		return NULL;
	}
	r->owned = buf;
	return r;
}

void trace_free(struct trace_reader *r)
{
	if (!r)
		return;
	free(r->owned);
	free(r);
}

const struct trace_config *trace_config(const struct trace_reader *r)
{
	return &r->cfg;
}

void trace_version(const struct trace_reader *r, unsigned *major, unsigned *minor)
{
	*major = r->major;
	*minor = r->minor;
}

const char *trace_error(const struct trace_reader *r)
{
	return r->failed ? r->error : NULL;
}

uint64_t trace_records(const struct trace_reader *r)
{
	return r->records;
}

bool trace_complete(const struct trace_reader *r)
{
	return r->complete;
}

const char *trace_device_name(const struct trace_reader *r, unsigned id)
{
	struct trace_reader *rw = (struct trace_reader *)r;

	if (id < TRACE_MAX_DEVICES && r->devs[id][0])
		return r->devs[id];
	if (id == TRACE_NO_DEVICE)
		return "-";
	snprintf(rw->devtmp, sizeof(rw->devtmp), "dev#%u", id);
	return rw->devtmp;
}

static bool printable(const uint8_t *p, size_t n, bool allow_high)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || (!allow_high && p[i] > 0x7f))
			return false;
	return true;
}

static int check_vcpu(struct trace_reader *r, uint32_t vcpu)
{
	if (vcpu >= r->cfg.nr_vcpus)
		return fail(r, "vCPU %u, but the header says %u vCPU(s)", vcpu, r->cfg.nr_vcpus);
	return 0;
}

static int decode_exit(struct trace_reader *r, const uint8_t *p, struct trace_event *ev)
{
	struct hvlab_exit_record *e = &ev->exit;

	ev->vcpu = get32(p);
	e->reason = get32(p + 4);
	e->info = get32(p + 8);
	e->tsc = get64(p + 16);
	e->rip = get64(p + 24);
	e->qualification = get64(p + 32);
	e->gpa = get64(p + 40);
	e->value = get64(p + 48);
	e->cycles = get64(p + 56);
	if (check_vcpu(r, ev->vcpu))
		return -1;
	if (r->cfg.vendor == TRACE_VENDOR_AMD) {
		if (!svm_exit_known(e->reason))
			return fail(r, "SVM exit code 0x%x is not one of APM Vol. 2 App. C",
				    e->reason);
	} else if (e->reason >= HVLAB_NR_EXIT_REASONS) {
		return fail(r, "exit reason %u out of range (0..%d)", e->reason,
			    HVLAB_NR_EXIT_REASONS - 1);
	}
	if (get32(p + 12))
		return fail(r, "exit record padding is not zero");
	return 0;
}

static int decode_regs(struct trace_reader *r, const uint8_t *p, struct trace_event *ev)
{
	struct hvlab_regs *rg = &ev->regs.regs;
	struct hvlab_sregs *s = &ev->regs.sregs;
	const uint8_t *q = p + 8;

	ev->vcpu = get32(p);
	if (check_vcpu(r, ev->vcpu))
		return -1;
	if (get32(p + 4))
		return fail(r, "register record padding is not zero");
	for (int i = 0; i < 18; i++, q += 8)
		*regs_gpr(rg, i) = get64(q);
	for (int i = 0; i < 8; i++) {
		q = get_seg(q, sregs_seg(s, i));
		if (!seg_valid(sregs_seg(s, i)))
			return fail(r, "segment register %d has an invalid attribute field", i);
	}
	s->gdt.base = get64(q);
	s->gdt.limit = get16(q + 8);
	s->idt.base = get64(q + 16);
	s->idt.limit = get16(q + 24);
	q += 32;
	for (int i = 0; i < 7; i++, q += 8)
		*sregs_cr(s, i) = get64(q);
	return 0;
}

static int decode_io(struct trace_reader *r, const uint8_t *p, struct trace_event *ev)
{
	struct trace_io *io = &ev->io;

	io->addr = get64(p);
	io->value = get64(p + 8);
	io->size = p[16];
	io->flags = p[17];
	io->dev = get16(p + 18);
	io->vcpu = ev->vcpu = get32(p + 20);
	if (check_vcpu(r, io->vcpu))
		return -1;
	if (io->flags & ~TRACE_IO_FLAGS_ALL)
		return fail(r, "I/O record has unknown flags 0x%x", io->flags);
	if (io->size != 1 && io->size != 2 && io->size != 4 &&
	    !(io->size == 8 && (io->flags & TRACE_IO_MMIO)))
		return fail(r, "I/O access size %u (must be 1, 2, 4, or 8 for MMIO)", io->size);
	if (!(io->flags & TRACE_IO_MMIO) && io->addr > 0xffff)
		return fail(r, "port 0x%llx is above 0xffff", (unsigned long long)io->addr);
	if (io->size < 8 && (io->value >> (io->size * 8)))
		return fail(r, "I/O value 0x%llx does not fit in %u byte(s)",
			    (unsigned long long)io->value, io->size);
	if (io->dev != TRACE_NO_DEVICE && io->dev >= TRACE_MAX_DEVICES)
		return fail(r, "device id %u out of range", io->dev);
	return 0;
}

static int decode_walk(struct trace_reader *r, const uint8_t *p, struct trace_event *ev)
{
	struct hvlab_translation *t = &ev->walk;
	const uint8_t *q = p + 56;

	ev->vcpu = get32(p);
	if (check_vcpu(r, ev->vcpu))
		return -1;
	t->gva = get64(p + 8);
	t->gpa = get64(p + 16);
	t->hpa = get64(p + 24);
	t->fault = get32(p + 32);
	t->fault_level = get32(p + 36);
	t->paging_mode = get32(p + 40);
	t->shadow = get32(p + 44);
	t->guest_steps = get32(p + 48);
	t->second_steps = get32(p + 52);
	if (t->fault > HVLAB_WALK_EPT_FAULT)
		return fail(r, "walk fault code %u unknown", t->fault);
	if (t->fault_level > 5)
		return fail(r, "walk fault level %u (0..5)", t->fault_level);
	if (t->paging_mode != 0 && (t->paging_mode < 2 || t->paging_mode > 5))
		return fail(r, "walk paging mode %u unknown (0, 2, 3, 4, 5)", t->paging_mode);
	if (t->shadow > 1)
		return fail(r, "walk shadow flag %u is not 0 or 1", t->shadow);
	if (t->guest_steps > HVLAB_WALK_MAX_STEPS || t->second_steps > HVLAB_WALK_MAX_STEPS)
		return fail(r, "walk has %u+%u steps (at most %d each)", t->guest_steps,
			    t->second_steps, HVLAB_WALK_MAX_STEPS);
	for (int i = 0; i < 2 * HVLAB_WALK_MAX_STEPS; i++, q += 24) {
		bool guest = i < HVLAB_WALK_MAX_STEPS;
		int k = guest ? i : i - HVLAB_WALK_MAX_STEPS;
		struct hvlab_walk_step *s = guest ? &t->guest[k] : &t->second[k];
		uint32_t used = guest ? t->guest_steps : t->second_steps;

		s->level = get32(q);
		s->table = get64(q + 8);
		s->entry = get64(q + 16);
		if ((uint32_t)k < used && (s->level < 1 || s->level > 5))
			return fail(r, "walk step %d has level %u (1..5)", i, s->level);
		if (get32(q + 4))
			return fail(r, "walk step padding is not zero");
	}
	return 0;
}

/*
 * An IRQ record: u32 entry count, u32 zero, then the entries.  A kind
 * this reader does not know is skipped (a newer minor version may add
 * one); a known kind must have an index in range.
 */
static int decode_irq(struct trace_reader *r, const uint8_t *p, uint32_t len,
		      struct trace_event *ev)
{
	static const unsigned limit[] = {
		[TRACE_IRQ_GSI] = TRACE_IRQ_GSIS, [TRACE_IRQ_VECTOR] = TRACE_IRQ_VECTORS,
		[TRACE_IRQ_IPI] = 1, [TRACE_IRQ_NMI] = 1,
		[TRACE_IRQ_VCPU_INJECTED] = TRACE_MAX_VCPUS,
		[TRACE_IRQ_VCPU_HALTS] = TRACE_MAX_VCPUS,
	};
	struct trace_irq *s = &r->irq;
	uint32_t n;

	if (len < 8)
		return fail(r, "IRQ record has %u bytes, at least 8 expected", len);
	n = get32(p);
	if (n > TRACE_IRQ_MAX_ENTRIES || len != 8 + n * TRACE_IRQ_ENTRY_SIZE)
		return fail(r, "IRQ record has %u bytes for %u entries (at most %d, %d bytes each)",
			    len, n, TRACE_IRQ_MAX_ENTRIES, TRACE_IRQ_ENTRY_SIZE);
	if (get32(p + 4))
		return fail(r, "IRQ record padding is not zero");
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *q = p + 8 + i * TRACE_IRQ_ENTRY_SIZE;
		unsigned kind = q[0], index = get16(q + 2);
		uint64_t count = get64(q + 8);

		if (q[1] || get32(q + 4))
			return fail(r, "IRQ entry %u padding is not zero", i);
		if (kind >= sizeof(limit) / sizeof(limit[0]) || !limit[kind])
			continue;
		if (index >= limit[kind] ||
		    ((kind == TRACE_IRQ_VCPU_INJECTED || kind == TRACE_IRQ_VCPU_HALTS) &&
		     index >= r->cfg.nr_vcpus))
			return fail(r, "IRQ entry %u: index %u out of range for kind %u", i,
				    index, kind);
		switch (kind) {
		case TRACE_IRQ_GSI: s->raised[index] = count; break;
		case TRACE_IRQ_VECTOR: s->injected[index] = count; break;
		case TRACE_IRQ_IPI: s->ipis = count; break;
		case TRACE_IRQ_NMI: s->nmis = count; break;
		case TRACE_IRQ_VCPU_INJECTED: s->vcpu_injected[index] = count; break;
		case TRACE_IRQ_VCPU_HALTS: s->vcpu_halts[index] = count; break;
		}
	}
	ev->irq = s;
	return 0;
}

/*
 * Decodes and validates the record at `off` into *ev.  Returns 0 and sets
 * *next, or -1 with r->error set.  Does not change the reader's position.
 */
static int decode_record(struct trace_reader *r, size_t off, struct trace_event *ev, size_t *next)
{
	const uint8_t *h, *p;
	uint32_t len;
	size_t left;

	memset(ev, 0, sizeof(*ev));
	if (off > r->len || r->len - off < TRACE_RECORD_HEADER)
		return fail(r, "truncated: %zu byte(s) where a %d-byte record header should be",
			    off > r->len ? 0 : r->len - off, TRACE_RECORD_HEADER);
	h = r->buf + off;
	ev->type = get16(h);
	len = get32(h + 4);
	ev->time_ns = get64(h + 8);
	ev->offset = off;
	left = r->len - off - TRACE_RECORD_HEADER;
	if (get16(h + 2))
		return fail(r, "record flags 0x%x are not zero", get16(h + 2));
	if (len > left)
		return fail(r, "truncated: %s record says %u payload bytes, only %zu left",
			    trace_type_name(ev->type), len, left);
	p = h + TRACE_RECORD_HEADER;
	*next = off + TRACE_RECORD_HEADER + len;
	ev->data = p;
	ev->len = len;

#define EXPECT_LEN(n) do { if (len != (n)) return fail(r, "%s record has %u bytes, expected %d", \
		trace_type_name(ev->type), len, (int)(n)); } while (0)
	switch (ev->type) {
	case TRACE_EXIT:
		EXPECT_LEN(TRACE_EXIT_SIZE);
		return decode_exit(r, p, ev);
	case TRACE_REGS:
		EXPECT_LEN(TRACE_REGS_SIZE);
		return decode_regs(r, p, ev);
	case TRACE_IO:
		EXPECT_LEN(TRACE_IO_SIZE);
		return decode_io(r, p, ev);
	case TRACE_WALK:
		EXPECT_LEN(TRACE_WALK_SIZE);
		return decode_walk(r, p, ev);
	case TRACE_LOST:
		EXPECT_LEN(TRACE_LOST_SIZE);
		ev->lost = get64(p);
		return 0;
	case TRACE_END:
		EXPECT_LEN(TRACE_END_SIZE);
		ev->lost = get64(p);	/* records before END, checked by trace_next */
		return 0;
	case TRACE_DEVNAME:
		if (len < 3 || len > 2 + TRACE_DEVNAME_MAX)
			return fail(r, "device name record has %u bytes (3..%d)", len,
				    2 + TRACE_DEVNAME_MAX);
		ev->id = get16(p);
		if (ev->id >= TRACE_MAX_DEVICES)
			return fail(r, "device id %u out of range (0..%d)", ev->id,
				    TRACE_MAX_DEVICES - 1);
		if (!printable(p + 2, len - 2, false))
			return fail(r, "device name is not printable ASCII");
		ev->data = p + 2;
		ev->len = len - 2;
		return 0;
	case TRACE_CONSOLE:
		if (len < 3 || len > 2 + TRACE_CONSOLE_MAX)
			return fail(r, "console record has %u bytes (3..%d)", len,
				    2 + TRACE_CONSOLE_MAX);
		ev->source = get16(p);
		if (ev->source > TRACE_CONSOLE_DEBUGCON)
			return fail(r, "console source %u unknown", ev->source);
		ev->data = p + 2;
		ev->len = len - 2;
		return 0;
	case TRACE_MARKER:
		if (len < 1 || len > TRACE_MARKER_MAX)
			return fail(r, "marker has %u bytes (1..%d)", len, TRACE_MARKER_MAX);
		if (!printable(p, len, true))
			return fail(r, "marker text has control characters");
		return 0;
	case TRACE_VGA:
		if (len < 5 || len > 4 + TRACE_VGA_BYTES)
			return fail(r, "VGA record has %u bytes (5..%d)", len, 4 + TRACE_VGA_BYTES);
		ev->vga_offset = get32(p);
		if (ev->vga_offset >= TRACE_VGA_BYTES ||
		    len - 4 > TRACE_VGA_BYTES - ev->vga_offset)
			return fail(r, "VGA bytes at offset %u+%u run past the %d-byte screen",
				    ev->vga_offset, len - 4, TRACE_VGA_BYTES);
		ev->data = p + 4;
		ev->len = len - 4;
		return 0;
	case TRACE_IRQ:
		return decode_irq(r, p, len, ev);
	case TRACE_FRAME:
		if (len < TRACE_FRAME_HDR + 1 || len > TRACE_FRAME_HDR + TRACE_FRAME_CAP)
			return fail(r, "frame record has %u bytes (%d..%d)", len,
				    TRACE_FRAME_HDR + 1, TRACE_FRAME_HDR + TRACE_FRAME_CAP);
		ev->frame.nic = p[0];
		ev->frame.dir = p[1];
		ev->frame.wire_len = get32(p + 4);
		if (ev->frame.nic >= TRACE_FRAME_NICS || ev->frame.dir > TRACE_FRAME_IN ||
		    get16(p + 2))
			return fail(r, "frame record: card %u, direction %u, reserved 0x%x",
				    ev->frame.nic, ev->frame.dir, get16(p + 2));
		if (ev->frame.wire_len < len - TRACE_FRAME_HDR)
			return fail(r, "frame record holds %u bytes of a %u-byte frame",
				    len - TRACE_FRAME_HDR, ev->frame.wire_len);
		ev->data = p + TRACE_FRAME_HDR;
		ev->len = len - TRACE_FRAME_HDR;
		return 0;
	default:
		return 0;	/* unknown type: the caller skips it */
	}
#undef EXPECT_LEN
}

static bool known_type(unsigned t)
{
	return t > 0 && t < TRACE_NR_TYPES;
}

int trace_next(struct trace_reader *r, struct trace_event *ev)
{
	size_t next;

	for (;;) {
		if (r->failed)
			return -1;
		if (r->pos == r->len) {
			return 0;
		}
		if (r->complete)
			return fail(r, "data after the END record");
		if (decode_record(r, r->pos, ev, &next))
			return -1;
		if (ev->time_ns < r->last_ns)
			return fail(r, "time goes backwards (%llu ns after %llu ns)",
				    (unsigned long long)ev->time_ns,
				    (unsigned long long)r->last_ns);
		if (ev->type == TRACE_END && ev->lost != r->records)
			return fail(r, "END record counts %llu records, the file has %llu",
				    (unsigned long long)ev->lost,
				    (unsigned long long)r->records);
		r->last_ns = ev->time_ns;
		r->pos = next;
		if (ev->type == TRACE_END)
			r->complete = true;
		if (ev->type == TRACE_DEVNAME) {
			memcpy(r->devs[ev->id], ev->data, ev->len);
			r->devs[ev->id][ev->len] = 0;
		}
		r->records++;
		if (known_type(ev->type))
			return 1;
		/* unknown type from a newer minor version: skip */
	}
}

int trace_read_at(struct trace_reader *r, uint64_t offset, struct trace_event *ev)
{
	size_t next;
	bool failed = r->failed;
	char saved[sizeof(r->error)];
	int ret;

	/* A failure here must not clobber the error of the sequential read. */
	memcpy(saved, r->error, sizeof(saved));
	ret = decode_record(r, offset, ev, &next);
	if (ret) {
		r->failed = failed;
		memcpy(r->error, saved, sizeof(saved));
	}
	return ret ? -1 : 0;
}
