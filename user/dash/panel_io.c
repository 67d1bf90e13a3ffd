// SPDX-License-Identifier: GPL-2.0
/*
 * panel_io.c - device I/O: how often each emulated device was touched
 * (reads and writes, as hw/bus.c routed them) and the newest accesses.
 * Port I/O and MMIO both exit to the hypervisor; this panel is where a
 * student sees that a "simple" serial print is one exit per character.
 */
#include <stdio.h>

#include "dash/view.h"

static void access_words(const struct trace_io *io, char *buf, size_t len)
{
	bool w = io->flags & TRACE_IO_WRITE;
	unsigned digits = io->size * 2;

	if (io->flags & TRACE_IO_MMIO)
		snprintf(buf, len, "MMIO %s 0x%llx %s 0x%0*llx", w ? "write" : "read",
			 (unsigned long long)io->addr, w ? "←" : "→", digits,
			 (unsigned long long)io->value);
	else
		snprintf(buf, len, "%s 0x%llx %s 0x%0*llx", w ? "OUT" : "IN",
			 (unsigned long long)io->addr, w ? "←" : "→", digits,
			 (unsigned long long)io->value);
}

void panel_io(const struct dash_model *m, const struct dash_view *v,
	      struct canvas *c, int top, int rows)
{
	int y = top, ndev = 0, end = top + rows, logrows;
	uint64_t newest;
	char words[96];

	canvas_printf(c, y++, 0, CA_HEADER, "Device I/O   %llu accesses",
		      (unsigned long long)m->io_total);
	canvas_text(c, y++, 0, CA_HEADER, " device               reads     writes  last address");
	for (int d = 0; d <= MODEL_UNCLAIMED && y < end - 3; d++) {
		const struct model_device *dv = &m->devs[d];

		if (!dv->reads && !dv->writes)
			continue;
		canvas_printf(c, y++, 0, d == MODEL_UNCLAIMED ? CA_ALERT : CA_NORMAL,
			      " %-18s %7llu %10llu  0x%llx", dv->name,
			      (unsigned long long)dv->reads, (unsigned long long)dv->writes,
			      (unsigned long long)dv->last_addr);
		ndev++;
	}
	if (!ndev) {
		canvas_text(c, y, 1, CA_DIM, "no device I/O yet");
		return;
	}
	y++;
	if (y >= end)
		return;
	canvas_text(c, y++, 0, CA_HEADER, "        #   time(s) device             access");
	logrows = end - y;
	newest = m->io_total > v->io_back ? m->io_total - v->io_back : 1;
	for (uint64_t s = newest >= (uint64_t)logrows ? newest - logrows + 1 : 1;
	     s <= newest && y < end; s++, y++) {
		const struct model_io *x = model_io_at(m, s);
		unsigned d;

		if (!x)
			continue;
		d = (x->io.flags & TRACE_IO_UNCLAIMED) || x->io.dev >= TRACE_MAX_DEVICES ?
		    MODEL_UNCLAIMED : x->io.dev;
		access_words(&x->io, words, sizeof(words));
		canvas_printf(c, y, 0, CA_NORMAL, " %8llu %9.6f %-18s %s",
			      (unsigned long long)x->seq, x->time_ns / 1e9,
			      m->devs[d].name[0] ? m->devs[d].name : "?", words);
	}
}
