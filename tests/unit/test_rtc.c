// SPDX-License-Identifier: GPL-2.0
/*
 * test_rtc.c - the MC146818 RTC and CMOS RAM (user/hw/rtc_cmos.c): the
 * periodic interrupt on the manual clock, register C's read-to-clear, the
 * clock fields in BCD and binary, 12- and 24-hour, and the NVRAM bytes a
 * BIOS leaves for the memory size.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "hw/clock.h"
#include "hw_stubs.h"

#define MiB	(1ull << 20)
#define GiB	(1ull << 30)

static uint8_t cmos_rd(struct bus *bus, uint8_t reg)
{
	out(bus, 0x70, reg, 1);
	return (uint8_t)in(bus, 0x71, 1);
}

static void cmos_wr(struct bus *bus, uint8_t reg, uint8_t v)
{
	out(bus, 0x70, reg, 1);
	out(bus, 0x71, v, 1);
}

FIXTURE(rtc) {
	struct bus *bus;
	struct line_stub irq8;
};

FIXTURE_SETUP(rtc)
{
	struct irq_line l = line_stub(&self->irq8, IRQ_RTC);

	hw_clock_manual(NSEC_PER_SEC);
	self->bus = bus_new();
	ASSERT_NE(NULL, rtc_cmos_attach(self->bus, &l, 512 * MiB));
}

FIXTURE_TEARDOWN(rtc)
{
	bus_free(self->bus);
}

TEST_F(rtc, register_c_read_clears_the_flags_and_lowers_the_line)
{
	EXPECT_EQ(0x26, cmos_rd(self->bus, 0x0a) & 0x7f);	/* what a BIOS leaves */
	cmos_wr(self->bus, 0x0b, cmos_rd(self->bus, 0x0b) | 0x40);	/* PIE */
	EXPECT_EQ(0, self->irq8.level);
	hw_clock_advance(1000000);		/* 1 ms: one 1024 Hz period */
	EXPECT_EQ(1, self->irq8.level);
	EXPECT_EQ(1, self->irq8.rises);
	EXPECT_EQ(IRQ_RTC, self->irq8.gsi);
	EXPECT_EQ(0xc0, cmos_rd(self->bus, 0x0c));	/* IRQF | PF */
	EXPECT_EQ(0, self->irq8.level);
	EXPECT_EQ(0x00, cmos_rd(self->bus, 0x0c));
	/* the OS that never reads C gets one edge, however long it waits */
	hw_clock_advance(NSEC_PER_SEC);
	EXPECT_EQ(2, self->irq8.rises);
	EXPECT_EQ(0x80, cmos_rd(self->bus, 0x0d));	/* VRT: the battery is fine */
}

TEST_F(rtc, periodic_1024_hz_gives_1024_interrupts_a_second)
{
	uint64_t prev = 0;

	cmos_wr(self->bus, 0x0a, 0x26);		/* divider 010, RS = 6: 1024 Hz */
	cmos_wr(self->bus, 0x0b, 0x42);		/* PIE, 24-hour */
	out(self->bus, 0x70, 0x0c, 1);		/* the handler reads C each time */
	for (uint64_t k = 1; k <= 1024; k++) {
		uint64_t at = (k * NSEC_PER_SEC + 1023) / 1024;

		hw_clock_advance(at - prev);
		prev = at;
		EXPECT_EQ(0xc0, in(self->bus, 0x71, 1));
	}
	EXPECT_EQ(1024, self->irq8.rises);
	EXPECT_EQ(0, self->irq8.level);
}

TEST_F(rtc, rate_select_and_pie_off)
{
	cmos_wr(self->bus, 0x0a, 0x2f);		/* RS = 15: 2 Hz */
	cmos_wr(self->bus, 0x0b, 0x42);
	out(self->bus, 0x70, 0x0c, 1);
	for (int i = 0; i < 10; i++) {
		hw_clock_advance(NSEC_PER_SEC / 10);
		in(self->bus, 0x71, 1);
	}
	EXPECT_EQ(2, self->irq8.rises);
	cmos_wr(self->bus, 0x0b, 0x02);		/* PIE off: no more */
	hw_clock_advance(10 * NSEC_PER_SEC);
	EXPECT_EQ(2, self->irq8.rises);
	cmos_wr(self->bus, 0x0a, 0x20);		/* RS = 0 with PIE: none either */
	cmos_wr(self->bus, 0x0b, 0x42);
	hw_clock_advance(10 * NSEC_PER_SEC);
	EXPECT_EQ(2, self->irq8.rises);
}

TEST_F(rtc, clock_fields_in_bcd_and_binary)
{
	/* SET stops the clock: set 2026-12-06 (a Sunday) 13:45:30 */
	cmos_wr(self->bus, 0x0b, 0x82);
	cmos_wr(self->bus, 0x32, 0x20);
	cmos_wr(self->bus, 0x09, 0x26);
	cmos_wr(self->bus, 0x08, 0x12);
	cmos_wr(self->bus, 0x07, 0x06);
	cmos_wr(self->bus, 0x04, 0x13);
	cmos_wr(self->bus, 0x02, 0x45);
	cmos_wr(self->bus, 0x00, 0x30);
	EXPECT_EQ(0x30, cmos_rd(self->bus, 0x00));
	EXPECT_EQ(0x45, cmos_rd(self->bus, 0x02));
	EXPECT_EQ(0x13, cmos_rd(self->bus, 0x04));
	EXPECT_EQ(0x01, cmos_rd(self->bus, 0x06));	/* Sunday */
	EXPECT_EQ(0x06, cmos_rd(self->bus, 0x07));
	EXPECT_EQ(0x12, cmos_rd(self->bus, 0x08));
	EXPECT_EQ(0x26, cmos_rd(self->bus, 0x09));
	EXPECT_EQ(0x20, cmos_rd(self->bus, 0x32));
	EXPECT_EQ(0, cmos_rd(self->bus, 0x0a) & 0x80);	/* no UIP while SET */
	/* binary (DM) */
	cmos_wr(self->bus, 0x0b, 0x86);
	EXPECT_EQ(30, cmos_rd(self->bus, 0x00));
	EXPECT_EQ(45, cmos_rd(self->bus, 0x02));
	EXPECT_EQ(13, cmos_rd(self->bus, 0x04));
	EXPECT_EQ(12, cmos_rd(self->bus, 0x08));
	EXPECT_EQ(26, cmos_rd(self->bus, 0x09));
	EXPECT_EQ(20, cmos_rd(self->bus, 0x32));
	/* 12-hour, BCD: 1 PM */
	cmos_wr(self->bus, 0x0b, 0x80);
	EXPECT_EQ(0x81, cmos_rd(self->bus, 0x04));
	cmos_wr(self->bus, 0x04, 0x12);		/* 12 AM is midnight */
	cmos_wr(self->bus, 0x0b, 0x82);
	EXPECT_EQ(0x00, cmos_rd(self->bus, 0x04));
	/* clearing SET runs the clock from the time set */
	cmos_wr(self->bus, 0x0b, 0x02);
	EXPECT_EQ(0x26, cmos_rd(self->bus, 0x09));
	EXPECT_EQ(0x12, cmos_rd(self->bus, 0x08));
	EXPECT_EQ(0x00, cmos_rd(self->bus, 0x04));
}

TEST_F(rtc, nvram_memory_size_and_plain_storage)
{
	/* 512 MiB: base 640 KiB, extended capped at 0xFFFF KiB, 496 MiB above 16 MiB */
	EXPECT_EQ(0x80, cmos_rd(self->bus, 0x15));
	EXPECT_EQ(0x02, cmos_rd(self->bus, 0x16));
	EXPECT_EQ(0xff, cmos_rd(self->bus, 0x17));
	EXPECT_EQ(0xff, cmos_rd(self->bus, 0x18));
	EXPECT_EQ(0xff, cmos_rd(self->bus, 0x30));
	EXPECT_EQ(0xff, cmos_rd(self->bus, 0x31));
	EXPECT_EQ(0x00, cmos_rd(self->bus, 0x34));
	EXPECT_EQ(0x1f, cmos_rd(self->bus, 0x35));	/* 7936 x 64 KiB */
	EXPECT_EQ(0x00, cmos_rd(self->bus, 0x5b));
	/* plain storage; the NMI-mask bit of the index is ignored */
	cmos_wr(self->bus, 0x40, 0x5a);
	EXPECT_EQ(0x5a, cmos_rd(self->bus, 0xc0));
}

TEST(rtc_nvram_small_and_large)
{
	struct bus *bus = bus_new();

	ASSERT_NE(NULL, rtc_cmos_attach(bus, NULL, 8 * MiB));
	EXPECT_EQ(0x00, cmos_rd(bus, 0x17));	/* 7168 KiB = 0x1C00 */
	EXPECT_EQ(0x1c, cmos_rd(bus, 0x18));
	EXPECT_EQ(0x00, cmos_rd(bus, 0x34));
	EXPECT_EQ(0x00, cmos_rd(bus, 0x35));
	bus_free(bus);

	bus = bus_new();
	ASSERT_NE(NULL, rtc_cmos_attach(bus, NULL, 6 * GiB));
	EXPECT_EQ(0x00, cmos_rd(bus, 0x34));	/* 4080 MiB = 0xFF00 x 64 KiB */
	EXPECT_EQ(0xff, cmos_rd(bus, 0x35));
	EXPECT_EQ(0x00, cmos_rd(bus, 0x5b));	/* 2 GiB = 0x8000 x 64 KiB */
	EXPECT_EQ(0x80, cmos_rd(bus, 0x5c));
	EXPECT_EQ(0x00, cmos_rd(bus, 0x5d));
	bus_free(bus);
}

TEST_HARNESS_MAIN
