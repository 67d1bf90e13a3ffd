/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hw_stubs.h - what the device tests (test_devices.c, test_irqchip.c,
 * test_pit.c, test_rtc.c, test_legacy.c) hand the models instead of a
 * board: port and 32-bit MMIO accessors on a bare bus, an interrupt line
 * that counts rising edges, a byte sink for a UART's output, and a stop
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

static inline uint32_t mmio_rd(struct bus *bus, uint64_t addr)
{
	uint32_t v = 0;

	bus_mmio(bus, addr, false, &v, 4);
	return v;
}

static inline void mmio_wr(struct bus *bus, uint64_t addr, uint32_t v)
{
	bus_mmio(bus, addr, true, &v, 4);
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

/* What a UART sent; buf keeps its last byte 0, so a zeroed sink stays a string. */
struct sink {
	char buf[64];
	int n;
};

static inline void sink_out(void *ctx, uint8_t byte)
{
	struct sink *s = ctx;

	if (s->n < (int)sizeof(s->buf) - 1)
		s->buf[s->n++] = (char)byte;
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
