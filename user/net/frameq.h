/* SPDX-License-Identifier: GPL-2.0 */
/*
 * frameq.h - a bounded queue of Ethernet frames between two threads: the
 * seam between a backend (which produces received frames on its own
 * thread, at its own pace) and the NIC's receive thread (which can only
 * take them while the guest has posted receive descriptors).
 *
 * Frames are copied in; a full queue refuses (and counts) the newest
 * frame, as a switch port's buffer does.  frameq_peek_wait() leaves the
 * frame at the head until frameq_drop_head(), so a frame the NIC cannot
 * take yet is retried, not lost.
 */
#ifndef HVLAB_NET_FRAMEQ_H
#define HVLAB_NET_FRAMEQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAMEQ_MAX_FRAME	65536

struct frameq_item {
	size_t len;
	uint8_t *data;
};

struct frameq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct frameq_item *ring;
	unsigned cap, head, count;
	bool closed;
	uint64_t dropped;	/* refused: full, too long, out of memory */
};

int frameq_init(struct frameq *q, unsigned cap);
void frameq_destroy(struct frameq *q);
/* Copies the frame in; false (and counted) when full, closed or too long. */
bool frameq_push(struct frameq *q, const uint8_t *frame, size_t len);
/*
 * Waits up to timeout_ms for a frame; returns its length and points *data
 * at it (valid until frameq_drop_head), 0 on timeout or when closed.
 */
size_t frameq_peek_wait(struct frameq *q, const uint8_t **data, int timeout_ms);
void frameq_drop_head(struct frameq *q);
/* Wakes every waiter; pushes fail from now on. */
void frameq_close(struct frameq *q);
unsigned frameq_count(struct frameq *q);

#endif
