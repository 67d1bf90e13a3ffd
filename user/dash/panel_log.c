// SPDX-License-Identifier: GPL-2.0
/*
 * panel_log.c - the last exits, decoded in words, newest at the bottom;
 * optionally only one exit reason (key f).  The selected exit (Up/Down)
 * is shown below the list field by field, with the bit positions of its
 * exit qualification (SDM Vol. 3 27.2.1), or on AMD of EXITINFO1 (APM
 * Vol. 2 15.10.2 for IOIO, 15.25.6 for NPF).  The filter is by common
 * reason on both vendors.
 */
#include <stdio.h>

#include "dash/decode.h"
#include "dash/view.h"

#define DETAIL_ROWS	9

static bool wanted(unsigned vendor, const struct dash_view *v, const struct model_exit *x)
{
	return v->filter < 0 || decode_common_reason(vendor, &x->e) == v->filter;
}

/*
 * Fills seqs[] with up to `max` matching sequence numbers, newest first.
 * Returns how many.
 */
static int matching(const struct dash_model *m, const struct dash_view *v,
		    uint64_t *seqs, int max)
{
	int n = 0;

	for (uint64_t s = m->exit_seq; s >= 1 && n < max; s--) {
		const struct model_exit *x = model_exit_at(m, s);

		if (!x)
			break;
		if (wanted(m->cfg.vendor, v, x))
			seqs[n++] = s;
	}
	return n;
}

const struct model_exit *panel_log_selected(const struct dash_model *m,
					    const struct dash_view *v)
{
	static uint64_t seqs[MODEL_EXIT_LOG];
	int n = matching(m, v, seqs, MODEL_EXIT_LOG);

	if (!n)
		return NULL;
	return model_exit_at(m, seqs[v->log_back < (uint64_t)n ? v->log_back : (uint64_t)n - 1]);
}

void panel_log(const struct dash_model *m, const struct dash_view *v,
	       struct canvas *c, int top, int rows)
{
	static uint64_t seqs[MODEL_EXIT_LOG];
	int list = rows - 2, n, sel, first, y = top;
	bool detail = rows >= 18;
	char words[160];

	if (detail)
		list -= DETAIL_ROWS + 1;
	canvas_printf(c, y++, 0, CA_HEADER, "Exit log   %llu exits   filter: %s",
		      (unsigned long long)m->total,
		      v->filter < 0 ? "all (f to filter)" : decode_reason_name(v->filter));
	canvas_text(c, y++, 0, CA_HEADER, "      #   time(s) cpu  RIP       exit");
	n = matching(m, v, seqs, MODEL_EXIT_LOG);
	if (!n) {
		canvas_text(c, y, 1, CA_DIM, v->filter < 0 ? "no exits yet" :
			    "no exit of this reason in the log");
		return;
	}
	sel = v->log_back < (uint64_t)n ? (int)v->log_back : n - 1;
	/* Show the newest `list` entries, or a window ending at the selection. */
	first = sel < list ? (n < list ? n - 1 : list - 1) : sel;
	for (int i = first; i >= 0 && i > first - list; i--, y++) {
		const struct model_exit *x = model_exit_at(m, seqs[i]);

		decode_exit_vendor(m->cfg.vendor, &x->e, words, sizeof(words));
		canvas_printf(c, y, 0, i == sel ? CA_HILITE : CA_NORMAL,
			      "%7llu %9.6f %3u  %-8llx  %s", (unsigned long long)x->seq,
			      x->time_ns / 1e9, x->vcpu, (unsigned long long)x->e.rip, words);
		if (i == sel)
			canvas_fill_attr(c, y, CA_HILITE);
	}
	if (detail) {
		const struct model_exit *x = model_exit_at(m, seqs[sel]);
		char lines[DETAIL_ROWS][96];
		int k = decode_exit_fields_vendor(m->cfg.vendor, &x->e, lines, DETAIL_ROWS);

		y = top + rows - DETAIL_ROWS - 1;
		canvas_printf(c, y++, 0, CA_HEADER, m->cfg.vendor == TRACE_VENDOR_AMD ?
			      "Exit #%llu: %s (0x%x) at RIP 0x%llx   [Up/Down]" :
			      "Exit #%llu: %s (%u) at RIP 0x%llx   [Up/Down]",
			      (unsigned long long)x->seq, decode_record_name(m->cfg.vendor, &x->e),
			      x->e.reason, (unsigned long long)x->e.rip);
		for (int i = 0; i < k; i++)
			canvas_text(c, y++, 2, CA_NORMAL, lines[i]);
	}
}
