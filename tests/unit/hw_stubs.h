/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hw_stubs.h - what the legacy-device tests (test_pit.c, test_rtc.c,
 * test_legacy.c) hand the models instead of a board: port accessors on a
 * bare bus, an interrupt line that counts rising edges, and a stop
 * callback that records the status it was given.
 */
#ifndef HVLAB_TEST_HW_STUBS_H
#define HVLAB_TEST_HW_STUBS_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/irq.h"	/* before devices.h: see its lapic.c entry */
#include "hw/devices.h"

static inline uint32_t in(struct bus *bus, uint16_t port, unsigned int size)
{
	uint32_t v = 0;

	bus_pio(bus, port, false, &v, size);
	return v;
}

static inline void out(struct bus *bus, uint16_t port, uint32_t v, unsigned int size)
{
	bus_pio(bus, port, true, &v, size);
}

struct line_stub {
	int level;
	unsigned rises;		/* 0 -> 1 transitions */
	unsigned gsi;
};

static inline void line_stub_set(void *ctx, unsigned gsi, int level)
{
	struct line_stub *s = ctx;

	if (level && !s->level)
		s->rises++;
	s->level = level;
	s->gsi = gsi;
}

static inline struct irq_line line_stub(struct line_stub *s, unsigned gsi)
{
	return (struct irq_line){ .set = line_stub_set, .ctx = s, .gsi = gsi };
}

struct stop_stub {
	int calls;
	int status;
};

static inline void stop_stub_fn(void *ctx, int status, bool quiet, const char *why)
{
	struct stop_stub *s = ctx;

	(void)quiet;
	(void)why;
	s->calls++;
	s->status = status;
}

#endif
