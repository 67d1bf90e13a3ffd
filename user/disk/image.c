// SPDX-License-Identifier: GPL-2.0
/*
 * image.c - one image file: open, validate, lock, allocate, flush.
 *
 * A `struct dimg` is one raw or VDI file.  Opening a VDI reads and checks
 * the header (vdi_header_check), reads the whole block map into memory and
 * checks every entry against the file (vdi_bmap_scan): from then on every
 * offset the code computes lies inside the file.
 *
 * Crash safety (docs/storage.md has the full argument).  A new block is
 * appended at data slot `next_index`: the file is extended with ftruncate
 * (the block reads as zeros), then the data is written.  Its block-map
 * entry and the header's blocks_allocated are only updated in memory and
 * reach the file in dimg_flush(), after an fdatasync() made the data
 * durable:
 *
 *     data  --fdatasync-->  map entries + header  --fdatasync-->  done
 *
 * When the map entries lie in the first 4 KiB page (disks up to 896 MiB)
 * the header and the map go out in ONE pwrite within one page, so even a
 * kill -9 between two system calls never shows a map that disagrees with
 * the header.  A crash before the map write leaves data past the last
 * counted block: harmless, and trimmed the next time the image is opened
 * for writing.  The first write of a session renews the modification UUID
 * (as VirtualBox does), so a snapshot notices a parent written behind its
 * back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/disk.h"

#define MAX_PENDING	64	/* allocations before an implicit flush */

int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {		/* past EOF reads as zeros */
			memset(p, 0, len);
			return 0;
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int open_vdi(struct dimg *m, const uint8_t *raw, unsigned flags)
{
	char err[200];
	struct vdi_bmap_report r;
	uint8_t *seen;
	uint64_t bytes;

	vdi_header_decode(raw, &m->h);
	errno = EINVAL;		/* what a caller sees for a malformed image */
	if (vdi_header_check(&m->h, err, sizeof(err)))
		return disk_seterr("%s: %s", m->path, err);
	bytes = vdi_bmap_bytes(&m->h);
	if (m->h.offset_bmap + bytes > m->file_size)
		return disk_seterr("%s: block map (0x%x + %llu bytes) extends past the end of the file (%llu bytes)",
				   m->path, m->h.offset_bmap,
				   (unsigned long long)bytes,
				   (unsigned long long)m->file_size);
	m->bmap = malloc(bytes ? bytes : 4);
	seen = malloc(m->h.blocks_in_image ? m->h.blocks_in_image : 1);
	if (!m->bmap || !seen) {
		free(seen);
		return disk_seterr("%s: out of memory for the block map", m->path);
	}
	errno = 0;
	if (pread_full(m->fd, m->bmap, bytes, m->h.offset_bmap)) {
		free(seen);
		return disk_seterr("%s: reading the block map: %s", m->path,
				   strerror(errno));
	}
	for (uint32_t i = 0; i < m->h.blocks_in_image; i++) {
		uint8_t *p = (uint8_t *)&m->bmap[i];

		m->bmap[i] = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	}
	errno = EINVAL;
	/* bad entries become "free" in memory so a lenient open stays safe */
	vdi_bmap_scan(&m->h, m->bmap, m->file_size, seen, true, &r);
	free(seen);
	if (!(flags & DISK_LENIENT)) {
		if (r.out_of_range || r.duplicate || r.past_eof)
			return disk_seterr("%s: corrupt block map: block %u %s (%u out of range, %u shared, %u past the end of the file); try 'hvlab disk check --repair'",
					   m->path, r.first_bad,
					   r.out_of_range ? "points outside the data area" :
					   r.duplicate ? "shares its data with another block" :
					   "points past the end of the file",
					   r.out_of_range, r.duplicate, r.past_eof);
	}
	/*
	 * A header count that disagrees with the map is harmless to hvlab
	 * (every entry was checked; new blocks go past both), and it is what
	 * a crash between the map and header writes of a big disk leaves:
	 * accept it, and correct the header at the next flush.
	 */
	m->nalloc = r.allocated;
	m->hdr_dirty = m->writable && r.allocated != m->h.blocks_allocated;
	m->next_index = r.max_index > m->h.blocks_allocated ?
			r.max_index : m->h.blocks_allocated;
	m->size = m->h.disk_size;
	m->dirty_lo = UINT32_MAX;
	m->dirty_hi = 0;
	if (m->writable && m->h.image_type != VDI_TYPE_FIXED &&
	    !(flags & DISK_LENIENT)) {
		/* drop the data of allocations a crash left uncounted */
		uint64_t end = m->h.offset_data +
			       (uint64_t)m->next_index * m->h.block_size;

		if (m->file_size > end && end >= m->h.offset_data &&
		    ftruncate(m->fd, end) == 0)
			m->file_size = end;
	}
	return 0;
}

struct dimg *dimg_open_fd(int fd, const char *path, enum disk_format fmt,
			  unsigned flags)
{
	struct dimg *m = calloc(1, sizeof(*m));
	uint8_t raw[VDI_HDR_BYTES];
	struct stat st;
	int acc;

	if (!m) {
		disk_seterr("out of memory");
		return NULL;
	}
	m->fd = fd;
	m->path = strdup(path);
	acc = fcntl(fd, F_GETFL);
	m->writable = !(flags & DISK_RDONLY) && acc >= 0 &&
		      (acc & O_ACCMODE) != O_RDONLY;
	if (!m->path || fstat(fd, &st)) {
		disk_seterr("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		disk_seterr("%s: not a regular file", path);
		goto fail;
	}
	m->file_size = st.st_size;
	if (!(flags & DISK_NOLOCK) &&
	    flock(fd, (m->writable ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		disk_seterr(errno == EWOULDBLOCK ?
			    "%s: in use by another process (it holds a lock on the image)" :
			    "%s: cannot lock: %s", path, strerror(errno));
		goto fail;
	}
	memset(raw, 0, sizeof(raw));
	if (pread_full(fd, raw, m->file_size < sizeof(raw) ? m->file_size : sizeof(raw), 0)) {
		disk_seterr("%s: %s", path, strerror(errno));
		goto fail;
	}
	/*
	 * The signature makes a VDI; so does the "<<< ... Disk Image >>>"
	 * text, so that a VDI with a damaged signature is reported as such
	 * instead of being handed to a guest as a raw disk (header and all).
	 */
	if (fmt == DISK_FMT_AUTO)
		fmt = (raw[0x40] | raw[0x41] << 8 | raw[0x42] << 16 |
		       (uint32_t)raw[0x43] << 24) == VDI_SIGNATURE ||
		      (!memcmp(raw, "<<< ", 4) &&
		       memmem(raw, 0x40, "Disk Image >>>", 14)) ?
		      DISK_FMT_VDI : DISK_FMT_RAW;
	m->fmt = fmt;
	if (fmt == DISK_FMT_VDI) {
		if (m->file_size < VDI_HDR_BYTES) {
			errno = EINVAL;
			disk_seterr("%s: too short for a VDI image (%llu bytes)",
				    path, (unsigned long long)m->file_size);
			goto fail;
		}
		if (open_vdi(m, raw, flags))
			goto fail;
	} else {
		m->size = m->file_size & ~(uint64_t)(DISK_SECTOR - 1);
	}
	return m;
fail:
	m->fd = -1;	/* the caller owns fd on failure */
	dimg_close(m);
	return NULL;
}

struct dimg *dimg_open(const char *path, enum disk_format fmt, unsigned flags)
{
	int fd = open(path, ((flags & DISK_RDONLY) ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	struct dimg *m;

	if (fd < 0) {
		disk_seterr("%s: %s", path, strerror(errno));
		return NULL;
	}
	m = dimg_open_fd(fd, path, fmt, flags);
	if (!m) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return m;
}

void dimg_close(struct dimg *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);	/* also drops the flock */
	free(m->bmap);
	free(m->path);
	free(m);
}

int dimg_write_header(struct dimg *m)
{
	uint8_t raw[VDI_HDR_BYTES];

	vdi_header_encode(&m->h, raw);
	if (pwrite_full(m->fd, raw, sizeof(raw), 0))
		return disk_seterr("%s: writing the header: %s", m->path,
				   strerror(errno));
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Write map entries [lo, hi) and the header: one pwrite if they share page 0. */
static int write_map_and_header(struct dimg *m, uint32_t lo, uint32_t hi)
{
	uint64_t map_end = m->h.offset_bmap + (uint64_t)hi * 4;
	uint8_t *buf;
	int rc = 0;

	if (m->h.offset_bmap == VDI_HDR_BYTES && map_end <= 4096) {
		uint8_t page[4096];

		vdi_header_encode(&m->h, page);
		for (uint32_t i = 0; i < hi; i++)
			put_le32(page + VDI_HDR_BYTES + 4 * i, m->bmap[i]);
		if (pwrite_full(m->fd, page, map_end, 0))
			return disk_seterr("%s: writing the block map: %s",
					   m->path, strerror(errno));
		return 0;
	}
	if (hi <= lo)
		return dimg_write_header(m);
	buf = malloc((size_t)(hi - lo) * 4);
	if (!buf)
		return disk_seterr("out of memory");
	for (uint32_t i = lo; i < hi; i++)
		put_le32(buf + 4 * (i - lo), m->bmap[i]);
	if (pwrite_full(m->fd, buf, (size_t)(hi - lo) * 4,
			m->h.offset_bmap + (uint64_t)lo * 4))
		rc = disk_seterr("%s: writing the block map: %s", m->path,
				 strerror(errno));
	free(buf);
	return rc ? rc : dimg_write_header(m);
}

int dimg_flush(struct dimg *m)
{
	if (!m->writable)
		return 0;
	/* 1. the data of new blocks is durable before a map entry names it */
	if (fdatasync(m->fd) && errno != EINVAL)
		return disk_seterr("%s: fdatasync: %s", m->path, strerror(errno));
	if (m->fmt != DISK_FMT_VDI || (m->dirty_lo >= m->dirty_hi && !m->hdr_dirty))
		return 0;
	/* 2. map entries, then the header that counts them */
	m->h.blocks_allocated = m->nalloc;
	if (m->dirty_lo >= m->dirty_hi)
		m->dirty_lo = m->dirty_hi = 0;
	if (write_map_and_header(m, m->dirty_lo, m->dirty_hi))
		return -1;
	/* 3. and those are durable before we report the flush done */
	if (fdatasync(m->fd) && errno != EINVAL)
		return disk_seterr("%s: fdatasync: %s", m->path, strerror(errno));
	m->dirty_lo = UINT32_MAX;
	m->dirty_hi = 0;
	m->pending = 0;
	m->hdr_dirty = false;
	return 0;
}

/* Make sure the header on disk carries a fresh modification UUID. */
static int bump_uuid(struct dimg *m)
{
	if (m->uuid_bumped)
		return 0;
	m->uuid_bumped = true;
	vdi_uuid_generate(&m->h.uuid_modify);
	return dimg_write_header(m);
}

/*
 * Write `len` bytes at `in` inside block `b` of a VDI.  `full` (block_size
 * bytes, or NULL) is what the whole block must contain if it has to be
 * allocated now: the caller fills it with the parent's data for a
 * differencing image.
 */
int dimg_vdi_write_block(struct dimg *m, uint32_t b, uint32_t in,
			 const void *buf, size_t len, const uint8_t *full)
{
	uint32_t e = m->bmap[b], bs = m->h.block_size;
	uint64_t base, end;

	if (bump_uuid(m))
		return -1;
	if (VDI_IS_ALLOCATED(e)) {
		if (pwrite_full(m->fd, buf, len, m->h.offset_data +
				(uint64_t)e * bs + in))
			return disk_seterr("%s: %s", m->path, strerror(errno));
		return 0;
	}
	if (m->next_index >= m->h.blocks_in_image)
		return disk_seterr("%s: data area full (%u blocks)", m->path,
				   m->h.blocks_in_image);
	base = m->h.offset_data + (uint64_t)m->next_index * bs;
	end = base + bs;
	/* extend first: the rest of the new block reads as zeros (a hole) */
	if (m->file_size < end) {
		if (ftruncate(m->fd, end))
			return disk_seterr("%s: extending the file: %s", m->path,
					   strerror(errno));
		m->file_size = end;
	}
	if (full ? pwrite_full(m->fd, full, bs, base)
		 : pwrite_full(m->fd, buf, len, base + in))
		return disk_seterr("%s: %s", m->path, strerror(errno));
	m->bmap[b] = m->next_index++;
	m->nalloc++;
	if (b < m->dirty_lo)
		m->dirty_lo = b;
	if (b + 1 > m->dirty_hi)
		m->dirty_hi = b + 1;
	if (++m->pending >= MAX_PENDING)
		return dimg_flush(m);
	return 0;
}
