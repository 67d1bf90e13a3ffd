// SPDX-License-Identifier: GPL-2.0
/*
 * rtc_cmos.c - the MC146818 real-time clock and its CMOS RAM, index port
 * 0x70 (bit 7 is the NMI mask on a PC; ignored here) and data port 0x71.
 * Motorola MC146818A datasheet; the NVRAM layout is the IBM PC/AT BIOS's.
 *
 * The clock registers (0-9 and the century at 0x32) are not stored: a
 * read computes them from the host's UTC time plus an offset the guest
 * moves by writing them, encoded as register B asks (binary or BCD with
 * the DM bit, 12- or 24-hour).  While B.SET is 1 the clock stands still
 * at the moment SET was written, and the guest's writes change that
 * frozen time; clearing SET starts it from there.  Register A's UIP bit
 * is 1 during the last 244 us of each host second, where the real chip
 * is about to update, so the OS's "wait for UIP to clear" loops behave.
 *
 * Interrupts (IRQ 8): register C holds the flags (IRQF, PF, AF, UF);
 * reading C returns and clears them and lowers the line.  Only the
 * periodic interrupt is generated: while B.PIE is set and register A
 * selects a rate (divider 010, RS != 0), an hw_timer sets PF at every
 * period, deadlines computed from the moment the rate was chosen so they
 * never drift.  The line is a level that follows C.IRQF (the PIC sees its
 * rising edge; an OS that never reads C gets no further interrupt, as on
 * a PC).  Not modelled: the alarm and update-ended interrupts (AIE, UIE
 * can be set but never fire), PF while PIE is clear, the square-wave pin,
 * daylight saving (DSE).
 *
 * The NVRAM bytes a PC BIOS fills come from the RAM size (guest RAM is
 * contiguous from 0): base memory 640 KiB (0x15-0x16), extended memory
 * above 1 MiB in KiB (0x17-0x18, and again at 0x30-0x31, capped at
 * 0xFFFF), memory from 16 MiB to 4 GiB in 64 KiB units (0x34-0x35), and
 * above 4 GiB in 64 KiB units (0x5B-0x5D).  Every other byte is plain
 * storage.
 *
 * Locking: one mutex; the IRQ line is set with it held (lock order:
 * device lock, then the interrupt controller's).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "hw/board.h"
#include "hw/clock.h"
#include "hw/irq.h"	/* before devices.h: see its lapic.c entry */
#include "hw/devices.h"

#define REG_SEC		0x00
#define REG_MIN		0x02
#define REG_HOUR	0x04
#define REG_WDAY	0x06
#define REG_MDAY	0x07
#define REG_MON		0x08
#define REG_YEAR	0x09
#define REG_A		0x0A
#define REG_B		0x0B
#define REG_C		0x0C
#define REG_D		0x0D
#define REG_CENTURY	0x32

#define A_UIP		0x80
#define B_SET		0x80
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_DM_BINARY	0x04
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40
#define D_VRT		0x80

#define UIP_NS		244000	/* the update cycle's warning time */

struct rtc {
	struct hv_device dev;
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t ram[128];	/* A, B, C, the NVRAM; clock fields unused */
	int64_t offset;		/* guest time - host time, seconds */
	time_t frozen;		/* the guest's time while B.SET is 1 */
	struct irq_line line;
	bool level;
	struct hw_timer *timer;
	uint64_t rate;		/* periodic interrupts per second, 0: off */
	uint64_t start_ns;	/* when the rate was chosen */
	uint64_t periods;	/* periods signalled since start_ns */
};

/* Periodic rate of register A's RS bits (datasheet table 5). */
static uint64_t rtc_rate(uint8_t a)
{
	unsigned rs = a & 0x0f;

	if (((a >> 4) & 7) != 2 || rs == 0)
		return 0;	/* the oscillator is not on its 32.768 kHz divider */
	if (rs <= 2)
		return rs == 1 ? 256 : 128;
	return 32768u >> (rs - 1);
}

static time_t guest_time(const struct rtc *r)
{
	if (r->ram[REG_B] & B_SET)
		return r->frozen;
	return time(NULL) + r->offset;
}

static uint8_t encode(const struct rtc *r, unsigned v)
{
	if (r->ram[REG_B] & B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned decode(const struct rtc *r, uint8_t v)
{
	if (r->ram[REG_B] & B_DM_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t clock_read(const struct rtc *r, unsigned reg)
{
	time_t t = guest_time(r);
	struct tm tm;
	unsigned h;

	gmtime_r(&t, &tm);
	switch (reg) {
	case REG_SEC:
		return encode(r, (unsigned)tm.tm_sec);
	case REG_MIN:
		return encode(r, (unsigned)tm.tm_min);
	case REG_HOUR:
		if (r->ram[REG_B] & B_24H)
			return encode(r, (unsigned)tm.tm_hour);
		h = (unsigned)tm.tm_hour % 12;
		return (uint8_t)(encode(r, h ? h : 12) | (tm.tm_hour >= 12 ? 0x80 : 0));
	case REG_WDAY:
		return encode(r, (unsigned)tm.tm_wday + 1);	/* Sunday is 1 */
	case REG_MDAY:
		return encode(r, (unsigned)tm.tm_mday);
	case REG_MON:
		return encode(r, (unsigned)tm.tm_mon + 1);
	case REG_YEAR:
		return encode(r, (unsigned)(tm.tm_year + 1900) % 100);
	default:		/* REG_CENTURY */
		return encode(r, (unsigned)(tm.tm_year + 1900) / 100);
	}
}

/* The guest sets one clock field: move the offset (or the frozen time). */
static void clock_write(struct rtc *r, unsigned reg, uint8_t v)
{
	time_t t = guest_time(r), nt;
	struct tm tm;
	unsigned d;

	gmtime_r(&t, &tm);
	d = decode(r, reg == REG_HOUR ? v & 0x7f : v);
	switch (reg) {
	case REG_SEC:
		tm.tm_sec = (int)d;
		break;
	case REG_MIN:
		tm.tm_min = (int)d;
		break;
	case REG_HOUR:
		if (!(r->ram[REG_B] & B_24H))
			d = d % 12 + ((v & 0x80) ? 12 : 0);
		tm.tm_hour = (int)d;
		break;
	case REG_MDAY:
		tm.tm_mday = (int)d;
		break;
	case REG_MON:
		tm.tm_mon = (int)d - 1;
		break;
	case REG_YEAR:
		tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + (int)d - 1900;
		break;
	case REG_CENTURY:
		tm.tm_year = (int)d * 100 + (tm.tm_year + 1900) % 100 - 1900;
		break;
	default:		/* the day of the week follows from the date */
		return;
	}
	nt = timegm(&tm);
	if (nt == (time_t)-1)
		return;
	if (r->ram[REG_B] & B_SET)
		r->frozen = nt;
	else
		r->offset = (int64_t)(nt - time(NULL));
}

static bool is_clock_reg(unsigned reg)
{
	return reg <= REG_YEAR || reg == REG_CENTURY;
}

/* Follow C.IRQF with the line.  Lock held. */
static void rtc_update_irq(struct rtc *r)
{
	bool irqf = r->ram[REG_C] & r->ram[REG_B] & 0x70;

	if (irqf)
		r->ram[REG_C] |= C_IRQF;
	if (irqf != r->level) {
		r->level = irqf;
		irq_line_set(&r->line, irqf);
	}
}

/* Arm the timer for the next period.  Lock held. */
static void rtc_arm(struct rtc *r)
{
	if (!r->rate)
		hw_timer_cancel(r->timer);
	else
		hw_timer_arm(r->timer, r->start_ns + hw_ticks_to_ns(r->periods + 1, r->rate));
}

/* Register A or B changed: restart the periodic interrupt.  Lock held. */
static void rtc_periodic_setup(struct rtc *r)
{
	uint64_t rate = (r->ram[REG_B] & B_PIE) ? rtc_rate(r->ram[REG_A]) : 0;

	if (rate == r->rate)
		return;
	r->rate = rate;
	r->start_ns = hw_clock_ns();
	r->periods = 0;
	rtc_arm(r);
}

static void rtc_timer(void *ctx)
{
	struct rtc *r = ctx;
	uint64_t k;

	pthread_mutex_lock(&r->lock);
	if (r->rate) {
		k = hw_ns_to_ticks(hw_clock_ns() - r->start_ns, r->rate);
		if (k > r->periods) {
			r->periods = k;
			r->ram[REG_C] |= C_PF;
			rtc_update_irq(r);
		}
		rtc_arm(r);
	}
	pthread_mutex_unlock(&r->lock);
}

static uint8_t uip(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_nsec >= (long)(NSEC_PER_SEC - UIP_NS) ? A_UIP : 0;
}

static uint8_t rtc_read(struct rtc *r, unsigned reg)
{
	uint8_t v;

	if (is_clock_reg(reg))
		return clock_read(r, reg);
	switch (reg) {
	case REG_A:
		return (uint8_t)((r->ram[REG_A] & 0x7f) | ((r->ram[REG_B] & B_SET) ? 0 : uip()));
	case REG_C:
		v = r->ram[REG_C];
		r->ram[REG_C] = 0;
		rtc_update_irq(r);
		return v;
	case REG_D:
		return D_VRT;	/* the battery is fine */
	default:
		return r->ram[reg];
	}
}

static void rtc_write(struct rtc *r, unsigned reg, uint8_t v)
{
	uint8_t old;

	if (is_clock_reg(reg)) {
		clock_write(r, reg, v);
		return;
	}
	switch (reg) {
	case REG_A:
		r->ram[REG_A] = v & 0x7f;
		rtc_periodic_setup(r);
		break;
	case REG_B:
		old = r->ram[REG_B];
		if ((v & B_SET) && !(old & B_SET))
			r->frozen = time(NULL) + r->offset;
		else if (!(v & B_SET) && (old & B_SET))
			r->offset = (int64_t)(r->frozen - time(NULL));
		if (v & B_SET)
			v &= (uint8_t)~B_UIE;	/* SET clears UIE (datasheet) */
		r->ram[REG_B] = v;
		rtc_periodic_setup(r);
		rtc_update_irq(r);
		break;
	case REG_C:
	case REG_D:
		break;		/* read-only */
	default:
		r->ram[reg] = v;
		break;
	}
}

static void rtc_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct rtc *r = dev->priv;
	uint8_t *b = data;

	pthread_mutex_lock(&r->lock);
	for (unsigned i = 0; i < size; i++)
		b[i] = (port + i == PORT_RTC_DATA) ? rtc_read(r, r->index) : 0xff;
	pthread_mutex_unlock(&r->lock);
}

static void rtc_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct rtc *r = dev->priv;
	const uint8_t *b = data;

	pthread_mutex_lock(&r->lock);
	for (unsigned i = 0; i < size; i++) {
		if (port + i == PORT_RTC_INDEX)
			r->index = b[i] & 0x7f;	/* bit 7: the NMI mask, ignored */
		else
			rtc_write(r, r->index, b[i]);
	}
	pthread_mutex_unlock(&r->lock);
}

static void rtc_destroy(struct hv_device *dev)
{
	struct rtc *r = dev->priv;

	hw_timer_free(r->timer);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static const struct hv_device_ops rtc_ops = {
	.pio_in = rtc_in,
	.pio_out = rtc_out,
	.destroy = rtc_destroy,
};

static void put16(uint8_t *p, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void nvram_memory(struct rtc *r, uint64_t ram_size)
{
	const uint64_t mib = 1ull << 20, g4 = 4ull << 30;
	uint64_t low = ram_size < g4 ? ram_size : g4;
	uint64_t high = ram_size - low;

	put16(&r->ram[0x15], 640);
	put16(&r->ram[0x17], low > mib ? (low - mib) >> 10 : 0);
	put16(&r->ram[0x30], low > mib ? (low - mib) >> 10 : 0);
	put16(&r->ram[0x34], low > 16 * mib ? (low - 16 * mib) >> 16 : 0);
	high >>= 16;
	if (high > 0xffffff)
		high = 0xffffff;
	r->ram[0x5b] = (uint8_t)high;
	r->ram[0x5c] = (uint8_t)(high >> 8);
	r->ram[0x5d] = (uint8_t)(high >> 16);
}

struct hv_device *rtc_cmos_attach(struct bus *bus, const struct irq_line *line, uint64_t ram_size)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->dev = (struct hv_device){ .name = "rtc-cmos", .ops = &rtc_ops, .priv = r };
	pthread_mutex_init(&r->lock, NULL);
	if (line)
		r->line = *line;
	r->ram[REG_A] = 0x26;		/* 32.768 kHz divider, 1024 Hz rate select */
	r->ram[REG_B] = B_24H;		/* BCD, 24-hour, no interrupts */
	nvram_memory(r, ram_size);
	r->timer = hw_timer_new(rtc_timer, r);
	if (!r->timer || bus_register_pio(bus, PORT_RTC_INDEX, 2, &r->dev)) {
		hw_timer_free(r->timer);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return &r->dev;
}
