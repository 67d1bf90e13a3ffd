// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - `hvlab disk check`: find (and with --repair, fix) damage.
 *
 * What is checked, in order; the first two are fatal (nothing later can
 * be trusted, and --repair cannot guess the right values):
 *   1. the header (vdi_header_check: signature, version, sizes, offsets);
 *   2. the block map lies inside the file;
 *   3. each map entry: inside the data area, not shared with another block,
 *      data inside the file;
 *   4. the header's blocks_allocated equals the number of valid entries
 *      (what `qemu-img check` also demands);
 *   5. for a snapshot, that its parent is found and unchanged, and then
 *      the parent itself (read-only).
 * Data past the last counted block (left by a crash during an allocation)
 * is reported as leaked space, which is harmless.
 *
 * Repair: an entry that points outside the data area or at a block already
 * used becomes free (its data cannot be trusted); an entry whose data lies
 * past the end of the file keeps its slot and the file is extended (the
 * block reads as zeros); the header is recounted.  The map is written
 * before the header, then fsync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/diskops.h"

static int check_one(const char *path, bool repair, FILE *out, unsigned depth);

static int check_parent(const struct dimg *m, FILE *out, unsigned depth)
{
	struct dimg *p;
	char *ppath;
	int rc;

	if (depth >= DISK_MAX_CHAIN) {
		fprintf(out, "ERROR: snapshot chain deeper than %d (a loop?)\n",
			DISK_MAX_CHAIN);
		return 1;
	}
	if (dimg_find_parent(m, &ppath)) {
		fprintf(out, "ERROR: %s\n", disk_error());
		return 1;
	}
	p = dimg_open(ppath, DISK_FMT_VDI, DISK_RDONLY | DISK_LENIENT);
	if (p) {
		if (!vdi_uuid_equal(&m->h.uuid_parent, &p->h.uuid_modify)) {
			fprintf(out, "ERROR: parent %s was modified after this snapshot was taken\n",
				ppath);
			dimg_close(p);
			free(ppath);
			return 1;
		}
		dimg_close(p);
	}
	fprintf(out, "parent: %s\n", ppath);
	rc = check_one(ppath, false, out, depth + 1);
	free(ppath);
	return rc;
}

static int check_one(const char *path, bool repair, FILE *out, unsigned depth)
{
	struct dimg *m;
	struct vdi_header *h;
	struct vdi_bmap_report r, fixed;
	uint32_t *bm2 = NULL;
	uint8_t *seen = NULL;
	uint64_t end;
	char sz[32];
	int errors = 0, rc = -1;

	/* lenient: the open checks only what is fatal */
	m = dimg_open(path, DISK_FMT_AUTO, (repair ? 0 : DISK_RDONLY) | DISK_LENIENT);
	if (!m)
		return -1;
	if (m->fmt == DISK_FMT_RAW) {
		fprintf(out, "%s: raw image, %s; no metadata to check\n", path,
			disk_fmt_size(m->size, sz, sizeof(sz)));
		dimg_close(m);
		return 0;
	}
	h = &m->h;
	/* the open fixed bad entries in memory; re-read the map as it is */
	seen = malloc(h->blocks_in_image + 1);
	bm2 = malloc(vdi_bmap_bytes(h) + 4);
	if (!seen || !bm2) {
		disk_seterr("out of memory");
		goto out;
	}
	if (pread_full(m->fd, bm2, vdi_bmap_bytes(h), h->offset_bmap)) {
		disk_seterr("%s: %s", path, strerror(errno));
		goto out;
	}
	for (uint32_t i = 0; i < h->blocks_in_image; i++) {
		uint8_t *p = (uint8_t *)&bm2[i];

		bm2[i] = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	}
	vdi_bmap_scan(h, bm2, m->file_size, seen, false, &r);
	fprintf(out, "%s: VDI %s, %s, block size %u, %u of %u blocks allocated\n",
		path, vdi_type_name(h->image_type),
		disk_fmt_size(h->disk_size, sz, sizeof(sz)), h->block_size,
		r.allocated, h->blocks_in_image);
	if (r.out_of_range) {
		fprintf(out, "ERROR: %u block map entries point outside the data area (first: block %u)\n",
			r.out_of_range, r.first_bad);
		errors += r.out_of_range;
	}
	if (r.duplicate) {
		fprintf(out, "ERROR: %u block map entries share data with another block\n",
			r.duplicate);
		errors += r.duplicate;
	}
	if (r.past_eof) {
		fprintf(out, "ERROR: %u block map entries point past the end of the file (%llu bytes)\n",
			r.past_eof, (unsigned long long)m->file_size);
		errors += r.past_eof;
	}
	/* what stays valid after a repair: past-EOF entries keep their slot */
	vdi_bmap_scan(h, bm2, UINT64_MAX, seen, true, &fixed);
	if (h->blocks_allocated != r.allocated + r.past_eof) {
		fprintf(out, "ERROR: header counts %u allocated blocks, the block map holds %u\n",
			h->blocks_allocated, r.allocated + r.past_eof);
		errors++;
	}
	end = h->offset_data + (uint64_t)fixed.max_index * h->block_size;
	if (h->image_type != VDI_TYPE_FIXED && m->file_size > end &&
	    end >= h->offset_data)
		fprintf(out, "leaked: %llu bytes after the last block (harmless)\n",
			(unsigned long long)(m->file_size - end));
	if (errors && repair) {
		uint8_t *raw = (uint8_t *)bm2;

		if (end > m->file_size && ftruncate(m->fd, end)) {
			disk_seterr("%s: extending: %s", path, strerror(errno));
			goto out;
		}
		for (uint32_t i = 0; i < h->blocks_in_image; i++) {
			uint32_t e = bm2[i];

			raw[4 * i] = e;
			raw[4 * i + 1] = e >> 8;
			raw[4 * i + 2] = e >> 16;
			raw[4 * i + 3] = e >> 24;
		}
		h->blocks_allocated = fixed.allocated;
		if (pwrite_full(m->fd, raw, vdi_bmap_bytes(h), h->offset_bmap) ||
		    dimg_write_header(m) || fsync(m->fd)) {
			disk_seterr("%s: writing the repair: %s", path, strerror(errno));
			goto out;
		}
		fprintf(out, "repaired: %d errors fixed; %u entries freed\n", errors,
			r.out_of_range + r.duplicate);
		errors = 0;
	}
	rc = errors ? 1 : 0;
	if (h->image_type == VDI_TYPE_DIFF) {
		int prc = check_parent(m, out, depth);

		if (prc)
			rc = prc < 0 ? -1 : (rc ? rc : 1);
	}
out:
	free(seen);
	free(bm2);
	dimg_close(m);
	return rc;
}

int disk_check(const char *path, bool repair, FILE *out)
{
	int rc = check_one(path, repair, out, 0);

	if (rc == 0)
		fprintf(out, "No errors found.\n");
	else if (rc > 0)
		fprintf(out, "Errors found%s.\n", repair ? "" : "; 'hvlab disk check --repair' fixes the block map");
	return rc;
}
