// SPDX-License-Identifier: GPL-2.0
/*
 * test_pit.c - the 8254 PIT and port 0x61 (user/hw/pit8254.c) on the
 * manual clock: interrupt counts per simulated second, the counts a guest
 * reads (plain, latched, read-back), and channel 2 as Linux's TSC
 * calibration drives it.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "hw/clock.h"
#include "hw_stubs.h"

#define T0	1000000000ull	/* the manual clock's start */

FIXTURE(pit) {
	struct bus *bus;
	struct line_stub irq0;
};

FIXTURE_SETUP(pit)
{
	struct irq_line l = line_stub(&self->irq0, IRQ_PIT);

	hw_clock_manual(T0);
	self->bus = bus_new();
	ASSERT_NE(NULL, pit8254_attach(self->bus, &l));
}

FIXTURE_TEARDOWN(pit)
{
	bus_free(self->bus);
}

static void program(struct bus *bus, unsigned chan, unsigned mode, uint16_t count)
{
	out(bus, 0x43, chan << 6 | 0x30 | mode << 1, 1);	/* lo then hi, binary */
	out(bus, 0x40 + chan, count & 0xff, 1);
	out(bus, 0x40 + chan, count >> 8, 1);
}

static uint16_t read_count(struct bus *bus, unsigned chan)
{
	uint16_t lo = (uint16_t)in(bus, 0x40 + chan, 1);

	return (uint16_t)(lo | in(bus, 0x40 + chan, 1) << 8);
}

TEST_F(pit, mode2_divisor_1193_gives_1000_interrupts_a_second)
{
	program(self->bus, 0, 2, 1193);
	EXPECT_EQ(0, self->irq0.rises);
	hw_clock_advance(NSEC_PER_SEC);
	EXPECT_EQ(1000, self->irq0.rises);	/* 1193182 / 1193 = 1000.15 */
	EXPECT_EQ(0, self->irq0.level);		/* pulses: the line ends low */
	EXPECT_EQ(IRQ_PIT, self->irq0.gsi);
}

TEST_F(pit, periodic_count_exact_with_odd_steps)
{
	/* 10 s in steps of 333,333 ns: deadlines from the start, counts from T */
	program(self->bus, 0, 2, 1193);
	for (unsigned i = 0; i < 30000; i++)
		hw_clock_advance(333333);
	hw_clock_advance(10 * NSEC_PER_SEC - 30000ull * 333333);
	EXPECT_EQ(10001, self->irq0.rises);	/* 11931820 / 1193 = 10001.5 */
}

TEST_F(pit, mode3_square_wave_rate_and_count_by_two)
{
	program(self->bus, 0, 3, 11932);		/* ~100 Hz */
	hw_clock_advance(NSEC_PER_SEC);
	EXPECT_EQ(99, self->irq0.rises);	/* 1193182 / 11932 = 99.99 */
	out(self->bus, 0x43, 0x00, 1);		/* latch channel 0 */
	EXPECT_EQ(0, read_count(self->bus, 0) & 1);
}

TEST_F(pit, mode0_interrupts_once_at_terminal_count)
{
	program(self->bus, 0, 0, 1000);
	hw_clock_advance(hw_ticks_to_ns(1000, PIT_HZ) - 1);
	EXPECT_EQ(0, self->irq0.rises);
	hw_clock_advance(1);
	EXPECT_EQ(1, self->irq0.rises);
	/* the count goes on down past zero */
	EXPECT_EQ(0, read_count(self->bus, 0));
	hw_clock_advance(hw_ticks_to_ns(1, PIT_HZ));
	EXPECT_EQ(0xffff, read_count(self->bus, 0));
	hw_clock_advance(NSEC_PER_SEC);
	EXPECT_EQ(1, self->irq0.rises);
}

TEST_F(pit, mode4_oneshot_as_linux_programs_it)
{
	out(self->bus, 0x43, 0x38, 1);		/* drivers/clocksource/i8253.c oneshot */
	out(self->bus, 0x40, 0xa9, 1);		/* 1193 ticks: 1 ms */
	out(self->bus, 0x40, 0x04, 1);
	hw_clock_advance(999000);
	EXPECT_EQ(0, self->irq0.rises);
	hw_clock_advance(1000);
	EXPECT_EQ(1, self->irq0.rises);
	hw_clock_advance(NSEC_PER_SEC);
	EXPECT_EQ(1, self->irq0.rises);
}

TEST_F(pit, count_decreases_and_zero_means_65536)
{
	uint16_t a, b;

	program(self->bus, 0, 2, 0);
	EXPECT_EQ(0, read_count(self->bus, 0));		/* 65536 shows as 0 */
	hw_clock_advance(hw_ticks_to_ns(1, PIT_HZ));
	EXPECT_EQ(0xffff, read_count(self->bus, 0));
	hw_clock_advance(hw_ticks_to_ns(100, PIT_HZ));
	a = read_count(self->bus, 0);
	hw_clock_advance(1000);
	b = read_count(self->bus, 0);
	EXPECT_LT(b, a);
	/* one period of 65536 ticks: one interrupt (54.9 ms) */
	hw_clock_advance(hw_ticks_to_ns(65536, PIT_HZ));
	EXPECT_EQ(1, self->irq0.rises);
}

TEST_F(pit, latch_command_freezes_the_count_until_read)
{
	program(self->bus, 0, 2, 50000);
	hw_clock_advance(hw_ticks_to_ns(1000, PIT_HZ));
	out(self->bus, 0x43, 0x00, 1);		/* counter latch, channel 0 */
	hw_clock_advance(hw_ticks_to_ns(5000, PIT_HZ));
	out(self->bus, 0x43, 0x00, 1);		/* ignored: one latch is pending */
	EXPECT_EQ(49000, read_count(self->bus, 0));
	/* read again: the live count */
	EXPECT_EQ(44000, read_count(self->bus, 0));
}

TEST_F(pit, read_back_status_and_count)
{
	program(self->bus, 2, 0, 3000);		/* channel 2, gate low: not counting */
	out(self->bus, 0x61, 0x01, 1);		/* gate high */
	hw_clock_advance(hw_ticks_to_ns(1000, PIT_HZ));
	out(self->bus, 0x43, 0xc8, 1);		/* read-back count + status, channel 2 */
	hw_clock_advance(hw_ticks_to_ns(10, PIT_HZ));
	/* status: OUT low, count loaded, lo/hi, mode 0, binary */
	EXPECT_EQ(0x30, in(self->bus, 0x42, 1));
	EXPECT_EQ(2000, read_count(self->bus, 2));
	/* status alone, after the terminal count: OUT high */
	hw_clock_advance(hw_ticks_to_ns(2000, PIT_HZ));
	out(self->bus, 0x43, 0xe8, 1);
	EXPECT_EQ(0xb0, in(self->bus, 0x42, 1));
	/* a control word without a count: null count set */
	out(self->bus, 0x43, 0xb4, 1);
	out(self->bus, 0x43, 0xe8, 1);
	EXPECT_EQ(0x74, in(self->bus, 0x42, 1) & 0x7f);
}

TEST_F(pit, lobyte_and_hibyte_access_modes)
{
	out(self->bus, 0x43, 0x14, 1);		/* channel 0, LSB only, mode 2 */
	out(self->bus, 0x40, 200, 1);
	hw_clock_advance(hw_ticks_to_ns(50, PIT_HZ));
	EXPECT_EQ(150, in(self->bus, 0x40, 1));
	EXPECT_EQ(150, in(self->bus, 0x40, 1));	/* no flip-flop */
	out(self->bus, 0x43, 0x24, 1);		/* MSB only: count 0x0200 */
	out(self->bus, 0x40, 0x02, 1);
	hw_clock_advance(hw_ticks_to_ns(0x100, PIT_HZ));
	EXPECT_EQ(0x01, in(self->bus, 0x40, 1));
}

/*
 * arch/x86/kernel/tsc.c pit_calibrate_tsc: gate on and speaker off through
 * 0x61, channel 2 mode 0 with a 10 ms count, then poll 0x61 bit 5 (OUT2).
 */
TEST_F(pit, channel2_out_in_port61_as_linux_calibrates_the_tsc)
{
	const uint16_t latch = PIT_HZ / 100;
	unsigned polls = 0;
	uint8_t r1, r2;

	out(self->bus, 0x61, (in(self->bus, 0x61, 1) & ~0x02) | 0x01, 1);
	out(self->bus, 0x43, 0xb0, 1);
	out(self->bus, 0x42, latch & 0xff, 1);
	out(self->bus, 0x42, latch >> 8, 1);
	while (!(in(self->bus, 0x61, 1) & 0x20) && polls < 100000) {
		hw_clock_advance(1000);		/* 1 us between polls */
		polls++;
	}
	EXPECT_EQ(hw_ticks_to_ns(latch, PIT_HZ) / 1000 + 1, polls);
	EXPECT_EQ(0x01, in(self->bus, 0x61, 1) & 0x0f);
	EXPECT_EQ(0, self->irq0.rises);		/* channel 2 raises nothing */
	/* the refresh bit toggles on every read */
	r1 = (uint8_t)in(self->bus, 0x61, 1);
	r2 = (uint8_t)in(self->bus, 0x61, 1);
	EXPECT_EQ(0x10, (r1 ^ r2) & 0x10);
}

TEST_F(pit, channel2_gate_low_holds_the_count)
{
	out(self->bus, 0x61, 0x00, 1);		/* gate low */
	program(self->bus, 2, 0, 1000);
	hw_clock_advance(NSEC_PER_SEC);
	EXPECT_EQ(0, in(self->bus, 0x61, 1) & 0x20);
	EXPECT_EQ(1000, read_count(self->bus, 2));
	out(self->bus, 0x61, 0x01, 1);
	hw_clock_advance(hw_ticks_to_ns(400, PIT_HZ));
	out(self->bus, 0x61, 0x00, 1);		/* mode 0: gate low pauses */
	hw_clock_advance(NSEC_PER_SEC);
	EXPECT_EQ(600, read_count(self->bus, 2));
	EXPECT_EQ(0, in(self->bus, 0x61, 1) & 0x20);
	out(self->bus, 0x61, 0x01, 1);
	hw_clock_advance(hw_ticks_to_ns(600, PIT_HZ));
	EXPECT_EQ(0x20, in(self->bus, 0x61, 1) & 0x20);
}

TEST_HARNESS_MAIN
