// SPDX-License-Identifier: GPL-2.0
/*
 * model.c - applies events to the dashboard's model (see model.h).
 *
 * Rates: like kvm_stat, "current" is the number of exits in the last
 * sampling interval divided by its length; the interval is one second of
 * trace time (replay) or wall time (live), so a replay shows the rates
 * the guest had, whatever the replay speed.  Interrupt rates are sampled
 * the same way, from the counter snapshots (TRACE_IRQ).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/model.h"
#include "dash/decode.h"

struct dash_model *model_new(const struct trace_config *cfg)
{
	struct dash_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (cfg)
		m->cfg = *cfg;
	model_reset(m);
	return m;
}

void model_free(struct dash_model *m)
{
	free(m);
}

void model_reset(struct dash_model *m)
{
	struct trace_config cfg = m->cfg;

	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	strcpy(m->devs[MODEL_UNCLAIMED].name, "(unclaimed)");
}

/* (now - prev) per second of dt; a counter that went down (never expected) rates 0 */
static uint64_t per_sec(uint64_t now, uint64_t prev, uint64_t dt)
{
	return now > prev ? (now - prev) * 1000000000ull / dt : 0;
}

static void irq_rates(struct model_irq *q, uint64_t dt)
{
	const struct trace_irq *n = &q->now, *p = &q->prev;
	struct trace_irq *r = &q->rate;

	for (unsigned i = 0; i < TRACE_IRQ_GSIS; i++)
		r->raised[i] = per_sec(n->raised[i], p->raised[i], dt);
	for (unsigned i = 0; i < TRACE_IRQ_VECTORS; i++)
		r->injected[i] = per_sec(n->injected[i], p->injected[i], dt);
	r->ipis = per_sec(n->ipis, p->ipis, dt);
	r->nmis = per_sec(n->nmis, p->nmis, dt);
	for (unsigned i = 0; i < TRACE_MAX_VCPUS; i++) {
		r->vcpu_injected[i] = per_sec(n->vcpu_injected[i], p->vcpu_injected[i], dt);
		r->vcpu_halts[i] = per_sec(n->vcpu_halts[i], p->vcpu_halts[i], dt);
	}
	q->prev = q->now;
}

uint64_t model_irq_total(const struct trace_irq *s)
{
	uint64_t t = 0;

	for (unsigned v = 0; v < TRACE_IRQ_VECTORS; v++)
		t += s->injected[v];
	return t;
}

void model_tick(struct dash_model *m, uint64_t now_ns)
{
	uint64_t dt;

	if (m->irq.valid && now_ns >= m->irq.rate_since_ns &&
	    now_ns - m->irq.rate_since_ns >= 1000000000ull) {
		irq_rates(&m->irq, now_ns - m->irq.rate_since_ns);
		m->irq.rate_since_ns = now_ns;
	}

	if (now_ns < m->rate_since_ns)
		return;
	dt = now_ns - m->rate_since_ns;
	if (dt < 1000000000ull)
		return;
	for (int i = 0; i < HVLAB_NR_EXIT_REASONS; i++) {
		m->rate[i] = (m->by_reason[i] - m->rate_prev[i]) * 1000000000ull / dt;
		m->rate_prev[i] = m->by_reason[i];
	}
	m->rate_total = (m->total - m->rate_prev_total) * 1000000000ull / dt;
	m->rate_prev_total = m->total;
	m->rate_since_ns = now_ns;
}

static void add_exit(struct dash_model *m, const struct trace_event *ev)
{
	int c = decode_common_reason(m->cfg.vendor, &ev->exit);
	unsigned r = c < 0 ? HVLAB_VMX_EXIT_EXCEPTION_NMI : (unsigned)c;
	struct model_exit *x;

	if (m->cfg.vendor == TRACE_VENDOR_AMD) {
		m->svm_code[r] = ev->exit.reason;
		m->svm_seen[r] = true;
	} else if (c < 0) {
		return;
	}
	m->total++;
	m->by_reason[r]++;
	m->exit_seq++;
	x = &m->exits[(m->exit_seq - 1) % MODEL_EXIT_LOG];
	x->seq = m->exit_seq;
	x->time_ns = ev->time_ns;
	x->vcpu = ev->vcpu;
	x->e = ev->exit;
}

/* VGA text memory reached through MMIO: keep the screen in step. */
static void io_to_vga(struct dash_model *m, const struct trace_io *io)
{
	uint64_t off;

	if (!(io->flags & TRACE_IO_MMIO) || !(io->flags & TRACE_IO_WRITE))
		return;
	if (io->addr < TRACE_VGA_GPA || io->addr >= TRACE_VGA_GPA + TRACE_VGA_BYTES)
		return;
	off = io->addr - TRACE_VGA_GPA;
	for (unsigned i = 0; i < io->size && off + i < TRACE_VGA_BYTES; i++)
		m->vga[off + i] = io->value >> (8 * i);
	m->vga_valid = true;
}

static void add_io(struct dash_model *m, const struct trace_event *ev)
{
	const struct trace_io *io = &ev->io;
	unsigned d = (io->flags & TRACE_IO_UNCLAIMED) || io->dev >= TRACE_MAX_DEVICES ?
		     MODEL_UNCLAIMED : io->dev;
	struct model_io *x;

	if (io->flags & TRACE_IO_WRITE)
		m->devs[d].writes++;
	else
		m->devs[d].reads++;
	m->devs[d].last_addr = io->addr;
	if (!m->devs[d].name[0])
		snprintf(m->devs[d].name, sizeof(m->devs[d].name), "dev#%u", d);
	m->io_total++;
	x = &m->io[(m->io_total - 1) % MODEL_IO_LOG];
	x->seq = m->io_total;
	x->time_ns = ev->time_ns;
	x->io = *io;
	io_to_vga(m, io);
}

static void add_walk(struct dash_model *m, const struct hvlab_translation *t)
{
	/* A newer walk of the same page replaces the older one. */
	for (unsigned i = 0; i < m->nr_walks; i++) {
		if ((m->walks[i].gva >> 12) == (t->gva >> 12)) {
			memmove(&m->walks[i], &m->walks[i + 1],
				(m->nr_walks - i - 1) * sizeof(m->walks[0]));
			m->nr_walks--;
			break;
		}
	}
	if (m->nr_walks == MODEL_WALKS) {
		memmove(&m->walks[0], &m->walks[1], (MODEL_WALKS - 1) * sizeof(m->walks[0]));
		m->nr_walks--;
	}
	m->walks[m->nr_walks++] = *t;
}

void model_apply(struct dash_model *m, const struct trace_event *ev)
{
	struct model_vcpu *v;

	if (ev->time_ns > m->now_ns)
		m->now_ns = ev->time_ns;
	m->events++;
	switch (ev->type) {
	case TRACE_EXIT:
		add_exit(m, ev);
		break;
	case TRACE_REGS:
		if (ev->vcpu >= TRACE_MAX_VCPUS)
			break;
		v = &m->vcpu[ev->vcpu];
		if (v->valid) {
			v->prev_regs = v->regs;
			v->prev_sregs = v->sregs;
			v->has_prev = true;
		}
		v->regs = ev->regs.regs;
		v->sregs = ev->regs.sregs;
		v->valid = true;
		v->time_ns = ev->time_ns;
		break;
	case TRACE_IO:
		add_io(m, ev);
		break;
	case TRACE_DEVNAME:
		if (ev->id < TRACE_MAX_DEVICES && ev->len <= TRACE_DEVNAME_MAX) {
			memcpy(m->devs[ev->id].name, ev->data, ev->len);
			m->devs[ev->id].name[ev->len] = 0;
		}
		break;
	case TRACE_CONSOLE:
		for (uint32_t i = 0; i < ev->len; i++)
			m->console[m->console_len++ % MODEL_CONSOLE] = ev->data[i];
		break;
	case TRACE_WALK:
		add_walk(m, &ev->walk);
		break;
	case TRACE_MARKER: {
		uint32_t n = ev->len < TRACE_MARKER_MAX ? ev->len : TRACE_MARKER_MAX;

		memcpy(m->marker, ev->data, n);
		m->marker[n] = 0;
		m->marker_ns = ev->time_ns;
		break;
	}
	case TRACE_VGA:
		if (ev->vga_offset < TRACE_VGA_BYTES && ev->len <= TRACE_VGA_BYTES - ev->vga_offset) {
			memcpy(m->vga + ev->vga_offset, ev->data, ev->len);
			m->vga_valid = true;
		}
		break;
	case TRACE_LOST:
		m->lost += ev->lost;
		break;
	case TRACE_FRAME:
		if (ev->frame.nic < TRACE_FRAME_NICS && ev->frame.dir <= TRACE_FRAME_IN) {
			struct model_frame *f = &m->frames[m->frame_seq++ % MODEL_FRAME_LOG];
			struct model_nic *n = &m->nic[ev->frame.nic];

			f->seq = m->frame_seq;
			f->time_ns = ev->time_ns;
			f->nic = ev->frame.nic;
			f->dir = ev->frame.dir;
			f->wire_len = ev->frame.wire_len;
			f->cap = (uint16_t)(ev->len < TRACE_FRAME_CAP ? ev->len : TRACE_FRAME_CAP);
			memcpy(f->head, ev->data, f->cap);
			n->frames[f->dir]++;
			n->bytes[f->dir] += f->wire_len;
		}
		break;
	case TRACE_IRQ:
		if (!ev->irq)
			break;
		m->irq.now = *ev->irq;
		if (!m->irq.valid) {
			m->irq.prev = m->irq.now;
			m->irq.rate_since_ns = ev->time_ns;
		}
		m->irq.valid = true;
		m->irq.time_ns = ev->time_ns;
		break;
	default:
		break;
	}
	model_tick(m, m->now_ns);
}

const struct model_frame *model_frame_at(const struct dash_model *m, uint64_t seq)
{
	if (seq < 1 || seq > m->frame_seq || m->frame_seq - seq >= MODEL_FRAME_LOG)
		return NULL;
	return &m->frames[(seq - 1) % MODEL_FRAME_LOG];
}

const struct model_exit *model_exit_at(const struct dash_model *m, uint64_t seq)
{
	if (seq < 1 || seq > m->exit_seq || m->exit_seq - seq >= MODEL_EXIT_LOG)
		return NULL;
	return &m->exits[(seq - 1) % MODEL_EXIT_LOG];
}

const struct model_io *model_io_at(const struct dash_model *m, uint64_t seq)
{
	if (seq < 1 || seq > m->io_total || m->io_total - seq >= MODEL_IO_LOG)
		return NULL;
	return &m->io[(seq - 1) % MODEL_IO_LOG];
}

unsigned model_device_id(struct dash_model *m, const char *name)
{
	unsigned i;

	for (i = 0; i < TRACE_MAX_DEVICES && m->devs[i].name[0]; i++)
		if (!strncmp(m->devs[i].name, name, TRACE_DEVNAME_MAX))
			return i;
	if (i == TRACE_MAX_DEVICES)
		return MODEL_UNCLAIMED;
	snprintf(m->devs[i].name, sizeof(m->devs[i].name), "%s", name);
	return i;
}

bool model_find_walk(const struct dash_model *m, uint64_t gva, struct hvlab_translation *out)
{
	for (unsigned i = m->nr_walks; i-- > 0;) {
		const struct hvlab_translation *t = &m->walks[i];

		if ((t->gva >> 12) != (gva >> 12))
			continue;
		*out = *t;
		/* Same page, another byte: move the offset along (4 KiB pages). */
		if (t->gva != gva && t->fault == HVLAB_WALK_OK) {
			out->gva = gva;
			out->gpa = (t->gpa & ~0xfffull) | (gva & 0xfff);
			out->hpa = (t->hpa & ~0xfffull) | (gva & 0xfff);
		}
		return true;
	}
	return false;
}
