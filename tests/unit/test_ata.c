// SPDX-License-Identifier: GPL-2.0
/*
 * test_ata.c - the ATA/IDE controller driven through the port bus exactly
 * as a polling guest driver would: IDENTIFY, READ/WRITE SECTORS (LBA28,
 * LBA48, CHS), READ/WRITE MULTIPLE, FLUSH CACHE, SET FEATURES, error
 * reporting, interrupts and the access counters; and the ATAPI CD-ROM on
 * the secondary channel through PACKET commands.
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

	/* a pending interrupt is masked by nIEN and shows again on clear */
	outb(self->bus, 0x1F6, 0xE0);
	outb(self->bus, 0x1F7, ATA_CMD_FLUSH_CACHE);
	EXPECT_EQ(1, irq_level);
	outb(self->bus, 0x3F6, ATA_DC_NIEN);
	EXPECT_EQ(0, irq_level);
	outb(self->bus, 0x3F6, 0);
	EXPECT_EQ(1, irq_level);
	(void)inb(self->bus, 0x1F7);
	EXPECT_EQ(0, irq_level);

	outb(self->bus, 0x3F6, ATA_DC_NIEN);	/* polling */
	irq_changes = 0;
	outb(self->bus, 0x1F6, 0xE0);
	outb(self->bus, 0x1F7, ATA_CMD_FLUSH_CACHE);
	EXPECT_EQ(0, irq_changes);
}

/* Found by fuzz_ata: DEV switched to an absent slave in mid-transfer. */
TEST_F(ata, transfer_stays_with_its_drive)
{
	uint8_t buf[512];

	setup_lba28(self->bus, 77, 1);
	outb(self->bus, 0x1F7, ATA_CMD_WRITE_SECTORS);
	outb(self->bus, 0x1F6, 0xB0);		/* select the (absent) slave */
	for (int i = 0; i < 256; i++)
		outw(self->bus, 0x4242);
	ASSERT_EQ(0, disk_read(self->disk, 77 * 512, buf, 512));
	EXPECT_EQ(0x42, buf[511]);
}

TEST(secondary_channel_disks)
{
	char path[] = "/tmp/hvlab-ata-sec-XXXXXX";
	struct disk_create_opts o = { .fmt = DISK_FMT_RAW, .size = 1 << 20 };
	struct disk *disks[2] = { NULL, NULL };
	struct bus *bus = bus_new();
	uint8_t buf[512];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	unlink(path);
	ASSERT_EQ(0, disk_create(path, &o));
	disks[0] = disk_open(path, DISK_FMT_RAW, 0);
	ASSERT_NE(NULL, disks[0]);
	ASSERT_NE(NULL, ata_create_secondary(bus, disks));
	EXPECT_EQ(ATA_SR_DRDY | ATA_SR_DSC, inb(bus, 0x177));
	outb(bus, 0x176, 0xE0);
	outb(bus, 0x172, 1);
	outb(bus, 0x173, 9);
	outb(bus, 0x174, 0);
	outb(bus, 0x175, 0);
	outb(bus, 0x177, ATA_CMD_WRITE_SECTORS);
	for (int i = 0; i < 256; i++) {
		uint16_t w = 0x9999;

		bus_pio(bus, 0x170, true, &w, 2);
	}
	EXPECT_EQ(0, inb(bus, 0x177) & (ATA_SR_ERR | ATA_SR_DRQ));
	ASSERT_EQ(0, disk_read(disks[0], 9 * 512, buf, 512));
	EXPECT_EQ(0x99, buf[0]);
	bus_free(bus);
	disk_close(disks[0]);
	unlink(path);
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

/* --- ATAPI CD-ROM on the secondary channel -------------------------- */

#define CD_SECTORS	512

FIXTURE(cd)
{
	char path[64];
	struct disk *iso;
	struct bus *bus;
};

FIXTURE_SETUP(cd)
{
	static uint8_t sec[2048];
	int fd;

	strcpy(self->path, "/tmp/hvlab-cd-XXXXXX");
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	for (uint32_t i = 0; i < CD_SECTORS; i++) {
		memset(sec, (uint8_t)i, sizeof(sec));
		memcpy(sec, &i, 4);
		ASSERT_EQ(2048, write(fd, sec, sizeof(sec)));
	}
	close(fd);
	self->iso = disk_open(self->path, DISK_FMT_RAW, DISK_RDONLY);
	ASSERT_NE(NULL, self->iso);
	self->bus = bus_new();
	ASSERT_NE(NULL, ata_create_cdrom(self->bus, self->iso));
}

FIXTURE_TEARDOWN(cd)
{
	bus_free(self->bus);
	disk_close(self->iso);
	unlink(self->path);
}

/* Send a 12-byte packet with byte count limit `limit`. */
static void packet(struct bus *b, const uint8_t *cdb, uint16_t limit)
{
	uint16_t w;

	outb(b, 0x176, 0xA0);
	outb(b, 0x171, 0);			/* PIO */
	outb(b, 0x174, limit & 0xff);
	outb(b, 0x175, limit >> 8);
	outb(b, 0x177, ATA_CMD_PACKET);
	/* the device asks for the packet: DRQ, CoD=1 IO=0 */
	if ((inb(b, 0x177) & ATA_SR_DRQ) && (inb(b, 0x172) & 3) == 1)
		for (int i = 0; i < 6; i++) {
			w = cdb[2 * i] | cdb[2 * i + 1] << 8;
			bus_pio(b, 0x170, true, &w, 2);
		}
}

/* Read one DRQ block; returns its size (0 when the device is in status). */
static unsigned chunk_in(struct bus *b, uint8_t *dst)
{
	unsigned n;

	if (!(inb(b, 0x177) & ATA_SR_DRQ) || (inb(b, 0x172) & 3) != 2)
		return 0;
	n = inb(b, 0x174) | inb(b, 0x175) << 8;
	for (unsigned i = 0; i < n; i += 2)
		bus_pio(b, 0x170, false, dst + i, 2);
	return n;
}

static void sense(struct bus *b, uint8_t *key, uint8_t *asc)
{
	static const uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
	uint8_t s[18] = { 0 };

	packet(b, rs, 0xfffe);
	chunk_in(b, s);
	*key = s[2] & 0xf;
	*asc = s[12];
}

TEST_F(cd, signature_and_identify)
{
	uint16_t w[256];
	char model[41];

	EXPECT_EQ(0x14, inb(self->bus, 0x174));
	EXPECT_EQ(0xEB, inb(self->bus, 0x175));
	/* IDENTIFY DEVICE is aborted by an ATAPI device */
	outb(self->bus, 0x176, 0xA0);
	outb(self->bus, 0x177, ATA_CMD_IDENTIFY);
	EXPECT_EQ(ATA_SR_ERR, inb(self->bus, 0x177) & ATA_SR_ERR);
	EXPECT_EQ(0x14, inb(self->bus, 0x174));
	EXPECT_EQ(0xEB, inb(self->bus, 0x175));
	outb(self->bus, 0x177, ATA_CMD_IDENTIFY_PACKET);
	ASSERT_EQ(ATA_SR_DRQ, inb(self->bus, 0x177) & ATA_SR_DRQ);
	for (int i = 0; i < 256; i++)
		bus_pio(self->bus, 0x170, false, &w[i], 2);
	EXPECT_EQ(0x85c0, w[0]);
	for (int i = 0; i < 20; i++) {
		model[2 * i] = w[27 + i] >> 8;
		model[2 * i + 1] = w[27 + i] & 0xff;
	}
	model[40] = 0;
	EXPECT_EQ(0, strncmp(model, "hvlab virtual ATAPI CD-ROM", 26));
	EXPECT_EQ(0, inb(self->bus, 0x177) & ATA_SR_DRQ);
	/* the primary channel is untouched */
	EXPECT_EQ(0xff, inb(self->bus, 0x1F7));
}

TEST_F(cd, inquiry_capacity_toc)
{
	static const uint8_t inq[12] = { 0x12, 0, 0, 0, 96 };
	static const uint8_t cap[12] = { 0x25 };
	static const uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 100 };
	uint8_t d[128];

	packet(self->bus, inq, 0xfffe);
	ASSERT_EQ(36, chunk_in(self->bus, d));
	EXPECT_EQ(0x05, d[0]);
	EXPECT_EQ(0, memcmp(d + 8, "HVLAB", 5));
	EXPECT_EQ(3, inb(self->bus, 0x172) & 3);	/* status phase */
	EXPECT_EQ(0, inb(self->bus, 0x177) & (ATA_SR_ERR | ATA_SR_DRQ));

	packet(self->bus, cap, 0xfffe);
	ASSERT_EQ(8, chunk_in(self->bus, d));
	EXPECT_EQ(CD_SECTORS - 1, d[2] << 8 | d[3]);
	EXPECT_EQ(2048, d[6] << 8 | d[7]);

	packet(self->bus, toc, 0xfffe);
	ASSERT_EQ(20, chunk_in(self->bus, d));
	EXPECT_EQ(1, d[2]);
	EXPECT_EQ(0xaa, d[14]);
	EXPECT_EQ(CD_SECTORS, d[18] << 8 | d[19]);	/* lead-out LBA */
}

TEST_F(cd, read10_in_limited_chunks)
{
	static const uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 10, 0, 0, 3 };
	static uint8_t d[3 * 2048];
	unsigned n, total = 0, chunks = 0;

	packet(self->bus, rd, 4096);			/* 4 KiB per DRQ block */
	while ((n = chunk_in(self->bus, d + total))) {
		total += n;
		chunks++;
		ASSERT_LE(total, sizeof(d));
	}
	EXPECT_EQ(sizeof(d), total);
	EXPECT_EQ(2, chunks);				/* 4096 + 2048 */
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t tag;

		memcpy(&tag, d + i * 2048, 4);
		EXPECT_EQ(10 + i, tag);
		EXPECT_EQ((uint8_t)(10 + i), d[i * 2048 + 100]);
	}
	EXPECT_EQ(0, inb(self->bus, 0x177) & ATA_SR_ERR);
	EXPECT_EQ(3, inb(self->bus, 0x172) & 3);
}

TEST_F(cd, errors_carry_sense)
{
	static const uint8_t past[12] = { 0x28, 0, 0, 0, 0x01, 0xff, 0, 0, 2 };
	static const uint8_t bogus[12] = { 0x46 };
	uint8_t key, asc;

	packet(self->bus, past, 0xfffe);		/* LBA 511 + 2 */
	EXPECT_EQ(ATA_SR_ERR, inb(self->bus, 0x177) & ATA_SR_ERR);
	EXPECT_EQ(5, inb(self->bus, 0x171) >> 4);	/* ILLEGAL REQUEST */
	sense(self->bus, &key, &asc);
	EXPECT_EQ(5, key);
	EXPECT_EQ(0x21, asc);				/* LBA out of range */
	sense(self->bus, &key, &asc);
	EXPECT_EQ(0, key);				/* cleared by the read */

	packet(self->bus, bogus, 0xfffe);
	EXPECT_EQ(ATA_SR_ERR, inb(self->bus, 0x177) & ATA_SR_ERR);
	sense(self->bus, &key, &asc);
	EXPECT_EQ(5, key);
	EXPECT_EQ(0x20, asc);				/* invalid opcode */
}

TEST_HARNESS_MAIN
