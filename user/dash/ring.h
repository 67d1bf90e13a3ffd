/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ring.h - reading the exit ring of a vCPU's mmap-ed struct hvlab_stats
 * without stopping the vCPU.
 *
 * The module is the only writer: it fills ring[head % SIZE] and then
 * increments head.  A reader remembers how far it got (`cursor`, a value of
 * head).  It loads head, copies the entries in [max(cursor, head - SIZE),
 * head), loads head again, and throws away any copied entry the writer may
 * have overwritten meanwhile (index < new head - SIZE).  Entries it never
 * saw or had to throw away are counted as lost, never shown wrong.
 */
#ifndef HVLAB_DASH_RING_H
#define HVLAB_DASH_RING_H

#include <stddef.h>
#include <stdint.h>

#include <uapi/hvlab.h>

/*
 * Copies up to `max` new records into out[] (oldest first), advances
 * *cursor, and adds the records that were overwritten before they could
 * be read to *lost.  Returns the number copied.
 */
size_t stats_ring_read(const struct hvlab_stats *s, uint64_t *cursor,
		       struct hvlab_exit_record *out, size_t max, uint64_t *lost);

#endif
