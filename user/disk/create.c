// SPDX-License-Identifier: GPL-2.0
/*
 * create.c - make a new raw or VDI image file.
 *
 * A new VDI is laid out as `qemu-img create -f vdi` and VirtualBox do it:
 * the 512-byte header, the block map right after it at 0x200 (all entries
 * free, or 0, 1, 2, ... for a fixed image), and the data area starting at
 * the next 1 MiB boundary (VirtualBox's alignment; it keeps every 1 MiB
 * block aligned in the host file).  The file is extended to the data
 * offset with a hole, so an empty dynamic image costs one 4 KiB page.
 *
 * A differencing image copies the parent's size and block size and links
 * to it by UUID: uuid_link = parent's uuid_image, uuid_parent = parent's
 * uuid_modify at this moment.
 *
 * Never overwrites: the file is created with O_EXCL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk/disk.h"

static void make_header(struct vdi_header *h, const struct disk_create_opts *o)
{
	uint32_t bs = VDI_DEFAULT_BLOCK;
	uint64_t bmap_end;

	memset(h, 0, sizeof(*h));
	if (o->parent)
		bs = o->parent->h.block_size;
	strcpy(h->text, VDI_TEXT);
	h->signature = VDI_SIGNATURE;
	h->version = VDI_VERSION_1_1;
	h->header_size = VDI_HEADER_SIZE_1_1;
	h->image_type = o->parent ? VDI_TYPE_DIFF :
			o->fixed ? VDI_TYPE_FIXED : VDI_TYPE_NORMAL;
	h->sector_size = DISK_SECTOR;
	h->disk_size = o->size;
	h->block_size = bs;
	h->blocks_in_image = (o->size + bs - 1) / bs;
	h->offset_bmap = VDI_HDR_BYTES;
	bmap_end = h->offset_bmap + vdi_bmap_bytes(h);
	h->offset_data = (bmap_end + VDI_DATA_ALIGN - 1) & ~(uint64_t)(VDI_DATA_ALIGN - 1);
	if (o->fixed)
		h->blocks_allocated = h->blocks_in_image;
	vdi_uuid_generate(&h->uuid_image);
	vdi_uuid_generate(&h->uuid_modify);
	if (o->parent) {
		h->uuid_link = o->parent->h.uuid_image;
		h->uuid_parent = o->parent->h.uuid_modify;
	}
}

static int write_vdi(int fd, const char *path, const struct disk_create_opts *o)
{
	struct vdi_header h;
	uint8_t raw[VDI_HDR_BYTES];
	uint8_t *map;
	uint64_t end;
	char err[200];

	make_header(&h, o);
	if (vdi_header_check(&h, err, sizeof(err)))
		return disk_seterr("%s: %s", path, err);
	vdi_header_encode(&h, raw);
	map = malloc(vdi_bmap_bytes(&h) + 1);
	if (!map)
		return disk_seterr("out of memory");
	for (uint32_t i = 0; i < h.blocks_in_image; i++) {
		uint32_t e = o->fixed ? i : VDI_BLOCK_FREE;

		map[4 * i] = e;
		map[4 * i + 1] = e >> 8;
		map[4 * i + 2] = e >> 16;
		map[4 * i + 3] = e >> 24;
	}
	end = h.offset_data + (o->fixed ? (uint64_t)h.blocks_in_image * h.block_size : 0);
	if (pwrite_full(fd, raw, sizeof(raw), 0) ||
	    pwrite_full(fd, map, vdi_bmap_bytes(&h), h.offset_bmap) ||
	    ftruncate(fd, end)) {
		free(map);
		return disk_seterr("%s: %s", path, strerror(errno));
	}
	free(map);
	/* fixed means the space is reserved now (best effort: not every fs can) */
	if (o->fixed && end > h.offset_data)
		posix_fallocate(fd, h.offset_data, end - h.offset_data);
	return 0;
}

int disk_create(const char *path, const struct disk_create_opts *o)
{
	int fd, rc;

	if (o->size == 0 || o->size % DISK_SECTOR)
		return disk_seterr("%s: size must be a non-zero multiple of 512 bytes", path);
	if (o->fmt == DISK_FMT_VDI && !o->parent &&
	    o->size > (uint64_t)VDI_MAX_BLOCKS * VDI_DEFAULT_BLOCK)
		return disk_seterr("%s: too big for a VDI (at most 16 TiB)", path);
	if (o->fmt == DISK_FMT_RAW && (o->fixed || o->parent))
		return disk_seterr("%s: raw images have no fixed variant or snapshots", path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return disk_seterr("%s: %s", path, strerror(errno));
	if (o->fmt == DISK_FMT_RAW)
		rc = ftruncate(fd, o->size) ? disk_seterr("%s: %s", path, strerror(errno)) : 0;
	else
		rc = write_vdi(fd, path, o);
	if (!rc && fsync(fd))
		rc = disk_seterr("%s: fsync: %s", path, strerror(errno));
	close(fd);
	if (rc)
		unlink(path);
	return rc;
}
