// SPDX-License-Identifier: GPL-2.0
/*
 * grade.c - lab 10's checks: the ATA command's address (user/hw/ata.c,
 * decode_address) and the VDI write path with copy-on-write
 * (user/disk/disk.c, disk_write).
 *
 * ATA: random sectors of a raw image are filled with random bytes through
 * the host file, then read (and written) by a polling guest driver through
 * the ports with LBA28, LBA48 and CHS addresses; the data must be those of
 * the sectors named.  VDI: random writes of random lengths at random,
 * unaligned offsets into a plain image and into a differencing image over
 * a parent with random contents; the disk must read back as a model byte
 * array, the parent must not change, and only the blocks written may be
 * allocated in the child.
 */
#include <fcntl.h>
#include <unistd.h>

#include "grade.h"
#include "disk/disk.h"
#include "disk/diskops.h"
#include "hw/ata.h"
#include "hw/bus.h"

/* ---- ATA ---------------------------------------------------------- */

#define SECTORS		(48u << 11)	/* 48 MiB */

static struct bus *bus;
static struct disk *disk;
static int fd;

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0;

	bus_pio(bus, port, false, &v, 1);
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	bus_pio(bus, port, true, &v, 1);
}

static uint16_t inw(void)
{
	uint16_t v = 0;

	bus_pio(bus, 0x1F0, false, &v, 2);
	return v;
}

static void outw(uint16_t v)
{
	bus_pio(bus, 0x1F0, true, &v, 2);
}

static void ata_setup(void)
{
	struct disk *disks[2] = { NULL, NULL };
	char path[96];

	lab_mkdir_tmp("lab10");
	snprintf(path, sizeof(path), "%s/d.img", lab_tmpdir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)SECTORS * 512)) {
		perror(path);
		exit(2);
	}
	disk = disk_open(path, DISK_FMT_RAW, 0);
	if (!disk) {
		fprintf(stderr, "%s\n", disk_error());
		exit(2);
	}
	disks[0] = disk;
	bus = bus_new();
	ata_create(bus, disks);
}

static void ata_teardown(void)
{
	bus_free(bus);
	disk_close(disk);
	close(fd);
	lab_rm_tmp();
}

/* Random bytes into sectors [lba, lba+n) of the file, behind the model. */
static void fill(uint64_t lba, unsigned int n)
{
	uint8_t buf[512];

	for (unsigned int s = 0; s < n; s++) {
		for (unsigned int i = 0; i < 512; i += 8) {
			uint64_t r = rnd();

			memcpy(buf + i, &r, 8);
		}
		if (pwrite(fd, buf, 512, (off_t)((lba + s) * 512)) != 512)
			exit(2);
	}
}

/* Reads n sectors by PIO and compares them with the file at lba. */
static void read_and_compare(const char *how, uint64_t lba, unsigned int n)
{
	uint8_t want[512], got[512];

	for (unsigned int s = 0; s < n; s++) {
		uint8_t st = inb(0x1F7);

		CHECK((st & (ATA_SR_DRQ | ATA_SR_ERR)) == ATA_SR_DRQ,
		      "%s LBA %llu count %u: status %#x (error %#x) before sector %u", how,
		      (unsigned long long)lba, n, st, inb(0x1F1), s);
		for (unsigned int i = 0; i < 256; i++) {
			uint16_t w = inw();

			memcpy(got + 2 * i, &w, 2);
		}
		if (pread(fd, want, 512, (off_t)((lba + s) * 512)) != 512)
			exit(2);
		CHECK(!memcmp(want, got, 512), "%s LBA %llu count %u: sector %u holds other data "
		      "(the drive read another sector)", how, (unsigned long long)lba, n, s);
	}
	CHECK(!(inb(0x1F7) & (ATA_SR_DRQ | ATA_SR_ERR)), "%s: DRQ or ERR after the last sector",
	      how);
}

LAB_TEST(ata_lba28_random)
{
	ata_setup();
	for (int i = 0; i < 40; i++) {
		unsigned int n = (unsigned int)rnd_range(1, 256);
		uint64_t lba = rnd_range(0, SECTORS - n);

		fill(lba, n);
		outb(0x1F6, (uint8_t)(0xE0 | ((lba >> 24) & 0x0f)));
		outb(0x1F2, (uint8_t)(n & 0xff));	/* 256 is written as 0 */
		outb(0x1F3, (uint8_t)lba);
		outb(0x1F4, (uint8_t)(lba >> 8));
		outb(0x1F5, (uint8_t)(lba >> 16));
		outb(0x1F7, 0x20);			/* READ SECTORS */
		read_and_compare("LBA28", lba, n);
		BAIL();
	}
	ata_teardown();
}

LAB_TEST(ata_lba48_random)
{
	ata_setup();
	for (int i = 0; i < 40; i++) {
		unsigned int n = (unsigned int)rnd_range(1, 300);
		uint64_t lba = rnd_range(0, SECTORS - n);

		fill(lba, n);
		outb(0x1F6, 0x40);
		outb(0x1F2, (uint8_t)(n >> 8));		/* "previous" contents first */
		outb(0x1F3, (uint8_t)(lba >> 24));
		outb(0x1F4, (uint8_t)(lba >> 32));
		outb(0x1F5, (uint8_t)(lba >> 40));
		outb(0x1F2, (uint8_t)n);
		outb(0x1F3, (uint8_t)lba);
		outb(0x1F4, (uint8_t)(lba >> 8));
		outb(0x1F5, (uint8_t)(lba >> 16));
		outb(0x1F7, 0x24);			/* READ SECTORS EXT */
		read_and_compare("LBA48", lba, n);
		BAIL();
	}
	ata_teardown();
}

LAB_TEST(ata_chs_random)
{
	unsigned int heads = 0, spt = 0;

	ata_setup();
	outb(0x1F6, 0xA0);
	outb(0x1F7, 0xEC);				/* IDENTIFY DEVICE */
	for (unsigned int i = 0; i < 256; i++) {
		uint16_t w = inw();

		if (i == 55)
			heads = w;
		if (i == 56)
			spt = w;
	}
	CHECK(heads >= 1 && heads <= 16 && spt >= 1 && spt <= 63, "geometry %u/%u", heads, spt);
	for (int i = 0; i < 40; i++) {
		unsigned int n = (unsigned int)rnd_range(1, 64);
		unsigned int c = (unsigned int)rnd_range(0, SECTORS / (heads * spt) - 2);
		unsigned int h = (unsigned int)rnd_range(0, heads - 1);
		unsigned int s = (unsigned int)rnd_range(1, spt);
		uint64_t lba = ((uint64_t)c * heads + h) * spt + s - 1;

		fill(lba, n);
		outb(0x1F6, (uint8_t)(0xA0 | h));
		outb(0x1F2, (uint8_t)n);
		outb(0x1F3, (uint8_t)s);
		outb(0x1F4, (uint8_t)c);
		outb(0x1F5, (uint8_t)(c >> 8));
		outb(0x1F7, 0x20);
		read_and_compare("CHS", lba, n);
		BAIL();
	}
	/* sector 0 does not exist in CHS: the command fails (IDNF) */
	outb(0x1F6, 0xA0);
	outb(0x1F2, 1);
	outb(0x1F3, 0);
	outb(0x1F4, 0);
	outb(0x1F5, 0);
	outb(0x1F7, 0x20);
	CHECK(inb(0x1F7) & ATA_SR_ERR, "CHS sector 0 must fail");
	ata_teardown();
}

LAB_TEST(ata_write_random)
{
	uint8_t buf[512], back[512];

	ata_setup();
	for (int i = 0; i < 30; i++) {
		unsigned int n = (unsigned int)rnd_range(1, 16);
		uint64_t lba = rnd_range(0, SECTORS - n);
		uint8_t all[16 * 512];

		outb(0x1F6, (uint8_t)(0xE0 | ((lba >> 24) & 0x0f)));
		outb(0x1F2, (uint8_t)n);
		outb(0x1F3, (uint8_t)lba);
		outb(0x1F4, (uint8_t)(lba >> 8));
		outb(0x1F5, (uint8_t)(lba >> 16));
		outb(0x1F7, 0x30);			/* WRITE SECTORS */
		for (unsigned int s = 0; s < n; s++) {
			CHECK(inb(0x1F7) & ATA_SR_DRQ, "WRITE LBA %llu: no DRQ for sector %u (status %#x)",
			      (unsigned long long)lba, s, inb(0x1F7));
			for (unsigned int k = 0; k < 512; k++)
				buf[k] = (uint8_t)rnd();
			memcpy(all + s * 512, buf, 512);
			for (unsigned int k = 0; k < 256; k++)
				outw((uint16_t)(buf[2 * k] | buf[2 * k + 1] << 8));
		}
		CHECK(!(inb(0x1F7) & ATA_SR_ERR), "WRITE LBA %llu: error %#x", (unsigned long long)lba,
		      inb(0x1F1));
		disk_flush(disk);
		for (unsigned int s = 0; s < n; s++) {
			if (pread(fd, back, 512, (off_t)((lba + s) * 512)) != 512)
				exit(2);
			CHECK(!memcmp(back, all + s * 512, 512), "WRITE LBA %llu: sector %u not on disk",
			      (unsigned long long)lba, s);
		}
	}
	ata_teardown();
}

/* ---- VDI ---------------------------------------------------------- */

#define VSIZE	(12u << 20)		/* 12 blocks of 1 MiB */

static uint8_t model[VSIZE], back[VSIZE], pmodel[VSIZE];

static void random_writes(struct disk *d, int n, uint8_t *m)
{
	static uint8_t buf[3u << 20];

	for (int i = 0; i < n; i++) {
		size_t len = rnd_range(1, rnd() & 1 ? 4096 : sizeof(buf));
		uint64_t off = rnd_range(0, VSIZE - len);
		int zeros = (rnd() % 8) == 0;

		for (size_t k = 0; k < len; k++)
			buf[k] = zeros ? 0 : (uint8_t)rnd();
		CHECK(disk_write(d, off, buf, len) == 0, "disk_write(%llu, %zu): %s",
		      (unsigned long long)off, len, disk_error());
		memcpy(m + off, buf, len);
	}
}

static void compare(struct disk *d, const uint8_t *m, const char *what)
{
	CHECK(disk_read(d, 0, back, VSIZE) == 0, "%s: disk_read: %s", what, disk_error());
	for (size_t i = 0; i < VSIZE; i++)
		CHECK(back[i] == m[i], "%s: byte %zu (block %zu) reads %#04x, want %#04x", what, i,
		      i >> 20, back[i], m[i]);
}

LAB_TEST(vdi_plain_write_random)
{
	struct disk_create_opts o = { .fmt = DISK_FMT_VDI, .size = VSIZE };
	char path[96];
	struct disk *d;

	lab_mkdir_tmp("lab10");
	snprintf(path, sizeof(path), "%s/a.vdi", lab_tmpdir);
	CHECK(disk_create(path, &o) == 0, "create: %s", disk_error());
	d = disk_open(path, DISK_FMT_VDI, 0);
	CHECK(d, "open: %s", disk_error());
	memset(model, 0, sizeof(model));
	random_writes(d, 40, model);
	BAIL();
	compare(d, model, "after the writes");
	BAIL();
	CHECK(disk_close(d) == 0, "close: %s", disk_error());
	d = disk_open(path, DISK_FMT_VDI, DISK_RDONLY);
	CHECK(d, "reopen: %s", disk_error());
	compare(d, model, "reopened");
	disk_close(d);
	lab_rm_tmp();
}

LAB_TEST(vdi_cow_over_parent_random)
{
	struct disk_create_opts o = { .fmt = DISK_FMT_VDI, .size = VSIZE };
	char path[96], child[160];
	struct disk *d;
	struct dimg *m;
	int touched[VSIZE >> 20] = { 0 };

	lab_mkdir_tmp("lab10");
	snprintf(path, sizeof(path), "%s/base.vdi", lab_tmpdir);
	CHECK(disk_create(path, &o) == 0, "create: %s", disk_error());
	/* the parent's contents, written below the write path under test */
	m = dimg_open(path, DISK_FMT_VDI, 0);
	CHECK(m, "open: %s", disk_error());
	memset(pmodel, 0, sizeof(pmodel));
	for (uint32_t b = 0; b < (VSIZE >> 20); b++) {
		if (rnd() % 3 == 0)
			continue;	/* some blocks stay unallocated (zeros) */
		for (size_t k = 0; k < (1u << 20); k++)
			pmodel[((size_t)b << 20) + k] = (uint8_t)rnd();
		CHECK(dimg_vdi_write_block(m, b, 0, pmodel + ((size_t)b << 20), 1u << 20, NULL) == 0,
		      "parent block %u: %s", b, disk_error());
	}
	CHECK(dimg_flush(m) == 0, "flush: %s", disk_error());
	dimg_close(m);
	CHECK(disk_snapshot(path, child, sizeof(child)) == 0, "snapshot: %s", disk_error());

	d = disk_open(child, DISK_FMT_VDI, 0);
	CHECK(d && d->n == 2, "the child opens as a chain of two: %s", disk_error());
	memcpy(model, pmodel, VSIZE);
	/* small writes inside blocks: each must copy the rest of its block up */
	for (int i = 0; i < 24; i++) {
		uint8_t buf[700];
		size_t len = rnd_range(1, sizeof(buf));
		uint64_t off = rnd_range(0, VSIZE - len);

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		CHECK(disk_write(d, off, buf, len) == 0, "write: %s", disk_error());
		memcpy(model + off, buf, len);
		for (uint64_t b = off >> 20; b <= (off + len - 1) >> 20; b++)
			touched[b] = 1;
	}
	compare(d, model, "the child after small writes");
	BAIL();
	CHECK(disk_close(d) == 0, "close: %s", disk_error());

	/* the parent is untouched */
	d = disk_open(path, DISK_FMT_VDI, DISK_RDONLY);
	CHECK(d, "parent: %s", disk_error());
	compare(d, pmodel, "the parent");
	BAIL();
	disk_close(d);
	/* the child holds exactly the blocks written */
	m = dimg_open(child, DISK_FMT_VDI, DISK_RDONLY);
	CHECK(m, "child: %s", disk_error());
	for (uint32_t b = 0; b < (VSIZE >> 20); b++)
		CHECK(VDI_IS_ALLOCATED(m->bmap[b]) == !!touched[b],
		      "child block %u is %sallocated but was %swritten", b,
		      VDI_IS_ALLOCATED(m->bmap[b]) ? "" : "not ", touched[b] ? "" : "not ");
	dimg_close(m);
	/* the chain again, after reopening */
	d = disk_open(child, DISK_FMT_VDI, DISK_RDONLY);
	CHECK(d, "reopen: %s", disk_error());
	compare(d, model, "the reopened chain");
	disk_close(d);
	lab_rm_tmp();
}
