// SPDX-License-Identifier: GPL-2.0
/*
 * pit8254.c - the 8254 programmable interval timer (ports 0x40-0x43) and
 * the PC's system control port B (0x61), which gates PIT channel 2 and
 * reports its output.  Intel 8254 datasheet (order 231164).
 *
 * Three 16-bit down-counters run at 1,193,182 Hz.  Channel 0 drives ISA
 * IRQ 0; channel 1 (DRAM refresh on old PCs) counts but drives nothing;
 * channel 2 is gated by port 0x61 bit 0 and its OUT is read back in bit 5
 * (Linux calibrates the TSC by polling that bit with channel 2 in mode 0).
 *
 * Nothing ticks: a counter is described by the moment it started counting
 * (start_ns) and the clock pulses it counted before that (done, for a gate
 * that paused it).  The pulses counted so far are
 *   T = done + hw_ns_to_ticks(hw_clock_ns() - start_ns, PIT_HZ)
 * and the current count and OUT follow from T, the mode and the initial
 * count N (1..65536; a written 0 means 65536).  Channel 0's interrupts
 * come from an hw_timer armed for the next terminal count, computed from
 * start_ns (never from "now"), so a periodic timer never drifts.
 *
 * Modes (datasheet "Modes of operation"):
 *   0 interrupt on terminal count: OUT low, high once T reaches N;
 *   1 hardware one-shot: as 0, but started by a rising GATE edge;
 *   2 rate generator: OUT low for one pulse every N, period N;
 *   3 square wave: OUT high for ceil(N/2), low for floor(N/2);
 *   4 software strobe: OUT low for one pulse when T reaches N;
 *   5 hardware strobe: as 4, started by a rising GATE edge.
 * IRQ 0 is pulsed (irq_line_pulse) at every terminal count in modes 2
 * and 3 and once in modes 0, 1, 4 and 5.
 *
 * Simplifications: BCD counting (control word bit 0) is accepted and
 * reported in the status byte but the counter counts in binary; a new
 * count written in mode 2 or 3 takes effect at once instead of at the end
 * of the current period; the count is loaded on the write itself, not
 * on the next clock pulse.  A guest asking for a tiny period on channel 0
 * gets one timer callback per period, so the rate it asks for is what the
 * timer thread spends.
 *
 * Locking: one mutex for the device.  IRQ 0 is pulsed with it released
 * (an edge carries no state a second thread could reorder), and
 * hw_timer_arm is called with it held (the clock's lock never calls back).
 */
#include <pthread.h>
#include <stdlib.h>

#include "hw/board.h"
#include "hw/clock.h"
#include "hw/irq.h"	/* before devices.h: see its lapic.c entry */
#include "hw/devices.h"

#define PIT_RW_LATCH	0
#define PIT_RW_LO	1
#define PIT_RW_HI	2
#define PIT_RW_LOHI	3

struct pit_chan {
	uint8_t mode;		/* 0..5 */
	uint8_t rw;		/* PIT_RW_* */
	bool bcd;
	uint32_t n;		/* initial count, 1..65536 */
	bool loaded;		/* a full count was written since the control word */
	bool null_count;
	bool wr_hi_next;	/* lo/hi access: the next write is the MSB */
	uint8_t wr_lo;
	bool rd_hi_next;	/* lo/hi access: the next read is the MSB */
	uint8_t latch_left;	/* bytes of the latched count still to read */
	bool latch_hi_next;
	uint16_t latch;
	bool status_latched;
	uint8_t status;
	bool gate;
	bool running;		/* counting now (loaded, gate allows, triggered) */
	uint64_t start_ns;	/* when the current run of counting began */
	uint64_t done;		/* pulses counted before start_ns */
	bool fired;		/* one-shot modes: the terminal count was signalled */
	uint64_t periods;	/* periodic modes: terminal counts signalled */
};

struct pit {
	struct hv_device dev;
	pthread_mutex_t lock;
	struct pit_chan ch[3];
	struct irq_line line;
	struct hw_timer *timer;	/* channel 0's next terminal count */
	uint8_t port61;		/* bits 0-3 as written */
	bool refresh;		/* port 0x61 bit 4, toggles on each read */
};

/* Clock pulses counted so far.  Lock held. */
static uint64_t chan_ticks(const struct pit_chan *c, uint64_t now)
{
	if (!c->running)
		return c->done;
	return c->done + hw_ns_to_ticks(now - c->start_ns, PIT_HZ);
}

static bool periodic(const struct pit_chan *c)
{
	return c->mode == 2 || c->mode == 3;
}

/* The counting element's value now.  Lock held. */
static uint16_t chan_count(const struct pit_chan *c, uint64_t now)
{
	uint64_t t = chan_ticks(c, now), p, h;

	if (!c->loaded)
		return (uint16_t)c->n;
	switch (c->mode) {
	case 2:
		return (uint16_t)(c->n - t % c->n);
	case 3:
		/* decrements by two: each half of the period counts down from N */
		p = t % c->n;
		h = (c->n + 1) / 2;
		return (uint16_t)((c->n - 2 * (p < h ? p : p - h)) & ~1u);
	default:
		return (uint16_t)(c->n - t);	/* wraps past 0 to 0xFFFF */
	}
}

/* The OUT pin now.  Lock held. */
static bool chan_out(const struct pit_chan *c, uint64_t now)
{
	uint64_t t = chan_ticks(c, now);

	switch (c->mode) {
	case 0:
		return c->loaded && t >= c->n;
	case 1:
		/* low from the trigger to the terminal count */
		return !(c->loaded && (c->running || c->done) && t < c->n);
	case 2:
		return !(c->loaded && c->gate && t % c->n == c->n - 1);
	case 3:
		return !(c->loaded && c->gate && t % c->n >= (c->n + 1) / 2);
	default:		/* 4, 5: a one-pulse strobe */
		return !(c->loaded && (c->running || c->done) && t == c->n);
	}
}

/* Channel 0: arm the timer for the next terminal count, if any.  Lock held. */
static void pit_arm(struct pit *p, uint64_t now)
{
	struct pit_chan *c = &p->ch[0];
	uint64_t target;

	if (!c->loaded || !c->running) {
		hw_timer_cancel(p->timer);
		return;
	}
	if (periodic(c)) {
		target = (chan_ticks(c, now) / c->n + 1) * c->n;
	} else {
		if (c->fired) {
			hw_timer_cancel(p->timer);
			return;
		}
		target = c->n;
	}
	/* the first moment at which T >= target (now, if a paused gate passed it) */
	if (target <= c->done)
		hw_timer_arm(p->timer, now);
	else
		hw_timer_arm(p->timer, c->start_ns + hw_ticks_to_ns(target - c->done, PIT_HZ));
}

static void pit_timer(void *ctx)
{
	struct pit *p = ctx;
	struct pit_chan *c = &p->ch[0];
	uint64_t now = hw_clock_ns(), t;
	bool pulse = false;

	pthread_mutex_lock(&p->lock);
	t = chan_ticks(c, now);
	if (c->loaded && c->running) {
		if (periodic(c)) {
			/* one edge however late we are: the PIC would merge them anyway */
			if (t / c->n > c->periods) {
				c->periods = t / c->n;
				pulse = true;
			}
		} else if (!c->fired && t >= c->n) {
			c->fired = true;
			pulse = true;
		}
	}
	pit_arm(p, now);
	pthread_mutex_unlock(&p->lock);
	if (pulse)
		irq_line_pulse(&p->line);
}

/* Start counting from the initial count.  Lock held. */
static void chan_start(struct pit_chan *c, uint64_t now)
{
	c->done = 0;
	c->start_ns = now;
	c->fired = false;
	c->periods = 0;
	/* modes 1 and 5 wait for a rising gate edge */
	c->running = c->gate && c->mode != 1 && c->mode != 5;
}

static void chan_set_gate(struct pit_chan *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	if (!gate) {
		/* modes 0 and 4 pause; 2 and 3 stop (OUT high); 1 and 5 keep going */
		if (c->mode != 1 && c->mode != 5) {
			c->done = chan_ticks(c, now);
			c->running = false;
		}
		c->gate = false;
		return;
	}
	c->gate = true;
	if (!c->loaded)
		return;
	if (c->mode == 0 || c->mode == 4) {
		c->start_ns = now;
		c->running = true;
	} else {
		/* a rising edge: 2 and 3 reload; 1 and 5 are (re)triggered */
		chan_start(c, now);
		c->running = true;
	}
}

static void chan_latch(struct pit_chan *c, uint64_t now)
{
	if (c->latch_left)
		return;		/* a latched count not yet read stays */
	c->latch = chan_count(c, now);
	c->latch_left = c->rw == PIT_RW_LOHI ? 2 : 1;
	c->latch_hi_next = c->rw == PIT_RW_HI;
}

static void chan_latch_status(struct pit_chan *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((chan_out(c, now) << 7) | (c->null_count << 6) | (c->rw << 4) |
			      (c->mode << 1) | c->bcd);
	c->status_latched = true;
}

static uint8_t chan_read(struct pit_chan *c, uint64_t now)
{
	uint16_t v;
	uint8_t b;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		b = c->latch_hi_next ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
		c->latch_hi_next = !c->latch_hi_next;
		c->latch_left--;
		return b;
	}
	v = chan_count(c, now);
	switch (c->rw) {
	case PIT_RW_LO:
		return (uint8_t)v;
	case PIT_RW_HI:
		return (uint8_t)(v >> 8);
	default:
		b = c->rd_hi_next ? (uint8_t)(v >> 8) : (uint8_t)v;
		c->rd_hi_next = !c->rd_hi_next;
		return b;
	}
}

static void chan_load(struct pit_chan *c, uint16_t v, uint64_t now)
{
	c->n = v ? v : 0x10000;
	c->loaded = true;
	c->null_count = false;
	chan_start(c, now);
}

static void chan_write(struct pit_chan *c, uint8_t v, uint64_t now)
{
	switch (c->rw) {
	case PIT_RW_LO:
		chan_load(c, v, now);
		break;
	case PIT_RW_HI:
		chan_load(c, (uint16_t)(v << 8), now);
		break;
	default:
		if (!c->wr_hi_next) {
			c->wr_lo = v;
			c->wr_hi_next = true;
			/* mode 0: writing the first byte stops the count */
			if (c->mode == 0 && c->running) {
				c->done = chan_ticks(c, now);
				c->running = false;
				c->loaded = false;
			}
		} else {
			c->wr_hi_next = false;
			chan_load(c, (uint16_t)(c->wr_lo | v << 8), now);
		}
		break;
	}
}

static void pit_control(struct pit *p, uint8_t v, uint64_t now)
{
	unsigned sel = v >> 6;

	if (sel == 3) {
		/* read-back: bit 5 clear latches counts, bit 4 clear latches status */
		for (unsigned i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			if (!(v & 0x20))
				chan_latch(&p->ch[i], now);
			if (!(v & 0x10))
				chan_latch_status(&p->ch[i], now);
		}
		return;
	}
	struct pit_chan *c = &p->ch[sel];

	if (((v >> 4) & 3) == PIT_RW_LATCH) {
		chan_latch(c, now);
		return;
	}
	c->rw = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are 2 and 3 */
	c->bcd = v & 1;
	c->wr_hi_next = false;
	c->rd_hi_next = false;
	c->latch_left = 0;
	c->status_latched = false;
	/* a control word resets the counter's logic: OUT to its initial level */
	c->loaded = false;
	c->running = false;
	c->done = 0;
	c->null_count = true;
	if (sel == 0)
		pit_arm(p, now);
}

static uint8_t port61_read(struct pit *p, uint64_t now)
{
	p->refresh = !p->refresh;
	return (uint8_t)(p->port61 | (p->refresh << 4) | (chan_out(&p->ch[2], now) << 5));
}

static void pit_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct pit *p = dev->priv;
	uint8_t *b = data;
	uint64_t now = hw_clock_ns();

	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < size; i++) {
		unsigned reg = (unsigned)(port + i);

		if (reg == PORT_SYS_CTRL_B)
			b[i] = port61_read(p, now);
		else if (reg >= PORT_PIT_BASE && reg < PORT_PIT_BASE + 3)
			b[i] = chan_read(&p->ch[reg - PORT_PIT_BASE], now);
		else
			b[i] = 0xff;	/* the control port is write-only */
	}
	pthread_mutex_unlock(&p->lock);
}

static void pit_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct pit *p = dev->priv;
	const uint8_t *b = data;
	uint64_t now = hw_clock_ns();

	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < size; i++) {
		unsigned reg = (unsigned)(port + i);

		if (reg == PORT_SYS_CTRL_B) {
			p->port61 = b[i] & 0x0f;
			chan_set_gate(&p->ch[2], b[i] & 1, now);
		} else if (reg == PORT_PIT_BASE + 3) {
			pit_control(p, b[i], now);
		} else if (reg >= PORT_PIT_BASE && reg < PORT_PIT_BASE + 3) {
			chan_write(&p->ch[reg - PORT_PIT_BASE], b[i], now);
			if (reg == PORT_PIT_BASE)
				pit_arm(p, now);
		}
	}
	pthread_mutex_unlock(&p->lock);
}

static void pit_destroy(struct hv_device *dev)
{
	struct pit *p = dev->priv;

	hw_timer_free(p->timer);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static const struct hv_device_ops pit_ops = {
	.pio_in = pit_in,
	.pio_out = pit_out,
	.destroy = pit_destroy,
};

struct hv_device *pit8254_attach(struct bus *bus, const struct irq_line *line)
{
	struct pit *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = (struct hv_device){ .name = "pit8254", .ops = &pit_ops, .priv = p };
	pthread_mutex_init(&p->lock, NULL);
	if (line)
		p->line = *line;
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].n = 0x10000;
		p->ch[i].rw = PIT_RW_LOHI;
		p->ch[i].gate = i != 2;	/* channel 2's gate is port 0x61 bit 0, reset 0 */
	}
	p->timer = hw_timer_new(pit_timer, p);
	if (!p->timer || bus_register_pio(bus, PORT_PIT_BASE, 4, &p->dev)) {
		hw_timer_free(p->timer);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	if (bus_register_pio(bus, PORT_SYS_CTRL_B, 1, &p->dev))
		return NULL;	/* the bus already owns it and frees it */
	return &p->dev;
}
