/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ata.h - an ATA/IDE disk controller on the legacy primary channel.
 *
 * Ports (ATA-8 ACS / ATA-ATAPI-6 §7, the "task file"):
 *   0x1F0  data (16 or 32 bit PIO)      0x1F1  error (r) / features (w)
 *   0x1F2  sector count                 0x1F3  LBA low  (sector number)
 *   0x1F4  LBA mid  (cylinder low)      0x1F5  LBA high (cylinder high)
 *   0x1F6  device/head: bit 4 DEV, bit 6 LBA
 *   0x1F7  status (r) / command (w)     0x3F6  alt status (r) / device control (w)
 * IRQ 14 when the platform delivers interrupts; polling works without.
 *
 * Up to two drives (master, slave), each a struct disk from disk/disk.h.
 * ata_create_cdrom() puts an ATAPI CD-ROM on the secondary channel.
 * The device does not own the disks: it flushes them when it is destroyed
 * (bus_free), and the caller closes them afterwards.
 */
#ifndef HVLAB_HW_ATA_H
#define HVLAB_HW_ATA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/bus.h"

struct disk;

#define ATA_PRIMARY_BASE	0x1F0
#define ATA_PRIMARY_CTRL	0x3F6
#define ATA_PRIMARY_IRQ		14
#define ATA_SECONDARY_BASE	0x170
#define ATA_SECONDARY_CTRL	0x376
#define ATA_SECONDARY_IRQ	15
#define ATA_MAX_MULTIPLE	16	/* sectors per DRQ block, IDENTIFY word 47 */
#define ATA_LOG_LEN		64

/* status register (ATA-8 ACS §6.2) */
#define ATA_SR_BSY	0x80
#define ATA_SR_DRDY	0x40
#define ATA_SR_DF	0x20
#define ATA_SR_DSC	0x10	/* obsolete "seek complete"; old drivers wait for it */
#define ATA_SR_DRQ	0x08
#define ATA_SR_ERR	0x01
/* error register */
#define ATA_ER_UNC	0x40
#define ATA_ER_IDNF	0x10
#define ATA_ER_ABRT	0x04
/* device control register */
#define ATA_DC_HOB	0x80
#define ATA_DC_SRST	0x04
#define ATA_DC_NIEN	0x02

/* commands implemented */
#define ATA_CMD_READ_SECTORS		0x20
#define ATA_CMD_READ_SECTORS_EXT	0x24
#define ATA_CMD_READ_MULTIPLE_EXT	0x29
#define ATA_CMD_WRITE_SECTORS		0x30
#define ATA_CMD_WRITE_SECTORS_EXT	0x34
#define ATA_CMD_WRITE_MULTIPLE_EXT	0x39
#define ATA_CMD_READ_VERIFY		0x40
#define ATA_CMD_READ_VERIFY_EXT		0x42
#define ATA_CMD_SEEK			0x70
#define ATA_CMD_EXEC_DIAGNOSTIC		0x90
#define ATA_CMD_INIT_PARAMS		0x91
#define ATA_CMD_READ_MULTIPLE		0xC4
#define ATA_CMD_WRITE_MULTIPLE		0xC5
#define ATA_CMD_SET_MULTIPLE		0xC6
#define ATA_CMD_CHECK_POWER		0xE5
#define ATA_CMD_FLUSH_CACHE		0xE7
#define ATA_CMD_IDENTIFY		0xEC
#define ATA_CMD_FLUSH_CACHE_EXT		0xEA
#define ATA_CMD_SET_FEATURES		0xEF
#define ATA_CMD_DEVICE_RESET		0x08	/* ATAPI */
#define ATA_CMD_PACKET			0xA0	/* ATAPI */
#define ATA_CMD_IDENTIFY_PACKET		0xA1	/* ATAPI */

/* One logged command that moved data (or flushed). */
struct ata_access {
	uint64_t lba;
	uint32_t count;		/* sectors */
	uint8_t drive;		/* 0 master, 1 slave */
	char dir;		/* 'r' read, 'w' write, 'f' flush */
	bool error;
};

/* Counters for the dashboard; ring[] holds the last ATA_LOG_LEN accesses. */
struct ata_stats {
	uint64_t commands, read_cmds, write_cmds, flushes, errors;
	uint64_t sectors_read, sectors_written;
	uint64_t naccess;			/* total logged; ring index = n % LEN */
	struct ata_access ring[ATA_LOG_LEN];
};

/* level 1 = assert INTRQ, 0 = deassert. */
typedef void (*ata_irq_fn)(void *ctx, int irq, int level);

/*
 * Create the controller on `bus` at 0x1F0-0x1F7 and 0x3F6 with
 * disks[0] as master and disks[1] as slave (either may be NULL).
 * NULL on failure.  The bus owns the device from then on.
 */
struct hv_device *ata_create(struct bus *bus, struct disk *disks[2]);
/* The same with hard disks on the secondary channel (0x170, 0x376, IRQ 15):
 * with ata_create, up to four disks (`hvlab run --disk` up to 4 times). */
struct hv_device *ata_create_secondary(struct bus *bus, struct disk *disks[2]);
/*
 * Or an ATAPI CD-ROM as master of the secondary channel (0x170-0x177, 0x376,
 * IRQ 15), reading `iso` (a raw file of 2048-byte sectors, opened
 * read-only) through the packet commands of atapi.c.  NULL on failure.
 */
struct hv_device *ata_create_cdrom(struct bus *bus, struct disk *iso);
/* The interrupt hook; without one the guest polls the status register. */
void ata_set_irq(struct hv_device *dev, ata_irq_fn fn, void *ctx);
/* Log one line per data command to `f` (NULL: stop logging). */
void ata_set_log(struct hv_device *dev, FILE *f);
/* A consistent copy of the counters. */
void ata_get_stats(struct hv_device *dev, struct ata_stats *out);

#endif
