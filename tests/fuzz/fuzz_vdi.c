// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_vdi.c - libFuzzer target over the VDI header and block-map parser,
 * and over everything that trusts it afterwards.
 *
 * Each input is a whole image file, placed in a memfd:
 *   1. the pure header decoder and checker run on the first 512 bytes;
 *   2. disk_open() opens it (no lock, no parent search); if it accepts the
 *      image, reads and writes at offsets taken from the input must stay
 *      inside the disk and the file must not grow past the data area the
 *      header describes (no write outside the file);
 *   3. `check --repair` runs, and a second `check` must then find nothing
 *      (for images without a parent).
 * Any crash, sanitizer report or abort() is a finding.
 *
 * Seeds: when HVLAB_FUZZ_SEED_DIR is set and empty, LLVMFuzzerInitialize
 * writes a few small valid images there (512-byte blocks keep them tiny).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/diskops.h"

static int memfd = -1;
static FILE *devnull;

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* A valid image: 512-byte blocks, `n` blocks, map entries given. */
static size_t make_seed(uint8_t *buf, uint32_t type, uint32_t n,
			const uint32_t *map, uint32_t nalloc)
{
	struct vdi_header h = { 0 };

	strcpy(h.text, VDI_TEXT);
	h.signature = VDI_SIGNATURE;
	h.version = VDI_VERSION_1_1;
	h.header_size = VDI_HEADER_SIZE_1_1;
	h.image_type = type;
	h.offset_bmap = 512;
	h.offset_data = 512 + ((n * 4 + 511) & ~511u);
	h.sector_size = 512;
	h.disk_size = (uint64_t)n * 512;
	h.block_size = 512;
	h.blocks_in_image = n;
	h.blocks_allocated = nalloc;
	vdi_uuid_generate(&h.uuid_image);
	vdi_header_encode(&h, buf);
	memset(buf + 512, 0, h.offset_data - 512);
	for (uint32_t i = 0; i < n; i++)
		put32(buf + 512 + 4 * i, map[i]);
	for (uint32_t i = 0; i < nalloc; i++)
		memset(buf + h.offset_data + i * 512, 0x40 + i, 512);
	return h.offset_data + (size_t)nalloc * 512;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("HVLAB_FUZZ_SEED_DIR");
	static uint8_t buf[8192];
	static const uint32_t m1[8] = { 0, VDI_BLOCK_FREE, 1, VDI_BLOCK_ZERO,
					VDI_BLOCK_FREE, 2, VDI_BLOCK_FREE, VDI_BLOCK_FREE };
	static const uint32_t m2[4] = { 0, 1, 2, 3 };
	static const uint32_t m3[6] = { VDI_BLOCK_FREE, 0, VDI_BLOCK_FREE,
					VDI_BLOCK_FREE, VDI_BLOCK_FREE, VDI_BLOCK_FREE };
	struct { const char *name; uint32_t type, n; const uint32_t *map; uint32_t na; } s[] = {
		{ "dynamic", VDI_TYPE_NORMAL, 8, m1, 3 },
		{ "fixed", VDI_TYPE_FIXED, 4, m2, 4 },
		{ "diff", VDI_TYPE_DIFF, 6, m3, 1 },
	};

	(void)argc;
	(void)argv;
	memfd = memfd_create("fuzz_vdi", 0);
	devnull = fopen("/dev/null", "w");
	if (memfd < 0 || !devnull)
		abort();
	if (!dir)
		return 0;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		char path[4096];
		size_t len = make_seed(buf, s[i].type, s[i].n, s[i].map, s[i].na);
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-%s", dir, s[i].name);
		f = fopen(path, "wx");
		if (f) {
			fwrite(buf, 1, len, f);
			fclose(f);
		}
	}
	return 0;
}

static uint64_t take64(const uint8_t **p, size_t *left)
{
	uint64_t v = 0;

	for (int i = 0; i < 8 && *left; i++, (*p)++, (*left)--)
		v = v << 8 | **p;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t raw[VDI_HDR_BYTES] = { 0 }, buf[4096];
	struct vdi_header h;
	struct disk *d;
	char err[256], path[64];
	uint64_t limit;
	const uint8_t *p;
	size_t left;
	bool diff;

	/* 1. the pure parser */
	memcpy(raw, data, size < sizeof(raw) ? size : sizeof(raw));
	vdi_header_decode(raw, &h);
	vdi_header_check(&h, err, sizeof(err));

	/* 2. the real open, reads and writes, on a memfd holding the input */
	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	d = disk_open_fd(dup(memfd), "fuzz", DISK_FMT_VDI, DISK_NOPARENT);
	if (!d)
		return 0;
	h = d->img[0]->h;
	diff = h.image_type == VDI_TYPE_DIFF;
	/* the file may grow only inside the data area the header declares */
	limit = h.offset_data + (uint64_t)h.blocks_in_image * h.block_size;
	if (limit < size)
		limit = size;
	/* drive a few accesses from the tail of the input */
	p = data + (size > 64 ? size - 64 : 0);
	left = size > 64 ? 64 : size;
	for (int i = 0; i < 4 && left >= 8; i++) {
		uint64_t v = take64(&p, &left);
		uint64_t off = d->size ? v % d->size : 0;
		size_t len = 1 + (v >> 52) % sizeof(buf);

		if (off + len > d->size)
			len = d->size - off;
		if (disk_read(d, off, buf, len) == 0 && (v & 1) && len)
			disk_write(d, off, buf, len);
	}
	if (d->size && disk_read(d, d->size, buf, 1) == 0)
		abort();	/* reading past the end must fail */
	disk_close(d);
	if ((uint64_t)lseek(memfd, 0, SEEK_END) > limit)
		abort();

	/* 3. repair, then the image must check clean */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	if (disk_check(path, true, devnull) >= 0 && !diff &&
	    disk_check(path, false, devnull) != 0)
		abort();
	return 0;
}
