// SPDX-License-Identifier: GPL-2.0
/*
 * panel_exits.c - exits by reason, the way kvm_stat shows them: one line
 * per reason that happened, with its total, its share of all exits, and
 * its rate over the last second; sorted by total, largest first.
 *
 * Why a student looks here first: the shape of this table *is* the cost
 * of virtualisation for the workload (a serial-heavy guest is all
 * IO_INSTRUCTION; a guest that switches address spaces shows CR_ACCESS
 * when CR3 is trapped).  On AMD the rows are named as the APM names the
 * SVM exit (VMEXIT_IOIO), with the common reason beside it.
 */
#include <stdlib.h>

#include "dash/decode.h"
#include "dash/view.h"
#include "exit_names.h"

struct row {
	unsigned reason;
	uint64_t total;
};

static int by_total(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return (int)x->reason - (int)y->reason;
}

void panel_exits(const struct dash_model *m, const struct dash_view *v,
		 struct canvas *c, int top, int rows)
{
	struct row r[HVLAB_NR_EXIT_REASONS];
	bool amd = m->cfg.vendor == TRACE_VENDOR_AMD;
	int n = 0, y = top, x;

	(void)v;
	x = canvas_printf(c, y++, 0, CA_HEADER, "Exits by reason   total %llu   rate %llu/s",
			  (unsigned long long)m->total, (unsigned long long)m->rate_total);
	/* exits the ring dropped before they were read: counted, not logged */
	if (m->lost)
		canvas_printf(c, y - 1, x + 3, CA_ALERT, "lost %llu", (unsigned long long)m->lost);
	/* AMD: the SVM name of the exit first, the common (VMX) reason after */
	canvas_text(c, y++, 0, CA_HEADER, amd ?
		    " Event                      Total  %Total  Current/s  Common reason" :
		    " Event                      Total  %Total  Current/s");
	for (unsigned i = 0; i < HVLAB_NR_EXIT_REASONS; i++)
		if (m->by_reason[i])
			r[n++] = (struct row){ i, m->by_reason[i] };
	qsort(r, n, sizeof(r[0]), by_total);
	for (int i = 0; i < n && y < top + rows; i++, y++)
		canvas_printf(c, y, 0, CA_NORMAL, " %-22s %9llu  %5.1f  %9llu%s%s",
			      amd && m->svm_seen[r[i].reason] ? svm_exit_name(m->svm_code[r[i].reason]) :
			      decode_reason_name(r[i].reason), (unsigned long long)r[i].total,
			      100.0 * r[i].total / m->total,
			      (unsigned long long)m->rate[r[i].reason], amd ? "  " : "",
			      amd ? decode_reason_name(r[i].reason) : "");
	if (!n && y < top + rows)
		canvas_text(c, y, 1, CA_DIM, "no exits yet");
}
