/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netsw.h - one port of an internal network segment (--net internal:NAME):
 * a learning Ethernet switch spread over the processes on the segment,
 * with no daemon.
 *
 * Every port is an abstract AF_UNIX datagram socket named
 * "\0hvlab-net/NAME/PID.N"; the kernel frees the name when the process
 * exits, so a crashed VM leaves nothing behind.  A port finds the others
 * by reading /proc/net/unix (the kernel's list of bound socket names) for
 * that prefix, again at most every NETSW_RESCAN_MS while it floods, and at
 * once when a peer turns out to be gone.  Each port keeps its own
 * forwarding table: a frame received from peer P teaches "source MAC is
 * behind P"; a unicast frame to a learned MAC goes to that peer only,
 * anything else (broadcast, multicast, unknown) is flooded to every peer.
 * One datagram is one frame.  There is no path to the host.
 *
 * Limits: any local process of a user who can reach the abstract
 * namespace (the same network namespace) can join a segment by name; it
 * is a lab network, not an isolation boundary.
 */
#ifndef HVLAB_NET_NETSW_H
#define HVLAB_NET_NETSW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NETSW_PREFIX		"hvlab-net/"
#define NETSW_NAME_MAX		32
#define NETSW_FDB_SIZE		256
#define NETSW_MAX_PEERS		64
#define NETSW_RESCAN_MS		500
#define NETSW_AGE_S		300	/* a learned MAC is forgotten after */

struct netsw_stats {
	uint64_t tx_frames, tx_bytes;	/* sent to the segment (per frame, not per copy) */
	uint64_t rx_frames, rx_bytes;
	uint64_t flooded;		/* frames sent to every peer */
	uint64_t unicast;		/* frames sent to one learned peer */
	uint64_t drops;			/* a peer's queue was full, or gone */
	unsigned peers, learned;	/* now */
};

struct netsw;

/* NULL and a message in err when NAME is invalid or the socket fails. */
struct netsw *netsw_open(const char *name, char *err, size_t errlen);
void netsw_close(struct netsw *s);
int netsw_fd(const struct netsw *s);		/* readable when a frame waits */
const char *netsw_port_name(const struct netsw *s);	/* "NAME/PID.N" */
int netsw_send(struct netsw *s, const uint8_t *frame, size_t len);
/* One frame, non-blocking: its length, 0 when none waits, -1 on error. */
ssize_t netsw_recv(struct netsw *s, uint8_t *buf, size_t cap);
void netsw_get_stats(struct netsw *s, struct netsw_stats *st);

#endif
