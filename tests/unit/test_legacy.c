// SPDX-License-Identifier: GPL-2.0
/*
 * test_legacy.c - the rest of the legacy PC: the 16550A's interrupts,
 * receive FIFO and the probes Linux's 8250 driver makes
 * (user/hw/uart16550.c), the 8042 keyboard controller (i8042.c), the
 * 0xCF9 reset register (reset.c) and the ACPI fixed hardware (acpi_pm.c).
 */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <string.h>

#include "kselftest_harness.h"
#include "hw/board.h"
#include "hw/clock.h"
#include "hw_stubs.h"
#include "hw/pci.h"

#define COM1	0x3f8
#define STATUS_RESET	7

/* ---- 16550A UART -------------------------------------------------- */

FIXTURE(uart) {
	struct bus *bus;
	struct hv_device *dev;
	struct line_stub irq4;
	struct sink sink;
};

FIXTURE_SETUP(uart)
{
	struct irq_line l = line_stub(&self->irq4, IRQ_COM1);

	memset(&self->sink, 0, sizeof(self->sink));
	self->bus = bus_new();
	self->dev = uart16550_attach(self->bus, COM1, &l, sink_out, &self->sink);
	ASSERT_NE(NULL, self->dev);
}

FIXTURE_TEARDOWN(uart)
{
	bus_free(self->bus);
}

TEST_F(uart, thre_interrupt_cleared_by_iir_read_and_raised_by_thr_write)
{
	EXPECT_EQ(0x01, in(self->bus, COM1 + 2, 1));
	out(self->bus, COM1 + 1, 0x02, 1);		/* ETBEI */
	EXPECT_EQ(1, self->irq4.level);
	EXPECT_EQ(IRQ_COM1, self->irq4.gsi);
	EXPECT_EQ(0x02, in(self->bus, COM1 + 2, 1));	/* THRE: reading acknowledges */
	EXPECT_EQ(0, self->irq4.level);
	EXPECT_EQ(0x01, in(self->bus, COM1 + 2, 1));
	out(self->bus, COM1, 'A', 1);			/* sent at once: empty again */
	EXPECT_EQ(1, self->irq4.level);
	EXPECT_EQ(2, self->irq4.rises);
	EXPECT_EQ(0x02, in(self->bus, COM1 + 2, 1));
	out(self->bus, COM1 + 1, 0x00, 1);
	out(self->bus, COM1, 'B', 1);			/* ETBEI off: no interrupt */
	EXPECT_EQ(0, self->irq4.level);
	EXPECT_STREQ("AB", self->sink.buf);
}

/* serial8250_do_startup: THRE must re-assert when ETBEI is enabled again */
TEST_F(uart, thre_reasserts_when_etbei_is_reenabled)
{
	out(self->bus, COM1 + 1, 0x02, 1);
	EXPECT_EQ(0x02, in(self->bus, COM1 + 2, 1) & 0x0f);
	out(self->bus, COM1 + 1, 0x00, 1);
	out(self->bus, COM1 + 1, 0x02, 1);
	EXPECT_EQ(0x02, in(self->bus, COM1 + 2, 1) & 0x0f);
}

TEST_F(uart, rx_interrupt_on_input_and_fifo_levels)
{
	const uint8_t text[20] = "0123456789abcdefghij";

	out(self->bus, COM1 + 1, 0x01, 1);		/* ERBFI */
	EXPECT_EQ(0, self->irq4.level);
	/* FIFOs off: one byte of holding register */
	EXPECT_EQ(1, uart16550_input(self->dev, text, 2));
	EXPECT_EQ(1, self->irq4.level);
	EXPECT_EQ(0x04, in(self->bus, COM1 + 2, 1));
	EXPECT_EQ(0x63, in(self->bus, COM1 + 5, 1));	/* DR, OE (one dropped), THRE, TEMT */
	EXPECT_EQ('0', in(self->bus, COM1, 1));
	EXPECT_EQ(0, self->irq4.level);
	EXPECT_EQ(0x60, in(self->bus, COM1 + 5, 1));
	/* FIFOs on, trigger level 14 */
	out(self->bus, COM1 + 2, 0xc7, 1);
	EXPECT_EQ(3, uart16550_input(self->dev, text, 3));
	EXPECT_EQ(0xcc, in(self->bus, COM1 + 2, 1));	/* below the trigger: timeout */
	EXPECT_EQ(13, uart16550_input(self->dev, text + 3, 17));	/* 16 in all */
	EXPECT_EQ(0xc4, in(self->bus, COM1 + 2, 1));
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(text[i], in(self->bus, COM1, 1));
	EXPECT_EQ(0, in(self->bus, COM1 + 5, 1) & 0x01);
	EXPECT_EQ(0, self->irq4.level);
	EXPECT_EQ(0xc1, in(self->bus, COM1 + 2, 1));
}

TEST_F(uart, line_status_interrupt_comes_first)
{
	const uint8_t b[2] = { 'x', 'y' };

	out(self->bus, COM1 + 1, 0x07, 1);		/* ERBFI, ETBEI, ELSI */
	uart16550_input(self->dev, b, 2);		/* overrun */
	EXPECT_EQ(0x06, in(self->bus, COM1 + 2, 1));
	EXPECT_EQ(0x02, in(self->bus, COM1 + 5, 1) & 0x02);
	EXPECT_EQ(0x04, in(self->bus, COM1 + 2, 1));
	in(self->bus, COM1, 1);
	EXPECT_EQ(0x02, in(self->bus, COM1 + 2, 1));
	EXPECT_EQ(0x01, in(self->bus, COM1 + 2, 1));
}

TEST_F(uart, out2_gates_the_line)
{
	out(self->bus, COM1 + 4, 0x03, 1);		/* DTR, RTS, no OUT2 */
	out(self->bus, COM1 + 1, 0x02, 1);
	EXPECT_EQ(0x02, in(self->bus, COM1 + 2, 1) & 0x0f);
	EXPECT_EQ(0, self->irq4.rises);
	out(self->bus, COM1 + 1, 0x00, 1);
	out(self->bus, COM1 + 1, 0x02, 1);
	out(self->bus, COM1 + 4, 0x0b, 1);		/* OUT2 */
	EXPECT_EQ(1, self->irq4.level);
	out(self->bus, COM1 + 4, 0x03, 1);
	EXPECT_EQ(0, self->irq4.level);
}

/* 8250_port.c autoconfig: scratch, IER read-back, loopback MSR test */
TEST_F(uart, linux_autoconfig_probes)
{
	out(self->bus, COM1 + 7, 0xa5, 1);
	EXPECT_EQ(0xa5, in(self->bus, COM1 + 7, 1));
	out(self->bus, COM1 + 1, 0x00, 1);
	EXPECT_EQ(0x00, in(self->bus, COM1 + 1, 1) & 0x0f);
	out(self->bus, COM1 + 1, 0x0f, 1);
	EXPECT_EQ(0x0f, in(self->bus, COM1 + 1, 1) & 0x0f);
	out(self->bus, COM1 + 1, 0x00, 1);
	EXPECT_EQ(1, self->irq4.rises);			/* IER = 0x0F: THRE */
	EXPECT_EQ(0, self->irq4.level);
	out(self->bus, COM1 + 4, 0x1a, 1);		/* LOOP | OUT2 | RTS */
	EXPECT_EQ(0x90, in(self->bus, COM1 + 6, 1) & 0xf0);	/* DCD | CTS */
	out(self->bus, COM1 + 2, 0x01, 1);		/* FIFO on: a 16550A says 0xC_ */
	EXPECT_EQ(0xc0, in(self->bus, COM1 + 2, 1) & 0xc0);
	/* loopback: THR comes back in RBR, nothing leaves, the line stays low */
	out(self->bus, COM1 + 1, 0x03, 1);
	out(self->bus, COM1, 'L', 1);
	EXPECT_EQ(0x01, in(self->bus, COM1 + 5, 1) & 0x01);
	EXPECT_EQ(0xc4, in(self->bus, COM1 + 2, 1));
	EXPECT_EQ(1, self->irq4.rises);
	EXPECT_EQ(0, self->irq4.level);
	EXPECT_EQ('L', in(self->bus, COM1, 1));
	EXPECT_EQ(0, self->sink.n);
	/* leaving loopback: the modem inputs change, the deltas show once */
	out(self->bus, COM1 + 4, 0x0b, 1);
	EXPECT_EQ(0xb0, in(self->bus, COM1 + 6, 1) & 0xf0);
	EXPECT_EQ(0x00, in(self->bus, COM1 + 6, 1) & 0x0f);
}

/* ---- 8042 --------------------------------------------------------- */

FIXTURE(kbc) {
	struct bus *bus;
	struct line_stub irq1;
	struct stop_stub stop;
};

FIXTURE_SETUP(kbc)
{
	struct irq_line l = line_stub(&self->irq1, IRQ_KBD);

	memset(&self->stop, 0, sizeof(self->stop));
	self->bus = bus_new();
	ASSERT_NE(NULL, i8042_attach(self->bus, &l, stop_stub_fn, &self->stop, STATUS_RESET));
}

FIXTURE_TEARDOWN(kbc)
{
	bus_free(self->bus);
}

TEST_F(kbc, self_test_interface_tests_and_command_byte)
{
	EXPECT_EQ(0, in(self->bus, 0x64, 1) & 0x01);	/* nothing to read */
	out(self->bus, 0x64, 0xaa, 1);
	EXPECT_EQ(0x01, in(self->bus, 0x64, 1) & 0x01);
	EXPECT_EQ(0x55, in(self->bus, 0x60, 1));
	EXPECT_EQ(0, in(self->bus, 0x64, 1) & 0x01);
	EXPECT_EQ(0x04, in(self->bus, 0x64, 1) & 0x04);	/* system flag */
	out(self->bus, 0x64, 0xab, 1);
	EXPECT_EQ(0x00, in(self->bus, 0x60, 1));
	out(self->bus, 0x64, 0xa9, 1);
	EXPECT_EQ(0x00, in(self->bus, 0x60, 1));
	out(self->bus, 0x64, 0x60, 1);			/* write the command byte */
	out(self->bus, 0x60, 0x74, 1);			/* interrupts off, both disabled */
	out(self->bus, 0x64, 0x20, 1);
	EXPECT_EQ(0x74, in(self->bus, 0x60, 1));
	out(self->bus, 0x64, 0xa8, 1);			/* aux on */
	out(self->bus, 0x64, 0xae, 1);			/* keyboard on */
	out(self->bus, 0x64, 0x20, 1);
	EXPECT_EQ(0x44, in(self->bus, 0x60, 1));
	/* controller answers raise IRQ 1 only with command byte bit 0 */
	EXPECT_EQ(3, self->irq1.rises);			/* 0x55, 0x00, 0x00 */
	out(self->bus, 0x64, 0x60, 1);
	out(self->bus, 0x60, 0x45, 1);
	out(self->bus, 0x64, 0xd3, 1);			/* aux loop: comes back as aux */
	out(self->bus, 0x60, 0x5a, 1);
	EXPECT_EQ(0x21, in(self->bus, 0x64, 1) & 0x21);
	EXPECT_EQ(0x5a, in(self->bus, 0x60, 1));
	EXPECT_EQ(3, self->irq1.rises);			/* no aux byte on IRQ 1 */
	EXPECT_EQ(0, self->stop.calls);
}

TEST_F(kbc, keyboard_commands_answer_with_ack_and_raise_irq1)
{
	out(self->bus, 0x60, 0xff, 1);			/* reset the keyboard */
	EXPECT_EQ(1, self->irq1.level);
	EXPECT_EQ(IRQ_KBD, self->irq1.gsi);
	EXPECT_EQ(0xfa, in(self->bus, 0x60, 1));
	EXPECT_EQ(0xaa, in(self->bus, 0x60, 1));
	EXPECT_EQ(0, self->irq1.level);
	out(self->bus, 0x60, 0xf2, 1);			/* identify */
	EXPECT_EQ(0xfa, in(self->bus, 0x60, 1));
	EXPECT_EQ(0xab, in(self->bus, 0x60, 1));
	EXPECT_EQ(0x83, in(self->bus, 0x60, 1));
	out(self->bus, 0x60, 0xed, 1);			/* LEDs: ACK, parameter, ACK */
	EXPECT_EQ(0xfa, in(self->bus, 0x60, 1));
	out(self->bus, 0x60, 0x07, 1);
	EXPECT_EQ(0xfa, in(self->bus, 0x60, 1));
	EXPECT_EQ(0, in(self->bus, 0x64, 1) & 0x01);
}

TEST_F(kbc, pulse_0xfe_resets)
{
	out(self->bus, 0x64, 0xfe, 1);
	EXPECT_EQ(1, self->stop.calls);
	EXPECT_EQ(STATUS_RESET, self->stop.status);
}

TEST_F(kbc, output_port_bit0_resets)
{
	out(self->bus, 0x64, 0xd1, 1);
	out(self->bus, 0x60, 0xdf, 1);			/* A20 on, reset line high */
	EXPECT_EQ(0, self->stop.calls);
	out(self->bus, 0x64, 0xd1, 1);
	out(self->bus, 0x60, 0xde, 1);
	EXPECT_EQ(1, self->stop.calls);
	EXPECT_EQ(STATUS_RESET, self->stop.status);
}

/* ---- 0xCF9 -------------------------------------------------------- */

TEST(reset_cf9_bit2_resets)
{
	struct stop_stub stop = { 0 };
	struct bus *bus = bus_new();

	ASSERT_NE(NULL, pci_attach(bus, NULL));		/* they share 0xCF8-0xCFF */
	ASSERT_NE(NULL, reset_cf9_attach(bus, stop_stub_fn, &stop, STATUS_RESET));
	out(bus, 0xcf9, 0x02, 1);			/* Linux: hard reset selected... */
	EXPECT_EQ(0, stop.calls);
	EXPECT_EQ(0x02, in(bus, 0xcf9, 1));
	out(bus, 0xcf9, 0x06, 1);			/* ...then RST_CPU */
	EXPECT_EQ(1, stop.calls);
	EXPECT_EQ(STATUS_RESET, stop.status);
	/* the PCI config address still takes a 32-bit write at 0xCF8 */
	out(bus, 0xcf8, 0x80000000, 4);
	EXPECT_EQ(0x80000000, in(bus, 0xcf8, 4));
	EXPECT_EQ(0x12378086, in(bus, 0xcfc, 4));	/* 00:00.0, the host bridge */
	EXPECT_EQ(1, stop.calls);
	bus_free(bus);
}

/* ---- ACPI PM ------------------------------------------------------ */

FIXTURE(pm) {
	struct bus *bus;
	struct stop_stub stop;
};

FIXTURE_SETUP(pm)
{
	memset(&self->stop, 0, sizeof(self->stop));
	hw_clock_manual(123456789);
	self->bus = bus_new();
	ASSERT_NE(NULL, acpi_pm_attach(self->bus, NULL, stop_stub_fn, &self->stop, 0));
}

FIXTURE_TEARDOWN(pm)
{
	bus_free(self->bus);
}

TEST_F(pm, timer_counts_3579545_a_second_in_24_bits)
{
	uint32_t t0, t1;

	hw_clock_advance(777);
	t0 = in(self->bus, ACPI_PM_TMR_BLK, 4);
	hw_clock_advance(NSEC_PER_SEC);
	t1 = in(self->bus, ACPI_PM_TMR_BLK, 4);
	EXPECT_LE(3579544, (t1 - t0) & 0xffffff);
	EXPECT_GE(3579546, (t1 - t0) & 0xffffff);
	/* 24 bits: it wraps after 4.69 s */
	hw_clock_advance(5 * NSEC_PER_SEC);
	EXPECT_GT(0x1000000u, in(self->bus, ACPI_PM_TMR_BLK, 4));
}

TEST_F(pm, tmr_sts_sets_on_bit23_and_clears_on_write_one)
{
	EXPECT_EQ(0, in(self->bus, ACPI_PM1A_EVT_BLK, 2) & 1);
	hw_clock_advance(hw_ticks_to_ns(1u << 23, ACPI_PM_TMR_HZ));
	EXPECT_EQ(1, in(self->bus, ACPI_PM1A_EVT_BLK, 2) & 1);
	out(self->bus, ACPI_PM1A_EVT_BLK, 0x0001, 2);
	EXPECT_EQ(0, in(self->bus, ACPI_PM1A_EVT_BLK, 2) & 1);
	out(self->bus, ACPI_PM1A_EVT_BLK + 2, 0x0120, 2);	/* PM1_EN kept */
	EXPECT_EQ(0x0120, in(self->bus, ACPI_PM1A_EVT_BLK + 2, 2));
}

TEST_F(pm, sci_en_reads_1_and_s5_powers_off)
{
	EXPECT_EQ(1, in(self->bus, ACPI_PM1A_CNT_BLK, 2) & 1);
	/* S1 (SLP_TYP 1) is not offered: ignored */
	out(self->bus, ACPI_PM1A_CNT_BLK, 1 << 10 | ACPI_SLP_EN, 2);
	EXPECT_EQ(0, self->stop.calls);
	EXPECT_EQ(0, in(self->bus, ACPI_PM1A_CNT_BLK, 2) & ACPI_SLP_EN);	/* write-only */
	/* SLP_TYP alone does nothing; SLP_EN with it powers off */
	out(self->bus, ACPI_PM1A_CNT_BLK, ACPI_SLP_TYP_S5 << 10, 2);
	EXPECT_EQ(0, self->stop.calls);
	out(self->bus, ACPI_PM1A_CNT_BLK, ACPI_SLP_TYP_S5 << 10 | ACPI_SLP_EN, 2);
	EXPECT_EQ(1, self->stop.calls);
	EXPECT_EQ(0, self->stop.status);
}

TEST_HARNESS_MAIN
