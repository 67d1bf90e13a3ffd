// SPDX-License-Identifier: GPL-2.0
/*
 * ioq.c - the lock-free queue of device accesses (see ioq.h).
 *
 * Slot i starts with seq = i.  A producer that sees seq == tail owns the
 * slot once its CAS on tail succeeds; it writes the access and stores
 * seq = tail + 1 (release), which is what the consumer waits for.  The
 * consumer reads the access, then stores seq = head + IOQ_SIZE, handing
 * the slot to the producer one lap later.  seq < tail means the slot is
 * still unread from the previous lap: the queue is full.
 */
#include <stdlib.h>

#include "dash/ioq.h"

struct ioq *ioq_new(void)
{
	struct ioq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	for (uint64_t i = 0; i < IOQ_SIZE; i++)
		atomic_init(&q->slot[i].seq, i);
	atomic_init(&q->tail, 0);
	atomic_init(&q->lost, 0);
	return q;
}

void ioq_free(struct ioq *q)
{
	free(q);
}

bool ioq_push(struct ioq *q, const struct bus_access *a)
{
	uint64_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);

	for (;;) {
		struct ioq_slot *s = &q->slot[pos & (IOQ_SIZE - 1)];
		uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);

		if (seq == pos) {
			if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed)) {
				s->a = *a;
				atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
				return true;
			}
			/* another producer won: pos now holds the new tail */
		} else if (seq < pos) {
			atomic_fetch_add_explicit(&q->lost, 1, memory_order_relaxed);
			return false;
		} else {
			pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
		}
	}
}

void ioq_observe(void *ctx, const struct bus_access *a)
{
	ioq_push(ctx, a);
}

size_t ioq_pop(struct ioq *q, struct bus_access *out, size_t max)
{
	size_t n = 0;

	while (n < max) {
		struct ioq_slot *s = &q->slot[q->head & (IOQ_SIZE - 1)];

		if (atomic_load_explicit(&s->seq, memory_order_acquire) != q->head + 1)
			break;
		out[n++] = s->a;
		atomic_store_explicit(&s->seq, q->head + IOQ_SIZE, memory_order_release);
		q->head++;
	}
	return n;
}

uint64_t ioq_take_lost(struct ioq *q)
{
	return atomic_exchange_explicit(&q->lost, 0, memory_order_relaxed);
}
