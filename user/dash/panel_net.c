// SPDX-License-Identifier: GPL-2.0
/*
 * panel_net.c - the network panel: per --net card the frames and bytes the
 * guest sent and received, then the newest frames decoded one per line
 * (net/framedec.c: Ethernet, ARP, IPv4/IPv6, ICMP, TCP/UDP ports), all
 * from FRAME events (live: net/netdev.c's observer; replay: the trace).
 * It shows what the card carried, not what the guest's stack made of it:
 * a frame the e1000's filters drop still appears as received.  'f' keeps
 * only the frames whose line contains a text ("TCP", "10.0.2.2", ":80 ").
 */
#include <stdio.h>
#include <string.h>

#include "dash/view.h"
#include "net/framedec.h"

#define MAX_ROWS	256	/* frame lines on the tallest screen */

void panel_net(const struct dash_model *m, const struct dash_view *v,
	       struct canvas *c, int top, int rows)
{
	const struct model_frame *shown[MAX_ROWS];
	int y = top, end = top + rows, ncards = 0, n = 0, nrows;
	uint64_t newest;
	char line[160];

	canvas_printf(c, y++, 0, CA_HEADER, "Network   %llu frames",
		      (unsigned long long)m->frame_seq);
	if (!m->frame_seq) {
		canvas_text(c, y++, 1, CA_DIM, "no network frames: hvlab run --net MODE adds an e1000 card;");
		canvas_text(c, y, 1, CA_DIM, "its frames show here live, and with --record in the replay");
		return;
	}
	canvas_text(c, y++, 0, CA_HEADER, " card   sent: frames        bytes   received: frames        bytes");
	for (unsigned i = 0; i < TRACE_FRAME_NICS && y < end - 2; i++) {
		const struct model_nic *n = &m->nic[i];

		if (!n->frames[TRACE_FRAME_OUT] && !n->frames[TRACE_FRAME_IN])
			continue;
		canvas_printf(c, y++, 0, CA_NORMAL, " %4u %14llu %12llu %18llu %12llu", i,
			      (unsigned long long)n->frames[TRACE_FRAME_OUT],
			      (unsigned long long)n->bytes[TRACE_FRAME_OUT],
			      (unsigned long long)n->frames[TRACE_FRAME_IN],
			      (unsigned long long)n->bytes[TRACE_FRAME_IN]);
		ncards++;
	}
	y++;
	if (y >= end)
		return;
	if (v->net_filter[0])
		canvas_printf(c, y++, 0, CA_HEADER, "        #   time(s) card      len  frame   [filter '%s']",
			      v->net_filter);
	else
		canvas_text(c, y++, 0, CA_HEADER, "        #   time(s) card      len  frame");
	/* newest first into the rows left, skipping what the filter hides */
	newest = m->frame_seq > v->net_back ? m->frame_seq - v->net_back : 0;
	nrows = end - y < MAX_ROWS ? end - y : MAX_ROWS;
	for (uint64_t s = newest; s >= 1 && n < nrows; s--) {
		const struct model_frame *f = model_frame_at(m, s);

		if (!f)
			break;		/* older frames left the ring */
		net_decode(f->head, f->cap, line, sizeof(line));
		if (v->net_filter[0] && !strstr(line, v->net_filter))
			continue;
		shown[n++] = f;
	}
	while (n-- > 0) {
		const struct model_frame *f = shown[n];

		net_decode(f->head, f->cap, line, sizeof(line));
		canvas_printf(c, y++, 0, CA_NORMAL, " %8llu %9.6f %2u %-3s %6u  %s",
			      (unsigned long long)f->seq, f->time_ns / 1e9, f->nic,
			      f->dir == TRACE_FRAME_OUT ? "out" : "in", f->wire_len, line);
	}
	(void)ncards;
}
