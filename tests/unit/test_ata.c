// SPDX-License-Identifier: GPL-2.0
/*
 * test_ata.c - the ATA/IDE controller driven through the port bus exactly
 * as a polling guest driver would: IDENTIFY, READ/WRITE SECTORS (LBA28,
 * LBA48, CHS), READ/WRITE MULTIPLE, FLUSH CACHE, SET FEATURES, error
 * reporting, interrupts and the access counters.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "disk/disk.h"
#include "hw/ata.h"
#include "hw/bus.h"

static uint8_t inb(struct bus *b, uint16_t port)
{
	uint8_t v = 0;

	bus_pio(b, port, false, &v, 1);
	return v;
}

static void outb(struct bus *b, uint16_t port, uint8_t v)
{
	bus_pio(b, port, true, &v, 1);
}

static uint16_t inw(struct bus *b)
{
	uint16_t v = 0;

	bus_pio(b, ATA_PRIMARY_BASE, false, &v, 2);
	return v;
}

static void outw(struct bus *b, uint16_t v)
{
	bus_pio(b, ATA_PRIMARY_BASE, true, &v, 2);
}

static void setup_lba28(struct bus *b, uint32_t lba, uint8_t count)
{
	outb(b, 0x1F6, 0xE0 | ((lba >> 24) & 0x0f));	/* master, LBA */
	outb(b, 0x1F2, count);
	outb(b, 0x1F3, lba);
	outb(b, 0x1F4, lba >> 8);
	outb(b, 0x1F5, lba >> 16);
}

static void setup_lba48(struct bus *b, uint64_t lba, uint16_t count)
{
	outb(b, 0x1F6, 0x40);
	outb(b, 0x1F2, count >> 8);
	outb(b, 0x1F3, lba >> 24);
	outb(b, 0x1F4, lba >> 32);
	outb(b, 0x1F5, lba >> 40);
	outb(b, 0x1F2, count);
	outb(b, 0x1F3, lba);
	outb(b, 0x1F4, lba >> 8);
	outb(b, 0x1F5, lba >> 16);
}

static int irq_level = -1, irq_changes;

static void irq_cb(void *ctx, int irq, int level)
{
	(void)ctx;
	if (irq == ATA_PRIMARY_IRQ) {
		irq_level = level;
		irq_changes++;
	}
}

FIXTURE(ata)
{
	char path[64];
	struct disk *disk;
	struct bus *bus;
	struct hv_device *dev;
};

#define DISK_BYTES	(130ull << 20)	/* 266240 sectors: > 16 heads * 63 * 256 */

FIXTURE_SETUP(ata)
{
	struct disk_create_opts o = { .fmt = DISK_FMT_VDI, .size = DISK_BYTES };
	struct disk *disks[2];

	strcpy(self->path, "/tmp/hvlab-ata-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->path));
	strcat(self->path, "/d.vdi");
	ASSERT_EQ(0, disk_create(self->path, &o));
	self->disk = disk_open(self->path, DISK_FMT_AUTO, 0);
	ASSERT_NE(NULL, self->disk);
	self->bus = bus_new();
	ASSERT_NE(NULL, self->bus);
	disks[0] = self->disk;
	disks[1] = NULL;
	self->dev = ata_create(self->bus, disks);
	ASSERT_NE(NULL, self->dev);
}

FIXTURE_TEARDOWN(ata)
{
	char cmd[128];

	bus_free(self->bus);
	disk_close(self->disk);
	snprintf(cmd, sizeof(cmd), "rm -rf %.*s", (int)(strlen(self->path) - 6), self->path);
	if (system(cmd))
		TH_LOG("cleanup failed");
}

TEST_F(ata, signature_and_status_after_reset)
{
	outb(self->bus, 0x3F6, ATA_DC_SRST);
	EXPECT_EQ(ATA_SR_BSY, inb(self->bus, 0x3F6));
	outb(self->bus, 0x3F6, 0);
	EXPECT_EQ(1, inb(self->bus, 0x1F2));
	EXPECT_EQ(1, inb(self->bus, 0x1F3));
	EXPECT_EQ(0, inb(self->bus, 0x1F4));
	EXPECT_EQ(0, inb(self->bus, 0x1F5));
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(self->bus, 0x1F7));
	/* the slave is absent: it reads status 0 */
	outb(self->bus, 0x1F6, 0xB0);
	EXPECT_EQ(0, inb(self->bus, 0x1F7));
	outb(self->bus, 0x1F7, ATA_CMD_IDENTIFY);
	EXPECT_EQ(0, inb(self->bus, 0x1F7));
}

TEST_F(ata, identify)
{
	uint16_t w[256];
	uint8_t sum = 0;
	char model[41];
	uint64_t n = DISK_BYTES / 512;

	outb(self->bus, 0x1F6, 0xA0);
	outb(self->bus, 0x1F7, ATA_CMD_IDENTIFY);
	ASSERT_EQ(ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ, inb(self->bus, 0x1F7));
	for (int i = 0; i < 256; i++)
		w[i] = inw(self->bus);
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(self->bus, 0x1F7));
	EXPECT_EQ(0x0040, w[0]);
	EXPECT_EQ(n / (16 * 63), w[1]);
	EXPECT_EQ(16, w[3]);
	EXPECT_EQ(63, w[6]);
	EXPECT_EQ(1 << 9, w[49] & (1 << 9));		/* LBA */
	EXPECT_EQ(n, (uint32_t)w[60] | (uint32_t)w[61] << 16);
	EXPECT_EQ(n, (uint64_t)w[100] | (uint64_t)w[101] << 16 |
		     (uint64_t)w[102] << 32 | (uint64_t)w[103] << 48);
	EXPECT_EQ(1 << 10, w[83] & (1 << 10));		/* 48-bit */
	EXPECT_EQ(0x8000 | ATA_MAX_MULTIPLE, w[47]);
	/* strings: first character in the high byte of each word */
	for (int i = 0; i < 20; i++) {
		model[2 * i] = w[27 + i] >> 8;
		model[2 * i + 1] = w[27 + i] & 0xff;
	}
	model[40] = 0;
	EXPECT_EQ(0, strncmp(model, "hvlab virtual ATA disk  ", 24));
	EXPECT_EQ('H', w[10] >> 8);
	/* integrity word: all 512 bytes sum to zero */
	EXPECT_EQ(0xA5, w[255] & 0xff);
	for (int i = 0; i < 256; i++)
		sum += (w[i] & 0xff) + (w[i] >> 8);
	EXPECT_EQ(0, sum);
}

TEST_F(ata, write_then_read_lba28)
{
	struct ata_stats st;
	uint8_t buf[512];

	setup_lba28(self->bus, 1000, 3);
	outb(self->bus, 0x1F7, ATA_CMD_WRITE_SECTORS);
	for (int s = 0; s < 3; s++) {
		ASSERT_EQ(ATA_SR_DRQ, inb(self->bus, 0x1F7) & ATA_SR_DRQ);
		for (int i = 0; i < 256; i++)
			outw(self->bus, (uint16_t)(s << 12 | i));
	}
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(self->bus, 0x1F7));

	setup_lba28(self->bus, 1001, 2);
	outb(self->bus, 0x1F7, ATA_CMD_READ_SECTORS);
	for (int s = 1; s < 3; s++) {
		ASSERT_EQ(ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ, inb(self->bus, 0x1F7));
		for (int i = 0; i < 256; i++)
			ASSERT_EQ((uint16_t)(s << 12 | i), inw(self->bus));
	}
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(self->bus, 0x1F7));

	/* the data really is in the disk file */
	ASSERT_EQ(0, disk_read(self->disk, 1002 * 512, buf, 512));
	EXPECT_EQ(2 << 4, buf[1]);
	EXPECT_EQ(5, buf[10]);
	ata_get_stats(self->dev, &st);
	EXPECT_EQ(1, st.write_cmds);
	EXPECT_EQ(1, st.read_cmds);
	EXPECT_EQ(3, st.sectors_written);
	EXPECT_EQ(2, st.sectors_read);
	EXPECT_EQ(2, st.naccess);
	EXPECT_EQ(1000, st.ring[0].lba);
	EXPECT_EQ(3, st.ring[0].count);
	EXPECT_EQ('w', st.ring[0].dir);
	EXPECT_EQ('r', st.ring[1].dir);
}

TEST_F(ata, lba48_beyond_28_bits_of_count)
{
	uint64_t lba = DISK_BYTES / 512 - 300;	/* above 256 * 16 * 63 */
	uint32_t v;

	setup_lba48(self->bus, lba, 300);
	outb(self->bus, 0x1F7, ATA_CMD_WRITE_SECTORS_EXT);
	for (int s = 0; s < 300; s++)
		for (int i = 0; i < 128; i++) {	/* 32-bit PIO */
			v = s;
			bus_pio(self->bus, ATA_PRIMARY_BASE, true, &v, 4);
		}
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(self->bus, 0x1F7));
	setup_lba48(self->bus, lba + 299, 1);
	outb(self->bus, 0x1F7, ATA_CMD_READ_SECTORS_EXT);
	EXPECT_EQ(299, inw(self->bus));
	/* HOB reads the previous (high) byte of the FIFO */
	outb(self->bus, 0x3F6, ATA_DC_HOB);
	EXPECT_EQ((uint8_t)((lba + 299) >> 24), inb(self->bus, 0x1F3));
	outb(self->bus, 0x3F6, 0);
	EXPECT_EQ((uint8_t)(lba + 299), inb(self->bus, 0x1F3));
}

TEST_F(ata, chs_addressing)
{
	uint8_t buf[512];

	/* C/H/S = 2/3/4 -> LBA (2*16 + 3) * 63 + 3 = 2208 */
	outb(self->bus, 0x1F6, 0xA0 | 3);
	outb(self->bus, 0x1F2, 1);
	outb(self->bus, 0x1F3, 4);
	outb(self->bus, 0x1F4, 2);
	outb(self->bus, 0x1F5, 0);
	outb(self->bus, 0x1F7, ATA_CMD_WRITE_SECTORS);
	for (int i = 0; i < 256; i++)
		outw(self->bus, 0x7777);
	EXPECT_EQ(0, inb(self->bus, 0x1F7) & ATA_SR_ERR);
	ASSERT_EQ(0, disk_read(self->disk, 2208 * 512, buf, 512));
	EXPECT_EQ(0x77, buf[0]);
}

TEST_F(ata, multiple_mode)
{
	setup_lba28(self->bus, 0, 32);
	outb(self->bus, 0x1F7, ATA_CMD_READ_MULTIPLE);	/* before SET MULTIPLE */
	EXPECT_EQ(ATA_SR_ERR, inb(self->bus, 0x1F7) & ATA_SR_ERR);
	EXPECT_EQ(ATA_ER_ABRT, inb(self->bus, 0x1F1));

	outb(self->bus, 0x1F2, 3);			/* not a power of two */
	outb(self->bus, 0x1F7, ATA_CMD_SET_MULTIPLE);
	EXPECT_EQ(ATA_ER_ABRT, inb(self->bus, 0x1F1));
	outb(self->bus, 0x1F2, 8);
	outb(self->bus, 0x1F7, ATA_CMD_SET_MULTIPLE);
	EXPECT_EQ(0, inb(self->bus, 0x1F7) & ATA_SR_ERR);

	setup_lba28(self->bus, 100, 20);		/* blocks of 8, 8, 4 */
	outb(self->bus, 0x1F7, ATA_CMD_WRITE_MULTIPLE);
	for (int s = 0; s < 20; s++) {
		if (s % 8 == 0)
			ASSERT_EQ(ATA_SR_DRQ, inb(self->bus, 0x1F7) & ATA_SR_DRQ);
		for (int i = 0; i < 256; i++)
			outw(self->bus, (uint16_t)s);
	}
	EXPECT_EQ(0, inb(self->bus, 0x1F7) & (ATA_SR_DRQ | ATA_SR_ERR));
	setup_lba28(self->bus, 100, 20);
	outb(self->bus, 0x1F7, ATA_CMD_READ_MULTIPLE);
	for (int s = 0; s < 20; s++)
		for (int i = 0; i < 256; i++)
			ASSERT_EQ((uint16_t)s, inw(self->bus));
	EXPECT_EQ(0, inb(self->bus, 0x1F7) & ATA_SR_DRQ);
}

TEST_F(ata, errors_abort_and_idnf)
{
	struct ata_stats st;

	outb(self->bus, 0x1F6, 0xE0);
	outb(self->bus, 0x1F7, 0x0B);		/* not a command */
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_ERR, inb(self->bus, 0x1F7));
	EXPECT_EQ(ATA_ER_ABRT, inb(self->bus, 0x1F1));

	setup_lba28(self->bus, DISK_BYTES / 512 - 1, 2);	/* one past the end */
	outb(self->bus, 0x1F7, ATA_CMD_READ_SECTORS);
	EXPECT_EQ(ATA_SR_ERR, inb(self->bus, 0x1F7) & (ATA_SR_ERR | ATA_SR_DRQ));
	EXPECT_EQ(ATA_ER_IDNF, inb(self->bus, 0x1F1));

	outb(self->bus, 0x1F1, 0x99);		/* unknown SET FEATURES */
	outb(self->bus, 0x1F7, ATA_CMD_SET_FEATURES);
	EXPECT_EQ(ATA_ER_ABRT, inb(self->bus, 0x1F1));
	outb(self->bus, 0x1F1, 0x03);		/* PIO mode 4 */
	outb(self->bus, 0x1F2, 0x0C);
	outb(self->bus, 0x1F7, ATA_CMD_SET_FEATURES);
	EXPECT_EQ(0, inb(self->bus, 0x1F7) & ATA_SR_ERR);

	ata_get_stats(self->dev, &st);
	EXPECT_EQ(3, st.errors);
}

TEST_F(ata, flush_and_write_cache)
{
	struct ata_stats st;

	outb(self->bus, 0x1F6, 0xE0);
	outb(self->bus, 0x1F7, ATA_CMD_FLUSH_CACHE);
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(self->bus, 0x1F7));
	outb(self->bus, 0x1F7, ATA_CMD_FLUSH_CACHE_EXT);
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(self->bus, 0x1F7));
	ata_get_stats(self->dev, &st);
	EXPECT_EQ(2, st.flushes);
	EXPECT_EQ('f', st.ring[1].dir);

	/* write cache off: IDENTIFY word 85 bit 5 follows */
	outb(self->bus, 0x1F1, 0x82);
	outb(self->bus, 0x1F7, ATA_CMD_SET_FEATURES);
	outb(self->bus, 0x1F7, ATA_CMD_IDENTIFY);
	for (int i = 0; i < 256; i++) {
		uint16_t w = inw(self->bus);

		if (i == 85)
			EXPECT_EQ(0, w & 0x20);
	}
}

TEST_F(ata, interrupts_follow_nien_and_status_reads)
{
	ata_set_irq(self->dev, irq_cb, NULL);
	irq_level = -1;
	irq_changes = 0;
	outb(self->bus, 0x3F6, 0);		/* nIEN clear: interrupts on */
	setup_lba28(self->bus, 5, 1);
	outb(self->bus, 0x1F7, ATA_CMD_READ_SECTORS);
	EXPECT_EQ(1, irq_level);		/* data ready */
	(void)inb(self->bus, 0x3F6);		/* alt status: no acknowledge */
	EXPECT_EQ(1, irq_level);
	(void)inb(self->bus, 0x1F7);		/* status acknowledges */
	EXPECT_EQ(0, irq_level);
	for (int i = 0; i < 256; i++)
		inw(self->bus);

	outb(self->bus, 0x3F6, ATA_DC_NIEN);	/* polling */
	irq_changes = 0;
	outb(self->bus, 0x1F6, 0xE0);
	outb(self->bus, 0x1F7, ATA_CMD_FLUSH_CACHE);
	EXPECT_EQ(0, irq_changes);
}

TEST(readonly_disk_aborts_writes)
{
	char path[] = "/tmp/hvlab-ata-ro-XXXXXX";
	struct disk_create_opts o = { .fmt = DISK_FMT_RAW, .size = 1 << 20 };
	struct disk *disks[2] = { NULL, NULL };
	struct bus *bus = bus_new();
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	unlink(path);
	ASSERT_EQ(0, disk_create(path, &o));
	disks[1] = disk_open(path, DISK_FMT_RAW, DISK_RDONLY);	/* as slave */
	ASSERT_NE(NULL, disks[1]);
	ASSERT_NE(NULL, ata_create(bus, disks));
	outb(bus, 0x1F6, 0xF0);
	outb(bus, 0x1F2, 1);
	outb(bus, 0x1F7, ATA_CMD_WRITE_SECTORS);
	EXPECT_EQ(ATA_SR_ERR, inb(bus, 0x1F7) & (ATA_SR_ERR | ATA_SR_DRQ));
	EXPECT_EQ(ATA_ER_ABRT, inb(bus, 0x1F1));
	outb(bus, 0x1F7, ATA_CMD_READ_SECTORS);
	EXPECT_EQ(ATA_SR_DRQ, inb(bus, 0x1F7) & ATA_SR_DRQ);
	bus_free(bus);
	disk_close(disks[1]);
	unlink(path);
}

TEST_HARNESS_MAIN
