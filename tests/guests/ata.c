// SPDX-License-Identifier: GPL-2.0
/*
 * ata - drives the primary IDE channel with polled PIO, the way xv6's
 * ide.c does, and checks the disk the host attached as master:
 *  - IDENTIFY DEVICE: an ATA (not ATAPI) device with LBA, 48-bit support,
 *    a capacity of at least 4 MiB and a non-blank model string;
 *  - READ SECTORS at LBA 2048 (1 MiB) finds the 0xab pattern the test put
 *    there beforehand with `qemu-io -c 'write -P 0xab 1M 4k'`;
 *  - WRITE SECTORS of 8 sectors at LBA 4096 (2 MiB) with 0xcd, FLUSH CACHE,
 *    then READ SECTORS EXT reads them back; the host verifies the file
 *    afterwards with `qemu-io -c 'read -P 0xcd 2M 4k'` and `qemu-img check`;
 *  - an unknown command ends with ERR and ABRT in the error register.
 * The same guest runs under QEMU's IDE controller (proving the guest) and
 * under hvlab's (user/hw/ata.c), with the disk as `--disk FILE`.
 */
#include "guest.h"

#define ATA_DATA	0x1f0
#define ATA_ERROR	0x1f1
#define ATA_COUNT	0x1f2
#define ATA_LBA0	0x1f3
#define ATA_LBA1	0x1f4
#define ATA_LBA2	0x1f5
#define ATA_DEVICE	0x1f6
#define ATA_STATUS	0x1f7
#define ATA_CMD		0x1f7

#define ST_BSY	0x80
#define ST_DRDY	0x40
#define ST_DRQ	0x08
#define ST_ERR	0x01

static uint16_t buf[8 * 256];

/* Wait until not busy; return the status (reading it acknowledges the IRQ). */
static uint8_t wait_ready(void)
{
	uint8_t st;
	unsigned long spins = 0;

	while ((st = inb(ATA_STATUS)) & ST_BSY)
		GUEST_ASSERT(++spins < 100000000ul);
	return st;
}

static void wait_drq(void)
{
	uint8_t st = wait_ready();

	GUEST_ASSERT_EQ(st & (ST_DRQ | ST_ERR), ST_DRQ);
}

static void lba28(uint32_t lba, uint8_t count)
{
	wait_ready();
	outb(ATA_DEVICE, 0xe0 | ((lba >> 24) & 0x0f));	/* master, LBA */
	outb(ATA_COUNT, count);
	outb(ATA_LBA0, lba);
	outb(ATA_LBA1, lba >> 8);
	outb(ATA_LBA2, lba >> 16);
}

static void read_sectors(uint16_t *dst, unsigned n)
{
	for (unsigned s = 0; s < n; s++) {
		wait_drq();
		for (int i = 0; i < 256; i++)
			*dst++ = inw(ATA_DATA);
	}
}

void guest_main(void)
{
	char model[41];
	uint32_t sectors;
	uint8_t st;

	/* IDENTIFY DEVICE */
	wait_ready();
	outb(ATA_DEVICE, 0xa0);
	outb(ATA_CMD, 0xec);
	read_sectors(buf, 1);
	GUEST_ASSERT_EQ(buf[0] & 0x8000, 0);		/* ATA, not ATAPI */
	GUEST_ASSERT(buf[49] & (1 << 9));		/* LBA */
	GUEST_ASSERT(buf[83] & (1 << 10));		/* 48-bit addresses */
	sectors = buf[60] | (uint32_t)buf[61] << 16;
	GUEST_ASSERT(sectors >= 8192);
	for (int i = 0; i < 20; i++) {			/* byte-swapped pairs */
		model[2 * i] = buf[27 + i] >> 8;
		model[2 * i + 1] = buf[27 + i] & 0xff;
	}
	model[40] = 0;
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = 0;
	GUEST_ASSERT(model[0] && model[0] != ' ');
	GUEST_PRINTF("ata: model '%s', %u sectors", model, (unsigned)sectors);

	/* data the host wrote with qemu-io before the boot */
	lba28(2048, 1);
	outb(ATA_CMD, 0x20);				/* READ SECTORS */
	read_sectors(buf, 1);
	for (int i = 0; i < 256; i++)
		GUEST_ASSERT_EQ(buf[i], 0xabab);

	/* write 8 sectors, flush, read back with the 48-bit command */
	for (int i = 0; i < 8 * 256; i++)
		buf[i] = 0xcdcd;
	lba28(4096, 8);
	outb(ATA_CMD, 0x30);				/* WRITE SECTORS */
	for (int s = 0; s < 8; s++) {
		wait_drq();
		for (int i = 0; i < 256; i++)
			outw(ATA_DATA, buf[s * 256 + i]);
	}
	st = wait_ready();
	GUEST_ASSERT_EQ(st & (ST_ERR | ST_DRQ), 0);
	outb(ATA_CMD, 0xe7);				/* FLUSH CACHE */
	st = wait_ready();
	GUEST_ASSERT_EQ(st & ST_ERR, 0);

	memset(buf, 0, sizeof(buf));
	outb(ATA_DEVICE, 0x40);
	outb(ATA_COUNT, 0);				/* count, high byte */
	outb(ATA_LBA0, 0);				/* LBA bits 24-47 */
	outb(ATA_LBA1, 0);
	outb(ATA_LBA2, 0);
	outb(ATA_COUNT, 8);
	outb(ATA_LBA0, 4096 & 0xff);
	outb(ATA_LBA1, 4096 >> 8);
	outb(ATA_LBA2, 0);
	outb(ATA_CMD, 0x24);				/* READ SECTORS EXT */
	read_sectors(buf, 8);
	for (int i = 0; i < 8 * 256; i++)
		GUEST_ASSERT_EQ(buf[i], 0xcdcd);
	GUEST_ASSERT_EQ(wait_ready() & ST_DRQ, 0);

	/* an unknown command is aborted */
	outb(ATA_DEVICE, 0xe0);
	outb(ATA_CMD, 0x0b);
	st = wait_ready();
	GUEST_ASSERT_EQ(st & ST_ERR, ST_ERR);
	GUEST_ASSERT(inb(ATA_ERROR) & 0x04);
	GUEST_PRINTF("ata: identify, read, write, flush, read ext, abort ok");
	GUEST_DONE();
}
