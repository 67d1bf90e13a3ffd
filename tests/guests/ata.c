// SPDX-License-Identifier: GPL-2.0
/*
 * ata - drives the primary IDE channel with polled PIO, the way xv6's
 * ide.c or an unmodified OS's first IDE driver does, and checks the disk
 * the host attached as master (`hvlab run --disk FILE`, or QEMU's
 * `-drive file=FILE,if=ide,index=0`):
 *
 *  1. IDENTIFY DEVICE: an ATA (not ATAPI) device with LBA and the 48-bit
 *     feature set; the model string is the controller's ("hvlab virtual ATA
 *     disk", or "QEMU HARDDISK" with the `qemu` flag); the LBA28 count
 *     (words 60-61) and the LBA48 count (words 100-103) both equal
 *     `sectors=N` from the command line, the image size / 512 (without it:
 *     at least 8192 sectors, 4 MiB); the integrity word 255 sums to zero
 *     when its signature 0xA5 is there (ATA8-ACS 7.16.7.88).
 *  2. READ SECTORS of `rcount` sectors at `rlba` (one command: a DRQ block
 *     per sector) all hold the byte `rpat`, which the test put there before
 *     the boot (e.g. `qemu-io -c 'write -P 0x5a 0 64k'`, or pwrite).
 *  3. WRITE SECTORS of 8 sectors at `wlba` with the byte `wpat`, then
 *     FLUSH CACHE; the test reads them from the file after the run.
 *  4. READ SECTORS EXT (the 48-bit command: each register written twice,
 *     high byte first) of those 8 sectors reads `wpat` back.
 *  5. An unknown command ends with ERR and ABRT in the error register.
 * Defaults (no arguments): rlba=2048 rcount=1 rpat=0xab wlba=4096
 * wpat=0xcd, what tests/native/disk_guest.sh prepares.
 *
 * Data moves with REP INSW / REP OUTSW of one sector at a time, as Linux's
 * ata_sff_data_xfer does: one I/O exit per sector instead of 256.
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

#define WCOUNT	8

static uint16_t buf[WCOUNT * 256];

static inline void insw(uint16_t port, void *dst, unsigned long n)
{
	asm volatile("rep insw" : "+D"(dst), "+c"(n) : "d"(port) : "memory");
}

static inline void outsw(uint16_t port, const void *src, unsigned long n)
{
	asm volatile("rep outsw" : "+S"(src), "+c"(n) : "d"(port) : "memory");
}

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

/* The task file for a 28-bit command: master, LBA mode. */
static void lba28(uint32_t lba, uint8_t count)
{
	wait_ready();
	outb(ATA_DEVICE, 0xe0 | ((lba >> 24) & 0x0f));
	outb(ATA_COUNT, count);
	outb(ATA_LBA0, lba);
	outb(ATA_LBA1, lba >> 8);
	outb(ATA_LBA2, lba >> 16);
}

/*
 * The task file for a 48-bit command: each register is a two-deep FIFO,
 * the "previous" (high) byte written first (ATA8-ACS 4.12.1).
 */
static void lba48(uint64_t lba, uint16_t count)
{
	wait_ready();
	outb(ATA_DEVICE, 0x40);
	outb(ATA_COUNT, count >> 8);
	outb(ATA_LBA0, lba >> 24);
	outb(ATA_LBA1, lba >> 32);
	outb(ATA_LBA2, lba >> 40);
	outb(ATA_COUNT, count);
	outb(ATA_LBA0, lba);
	outb(ATA_LBA1, lba >> 8);
	outb(ATA_LBA2, lba >> 16);
}

static void read_sector(uint16_t *dst)
{
	wait_drq();
	insw(ATA_DATA, dst, 256);
}

static void check_pattern(const uint16_t *p, unsigned words, uint8_t pat, uint32_t lba)
{
	for (unsigned i = 0; i < words; i++)
		if (p[i] != (uint16_t)(pat | pat << 8)) {
			GUEST_PRINTF("ata: LBA %u word %u is 0x%x, not 0x%x", (unsigned)lba,
				     i % 256, p[i], (unsigned)(pat | pat << 8));
			GUEST_ASSERT(0);
		}
}

static void identify(uint64_t want)
{
	const char *want_model = guest_on_qemu ? "QEMU HARDDISK" : "hvlab virtual ATA disk";
	char model[41];
	uint32_t l28;
	uint64_t l48;

	wait_ready();
	outb(ATA_DEVICE, 0xa0);
	outb(ATA_CMD, 0xec);				/* IDENTIFY DEVICE */
	read_sector(buf);
	GUEST_ASSERT_EQ(buf[0] & 0x8000, 0);		/* ATA, not ATAPI */
	GUEST_ASSERT(buf[49] & (1 << 9));		/* LBA */
	GUEST_ASSERT(buf[83] & (1 << 10));		/* 48-bit addresses */
	l28 = buf[60] | (uint32_t)buf[61] << 16;
	l48 = buf[100] | (uint64_t)buf[101] << 16 | (uint64_t)buf[102] << 32 |
	      (uint64_t)buf[103] << 48;
	for (int i = 0; i < 20; i++) {			/* two chars a word, swapped */
		model[2 * i] = buf[27 + i] >> 8;
		model[2 * i + 1] = buf[27 + i] & 0xff;
	}
	model[40] = 0;
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = 0;
	GUEST_PRINTF("ata: model '%s', %u sectors (LBA28), %u (LBA48)", model,
		     (unsigned)l28, (unsigned)l48);
	GUEST_ASSERT(!strncmp(model, want_model, sizeof(model)));
	if (want) {
		GUEST_ASSERT_EQ(l28, want < 0x0fffffff ? want : 0x0fffffff);
		GUEST_ASSERT_EQ(l48, want);
	} else {
		GUEST_ASSERT(l28 >= 8192);
		GUEST_ASSERT(l48 >= l28);
	}
	if ((buf[255] & 0xff) == 0xa5) {
		uint8_t sum = 0;

		for (int i = 0; i < 256; i++)
			sum += (buf[i] & 0xff) + (buf[i] >> 8);
		GUEST_ASSERT_EQ(sum, 0);
	}
}

void guest_main(void)
{
	uint64_t sectors = guest_cmdline_uint("sectors", 0);
	uint32_t rlba = guest_cmdline_uint("rlba", 2048);
	uint32_t rcount = guest_cmdline_uint("rcount", 1);
	uint8_t rpat = guest_cmdline_uint("rpat", 0xab);
	uint32_t wlba = guest_cmdline_uint("wlba", 4096);
	uint8_t wpat = guest_cmdline_uint("wpat", 0xcd);
	uint8_t st;

	GUEST_ASSERT(rcount >= 1 && rcount <= 256);
	identify(sectors);

	/* READ SECTORS: a count of 0 means 256 */
	lba28(rlba, (uint8_t)rcount);
	outb(ATA_CMD, 0x20);
	for (uint32_t s = 0; s < rcount; s++) {
		read_sector(buf);
		check_pattern(buf, 256, rpat, rlba + s);
	}
	GUEST_ASSERT_EQ(wait_ready() & (ST_DRQ | ST_ERR), 0);
	GUEST_PRINTF("ata: read %u sectors of 0x%x at LBA %u", (unsigned)rcount, rpat,
		     (unsigned)rlba);

	/* WRITE SECTORS, one DRQ block per sector, then FLUSH CACHE */
	for (int i = 0; i < WCOUNT * 256; i++)
		buf[i] = wpat | wpat << 8;
	lba28(wlba, WCOUNT);
	outb(ATA_CMD, 0x30);
	for (int s = 0; s < WCOUNT; s++) {
		wait_drq();
		outsw(ATA_DATA, &buf[s * 256], 256);
	}
	st = wait_ready();
	GUEST_ASSERT_EQ(st & (ST_ERR | ST_DRQ), 0);
	outb(ATA_CMD, 0xe7);
	st = wait_ready();
	GUEST_ASSERT_EQ(st & ST_ERR, 0);

	/* READ SECTORS EXT of what was just written */
	memset(buf, 0, sizeof(buf));
	lba48(wlba, WCOUNT);
	outb(ATA_CMD, 0x24);
	for (int s = 0; s < WCOUNT; s++)
		read_sector(&buf[s * 256]);
	check_pattern(buf, WCOUNT * 256, wpat, wlba);
	GUEST_ASSERT_EQ(wait_ready() & (ST_DRQ | ST_ERR), 0);
	GUEST_PRINTF("ata: wrote, flushed and read back (EXT) %u sectors of 0x%x at LBA %u",
		     (unsigned)WCOUNT, wpat, (unsigned)wlba);

	/* an unknown command is aborted */
	outb(ATA_DEVICE, 0xe0);
	outb(ATA_CMD, 0x0b);
	st = wait_ready();
	GUEST_ASSERT_EQ(st & ST_ERR, ST_ERR);
	GUEST_ASSERT(inb(ATA_ERROR) & 0x04);
	GUEST_PRINTF("ata: identify, read, write, flush, read ext, abort ok");
	GUEST_DONE();
}
