// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - the lock-free reader of the per-vCPU exit ring (protocol in
 * ring.h and in the comment above struct hvlab_stats in the uapi header).
 *
 * The ring lives in memory another CPU writes, so head is read with
 * acquire semantics: the entries written before head was incremented are
 * then visible.  The copy itself may race with the writer; the second look
 * at head tells which copied entries could be torn, and those are dropped.
 */
#include <string.h>

#include "dash/ring.h"

static uint64_t load_head(const struct hvlab_stats *s)
{
	return __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);
}

size_t stats_ring_read(const struct hvlab_stats *s, uint64_t *cursor,
		       struct hvlab_exit_record *out, size_t max, uint64_t *lost)
{
	uint64_t head = load_head(s), start = *cursor, head2, first_safe;
	size_t n = 0, keep = 0;

	if (head < start)		/* the VM was reset: start over */
		start = 0;
	if (head - start > HVLAB_EXIT_RING_SIZE) {
		*lost += head - start - HVLAB_EXIT_RING_SIZE;
		start = head - HVLAB_EXIT_RING_SIZE;
	}
	if (head - start > max)
		head = start + max;	/* the rest is read next time */
	for (uint64_t i = start; i < head; i++)
		memcpy(&out[n++], &s->ring[i % HVLAB_EXIT_RING_SIZE], sizeof(out[0]));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head2 = load_head(s);
	/* Entries below head2 - SIZE may have been rewritten during the copy. */
	first_safe = head2 > HVLAB_EXIT_RING_SIZE ? head2 - HVLAB_EXIT_RING_SIZE : 0;
	if (start < first_safe) {
		uint64_t bad = (first_safe < head ? first_safe : head) - start;

		*lost += bad;
		keep = n - bad;
		memmove(out, out + bad, keep * sizeof(out[0]));
		n = keep;
	}
	*cursor = head;
	return n;
}
