/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioq.h - device accesses handed from vCPU threads to the main thread
 * without a lock, so that watching a guest (--dashboard, --record) never
 * makes a vCPU wait for the screen or the trace file.
 *
 * A bounded ring of IOQ_SIZE slots (Vyukov's bounded queue): a producer
 * claims a slot with a compare-and-swap on `tail`, fills it and publishes
 * it by storing its sequence number; the consumer takes published slots in
 * order.  When the consumer has fallen IOQ_SIZE behind, ioq_push drops the
 * access and counts it in `lost` instead of waiting.  Any number of
 * producers, one consumer.
 */
#ifndef HVLAB_IOQ_H
#define HVLAB_IOQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/bus.h"

#define IOQ_SIZE	4096		/* a power of two */

struct ioq_slot {
	atomic_uint_fast64_t seq;
	struct bus_access a;
};

struct ioq {
	atomic_uint_fast64_t tail;	/* next slot a producer claims */
	uint64_t head;			/* next slot the consumer reads */
	atomic_uint_fast64_t lost;	/* dropped because the ring was full */
	struct ioq_slot slot[IOQ_SIZE];
};

struct ioq *ioq_new(void);
void ioq_free(struct ioq *q);
/* Producer side; false if the access was dropped (queue full). */
bool ioq_push(struct ioq *q, const struct bus_access *a);
/* A bus_observer_fn: ctx is the queue. */
void ioq_observe(void *ctx, const struct bus_access *a);
/* Consumer side: up to max accesses, oldest first; returns how many. */
size_t ioq_pop(struct ioq *q, struct bus_access *out, size_t max);
/* Accesses dropped since the last call. */
uint64_t ioq_take_lost(struct ioq *q);

#endif
