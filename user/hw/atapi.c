// SPDX-License-Identifier: GPL-2.0
/*
 * atapi.c - the ATAPI packet protocol: a read-only CD-ROM on an IDE channel.
 *
 * An ATAPI device takes SCSI (MMC) commands wrapped in the ATA PACKET
 * command (ATA-8 ACS §7.18, ATA/ATAPI-6 §9.8):
 *
 *   1. PACKET: the guest sets the byte count limit in LBA mid/high and
 *      writes 0xA0; the device asks for the 12-byte command packet
 *      (DRQ=1, interrupt reason CoD=1 IO=0 in the sector count register);
 *   2. the guest writes the packet (6 words) to the data port;
 *   3. data-in: for each DRQ block the device puts its size (at most the
 *      limit) in LBA mid/high, sets IO=1 CoD=0, DRQ and raises INTRQ;
 *      the guest reads that many bytes;
 *   4. status: IO=1 CoD=1, DRQ=0, INTRQ; on "check condition" ERR is set
 *      and the error register carries the sense key in bits 7-4, with the
 *      details for REQUEST SENSE.
 *
 * The medium is a raw image of 2048-byte sectors (an .iso), always
 * present, never written.  Commands: TEST UNIT READY, REQUEST SENSE,
 * INQUIRY, READ CAPACITY, READ(10), READ(12), READ TOC (format 0),
 * START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, SEEK, SET CD SPEED;
 * anything else is ILLEGAL REQUEST / invalid command operation code, which
 * is how drivers probe for optional features.  PIO only, like ata.c.
 */
#include <string.h>

#include "hw/ata_int.h"

/* SCSI sense keys and additional sense codes (SPC-3 §4.5.6) */
#define SENSE_NONE		0x0
#define SENSE_MEDIUM_ERROR	0x3
#define SENSE_ILLEGAL_REQUEST	0x5
#define ASC_INVALID_OPCODE	0x20
#define ASC_LBA_OUT_OF_RANGE	0x21
#define ASC_INVALID_FIELD	0x24
#define ASC_READ_ERROR		0x11

/* interrupt reason bits in the sector count register */
#define IR_COD	0x01
#define IR_IO	0x02

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static unsigned be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

void atapi_signature(struct ata *a)
{
	a->nsect = a->lbal = 1;
	a->lbam = 0x14;
	a->lbah = 0xeb;
}

void atapi_identify(struct ata *a, struct ata_drive *d, unsigned idx)
{
	uint16_t w[256] = { 0 };
	char serial[21];

	(void)d;
	snprintf(serial, sizeof(serial), "HVLAB-CD-%011u", idx + 1);
	/* ATAPI, CD-ROM (type 5), removable, DRQ within 50 us, 12-byte packets */
	w[0] = 0x85c0;
	ata_put_string(&w[10], serial, 10);
	ata_put_string(&w[23], "0.1", 4);
	ata_put_string(&w[27], "hvlab virtual ATAPI CD-ROM", 20);
	w[49] = 1 << 9;			/* LBA; no DMA yet */
	w[53] = 0x0002;			/* words 64-70 valid */
	w[64] = 0x0003;			/* PIO 3, 4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x01f0;
	for (unsigned i = 0; i < 256; i++) {
		a->buf[2 * i] = w[i] & 0xff;
		a->buf[2 * i + 1] = w[i] >> 8;
	}
}

/* End the packet command: status phase (IO=1, CoD=1) and INTRQ. */
static void complete(struct ata *a, struct ata_drive *d, uint8_t key,
		     uint8_t asc)
{
	d->sense_key = key;
	d->asc = asc;
	d->ascq = 0;
	a->remaining = 0;
	ata_finish(a, key << 4);
	a->nsect = (a->nsect & ~7) | IR_IO | IR_COD;
}

/* Offer the next DRQ block of [pos, len) to the guest. */
static void next_chunk(struct ata *a)
{
	unsigned n = a->len - a->pos;

	if (n > a->limit)
		n = a->limit;
	a->chunk = a->pos + n;
	a->lbam = n & 0xff;
	a->lbah = n >> 8;
	a->nsect = (a->nsect & ~7) | IR_IO;
	a->xfer = XFER_IN;
	a->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
	ata_set_intrq(a, true);
}

/* Reply with `n` bytes of buf, cut to the allocation length `alloc`. */
static void reply(struct ata *a, struct ata_drive *d, unsigned n, unsigned alloc)
{
	a->pos = 0;
	a->len = n < alloc ? n : alloc;
	if (!a->len) {
		complete(a, d, SENSE_NONE, 0);
		return;
	}
	next_chunk(a);
}

/* Load the next sectors of a READ into buf. */
static void read_more(struct ata *a, struct ata_drive *d)
{
	unsigned n = a->remaining < ATA_MAX_MULTIPLE ? a->remaining : ATA_MAX_MULTIPLE;

	if (disk_read(d->disk, a->lba * ATAPI_SECTOR, a->buf, (size_t)n * ATAPI_SECTOR)) {
		ata_log_access(a, 'r', a->lba, n, true);
		complete(a, d, SENSE_MEDIUM_ERROR, ASC_READ_ERROR);
		return;
	}
	a->stats.sectors_read += n * (ATAPI_SECTOR / DISK_SECTOR);
	a->lba += n;
	a->remaining -= n;
	a->pos = 0;
	a->len = n * ATAPI_SECTOR;
	next_chunk(a);
}

static void lba_to_msf(uint8_t *p, uint32_t lba)
{
	lba += 150;		/* the 2-second pregap */
	p[0] = 0;
	p[1] = lba / (75 * 60);
	p[2] = (lba / 75) % 60;
	p[3] = lba % 75;
}

static void read_toc(struct ata *a, struct ata_drive *d, const uint8_t *cdb)
{
	bool msf = cdb[1] & 2;
	uint8_t *p = a->buf;

	if ((cdb[2] & 0x0f) != 0 || (cdb[6] > 1 && cdb[6] != 0xaa)) {
		complete(a, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
		return;
	}
	/* format 0: one data track starting at LBA 0, then the lead-out */
	memset(p, 0, 20);
	p[1] = 18;		/* data length after this field */
	p[2] = 1;		/* first track */
	p[3] = 1;		/* last track */
	p[5] = 0x14;		/* ADR 1, control: data track */
	p[6] = 1;
	if (msf)
		lba_to_msf(p + 8, 0);
	p[13] = 0x14;
	p[14] = 0xaa;		/* lead-out */
	if (msf)
		lba_to_msf(p + 16, d->sectors);
	else
		put_be32(p + 16, d->sectors);
	reply(a, d, 20, be16(cdb + 7));
}

static void exec_cdb(struct ata *a, struct ata_drive *d, const uint8_t *cdb)
{
	uint32_t lba, count;

	switch (cdb[0]) {
	case 0x00:	/* TEST UNIT READY: the medium is always there */
	case 0x1b:	/* START STOP UNIT */
	case 0x1e:	/* PREVENT ALLOW MEDIUM REMOVAL */
	case 0x2b:	/* SEEK(10) */
	case 0xbb:	/* SET CD SPEED */
		complete(a, d, SENSE_NONE, 0);
		break;
	case 0x03:	/* REQUEST SENSE: fixed format, then the sense is cleared */
		memset(a->buf, 0, 18);
		a->buf[0] = 0x70;
		a->buf[2] = d->sense_key;
		a->buf[7] = 10;
		a->buf[12] = d->asc;
		a->buf[13] = d->ascq;
		d->sense_key = d->asc = d->ascq = 0;
		reply(a, d, 18, cdb[4]);
		break;
	case 0x12:	/* INQUIRY */
		memset(a->buf, 0, 36);
		a->buf[0] = 0x05;	/* CD/DVD device */
		a->buf[1] = 0x80;	/* removable */
		a->buf[3] = 0x21;	/* ATAPI, response data format 1 */
		a->buf[4] = 31;		/* additional length */
		memcpy(a->buf + 8, "HVLAB   ", 8);
		memcpy(a->buf + 16, "VIRTUAL CD-ROM  ", 16);
		memcpy(a->buf + 32, "0.1 ", 4);
		reply(a, d, 36, be16(cdb + 3));
		break;
	case 0x25:	/* READ CAPACITY: last LBA and the block length */
		put_be32(a->buf, d->sectors ? d->sectors - 1 : 0);
		put_be32(a->buf + 4, ATAPI_SECTOR);
		reply(a, d, 8, 8);
		break;
	case 0x28:	/* READ(10) */
	case 0xa8:	/* READ(12) */
		lba = be32(cdb + 2);
		count = cdb[0] == 0x28 ? be16(cdb + 7) : be32(cdb + 6);
		if (lba > d->sectors || count > d->sectors - lba) {
			ata_log_access(a, 'r', lba, count, true);
			complete(a, d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
			break;
		}
		ata_log_access(a, 'r', lba, count, false);
		a->stats.read_cmds++;
		if (!count) {
			complete(a, d, SENSE_NONE, 0);
			break;
		}
		a->lba = lba;
		a->remaining = count;
		read_more(a, d);
		break;
	case 0x43:	/* READ TOC */
		read_toc(a, d, cdb);
		break;
	default:
		complete(a, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		break;
	}
}

void atapi_packet_cmd(struct ata *a)
{
	if (a->feature & 1) {		/* DMA: not yet */
		ata_finish(a, ATA_ER_ABRT);
		return;
	}
	/* byte count limit: 0 means "as much as possible"; keep it even */
	a->limit = (a->lbah << 8 | a->lbam) & ~1u;
	if (!a->limit)
		a->limit = 0xfffe;
	a->pos = 0;
	a->len = a->chunk = 12;
	a->xfer = XFER_PACKET;
	a->nsect = (a->nsect & ~7) | IR_COD;
	a->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
}

void atapi_chunk_done(struct ata *a)
{
	struct ata_drive *d = a->xd;
	uint8_t cdb[12];

	if (a->xfer == XFER_PACKET) {
		memcpy(cdb, a->buf, sizeof(cdb));
		exec_cdb(a, d, cdb);
		return;
	}
	if (a->cmd == ATA_CMD_IDENTIFY_PACKET) {	/* PIO in: no IRQ at the end */
		a->xfer = XFER_NONE;
		a->pos = a->len = a->chunk = 0;
		a->status = ATA_SR_DRDY | ATA_SR_DSC;
		return;
	}
	if (a->pos < a->len)
		next_chunk(a);
	else if (a->remaining)
		read_more(a, d);
	else
		complete(a, d, SENSE_NONE, 0);
}
