// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 8's checks: the 16550 UART's receive FIFO and interrupt
 * identification (user/hw/uart16550.c, rx_push/rx_pop and uart_iir),
 * driven through its ports on a bus as a guest's driver would.
 *
 * Byte counts, byte values, FIFO trigger levels and IER settings are random
 * per run; the expected IIR is computed here from the datasheet's priority
 * list (TI PC16550D, table IV).
 */
#include "grade.h"
#include "hw_stubs.h"

#define BASE	0x3F8
#define RBR	(BASE + 0)
#define IER	(BASE + 1)
#define IIR	(BASE + 2)
#define FCR	(BASE + 2)
#define MCR	(BASE + 4)
#define LSR	(BASE + 5)

static struct bus *bus;
static struct hv_device *uart;
static struct line_stub line;
static struct sink sink;

static void setup(void)
{
	struct irq_line l = line_stub(&line, 4);

	memset(&line, 0, sizeof(line));
	memset(&sink, 0, sizeof(sink));
	if (bus)
		bus_free(bus);
	bus = bus_new();
	uart = uart16550_attach(bus, BASE, &l, sink_out, &sink);
}

static void feed(const uint8_t *b, size_t n, size_t want_taken)
{
	size_t taken = uart16550_input(uart, b, n);

	CHECK(taken == want_taken, "host sent %zu bytes: %zu taken, want %zu", n, taken,
	      want_taken);
}

/* Bytes leave the FIFO in the order they came, across the ring's end. */
LAB_TEST(rx_fifo_keeps_order)
{
	uint8_t q[4096];
	size_t head = 0, tail = 0;

	setup();
	out(bus, FCR, 0x01 | (uint32_t)(rnd() & 3) << 6, 1);
	for (int round = 0; round < 200; round++) {
		size_t room = 16 - (tail - head), n = rnd_range(0, room);
		uint8_t b[16];

		for (size_t i = 0; i < n; i++)
			b[i] = q[tail++ % sizeof(q)] = (uint8_t)rnd();
		feed(b, n, n);
		BAIL();
		for (size_t k = rnd_range(0, tail - head); k; k--) {
			uint8_t lsr = (uint8_t)in(bus, LSR, 1), v;

			CHECK(lsr & 0x01, "LSR %#x: DR clear with %zu bytes in the FIFO", lsr,
			      tail - head);
			v = (uint8_t)in(bus, RBR, 1);
			CHECK(v == q[head % sizeof(q)], "RBR %#04x, want %#04x (byte %zu)", v,
			      q[head % sizeof(q)], head);
			head++;
		}
	}
	while (head < tail) {
		uint8_t v = (uint8_t)in(bus, RBR, 1);

		CHECK(v == q[head % sizeof(q)], "RBR %#04x, want %#04x", v, q[head % sizeof(q)]);
		head++;
	}
	CHECK(!(in(bus, LSR, 1) & 0x01), "LSR.DR still set with the FIFO empty");
}

/* A full FIFO drops what follows and latches LSR.OE until LSR is read. */
LAB_TEST(rx_overrun_sets_oe)
{
	for (int round = 0; round < 20; round++) {
		int fifo = round & 1;
		size_t cap = fifo ? 16 : 1, extra = rnd_range(1, 20);
		uint8_t b[64], lsr;

		setup();
		out(bus, FCR, fifo ? 0xC1 : 0x00, 1);
		for (size_t i = 0; i < cap + extra; i++)
			b[i] = (uint8_t)rnd();
		feed(b, cap + extra, cap);
		BAIL();
		lsr = (uint8_t)in(bus, LSR, 1);
		CHECK((lsr & 0x03) == 0x03, "FIFO %s, %zu bytes sent: LSR %#x, want DR and OE",
		      fifo ? "on" : "off", cap + extra, lsr);
		lsr = (uint8_t)in(bus, LSR, 1);
		CHECK(!(lsr & 0x02), "LSR.OE must clear once LSR is read (LSR %#x)", lsr);
		for (size_t i = 0; i < cap; i++) {
			uint8_t v = (uint8_t)in(bus, RBR, 1);

			CHECK(v == b[i], "byte %zu: %#04x, want %#04x (the first ones are kept)", i,
			      v, b[i]);
		}
	}
}

/* IIR names the highest-priority enabled source; the line follows it. */
LAB_TEST(iir_priority_random)
{
	static const unsigned int trig[4] = { 1, 4, 8, 14 };

	for (int round = 0; round < 300; round++) {
		unsigned int t = (unsigned int)rnd_range(0, 3), n = (unsigned int)rnd_range(0, 16);
		uint8_t ier = (uint8_t)(rnd() & 0x07), b[24] = { 0 }, want, iir;
		int overrun = (int)(rnd() & 1) && n == 16;

		setup();
		out(bus, FCR, 0x01 | t << 6, 1);
		out(bus, IER, ier, 1);
		if (overrun)
			feed(b, 20, 16);
		else
			feed(b, n, n);
		BAIL();
		if ((ier & 0x04) && overrun)
			want = 0x06;
		else if ((ier & 0x01) && n)
			want = n >= trig[t] ? 0x04 : 0x0C;
		else if (ier & 0x02)
			want = 0x02;	/* ETBEI set with THR empty */
		else
			want = 0x01;
		CHECK(line.level == (want != 0x01),
		      "IER %#x, %u bytes (trigger %u)%s: IRQ line %d, want %d", ier, n, trig[t],
		      overrun ? ", overrun" : "", line.level, want != 0x01);
		iir = (uint8_t)in(bus, IIR, 1);
		CHECK((iir & 0x0F) == want,
		      "IER %#x, %u bytes (trigger %u)%s: IIR %#x, want %#x", ier, n, trig[t],
		      overrun ? ", overrun" : "", iir & 0x0F, want);
		CHECK((iir & 0xC0) == 0xC0, "IIR bits 7:6 report the FIFOs on: %#x", iir);
	}
}

/* Loopback: what the guest transmits comes back through the FIFO. */
LAB_TEST(loopback_echo)
{
	for (int round = 0; round < 20; round++) {
		unsigned int n = (unsigned int)rnd_range(1, 16);
		uint8_t b[16];

		setup();
		out(bus, FCR, 0x01, 1);
		out(bus, MCR, 0x10 | 0x08, 1);
		for (unsigned int i = 0; i < n; i++) {
			b[i] = (uint8_t)rnd();
			out(bus, RBR, b[i], 1);
		}
		CHECK(sink.n == 0, "in loopback nothing leaves the UART (%d bytes did)", sink.n);
		for (unsigned int i = 0; i < n; i++) {
			uint8_t v = (uint8_t)in(bus, RBR, 1);

			CHECK(v == b[i], "echo %u: %#04x, want %#04x", i, v, b[i]);
		}
	}
}
