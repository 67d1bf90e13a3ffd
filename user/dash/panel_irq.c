// SPDX-License-Identifier: GPL-2.0
/*
 * panel_irq.c - interrupts: what the emulated interrupt controllers
 * (user/hw/irqchip.c) saw and what hvlab injected into the guest.
 *
 * Three tables, from one snapshot of the counters (struct trace_irq):
 *   lines    every interrupt line that has fired: rising edges per line,
 *            with the ISA device the board wires to it (user/hw/irq.h:
 *            IRQ 0 PIT, 1 i8042, 4 COM1, 8 RTC, 9 ACPI SCI, 14/15 IDE),
 *            plus the IPIs and NMIs the local APICs delivered;
 *   vCPUs    interrupts injected into each vCPU and HLTs it slept in;
 *   vectors  interrupts injected by vector, most frequent first, as many
 *            as fit.
 * Each count has its rate over the last second, sampled once a second as
 * the exit rates are (model_tick).
 *
 * Lines and vectors are listed apart on purpose: which vector a line
 * becomes is the guest's choice (the I/O APIC redirection entry, the
 * PIC's base), and a vector may also come from no line at all (the
 * local APIC timer, an IPI).  Matching a line's rate to a vector's rate
 * is how to pair them; docs/dashboard.md shows it for a Linux guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash/view.h"

static const char *const isa_names[16] = {
	[0] = "PIT (I/O APIC pin 2)", [1] = "i8042 keyboard", [2] = "(cascade)",
	[3] = "COM2", [4] = "COM1", [8] = "RTC", [9] = "ACPI SCI", [12] = "i8042 mouse",
	[14] = "IDE0", [15] = "IDE1",
};

/* The device the board wires to a line, "" if none. */
const char *panel_irq_line_name(unsigned gsi)
{
	if (gsi < 16)
		return isa_names[gsi] ? isa_names[gsi] : "";
	return gsi < TRACE_IRQ_GSIS ? "PCI" : "";
}

struct vrow {
	unsigned vector;
	uint64_t count;
};

static int by_count(const void *a, const void *b)
{
	const struct vrow *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return (int)x->vector - (int)y->vector;
}

static int lines(const struct model_irq *q, struct canvas *c, int y, int end)
{
	char line[16];
	int n = 0;

	canvas_text(c, y++, 0, CA_HEADER, " line    source                   raised  Current/s");
	for (unsigned g = 0; g < TRACE_IRQ_GSIS && y < end; g++) {
		if (!q->now.raised[g])
			continue;
		snprintf(line, sizeof(line), "%s %u", g < 16 ? "IRQ" : "GSI", g);
		canvas_printf(c, y++, 0, CA_NORMAL, " %-7s %-20s %10llu %10llu", line,
			      panel_irq_line_name(g), (unsigned long long)q->now.raised[g],
			      (unsigned long long)q->rate.raised[g]);
		n++;
	}
	if (q->now.ipis && y < end) {
		canvas_printf(c, y++, 0, CA_NORMAL, " %-7s %-20s %10llu %10llu", "IPI",
			      "local APIC ICR", (unsigned long long)q->now.ipis,
			      (unsigned long long)q->rate.ipis);
		n++;
	}
	if (q->now.nmis && y < end) {
		canvas_printf(c, y++, 0, CA_NORMAL, " %-7s %-20s %10llu %10llu", "NMI",
			      "local APIC", (unsigned long long)q->now.nmis,
			      (unsigned long long)q->rate.nmis);
		n++;
	}
	if (!n && y < end)
		canvas_text(c, y++, 1, CA_DIM, "no line raised yet");
	return y;
}

static int vcpus(const struct dash_model *m, const struct model_irq *q, struct canvas *c,
		 int y, int end)
{
	unsigned n = m->cfg.nr_vcpus ? m->cfg.nr_vcpus : 1;

	for (unsigned i = 0; i < n && i < TRACE_MAX_VCPUS && y < end; i++)
		canvas_printf(c, y++, 0, CA_NORMAL,
			      " vCPU %u  injected %llu (%llu/s)   HLT sleeps %llu (%llu/s)",
			      i, (unsigned long long)q->now.vcpu_injected[i],
			      (unsigned long long)q->rate.vcpu_injected[i],
			      (unsigned long long)q->now.vcpu_halts[i],
			      (unsigned long long)q->rate.vcpu_halts[i]);
	return y;
}

static void vectors(const struct model_irq *q, uint64_t total, struct canvas *c, int y,
		    int end)
{
	struct vrow r[TRACE_IRQ_VECTORS];
	int n = 0, shown;

	for (unsigned v = 0; v < TRACE_IRQ_VECTORS; v++)
		if (q->now.injected[v])
			r[n++] = (struct vrow){ v, q->now.injected[v] };
	qsort(r, n, sizeof(r[0]), by_count);
	shown = end - y - 1 < n ? end - y - 1 : n;
	if (shown < 0)
		shown = 0;
	if (y >= end)
		return;
	if (shown < n)
		canvas_printf(c, y++, 0, CA_HEADER,
			      " vector   injected  %%total  Current/s   (top %d of %d)", shown, n);
	else
		canvas_text(c, y++, 0, CA_HEADER, " vector   injected  %total  Current/s");
	for (int i = 0; i < shown; i++)
		canvas_printf(c, y++, 0, CA_NORMAL, " 0x%02x   %10llu  %5.1f  %9llu", r[i].vector,
			      (unsigned long long)r[i].count, 100.0 * r[i].count / total,
			      (unsigned long long)q->rate.injected[r[i].vector]);
	if (!n && y < end)
		canvas_text(c, y, 1, CA_DIM, "nothing injected yet");
}

void panel_irq(const struct dash_model *m, const struct dash_view *v,
	       struct canvas *c, int top, int rows)
{
	const struct model_irq *q = &m->irq;
	uint64_t total = model_irq_total(&q->now), rate = model_irq_total(&q->rate);
	int y = top, end = top + rows;

	if (!q->valid) {
		canvas_text(c, y++, 0, CA_HEADER, "Interrupts");
		if (v->mode && !strcmp(v->mode, "replay")) {
			canvas_text(c, y++, 1, CA_DIM,
				    "This trace holds no interrupt counts (IRQ records): it was");
			canvas_text(c, y++, 1, CA_DIM,
				    "recorded before trace format 1.1, or by a VM without an");
			canvas_text(c, y, 1, CA_DIM, "interrupt controller model.");
		} else {
			canvas_text(c, y, 1, CA_DIM, "no interrupt counts yet");
		}
		return;
	}
	canvas_printf(c, y++, 0, CA_HEADER, "Interrupts   injected %llu   rate %llu/s",
		      (unsigned long long)total, (unsigned long long)rate);
	y = lines(q, c, y, end);
	if (y < end)
		y++;
	y = vcpus(m, q, c, y, end);
	if (y < end)
		y++;
	vectors(q, total, c, y, end);
}
