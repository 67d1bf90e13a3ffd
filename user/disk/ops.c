// SPDX-License-Identifier: GPL-2.0
/*
 * ops.c - whole-image operations: convert, clone, snapshot, commit, resize.
 *
 *   convert  reads IN through its whole chain (flattening snapshots) and
 *            writes OUT, a new file; all-zero chunks are skipped, so OUT
 *            stays sparse (free blocks in a VDI, holes in a raw file).
 *   clone    a convert to the same format and type; the new image gets
 *            fresh UUIDs, so VirtualBox and hvlab tell them apart.
 *   snapshot a new empty differencing VDI next to FILE, linked by UUID.
 *   commit   copies the blocks CHILD holds into its parent (through the
 *            parent's own chain), then empties CHILD and re-links it to
 *            the parent's new modification UUID, as `qemu-img commit` does.
 *   resize   grows in place when the bigger block map still fits before
 *            the data area; otherwise (and always to shrink, or for a
 *            fixed image) rebuilds the file under a temporary name and
 *            rename()s it over the original, which is atomic.
 *
 * None of these ever writes to IN, SRC or a parent it was not asked to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "disk/disk.h"
#include "disk/diskops.h"
#include "disk/progress.h"

#define CHUNK	(1u << 20)

static bool zero_buf(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

/* Copy every non-zero chunk of `src` into `dst` (same size or bigger). */
static int copy_disk(struct disk *src, struct disk *dst, const char *what)
{
	uint8_t *buf = malloc(CHUNK);
	struct progress pg;
	uint64_t off = 0, run;
	int rc = 0;

	if (!buf)
		return disk_seterr("out of memory");
	progress_start(&pg, what, src->size);
	while (off < src->size) {
		size_t n = src->size - off < CHUNK ? src->size - off : CHUNK;

		if (!disk_is_allocated(src, off, n, &run)) {
			off += run;
			continue;
		}
		n = run;
		if (disk_read(src, off, buf, n) ||
		    (!zero_buf(buf, n) && disk_write(dst, off, buf, n))) {
			rc = -1;
			break;
		}
		off += n;
		progress_update(&pg, off);
	}
	progress_done(&pg);
	free(buf);
	return rc ? rc : disk_flush(dst);
}

int disk_convert(const char *in, const char *out, enum disk_format ofmt,
		 int fixed)
{
	struct disk *src = disk_open(in, DISK_FMT_AUTO, DISK_RDONLY), *dst;
	struct disk_create_opts o = { 0 };
	const char *what = fixed < 0 ? "clone" : "convert";
	int rc;

	if (!src)
		return -1;
	if (ofmt == DISK_FMT_AUTO)	/* clone: the format of the source */
		ofmt = src->img[0]->fmt;
	o.fmt = ofmt;
	o.size = (src->size + DISK_SECTOR - 1) & ~(uint64_t)(DISK_SECTOR - 1);
	if (fixed < 0)	/* clone: keep the type of the source */
		fixed = src->img[0]->fmt == DISK_FMT_VDI &&
			src->img[0]->h.image_type == VDI_TYPE_FIXED;
	o.fixed = fixed && ofmt == DISK_FMT_VDI;
	if (disk_create(out, &o)) {
		disk_close(src);
		return -1;
	}
	dst = disk_open(out, ofmt, 0);
	if (!dst) {
		disk_close(src);
		unlink(out);
		return -1;
	}
	rc = copy_disk(src, dst, what);
	if (disk_close(dst))
		rc = -1;
	disk_close(src);
	if (rc)
		unlink(out);
	return rc;
}

int disk_snapshot_name(const char *file, char *out, size_t n)
{
	size_t len = strlen(file), stem;
	const char *dash;

	if (len > 4 && !strcasecmp(file + len - 4, ".vdi"))
		len -= 4;
	stem = len;
	/* disk-snap3.vdi -> stem "disk", so the next is disk-snap4.vdi */
	dash = file;
	for (const char *p = file; p < file + len; p++)
		if (!strncmp(p, "-snap", 5))
			dash = p;
	if (dash != file || !strncmp(file, "-snap", 5)) {
		const char *d = dash + 5;

		while (d < file + len && *d >= '0' && *d <= '9')
			d++;
		if (d == file + len && d > dash + 5)
			stem = dash - file;
	}
	for (unsigned i = 1; i < 100000; i++) {
		if ((size_t)snprintf(out, n, "%.*s-snap%u.vdi", (int)stem, file, i) >= n)
			return disk_seterr("%s: name too long", file);
		if (access(out, F_OK))
			return 0;
	}
	return disk_seterr("%s: no free snapshot name", file);
}

int disk_snapshot(const char *file, char *child, size_t n)
{
	struct dimg *p = dimg_open(file, DISK_FMT_AUTO, DISK_RDONLY);
	struct disk_create_opts o = { 0 };
	int rc;

	if (!p)
		return -1;
	if (p->fmt != DISK_FMT_VDI) {
		dimg_close(p);
		return disk_seterr("%s: snapshots need a VDI image (a raw file has no UUID to link to); 'hvlab disk convert -O vdi' it first",
				   file);
	}
	o.fmt = DISK_FMT_VDI;
	o.size = p->size;
	o.parent = p;
	rc = disk_snapshot_name(file, child, n);
	if (!rc)
		rc = disk_create(child, &o);
	dimg_close(p);
	return rc;
}

/* LAB 11: BEGIN commit */
int disk_commit(const char *child_path, char *parent_out, size_t n)
{
	struct dimg *c = dimg_open(child_path, DISK_FMT_AUTO, 0);
	struct disk *parent = NULL;
	uint8_t *buf = NULL;
	struct progress pg;
	char *ppath = NULL;
	int rc = -1;

	if (!c)
		return -1;
	if (c->fmt != DISK_FMT_VDI || c->h.image_type != VDI_TYPE_DIFF) {
		disk_seterr("%s: not a snapshot (differencing VDI); nothing to commit",
			    child_path);
		goto out;
	}
	if (dimg_find_parent(c, &ppath))
		goto out;
	snprintf(parent_out, n, "%s", ppath);
	parent = disk_open(ppath, DISK_FMT_VDI, 0);
	if (!parent)
		goto out;
	if (!vdi_uuid_equal(&c->h.uuid_parent, &parent->img[0]->h.uuid_modify)) {
		disk_seterr("%s: parent %s was modified after this snapshot was taken; refusing to merge",
			    child_path, ppath);
		goto out;
	}
	buf = malloc(c->h.block_size);
	if (!buf) {
		disk_seterr("out of memory");
		goto out;
	}
	progress_start(&pg, "commit", c->h.blocks_in_image);
	for (uint32_t b = 0; b < c->h.blocks_in_image; b++) {
		uint32_t e = c->bmap[b], bs = c->h.block_size;
		uint64_t off = (uint64_t)b * bs;
		size_t len = c->size - off < bs ? c->size - off : bs;

		progress_update(&pg, b);
		if (e == VDI_BLOCK_FREE || off >= parent->size)
			continue;
		if (len > parent->size - off)
			len = parent->size - off;
		if (e == VDI_BLOCK_ZERO)
			memset(buf, 0, len);
		else if (pread_full(c->fd, buf, len, c->h.offset_data + (uint64_t)e * bs)) {
			disk_seterr("%s: %s", child_path, strerror(errno));
			goto out_pg;
		}
		if (disk_write(parent, off, buf, len))
			goto out_pg;
	}
	if (disk_flush(parent))
		goto out_pg;
	/* the parent now holds the data: empty the child and re-link it */
	for (uint32_t b = 0; b < c->h.blocks_in_image; b++)
		c->bmap[b] = VDI_BLOCK_FREE;
	c->h.uuid_parent = parent->img[0]->h.uuid_modify;
	c->next_index = 0;
	c->nalloc = 0;
	c->dirty_lo = 0;
	c->dirty_hi = c->h.blocks_in_image;
	c->uuid_bumped = true;
	if (dimg_flush(c) || ftruncate(c->fd, c->h.offset_data) || fsync(c->fd))
		goto out_pg;
	rc = 0;
out_pg:
	progress_done(&pg);
out:
	free(buf);
	free(ppath);
	if (parent && disk_close(parent))
		rc = -1;
	dimg_close(c);
	return rc;
}
/* LAB 11: END commit */

/* Rebuild a VDI with a new size under path.tmp, then rename it over path. */
static int vdi_rebuild(struct dimg *old, uint64_t size)
{
	struct vdi_header h = old->h;
	uint32_t bs = h.block_size, nalloc = 0;
	uint8_t raw[VDI_HDR_BYTES], *buf = malloc(bs), *map = NULL;
	struct progress pg;
	char *tmp = NULL;
	int fd = -1, rc = -1;

	h.disk_size = size;
	h.blocks_in_image = (size + bs - 1) / bs;
	h.offset_bmap = VDI_HDR_BYTES;
	h.offset_data = (VDI_HDR_BYTES + vdi_bmap_bytes(&h) + VDI_DATA_ALIGN - 1) &
			~(uint64_t)(VDI_DATA_ALIGN - 1);
	map = malloc(vdi_bmap_bytes(&h) + 4);
	if (!buf || !map || asprintf(&tmp, "%s.resize-tmp", old->path) < 0) {
		disk_seterr("out of memory");
		goto out;
	}
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		disk_seterr("%s: %s", tmp, strerror(errno));
		goto out;
	}
	progress_start(&pg, "resize", h.blocks_in_image);
	for (uint32_t b = 0; b < h.blocks_in_image; b++) {
		uint32_t e = b < old->h.blocks_in_image ? old->bmap[b] :
			     h.image_type == VDI_TYPE_FIXED ? 0 : VDI_BLOCK_FREE;
		uint32_t ne = e;

		progress_update(&pg, b);
		if (VDI_IS_ALLOCATED(e) || h.image_type == VDI_TYPE_FIXED) {
			if (b < old->h.blocks_in_image && VDI_IS_ALLOCATED(e)) {
				if (pread_full(old->fd, buf, bs, old->h.offset_data + (uint64_t)e * bs))
					goto io;
			} else {
				memset(buf, 0, bs);
			}
			ne = nalloc++;
			if (ftruncate(fd, h.offset_data + (uint64_t)nalloc * bs) ||
			    (!zero_buf(buf, bs) &&
			     pwrite_full(fd, buf, bs, h.offset_data + (uint64_t)ne * bs)))
				goto io;
		}
		map[4 * b] = ne;
		map[4 * b + 1] = ne >> 8;
		map[4 * b + 2] = ne >> 16;
		map[4 * b + 3] = ne >> 24;
	}
	progress_done(&pg);
	h.blocks_allocated = nalloc;
	vdi_header_encode(&h, raw);
	if (pwrite_full(fd, map, vdi_bmap_bytes(&h), h.offset_bmap) ||
	    pwrite_full(fd, raw, sizeof(raw), 0) ||
	    (nalloc == 0 && ftruncate(fd, h.offset_data)) || fsync(fd))
		goto io;
	if (rename(tmp, old->path)) {
		disk_seterr("%s: rename: %s", old->path, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
io:
	disk_seterr("%s: %s", tmp, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	free(map);
	free(buf);
	return rc;
}

/* Does [from, to) of the disk read as all zeros? */
static int range_is_zero(struct disk *d, uint64_t from, uint64_t to)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t run;
	int rc = 1;

	if (!buf)
		return disk_seterr("out of memory");
	while (from < to && rc == 1) {
		size_t n = to - from < CHUNK ? to - from : CHUNK;

		if (!disk_is_allocated(d, from, n, &run)) {
			from += run;
			continue;
		}
		n = run;
		if (disk_read(d, from, buf, n))
			rc = -1;
		else if (!zero_buf(buf, n))
			rc = 0;
		from += n;
	}
	free(buf);
	return rc;
}

int disk_resize(const char *path, uint64_t size, bool shrink)
{
	struct disk *d = disk_open(path, DISK_FMT_AUTO, 0);
	struct dimg *m;
	int rc = -1;

	if (!d)
		return -1;
	m = d->img[0];
	if (size == 0 || size % DISK_SECTOR) {
		disk_seterr("%s: size must be a non-zero multiple of 512 bytes", path);
		goto out;
	}
	if (size < d->size) {
		int z;

		if (!shrink) {
			disk_seterr("%s: %llu bytes is smaller than the disk (%llu); pass --shrink to cut it",
				    path, (unsigned long long)size,
				    (unsigned long long)d->size);
			goto out;
		}
		z = range_is_zero(d, size, d->size);
		if (z < 0)
			goto out;
		if (!z) {
			disk_seterr("%s: refusing to shrink: data lies beyond %llu bytes",
				    path, (unsigned long long)size);
			goto out;
		}
	}
	if (size == d->size) {
		rc = 0;
		goto out;
	}
	if (m->fmt == DISK_FMT_RAW) {
		rc = ftruncate(m->fd, size) ? disk_seterr("%s: %s", path, strerror(errno)) : 0;
		goto out;
	}
	if (m->h.image_type != VDI_TYPE_FIXED && size > d->size) {
		uint32_t nb = (size + m->h.block_size - 1) / m->h.block_size;

		if (nb > VDI_MAX_BLOCKS) {
			disk_seterr("%s: too big for a VDI", path);
			goto out;
		}
		if ((uint64_t)m->h.offset_bmap + (uint64_t)nb * 4 <= m->h.offset_data) {
			/* in place: new map entries (free) first, then the header */
			uint32_t old = m->h.blocks_in_image;
			uint32_t *bm = realloc(m->bmap, (size_t)nb * 4);

			if (!bm) {
				disk_seterr("out of memory");
				goto out;
			}
			m->bmap = bm;
			for (uint32_t b = old; b < nb; b++)
				bm[b] = VDI_BLOCK_FREE;
			m->h.blocks_in_image = nb;
			m->h.disk_size = size;
			m->dirty_lo = old;
			m->dirty_hi = nb;
			m->uuid_bumped = true;	/* content did not change */
			if (nb == old)
				rc = dimg_write_header(m) || fsync(m->fd) ? -1 : 0;
			else
				rc = dimg_flush(m);
			goto out;
		}
	}
	rc = vdi_rebuild(m, size);
out:
	if (disk_close(d))
		rc = -1;
	return rc;
}
