/* SPDX-License-Identifier: GPL-2.0 */
/*
 * board.h - the addresses of hvlab's PC, shared by the device models that
 * answer there and the firmware tables (ACPI, e820) that tell the guest
 * where to look.  One place, so the tables can never disagree with the
 * devices.
 */
#ifndef HVLAB_HW_BOARD_H
#define HVLAB_HW_BOARD_H

/* ACPI fixed hardware (ACPI 6.4, 4.8): acpi_pm.c, described by the FADT. */
#define ACPI_PM_BASE		0x600
#define ACPI_PM1A_EVT_BLK	(ACPI_PM_BASE + 0x0)	/* PM1_STS, PM1_EN: 4 bytes */
#define ACPI_PM1A_CNT_BLK	(ACPI_PM_BASE + 0x4)	/* PM1_CNT: 2 bytes */
#define ACPI_PM_TMR_BLK		(ACPI_PM_BASE + 0x8)	/* PM_TMR: 4 bytes, 24-bit */
#define ACPI_PM_LEN		0x10
#define ACPI_PM_TMR_HZ		3579545			/* the PM timer's frequency */
#define ACPI_SLP_TYP_S5		5	/* PM1_CNT.SLP_TYP for soft-off; DSDT \_S5 says the same */
#define ACPI_SLP_EN		(1u << 13)

/* Legacy ports. */
#define PORT_SYS_CTRL_B		0x61	/* PIT channel 2 gate, speaker, OUT2 status */
#define PORT_RESET_CF9		0xCF9	/* reset control: bit 2 = reset */
#define PORT_I8042_DATA		0x60
#define PORT_I8042_CMD		0x64
#define PORT_RTC_INDEX		0x70
#define PORT_RTC_DATA		0x71
#define PORT_PIT_BASE		0x40	/* 0x40-0x43 */

/* Where the firmware tables live in guest memory (the BIOS area). */
#define ACPI_RSDP_ADDR		0xE0000	/* the RSDP, found by the scan of 0xE0000-0xFFFFF */
#define ACPI_TABLES_ADDR	0xE0100	/* RSDT, XSDT, FADT, MADT, DSDT follow */
#define ACPI_TABLES_END		0xF0000
#define MPTABLE_ADDR		0xF0000	/* MP floating pointer + config table */

/*
 * The PCI host bridge's windows (pci.c), described by the DSDT's \_SB.PCI0
 * _CRS: BARs live there, above the highest guest RAM (3 GiB) and below the
 * IOAPIC.  The "firmware" (pci.c itself) assigns BARs from the top part,
 * bottom up, so an OS that keeps them finds them inside the window.
 */
#define PCI_MMIO_WINDOW		0xC0000000ull	/* .. PCI_MMIO_WINDOW_END - 1 */
#define PCI_MMIO_WINDOW_END	0xFEC00000ull	/* the IOAPIC follows */
#define PCI_MMIO_ASSIGN		0xFE000000ull	/* where pci.c places BARs */
#define PCI_IO_WINDOW		0xC000		/* .. 0xFFFF: I/O BARs */
#define PCI_IO_WINDOW_END	0x10000
/*
 * PCI INTx: every device's INTA# is routed to one of these ISA IRQs
 * (level-triggered, active low, as PCI interrupts are), by slot parity:
 * pci.c writes it in INTERRUPT_LINE, the DSDT's _PRT and the MP table
 * describe the same wiring.
 */
#define PCI_INTX_IRQ_EVEN	10
#define PCI_INTX_IRQ_ODD	11

#endif
