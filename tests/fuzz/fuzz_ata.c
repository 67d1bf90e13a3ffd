// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ata.c - libFuzzer target over the IDE controllers: the input is a
 * program of port accesses a hostile guest could make, run against a
 * hard disk (a 1 MiB dynamic VDI) on the primary channel and a CD-ROM
 * (a 64 KiB raw image) on the secondary one.
 *
 * Each 4-byte step: [0] selects the port (0x1F0-0x1F7, 0x3F6, 0x170-0x177,
 * 0x376) and the direction, [1] the size (1, 2 or 4), [2..3] the value;
 * a data-port step repeats 1..256 times so that whole sectors move.
 * Nothing may crash, no access may reach past the disks (disk_read and
 * disk_write refuse; the sanitizers watch the buffers), and the disk must
 * stay a valid image: `check` is clean at the end.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/diskops.h"
#include "hw/ata.h"
#include "hw/bus.h"

static char dir[64];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* tmpfs when there is one: the fsyncs of every run cost nothing there */
	strcpy(dir, "/dev/shm/hvlab-fuzz-ata-XXXXXX");
	if (!mkdtemp(dir)) {
		strcpy(dir, "/tmp/hvlab-fuzz-ata-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	devnull = fopen("/dev/null", "w");
	return 0;
}

static const uint16_t ports[] = {
	0x1F0, 0x1F1, 0x1F2, 0x1F3, 0x1F4, 0x1F5, 0x1F6, 0x1F7, 0x3F6,
	0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176, 0x177, 0x376,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disk_create_opts o = { .fmt = DISK_FMT_VDI, .size = 1 << 20 };
	char hd[128], cd[128];
	struct disk *disks[2] = { NULL, NULL }, *iso;
	struct bus *bus;
	int fd;

	snprintf(hd, sizeof(hd), "%s/hd.vdi", dir);
	snprintf(cd, sizeof(cd), "%s/cd.iso", dir);
	unlink(hd);
	if (disk_create(hd, &o))
		abort();
	fd = open(cd, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 64 << 10))
		abort();
	close(fd);
	disks[0] = disk_open(hd, DISK_FMT_AUTO, 0);
	iso = disk_open(cd, DISK_FMT_RAW, DISK_RDONLY);
	bus = bus_new();
	if (!disks[0] || !iso || !bus || !ata_create(bus, disks) ||
	    !ata_create_cdrom(bus, iso))
		abort();

	for (size_t i = 0; i + 4 <= size && i < 4 * 4096; i += 4) {
		uint16_t port = ports[data[i] % (sizeof(ports) / sizeof(ports[0]))];
		bool write = data[i] & 0x80;
		unsigned sz = 1u << (data[i + 1] % 3);
		unsigned reps = (port & 0xf) == 0 ? 1 + data[i + 3] : 1;
		uint32_t v = data[i + 2] | data[i + 3] << 8;

		for (unsigned r = 0; r < reps; r++)
			bus_pio(bus, port, write, &v, sz);
	}
	bus_free(bus);
	if (disk_close(disks[0]))
		abort();
	disk_close(iso);
	if (disk_check(hd, false, devnull) != 0)
		abort();
	return 0;
}
