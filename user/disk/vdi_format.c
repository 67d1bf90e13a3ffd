// SPDX-License-Identifier: GPL-2.0
/*
 * vdi_format.c - decode, check and encode VDI headers and block maps.
 *
 * Pure functions over buffers (see vdi_format.h for the layout).  Every
 * value read from a file is untrusted: vdi_header_check() is the gate that
 * later code relies on, so it rejects anything that could make an offset
 * computation overflow or make the block map overlap the header or the
 * data area.  vdi_bmap_scan() does the same for the map entries.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "disk/vdi_format.h"

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

void vdi_header_decode(const uint8_t *raw, struct vdi_header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->text, raw + VDI_OFF_TEXT, sizeof(h->text));
	h->text[sizeof(h->text) - 1] = 0;
	h->signature = get32(raw + VDI_OFF_SIGNATURE);
	h->version = get32(raw + VDI_OFF_VERSION);
	h->header_size = get32(raw + VDI_OFF_HEADER_SIZE);
	h->image_type = get32(raw + VDI_OFF_TYPE);
	h->image_flags = get32(raw + VDI_OFF_FLAGS);
	memcpy(h->description, raw + VDI_OFF_DESC, sizeof(h->description));
	h->description[sizeof(h->description) - 1] = 0;
	h->offset_bmap = get32(raw + VDI_OFF_BMAP);
	h->offset_data = get32(raw + VDI_OFF_DATA);
	h->cylinders = get32(raw + VDI_OFF_CYLS);
	h->heads = get32(raw + VDI_OFF_HEADS);
	h->sectors = get32(raw + VDI_OFF_SECS);
	h->sector_size = get32(raw + VDI_OFF_SECTOR_SIZE);
	h->disk_size = get64(raw + VDI_OFF_DISK_SIZE);
	h->block_size = get32(raw + VDI_OFF_BLOCK_SIZE);
	h->block_extra = get32(raw + VDI_OFF_BLOCK_EXTRA);
	h->blocks_in_image = get32(raw + VDI_OFF_BLOCKS);
	h->blocks_allocated = get32(raw + VDI_OFF_ALLOCATED);
	memcpy(h->uuid_image.b, raw + VDI_OFF_UUID_IMAGE, 16);
	memcpy(h->uuid_modify.b, raw + VDI_OFF_UUID_MODIFY, 16);
	memcpy(h->uuid_link.b, raw + VDI_OFF_UUID_LINK, 16);
	memcpy(h->uuid_parent.b, raw + VDI_OFF_UUID_PARENT, 16);
	h->lchs_cylinders = get32(raw + VDI_OFF_LCHS);
	h->lchs_heads = get32(raw + VDI_OFF_LCHS + 4);
	h->lchs_sectors = get32(raw + VDI_OFF_LCHS + 8);
	h->lchs_sector_size = get32(raw + VDI_OFF_LCHS + 12);
}

void vdi_header_encode(const struct vdi_header *h, uint8_t *raw)
{
	memset(raw, 0, VDI_HDR_BYTES);
	memcpy(raw + VDI_OFF_TEXT, h->text, strnlen(h->text, 0x40 - 1));
	put32(raw + VDI_OFF_SIGNATURE, h->signature);
	put32(raw + VDI_OFF_VERSION, h->version);
	put32(raw + VDI_OFF_HEADER_SIZE, h->header_size);
	put32(raw + VDI_OFF_TYPE, h->image_type);
	put32(raw + VDI_OFF_FLAGS, h->image_flags);
	memcpy(raw + VDI_OFF_DESC, h->description,
	       strnlen(h->description, 256 - 1));
	put32(raw + VDI_OFF_BMAP, h->offset_bmap);
	put32(raw + VDI_OFF_DATA, h->offset_data);
	put32(raw + VDI_OFF_CYLS, h->cylinders);
	put32(raw + VDI_OFF_HEADS, h->heads);
	put32(raw + VDI_OFF_SECS, h->sectors);
	put32(raw + VDI_OFF_SECTOR_SIZE, h->sector_size);
	put64(raw + VDI_OFF_DISK_SIZE, h->disk_size);
	put32(raw + VDI_OFF_BLOCK_SIZE, h->block_size);
	put32(raw + VDI_OFF_BLOCK_EXTRA, h->block_extra);
	put32(raw + VDI_OFF_BLOCKS, h->blocks_in_image);
	put32(raw + VDI_OFF_ALLOCATED, h->blocks_allocated);
	memcpy(raw + VDI_OFF_UUID_IMAGE, h->uuid_image.b, 16);
	memcpy(raw + VDI_OFF_UUID_MODIFY, h->uuid_modify.b, 16);
	memcpy(raw + VDI_OFF_UUID_LINK, h->uuid_link.b, 16);
	memcpy(raw + VDI_OFF_UUID_PARENT, h->uuid_parent.b, 16);
	put32(raw + VDI_OFF_LCHS, h->lchs_cylinders);
	put32(raw + VDI_OFF_LCHS + 4, h->lchs_heads);
	put32(raw + VDI_OFF_LCHS + 8, h->lchs_sectors);
	put32(raw + VDI_OFF_LCHS + 12, h->lchs_sector_size);
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int vdi_header_check(const struct vdi_header *h, char *err, size_t errlen)
{
	uint64_t bmap_end;

	if (h->signature != VDI_SIGNATURE)
		FAIL("not a VDI image (signature 0x%08x, expected 0x%08x)",
		     h->signature, VDI_SIGNATURE);
	if (h->version != VDI_VERSION_1_1)
		FAIL("unsupported VDI version %u.%u (only 1.1 is supported)",
		     h->version >> 16, h->version & 0xffff);
	if (h->header_size < VDI_HEADER_SIZE_1_1 ||
	    h->header_size > VDI_HDR_BYTES - VDI_OFF_HEADER_SIZE)
		FAIL("bad VDI header size %u", h->header_size);
	if (h->image_type != VDI_TYPE_NORMAL && h->image_type != VDI_TYPE_FIXED &&
	    h->image_type != VDI_TYPE_DIFF)
		FAIL("unsupported VDI image type %u (%s)", h->image_type,
		     vdi_type_name(h->image_type));
	if (h->sector_size != 512)
		FAIL("unsupported sector size %u (only 512)", h->sector_size);
	if (h->block_size < 512 || h->block_size > (64u << 20) ||
	    (h->block_size & (h->block_size - 1)))
		FAIL("bad block size %u (a power of two, 512 B .. 64 MiB)",
		     h->block_size);
	if (h->block_extra != 0)
		FAIL("unsupported block_extra %u (must be 0)", h->block_extra);
	if (h->blocks_in_image > VDI_MAX_BLOCKS)
		FAIL("too many blocks: %u (at most %u)", h->blocks_in_image,
		     VDI_MAX_BLOCKS);
	if (h->blocks_allocated > h->blocks_in_image)
		FAIL("header says %u blocks allocated of only %u",
		     h->blocks_allocated, h->blocks_in_image);
	if (h->disk_size % 512)
		FAIL("disk size %llu is not a multiple of 512",
		     (unsigned long long)h->disk_size);
	/* both factors are bounded above, so the product cannot overflow */
	if (h->disk_size > (uint64_t)h->blocks_in_image * h->block_size)
		FAIL("disk size %llu exceeds %u blocks of %u bytes",
		     (unsigned long long)h->disk_size, h->blocks_in_image,
		     h->block_size);
	if (h->offset_bmap < VDI_OFF_HEADER_SIZE + h->header_size ||
	    h->offset_bmap % 512)
		FAIL("block map offset 0x%x overlaps the header or is unaligned",
		     h->offset_bmap);
	bmap_end = (uint64_t)h->offset_bmap + vdi_bmap_bytes(h);
	if (h->offset_data < bmap_end || h->offset_data % 512)
		FAIL("data offset 0x%x overlaps the block map (ends at 0x%llx) or is unaligned",
		     h->offset_data, (unsigned long long)bmap_end);
	return 0;
}

void vdi_bmap_scan(const struct vdi_header *h, uint32_t *bmap,
		   uint64_t file_size, uint8_t *seen, bool fix,
		   struct vdi_bmap_report *r)
{
	memset(r, 0, sizeof(*r));
	r->first_bad = UINT32_MAX;
	memset(seen, 0, h->blocks_in_image);
	for (uint32_t i = 0; i < h->blocks_in_image; i++) {
		uint32_t e = bmap[i];
		bool bad = false;

		if (e == VDI_BLOCK_FREE) {
			r->free++;
			continue;
		}
		if (e == VDI_BLOCK_ZERO) {
			r->zero++;
			continue;
		}
		if (e >= h->blocks_in_image) {
			r->out_of_range++;
			bad = true;
		} else if (seen[e]) {
			r->duplicate++;
			bad = true;
		} else if ((uint64_t)h->offset_data +
			   ((uint64_t)e + 1) * h->block_size > file_size) {
			/* 64-bit: e < 2^24, block_size <= 2^26 */
			r->past_eof++;
			bad = true;
		}
		if (bad) {
			if (r->first_bad == UINT32_MAX)
				r->first_bad = i;
			if (fix)
				bmap[i] = VDI_BLOCK_FREE;
			continue;
		}
		seen[e] = 1;
		r->allocated++;
		if (e + 1 > r->max_index)
			r->max_index = e + 1;
	}
}

void vdi_uuid_generate(struct vdi_uuid *u)
{
	size_t got = 0;

	while (got < sizeof(u->b)) {
		ssize_t n = getrandom(u->b + got, sizeof(u->b) - got, 0);

		if (n <= 0)
			break;
		got += n;
	}
	/* RFC 4122 version 4; time_hi_and_version is little-endian at 6..7 */
	u->b[7] = (u->b[7] & 0x0f) | 0x40;
	u->b[8] = (u->b[8] & 0x3f) | 0x80;
}

bool vdi_uuid_is_null(const struct vdi_uuid *u)
{
	static const struct vdi_uuid zero;

	return !memcmp(u, &zero, sizeof(zero));
}

bool vdi_uuid_equal(const struct vdi_uuid *a, const struct vdi_uuid *b)
{
	return !memcmp(a->b, b->b, 16);
}

void vdi_uuid_format(const struct vdi_uuid *u, char *out)
{
	const uint8_t *b = u->b;

	/* RTUUID: the first three fields are stored little-endian */
	sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x",
		b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
		b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

const char *vdi_type_name(uint32_t type)
{
	switch (type) {
	case VDI_TYPE_NORMAL:	return "dynamic";
	case VDI_TYPE_FIXED:	return "fixed";
	case VDI_TYPE_UNDO:	return "undo";
	case VDI_TYPE_DIFF:	return "differencing";
	default:		return "unknown";
	}
}
