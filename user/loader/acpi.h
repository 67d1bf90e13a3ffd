/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acpi.h - the ACPI tables that describe hvlab's PC to an operating
 * system (ACPI 6.4, chapter 5): where they go, and the constants a reader
 * of them (the unit test, a student with acpidump) needs.
 *
 * Layout in the BIOS area (addresses from hw/board.h), each table 64-byte
 * aligned from ACPI_TABLES_ADDR in this order:
 *   ACPI_RSDP_ADDR    RSDP, revision 2 (36 bytes)
 *   +0x000            RSDT: FADT, MADT
 *   +0x040            XSDT: FADT, MADT
 *   +0x080            FADT, revision 6.4 (276 bytes)
 *   +0x1c0            FACS (64 bytes, 64-byte aligned as 5.2.10 demands)
 *   +0x200            DSDT: \_SB.PCI0 with _CRS and _PRT, \_S5 (under 1 KiB)
 *   +0x600            MADT: local APICs, the IOAPIC, overrides, LINT1 NMI
 */
#ifndef HVLAB_LOADER_ACPI_H
#define HVLAB_LOADER_ACPI_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define ACPI_RSDT_OFF		0x000
#define ACPI_XSDT_OFF		0x040
#define ACPI_FADT_OFF		0x080
#define ACPI_FACS_OFF		0x1c0
#define ACPI_DSDT_OFF		0x200
#define ACPI_MADT_OFF		0x600

#define ACPI_HDR_LEN		36	/* the common table header (5.2.6) */
#define ACPI_RSDP_LEN		36
#define ACPI_FADT_LEN		276
#define ACPI_OEM_ID		"HVLAB "	/* 6 characters */
#define ACPI_OEM_TABLE_ID	"HVLABPC "	/* 8 characters */

/* FADT fields (5.2.9, Table 5.9), byte offsets. */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208

/* FADT Flags (Table 5.10) and IA-PC boot architecture flags (Table 5.11). */
#define FADT_F_WBINVD		(1u << 0)
#define FADT_F_PROC_C1		(1u << 2)
#define FADT_F_PWR_BUTTON	(1u << 4)	/* 1: no fixed-feature power button */
#define FADT_F_SLP_BUTTON	(1u << 5)	/* 1: no fixed-feature sleep button */
#define FADT_F_RESET_REG_SUP	(1u << 10)
#define FADT_F_HW_REDUCED	(1u << 20)
#define IAPC_LEGACY_DEVICES	(1u << 0)
#define IAPC_8042		(1u << 1)
#define ACPI_RESET_VALUE	0x06	/* to 0xCF9: full reset, then reset */

/* MADT (5.2.12): the header, then interrupt controller structures. */
#define MADT_LAPIC_ADDR		36
#define MADT_FLAGS		40
#define MADT_ENTRIES		44
#define MADT_PCAT_COMPAT	(1u << 0)
#define MADT_T_LAPIC		0
#define MADT_T_IOAPIC		1
#define MADT_T_ISO		2
#define MADT_T_LAPIC_NMI	4
#define MADT_ISO_FLAGS_SCI	0x000d	/* level (3 << 2), active high (1) */

/*
 * Writes the RSDP and every table for a PC with ncpus vCPUs (local APIC
 * IDs 0..ncpus-1, the IOAPIC with ID ncpus).  Nothing is written when it
 * fails (ncpus out of 1..HVLAB_MAX_VCPUS, or RAM not covering the area).
 */
int acpi_build(struct guest_mem *gm, unsigned ncpus, char *err, size_t errlen);

#endif
