// SPDX-License-Identifier: GPL-2.0
/*
 * internal.c - the internal:NAME backend: the NIC is one port of the
 * segment NAME (netsw.h describes the switch).  Frames out go to
 * netsw_send(); a reader thread (backend.c) drains the port's socket into
 * the NIC's receive queue.
 */
#include <stdio.h>
#include <stdlib.h>

#include "net/backend.h"
#include "net/netsw.h"

struct internal {
	struct net_backend b;
	struct netsw *sw;
	struct net_reader rd;
	uint8_t buf[65536];
};

static void internal_read(void *arg)
{
	struct internal *in = arg;
	ssize_t n;

	/* drain what is there: one poll() wake-up for a burst */
	while ((n = netsw_recv(in->sw, in->buf, sizeof(in->buf))) > 0)
		in->b.rx(in->b.rx_ctx, in->buf, (size_t)n);
}

static int internal_start(struct net_backend *b)
{
	struct internal *in = (struct internal *)b;

	return net_reader_start(&in->rd, netsw_fd(in->sw), internal_read, in);
}

static int internal_send(struct net_backend *b, const uint8_t *frame, size_t len)
{
	return netsw_send(((struct internal *)b)->sw, frame, len);
}

static void internal_describe(struct net_backend *b, char *buf, size_t len)
{
	struct internal *in = (struct internal *)b;
	struct netsw_stats st;

	netsw_get_stats(in->sw, &st);
	snprintf(buf, len, "port %s: %u peers, %u MACs learned, %llu flooded, %llu unicast, %llu drops",
		 netsw_port_name(in->sw), st.peers, st.learned, (unsigned long long)st.flooded,
		 (unsigned long long)st.unicast, (unsigned long long)st.drops);
}

static void internal_close(struct net_backend *b)
{
	struct internal *in = (struct internal *)b;

	net_reader_stop(&in->rd);
	netsw_close(in->sw);
	free(in);
}

static const struct net_backend_ops internal_ops = {
	.start = internal_start,
	.send = internal_send,
	.describe = internal_describe,
	.close = internal_close,
};

struct net_backend *net_internal_open(const char *name, char *err, size_t errlen)
{
	struct internal *in = calloc(1, sizeof(*in));

	if (!in) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	in->sw = netsw_open(name, err, errlen);
	if (!in->sw) {
		free(in);
		return NULL;
	}
	in->b.ops = &internal_ops;
	return &in->b;
}
