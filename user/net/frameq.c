// SPDX-License-Identifier: GPL-2.0
/*
 * frameq.c - the bounded frame queue of frameq.h: a ring of `cap` slots,
 * each a malloc'ed copy of one frame, under one mutex with one condition
 * variable signalled on every push and on close.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/frameq.h"

int frameq_init(struct frameq *q, unsigned cap)
{
	memset(q, 0, sizeof(*q));
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -1;
	q->cap = cap;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	return 0;
}

void frameq_destroy(struct frameq *q)
{
	if (!q->ring)
		return;
	for (unsigned i = 0; i < q->count; i++)
		free(q->ring[(q->head + i) % q->cap].data);
	free(q->ring);
	q->ring = NULL;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
}

bool frameq_push(struct frameq *q, const uint8_t *frame, size_t len)
{
	uint8_t *copy = len && len <= FRAMEQ_MAX_FRAME ? malloc(len) : NULL;
	bool ok = false;

	pthread_mutex_lock(&q->lock);
	if (copy && !q->closed && q->count < q->cap) {
		memcpy(copy, frame, len);
		q->ring[(q->head + q->count) % q->cap] = (struct frameq_item){ len, copy };
		q->count++;
		ok = true;
		pthread_cond_broadcast(&q->cond);
	} else {
		q->dropped++;
	}
	pthread_mutex_unlock(&q->lock);
	if (!ok)
		free(copy);
	return ok;
}

size_t frameq_peek_wait(struct frameq *q, const uint8_t **data, int timeout_ms)
{
	struct timespec t;
	size_t len = 0;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += timeout_ms / 1000;
	t.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	while (!q->count && !q->closed)
		if (pthread_cond_timedwait(&q->cond, &q->lock, &t) == ETIMEDOUT)
			break;
	if (q->count && !q->closed) {
		*data = q->ring[q->head].data;
		len = q->ring[q->head].len;
	}
	pthread_mutex_unlock(&q->lock);
	return len;
}

void frameq_drop_head(struct frameq *q)
{
	pthread_mutex_lock(&q->lock);
	if (q->count) {
		free(q->ring[q->head].data);
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
	pthread_mutex_unlock(&q->lock);
}

void frameq_close(struct frameq *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

unsigned frameq_count(struct frameq *q)
{
	unsigned n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}
