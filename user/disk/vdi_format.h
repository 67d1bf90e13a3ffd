/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdi_format.h - the on-disk layout of a VirtualBox VDI image (v1.1), and
 * the pure functions that decode, validate and encode it.  No I/O here:
 * the fuzzer and the unit tests call these on plain buffers.
 *
 * A VDI file, as VirtualBox and `qemu-img create -f vdi` write it:
 *
 *   0x000  pre-header: 64 bytes of text, signature 0xbeda107f, version 1.1
 *   0x048  header v1.1 (0x180 bytes): type, flags, description, offsets,
 *          geometry, disk size, block size, block counts, four UUIDs
 *   0x200  block map (offset_bmap): one little-endian u32 per block;
 *          0xffffffff = free, 0xfffffffe = zero, else the block's index
 *          in the data area
 *   ...    data area (offset_data): block i of the map lives at
 *          offset_data + map[i] * block_size
 *
 * All fields are little-endian.  UUIDs are stored as VirtualBox's RTUUID:
 * the first three fields little-endian (like a Windows GUID).
 *
 * Invariants checked by vdi_header_check(): the signature and version are
 * right; the type is 1 (normal/dynamic), 2 (fixed) or 4 (differencing);
 * 512-byte sectors; a power-of-two block size; no block_extra; the block
 * map fits between the header and the data area; no size computation can
 * overflow 64 bits; disk_size <= blocks_in_image * block_size.
 */
#ifndef HVLAB_DISK_VDI_FORMAT_H
#define HVLAB_DISK_VDI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VDI_SIGNATURE		0xbeda107fu
#define VDI_VERSION_1_1		0x00010001u
#define VDI_HEADER_SIZE_1_1	0x180u		/* bytes from 0x48 to 0x1c8 */
#define VDI_TEXT		"<<< Oracle VM VirtualBox Disk Image >>>\n"

#define VDI_TYPE_NORMAL		1	/* dynamic: blocks allocated on write */
#define VDI_TYPE_FIXED		2	/* every block allocated at creation */
#define VDI_TYPE_UNDO		3	/* obsolete; refused */
#define VDI_TYPE_DIFF		4	/* differencing image: a snapshot */

#define VDI_BLOCK_FREE		0xffffffffu	/* not allocated: read the parent */
#define VDI_BLOCK_ZERO		0xfffffffeu	/* not allocated: reads zeros */
#define VDI_IS_ALLOCATED(e)	((e) < VDI_BLOCK_ZERO)

#define VDI_DEFAULT_BLOCK	(1u << 20)	/* 1 MiB, all VirtualBox uses */
#define VDI_MAX_BLOCKS		(1u << 24)	/* 16 TiB of 1 MiB blocks */
#define VDI_DATA_ALIGN		(1u << 20)	/* VirtualBox aligns data to 1 MiB */
#define VDI_HDR_BYTES		512		/* pre-header + header + padding */

/* Byte offsets of the fields inside the first 512 bytes. */
enum {
	VDI_OFF_TEXT = 0x000, VDI_OFF_SIGNATURE = 0x040,
	VDI_OFF_VERSION = 0x044, VDI_OFF_HEADER_SIZE = 0x048,
	VDI_OFF_TYPE = 0x04c, VDI_OFF_FLAGS = 0x050, VDI_OFF_DESC = 0x054,
	VDI_OFF_BMAP = 0x154, VDI_OFF_DATA = 0x158,
	VDI_OFF_CYLS = 0x15c, VDI_OFF_HEADS = 0x160, VDI_OFF_SECS = 0x164,
	VDI_OFF_SECTOR_SIZE = 0x168, VDI_OFF_UNUSED1 = 0x16c,
	VDI_OFF_DISK_SIZE = 0x170, VDI_OFF_BLOCK_SIZE = 0x178,
	VDI_OFF_BLOCK_EXTRA = 0x17c, VDI_OFF_BLOCKS = 0x180,
	VDI_OFF_ALLOCATED = 0x184, VDI_OFF_UUID_IMAGE = 0x188,
	VDI_OFF_UUID_MODIFY = 0x198, VDI_OFF_UUID_LINK = 0x1a8,
	VDI_OFF_UUID_PARENT = 0x1b8, VDI_OFF_LCHS = 0x1c8,
};

struct vdi_uuid { uint8_t b[16]; };

/* The decoded header, host-endian.  Names follow VirtualBox's VDIHEADER1. */
struct vdi_header {
	char text[0x40];
	uint32_t signature, version, header_size;
	uint32_t image_type, image_flags;
	char description[256];
	uint32_t offset_bmap, offset_data;
	uint32_t cylinders, heads, sectors, sector_size;	/* legacy geometry */
	uint64_t disk_size;
	uint32_t block_size, block_extra;
	uint32_t blocks_in_image, blocks_allocated;
	struct vdi_uuid uuid_image;	/* this image */
	struct vdi_uuid uuid_modify;	/* renewed when the image is written */
	struct vdi_uuid uuid_link;	/* diff: the parent's uuid_image */
	struct vdi_uuid uuid_parent;	/* diff: the parent's uuid_modify then */
	uint32_t lchs_cylinders, lchs_heads, lchs_sectors, lchs_sector_size;
};

/* What a pass over the block map found (vdi_bmap_scan). */
struct vdi_bmap_report {
	uint32_t allocated;	/* entries with a valid, unique data index */
	uint32_t zero, free;	/* entries marked zero / free */
	uint32_t out_of_range;	/* index >= blocks_in_image */
	uint32_t duplicate;	/* index already used by an earlier entry */
	uint32_t past_eof;	/* data would lie (partly) past the file end */
	uint32_t max_index;	/* highest valid index + 1 (0 if none) */
	uint32_t first_bad;	/* block number of the first bad entry */
};

/* Decode 512 raw bytes; no validation. */
void vdi_header_decode(const uint8_t *raw, struct vdi_header *h);
/* Encode into 512 raw bytes (zero padding after the header). */
void vdi_header_encode(const struct vdi_header *h, uint8_t *raw);
/* 0 if the header is sane, else -1 with a message in err. */
int vdi_header_check(const struct vdi_header *h, char *err, size_t errlen);
/* Bytes the block map occupies on disk (blocks_in_image * 4). */
static inline uint64_t vdi_bmap_bytes(const struct vdi_header *h)
{
	return (uint64_t)h->blocks_in_image * 4;
}
/*
 * Classify every entry of a host-endian block map.  Bad entries (out of
 * range, duplicate, past the file end) are counted and, if `fix` is true,
 * replaced by VDI_BLOCK_FREE.  `seen` is scratch of blocks_in_image bytes.
 */
void vdi_bmap_scan(const struct vdi_header *h, uint32_t *bmap,
		   uint64_t file_size, uint8_t *seen, bool fix,
		   struct vdi_bmap_report *r);

void vdi_uuid_generate(struct vdi_uuid *u);
bool vdi_uuid_is_null(const struct vdi_uuid *u);
bool vdi_uuid_equal(const struct vdi_uuid *a, const struct vdi_uuid *b);
/* 37 bytes: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
void vdi_uuid_format(const struct vdi_uuid *u, char *out);
const char *vdi_type_name(uint32_t type);

#endif
