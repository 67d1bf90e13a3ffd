// SPDX-License-Identifier: GPL-2.0
/*
 * diskio.c - a test and bench driver for the disk library (user/disk/),
 * built by the disk_*.sh scripts and tests/tools/bench-disk.sh against
 * build/libhvlab.a.  Not part of the hvlab tool.
 *
 *   diskio write  FILE OFF LEN BYTE     write LEN bytes of BYTE, flush
 *   diskio verify FILE OFF LEN BYTE     exit 1 unless they read back
 *   diskio hold   FILE SECONDS          keep FILE open for writing
 *   diskio crash  FILE SEED             write slots forever (see below)
 *   diskio acks   FILE < ACKS           verify every acknowledged slot
 *   diskio bench  FILE MIB              sequential + random 4 KiB MB/s
 *   diskio ata    FILE MIB              sectors/s written and read through
 *                                       the ATA model's ports (no VM exits)
 *
 * crash: the disk is cut into SLOT-byte slots (not a divisor of the 1 MiB
 * VDI block, so slots straddle blocks).  The writer fills random slots with
 * a pattern that depends only on the slot number, flushes every 1-4
 * writes, and after each flush prints "ack SLOT" for the slots the flush
 * covered.  Whatever moment it is killed at, every acked slot must read
 * back exactly; slots are rewritten with the same pattern, so the check
 * holds across many crash/restart rounds on one image.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "disk/disk.h"
#include "hw/ata.h"
#include "hw/bus.h"

#define SLOT	(96 * 1024)

static struct disk *open_or_die(const char *path, unsigned flags)
{
	struct disk *d = disk_open(path, DISK_FMT_AUTO, flags);

	if (!d) {
		fprintf(stderr, "diskio: %s\n", disk_error());
		exit(2);
	}
	return d;
}

static void slot_pattern(uint8_t *b, unsigned slot)
{
	for (unsigned i = 0; i < SLOT; i++)
		b[i] = (uint8_t)(slot * 7 + i / 512 + 1);
	memcpy(b, &slot, sizeof(slot));
}

static int do_write(char **v, bool verify)
{
	uint64_t off = strtoull(v[1], NULL, 0), len = strtoull(v[2], NULL, 0);
	int byte = (int)strtol(v[3], NULL, 0);
	struct disk *d = open_or_die(v[0], verify ? DISK_RDONLY : 0);
	uint8_t *b = malloc(len), *r = malloc(len);
	int rc = 0;

	memset(b, byte, len);
	if (verify) {
		if (disk_read(d, off, r, len)) {
			fprintf(stderr, "diskio: %s\n", disk_error());
			rc = 2;
		} else if (memcmp(b, r, len)) {
			fprintf(stderr, "diskio: mismatch in %llu+%llu\n",
				(unsigned long long)off, (unsigned long long)len);
			rc = 1;
		}
	} else if (disk_write(d, off, b, len) || disk_flush(d)) {
		fprintf(stderr, "diskio: %s\n", disk_error());
		rc = 2;
	}
	if (disk_close(d) && !rc)
		rc = 2;
	free(b);
	free(r);
	return rc;
}

static int do_crash(char **v)
{
	struct disk *d = open_or_die(v[0], 0);
	unsigned nslots = disk_size(d) / SLOT, seed = atoi(v[1]);
	unsigned pend[4], npend = 0, want = 1;
	uint8_t *b = malloc(SLOT);

	srand(seed);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		unsigned slot = rand() % nslots;

		slot_pattern(b, slot);
		if (disk_write(d, (uint64_t)slot * SLOT, b, SLOT))
			break;
		pend[npend++] = slot;
		if (npend >= want) {
			if (disk_flush(d))
				break;
			for (unsigned i = 0; i < npend; i++)
				printf("ack %u\n", pend[i]);
			npend = 0;
			want = 1 + rand() % 4;
		}
	}
	fprintf(stderr, "diskio: %s\n", disk_error());
	return 2;
}

static int do_acks(char **v)
{
	struct disk *d = open_or_die(v[0], DISK_RDONLY);
	uint8_t *want = malloc(SLOT), *got = malloc(SLOT);
	unsigned slot, n = 0, bad = 0;

	while (scanf(" ack %u", &slot) == 1) {
		n++;
		slot_pattern(want, slot);
		if (disk_read(d, (uint64_t)slot * SLOT, got, SLOT) ||
		    memcmp(want, got, SLOT)) {
			if (!bad++)
				fprintf(stderr, "diskio: acked slot %u lost\n", slot);
		}
	}
	disk_close(d);
	printf("%u acks checked, %u lost\n", n, bad);
	return bad ? 1 : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* MB/s of: seq write, seq read, random 4 KiB write, random 4 KiB read. */
static int do_bench(char **v)
{
	uint64_t size = strtoull(v[1], NULL, 0) << 20, n4k = size / 4096;
	struct disk *d = open_or_die(v[0], 0);
	uint8_t *b = malloc(1 << 20);
	double t, r[4];
	unsigned ops = 65536;

	memset(b, 0x5a, 1 << 20);
	srand(1);
	t = now();
	for (uint64_t off = 0; off < size; off += 4096)
		if (disk_write(d, off, b, 4096))
			goto err;
	if (disk_flush(d))
		goto err;
	r[0] = size / (now() - t) / 1e6;
	t = now();
	for (uint64_t off = 0; off < size; off += 4096)
		if (disk_read(d, off, b, 4096))
			goto err;
	r[1] = size / (now() - t) / 1e6;
	t = now();
	for (unsigned i = 0; i < ops; i++)
		if (disk_write(d, (rand() % n4k) * 4096, b, 4096))
			goto err;
	if (disk_flush(d))
		goto err;
	r[2] = ops * 4096.0 / (now() - t) / 1e6;
	t = now();
	for (unsigned i = 0; i < ops; i++)
		if (disk_read(d, (rand() % n4k) * 4096, b, 4096))
			goto err;
	r[3] = ops * 4096.0 / (now() - t) / 1e6;
	printf("%.1f %.1f %.1f %.1f\n", r[0], r[1], r[2], r[3]);
	disk_close(d);
	return 0;
err:
	fprintf(stderr, "diskio: %s\n", disk_error());
	return 2;
}

static void outb(struct bus *b, uint16_t port, uint8_t v)
{
	bus_pio(b, port, true, &v, 1);
}

/* WRITE/READ MULTIPLE EXT of 256 sectors, 32-bit data-port accesses. */
static int do_ata(char **v)
{
	uint64_t sectors = strtoull(v[1], NULL, 0) << 11;
	struct disk *disks[2] = { open_or_die(v[0], 0), NULL };
	struct bus *b = bus_new();
	double t, r[2];
	uint32_t w = 0x5a5a5a5a;

	if (!b || !ata_create(b, disks))
		return 2;
	outb(b, 0x1F6, 0x40);
	outb(b, 0x1F2, 16);
	outb(b, 0x1F7, ATA_CMD_SET_MULTIPLE);
	for (int pass = 0; pass < 2; pass++) {
		t = now();
		for (uint64_t lba = 0; lba < sectors; lba += 256) {
			outb(b, 0x1F2, 256 >> 8);
			outb(b, 0x1F3, lba >> 24);
			outb(b, 0x1F4, 0);
			outb(b, 0x1F5, 0);
			outb(b, 0x1F2, 0);
			outb(b, 0x1F3, lba);
			outb(b, 0x1F4, lba >> 8);
			outb(b, 0x1F5, lba >> 16);
			outb(b, 0x1F7, pass ? ATA_CMD_READ_MULTIPLE_EXT :
					      ATA_CMD_WRITE_MULTIPLE_EXT);
			for (unsigned i = 0; i < 256 * 128; i++)
				bus_pio(b, ATA_PRIMARY_BASE, !pass, &w, 4);
		}
		outb(b, 0x1F7, ATA_CMD_FLUSH_CACHE_EXT);
		r[pass] = sectors / (now() - t);
	}
	printf("%.0f %.0f\n", r[0], r[1]);
	bus_free(b);
	disk_close(disks[0]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "write"))
		return do_write(argv + 2, false);
	if (argc == 6 && !strcmp(argv[1], "verify"))
		return do_write(argv + 2, true);
	if (argc == 4 && !strcmp(argv[1], "hold")) {
		struct disk *d = open_or_die(argv[2], 0);

		printf("holding\n");
		fflush(stdout);
		sleep(atoi(argv[3]));
		disk_close(d);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "crash"))
		return do_crash(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "acks"))
		return do_acks(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "bench"))
		return do_bench(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "ata"))
		return do_ata(argv + 2);
	fprintf(stderr, "usage: diskio write|verify FILE OFF LEN BYTE | hold FILE SECS |\n"
			"       crash FILE SEED | acks FILE < ACKS | bench|ata FILE MIB\n");
	return 2;
}
