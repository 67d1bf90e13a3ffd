// SPDX-License-Identifier: GPL-2.0
/*
 * ata.c - an ATA/IDE disk controller, PIO only, on the primary channel.
 *
 * The guest programs the task file (count, LBA, device) and writes a
 * command; a data command then moves "DRQ blocks" of 512 bytes (or
 * `multiple` sectors for READ/WRITE MULTIPLE) through the data port:
 *
 *   read:   command -> block read from the disk, DRQ=1, IRQ
 *           guest reads the block -> next block, DRQ=1, IRQ ... -> DRQ=0
 *   write:  command -> DRQ=1 (no IRQ before the first block)
 *           guest writes a block -> written to the disk, IRQ, DRQ for the
 *           next ... last block -> DRQ=0, IRQ
 *
 * The disk work is synchronous, so BSY is never seen set.  Every command
 * ends with DRDY (+ERR and the error register on failure: ABRT for an
 * unknown or invalid command, IDNF for an address past the end, UNC for a
 * host read error).  LBA48 registers are two-deep FIFOs: each write pushes
 * the old value to the "previous" slot, read back with HOB set in device
 * control (ATA-8 ACS §4.13 / ATA-6 §6.20).  Writing any command-block
 * register clears HOB.
 *
 * Invariants: 0 <= pos <= len <= sizeof(buf); DRQ is set iff a transfer is
 * in progress; no disk access goes past the drive's last sector.  The
 * transfer helpers (ata_rw_sectors) take (drive, lba, count, direction) so
 * a bus-master DMA engine can reuse them later.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "disk/disk.h"
#include "hw/ata.h"
#include "hw/ata_int.h"

struct ata_drive *ata_cur_drive(struct ata *a)
{
	struct ata_drive *d = &a->drive[(a->device >> 4) & 1];

	return d->disk ? d : NULL;
}

void ata_set_intrq(struct ata *a, bool on)
{
	bool was = a->intrq;

	a->intrq = on;
	if (a->irq && !(a->devctl & ATA_DC_NIEN) && on != was)
		a->irq(a->irq_ctx, a->irq_line, on);
}

void ata_log_access(struct ata *a, char dir, uint64_t lba, uint32_t count, bool err)
{
	struct ata_access *e = &a->stats.ring[a->stats.naccess++ % ATA_LOG_LEN];

	*e = (struct ata_access){ .lba = lba, .count = count, .dir = dir,
				  .drive = (a->device >> 4) & 1, .error = err };
	if (a->log)
		fprintf(a->log, "%s.%u: %s lba=%llu count=%u%s\n", a->dev.name, e->drive,
			dir == 'r' ? "read" : dir == 'w' ? "write" : "flush",
			(unsigned long long)lba, count, err ? " ERROR" : "");
}

void ata_finish(struct ata *a, uint8_t error)
{
	a->xfer = XFER_NONE;
	a->pos = a->len = a->chunk = 0;
	a->error = error;
	a->status = ATA_SR_DRDY | ATA_SR_DSC | (error ? ATA_SR_ERR : 0);
	if (error)
		a->stats.errors++;
	ata_set_intrq(a, true);
}

/* Move `count` sectors between the drive and `buf`.  0 or an error bit. */
static uint8_t ata_rw_sectors(struct ata_drive *d, uint64_t lba, unsigned count,
			      uint8_t *buf, bool write)
{
	if (lba > d->sectors || count > d->sectors - lba)
		return ATA_ER_IDNF;
	if (write) {
		if (d->disk->readonly || disk_write(d->disk, lba * DISK_SECTOR, buf,
						   (size_t)count * DISK_SECTOR))
			return ATA_ER_ABRT;
		if (!d->wce && disk_flush(d->disk))
			return ATA_ER_ABRT;
		return 0;
	}
	return disk_read(d->disk, lba * DISK_SECTOR, buf, (size_t)count * DISK_SECTOR) ?
	       ATA_ER_UNC : 0;
}

void ata_put_string(uint16_t *w, const char *s, unsigned nwords)
{
	/* ATA strings: two characters per word, the first in the high byte */
	for (unsigned i = 0; i < nwords; i++) {
		char c0 = *s ? *s++ : ' ';
		char c1 = *s ? *s++ : ' ';

		w[i] = (uint16_t)((uint8_t)c0 << 8 | (uint8_t)c1);
	}
}

static void identify(struct ata *a, struct ata_drive *d, unsigned idx)
{
	uint16_t w[256] = { 0 };
	uint64_t lba28 = d->sectors < 0x0FFFFFFF ? d->sectors : 0x0FFFFFFF;
	uint32_t chs = (uint32_t)d->cyls * d->cur_heads * d->cur_spt;
	char serial[21];
	uint8_t sum = 0;

	snprintf(serial, sizeof(serial), "HVLAB-ATA-%010u", idx + 1);
	w[0] = 0x0040;				/* fixed device */
	w[1] = d->cyls;
	w[3] = d->heads;
	w[6] = d->spt;
	ata_put_string(&w[10], serial, 10);		/* words 10-19 */
	ata_put_string(&w[23], "0.1", 4);		/* firmware, 23-26 */
	ata_put_string(&w[27], "hvlab virtual ATA disk", 20);	/* model, 27-46 */
	w[47] = 0x8000 | ATA_MAX_MULTIPLE;
	w[49] = 1 << 9;				/* LBA; no DMA yet */
	w[50] = 0x4000;
	w[53] = 0x0003;				/* words 54-58 and 64-70 valid */
	w[54] = d->cyls;
	w[55] = d->cur_heads;
	w[56] = d->cur_spt;
	w[57] = chs & 0xffff;
	w[58] = chs >> 16;
	w[59] = d->multiple ? 0x0100 | d->multiple : 0;
	w[60] = lba28 & 0xffff;
	w[61] = lba28 >> 16;
	w[64] = 0x0003;				/* PIO modes 3 and 4 */
	w[65] = w[66] = w[67] = w[68] = 120;	/* cycle times, ns */
	w[80] = 0x01f0;				/* ATA-4 .. ATA8-ACS */
	w[82] = 0x0068;				/* power mgmt, write cache, look-ahead */
	w[83] = 0x7400;				/* FLUSH CACHE (EXT), 48-bit */
	w[84] = 0x4000;
	w[85] = 0x0048 | (d->wce ? 0x0020 : 0);
	w[86] = 0x3400;
	w[87] = 0x4000;
	w[100] = d->sectors & 0xffff;
	w[101] = (d->sectors >> 16) & 0xffff;
	w[102] = (d->sectors >> 32) & 0xffff;
	w[103] = d->sectors >> 48;
	w[106] = 0x4000;			/* 512-byte logical sectors */
	/* word 255: signature 0xA5 and a checksum making all bytes sum to 0 */
	w[255] = 0x00A5;
	for (unsigned i = 0; i < 255; i++)
		sum += (w[i] & 0xff) + (w[i] >> 8);
	sum += 0xA5;
	w[255] |= (uint16_t)(uint8_t)-sum << 8;
	for (unsigned i = 0; i < 256; i++) {
		a->buf[2 * i] = w[i] & 0xff;
		a->buf[2 * i + 1] = w[i] >> 8;
	}
}

/* Load the next DRQ block of a read into buf. */
static void read_block(struct ata *a)
{
	struct ata_drive *d = a->xd;
	unsigned n = a->remaining < a->block ? a->remaining : a->block;
	uint8_t err = ata_rw_sectors(d, a->lba, n, a->buf, false);

	if (err) {
		ata_log_access(a, 'r', a->lba, n, true);
		ata_finish(a, err);
		return;
	}
	a->pos = 0;
	a->len = a->chunk = n * DISK_SECTOR;
	a->xfer = XFER_IN;
	a->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
	ata_set_intrq(a, true);
}

static void start_write_block(struct ata *a)
{
	unsigned n = a->remaining < a->block ? a->remaining : a->block;

	a->pos = 0;
	a->len = a->chunk = n * DISK_SECTOR;
	a->xfer = XFER_OUT;
	a->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
}

/* The address of a data command, from LBA28, LBA48 or CHS registers. */
/* LAB 10: BEGIN ata_address */
static bool decode_address(struct ata *a, struct ata_drive *d, bool lba48,
			   uint64_t *lba, uint32_t *count)
{
	if (lba48) {
		*lba = (uint64_t)a->lbah_hob << 40 | (uint64_t)a->lbam_hob << 32 |
		       (uint64_t)a->lbal_hob << 24 | (uint64_t)a->lbah << 16 |
		       (uint64_t)a->lbam << 8 | a->lbal;
		*count = (uint32_t)a->nsect_hob << 8 | a->nsect;
		if (!*count)
			*count = 65536;
		return true;
	}
	*count = a->nsect ? a->nsect : 256;
	if (a->device & 0x40) {
		*lba = (uint64_t)(a->device & 0x0f) << 24 | (uint64_t)a->lbah << 16 |
		       (uint64_t)a->lbam << 8 | a->lbal;
		return true;
	}
	/* CHS: sector numbers start at 1 */
	if (!a->lbal || (a->device & 0x0f) >= d->cur_heads || a->lbal > d->cur_spt)
		return false;
	*lba = (((uint64_t)(a->lbah << 8 | a->lbam) * d->cur_heads +
		 (a->device & 0x0f)) * d->cur_spt) + a->lbal - 1;
	return true;
}
/* LAB 10: END ata_address */

static void start_data_cmd(struct ata *a, struct ata_drive *d, bool write,
			   bool lba48, bool multiple)
{
	uint32_t count;
	uint64_t lba;

	if (multiple && !d->multiple) {
		ata_finish(a, ATA_ER_ABRT);		/* SET MULTIPLE MODE first */
		return;
	}
	if (!decode_address(a, d, lba48, &lba, &count)) {
		ata_finish(a, ATA_ER_IDNF);
		return;
	}
	if (lba > d->sectors || count > d->sectors - lba) {
		ata_log_access(a, write ? 'w' : 'r', lba, count, true);
		ata_finish(a, ATA_ER_IDNF);
		return;
	}
	if (write && d->disk->readonly) {
		ata_log_access(a, 'w', lba, count, true);
		ata_finish(a, ATA_ER_ABRT);
		return;
	}
	a->lba = lba;
	a->remaining = count;
	a->block = multiple ? d->multiple : 1;
	ata_log_access(a, write ? 'w' : 'r', lba, count, false);
	if (write) {
		a->stats.write_cmds++;
		start_write_block(a);
	} else {
		a->stats.read_cmds++;
		read_block(a);
	}
}

static void set_signature(struct ata *a)
{
	/* ATA device signature (ATA-8 ACS §9.12): count 1, LBA 1/0/0 */
	a->nsect = a->lbal = 1;
	a->lbam = a->lbah = 0;
	a->device = 0;
	if (a->drive[0].atapi)
		atapi_signature(a);	/* LBA mid/high 0x14/0xEB */
	a->error = 0x01;	/* diagnostic code: device 0 passed */
	a->status = ATA_SR_DRDY | ATA_SR_DSC;
	a->xfer = XFER_NONE;
	a->pos = a->len = a->chunk = 0;
}

/* The commands an ATAPI device accepts outside PACKET (ATA-8 ACS §4.3). */
static void atapi_command(struct ata *a, struct ata_drive *d, unsigned idx, uint8_t cmd)
{
	switch (cmd) {
	case ATA_CMD_PACKET:
		atapi_packet_cmd(a);
		break;
	case ATA_CMD_IDENTIFY_PACKET:
		atapi_identify(a, d, idx);
		a->pos = 0;
		a->len = a->chunk = 512;
		a->xfer = XFER_IN;
		a->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
		ata_set_intrq(a, true);
		break;
	case ATA_CMD_DEVICE_RESET:
		atapi_signature(a);
		a->error = 0;
		a->status = 0;		/* DRDY stays clear after a reset */
		a->xfer = XFER_NONE;
		break;
	case ATA_CMD_EXEC_DIAGNOSTIC:
		set_signature(a);
		ata_set_intrq(a, true);
		break;
	case ATA_CMD_IDENTIFY:
		/* an ATAPI device aborts it and shows its signature */
		atapi_signature(a);
		ata_finish(a, ATA_ER_ABRT);
		break;
	case ATA_CMD_SET_FEATURES:
	case ATA_CMD_CHECK_POWER:
	case 0xE0: case 0xE1: case 0xE2: case 0xE3:
		if (cmd == ATA_CMD_CHECK_POWER)
			a->nsect = 0xff;
		ata_finish(a, 0);
		break;
	default:
		ata_finish(a, ATA_ER_ABRT);
		break;
	}
}

static void command(struct ata *a, uint8_t cmd)
{
	struct ata_drive *d = ata_cur_drive(a);
	unsigned idx = (a->device >> 4) & 1;

	if (!d)
		return;			/* no drive answers; status stays 0 */
	a->cmd = cmd;
	/* the transfer stays with this drive even if DEV changes meanwhile */
	a->xd = d;
	a->stats.commands++;
	ata_set_intrq(a, false);
	if (d->atapi) {
		atapi_command(a, d, idx, cmd);
		return;
	}
	switch (cmd) {
	case ATA_CMD_IDENTIFY:
		identify(a, d, idx);
		a->pos = 0;
		a->len = a->chunk = 512;
		a->remaining = 1;
		a->block = 1;
		a->xfer = XFER_IN;
		a->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
		ata_set_intrq(a, true);
		break;
	case ATA_CMD_READ_SECTORS:
	case ATA_CMD_READ_SECTORS + 1:	/* "without retries", obsolete */
		start_data_cmd(a, d, false, false, false);
		break;
	case ATA_CMD_READ_SECTORS_EXT:
		start_data_cmd(a, d, false, true, false);
		break;
	case ATA_CMD_READ_MULTIPLE:
		start_data_cmd(a, d, false, false, true);
		break;
	case ATA_CMD_READ_MULTIPLE_EXT:
		start_data_cmd(a, d, false, true, true);
		break;
	case ATA_CMD_WRITE_SECTORS:
	case ATA_CMD_WRITE_SECTORS + 1:
		start_data_cmd(a, d, true, false, false);
		break;
	case ATA_CMD_WRITE_SECTORS_EXT:
		start_data_cmd(a, d, true, true, false);
		break;
	case ATA_CMD_WRITE_MULTIPLE:
		start_data_cmd(a, d, true, false, true);
		break;
	case ATA_CMD_WRITE_MULTIPLE_EXT:
		start_data_cmd(a, d, true, true, true);
		break;
	case ATA_CMD_SET_MULTIPLE:
		/* a power of two up to the maximum in IDENTIFY word 47; 0 disables */
		if (a->nsect > ATA_MAX_MULTIPLE || (a->nsect & (a->nsect - 1))) {
			ata_finish(a, ATA_ER_ABRT);
			break;
		}
		d->multiple = a->nsect;
		ata_finish(a, 0);
		break;
	case ATA_CMD_FLUSH_CACHE:
	case ATA_CMD_FLUSH_CACHE_EXT: {
		bool bad = disk_flush(d->disk) != 0;

		a->stats.flushes++;
		ata_log_access(a, 'f', 0, 0, bad);
		ata_finish(a, bad ? ATA_ER_ABRT : 0);
		break;
	}
	case ATA_CMD_SET_FEATURES:
		switch (a->feature) {
		case 0x02: d->wce = true; break;	/* enable write cache */
		case 0x82:				/* disable: flush now */
			d->wce = false;
			if (disk_flush(d->disk)) {
				ata_finish(a, ATA_ER_ABRT);
				return;
			}
			break;
		case 0x03:	/* set transfer mode: any PIO mode is fine */
			if ((a->nsect & 0xf8) > 0x08) {	/* DMA modes: not yet */
				ata_finish(a, ATA_ER_ABRT);
				return;
			}
			break;
		case 0x55: case 0xAA:	/* read look-ahead off/on */
		case 0x66: case 0xCC:	/* power-on defaults off/on */
			break;
		default:
			ata_finish(a, ATA_ER_ABRT);
			return;
		}
		ata_finish(a, 0);
		break;
	case ATA_CMD_INIT_PARAMS:
		if (!a->nsect) {
			ata_finish(a, ATA_ER_ABRT);
			break;
		}
		d->cur_heads = (a->device & 0x0f) + 1;
		d->cur_spt = a->nsect;
		ata_finish(a, 0);
		break;
	case ATA_CMD_EXEC_DIAGNOSTIC:
		set_signature(a);
		ata_set_intrq(a, true);
		break;
	case ATA_CMD_CHECK_POWER:
		a->nsect = 0xff;	/* active or idle */
		ata_finish(a, 0);
		break;
	case ATA_CMD_READ_VERIFY:
	case ATA_CMD_READ_VERIFY + 1:
	case ATA_CMD_READ_VERIFY_EXT:
	case ATA_CMD_SEEK:
	case 0xE0: case 0xE1: case 0xE2: case 0xE3:	/* power management */
		ata_finish(a, 0);
		break;
	default:
		if (cmd >= 0x10 && cmd <= 0x1f) {	/* RECALIBRATE */
			ata_finish(a, 0);
			break;
		}
		ata_finish(a, ATA_ER_ABRT);
		break;
	}
}

/* The guest has read or written a whole DRQ block. */
static void block_done(struct ata *a)
{
	unsigned n = a->len / DISK_SECTOR;

	if (a->cmd == ATA_CMD_IDENTIFY) {	/* PIO in: no IRQ at the end */
		a->xfer = XFER_NONE;
		a->pos = a->len = a->chunk = 0;
		a->status = ATA_SR_DRDY | ATA_SR_DSC;
		return;
	}
	if (a->xfer == XFER_OUT) {
		uint8_t err = ata_rw_sectors(a->xd, a->lba, n, a->buf, true);

		if (err) {
			ata_log_access(a, 'w', a->lba, n, true);
			ata_finish(a, err);
			return;
		}
		a->stats.sectors_written += n;
	} else {
		a->stats.sectors_read += n;
	}
	a->lba += n;
	a->remaining -= n;
	if (!a->remaining) {
		bool was_write = a->xfer == XFER_OUT;

		a->xfer = XFER_NONE;
		a->pos = a->len = a->chunk = 0;
		a->error = 0;
		a->status = ATA_SR_DRDY | ATA_SR_DSC;
		if (was_write)	/* reads interrupt per block, before the data */
			ata_set_intrq(a, true);
		return;
	}
	if (a->xfer == XFER_OUT) {
		start_write_block(a);
		ata_set_intrq(a, true);
	} else {
		read_block(a);
	}
}

/* The guest moved the whole of [pos, chunk). */
static void transfer_done(struct ata *a)
{
	struct ata_drive *d = a->xd;

	if (d->atapi)
		atapi_chunk_done(a);
	else
		block_done(a);
}

static void data_in(struct ata *a, uint8_t *out, unsigned size)
{
	if (a->xfer != XFER_IN) {
		memset(out, 0xff, size);
		return;
	}
	for (unsigned i = 0; i < size; i++)
		out[i] = a->pos < a->chunk ? a->buf[a->pos++] : 0xff;
	if (a->pos >= a->chunk)
		transfer_done(a);
}

static void data_out(struct ata *a, const uint8_t *in, unsigned size)
{
	if (a->xfer != XFER_OUT && a->xfer != XFER_PACKET)
		return;
	for (unsigned i = 0; i < size && a->pos < a->chunk; i++)
		a->buf[a->pos++] = in[i];
	if (a->pos >= a->chunk)
		transfer_done(a);
}

static uint8_t read_reg(struct ata *a, unsigned reg)
{
	bool hob = a->devctl & ATA_DC_HOB;
	bool present = ata_cur_drive(a) != NULL;

	switch (reg) {
	case 1: return present ? a->error : 0;
	case 2: return hob ? a->nsect_hob : a->nsect;
	case 3: return hob ? a->lbal_hob : a->lbal;
	case 4: return hob ? a->lbam_hob : a->lbam;
	case 5: return hob ? a->lbah_hob : a->lbah;
	case 6: return a->device | 0xa0;	/* bits 7 and 5 read as one */
	case 7:
		ata_set_intrq(a, false);	/* reading status acknowledges INTRQ */
		return present ? a->status : 0;
	}
	return 0xff;
}

static void write_reg(struct ata *a, unsigned reg, uint8_t v)
{
	a->devctl &= ~ATA_DC_HOB;	/* any command-block write clears HOB */
	switch (reg) {
	case 1: a->feature_hob = a->feature; a->feature = v; break;
	case 2: a->nsect_hob = a->nsect; a->nsect = v; break;
	case 3: a->lbal_hob = a->lbal; a->lbal = v; break;
	case 4: a->lbam_hob = a->lbam; a->lbam = v; break;
	case 5: a->lbah_hob = a->lbah; a->lbah = v; break;
	case 6: a->device = v & 0x5f; break;
	case 7: command(a, v); break;
	}
}

static void write_devctl(struct ata *a, uint8_t v)
{
	bool was_reset = a->devctl & ATA_DC_SRST;
	bool mask_changed = (a->devctl ^ v) & ATA_DC_NIEN;

	a->devctl = v;
	/* nIEN disconnects INTRQ from the pin; a pending one reappears on clear */
	if (mask_changed && a->intrq && a->irq)
		a->irq(a->irq_ctx, a->irq_line, !(v & ATA_DC_NIEN));
	if (v & ATA_DC_SRST) {
		/* software reset: both drives, held while SRST is set */
		a->status = ATA_SR_BSY;
		a->xfer = XFER_NONE;
		ata_set_intrq(a, false);
	} else if (was_reset) {
		set_signature(a);
		for (int i = 0; i < 2; i++) {
			a->drive[i].multiple = 0;
			a->drive[i].cur_heads = a->drive[i].heads;
			a->drive[i].cur_spt = a->drive[i].spt;
		}
	}
}

static void ata_pio_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	struct ata *a = dev->priv;
	uint8_t *out = data;

	pthread_mutex_lock(&a->lock);
	if (port == a->base) {
		data_in(a, out, size);
	} else if (port == a->ctrl) {
		memset(out, 0, size);
		out[0] = ata_cur_drive(a) ? a->status : 0;	/* no INTRQ side effect */
	} else {
		memset(out, 0, size);
		out[0] = read_reg(a, port - a->base);
	}
	pthread_mutex_unlock(&a->lock);
}

static void ata_pio_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct ata *a = dev->priv;
	const uint8_t *in = data;

	pthread_mutex_lock(&a->lock);
	if (port == a->base)
		data_out(a, in, size);
	else if (port == a->ctrl)
		write_devctl(a, in[0]);
	else
		write_reg(a, port - a->base, in[0]);
	pthread_mutex_unlock(&a->lock);
}

static void ata_destroy(struct hv_device *dev)
{
	struct ata *a = dev->priv;

	for (int i = 0; i < 2; i++)
		if (a->drive[i].disk && !a->drive[i].disk->readonly)
			disk_flush(a->drive[i].disk);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static const struct hv_device_ops ata_ops = {
	.pio_in = ata_pio_in,
	.pio_out = ata_pio_out,
	.destroy = ata_destroy,
};

static void init_drive(struct ata_drive *d, struct disk *disk, bool atapi)
{
	uint64_t c;

	d->disk = disk;
	if (!disk)
		return;
	d->atapi = atapi;
	if (atapi) {
		d->sectors = disk_size(disk) / ATAPI_SECTOR;
		return;
	}
	d->sectors = disk_size(disk) / DISK_SECTOR;
	/* the classic translation: 16 heads, 63 sectors, at most 16383 cylinders */
	d->heads = 16;
	d->spt = 63;
	c = d->sectors / (16 * 63);
	d->cyls = c > 16383 ? 16383 : c ? c : 1;
	d->cur_heads = d->heads;
	d->cur_spt = d->spt;
	d->wce = true;
}

static struct hv_device *channel_create(struct bus *bus, const char *name,
					uint16_t base, uint16_t ctrl, int irq,
					struct disk *disks[2], bool atapi)
{
	struct ata *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->dev = (struct hv_device){ .name = name, .ops = &ata_ops, .priv = a };
	a->base = base;
	a->ctrl = ctrl;
	a->irq_line = irq;
	pthread_mutex_init(&a->lock, NULL);
	init_drive(&a->drive[0], disks ? disks[0] : NULL, atapi);
	init_drive(&a->drive[1], disks ? disks[1] : NULL, atapi);
	set_signature(a);
	if (bus_register_pio(bus, base, 8, &a->dev)) {
		pthread_mutex_destroy(&a->lock);
		free(a);
		return NULL;
	}
	/* the bus now owns the device and frees it in bus_free() */
	if (bus_register_pio(bus, ctrl, 1, &a->dev))
		return NULL;
	return &a->dev;
}

struct hv_device *ata_create(struct bus *bus, struct disk *disks[2])
{
	return channel_create(bus, "ata0", ATA_PRIMARY_BASE, ATA_PRIMARY_CTRL,
			      ATA_PRIMARY_IRQ, disks, false);
}

struct hv_device *ata_create_secondary(struct bus *bus, struct disk *disks[2])
{
	return channel_create(bus, "ata1", ATA_SECONDARY_BASE, ATA_SECONDARY_CTRL,
			      ATA_SECONDARY_IRQ, disks, false);
}

struct hv_device *ata_create_cdrom(struct bus *bus, struct disk *iso)
{
	struct disk *disks[2] = { iso, NULL };

	return channel_create(bus, "ata1", ATA_SECONDARY_BASE, ATA_SECONDARY_CTRL,
			      ATA_SECONDARY_IRQ, disks, true);
}

void ata_set_irq(struct hv_device *dev, ata_irq_fn fn, void *ctx)
{
	struct ata *a = dev->priv;

	pthread_mutex_lock(&a->lock);
	a->irq = fn;
	a->irq_ctx = ctx;
	pthread_mutex_unlock(&a->lock);
}

void ata_set_log(struct hv_device *dev, FILE *f)
{
	struct ata *a = dev->priv;

	pthread_mutex_lock(&a->lock);
	a->log = f;
	pthread_mutex_unlock(&a->lock);
}

void ata_get_stats(struct hv_device *dev, struct ata_stats *out)
{
	struct ata *a = dev->priv;

	pthread_mutex_lock(&a->lock);
	*out = a->stats;
	pthread_mutex_unlock(&a->lock);
}
