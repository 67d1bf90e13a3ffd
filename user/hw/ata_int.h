/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ata_int.h - the state of an IDE channel, shared by the ATA command set
 * (ata.c) and the ATAPI packet command set (atapi.c).  Not for other
 * files: everyone else sees the channel only through ata.h and the bus.
 *
 * A channel has one task file and up to two drives; the drive selected
 * by bit 4 of the device register executes commands.  A transfer moves
 * bytes between `buf` and the data port: [pos, chunk) is what the guest
 * may move before the next DRQ block; when pos reaches chunk the command
 * set's continuation runs (block_done for ATA, atapi_chunk_done for
 * packets).
 */
#ifndef HVLAB_HW_ATA_INT_H
#define HVLAB_HW_ATA_INT_H

#include <pthread.h>

#include "disk/disk.h"
#include "hw/ata.h"

#define ATAPI_SECTOR	2048
#define ATA_BUF_BYTES	(ATA_MAX_MULTIPLE * ATAPI_SECTOR)

struct ata_drive {
	struct disk *disk;		/* NULL: no drive */
	bool atapi;			/* a CD-ROM speaking the packet protocol */
	uint64_t sectors;		/* 512-byte (ATA) or 2048-byte (ATAPI) */
	uint16_t cyls, heads, spt;	/* default geometry (IDENTIFY 1/3/6) */
	uint16_t cur_heads, cur_spt;	/* INITIALIZE DEVICE PARAMETERS */
	unsigned multiple;		/* SET MULTIPLE MODE; 0 = disabled */
	bool wce;			/* write cache enabled */
	uint8_t sense_key, asc, ascq;	/* ATAPI: for REQUEST SENSE */
};

enum xfer { XFER_NONE, XFER_IN, XFER_OUT, XFER_PACKET };

struct ata {
	struct hv_device dev;
	pthread_mutex_t lock;
	uint16_t base, ctrl;		/* 0x1F0/0x3F6 or 0x170/0x376 */
	int irq_line;			/* 14 or 15 */
	struct ata_drive drive[2];
	/* the task file; *_hob is the previous value (LBA48 FIFO) */
	uint8_t feature, nsect, lbal, lbam, lbah;
	uint8_t feature_hob, nsect_hob, lbal_hob, lbam_hob, lbah_hob;
	uint8_t device, status, error, devctl;
	bool intrq;
	/* the transfer in progress */
	enum xfer xfer;
	struct ata_drive *xd;		/* the drive of the command in progress */
	uint8_t cmd;
	uint64_t lba;
	uint32_t remaining;		/* sectors still to move, this block included */
	unsigned block;			/* sectors per DRQ block */
	unsigned pos, len, chunk;
	unsigned limit;			/* ATAPI byte count limit per DRQ */
	uint8_t buf[ATA_BUF_BYTES];
	/* outside world */
	ata_irq_fn irq;
	void *irq_ctx;
	FILE *log;
	struct ata_stats stats;
};

/* ata.c */
struct ata_drive *ata_cur_drive(struct ata *a);
void ata_set_intrq(struct ata *a, bool on);
void ata_finish(struct ata *a, uint8_t error);
void ata_log_access(struct ata *a, char dir, uint64_t lba, uint32_t count, bool err);
void ata_put_string(uint16_t *w, const char *s, unsigned nwords);

/* atapi.c */
void atapi_signature(struct ata *a);
void atapi_identify(struct ata *a, struct ata_drive *d, unsigned idx);
void atapi_packet_cmd(struct ata *a);		/* PACKET: start the CDB phase */
void atapi_chunk_done(struct ata *a);		/* guest moved [pos, chunk) */

#endif
